"""How much of what students type the math core reads, and whether what it checks is right.

    .venv/bin/python -m tutor.pedagogy.coverage                               # evals/math_dev.jsonl
    .venv/bin/python -m tutor.pedagogy.coverage --file evals/math_dev.jsonl --errors
    .venv/bin/python -m tutor.pedagogy.coverage --file my.jsonl --out /tmp/coverage.json
    .venv/bin/python -m tutor.pedagogy.coverage --filters 10      # and the filters' false positives

Reads a JSONL file of questions written by people (one object a line: ``id``, ``kind``,
``question``, ``answer``; other keys are kept in the output), runs ``analyse`` on each question
and prints one row per kind:

- ``recognised``: ``analyse`` found a checked solution (the app shows it with the checked badge);
- ``right``: recognised, and the solver's answer is the given answer: equal in value (any
  written form, ``equiv.answer_match``) and, for expand/factor/simplify, in the form the task
  asks for (expanded; a product of as many factors as sympy's full factorisation; no longer
  than the given answer);
- ``wrong✓``: recognised but not right: a wrong result shown as checked, the worst case (0);
- ``unclear``: recognised, but the given answer could not be read to compare (look at these);
- ``ms``: median and maximum time of ``analyse`` per question (milliseconds, caches cleared).

``--filters N`` also measures the filters on true text: the solver's own sentences of N generated
problems per kind through ``ClaimFilter(strict_results=True)`` (what Explain uses) and its ladder
hints through ``LeakGuard`` (what Hint uses); what they drop is a false positive.

Writes JSON (the table and one record per question) to ``bench/results/coverage-<file>.json``.
Times depend on the machine: the lead's numbers come from quiet cores.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from tutor.config import REPO_ROOT
from tutor.errors import ConfigError

DEFAULT_FILE = REPO_ROOT / "evals" / "math_dev.jsonl"
REQUIRED = ("id", "kind", "question", "answer")


def load_items(path: Path) -> list[dict]:
    """The items of a JSONL file; ``ConfigError`` naming the file and line for a bad one."""
    from tutor.pedagogy.types import KINDS

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", path=str(path)) from None
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not JSON ({exc.msg})", path=str(path), key=f"line {n}") from None
        missing = [k for k in REQUIRED if not isinstance(item.get(k) if isinstance(item, dict) else None, str)]
        if missing:
            raise ConfigError(f"a text value is missing: {', '.join(missing)}", path=str(path),
                              key=f"line {n}: {missing[0]}")  # fmt: skip
        if item["kind"] not in KINDS:
            raise ConfigError(f"unknown kind {item['kind']!r}", path=str(path),
                              key=f"line {n}: kind")  # fmt: skip
        items.append(item)
    return items


def _written_factors(expr) -> int:
    """Non-constant factors of a product as written, with multiplicity: (x - 2)^2 (x + 1) -> 3."""
    import sympy

    count = 0
    for arg in sympy.Mul.make_args(expr):
        if not arg.free_symbols:
            continue
        if isinstance(arg, sympy.Pow) and arg.exp.is_Integer and arg.exp > 0:
            count += int(arg.exp)
        else:
            count += 1
    return count


def _form_right(kind: str, solution, given: str) -> bool:
    """The solver's answer is in the form the task asks for (see the module docstring)."""
    import sympy

    from tutor.pedagogy.forms import is_expanded, is_product, written_ops

    text, value = solution.answer.text, solution.answer.value
    if kind == "expand":
        return is_expanded(text)
    if kind == "factor":
        if not isinstance(value, sympy.Expr) or isinstance(value, sympy.Add):
            return False
        _, factors = sympy.factor_list(value)
        return is_product(text) and _written_factors(value) == sum(m for _, m in factors)
    if kind == "simplify":
        return written_ops(text) <= written_ops(given) + 1
    return True


def verdict(solution, given: str) -> str:
    """"right", "wrong" or "unclear" (the given answer cannot be read) for a checked solution."""
    from tutor.pedagogy.equiv import answer_match
    from tutor.pedagogy.notation import read_answer

    kind = solution.problem.kind
    if answer_match(given, solution.answer, kind).full:
        return "right" if _form_right(kind, solution, given) else "wrong"
    if not read_answer(given).pieces:
        return "unclear"
    return "wrong"


def measure(items: list[dict]) -> list[dict]:
    """One record per item: recognised, verdict, kind read, milliseconds."""
    from tutor.pedagogy.parse import _parse_math, _parse_structure
    from tutor.pedagogy.solve import analyse

    analyse("1 + 1")  # sympy and the solvers loaded before the clock runs
    records = []
    for item in items:
        analyse.cache_clear()
        _parse_math.cache_clear()
        _parse_structure.cache_clear()
        start = time.perf_counter()
        solution = analyse(item["question"])
        ms = (time.perf_counter() - start) * 1000
        record = {**item, "ms": round(ms, 2), "recognised": solution is not None}
        if solution is not None:
            record.update(
                verdict=verdict(solution, item["answer"]),
                read_kind=solution.problem.kind,
                statement=solution.problem.statement,
                solver_answer=solution.answer.text,
            )
        records.append(record)
    return records


