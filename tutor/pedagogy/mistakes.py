"""Where a student's work goes wrong, in words a student understands (never the answer).

    describe_slip(Eq(3x, 25), ctx)   -> "it looks like 5 was added to 20 instead of subtracted. ..."
    multiply_out(Eq((x+2)(x+3), 0), ctx) -> "multiplying out (x + 2)(x + 3) gives x^2 + 5x + 6, not ..."
    wrong_answer([Eq(x, 7)], ctx)    -> "Not quite. If x = 7, 3x + 5 is 26, not 20."

A wrong step is compared with the problem and each checked state of the solver to name the
slip (a sign, one side only, multiplied instead of divided); a wrong answer is put back into
the problem, tested at a point (inequalities, expansions), differentiated back (integrals),
or matched with a classic mistake (tops and bottoms added, a percentage not divided by 100).
``attempts.check_attempt`` runs every message through the leak guard before it is shown.
"""

from __future__ import annotations

import re

import sympy

from tutor.pedagogy.claims import ProblemContext
from tutor.pedagogy.equiv import same_value
from tutor.pedagogy.notation import Pair

EXPRESSION_KINDS = ("expand", "factor", "simplify", "derivative", "integral")


def show(obj) -> str:
    """Plain, readable math: ``3*x**2 + 2`` -> ``3x^2 + 2``."""
    if isinstance(obj, sympy.Eq):
        return f"{show(obj.lhs)} = {show(obj.rhs)}"
    text = sympy.sstr(obj, order="grlex").replace("**", "^")
    text = re.sub(r"(?<![\^.\d])(\d+)\*(?=[A-Za-z(])", r"\1", text)  # 3*x -> 3x, but not x^2*sin(x)
    return text.replace(")*(", ")(")


def _states(ctx: ProblemContext) -> list:
    """The problem and each checked state after it (equations of one unknown)."""
    states = [ctx.math] + [s.payload for s in ctx.solution.steps]
    return [s for s in states if isinstance(s, sympy.Eq)]


def describe_slip(student: sympy.Eq, ctx: ProblemContext) -> str | None:
    """A linear-equation slip in words, comparing the student's step with each checked state."""
    for state in _states(ctx):
        for lhs, rhs in ((state.lhs, state.rhs), (state.rhs, state.lhs)):
            for s_lhs, s_rhs in ((student.lhs, student.rhs), (student.rhs, student.lhs)):
                said = _slip(lhs, rhs, s_lhs, s_rhs, ctx.var)
                if said:
                    return said
    return None


def _slip(lhs, rhs, s_lhs, s_rhs, var) -> str | None:
    if var is None:
        return None
    for term in sympy.Add.make_args(lhs):
        if term.free_symbols or term == 0:
            continue
        k, undo = (
            abs(term),
            ("take", "away from", "subtracted", "added")
            if term > 0
            else ("add", "to", "added", "subtracted"),
        )
        if not same_value(s_lhs, lhs - term):
            continue
        if same_value(s_rhs, rhs + term):
            where = f"{undo[3]} {'to' if term > 0 else 'from'} {show(rhs)}"
            return (
                f"it looks like {show(k)} was {where} instead of {undo[2]}. When you {undo[0]} {show(k)} "
                f"{undo[1]} the left side, {undo[0]} {show(k)} {undo[1]} the right side too."
            )
        if same_value(s_rhs, rhs):
            return (
                f"it looks like {show(k)} was {undo[2]} on the left side only. "
                "Whatever you do to one side, do to the other side too."
            )
    coeff = lhs.coeff(var) if lhs.is_polynomial(var) and sympy.degree(lhs, var) == 1 else 0
    if coeff not in (0, 1) and not lhs.subs(var, 0) and same_value(s_lhs, var):
        if same_value(s_rhs, rhs * coeff):
            return f"it looks like you multiplied by {show(coeff)} instead of dividing by {show(coeff)}."
        if same_value(s_rhs, rhs - coeff):
            return (
                f"{show(lhs)} means {show(coeff)} times {var}, so undo it by dividing both sides by "
                f"{show(coeff)}, not by subtracting {show(coeff)}."
            )
        if same_value(s_rhs, rhs):
            return f"the left side was divided by {show(coeff)} but the right side was not."
        if same_value(s_rhs, coeff / rhs):
            return "it looks like the division was done the wrong way round: divide the right side by the number in front of x."  # noqa: E501
    return None


