"""Checks of a run config beyond its types: values (``validate``) and paths (``check_paths``).

    from training.config_checks import Origin, validate, check_paths
    validate(cfg, Origin("x.yaml", {"train.max_steps": "train.max_steps=5"}))

``Origin`` knows which file or ``--set`` item each dotted key came from, and words every
error "where: key: what is wrong (you wrote X)". ``validate`` touches no files; ``check_paths``
checks that the data file and the base model exist and that the output folder can be made.
training/config.py calls both from ``load_config``. Imports no torch.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from training.errors import TrainConfigError
from training.formats import FORMATS, REGISTRY
from training.masking import TRAIN_ON
from training.paths import CHAT_TEMPLATES, REPO_ROOT, RUNS_DIR, resolve_path

if TYPE_CHECKING:
    from training.config import RunConfig

EMBEDDED_MODELS = ("smollm2",)  # embedded:<key>, see training/base_model.py
METHODS = ("sft", "dpo")
DTYPES = ("auto", "float32", "bfloat16", "float16")
ATTENTIONS = ("auto", "eager", "sdpa", "flash_attention_2")
BACKENDS = ("auto", "unsloth", "hf")
LOCAL_DATA_SUFFIXES = (".json", ".jsonl", ".parquet")
LR_SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup", "cosine_with_min_lr")
DPO_LOSSES = ("sigmoid", "hinge", "ipo", "robust", "sigmoid_norm", "apo_zero", "apo_down")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
RUN_PREFIX = "run:"  # model.name: run:<run folder> = a previous run's adapter (or merged export)


def is_local_source(source: str) -> bool:
    """A data source is local if it looks like a file path; otherwise it is a Hub dataset id."""
    file_like = Path(source).suffix.lower() in LOCAL_DATA_SUFFIXES + (".csv", ".tsv", ".txt", ".arrow", ".gz")
    return source.startswith((".", "/", "~")) or file_like or resolve_path(source).exists()


def run_reference(name: str) -> Path:
    """``run:<folder>`` -> the run folder (a bare name means runs/<name>)."""
    ref = name[len(RUN_PREFIX):].strip()
    path = Path(ref).expanduser()
    if not path.is_absolute() and len(path.parts) == 1:
        return RUNS_DIR / ref
    return resolve_path(ref)


# --- where a value came from, and the error that says so -----------------------------------------------
_UNSET = object()


class Origin:
    """Which file or ``--set`` item a dotted key's value came from."""

    def __init__(self, path: str, overrides: dict[str, str] | None = None):
        self.path, self.overrides = path, overrides or {}

    def __call__(self, key: str) -> str:
        for k, item in self.overrides.items():
            if key == k or key.startswith(k + "."):
                return f"--set {item}"
        return self.path

    def error(self, key: str, message: str, value: Any = _UNSET, hint: str = "") -> TrainConfigError:
        wrote = "" if value is _UNSET else f" (you wrote {value!r})"
        return TrainConfigError(message + wrote, hint, path=self(key), key=key)


