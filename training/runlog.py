"""Run logging: every training run leaves the same record, on disk and in one SQLite table.

    from training.runlog import RunLog, make_callback, git_commit
    log = RunLog(Path("runs/my-run"), Path("runs/runs.db"))
    log.start(cfg.to_dict(), git_commit=git_commit(), dataset_fingerprint=fp, data_report=report)
    trainer.add_callback(make_callback(log))     # every on_log / on_evaluate -> log.log(step, ...)
    log.finish(wall_time_s=..., tokens_per_s=..., peak_memory_mb=..., val_loss=..., backend="hf")

In the run folder:
    config.yaml      the resolved config
    metrics.jsonl    one JSON object per log call: step, kind (train|eval), time_s, metrics
    summary.json     git commit (+ dirty flag), dataset and validation-set fingerprints, data report,
                     status, final metrics
In ``runs.db`` (sqlite-utils):
    runs             one row per run folder (pk run_dir): run_name, started, finished, status,
                     config_json, git_commit, dataset_fingerprint, final metrics as columns
    metrics          one row per (run_dir, step, kind): the logged values as columns

Status: ``running`` while a session trains, then ``complete``, ``interrupted`` (Ctrl-C or
SIGTERM; resumable) or ``failed`` (an error; ``error`` says which).
A resumed run (same run folder) continues its row: status goes back to ``running``,
``resumes`` counts up, ``started`` is kept; metrics re-logged for a step overwrite that
step's row (metrics.jsonl is append-only: readers keep the last line per step and kind).
Only the main process writes (RANK / LOCAL_RANK / torch.distributed rank 0); on the
others every method is a no-op.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from training.paths import REPO_ROOT


STATUSES = ("running", "complete", "interrupted", "failed")

# Trainer log keys -> our names (the Trainer says "loss" for the running train loss).
_RENAMES = {"loss": "train_loss"}


def _is_train_end(logs: dict) -> bool:
    """The Trainer's end-of-training line is a summary, not a point on the curve.

    It carries ``total_flos`` and ``train_loss`` (the mean) instead of ``loss``. Not
    ``train_runtime``: transformers 5.x puts that on every step's line when it counts tokens.
    """
    return "total_flos" in logs or ("train_loss" in logs and "loss" not in logs)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_main_process() -> bool:
    """True on the process that writes logs: rank 0 of torch.distributed/accelerate, or no ranks at all."""
    for var in ("RANK", "LOCAL_RANK"):
        value = os.environ.get(var, "").strip()
        if value and value != "0":
            return False
    dist = sys.modules.get("torch.distributed")  # never import torch just to ask
    if dist is not None:
        try:
            if dist.is_available() and dist.is_initialized() and dist.get_rank() != 0:
                return False
        except Exception:  # pragma: no cover - a half-initialised process group
            pass
    return True


def git_commit(repo: Path = REPO_ROOT) -> str | None:
    """The commit the code runs from (None outside a git checkout or without git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def git_dirty(repo: Path = REPO_ROOT) -> bool | None:
    """True when tracked files have uncommitted changes (the commit alone does not describe the code)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def _scalar(value: Any) -> Any:
    """Plain JSON/SQLite value: tensors and numpy numbers become floats/ints; NaN/inf become None."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, RuntimeError):
            return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def _flat_scalars(d: dict) -> dict:
    """Top-level scalar entries of ``d`` (nested values are kept in the JSON files only)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, (dict, list, tuple)):
            continue
        out[k] = _scalar(v)
    return out


class RunLog:
    """The record of one run folder. See the module docstring."""

    def __init__(self, run_dir: Path, runs_db: Path, *, perplexity: bool = True):
        self.perplexity = perplexity  # exp(loss) means something for SFT's token loss, not for DPO's
        self.run_dir = Path(run_dir).resolve()
        self.runs_db = Path(runs_db)
        self.enabled = is_main_process()
        self.run_name = self.run_dir.name
        self._t0 = time.monotonic()
        self._summary: dict[str, Any] = {}
        self._last: dict[str, Any] = {}  # latest value of every metric, for the summary
        self._notes: dict[str, Any] = {}  # note(): extra summary values

    # --- files ---------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.run_dir / "config.yaml"

    @property
    def metrics_path(self) -> Path:
        return self.run_dir / "metrics.jsonl"

    @property
    def summary_path(self) -> Path:
        return self.run_dir / "summary.json"

    def _db(self):
        import sqlite_utils

        self.runs_db.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(self.runs_db)
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    def _write_summary(self) -> None:
        tmp = self.summary_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self._summary, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, self.summary_path)

    # --- API -----------------------------------------------------------------
    def start(
        self,
        config: dict,
        *,
        git_commit: str | None,
        dataset_fingerprint: str,
        data_report: dict,
        val_fingerprint: str | None = None,
        data_source: dict | None = None,
    ) -> None:
        """Write config.yaml and the ``running`` row; a second start on the same folder is a resume."""
        if not self.enabled:
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_name = str(config.get("run_name") or self.run_dir.name)
        self.config_path.write_text(
            yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        self._t0 = time.monotonic()
        now = _now()
        previous = {}
        if self.summary_path.is_file():
            try:
                previous = json.loads(self.summary_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = {}
        resumes = int(previous.get("resumes", -1)) + 1 if previous else 0
        self._summary = {
            "run_name": self.run_name,
            "run_dir": str(self.run_dir),
            "status": "running",
            "started": previous.get("started", now),
            "last_started": now,
            "resumes": resumes,
            "finished": None,
            "git_commit": git_commit,
            "git_dirty": git_dirty(),
            "dataset_fingerprint": dataset_fingerprint,
            "val_fingerprint": val_fingerprint,
            "data_source": data_source,
            "data_report": data_report,
        }
        self._write_summary()
        db = self._db()
        row = {
            "run_dir": str(self.run_dir),
            "run_name": self.run_name,
            "started": self._summary["started"],
            "last_started": now,
            "finished": None,
            "status": "running",
            "resumes": resumes,
            "config_json": json.dumps(config, sort_keys=True, default=str),
            "git_commit": git_commit,
            "git_dirty": self._summary["git_dirty"],
            "dataset_fingerprint": dataset_fingerprint,
            "val_fingerprint": val_fingerprint,
            "error": None,
            "data_report_json": json.dumps(data_report, sort_keys=True, default=str),
        }
        db["runs"].upsert(row, pk="run_dir", alter=True)
        db["runs"].create_index(["run_name"], if_not_exists=True)

    def log(self, step: int, **metrics) -> None:
        """One point of the curves: ``train_loss``, ``eval_loss`` (adds ``eval_ppl``), ``learning_rate``..."""
        if not self.enabled:
            return
        values = {_RENAMES.get(k, k): _scalar(v) for k, v in metrics.items()}
        if self.perplexity and values.get("eval_loss") is not None and "eval_ppl" not in values:
            values["eval_ppl"] = _scalar(math.exp(min(values["eval_loss"], 50.0)))
        kind = "eval" if any(k.startswith("eval_") for k in values) else "train"
        record = {"step": int(step), "kind": kind, "time_s": round(time.monotonic() - self._t0, 3), **values}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with self.metrics_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, default=str) + "\n")
        self._last.update({k: v for k, v in values.items() if v is not None})
        self._db()["metrics"].upsert(
            {"run_dir": str(self.run_dir), "run_name": self.run_name, **record},
            pk=("run_dir", "step", "kind"),
            alter=True,
        )

    def note(self, **values) -> None:
        """Extra summary values (e.g. the Trainer's train_runtime) written into summary.json at finish."""
        if self.enabled:
            self._notes.update({k: _scalar(v) for k, v in values.items()})

    def finish(self, **summary) -> None:
        """Final numbers (wall_time_s, tokens_per_s, peak_memory_mb, val_loss, val_ppl, backend...).

        ``status`` defaults to ``complete``; pass ``status="failed", error=...`` from an except block,
        ``status="interrupted"`` after Ctrl-C.
        """
        if not self.enabled:
            return
        if not self._summary and self.summary_path.is_file():
            self._summary = json.loads(self.summary_path.read_text(encoding="utf-8"))
        status = summary.pop("status", "complete")
        if status not in STATUSES[1:]:
            raise ValueError(f"status {status!r} is not one of {STATUSES[1:]}")
        summary = {**self._notes, **summary}
        values = {k: _scalar(v) if not isinstance(v, (dict, list)) else v for k, v in summary.items()}
        if self.perplexity and values.get("val_loss") is not None and "val_ppl" not in values:
            values["val_ppl"] = _scalar(math.exp(min(values["val_loss"], 50.0)))
        for key in ("train_loss", "eval_loss"):  # the last point of each curve
            if f"final_{key}" not in values and key in self._last:
                values[f"final_{key}"] = self._last[key]
        self._summary.update(values)
        self._summary.update(status=status, finished=_now())
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._write_summary()
        row = {
            "run_dir": str(self.run_dir),
            "run_name": self._summary.get("run_name", self.run_name),
            "status": status,
            "finished": self._summary["finished"],
            **_flat_scalars(values),
        }
        nested = {k: v for k, v in values.items() if isinstance(v, (dict, list))}
        if nested:
            row["summary_json"] = json.dumps(nested, sort_keys=True, default=str)
        self._db()["runs"].upsert(row, pk="run_dir", alter=True)


def make_callback(runlog: RunLog):
    """A transformers ``TrainerCallback`` that sends every log and evaluation to ``runlog.log``."""
    from transformers import TrainerCallback

    class RunLogCallback(TrainerCallback):
        def __init__(self):
            self._eval_steps_logged: set[int] = set()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not logs or not state.is_world_process_zero:
                return
            logs = dict(logs)
            if _is_train_end(logs):
                if "train_loss" in logs:
                    logs["train_loss_mean"] = logs.pop("train_loss")
                runlog.note(**logs)
                return
            if any(k.startswith("eval_") for k in logs):
                self._eval_steps_logged.add(state.global_step)
            runlog.log(state.global_step, **logs)

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            # The Trainer also sends evaluation metrics through on_log; log here only if it did not.
            if not metrics or not state.is_world_process_zero or state.global_step in self._eval_steps_logged:
                return
            self._eval_steps_logged.add(state.global_step)
            runlog.log(state.global_step, **metrics)

    return RunLogCallback()
