"""Run issue 11's experiments in order, record each run's results, pack the adapters for the trip back.

    python -m training.experiments --plan training/experiments.yaml                      # every run, on a GPU
    python -m training.experiments --plan training/experiments.yaml --only lr            # one experiment (or run name)
    python -m training.experiments --plan training/experiments.yaml --pack-to $OUT/adapters
    python -m training.experiments --plan training/experiments.yaml --tiny               # CPU smoke test, minutes

The plan (training/experiments.yaml) names experiments and their run configs; every config
runs once, in the order it first appears, as its own ``python -m training.sft`` (or
``training.dpo``) process, so each run gets a fresh GPU and its own log lines. A run whose
folder already says ``complete`` (summary.json, with its adapter) is skipped; an interrupted
one resumes. A run fails alone: the others go on (a DPO run whose SFT run failed is skipped)
and the exit status is 1. After each run, ``<results>/<run_name>.json`` records its settings,
summary and loss curves (train and validation, per step) for training.plots.

``--pack-to DIR`` writes one small folder per complete run: the final LoRA adapter as bf16
safetensors (``adapter_model.safetensors``, each under 15 MB) with ``adapter_config.json``,
and the run's config.yaml, summary.json, metrics.jsonl and result.json (no tokenizer, no
checkpoints); ``python -m training.unpack --from DIR`` puts them back into run folders here.

``--tiny`` runs every config for 2 steps on a few rows (``--tiny-model``: the embedded
SmolLM2, or a small local model folder as the tests use), on the CPU, into ``runs/_tiny/``
with results in ``runs/_tiny/results``: it checks that the plan, the configs, the data files
and the packing fit together. ``--data-dir`` reads the data files from another folder than
runs/_data (tests). Imports no tutor/ code: the GPU box has only the training packages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from training import cli
from training.config import RUN_PREFIX, RunConfig, load_config, read_yaml, run_reference
from training.errors import TrainConfigError, TrainingError
from training.paths import REPO_ROOT, RUNS_DIR, TRAINING_DIR, resolve_path, shown_path

DEFAULT_PLAN = TRAINING_DIR / "experiments.yaml"
RESULTS_DIR = TRAINING_DIR / "results"
TINY_DIR = RUNS_DIR / "_tiny"
DATA_PREFIX = "runs/_data/"
MAX_ADAPTER_MB = 15.0
PACKED_FILES = ("adapter_config.json", "config.yaml", "summary.json", "metrics.jsonl", "result.json")
TINY_ROWS = {"sft": 24, "dpo": 12}


@dataclass
class Experiment:
    name: str
    question: str
    setting: str
    runs: list[str]  # config paths as written in the plan


@dataclass
class Plan:
    path: Path
    experiments: list[Experiment] = field(default_factory=list)

    def configs(self, only: list[str] | None = None) -> list[str]:
        """Every config once, in the order it first appears (``only``: experiments or run names)."""
        out: list[str] = []
        for exp in self.experiments:
            for config in exp.runs:
                if (
                    only
                    and exp.name not in only
                    and Path(config).stem not in only
                    and _run_name(config) not in only
                ):
                    continue
                if config not in out:
                    out.append(config)
        return out

    def experiments_of(self, config: str) -> list[str]:
        return [e.name for e in self.experiments if config in e.runs]


def _run_name(config: str) -> str:
    try:
        return load_config(resolve_path(config), check_paths=False).run_name
    except TrainingError:
        return ""


def load_plan(path: str | Path) -> Plan:
    """Read and check the plan: every experiment has runs, every run's config loads."""
    path = Path(path)
    shown = str(path)
    raw = read_yaml(path, "plan")
    if not isinstance(raw, dict) or not isinstance(raw.get("experiments"), dict) or not raw["experiments"]:
        raise TrainConfigError(
            "expected a mapping 'experiments:' of experiment names", path=shown, key="experiments"
        )
    plan = Plan(path)
    for name, exp in raw["experiments"].items():
        key = f"experiments.{name}"
        if not isinstance(exp, dict) or not isinstance(exp.get("runs"), list) or not exp["runs"]:
            raise TrainConfigError("needs 'runs:', a list of run config paths", path=shown, key=key)
        unknown = set(exp) - {"question", "setting", "runs"}
        if unknown:
            raise TrainConfigError(
                f"unknown key {sorted(unknown)[0]!r} (allowed: question, setting, runs)", path=shown, key=key
            )
        for i, config in enumerate(exp["runs"]):
            if not isinstance(config, str) or not resolve_path(config).is_file():
                raise TrainConfigError(
                    f"no such config file (you wrote {config!r})", path=shown, key=f"{key}.runs[{i}]"
                )
            load_config(resolve_path(config), check_paths=False)  # its own errors name its file and key
        plan.experiments.append(
            Experiment(
                str(name), str(exp.get("question", "")), str(exp.get("setting", "")), list(exp["runs"])
            )
        )
    return plan


