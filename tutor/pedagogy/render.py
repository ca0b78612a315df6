"""A checked solution as Markdown for the Step by step page, and an answer as plain text.

    1. Subtract 5 from both sides.

    $$3 x = 15$$

    2. Divide both sides by 3.

    $$x = 5$$

    **Final answer:** $x = 5$

Line breaks are explicit (a blank line between blocks) so Markdown keeps them; every formula is
LaTeX the solver made from a sympy object, never text from the model or the student.
"""

from __future__ import annotations

import re

from tutor.pedagogy.types import Answer, Solution

_APPROX = re.compile(r"\s*(?:=|\\approx)\s*-?[\d.]+\s*$")  # "\frac{3}{4} = 0.75", "\ln 2 \approx 0.6931"
_BRACED_NUMBER = re.compile(r"(?<![}\w^_])\{(-?\d+(?:\.\d+)?)\}")  # sympy's {0.375}: a set to math-verify


def _interval_tex(part) -> str:
    import sympy

    from tutor.pedagogy.parse import to_latex

    if isinstance(part, sympy.Interval):
        left = "(" if part.left_open or part.start.is_infinite else "["
        right = ")" if part.right_open or part.end.is_infinite else "]"
        return f"{left}{to_latex(part.start)}, {to_latex(part.end)}{right}"
    if isinstance(part, sympy.Union):
        return r" \cup ".join(_interval_tex(a) for a in part.args)
    if isinstance(part, sympy.FiniteSet):
        return r"\{" + ", ".join(to_latex(a) for a in part.args) + r"\}"
    raise ValueError(part)


def final_latex(solution: Solution) -> str:
    """The answer in ONE form, the same way for every kind, that math-verify and ``matches_answer``
    both read: ``x = 5``, ``x = -2 \\text{ or } x = 3``, ``x = 3, y = 2``, ``x \\in (2, \\infty)``,
    ``\\frac{3}{4}``, ``37.5\\%``, ``x^{3} + C``. No second form after it (``= 0.75``, ``\\approx 0.6931``,
    the interval after the inequality): the steps show those."""
    import sympy

    answer, kind = solution.answer, solution.problem.kind
    value = answer.value
    if kind == "inequality" and isinstance(value, sympy.Set):
        var = solution.problem.variables[0] if solution.problem.variables else "x"
        if value == sympy.S.EmptySet:
            return r"\text{no solution}"
        if value == sympy.S.Reals:
            return rf"{var} \in \mathbb{{R}}"
        try:
            return rf"{var} \in {_interval_tex(value)}"
        except ValueError:
            return answer.latex
    latex = answer.latex.replace(r", \quad ", ", ")
    if kind in ("arithmetic", "definite_integral", "limit"):
        if latex.startswith(r"\approx"):  # a percentage that does not end: its rounding is all there is
            return _BRACED_NUMBER.sub(r"\1", latex)
        latex = _APPROX.sub("", latex)
    return _BRACED_NUMBER.sub(r"\1", latex)


def render_solution(solution: Solution) -> str:
    """Numbered steps, each state as display math on its own line, then the final answer line."""
    blocks = []
    for number, step in enumerate(solution.steps, start=1):
        blocks.append(f"{number}. {step.text}")
        blocks.append(f"$$\n{step.latex}\n$$")
    blocks.append(f"**Final answer:** ${final_latex(solution)}$")
    return "\n\n".join(blocks) + "\n"


def render_answer_plain(answer: Answer) -> str:
    """The answer for places without math rendering (logs, exports, plain text)."""
    return answer.text
