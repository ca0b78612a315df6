"""ShareGPT (FineTome-100k): ``conversations: [{from: human|gpt|system, value}]``, plus ``score``."""

from __future__ import annotations

from training.formats import Format, messages_or_none, msg, register

ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


def to_messages(row: dict) -> list[dict] | None:
    turns = row.get("conversations")
    if not isinstance(turns, list):
        return None
    out = []
    for t in turns:
        if not isinstance(t, dict):
            return None
        who = t.get("from", t.get("role"))
        role = ROLES.get(str(who).lower()) if who is not None else None
        out.append(msg(role, t.get("value", t.get("content"))))
    return messages_or_none(out)


FORMAT = register(Format("sharegpt", "sft", lambda row: "conversations" in row, to_messages))
