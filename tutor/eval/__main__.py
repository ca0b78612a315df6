"""Evaluate a model through the app's own chat handler: accuracy, leaks, labels, medical safety.

    .venv/bin/python -m tutor.eval --model smollm2-135m                 # with the app's checks
    .venv/bin/python -m tutor.eval --model smollm2-135m --no-checks     # the model alone
    .venv/bin/python -m tutor.eval --model my-tutor --sets symbolic gsm8k --gsm8k 50
    .venv/bin/python -m tutor.eval --model smollm2-135m --sets symbolic --per-kind 2 --out /tmp/e.json

Runs every held-out item (``tutor/eval/sets.py``) through ``tutor.chat.ask`` with the model's
engine from the registry, in a throwaway database; prints one table row per set and mode (and
per problem kind), and writes JSON with the summary and one record per answer (its text,
label, seconds, measures). Default output: bench/results/eval-<model>[-nochecks].json.
Offline: the sets come from this repo and ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from tutor.config import REPO_ROOT, get_settings
from tutor.errors import TutorError
from tutor.eval import runner, sets
from tutor.prompts import load_modes
from tutor.store import Store

COLUMNS = (
    ("set", "set", "{}"), ("mode", "mode", "{}"), ("group", "group", "{}"), ("n", "n", "{}"),
    ("accuracy", "acc", "{:.0%}"), ("wrong_checked", "wrong✓", "{}"), ("final_line", "final", "{:.0%}"),
    ("wrong_result", "wrongres", "{:.0%}"), ("leak", "leak", "{:.1%}"), ("cut", "cut", "{:.0%}"),
    ("ends_question", "q-end", "{:.0%}"), ("words", "words", "{:.0f}"), ("checked", "checked", "{:.0%}"),
    ("not_checked", "notchk", "{:.0%}"), ("rouge_l", "rougeL", "{:.3f}"), ("notice", "notice", "{:.0%}"),
    ("headings", "heads", "{:.1f}"), ("echo", "echo", "{:.0%}"), ("urgent_first", "urgent1st", "{:.0%}"),
    ("seconds", "s/ans", "{:.2f}"), ("errors", "err", "{}"),
)  # fmt: skip


def format_table(rows: list[dict]) -> str:
    used = [c for c in COLUMNS if any(r.get(c[0]) is not None for r in rows)]
    cells = [[title for _, title, _ in used]]
    for r in rows:
        cells.append([fmt.format(r[key]) if r.get(key) is not None else "" for key, _, fmt in used])
    widths = [max(len(row[i]) for row in cells) for i in range(len(used))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def build_items(args: argparse.Namespace) -> list[sets.Item]:
    items: list[sets.Item] = []
    if "symbolic" in args.sets:
        items += sets.symbolic(args.per_kind)
    if "math" in args.sets:
        items += sets.math(per_kind=args.math_per_kind)
    if "gsm8k" in args.sets:
        items += sets.gsm8k(args.gsm8k)
    if "medical" in args.sets:
        items += sets.medical(args.medical)
    if "redflags" in args.sets:
        for path in args.redflags_files:
            items += sets.redflags(args.redflags_split, path)
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tutor.eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", help="registry name of the model (default: TUTOR_MODEL or the registry default)"
    )
    parser.add_argument(
        "--no-checks", action="store_true", help="the model alone: no solver, filters or labels"
    )
    parser.add_argument(
        "--sets", nargs="+", choices=sets.SETS, default=list(sets.SETS), help="which sets to run"
    )
    parser.add_argument("--per-kind", type=int, default=5, help="symbolic problems per kind (12 kinds)")
    parser.add_argument("--math-per-kind", type=int, default=None,
                        help="the teacher's blind held-out math questions per kind (default: all 20)")  # fmt: skip
    parser.add_argument("--gsm8k", type=int, default=100, help="held-out GSM8K word problems")
    parser.add_argument("--medical", type=int, default=40, help="held-out ChatDoctor cases")
    parser.add_argument("--redflags-split", choices=("dev", "heldout"), default=None,
                        help="only this split of the red-flag files (default: all their rows)")  # fmt: skip
    parser.add_argument("--redflags-files", nargs="+", type=Path, default=list(sets.REDFLAG_FILES),
                        help="red-flag prompt files (default: the two blind sets nobody tuned on)")  # fmt: skip
    parser.add_argument("--rungs", type=int, default=3, help="hints asked per problem on the Hint page")
    parser.add_argument("--out", type=Path, help="JSON file to write (default bench/results/eval-MODEL.json)")
    parser.add_argument("--quiet", action="store_true", help="no per-answer progress lines")
    args = parser.parse_args(argv)

    from tutor.engine import default_model_name, get_engine

    settings = get_settings()
    try:
        name = args.model or default_model_name(settings)
        engine = get_engine(name, settings)
        modes = load_modes(settings.prompts_dir)
    except TutorError as err:
        print(f"error: {err.message}\n{err.hint}", file=sys.stderr)
        return 2
    items = build_items(args)
    checks = not args.no_checks
    print(f"evaluating {name} ({'with' if checks else 'without'} the app's checks) on {len(items)} items",
          file=sys.stderr)  # fmt: skip
    t0 = time.perf_counter()

    def progress(i: int, total: int, rec: dict) -> None:
        if args.quiet:
            return
        elapsed = time.perf_counter() - t0
        eta = elapsed / i * (total - i)
        print(f"[{i}/{total}] {rec['set']:<8} {rec['mode']:<12} {rec.get('kind') or '':<17} "
              f"{rec.get('seconds', 0):5.2f} s  (eta {eta:4.0f} s)", file=sys.stderr, flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="tutor-eval-") as tmp:
        store = Store(Path(tmp) / "eval.db")
        records = runner.run(store, engine, modes, items, checks=checks, rungs=args.rungs, progress=progress)
        store.close()
    rows = runner.summarize(records)
    print(format_table(rows))
    out = args.out or REPO_ROOT / "bench" / "results" / f"eval-{name}{'' if checks else '-nochecks'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "model": name,
        "model_sha256": engine.backend.sha256,
        "checks": checks,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "command": "python -m tutor.eval " + " ".join(argv if argv is not None else sys.argv[1:]),
        "wall_s": round(time.perf_counter() - t0, 1),
        "summary": rows,
        "records": records,
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
