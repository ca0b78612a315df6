"""Scoring one answer: the measures of ``python -m tutor.eval``, each a small pure function.

They read the answer's TEXT as a student would see it, independently of the filters that
produced it (the leak and claim checks here are written separately from
``tutor.pedagogy.leak``/``claims``; only the math equivalence is shared, since whether two
expressions are equal is a fact, not a policy):

- ``final_answer(text)``: the content of the last ``Final answer:`` line;
- ``symbolic_correct`` / ``number_correct``: is that the known answer (any equivalent form)?
- ``label(text)``: "checked" / "not_checked" / None;
- ``hint_measures``: leak, cut mid-sentence, ends with a question, questions, words, sentences;
- ``wrong_results``: results an explanation states that are not the answer;
- ``medical_measures``: the notice inside the answer, urgent advice first, headings, echo;
- ``rouge_l``: ROUGE-L F1 on lowercased word tokens (Lin 2004, as rouge-score computes it).
"""

from __future__ import annotations

import re
from typing import Any

from tutor.shaping import CHECK_QUESTION, CHECKED_LABEL, MODEL_NOTE, NOT_CHECKED_LABEL, strip_label

_FINAL = re.compile(r"final\s+answer\s*\**\s*[:：]\s*\**(?P<rest>.*)", re.I)
_NUMBER = re.compile(r"[-−]?\$?\d[\d,]*(?:\.\d+)?")
_SENTENCE_END = re.compile(r"[.!?]([\"')\]*_$]*)$")


def label(text: str) -> str | None:
    if CHECKED_LABEL in text:
        return "checked"
    if NOT_CHECKED_LABEL in text or re.search(r"\bnot checked\b", text, re.I):
        return "not_checked"
    return None


def final_answer(text: str) -> str | None:
    """What follows the last "Final answer:" (markdown and $ stripped), or None."""
    found = None
    for line in text.splitlines():
        m = _FINAL.search(line)
        if m:
            found = m.group("rest")
    if found is None:
        return None
    found = found.strip().strip("*").strip()
    return found or None


def to_number(text: str | None) -> float | None:
    """The last number in ``text`` ("$1,250.50" -> 1250.5), or None."""
    if not text:
        return None
    found = _NUMBER.findall(text)
    if not found:
        return None
    try:
        return float(found[-1].replace("−", "-").replace("$", "").replace(",", ""))
    except ValueError:
        return None


def truth_correct(final: str | None, truth: str) -> bool:
    """A final answer against a teacher's written answer (no solver reading): math-verify's
    equivalence, then plain numbers."""
    if not final:
        return False
    try:
        from math_verify import parse, verify

        gold, pred = parse(f"${truth}$"), parse(final if "$" in final else f"${final}$")
        if gold and pred and verify(gold, pred):
            return True
    except Exception:  # math-verify raises on odd input; fall back to numbers
        pass
    return number_correct(final, truth) if re.fullmatch(r"[-−]?[\d.,/ ]+", truth.strip()) else False


def truth_stated(text: str, question: str, truth: str) -> bool:
    """A hint states a teacher's numeric answer (other forms: no verdict, False)."""
    if not re.fullmatch(r"\s*(?:[a-z]\s*=\s*)?[-−]?\d[\d,]*(?:\.\d+)?\s*", truth):
        return False
    return answer_stated(text, question, truth.split("=")[-1], None)


def last_number_text(text: str) -> str | None:
    """The last number written in ``text`` (as text), or None."""
    found = _NUMBER.findall(strip_label(text))
    return found[-1] if found else None


def number_correct(final: str | None, truth: str) -> bool:
    value, want = to_number(final), to_number(truth)
    return value is not None and want is not None and abs(value - want) < 1e-6 * max(1.0, abs(want))


def symbolic_correct(final: str | None, solution: Any) -> bool:
    """Is ``final`` the solver-known answer in any equivalent form (sympy/math-verify)?"""
    if not final:
        return False
    from tutor.pedagogy import matches_answer

    return bool(matches_answer(final, solution.answer, solution.problem.kind))


# --------------------------------------------------------------------------- hints
def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])[\"')\]*_]*\s+|\n+", text.strip())
    return [p.strip() for p in parts if p and p.strip()]


def hint_measures(text: str, question: str, truth: str | None, solution: Any | None) -> dict:
    """Leak (the answer stated anywhere), cut mid-sentence, ends in a question, size."""
    body = strip_label(text)
    parts = sentences(body)
    words = len(re.findall(r"\w+", body))
    last = body.rstrip()
    return {
        "leak": bool(truth is not None and answer_stated(body, question, truth, solution)),
        "cut": bool(last) and not _SENTENCE_END.search(last),
        "ends_question": last.rstrip("\"')]*_ $").endswith("?"),
        "questions": body.count("?"),
        "words": words,
        "sentences": len(parts),
    }


