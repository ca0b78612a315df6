"""The data the math core hands to the rest of the app: a problem, its checked steps, its answer.

Everything here is plain data (frozen dataclasses); sympy objects ride along in fields that
are not compared, so two problems read from different wordings of the same question are
equal when their kind and statement are. The functions that make these live in the other
modules of ``tutor.pedagogy`` (see its ``__init__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Every kind of problem the solver recognises, in the order the docs list them.
KINDS: tuple[str, ...] = (
    "linear",  # one linear equation in one unknown: 3x + 5 = 20
    "quadratic",  # one quadratic equation: x^2 - 5x + 6 = 0
    "system",  # two linear equations in two unknowns
    "inequality",  # a linear (or quadratic) inequality in one unknown: 2x - 3 > 7
    "arithmetic",  # numbers only: fractions, decimals, percentages, order of operations
    "expand",  # expand (x + 2)(x - 3)
    "factor",  # factor x^2 - 5x + 6
    "simplify",  # simplify (x^2 - 1)/(x - 1)
    "derivative",  # d/dx of an expression
    "integral",  # an indefinite integral
    "definite_integral",  # an integral with bounds
    "limit",  # a limit at a point or at infinity
)

# How the tutor names each kind to a student ("This is a linear equation.").
KIND_NAMES: dict[str, str] = {
    "linear": "a linear equation",
    "quadratic": "a quadratic equation",
    "system": "a system of two linear equations",
    "inequality": "an inequality",
    "arithmetic": "an arithmetic calculation",
    "expand": "an expansion (multiplying out brackets)",
    "factor": "a factoring problem",
    "simplify": "a simplification",
    "derivative": "a derivative",
    "integral": "an indefinite integral",
    "definite_integral": "a definite integral",
    "limit": "a limit",
}


class MathParseError(ValueError):
    """Text that is not math we can read (the message says why, for logs and tests)."""


@dataclass(frozen=True)
class Problem:
    """A question the solver can read: its kind and the math in canonical form."""

    kind: str  # one of KINDS
    statement: str  # canonical plain text, e.g. "3x + 5 = 20", "d/dx (x^3 + 2x)"
    latex: str  # the same in LaTeX (no $ delimiters), e.g. "3x + 5 = 20"
    variables: tuple[str, ...]  # unknowns / the variable of differentiation, sorted
    question: str = ""  # the text it was read from (or the generated wording of a similar one)
    payload: Any = field(default=None, compare=False, repr=False)  # sympy objects for the solver


@dataclass(frozen=True)
class Step:
    """One transformation: what is done, and the state it leads to, checked by sympy."""

    text: str  # one plain sentence: "Subtract 5 from both sides." (math other than numbers in $...$)
    latex: str  # the state after the step, LaTeX without $: "3x = 15"
    checked: bool  # sympy confirmed this state is equivalent to the one before (or follows by the rule named)
    payload: Any = field(default=None, compare=False, repr=False)
    # payload: the state after the step as sympy: an Eq (equations), a tuple of two Eqs (system),
    # a Relational or Set (inequality), or an expression (arithmetic, algebra, calculus).


@dataclass(frozen=True)
class Answer:
    """The final answer: how it is written, and the sympy value behind it."""

    text: str  # plain text: "x = 5", "x = -2 or x = 3", "x > 5", "3x^2 + 2", "x = 1, y = 2"
    latex: str  # LaTeX without $: "x = 5"
    value: Any = field(default=None, compare=False, repr=False)
    # value: a sympy number/expression (arithmetic, expand, ..., limit), a tuple of roots
    # (quadratic; empty if none are real), a dict {Symbol: value} (linear, system), or a
    # sympy Set/Relational (inequality).
    # Details the solvers follow: linear/system with no solution -> S.EmptySet, linear true for
    # every x -> S.Reals, a system with infinitely many solutions -> its linsolve set; inequality
    # -> always a Set (Interval, Union, Reals, EmptySet); integral -> the antiderivative without
    # "+ C" (text and latex add it); "what percent" / "as a percentage" -> the number of percent
    # (25 for 25%, text "25%").


@dataclass(frozen=True)
class Solution:
    """A solved problem: every step checked, the answer, and the hint ladder."""

    problem: Problem
    steps: tuple[Step, ...]
    answer: Answer
    goal: str  # one sentence: what we are looking for ("find the value of x that makes both sides equal")
    method: str  # one sentence: how ("undo what is done to x, doing the same to both sides")
    hints: tuple[str, ...]  # the ladder, least to most specific: kind+goal, method/next operation, one worked step
    checked: bool  # every step checked and the answer verified independently (e.g. substituted back)


@dataclass(frozen=True)
class Attempt:
    """The tutor's verdict on something the student typed: an answer or an intermediate step."""

    kind: str  # "answer" | "step" | "not_math" (nothing we could read as math for this problem)
    correct: bool
    message: str  # whole sentences for the student: right, or where it goes wrong (never the answer)
    next_hint: str | None = None  # the next rung of the ladder when it is wrong
