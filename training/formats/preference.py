"""Preference pairs for DPO, in TRL's conversational format (one object per line):

    {"prompt":   [{"role": "system", "content": "..."}, {"role": "user", "content": "..."}],
     "chosen":   [{"role": "assistant", "content": "..."}],
     "rejected": [{"role": "assistant", "content": "..."}],
     "meta": {...}}                                    # optional, ignored by training

The prompt is optional system messages, then alternating user/assistant turns ending with a
user turn; chosen and rejected are one assistant message each. The app's feedback export
writes exactly this.
"""

from __future__ import annotations

from training.formats import Format, messages_or_none, msg, register


def _turns(value) -> list[dict] | None:
    if not isinstance(value, list):
        return None
    return messages_or_none([msg(t.get("role"), t.get("content")) if isinstance(t, dict) else None for t in value])


def to_pair(row: dict) -> dict | None:
    """-> {"prompt": [...], "chosen": [...], "rejected": [...]} (meta dropped), or None if malformed."""
    prompt, chosen, rejected = _turns(row.get("prompt")), _turns(row.get("chosen")), _turns(row.get("rejected"))
    if prompt is None or chosen is None or rejected is None:
        return None
    body = [m for m in prompt if m["role"] != "system"]
    if not body or prompt[len(prompt) - len(body):] != body or body[-1]["role"] != "user":
        return None  # system messages first, and the prompt must end with the user's turn
    if any(m["role"] == body[i - 1]["role"] for i, m in enumerate(body) if i):
        return None  # user and assistant alternate
    for side in (chosen, rejected):
        if len(side) != 1 or side[0]["role"] != "assistant":
            return None
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


FORMAT = register(
    Format(
        "preference",
        "preference",
        lambda row: {"prompt", "chosen", "rejected"} <= set(row),
        to_pair=to_pair,
    )
)
