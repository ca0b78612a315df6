"""ClaimFilter: model sentences whose math contradicts the checked solution are not shown.

.venv/bin/python -m pytest tests/pedagogy/test_claims.py -q
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pedagogy import handmade as hm
from tests.pedagogy.test_leak import SOLVER_QUESTIONS
from tutor.pedagogy.claims import ClaimFilter, contradicts, problem_math

# (solution, sentence): false statements about the problem
WRONG = [
    (hm.LINEAR, "Subtract 5 from both sides to get 3x = 25."),
    (hm.LINEAR, "Now 8 + 5 = 14."),
    (hm.LINEAR, "So x = 28."),
    (hm.LINEAR, "The answer is 11."),
    (hm.LINEAR, "That gives x + 5 = 20."),
    (hm.LINEAR, "x ≈ 2.875"),
    (hm.LINEAR_28, "So x = 28 for 8x - 17 = 71."),
    (hm.LINEAR_28, "Adding 17 gives 8x = 54."),
    (hm.QUADRATIC, "The roots are x = -2 and x = -3."),
    (hm.QUADRATIC, "So x^2 = 4."),
    (hm.QUADRATIC, "It factors as (x + 2)(x + 3) = 0."),
    (hm.SYSTEM, "So x = 7."),
    (hm.SYSTEM, "Adding the equations gives 2x = 10."),
    (hm.INEQUALITY, "So x < 5."),
    (hm.INEQUALITY, "Adding 3 gives 2x > 4."),
    (hm.DERIVATIVE, "The derivative is 3x^2."),
    (hm.DERIVATIVE, "The derivative of x^3 is 3x."),
    (hm.DERIVATIVE, "f'(x) = 3x^2 + 2x"),
    (hm.INTEGRAL, "The integral of x^2 is x^3 + C."),
    (hm.INTEGRAL, "The answer is 2x."),
    (hm.DEFINITE, "The integral equals 27."),
    (hm.LIMIT, "The limit is 0."),
    (hm.LIMIT, "The limit of sin(x)/x as x approaches 0 is 0."),
    (hm.FRACTIONS, "3/4 + 1/6 = 4/10"),
    (hm.FRACTIONS, "The answer is 4/10."),
    (hm.PERCENT, "15% of 80 is 1200."),
    (hm.PRODUCT, "12 * 7 = 90"),
    (hm.EXPAND, "(x + 2)^2 = x^2 + 4"),
    (hm.EXPAND, "The answer is x^2 + 2x + 4."),
    (hm.FACTOR, "x^2 + 5x + 6 = (x + 1)(x + 6)"),
    (hm.SIMPLIFY, "It simplifies to x - 1."),
    (hm.LINEAR_28, "The value of x is 7."),
    (hm.FACTOR, "x^2 + 5x + 6 factors as (x + 1)(x + 6)."),
]

# (solution, sentence): true statements, steps and sentences with no math
RIGHT = [
    (hm.LINEAR, "Subtract 5 from both sides to get 3x = 15."),
    (hm.LINEAR, "3x + 5 - 5 = 20 - 5, so 3x = 15."),
    (hm.LINEAR, "Then divide both sides by 3, so x = 5."),
    (hm.LINEAR, "The answer is 5."),
    (hm.LINEAR, "Check: 3(5) + 5 = 20."),
    (hm.LINEAR, "We start from 3x + 5 = 20."),
    (hm.LINEAR, "Linear equations are solved by undoing operations."),
    (hm.LINEAR_28, "Add 17 to both sides: 8x = 88, so x = 11."),
    (hm.QUADRATIC, "The left side factors as (x - 2)(x - 3) = 0."),
    (hm.QUADRATIC, "So x = 2 or x = 3."),
    (hm.QUADRATIC, "Using the formula with a = 1, b = -5 and c = 6 gives the roots."),
    (hm.QUADRATIC, "Moving 6 over gives x^2 - 5x = -6."),
    (hm.SYSTEM, "From x + y = 10 we get y = 10 - x."),
    (hm.SYSTEM, "Adding the equations gives 2x = 12, so x = 6 and y = 4."),
    (hm.INEQUALITY, "Adding 3 to both sides gives 2x > 10, so x > 5."),
    (hm.DERIVATIVE, "The derivative of x^3 is 3x^2 and the derivative of 2x is 2."),
    (hm.DERIVATIVE, "So the derivative is 3x^2 + 2."),
    (hm.DERIVATIVE, "By the power rule, d/dx x^n = n x^(n-1)."),
    (hm.INTEGRAL, "The integral of x^2 is x^3/3 + C."),
    (hm.INTEGRAL, "Check: the derivative of x^3/3 is x^2."),
    (hm.DEFINITE, "The antiderivative is x^3/3, and 27/3 - 0 = 9."),
    (hm.LIMIT, "The limit of sin(x)/x as x approaches 0 is 1."),
    (hm.LIMIT, "Try x = 0.1: sin(0.1)/0.1 is about 0.998."),
    (hm.FRACTIONS, "3/4 = 9/12 and 1/6 = 2/12, so the sum is 11/12."),
    (hm.PERCENT, "15% of 80 is 12."),
    (hm.PRODUCT, "12 * 7 = 84, because 10 * 7 = 70 and 2 * 7 = 14."),
    (hm.EXPAND, "(x + 2)^2 = (x + 2)(x + 2) = x^2 + 4x + 4."),
    (hm.FACTOR, "x^2 + 5x + 6 = (x + 2)(x + 3)."),
    (hm.SIMPLIFY, "The top is (x - 1)(x + 1), so the fraction simplifies to x + 1."),
    (hm.SIMPLIFY, "The numerator factors as (x - 1)(x + 1)."),
    (hm.QUADRATIC, "One root is x = 2."),
    (hm.DEFINITE, "An antiderivative of x^2 is x^3/3."),
]


@pytest.mark.parametrize("solution, sentence", WRONG)
def test_contradictions_are_found(solution, sentence):
    assert contradicts(sentence, solution)


@pytest.mark.parametrize("solution, sentence", RIGHT)
def test_true_statements_pass(solution, sentence):
    assert not contradicts(sentence, solution)


def stream(f: ClaimFilter, text: str, chunk: int) -> str:
    return f.start("") + "".join(f.feed(text[i : i + chunk]) for i in range(0, len(text), chunk)) + f.finish()


def test_filter_drops_only_the_wrong_sentences_in_a_stream():
    text = ("We solve 8x - 17 = 71. Add 17 to both sides: 8x = 88. Divide by 8. So x = 28.\n"
            "Check: 8(11) - 17 = 71. Great job!")  # fmt: skip
    for chunk in (1, 3, 10_000):
        f = ClaimFilter(hm.LINEAR_28)
        out = stream(f, text, chunk)
        assert "x = 28" not in out and "8x = 88" in out and out.endswith("Great job!")
        assert f.dropped == ["So x = 28.\n"] and f.tripped and "x = 28" in f.reasons[0]


@pytest.mark.parametrize(
    "solution, sentence, shown",
    [
        (hm.QUADRATIC, "One root is x = 2.", False),
        (hm.QUADRATIC, "So x = 2 or x = 3.", True),
        (hm.QUADRATIC, "The roots are 3 and 2.", True),
        (hm.DERIVATIVE, "The derivative of x^3 is 3x^2.", False),
        (hm.DERIVATIVE, "So the derivative is 3x^2 + 2.", True),
        (hm.DEFINITE, "The antiderivative is x^3/3.", False),
        (hm.DEFINITE, "So the integral is 9.", True),
        (hm.SYSTEM, "So x = 6 and y = 4.", True),
        (hm.SYSTEM, "So x = 6.", True),  # one unknown's value: part of the answer, not another answer
        (hm.LIMIT, "Now substitute $x = 0$.", True),  # x is not an unknown in a limit
        (hm.DERIVATIVE, r"Use the constant rule ($\frac{d}{dx}c = 0$) on $2$.", True),  # a rule, any c
        (hm.LINEAR, "Subtract 5 from both sides to get 3x = 15.", True),
        (hm.LINEAR, "Linear equations are solved by undoing operations.", True),
    ],
)
def test_strict_results_keep_only_the_whole_answer(solution, sentence, shown):
    f = ClaimFilter(solution, strict_results=True)
    assert (stream(f, sentence, 3) == sentence) is shown
    assert (f.dropped == []) is shown


def test_without_a_solution_only_false_arithmetic_goes():
    f = ClaimFilter(None)
    out = stream(f, "She sold 48 + 24 = 72 clips. Then 72 + 2 = 74 in all? No: 48 + 24 = 73.", 4)
    assert out == "She sold 48 + 24 = 72 clips. Then 72 + 2 = 74 in all? " and len(f.dropped) == 1


def test_problem_math_reads_payload_latex_or_statement():
    assert str(problem_math(hm.LINEAR)) == "Eq(3*x + 5, 20)"
    assert type(problem_math(hm.DERIVATIVE)).__name__ == "Derivative"
    assert type(problem_math(hm.LIMIT)).__name__ == "Limit"
    assert len(problem_math(hm.SYSTEM)) == 2
    assert problem_math(hm.PERCENT) == 12


def test_problem_math_prefers_the_solvers_parsed_payload():
    class Parsed:  # the shape of tutor.pedagogy.solvers.base.Parsed
        expr = (hm.x + hm.y - 10, hm.x - hm.y - 2)

    problem = dataclasses.replace(hm.SYSTEM.problem, payload=Parsed())
    assert problem_math(dataclasses.replace(hm.SYSTEM, problem=problem)) == Parsed.expr
    Parsed.expr = hm.x**3 + 2 * hm.x  # a bare function for a derivative: the LaTeX says what to do with it
    problem = dataclasses.replace(hm.DERIVATIVE.problem, payload=Parsed())
    assert type(problem_math(dataclasses.replace(hm.DERIVATIVE, problem=problem))).__name__ == "Derivative"


@pytest.mark.parametrize("question", SOLVER_QUESTIONS)
def test_the_solvers_own_steps_and_answer_are_never_contradicted(question):
    solution = hm.solved_by_the_solver(question)
    texts = [s.text for s in solution.steps] + [f"That gives ${s.latex}$." for s in solution.steps]
    texts += [solution.answer.text, f"So the answer is ${solution.answer.latex}$."]
    for text in texts:
        assert not contradicts(text, solution), text


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "text", ["9" * 8000, "x = " * 2000, "(" * 3000 + "x" + ")" * 3000, "8 + 5 = 14\x00. " * 300]
)
def test_hostile_text_is_bounded(text):
    for solution in (hm.LINEAR, hm.DERIVATIVE, hm.SYSTEM):
        stream(ClaimFilter(solution), text, 101)
        contradicts(text, solution)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text):
    for solution in (hm.LINEAR, hm.QUADRATIC, hm.INEQUALITY, hm.DERIVATIVE):
        contradicts(text, solution)
