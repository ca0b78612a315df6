"""Answer equivalence: every written form of a right answer matches, near misses never do.

.venv/bin/python -m pytest tests/pedagogy/test_equiv.py -q
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pedagogy import handmade as hm
from tests.pedagogy.test_leak import SOLVER_QUESTIONS
from tutor.pedagogy.equiv import Match, answer_match, matches_answer, same_value
from tutor.pedagogy.notation import read_answer
from tutor.pedagogy.numwords import value_of_words, words_to_digits
from tutor.pedagogy.types import Answer

x, y, C = sympy.symbols("x y C")

LINEAR = Answer("x = 5", "x = 5", {x: sympy.Integer(5)})
QUADRATIC = Answer("x = 2 or x = 3", "x = 2 \\text{ or } x = 3", (sympy.Integer(2), sympy.Integer(3)))
SYSTEM = Answer("x = 1, y = 2", "x = 1, y = 2", {x: sympy.Integer(1), y: sympy.Integer(2)})
INEQUALITY = Answer("x > 5", "x > 5", sympy.Gt(x, 5))
INTERVAL = Answer("x > 5", "x > 5", sympy.Interval.open(5, sympy.oo))
DERIVATIVE = Answer("3x^2 + 2", "3x^{2} + 2", 3 * x**2 + 2)
HALF = Answer("1/2", "\\frac{1}{2}", sympy.Rational(1, 2))
INTEGRAL = Answer("x^3/3 + C", "\\frac{x^{3}}{3} + C", x**3 / 3 + C)
INTEGRAL_NO_C = Answer("x^3/3", "\\frac{x^{3}}{3}", x**3 / 3)
FACTOR = Answer("(x + 2)(x + 3)", "", (x + 2) * (x + 3))
EXPAND = Answer("x^2 + 4x + 4", "", x**2 + 4 * x + 4)
SIMPLIFY = Answer("x + 1", "", x + 1)
FIVE_THIRDS = Answer("5/3", "", sympy.Rational(5, 3))
NO_ROOTS = Answer("no real solutions", "", ())


@pytest.mark.parametrize(
    "answer, kind, texts",
    [
        (
            LINEAR,
            "linear",
            [
                "5",
                "x = 5",
                "x=5.",
                "five",
                "10/2",
                "5.0",
                "$x = 5$",
                "\\boxed{5}",
                "\\(x=5\\)",
                "x is 5",
                "The answer is x = 5",
                "so x must be five",
                "5 = x",
                "**x = 5**",
                "x equals 5",
            ],
        ),
        (
            QUADRATIC,
            "quadratic",
            [
                "x = 2 or x = 3",
                "x=3, x=2",
                "2 and 3",
                "{2, 3}",
                "x ∈ {2,3}",
                "\\{2, 3\\}",
                "x = 3 or x = 2",
                "the roots are 2 and 3",
                "x = 2.5 ± 0.5",
            ],
        ),
        (
            SYSTEM,
            "system",
            ["x = 1, y = 2", "(1, 2)", "y=2 and x=1", "x = 1; y = 2", "x is one and y is two"],
        ),
        (
            INEQUALITY,
            "inequality",
            ["x > 5", "5 < x", "(5, ∞)", "x ∈ (5, oo)", "$x \\in (5, \\infty)$", "x>5."],
        ),
        (INTERVAL, "inequality", ["x > 5", "5 < x", "(5, oo)"]),
        (
            DERIVATIVE,
            "derivative",
            [
                "3x^2 + 2",
                "2 + 3x²",
                "3*x**2+2",
                "f'(x) = 3x^2 + 2",
                "$3x^{2}+2$",
                "dy/dx = 2 + 3x^2",
                "3x·x + 2",
                "\\frac{6x^2 + 4}{2}",
            ],
        ),
        (HALF, "arithmetic", ["0.5", "1/2", "50%", "\\frac{1}{2}", "one half", "0.50", "2/4", "½"]),
        (INTEGRAL, "integral", ["x^3/3 + C", "\\frac{x^3}{3} + C", "(1/3)x^3 + K", "x³/3 + c"]),
        (INTEGRAL_NO_C, "integral", ["x^3/3 + C", "x^3/3"]),
        (FACTOR, "factor", ["(x+2)(x+3)", "(x + 3)(x + 2)", "-(-x-2)(x+3)"]),
        (EXPAND, "expand", ["x^2 + 4x + 4", "4 + 4x + x^2", "x² + 4x + 4"]),
        (SIMPLIFY, "simplify", ["x + 1", "1 + x"]),
        (NO_ROOTS, "quadratic", ["no real solutions", "∅", "{}"]),
    ],
)
def test_right_answers_in_many_forms(answer, kind, texts):
    for text in texts:
        assert matches_answer(text, answer, kind), text


@pytest.mark.parametrize(
    "answer, kind, texts",
    [
        (
            LINEAR,
            "linear",
            ["5.5", "x = 6", "-5", "3x = 15", "x = 10/3", "y = 5 and x = 4", "50", "x < 5", ""],
        ),
        (
            QUADRATIC,
            "quadratic",
            ["x = 2", "x = 4", "x=2, x=3, x=4", "x = -2 or x = -3", "(x-2)(x-3) = 0", "5"],
        ),
        (SYSTEM, "system", ["(2, 1)", "x = 1", "x = 1, y = 3", "x + y = 3"]),
        (INEQUALITY, "inequality", ["x < 5", "x >= 5", "x \\geq 5", "[5, oo)", "x > 6", "5", "x = 5"]),
        (DERIVATIVE, "derivative", ["3x^2", "6x", "x^2 + 2", "3x^2 + 2x", "2x^3 + 2", "3x^2 - 2"]),
        (HALF, "arithmetic", ["0.6", "1/3", "5%", "0.05", "2"]),
        (INTEGRAL, "integral", ["x^3", "3x^2", "x^4/4 + C", "x^3/2 + C"]),
        (FACTOR, "factor", ["x^2 + 5x + 6", "(x+2)(x+4)", "(x-2)(x-3)", "x(x + 5) + 6"]),
        (EXPAND, "expand", ["(x+2)^2", "(x + 2)(x + 2)", "x^2 + 4"]),
        (SIMPLIFY, "simplify", ["(x^2-1)/(x-1)", "(x+1)(x-1)/(x-1)", "x - 1"]),
        (NO_ROOTS, "quadratic", ["x = 0", "2"]),
    ],
)
def test_near_misses_never_match(answer, kind, texts):
    for text in texts:
        assert not matches_answer(text, answer, kind), text


@pytest.mark.parametrize(
    "answer, text",
    [
        (Answer("11/12", "", sympy.Rational(11, 12)), "11/12 ≈ 0.9167"),
        (Answer("11/12", "", sympy.Rational(11, 12)), r"\frac{11}{12} \approx 0.9167"),
        (INTERVAL, r"x > 5 \quad \left(x \in (5, \infty)\right)"),
        (
            Answer("x >= -3", "", sympy.Interval(-3, sympy.oo)),
            r"$x \ge -3 \quad \left(x \in [-3, \infty)\right)$",
        ),
        (Answer("", "", x**2 * sympy.cos(x) + 2 * x * sympy.sin(x)), r"$x^{2} \cos{(x)} + 2 x \sin{(x)}$"),
        (
            Answer("x^2 + C", "x^{2} + C", x**2),
            "x^2 + C",
        ),  # the solver's value has no C; the kind is not given
        (Answer("x^2 + C", "x^{2} + C", x**2), r"$x^{2} + C$"),
    ],
)
def test_forms_the_solver_writes_match_without_the_kind(answer, text):
    """The evaluation scores final-answer lines with matches_answer(text, answer) and no kind."""
    assert matches_answer(text, answer)


def test_a_rounding_that_does_not_fit_is_not_dropped():
    assert not matches_answer("11/12 ≈ 0.95", Answer("11/12", "", sympy.Rational(11, 12)))
    assert answer_match("x ≈ 1.67", FIVE_THIRDS).approx


def test_partial_answers():
    assert answer_match("x = 2", QUADRATIC, "quadratic") == Match(full=False, part=True)
    assert answer_match("3", QUADRATIC, "quadratic").part
    assert answer_match("y = 2", SYSTEM, "system") == Match(full=False, part=True)
    assert not answer_match("x = 2, x = 7", QUADRATIC, "quadratic").part  # one wrong value: no credit


def test_rounded_decimals_are_close_not_exact():
    assert answer_match("1.67", FIVE_THIRDS) == Match(full=False, approx=True)
    assert answer_match("1.6667", FIVE_THIRDS).approx
    assert not answer_match("1.7", FIVE_THIRDS).approx  # one place is too coarse to call it the answer
    assert not answer_match("1.66", FIVE_THIRDS).approx  # truncated wrongly


def test_missing_constant_of_integration_is_flagged():
    assert answer_match("x^3/3", INTEGRAL, "integral") == Match(full=True, missing_constant=True)
    assert answer_match("x^3/3 + C", INTEGRAL, "integral") == Match(full=True)
    # without the kind, an answer that has a C still compares up to a constant
    assert answer_match("x^3/3 + 4", INTEGRAL).full


@pytest.mark.parametrize(
    "a, b, same",
    [
        (sympy.Rational(1, 2), sympy.Float(0.5), True),
        (3 * x**2 + 2, 2 + 3 * x * x, True),
        (sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1), True),
        ((x**2 - 1) / (x - 1), x + 1, True),
        (sympy.Abs(x), x, False),
        (sympy.sqrt(x**2), x, False),
        (2 * x, x**2, False),
        (sympy.Integer(5), sympy.Rational(11, 2), False),
        ({x: 1, y: 2}, {y: 2, x: 1}, True),
        ((2, 3), (2, 3), True),
        (sympy.Gt(x, 5), sympy.Interval.open(5, sympy.oo), True),
        (sympy.Gt(x, 5), sympy.Lt(x, 5), False),
        (sympy.Eq(x + y, 10), sympy.Eq(2 * x + 2 * y, 20), True),
        (sympy.exp(x) * sympy.exp(x), sympy.exp(2 * x), True),
        ((x + 1) ** 30, sympy.expand((x + 1) ** 30), True),
        ((x + 1) ** 300, (x + 1) ** 300 + 1, False),
    ],
)
def test_same_value(a, b, same):
    assert same_value(a, b) is same


def test_reader_keeps_pieces_apart():
    reading = read_answer("x = 2 or x = 3")
    assert reading.pieces == (sympy.Eq(x, 2), sympy.Eq(x, 3)) and reading.joined_by_or
    assert read_answer("1,000").pieces == (1000,)
    assert read_answer("words only, nothing here").pieces == ()


def test_number_words():
    assert words_to_digits("so x must be five") == "so x must be 5"
    assert words_to_digits("twenty-four plus a dozen") == "24 plus 12"
    assert words_to_digits("half of 48 is two thirds of 36") == "1/2 of 48 is 2/3 of 36"
    assert words_to_digits("one of the roots is on one side") == "one of the roots is on one side"
    assert words_to_digits("three hundred and five, two dozen") == "305, 24"
    assert words_to_digits("the third step") == "the third step"
    assert words_to_digits("the roots are two and three") == "the roots are 2 and 3"
    assert value_of_words("one two") is None and value_of_words("ninety-nine thousand") == 99000


@pytest.mark.parametrize("question", SOLVER_QUESTIONS)
def test_the_solvers_own_answer_in_every_written_form_matches(question):
    solution = hm.solved_by_the_solver(question)
    answer, kind = solution.answer, solution.problem.kind
    for text in (answer.text, answer.latex, f"$${answer.latex}$$", f"The answer is ${answer.latex}$."):
        assert matches_answer(text, answer) and matches_answer(text, answer, kind), text


HOSTILE = [
    "9" * 5000,
    "(" * 400 + "1" + ")" * 400,
    "x = 5\x00",
    "x^999999999",
    "9^9^9^9",
    "\\boxed{" * 50 + "5" + "}" * 50,
    "__import__('os').system('echo pwned')",
    "lambda: 5",
    "x = " + "+".join(["x"] * 120),
    "{" + ",".join(str(i) for i in range(200)) + "}",
    "\\frac{\\frac{\\frac{1}{2}}{3}}{4}" * 10,
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_quickly_and_never_raises(text):
    for answer, kind in [(LINEAR, "linear"), (QUADRATIC, "quadratic"), (DERIVATIVE, "derivative"),
                         (INEQUALITY, "inequality"), (INTEGRAL, "integral")]:  # fmt: skip
        assert not matches_answer(text, answer, kind)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_never_raises(text):
    for answer in (LINEAR, QUADRATIC, SYSTEM, INEQUALITY, DERIVATIVE, INTEGRAL, HALF):
        answer_match(text, answer)


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        (r"$x \in (-\infty, \frac{9}{2})$", sympy.Interval.open(-sympy.oo, sympy.Rational(9, 2))),
        (r"$x \in [\frac{7}{2}, \infty)$", sympy.Interval(sympy.Rational(7, 2), sympy.oo)),
        (r"$- \frac{\cos^{2}{(x)}}{2} + C$", sympy.Symbol("C") - sympy.cos(sympy.Symbol("x")) ** 2 / 2),
    ],
)
def test_reads_the_final_forms_the_solver_writes(text, piece):
    from tutor.pedagogy.notation import Pair

    (got,) = read_answer(text).pieces
    got = got.as_interval() if isinstance(got, Pair) else got
    assert got == piece


def test_math_verify_symbols_are_our_symbols():
    x = sympy.Symbol("x")
    answer = Answer("-cos(x)^2/2 + C", r"- \frac{\cos^{2}{(x)}}{2} + C", -sympy.cos(x) ** 2 / 2)
    assert matches_answer(r"$- \frac{\cos^{2}{\left(x \right)}}{2} + C$", answer, "integral")
    assert matches_answer(r"$\frac{\sin^{2}{(x)}}{2} + C$", answer, "integral")
