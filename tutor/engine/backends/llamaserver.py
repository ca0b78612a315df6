"""llama.cpp's server engine in-process through ``xllamacpp``: N slots, continuous batching.

Why xllamacpp: it is llama.cpp's own ``llama-server`` (slots, continuous batching, prompt
cache per slot) compiled as a Python extension with prebuilt CPU wheels on PyPI, so
``pip install`` gives a class server with no compiler and no separate process to run.
Requests from several threads are decoded together in one batch; llama-cpp-python
decodes one sequence at a time.

    backend = LlamaServerBackend(path, model_name="smollm2-135m-class", n_ctx=2048,
                                 n_threads=2, slots=8)
    for text, finish in backend.stream(messages, GenSettings()): ...

- ``n_ctx`` is the context of ONE answer; the server holds ``n_ctx * slots`` KV cells
  (23 KB per cell for SmolLM2-135M: 2048 x 8 slots = 377 MB).
- Stop: the stream callback returns True, which ends the request and frees its slot.
- Memory: the server's RAM prompt cache is capped at ``ram_cache_mib`` (llama.cpp's
  default is 8 GiB).
- It also listens on 127.0.0.1 (a free port, a random API key, no web UI): ``url`` and
  ``api_key`` let an OpenAI client (tests, bench) talk to the same engine over HTTP.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Iterator

from tutor.config import Settings
from tutor.engine.backends.llamacpp import ChatPrompt, GGUFBackend
from tutor.engine.backends.pump import Emit, StreamPump
from tutor.engine.backends.wire import chunk_error, chunk_piece, request_body
from tutor.engine.settings import GenSettings
from tutor.errors import GenerationError, ModelCorrupt, ModelError


class LlamaServerBackend(GGUFBackend):
    """A GGUF file served by llama.cpp's server engine in this process (xllamacpp)."""

    RAM_CACHE_MIB = 256  # the server's prompt cache in RAM (llama.cpp's default: 8192)

    def __init__(
        self,
        path: Path | str,
        *,
        model_name: str,
        n_ctx: int,
        n_threads: int,
        slots: int = 8,
        settings: Settings | None = None,
        ram_cache_mib: int | None = None,
    ) -> None:
        from tutor.models import check_gguf

        try:
            import xllamacpp
        except ImportError as exc:
            raise ModelError(
                f"The model {model_name!r} uses the llama-server backend, but xllamacpp is not installed.",
                "Install it (`.venv/bin/pip install -r requirements.txt`) or pick another model.",
            ) from exc
        self.path = check_gguf(path)
        self.model_name = model_name
        self.slots = slots
        self.n_ctx = n_ctx
        self._settings = settings
        self.prompt = ChatPrompt.from_gguf(self.path)  # counting tokens without the server
        self.api_key = secrets.token_urlsafe(24)
        p = xllamacpp.CommonParams()
        p.model.path = str(self.path)
        p.n_parallel = slots
        p.n_ctx = n_ctx * slots  # split evenly: each slot gets n_ctx
        p.kv_unified = False
        p.cont_batching = True
        p.cpuparams.n_threads = n_threads
        p.cpuparams_batch.n_threads = n_threads
        p.cache_ram_mib = self.RAM_CACHE_MIB if ram_cache_mib is None else ram_cache_mib
        p.hostnames = ["127.0.0.1"]  # loopback only, a free port, a key, no web UI, no /slots
        p.port = 0
        p.api_keys = [self.api_key]
        p.ui = False
        p.endpoint_slots = False
        p.endpoint_metrics = False
        p.verbosity = 1  # errors only (llama.cpp logs every slot event at its default, 3)
        try:
            self.server = xllamacpp.Server(p)
        except RuntimeError as exc:  # "Failed to init server, please check the input params."
            raise ModelCorrupt(
                f"llama.cpp's server could not load the model file {self.path} ({exc}).",
                "The file may be truncated or too large for this machine's memory: re-export it, "
                "lower `parallel` or `n_ctx` in models.yaml, or pick another model.",
            ) from exc

    @property
    def url(self) -> str:
        """The OpenAI-compatible endpoint of this engine (loopback), e.g. http://127.0.0.1:41234/v1."""
        return self.server.listening_address.rstrip("/") + "/v1"

    def count_tokens(self, messages: list[dict]) -> int:
        return self.prompt.count(messages)

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        body = request_body(messages, gen)
        server = self.server

        def run(emit: Emit) -> None:
            failure: list[str] = []

            def on_chunk(chunk: Any) -> bool:  # called by the server's thread; True ends the request
                if not isinstance(chunk, dict):
                    failure.append(f"an unexpected reply: {str(chunk)[:200]}")
                    return True
                error = chunk_error(chunk)
                if error is not None:
                    failure.append(error)
                    return True
                text, finish = chunk_piece(chunk)
                if text or finish:
                    return emit(text, finish)
                return emit("", None)  # role-only first chunk: lets a cancel be seen early

            server.handle_chat_completions(body, on_chunk)
            if failure:
                raise GenerationError(
                    f"llama.cpp's server failed to answer ({failure[0]}).",
                    "Press Retry; if it happens again, ask a shorter question or start a new session.",
                )

        return StreamPump(run, name=f"llama-server-{self.model_name}")

    def close(self) -> None:
        self.server = None  # the extension's destructor stops the server loop and frees the model


__all__ = ["LlamaServerBackend"]