# --- values -------------------------------------------------------------------------------------------------
def _choice(where: Origin, key: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise where.error(key, f"must be one of {', '.join(map(str, allowed))}", value)


def validate(cfg: RunConfig, where: Origin | None = None) -> RunConfig:
    """Value checks beyond types (no file system access); raises TrainConfigError naming file and key."""
    where = where or Origin(cfg.path)
    m, d, lo, t = cfg.model, cfg.data, cfg.lora, cfg.train
    if not re.fullmatch(r"[\w.-]+", cfg.run_name):
        raise where.error("run_name", "use letters, digits, '.', '_' and '-' only", cfg.run_name)
    if not cfg.output_dir:
        cfg.output_dir = f"runs/{cfg.run_name}"
    _choice(where, "method", cfg.method, METHODS)
    if m.name.startswith("embedded:"):
        _choice(where, "model.name", m.name.split(":", 1)[1], EMBEDDED_MODELS)
    elif m.name.startswith(RUN_PREFIX):
        if not m.name[len(RUN_PREFIX):].strip():
            raise where.error("model.name", "run: needs a run folder, e.g. run:runs/smollm2-135m-lora-gsm8k", m.name)
    elif not (HUB_ID.match(m.name) or resolve_path(m.name).is_dir()):
        raise where.error(
            "model.name",
            f"is neither embedded:<{'|'.join(EMBEDDED_MODELS)}>, run:<run folder>, a Hub id (owner/name) "
            "nor an existing local model folder",
            m.name,
        )
    _choice(where, "model.chat_template", m.chat_template, CHAT_TEMPLATES)
    _choice(where, "model.dtype", m.dtype, DTYPES)
    _choice(where, "model.attn_implementation", m.attn_implementation, ATTENTIONS)
    if m.max_seq_len < 16:
        raise where.error("model.max_seq_len", "must be at least 16 tokens", m.max_seq_len)
    _choice(where, "data.format", d.format, FORMATS)
    kind = "preference" if cfg.method == "dpo" else "sft"
    if d.format != "auto" and REGISTRY[d.format].kind != kind:
        wanted = [n for n, f in REGISTRY.items() if f.kind == kind]
        raise where.error("data.format", f"method {cfg.method} trains on {' or '.join(['auto'] + wanted)} data",
                          d.format)
    if not is_local_source(d.source) and not HUB_ID.match(d.source):
        raise where.error(
            "data.source", f"is neither a local {'/'.join(LOCAL_DATA_SUFFIXES)} file nor a Hub dataset id", d.source
        )
    if is_local_source(d.source) and not d.source.endswith(LOCAL_DATA_SUFFIXES):
        raise where.error("data.source", f"local data must end in {', '.join(LOCAL_DATA_SUFFIXES)}", d.source)
    _choice(where, "data.train_on", d.train_on, TRAIN_ON)
    if cfg.method == "dpo" and d.train_on != "assistant":
        raise where.error("data.train_on", "DPO scores the replies only; use assistant", d.train_on)
    if d.max_rows is not None and d.max_rows < 1:
        raise where.error("data.max_rows", "must be at least 1 (or null for all rows)", d.max_rows)
    if not 0.0 < d.val_fraction < 0.5:
        raise where.error("data.val_fraction", "must be between 0 and 0.5 (exclusive)", d.val_fraction)
    if lo.r < 1 or lo.alpha < 1:
        key = "lora.r" if lo.r < 1 else "lora.alpha"
        raise where.error(key, "must be at least 1", lo.r if lo.r < 1 else lo.alpha)
    if not 0.0 <= lo.dropout < 1.0:
        raise where.error("lora.dropout", "must be in [0, 1)", lo.dropout)
    if not lo.target_modules:
        raise where.error("lora.target_modules", "name at least one module", lo.target_modules)
    _choice(where, "train.backend", t.backend, BACKENDS)
    _choice(where, "train.lr_scheduler", t.lr_scheduler, LR_SCHEDULERS)
    if (t.max_steps is None) == (t.epochs is None):
        raise where.error("train.max_steps", "set exactly one of train.max_steps and train.epochs",
                          {"max_steps": t.max_steps, "epochs": t.epochs})
    if t.max_steps is not None and t.max_steps < 1:
        raise where.error("train.max_steps", "must be at least 1", t.max_steps)
    if t.epochs is not None and t.epochs <= 0:
        raise where.error("train.epochs", "must be positive", t.epochs)
    if not 0.0 < t.learning_rate < 1.0:
        raise where.error("train.learning_rate", "must be in (0, 1)", t.learning_rate)
    for k in ("per_device_batch_size", "grad_accum", "logging_steps", "eval_steps", "save_steps",
              "save_total_limit"):
        if getattr(t, k) < 1:
            raise where.error(f"train.{k}", "must be at least 1", getattr(t, k))
    if t.warmup_steps < 0:
        raise where.error("train.warmup_steps", "must be 0 or more", t.warmup_steps)
    if t.warmup_ratio is not None:
        if not 0.0 < t.warmup_ratio < 1.0:
            raise where.error("train.warmup_ratio", "must be between 0 and 1 (a fraction of the steps)", t.warmup_ratio)
        if t.warmup_steps:
            raise where.error("train.warmup_steps", "set train.warmup_steps: 0 when train.warmup_ratio is set "
                              "(one way to say how long the warmup is)", t.warmup_steps)
    if m.load_in_4bit and t.backend == "hf":
        raise where.error("model.load_in_4bit", "4-bit loading is wired for the unsloth backend only", True)
    if cfg.method == "dpo":
        from training.config import DPOSection

        cfg.dpo = cfg.dpo or DPOSection()
        if cfg.dpo.beta <= 0:
            raise where.error("dpo.beta", "must be positive", cfg.dpo.beta)
        _choice(where, "dpo.loss_type", cfg.dpo.loss_type, DPO_LOSSES)
        if t.backend == "unsloth":
            raise where.error("train.backend", "training.dpo runs on the hf backend (TRL DPOTrainer)", t.backend)
    elif cfg.dpo is not None:
        raise where.error("dpo", "a dpo: section needs method: dpo", dataclasses.asdict(cfg.dpo))
    return cfg


# --- paths (file system) ------------------------------------------------------------------------------------
def check_paths(cfg: RunConfig, where: Origin | None = None) -> RunConfig:
    """Every path the config names exists (data, base model) or can be created (output_dir).

    Hub ids (datasets and models) are not checked here: that needs the network.
    """
    where = where or Origin(cfg.path)
    root = f"relative paths are read from the repository root, {REPO_ROOT}"
    if cfg.data_is_local:
        p = cfg.data_path
        if p.is_dir():
            raise where.error("data.source", f"{p} is a folder, not a data file", cfg.data.source, root)
        if not p.is_file():
            raise where.error("data.source", f"no such file {p}", cfg.data.source, root)
    name = cfg.model.name
    if name.startswith("embedded:"):
        from training.base_model import embedded_gguf_path

        try:
            embedded_gguf_path(name.split(":", 1)[1])
        except FileNotFoundError as exc:
            raise where.error("model.name", str(exc), name) from None
    elif name.startswith(RUN_PREFIX):
        run = run_reference(name)
        has_adapter = (run / "adapter" / "adapter_config.json").is_file()
        has_merged = (run / "export" / "merged" / "config.json").is_file()
        if not run.is_dir():
            raise where.error("model.name", f"no run folder {run}", name,
                              "train that run first (python -m training.sft --config ...), or fix the path")
        if not (has_adapter or has_merged):
            raise where.error("model.name", f"{run} has no adapter/ nor export/merged/ (is that run complete?)", name)
        if has_adapter and not has_merged and not (run / "config.yaml").is_file():
            raise where.error("model.name", f"{run} has an adapter but no config.yaml naming its base", name)
    elif resolve_path(name).is_dir() and not (resolve_path(name) / "config.json").is_file():
        raise where.error("model.name", f"{resolve_path(name)} is not a Hugging Face model folder (no config.json)",
                          name, root)
    out = cfg.output_path
    if out.exists() and not out.is_dir():
        raise where.error("output_dir", f"{out} exists and is not a folder", cfg.output_dir)
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise where.error("output_dir", f"cannot create {out}: {parent} is not a writable folder", cfg.output_dir)
    return cfg
