"""Training run configs: flat YAML mirroring TRL's dataclasses (alignment-handbook style).

One YAML file describes one run; ``load_config(path)`` reads it into ``RunConfig`` and checks
every key, then every path (``check_paths``): the data file, the base model (a local folder,
the embedded GGUF, or ``run:<run folder>``) and the output folder, before anything heavy loads.
The value and path checks live in training/config_checks.py.

    from training.config import load_config
    cfg = load_config("training/configs/smollm2/135m_lora_gsm8k.yaml",
                      overrides=["train.max_steps=5", "run_name=lr-test"])

Every problem is a ``TrainConfigError`` worded "file: key: what is wrong (you wrote X)"; a
value that came from ``--set`` is reported against the command line, not the file:

    training/configs/x.yaml: data.source: no such file /…/shared/data/gsm8k/trian.jsonl (you wrote '../shared/data/gsm8k/trian.jsonl')
    --set train.max_stepz=5: train.max_stepz: unknown key; did you mean train.max_steps? (allowed: ...)

Relative paths are resolved against the repository root (training/paths.py), so a run does
not depend on the current directory. ``output_dir`` defaults to ``runs/<run_name>``: overriding
``run_name`` moves the run folder with it. This module imports no torch.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml

from training.config_checks import (  # noqa: F401  (re-exported: the names of a config's vocabulary)
    EMBEDDED_MODELS,
    HUB_ID,
    RUN_PREFIX,
    Origin,
    check_paths,
    is_local_source,
    run_reference,
    validate,
)
from training.errors import TrainConfigError
from training.paths import CONFIGS_DIR, resolve_path

@dataclass
class ModelConfig:
    name: str  # embedded:smollm2 | Hub id | local HF dir | run:<run folder>
    chat_template: str = "chatml"  # chatml | llama3 | phi3
    max_seq_len: int = 512
    dtype: str = "auto"  # auto: bfloat16 on a GPU that supports it, else float32
    load_in_4bit: bool = False  # unsloth backend only (QLoRA, needs bitsandbytes)
    attn_implementation: str = "auto"  # auto (transformers picks, sdpa) | eager | sdpa | flash_attention_2


@dataclass
class DataConfig:
    source: str  # local json/jsonl/parquet, or a Hub dataset id
    format: str = "auto"
    split: str = "train"
    max_rows: int | None = None
    min_score: float | None = None  # FineTome's `score` column
    val_fraction: float = 0.05
    system_prompt: str | None = None
    strip_chatdoctor: bool = True
    train_on: str = "assistant"  # assistant: loss on the replies only | all: every token (no masking)


@dataclass
class LoraConfig:
    r: int = 16
    alpha: int = 16
    dropout: float = 0.0
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )


@dataclass
class TrainConfig:
    backend: str = "auto"  # auto: unsloth if installed and CUDA, else hf
    learning_rate: float = 2.0e-4
    lr_scheduler: str = "linear"
    warmup_steps: int = 5
    warmup_ratio: float | None = None  # a fraction of the run's steps instead (needs warmup_steps: 0)
    max_steps: int | None = None  # exactly one of max_steps / epochs
    epochs: float | None = None
    per_device_batch_size: int = 4
    per_device_eval_batch_size: int | None = None  # default: per_device_batch_size
    grad_accum: int = 4
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    optim: str = "adamw_torch"
    logging_steps: int = 1
    eval_steps: int = 20
    save_steps: int = 20
    save_total_limit: int = 3
    gradient_checkpointing: bool = False
    deterministic: bool = False  # GPU: deterministic kernels (slower); see docs/TRAINING.md


@dataclass
class DPOSection:
    beta: float = 0.1  # how far the policy may move from the reference (higher = closer)
    loss_type: str = "sigmoid"  # TRL DPOConfig.loss_type


@dataclass
class RunConfig:
    run_name: str
    model: ModelConfig
    data: DataConfig
    output_dir: str = ""  # default runs/<run_name>
    method: str = "sft"  # sft (training.sft) | dpo (training.dpo)
    seed: int = 42
    lora: LoraConfig = field(default_factory=LoraConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    dpo: DPOSection | None = None  # method: dpo only
    path: str = ""  # the file it came from (not a YAML key)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("path")
        if out["dpo"] is None:
            out.pop("dpo")
        return out

    # --- resolved paths -------------------------------------------------------
    @property
    def output_path(self) -> Path:
        return resolve_path(self.output_dir)

    @property
    def data_is_local(self) -> bool:
        return is_local_source(self.data.source)

    @property
    def data_path(self) -> Path | None:
        return resolve_path(self.data.source) if self.data_is_local else None


# --- types ------------------------------------------------------------------------------------------------
_SECTIONS = {"model": ModelConfig, "data": DataConfig, "lora": LoraConfig, "train": TrainConfig, "dpo": DPOSection}


def _check_type(value: Any, hint: Any, *, where: Origin, key: str) -> Any:
    """Check ``value`` against a simple annotation (str/int/float/bool, X | None, list[str])."""
    origin, args = get_origin(hint), get_args(hint)
    if args and type(None) in args:  # Optional
        if value is None:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        origin, args = get_origin(hint), get_args(hint)
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, args[0]) for v in value):
            raise where.error(key, f"expected a list of {args[0].__name__}", value)
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise where.error(key, "expected true or false", value)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(key, "expected an integer", value)
        return value
    if hint is float:
        if isinstance(value, str):  # YAML reads 2e-4 (no dot) as a string
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise where.error(key, "expected a number", value)
        return float(value)
    if hint is str and not isinstance(value, str):
        raise where.error(key, "expected a string", value)
    return value


def _build(cls: type, raw: Any, *, where: Origin, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise where.error(prefix.rstrip(".") or "(top)", "expected a mapping", raw)
    hints = get_type_hints(cls)
    known = sorted({f.name for f in fields(cls)} - {"path"})
    for k in raw:
        if k not in known:
            close = difflib.get_close_matches(str(k), known, n=1)
            maybe = f"; did you mean {prefix}{close[0]}?" if close else ""
            raise where.error(f"{prefix}{k}", f"unknown key{maybe} (allowed: {', '.join(known)})")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name == "path":
            continue
        key = f"{prefix}{f.name}"
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise where.error(key, "missing required key")
            continue
        if f.name in _SECTIONS and prefix == "":
            kwargs[f.name] = _build(_SECTIONS[f.name], raw[f.name], where=where, prefix=f"{f.name}.")
        else:
            kwargs[f.name] = _check_type(raw[f.name], hints[f.name], where=where, key=key)
    return cls(**kwargs)


# --- loading -------------------------------------------------------------------------------------------------
def _apply_override(raw: dict, item: str) -> str:
    """``a.b=value``: value parsed as YAML (so ``null``, ``5``, ``[q_proj]`` work). Returns the key."""
    if "=" not in item:
        raise TrainConfigError("an override must look like key=value, e.g. train.max_steps=5",
                               path=f"--set {item}", key=item)
    key, value = item.split("=", 1)
    key = key.strip()
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError as e:
        raise TrainConfigError(f"the value is not valid YAML ({e})", path=f"--set {item}", key=key) from None
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TrainConfigError("cannot override inside a non-mapping", path=f"--set {item}", key=key)
    node[parts[-1]] = parsed
    return key


def read_yaml(path: Path, what: str = "config") -> Any:
    """A YAML file's content; a missing, folder or malformed file is a TrainConfigError naming it."""
    shown = str(path)
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainConfigError(f"{what} file not found", f"Check the --{what} path.", path=shown) from None
    except IsADirectoryError:
        raise TrainConfigError(f"is a folder, not a {what} file", f"Check the --{what} path.", path=shown) from None
    except yaml.YAMLError as e:
        raise TrainConfigError(f"not valid YAML: {e}", path=shown) from None


