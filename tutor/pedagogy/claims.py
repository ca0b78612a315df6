"""ClaimFilter: the model may phrase around a checked solution, never contradict it.

    f = ClaimFilter(solution)
    shown = f.start(question) + "".join(f.feed(t) for t in stream) + f.finish()
    f.dropped, f.reasons          # what was not shown, and why
    contradicts("So x = 28.", solution) -> True      (8x - 17 = 71 has x = 11)

For Step by step and Explain: every claim in a model sentence (``prose.math_claims``) is
checked against the solution, and a sentence with any false claim is not shown:

- numbers: "8 + 5 = 14" is false arithmetic;
- equations in the unknowns: each must hold for the checked answer ("3x = 15" for
  3x + 5 = 20 holds; "3x = 25" does not); for a quadratic, its solutions must be among the
  roots ("x = 2" is fine, "x^2 = 4" is not); for an inequality, the same solution set;
- expressions: an equation between expressions in the variable must be an identity;
  "the derivative of x^3 is 3x^2" is checked by differentiating, an integral by
  differentiating back, a limit when it is the problem's own;
- stated results ("the answer is 28", "the derivative is 3x^2") must be the checked answer.

Sentences with no math, or with claims we cannot relate to the problem (other letters,
words we cannot read), pass: the filter removes what is wrong, it does not guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy

from tutor.pedagogy.equiv import CONSTANT_NAMES, answer_match, same_value
from tutor.pedagogy.leak import SentenceGuard, false_arithmetic, reached_contradiction
from tutor.pedagogy.notation import evaluate, read_piece
from tutor.pedagogy.parse import MathParseError, parse_math
from tutor.pedagogy.prose import Claim, read_claims
from tutor.pedagogy.types import Solution

EQUATION_KINDS = ("linear", "quadratic", "system")
# a result stated about one of these must be the checked answer
_ANSWER_SUBJECTS = {"answer", "result", "solution", "root", "zero", "value"}
_KIND_SUBJECTS = {"derivative": "derivative", "integral": "integral", "definite_integral": "integral"}
_KIND_SUBJECTS.update({"limit": "limit", "simplify": "simplify", "factor": "factor", "expand": "expand"})
# nouns that name a result (strict mode: a stated one must be the whole answer)
_RESULT_NOUNS = _ANSWER_SUBJECTS | set(_KIND_SUBJECTS.values()) | {"antiderivative"}


_COMMAND = re.compile(
    r"^\s*(?:solve|expand|factor|factori[sz]e|simplify|evaluate|compute|calculate|find)\b:?\s*", re.I
)
_CALCULUS = {"derivative": sympy.Derivative, "integral": sympy.Integral, "definite_integral": sympy.Integral,
             "limit": sympy.Limit}  # fmt: skip


def problem_math(solution: Solution):
    """The problem as sympy: its relation(s), expression, or unevaluated Derivative/Integral/Limit.

    Taken from ``Problem.payload`` (or its ``expr``) when it holds sympy of the right shape, else
    read from the LaTeX or the statement (a leading command word such as "Expand" is dropped).
    None if unreadable.
    """
    problem = solution.problem
    wanted = _CALCULUS.get(problem.kind)
    payload = getattr(problem.payload, "expr", problem.payload)  # the solver's Parsed(expr=..., var=...)
    var, extra = getattr(problem.payload, "var", None), getattr(problem.payload, "extra", None) or {}
    if wanted is not None and isinstance(payload, sympy.Expr) and isinstance(var, sympy.Symbol):
        try:  # the function itself: wrap it in what the kind does to it
            if problem.kind == "derivative":
                return sympy.Derivative(payload, (var, extra.get("order", 1)))
            if problem.kind == "integral":
                return sympy.Integral(payload, var)
            if problem.kind == "definite_integral" and "bounds" in extra:
                return sympy.Integral(payload, (var, *extra["bounds"]))
            if problem.kind == "limit" and "point" in extra:
                point = extra["point"]  # two-sided, as the solver means it (sympy's default is "+")
                return sympy.Limit(payload, var, point, dir="+-") if point.is_finite else sympy.Limit(payload, var, point)
        except (TypeError, ValueError):
            pass
    if isinstance(payload, dict):
        payload = next((v for v in payload.values() if isinstance(v, sympy.Basic)), payload)
    if isinstance(payload, sympy.Basic) and (wanted is None or isinstance(payload, wanted)):
        return payload
    if isinstance(payload, (tuple, list)) and payload and all(isinstance(p, sympy.Basic) for p in payload):
        return tuple(payload)
    for text in (problem.latex, problem.statement):
        text = re.sub(r"(?<=[\d%])\s+of\s+(?=[\d(])", " * ", _COMMAND.sub("", text or ""))  # 15% of 80
        try:
            found = parse_math(text)
        except MathParseError:
            parts = [read_piece(p) for p in re.split(r"\s*(?:,|;|\band\b)\s*", text)]
            if len(parts) > 1 and all(isinstance(p, sympy.Eq) for p in parts):
                return tuple(parts)
            continue
        if wanted is None or isinstance(found, wanted):
            return found
    return None


class ProblemContext:
    """What the checks need from a solution, computed once."""

    def __init__(self, solution: Solution) -> None:
        self.solution = solution
        self.kind = solution.problem.kind
        self.answer = solution.answer
        self.variables = {sympy.Symbol(v) for v in solution.problem.variables}
        self.math = problem_math(solution)
        value = solution.answer.value
        self.roots = tuple(value) if isinstance(value, (tuple, list)) else None
        self.assignment = dict(value) if isinstance(value, dict) else None
        self.var = next(iter(self.variables)) if len(self.variables) == 1 else None


def _holds(rel: str, lhs, rhs, subs: dict) -> bool | None:
    """Does ``lhs rel rhs`` hold after ``subs``? None when it cannot be decided."""
    a, b = evaluate(lhs.subs(subs)), evaluate(rhs.subs(subs))
    if a.free_symbols or b.free_symbols:
        return None
    if rel == "=":
        return same_value(a, b)
    if rel == "≈":
        return not false_arithmetic(Claim("", "equation", b, a, "≈"))
    if rel == "!=":
        return not same_value(a, b)
    ops = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}
    try:
        return bool(ops[rel](a, b))
    except (KeyError, TypeError):
        return None


def _solution_set(lhs, rhs, var):
    """Real solutions of ``lhs = rhs`` in one unknown, for polynomials of degree <= 4; else None."""
    try:
        poly = sympy.Poly(sympy.together(lhs - rhs).as_numer_denom()[0], var)
        if poly.degree() > 4 or poly.degree() < 1:
            return None
        return {r for r in sympy.real_roots(poly)}
    except Exception:
        return None


def _equation_contradicts(claim: Claim, ctx: ProblemContext) -> bool:
    lhs, rhs, rel = claim.lhs, claim.rhs, claim.relation
    if not isinstance(lhs, sympy.Expr) or not isinstance(rhs, sympy.Expr):
        return False
    symbols = lhs.free_symbols | rhs.free_symbols
    if not symbols:
        verdict = _holds(rel, lhs, rhs, {})
        return verdict is False
    if not symbols <= ctx.variables:
        return False  # other letters (a, b, c of a formula, C of an integral): not ours to judge
    if ctx.kind in ("linear", "system") and ctx.assignment is not None and rel in ("=", "≈"):
        return _holds(rel, lhs, rhs, ctx.assignment) is False
    if ctx.kind == "quadratic" and ctx.roots is not None and rel == "=" and ctx.var is not None:
        holds = [_holds(rel, lhs, rhs, {ctx.var: r}) for r in ctx.roots]
        if holds and not any(holds):
            return True
        found = _solution_set(lhs, rhs, ctx.var)
        return found is not None and not all(any(same_value(f, r) for r in ctx.roots) for f in found)
    if ctx.kind == "inequality" and rel in ("<", ">", "<=", ">="):
        return not same_value(_rel(rel, lhs, rhs), ctx.answer.value)
    if ctx.kind not in EQUATION_KINDS and ctx.kind != "inequality" and rel == "=":
        if lhs.free_symbols and rhs.free_symbols:  # an identity between expressions, or it is wrong
            return not same_value(lhs, rhs)
    return False


def _rel(rel: str, lhs, rhs):
    return {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}[rel](lhs, rhs, evaluate=False)


def _of_contradicts(claim: Claim, ctx: ProblemContext) -> bool:
    """``the derivative of E is R`` / ``the integral of E is R`` / ``the limit of E is R``."""
    noun, operand, stated = claim.subject[:-3], claim.lhs, claim.rhs
    if not isinstance(operand, sympy.Expr) or not isinstance(stated, sympy.Expr):
        return False
    var = ctx.var or (next(iter(operand.free_symbols)) if len(operand.free_symbols) == 1 else None)
    if var is None:
        return False
    if noun == "derivative":
        return not same_value(sympy.diff(operand, var), stated)
    if noun in ("integral", "antiderivative"):
        constants = {s for s in stated.free_symbols if s != var and str(s) in CONSTANT_NAMES}
        if not stated.free_symbols - constants and ctx.kind == "definite_integral":
            return not same_value(stated, ctx.answer.value)
        return not same_value(sympy.diff(stated.subs({c: 0 for c in constants}), var), operand)
    if noun == "limit" and isinstance(ctx.math, sympy.Limit) and same_value(ctx.math.args[0], operand):
        return not same_value(stated, ctx.answer.value)
    return False


def _result_contradicts(claim: Claim, ctx: ProblemContext) -> bool:
    """A result stated about the answer (or the kind's own noun) must be the answer."""
    subject = claim.subject
    if subject not in _ANSWER_SUBJECTS and _KIND_SUBJECTS.get(ctx.kind) != subject:
        return False
    if subject == "value" and claim.rhs.free_symbols:
        return False
    m = answer_match(claim.rhs_text, ctx.answer, ctx.kind)
    if m.full or m.part or m.approx or m.missing_constant:
        return False
    if ctx.kind in ("expand", "factor", "simplify"):  # the right value written in another form is not wrong
        value = ctx.answer.value
        return not (isinstance(value, sympy.Expr) and same_value(claim.rhs, value))
    return True


def _as_result(claim: Claim, ctx: ProblemContext) -> str | None:
    """The claim as a stated result ("x = 2", "3x^2"), or None when it states none.

    Not results: "substitute x = 1" in a limit or a derivative (x is not an unknown there),
    "as long as x != 3", a rule stated for any function ("the derivative of c is 0"), and an
    approximation (its error is checked as false arithmetic). A true result about a part of the
    problem ("the derivative of x^3 is 3x^2" for x^3 + 2x) still is one: not the whole answer."""
    if claim.relation == "≈":
        return None
    if claim.lhs is not None and str(claim.lhs) in ctx.solution.problem.variables:
        if ctx.kind not in EQUATION_KINDS + ("inequality",) or claim.relation == "!=":
            return None
        if isinstance(claim.rhs, sympy.Expr) and not claim.rhs.free_symbols or claim.relation != "=":
            return f"{claim.lhs_text} {claim.relation} {claim.rhs_text}"
        return None
    noun = claim.subject[:-3] if claim.subject.endswith(" of") else claim.subject
    if claim.subject.endswith(" of") and isinstance(claim.lhs, sympy.Expr) and claim.lhs.free_symbols - ctx.variables:
        return None  # a rule for any function ("the derivative of c is 0", "the integral of x^n is ...")
    if claim.role == "result" and noun in _RESULT_NOUNS:
        return claim.rhs_text
    return None


def claim_contradicts(claim: Claim, ctx: ProblemContext) -> bool:
    try:
        if reached_contradiction(claim, ctx.solution):  # "that gives 3 = 8": no solution
            return False
        if false_arithmetic(claim):
            return True
        if claim.subject.endswith(" of") and claim.subject[:-3] in _ANSWER_SUBJECTS:
            claim = replace(claim, subject=claim.subject[:-3])  # "the value of x is 7": x = 7
        if claim.subject.endswith(" of"):
            return _of_contradicts(claim, ctx)
        if claim.lhs is not None:
            return _equation_contradicts(claim, ctx)
        if claim.role == "result":
            return _result_contradicts(claim, ctx)
    except Exception:  # a sympy corner case: we cannot say it is wrong
        return False
    return False


def contradicts(sentence: str, solution: Solution) -> bool:
    """Does any math in ``sentence`` contradict the checked ``solution``? Never raises."""
    try:
        ctx = ProblemContext(solution)
        return any(claim_contradicts(c, ctx) for c in read_claims(sentence).claims)
    except Exception:
        return False


class ClaimFilter(SentenceGuard):
    """Step by step and Explain: drop every sentence whose math contradicts the solution.

    Without a solution (math the solver could not read) only false arithmetic is dropped.
    ``strict_results=True`` also drops a sentence that states a result which is true but not the
    whole answer ("one root is x = 2", "the derivative of x^3 is 3x^2"): for answers whose
    every stated result must be THE result (what the evaluation's wrong-result count expects).
    """

    name = "claims"

    def __init__(self, solution: Solution | None, strict_results: bool = False) -> None:
        super().__init__()
        self.solution = solution
        self.strict_results = strict_results
        self._ctx = ProblemContext(solution) if solution is not None else None

    def why(self, sentence: str) -> str | None:
        """The reason ``sentence`` is not shown, or None when it may be."""
        claims = read_claims(sentence).claims
        for claim in claims:
            if false_arithmetic(claim) and not reached_contradiction(claim, self.solution):
                return f"false arithmetic: {claim.text}"
            if self._ctx is not None and claim_contradicts(claim, self._ctx):
                return f"contradicts the checked solution: {claim.text}"
        if self.strict_results and self._ctx is not None:
            stated = [_as_result(c, self._ctx) for c in claims]
            stated = [s for s in stated if s]
            m = answer_match(", ".join(stated), self._ctx.answer, self._ctx.kind) if stated else None
            # one unknown's value of a system ("that gives y = 3") is part of it, never a wrong answer
            if m is not None and not (m.full or m.part and isinstance(self._ctx.answer.value, dict)):
                return f"a result that is not the whole checked answer: {', '.join(stated)}"
        return None

    def _filter(self, sentence: str) -> str:
        try:
            reason = self.why(sentence)
        except Exception:
            reason = None
        if reason is None:
            return sentence
        self._drop(sentence, reason)
        return "\n" if "\n" in sentence[len(sentence.rstrip()) :] else ""
