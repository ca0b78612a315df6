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
import unicodedata
from dataclasses import dataclass, field

from tutor.errors import InputRejected

MAX_QUESTION_CHARS = 8000
BINARY_RATIO = 0.30  # more than this share of control/replacement chars -> binary data
_BINARY_MIN_BAD = 3  # ... and at least this many (a single stray NUL is just stripped)

# C0 controls except \t and \n, DEL, C1 controls, and lone surrogates (cannot be stored as UTF-8).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
# Zero-width joiner/non-joiner are needed by emoji sequences and some scripts; every other
# Unicode format character (category Cf: bidi overrides and isolates, zero-width spaces,
# word joiners, BOM, soft hyphens, tag characters...) is invisible and can reverse or hide
# text, so it is removed.
_KEEP_FORMAT = {"\u200c", "\u200d"}
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def strip_invisible(text: str) -> tuple[str, int]:
    """``text`` without Unicode format characters (bidi controls, zero-width spaces, BOM,
    tags...) except ZWJ/ZWNJ; returns (text, how many were removed)."""
    if text.isascii():
        return text, 0
    kept = [ch for ch in text if ch in _KEEP_FORMAT or unicodedata.category(ch) != "Cf"]
    return "".join(kept), len(text) - len(kept)


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
    cleaned, formats = strip_invisible(cleaned)
    if formats:
        notices.append(
            f"Removed {_plural(formats, 'invisible formatting character')} (such as right-to-left "
            "overrides or zero-width spaces) from your question."
        )
    if not cleaned.strip():
        raise InputRejected("Type a question first.", "Your question had no visible text.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InputRejected(
            f"Your question is {len(cleaned):,} characters long; the limit is {MAX_QUESTION_CHARS:,}.",
            "Shorten it: paste only the part you need help with, or ask in smaller pieces.",
        )
    return CleanQuestion(cleaned, notices)


def clean_label(text: object, max_chars: int = 80) -> CleanQuestion:
    """A one-line label (session title, display name): control and invisible formatting
    characters removed, whitespace collapsed, cut to ``max_chars`` with an ellipsis.
    Never raises; ``notices`` says what was removed."""
    raw = text if isinstance(text, str) else ""
    cleaned, controls = _CONTROL_RE.subn(" ", raw)
    cleaned, formats = strip_invisible(cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > max_chars:
        cleaned = cleaned[: max_chars - 1].rstrip() + "…"
    notices = []
    if controls + formats:
        notices.append(f"Removed {_plural(controls + formats, 'invisible character')}.")
    return CleanQuestion(cleaned, notices)
