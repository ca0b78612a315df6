"""Integrals by u-substitution: u = the inside, du, the integral in u, put u back; every step checked
by its derivative in x (∫ g(u) du is ∫ g(inside)·inside' dx)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy

from tutor.pedagogy.solve import analyse, check
from tutor.pedagogy.solvers.integral import U, in_x

x = sympy.Symbol("x")


def checked(question: str):
    s = analyse(question)
    assert s is not None, question
    assert s.checked and all(step.checked for step in s.steps), [(st.text, st.latex) for st in s.steps]
    return s


@pytest.mark.parametrize(
    ("question", "inside", "integrand"),
    [
        ("Integrate 2x cos(x^2)", x**2, 2 * x * sympy.cos(x**2)),
        ("∫ x e^{x^2} dx", x**2, x * sympy.exp(x**2)),
        (r"$\int x e^{x^2} \, dx$", x**2, x * sympy.exp(x**2)),
        ("∫ 2x cos(x²) dx", x**2, 2 * x * sympy.cos(x**2)),
        ("Integrate x sqrt(x^2 + 1)", x**2 + 1, x * sympy.sqrt(x**2 + 1)),
        ("Integrate x/(x^2+1)", x**2 + 1, x / (x**2 + 1)),
        ("Integrate cos(x) e^(sin(x))", sympy.sin(x), sympy.cos(x) * sympy.exp(sympy.sin(x))),
        ("Integrate x^2 (x^3 + 1)^3", x**3 + 1, x**2 * (x**3 + 1) ** 3),
    ],
)
def test_u_substitution_step_by_step(question, inside, integrand):
    s = checked(question)
    assert s.steps[0].text.startswith("Substitute $u = ") and "du" in s.steps[0].text
    _, in_u, u, said = s.steps[0].payload
    assert u == U and sympy.simplify(said - inside) == 0 and in_u.has(sympy.Integral)
    assert s.steps[-1].text.startswith("Put $u = ")
    real = sympy.Symbol("x", real=True)  # ln|x^2 + 1| differentiates as in school
    derivative = sympy.diff(s.answer.value.subs(x, real), real) - integrand.subs(x, real)
    assert all(abs(complex(derivative.subs(real, v))) < 1e-12 for v in (0.3, 1.7, -2.2))


def test_a_u_integral_with_a_wrong_factor_is_not_checked():
    s = checked("∫ x e^{x^2} dx")
    tag, in_u, u, inside = s.steps[0].payload
    bad = replace(s.steps[0], payload=(tag, in_u * 2, u, inside))  # forgot the 1/2 from du = 2x dx
    assert not check(replace(s, steps=(bad, *s.steps[1:]))).checked
    assert check(s).checked


def test_in_x_turns_du_back_into_dx():
    state = ("u", sympy.Integral(sympy.cos(U), U), U, x**2)
    assert in_x(state, x) == sympy.Integral(2 * x * sympy.cos(x**2), x)


@pytest.mark.parametrize(
    ("question", "value"),
    [("∫₀¹ 2x cos(x²) dx", sympy.sin(1)), ("Integrate x e^(x^2) from 0 to 1", (sympy.E - 1) / 2),
     (r"$\int_0^{2} x \sqrt{x^2 + 5} \, dx$", (27 - 5 * sympy.sqrt(5)) / 3)],
)  # fmt: skip
def test_definite_u_substitution_evaluates_the_bounds(question, value):
    s = checked(question)
    assert sympy.simplify(s.answer.value - value) == 0
    assert "substitute $u = " in s.steps[0].text and "upper limit" in s.steps[1].text
