"""Any OpenAI-compatible server (vLLM, llama.cpp's llama-server, Ollama) through the ``openai`` client.

Where a school outgrows one machine, the tutor talks to a serving engine over HTTP
instead of growing its own. Configured per model in ``models.yaml``::

    school-gpu:
      source: remote
      url: http://10.0.0.5:8000/v1       # the server's OpenAI base URL
      remote_model: tutor-1b              # the model name that server serves
      api_key_env: TUTOR_SCHOOL_KEY       # optional: the key is read from this variable
      n_ctx: 4096                         # tokens one request may use on that server
      parallel: 32                        # answers the tutor sends at once (the rest queue here)
      timeout_s: 60                       # a server silent this long is reported, with a retry

- Sampling: temperature, top_p, max_tokens, seed and stop are standard; top_k and the
  repeat penalty go as extra fields (``top_k``, ``repeat_penalty`` for llama.cpp,
  ``repetition_penalty`` for vLLM), which servers that do not know them ignore.
- Prompt tokens are counted with a conservative estimate (the server's tokenizer is not
  here): 1 token per 3 bytes of the templated text + 8 per message, so context fitting
  may drop an old turn early but never sends a prompt that does not fit.
- Stop closes the HTTP stream; llama-server and vLLM cancel a request whose client left.
- A server that is down, slow or answers with an error ends the answer with a message for
  the student and the hint to retry; nothing stored is lost (tutor/chat.py keeps it).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterator

from tutor.engine.backends.pump import Emit, StreamPump
from tutor.engine.backends.wire import request_body
from tutor.engine.settings import GenSettings
from tutor.errors import GenerationError, ModelError

RETRY_HINT = "Press Retry in a moment; your question and the answers so far are saved."


def estimate_tokens(messages: list[dict]) -> int:
    """Upper estimate of a chat prompt's tokens without the server's tokenizer."""
    total = 8  # the template's opening and the assistant header
    for m in messages:
        total += 8 + -(-len(str(m.get("content") or "").encode("utf-8")) // 3)
    return total


class OpenAIBackend:
    """A model served by an OpenAI-compatible server, streamed with the official client."""

    def __init__(
        self,
        *,
        model_name: str,
        base_url: str,
        remote_model: str,
        n_ctx: int,
        slots: int = 4,
        api_key_env: str | None = None,
        timeout_s: float = 60.0,
        connect_timeout_s: float = 5.0,
    ) -> None:
        import httpx
        import openai

        key = "no-key"  # the client insists on one; servers without auth ignore it
        if api_key_env:
            key = os.environ.get(api_key_env, "")
            if not key:
                raise ModelError(
                    f"The model {model_name!r} needs an API key in the environment variable "
                    f"{api_key_env}, which is not set.",
                    f"Start the app with {api_key_env}=... (ask whoever runs the model server).",
                )
        self.model_name = model_name
        self.base_url = base_url.rstrip("/")
        self.remote_model = remote_model
        self.n_ctx = n_ctx
        self.slots = slots
        self.timeout_s = timeout_s
        self.sha256 = hashlib.sha256(f"{self.base_url}|{remote_model}".encode()).hexdigest()
        self._openai = openai
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=key,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            max_retries=0,  # the student retries, with the page telling them why
        )

    def count_tokens(self, messages: list[dict]) -> int:
        return estimate_tokens(messages)

    def _request(self, messages: list[dict], gen: GenSettings) -> dict[str, Any]:
        """The client's arguments: the standard fields, and the rest as ``extra_body``."""
        body = request_body(messages, gen)
        extra = {k: body.pop(k) for k in ("top_k", "repeat_penalty")}
        extra["repetition_penalty"] = gen.repeat_penalty  # vLLM's name for it
        return {"model": self.remote_model, **body, "extra_body": extra}

    def _error(self, exc: Exception) -> GenerationError:
        """A message for the student about what the server did, with the retry hint."""
        o = self._openai
        where = f"The model server for {self.model_name} ({self.base_url})"
        if isinstance(exc, o.APITimeoutError):
            return GenerationError(f"{where} did not answer within {self.timeout_s:g} s.", RETRY_HINT)
        if isinstance(exc, o.APIConnectionError):
            cause = exc.__cause__ or exc
            return GenerationError(f"{where} cannot be reached ({cause}); it may be down.", RETRY_HINT)
        if isinstance(exc, o.APIStatusError):
            detail = getattr(exc, "message", "") or str(exc)
            return GenerationError(f"{where} answered with an error (HTTP {exc.status_code}: {detail}).", RETRY_HINT)
        return GenerationError(
            f"{where} sent a reply the tutor could not read ({type(exc).__name__}: {str(exc)[:200]}).",
            RETRY_HINT,
        )

    def stream(self, messages: list[dict], gen: GenSettings) -> Iterator[tuple[str, str | None]]:
        kwargs = self._request(messages, gen)
        holder: dict[str, Any] = {}

        def run(emit: Emit) -> None:
            try:
                response = self.client.chat.completions.create(**kwargs)
                holder["response"] = response
                with response:
                    for chunk in response:
                        if not chunk.choices:  # e.g. a usage-only chunk
                            continue
                        choice = chunk.choices[0]
                        text = (choice.delta.content if choice.delta else None) or ""
                        if emit(text, choice.finish_reason):
                            return
            except GenerationError:
                raise
            except Exception as exc:  # after a cancel nobody reads this any more: harmless
                raise self._error(exc) from exc

        def cancel() -> None:
            response = holder.get("response")
            if response is not None:
                response.close()  # the server sees the client leave and frees the slot

        return StreamPump(run, on_cancel=cancel, name=f"openai-{self.model_name}")

    def close(self) -> None:
        self.client.close()


__all__ = ["OpenAIBackend", "estimate_tokens"]
