"""What the solver tests share: a question solved with every step checked, and its step texts."""

from __future__ import annotations

from tutor.pedagogy.read import read_problem
from tutor.pedagogy.solve import solve


def solved(question: str):
    problem = read_problem(question)
    assert problem is not None, question
    solution = solve(problem)
    assert solution.checked, [(s.text, s.latex, s.checked) for s in solution.steps]
    assert all(step.checked for step in solution.steps)
    return solution


def texts(solution) -> list[str]:
    return [s.text for s in solution.steps]
