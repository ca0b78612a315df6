"""The calculus solvers: derivatives (with their rules named), integrals, definite integrals,
limits; what they must refuse (improper integrals, limits sympy cannot explain)."""

from __future__ import annotations

import pytest
import sympy

from tests.pedagogy.solving import solved, texts
from tutor.pedagogy.solve import analyse

x = sympy.symbols("x")


# --- calculus ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected", "rule"),
    [
        ("What is the derivative of x^3 + 2x?", 3 * x**2 + 2, "sum rule"),
        ("differentiate sin(x) x^2 with respect to x", x**2 * sympy.cos(x) + 2 * x * sympy.sin(x), "product rule"),
        ("find dy/dx if y = (x^2+1)^3", 6 * x * (x**2 + 1) ** 2, "chain rule"),
        ("differentiate x/(x+1)", 1 / (x + 1) ** 2, "quotient rule"),
        ("derivative of e^(2x)", 2 * sympy.exp(2 * x), "chain rule"),
        ("differentiate ln(x^2 + 1)", 2 * x / (x**2 + 1), "chain rule"),
        ("d/dx sqrt(x)", 1 / (2 * sympy.sqrt(x)), "power rule"),
        ("derivative of 3/x^2", -6 / x**3, "power rule"),
        (r"\frac{d}{dx}(x^3)", 3 * x**2, "power rule"),
    ],
)
def test_derivative_known_answers_and_rules(question, expected, rule):
    s = solved(question)
    assert sympy.simplify(s.answer.value - expected) == 0
    assert any(rule in t for t in texts(s))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("∫ x^2 dx", x**3 / 3),
        ("Find the integral of 3x^2 + 1", x**3 + x),
        ("integrate (x+1)^2", x**3 / 3 + x**2 + x),
        ("∫ e^(3x) dx", sympy.exp(3 * x) / 3),
        ("integrate x e^x", x * sympy.exp(x) - sympy.exp(x)),
        ("integrate cos(2x)", sympy.sin(2 * x) / 2),
    ],
)
def test_integral_known_answers(question, expected):
    s = solved(question)
    assert sympy.simplify(sympy.diff(s.answer.value - expected, x)) == 0
    assert s.answer.text.endswith("+ C") and s.steps[-1].latex.endswith("+ C")


def test_integral_of_one_over_x_is_ln_abs_x():
    s = solved("integrate 1/x")
    assert s.answer.text == "ln|x| + C" and r"\ln\left|x\right|" in s.answer.latex


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("integrate 2x from 0 to 3", 9),
        (r"$\int_0^1 x^2\,dx$", sympy.Rational(1, 3)),
        ("integrate sin(x) from 0 to pi", 2),
        ("∫ from 1 to 2 of 3x^2 - 1 dx", 6),
        ("integrate x from -1 to 2", sympy.Rational(3, 2)),
        ("integrate x^2 + 1/x from 1 to 2", sympy.Rational(7, 3) + sympy.log(2)),
    ],
)
def test_definite_integral_known_answers(question, value):
    s = solved(question)
    assert sympy.simplify(s.answer.value - value) == 0
    assert s.steps[0].latex.startswith(r"\left[")


def test_improper_integrals_are_not_answered():
    assert analyse("integrate 1/x from -1 to 1") is None


@pytest.mark.parametrize(
    ("question", "value", "method"),
    [
        ("find the limit of sin(x)/x as x approaches 0", 1, "L'Hôpital"),
        ("lim x->oo (2x+1)/x", 2, "highest power"),
        (r"$\lim_{x \to 1} \frac{x^2 - 1}{x - 1}$", 2, "factor"),
        ("limit of x^2 + 3 as x tends to 2", 7, "continuous"),
        ("lim x->0 (1 - cos(x))/x^2", sympy.Rational(1, 2), "L'Hôpital"),
        ("lim x->oo (3x^2 - x)/(x^2 + 1)", 3, "highest power"),
        ("limit of (x^2 - 4)/(x - 2) as x tends to 2", 4, "factor"),
    ],
)
def test_limit_known_answers(question, value, method):
    s = solved(question)
    assert s.answer.value == value
    assert method in texts(s)[0]


@pytest.mark.parametrize(
    ("question", "value"),
    [("lim x->0 1/x", sympy.S.EmptySet), ("lim x->oo x^2", sympy.oo), ("lim x->0+ 1/x", sympy.oo)],
)
def test_infinite_limits_and_limits_that_do_not_exist_are_said_honestly(question, value):
    s = analyse(question)
    assert s is not None and s.checked and s.answer.value == value


def test_limits_sympy_cannot_explain_are_not_answered():
    assert analyse("lim x->0 sin(1/x)") is None
