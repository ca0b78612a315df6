"""Chat messages: ``{"messages": [{"role", "content"}, ...], "meta": {...}}`` (``meta`` is ignored).

The app's feedback export writes SFT rows in this shape; ``training.prepare_data`` writes its
train.jsonl/val.jsonl in it too.
"""

from __future__ import annotations

from training.formats import Format, messages_or_none, msg, register


def to_messages(row: dict) -> list[dict] | None:
    turns = row.get("messages")
    if not isinstance(turns, list):
        return None
    return messages_or_none([msg(t.get("role"), t.get("content")) if isinstance(t, dict) else None for t in turns])


FORMAT = register(Format("messages", "sft", lambda row: "messages" in row, to_messages))
