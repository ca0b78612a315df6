"""Each kind's solver: known answers, teacher-like steps, every step checked, edge cases.

Calculus (derivatives, integrals, limits) is in test_solvers_calculus.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy

from tests.pedagogy.solving import solved, texts
from tutor.pedagogy.read import read_problem
from tutor.pedagogy.solve import analyse, check
from tutor.pedagogy.solvers.base import tight

x, y = sympy.symbols("x y")


# --- linear -----------------------------------------------------------------------------------------


def test_linear_is_solved_like_a_teacher():
    s = solved("Solve for x: 3x + 5 = 20")
    assert texts(s) == ["Subtract 5 from both sides.", "Divide both sides by 3."]
    assert [st.latex for st in s.steps] == ["3x = 15", "x = 5"]
    assert s.answer.text == "x = 5" and s.answer.value == {x: 5}


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("8x - 17 = 71", 11),
        ("2(x+3) = 4x - 1", sympy.Rational(7, 2)),
        ("5 - 3x = 11", -2),
        ("x/2 + 3 = 7", 8),
        ("x/3 + x/2 = 5", 6),
        ("20 = 3x + 5", 5),
        ("4x + 7 = 7", 0),
        ("0.5x + 1.2 = 3.7", 5),
        ("-x = 4", -4),
        ("3(x - 2) - 2(x + 1) = 0", 8),
        ("(2x + 1)/3 = 5", 7),
        ("7 = 2 - x", -5),
    ],
)
def test_linear_known_answers(question, value):
    s = solved(question)
    assert s.answer.value == {x: value}
    assert s.steps[-1].latex.replace(" ", "").startswith("x=")


def test_linear_no_solution_and_every_number():
    none = solved("3x + 1 = 3x + 2")
    assert none.answer.value == sympy.S.EmptySet and "no solution" in none.answer.text
    every = solved("2(x+1) = 2x + 2")
    assert every.answer.value == sympy.S.Reals and "every" in every.answer.text


def test_linear_with_decimals_keeps_decimals_in_the_steps():
    s = solved("0.5x + 1.2 = 3.7")
    assert "2.5" in s.steps[0].latex and "frac" not in "".join(st.latex for st in s.steps)


def test_dividing_by_a_negative_is_said_plainly():
    s = solved("5 - 3x = 11")
    assert texts(s)[-1] == "Divide both sides by -3."


# --- quadratic ---------------------------------------------------------------------------------------


def test_quadratic_that_factors_is_factored():
    s = solved("x² − 5x + 6 = 0")
    assert "multiply to 6 and add to -5" in texts(s)[0]
    assert s.answer.value == (2, 3) and s.answer.text == "x = 2 or x = 3"


@pytest.mark.parametrize(
    ("question", "roots"),
    [
        ("2x^2 + 4x - 6 = 0", (-3, 1)),
        ("2x^2 + 5x - 3 = 0", (-3, sympy.Rational(1, 2))),
        ("x^2 = 9", (-3, 3)),
        ("x^2 - 5x = 0", (0, 5)),
        ("x^2 - 6x + 9 = 0", (3,)),
        ("real roots of x^2 + 1 = 0", ()),
        ("x(x - 4) = 5", (-1, 5)),
        ("x^2 + 3x = 10", (-5, 2)),
        ("-x^2 + 4 = 0", (-2, 2)),
        ("x^2 + 2x - 1 = 0", (-1 - sympy.sqrt(2), -1 + sympy.sqrt(2))),
        ("x^2 + x + 1 = 0 for real x", ()),
        ("x^2 = 0", (0,)),
        ("x^2 = 2", (-sympy.sqrt(2), sympy.sqrt(2))),
    ],
)
def test_quadratic_known_answers(question, roots):
    s = solved(question)
    assert s.answer.value == tuple(roots)


def test_quadratic_formula_shows_the_discriminant_and_no_real_roots_are_said():
    s = solved("x^2 + 2x - 1 = 0")
    assert any("discriminant" in t for t in texts(s)) and any("quadratic formula" in t for t in texts(s))
    none = solved("Solve x^2 + x + 1 = 0 over the real numbers")
    assert "no real solutions" in none.answer.text and "negative" in texts(none)[-1]


def test_repeated_root_is_one_answer():
    s = solved("x^2 - 6x + 9 = 0")
    assert s.answer.text == "x = 3" and any("twice" in t for t in texts(s))


# --- arithmetic --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "text"),
    [
        ("What is 3/4 + 1/6?", sympy.Rational(11, 12), "11/12"),
        ("what's 15% of 80", 12, "12"),
        ("calculate 2.5 × 4.2", sympy.Rational(21, 2), "10.5"),
        ("12 ÷ 4 + 3²", 12, "12"),
        ("What percent of 80 is 20?", 25, "25%"),
        ("Increase 50 by 20%", 60, "60"),
        ("decrease 80 by 15%", 68, "68"),
        ("Convert 3/8 to a decimal", sympy.Rational(3, 8), "0.375"),
        ("Convert 0.375 to a fraction", sympy.Rational(3, 8), "3/8"),
        ("what is 3/8 as a percentage", sympy.Rational(75, 2), "37.5%"),
        ("What is 2 1/2 + 1 3/4?", sympy.Rational(17, 4), "17/4"),
        ("What is 7 - 3 * 2 + (4 + 6) / 5?", 3, "3"),
        ("What is 2/3 ÷ 4/5?", sympy.Rational(5, 6), "5/6"),
        ("What is 2/3 × 9/4?", sympy.Rational(3, 2), "3/2"),
        ("5 - 8", -3, "-3"),
        ("What is 1/2 - 3/4?", sympy.Rational(-1, 4), "-1/4"),
        ("2^3 × (1 + 1)", 16, "16"),
        ("0.1 + 0.2", sympy.Rational(3, 10), "0.3"),
    ],
)
def test_arithmetic_known_answers(question, value, text):
    s = solved(question)
    assert s.answer.value == value
    assert s.answer.text.startswith(text)


def test_fractions_use_a_common_denominator():
    s = solved("What is 3/4 + 1/6?")
    assert texts(s)[0] == "Write both fractions with the common denominator 12."
    assert s.steps[0].latex == r"\frac{9}{12} + \frac{2}{12}"
    assert s.answer.latex.startswith(r"\frac{11}{12}")


def test_order_of_operations():
    s = solved("12 ÷ 4 + 3²")
    assert texts(s)[0].startswith("Powers come first")
    assert texts(s)[1].startswith("Divide before you add")


def test_percent_of_is_a_multiplication():
    s = solved("what's 15% of 80")
    assert s.steps[0].latex == r"{0.15}\times 80"


# --- checked is computed, not assumed --------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "wrong_state"),
    [
        ("3x + 5 = 20", sympy.Eq(3 * x, 25, evaluate=False)),
        ("x^2 - 5x + 6 = 0", sympy.FiniteSet(2, 4)),
    ],
)
def test_a_corrupted_step_is_not_checked(question, wrong_state):
    s = solved(question)
    bad = replace(s.steps[0], payload=wrong_state)
    corrupted = check(replace(s, steps=(bad, *s.steps[1:])))
    assert not corrupted.checked and not corrupted.steps[0].checked
    assert check(s).checked


def test_a_wrong_answer_is_not_checked():
    s = solved("3x + 5 = 20")
    wrong = replace(s.answer, value={x: sympy.Integer(6)})
    assert not check(replace(s, answer=wrong)).checked


def test_a_corrupted_arithmetic_step_is_not_checked():
    from tutor.pedagogy.solvers.arith_tree import parse_arith

    s = solved("What is 3/4 + 1/6?")
    bad = replace(s.steps[0], payload=parse_arith("9/12 + 3/12"))
    assert not check(replace(s, steps=(bad, *s.steps[1:]))).checked


def test_analyse_returns_none_when_not_recognised():
    assert analyse("Natalia sold clips to 48 of her friends in April.") is None
    assert analyse("hello") is None


# --- systems -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("solve x + y = 10 and x - y = 2", {x: 6, y: 4}),
        ("2x + y = 7, x - y = -1", {x: 2, y: 3}),
        ("3x + 2y = 12, 2x + 3y = 13", {x: 2, y: 3}),
        ("y = 2x + 1 and 3x + y = 11", {x: 2, y: 5}),
        ("x + 2y = 0, 3x - y = 7", {x: 2, y: -1}),
        ("2x + 4y = 5, x + y = 1", {x: sympy.Rational(-1, 2), y: sympy.Rational(3, 2)}),
    ],
)
def test_system_known_answers(question, values):
    s = solved(question)
    assert s.answer.value == values


def test_system_methods_are_named():
    assert "Add the two equations" in texts(solved("x + y = 10, x - y = 2"))[0]
    assert texts(solved("y = 2x + 1 and 3x + y = 11"))[0].startswith("Substitute")
    assert texts(solved("3x + 2y = 12, 2x + 3y = 13"))[0].startswith("Multiply the first equation by 3")


def test_system_without_a_solution_or_with_infinitely_many():
    none = solved("x + y = 3, x + y = 5")
    assert none.answer.value == sympy.S.EmptySet and "parallel" in texts(none)[-1]
    many = solved("x + y = 3, 2x + 2y = 6")
    assert "infinitely many" in many.answer.text


# --- inequalities --------------------------------------------------------------------------------------


def test_inequality_answer_in_words_and_interval():
    s = solved("solve 2x - 3 > 7")
    assert s.answer.text == "x > 5" and s.answer.value == sympy.Interval.open(5, sympy.oo)
    assert r"\left(x \in (5, \infty)\right)" in s.answer.latex


def test_dividing_by_a_negative_flips_the_sign_and_says_so():
    s = solved("Solve 5 - 2x ≤ 11")
    assert texts(s)[-1] == "Divide both sides by -2. Dividing by a negative number flips the inequality sign."
    assert s.answer.text == "x ≥ -3" and s.answer.value == sympy.Interval(-3, sympy.oo)


@pytest.mark.parametrize(
    ("question", "solution"),
    [
        ("3x + 4 < 10", sympy.Interval.open(-sympy.oo, 2)),
        ("-x >= 2", sympy.Interval(-sympy.oo, -2)),
        ("4 - 3x > 2x - 6", sympy.Interval.open(-sympy.oo, 2)),
        ("x^2 - 5x + 6 < 0", sympy.Interval.open(2, 3)),
        ("x^2 - 4 >= 0", sympy.Union(sympy.Interval(-sympy.oo, -2), sympy.Interval(2, sympy.oo))),
        ("2x + 1 > 2x", sympy.S.Reals),
        ("x + 1 < x", sympy.S.EmptySet),
    ],
)
def test_inequality_known_answers(question, solution):
    assert solved(question).answer.value == solution


# --- algebra -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("expand (x+2)(x-3)", x**2 - x - 6),
        ("Expand (x+2)^2", x**2 + 4 * x + 4),
        ("multiply out 3(x - 4)", 3 * x - 12),
        ("expand 3(x-2) - 2(x+1)", x - 8),
        ("expand (2x - 1)(x + 5)", 2 * x**2 + 9 * x - 5),
        ("expand (x+1)(x+2)(x+3)", x**3 + 6 * x**2 + 11 * x + 6),
    ],
)
def test_expand_known_answers(question, expected):
    s = solved(question)
    assert sympy.expand(s.answer.value - expected) == 0 and s.answer.value == sympy.expand(s.answer.value)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("factor x^2 + 5x + 6", (x + 2) * (x + 3)),
        ("Factorise x^2 - 9", (x - 3) * (x + 3)),
        ("factorize fully 2x^2 + 10x + 12", sympy.Mul(2, x + 2, x + 3, evaluate=False)),
        ("factor 2x^2 + 5x - 3", (2 * x - 1) * (x + 3)),
        ("factor x^2 + 6x + 9", (x + 3) ** 2),
        ("factor x^3 - x", x * (x - 1) * (x + 1)),
        ("factor 4x^2 - 9y^2", (2 * x - 3 * y) * (2 * x + 3 * y)),
        ("factor 6x^2 + 4x", 2 * x * (3 * x + 2)),
    ],
)
def test_factor_known_answers(question, expected):
    s = solved(question)
    assert s.answer.latex == tight(sympy.latex(expected))  # the factored form, not just an equal expression
    assert sympy.expand(s.answer.value - expected) == 0


def test_factoring_names_the_pattern():
    assert "difference of two squares" in texts(solved("Factorise x^2 - 9"))[0]
    assert "common factor" in texts(solved("factor 6x^2 + 4x"))[0]
    ac = texts(solved("factor 2x^2 + 5x - 3"))
    assert "split the middle term" in ac[0] and ac[1] == "Factor each pair of terms."


def test_what_does_not_factor_over_the_integers_is_not_answered():
    assert analyse("factor x^2 + x + 1") is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("simplify (x^2 - 1)/(x - 1)", x + 1),
        ("Simplify 3x + 2x - 4 + x", 6 * x - 4),
        ("simplify 1/x + 1/(x+1)", (2 * x + 1) / (x * (x + 1))),
        ("simplify x^3 * x^2", x**5),
        ("simplify (x^2+5x+6)/(x^2-4)", (x + 3) / (x - 2)),
        ("simplify 2(x+3) - 4x", 6 - 2 * x),
    ],
)
def test_simplify_known_answers(question, expected):
    s = solved(question)
    assert sympy.simplify(s.answer.value - expected) == 0


def test_cancelling_says_where_it_is_allowed():
    assert r"x \neq 1" in texts(solved("simplify (x^2 - 1)/(x - 1)"))[-1]


# --- every kind: a corrupted step or answer is not checked ----------------------------------------------


def _corrupt(state):
    from tutor.pedagogy.solvers.arith_tree import Bin, Num

    if isinstance(state, tuple) and state and state[0] == "bracket":
        return ("bracket", state[1] + x, *state[2:])
    if isinstance(state, tuple):
        return (_corrupt(state[0]), *state[1:])
    if isinstance(state, sympy.core.relational.Relational):
        return state.func(state.lhs, state.rhs + 1, evaluate=False)
    if isinstance(state, sympy.FiniteSet):
        return sympy.FiniteSet(*[v + 1 for v in state])
    if isinstance(state, sympy.Set):
        return sympy.Interval(-1, 1) if state != sympy.Interval(-1, 1) else sympy.S.EmptySet
    if isinstance(state, sympy.Basic):
        return state + x if state.has(x) or isinstance(state, (sympy.Integral, sympy.Derivative)) else state + 1
    return Bin("+", state, Num(1, "1"))


@pytest.mark.parametrize(
    "question",
    [
        "2(x+3) = 4x - 1", "x^2 + 2x - 1 = 0", "3x + 2y = 12, 2x + 3y = 13", "solve 2x - 3 > 7", "x^2 - 4 >= 0",
        "What is 3/4 + 1/6?", "what's 15% of 80", "expand (x+2)(x-3)", "factor 2x^2 + 5x - 3",
        "simplify (x^2 - 1)/(x - 1)", "differentiate sin(x) x^2", "integrate (x+1)^2", "integrate 2x from 0 to 3",
        "lim x->oo (2x+1)/x", "find the limit of sin(x)/x as x approaches 0",
    ],
)  # fmt: skip
def test_every_corrupted_step_is_caught(question):
    s = solved(question)
    for i, step in enumerate(s.steps):
        bad = replace(step, payload=_corrupt(step.payload))
        corrupted = check(replace(s, steps=(*s.steps[:i], bad, *s.steps[i + 1 :])))
        assert not corrupted.checked, (question, i, step.text)
        assert not corrupted.steps[i].checked


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Solve -2 < 3x + 1 < 7", "-1 < x < 2"),
        ("solve 1 <= 5 - 2x < 9", "-2 < x <= 2"),  # dividing by -2 flips both signs
        ("Integrate 2x cos(x^2)", "sin(x^2) + C"),  # substitution
        ("integrate x e^(x^2)", "e^(x^2)/2 + C"),
        ("Integrate sin(x)cos(x)", "sin(x)^2/2 + C"),
        ("Integrate ln(x)", "x ln(x) - x + C"),  # by parts, u = ln x
        ("Integrate (x^2 + 1)/x", "x^2/2 + ln|x| + C"),  # divide each term first
        ("Integrate 1/(1 + x^2)", "arctan(x) + C"),
        ("Differentiate arctan(x)", "1/(1 + x^2)"),
        ("Differentiate 2^x", "2^x ln(2)"),
        ("Differentiate sec(x)", "sec(x)tan(x)"),
        ("Simplify (6x^5y^2)/(3x^2y)", "2x^3 y"),
        ("Simplify (x^-2)^3", "1/x^6"),
        ("Simplify x/(x + 1) + 1/(x + 1)", "1"),
        ("Find the second derivative of x^3 + 2x^2", "6x + 4"),
        ("f(x) = x sin(x), find f''(x)", "2cos(x) - x sin(x)"),
        (r"Find $\frac{d^2y}{dx^2}$ if $y = e^{3x}$", "9e^(3x)"),
        ("Find the area under y = 4 - x^2 from -2 to 2", "32/3"),  # never below the axis there
    ],
)
def test_more_of_each_kind_is_solved_with_checked_steps(question, answer):
    from tutor.pedagogy.coverage import verdict

    solution = analyse(question)
    assert solution is not None and all(step.checked for step in solution.steps), question
    assert verdict(solution, answer) == "right", (question, solution.answer.text)


@pytest.mark.parametrize(
    "question",
    [
        "Find the area under y = x^2 - 1 from 0 to 2",  # partly below the axis: area or integral?
        "Find the area under y = x^2",  # no interval
        "What is the third derivative of x^5?",
        "Find the second integral of x",
    ],
)
def test_areas_and_orders_that_could_mean_something_else_are_refused(question):
    assert analyse(question) is None


@pytest.mark.parametrize("question", ["Solve x^2 + 9 = 0", "roots of x^2 + 4", "x^2 + x + 1 = 0"])
def test_no_real_roots_are_only_read_when_the_question_asks_for_real_ones(question):
    assert read_problem(question) is None  # "x = ±3i" may be the answer expected
