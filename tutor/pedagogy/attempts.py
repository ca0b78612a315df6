"""Checking the student's own work: is this answer or step right, and if not, where does it go wrong?

    check_attempt(solution, "x = 5")   -> Attempt("answer", True, "Correct: ...")
    check_attempt(solution, "3x = 15") -> Attempt("step", True, "Right: 3x = 15 keeps the equation ...")
    check_attempt(solution, "3x = 25") -> Attempt("step", False, "3x = 25: it looks like 5 was added to 20
                                           instead of subtracted. ...", next_hint=...)
    check_attempt(solution, "how do I factor x^2 - 1?") -> Attempt("not_math", False, ...)

Answers are compared by equivalence (``equiv.answer_match``): partial answers ("one of the two
roots") get their own message. Steps are right when they are equivalent to the problem: same
solutions for an equation (for a system, true for its solution), same solution set for an
inequality, equal for an expression. A wrong step is compared with the problem and the
solver's steps to name the slip in a student's words (a sign, one side only, multiplied
instead of divided); a wrong answer is put back into the problem ("If x = 7, 3x + 5 is 26,
not 20"). A message for a wrong attempt never contains the answer: it is checked with the
leak guard and replaced by a plain one if it would.
"""

from __future__ import annotations

import re

import sympy

from tutor.pedagogy.claims import ProblemContext, claim_contradicts
from tutor.pedagogy.equiv import CONSTANT_NAMES, answer_match, same_value
from tutor.pedagogy.leak import LeakGuard
from tutor.pedagogy.mistakes import EXPRESSION_KINDS, describe_slip, multiply_out, wrong_answer
from tutor.pedagogy.notation import LEAD, read_answer
from tutor.pedagogy.prose import read_claims
from tutor.pedagogy.types import Attempt, Solution

MAX_ATTEMPT_CHARS = 300
_QUESTION = re.compile(
    r"^\s*(?:how|why|what(?!\s+about)|can|could|would|please|help|solve|find|calculate|compute|evaluate|work\s+out"
    r"|differentiate|integrate|simplify|factor|factori[sz]e|expand|explain|give|show|tell|teach)\b",
    re.I,
)
_NUMBER_KINDS = ("arithmetic", "definite_integral", "limit")
_LITERAL = re.compile(r"^\s*-?\s*\d+(?:\.\d+)?(?:\s*/\s*\d+)?\s*%?\s*$")


def _right_step_message(step_text: str, kind: str) -> str:
    if kind in ("linear", "quadratic"):
        return f"Right: {step_text} keeps the equation balanced. What is the next step?"
    if kind == "system":
        return f"Right: {step_text} follows from the two equations. What is the next step?"
    if kind == "inequality":
        return f"Right: {step_text} has the same solutions as the inequality. What is the next step?"
    return f"Right: {step_text} is equal to what you started with. What is the next step?"


def _step(text: str, ctx: ProblemContext) -> tuple[bool, str] | None:
    """Judge the relations (or expression) the student wrote as a step; None if there are none."""
    claims = [c for c in read_claims(text).claims if c.lhs is not None or c.subject.endswith(" of")]
    if claims:
        for claim in claims:
            if claim_contradicts(claim, ctx):
                student = sympy.Eq(claim.lhs, claim.rhs) if claim.relation == "=" else None
                slip = describe_slip(student, ctx) if student is not None and ctx.kind == "linear" else None
                if student is not None and ctx.kind == "quadratic":
                    slip = multiply_out(student, ctx)
                where = slip or (
                    "that step changes the solution, so something went wrong. "
                    "Check that you did the same thing to both sides."
                )
                return False, f"{claim.text}: {where}"
        return True, _right_step_message(claims[-1].text, ctx.kind)
    return None


def _hint(solution: Solution, hints_shown: int) -> str | None:
    if not solution.hints:
        return None
    return solution.hints[min(max(hints_shown, 0), len(solution.hints) - 1)]


