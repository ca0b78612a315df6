"""Training run configs: flat YAML mirroring TRL's dataclasses (alignment-handbook style).

One YAML file describes one run; ``load_config(path)`` reads it into ``RunConfig`` and
checks every key. Unknown keys, missing required keys, wrong types and bad values raise
``TrainConfigError`` naming the file and the dotted key (``data.val_fraction``).

    from training.config import load_config
    cfg = load_config("training/configs/smollm2/135m_lora_gsm8k.yaml",
                      overrides=["train.max_steps=5", "output_dir=/tmp/x"])

Relative paths (``data.source``, ``output_dir``, a local ``model.name``) are resolved
against the repository root, so a run does not depend on the current directory.
This module imports no torch: the app and the config tests stay light.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml

from tutor.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIGS_DIR = Path(__file__).resolve().parent / "configs"
CHAT_TEMPLATES_DIR = Path(__file__).resolve().parent / "chat_templates"

EMBEDDED_MODELS = ("smollm2",)  # embedded:<key>, see training/base_model.py
CHAT_TEMPLATES = ("chatml", "llama3", "phi3")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DATA_FORMATS = ("auto", "sharegpt", "alpaca", "gsm8k", "messages")
BACKENDS = ("auto", "unsloth", "hf")
LOCAL_DATA_SUFFIXES = (".json", ".jsonl", ".parquet")
LR_SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup", "cosine_with_min_lr")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class TrainConfigError(ConfigError):
    """A training config file is malformed; ``path`` and ``key`` say where."""


@dataclass
class ModelConfig:
    name: str  # embedded:smollm2 | Hub id | local HF dir
    chat_template: str = "chatml"  # chatml | llama3 | phi3
    max_seq_len: int = 512
    dtype: str = "auto"  # auto: bfloat16 on a GPU that supports it, else float32
    load_in_4bit: bool = False  # unsloth backend only (QLoRA, needs bitsandbytes)


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


@dataclass
class RunConfig:
    run_name: str
    model: ModelConfig
    data: DataConfig
    output_dir: str
    seed: int = 42
    lora: LoraConfig = field(default_factory=LoraConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    path: str = ""  # the file it came from (not a YAML key)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("path")
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


def resolve_path(p: str) -> Path:
    """A path from a config: absolute as is, relative against the repository root."""
    path = Path(p).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def is_local_source(source: str) -> bool:
    """A data source is local if it looks like a file path; otherwise it is a Hub dataset id."""
    file_like = Path(source).suffix.lower() in LOCAL_DATA_SUFFIXES + (".csv", ".tsv", ".txt", ".arrow", ".gz")
    return source.startswith((".", "/", "~")) or file_like or resolve_path(source).exists()


# --- loading ----------------------------------------------------------------
_SECTIONS = {"model": ModelConfig, "data": DataConfig, "lora": LoraConfig, "train": TrainConfig}


def _check_type(value: Any, hint: Any, *, path: str, key: str) -> Any:
    """Check ``value`` against a simple annotation (str/int/float/bool, X | None, list[str])."""
    origin, args = get_origin(hint), get_args(hint)
    if args and type(None) in args:  # Optional
        if value is None:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        origin, args = get_origin(hint), get_args(hint)
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, args[0]) for v in value):
            raise TrainConfigError(
                f"expected a list of {args[0].__name__}, got {value!r}", path=path, key=key
            )
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise TrainConfigError(f"expected true or false, got {value!r}", path=path, key=key)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TrainConfigError(f"expected an integer, got {value!r}", path=path, key=key)
        return value
    if hint is float:
        if isinstance(value, str):  # YAML reads 2e-4 (no dot) as a string
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TrainConfigError(f"expected a number, got {value!r}", path=path, key=key)
        return float(value)
    if hint is str and not isinstance(value, str):
        raise TrainConfigError(f"expected a string, got {value!r}", path=path, key=key)
    return value


def _build(cls: type, raw: Any, *, path: str, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise TrainConfigError(
            f"expected a mapping, got {type(raw).__name__}", path=path, key=prefix or "(top)"
        )
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)} - {"path"}
    for k in raw:
        if k not in known:
            raise TrainConfigError(
                f"unknown key (allowed: {', '.join(sorted(known))})", path=path, key=f"{prefix}{k}"
            )
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name == "path":
            continue
        key = f"{prefix}{f.name}"
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise TrainConfigError("missing required key", path=path, key=key)
            continue
        if f.name in _SECTIONS and prefix == "":
            kwargs[f.name] = _build(_SECTIONS[f.name], raw[f.name], path=path, prefix=f"{f.name}.")
        else:
            kwargs[f.name] = _check_type(raw[f.name], hints[f.name], path=path, key=key)
    return cls(**kwargs)


def _choice(value: Any, allowed: tuple, *, path: str, key: str) -> None:
    if value not in allowed:
        raise TrainConfigError(f"{value!r} is not one of {', '.join(map(str, allowed))}", path=path, key=key)


def validate(cfg: RunConfig) -> RunConfig:
    """Value checks beyond types; raises TrainConfigError naming file and key."""
    p = cfg.path
    m, d, lo, t = cfg.model, cfg.data, cfg.lora, cfg.train
    if not re.fullmatch(r"[\w.-]+", cfg.run_name):
        raise TrainConfigError("use letters, digits, '.', '_' and '-' only", path=p, key="run_name")
    if m.name.startswith("embedded:"):
        _choice(m.name.split(":", 1)[1], EMBEDDED_MODELS, path=p, key="model.name")
    elif not (HUB_ID.match(m.name) or resolve_path(m.name).is_dir()):
        raise TrainConfigError(
            f"{m.name!r} is neither embedded:<{'|'.join(EMBEDDED_MODELS)}>, a Hub id (owner/name) "
            "nor an existing local model folder",
            path=p,
            key="model.name",
        )
    _choice(m.chat_template, CHAT_TEMPLATES, path=p, key="model.chat_template")
    _choice(m.dtype, DTYPES, path=p, key="model.dtype")
    if m.max_seq_len < 16:
        raise TrainConfigError("must be at least 16 tokens", path=p, key="model.max_seq_len")
    _choice(d.format, DATA_FORMATS, path=p, key="data.format")
    if not is_local_source(d.source) and not HUB_ID.match(d.source):
        raise TrainConfigError(
            f"{d.source!r} is neither a local {'/'.join(LOCAL_DATA_SUFFIXES)} file nor a Hub dataset id",
            path=p,
            key="data.source",
        )
    if is_local_source(d.source) and not d.source.endswith(LOCAL_DATA_SUFFIXES):
        raise TrainConfigError(
            f"local data must end in {', '.join(LOCAL_DATA_SUFFIXES)}", path=p, key="data.source"
        )
    if d.max_rows is not None and d.max_rows < 1:
        raise TrainConfigError("must be at least 1 (or null for all rows)", path=p, key="data.max_rows")
    if not 0.0 < d.val_fraction < 0.5:
        raise TrainConfigError("must be between 0 and 0.5 (exclusive)", path=p, key="data.val_fraction")
    if lo.r < 1 or lo.alpha < 1:
        raise TrainConfigError("must be at least 1", path=p, key="lora.r" if lo.r < 1 else "lora.alpha")
    if not 0.0 <= lo.dropout < 1.0:
        raise TrainConfigError("must be in [0, 1)", path=p, key="lora.dropout")
    if not lo.target_modules:
        raise TrainConfigError("name at least one module", path=p, key="lora.target_modules")
    _choice(t.backend, BACKENDS, path=p, key="train.backend")
    _choice(t.lr_scheduler, LR_SCHEDULERS, path=p, key="train.lr_scheduler")
    if (t.max_steps is None) == (t.epochs is None):
        raise TrainConfigError(
            "set exactly one of train.max_steps and train.epochs", path=p, key="train.max_steps"
        )
    if t.max_steps is not None and t.max_steps < 1:
        raise TrainConfigError("must be at least 1", path=p, key="train.max_steps")
    if t.epochs is not None and t.epochs <= 0:
        raise TrainConfigError("must be positive", path=p, key="train.epochs")
    if not 0.0 < t.learning_rate < 1.0:
        raise TrainConfigError("must be in (0, 1)", path=p, key="train.learning_rate")
    for k in (
        "per_device_batch_size",
        "grad_accum",
        "logging_steps",
        "eval_steps",
        "save_steps",
        "save_total_limit",
    ):
        if getattr(t, k) < 1:
            raise TrainConfigError("must be at least 1", path=p, key=f"train.{k}")
    if t.warmup_steps < 0:
        raise TrainConfigError("must be 0 or more", path=p, key="train.warmup_steps")
    if m.load_in_4bit and t.backend == "hf":
        raise TrainConfigError(
            "4-bit loading is wired for the unsloth backend only", path=p, key="model.load_in_4bit"
        )
    return cfg


def _apply_override(raw: dict, item: str, path: str) -> None:
    """``a.b=value``: value parsed as YAML (so ``null``, ``5``, ``[q_proj]`` work)."""
    if "=" not in item:
        raise TrainConfigError(f"override {item!r} must look like key=value", path=path, key=item)
    key, value = item.split("=", 1)
    node = raw
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TrainConfigError("cannot override inside a non-mapping", path=path, key=key)
    node[parts[-1]] = yaml.safe_load(value)


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Read, override (``key.sub=value``) and validate one run config."""
    path = Path(path)
    shown = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainConfigError("config file not found", hint="Check the --config path.", path=shown) from None
    except yaml.YAMLError as e:
        raise TrainConfigError(f"not valid YAML: {e}", path=shown) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise TrainConfigError("expected a mapping at the top level", path=shown)
    for item in overrides:
        _apply_override(raw, item, shown)
    cfg = _build(RunConfig, raw, path=shown, prefix="")
    cfg.path = shown
    return validate(cfg)


def config_from_dict(raw: dict, path: str = "<dict>") -> RunConfig:
    """Build and validate a RunConfig from a mapping (tests, resolved config.yaml)."""
    cfg = _build(RunConfig, raw, path=path, prefix="")
    cfg.path = path
    return validate(cfg)


def all_config_files() -> list[Path]:
    return sorted(CONFIGS_DIR.rglob("*.yaml"))
