"""The OpenAI chat-completions wire format, shared by the server backends.

``request_body`` builds the streaming request (with llama.cpp's extra sampling fields
``top_k`` and ``repeat_penalty``); ``chunk_piece`` and ``chunk_error`` read one chunk.
"""

from __future__ import annotations

from typing import Any

from tutor.engine.settings import GenSettings


def request_body(messages: list[dict], gen: GenSettings) -> dict[str, Any]:
    """The OpenAI chat request for ``gen`` with llama.cpp's extra sampling fields."""
    body: dict[str, Any] = {
        "messages": messages,
        "stream": True,
        "max_tokens": gen.max_tokens,
        "temperature": gen.temperature,
        "top_p": gen.top_p,
        "top_k": gen.top_k,
        "repeat_penalty": gen.repeat_penalty,
    }
    if gen.seed is not None:
        body["seed"] = gen.seed
    if gen.stop:
        body["stop"] = list(gen.stop)
    return body


def chunk_error(chunk: dict) -> str | None:
    """The error message of an error reply from llama.cpp's server (None for a normal chunk)."""
    if "choices" in chunk:
        return None
    err = chunk.get("error", chunk)
    if isinstance(err, dict) and ("message" in err or "code" in err):
        return str(err.get("message") or err.get("code"))
    return f"an unexpected reply: {str(chunk)[:200]}"


def chunk_piece(chunk: dict) -> tuple[str, str | None]:
    """(text, finish_reason) of one OpenAI-style stream chunk (a dict)."""
    choices = chunk.get("choices") or [{}]
    choice = choices[0] or {}
    delta = choice.get("delta") or {}
    return delta.get("content") or "", choice.get("finish_reason")


__all__ = ["chunk_error", "chunk_piece", "request_body"]
