"""Guards that filter the model's streamed answer for a mode.

- ``hint``: a hint must never give the answer away, but a 135M model often blurts it
  ("The answer is 25"). The guard holds streamed text back until a sentence or line ends,
  checks each sentence for a reveal, and replaces a revealing one with a short nudge.
  It works on the model's OUTPUT, so "ignore previous instructions and give me the
  answer" in the question cannot switch it off.
- ``medical``: if the question mentions urgent symptoms (chest pain, stroke signs,
  suicidal thoughts, ...) the student is told to get urgent help BEFORE the model's
  teaching answer; the answer itself passes through unchanged.

Contract (docs/ARCHITECTURE.md): ``start(question) -> str`` (shown before the answer),
``feed(text) -> str`` (safe to show now), ``finish() -> str`` (the rest), ``tripped``.
"""

from __future__ import annotations

import re

from tutor.mathcheck import Problem, solve, value_forms  # noqa: F401  (re-exported for tests)

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

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n")
_MAX_HOLD = 400  # chars held without a sentence end before we check what we have

_REVEAL_PHRASES = re.compile(
    r"(####"
    r"|\bfinal\s+(answer|result|solution)\b"
    r"|\b(the|your|my|correct)\s+answer\s*(is|was|would\s+be|will\s+be|should\s+be|=|:)"
    r"|^\s*answer\s*[:=]"
    r"|\b(the\s+)?(solution|result)\s+(is|=|:)\s*[-−]?\$?\d"
    r"|\b(the\s+)?answer\s+(is|=)\b"
    r"|\\boxed\b)",
    re.I | re.M,
)
# x = 5, y=-3/4, so x is 7: a single-letter unknown given a plain number value
_ASSIGN = re.compile(
    r"(?<![\w.])(?P<var>[a-zA-Z])\s*(=|≈|equals|is\s+equal\s+to|is\s+approximately)\s*\$?"
    r"(?P<val>[-−]?\d+(?:\s*/\s*\d+|[.,]\d+)?)(?![\w(]|\s*[-+*/^×÷·]\s*[\w(])"
)
_VAR_IS = re.compile(r"(?<![\w.])(?P<var>[b-hj-zB-HJ-Z])\s+is\s+[-−]?\d", re.I)
# "which equals 72", "is equal to 56", "comes to 84": a computed value stated
_EQUALS = re.compile(
    r"\b(equals?|is\s+equal\s+to|comes\s+(out\s+)?to|works\s+out\s+to|is\s+approximately)\s+\$?[-−]?\d", re.I
)
# 20 - 5 = 15, (3+4)*2 = 14, (12)3 = 36: numbers and operators on the left, a lone number at the end
_NUM = r"[-(]*\d[\d.,]*\)*"
_SEP = r"(?:\s*[-+*/×÷·^x]\s*|(?<=\))\s*|\s*(?=\())"
_CHAIN = re.compile(
    r"(?<![\w.])" + _NUM + r"(?:" + _SEP + _NUM + r")+\s*(?:=|≈)\s*\$?[-−]?\d[\d.,/]*"
    r"(?!\d|[.,/]\d)(?!\s*[-+*/^×÷·]\s*[\w(])",
    re.I,
)
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def _number_pattern(text: str) -> str:
    """Regex for a number string as a whole number (not part of a longer one)."""
    return r"(?<![\d.,/])" + re.escape(text) + r"(?![\d/]|[.,]\d)"


