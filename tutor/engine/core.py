"""``Engine``: one model shared by every session of the process, N answers at a time.

``Engine`` sits in front of a small ``Backend`` (in-process llama-cpp-python, llama.cpp's
server engine through xllamacpp, any OpenAI-compatible server, or ``tutor.fake.FakeBackend``)
and adds, the same for all of them:

- slots and a FIFO queue: up to ``backend.slots`` generations run at once (1 for
  llama-cpp-python, N for a batching server); a caller beyond that waits in arrival order
  and gets ``Queued(position)`` events (again whenever the position changes);
- context fitting: the oldest turns are dropped so prompt + answer fit ``n_ctx``;
- streaming with a stop ``threading.Event``: the backend's stream is closed, which cancels
  the request on every backend and frees its slot (the partial answer is kept by the caller);
- stats: time to first token, tokens/s, queue wait.

Backends yield ``("", None)`` now and then while they wait for a server (a heartbeat), so
Stop is seen within a fraction of a second even before the first token.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import replace
from typing import Iterator, Protocol

from tutor.engine.events import Event, Finished, GenStats, Queued, Started, Token
from tutor.engine.settings import GenSettings
from tutor.errors import ContextOverflow, TutorError


class Backend(Protocol):
    """What the Engine needs from a model. Nothing else in Engine is backend-specific."""

    model_name: str
    sha256: str  # of the GGUF file; for a remote server, a digest of its URL + model name
    n_ctx: int  # context of ONE answer (prompt + answer), tokens
    slots: int  # generations the backend runs at once (1 = one after the other)

    def count_tokens(self, messages: list[dict]) -> int:
        """Prompt tokens of ``messages`` after the chat template (never an undercount)."""
        ...

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        """Yield (text piece, finish reason or None); the last item carries the finish reason.

        ("", None) is a heartbeat. Closing the iterator cancels the request and frees the slot.
        Failures raise (a TutorError's message is shown to the student as is)."""
        ...

    def close(self) -> None: ...


class Engine:
    """Serves generations from one backend, ``backend.slots`` at a time, first come first served."""

    MIN_ANSWER_TOKENS = 64  # below this the question is rejected instead of squeezed

    def __init__(self, backend: Backend, *, poll_s: float = 0.2) -> None:
        self.backend = backend
        self.poll_s = poll_s
        self._cond = threading.Condition()
        self._running: set[object] = set()
        self._waiting: deque[object] = deque()
        self._arrivals = itertools.count(1)  # under the lock: the queue's order, exactly

    @property
    def model_name(self) -> str:
        return self.backend.model_name

    @property
    def sha256(self) -> str:
        return self.backend.sha256

    @property
    def n_ctx(self) -> int:
        return self.backend.n_ctx

    @property
    def slots(self) -> int:
        return max(1, int(getattr(self.backend, "slots", 1) or 1))

    def queue_length(self) -> int:
        """Generations running or waiting now."""
        with self._cond:
            return len(self._running) + len(self._waiting)

    def busy_slots(self) -> int:
        """Generations running now (at most ``slots``)."""
        with self._cond:
            return len(self._running)

    # --- context fitting ---------------------------------------------------------------
    def fit_messages(self, messages: list[dict], max_tokens: int) -> tuple[list[dict], int]:
        """Drop the oldest non-system turns until prompt + ``max_tokens`` fit ``n_ctx``.

        User/assistant pairs are dropped together; system messages and the newest
        message are always kept. If only those are left and still too long, the
        answer budget shrinks down to MIN_ANSWER_TOKENS; past that, ContextOverflow.
        Returns (messages to send, max_tokens to use).
        """
        fitted, max_tokens, _ = self._fit(messages, max_tokens)
        return fitted, max_tokens

    def _fit(self, messages: list[dict], max_tokens: int) -> tuple[list[dict], int, int]:
        """fit_messages, also returning the prompt's token count (counted once)."""
        n_ctx = self.backend.n_ctx
        count = self.backend.count_tokens
        prompt = count(messages)
        if prompt + max_tokens <= n_ctx:
            return list(messages), max_tokens, prompt
        system = [i for i, m in enumerate(messages) if m.get("role") == "system"]
        turns = [i for i in range(len(messages) - 1) if i not in system]  # droppable, oldest first
        kept = list(range(len(messages)))
        while turns:
            drop = [turns.pop(0)]
            # keep a user message together with the assistant reply that answers it
            if (
                turns
                and messages[drop[0]].get("role") == "user"
                and messages[turns[0]].get("role") == "assistant"
            ):
                drop.append(turns.pop(0))
            kept = [i for i in kept if i not in drop]
            prompt = count([messages[i] for i in kept])
            if prompt + max_tokens <= n_ctx:
                return [messages[i] for i in kept], max_tokens, prompt
        fitted = [messages[i] for i in kept]
        room = n_ctx - prompt
        if room >= min(max_tokens, self.MIN_ANSWER_TOKENS):
            return fitted, min(max_tokens, room), prompt
        question = count([m for m in fitted if m.get("role") != "system"])
        over = prompt + self.MIN_ANSWER_TOKENS - n_ctx
        raise ContextOverflow(
            f"This question is too long for the model: with the tutor's instructions it is {prompt} "
            f"tokens (the question alone about {question}), and {self.model_name} reads at most "
            f"{n_ctx} tokens including at least {self.MIN_ANSWER_TOKENS} for the answer, "
            f"so it is {over} tokens too long.",
            "Shorten the question or split it into parts and ask them one by one.",
        )

    # --- generation --------------------------------------------------------------------
    def generate(
        self, messages: list[dict], gen: GenSettings, stop: threading.Event | None = None
    ) -> Iterator[Event]:
        """Queue, fit, stream. Yields Queued* Started Token* Finished.

        ContextOverflow is raised (before Started) when the question cannot fit;
        backend failures end with Finished("error", error=message). Abandoning the
        generator (close() / garbage collection) frees the slot for the next caller.
        """
        ticket = object()
        t_arrive = time.perf_counter()
        with self._cond:
            self._waiting.append(ticket)
            arrival = next(self._arrivals)
        try:
            yield from self._wait_turn(ticket, stop)
            wait_s = time.perf_counter() - t_arrive
            if stop is not None and stop.is_set():
                yield Finished("stopped", GenStats(None, 0, None, 0.0, 0, wait_s))
                return
            yield from self._run(messages, gen, stop, wait_s, arrival)
        finally:
            with self._cond:
                self._running.discard(ticket)
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._cond.notify_all()

    def _take_slot(self, ticket: object) -> int:
        """Under the lock: 0 if ``ticket`` now holds a slot, else its place in line (1 = next)."""
        if self._waiting[0] is ticket and len(self._running) < self.slots:
            self._waiting.popleft()
            self._running.add(ticket)
            if self._waiting and len(self._running) < self.slots:
                self._cond.notify_all()  # another slot is free: the next in line may take it now
            return 0
        return self._waiting.index(ticket) + 1

    def _wait_turn(self, ticket: object, stop: threading.Event | None) -> Iterator[Event]:
        last = 0
        while True:
            with self._cond:
                position = self._take_slot(ticket)
                if position and position == last:
                    self._cond.wait(timeout=self.poll_s)
                    position = self._take_slot(ticket)
            if position == 0 or (stop is not None and stop.is_set()):
                return
            if position != last:
                last = position
                yield Queued(position)  # never yield while holding the lock

    def _run(self, messages: list[dict], gen: GenSettings, stop: threading.Event | None, wait_s: float,
             arrival: int = 0):
        fitted, max_tokens, prompt_tokens = self._fit(messages, gen.max_tokens)
        yield Started(prompt_tokens, len(messages) - len(fitted), wait_s, arrival)
        t0 = time.perf_counter()
        t_first = t_last = None
        tokens = 0
        reason, error = "length", None
        pieces: Iterator[tuple[str, str | None]] | None = None
        try:
            pieces = self.backend.stream(fitted, replace(gen, max_tokens=max_tokens))
            for text, finish in pieces:
                if stop is not None and stop.is_set():
                    reason = "stopped"
                    break
                if text:
                    t_last = time.perf_counter()
                    t_first = t_first or t_last
                    tokens += 1
                    yield Token(text)
                if finish:
                    reason = finish
                if stop is not None and stop.is_set():
                    reason = "stopped"
                    break
        except TutorError as exc:
            reason, error = "error", str(exc)
        except Exception as exc:  # the backend failed mid-answer: report, don't crash the page
            reason, error = "error", f"The model failed while answering ({type(exc).__name__}: {exc})."
        finally:
            close = getattr(pieces, "close", None)  # cancels the request, frees the slot at once
            if close is not None:
                close()
        end = time.perf_counter()
        rate = (
            (tokens - 1) / (t_last - t_first)
            if tokens > 1 and t_last and t_first and t_last > t_first
            else None
        )
        stats = GenStats(
            ttft_s=(t_first - t0) if t_first else None,
            tokens=tokens,
            tokens_per_s=rate,
            total_s=end - t0,
            prompt_tokens=prompt_tokens,
            wait_s=wait_s,
        )
        yield Finished(reason, stats, error)


__all__ = ["Backend", "Engine"]
