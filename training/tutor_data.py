"""Tutor training data: what the app asks the model, answered the way the app wants, as JSONL.

    python -m training.tutor_data --out runs/_data/tutor
    python -m training.tutor_data --out runs/_data/tutor --gsm8k-rows 3000 --per-kind 100 --seed 1
    python -m training.tutor_data --out /tmp/tutor-small --gsm8k-rows 40 --per-kind 2 --eval-per-kind 5

Sources (the evaluation's held-out items are never used):
- GSM8K (``--gsm8k``, default ../shared/data/gsm8k/train.jsonl): only rows with
  ``tutor.eval.splits.is_heldout(question)`` False. Step by step: the question -> the worked
  solution as numbered steps ending with ``**Final answer:** N`` (training/word_problems.py).
  Hint ladder: ``tutor.model_text.hint_request(question, 1)``, then ``hint_request(None, 2)`` and
  ``(None, 3)`` as follow-ups in the same conversation -> three hints that the app's
  word-problem guard passes and that never contain the final answer; a problem with no safe
  hint for some rung is dropped and counted by reason.
- Symbolic problems from the solver (``tutor.pedagogy.similar.generate``, a seed other than the
  evaluation's, its problems left out): steps, hint ladder, Explain and the Step by step
  page's method sentence (training/symbolic_data.py).
Every conversation starts with the mode's instructions (prompts/*.yaml) as the system prompt.

Writes in ``--out``:
  tutor_sft.jsonl   {"messages": [...], "meta": {"source", "task", "id", ...}} per line, shuffled
                    (seeded) so that a config's ``data.max_rows: N`` reads a mix of every task
  hint_pairs.jsonl  DPO pairs in the feedback export's format: {"prompt": [system, user ...],
                    "chosen": [hint], "rejected": [a hint that leaks or rambles], "meta": {"source",
                    "rung", "rejected", "id"}}; rungs 2 and 3 carry the earlier rungs in the prompt
  report.json       counts per source and task, what was dropped and why, the settings, sha256s
Prints the counts. Runs here (it needs tutor/); the GPU box only reads the JSONL files.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from training import cli
from training.errors import DataError
from training.paths import shown_path

TASKS = ("steps", "hints", "explain", "method")
SFT_FILE, PAIRS_FILE, REPORT_FILE = "tutor_sft.jsonl", "hint_pairs.jsonl", "report.json"


def load_app_modes() -> dict:
    from tutor.config import REPO_ROOT
    from tutor.prompts import load_modes

    return load_modes(REPO_ROOT / "prompts")


def with_system(mode, turns: list[dict]) -> list[dict]:
    """The conversation as the app sends it: the mode's instructions first (``tutor.prompts.build_messages``)."""
    return [{"role": "system", "content": mode.instructions}] + turns


def _id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(' '.join(text.split()).encode()).hexdigest()[:12]}"


# --------------------------------------------------------------------------- GSM8K
def gsm8k_rows(path: Path, limit: int | None, report: dict) -> list[dict]:
    """The rows of the GSM8K file that the evaluation does not hold out (first ``limit`` of them)."""
    from tutor.eval.splits import is_heldout

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(
            f"{path}: cannot read the GSM8K file ({exc.strerror})",
            "Pass --gsm8k PATH (a JSONL file of {question, answer} rows).",
        ) from None
    rows, held = [], 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise DataError(f"{path}: line {n}: not JSON", "Pass a GSM8K JSONL file.") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise DataError(f"{path}: line {n}: question: missing (a GSM8K row has question and answer)")
        if is_heldout(row["question"]):
            held += 1
            continue
        rows.append(row)
    report.update(rows_in_file=len(rows) + held, heldout_skipped=held)
    return rows[:limit] if limit is not None else rows


def hint_ladder_turns(problem, hints) -> list[dict]:
    """The ladder as the app asks for it: rung 1 with the question, later rungs as follow-ups."""
    from tutor.model_text import hint_request

    turns = []
    for level, hint in enumerate(hints, 1):
        turns.append(
            {"role": "user", "content": hint_request(problem.question if level == 1 else None, level)}
        )
        turns.append({"role": "assistant", "content": hint})
    return turns


def word_problem_data(rows: list[dict], modes: dict, tasks: tuple[str, ...], report: dict):
    """-> (SFT records, [(problem, hints)] for the DPO pairs); counts into ``report``."""
    from training.word_problems import NoHint, hint_ladder, read_row, steps_answer

    records, ladders, dropped = [], [], Counter()
    for row in rows:
        problem = read_row(row)
        if problem is None:
            dropped["malformed (no #### answer or no worked lines)"] += 1
            continue
        meta = {"source": "gsm8k", "id": _id("gsm8k", problem.question)}
        if "steps" in tasks:
            turns = [
                {"role": "user", "content": problem.question},
                {"role": "assistant", "content": steps_answer(problem)},
            ]
            records.append(
                {"messages": with_system(modes["step_by_step"], turns), "meta": {**meta, "task": "steps"}}
            )
        hints = hint_ladder(problem)
        if isinstance(hints, NoHint):
            dropped[f"hints: {hints.reason}"] += 1
            continue
        ladders.append((problem, hints))
        if "hints" in tasks:
            turns = hint_ladder_turns(problem, hints)
            records.append({"messages": with_system(modes["hint"], turns), "meta": {**meta, "task": "hints"}})
    report.update(used=len(rows), dropped=dict(dropped), hint_ladders=len(ladders))
    return records, ladders


