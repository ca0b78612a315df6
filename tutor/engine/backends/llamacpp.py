"""In-process llama-cpp-python: one generation at a time (the personal default).

Also home of ``ChatPrompt`` (a GGUF's chat template + tokenizer, used to count prompt
tokens by this backend and by the llama-server one) and ``CompactRAMCache`` (the prompt
state cache with a size that counts what it really holds).

Prefix reuse: llama-cpp-python keeps the KV cache of the last evaluated tokens and
re-evaluates only the part of a new prompt after the longest common token prefix. The
system message stays first and history is replayed verbatim, so turn 2's prompt extends
turn 1's prompt + answer and only the new question is evaluated (see bench/engine.py).
The RAM cache keeps recent states so a follow-up after another session's turn still
reuses its prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from tutor.config import Settings
from tutor.engine.settings import GenSettings
from tutor.errors import ModelCorrupt


class ChatPrompt:
    """The chat template and tokenizer of a loaded ``llama_cpp.Llama`` (the GGUF's own template)."""

    def __init__(self, llama: Any) -> None:
        from llama_cpp import llama_chat_format as lcf

        self.llama = llama
        self.formatter = None
        template = llama.metadata.get("tokenizer.chat_template")
        if template:  # else llama-cpp-python falls back to its own format; counts are estimates
            model = llama._model
            eos, bos = llama.token_eos(), llama.token_bos()
            self.formatter = lcf.Jinja2ChatFormatter(
                template=template,
                eos_token=model.token_get_text(eos) if eos != -1 else "",
                bos_token=model.token_get_text(bos) if bos != -1 else "",
                stop_token_ids=[eos],
            )

    @classmethod
    def from_gguf(cls, path: Path | str) -> "ChatPrompt":
        """Only the vocabulary and template of ``path`` (no weights: a few MB, milliseconds)."""
        from llama_cpp import Llama

        try:
            return cls(Llama(model_path=str(path), vocab_only=True, verbose=False))
        except ValueError as exc:
            raise _corrupt(Path(path), exc) from exc

    def text(self, messages: list[dict]) -> str:
        """The prompt the model sees for ``messages`` (chat template applied)."""
        if self.formatter is None:
            text = "".join(f"{m['role']}: {m['content']}\n" for m in messages)
            return text + "assistant: "
        return self.formatter(messages=messages).prompt

    def count(self, messages: list[dict]) -> int:
        tokens = self.llama.tokenize(
            self.text(messages).encode("utf-8"), add_bos=self.formatter is None, special=True
        )
        return len(tokens) + (0 if self.formatter else 16)  # margin for an unknown template


def _corrupt(path: Path, exc: Exception) -> ModelCorrupt:
    return ModelCorrupt(
        f"llama.cpp could not load the model file {path} ({exc}).",
        "The file is probably truncated or from an incompatible export: re-download or "
        "re-export it, or pick another model.",
    )


def compact_ram_cache(capacity_bytes: int) -> Any:
    """A ``LlamaRAMCache`` whose size counts everything a saved state holds.

    llama-cpp-python's own cache counts only the llama.cpp state (KV cells), not the copy of
    the output scores each ``LlamaState`` also carries (n_tokens x n_vocab float32: ~30 MB
    after a 160-token SmolLM2 chat), so a 512 MiB cache grew past 1.8 GiB. With
    ``logits_all=False`` (ours) those scores are never read back: a restored state is always
    re-evaluated from its last token before sampling (``Llama._requires_eval``). So each state
    keeps one row of scores, and the size counted is KV state + scores + token ids.
    """
    import numpy as np
    from llama_cpp import LlamaRAMCache

    class CompactRAMCache(LlamaRAMCache):
        @staticmethod
        def state_bytes(state: Any) -> int:
            return int(state.llama_state_size) + int(state.scores.nbytes) + int(state.input_ids.nbytes)

        @property
        def cache_size(self) -> int:
            return sum(self.state_bytes(s) for s in self.cache_state.values())

        def __setitem__(self, key: Any, value: Any) -> None:
            if value.scores.shape[0] > 1:  # the last row only (see above); a copy frees the rest
                value.scores = np.ascontiguousarray(value.scores[-1:]).copy()
            super().__setitem__(key, value)

    return CompactRAMCache(capacity_bytes=capacity_bytes)


def return_large_buffers_to_the_os(threshold_bytes: int = 1 << 20) -> bool:
    """Make glibc serve every allocation >= ``threshold_bytes`` with its own mmap (freed at once).

    Each answer saved in the RAM cache allocates and frees buffers of tens of MB (llama.cpp's
    state, the scores copy). glibc raises its mmap threshold after such a free (up to 32 MB)
    and later serves them from the heap, where freed space is not returned: resident memory
    creeps up answer after answer. A fixed threshold turns that off. No-op off glibc.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-3, int(threshold_bytes)))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


class GGUFBackend:
    """What the backends that run a GGUF file here share: the file and its SHA-256."""

    path: Path
    _settings: Settings | None = None
    _sha256: str | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 of the GGUF file (computed on first use, cached across runs)."""
        if self._sha256 is None:
            from tutor.models import gguf_sha256

            self._sha256 = gguf_sha256(self.path, self._settings)
        return self._sha256


class LlamaCppBackend(GGUFBackend):
    """A GGUF file run in-process by llama-cpp-python; the chat template comes from the GGUF."""

    RAM_CACHE_BYTES = 256 << 20  # CompactRAMCache capacity when on (real bytes, see compact_ram_cache)
    slots = 1  # llama-cpp-python decodes one sequence at a time

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
        so a follow-up after another session's turn still reuses its prefix (bench/engine.py
        measures it). 0 = off; None = RAM_CACHE_BYTES. A state is the KV cache of its tokens
        (about 23 KB per token for SmolLM2-135M) plus one row of scores."""
        from tutor.models import check_gguf

        self.path = check_gguf(path)
        self.model_name = model_name
        self._settings = settings
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
            raise _corrupt(self.path, exc) from exc
        self.n_ctx = self.llama.n_ctx()
        self.prompt = ChatPrompt(self.llama)
        if self.prompt.formatter is not None:  # counting and generating use the same template
            self.llama.chat_handler = self.prompt.formatter.to_chat_handler()
        if ram_cache_bytes is None:
            ram_cache_bytes = self.RAM_CACHE_BYTES
        if ram_cache_bytes:
            return_large_buffers_to_the_os()
            self.llama.set_cache(compact_ram_cache(ram_cache_bytes))

    def prompt_text(self, messages: list[dict]) -> str:
        """The prompt the model sees for ``messages`` (chat template applied)."""
        return self.prompt.text(messages)

    def count_tokens(self, messages: list[dict]) -> int:
        return self.prompt.count(messages)

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


__all__ = ["ChatPrompt", "GGUFBackend", "LlamaCppBackend", "compact_ram_cache", "return_large_buffers_to_the_os"]
