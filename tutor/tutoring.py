"""What the tutor does with one turn: which math comes from the solver, what the model is
asked, how its words are filtered, and how the answer is labelled.

The chat handler (``tutor.chat``) runs a ``TurnPlan``; this module makes it from the mode,
the action the student chose, their text and the session so far. A mode's ``pedagogy`` key
(prompts/*.yaml) says how the math core takes part:

- ``steps``: recognised math gets the solver's checked worked solution (the model may add a
  sentence about the method, filtered by ``ClaimFilter``); anything else is the model's,
  labelled "not checked", always ending with a ``**Final answer:**`` line.
- ``explain``: the model explains; with a checked result its sentences that contradict it are
  dropped, and the checked result closes the answer.
- ``hints``: the hint ladder (kind and goal, method or next operation, one worked step), then
  the full solution once the student asks after ``hints_before_solution`` hints. Word problems
  get the model's hint through ``LeakGuard`` and ``Shaper`` (whole sentences, one question).
- In every mode with a pedagogy, text that answers the session's current problem ("x = 5",
  "3x = 15") is checked as an attempt, and "Try a similar one" makes a new problem.

``checks=False`` (the evaluation's ``--no-checks``) is the model alone: no solver, no filter,
no labels, as a baseline for measuring models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from tutor.engine import GenSettings
from tutor.errors import InputRejected
from tutor.model_text import ACTION_TEXT, WORD_RUNGS, grounded_request, hint_request, method_request
from tutor.prompts import Mode, build_messages
from tutor.record import CHECKED, NOT_CHECKED, AnswerRecord
from tutor.shaping import (
    CHECK_QUESTION,
    CHECKED_LABEL,
    FINAL_ANSWER,
    MODEL_NOTE,
    NOT_CHECKED_LABEL,
    Shaper,
    no_math_filter,
)

MAX_HINT_SENTENCES = 2
MAX_EXPLAIN_SENTENCES = 3


# --------------------------------------------------------------------------- the plan
@dataclass
class TurnPlan:
    """Everything the chat handler needs to produce one answer."""

    action: str  # ask | hint | solution | attempt | similar
    user_text: str  # what is stored as the student's message
    record: AnswerRecord  # the answer's metadata so far (action, kind, problem, checked...)
    before: str = ""  # shown first (label, solver text)
    after: str = ""  # shown after the model's words (checked steps, final answer)
    model_messages: list[dict] | None = None  # None: the model is not asked this turn
    gen: GenSettings | None = None
    filters: list[Any] = field(default_factory=list)  # guard-contract objects, in order
    shaper: Shaper | None = None
    model_prefix: str = ""  # shown just before the model's first words (only if it says anything)
    final_answer_line: bool = False  # steps without the solver: make sure a final-answer line ends it


def _model_turn(action: str, user_text: str, record: AnswerRecord, mode: Mode, history: list[dict],
                *, sent: str | None = None, gen: GenSettings | None = None, **more: Any) -> TurnPlan:
    """The model answers (``sent``, default ``user_text``, after the history), under the
    not-checked label."""
    messages = build_messages(mode, history, user_text if sent is None else sent)
    return TurnPlan(action, user_text, record, before=NOT_CHECKED_LABEL + "\n\n", model_messages=messages,
                    gen=gen or mode.gen, **more)


def _solution_details(solution: Any, question: str) -> dict:
    # Only the question: the answer is re-derived by the solver when needed, and a student's own
    # data export must not carry it before they were shown it.
    return {"question": question}


def _checked_record(action: str, solution: Any, question: str, **more: Any) -> AnswerRecord:
    return AnswerRecord(
        action=action,
        kind=solution.problem.kind,
        problem=solution.problem.statement,
        checked=CHECKED if solution.checked else NOT_CHECKED,
        details=_solution_details(solution, question),
        **more,
    )


def _label(solution: Any | None) -> str:
    return (CHECKED_LABEL if solution is not None and solution.checked else NOT_CHECKED_LABEL) + "\n\n"


# --------------------------------------------------------------------------- session state
@dataclass
class Current:
    """The problem a session is working on, and how far the student got with it."""

    solution: Any | None  # tutor.pedagogy.Solution, or None for a word problem
    question: str  # the text the problem was read from
    hints: int  # hints shown for it so far
    revealed: bool  # the full solution was shown
    solved: bool = False  # the student typed the whole right answer


def current_problem(rows: list[dict]) -> Current | None:
    """The latest problem of the session (from the stored answers' ``details``), or None."""
    from tutor.pedagogy import analyse

    latest = None
    for i, row in enumerate(rows):
        if row.get("imported"):  # read from a file: it sets no tutoring state (see m007)
            continue
        if row.get("role") == "assistant" and row.get("action") in ("ask", "similar"):
            details = AnswerRecord.from_row(row).details
            if details.get("question"):
                latest = i
    if latest is None:
        return None
    start = rows[latest]
    question = AnswerRecord.from_row(start).details["question"]
    solution = analyse(question) if start.get("problem") else None
    later = [r for r in rows[latest:] if r.get("role") == "assistant" and not r.get("imported")]
    hints = max((r.get("hint_level") or 0 for r in later), default=0)
    revealed = any(r.get("action") == "solution" for r in later)
    solved = any(
        r.get("action") == "attempt"
        and AnswerRecord.from_row(r).details.get("attempt_kind") == "answer"
        and AnswerRecord.from_row(r).details.get("correct")
        for r in later
    )
    return Current(solution, question, hints, revealed, solved)


# --------------------------------------------------------------------------- planning
def plan_turn(
    mode: Mode,
    action: str,
    text: str,
    rows: list[dict],
    history: list[dict],
    *,
    checks: bool = True,
) -> TurnPlan:
    """Decide what this turn shows. ``rows``: the session's stored messages; ``history``: the
    turns the model sees again (``chat.history_for_model``). ``InputRejected`` when the action
    is not allowed now (no problem yet, solution before enough hints)."""

    if not checks or mode.pedagogy is None:
        if action != "ask":
            raise InputRejected("This page only answers questions.", "Type your question below.")
        record = AnswerRecord(action="ask", checked=NOT_CHECKED if checks else None)
        return TurnPlan("ask", text, record, model_messages=build_messages(mode, history, text), gen=mode.gen)

    _refuse_while_writing(rows)
    current = current_problem(rows)
    if action == "ask" and current is not None and current.solution is not None:
        attempt = _as_attempt(current.solution, text, current.hints)
        if attempt is not None:
            return _plan_attempt(current, text, attempt)
        if not _is_new_problem(text):
            return _plan_follow_up(mode, current, text, history)
    if action == "ask" and current is not None and current.solution is None and not _looks_new(text):
        return _plan_word_follow_up(mode, current, text, history)
    if action == "ask":
        return _plan_new_problem(mode, text, history)
    if current is None:
        raise InputRejected(
            "There is no problem in this session yet.", "Type a math question first, then ask for hints."
        )
    if action == "hint":
        return _plan_hint(mode, current, current.hints + 1, history, ACTION_TEXT["hint"], "hint")
    if action == "solution":
        return _plan_solution(mode, current, history)
    if action == "similar":
        return _plan_similar(current)
    raise InputRejected(f"Unknown action {action!r}.", "Reload the page.")


STILL_WRITING_S = 60  # an answer saved as streaming this recently is still being written


def _refuse_while_writing(rows: list[dict]) -> None:
    """A second click while the last answer is still being written (Streamlit's fast reruns
    can start a run beside the one streaming) would climb two rungs or make two problems."""
    from datetime import datetime, timezone

    last = next((r for r in reversed(rows) if r.get("role") == "assistant"), None)
    if last is None or last.get("status") != "streaming":
        return
    try:
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(last["updated_at"])).total_seconds()
    except (KeyError, TypeError, ValueError):
        return
    if age < STILL_WRITING_S:
        raise InputRejected(
            "The tutor is still writing the last answer.",
            "Wait for it to finish (or press Stop), then try again.",
        )