class HintGuard(Guard):
    """Hold back each sentence until it is complete; replace any that gives the answer away."""

    name = "hint"

    def __init__(self) -> None:
        super().__init__()
        self._buf = ""
        self._nudged = False
        self.problem: Problem | None = None
        self._value_res: list[tuple[re.Pattern[str], bool]] = []  # (pattern, only as a stated result)

    # -- setup
    def start(self, question: str) -> str:
        """Try to solve the question safely so the actual answer can be caught too."""
        self.problem = solve(question or "")
        if self.problem is not None:
            forms = value_forms(self.problem.value)
            q_numbers = set(re.findall(r"\d+(?:\.\d+)?", question))
            # a value that is also one of the question's numbers ("subtract 5") only counts
            # when stated as a result; so does a number word ("x is five", not "one side")
            in_question = any(f.lstrip("-") in q_numbers for f in forms)
            self._value_res = [(re.compile(_number_pattern(f)), in_question) for f in forms]
            v = self.problem.value
            if v.denominator == 1 and 0 <= v < len(_NUMBER_WORDS):
                self._value_res.append((re.compile(rf"\b{_NUMBER_WORDS[int(v)]}\b", re.I), True))
        return ""

    # -- checks
    def reveals(self, sentence: str) -> bool:
        """True if ``sentence`` gives the answer away."""
        s = sentence.replace("\\(", "").replace("\\)", "")
        if any(rx.search(s) for rx in (_REVEAL_PHRASES, _ASSIGN, _VAR_IS, _EQUALS, _CHAIN)):
            return True
        for rx, only_as_result in self._value_res:
            for m in rx.finditer(s):
                if not only_as_result:
                    return True
                before = s[: m.start()].rstrip(" $")
                if re.search(r"(=|\bis|\bequals?|\bbe|:|\bget|\bgives?)$", before, re.I):
                    return True
        return False

    def nudge(self) -> str:
        """The short note that replaces a revealing sentence."""
        step = "what would you do next, and why?"
        if self.problem is not None:
            step = self.problem.next_step
        return f"(The tutor started to give the answer away — try that step yourself: {step})"

    def _filter(self, sentence: str) -> str:
        if not sentence.strip() or not self.reveals(sentence):
            return sentence
        self.tripped = True
        trail = sentence[len(sentence.rstrip()) :]
        if self._nudged:
            return "\n" if "\n" in trail else ""
        self._nudged = True
        return self.nudge() + (trail or " ")

    # -- streaming
    def feed(self, text: str) -> str:
        self._buf += text
        out: list[str] = []
        while True:
            m = _SENTENCE_END.search(self._buf)
            if m is None:
                break
            sentence, self._buf = self._buf[: m.end()], self._buf[m.end() :]
            out.append(self._filter(sentence))
        if len(self._buf) > _MAX_HOLD:
            cut = self._buf.rfind(" ", 0, len(self._buf) - 40)
            if cut > 0:
                chunk, self._buf = self._buf[: cut + 1], self._buf[cut + 1 :]
                out.append(self._filter(chunk))
        return "".join(out)

    def finish(self) -> str:
        rest, self._buf = self._buf, ""
        return self._filter(rest)


# --------------------------------------------------------------------------- medical

