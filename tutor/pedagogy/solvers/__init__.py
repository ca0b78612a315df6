"""One solver per kind (or family): each proposes steps, says when two states agree, verifies answers.

``REGISTRY[kind] = (propose, same_state, verify)``:

- ``propose(problem) -> Draft``: the steps, the answer and the words for the hints
  (raises ``CannotSolve`` outside what it does well);
- ``same_state(problem, before, after) -> bool``: does the step keep the problem the same
  (same solutions, equal value, the rule's result agrees)?
- ``verify(problem, answer) -> bool``: the answer checked independently of the steps.
"""

from __future__ import annotations

from tutor.pedagogy.solvers import (
    algebra,
    arithmetic,
    calculus,
    derivative,
    equations,
    inequality,
    integral,
    limit,
    simplify,
    system,
)
from tutor.pedagogy.solvers.base import same_expr


def _same_solutions(problem, before, after) -> bool:
    return equations.same_solutions(before, after, problem.payload.var)


def _same_expression(problem, before, after) -> bool:
    return same_expr(before, after)


REGISTRY = {
    "linear": (equations.solve_linear, _same_solutions, equations.verify_linear),
    "quadratic": (equations.solve_quadratic, _same_solutions, equations.verify_quadratic),
    "system": (system.solve_system, system.same_system, system.verify_system),
    "inequality": (inequality.solve_inequality, _same_solutions, inequality.verify_inequality),
    "expand": (algebra.solve_expand, _same_expression, algebra.verify_expand),
    "factor": (algebra.solve_factor, _same_expression, algebra.verify_factor),
    "simplify": (simplify.solve_simplify, _same_expression, simplify.verify_simplify),
    "derivative": (derivative.solve_derivative, calculus.same_derivative_state, derivative.verify_derivative),
    "integral": (integral.solve_integral, integral.same_integral_state, integral.verify_integral),
    "definite_integral": (integral.solve_definite, integral.same_definite_state, integral.verify_definite),
    "limit": (limit.solve_limit, limit.same_limit, limit.verify_limit),
    "arithmetic": (arithmetic.solve_arithmetic, arithmetic.same_value, arithmetic.verify_arithmetic),
}