_NUMBERISH = re.compile(r"\d")


def _looks_new(text: str) -> bool:
    """During a word problem: is ``text`` a new question (math the solver reads, or a story of
    its own) rather than a follow-up about the current one ("is it 72?", "I'm stuck")?"""
    words = re.findall(r"[A-Za-z]+", text)
    numbers = re.findall(r"\d+(?:\.\d+)?", text)
    return _is_new_problem(text) or (len(words) >= 12 and len(numbers) >= 2) or len(words) >= 25


_ATTEMPT_LIKE = re.compile(
    r"^\s*(?:(?:is\s+it|i\s+got|i\s+get|my\s+answer\s+is|answer\s*[:=]?|so\s+it'?s|it'?s)\s*)?"
    r"[$£€]?\s*-?\d[\d,]*(?:\.\d+)?\s*[A-Za-z%]{0,12}\s*[?.!]*\s*$",
    re.I,
)


def _plan_word_follow_up(mode: Mode, current: Current, text: str, history: list[dict]) -> TurnPlan:
    """A follow-up about a word problem (the solver cannot read it, so no answer is known).

    Hint page: a typed answer gets an honest "cannot check it" (never the model's yes or no,
    which would give the answer away or mislead); anything else gets the next rung. Step by
    step and Explain: the model answers, labelled not checked, and the problem stays current."""

    if mode.pedagogy == "hints":
        if _ATTEMPT_LIKE.match(text):
            body = (
                "The tutor cannot check answers to word problems automatically, so it will not say "
                "yes or no. Check your working: does your answer fit every fact in the story? "
                "Which fact would you test it against first?"
            )
            record = AnswerRecord(
                action="attempt", checked=NOT_CHECKED, details={"attempt": text, "attempt_kind": "unchecked"}
            )
            return TurnPlan("attempt", text, record, before=NOT_CHECKED_LABEL + "\n\n" + body)
        return _plan_hint(mode, current, current.hints + 1, history, text, "hint")
    record = AnswerRecord(action="ask", checked=NOT_CHECKED)
    return _model_turn("ask", text, record, mode, history, final_answer_line=False)