# --------------------------------------------------------------------------- DPO pairs
def _rejected_is_bad(why: str, text: str, problem) -> bool:
    """A rejected hint must really be what its label says (else the pair teaches nothing)."""
    from training.word_problems import passes_guard, states_number

    if why == "leaks_final":
        return states_number(text, problem.final) and not passes_guard(text, problem.question)
    if why == "leaks_last_result":
        return not passes_guard(text, problem.question)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return len(sentences) >= 3 and "?" not in text


def hint_pairs(ladders, mode, rng: random.Random, per_problem: int, report: dict) -> list[dict]:
    """Preference pairs per problem: chosen = the ladder's hint, rejected = one that leaks or rambles.

    ``per_problem`` 1: one rung per problem, cycling 1, 2, 3 over the problems; 3: every rung."""
    from training.word_problems import bad_hints
    from tutor.model_text import hint_request

    pairs, kinds, skipped = [], Counter(), 0
    for i, (problem, hints) in enumerate(ladders):
        rungs = [i % 3 + 1] if per_problem == 1 else list(range(1, per_problem + 1))
        for rung in rungs:
            bad = [
                (why, text)
                for why, text in bad_hints(problem, hints, rung)
                if _rejected_is_bad(why, text, problem)
            ]
            if not bad:
                skipped += 1
                continue
            why, text = rng.choice(bad)
            history = hint_ladder_turns(problem, hints[: rung - 1])
            prompt = with_system(
                mode,
                history
                + [{"role": "user", "content": hint_request(problem.question if rung == 1 else None, rung)}],
            )
            pairs.append(
                {
                    "prompt": prompt,
                    "chosen": [{"role": "assistant", "content": hints[rung - 1]}],
                    "rejected": [{"role": "assistant", "content": text}],
                    "meta": {
                        "source": "gsm8k",
                        "rung": rung,
                        "rejected": why,
                        "id": _id("gsm8k", problem.question),
                    },
                }
            )
            kinds[why] += 1
    report.update(
        pairs=len(pairs),
        by_rejected=dict(kinds),
        by_rung=dict(Counter(p["meta"]["rung"] for p in pairs)),
        no_bad_hint=skipped,
    )
    return pairs


# --------------------------------------------------------------------------- symbolic
def symbolic_data(
    per_kind: int, seed: int, eval_per_kind: int, modes: dict, tasks: tuple[str, ...], report: dict
) -> list[dict]:
    from training.symbolic_data import BUILDERS, MODE_OF_TASK, eval_statements, problems, question_of

    avoid = eval_statements(eval_per_kind) if eval_per_kind > 0 else set()
    records, kept, dropped, in_eval = [], Counter(), Counter(), Counter()
    for kind, solution in problems(per_kind, seed, avoid):
        if solution is None:
            in_eval[kind] += 1
            continue
        meta = {"source": "symbolic", "kind": kind, "id": _id("sym", question_of(solution))}
        for task in tasks:
            turns = BUILDERS[task](solution)
            if turns is None:
                dropped[f"{task}: the app's filter would change it ({kind})"] += 1
                continue
            kept[task] += 1
            records.append(
                {"messages": with_system(modes[MODE_OF_TASK[task]], turns), "meta": {**meta, "task": task}}
            )
    report.update(
        per_kind=per_kind,
        seeds=f"{seed} + 1000 * kind index",
        in_eval_set=dict(in_eval),
        kept=dict(kept),
        dropped=dict(sorted(dropped.items())),
    )
    return records


