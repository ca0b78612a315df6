"""Which kind a piece of math is, once ``read`` has cut it out of the question.

Equations by degree (linear, quadratic), inequalities, algebra by its cue word (factor, expand,
simplify, roots of), calculus by its cue and parameters (variable, bounds, limit point). Every
test here refuses rather than guesses: more than one unknown without being told which, a
degree we do not teach, a cue that does not fit the math: None.
"""

from __future__ import annotations

import sympy

import re

from tutor.pedagogy.parse import parse_math, parse_structure
from tutor.pedagogy.solvers.base import Parsed, count_nodes, plain, tex
from tutor.pedagogy.types import Problem

MAX_DEGREE_EXPAND = 6
MAX_NODES = 80  # calculus and algebra inputs are small; larger ones could make sympy slow


def make_problem(kind: str, question: str, statement: str, latex: str, variables, parsed: Parsed) -> Problem:
    return Problem(kind=kind, statement=statement, latex=latex, variables=tuple(sorted(str(v) for v in variables)),
                   question=question, payload=parsed)  # fmt: skip


def _decimals(shown) -> bool:
    return bool(shown.atoms(sympy.Float))


def _only_var(expr, letters: set[str], given: str | None = None) -> sympy.Symbol | None:
    """The one unknown: the only free symbol (or the one named, if it occurs)."""
    symbols = sorted(expr.free_symbols, key=str)
    if given is not None:
        var = sympy.Symbol(given)
        return var if var in expr.free_symbols and letters <= {given} else None
    if len(symbols) != 1 or not letters <= {str(symbols[0])}:
        return None
    return symbols[0]


MAX_DEGREE = 12  # a bound on the degree of anything read, checked before sympy expands it


def degree_bound(expr) -> int:
    """An upper bound on the total degree of ``expr``, computed without expanding it."""
    if expr.is_Symbol:
        return 1
    if expr.is_Number or not expr.free_symbols:
        return 0
    if isinstance(expr, sympy.Pow):
        if expr.exp.is_Integer:
            return degree_bound(expr.base) * abs(int(expr.exp))
        if not expr.base.free_symbols:  # 2^x: a function of x, nothing to expand
            return degree_bound(expr.exp)
        return MAX_DEGREE + 1 if degree_bound(expr.exp) else degree_bound(expr.base)
    parts = [degree_bound(a) for a in expr.args]
    if isinstance(expr, sympy.Mul):
        return sum(parts)
    return max(parts, default=0) if isinstance(expr, sympy.Add) else max(parts, default=0) + 1


def _degree(expr, var) -> int | None:
    if degree_bound(expr) > MAX_DEGREE:
        return None
    try:
        poly = sympy.Poly(sympy.expand(expr), var)
    except sympy.PolynomialError:
        return None
    if any(c.free_symbols for c in poly.all_coeffs()):
        return None
    return poly.degree()


def relation_problem(question: str, expr, shown, letters: set[str], found) -> Problem | None:
    if found.cues - {"solve", "roots"} or count_nodes(expr) > MAX_NODES or degree_bound(expr) > MAX_DEGREE:
        return None
    var = _only_var(expr, letters)
    if var is None or isinstance(expr, sympy.Ne):
        return None
    degree = _degree(expr.lhs - expr.rhs, var)
    if degree is not None and degree < 1 and _degree(expr.lhs, var) == 1:
        degree = 1  # 3x + 1 = 3x + 2: the x terms cancel (no solution, or every number)
    if degree not in (1, 2):
        return None
    if expr.lhs == var and not expr.rhs.free_symbols:
        return None  # "x = 5" is an answer, not a problem
    statement, latex = plain(shown, keep_order=True), tex(shown, keep_order=True)
    parsed = Parsed(expr, shown, var, decimals=_decimals(shown))
    if isinstance(expr, sympy.Equality):
        kind = "linear" if degree == 1 else "quadratic"
        if kind == "quadratic" and not _real_or_asked(expr.lhs - expr.rhs, var, question):
            return None
    else:
        kind = "inequality"
    return make_problem(kind, question, statement, latex, [var], parsed)


