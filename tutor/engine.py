"""One model per process, shared by every session, one generation at a time.

``Engine`` sits in front of a small ``Backend`` (``LlamaCppBackend`` here; an
OpenAI-compatible server or ``tutor.fake.FakeBackend`` fit the same protocol) and adds:

- a FIFO queue: generations run one at a time in arrival order; a waiting caller
  gets ``Queued(position)`` events (again whenever the position changes);
- context fitting: the oldest turns are dropped so prompt + answer fit ``n_ctx``;
- streaming with a stop ``threading.Event`` (the partial answer is kept by the caller);
- stats: time to first token, tokens/s, queue wait.

``get_engine()`` caches one Engine per model name per process. Tests call
``set_engine_factory(lambda name: Engine(FakeBackend(...)))`` and ``reset_engines()``.

Prefix reuse: llama-cpp-python keeps the KV cache of the last evaluated tokens and
re-evaluates only the part of a new prompt after the longest common token prefix. The
system message stays first and history is replayed verbatim, so turn 2's prompt extends
turn 1's prompt + answer and only the new question is evaluated (see bench/engine.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Union

from tutor.config import Settings, get_settings
from tutor.errors import ContextOverflow, ModelCorrupt, ModelError, TutorError


@dataclass(frozen=True)
class GenSettings:
    """Sampling settings for one answer (temperature 0 = greedy)."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int | None = None
    stop: tuple[str, ...] = ()


# --- events yielded by Engine.generate, in this order ----------------------------------
@dataclass
class Queued:
    position: int  # 1 = next in line; yielded again whenever it changes


@dataclass
class Started:
    prompt_tokens: int
    dropped_messages: int  # oldest history messages left out to fit the context
    wait_s: float  # seconds spent in the queue


@dataclass
class Token:
    text: str


@dataclass
class GenStats:
    ttft_s: float | None  # start of generation (after the queue) -> first token, seconds
    tokens: int  # pieces streamed (one per model token, give or take multi-byte merges)
    tokens_per_s: float | None  # decode speed: (tokens - 1) / (last token - first token)
    total_s: float  # start of generation -> end, seconds (queue wait not included)
    prompt_tokens: int
    wait_s: float  # seconds spent in the queue


@dataclass
class Finished:
    finish_reason: str  # "stop" | "length" | "stopped" | "error"
    stats: GenStats
    error: str | None = None  # for "error": a message for the user


Event = Union[Queued, Started, Token, Finished]


class Backend(Protocol):
    """What the Engine needs from a model. Nothing else in Engine is backend-specific."""

    model_name: str
    sha256: str
    n_ctx: int

    def count_tokens(self, messages: list[dict]) -> int:
        """Prompt tokens of ``messages`` after the chat template."""
        ...

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        """Yield (text piece, finish reason or None); the last item carries the finish reason."""
        ...

    def close(self) -> None: ...


class Engine:
    """Serves generations from one backend, one at a time, first come first served."""

    MIN_ANSWER_TOKENS = 64  # below this the question is rejected instead of squeezed

    def __init__(self, backend: Backend, *, poll_s: float = 0.2) -> None:
        self.backend = backend
        self.poll_s = poll_s
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()  # head = the generation running now

    @property
    def model_name(self) -> str:
        return self.backend.model_name

    @property
    def sha256(self) -> str:
        return self.backend.sha256

    @property
    def n_ctx(self) -> int:
        return self.backend.n_ctx

    def queue_length(self) -> int:
        """Generations running or waiting now."""
        with self._cond:
            return len(self._queue)

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
            self._queue.append(ticket)
        try:
            yield from self._wait_turn(ticket, stop)
            wait_s = time.perf_counter() - t_arrive
            if stop is not None and stop.is_set():
                yield Finished("stopped", GenStats(None, 0, None, 0.0, 0, wait_s))
                return
            yield from self._run(messages, gen, stop, wait_s)
        finally:
            with self._cond:
                self._queue.remove(ticket)
                self._cond.notify_all()

    def _wait_turn(self, ticket: object, stop: threading.Event | None) -> Iterator[Event]:
        last = 0
        while True:
            with self._cond:
                position = self._queue.index(ticket)
                if position and position == last:
                    self._cond.wait(timeout=self.poll_s)
                    position = self._queue.index(ticket)
            if position == 0 or (stop is not None and stop.is_set()):
                return
            if position != last:
                last = position
                yield Queued(position)  # never yield while holding the lock

    def _run(self, messages: list[dict], gen: GenSettings, stop: threading.Event | None, wait_s: float):
        fitted, max_tokens, prompt_tokens = self._fit(messages, gen.max_tokens)
        yield Started(prompt_tokens, len(messages) - len(fitted), wait_s)
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
            close = getattr(pieces, "close", None)  # frees llama.cpp's generator at once
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


