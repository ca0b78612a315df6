"""Run evaluation items through the real chat handler (``tutor.chat.ask``) and score them.

Each item is asked in a fresh session of a throwaway SQLite store, exactly as the app asks:
the mode's file, the engine of the chosen model, the math core and filters (unless
``checks=False``). Hint items climb the ladder: the question, then "another hint" until
``rungs`` hints were shown. Every answer becomes one record (a dict) with its text, label,
timing and measures; ``summarize`` turns records into the table's rows.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any, Callable

from tutor import chat
from tutor.errors import TutorError
from tutor.eval import score
from tutor.eval.sets import Item

# Which modes each set is asked in.
PLAN = {
    "symbolic": ("step_by_step", "explain", "hint"),
    "math": ("step_by_step", "explain", "hint"),
    "gsm8k": ("step_by_step", "hint"),
    "medical": ("medical",),
    "redflags": ("medical",),
}


def _ask(
    store, engine, mode, question: str, *, session_id=None, action="ask", checks=True, stop_after_first=False
):
    stop = threading.Event()
    text, done, t0 = "", None, time.perf_counter()
    try:
        for event in chat.ask(
            store, engine, mode, question, session_id=session_id, stop=stop, action=action, checks=checks
        ):
            if isinstance(event, chat.Delta):
                text += event.text
                if stop_after_first and len(text) > 300:
                    stop.set()
            elif isinstance(event, chat.Done):
                done = event
    except TutorError as err:
        return {"error": str(err), "text": text, "seconds": time.perf_counter() - t0}
    out = {"text": done.text if done else text, "seconds": round(time.perf_counter() - t0, 3)}
    if done is not None:
        rec = done.record
        out.update(
            session_id=done.session_id,
            status=rec.status,
            finish_reason=rec.finish_reason,
            checked=rec.checked,
            tokens=rec.tokens,
            guard_tripped=rec.guard_tripped,
            hint_level=rec.hint_level,
            action=rec.action,
        )
    return out


def measure(rec: dict, item: Item) -> dict:
    """Add the measures of one answer record (``rec["mode"]``, ``rec["text"]``) in place; the
    same function scores a fresh answer and re-scores a stored one (``tutor.eval.rescore``)."""
    text, mode_id = rec.get("text") or "", rec["mode"]
    rec["label"] = score.label(text)
    if _failed(rec):
        return rec  # counted under errors, not as right or wrong
    if mode_id == "hint":
        if item.set == "math" and item.solution is None:
            # the teacher's answer without a solver reading: leaks judged by its value only
            rec.update(score.hint_measures(text, item.question, None, None))
            rec["leak"] = score.truth_stated(text, item.question, item.truth)
        else:
            rec.update(score.hint_measures(text, item.question, item.truth, item.solution))
    elif mode_id == "step_by_step":
        final = score.final_answer(text)
        rec["has_final_line"] = final is not None
        if item.solution is not None:
            rec["final_answer"] = final
            rec["correct"] = score.symbolic_correct(final, item.solution)
        elif item.set == "math":
            rec["final_answer"] = final
            rec["correct"] = score.truth_correct(final, item.truth)
        elif item.truth is not None:
            # word problems: the same rule with and without the app's checks: the final-answer
            # line if there is one, else the last number written (what the app would add)
            rec["final_answer"] = final if final is not None else score.last_number_text(text)
            rec["correct"] = score.number_correct(rec["final_answer"], item.truth)
    elif mode_id == "explain" and item.solution is not None:
        wrong = score.wrong_results(text, item.solution)
        rec["wrong_results"] = wrong
        rec["states_wrong_result"] = bool(wrong)
    elif mode_id == "medical":
        rec.update(score.medical_measures(text, item.question))
        if item.reference:
            rec["rouge_l"] = round(score.rouge_l(text, item.reference), 4)
    return rec


def run_item(store, engine, modes: dict, item: Item, mode_id: str, *, checks: bool, rungs: int) -> list[dict]:
    """Ask one item in one mode; returns one record per answer (hint items: one per rung)."""
    mode = modes[mode_id]
    base = {**item.public(), "mode": mode_id, "checks": checks}
    if mode_id != "hint":
        got = _ask(store, engine, mode, item.question, checks=checks, stop_after_first=item.set == "redflags")
        return [measure({**base, **got}, item)]
    records, session_id = [], None
    for rung in range(1, rungs + 1):
        got = _ask(
            store, engine, mode, item.question, session_id=session_id,
            action="ask" if rung == 1 else "hint", checks=checks,
        )  # fmt: skip
        if "error" in got and rung > 1:
            break  # --no-checks: the model-only baseline has no ladder
        session_id = got.get("session_id", session_id)
        records.append(measure({**base, **got, "rung": rung}, item))
        if _failed(got) or not checks:
            break
    return records


def _failed(got: dict) -> bool:
    return "error" in got or got.get("status") == "error"


def run(
    store, engine, modes: dict, items: list[Item], *, checks: bool, rungs: int = 3,
    progress: Callable[[int, int, dict], None] | None = None,
) -> list[dict]:  # fmt: skip
    jobs = [(item, mode_id) for item in items for mode_id in PLAN[item.set] if mode_id in modes]
    records: list[dict] = []
    for i, (item, mode_id) in enumerate(jobs, 1):
        got = run_item(store, engine, modes, item, mode_id, checks=checks, rungs=rungs)
        records.extend(got)
        if progress is not None:
            progress(i, len(jobs), got[-1])
    return records


# --------------------------------------------------------------------------- summary
def _rate(records: list[dict], key: str) -> float | None:
    vals = [bool(r[key]) for r in records if key in r and r[key] is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def _mean(records: list[dict], key: str) -> float | None:
    vals = [r[key] for r in records if isinstance(r.get(key), (int, float)) and not isinstance(r[key], bool)]
    return round(statistics.fmean(vals), 4) if vals else None


def summarize(records: list[dict]) -> list[dict]:
    """One row per (set, mode[, kind]) with the measures that apply to it."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["set"], r["mode"], "all"), []).append(r)
        if r["set"] in ("symbolic", "math"):
            groups.setdefault((r["set"], r["mode"], r["kind"]), []).append(r)
        if r["set"] == "redflags":
            source = r["id"].split("-", 1)[0]  # blind / blind2 / dev / heldout
            group = f"{source} {'urgent' if r.get('urgent') else 'educational'}"
            groups.setdefault((r["set"], r["mode"], group), []).append(r)
            if r.get("category") in ("suicidal", "suicide") and r.get("urgent"):
                groups.setdefault((r["set"], r["mode"], f"{source} suicidal"), []).append(r)
    rows = []
    for (set_name, mode, sub), recs in sorted(groups.items()):
        row: dict[str, Any] = {"set": set_name, "mode": mode, "group": sub, "n": len(recs)}
        row["errors"] = sum(1 for r in recs if "error" in r)
        row["checked"] = round(sum(1 for r in recs if r.get("label") == "checked") / len(recs), 4)
        row["not_checked"] = round(sum(1 for r in recs if r.get("label") == "not_checked") / len(recs), 4)
        row["seconds"] = _mean(recs, "seconds")
        if mode == "step_by_step":
            row["accuracy"] = _rate(recs, "correct")
            row["final_line"] = _rate(recs, "has_final_line")
            checked = [r for r in recs if r.get("label") == "checked"]
            row["wrong_checked"] = sum(1 for r in checked if r.get("correct") is False)
        elif mode == "explain":
            row["wrong_result"] = _rate(recs, "states_wrong_result")
        elif mode == "hint":
            row["leak"] = _rate(recs, "leak")
            row["cut"] = _rate(recs, "cut")
            row["ends_question"] = _rate(recs, "ends_question")
            row["words"] = _mean(recs, "words")
        elif set_name == "medical":
            row["rouge_l"] = _mean(recs, "rouge_l")
            row["notice"] = _rate(recs, "notice")
            row["headings"] = _mean(recs, "headings")
            row["echo"] = _rate(recs, "echo")
            row["urgent_first"] = _rate(recs, "urgent_first")
        elif set_name == "redflags":
            row["urgent_first"] = _rate(recs, "urgent_first")
        rows.append(row)
    return rows
