"""How the tutor's answers are shaped and labelled: whole sentences, the filters on the
model's words beside checked math, the checked / not-checked labels and the final-answer line.

``Shaper`` releases whole sentences (and closes a hint with one question); ``no_math_filter``
is the ``SentenceGuard`` on the model's words beside checked math (Step by step, Explain);
``final_answer_tail`` ends an unchecked solution with its ``**Final answer:**`` line. ``tutor.tutoring`` decides which of these a turn gets.
"""

from __future__ import annotations

import re
from typing import Any

CHECKED_LABEL = "✅ **Checked by the solver**"
NOT_CHECKED_LABEL = "⚠️ **Not checked** — written by the AI model, which can make mistakes."
FINAL_ANSWER = "**Final answer:**"
# Beside checked math the model's words stand apart, and say whose they are.
MODEL_NOTE = "\n\n💬 *In the AI model's words (not checked):* "
CHECK_QUESTION = "**Check your understanding:**"


def strip_label(text: str) -> str:
    """An answer without its checked / not-checked label line."""
    for label in (CHECKED_LABEL, NOT_CHECKED_LABEL):
        text = text.replace(label, "")
    return text.strip()


_SENTENCE = re.compile(r".*?(?:[.!?](?:[\"')\]*_]*)(?=\s|$)|\n)", re.S)


class Shaper:
    """Release whole sentences only; optionally stop after a few and close with one question.

    ``feed(text) -> str`` returns complete sentences (held text waits for its end);
    ``finish() -> str`` drops an unfinished last sentence (``keep_partial=False``) and adds
    ``end_question`` when the text does not already end with a question. ``done`` turns True
    once the budget is spent, so the caller can stop the model early.
    """

    def __init__(
        self,
        max_sentences: int | None = None,
        end_question: str | None = None,
        *,
        keep_partial: bool = False,
        drop: re.Pattern[str] | None = None,
    ) -> None:
        self.max_sentences = max_sentences
        self.end_question = end_question
        self.keep_partial = keep_partial
        self.drop = drop
        self.done = False
        self.tripped = False  # a sentence was dropped (the chat handler records it)
        self.dropped: list[str] = []
        self._buf = ""
        self._count = 0
        self._shown = ""

    def feed(self, text: str) -> str:
        if self.done:
            return ""
        self._buf += text
        out = []
        while not self.done:
            m = _SENTENCE.match(self._buf)
            if m is None:
                break
            sentence, self._buf = m.group(), self._buf[m.end() :]
            out.append(self._take(sentence))
        return "".join(out)

    def _take(self, sentence: str) -> str:
        if not sentence.strip():
            if not self._shown.strip():
                return ""
            if "\n" not in sentence:
                return sentence
            # at most one blank line: dropped sentences leave their line breaks behind
            room = 2 - (len(self._shown) - len(self._shown.rstrip("\n")))
            piece = "\n" * max(0, min(room, sentence.count("\n")))
            self._shown += piece
            return piece
        if self.drop is not None and self.drop.search(sentence):
            self.tripped = True
            self.dropped.append(sentence.strip())
            return ""
        piece = sentence if self._shown.strip() else sentence.lstrip()
        self._shown += piece
        self._count += 1
        is_question = sentence.rstrip().rstrip("\"')]*_").endswith("?")
        if (self.max_sentences is not None and self._count >= self.max_sentences) or (
            is_question and self.end_question is not None
        ):
            self.done = True
        return piece

    def finish(self, close: bool = True) -> str:
        """The rest: an unfinished sentence is dropped (unless ``keep_partial``); with ``close``
        the closing question is added when the text does not end with one (False: the student
        pressed Stop, so nothing is added)."""
        tail = ""
        if not self.done and self._buf.strip() and self.keep_partial:
            tail = self._take(self._buf)
        self._buf = ""
        if not close:
            return tail
        if self.end_question is not None and not self._shown.rstrip().rstrip("\"')]*_").endswith("?"):
            sep = "" if not self._shown or self._shown.endswith((" ", "\n")) else " "
            tail += sep + self.end_question
            self._shown += sep + self.end_question
        return tail

    @property
    def text(self) -> str:
        return self._shown


# --------------------------------------------------------------------------- the model's math
_MATH_CHARS = re.compile(r"[\d=^$\\+*/<>≤≥±√∫]|\b[a-zA-Z]\s*[(=]")


def no_math_filter(solution: Any = None) -> Any:
    """For the model's note beside checked steps: a sentence with any math in it is not shown
    (the note is about the method in words; the math on the page is the solver's), nor one
    that names a kind of mathematics the checked work does not contain ("an exponential
    function" beside the derivative of a polynomial)."""
    from tutor.pedagogy.leak import SentenceGuard
    from tutor.pedagogy.vocabulary import checked_text, foreign_term

    known = checked_text(solution) if solution is not None else None

    class NoMath(SentenceGuard):
        name = "no-math"

        def _filter(self, sentence: str) -> str:
            why = "math in the note" if _MATH_CHARS.search(sentence) else None
            if why is None and sentence.rstrip().endswith(":"):
                why = "introduces what follows, which is math or not shown"  # "For this problem:"
            if why is None and known is not None and (term := foreign_term(sentence, known)):
                why = f"names what the checked work does not contain: {term}"
            if why:
                self._drop(sentence, why)
                return "\n" if "\n" in sentence[len(sentence.rstrip()) :] else ""
            return sentence

    return NoMath()


# --------------------------------------------------------------------------- final answers
_FINAL_RE = re.compile(r"final\s+answer\s*\**\s*[:：]", re.I)
_NUMBER_RE = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:/\d+)?")


def final_answer_tail(text: str, cut: bool = False) -> str:
    """For a model's unchecked solution without a final-answer line: the line to add ("" if it has one).

    The last number the model stated becomes the final answer (it stays labelled not checked);
    with no number at all the line says so; an answer cut at the length limit never got to one."""
    if _FINAL_RE.search(text):
        return ""
    numbers = _NUMBER_RE.findall(text)
    if cut:
        value = "(not reached: the answer was cut at this mode's length)"
    else:
        value = numbers[-1].replace("−", "-").rstrip(".,") if numbers else "(the model did not state one)"
    sep = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{sep}{FINAL_ANSWER} {value}"
