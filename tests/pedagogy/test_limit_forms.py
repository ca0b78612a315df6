"""The 1^∞ and ∞ − ∞ limits at infinity (solvers/limit_forms.py), the arctangent-form integral,
and ln bounds: each step checked, the hint ladder safe, a similar problem of the same sub-kind.

    nice -n 19 .venv/bin/python -m pytest tests/pedagogy/test_limit_forms.py -q
"""

from __future__ import annotations

import pytest
import sympy

from tests.pedagogy.leakcheck import hint_problems, leak_reason
from tutor.pedagogy.parse import parse_math
from tutor.pedagogy.similar import _variant_of, similar
from tutor.pedagogy.solve import analyse, check

E_POWER = [
    ("lim x->oo (1 + 3/x)^x", sympy.exp(3)),
    ("what does (1 + 5/x)^x go to as x→∞", sympy.exp(5)),
    ("lim x→∞ (1 - 2/x)^(3x)", sympy.exp(-6)),
    ("lim x->oo (1 + 1/x)^x", sympy.E),
    ("lim_{x->0} (1+x)^(1/x)", sympy.E),  # 1^∞ at a finite point, both sides agree
    ("lim x->0 (1 + 3x)^(2/x)", sympy.exp(6)),
]
CONJUGATE = [
    ("lim x->oo sqrt(x^2 + 6x) - x", sympy.Integer(3)),
    (r"$\lim_{x \to \infty} \left(\sqrt{4x^2 + 5x} - 2x\right)$", sympy.Rational(5, 4)),
    ("lim x->oo sqrt(x^2 - 3x) - x", sympy.Rational(-3, 2)),
]


@pytest.mark.parametrize("question,value", E_POWER + CONJUGATE)
def test_the_forms_are_solved_with_checked_steps(question, value):
    s = analyse(question)
    assert s is not None and s.checked and s.problem.kind == "limit"
    assert sympy.simplify(s.answer.value - value) == 0
    assert check(s).checked
    assert all(step.checked for step in s.steps) and s.steps[-1].payload == s.answer.value


def test_one_to_infinity_steps_are_exponential_quotient_lhopital():
    s = analyse("lim x->oo (1 + 3/x)^x")
    texts = [step.text for step in s.steps]
    assert "1^\\infty" in texts[0] and "\\infty \\cdot 0" in texts[1] and "L'Hôpital" in texts[2]
    assert len(s.steps) == 4


def test_conjugate_steps_multiply_by_the_conjugate_then_divide():
    s = analyse("lim x->oo sqrt(x^2 + 6x) - x")
    assert "conjugate" in s.steps[0].text and "6 x" in s.steps[0].text
    assert "Divide the top and the bottom" in s.steps[1].text
    assert parse_math(s.steps[-1].latex) == 3


@pytest.mark.parametrize(
    "question",
    [
        "lim x->oo sqrt(x^2 + 1) - 2x",  # grows without bound: not this form (refused, not mis-solved)
        "lim x->oo x^x",
        "lim x->oo (2 + 1/x)^x",  # base -> 2: not 1^∞
    ],
)
def test_other_shapes_are_not_forced_into_the_forms(question):
    s = analyse(question)
    assert s is None or s.checked and "1^\\infty" not in s.steps[0].text and "conjugate" not in s.steps[0].text


@pytest.mark.parametrize("question,variant", [(E_POWER[0][0], "e_power"), (CONJUGATE[0][0], "conjugate")])
def test_hints_stay_safe_and_a_similar_one_is_the_same_form(question, variant):
    s = analyse(question)
    for hint in s.hints:
        assert hint_problems(hint) == [] and leak_reason(hint, s) is None, hint
    assert _variant_of(s.problem) == variant
    for seed in (1, 2, 3):
        other = similar(s.problem, seed=seed)
        assert other.checked and other.problem.kind == "limit" and _variant_of(other.problem) == variant


@pytest.mark.parametrize(
    "question,answer",
    [
        ("integral of 3/(9 + x^2) dx", sympy.atan(sympy.Symbol("x") / 3)),
        ("integrate 1/(4x^2 + 9) dx", sympy.atan(2 * sympy.Symbol("x") / 3) / 6),
    ],
)
def test_the_arctangent_form(question, answer):
    s = analyse(question)
    assert s is not None and s.checked and s.problem.kind == "integral"
    assert sympy.simplify(s.answer.value - answer) == 0
    assert "arctangent form" in s.steps[0].text


def test_arctangent_form_is_not_used_for_a_difference_of_squares():
    s = analyse("integrate 1/(x^2 - 4) dx")
    assert s is None or not s.answer.value.has(sympy.atan)


def test_definite_integral_with_an_ln_bound():
    s = analyse("∫_0^{ln 3} e^x dx")
    assert s is not None and s.checked and s.answer.value == 2
    assert s.problem.payload.extra["bounds"] == (0, sympy.log(3))
