"""The math a sentence of prose states, as claims the checkers can verify.

    math_claims("48 plus 24 is 72")            -> [Claim(equation: 48 + 24 = 72)]
    math_claims("so x must be five")           -> [Claim(result: x = 5)]
    math_claims("there are 3 bolts in total")  -> [Claim(result: 3)]
    math_claims("The derivative is 3x^2 + 2")  -> [Claim(result: 3x^2 + 2, subject "derivative")]
    math_claims("the roots are 2 and 3")       -> [Claim(result: 2), Claim(result: 3)]
    math_claims("Subtract 5 from both sides.") -> [Claim(value: 5)]

How: the sentence is normalised (LaTeX, Unicode, markdown, number words, "plus"/"is"/
"subtract A from B" as signs), cut into runs of math tokens (numbers, one-letter unknowns,
signs, brackets, function names; any other word ends a run), each run is split at its
relation signs and every side read with ``parse_math``. The words around a run give its role:
"equation" (lhs = rhs), "result" (stated as THE answer/total/"so x is"/"which gives"), or
"value" (a number or expression mentioned). Bounded: long sentences are read in part and
say so (``read_claims(...).complete``), so a guard can be strict about what it could not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from tutor.pedagogy.notation import MAX_SENTENCE, normalize, read_piece

MAX_RUNS = 24  # math runs read from one sentence
ROLES = ("equation", "result", "value")


@dataclass(frozen=True)
class Claim:
    """One piece of math a sentence states."""

    text: str  # the run it was read from, normalised ("48 + 24 = 72")
    role: str  # "equation" | "result" | "value"
    rhs: Any = field(compare=False)  # the value/expression stated (sympy; a set for "{2, 3}")
    lhs: Any = field(default=None, compare=False)  # the left side of an equation/relation, if any
    relation: str = "="  # "=", "<", ">", "<=", ">=", "!=", "≈", "∈"
    subject: str = ""  # what it is about: "answer", "derivative", "derivative of", "total", ...
    lhs_text: str = ""
    rhs_text: str = ""

    @property
    def computed(self) -> bool:
        """The left side is a computation written out (``48 + 24``, ``(12)3``), not a name."""
        if self.lhs is None or getattr(self.lhs, "free_symbols", True):
            return False
        return bool(re.search(r"\d", self.lhs_text)) and bool(
            re.search(r"[-+*/^]|\)\s*\(|\)\s*\d|\d\s*\(", self.lhs_text.strip().lstrip("-"))
        )

    @property
    def literal(self) -> bool:
        """The stated value is written as a plain number: 5, -3, 2.5, 10/2, 50%."""
        return bool(re.fullmatch(r"\s*-?\s*\d+(?:\.\d+)?(?:\s*/\s*\d+)?\s*%?\s*", self.rhs_text))


@dataclass(frozen=True)
class Reading:
    claims: tuple[Claim, ...]
    complete: bool  # False when the sentence was too long or had too many runs to read them all
    text: str  # the normalised sentence


# --------------------------------------------------------------------------- runs of math
_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?%?)|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)*)|(?P<rel><=|>=|!=|==|=|<|>|≈|∈)"
    r"|(?P<op>[-+*/^±])|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<comma>,)|(?P<space>[ \t]+)|(?P<other>[\s\S])"
)
MATH_WORDS = {"sqrt", "sin", "cos", "tan", "log", "ln", "exp", "abs", "oo", "pi"}
_ORDINAL = {"st", "nd", "rd", "th", "am", "pm", "s", "h", "m", "km", "cm", "kg", "g", "mm", "ml", "l"}


@dataclass
class _Run:
    start: int
    end: int
    text: str


def _is_math_word(tok: str, prev: str, prev_glued: bool, after: str) -> bool:
    if tok in MATH_WORDS:
        return True
    if prev_glued and prev == "num":  # 3x, 2xy; but 3rd, 5th, 10am, 5s
        return tok.lower() not in _ORDINAL and len(tok) <= 3
    if len(tok) != 1:
        return False
    next_is_math = bool(re.match(r"\s*[-+*/^=<>)(]", after))
    if prev == "num" and not prev_glued and not next_is_math:  # a unit: "4582 L", "5 m", "10 s"
        return False
    if tok in "aAI":  # English words unless they sit in math: "2a", "a + b", "a = 3"
        return prev in ("op", "rel", "num") or next_is_math
    return True


def _runs(text: str) -> list[_Run]:
    runs, cur, depth, prev, prev_end = [], [], 0, "", -1

    def close() -> None:
        nonlocal cur, depth
        if cur:
            runs.append(_Run(cur[0][0], cur[-1][1], text[cur[0][0] : cur[-1][1]]))
        cur, depth = [], 0

    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "word" and not _is_math_word(
            tok, prev, prev_end == m.start(), text[m.end() : m.end() + 3]
        ):
            close()
        elif kind == "num" and prev == "num" and cur:  # "two $10 bills": 2 and 10, not 2 * 10
            close()
            cur.append((m.start(), m.end()))
        elif kind == "other" or (kind == "comma" and depth == 0):
            close()
        elif kind != "space" or cur:
            if kind == "open":
                depth += 1
            elif kind == "close":
                depth -= 1
            cur.append((m.start(), m.end()))
        if kind != "space":
            prev, prev_end = kind, m.end()
    close()
    return runs


def _trim(side: str) -> str:
    """Drop dangling signs and unmatched brackets at the ends of a side."""
    side = side.strip()
    for _ in range(len(side)):
        before = side
        side = re.sub(r"^[+*/^±,]+|[-+*/^±,]+$", "", side).strip()
        if side.count("(") > side.count(")") and side.startswith("("):
            side = side[1:].strip()
        if side.count(")") > side.count("(") and side.endswith(")"):
            side = side[:-1].strip()
        if side == before:
            break
    return side


def _split_relations(run: str) -> tuple[list[str], list[str]]:
    sides, rels, depth, start = [], [], 0, 0
    for m in re.finditer(r"<=|>=|!=|==|=|<|>|≈|∈|[(\[{]|[)\]}]", run):
        tok = m.group()
        if tok in "([{":
            depth += 1
        elif tok in ")]}":
            depth -= 1
        elif depth <= 0:
            sides.append(run[start : m.start()])
            rels.append("=" if tok == "==" else tok)
            start = m.end()
    sides.append(run[start:])
    return [_trim(s) for s in sides], rels


# --------------------------------------------------------------------------- roles
_SUBJECTS = (
    r"answer|result|solution|root|zero|total|sum|product|difference|quotient|derivative|integral"
    r"|antiderivative|limit|value|area|slope|gradient|remainder|average|mean|function|number"
)
_CUE_VERB = re.compile(
    r"\b(?:get|gets|got|getting|gives?|giving|gave|makes?|making|made|yields?|leaves?|leaving|left\s+with"
    r"|comes?\s+to|works?\s+out\s+to|results?\s+in|becomes?|ends?\s+up\s+with|obtains?|obtained|(?:we|you|they|i)\s+find|finds|found"
    r"|(?:it|this|that|which)\s+(?:must|has\s+to|should|would|will)\s+be|(?:it|this|that|which)\s+is|it'?s|that'?s"
    r"|approaches|tends\s+to|goes\s+to|(?:a|the|in)\s+total\s+of"
    r"|(?:she|he|they|we|you|it|i)\s+(?:has|have|had|sold|earns?|earned|needs?|needed|pays?|paid|spent|spends?"
    r"|saves?|saved|owes?|bought|buys?|used|uses?|ate|read|ran|walked|drove|wrote|collected|gave))"
    r"(?:\s+(?:us|you|me|them|him|her))?\s*$",
    re.I,
)
# "simplifies to", "factors as": what follows is the result of the whole task
_TASK_CUE = re.compile(
    r"\b(?P<verb>simplifies|factors|factori[sz]es|expands|reduces|differentiates|integrates)\s+(?:to|as|into)\s*$",
    re.I,
)
# "it simplifies to x + 1" is the result of a simplification; the subject says which task
_TASK_SUBJECT = {
    "simplifies": "simplify",
    "reduces": "simplify",
    "factors": "factor",
    "factorises": "factor",
    "factorizes": "factor",
    "expands": "expand",
    "differentiates": "derivative",
    "integrates": "integral",
}
_COPULA = re.compile(
    r"(?<!\bthere )(?<!\bThere )\b(?:is|are|was|were)\s*$"
)  # "there are 60 minutes" is a fact
_QUESTION_START = re.compile(
    r"^\W*(?:what|how|which|who|where|when|why|is|are|was|were|can|could|does|do|did|will|would|if)\b", re.I
)
_NOUN_CUE = re.compile(
    rf"\b(?P<noun>{_SUBJECTS})s?\b(?P<of>\s+of)?(?:\s+[\w'^]+){{0,5}}?\s+(?:is|are|was|were|will\s+be"
    r"|would\s+be|should\s+be|must\s+be|=|:)\s*$",
    re.I,
)
_NOUN_BEFORE = re.compile(rf"\b(?P<noun>{_SUBJECTS})s?\s*$", re.I)
_OF_SUBJECT = re.compile(rf"\b(?P<noun>{_SUBJECTS})s?\s+of\s*$", re.I)
_SO_CUE = re.compile(
    r"\b(?:so|thus|therefore|hence|that\s+means|this\s+means|which\s+means|meaning)\b,?(?P<tail>(?:\s+[\w']+){0,4}?)\s*$",
    re.I,
)
_NOT_AFTER_SO = set(
    "subtract add divide multiply take move plug substitute put try use look check compare start begin "
    "combine cancel square by from to of with on in at for than and or between into over under about each "
    "every the a an both sides side isolate undo apply factor expand simplify rewrite write set".split()
)
_SUBJECT_CUE = re.compile(
    r"^\W*(?:(?:so|thus|therefore|then|now|in\s+total|altogether)\s*,?\s+)?"
    r"(?!(?i:there|it|this|that|what|how|remember|think|try|let|if|when|first|next|then|now|the|a|an|each|every"
    r"|one|you|your|find|work|add|subtract|multiply|divide|start|use|look|check|write|is|are|do|does|can)\b)"
    r"(?:[A-Z][a-z]+|she|he|they|we|i)\s+(?P<tail>(?:[\w']+\s+){1,4}?)$"
)
_TOTAL_AFTER = re.compile(
    r"^\s*(?:(?!(?:the|to|on|from|at|in|into|and)\b)[\w']+\s+){0,4}?(?:in\s+total|altogether|in\s+all"
    r"|all\s+together|combined|total|left(?!\s+(?:side|hand|of))|remaining|in\s+the\s+end|overall)\b",
    re.I,
)
_LIST_GAP = re.compile(r"^\s*(?:,|and|or|&|,\s*and|,\s*or)\s*$", re.I)


def _result_cue(prefix: str, run_text: str, asks: bool = False) -> tuple[bool, str]:
    """Is a run after ``prefix`` stated as a result, and about what (``"derivative"``, ``"so"``)?"""
    m = _NOUN_CUE.search(prefix)
    if m:
        return True, m.group("noun").lower() + (" of" if m.group("of") else "")
    m = _TASK_CUE.search(prefix)
    if m:
        return True, _TASK_SUBJECT[m.group("verb").lower()]
    if re.search(r"(?:^|\s)[=:]\s*$", prefix) or _CUE_VERB.search(prefix):
        return True, ""
    if _COPULA.search(prefix) and not asks and not _QUESTION_START.match(prefix):
        return True, ""  # "The kitchen is 265", not "What is 3/4" or "Two bolts are half of what?"
    m = _NOUN_BEFORE.search(prefix)  # "the integral = x^2 + C": the run starts with its relation
    if m and run_text.lstrip().startswith(("=", "≈")):
        return True, m.group("noun").lower()
    m = _SO_CUE.search(prefix)
    if m:
        words = m.group("tail").split()
        if not words or (words[-1].lower() not in _NOT_AFTER_SO and words[0].lower() not in _NOT_AFTER_SO):
            return True, "so"
    m = _SUBJECT_CUE.match(prefix)  # "Dad took 27 minutes", "Maddy needs to take 5 classes"
    if m and not (m.group("tail").split()[-1:] and m.group("tail").split()[-1].lower() in _NOT_AFTER_SO):
        return True, ""
    return False, ""


def _read(text: str):
    return read_piece(text) if text else None


def _claims_of_run(run: _Run, text: str, prev: tuple[_Run, bool, str] | None) -> list[Claim]:
    clause_start = max(text.rfind(c, 0, run.start) for c in ".;!?:\n")
    prefix = text[clause_start + 1 : run.start]
    clause_end = min([i for i in (text.find(c, run.end) for c in ".;!?\n") if i >= 0] or [len(text)])
    suffix = text[run.end : clause_end]
    asks = text[clause_end : clause_end + 1] == "?"
    is_result, subject = _result_cue(prefix, run.text, asks)
    if not is_result and prev is not None and prev[1] and _LIST_GAP.match(text[prev[0].end : run.start]):
        is_result, subject = True, prev[2]  # "the roots are 2 and 3"
    of = _OF_SUBJECT.search(prefix)
    sides, rels = _split_relations(_trim(run.text))
    if len(sides) == 1 and not is_result and _TOTAL_AFTER.match(suffix):
        is_result = True
    role = "result" if is_result else "equation"
    if of:  # "the derivative of x^3 = 3x^2": the first side is what the noun is of
        subject, role = of.group("noun").lower() + " of", "result"
    claims = []
    if len(sides) == 1:
        value = _read(sides[0])
        if value is not None and sides[0]:
            claims.append(Claim(run.text.strip(), "result" if is_result else "value", value, subject=subject,
                                rhs_text=sides[0]))  # fmt: skip
        return claims
    for i, rel in enumerate(rels):
        lhs_text, rhs_text = sides[i], sides[i + 1]
        lhs, rhs = _read(lhs_text), _read(rhs_text)
        if rhs is None or (lhs is None and lhs_text):
            continue
        claim_role = "result" if lhs is None else role
        claims.append(Claim(run.text.strip(), claim_role, rhs, lhs, rel, subject, lhs_text, rhs_text))
    return claims


_MERGE_VERB = re.compile(
    r"^\s*(?:,\s*(?:which|that)|which|that|this|and|to|we|you|then|so|it)?\s*(?:gives?|giving|makes?|comes\s+to|works\s+out\s+to"
    r"|yields?|leaves?|results\s+in|get|gets)(?:\s+(?:us|you|me))?\s*$",
    re.I,
)
_MERGE_LINK = re.compile(r"^\s*,?\s*(?:which|that|this)\s*$", re.I)
_HAS_REL = re.compile(r"<=|>=|!=|=|<|>|≈|∈")


def _merge(runs: list[_Run], text: str) -> list[_Run]:
    """``20 - 5 to get 15`` -> one run ``20 - 5 = 15``; ``12 * 7 which = 72`` -> ``12 * 7 = 72``.

    Only when the second run states a value (no relation of its own): ``you get y = 10 - x``
    stays a separate claim.
    """
    merged: list[_Run] = []
    for run in runs:
        if merged:
            prev, gap = merged[-1], text[merged[-1].end : run.start]
            # "20 - 5 to get 15": the first run must be a computation ("from 80 gives 15" is not 80 = 15)
            if (
                _MERGE_VERB.match(gap)
                and not _HAS_REL.search(run.text)
                and re.search(r"\d\s*[-+*/^]", prev.text)
            ):
                merged[-1] = _Run(prev.start, run.end, f"{prev.text} = {run.text}")
                continue
            if _MERGE_LINK.match(gap) and run.text.lstrip().startswith("="):
                merged[-1] = _Run(prev.start, run.end, f"{prev.text} {run.text}")
                continue
        merged.append(run)
    return merged


def read_claims(sentence: str) -> Reading:
    """All claims of a sentence, and whether all of it could be read (see ``math_claims``)."""
    if not isinstance(sentence, str) or not sentence.strip():
        return Reading((), True, "")
    text = normalize(sentence)
    runs = _merge(
        [r for r in _runs(text) if re.search(r"\d", r.text) or re.search(r"[-+*/^=<>≈∈]", r.text)], text
    )
    complete = len(sentence) <= MAX_SENTENCE and len(runs) <= MAX_RUNS
    claims: list[Claim] = []
    prev = None
    for run in runs[:MAX_RUNS]:
        if len(run.text) > 300:
            complete = False
            continue
        found = _claims_of_run(run, text, prev)
        claims += found
        prev = (run, bool(found) and found[-1].role == "result", found[-1].subject if found else "")
    return Reading(tuple(claims), complete, text)


def math_claims(sentence: str) -> list[Claim]:
    """The math a sentence of prose states (see the module docstring). Never raises."""
    try:
        return list(read_claims(sentence).claims)
    except Exception:  # a corner of the reader: no claims rather than a crash mid-answer
        return []


def numbers_in(text: str) -> set:
    """Every number written in ``text`` (digits or words) as an exact absolute value; a fraction
    and a percentage count as their value too (``1/2``, ``30%`` -> 3/10)."""
    found = set()
    for m in re.finditer(r"(\d+(?:\.\d+)?)(?:\s*/\s*(\d+))?(\s*%)?", normalize(text or "")):
        try:
            value = sympy.Rational(m.group(1))
            found.add(value)
            if m.group(2):  # 1/2 and one-third: the fraction and both its numbers
                found |= {sympy.Rational(m.group(2)), value / sympy.Rational(m.group(2))}
            if m.group(3):  # 30% is also 3/10
                found.add(value / 100)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    for word, value in _SIZE_WORDS.items():  # "half as many", "twice as much": numbers too
        if re.search(rf"\b{word}\b", text or "", re.I):
            found.add(value)
    return found


_SIZE_WORDS = {
    "half": sympy.Rational(1, 2),
    "twice": sympy.Integer(2),
    "double": sympy.Integer(2),
    "triple": sympy.Integer(3),
    "third": sympy.Rational(1, 3),
    "quarter": sympy.Rational(1, 4),
}
