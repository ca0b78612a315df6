"""Powers of trig functions (sin^2(x), sin²x, \\sin^2 x, cos^2, tan^2) in derivatives, integrals, simplify."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy

from tutor.pedagogy.parse import MathParseError, parse_math
from tutor.pedagogy.solve import analyse, check

x = sympy.Symbol("x")
sin, cos, tan = sympy.sin, sympy.cos, sympy.tan


def checked(question: str):
    s = analyse(question)
    assert s is not None, question
    assert s.checked and all(step.checked for step in s.steps), [(st.text, st.latex) for st in s.steps]
    return s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sin^2(x)", sin(x) ** 2),
        ("sin^2 x", sin(x) ** 2),
        ("sin^2x", sin(x) ** 2),
        ("sin²x", sin(x) ** 2),
        ("cos²(3x)", cos(3 * x) ** 2),
        ("4cos^2(2x)", 4 * cos(2 * x) ** 2),
        (r"\sin^2 x", sin(x) ** 2),
        (r"\cos^{2}(x)", cos(x) ** 2),
        (r"\tan^2 x + 1", tan(x) ** 2 + 1),
    ],
)
def test_trig_powers_are_powers_of_the_value(text, expected):
    assert parse_math(text) == expected


@pytest.mark.parametrize("text", ["sin x^2", "sin^ x", r"\sin x^2", "sin^2"])
def test_unclear_trig_powers_are_refused(text):
    with pytest.raises(MathParseError):
        parse_math(text)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Differentiate sin^2(x)", 2 * sin(x) * cos(x)),
        ("Differentiate sin²x", 2 * sin(x) * cos(x)),
        (r"$\frac{d}{dx} \cos^2 x$", -2 * sin(x) * cos(x)),
        ("Find the derivative of cos^2(3x)", -6 * sin(3 * x) * cos(3 * x)),
        ("Find the second derivative of sin^2 x", 2 * cos(x) ** 2 - 2 * sin(x) ** 2),
    ],
)
def test_derivatives_of_trig_powers(question, expected):
    s = checked(question)
    assert sympy.simplify(s.answer.value - expected) == 0


@pytest.mark.parametrize(
    ("question", "integrand"),
    [
        ("Integrate cos^2(x)", cos(x) ** 2),
        ("Integrate sin^2 x", sin(x) ** 2),
        ("∫ sin²(3x) dx", sin(3 * x) ** 2),
        (r"$\int \cos^2 x \, dx$", cos(x) ** 2),
        ("Integrate 4cos^2(2x)", 4 * cos(2 * x) ** 2),
        ("Integrate tan^2 x", tan(x) ** 2),
    ],
)
def test_integrals_of_trig_squares_use_the_identity(question, integrand):
    s = checked(question)
    assert sympy.simplify(sympy.diff(s.answer.value, x) - integrand) == 0
    assert any("identity" in step.text for step in s.steps)


@pytest.mark.parametrize(
    "question", ["Integrate sin^2 x from 0 to pi", r"$\int_0^{\pi} \cos^2 x \, dx$"]
)
def test_definite_integrals_of_trig_squares(question):
    assert checked(question).answer.value == sympy.pi / 2


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Simplify sin^2(x) + cos^2(x)", 1),
        ("Simplify sin²x + cos²x", 1),
        (r"Simplify $\sin^2 x + \cos^2 x$", 1),
        ("Simplify 1 - sin^2 x", cos(x) ** 2),
        (r"Simplify $\frac{1 - \cos^2 x}{\sin x}$", sin(x)),
        ("Simplify tan(x) cos(x)", sin(x)),
        ("Simplify sin(x)/cos(x)", tan(x)),
        ("Simplify sec^2 x - tan^2 x", 1),
        ("Simplify 2sin^2(x) + 2cos^2(x)", 2),
    ],
)
def test_trig_simplify(question, expected):
    s = checked(question)
    assert s.answer.value == expected


def test_a_wrong_trig_step_is_not_checked():
    s = checked("Simplify sin^2(x) + cos^2(x)")
    bad = replace(s.steps[-1], payload=sympy.Integer(2))
    assert not check(replace(s, steps=(*s.steps[:-1], bad))).checked