def answer_stated(text: str, question: str, truth: str, solution: Any | None) -> bool:
    """Does ``text`` state the answer? Numbers: the value appears (not one of the question's own
    numbers); otherwise any math span or "= ..." right side equivalent to the answer."""
    from tutor.pedagogy.numwords import words_to_digits

    text = words_to_digits(text)  # "seventy-two" states 72 too
    want = to_number(truth) if solution is None else None
    if want is not None:
        asked = words_to_digits(question)  # "over the three days" gives 3
        q_numbers = {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", asked)}
        if want in q_numbers or want in COMMON_COUNTS:
            # a value also given in the question, or a count every sentence uses ("which two
            # numbers", "one step at a time"), only counts when stated as the result
            pattern = rf"(=|\bis|\bare|\bequals?|\btotal\s+of|\bgets?)\s*\$?{_num_re(want)}(?!\d|\.\d)"
            return bool(re.search(pattern, text, re.I))
        return any(abs(v - want) < 1e-9 for v in _numbers(text))
    if solution is None:
        return False
    from tutor.pedagogy import answer_match

    numeric = (
        not getattr(solution.answer.value, "free_symbols", True)
        if solution.answer.value is not None
        else False
    )
    if numeric:
        try:
            want_value = float(solution.answer.value)
        except (TypeError, ValueError):
            want_value = None
        if want_value is not None:
            q_values = set(_literal_values(question))
            for value in _literal_values(text):
                if abs(value - want_value) < 1e-9 and value not in q_values:
                    return True
    if solution.problem.kind == "limit":
        text = _APPROACH.sub(" ", text)  # "substitute x = 0": where x goes, not what the limit is
    for candidate in _math_candidates(text):
        if _UNEVALUATED.search(candidate):
            continue  # d/dx(...), an integral sign, a limit: a step still to be worked out
        if numeric and not _LITERAL.match(candidate.strip().strip("$ ")):
            continue  # 15/30 + 6/30 has the answer's value but is still to be computed
        match = answer_match(candidate, solution.answer, solution.problem.kind)
        if match.full or match.part:  # one root of two, one unknown of a system: still a leak
            return True
    return False


COMMON_COUNTS = (0.0, 1.0, 2.0)
_APPROACH = re.compile(
    r"(?:(?<![\w\\])[a-zA-Z]\$?\s*(?:=|→|->|\\to\b)|\b(?:approach(?:es|ing)?|tends?\s+to|goes\s+to))"
    r"\s*\$?\s*[-−+]?(?:\\infty|∞|[\w.]+)\$?",
    re.I,
)
_UNEVALUATED = re.compile(r"\\frac\{d\}|d/d[a-z]|\\int|∫|\\lim|'")
_LITERAL = re.compile(
    r"^(?:[a-z]\s*=\s*)?[-−]?(?:\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?|\\[dt]?frac\{\d+\}\{\d+\})%?$"
)


def _num_re(value: float) -> str:
    return re.escape(str(int(value)) if value == int(value) else str(value))


def _numbers(text: str) -> list[float]:
    out = []
    for raw in re.findall(r"(?<![\w.])[-−]?\d[\d,]*(?:\.\d+)?(?![\w])", text):
        try:
            out.append(float(raw.replace("−", "-").replace(",", "")))
        except ValueError:
            pass
    return out


def _math_candidates(text: str) -> list[str]:
    """Pieces of ``text`` that could state an answer: $..$ spans, right sides of "=", and
    what follows "is/equals" (to the end of the clause)."""
    found = re.findall(r"\$\$?([^$]+)\$\$?", text)
    for span in found[:]:
        if "=" in span:
            found.append(span.split("=")[-1])
    plain = re.sub(r"\$\$?[^$]+\$\$?", " ", text)
    for m in re.finditer(r"(?:=|\bis\b|\bequals\b|\bget\b)\s*([^,;.!?]+)", plain):
        found.append(m.group(1))
    found += re.findall(r"\b[a-z]\s*=\s*[^,;!?]+", plain)
    return [f.strip() for f in found if f.strip()][:40]


# --------------------------------------------------------------------------- explanations
_RESULT_CUES = re.compile(
    r"(?:\b(?:answer|result|solution|derivative|integral|antiderivative|limit|value|simplifies to|"
    r"simplified|expands to|expanded|factors as|factored|factorised|factorized|roots?)\b[^.?!=]{0,30}?"
    r"(?:\bis\b|\bare\b|=|\bequals\b|:|\bto\b|\bas\b))\s*(?P<value>[^.;!?\n]+)",
    re.I,
)
_ASSIGN = re.compile(
    r"(?<![\w\\])(?P<var>[a-zA-Z])\s*(?:=|\bis\b|\bequals\b)\s*(?P<value>[-−(]?[\w$\\][^,;.!?\n]*)"
)


def wrong_results(text: str, solution: Any) -> list[str]:
    """Results an explanation states that are not the checked answer (e.g. "x = 28" when x = 11)."""
    from tutor.pedagogy import answer_match, parse_math

    body = strip_label(text)
    if MODEL_NOTE.strip() in body or body.startswith("**The idea:**"):
        # Explain on checked math: the solver's idea and sympy-checked steps, then the model's
        # words under their own label; only those can state a wrong result
        body = body.partition(MODEL_NOTE.strip())[2] if MODEL_NOTE.strip() in body else ""
        body = body.split(CHECK_QUESTION)[0]
    body = re.sub(r"\*\*Checked result:\*\*.*", "", body)
    variables = set(solution.problem.variables)
    wrong = []
    for sentence in sentences(body.replace("$", " ")):
        claims = [m.group("value") for m in _RESULT_CUES.finditer(sentence)]
        for m in _ASSIGN.finditer(sentence):
            if m.group("var") in variables:
                claims.append(f"{m.group('var')} = {m.group('value')}")
        for claim in claims:
            claim = claim.strip().rstrip(".")
            try:
                parse_math(claim.split("=")[-1].strip())
            except Exception:
                continue  # not math we can read: no verdict
            match = answer_match(claim, solution.answer)
            if not (match.full or match.part) and _is_final_claim(claim, solution):
                wrong.append(claim)
    return wrong


def _is_final_claim(claim: str, solution: Any) -> bool:
    """Only claims about the result itself count (a step like "3x = 15" states no result)."""
    left = claim.split("=")[0].strip() if "=" in claim else ""
    if left and left not in solution.problem.variables:
        return False
    return True


# --------------------------------------------------------------------------- medical
MEDICAL_HEADINGS = ("Presentation", "Differential", "Key findings", "Next steps", "Learning points")
_NOTICE = re.compile(r"education(al)?\s+(purposes\s+)?only|not\s+medical\s+advice", re.I)
_URGENT = re.compile(
    r"\burgent\b|emergency\s+(number|department|services|room)|call\s+(911|999|112|988)", re.I
)


def medical_measures(text: str, question: str) -> dict:
    from tutor.medical.advice import NOTICE

    # the standing notice ("... call your local emergency number") is not urgent advice
    head = text.replace(NOTICE, " ")[:400]
    return {
        "notice": bool(_NOTICE.search(text)),
        "urgent_first": bool(_URGENT.search(head)),
        "headings": sum(1 for h in MEDICAL_HEADINGS if re.search(rf"\b{h}\b", text, re.I)),
        "echo": echo(text, question),
    }


def echo(answer: str, question: str, run: int = 8, window: int = 40) -> bool:
    """The answer starts by repeating the user's words: a run of ``run`` consecutive question
    words within its first ``window`` words (what the seed project's medical model did)."""
    q = re.findall(r"\w+", question.lower())
    a = re.findall(r"\w+", strip_label(answer).lower())[:window]
    if len(q) < run or len(a) < run:
        return False
    grams = {tuple(q[i : i + run]) for i in range(len(q) - run + 1)}
    return any(tuple(a[i : i + run]) in grams for i in range(len(a) - run + 1))


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta = 1) over lowercased alphanumeric tokens."""
    c = re.findall(r"[a-z0-9]+", candidate.lower())
    r = re.findall(r"[a-z0-9]+", reference.lower())
    if not c or not r:
        return 0.0
    prev = [0] * (len(r) + 1)
    for tok in c:
        cur = [0]
        for j, ref_tok in enumerate(r, 1):
            cur.append(prev[j - 1] + 1 if tok == ref_tok else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(c), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


_FRACTION = re.compile(r"\\[dt]?frac\{(-?\d+)\}\{(\d+)\}|(?<![\w.])(-?\d+)\s*/\s*(\d+)(?![\w.])")


def _literal_values(text: str) -> list[float]:
    """Every number written as a literal: integers, decimals, a/b and \\frac{a}{b} (as values)."""
    values = []
    for m in _FRACTION.finditer(text):
        num, den = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if int(den):
            values.append(int(num) / int(den))
    rest = _FRACTION.sub(" ", text)
    return values + _numbers(rest)
