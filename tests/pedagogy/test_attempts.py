"""Checking the student's own answers and steps: right or wrong, where, and never the answer.

.venv/bin/python -m pytest tests/pedagogy/test_attempts.py -q
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pedagogy import handmade as hm
from tutor.pedagogy.attempts import check_attempt
from tutor.pedagogy.leak import LeakGuard

RIGHT_ANSWERS = [
    (hm.LINEAR, ["x = 5", "5", "x=5.", "five", "10/2", "I got x = 5", "is it 5?", "$x = 5$"]),
    (hm.QUADRATIC, ["x = 2 or x = 3", "x=3, x=2", "2 and 3", "{2, 3}"]),
    (hm.SYSTEM, ["x = 6, y = 4", "(6, 4)", "y = 4 and x = 6"]),
    (hm.INEQUALITY, ["x > 5", "5 < x", "(5, ∞)"]),
    (hm.DERIVATIVE, ["3x^2 + 2", "2 + 3x²", "f'(x) = 3x^2 + 2"]),
    (hm.INTEGRAL, ["x^3/3 + C", "(1/3)x^3 + C"]),
    (hm.FRACTIONS, ["11/12"]),
    (hm.PERCENT, ["12", "12.0"]),
    (hm.EXPAND, ["x^2 + 4x + 4"]),
    (hm.FACTOR, ["(x+2)(x+3)"]),
    (hm.SIMPLIFY, ["x + 1"]),
    (hm.LIMIT, ["1"]),
    (hm.DEFINITE, ["9"]),
]


@pytest.mark.parametrize("solution, texts", RIGHT_ANSWERS)
def test_right_answers(solution, texts):
    for text in texts:
        attempt = check_attempt(solution, text)
        assert (attempt.kind, attempt.correct) == ("answer", True), (text, attempt)
        assert attempt.message.startswith("Correct") and attempt.next_hint is None


def test_missing_constant_is_right_with_a_reminder():
    attempt = check_attempt(hm.INTEGRAL, "x^3/3")
    assert attempt.correct and "+ C" in attempt.message


def test_partial_answers_ask_for_the_rest():
    attempt = check_attempt(hm.QUADRATIC, "x = 2")
    assert attempt.kind == "answer" and not attempt.correct and "find the other one" in attempt.message
    assert "3" not in attempt.message and attempt.next_hint == hm.QUADRATIC.hints[0]
    attempt = check_attempt(hm.SYSTEM, "x = 6")
    assert not attempt.correct and "other unknown" in attempt.message and "4" not in attempt.message


# (solution, text, words the message must contain)
WRONG = [
    (hm.LINEAR, "x = 7", "3x + 5 is 26, not 20"),
    (hm.LINEAR, "5.5", "not 20"),
    (hm.LINEAR, "y = 5", "about x, not y"),
    (hm.QUADRATIC, "x = 4", "x^2 - 5x + 6 is 2, not 0"),
    (hm.QUADRATIC, "x = -2 or x = -3", "not a solution"),
    (hm.SYSTEM, "x = 5, y = 5", "x - y is 0, not 2"),
    (hm.INEQUALITY, "x < 5", "direction of the sign"),
    (hm.INEQUALITY, "x >= 5", "x = 5 fits your answer"),
    (hm.DERIVATIVE, "3x^2 + 2x", "2x was not differentiated"),
    (hm.DERIVATIVE, "3x^2", "check the derivative of 2x"),
    (hm.DERIVATIVE, "x^2 + 2", "check the derivative of x^3"),
    (hm.INTEGRAL, "x^3", "the derivative of your answer is 3x^2, not x^2"),
    (hm.FRACTIONS, "4/10", "common denominator"),
    (hm.PERCENT, "1200", "15 out of 100"),
    (hm.EXPAND, "x^2 + 4", "at x = 1"),
    (hm.FACTOR, "(x+1)(x+6)", "not equal to x^2 + 5x + 6"),
    (hm.LIMIT, "0", "Not quite"),
]


@pytest.mark.parametrize("solution, text, says", WRONG)
def test_wrong_answers_say_where_without_the_answer(solution, text, says):
    attempt = check_attempt(solution, text)
    assert (attempt.kind, attempt.correct) == ("answer", False), attempt
    assert says in attempt.message, attempt.message
    assert attempt.next_hint == solution.hints[0]
    assert not LeakGuard(solution, solution.problem.statement, check_claims=False).reveals(attempt.message)


RIGHT_STEPS = [
    (hm.LINEAR, "3x = 15"),
    (hm.LINEAR, "3x + 5 - 5 = 20 - 5"),
    (hm.QUADRATIC, "(x-2)(x-3)=0"),
    (hm.QUADRATIC, "x^2 - 5x = -6"),
    (hm.SYSTEM, "x + y = 10 so y = 10 - x"),
    (hm.SYSTEM, "2x = 12"),
    (hm.INEQUALITY, "2x > 10"),
    (hm.FRACTIONS, "9/12 + 2/12"),
    (hm.EXPAND, "(x+2)(x+2)"),
    (hm.SIMPLIFY, "(x+1)(x-1)/(x-1)"),
]


@pytest.mark.parametrize("solution, text", RIGHT_STEPS)
def test_right_steps(solution, text):
    attempt = check_attempt(solution, text)
    assert (attempt.kind, attempt.correct) == ("step", True), attempt
    assert attempt.message.startswith("Right:") and attempt.message.endswith("What is the next step?")


def test_right_step_message_names_the_step():
    assert check_attempt(hm.LINEAR, "3x = 15").message == (
        "Right: 3x = 15 keeps the equation balanced. What is the next step?"
    )


WRONG_STEPS = [
    (hm.LINEAR, "3x = 25", "it looks like 5 was added to 20 instead of subtracted. When you take 5 away "
     "from the left side, take 5 away from the right side too."),
    (hm.LINEAR, "3x = 20", "on the left side only"),
    (hm.LINEAR_28, "8x = 54", "it looks like 17 was subtracted from 71 instead of added"),
    (hm.QUADRATIC, "(x+2)(x+3) = 0", "multiplying out (x + 2)(x + 3) gives x^2 + 5x + 6, not x^2 - 5x + 6"),
    (hm.SYSTEM, "2x = 10", "changes the solution"),
    (hm.INEQUALITY, "2x > 4", "changes the solution"),
]  # fmt: skip


@pytest.mark.parametrize("solution, text, says", WRONG_STEPS)
def test_wrong_steps_say_where_they_go_wrong(solution, text, says):
    attempt = check_attempt(solution, text, hints_shown=1)
    assert (attempt.kind, attempt.correct) == ("step", False), attempt
    assert says in attempt.message and attempt.message.startswith(text)
    assert attempt.next_hint == solution.hints[1]
    assert not LeakGuard(solution, solution.problem.statement, check_claims=False).reveals(attempt.message)


CALCULUS_STEPS = [
    (hm.DERIVATIVE, "d/dx(x^3) + d/dx(2x)", True),
    (hm.DERIVATIVE, r"$\frac{d}{dx}\left(x^{3}\right) + 2$", True),
    (hm.DERIVATIVE, "d/dx(x^3) = 3x^2", True),
    (hm.DERIVATIVE, "d/dx(x^3) = 3x", False),
    (hm.DERIVATIVE, "d/dx(x^3) + 3", False),
    (hm.LIMIT, r"\lim_{x \to 0} \frac{\cos x}{1}", True),
    (hm.LIMIT, r"\lim_{x \to 0} \frac{\sin x}{1}", False),
    (hm.DEFINITE, r"\int_0^3 x^2 dx", True),
    (hm.INTEGRAL, "∫ x^2 dx = x^3/3 + C", True),
    (hm.INTEGRAL, "∫ x^2 dx = x^3", False),
]


@pytest.mark.parametrize("solution, text, right", CALCULUS_STEPS)
def test_steps_written_with_calculus_notation(solution, text, right):
    attempt = check_attempt(solution, text)
    assert (attempt.kind, attempt.correct) == ("step", right), attempt
    if not right:
        assert "does not work out to the same value" in attempt.message


def test_another_function_under_d_dx_is_a_new_question():
    assert check_attempt(hm.DERIVATIVE, "d/dx sin(x)").kind == "not_math"


def test_the_rule_named_fits_the_term():
    product = hm.solution("derivative", "d/dx (x^2 sin(x))", "x", "2x sin(x) + x^2 cos(x)",
                          2 * hm.x * hm.sympy.sin(hm.x) + hm.x**2 * hm.sympy.cos(hm.x),
                          latex=r"\frac{d}{dx}\left(x^{2} \sin(x)\right)")  # fmt: skip
    assert "product rule" in check_attempt(product, "2x cos(x)").message
    assert "power down" in check_attempt(hm.DERIVATIVE, "x^2 + 2").message


def test_the_slip_is_found_against_a_later_checked_state():
    """From 3x = 15 the student divides wrongly: multiplied instead of divided."""
    for text in ("x = 45", "3x/3 = 15*3"):
        attempt = check_attempt(hm.LINEAR, text)
        assert not attempt.correct and "multiplied by 3 instead of dividing by 3" in attempt.message
    assert "dividing both sides by 3, not by subtracting 3" in check_attempt(hm.LINEAR, "x = 12").message


@pytest.mark.parametrize(
    "text", ["how do I solve 2x + 1 = 7?", "What is the derivative of sin(x)?", "banana", "", "   ",
             "Explain photosynthesis", "Solve x^2 = 9", "thanks!", "x" * 400]
)  # fmt: skip
def test_not_math_for_this_problem(text):
    attempt = check_attempt(hm.LINEAR, text)
    assert attempt.kind == "not_math" and not attempt.correct


def test_hints_follow_the_ladder_and_stop_at_the_last_rung():
    assert check_attempt(hm.LINEAR, "x = 7", hints_shown=0).next_hint == hm.LINEAR.hints[0]
    assert check_attempt(hm.LINEAR, "x = 7", hints_shown=2).next_hint == hm.LINEAR.hints[2]
    assert check_attempt(hm.LINEAR, "x = 7", hints_shown=9).next_hint == hm.LINEAR.hints[-1]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "text", ["9" * 8000, "x = " + "9" * 250, "(" * 140 + ")" * 140, "x^99999 = 1", "1/0", "x = 5\x00"]
)
def test_hostile_attempts_are_bounded(text):
    for solution in hm.ALL:
        check_attempt(solution, text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_and_never_reveals_when_wrong(text):
    for solution in (hm.LINEAR, hm.QUADRATIC, hm.DERIVATIVE, hm.FRACTIONS):
        attempt = check_attempt(solution, text)
        assert attempt.kind in ("answer", "step", "not_math")
        if not attempt.correct and attempt.kind != "not_math" and "only part" not in attempt.message:
            assert not LeakGuard(solution, solution.problem.statement, check_claims=False).reveals(
                attempt.message
            )
