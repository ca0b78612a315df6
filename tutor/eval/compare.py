"""Compare evaluation results side by side: one Markdown row per result file.

    .venv/bin/python -m tutor.eval.compare training/results/eval/*-nochecks*.json
    .venv/bin/python -m tutor.eval.compare --sets medical training/results/eval/*med*.json

Reads files written by ``python -m tutor.eval`` (their ``summary`` rows for the group "all")
and prints the measures a model comparison needs, in the README's table form: Step by step
accuracy (symbolic, the teacher's math set, GSM8K), wrong results stated in Explain, the hint
measures (leak, cut mid-sentence, ending in a question, words), the medical ones (ROUGE-L,
echo, notice), the share labelled checked, and seconds per answer. A measure a file did not
run is "–". Nothing is recomputed: run ``python -m tutor.eval.rescore`` first to score files
from different days the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# (header, set, mode, key, format); format "%" is a share, "n" a plain number
COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("step acc. symbolic", "symbolic", "step_by_step", "accuracy", "%"),
    ("step acc. teacher's math", "math", "step_by_step", "accuracy", "%"),
    ("step acc. GSM8K", "gsm8k", "step_by_step", "accuracy", "%"),
    ("wrong ✓", "*", "step_by_step", "wrong_checked", "n"),
    ("Explain wrong result", "symbolic", "explain", "wrong_result", "%"),
    ("hint leak (sym / GSM8K)", "symbolic|gsm8k", "hint", "leak", "%"),
    ("hint cut", "symbolic|gsm8k", "hint", "cut", "%"),
    ("hint ends in ?", "symbolic|gsm8k", "hint", "ends_question", "%"),
    ("hint words", "symbolic|gsm8k", "hint", "words", "n"),
    ("medical ROUGE-L", "medical", "medical", "rouge_l", "n"),
    ("medical echo", "medical", "medical", "echo", "%"),
    ("medical notice", "medical", "medical", "notice", "%"),
)
SET_CHOICES = ("tutor", "medical", "all")


def load(path: Path) -> dict[str, Any]:
    """A result file, with a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: not a readable evaluation result ({exc}).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("summary"), list):
        raise SystemExit(f"{path}: no 'summary' list: write it with `python -m tutor.eval --out {path}`.")
    return data


def _rows(data: dict, set_name: str, mode: str) -> list[dict]:
    wanted = set(set_name.split("|")) if set_name != "*" else None
    return [
        r for r in data["summary"]
        if r.get("group") == "all" and r.get("mode") == mode and (wanted is None or r.get("set") in wanted)
    ]  # fmt: skip


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "%":
        return f"{100 * value:.0f} %" if value >= 0.1 or value == 0 else f"{100 * value:.1f} %"
    return (
        f"{value:.3f}"
        if isinstance(value, float) and value < 1
        else f"{value:.0f}"
        if isinstance(value, float)
        else str(value)
    )


def cell(data: dict, set_name: str, mode: str, key: str, kind: str) -> str:
    """One measure; for "sym|gsm8k" both sets' values, "a / b"; "*" sums over every set."""
    rows = _rows(data, set_name, mode)
    if set_name == "*":
        values = [r[key] for r in rows if key in r]
        return str(sum(values)) if values else "–"
    if "|" in set_name:
        parts = []
        for name in set_name.split("|"):
            found = [r for r in rows if r.get("set") == name and key in r]
            parts.append(_fmt(found[0][key], kind) if found else "–")
        return " / ".join(parts)
    found = [r for r in rows if key in r]
    return _fmt(found[0][key], kind) if found else "–"


def seconds(data: dict) -> str:
    rows = [r for r in data["summary"] if r.get("group") == "all" and r.get("n")]
    n = sum(r["n"] for r in rows)
    return f"{sum(r['seconds'] * r['n'] for r in rows) / n:.1f}" if n else "–"


def table(files: list[Path], which: str = "all") -> str:
    cols = [c for c in COLUMNS if which == "all" or (c[1] == "medical") == (which == "medical")]
    head = ["model", "checks", "answers", *[c[0] for c in cols], "checked", "s/answer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for path in files:
        data = load(path)
        items = sum(r["n"] for r in data["summary"] if r.get("group") == "all")
        checked = [r for r in data["summary"] if r.get("group") == "all" and r.get("n")]
        share = sum(r["checked"] * r["n"] for r in checked) / max(1, sum(r["n"] for r in checked))
        row = [
            f"`{data.get('model', path.stem)}`", "yes" if data.get("checks") else "no", str(items),
            *[cell(data, *c[1:]) for c in cols], _fmt(share, "%"), seconds(data),
        ]  # fmt: skip
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tutor.eval.compare", description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path, help="result files written by python -m tutor.eval")
    p.add_argument(
        "--sets",
        choices=SET_CHOICES,
        default="all",
        help="tutor: the math and hint columns; medical: the medical ones (default: all)",
    )
    args = p.parse_args(argv)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(table(args.files, args.sets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
