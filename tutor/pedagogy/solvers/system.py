"""Two linear equations in two unknowns, by substitution (when one equation already gives a
variable) or elimination (scale, then add or subtract to remove a variable).

A state is a pair of equations; two states agree when their augmented matrices have the same
reduced row echelon form, which is true exactly when the systems have the same solutions (one,
none or infinitely many). The answer is checked by substituting it into both original equations.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, num_text, plain, tex
from tutor.pedagogy.solvers.equations import _rel, linear_moves
from tutor.pedagogy.types import Answer, Problem


def _row(eq, variables) -> list:
    """[a, b, c] with a x + b y = c."""
    expr = sympy.expand(eq.lhs - eq.rhs)
    coeffs = [expr.coeff(v, 1) for v in variables]
    const = expr.subs({v: 0 for v in variables})
    if sympy.expand(sum(c * v for c, v in zip(coeffs, variables, strict=True)) + const - expr) != 0:
        raise CannotSolve("not linear")
    return [*coeffs, -const]


def rref_key(state, variables) -> tuple:
    """The nonzero rows of the reduced row echelon form of the system's augmented matrix."""
    rows = [_row(eq, variables) for eq in state]
    reduced, _ = sympy.Matrix(rows).rref()
    return tuple(tuple(reduced.row(i)) for i in range(reduced.rows) if any(reduced.row(i)))


def same_system(problem: Problem, before, after) -> bool:
    variables = problem.payload.var
    return rref_key(before, variables) == rref_key(after, variables)


def _pair_tex(a, b) -> str:
    return rf"{tex(a)}, \quad {tex(b)}"


def _standard(eq, variables):
    a, b, c = _row(eq, variables)
    return _rel("==", a * variables[0] + b * variables[1], c)