def multiply_out(student: sympy.Eq, ctx: ProblemContext) -> str | None:
    """``(x+2)(x+3) = 0`` for x^2 - 5x + 6 = 0: multiplying it back out shows the slip."""
    for side in (student.lhs, student.rhs):
        if isinstance(side, (sympy.Mul, sympy.Pow)) and side.free_symbols and isinstance(ctx.math, sympy.Eq):
            expanded, target = sympy.expand(side), sympy.expand(ctx.math.lhs - ctx.math.rhs)
            return (f"multiplying out {show(side)} gives {show(expanded)}, not {show(target)}. "
                    "Check the signs and the numbers in the brackets.")  # fmt: skip
    return None


def _put_back(values: dict, ctx: ProblemContext) -> str | None:
    """``If x = 7, 3x + 5 is 26, not 20.``: a wrong answer put back into the problem."""
    math = ctx.math
    equations = math if isinstance(math, tuple) else (math,)
    named = ", ".join(f"{k} = {show(v)}" for k, v in values.items())
    for eq in equations:
        if not isinstance(eq, sympy.Eq) or not eq.free_symbols <= set(values):
            continue
        left, right = eq.lhs.subs(values), eq.rhs.subs(values)
        if not same_value(left, right):
            return f"If {named}, {show(eq.lhs)} is {show(left)}, not {show(right)}."
    return None


def _test_point(student_set, answer_set) -> sympy.Rational | None:
    """A whole number in the student's set but not the answer's (or the other way round)."""
    for n in sorted(range(-20, 21), key=abs):
        point = sympy.Integer(n)
        try:
            if bool(student_set.contains(point)) != bool(answer_set.contains(point)):
                return point
        except TypeError:
            continue
    return None


def wrong_answer(pieces, ctx: ProblemContext) -> str:
    kind, math = ctx.kind, ctx.math
    if kind in ("linear", "quadratic", "system"):
        values = {}
        for p in pieces:
            if isinstance(p, sympy.Eq) and isinstance(p.lhs, sympy.Symbol) and not p.rhs.free_symbols:
                values[p.lhs] = p.rhs
            elif isinstance(p, Pair) and len(p.items) == len(ctx.variables):
                values.update(zip(sorted(ctx.variables, key=str), p.items))
            elif isinstance(p, sympy.Expr) and not p.free_symbols and ctx.var is not None:
                values[ctx.var] = p
        strangers = [str(v) for v in values if v not in ctx.variables]
        if strangers:
            return f"This problem is about {', '.join(sorted(map(str, ctx.variables)))}, not {strangers[0]}."
        if kind == "quadratic" and ctx.var in values:
            expr = math.lhs - math.rhs
            value, tried = show(expr.subs(values)), show(values[ctx.var])
            return f"If {ctx.var} = {tried}, {show(expr)} is {value}, not 0, so that is not a solution."
        if kind == "linear" and ctx.var in values:
            slip = describe_slip(sympy.Eq(ctx.var, values[ctx.var]), ctx)
            if slip:
                return f"Not quite: {slip}"
        said = _put_back(values, ctx) if values else None
        if said:
            return f"Not quite. {said}"
    if kind == "inequality":
        student = [p.rhs if isinstance(p, sympy.Eq) and isinstance(p.rhs, sympy.Set) else p for p in pieces]
        try:
            s_set = (p.as_interval() if isinstance(p, Pair) else p if isinstance(p, sympy.Set) else p.as_set()
                     for p in student)  # fmt: skip
            s_set = sympy.Union(*s_set)
            a_value = ctx.answer.value
            a_set = a_value if isinstance(a_value, sympy.Set) else a_value.as_set()
            point = _test_point(s_set, a_set)
        except Exception:
            point = None
        if point is not None and isinstance(math, sympy.core.relational.Relational):
            fits = "fits your answer" if s_set.contains(point) else "is left out of your answer"
            truth = "true" if bool(math.subs(ctx.var, point)) else "false"
            problem = f"{show(math.lhs)} {math.rel_op} {show(math.rhs)}"
            return (
                f"Not quite: {ctx.var} = {point} {fits}, but {problem} is {truth} there. Check the direction "
                "of the sign: it flips when you multiply or divide by a negative number."
            )
    if kind in EXPRESSION_KINDS and isinstance(pieces[0], sympy.Expr):
        said = _wrong_expression(pieces[0], ctx)
        if said:
            return said
    if kind == "arithmetic" and isinstance(pieces[0], sympy.Expr):
        said = _arithmetic_slip(pieces[0], ctx)
        if said:
            return said
    return "Not quite: that is not the answer."


