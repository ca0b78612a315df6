"""The math a sentence of prose states: claims with their sides and roles.

.venv/bin/python -m pytest tests/pedagogy/test_prose.py -q
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.pedagogy.prose import math_claims, normalize, numbers_in, read_claims

x, C = sympy.symbols("x C")


def one(sentence: str):
    claims = math_claims(sentence)
    assert len(claims) == 1, (sentence, claims)
    return claims[0]


@pytest.mark.parametrize(
    "sentence, role, lhs, rhs",
    [
        ("$3x = 15$", "equation", 3 * x, 15),
        ("x = 5", "equation", x, 5),
        ("x equals 5", "equation", x, 5),
        ("x is 5", "equation", x, 5),
        ("so x must be five", "result", x, 5),
        ("48 plus 24 is 72", "equation", 72, 72),
        ("48 + 24 = 72", "equation", 72, 72),
        ("half of 48 is 24", "equation", 24, 24),
        ("there are 3 bolts in total", "result", None, 3),
        ("she has 72 clips altogether", "result", None, 72),
        ("The derivative is 3x^2 + 2", "result", None, 3 * x**2 + 2),
        ("the answer is 28", "result", None, 28),
        ("which gives 12", "result", None, 12),
        ("the integral equals x^3/3 + C", "result", None, x**3 / 3 + C),
        ("the limit is 1", "result", None, 1),
        (r"So \(x = 5\).", "result", x, 5),
        ("So x=5", "result", x, 5),
        ("Subtract 5 from 20 to get 15.", "equation", 15, 15),
        ("(12)3 = 36", "equation", 36, 36),
        ("x ≈ 2.875", "equation", x, sympy.Rational(23, 8)),
        ("2x − 3 ≥ 5", "equation", 2 * x - 3, 5),
        ("Calculate 2.5 × 4.2", "value", None, sympy.Rational(21, 2)),
        ("It must be 5.", "result", None, 5),
        ("She sold twenty-four in May.", "result", None, 24),
    ],
)
def test_claims_of_one_sentence(sentence, role, lhs, rhs):
    claim = one(sentence)
    assert claim.role == role
    assert (claim.lhs is None) if lhs is None else claim.lhs == lhs
    assert sympy.simplify(claim.rhs - rhs) == 0


def test_lists_after_a_result_are_results():
    claims = math_claims("we get x = -2 and x = 3")
    assert [(c.role, c.lhs, c.rhs) for c in claims] == [("result", x, -2), ("result", x, 3)]
    claims = math_claims("the roots are 2 and 3")
    assert [(c.role, c.subject, c.rhs) for c in claims] == [("result", "root", 2), ("result", "root", 3)]


def test_subjects_name_what_a_result_is_about():
    assert one("The derivative is 3x^2 + 2").subject == "derivative"
    assert one("the answer is 28").subject == "answer"
    assert one("f'(x) = 3x^2 + 2").subject == "derivative"
    of = one("The derivative of x^3 is 3x^2.")
    assert (of.subject, of.lhs, of.rhs) == ("derivative of", x**3, 3 * x**2)
    assert one(r"$\frac{d}{dx}(x^3) = 3x^2$").subject == "derivative of"
    assert one("∫ 2x dx = x^2 + C").subject == "integral of"
    limit = one("The limit of sin(x)/x as x approaches 0 is 1.")
    assert limit.subject == "limit of" and limit.rhs == 1


def test_computed_and_literal():
    assert one("48 + 24 = 72").computed and one("48 + 24 = 72").literal
    assert not one("x = 5").computed
    assert not one("The derivative is 3x^2 + 2").literal
    assert one("x = 10/2").literal


@pytest.mark.parametrize(
    "sentence",
    [
        "Subtract 5 from both sides.",
        "Move the 5 to the left side.",
        "Look at the 3 in front of x.",
        "So subtract 5 from both sides.",
        "Take one step at a time.",
        "It is the 3rd step.",
    ],
)
def test_numbers_that_are_not_results(sentence):
    assert all(c.role == "value" for c in math_claims(sentence))


@pytest.mark.parametrize(
    "sentence",
    ["Think of a number.", "What do you think comes next?", "Photosynthesis makes sugar.", "", "I see."],
)
def test_no_math_no_claims(sentence):
    assert math_claims(sentence) == []


def test_question_numbers_include_words_and_digits():
    assert numbers_in("Natalia sold clips to 48 of her friends, and twelve more.") == {48, 12}
    assert numbers_in("Solve 3x − 5 = −20") == {3, 5, 20}


def test_normalize_unicode_latex_and_words():
    assert normalize("$\\frac{1}{2}$ of 48 is twenty four") == " ((1)/(2)) * 48 = 24"
    assert "3x^(2)" in normalize("3x² + 2")


def test_long_and_dense_sentences_say_they_were_read_in_part():
    assert not read_claims("1 + " * 2000).complete
    assert not read_claims(" and ".join(str(i) for i in range(40))).complete
    assert read_claims("x = 5 and y = 3").complete


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "sentence",
    ["9" * 8000, "(" * 3000 + "x" + ")" * 3000, "x = 5\x00 and \x00", "1/" * 3000, "x^" * 500 + "2",
     "$" * 500, "\\frac{" * 300, "so " * 3000 + "x = 5"],
)  # fmt: skip
def test_hostile_sentences_are_bounded_and_never_raise(sentence):
    math_claims(sentence)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(sentence):
    math_claims(sentence)