def _real_or_asked(poly_expr, var, question: str) -> bool:
    """A quadratic with real roots, or a question that asks for real ones: "solve x^2 + 9 = 0"
    may expect x = ±3i, and "no real solutions" would then be a wrong answer shown as checked."""
    a, b, c = sympy.Poly(sympy.expand(poly_expr), var).all_coeffs()
    return b * b - 4 * a * c >= 0 or bool(re.search(r"\breal\b(?!\s+(?:quick|fast))", question, re.I))  # not "real quick"


def expression_problem(question: str, expr, shown, letters: set[str], found) -> Problem | None:
    cues = found.cues - {"solve"}
    if len(cues) != 1 or count_nodes(expr) > MAX_NODES or not expr.free_symbols or degree_bound(expr) > MAX_DEGREE:
        return None
    cue = next(iter(cues))
    statement, latex = plain(shown, keep_order=True), tex(shown, keep_order=True)
    if cue == "roots":
        var = _only_var(expr, letters)
        if var is None or _degree(expr, var) not in (1, 2):
            return None
        eq = sympy.Eq(expr, 0)
        eq_shown = sympy.Eq(shown, 0, evaluate=False)
        kind = "linear" if _degree(expr, var) == 1 else "quadratic"
        if kind == "quadratic" and not _real_or_asked(expr, var, question):
            return None
        parsed = Parsed(eq, eq_shown, var, decimals=_decimals(shown))
        return make_problem(kind, question, f"{statement} = 0", f"{latex} = 0", [var], parsed)
    if letters - {str(s) for s in expr.free_symbols}:
        return None
    variables = sorted(expr.free_symbols, key=str)
    if len(variables) > 2:
        return None
    if cue in ("factor", "expand"):
        if not expr.is_polynomial(*variables):
            return None
        total = sympy.Poly(sympy.expand(expr), *variables).total_degree()
        if total < 1 or total > (MAX_DEGREE_EXPAND if cue == "expand" else 4):
            return None
    parsed = Parsed(expr, shown, tuple(variables) if len(variables) > 1 else variables[0], _decimals(shown))
    return make_problem(cue, question, statement, latex, variables, parsed)


def _never_negative(f, x, lo, hi) -> bool:
    """A polynomial that is >= 0 all over [lo, hi] (then the area under it is its integral)."""
    if not f.is_polynomial(x) or not (lo.is_real and hi.is_real) or lo >= hi:
        return False
    poly = sympy.Poly(f, x)
    cuts = sorted({lo, hi} | {r for r in poly.real_roots() if lo < r < hi}, key=float)
    return all(poly.eval((a + b) / 2) >= 0 for a, b in zip(cuts, cuts[1:])) and poly.eval(lo) >= 0 <= poly.eval(hi)


def _small_powers(expr) -> bool:
    """(1 + 3/x)^x: a variable exponent (whose degree ``degree_bound`` cannot bound) over a small
    base and exponent; a limit never expands it, so only the pieces need to be small."""
    powers = [p for p in expr.atoms(sympy.Pow) if p.exp.free_symbols and p.base.free_symbols]
    rest = expr.xreplace({p: sympy.Dummy() for p in powers})
    return degree_bound(rest) <= MAX_DEGREE and all(
        degree_bound(p.base) <= MAX_DEGREE and degree_bound(p.exp) <= MAX_DEGREE for p in powers)


