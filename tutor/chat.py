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

import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from tutor.engine import Engine, Finished, GenStats, Queued, Started, Token
from tutor.errors import StorageError, TutorError
from tutor.guards import make_guard
from tutor.prompts import Mode, build_messages
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
    status: str  # complete | stopped | error
    finish_reason: str
    stats: GenStats | None = None
    guard_tripped: bool = False
    error: str | None = None
    dropped_messages: int = 0


Event = Notice | SessionStarted | Queued | Started | Delta | Done


def history_for_model(rows: list[dict]) -> list[dict]:
    """The stored turns the model should see again: user questions and non-empty answers."""
    turns = []
    for row in rows:
        if row["role"] not in ("user", "assistant"):
            continue
        if row["role"] == "assistant" and not (row.get("content") or "").strip():
            continue
        turns.append({"role": row["role"], "content": row["content"]})
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
    question: str,
    *,
    session_id: int | None = None,
    stop: threading.Event | None = None,
) -> Iterator[Event]:
    """Answer ``question`` in ``mode``; yields events (see module docstring).

    Raises ``InputRejected``/``ContextOverflow`` before anything is stored,
    ``StorageError`` if the database cannot be written.
    """
    cleaned = clean_question(question)
    history = history_for_model(store.messages(session_id)) if session_id is not None else []
    messages = build_messages(mode, history, cleaned.text)
    fitted, _ = engine.fit_messages(messages, mode.gen.max_tokens)  # ContextOverflow: nothing stored
    dropped = len(messages) - len(fitted)

    backend = engine.backend
    if session_id is None:
        session_id = store.create_session(mode.id, backend.model_name, session_title(cleaned.text))
        yield SessionStarted(session_id)
    for text in cleaned.notices:
        yield Notice(text)
    store.add_message(session_id, "user", cleaned.text, mode=mode.id)

    guard = make_guard(mode.guard)
    preface = guard.start(cleaned.text) if guard else ""
    message_id = store.add_message(
        session_id,
        "assistant",
        preface,
        mode=mode.id,
        model=backend.model_name,
        model_sha256=backend.sha256,
        status="streaming",
    )
    answer = _Answer(store, message_id, preface)
    if preface:
        yield Delta(preface)

    finished: Finished | None = None
    gen = engine.generate(messages, mode.gen, stop)
    try:
        for event in gen:
            if isinstance(event, Token):
                shown = guard.feed(event.text) if guard else event.text
                if shown:
                    answer.add(shown)
                    yield Delta(shown)
            elif isinstance(event, Finished):
                finished = event
            else:  # Queued / Started: the page shows them
                yield event
        if finished is None:  # pragma: no cover - engine contract
            raise TutorError("The model stopped without finishing its answer.", "Try asking again.")
        tail = guard.finish() if guard else ""
        if tail:
            answer.add(tail)
            yield Delta(tail)
        status = {"stop": "complete", "length": "complete", "stopped": "stopped"}.get(
            finished.finish_reason, "error"
        )
        _save_final(store, answer, status, finished.finish_reason, finished.stats, finished.error)
        yield Done(
            session_id,
            message_id,
            answer.text,
            status,
            finished.finish_reason,
            finished.stats,
            guard_tripped=bool(guard and guard.tripped),
            error=finished.error,
            dropped_messages=dropped,
        )
    finally:
        gen.close()  # releases the engine's queue slot even if we were abandoned
        if finished is None:
            # Closed early (Stop pressed, page left) or an error: keep what was shown.
            _save_final(store, answer, "stopped", "stopped", None)


def _save_final(
    store: Store,
    answer: _Answer,
    status: str,
    finish_reason: str,
    stats: GenStats | None,
    error: str | None = None,
) -> None:
    fields: dict = {"content": answer.text, "status": status, "finish_reason": finish_reason, "error": error}
    if stats is not None:
        fields.update(
            ttft_s=stats.ttft_s,
            tokens=stats.tokens,
            tokens_per_s=stats.tokens_per_s,
            prompt_tokens=stats.prompt_tokens,
            total_s=stats.total_s,
        )
    store.update_message(answer.message_id, **fields)
