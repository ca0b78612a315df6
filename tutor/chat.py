"""The chat handler: one student question in, a stream of events out.

This is the whole life of an answer, without Streamlit, so it can be tested with a
fake model and a real SQLite database:

1. ``clean_question`` refuses empty/huge/binary input (nothing is stored then);
2. the conversation is built from the session's history and checked against the
   context window (a single question that cannot fit is refused, nothing stored);
3. the session (if new) and the user's message are stored;
4. an assistant message is stored with status ``streaming`` and the engine is run
   through the mode's guard; the partial text is saved about every second, so a
   killed process leaves it behind (marked ``interrupted`` at the next start);
5. the final text, status (complete / stopped / error) and stats are saved.

Closing the generator early (the student pressed Stop, the page was left) saves
the partial answer with status ``stopped``.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from tutor import shaping, tutoring
from tutor.engine import Engine, Finished, GenStats, Queued, Started, Token
from tutor.errors import StorageError, TutorError
from tutor.guards import make_guard
from tutor.prompts import Mode
from tutor.record import AnswerRecord
from tutor.store import Store
from tutor.validate import clean_question

SAVE_EVERY_S = 1.0
TITLE_CHARS = 60


@dataclass
class Notice:
    """Something the student should know about their input (e.g. removed characters)."""

    text: str


@dataclass
class SessionStarted:
    session_id: int


@dataclass
class Delta:
    """Text to show now (already through the mode's guard)."""

    text: str


@dataclass
class Done:
    session_id: int
    message_id: int
    text: str
    record: AnswerRecord  # what was stored about the answer (status, stats, checked, ...)
    stats: GenStats | None = None
    dropped_messages: int = 0

    @property
    def status(self) -> str:  # complete | stopped | error
        return self.record.status

    @property
    def finish_reason(self) -> str | None:
        return self.record.finish_reason

    @property
    def guard_tripped(self) -> bool:
        return self.record.guard_tripped

    @property
    def error(self) -> str | None:
        return self.record.error


Event = Notice | SessionStarted | Queued | Started | Delta | Done


def history_for_model(rows: list[dict]) -> list[dict]:
    """The stored turns the model should see again: user questions and non-empty answers.

    A student's turn is replayed as the model saw it when the tutor sent it something other
    than the typed text (a hint request, a grounded question: the answer's ``details.sent``),
    so each prompt extends the previous one token for token (llama.cpp reuses the cached
    prefix) and matches what training data teaches (training/tutor_data.py)."""
    sent_for: dict[int, str] = {}
    for i, row in enumerate(rows[1:], 1):
        if row.get("role") == "assistant" and rows[i - 1].get("role") == "user":
            sent = AnswerRecord.from_row(row).details.get("sent")
            if isinstance(sent, str) and sent:
                sent_for[i - 1] = sent
    turns = []
    for i, row in enumerate(rows):
        if row["role"] not in ("user", "assistant"):
            continue
        content = sent_for.get(i) or row.get("content") or ""
        if row["role"] == "assistant":
            # the app's label lines are for the student: a model shown them copies them
            content = shaping.strip_label(content)
            if not content:
                continue
        turns.append({"role": row["role"], "content": content})
    return turns


def session_title(question: str) -> str:
    first_line = " ".join(question.split())
    return first_line if len(first_line) <= TITLE_CHARS else first_line[: TITLE_CHARS - 1].rstrip() + "…"


@dataclass
class _Answer:
    """The assistant message being written, and how to save it."""

    store: Store
    message_id: int
    text: str = ""
    last_save: float = field(default_factory=time.monotonic)

    def add(self, piece: str) -> None:
        self.text += piece
        now = time.monotonic()
        if now - self.last_save >= SAVE_EVERY_S:
            self.last_save = now
            try:
                self.store.update_message(self.message_id, content=self.text)
            except StorageError:
                # A periodic save is only insurance against a crash: if another program
                # holds the database now, keep streaming and save again next time (the
                # final save, which does raise, writes everything).
                pass


def ask(
    store: Store,
    engine: Engine,
    mode: Mode,
    question: str = "",
    *,
    session_id: int | None = None,
    stop: threading.Event | None = None,
    action: str = "ask",
    checks: bool = True,
) -> Iterator[Event]:
    """Answer ``question`` in ``mode``; yields events (see module docstring).

    ``action``: "ask" (a question, or an attempt at the session's problem: the tutor tells
    which), "hint" (the next rung of the ladder), "solution", "similar" (the last three need
    a session with a problem; ``question`` is ignored). ``checks=False``: the model alone
    (no solver, filters or labels), as the evaluation's baseline.

    Raises ``InputRejected``/``ContextOverflow`` before anything is stored,
    ``StorageError`` if the database cannot be written.
    """
    if action == "ask":
        cleaned = clean_question(question)
        text, notices = cleaned.text, cleaned.notices
    else:
        text, notices = "", []
    rows = store.messages(session_id) if session_id is not None else []
    history = history_for_model(rows)
    plan = tutoring.plan_turn(mode, action, text, rows, history, checks=checks)
    dropped = 0
    if plan.model_messages is not None:
        gen_settings = plan.gen or mode.gen
        fitted, _ = engine.fit_messages(plan.model_messages, gen_settings.max_tokens)  # ContextOverflow
        dropped = len(plan.model_messages) - len(fitted)

    backend = engine.backend
    if session_id is None:
        session_id = store.create_session(mode.id, backend.model_name, session_title(plan.user_text))
        yield SessionStarted(session_id)
    for notice in notices:
        yield Notice(notice)
    store.add_message(session_id, "user", plan.user_text, mode=mode.id)

    # the mode's guard (medical red flags; a hint guard for modes without the math core), unless
    # the plan brings its own filters for the model's words (they know the problem's answer)
    guard = make_guard(mode.guard) if checks and not plan.filters else None
    preface = guard.start(plan.user_text) if guard else ""
    record = plan.record.update(status="streaming", model=backend.model_name, model_sha256=backend.sha256)
    if plan.model_messages is not None and plan.model_messages[-1]["content"] != plan.user_text:
        record = record.update(details={**record.details, "sent": plan.model_messages[-1]["content"]})
    message_id = store.add_message(session_id, "assistant", "", mode=mode.id, record=record)
    answer = _Answer(store, message_id)
    finished: Finished | None = None
    saved = False
    model_events: Iterator | None = None
    try:
        if plan.model_messages is not None:
            # Enter the engine's queue now, before anything goes back to the page: showing the
            # preface first let a student whose page rendered faster overtake one who asked
            # earlier. The first event (Queued or Started) comes before any decoding.
            stages = [f for f in (guard, *plan.filters) if f is not None]
            model_events = _stream_model(engine, plan, stages, stop)
            first = next(model_events, None)
        for piece in (preface, plan.before):
            if piece:
                answer.add(piece)
                yield Delta(piece)
        if model_events is None:
            finished = Finished("stop", GenStats(None, 0, None, 0.0, 0, 0.0))
        else:
            for item in itertools.chain([first] if first is not None else [], model_events):
                if isinstance(item, Finished):
                    finished = item
                elif isinstance(item, str):
                    answer.add(item)
                    yield Delta(item)
                else:  # Queued / Started: the page shows them
                    if isinstance(item, Started):  # its place in the engine's queue, kept with the answer
                        record = record.update(details={**record.details, "arrival": item.arrival})
                    yield item
            if finished is None:  # pragma: no cover - engine contract
                raise TutorError("The model stopped without finishing its answer.", "Try asking again.")
        tail = plan.after
        if plan.final_answer_line and finished.finish_reason in ("stop", "length"):
            tail = (
                shaping.final_answer_tail(answer.text + tail, cut=finished.finish_reason == "length") + tail
            )
        if tail:
            answer.add(tail)
            yield Delta(tail)
        status = {"stop": "complete", "length": "complete", "stopped": "stopped"}.get(
            finished.finish_reason, "error"
        )
        stages = [f for f in (guard, *plan.filters, plan.shaper) if f is not None]
        tripped = any(getattr(f, "tripped", False) for f in stages)
        record = record.update(
            status=status, finish_reason=finished.finish_reason, error=finished.error, guard_tripped=tripped
        ).with_stats(finished.stats if plan.model_messages is not None else None)
        dropped_text = [d for f in stages for d in getattr(f, "dropped", [])]
        if dropped_text:
            record = record.update(details={**record.details, "dropped": dropped_text[:20]})
        _save(store, message_id, answer.text, record)
        saved = True
        yield Done(session_id, message_id, answer.text, record, finished.stats, dropped_messages=dropped)
    finally:
        if model_events is not None:
            model_events.close()  # frees the engine's queue place or slot at once
        if not saved:
            # Closed early (Stop pressed, page left, even while the closing lines were being
            # shown) or an error: keep what was shown.
            stopped = record.update(status="stopped", finish_reason="stopped")
            _save(store, message_id, answer.text, stopped)


def _save(store: Store, message_id: int, text: str, record: AnswerRecord) -> None:
    """The final save of an answer; a session deleted meanwhile (another tab) is no error."""
    from tutor.access import AccessDenied

    try:
        store.update_message(message_id, content=text, record=record)
    except AccessDenied:
        pass


class _EitherStop:
    """Stop when the student pressed Stop OR the tutor has what it needs (the engine only
    asks ``is_set()``), so an early end still yields the engine's own stats."""

    def __init__(self, student: threading.Event | None) -> None:
        self.student = student
        self.tutor = threading.Event()

    def is_set(self) -> bool:
        return self.tutor.is_set() or (self.student is not None and self.student.is_set())


def _stream_model(engine: Engine, plan: tutoring.TurnPlan, stages: list, stop: threading.Event | None):
    """The model's answer through the plan's filters and shaper: yields shown text (str),
    Queued/Started events, and finally the engine's Finished. A shaper that has its
    sentences stops the model early (the answer counts as complete, with the engine's stats)."""
    either = _EitherStop(stop)
    gen = engine.generate(plan.model_messages, plan.gen, either)
    shaper = plan.shaper
    finished: Finished | None = None

    def through(text: str, final: bool = False, close: bool = True) -> str:
        for stage in stages:
            text = stage.feed(text) + (stage.finish() if final else "") if text or final else text
        if shaper is not None:
            text = shaper.feed(text) + (shaper.finish(close=close) if final else "")
        return text

    prefix = plan.model_prefix
    try:
        for event in gen:
            if isinstance(event, Token):
                shown = through(event.text)
                if shown.strip() and prefix:
                    shown, prefix = prefix + shown.lstrip(), ""
                if shown:
                    yield shown
                if shaper is not None and shaper.done:
                    either.tutor.set()  # enough sentences: the engine stops and reports its stats
            elif isinstance(event, Finished):
                finished = event
            else:
                yield event
    finally:
        gen.close()  # releases the engine's queue slot even if we were abandoned
    if finished is None:
        return
    by_student = finished.finish_reason == "stopped" and stop is not None and stop.is_set()
    if finished.finish_reason == "stopped" and not by_student:
        finished = Finished("stop", finished.stats, finished.error)  # the tutor ended it: complete
    # stopped by the student: the filters' held text still goes through the shaper (whole
    # sentences only), but no closing question is added
    tail = through("", final=True, close=not by_student)
    if tail.strip() and prefix:
        tail = prefix + tail.lstrip()
    if tail:
        yield tail
    yield finished
