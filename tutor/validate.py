"""Check a student's question before anything is stored or sent to the model.

``clean_question`` is the single gate: it rejects what cannot be asked (nothing typed,
binary junk, a paste far longer than the model can read) with an ``InputRejected`` whose
message says what to do, and quietly removes invisible control characters (NUL, escape
codes, stray carriage returns) that would confuse the model or the database, telling the
student how many it removed. Otherwise the text stays exactly as typed.

It never raises anything but ``InputRejected``, whatever string it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.errors import InputRejected

MAX_QUESTION_CHARS = 8000
BINARY_RATIO = 0.30  # more than this share of control/replacement chars -> binary data
_BINARY_MIN_BAD = 3  # ... and at least this many (a single stray NUL is just stripped)

# C0 controls except \t and \n, DEL, C1 controls, and lone surrogates (cannot be stored as UTF-8).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")


@dataclass
class CleanQuestion:
    """The question to ask, plus notices to show the student about what was changed."""

    text: str
    notices: list[str] = field(default_factory=list)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def clean_question(text: object) -> CleanQuestion:
    """Return the cleaned question or raise ``InputRejected`` with a message for the student.

    - ``None``, empty or whitespace-only -> "Type a question first."
    - mostly control/replacement characters -> "looks like binary data"
    - longer than ``MAX_QUESTION_CHARS`` after cleaning -> says its length and the limit
    - ``\\r\\n`` and lone ``\\r`` become ``\\n``; other control characters (except ``\\n``
      and ``\\t``) are removed, with a notice saying how many.
    """
    if text is None:
        raise InputRejected("Type a question first.", "The question box is empty.")
    if not isinstance(text, str):
        raise InputRejected("The question must be text.", "Type or paste your question as plain text.")
    if not text.strip():
        raise InputRejected("Type a question first.", "The question box is empty or only has spaces.")

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = len(_BAD_RE.findall(text))
    if bad >= _BINARY_MIN_BAD and bad > BINARY_RATIO * len(text):
        raise InputRejected(
            "That looks like binary data, not a question.",
            "Paste the text of your question (not a file's raw contents) and try again.",
        )

    notices: list[str] = []
    cleaned, removed = _CONTROL_RE.subn("", text)
    if removed:
        notices.append(f"Removed {_plural(removed, 'invisible control character')} from your question.")
    if not cleaned.strip():
        raise InputRejected("Type a question first.", "Your question had no visible text.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InputRejected(
            f"Your question is {len(cleaned):,} characters long; the limit is {MAX_QUESTION_CHARS:,}.",
            "Shorten it: paste only the part you need help with, or ask in smaller pieces.",
        )
    return CleanQuestion(cleaned, notices)
