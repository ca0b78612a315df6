"""What the calculus solvers share: printing states that still hold a d/dx, an integral sign or a
limit, and deciding whether two such states agree.

A derivative state is an expression in which some parts are still unevaluated ``Derivative``
nodes; the next state applies one rule to each of them. Two states agree when sympy evaluates
both to the same function. An integral state holds ``Integral`` nodes: two states agree when
their derivatives are the same function (so the antiderivative found differentiates back to
the integrand). Equality is decided symbolically when sympy can, otherwise at sample points.
"""

from __future__ import annotations

import sympy
from sympy.printing.latex import LatexPrinter

from tutor.pedagogy.solvers.base import abs_logs

SAMPLES = (sympy.Rational(7, 10), sympy.Rational(13, 10), sympy.Rational(21, 10), sympy.Rational(-3, 5),
           sympy.Rational(31, 10), sympy.Rational(-17, 10))  # fmt: skip


class _Printer(LatexPrinter):
    """sympy's LaTeX, but d/dx(...) and integrals with their argument in brackets, ln for log,
    \\arctan for atan."""

    def __init__(self, keep_order: bool = False) -> None:
        super().__init__({"ln_notation": True, "inv_trig_style": "full", "order": "none" if keep_order else None})

    def _print_Derivative(self, expr) -> str:
        var, n = self._print(expr.variables[0]), len(expr.variables)
        d = rf"\frac{{d}}{{d{var}}}" if n == 1 else rf"\frac{{d^{{{n}}}}}{{d{var}^{{{n}}}}}"
        return rf"{d}\left({self._print(expr.expr)}\right)"

    def _print_Integral(self, expr) -> str:
        (var, *bounds) = expr.limits[0]
        body = self._print(expr.function)
        if isinstance(expr.function, sympy.Add):
            body = rf"\left({body}\right)"
        if bounds:
            lo, hi = bounds
            return rf"\int_{{{self._print(lo)}}}^{{{self._print(hi)}}} {body} \, d{self._print(var)}"
        return rf"\int {body} \, d{self._print(var)}"

    def _print_Limit(self, expr) -> str:
        e, z, z0, _ = expr.args
        body = self._print(e)
        if isinstance(e, sympy.Add):
            body = rf"\left({body}\right)"
        return rf"\lim_{{{self._print(z)} \to {self._print(z0)}}} {body}"


def ctex(expr, keep_order: bool = False) -> str:
    return abs_logs(_Printer(keep_order).doprint(expr).replace(r"\left(x \right)", "(x)"))


def rewrite(state, node_type, rule_for, sentence, ask, max_steps: int = 8):
    """Apply one rule to every ``node_type`` node (d/dx or ∫) of ``state`` per step, until none is left.

    ``rule_for(g) -> (result, rule name, detail)``; ``sentence(uses)`` words a step from its
    list of (rule, detail, g); ``ask(rule)`` is its guiding question. Returns (moves, final
    state, rule names in order of first use).
    """
    from tutor.pedagogy.solvers.base import CannotSolve, Move

    moves, used = [], []
    for _ in range(max_steps + 1):
        nodes = [n for n in sympy.preorder_traversal(state) if isinstance(n, node_type)]
        if not nodes:
            return moves, state, used
        swaps, uses = {}, []
        for node in nodes:
            result, rule, detail = rule_for(node.args[0])
            swaps[node] = result
            uses.append((rule, detail, node.args[0]))
            used += [rule] if rule not in used else []
        keep = state == nodes[0] and uses[0][0] == "sum"  # of a sum: keep the terms in the order written
        state = sympy.Add(*swaps[nodes[0]].args, evaluate=False) if keep else state.xreplace(swaps)
        moves.append(Move(sentence(uses), state, ctex(state, keep_order=keep), ask(uses[0][0])))
    raise CannotSolve("too many steps")


def real_var(expr, var):
    """``expr`` with ``var`` made real, so |x| and ln|x| differentiate as in school."""
    real = sympy.Symbol(str(var), real=True)
    return sympy.sympify(expr).subs(var, real), real


def equal_functions(a, b, var) -> bool:
    """Are ``a`` and ``b`` the same function of ``var``?

    Proved symbolically when that is cheap (expand, or simplify on small expressions);
    otherwise decided by exact-precision evaluation at six sample points (at least three of
    them inside the domain), which no two different elementary functions of this size pass.
    """
    diff = a - b
    try:
        if diff.free_symbols - {var}:
            return False
        if sympy.count_ops(diff) <= 60:  # small: try to prove it
            diff = sympy.expand(diff)
            if diff == 0:
                return True
            if sympy.count_ops(diff) <= 20 and not diff.has(sympy.Abs, sympy.sign) and sympy.simplify(diff) == 0:
                return True
    except Exception:
        diff = a - b
    hits = 0
    for point in SAMPLES:
        at = {var: sympy.Float(point, 30)}  # 30 digits: functions of a Float evaluate at once
        try:
            va, vb = complex(sympy.sympify(a).xreplace(at)), complex(sympy.sympify(b).xreplace(at))
        except (TypeError, ValueError, ZeroDivisionError):
            continue  # outside the domain (log of a negative...): try the next point
        if va != va or vb != vb or abs(va) == float("inf") or abs(vb) == float("inf"):
            continue
        if abs(va - vb) > 1e-15 * max(1.0, abs(va), abs(vb)):
            return False
        hits += 1
    return hits >= 3


def evaluate(state) -> sympy.Expr:
    """The function a derivative state stands for."""
    return sympy.sympify(state).doit()


def same_derivative_state(problem, before, after) -> bool:
    var = problem.payload.var
    return equal_functions(evaluate(before), evaluate(after), var)


def same_integral_state(problem, before, after) -> bool:
    """Integral states agree when they have the same derivative (each ∫g dx differentiates to g)."""
    return same_derivative(before, after, problem.payload.var)


def same_derivative(a, b, var) -> bool:
    a, real = real_var(a, var)
    b, _ = real_var(b, var)
    return equal_functions(sympy.diff(a, real), sympy.diff(b, real), real)