# --- the llama.cpp backend ---------------------------------------------------------------
class LlamaCppBackend:
    """A GGUF file run in-process by llama-cpp-python; the chat template comes from the GGUF."""

    RAM_CACHE_BYTES = 512 << 20  # LlamaRAMCache capacity when on

    def __init__(
        self,
        path: Path | str,
        *,
        model_name: str,
        n_ctx: int,
        n_threads: int,
        settings: Settings | None = None,
        ram_cache_bytes: int | None = None,
    ) -> None:
        """Load ``path``. ``ram_cache_bytes``: keep llama.cpp states of recent answers in RAM
        (LlamaRAMCache) so a follow-up after another session's turn still reuses its prefix
        (bench/engine.py measures it). 0 = off; None = RAM_CACHE_BYTES unless one state could
        take more than half of it. A state is the KV cache plus up to n_batch (512) rows of
        n_vocab float32 logits: about 35 MB after a 160-token SmolLM2 chat."""
        from tutor.models import check_gguf

        self.path = check_gguf(path)
        self.model_name = model_name
        self._settings = settings
        self._sha256: str | None = None
        try:
            from llama_cpp import Llama

            self.llama = Llama(
                model_path=str(self.path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                verbose=False,
            )
        except ValueError as exc:  # "Failed to load model from file"
            raise ModelCorrupt(
                f"llama.cpp could not load the model file {self.path} ({exc}).",
                "The file is probably truncated or from an incompatible export: re-download or "
                "re-export it, or pick another model.",
            ) from exc
        self.n_ctx = self.llama.n_ctx()
        self._formatter = self._make_formatter()
        worst_logits = min(self.n_ctx, self.llama.n_batch) * self.llama.n_vocab() * 4
        if ram_cache_bytes is None:
            ram_cache_bytes = self.RAM_CACHE_BYTES if worst_logits <= self.RAM_CACHE_BYTES // 2 else 0
        if ram_cache_bytes:
            from llama_cpp import LlamaRAMCache

            self.llama.set_cache(LlamaRAMCache(capacity_bytes=ram_cache_bytes))

    def _make_formatter(self) -> Any:
        """The same Jinja formatter llama-cpp-python builds from the GGUF's chat template;
        it is also installed as the chat handler so counting and generating agree."""
        from llama_cpp import llama_chat_format as lcf

        template = self.llama.metadata.get("tokenizer.chat_template")
        if not template:
            return None  # llama-cpp-python falls back to its own format; counts are estimates
        model = self.llama._model
        eos, bos = self.llama.token_eos(), self.llama.token_bos()
        formatter = lcf.Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )
        self.llama.chat_handler = formatter.to_chat_handler()
        return formatter

    @property
    def sha256(self) -> str:
        """SHA-256 of the GGUF file (computed on first use, cached across runs)."""
        if self._sha256 is None:
            from tutor.models import gguf_sha256

            self._sha256 = gguf_sha256(self.path, self._settings)
        return self._sha256

    def prompt_text(self, messages: list[dict]) -> str:
        """The prompt the model sees for ``messages`` (chat template applied)."""
        if self._formatter is None:
            text = "".join(f"{m['role']}: {m['content']}\n" for m in messages)
            return text + "assistant: "
        return self._formatter(messages=messages).prompt

    def count_tokens(self, messages: list[dict]) -> int:
        tokens = self.llama.tokenize(
            self.prompt_text(messages).encode("utf-8"), add_bos=self._formatter is None, special=True
        )
        return len(tokens) + (0 if self._formatter else 16)  # margin for an unknown template

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        chunks = self.llama.create_chat_completion(
            messages=messages,
            stream=True,
            temperature=gen.temperature,
            top_p=gen.top_p,
            top_k=gen.top_k,
            repeat_penalty=gen.repeat_penalty,
            max_tokens=gen.max_tokens,
            seed=gen.seed,
            stop=list(gen.stop),
        )
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                text = choice.get("delta", {}).get("content") or ""
                finish = choice.get("finish_reason")
                if text or finish:
                    yield text, finish
        finally:
            chunks.close()

    def close(self) -> None:
        self.llama.close()


def load_backend(
    name: str, settings: Settings | None = None, progress: Callable | None = None
) -> LlamaCppBackend:
    """Resolve a registry name to a file (downloading a Hub model once) and load it."""
    from tutor.models import load_registry, resolve_model_path

    settings = settings or get_settings()
    spec = load_registry(settings).get(name)
    path = resolve_model_path(spec, settings, progress)
    return LlamaCppBackend(
        path,
        model_name=name,
        n_ctx=spec.n_ctx or settings.n_ctx,
        n_threads=settings.n_threads,
        settings=settings,
    )


# --- one engine per model per process ---------------------------------------------------
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_factory: Callable[[str], Engine] | None = None


def default_model_name(settings: Settings | None = None) -> str:
    """TUTOR_MODEL if set, else the registry's default."""
    from tutor.models import load_registry

    settings = settings or get_settings()
    return settings.model_override or load_registry(settings).default


def get_engine(
    model_name: str | None = None, settings: Settings | None = None, progress: Callable | None = None
) -> Engine:
    """The process-wide Engine for ``model_name`` (None: TUTOR_MODEL or the registry default),
    loaded on first use. Errors are ModelError subclasses (or RegistryError for a bad name)."""
    settings = settings or get_settings()
    name = model_name or default_model_name(settings)
    with _engines_lock:  # two threads asking at once load the model once
        engine = _engines.get(name)
        if engine is None:
            if _factory is not None:
                engine = _factory(name)
            else:
                engine = Engine(load_backend(name, settings, progress))
            _engines[name] = engine
        return engine


def set_engine_factory(factory: Callable[[str], Engine] | None) -> None:
    """Build engines with ``factory(name)`` instead of loading GGUF files (tests);
    cached engines are dropped so the factory takes effect at once."""
    global _factory
    reset_engines()
    _factory = factory


def reset_engines() -> None:
    """Close and forget every cached engine and remove any factory set by tests."""
    global _factory
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
        _factory = None
    for engine in engines:
        try:
            engine.backend.close()
        except Exception:  # closing is best effort
            pass


__all__ = [
    "Backend",
    "Engine",
    "Event",
    "Finished",
    "GenSettings",
    "GenStats",
    "LlamaCppBackend",
    "ModelError",
    "Queued",
    "Started",
    "Token",
    "default_model_name",
    "get_engine",
    "load_backend",
    "reset_engines",
    "set_engine_factory",
]