def calculus_problem(question: str, expr, shown, letters: set[str], found) -> Problem | None:
    area = "area" in found.cues
    cues = found.cues - {"solve", "simplify", "area"}
    if len(cues) != 1 or isinstance(expr, sympy.core.relational.Relational) or count_nodes(expr) > MAX_NODES:
        return None
    if getattr(found, "order", 1) > 1 and cues != {"derivative"}:
        return None
    if degree_bound(expr) > MAX_DEGREE and not (cues == {"limit"} and _small_powers(expr)):
        return None
    cue = next(iter(cues))
    var = _only_var(expr, letters, found.var) if expr.free_symbols else (
        sympy.Symbol(found.var) if found.var else None)  # fmt: skip
    if var is None and not expr.free_symbols and cue != "limit":
        var = sympy.Symbol("x")
    if var is None:
        return None
    v, body, body_tex = str(var), plain(shown, keep_order=True), tex(shown, keep_order=True)
    if isinstance(shown, sympy.Add) and cue in ("integral", "limit"):
        body_tex = rf"\left({body_tex}\right)"
    if cue == "derivative":
        order = getattr(found, "order", 1)
        parsed = Parsed(expr, shown, var, _decimals(shown), extra={"order": order} if order > 1 else {})
        d_text, d_tex = (f"d/d{v}", rf"\frac{{d}}{{d{v}}}") if order == 1 else (
            f"d^{order}/d{v}^{order}", rf"\frac{{d^{{{order}}}}}{{d{v}^{{{order}}}}}")  # fmt: skip
        return make_problem("derivative", question, f"{d_text} ({body})", rf"{d_tex}\left({body_tex}\right)", [var],
                            parsed)  # fmt: skip
    if cue == "integral":
        if found.bounds is None:
            if area:
                return None
            parsed = Parsed(expr, shown, var, _decimals(shown))
            return make_problem("integral", question, f"∫ ({body}) d{v}", rf"\int {body_tex} \, d{v}", [var], parsed)
        lo, hi = (parse_math(b) for b in found.bounds)
        if lo.free_symbols or hi.free_symbols or not (lo.is_finite and hi.is_finite):
            return None
        if area and not _never_negative(expr, var, lo, hi):
            return None  # part of the curve below the axis: the area is not the integral
        parsed = Parsed(expr, shown, var, _decimals(shown), extra={"bounds": (lo, hi)})
        return make_problem("definite_integral", question, f"∫ from {plain(lo)} to {plain(hi)} of ({body}) d{v}",
                     rf"\int_{{{tex(lo)}}}^{{{tex(hi)}}} {body_tex} \, d{v}", [var], parsed)  # fmt: skip
    if found.point is None:
        return None
    point = parse_math(found.point)
    if point.free_symbols:
        return None
    side = getattr(found, "side", None) if point.is_finite else None
    extra = {"point": point, "dir": side} if side else {"point": point}
    parsed = Parsed(expr, shown, var, _decimals(shown), extra=extra)
    sup_text, sup_tex = ("⁺" if side == "+" else "⁻", f"^{{{side}}}") if side else ("", "")
    return make_problem("limit", question, f"lim {v}→{plain(point)}{sup_text} {body}",
                 rf"\lim_{{{v} \to {tex(point)}{sup_tex}}} {body_tex}", [var], parsed)  # fmt: skip


def compound_problem(question: str, span: str, letters: set[str], found) -> Problem | None:
    """``-2 < 3x + 1 < 7``: a number, an expression linear in one unknown, a number, both signs
    pointing the same way. Anything else with two relation signs is None."""
    parts = re.split(r"(<=|>=|<|>)", span)
    if len(parts) != 5 or found.cues - {"solve"}:
        return None
    low, op1, mid, op2, high = (p.strip() for p in parts)
    if {op1[0], op2[0]} not in ({"<"}, {">"}):
        return None
    a, m, b = parse_math(low), parse_math(mid), parse_math(high)
    var = _only_var(m, letters)
    if var is None or a.free_symbols or b.free_symbols or _degree(m, var) != 1:
        return None
    ops = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}
    expr = sympy.And(ops[op1](a, m), ops[op2](m, b))
    if expr in (sympy.true, sympy.false) or not isinstance(expr, sympy.And):
        return None
    shown = tuple(parse_structure(p) for p in (low, mid, high))
    text_ops = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
    tex_ops = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"}
    statement = f"{plain(shown[0])} {text_ops[op1]} {plain(shown[1], keep_order=True)} {text_ops[op2]} {plain(shown[2])}"
    latex = f"{tex(shown[0])} {tex_ops[op1]} {tex(shown[1], keep_order=True)} {tex_ops[op2]} {tex(shown[2])}"
    parsed = Parsed(expr, expr, var, decimals=any(s.atoms(sympy.Float) for s in shown), extra={"compound": (a, op1, m, op2, b)})
    return make_problem("inequality", question, statement, latex, [var], parsed)
