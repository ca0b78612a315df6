"""render_solution: numbered steps, each state as display math on its own line, the final answer line."""

from __future__ import annotations

import re

import pytest

from tutor.pedagogy.render import final_latex, render_answer_plain, render_solution
from tutor.pedagogy.solve import analyse


def test_markdown_format():
    s = analyse("Solve for x: 3x + 5 = 20")
    md = render_solution(s)
    assert md == (
        "1. Subtract 5 from both sides.\n\n$$\n3x = 15\n$$\n\n"
        "2. Divide both sides by 3.\n\n$$\nx = 5\n$$\n\n"
        "**Final answer:** $x = 5$\n"
    )


def test_every_kind_renders_each_step_then_one_final_line():
    questions = ["x^2 - 5x + 6 = 0", "solve x + y = 10 and x - y = 2", "solve 2x - 3 > 7", "What is 3/4 + 1/6?",
                 "expand (x+2)(x-3)", "factor x^2 + 5x + 6", "simplify (x^2 - 1)/(x - 1)",
                 "differentiate sin(x) x^2", "∫ x^2 dx", "integrate 2x from 0 to 3", "lim x->oo (2x+1)/x"]
    for q in questions:
        s = analyse(q)
        md = render_solution(s)
        lines = md.rstrip("\n").split("\n")
        assert lines[-1] == f"**Final answer:** ${final_latex(s)}$"
        numbered = [line for line in lines if re.match(r"^\d+\. ", line)]
        assert len(numbered) == len(s.steps)
        assert md.count("$$") == 2 * len(s.steps)
        assert "\n\n\n" not in md


def test_answer_as_plain_text():
    assert render_answer_plain(analyse("x^2 - 5x + 6 = 0").answer) == "x = 2 or x = 3"
    assert render_answer_plain(analyse("∫ x^2 dx").answer) == "x^3/3 + C"


def test_inline_math_never_looks_like_a_price_to_the_app_renderer():
    from tutor.render import normalize_math

    for q in ["solve the simultaneous equations y = 2x - 3 and 3x - 4y = 2", "what's 15% of 80",
              "Multiply out (2x - 4)(x + 6)", "solve 12 - 5x = 2", "What is 3/4 + 1/6?"]:
        s = analyse(q)
        for text in [*s.hints, *(st.text for st in s.steps), render_solution(s)]:
            assert "\\$" not in normalize_math(text), text


@pytest.mark.parametrize(
    ("question", "final"),
    [
        ("Solve 3x + 5 = 20", "x = 5"),
        ("Solve x^2 - 5x + 6 = 0", r"x = 2 \text{ or } x = 3"),
        ("Solve x + y = 5 and x - y = 1", "x = 3, y = 2"),
        ("Solve 2x + 1 > 5", r"x \in (2, \infty)"),
        ("Solve -2 < 3x + 1 < 7", r"x \in (-1, 2)"),
        ("Solve x^2 - 4 <= 0", r"x \in [-2, 2]"),
        ("Solve x^2 - 4 > 0", r"x \in (-\infty, -2) \cup (2, \infty)"),
        ("Solve x^2 + 4 > 0", r"x \in \mathbb{R}"),
        ("Solve x^2 + 4 < 0", r"\text{no solution}"),
        ("What is 1/2 + 1/4?", r"\frac{3}{4}"),  # not "3/4 = 0.75": one form
        ("What is 3/4 + 1/6?", r"\frac{11}{12}"),  # not "≈ 0.9167"
        ("calculate 2.5 × 4.2", "10.5"),
        ("what is 3/8 as a percentage", r"37.5\%"),  # not {37.5}: a set to math-verify
        ("Convert 3/8 to a decimal", "0.375"),
        ("Integrate 1/x from 1 to 2", r"\ln{\left(2 \right)}"),  # not "≈ 0.6931"
        ("Integrate 2x", "x^{2} + C"),
    ],
)
def test_the_final_answer_is_one_form(question, final):
    s = analyse(question)
    assert final_latex(s) == final
    assert render_solution(s).rstrip().endswith(f"**Final answer:** ${final}$")


@pytest.mark.parametrize(
    ("question", "teacher"),
    [("Solve 3x + 5 = 20", "5"), ("Solve x^2 - 5x + 6 = 0", "x = 2, x = 3"), ("Solve x + y = 5 and x - y = 1",
     "x = 3, y = 2"), ("Solve x^2 - 4 > 0", r"(-\infty, -2) \cup (2, \infty)"), ("Solve 2x + 1 > 5", "x > 2"),
     ("Solve -2 < 3x + 1 < 7", "(-1, 2)"), ("What is 1/2 + 1/4?", "0.75"), ("what is 3/8 as a percentage", r"37.5\%"),
     ("Expand (x+2)(x+3)", "x^2 + 5x + 6"), ("Factor x^2 + 5x + 6", "(x+2)(x+3)"),
     ("Differentiate x^3 + 2x", "3x^2 + 2"), ("Solve 2x < 9", "x < 9/2"), ("Solve 2x >= 7", r"[\frac{7}{2}, \infty)"),
     ("Integrate sin(x)cos(x)", r"-\frac{\cos^2(x)}{2} + C"), ("Integrate 1/(1 + x^2)", r"\arctan(x) + C"), ("Integrate x^2 from 0 to 3", "9"), ("lim x->2 (x^2-4)/(x-2)", "4")],
)  # fmt: skip
def test_the_final_answer_line_is_read_back_by_the_scorer_and_math_verify(question, teacher):
    from tutor.eval.score import final_answer, symbolic_correct, truth_correct

    s = analyse(question)
    final = final_answer(render_solution(s))
    assert symbolic_correct(final, s)
    assert truth_correct(final, teacher)


@pytest.mark.parametrize("question", [
    "integrate 1/(x^2+4) dx",
    "Find the derivative of x*arcsin(x)",
    "integrate from 0 to 1 of 1/(1+x^2) dx",
])  # fmt: skip
def test_inverse_trig_is_written_arc_in_every_step(question):
    # sympy writes \operatorname{atan}; students and textbooks write \arctan
    solution = analyse(question)
    shown = render_solution(solution) + final_latex(solution)
    assert r"\operatorname" not in shown and r"\arc" in shown
