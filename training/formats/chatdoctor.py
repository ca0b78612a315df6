"""ChatDoctor clean-up: the dataset's answers call the model "ChatDoctor", go on to write the
patient's next turn, and sometimes end with a note about the generated dialogue itself.

    from training.formats.chatdoctor import clean_messages
    fixed = clean_messages(msgs)     # rewrites in place; -> {"chatdoctor": bool, "fake_turn": bool, "meta_note": bool}

Only applied with ``data.strip_chatdoctor: true`` (the default; harmless on other data: each rule
needs its own marker).
"""

from __future__ import annotations

import re

RULES = ("chatdoctor", "fake_turn", "meta_note")

_CD = r"chat\s?-?doctor(?:\.com)?"
_SELF_REFERENCES = [
    (re.compile(rf"\b(hi|hello|hey|dear)\s+{_CD}\b", re.I), r"\1 doctor"),
    (re.compile(rf"\b(?:welcome to|greetings from)\s+{_CD}\b\s*[.!,]?", re.I), ""),
    (re.compile(rf"\bfor\s+(?:using|choosing|contacting|visiting|trusting|consulting|writing\s+(?:to|in|on)"
                rf"|posting\s+(?:your\s+(?:query|question)\s+)?(?:on|in|to|at)|asking\s+(?:on|in|at|to)"
                rf"|your\s+(?:query|question)(?:\s+(?:on|to|in|at))?|asking)\s+{_CD}\b", re.I),
     "for your question"),
    (re.compile(rf"\b(?:I am|I'm|this is|my name is)\s+(?:(?:dr|doctor)\.?\s+)?{_CD}\b\s*[,.]?", re.I), ""),
    (re.compile(rf"\b(?:dr|doctor)\.?\s+{_CD}\b", re.I), ""),
    (re.compile(rf"\b{_CD}\b", re.I), "a doctor"),
]
_TIDY = [(re.compile(r"[ \t]+([.,!?;:])"), r"\1"), (re.compile(r"([,;])\s*([.!?])"), r"\2"),
         (re.compile(r"^\s*[,.;]\s*"), ""), (re.compile(r"[ \t]{2,}"), " "), (re.compile(r",\s*,"), ",")]
_FAKE_TURN = re.compile(r"\s*\b(?:Patient|Human|User)\s*:")
_META_NOTE = re.compile(r"\s*\(?\bNote:[^\n]*?\b(?:dialogue|conversation|prompt|exercise|language model"
                        r"|fictional|imaginary|back and forth)\b.*$", re.I | re.S)


def scrub_chatdoctor(text: str) -> str:
    """'Hi, I am ChatDoctor.' / 'Thanks for asking ChatDoctor' / 'ChatDoctor' -> neutral wording."""
    if not re.search(_CD, text, re.I):
        return text
    for pat, rep in _SELF_REFERENCES:
        text = pat.sub(rep, text)
    lines = []
    for line in text.split("\n"):
        for pat, rep in _TIDY:
            line = pat.sub(rep, line)
        lines.append(line)
    return "\n".join(lines).strip()


def cut_fake_turn(text: str) -> str:
    """Cut an answer where it goes on to write the patient's next turn ('... Patient: Okay, doctor.')."""
    m = _FAKE_TURN.search(text)
    return text[: m.start()].rstrip() if m and m.start() > 0 else text


def cut_meta_note(text: str) -> str:
    """Drop a closing '(Note: this dialogue is fictional ...)' written about the generated data itself."""
    m = _META_NOTE.search(text)
    return text[: m.start()].rstrip() if m and m.start() > 0 else text


def clean_messages(msgs: list[dict]) -> dict[str, bool]:
    """Apply the three rules to a conversation in place; say which ones changed something."""
    changed = dict.fromkeys(RULES, False)
    for m in msgs:
        new = scrub_chatdoctor(m["content"])
        changed["chatdoctor"] |= new != m["content"]
        if m["role"] == "assistant":
            cut = cut_fake_turn(new)
            changed["fake_turn"] |= cut != new
            new = cut_meta_note(cut)
            changed["meta_note"] |= new != cut
        m["content"] = new
    return changed
