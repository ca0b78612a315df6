"""Mixed numbers: 3⅓, 3 1/3 and 3\\frac{1}{3} are 10/3 (never 3 × 1/3); unclear ones are refused."""

from __future__ import annotations

import pytest
import sympy

from tutor.pedagogy import analyse
from tutor.pedagogy.parse import MathParseError, parse_math

R = sympy.Rational
x = sympy.Symbol("x")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3⅓", R(10, 3)),
        ("3 ⅓", R(10, 3)),
        ("3 1/3", R(10, 3)),
        ("-2 1/2", R(-5, 2)),
        (r"3\frac{1}{3}", R(10, 3)),
        (r"$2\frac{1}{2} + 1\frac{1}{4}$", R(15, 4)),
        (r"2 \dfrac{3}{4}", R(11, 4)),
        ("3⅓ ÷ 1⅔", 2),
        ("2 × ⅓", R(2, 3)),  # a times sign between: a product
        ("½ + ¼", R(3, 4)),
        (r"\frac{1}{2} \cdot 3", R(3, 2)),
    ],
)
def test_mixed_numbers_are_read_as_their_value(text, value):
    assert parse_math(text) == value


@pytest.mark.parametrize("text", ["2 3/2", r"2\frac{3}{2}", "2 1/2x", "2 1/2 x", "2⅓x", "2 0/3"])
def test_unclear_mixed_numbers_are_refused(text):
    with pytest.raises(MathParseError):
        parse_math(text)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("3⅓ ÷ 1⅔", 2),
        ("What is 2½ + 1¾?", R(17, 4)),
        ("Calculate 3 1/3 ÷ 1 2/3", 2),
        ("Work out 2 1/2 × 3", R(15, 2)),
        (r"Evaluate $3\frac{1}{3} \div 1\frac{2}{3}$", 2),
        (r"$2\frac{1}{2} + 1\frac{1}{4}$", R(15, 4)),
        ("What is 4 1/2 - 1 3/4?", R(11, 4)),
    ],
)
def test_arithmetic_with_mixed_numbers(question, value):
    s = analyse(question)
    assert s is not None and s.checked and s.answer.value == value
    assert any("mixed number" in step.text for step in s.steps)


@pytest.mark.parametrize(
    ("question", "answer"),
    [("x + 2 1/2 = 5", R(5, 2)), ("Solve 3⅓ + x = 5", R(5, 3)), (r"Solve $x + 2\frac{1}{2} = 5$", R(5, 2))],
)
def test_mixed_numbers_in_equations(question, answer):
    s = analyse(question)
    assert s is not None and s.checked and s.answer.value == {x: answer}


@pytest.mark.parametrize("question", ["2⅓x = 7", "Simplify 2 1/2 x + x", "What is 3 4/3 + 1?", r"What is 2\frac{3}{2}?"])
def test_ambiguous_mixed_numbers_are_not_recognised(question):
    assert analyse(question) is None