def _safe(message: str, solution: Solution) -> str:
    """A message for a wrong attempt, checked not to give the answer away."""
    guard = LeakGuard(solution, solution.problem.statement, check_claims=False)
    return message if not guard.reveals(message) else "Not quite: check your work step by step."


def check_attempt(solution: Solution, text: str, hints_shown: int = 0) -> Attempt:
    """The verdict on an answer or step the student typed (see the module docstring). Never raises."""
    try:
        return _check(solution, text, hints_shown)
    except Exception:
        return Attempt("not_math", False, "I could not read that as an answer or a step for this problem.")


def _check(solution: Solution, text: str, hints_shown: int) -> Attempt:
    not_math = Attempt("not_math", False, "That does not look like an answer or a step for this problem.")
    if (
        not isinstance(text, str)
        or not text.strip()
        or len(text) > MAX_ATTEMPT_CHARS
        or _QUESTION.match(text)
    ):
        return not_math
    ctx, kind, hint = ProblemContext(solution), solution.problem.kind, _hint(solution, hints_shown)
    match = answer_match(text, solution.answer, kind)
    reading = read_answer(text)
    pieces = list(reading.pieces)
    written = LEAD.sub("", text).strip().rstrip(".?!") or text.strip()
    finished = kind not in _NUMBER_KINDS or bool(_LITERAL.match(reading.text.split("=")[-1]))
    if match.full and finished:
        note = (
            " Remember the constant of integration: write + C at the end." if match.missing_constant else ""
        )
        return Attempt("answer", True, f"Correct: {written} is right.{note}")
    if match.part:
        other = (
            "Now find the other unknown."
            if kind == "system"
            else "A quadratic equation can have two; find the other one."
        )  # noqa: E501
        # the student's own right part is repeated, nothing more: no leak check needed
        return Attempt(
            "answer", False, f"{written} is right, but it is only part of the answer. {other}", hint
        )
    if match.approx:
        return Attempt(
            "answer",
            False,
            "Close: that is the answer rounded. Give the exact value, as a fraction or a root.",
            hint,
        )  # noqa: E501
    calculus = [p for p in pieces if isinstance(p, sympy.Basic) and p.has(*_CALCULUS)]
    if len(pieces) == 1 and calculus:  # "d/dx(x^3) + d/dx(2x)", "lim cos(x)/1": a step still to work out
        step = calculus[0]
        if isinstance(step, sympy.Eq):  # "d/dx(x^3) = 3x^2", "∫ 2x dx = x^2 + C": true or not
            same = _antiderivative_of(step.lhs, step.rhs)
            same = _settles_to(step.lhs, _settled(step.rhs)) if same is None else same
        else:
            same = _settles_to(step, solution.answer.value)
            if same is False and _another_problem(step, ctx):
                return not_math  # "d/dx sin(x)" while working on x^3 + 2x: a new question
        if same is not None:
            if same:
                said = (
                    f"Right: {written} is true. What is the next step?"
                    if isinstance(step, sympy.Eq)
                    else None
                )
                return Attempt("step", True, said or _right_step_message(written, kind))
            message = f"{written}: that does not work out to the same value as the problem. Check that step."
            return Attempt("step", False, _safe(message, solution), hint)
    if pieces and _answer_shaped(pieces, ctx):
        if kind in EXPRESSION_KINDS + _NUMBER_KINDS and _equal_to_problem(pieces[0], ctx, match.full):
            return Attempt("step", True, _right_step_message(written, kind))
        return Attempt("answer", False, _safe(wrong_answer(pieces, ctx), solution), hint)
    step = _step(text, ctx)
    if step is not None:
        right, message = step
        return Attempt("step", right, message if right else _safe(message, solution), None if right else hint)
    return not_math


_CALCULUS = (sympy.Derivative, sympy.Integral, sympy.Limit)
_NEAR = (sympy.Rational(1, 10**7), -sympy.Rational(1, 10**7))