# --------------------------------------------------------------------------- one run's command
@dataclass
class Settings:
    runs_dir: Path = RUNS_DIR
    data_dir: Path | None = None  # replaces runs/_data/ in data.source
    tiny: bool = False
    tiny_model: str = "embedded:smollm2"


def overrides_for(cfg: RunConfig, names: dict[str, str], s: Settings) -> list[str]:
    """--set items that put the run under ``s.runs_dir``, point it at the data and its base run, and (tiny)
    shrink it. ``names``: the plan's run names -> their run folders for this invocation."""
    out = []  # a run in runs/ as its config says needs no --set: its config.yaml stays the config's
    if resolve_path(s.runs_dir / cfg.run_name) != cfg.output_path:
        out.append(f"output_dir={s.runs_dir / cfg.run_name}")
    if s.data_dir is not None and cfg.data.source.startswith(DATA_PREFIX):
        out.append(f"data.source={Path(s.data_dir) / cfg.data.source[len(DATA_PREFIX) :]}")
    if cfg.model.name.startswith(RUN_PREFIX):
        base = run_reference(cfg.model.name)
        if base.name in names and resolve_path(names[base.name]) != base:
            out.append(f"model.name={RUN_PREFIX}{names[base.name]}")
    elif s.tiny:
        out.append(f"model.name={s.tiny_model}")
    if s.tiny:
        out += [
            "train.max_steps=2",
            "train.epochs=null",
            f"data.max_rows={TINY_ROWS[cfg.method]}",
            "data.val_fraction=0.2",
            "train.per_device_batch_size=2",
            "train.per_device_eval_batch_size=2",
            "train.logging_steps=1",
            "train.eval_steps=2",
            "train.save_steps=2",
            "train.save_total_limit=1",
            "train.backend=hf",
            "model.dtype=float32",
            "model.max_seq_len=4096",
        ]  # the tiny test model's small vocabulary makes long token lists
    return out


def run_state(run_dir: Path) -> str | None:
    """``complete`` when summary.json says so and the adapter is there; else its status or None."""
    try:
        status = json.loads((run_dir / "summary.json").read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError):
        return None
    if status == "complete" and not (run_dir / "adapter" / "adapter_config.json").is_file():
        return "incomplete (no adapter)"
    return status


def command(cfg: RunConfig, config: str, sets: list[str], progress_every: float) -> list[str]:
    cmd = [sys.executable, "-m", f"training.{cfg.method}", "--config", config]
    for item in sets:
        cmd += ["--set", item]
    return cmd + ["--progress", "lines", "--progress-every", str(progress_every)]


