"""Words that name a kind of mathematics: a sentence of the model's beside checked math may not
name a kind that the checked work does not contain.

A 135M model writing "in words" beside a checked derivative of x^3 + 2x said it "involves an
exponential function with a non-zero base": no number in it contradicts the solver, yet it is
wrong. The solver's own text (the problem, its steps and its answer) says which kinds of
mathematics are on the page; a sentence naming another kind is not shown.

    foreign_term("an exponential function", "x^3 + 2x ... power rule")  -> "exponential"
    foreign_term("use the power rule", "x^3 + 2x ... power rule")        -> None
"""

from __future__ import annotations

import re

# kind -> (what a sentence may say, what the checked work must contain for it to say so)
_KINDS: dict[str, tuple[str, str]] = {
    "exponential": (r"exponential|\be\s*\^|euler'?s number", r"exp|e\s*\^|\\?e\^|\be\*\*|exponential"),
    "logarithm": (r"logarithm|\blog\b|\bln\b|natural log", r"log|\bln\b"),
    "trigonometry": (
        r"\b(sine|cosine|tangent|trig\w*|sin|cos|tan|sec|csc|cot)\b",
        r"sin|cos|tan|sec|csc|cot|trig|\\pi|\bpi\b|π",
    ),
    "integral": (r"\bintegra\w*|antiderivative|area under", r"integra|∫|\\int|antideriv"),
    "derivative": (
        r"\bderivative|differentiat\w*|\bslope of the tangent",
        r"deriv|differentiat|d/d|\\frac\{d|slope",
    ),
    "limit": (r"\blimits?\b|approaches|tends to", r"\blim|limit|→|\\to|approach"),
    "matrix": (r"\bmatri(x|ces)|determinant|eigen\w*|\bvectors?\b", r"matri|determinant|eigen|vector"),
    "probability": (r"probabilit\w*|\bodds\b|random variable", r"probab|odds|random"),
    "complex": (r"\bimaginary|complex number|\bi\s*=\s*√", r"imaginary|complex|\bi\b|sqrt\(-|√-"),
    "geometry": (
        r"\btriangle|circle|radius|hypotenuse|polygon|circumference",
        r"triangle|circle|radius|hypoten|polygon|circum|\barea\b",
    ),
    "series": (
        r"\bseries\b|sequence|taylor|converge\w*|diverge\w*",
        r"series|sequence|taylor|converg|diverg|\\sum|∑",
    ),
}
_SAYS = {kind: re.compile(says, re.I) for kind, (says, _) in _KINDS.items()}
_HAS = {kind: re.compile(has, re.I) for kind, (_, has) in _KINDS.items()}


def foreign_term(sentence: str, checked_text: str) -> str | None:
    """The first kind of mathematics the sentence names that ``checked_text`` (the problem, the
    solver's steps and answer, and the kind's name) does not contain; None when there is none."""
    for kind, says in _SAYS.items():
        match = says.search(sentence)
        if match and not _HAS[kind].search(checked_text):
            return match.group(0)
    return None


def checked_text(solution) -> str:
    """Everything the solver wrote about a problem, as one string to look kinds up in."""
    parts = [solution.problem.kind, solution.problem.statement, solution.problem.latex,
             solution.answer.text, solution.answer.latex]  # fmt: skip
    for step in solution.steps:
        parts += [step.text, step.latex]
    return "\n".join(str(p) for p in parts if p)