def _numeric_limit(limit: sympy.Limit):
    """A limit estimated from both sides close to the point (or far out); None if they disagree."""
    expr, var, point = limit.args[0], limit.args[1], limit.args[2]
    if point in (sympy.oo, -sympy.oo):
        points = [sympy.Integer(10**8) * (1 if point == sympy.oo else -1)]
    elif point.is_number:
        points = [point + h for h in _NEAR]
    else:
        return None
    values = [complex(expr.evalf(30, subs={var: p})) for p in points]
    if any(v != v or abs(v) == float("inf") for v in values) or abs(values[0] - values[-1]) > 1e-4:
        return None
    return sympy.Float(values[0].real, 15)


def _antiderivative_of(integral, stated) -> bool | None:
    """``∫ f dx = F``: checked by differentiating F (constants of integration dropped)."""
    if not isinstance(integral, sympy.Integral) or len(integral.limits[0]) != 1:
        return None
    var = integral.limits[0][0]
    if not isinstance(stated, sympy.Expr):
        return None
    constants = {s for s in stated.free_symbols if s != var and str(s) in CONSTANT_NAMES}
    return same_value(sympy.diff(stated.subs({c: 0 for c in constants}), var), integral.function)


def _another_problem(step, ctx: ProblemContext) -> bool:
    """One calculus object applied to a function that is not the problem's own."""
    math = ctx.math
    if not isinstance(step, _CALCULUS) or not isinstance(math, _CALCULUS):
        return False

    def parts(expr) -> list:
        return [f for t in sympy.Add.make_args(expr) for f in (t, *sympy.Mul.make_args(t)) if f.free_symbols]

    mine = parts(math.args[0])
    return not any(same_value(a, b) for a in parts(step.args[0]) for b in mine)


def _settled(step):
    """A step's value: derivatives worked out exactly (cheap), definite integrals and limits
    numerically, so an integral or a limit in a student's step never runs sympy's unbounded
    symbolic algorithms. None when it cannot be worked out that way."""
    if not isinstance(step, sympy.Expr) or sum(1 for _ in sympy.preorder_traversal(step)) > 200:
        return None
    try:
        done = step.replace(lambda e: isinstance(e, sympy.Derivative), lambda e: e.doit())
        if done.has(sympy.Integral):
            done = sympy.N(done, 15) if not done.free_symbols else None
        if isinstance(done, sympy.Limit):
            done = _numeric_limit(done)
        return None if done is None or done.has(*_CALCULUS) else done
    except Exception:
        return None


def _settles_to(step, target) -> bool | None:
    """Does ``step`` work out to ``target``? None when it cannot be told."""
    done = _settled(step)
    if done is None or not isinstance(target, sympy.Expr):
        return None
    try:
        if done.atoms(sympy.Float) or target.atoms(sympy.Float):  # numeric: equal up to the estimate's error
            return abs(complex(done) - complex(target)) <= 1e-4 * max(1.0, abs(complex(target)))
    except (TypeError, ValueError):
        return None
    return same_value(done, target)


def _equal_to_problem(piece, ctx: ProblemContext, equals_answer: bool) -> bool:
    """An expression that is still equal to the problem but not in its final form (a step)."""
    if equals_answer:  # 9/12 + 2/12 for 3/4 + 1/6: the right value, not yet worked out
        return True
    math = ctx.math
    if ctx.kind in ("expand", "factor", "simplify") and isinstance(math, sympy.Expr):
        return same_value(piece, math)
    return False


def _answer_shaped(pieces, ctx: ProblemContext) -> bool:
    """Values for the unknowns (x = 7, (1, 2), x > 3) or a final expression, not a step (3x = 15)."""
    for p in pieces:
        if isinstance(p, sympy.core.relational.Relational):
            if ctx.kind in EXPRESSION_KINDS + _NUMBER_KINDS:
                return False
            if not isinstance(p.lhs, sympy.Symbol) or p.rhs.free_symbols:
                return False
        elif isinstance(p, sympy.Expr) and p.free_symbols and ctx.kind not in EXPRESSION_KINDS:
            return False  # "3x + 5" alone for an equation: not an answer
    return True
