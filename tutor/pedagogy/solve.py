"""Solve a problem with checked steps: ``solve(problem)``, ``analyse(question)``, ``check(solution)``.

The kind's solver proposes the steps; this module checks each state against the one before
with the kind's own test (same real solutions for equations and inequalities, the same set of
solutions for systems, equal values for arithmetic and algebra, the rule's result agreeing for
calculus) and verifies the answer independently (substituted back, differentiated back,
recomputed by sympy). ``Solution.checked`` is True only when all of that holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from tutor.pedagogy.ladder import build_hints
from tutor.pedagogy.read import read_problem
from tutor.pedagogy.solvers import REGISTRY
from tutor.pedagogy.solvers.base import CannotSolve, Draft, tight, tight_inline
from tutor.pedagogy.types import Problem, Solution, Step

__all__ = ["CannotSolve", "analyse", "check", "solve"]


def _kind(problem: Problem) -> tuple[Callable, Callable, Callable]:
    try:
        return REGISTRY[problem.kind]
    except KeyError:
        raise CannotSolve(f"no solver for kind {problem.kind!r}") from None


def _safe(test: Callable, *args: Any) -> bool:
    try:
        return bool(test(*args))
    except Exception:  # a check that cannot be carried out is a check that failed
        return False


def _checked_steps(problem: Problem, start: Any, steps: list[tuple[str, Any, str]]) -> tuple[Step, ...]:
    _, same_state, _ = _kind(problem)
    out = []
    prev = start
    for text, state, latex in steps:
        out.append(Step(text=text, latex=latex, checked=_safe(same_state, problem, prev, state), payload=state))
        prev = state
    return tuple(out)


def solve(problem: Problem) -> Solution:
    """Solve ``problem`` (from ``read_problem`` or ``similar``) with each step checked.

    Raises ``CannotSolve`` when the problem is outside what its kind's solver does.
    """
    propose, _, verify = _kind(problem)
    draft: Draft = propose(problem)
    if not draft.moves:
        raise CannotSolve("nothing to do")
    moves = [(tight_inline(m.text), m.state, tight(m.latex)) for m in draft.moves]
    steps = _checked_steps(problem, draft.start, moves)
    verified = _safe(verify, problem, draft.answer)
    hints = tuple(tight_inline(h) for h in build_hints(problem, draft))
    return Solution(
        problem=problem,
        steps=steps,
        answer=replace(draft.answer, latex=tight(draft.answer.latex)),
        goal=tight_inline(draft.goal),
        method=tight_inline(draft.method),
        hints=hints,
        checked=verified and all(s.checked for s in steps),
    )


def check(solution: Solution) -> Solution:
    """Check ``solution`` again from its own step states and answer (``checked`` recomputed).

    Each step's state (``Step.payload``) is compared with the state before it, the first with
    the problem's; the answer is verified independently. Useful after anything touched a step.
    """
    problem = solution.problem
    _, _, verify = _kind(problem)
    start = _start_state(problem)
    steps = _checked_steps(problem, start, [(s.text, s.payload, s.latex) for s in solution.steps])
    ok = _safe(verify, problem, solution.answer) and all(s.checked for s in steps)
    return replace(solution, steps=steps, checked=ok)


def _start_state(problem: Problem) -> Any:
    propose, _, _ = _kind(problem)
    return propose(problem).start


@lru_cache(maxsize=256)
def analyse(question: str) -> Solution | None:
    """Read and solve a student's question; None unless it is recognised and every check passes."""
    try:
        problem = read_problem(question)
        if problem is None:
            return None
        solution = solve(problem)
    except Exception:  # never let a solver failure reach the chat: the model answers, "not checked"
        return None
    return solution if solution.checked else None