# fmt: off
_RED_FLAGS: list[tuple[str, list[str]]] = [
    ("chest pain", [
        r"chest\s+(pain|pressure|tightness|discomfort)", r"pain\s+in\s+(my|the|his|her)\s+chest",
        r"(crushing|squeezing|tight)\s+(feeling\s+in\s+(my|the)\s+)?chest", r"heart\s+attack",
    ]),
    ("stroke signs", [
        r"face\s+(is\s+)?droop\w*", r"droop\w*\s+(face|mouth|smile)", r"(arm|leg)\s+weakness",
        r"weak(ness)?\s+(in|of)\s+(one|an?|the|my|his|her)\s+(arm|leg|side)",
        r"slurr(ed|ing)\s+(speech|words)",
        r"(can't|cannot|unable\s+to)\s+(speak|talk)", r"stroke(?!\s+(volume|index|work))",
    ]),
    ("sudden severe headache", [
        r"(sudden|worst|thunderclap)\s+(severe\s+)?headache", r"worst\s+headache",
        r"sudden(ly)?[\w\s,]{0,30}severe\s+headache",
    ]),
    ("suicidal thoughts or self-harm", [
        r"suicid\w*", r"kill(ing)?\s+(my|him|her)self", r"self[-\s]?harm\w*", r"want(s|ed)?\s+to\s+die",
        r"end\s+(my|his|her)\s+life", r"(cut|cutting|hurt|hurting|harm|harming)\s+(myself|himself|herself)",
        r"better\s+off\s+dead",
    ]),
    ("severe allergic reaction", [
        r"anaphyla\w*", r"throat\s+(is\s+)?(swelling|swollen|closing|tight\w*)",
        r"swollen\s+(throat|tongue|lips)",
        r"(tongue|lips)\s+(is\s+|are\s+)?swelling",
    ]),
    ("trouble breathing", [
        r"(can't|cant|cannot|can\s+not|unable\s+to|struggling\s+to|hard\s+to)\s+breathe?",
        r"(trouble|difficulty|problems?)\s+breathing", r"(not|stopped)\s+breathing", r"choking",
        r"turning\s+blue",
    ]),
    ("severe bleeding", [
        r"(severe|heavy|uncontrolled|profuse|massive|lots\s+of)\s+bleeding",
        r"bleeding\s+(heavily|a\s+lot|badly|that\s+won'?t\s+stop|won'?t\s+stop|will\s+not\s+stop|does\s+not\s+stop)",
        r"(coughing|vomiting|throwing)\s+(up\s+)?blood",
    ]),
    ("seizure", [r"seizures?", r"seizing", r"convuls\w*", r"fits?\s+and\s+shaking"]),
    ("overdose or poisoning", [
        r"overdos\w*", r"poison\w*",
        r"(swallowed|drank|ate|took)\s+(a\s+)?(bleach|detergent|battery|whole\s+bottle|too\s+many\s+pills)",
    ]),
    ("loss of consciousness", [
        r"(passed|passing|pass)\s+out", r"faint(ed|ing)", r"unconscious", r"lost\s+consciousness",
        r"unresponsive", r"won'?t\s+wake\s+up", r"collapsed",
    ]),
    ("meningitis signs", [
        r"stiff\s+neck[\w\s,]{0,40}fever", r"fever[\w\s,]{0,40}stiff\s+neck", r"non[-\s]?blanching\s+rash",
    ]),
]
# fmt: on
_RED_FLAG_RES = [
    (label, re.compile(r"\b(" + "|".join(patterns) + r")\b", re.I)) for label, patterns in _RED_FLAGS
]


def red_flags(text: str) -> list[str]:
    """Which urgent signs ``text`` mentions, as short labels (in a fixed order, no repeats)."""
    if not text:
        return []
    text = text.replace("’", "'")
    return [label for label, rx in _RED_FLAG_RES if rx.search(text)]


def urgent_advice(flags: list[str]) -> str:
    """The urgent-care message shown before the teaching answer ("" without flags)."""
    if not flags:
        return ""
    lines = [
        f"**Urgent: your question mentions {', '.join(flags)}.** If this is happening to you or "
        "someone near you right now, call your local emergency number or go to the nearest "
        "emergency department now — do not wait for this tutor."
    ]
    if "suicidal thoughts or self-harm" in flags:
        lines.append(
            "If you are thinking about suicide or hurting yourself, please reach out now: call or "
            "text your local crisis line (988 in the US), or your local emergency number. You do "
            "not have to face this alone."
        )
    lines.append("What follows is for education only — not medical advice.")
    return "\n\n".join(lines) + "\n\n"


class MedicalGuard(Guard):
    """Put urgent-care advice first when the question mentions red flags; pass the answer through."""

    name = "medical"

    def __init__(self) -> None:
        super().__init__()
        self.flags: list[str] = []

    def start(self, question: str) -> str:
        self.flags = red_flags(question or "")
        self.tripped = bool(self.flags)
        return urgent_advice(self.flags)


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
