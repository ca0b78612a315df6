"""The solver's own LaTeX reads back as exactly the math it was made from.

Every problem, answer and one-piece step of generated problems of every kind goes through
``parse_math`` (the LaTeX path, latex2sympy2_extended underneath) and must equal the sympy
object the display was printed from. sympy prints ``x^2 sin(x)`` in a kept order as
``\\sin{(x)} x^{2}``, which latex2sympy alone reads as sin(x^3).

    .venv/bin/python -m pytest tests/pedagogy/test_roundtrip.py -q
"""

from __future__ import annotations

import pytest
import sympy

from tutor.pedagogy.claims import problem_math
from tutor.pedagogy.equiv import CONSTANT_NAMES, same_value
from tutor.pedagogy.parse import MathParseError, parse_math
from tutor.pedagogy.similar import generate_items
from tutor.pedagogy.types import KINDS

x = sympy.Symbol("x")
CALCULUS = (sympy.Derivative, sympy.Integral, sympy.Limit)
NOT_ONE_PIECE = (r"\text", r"\pm", r"\begin", ",", r"\\")  # "x = 2 or x = 3", lists: read by notation


def _same(got, want) -> bool:
    if isinstance(got, CALCULUS) or isinstance(want, CALCULUS):
        return type(got) is type(want) and same_value(got.args[0], want.args[0]) and got.args[1:] == want.args[1:]
    if isinstance(got, sympy.Basic) and isinstance(want, sympy.Basic):
        constants = {s: 0 for s in got.free_symbols if str(s) in CONSTANT_NAMES and not want.has(s)}
        got = got.subs(constants) if constants else got
    return same_value(got, want)


def _cases(kind):
    for question, _, solution in generate_items(kind, 8, seed=11):
        problem, answer = solution.problem, solution.answer
        if kind == "system":
            body = problem.latex.replace(r"\begin{cases}", "").replace(r"\end{cases}", "")
            for latex, eq in zip(body.split(r"\\"), problem.payload.expr, strict=True):
                yield question, latex, eq
        elif not any(s in problem.latex for s in NOT_ONE_PIECE):  # "15\\% \\text{ of } 80": words
            yield question, problem.latex, problem_math(solution)
        value = answer.value
        if not isinstance(value, (dict, tuple, sympy.Set)):
            if answer.text.endswith("%"):  # "what percent": the value is the number of percent
                value = value / 100
            yield question, answer.latex.replace("+ C", ""), value
        for step in solution.steps:
            if isinstance(step.payload, sympy.Basic) and not any(s in step.latex for s in NOT_ONE_PIECE):
                yield question, step.latex, step.payload


@pytest.mark.parametrize("kind", KINDS)
def test_the_solvers_latex_reads_back_as_its_own_math(kind):
    checked = 0
    for question, latex, want in _cases(kind):
        if kind == "arithmetic" and "=" in latex:  # "\\frac{4}{5} = 0.8": the value written two ways
            sides = [parse_math(side) for side in latex.split("=")]
            assert all(_same(side, want) for side in sides), f"{question!r}: {latex!r} is not {want}"
        else:
            got = parse_math(latex)
            assert _same(got, want), f"{question!r}: {latex!r} read as {got}, not {want}"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    "latex, want",
    [
        (r"\sin{(x)} x^{2}", x**2 * sympy.sin(x)),  # not sin(x^3)
        (r"\sin{\left(x \right)} \cdot x^{2}", x**2 * sympy.sin(x)),
        (r"\sin{(x)}/x", sympy.sin(x) / x),  # not sin(1)
        (r"\ln{(x)} x", x * sympy.log(x)),
        (r"\ln\left|x\right| x", x * sympy.log(sympy.Abs(x))),
        (r"\sin^{2}{(x)} x", x * sympy.sin(x) ** 2),
        (r"\sin{x} + 1", sympy.sin(x) + 1),
        (r"\sin 2x", sympy.sin(2 * x)),
        (r"\int - 4 x^{2} \, dx + \int -3 \, dx", sympy.Integral(-4 * x**2, x) + sympy.Integral(-3, x)),
        ("{10.5}", sympy.Rational(21, 2)),  # a LaTeX group, as the solver writes a leading decimal
        (r"40\%", sympy.Rational(2, 5)),
        (r"\frac{d^{2}}{dx^{2}}\left(x^{4}\right)", sympy.Derivative(x**4, (x, 2))),  # not d^2 x^4 / dx^2
    ],
)
def test_function_calls_take_only_their_bracket(latex, want):
    assert _same(parse_math(latex), want)


def test_a_limit_written_without_a_side_is_two_sided():
    assert parse_math(r"\lim_{x \to 0} \frac{\left|x\right|}{x}").args[3] == sympy.Symbol("+-")
    assert str(parse_math(r"\lim_{x \to 0^{+}} \frac{1}{x}").args[3]) == "+"


@pytest.mark.parametrize(
    "latex", [r"\sin x \cdot x", r"\sin x^2", r"\cos x \sin x", r"\sin{(x}", r"\mathrm{d}x + 1", r"\frac{d^2}{dx} x^3"]
)
def test_a_bare_call_followed_by_more_product_is_refused(latex):
    with pytest.raises(MathParseError):
        parse_math(latex)


@pytest.mark.parametrize("text", ["15% of 80", "x is 5", "at + 1", "the x", "2 by 3", "x if x"])
def test_english_words_are_not_products_of_letters(text):
    with pytest.raises(MathParseError):
        parse_math(text)
