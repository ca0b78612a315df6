"""Put runs side by side: the settings that differ, the final metrics, and the loss curves.

    python -m training.compare runs/lr-2e-4 runs/lr-5e-5 --out compare.png
    python -m training.compare lr-2e-4 lr-5e-5          # run names are looked up in runs/runs.db

Prints a table of the settings that differ between the runs (configs flattened to dotted
keys; run_name and output_dir are ignored, seed counts; the content of the data file counts
as ``data.source (content)``) plus the final metrics, and writes train and validation loss
curves to a PNG. Each difference is counted once: the dataset and validation-set
fingerprints are results of the settings, shown below them but not counted when a setting
that decides the data (data.*, seed, model.name, model.chat_template, model.max_seq_len)
differs. When the runs differ in more than one setting it says so plainly: a difference in
the results cannot then be attributed to any one of them (the seed project changed learning
rate and data size together and could conclude nothing). When the runs were validated on
different validation sets it says that their validation losses measure different data.
Exit status: 0, or 3 with --strict when the runs differ in more than one setting.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from training import cli
from training.errors import TrainingError
from training.paths import RUNS_DIR

DEFAULT_DB = RUNS_DIR / "runs.db"
IGNORED_KEYS = {"run_name", "output_dir"}  # differ by construction; seed is NOT ignored
# settings that decide which rows are trained on and validated against
DATA_DECIDING = ("data.", "seed", "model.name", "model.chat_template", "model.max_seq_len")
SOURCE_KEY = "data.source (content)"
DATA_FP, VAL_FP = "data (fingerprint)", "validation set (fingerprint)"
FINAL_METRICS = (
    "final_train_loss",
    "val_loss",
    "val_ppl",
    "wall_time_s",
    "tokens_per_s",
    "peak_memory_mb",
    "backend",
)


class Run:
    """A run folder read back: config, summary and metric curves."""

    def __init__(self, run_dir: Path):
        self.dir = Path(run_dir)
        self.config = _read_yaml(self.dir / "config.yaml")
        self.summary = _read_json(self.dir / "summary.json")
        self.name = str(self.summary.get("run_name") or self.config.get("run_name") or self.dir.name)
        self.points = read_metrics(self.dir / "metrics.jsonl")

    def curve(self, key: str) -> tuple[list[int], list[float]]:
        pts = sorted((step, vals[key]) for step, vals in self.points.items() if vals.get(key) is not None)
        return [s for s, _ in pts], [v for _, v in pts]

    def final(self, key: str) -> Any:
        if key in self.summary:
            return self.summary[key]
        base = key.removeprefix("final_")
        _, values = self.curve(base)
        return values[-1] if values else None


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read_metrics(path: Path) -> dict[int, dict[str, Any]]:
    """metrics.jsonl -> {step: {metric: value}}; a resumed run's re-logged steps keep the last value."""
    points: dict[int, dict[str, Any]] = {}
    if not path.is_file():
        return points
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        if not isinstance(rec, dict) or "step" not in rec:
            continue
        vals = points.setdefault(int(rec["step"]), {})
        vals.update({k: v for k, v in rec.items() if k not in ("step", "kind", "time_s")})
    return points


def flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    """{"train": {"learning_rate": 2e-4}} -> {"train.learning_rate": 2e-4}; lists stay values."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def settings(run: Run) -> dict[str, Any]:
    """The settings that define a run: its flattened config, plus the data file's content when recorded."""
    flat = {k: v for k, v in flatten(run.config).items() if k.split(".")[-1] not in IGNORED_KEYS}
    source = run.summary.get("data_source")
    if isinstance(source, dict) and source.get("sha256"):
        flat[SOURCE_KEY] = source["sha256"]
    return flat


def derived(run: Run) -> dict[str, Any]:
    """What the settings produced: the data and validation-set fingerprints."""
    return {DATA_FP: run.summary.get("dataset_fingerprint"), VAL_FP: run.summary.get("val_fingerprint")}


def _differing(values_per_run: list[dict]) -> dict[str, list[Any]]:
    keys = sorted(set().union(*values_per_run))
    diff = {}
    for k in keys:
        values = [s.get(k) for s in values_per_run]
        first = json.dumps(values[0], sort_keys=True, default=str)
        if any(json.dumps(v, sort_keys=True, default=str) != first for v in values[1:]):
            diff[k] = values
    return diff


def differing_settings(runs: list[Run]) -> dict[str, list[Any]]:
    """Settings whose value is not the same in every run -> the value in each run (missing = None).

    Each difference counts once. The data fingerprint joins them only when nothing recorded
    explains it (an old run without the data file's hash, data edited in place).
    """
    diff = _differing([settings(r) for r in runs])
    fp = _differing([derived(r) for r in runs]).get(DATA_FP)
    if fp and not any(k.startswith(DATA_DECIDING) for k in diff) and None not in fp:
        diff[DATA_FP] = fp
    return diff