def solve_system(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    x, y = p.var
    e1, e2 = p.expr
    moves: list[Move] = []
    iso = _isolated(p.shown, (x, y))
    if iso is not None:
        method = "Substitution: replace one variable by what the other equation says it equals, then solve."
        answer = _by_substitution(e1, e2, iso, (x, y), moves)
    else:
        method = "Elimination: make the coefficients of one variable match, then add or subtract the equations."
        answer = _by_elimination(e1, e2, (x, y), moves, p.shown)
    return Draft(
        start=(e1, e2),
        moves=moves,
        answer=answer,
        goal=f"Find the values of ${tex(x)}$ and ${tex(y)}$ that make both equations true at the same time.",
        method=method,
        ask_kind="How could you combine the two equations to get one equation with only one unknown?",
    )


def _isolated(shown, variables):
    """(index, variable) of an equation written as "y = ..." with no y on the right, if any."""
    for i, eq in enumerate(shown):
        for v in variables:
            if eq.lhs == v and not eq.rhs.has(v):
                return i, v
    return None


def _by_substitution(e1, e2, iso, variables, moves: list[Move]) -> Answer:
    i, v = iso
    given, other = (e1, e2) if i == 0 else (e2, e1)
    u = variables[1] if v == variables[0] else variables[0]
    expr = given.rhs
    replaced = _rel("==", other.lhs.subs(v, expr), other.rhs.subs(v, expr))
    moves.append(Move(f"Substitute ${tex(v)} = {tex(expr)}$ into the other equation.", (given, replaced),
                      tex(replaced), f"What do you get if you replace ${tex(v)}$ by what it equals?"))  # fmt: skip
    collected = _rel("==", sympy.expand(replaced.lhs), sympy.expand(replaced.rhs))
    if collected != replaced:
        moves.append(Move("Expand and collect like terms.", (given, collected), tex(collected),
                          "Which terms can be combined?"))  # fmt: skip
    return _finish(collected, given, u, v, variables, moves)


def _by_elimination(e1, e2, variables, moves: list[Move], shown) -> Answer:
    x, y = variables
    s1, s2 = _standard(e1, variables), _standard(e2, variables)
    if not all(_is_standard(e, variables) for e in shown):
        moves.append(Move("Write both equations in the form $ax + by = c$.".replace("x", tex(x)).replace("y", tex(y)),
                          (s1, s2), rf"{tex(s1)}, \quad {tex(s2)}", "Can you line up the terms of both equations?"))
    (a1, b1, c1), (a2, b2, c2) = _row(s1, variables), _row(s2, variables)
    if not all(k.is_Rational for k in (a1, b1, c1, a2, b2, c2)):
        raise CannotSolve("coefficients are not rational")
    gone, kept, k1, k2 = (y, x, b1, b2) if _eliminate_y_first(a1, b1, a2, b2) else (x, y, a1, a2)
    if k1 == 0 or k2 == 0:  # a variable is already missing from one equation
        lone = s1 if k1 == 0 else s2
        return _finish(lone, s2 if k1 == 0 else s1, kept, gone, variables, moves)
    target = sympy.ilcm(*_ints(k1, k2)) if all(k.is_Integer for k in (k1, k2)) else abs(k1 * k2)
    m1, m2 = target / abs(k1), target / abs(k2)
    t1, t2 = _scale(s1, m1), _scale(s2, m2)
    if m1 != 1 or m2 != 1:
        which = " and ".join(f"the {n} equation by {num_text(m)}" for n, m in (("first", m1), ("second", m2)) if m != 1)
        moves.append(Move(f"Multiply {which} so that the ${tex(gone)}$ terms have the same size.", (t1, t2),
                          rf"{tex(t1)}, \quad {tex(t2)}", f"What could you multiply by so that the ${tex(gone)}$ "
                          "terms match?"))  # fmt: skip
    same_sign = (k1 > 0) == (k2 > 0)
    combined = _rel("==", sympy.expand(t1.lhs - t2.lhs if same_sign else t1.lhs + t2.lhs),
                    sympy.expand(t1.rhs - t2.rhs if same_sign else t1.rhs + t2.rhs))  # fmt: skip
    text = (f"Subtract the second equation from the first to eliminate ${tex(gone)}$." if same_sign
            else f"Add the two equations to eliminate ${tex(gone)}$.")  # fmt: skip
    moves.append(Move(text, (combined, s1), tex(combined), f"What happens to ${tex(gone)}$ if you "
                      f"{'subtract' if same_sign else 'add'} the equations?"))  # fmt: skip
    return _finish(combined, s1, kept, gone, variables, moves)


def _eliminate_y_first(a1, b1, a2, b2) -> bool:
    """Remove y when its coefficients already match in size, or match more cheaply than x's."""
    if b1 == 0 or b2 == 0 or abs(b1) == abs(b2):
        return True
    if a1 == 0 or a2 == 0 or abs(a1) == abs(a2):
        return False
    return sympy.ilcm(*_ints(b1, b2)) <= sympy.ilcm(*_ints(a1, a2))


def _is_standard(eq, variables) -> bool:
    """Is this equation, as written, already ``ax + by = c`` (each unknown once, number on the right)?"""
    terms = sympy.Add.make_args(eq.lhs)
    seen = [t.free_symbols for t in terms]
    return (
        eq.rhs.is_Number
        and all(len(f) == 1 for f in seen)
        and len({next(iter(f)) for f in seen}) == len(seen)
        and all(sympy.Poly(t, *variables).total_degree() == 1 for t in terms)
    )


def _ints(*values) -> list[int]:
    return [int(abs(v)) if v.is_Integer else 1 for v in values]


def _scale(eq, m):
    return _rel("==", sympy.expand(m * eq.lhs), sympy.expand(m * eq.rhs)) if m != 1 else eq


def _finish(single, other, u, v, variables, moves: list[Move]) -> Answer:
    """Solve ``single`` (an equation in u alone) and substitute back into ``other`` for v."""
    if not single.has(u):  # the unknowns cancelled: no solution or infinitely many
        rows = rref_key((single, other), variables)
        consistent = not any(all(c == 0 for c in r[:-1]) and r[-1] != 0 for r in rows)
        if not consistent:
            moves.append(Move("That is never true, so the equations have no common solution (parallel lines).",
                              (single, other), r"\text{no solution}", "Can that statement be true?"))  # fmt: skip
            return Answer("no solution", r"\text{no solution}", sympy.S.EmptySet)
        family = sympy.linsolve([other.lhs - other.rhs], *variables)
        moves.append(Move("That is always true: both equations describe the same line, so there are infinitely "
                          "many solutions.", (single, other), tex(other) + r" \text{ (infinitely many solutions)}",
                          "Is that statement ever false?"))  # fmt: skip
        return Answer(f"infinitely many solutions: {plain(other)}", tex(other) + r" \text{ (infinitely many)}", family)
    solving = linear_moves(single, u)
    for move in solving:
        moves.append(Move(move.text, (move.state, other), move.latex, move.ask))
    value = solving[-1].state.rhs if solving else single.rhs
    known = _rel("==", u, value)
    put = _rel("==", other.lhs.subs(u, value), other.rhs.subs(u, value))
    moves.append(Move(f"Substitute ${tex(u)} = {tex(value)}$ into the other equation.", (known, put), tex(put),
                      f"What does the other equation say once you know ${tex(u)}$?"))  # fmt: skip
    solving = linear_moves(put, v)
    for move in solving:
        moves.append(Move(move.text, (known, move.state), move.latex, move.ask))
    w = solving[-1].state.rhs if solving else put.rhs
    values = {u: value, v: w}
    x, y = variables
    text = f"{plain(x)} = {plain(values[x])}, {plain(y)} = {plain(values[y])}"
    latex = rf"{tex(x)} = {tex(values[x])}, \quad {tex(y)} = {tex(values[y])}"
    moves.append(Move("Put the two values together.", (_rel("==", x, values[x]), _rel("==", y, values[y])), latex,
                      "What are the two values together?"))  # fmt: skip
    return Answer(text, latex, {x: values[x], y: values[y]})


def verify_system(problem: Problem, answer: Answer) -> bool:
    """The values make both original equations true, and the solution is unique (or none / many)."""
    p: Parsed = problem.payload
    (a1, b1, _), (a2, b2, _) = (_row(e, p.var) for e in p.expr)
    if isinstance(answer.value, dict):
        ok = all(sympy.simplify(e.lhs.subs(answer.value) - e.rhs.subs(answer.value)) == 0 for e in p.expr)
        return bool(ok and a1 * b2 - a2 * b1 != 0)
    return sympy.linsolve([e.lhs - e.rhs for e in p.expr], *p.var) == answer.value