def load_config(
    path: str | Path, overrides: list[str] | tuple[str, ...] = (), *, check_paths: bool = True
) -> RunConfig:
    """Read, override (``key.sub=value``), validate, and (``check_paths``) check the paths of one run config."""
    path = Path(path)
    shown = str(path)
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise TrainConfigError("expected a mapping at the top level", path=shown)
    origins = {}
    for item in overrides:
        origins[_apply_override(raw, item)] = item
    return _finish(raw, Origin(shown, origins), check=check_paths)


def config_from_dict(raw: dict, path: str = "<dict>", *, check_paths: bool = False) -> RunConfig:
    """Build and validate a RunConfig from a mapping (tests, a run folder's config.yaml)."""
    return _finish(raw, Origin(path), check=check_paths)


def _finish(raw: dict, where: Origin, *, check: bool) -> RunConfig:
    cfg = _build(RunConfig, raw, where=where, prefix="")
    cfg.path = where.path
    validate(cfg, where)
    return check_paths(cfg, where) if check else cfg


def saved_config(run_dir: Path, *, on_error: Callable[[Exception], None] | None = None) -> RunConfig | None:
    """A run folder's config.yaml as a RunConfig (extra keys such as ``backend`` ignored), or None."""
    p = Path(run_dir) / "config.yaml"
    if not p.is_file():
        return None
    raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    known = set(RunConfig.__dataclass_fields__) - {"path"}
    try:
        return config_from_dict({k: v for k, v in raw.items() if k in known}, path=str(p))
    except TrainConfigError as exc:
        if on_error is None:
            raise
        on_error(exc)
        return None


def require_method(cfg: RunConfig, method: str, command: str | None = None) -> None:
    """training.sft takes ``method: sft`` configs, training.dpo ``method: dpo``: say which command fits."""
    if cfg.method != method:
        raise TrainConfigError(
            f"{command or 'training.' + method} takes method: {method} configs (you wrote method: {cfg.method})",
            f"Run it with python -m training.{cfg.method} --config {cfg.path}",
            path=cfg.path,
            key="method",
        )


def all_config_files() -> list[Path]:
    return sorted(CONFIGS_DIR.rglob("*.yaml"))
