"""``FakeBackend``: the model boundary for tests (no GGUF, no llama.cpp).

Queue the replies, run the code under test, then look at what the model was asked::

    from tutor.engine import Engine, GenSettings
    from tutor.fake import FakeBackend, install_fake

    fake = FakeBackend()
    fake.enqueue(["The ", "answer ", "is ", "4."])            # one reply, streamed piece by piece
    fake.enqueue(["Too ", "long"], finish_reason="length")    # the next reply
    fake.enqueue(["slow"], delay_s=0.05)                      # sleeps 0.05 s before each piece
    FakeBackend(slots=4)                                      # the Engine runs 4 answers at once
    fake.fail_next(RuntimeError("boom"), after_tokens=1)      # next call: one piece, then raises
    engine = Engine(fake)
    ...
    fake.calls[-1]        # the messages of the last generation (after context fitting)
    fake.gens[-1]         # the GenSettings it got (max_tokens possibly reduced)

    fake = install_fake()  # get_engine() now returns one Engine(fake) for any model name
                           # (this fake answers "This is a fake answer." when nothing is queued);
                           # call tutor.engine.reset_engines() afterwards (a fixture's teardown)

Rules (all deterministic):
- ``count_tokens`` = sum over messages of (words in content + 4);
- a reply longer than ``max_tokens`` is cut there and finishes with "length";
- with no reply queued, ``default_reply`` is used (None: the call raises AssertionError,
  so a test that forgot to enqueue fails loudly).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Iterator

from tutor.engine import Engine, GenSettings, set_engine_factory


@dataclass
class _Reply:
    tokens: list[str]
    finish_reason: str = "stop"
    delay_s: float = 0.0
    error: BaseException | None = None


class FakeBackend:
    """A scripted Backend. Thread-safe enough for queue tests (replies are popped under a lock)."""

    def __init__(
        self,
        model_name: str = "fake-model",
        *,
        n_ctx: int = 4096,
        sha256: str = "f" * 64,
        default_reply: list[str] | None = None,
        slots: int = 1,
    ) -> None:
        self.model_name = model_name
        self.slots = slots  # generations the Engine lets run at once (a batching server's slots)
        self.sha256 = sha256
        self.n_ctx = n_ctx
        self.default_reply = default_reply
        self.calls: list[list[dict]] = []
        self.gens: list[GenSettings] = []
        self.closed = False
        self._replies: deque[_Reply] = deque()
        self._lock = threading.Lock()

    # --- scripting -------------------------------------------------------------------
    def enqueue(self, tokens: list[str], finish_reason: str = "stop", delay_s: float = 0.0) -> None:
        """Queue one reply: ``tokens`` are streamed in order, then ``finish_reason``."""
        with self._lock:
            self._replies.append(_Reply(list(tokens), finish_reason, delay_s))

    def fail_next(self, error: BaseException, after_tokens: int = 0, tokens: list[str] | None = None) -> None:
        """Queue a reply that streams ``after_tokens`` pieces (of ``tokens``) and then raises ``error``."""
        pieces = list(tokens) if tokens is not None else [f"tok{i} " for i in range(after_tokens)]
        with self._lock:
            self._replies.append(_Reply(pieces[:after_tokens], "error", 0.0, error))

    # --- Backend protocol ------------------------------------------------------------
    def count_tokens(self, messages: list[dict]) -> int:
        """Words in each message's content + 4 per message (deterministic, template-free)."""
        return sum(len(str(m.get("content") or "").split()) + 4 for m in messages)

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        with self._lock:
            self.calls.append([dict(m) for m in messages])
            self.gens.append(gen)
            if self._replies:
                reply = self._replies.popleft()
            elif self.default_reply is not None:
                reply = _Reply(list(self.default_reply))
            else:
                raise AssertionError("FakeBackend.stream called but no reply was enqueued")
        return self._play(reply, gen.max_tokens)

    def _play(self, reply: _Reply, max_tokens: int) -> Iterator[tuple[str, str | None]]:
        tokens, finish = reply.tokens, reply.finish_reason
        if reply.error is None and len(tokens) > max_tokens:
            tokens, finish = tokens[:max_tokens], "length"
        for i, text in enumerate(tokens):
            if reply.delay_s:
                time.sleep(reply.delay_s)
            last = i == len(tokens) - 1 and reply.error is None
            yield text, (finish if last else None)
        if reply.error is not None:
            raise reply.error
        if not tokens:
            yield "", finish

    def close(self) -> None:
        self.closed = True


def install_fake(backend: FakeBackend | None = None) -> FakeBackend:
    """Make ``get_engine()`` return an Engine over ``backend`` (a new FakeBackend if None)
    for every model name. Undo with ``tutor.engine.reset_engines()``."""
    fake = backend or FakeBackend(default_reply=["This ", "is ", "a ", "fake ", "answer."])
    engine = Engine(fake)
    set_engine_factory(lambda name: engine)
    return fake
