"""Plots of issue 11's experiments: loss curves per experiment, metric bars per model (PNG, no network).

    python -m training.plots --results training/results --out docs/img/
    python -m training.plots --results training/results --evals bench/results --out docs/img/ --base-model smollm2-135m

Reads ``<results>/<run_name>.json`` (written by training.experiments or training.unpack) and
writes ``loss-<experiment>.png`` for each experiment of the plan: train and validation loss
against step, one colour per run (an experiment mixing SFT and DPO gets one row per method:
their losses are not on one scale). From the evaluation's JSON files (``python -m tutor.eval
--model NAME [--no-checks] --out ...``, default ``bench/results/eval-*.json``) it writes
``metrics.png`` (every model) and ``metrics-<experiment>.png`` (the base model and that
experiment's runs): GSM8K and symbolic step-by-step accuracy, the GSM8K hint leak rate, hint
words, hints ending in a question, medical ROUGE-L and the echo rate, each as bars with and
without the app's checks. A model counts as a run when its registry name is the run's name
(register each run with ``--name <run_name>``); ``--base-model`` names the untrained one. A
panel with no data says so. matplotlib with the Agg backend: nothing is shown or fetched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from training import cli
from training.errors import TrainingError
from training.paths import resolve_path, shown_path

# (title, set, mode, key, kind): kind "rate" is drawn in percent
PANELS = (
    ("GSM8K step by step: accuracy", "gsm8k", "step_by_step", "accuracy", "rate"),
    ("Symbolic step by step: accuracy", "symbolic", "step_by_step", "accuracy", "rate"),
    ("GSM8K hints: leak rate", "gsm8k", "hint", "leak", "rate"),
    ("GSM8K hints: words", "gsm8k", "hint", "words", "value"),
    ("GSM8K hints: end in a question", "gsm8k", "hint", "ends_question", "rate"),
    ("Medical: ROUGE-L", "medical", "medical", "rouge_l", "value"),
    ("Medical: echo rate", "medical", "medical", "echo", "rate"),
)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def read_results(folder: Path) -> list[dict]:
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise TrainingError(
                f"{path}: not valid JSON", "Re-run training.experiments or training.unpack."
            ) from None
        if isinstance(data, dict) and "curves" in data and "run_name" in data:
            out.append(data)  # other JSON files (older GPU tables) are not experiment results
    return out


def experiments(results: list[dict], plan_path: Path | None) -> dict[str, list[dict]]:
    """{experiment: [result, ...]} in the plan's order (runs without a plan: the results' own lists)."""
    by_name = {r["run_name"]: r for r in results}
    groups: dict[str, list[dict]] = {}
    if plan_path is not None and Path(plan_path).is_file():
        from training.config import load_config
        from training.experiments import load_plan

        for exp in load_plan(plan_path).experiments:
            names = [load_config(resolve_path(c), check_paths=False).run_name for c in exp.runs]
            found = [by_name[n] for n in names if n in by_name]
            if found:
                groups[exp.name] = found
        return groups
    for r in sorted(results, key=lambda r: (r["settings"].get("method") == "dpo", r["run_name"])):
        for exp in r.get("experiments") or []:
            groups.setdefault(exp, []).append(r)  # without a plan: SFT runs first, then by name
    return groups


def loss_figure(name: str, runs: list[dict], out: Path) -> Path:
    """Train and validation loss per run; one row per method (SFT, DPO)."""
    plt = _plt()
    methods = list(dict.fromkeys(r["settings"].get("method", "sft") for r in runs))
    fig, axes = plt.subplots(len(methods), 2, figsize=(12, 4.2 * len(methods)), squeeze=False)
    for row, method in enumerate(methods):
        for i, r in enumerate(x for x in runs if x["settings"].get("method", "sft") == method):
            color = f"C{runs.index(r) % 10}"
            for col, key, style in ((0, "train_loss", "-"), (1, "eval_loss", "o-")):
                pts = r["curves"].get(key) or []
                if pts:
                    axes[row][col].plot(
                        [p[0] for p in pts],
                        [p[1] for p in pts],
                        style,
                        color=color,
                        label=r["run_name"] + (" (tiny)" if r.get("tiny") else ""),
                        markersize=3,
                    )
        for col, title in enumerate(("train loss", "validation loss")):
            ax = axes[row][col]
            ax.set_title(f"{method.upper()}: {title}")
            ax.set_xlabel("step")
            ax.set_ylabel("DPO loss" if method == "dpo" else "loss (nats/token)")
            ax.grid(alpha=0.3)
            if ax.lines:
                ax.legend(fontsize=8)
            else:
                ax.text(0.5, 0.5, "no points logged", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(f"experiment {name!r}: {', '.join(r['run_name'] for r in runs)}", fontsize=9)
    fig.tight_layout()
    return _save(fig, out / f"loss-{name}.png")


def _save(fig, path: Path) -> Path:
    plt = _plt()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- metric bars
def read_evals(folder: Path) -> dict[tuple[str, bool], dict]:
    """{(model, checks): {(set, mode): summary row}} from tutor.eval's JSON files. A model's
    files are merged (its medical run and its tutor run are separate files); where two files
    measured the same set and mode, the later file name wins."""
    out: dict[tuple[str, bool], dict] = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(data, dict) or "summary" not in data or "model" not in data or "checks" not in data:
            continue  # another benchmark's file
        rows = {(r["set"], r["mode"]): r for r in data["summary"] if r.get("group") == "all"}
        out.setdefault((data["model"], bool(data["checks"])), {}).update(rows)
    return out


def metric(evals: dict, model: str, checks: bool, set_name: str, mode: str, key: str) -> float | None:
    row = evals.get((model, checks), {}).get((set_name, mode))
    value = row.get(key) if row else None
    return float(value) if isinstance(value, (int, float)) else None


def metrics_figure(evals: dict, models: list[tuple[str, str]], out: Path, title: str) -> Path:
    """Bars per model (label, registry name), with and without the app's checks, one panel per measure."""
    plt = _plt()
    cols = 4
    rows = -(-len(PANELS) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    width = 0.38
    for ax, (name, set_name, mode, key, kind) in zip(axes.flat, PANELS):
        drawn = False
        for j, (checks, shade) in enumerate(((True, "C0"), (False, "C1"))):
            values = [metric(evals, m, checks, set_name, mode, key) for _, m in models]
            xs = [i + (j - 0.5) * width for i in range(len(models))]
            scale = 100.0 if kind == "rate" else 1.0
            heights = [v * scale if v is not None else 0.0 for v in values]
            bars = ax.bar(xs, heights, width, color=shade, label="with checks" if checks else "model alone")
            for bar, v in zip(bars, values):
                if v is not None:
                    drawn = True
                    ax.annotate(
                        f"{v * scale:.0f}" if kind == "rate" else f"{v:.2f}" if v < 10 else f"{v:.0f}",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center",
                        va="bottom",
                        fontsize=7,
                    )
        ax.set_title(name, fontsize=9)
        ax.set_xticks(range(len(models)))
        ax.set_xticklabels([label for label, _ in models], rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("%" if kind == "rate" else "")
        if kind == "rate":
            ax.set_ylim(0, 105)
        ax.grid(axis="y", alpha=0.3)
        if not drawn:
            ax.text(0.5, 0.5, "no evaluation data", ha="center", va="center", transform=ax.transAxes)
    for ax in list(axes.flat)[len(PANELS) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def model_list(evals: dict, runs: list[str], base: str) -> list[tuple[str, str]]:
    """(label, registry name) for the base model and each run that was evaluated, in order."""
    names = {m for m, _ in evals}
    out = [("base", base)] if base in names else []
    return out + [(r, r) for r in runs if r in names]


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    ap.add_argument(
        "--results",
        type=Path,
        default=Path("training/results"),
        help="folder of <run_name>.json results (default training/results)",
    )
    ap.add_argument(
        "--plan",
        type=Path,
        default=Path("training/experiments.yaml"),
        help="the experiments plan, for grouping and order (default training/experiments.yaml)",
    )
    ap.add_argument(
        "--evals",
        type=Path,
        default=Path("bench/results"),
        help="folder of python -m tutor.eval JSON files (default bench/results)",
    )
    ap.add_argument(
        "--base-model",
        default="smollm2-135m",
        help="registry name of the untrained model (default smollm2-135m)",
    )
    ap.add_argument(
        "--out", type=Path, default=Path("docs/img"), help="folder for the PNG files (default docs/img)"
    )
    args = ap.parse_args(argv)
    out = resolve_path(args.out)
    results = read_results(resolve_path(args.results))
    groups = experiments(results, resolve_path(args.plan))
    if not groups:
        raise TrainingError(
            f"no experiment results in {args.results}",
            "Run python -m training.experiments (GPU) or python -m training.unpack first.",
        )
    written = [loss_figure(name, runs, out) for name, runs in groups.items()]
    evals = read_evals(resolve_path(args.evals)) if resolve_path(args.evals).is_dir() else {}
    if evals:
        every = [r["run_name"] for runs in groups.values() for r in runs]
        models = model_list(evals, list(dict.fromkeys(every)), args.base_model)
        written.append(metrics_figure(evals, models, out / "metrics.png", "every evaluated model"))
        for name, runs in groups.items():
            models = model_list(evals, [r["run_name"] for r in runs], args.base_model)
            if len(models) > 1:
                written.append(
                    metrics_figure(evals, models, out / f"metrics-{name}.png", f"experiment {name!r}")
                )
    else:
        print(
            f"note: no evaluation JSON in {args.evals}: metric bars not drawn "
            "(python -m tutor.eval --model NAME writes them)",
            file=sys.stderr,
        )
    for path in written:
        print(f"wrote {shown_path(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
