"""Guards that filter the model's streamed answer for a mode.

- ``hint``: a hint must never give the answer away, but a 135M model often blurts it
  ("The answer is 25"). The math core's ``LeakGuard`` holds streamed text back until a
  sentence or line ends, checks each sentence against the solver's answer in every
  equivalent form, and replaces a revealing one with a short nudge. It works on the model's
  OUTPUT, so "ignore previous instructions and give me the answer" cannot switch it off.
- ``medical``: if the asker may be in danger now (chest pain, stroke signs, suicidal
  thoughts, ... see tutor/medical/), urgent-care advice comes BEFORE the model's teaching
  answer; the answer passes through unchanged and always ends with the mode's notice.

Contract (docs/ARCHITECTURE.md): ``start(question) -> str`` (shown before the answer),
``feed(text) -> str`` (safe to show now), ``finish() -> str`` (the rest), ``tripped``.
"""

from __future__ import annotations


from tutor.medical.advice import NOTICE, closing_text, urgent_text
from tutor.medical.lexicon import CATEGORIES
from tutor.medical.redflags import Triage, detect

# --------------------------------------------------------------------------- base


class Guard:
    """A pass-through guard; subclasses filter. ``tripped`` is True once it changed the answer."""

    name: str | None = None

    def __init__(self) -> None:
        self.tripped = False

    def start(self, question: str) -> str:
        """Text to show before the model's answer ("" if none)."""
        return ""

    def feed(self, text: str) -> str:
        """Streamed text that is safe to show now (may hold some back)."""
        return text

    def finish(self) -> str:
        """Flush what was held back (filtered)."""
        return ""


# --------------------------------------------------------------------------- hint
class HintGuard(Guard):
    """For a mode with ``guard: hint`` whose answers the math core does not plan (a mode file
    without ``pedagogy``): the question is read by the solver at ``start`` and the model's words
    go through ``tutor.pedagogy.LeakGuard``, which knows the answer in every equivalent form;
    for a word problem (nothing the solver reads) any number the story does not state is held
    back. Pages with ``pedagogy: hints`` get the same guard from ``tutor.tutoring``."""

    name = "hint"

    def __init__(self) -> None:
        super().__init__()
        self._inner = None
        self._pending = ""

    def start(self, question: str) -> str:
        from tutor.pedagogy import LeakGuard, analyse

        solution = analyse(question or "")
        self._inner = LeakGuard(solution, question or "", strict_numbers=solution is None)
        return ""

    def _guard(self):
        if self._inner is None:
            self.start("")
        return self._inner

    def reveals(self, sentence: str) -> bool:
        return self._guard().reveals(sentence)

    def feed(self, text: str) -> str:
        out = self._guard().feed(text)
        self.tripped = self._guard().tripped
        return out

    def finish(self) -> str:
        out = self._guard().finish()
        self.tripped = self._guard().tripped
        return out


# --------------------------------------------------------------------------- medical
# The detector and its texts live in tutor/medical/ (redflags.detect, advice).


def red_flags(text: str) -> list[str]:
    """The urgent signs in ``text`` when the asker may be in danger now, as short labels
    (fixed order, no repeats); [] for none, and for a study question that only mentions them."""
    triage = detect(text or "")
    return list(triage.labels) if triage.urgent else []


def urgent_advice(flags: list[str]) -> str:
    """The urgent-care message shown before the teaching answer ("" without flags).

    ``flags`` are labels from ``red_flags`` (or category ids, e.g. "chest_pain")."""
    by_label = {label: cat for cat, label in CATEGORIES.items()}
    return urgent_text([by_label.get(f, f) for f in flags])


class MedicalGuard(Guard):
    """Urgent-care advice first when the asker may be in danger now; the answer passes
    through; the mode's notice always ends the answer. ``tripped``: urgent advice was given."""

    name = "medical"

    def __init__(self, notice: str = NOTICE) -> None:
        super().__init__()
        self.notice = notice
        self.triage: Triage | None = None
        self.flags: list[str] = []

    def start(self, question: str) -> str:
        self.triage = detect(question or "")
        self.flags = list(self.triage.labels) if self.triage.urgent else []
        self.tripped = self.triage.urgent
        return urgent_text(self.triage.categories) if self.triage.urgent else ""

    def finish(self) -> str:
        return closing_text(self.triage, self.notice)


# --------------------------------------------------------------------------- factory

_GUARDS: dict[str, type[Guard]] = {"hint": HintGuard, "medical": MedicalGuard}
GUARD_NAMES = tuple(_GUARDS)


def make_guard(name: str | None) -> Guard | None:
    """A fresh guard for one answer: "hint", "medical", or None for no guard."""
    if name is None:
        return None
    try:
        return _GUARDS[name]()
    except KeyError:
        raise ValueError(f"unknown guard {name!r}; expected one of {', '.join(GUARD_NAMES)}") from None