def derived_differences(runs: list[Run], diff: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Fingerprints that differ as a consequence of the settings in ``diff`` (shown, not counted)."""
    return {k: v for k, v in _differing([derived(r) for r in runs]).items() if k not in diff}


def validation_note(runs: list[Run]) -> str | None:
    """Say so when the runs' validation losses were measured on different validation sets."""
    if len(runs) < 2:
        return None
    vals = [r.summary.get("val_fingerprint") for r in runs]
    if None in vals:  # older runs: the data fingerprint covers train + val
        vals = [r.summary.get("dataset_fingerprint") for r in runs]
        if None in vals:
            return None
    if len(set(vals)) == 1:
        return None
    return (
        "note: the runs were validated on different validation sets "
        f"({', '.join(str(v)[:12] for v in vals)}): val_loss and val_ppl measure different data, "
        "so their difference is not only the model's"
    )


def attribution_warning(diff: dict[str, list[Any]]) -> str | None:
    """The plain-words warning when more than one setting changed, else None."""
    if len(diff) <= 1:
        return None
    return (
        f"WARNING: these runs differ in {len(diff)} settings ({', '.join(diff)}): "
        "the comparison cannot attribute a difference to either. "
        "Change one setting at a time."
    )


def resolve_run(arg: str, db_path: Path) -> Path:
    """A run folder, or a run name looked up in the runs table (then runs/<name>)."""
    path = Path(arg)
    if path.is_dir():
        return path
    if db_path.is_file():
        import sqlite_utils

        db = sqlite_utils.Database(db_path)
        if "runs" in db.table_names():
            rows = list(db.query("select run_dir from runs where run_name = ? order by started desc", [arg]))
            if rows:
                return Path(rows[0]["run_dir"])
    for candidate in (RUNS_DIR / arg, db_path.parent / arg):
        if candidate.is_dir():
            return candidate
    raise TrainingError(f"no run folder or run named {arg!r} (looked in {db_path} and runs/)")


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def table(runs: list[Run], diff: dict[str, list[Any]], follows: dict[str, list[Any]] | None = None) -> str:
    """A text table: the differing settings, what follows from them, the final metrics; one column per run."""
    rows = [("setting", [r.name for r in runs])]
    rows += [(k, [_fmt(v) for v in vals]) for k, vals in diff.items()] or [
        ("(no setting differs)", [""] * len(runs))
    ]
    rows += [(f"{k}, follows", [_fmt(v)[:12] for v in vals]) for k, vals in (follows or {}).items()]
    rows.append(("--", ["--"] * len(runs)))
    rows += [(m, [_fmt(r.final(m)) for r in runs]) for m in FINAL_METRICS]
    w0 = max(len(k) for k, _ in rows)
    widths = [max(len(vals[i]) for _, vals in rows) for i in range(len(runs))]
    lines = []
    for k, vals in rows:
        if k == "--":
            lines.append("-" * w0 + "  " + "  ".join("-" * w for w in widths))
        else:
            lines.append(k.ljust(w0) + "  " + "  ".join(v.ljust(w) for v, w in zip(vals, widths)))
    return "\n".join(lines)


def plot(runs: list[Run], out: Path, title: str) -> Path:
    """Train and validation loss against step, one colour per run, to a PNG (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=False)
    for i, run in enumerate(runs):
        color = f"C{i % 10}"
        for ax, key, style in ((axes[0], "train_loss", "-"), (axes[1], "eval_loss", "o-")):
            steps, values = run.curve(key)
            if steps:
                ax.plot(steps, values, style, color=color, label=run.name, markersize=3)
    for ax, name in zip(axes, ("train loss", "validation loss")):
        ax.set_title(name)
        ax.set_xlabel("step")
        ax.set_ylabel("loss (nats/token)")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, "no points logged", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(title, fontsize=9, color="crimson" if title.startswith("WARNING") else "black", wrap=True)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    ap.add_argument("runs", nargs="+", help="run folders (runs/<name>) or run names from the runs table")
    ap.add_argument("--out", type=Path, default=Path("compare.png"), help="PNG file for the loss curves")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="runs table used to look up run names")
    ap.add_argument(
        "--strict", action="store_true", help="exit 3 when the runs differ in more than one setting"
    )
    args = ap.parse_args(argv)

    runs = [Run(resolve_run(a, args.db)) for a in args.runs]
    for r in runs:
        if not r.config:
            print(f"note: {r.dir} has no config.yaml; its settings are unknown", file=sys.stderr)
    diff = differing_settings(runs)
    print(table(runs, diff, derived_differences(runs, diff)))
    warning = attribution_warning(diff)
    commits = {r.summary.get("git_commit") for r in runs} - {None}
    if len(commits) > 1:
        print(f"note: the runs come from {len(commits)} different git commits; the code may differ too")
    val_note = validation_note(runs)
    if val_note:
        print(val_note)
    if len(runs) == 1:
        title = runs[0].name
    elif warning:
        title = warning
    elif diff:
        title = f"runs differ only in {next(iter(diff))}"
    else:
        title = "no setting differs (same config and data): differences are noise"
    if warning:
        print(warning)
    out = plot(runs, args.out, title)
    print(f"wrote {out}")
    return 3 if warning and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