# --------------------------------------------------------------------------- writing
def write_jsonl(path: Path, rows: list[dict]) -> dict:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    data = text.encode("utf-8")
    return {"rows": len(rows), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def build(
    out: Path,
    *,
    gsm8k: Path,
    gsm8k_rows_limit: int | None,
    per_kind: int,
    seed: int,
    eval_per_kind: int,
    tasks: tuple[str, ...],
    pairs_per_problem: int,
) -> dict:
    t0 = time.time()
    modes = load_app_modes()
    report: dict = {
        "settings": {
            "gsm8k": str(gsm8k),
            "gsm8k_rows": gsm8k_rows_limit,
            "per_kind": per_kind,
            "seed": seed,
            "eval_per_kind": eval_per_kind,
            "tasks": list(tasks),
            "pairs_per_problem": pairs_per_problem,
        },
        "gsm8k": {},
        "symbolic": {},
        "pairs": {},
    }
    rows = gsm8k_rows(gsm8k, gsm8k_rows_limit, report["gsm8k"]) if gsm8k_rows_limit != 0 else []
    records, ladders = word_problem_data(rows, modes, tasks, report["gsm8k"])
    if per_kind > 0:
        records += symbolic_data(per_kind, seed, eval_per_kind, modes, tasks, report["symbolic"])
    rng = random.Random(seed)
    rng.shuffle(records)
    pairs = hint_pairs(ladders, modes["hint"], rng, pairs_per_problem, report["pairs"])
    if not records:
        raise DataError("no conversations were made", "Check --gsm8k, --gsm8k-rows, --per-kind and --tasks.")
    out.mkdir(parents=True, exist_ok=True)
    report["by_task"] = dict(Counter(f"{r['meta']['source']}/{r['meta']['task']}" for r in records))
    report["files"] = {
        SFT_FILE: write_jsonl(out / SFT_FILE, records),
        PAIRS_FILE: write_jsonl(out / PAIRS_FILE, pairs),
    }
    report["seconds"] = round(time.time() - t0, 1)
    (out / REPORT_FILE).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def format_report(report: dict, out: Path) -> str:
    g, s, p = report["gsm8k"], report["symbolic"], report["pairs"]
    lines = []
    if g:
        lines.append(
            f"gsm8k: {g.get('rows_in_file', 0):,} rows, {g.get('heldout_skipped', 0):,} held out by the "
            f"evaluation (skipped), {g.get('used', 0):,} used, {g.get('hint_ladders', 0):,} hint ladders"
        )
        for reason, n in g.get("dropped", {}).items():
            lines.append(f"  dropped {n:>6,}  {reason}")
    if s:
        lines.append(f"symbolic: {s['per_kind']} per kind, seeds {s['seeds']}; kept {s['kept']}")
        lines.append(
            f"  left out (same problem in the evaluation set): {sum(s['in_eval_set'].values())} {s['in_eval_set']}"
        )
        for reason, n in s["dropped"].items():
            lines.append(f"  dropped {n:>6,}  {reason}")
    lines.append(f"conversations by task: {report['by_task']}")
    lines.append(
        f"DPO pairs: {p.get('pairs', 0):,} (rejected: {p.get('by_rejected')}; rungs {p.get('by_rung')}; "
        f"no bad hint: {p.get('no_bad_hint', 0)})"
    )
    for name, f in report["files"].items():
        lines.append(f"wrote {shown_path(out / name)}: {f['rows']:,} rows, {f['bytes'] / 2**20:.1f} MiB")
    lines.append(f"wrote {shown_path(out / REPORT_FILE)} ({report['seconds']} s)")
    return "\n".join(lines)


@cli.command
def main(argv: list[str] | None = None) -> int:
    from tutor.eval.sets import EVAL_SEED
    from tutor.eval.splits import GSM8K_FILE

    ap = cli.parser(__doc__)
    ap.add_argument(
        "--out", type=Path, default=Path("runs/_data/tutor"), help="output folder (default runs/_data/tutor)"
    )
    ap.add_argument(
        "--gsm8k",
        type=Path,
        default=GSM8K_FILE,
        help="GSM8K train JSONL (default ../shared/data/gsm8k/train.jsonl)",
    )
    ap.add_argument(
        "--gsm8k-rows",
        type=int,
        default=None,
        help="use at most this many GSM8K rows that are not held out (default all; 0: none)",
    )
    ap.add_argument(
        "--per-kind",
        type=int,
        default=150,
        help="symbolic problems per kind, 12 kinds (default 150; 0: none)",
    )
    ap.add_argument(
        "--seed",
        type=int,
        default=1,
        help="seed of the symbolic generator (seed + 1000 * kind index) and of the shuffle (default 1)",
    )
    ap.add_argument(
        "--eval-per-kind",
        type=int,
        default=50,
        help="leave out the evaluation set's first N symbolic problems of each kind (default 50)",
    )
    ap.add_argument(
        "--tasks", nargs="+", choices=TASKS, default=list(TASKS), help="which conversations to write"
    )
    ap.add_argument(
        "--pairs-per-problem",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="DPO pairs per GSM8K problem: 1 (rungs cycle over problems) up to 3 (every rung)",
    )
    args = ap.parse_args(argv)
    for flag in ("gsm8k_rows", "per_kind", "eval_per_kind"):
        value = getattr(args, flag)
        if value is not None and value < 0:
            ap.error(f"--{flag.replace('_', '-')} must be 0 or more (you wrote {value})")
    if args.seed == EVAL_SEED:
        ap.error(f"--seed {EVAL_SEED} is the evaluation's seed (tutor.eval.sets.EVAL_SEED); pick another")
    from training.paths import resolve_path

    out = resolve_path(args.out)
    report = build(
        out,
        gsm8k=args.gsm8k,
        gsm8k_rows_limit=args.gsm8k_rows,
        per_kind=args.per_kind,
        seed=args.seed,
        eval_per_kind=args.eval_per_kind,
        tasks=tuple(args.tasks),
        pairs_per_problem=args.pairs_per_problem,
    )
    print(format_report(report, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
