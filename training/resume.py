"""Where a rerun of a run folder starts: fresh, resumed from its latest checkpoint, or continued.

    plan = plan_run(cfg, run_dir, "training.sft")     # Plan(resume=..., continued_from=..., complete=...)

A rerun whose recipe differs from the folder's config.yaml is refused (RunStateError), except a
larger ``train.max_steps`` (or ``train.epochs``): that continues the run from its latest
checkpoint, complete or not. A complete run rerun as is has nothing to train (``complete``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from training.config import RunConfig
from training.errors import RunStateError
from training.paths import shown_path

LENGTH_KEYS = ("train.max_steps", "train.epochs")  # may grow between sessions: the run continues


def checkpoint_step(path: Path) -> int:
    return int(path.name.split("-")[1])


def latest_checkpoint(ckpt_dir: Path) -> Path | None:
    steps = [
        (checkpoint_step(p), p)
        for p in Path(ckpt_dir).glob("checkpoint-*")
        if p.name.split("-")[1].isdigit() and (p / "trainer_state.json").is_file()
    ]
    return max(steps)[1] if steps else None


def recipe_changes(cfg: RunConfig, saved: dict) -> list[str]:
    """Dotted keys whose value differs between ``cfg`` and a run folder's saved config.yaml."""
    now = cfg.to_dict()
    changed = [
        f"{sec}.{k}"
        for sec in ("model", "data", "lora", "train", "dpo")
        for k in (now.get(sec) or {})
        if (saved.get(sec) or {}).get(k, now[sec][k]) != now[sec][k]
    ]
    changed += [k for k in ("seed", "method") if saved.get(k, now[k]) != now[k]]
    return changed


@dataclass
class Plan:
    resume: Path | None = None  # checkpoint to resume from
    continued_from: int | None = None  # a complete run's last step, when max_steps was raised
    complete: bool = False  # nothing to train: the run is complete at this length
    message: str = ""


def plan_run(cfg: RunConfig, run_dir: Path, command: str) -> Plan:
    latest = latest_checkpoint(run_dir / "checkpoints")
    saved_path = run_dir / "config.yaml"
    if latest is None or not saved_path.is_file():
        return Plan()
    saved = yaml.safe_load(saved_path.read_text(encoding="utf-8")) or {}
    changed = recipe_changes(cfg, saved)
    other = [k for k in changed if k not in LENGTH_KEYS]
    fix = "Re-run with --fresh to start over, or give the run another run_name."
    if other:
        raise RunStateError(
            f"{shown_path(run_dir)} has checkpoints of another recipe ({', '.join(other)} changed)", fix
        )
    step = checkpoint_step(latest)
    try:
        status = json.loads((run_dir / "summary.json").read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError):
        status = None
    if changed:
        if cfg.train.max_steps is not None and cfg.train.max_steps <= step:
            raise RunStateError(
                f"{shown_path(run_dir)} is already at step {step}; train.max_steps={cfg.train.max_steps} "
                "would not train anything",
                f"Raise train.max_steps above {step} to continue the run, or use --fresh to start over.",
            )
        grown = "train.max_steps" if "train.max_steps" in changed else "train.epochs"
        return Plan(
            resume=latest,
            continued_from=step if status == "complete" else None,
            message=f"continuing {shown_path(run_dir)} from step {step} ({grown} raised; the learning-rate "
            "schedule is recomputed for the new length)",
        )
    if status == "complete":
        longer = (cfg.train.max_steps or step) * 2
        return Plan(
            complete=True,
            message=f"{shown_path(run_dir)} is already complete ({step} steps; summary.json). To train it "
            f"further, raise the length: python -m {command} --config {cfg.path} --set train.max_steps={longer}; "
            "to start over add --fresh.",
        )
    return Plan(resume=latest, message=f"resuming from {latest}")