def _wrong_expression(expr, ctx: ProblemContext) -> str | None:
    kind, math, var = ctx.kind, ctx.math, ctx.var
    if var is None:
        return None
    if kind == "integral":
        back = sympy.diff(expr, var)
        target = math.args[0] if isinstance(math, sympy.Integral) else None
        return f"Check by differentiating: the derivative of your answer is {show(back)}" + (
            f", not {show(target)}."
            if target is not None
            else ", which is not the function you started with."
        )
    if kind == "derivative" and isinstance(math, sympy.Derivative):
        written = sympy.Add.make_args(expr)
        for term in sympy.Add.make_args(math.args[0]):
            if not term.free_symbols or any(same_value(t, sympy.diff(term, var)) for t in written):
                continue
            if any(same_value(t, term) for t in written):
                return f"Not quite: {show(term)} was not differentiated. Differentiate every term."
            return f"Not quite: check the derivative of {show(term)}. {_rule_for(term, var)}"
        return "Not quite: a number on its own has derivative 0, so check for terms that should not be there."
    if kind in ("expand", "factor", "simplify"):
        original = math if isinstance(math, sympy.Expr) else None
        if original is None:
            return None
        for n in (1, 2, 3, -1, 4, 5):
            a, b = original.subs(var, n), expr.subs(var, n)
            if a.is_finite and b.is_finite and not same_value(a, b):
                return (
                    f"That is not equal to {show(original)}: at {var} = {n}, {show(original)} is {show(a)} "
                    f"but yours is {show(b)}. Check each term."
                )
    return None


_TWO_FRACTIONS = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([-+])\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*of\s*(\d+(?:\.\d+)?)")


def _rule_for(term, var) -> str:
    """The differentiation rule a term needs, in words."""
    factors = [f for f in sympy.Mul.make_args(term) if f.has(var)]
    if len(factors) > 1:
        return "It is a product, so use the product rule: (uv)' = u'v + uv'."
    inner = factors[0] if factors else term
    nested = isinstance(inner, sympy.Pow) and inner.base != var
    nested = nested or isinstance(inner, sympy.Function) and inner.args[0] != var
    if nested:
        return (
            "There is a function inside another one, so use the chain rule: multiply by the inner derivative."
        )
    return "For x^n, bring the power down and lower it by one; a number on its own has derivative 0."


def _arithmetic_slip(value, ctx: ProblemContext) -> str | None:
    """``3/4 + 1/6 = 4/10`` (tops and bottoms added), ``15% of 80 = 1200`` (not divided by 100)."""
    statement = ctx.solution.problem.statement
    m = _TWO_FRACTIONS.match(statement)
    if m:
        a, b, op, c, d = int(m[1]), int(m[2]), m[3], int(m[4]), int(m[5])
        tops = a + c if op == "+" else a - c
        if b + d and same_value(value, sympy.Rational(tops, b + d)):
            return (
                "It looks like you added the bottom numbers too. Fractions need a common denominator "
                "first: rewrite both with the same bottom number, then work with the tops only."
            )
    m = _PERCENT_OF.search(statement)
    if m and same_value(value, sympy.Rational(m[1]) * sympy.Rational(m[2])):
        return f"Remember that {m[1]}% means {m[1]} out of 100: divide by 100 as well."
    return None