def _has_instruction_words(text: str) -> bool:
    return bool(
        re.search(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+|\b(?:sqrt|sin|cos|tan|log|ln|exp)\b", "", text))
    )


def _is_new_problem(text: str) -> bool:
    from tutor.pedagogy import analyse

    return analyse(text) is not None


def _as_attempt(solution: Any, text: str, hints_shown: int) -> Any | None:
    """The student's text as an attempt at the current problem, or None (a new question)."""
    from tutor.pedagogy import check_attempt

    if _has_instruction_words(text) and _is_new_problem(text):
        return None  # "solve 2x + 3 = 7": a new problem, not a step of this one
    attempt = check_attempt(solution, text, hints_shown)
    return None if attempt.kind == "not_math" else attempt


def _plan_follow_up(mode: Mode, current: Current, text: str, history: list[dict]) -> TurnPlan:
    """Words about the session's problem that are neither an answer nor a new problem ("I'm
    stuck", "why subtract 5?"). Hint page: the next rung. Elsewhere the model answers, its
    math filtered against the checked solution (so it can neither contradict nor, on the
    Hint page, reveal it)."""
    from tutor.pedagogy import ClaimFilter

    if mode.pedagogy == "hints":
        plan = _plan_hint(mode, current, current.hints + 1, history, text, "hint")
        return plan
    record = AnswerRecord(
        action="ask",
        kind=current.solution.problem.kind,
        problem=current.solution.problem.statement,
        checked=NOT_CHECKED,
    )
    return _model_turn(
        "ask",
        text,
        record,
        mode,
        history,
        filters=[ClaimFilter(current.solution)],
        shaper=Shaper(None),
    )


def _plan_attempt(current: Current, text: str, attempt: Any) -> TurnPlan:
    solution = current.solution
    body = attempt.message.strip()
    if not attempt.correct and attempt.next_hint:
        body += "\n\n💡 " + attempt.next_hint.strip()
    record = _checked_record("attempt", solution, current.question, hint_level=None)
    details = {**record.details, "attempt": text, "attempt_kind": attempt.kind, "correct": attempt.correct}
    record = record.update(details=details)
    return TurnPlan("attempt", text, record, before=_label(solution) + body)


def _plan_new_problem(mode: Mode, question: str, history: list[dict]) -> TurnPlan:
    from tutor.pedagogy import analyse

    solution = analyse(question)
    if mode.pedagogy == "hints":
        return _plan_hint(mode, Current(solution, question, 0, False), 1, history, question, "ask")
    if solution is None:
        return _plan_unchecked(mode, question, history)
    if mode.pedagogy == "steps":
        return _plan_steps(mode, solution, question, history, "ask", question)
    return _plan_explain(mode, solution, question, history)


def _plan_unchecked(mode: Mode, question: str, history: list[dict]) -> TurnPlan:

    record = AnswerRecord(action="ask", checked=NOT_CHECKED, details={"question": question})
    return _model_turn("ask", question, record, mode, history, final_answer_line=mode.pedagogy == "steps")


# What a word problem's hint from the model may not say: "the answer (to the question) is ...",
# and the app's own label read back from the conversation.
_NOT_A_HINT = re.compile(
    r"\b(answer|result|solution|total)\b[^.?!\n]{0,40}?\b(is|are|was|=|:)\s*\S|final\s+answer|####"
    r"|not checked|checked by the solver",
    re.I,
)
# What the model's note on the method may not say: results, and its instructions read back
# (a 135M model often echoes "A solver has already worked this out...").
_NO_RESULTS = re.compile(
    r"final\s+answer|\banswer\s+is\b|\\boxed|####|\bsolver\b|worked (this|it) out|checked every step"
    r"|\bone or two\b|short sentences|\bthe student\b|do not (calculate|state)"
    r"|\bI(?:'ll|'m| will| am)\b|\byou'?re (?:right|correct)\b|happy to help",  # chatter about itself
    re.I,
)


def _plan_steps(mode: Mode, solution: Any, question: str, history: list[dict], action: str, user_text: str):
    """The solver's idea and its checked worked solution, shown at once; then, if the mode's
    ``model_note`` is on, the model may say in a sentence or two which method fits and why,
    in words only and labelled as its own."""
    from tutor.pedagogy import render_solution

    before = _label(solution) + f"**The idea:** {solution.method}\n\n" + render_solution(solution).strip()
    record = _checked_record(action, solution, question)
    if not mode.model_note:
        return TurnPlan(action, user_text, record, before=before)
    messages = build_messages(mode, history, method_request(question))
    gen = replace(mode.gen, max_tokens=min(mode.gen.max_tokens, 80))
    return TurnPlan(
        action,
        user_text,
        record,
        before=before,
        model_prefix=MODEL_NOTE,
        model_messages=messages,
        gen=gen,
        filters=[no_math_filter(solution)],
        shaper=Shaper(MAX_HINT_SENTENCES, drop=_NO_RESULTS),
    )


def _check_question(solution: Any) -> str:
    """The question that closes an explanation: the first rung's, about the kind and the goal."""
    first = solution.hints[0] if solution.hints else ""
    asked = [s for s in re.split(r"(?<=[.!?])\s+", first) if s.rstrip().endswith("?")]
    return asked[-1] if asked else "Which step would you like explained in more detail?"


def _plan_explain(mode: Mode, solution: Any, question: str, history: list[dict]) -> TurnPlan:
    """The idea (the method) and the checked steps from the solver; then the model's words on
    the idea, in whole sentences with no math in them and labelled as the model's (a 135M model
    told the checked result still wrote "x(x³ - 3)" and "the limit is undefined" beside it);
    then a question to check understanding."""
    from tutor.pedagogy import render_solution

    note = grounded_request(question, solution)
    gen = replace(mode.gen, max_tokens=min(mode.gen.max_tokens, 120))
    return TurnPlan(
        "ask",
        question,
        _checked_record("ask", solution, question),
        before=_label(solution) + f"**The idea:** {solution.method}\n\n" + render_solution(solution).strip(),
        model_prefix=MODEL_NOTE,
        after=f"\n\n{CHECK_QUESTION} {_check_question(solution)}",
        model_messages=build_messages(mode, history, note),
        gen=gen,
        filters=[no_math_filter(solution)],
        shaper=Shaper(MAX_EXPLAIN_SENTENCES, drop=_NO_RESULTS),
    )


def _quiet_leak_guard(question: str) -> Any:
    """A LeakGuard that drops revealing sentences without a note (the hint's Shaper then
    closes it with the rung's guiding question)."""
    from tutor.pedagogy import LeakGuard

    class QuietLeakGuard(LeakGuard):
        def nudge(self) -> str:
            return ""

    # strict_numbers: any number the story does not state is held back, not only the ones
    # stated as a result (a word problem's answer is unknown to the app)
    return QuietLeakGuard(None, question, strict_numbers=True)


def _plan_hint(mode: Mode, current: Current, level: int, history: list[dict], user_text: str, action: str):

    solution, question = current.solution, current.question
    if solution is not None:
        if level > len(solution.hints):
            body = (
                "You have seen every hint for this problem. Try the next step yourself and type it here, "
                "or ask for the full solution. What would you write next?"
            )
        else:
            body = solution.hints[level - 1]
        record = _checked_record(action, solution, question, hint_level=level)
        return TurnPlan(action, user_text, record, before=_label(solution) + body)
    closing = WORD_RUNGS[min(level, len(WORD_RUNGS)) - 1][1]
    note = hint_request(question if action == "ask" else None, level)
    record = AnswerRecord(
        action=action, checked=NOT_CHECKED, hint_level=level, details={"question": question}
    )
    return _model_turn(
        action,
        user_text,
        record,
        mode,
        history,
        sent=note,
        filters=[_quiet_leak_guard(question)],
        shaper=Shaper(MAX_HINT_SENTENCES, closing, drop=_NOT_A_HINT),
    )


def _plan_solution(mode: Mode, current: Current, history: list[dict]) -> TurnPlan:
    if current.hints < mode.hints_before_solution and not (current.revealed or current.solved):
        left = mode.hints_before_solution - current.hints
        raise InputRejected(
            f"Try {left} more hint{'s' if left != 1 else ''} first: the full solution opens after "
            f"{mode.hints_before_solution} hints.",
            "Ask for another hint, or type your next step and the tutor will check it.",
        )
    if current.solution is not None:
        return _plan_steps(
            mode, current.solution, current.question, history, "solution", ACTION_TEXT["solution"]
        )

    record = AnswerRecord(action="solution", checked=NOT_CHECKED, details={"question": current.question})
    note = f"(Now solve the problem above step by step and end with a line: {FINAL_ANSWER} <answer>)"
    return _model_turn(
        "solution",
        ACTION_TEXT["solution"],
        record,
        mode,
        history,
        sent=note,
        gen=replace(mode.gen, max_tokens=max(mode.gen.max_tokens, 400)),
        final_answer_line=True,
    )


def _plan_similar(current: Current) -> TurnPlan:
    from tutor.pedagogy.similar import similar

    if current.solution is None:
        raise InputRejected(
            "The tutor can only make similar problems for math it can solve itself.",
            "Type an equation or expression (for example 2x + 3 = 11) to practise with.",
        )
    fresh = similar(current.solution.problem)
    question = fresh.problem.question or fresh.problem.statement
    body = (
        f"Here is a similar problem to practise:\n\n**{question}**\n\n"
        "Type your answer or your first step, and the tutor will check it. Which step will you start with?"
    )
    record = _checked_record("similar", fresh, question)
    return TurnPlan("similar", ACTION_TEXT["similar"], record, before=_label(fresh) + body)


