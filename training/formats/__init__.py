"""Data formats: one small module per row schema, behind one registry.

    from training.formats import FORMATS, detect_format, normalize
    normalize({"question": "...", "answer": "... #### 42"}, fmt="gsm8k")
    # -> [{"role": "user", ...}, {"role": "assistant", "content": "...\n**Final answer:** 42"}]

Each module registers a ``Format``: ``detect(row)`` says whether a row looks like it, and
``to_messages(row)`` returns ``[{"role", "content"}]`` (or None when the row is malformed).
Formats of kind ``sft`` feed training.sft; the one of kind ``preference`` feeds training.dpo
(``to_pair`` instead of ``to_messages``). ``auto`` picks the first format, in registration
order, whose ``detect`` accepts the row. Adding a format = one module + one import below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Format:
    name: str
    kind: str  # "sft" (conversations) | "preference" (prompt/chosen/rejected pairs)
    detect: Callable[[dict], bool]
    to_messages: Callable[[dict], list[dict] | None] | None = None
    to_pair: Callable[[dict], dict | None] | None = None
    doc: str = ""


REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    if fmt.name in REGISTRY or fmt.name == "auto":
        raise ValueError(f"data format {fmt.name!r} registered twice")
    REGISTRY[fmt.name] = fmt
    return fmt


def msg(role, content) -> dict | None:
    """One message, or None when the role is unknown or the content is not text."""
    return {"role": role, "content": content} if role in ROLES and isinstance(content, str) else None


def messages_or_none(msgs: list[dict | None]) -> list[dict] | None:
    """Stripped messages, or None if any of them is malformed."""
    if not msgs or any(m is None for m in msgs):
        return None
    return [{"role": m["role"], "content": m["content"].strip()} for m in msgs]


# Registration order is detection order.
from training.formats import sharegpt, messages, preference, gsm8k, alpaca  # noqa: E402,F401

FORMATS = ("auto",) + tuple(REGISTRY)
SFT_FORMATS = ("auto",) + tuple(n for n, f in REGISTRY.items() if f.kind == "sft")


def detect_format(row, kind: str | None = None) -> str | None:
    if not isinstance(row, dict):
        return None
    for name, fmt in REGISTRY.items():
        if (kind is None or fmt.kind == kind) and fmt.detect(row):
            return name
    return None


def get(fmt: str) -> Format:
    if fmt not in REGISTRY:
        raise ValueError(f"unknown data format {fmt!r}; use one of {', '.join(FORMATS)}")
    return REGISTRY[fmt]


def normalize(row, fmt: str = "auto", system_prompt: str | None = None) -> list[dict] | None:
    """One row -> [{"role", "content"}], or None if it is malformed for ``fmt``.

    ``system_prompt`` (when given) replaces the row's system message, or is added if it has none.
    """
    if fmt != "auto":
        get(fmt)
    name = detect_format(row, kind="sft") if fmt == "auto" else fmt
    if name is None or not isinstance(row, dict):
        return None
    spec = REGISTRY[name]
    if spec.to_messages is None:
        raise ValueError(f"data format {name!r} holds preference pairs, not conversations (use training.dpo)")
    msgs = spec.to_messages(row)
    if msgs is None:
        return None
    if system_prompt is not None:
        rest = [m for m in msgs if m["role"] != "system"]
        msgs = [{"role": "system", "content": system_prompt.strip()}] + rest
    return msgs
