"""Limits: one-sided (0+, 0^-, "from the right"), at infinity (∞, \\infty, infinity, oo), infinite values,
limits that do not exist (the two sides differ), L'Hôpital on 0/0, ∞/∞ and 0·∞; every step checked."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy

from tutor.pedagogy.equiv import matches_answer
from tutor.pedagogy.read import read_problem
from tutor.pedagogy.solve import analyse, check

oo = sympy.oo
DNE = sympy.S.EmptySet


def checked(question: str):
    s = analyse(question)
    assert s is not None, question
    assert s.checked and all(step.checked for step in s.steps), [(st.text, st.latex) for st in s.steps]
    return s


@pytest.mark.parametrize(
    ("question", "side"),
    [
        ("lim x→0+ 1/x", "+"),
        ("lim x->0- 1/x", "-"),
        ("lim x→0⁺ 1/x", "+"),
        (r"$\lim_{x \to 0^-} \frac{|x|}{x}$", "-"),
        (r"$\lim_{x \to 0^{+}} \frac{1}{x}$", "+"),
        ("Find the limit of 1/x as x approaches 0 from the right", "+"),
        ("limit as x approaches 2 from the left of (x^2-4)/(x-2)", "-"),
        ("lim x->0 1/x", None),
    ],
)
def test_one_sided_limits_are_read_with_their_side(question, side):
    problem = read_problem(question)
    assert problem is not None and problem.kind == "limit"
    assert problem.payload.extra.get("dir") == side


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("lim x→0+ 1/x", oo),
        ("lim x->0- 1/x", -oo),
        ("lim x -> 3^- 1/(x-3)", -oo),
        (r"$\lim_{x \to 0^-} \frac{|x|}{x}$", -1),
        (r"$\lim_{x \to 0^{+}} \frac{|x|}{x}$", 1),
        ("Find the limit as x approaches 0 from the right of x ln(x)", 0),  # 0·∞, then L'Hôpital
        ("lim x->0+ sqrt(x)", 0),
        ("limit as x approaches 2 from the left of (x^2-4)/(x-2)", 4),
        ("lim x->0 1/x^2", oo),
        ("lim x->0 1/x", DNE),  # -∞ from the left, ∞ from the right
        ("limit of |x|/x as x approaches 0", DNE),
        ("lim x->1 (x^2+1)/(x-1)", DNE),
        ("lim x->infinity (3x^2+1)/(x^2-2)", 3),
        ("lim x -> oo (2x+1)/(x-3)", 2),
        (r"$\lim_{x\to\infty} \frac{2x}{x+1}$", 2),
        ("Evaluate lim x→∞ (5x^3 - x)/(2x^3 + 4)", sympy.Rational(5, 2)),
        ("lim x->infinity of x^2", oo),
        ("lim x->-oo x^3", -oo),
        ("lim x->oo x/e^x", 0),  # ∞/∞, L'Hôpital
        ("lim x->oo ln(x)/x", 0),
        ("lim x->0 sin(x)/x", 1),
        ("lim x->2 (x^2-4)/(x-2)", 4),  # factor and cancel
    ],
)
def test_limit_values_with_checked_steps(question, value):
    s = checked(question)
    assert s.answer.value == value
    if value == DNE:
        assert s.answer.text == "does not exist" and "left" in s.steps[0].text and "right" in s.steps[0].text


@pytest.mark.parametrize(
    "question",
    ["lim x->0+1/x",  # 0+ of 1/x, or 0 of +1/x? refused
     "lim x->0- sqrt(x)",  # not real to the left of 0 (sympy would say 0)
     "lim x->0 sin(1/x)", "what is lim hello", "lim x->0"],
)  # fmt: skip
def test_what_is_unclear_or_not_taught_is_not_recognised(question):
    assert analyse(question) is None


def test_a_false_one_sided_claim_is_not_checked():
    s = checked("lim x->0 1/x")
    _, f, x, a, left, right = s.steps[0].payload
    bad = replace(s.steps[0], payload=("sides", f, x, a, right, left))  # the sides swapped: false
    assert not check(replace(s, steps=(bad, *s.steps[1:]))).checked
    wrong = replace(s.answer, value=oo)
    assert not check(replace(s, answer=wrong)).checked


@pytest.mark.parametrize(
    ("question", "right", "wrong"),
    [
        ("lim x->0 1/x", ["does not exist", "DNE", "The limit does not exist", "no limit"], ["∞", "0", "-∞"]),
        ("lim x->0 1/x^2", ["∞", "infinity", "+∞", r"$\infty$", "does not exist"], ["-∞", "0", "negative infinity"]),
        ("lim x->0- 1/x", ["-∞", "−∞", "negative infinity", r"$-\infty$"], ["∞", "infinity", "0"]),
        ("lim x->2 (x^2-4)/(x-2)", ["4"], ["does not exist", "∞"]),
    ],
)
def test_answers_in_words_and_signs(question, right, wrong):
    s = checked(question)
    for text in right:
        assert matches_answer(text, s.answer, "limit"), text
    for text in wrong:
        assert not matches_answer(text, s.answer, "limit"), text
