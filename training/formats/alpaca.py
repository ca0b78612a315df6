"""Alpaca: ``{"instruction", "input", "output"}`` (ChatDoctor / HealthCareMagic use it).

ChatDoctor puts a generic persona line ("If you are a doctor, please answer ...") in
``instruction`` and the patient's message in ``input``: the persona becomes the system
message. A task instruction ("Summarize this:") stays in the user turn with its input.
The ChatDoctor clean-up rules (self-references, fake patient turns) are in chatdoctor.py.
"""

from __future__ import annotations

import re

from training.formats import Format, messages_or_none, msg, register

_SYSTEM_LIKE = re.compile(r"^\s*(if you are|you are|act as|as an? |pretend|imagine you are)", re.I)


def to_messages(row: dict) -> list[dict] | None:
    ins, inp, out = row.get("instruction") or "", row.get("input") or "", row.get("output")
    if not all(isinstance(x, str) for x in (ins, inp, out)):
        return None
    if inp.strip() and ins.strip() and _SYSTEM_LIKE.match(ins):
        msgs = [msg("system", ins), msg("user", inp)]
    elif inp.strip() and ins.strip():
        msgs = [msg("user", f"{ins.strip()}\n\n{inp.strip()}")]
    else:
        msgs = [msg("user", ins or inp)]
    return messages_or_none(msgs + [msg("assistant", out)])


FORMAT = register(
    Format("alpaca", "sft", lambda row: "output" in row and ("instruction" in row or "input" in row), to_messages)
)
