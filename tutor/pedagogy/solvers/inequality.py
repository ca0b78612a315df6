"""Inequalities in one unknown: linear ones like equations (flipping the sign when multiplying or
dividing by a negative number, and saying so), quadratic ones by their roots and the shape of
the parabola. The answer is written ``x > 5`` and, in LaTeX, also in interval notation; its
value is the solution set as a sympy Set. States agree when they have the same real solutions.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, plain, real_solutions, tex
from tutor.pedagogy.solvers.equations import _rel, tidy_then_isolate
from tutor.pedagogy.types import Answer, Problem

_TEX_OP = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}
_TEXT_OP = {"<": "<", ">": ">", "<=": "≤", ">=": "≥"}


def _interval_tex(s: sympy.Set) -> str:
    return sympy.latex(s).replace(r"\left", "").replace(r"\right", "")


def describe(solution: sympy.Set, var: sympy.Symbol, decimals: bool = False) -> tuple[str, str]:
    """("x > 5", "x > 5 \\quad (x \\in (5, \\infty))") for an interval, a union, all or nothing."""
    v, vt = plain(var), tex(var)
    if solution == sympy.S.EmptySet:
        return "no solution", r"\text{no solution}"
    if solution == sympy.S.Reals:
        return "every real number", r"\text{every real number: } " + f"{vt} \\in \\mathbb{{R}}"
    pieces = solution.args if isinstance(solution, sympy.Union) else (solution,)
    texts, texs = [], []
    for piece in pieces:
        if not isinstance(piece, sympy.Interval):
            raise CannotSolve("not an interval")
        lo, hi = piece.start, piece.end
        lo_op = "<" if piece.left_open else "<="
        hi_op = "<" if piece.right_open else "<="
        if lo == -sympy.oo:
            texts.append(f"{v} {_TEXT_OP[hi_op]} {plain(hi, decimals)}")
            texs.append(f"{vt} {_TEX_OP[hi_op]} {tex(hi, decimals)}")
        elif hi == sympy.oo:
            texts.append(f"{v} {_TEXT_OP[{'<': '>', '<=': '>='}[lo_op]]} {plain(lo, decimals)}")
            texs.append(f"{vt} {_TEX_OP[{'<': '>', '<=': '>='}[lo_op]]} {tex(lo, decimals)}")
        else:
            texts.append(f"{plain(lo, decimals)} {_TEXT_OP[lo_op]} {v} {_TEXT_OP[hi_op]} {plain(hi, decimals)}")
            texs.append(f"{tex(lo, decimals)} {_TEX_OP[lo_op]} {vt} {_TEX_OP[hi_op]} {tex(hi, decimals)}")
    text = " or ".join(texts)
    latex = r" \text{ or } ".join(texs) + rf" \quad \left({vt} \in {_interval_tex(solution)}\right)"
    return text, latex


def _three(a, op1, m, op2, b):
    ops = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}
    return sympy.And(ops[op1](a, m, evaluate=False), ops[op2](m, b, evaluate=False), evaluate=False)


def _three_tex(a, op1, m, op2, b, decimals: bool) -> str:
    return f"{tex(a, decimals)} {_TEX_OP[op1]} {tex(m, decimals)} {_TEX_OP[op2]} {tex(b, decimals)}"


def _compound(p: Parsed) -> Draft:
    """a < kx + c < b: do the same to all three parts (flipping both signs for a negative k)."""
    x = p.var
    a, op1, m, op2, b = p.extra["compound"]  # as written (an And keeps its parts in its own order)
    k, c = sympy.Poly(m, x).all_coeffs()
    moves: list[Move] = []
    if c != 0:
        a, m, b = a - c, m - c, b - c
        verb = f"Subtract {tex(c)} from" if c > 0 else f"Add {tex(-c)} to"
        moves.append(Move(f"{verb} all three parts.", _three(a, op1, m, op2, b),
                          _three_tex(a, op1, m, op2, b, p.decimals), f"How do you remove the ${tex(c)}$ from the middle?"))  # fmt: skip
    if k != 1:
        a, m, b = a / k, x, b / k
        flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
        if k < 0:
            op1, op2 = flip[op1], flip[op2]
        text = f"Divide all three parts by ${tex(k)}$" + (", and flip both signs because it is negative." if k < 0 else ".")
        moves.append(Move(text, _three(a, op1, m, op2, b), _three_tex(a, op1, m, op2, b, p.decimals),
                          f"What do you divide by to leave ${tex(x)}$ alone in the middle?"))  # fmt: skip
    if not moves:
        raise CannotSolve("already solved")
    solution = real_solutions(p.expr, x)
    text, latex = describe(solution, x, p.decimals)
    return Draft(
        start=p.expr,
        moves=moves,
        answer=Answer(text, latex, solution),
        goal=f"Find all the values of ${tex(x)}$ that make both inequalities true at once.",
        method=f"Do the same to all three parts until ${tex(x)}$ is alone in the middle; flip both signs when "
        "you multiply or divide by a negative number.",
        ask_kind=f"What has to be undone to get ${tex(x)}$ alone in the middle?",
    )


def solve_inequality(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    x, rel = p.var, p.expr
    if isinstance(rel, sympy.And):
        return _compound(p)
    poly = sympy.Poly(sympy.expand(rel.lhs - rel.rhs), x)
    if poly.degree() == 2:
        return _quadratic(p, rel, poly)
    moves = tidy_then_isolate(p)
    final = moves[-1].state
    solution = real_solutions(rel, x)
    if final.lhs != x:  # the x terms cancelled: always or never true
        always = solution == sympy.S.Reals
        moves.append(Move(
            f"This is {'always' if always else 'never'} true, whatever ${tex(x)}$ is.", solution,
            r"\text{every real number}" if always else r"\text{no solution}", "Can that statement ever be false?"))
    text, latex = describe(solution, x, p.decimals)
    return Draft(
        start=rel,
        moves=moves,
        answer=Answer(text, latex, solution),
        goal=f"Find all the values of ${tex(x)}$ that make the inequality true.",
        method=(
            "Solve it like an equation, doing the same to both sides, but flip the inequality sign whenever "
            "you multiply or divide both sides by a negative number."
        ),
        ask_kind=f"How is solving an inequality for ${tex(x)}$ like solving an equation, and how is it different?",
    )


def _quadratic(p: Parsed, rel, poly: sympy.Poly) -> Draft:
    x = p.var
    a, b, c = poly.all_coeffs()
    if not all(k.is_Rational for k in (a, b, c)):
        raise CannotSolve("coefficients are not rational")
    moves: list[Move] = []
    expr = poly.as_expr()
    standard = _rel(rel.rel_op, expr, 0)
    if rel.rhs != 0 or sympy.expand(rel.lhs) != rel.lhs:
        moves.append(Move("Move every term to the left side so that the right side is 0.", standard,
                          tex(standard), "What do you get with everything on one side and 0 on the other?"))
    roots = sorted(real_solutions(_rel("==", expr, 0), x), key=float)
    if len(roots) == 2:
        factored = sympy.factor(expr)
        shown = _rel(rel.rel_op, factored, 0) if all(r.is_Rational for r in roots) else None
        roots_tex = r" \text{ or } ".join(f"{tex(x)} = {tex(r)}" for r in roots)
        if shown is not None:
            moves.append(Move("Factor the left side.", shown, tex(shown), "Can you factor the left side?"))
        moves.append(Move(f"The expression is zero at ${roots_tex}$, the roots of the equation.",
                          shown if shown is not None else standard, roots_tex.replace(r" \text{ or } ", ", ")
                          + r" \text{ are the roots}", "Where is the left side equal to zero?"))  # fmt: skip
    solution = real_solutions(rel, x)
    shape = "upward" if a > 0 else "downward"
    sign = "above" if rel.rel_op in (">", ">=") else "below"
    moves.append(Move(f"The parabola opens {shape}, so it is {sign} zero "
                      f"{'between' if (a > 0) == (sign == 'below') else 'outside'} the roots.",
                      solution, describe(solution, x)[1], "Is the parabola above or below zero between its roots?"))
    text, latex = describe(solution, x)
    return Draft(
        start=rel,
        moves=moves,
        answer=Answer(text, latex, solution),
        goal=f"Find all the values of ${tex(x)}$ that make the inequality true.",
        method="Find where the quadratic is zero, then use the shape of its parabola to see where it is positive "
        "or negative.",
        ask_kind=f"Where does the left side change sign as ${tex(x)}$ grows?",
    )


def verify_inequality(problem: Problem, answer: Answer) -> bool:
    """Test the answer against the original inequality at every point where either can change.

    The original's left minus right side is a polynomial of degree <= 2, so it changes sign only
    at its roots: checking membership at those roots, at the answer's end points, between any
    two of them and beyond them decides the whole real line.
    """
    p: Parsed = problem.payload
    rel, x, answer_set = p.expr, p.var, answer.value
    parts = rel.args if isinstance(rel, sympy.And) else (rel,)  # a < 3x + 1 < b: both parts
    roots = []
    for part in parts:
        expr = sympy.expand(part.lhs - part.rhs)
        roots += [r for r in sympy.Poly(expr, x).real_roots()] if sympy.degree(expr, x) > 0 else []
    ends = [b for b in answer_set.boundary if b.is_finite] if answer_set not in (sympy.S.Reals, sympy.S.EmptySet) else []
    anchors = sorted(set(roots) | set(ends), key=float)
    points = list(anchors) + [(a + b) / 2 for a, b in zip(anchors, anchors[1:])]
    points += [anchors[0] - 1, anchors[-1] + 1] if anchors else [sympy.Integer(0)]
    holds = lambda v: all(bool(r.func(r.lhs.subs(x, v), r.rhs.subs(x, v))) for r in parts)  # noqa: E731
    return all(holds(v) == bool(answer_set.contains(v)) for v in points)