def summarise(records: list[dict]) -> list[dict]:
    from tutor.pedagogy.types import KINDS

    rows = []
    groups = [(k, [r for r in records if r["kind"] == k]) for k in KINDS] + [("all", records)]
    for kind, group in groups:
        if not group:
            continue
        times = [r["ms"] for r in group]
        rows.append(
            {
                "kind": kind,
                "n": len(group),
                "recognised": sum(r["recognised"] for r in group),
                "right": sum(r.get("verdict") == "right" for r in group),
                "wrong_checked": sum(r.get("verdict") == "wrong" for r in group),
                "unclear": sum(r.get("verdict") == "unclear" for r in group),
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
            }
        )
    return rows


def filter_false_positives(per_kind: int, seed: int = 3) -> dict:
    """True text the filters should pass, and what they drop: every goal, method and step sentence
    (and "That gives $state$.", "So the answer is $answer$.") of ``per_kind`` generated problems
    per kind through ``ClaimFilter(strict_results=True)`` (Explain), each ladder hint through
    ``LeakGuard`` (Hint). Returns counts and the dropped texts."""
    from tutor.pedagogy.claims import ClaimFilter
    from tutor.pedagogy.leak import LeakGuard
    from tutor.pedagogy.similar import generate_items
    from tutor.pedagogy.types import KINDS

    out = {"sentences": 0, "sentences_dropped": [], "hints": 0, "hints_dropped": []}
    for kind in KINDS:
        for question, _, sol in generate_items(kind, per_kind, seed=seed):
            said = [sol.goal, sol.method, *(s.text for s in sol.steps)]
            said += [f"That gives ${s.latex}$." for s in sol.steps[:-1]] + [f"So the answer is ${sol.answer.latex}$."]
            for text in said:
                out["sentences"] += 1
                reason = ClaimFilter(sol, strict_results=True).why(text)
                if reason:
                    out["sentences_dropped"].append({"kind": kind, "text": text, "why": reason})
            for hint in sol.hints:
                guard = LeakGuard(sol, question)
                out["hints"] += 1
                if guard.feed(hint) + guard.finish() != hint:
                    out["hints_dropped"].append({"kind": kind, "text": hint, "why": guard.reasons})
    return out


def table(rows: list[dict]) -> str:
    head = f"{'kind':<18} {'n':>4} {'recognised':>10} {'right':>6} {'wrong✓':>7} {'unclear':>7} {'median ms':>10} {'max ms':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['kind']:<18} {r['n']:>4} {r['recognised']:>10} {r['right']:>6} {r['wrong_checked']:>7} "
            f"{r['unclear']:>7} {r['median_ms']:>10.1f} {r['max_ms']:>8.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tutor.pedagogy.coverage", description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE,
                    help="JSONL of questions with id, kind, question, answer; default evals/math_dev.jsonl")
    ap.add_argument("--out", type=Path, default=None,
                    help="where to write the JSON; default bench/results/coverage-<file stem>.json")
    ap.add_argument("--errors", action="store_true",
                    help="also list the items not recognised, wrong or unclear (question, given and solver answer)")
    ap.add_argument("--filters", type=int, default=0, metavar="N",
                    help="also count true sentences the filters drop, over N generated problems per kind "
                    "(ClaimFilter strict on solver sentences, LeakGuard on ladder hints); default 0: skip")
    args = ap.parse_args(argv)
    try:
        items = load_items(args.file)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    records = measure(items)
    rows = summarise(records)
    print(f"{args.file} ({len(items)} questions)\n")
    print(table(rows))
    if args.errors:
        print()
        for r in records:
            if r.get("verdict") == "right":
                continue
            status = r.get("verdict", "not recognised")
            extra = f" -> {r['statement']!r} = {r['solver_answer']!r}" if r["recognised"] else ""
            print(f"[{status}] {r['kind']}: {r['question']!r} (given {r['answer']!r}){extra}")
    filters = filter_false_positives(args.filters) if args.filters else None
    if filters:
        print(f"\nfalse positives on true text ({args.filters} generated problems per kind): ClaimFilter(strict) "
              f"dropped {len(filters['sentences_dropped'])} of {filters['sentences']} solver sentences; LeakGuard "
              f"dropped {len(filters['hints_dropped'])} of {filters['hints']} ladder hints")
        for d in (filters["sentences_dropped"] + filters["hints_dropped"]) if args.errors else []:
            print(f"  [{d['kind']}] {d['text']!r}: {d['why']}")
    out = args.out or REPO_ROOT / "bench" / "results" / f"coverage-{args.file.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"file": str(args.file), "python": platform.python_version(), "machine": platform.machine(),
            "cpus": __import__("os").cpu_count()}  # fmt: skip
    result = {"meta": meta, "summary": rows, "items": records, "filters": filters}
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
