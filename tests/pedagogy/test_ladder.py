"""The hint ladder: kind and goal, then the method or next operation, then one worked step; whole
sentences, one guiding question at the end, never the answer (checked with a strict, separate
test of leaks over many generated problems of every kind)."""

from __future__ import annotations

import pytest

from tests.pedagogy.leakcheck import hint_problems, leak_reason
from tutor.pedagogy.ladder import DEFAULT_HINTS_BEFORE_SOLUTION, may_show_solution, next_hint
from tutor.pedagogy.similar import generate
from tutor.pedagogy.solve import analyse
from tutor.pedagogy.types import KIND_NAMES, KINDS


def test_the_three_hints_for_a_linear_equation():
    s = analyse("how do I solve 3x + 5 = 20?")
    one, two, three = s.hints
    assert one.startswith("This is a linear equation.") and one.endswith("?")
    assert "remove the 5" in two
    assert three == (
        "Start like this: Subtract 5 from both sides. That gives $3x = 15$. "
        "What can you do to both sides to leave $x$ on its own?"
    )


def test_when_the_first_step_gives_the_answer_the_hint_only_names_the_operation():
    s = analyse("x + 3 = 8")
    assert s.hints[2] == "Start like this: Subtract 3 from both sides. What do you get when you do that?"
    assert "5" not in s.hints[2]


@pytest.mark.parametrize("kind", KINDS)
def test_hints_are_whole_sentences_with_one_question_and_never_leak(kind):
    for solution in generate(kind, 25, seed=11):
        hints = solution.hints
        assert len(hints) == 3 and len(set(hints)) == 3
        assert hints[0].startswith(f"This is {KIND_NAMES[kind]}.")
        for hint in hints:
            assert hint_problems(hint) == [], (solution.problem.question, hint)
            assert leak_reason(hint, solution) is None, (solution.problem.question, hint)
        assert hints[2].startswith("Start like this:")


def test_ladder_rules():
    s = analyse("Solve for x: 3x + 5 = 20")
    assert [next_hint(s, n) for n in range(3)] == list(s.hints)
    assert next_hint(s, 3) is None and next_hint(s, -1) is None
    assert DEFAULT_HINTS_BEFORE_SOLUTION == 3
    assert not may_show_solution(0, asked=True)
    assert not may_show_solution(2, asked=True)
    assert not may_show_solution(3, asked=False)
    assert may_show_solution(3, asked=True)
    assert may_show_solution(1, asked=True, required=1)


def test_hints_get_more_specific():
    s = analyse("factor x^2 + 5x + 6")
    assert "factoring problem" in s.hints[0]
    assert "two numbers" in s.hints[1]
    assert "multiply to 6 and add to 5" in s.hints[2]


def test_a_worked_step_that_is_the_whole_conversion_keeps_only_what_to_work_out():
    hint = analyse("Convert 2/25 to a decimal").hints[2]
    assert "0.08" not in hint and r"$2\div 25$" in hint


def test_the_worked_step_of_the_quadratic_formula_stops_before_the_roots():
    """(8 ± √40)/2 is 4 ± √10 untidied, as 10/2 is 5: the third hint gives the discriminant."""
    from tutor.pedagogy import analyse
    from tutor.pedagogy.ladder import gives_away

    solution = analyse("Solve x^2 - 8x + 6 = 0")
    third = solution.hints[2]
    assert "b^2 - 4ac = 40" in third and "\\pm \\sqrt{40}" not in third and "8\\right)" not in third
    assert third.rstrip().endswith("?")
    formula = "That gives $x = \\frac{-\\left(-8\\right) \\pm \\sqrt{\\left(-8\\right)^2 - 4 \\cdot 1 \\cdot 6}}{2 \\cdot 1}$."
    assert gives_away(formula, solution.answer, solution.problem)
    assert gives_away("So $x = 4 + \\sqrt{10}$.", solution.answer, solution.problem)  # one root of two
    assert not gives_away("The discriminant is $40$.", solution.answer, solution.problem)