# --------------------------------------------------------------------------- results
def curves(run_dir: Path) -> dict[str, list[list[float]]]:
    """Loss curves from metrics.jsonl: {"train_loss": [[step, value], ...], "eval_loss": [...], ...}."""
    from training.compare import read_metrics

    points = read_metrics(run_dir / "metrics.jsonl")
    out: dict[str, list[list[float]]] = {}
    for key in (
        "train_loss",
        "eval_loss",
        "learning_rate",
        "rewards/accuracies",
        "rewards/margins",
        "eval_rewards/accuracies",
        "eval_rewards/margins",
    ):
        pts = [[step, vals[key]] for step, vals in sorted(points.items()) if vals.get(key) is not None]
        if pts:
            out[key] = pts
    return out


def write_result(run_dir: Path, config: str, experiments: list[str], results_dir: Path, tiny: bool) -> Path:
    """<results>/<run_name>.json: what the plots and the report read."""
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    settings = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    name = settings.get("run_name") or run_dir.name
    result = {
        "run_name": name,
        "config": config,
        "experiments": experiments,
        "tiny": tiny,
        "settings": settings,
        "summary": summary,
        "curves": curves(run_dir),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    out = results_dir / f"{name}.json"
    out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    return out


def pack(run_dir: Path, result: Path, dest: Path) -> dict:
    """The run's final adapter as bf16 safetensors + its records, into dest/<run_name>/."""
    import torch
    from safetensors.torch import load_file, save_file

    adapter = run_dir / "adapter"
    weights = load_file(adapter / "adapter_model.safetensors")
    small = {
        k: (v.to(torch.bfloat16) if v.is_floating_point() else v).contiguous() for k, v in weights.items()
    }
    out = dest / run_dir.name
    out.mkdir(parents=True, exist_ok=True)
    save_file(small, out / "adapter_model.safetensors", metadata={"format": "pt", "packed_dtype": "bfloat16"})
    size_mb = (out / "adapter_model.safetensors").stat().st_size / 2**20
    if size_mb >= MAX_ADAPTER_MB:
        raise TrainingError(
            f"{out / 'adapter_model.safetensors'} is {size_mb:.1f} MB, over the {MAX_ADAPTER_MB:.0f} MB "
            "a packed adapter may take",
            "Lower lora.r or target fewer modules.",
        )
    sources = {"adapter_config.json": adapter / "adapter_config.json", "result.json": result}
    for name in ("config.yaml", "summary.json", "metrics.jsonl"):
        sources[name] = run_dir / name
    for name, src in sources.items():
        (out / name).write_bytes(src.read_bytes())
    return {"run": run_dir.name, "adapter_mb": round(size_mb, 2), "tensors": len(small)}


def write_manifest(dest: Path, packed: list[dict]) -> None:
    import hashlib

    files = {}
    for p in sorted(dest.rglob("*")):
        if p.is_file() and p.name != "manifest.json":
            files[p.relative_to(dest).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    (dest / "manifest.json").write_text(
        json.dumps(
            {"runs": packed, "sha256": files, "written_at": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=1
        ),
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- the driver
def run_plan(
    plan: Plan,
    *,
    only: list[str] | None,
    s: Settings,
    results_dir: Path,
    pack_to: Path | None,
    progress_every: float = 60.0,
    runner=subprocess.run,
) -> dict[str, str]:
    """Run (or skip) each config in order; -> {run_name: complete | skipped: ... | failed: ...}."""
    configs = plan.configs(only)
    if not configs:
        names = [e.name for e in plan.experiments]
        raise TrainConfigError(
            f"--only {' '.join(only or [])} names no experiment or run (experiments: {', '.join(names)})",
            path=str(plan.path),
            key="experiments",
        )
    loaded = {c: load_config(resolve_path(c), check_paths=False) for c in plan.configs()}
    names = {cfg.run_name: str(s.runs_dir / cfg.run_name) for cfg in loaded.values()}
    outcome: dict[str, str] = {}
    packed: list[dict] = []
    for i, config in enumerate(configs, 1):
        cfg = loaded[config]
        run_dir = Path(s.runs_dir) / cfg.run_name
        print(
            f"[{i}/{len(configs)}] {cfg.run_name} ({config}; experiments: "
            f"{', '.join(plan.experiments_of(config))})",
            flush=True,
        )
        base = run_reference(cfg.model.name).name if cfg.model.name.startswith(RUN_PREFIX) else None
        if base in outcome and outcome[base] != "complete":
            outcome[cfg.run_name] = f"skipped: its base run {base} is not complete"
            print(f"  {outcome[cfg.run_name]}", flush=True)
            continue
        if run_state(run_dir) == "complete":
            print(f"  complete already ({shown_path(run_dir)}): skipped", flush=True)
        else:
            cmd = command(cfg, config, overrides_for(cfg, names, s), progress_every)
            print("  $ " + " ".join(cmd[1:]), flush=True)
            t0 = time.time()
            proc = runner(cmd, cwd=REPO_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            state = run_state(run_dir)
            if proc.returncode != 0 or state != "complete":
                outcome[cfg.run_name] = f"failed: exit {proc.returncode}, state {state}"
                print(f"  {outcome[cfg.run_name]} after {time.time() - t0:.0f} s", flush=True)
                continue
            print(f"  complete in {time.time() - t0:.0f} s", flush=True)
        outcome[cfg.run_name] = "complete"
        result = write_result(run_dir, config, plan.experiments_of(config), results_dir, s.tiny)
        print(f"  wrote {shown_path(result)}", flush=True)
        if pack_to is not None:
            info = pack(run_dir, result, pack_to)
            packed.append(info)
            print(
                f"  packed {shown_path(pack_to / cfg.run_name)} (adapter {info['adapter_mb']} MB bf16)",
                flush=True,
            )
    if pack_to is not None and packed:
        write_manifest(pack_to, packed)
    return outcome


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    ap.add_argument(
        "--plan",
        type=Path,
        default=DEFAULT_PLAN,
        help="experiments plan YAML (default training/experiments.yaml)",
    )
    ap.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these experiments (or run names / config stems)"
    )
    ap.add_argument(
        "--tiny", action="store_true", help="2 steps of every run on a few rows, on the CPU (a smoke test)"
    )
    ap.add_argument(
        "--tiny-model",
        default="embedded:smollm2",
        help="with --tiny: the base model of the SFT runs (default embedded:smollm2; tests: a tiny local folder)",
    )
    ap.add_argument(
        "--runs-dir",
        type=Path,
        default=None,
        help="where the run folders go (default runs/, --tiny: runs/_tiny)",
    )
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="read the data files from here instead of runs/_data/"
    )
    ap.add_argument(
        "--results",
        type=Path,
        default=None,
        help="where <run_name>.json goes (default training/results; --tiny: <runs-dir>/results)",
    )
    ap.add_argument(
        "--pack-to", type=Path, default=None, help="also pack each complete run's adapter (bf16) here"
    )
    ap.add_argument(
        "--progress-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds between the training commands' progress lines (default 60)",
    )
    args = ap.parse_args(argv)
    plan = load_plan(args.plan)
    runs_dir = resolve_path(args.runs_dir or (TINY_DIR if args.tiny else RUNS_DIR))
    results = (
        resolve_path(args.results) if args.results else (runs_dir / "results" if args.tiny else RESULTS_DIR)
    )
    s = Settings(
        runs_dir=runs_dir,
        data_dir=resolve_path(args.data_dir) if args.data_dir else None,
        tiny=args.tiny,
        tiny_model=args.tiny_model,
    )
    t0 = time.time()
    outcome = run_plan(
        plan,
        only=args.only,
        s=s,
        results_dir=results,
        pack_to=resolve_path(args.pack_to) if args.pack_to else None,
        progress_every=args.progress_every,
    )
    print(f"\n{len(outcome)} runs in {time.time() - t0:.0f} s:")
    for name, state in outcome.items():
        print(f"  {name:<32} {state}")
    return 0 if all(v == "complete" for v in outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
