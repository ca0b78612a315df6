"""Score stored evaluation records again with today's scorer (no model is run).

    .venv/bin/python -m tutor.eval.rescore training/results/eval/*.json

Each file written by ``python -m tutor.eval`` keeps every answer's text; this rebuilds the
items (the symbolic problems from their seed, GSM8K/medical/red-flag items from the record),
measures every record again with ``runner.measure``, rewrites ``summary`` and ``records``
in place, and prints each file's table. Use it after a scorer fix, so results from different
days are scored the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.eval import runner, sets
from tutor.eval.__main__ import format_table


def _items(records: list[dict]) -> dict[str, sets.Item]:
    per_kind = max(
        (int(r["id"].rsplit("-", 1)[-1]) + 1 for r in records if r["set"] == "symbolic"), default=0
    )
    symbolic = {item.id: item for item in sets.symbolic(per_kind)} if per_kind else {}
    if any(r["set"] == "math" for r in records):  # the teacher's questions, with the solver's solutions
        symbolic.update({item.id: item for item in sets.math()})
    fields = {"id", "set", "question", "kind", "truth", "reference", "urgent", "category"}
    out = {}
    for rec in records:
        if rec["id"] in symbolic:
            out[rec["id"]] = symbolic[rec["id"]]
        else:
            out[rec["id"]] = sets.Item(**{k: rec.get(k) for k in fields if k in rec})
    return out


def rescore(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = _items(data["records"])
    keep = {"id", "set", "question", "kind", "truth", "reference", "urgent", "category", "mode", "checks",
            "text", "seconds", "session_id", "status", "finish_reason", "checked", "tokens", "guard_tripped",
            "hint_level", "action", "rung", "error"}  # fmt: skip
    records = [
        runner.measure({k: v for k, v in r.items() if k in keep}, items[r["id"]]) for r in data["records"]
    ]
    data["records"] = records
    data["summary"] = runner.summarize(records)
    data["rescored"] = True
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return data["summary"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.eval.rescore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("files", nargs="+", type=Path, help="JSON files written by python -m tutor.eval")
    args = parser.parse_args(argv)
    for path in args.files:
        print(f"== {path}")
        print(format_table(rescore(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
