"""Linear and quadratic equations in one unknown, solved the way a teacher writes it on the board.

Linear: expand brackets / clear fractions / collect like terms, get the x terms on one side,
move the number, divide by the coefficient. Quadratic: bring to ``ax^2 + bx + c = 0``; then
square roots when there is no x term, factoring when the roots are rational, else the quadratic
formula with its discriminant. A state is an Eq, True/False (``0 = 0``), a tuple of Eqs joined
by "or", or the set of solutions; two states agree when they have the same real solutions.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import (
    CannotSolve,
    Draft,
    has_brackets_anywhere,
    Move,
    Parsed,
    linear_coeffs,
    num_text,
    plain,
    real_solutions,
    term_text,
    tex,
)
from tutor.pedagogy.types import Answer, Problem

REL_WORDS = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}


def _rel(op: str, lhs, rhs):
    """A relation built without evaluating to True/False, so ``0 = 0`` can be shown."""
    func = {"==": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}[op]
    return func(lhs, rhs, evaluate=False)


def flipped(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "=="}[op]


def _term_count(expr) -> int:
    return len(sympy.Add.make_args(expr))


def tidy_step(shown, rel, var, decimals: bool) -> Move | None:
    """The first step when the equation as written is not yet ``ax + b = cx + d`` (or a polynomial)."""
    sides = (shown.lhs, shown.rhs)
    evaluated = (sympy.expand(rel.lhs), sympy.expand(rel.rhs))
    new = _rel(rel.rel_op, *evaluated)
    if any(has_brackets_anywhere(s) for s in sides):
        return Move("Expand the brackets and collect like terms.", new, tex(new, decimals),
                    "What do you get when you multiply out the brackets?")  # fmt: skip
    if any(_term_count(s) > _term_count(e) for s, e in zip(sides, evaluated, strict=True)):
        return Move("Collect like terms on each side.", new, tex(new, decimals),
                    "Which terms on the same side can be combined?")  # fmt: skip
    return None


def linear_moves(rel, var, decimals: bool = False) -> list[Move]:
    """Steps from ``a1 x + b1 (op) a2 x + b2`` to ``x (op) value`` (or to a true/false statement).

    Works for equations and inequalities: multiplying or dividing by a negative number flips
    an inequality, and the sentence says so.
    """
    op = rel.rel_op
    ineq = op != "=="
    moves: list[Move] = []
    a1, b1 = linear_coeffs(rel.lhs, var)
    a2, b2 = linear_coeffs(rel.rhs, var)
    xs = f"${tex(var)}$"

    def add(text: str, state, ask: str) -> None:
        moves.append(Move(text, state, tex(state, decimals), ask))

    if a1 == 0 and a2 != 0:  # x only on the right: swap the sides
        a1, b1, a2, b2, op = a2, b2, a1, b1, flipped(op)
        note = " (the inequality sign turns around with them)" if ineq else ""
        add(f"Swap the two sides so that {xs} is on the left{note}.", _rel(op, a1 * var + b1, b2),
            f"Which side is {xs} on, and would it be easier on the left?")  # fmt: skip
    if a2 != 0:
        term = a2 * var
        if a2 > 0:
            text = f"Subtract {term_text(term, decimals)} from both sides."
        else:
            text = f"Add {term_text(-term, decimals)} to both sides."
        a1, a2 = a1 - a2, sympy.S.Zero
        left = a1 * var + b1 if a1 != 0 else b1
        add(text, _rel(op, left, b2), f"How can you get all the {xs} terms on one side?")
    if a1 == 0:  # the x terms cancelled: a statement that is always or never true
        return moves
    if b1 != 0:
        if b1 > 0:
            text = f"Subtract {num_text(b1, decimals)} from both sides."
            ask = f"What can you do to both sides to remove the {term_text(b1, decimals)} next to the {xs} term?"
        else:
            text = f"Add {num_text(-b1, decimals)} to both sides."
            ask = f"What can you do to both sides to remove the {term_text(b1, decimals)} next to the {xs} term?"
        b2, b1 = b2 - b1, sympy.S.Zero
        add(text, _rel(op, a1 * var, b2), ask)
    if a1 != 1:
        flip = ineq and a1 < 0
        if a1 == -1:
            text = "Multiply both sides by -1."
        elif a1.is_Integer or decimals and a1.is_Rational and a1.q in (2, 4, 5, 10, 20, 25, 50, 100):
            text = f"Divide both sides by {num_text(a1, decimals)}."
        else:
            text = f"Multiply both sides by {num_text(1 / a1)}."
        if flip:
            verb = "Dividing" if text.startswith("Divide") else "Multiplying"
            text += f" {verb} by a negative number flips the inequality sign."
        new_op = flipped(op) if flip else op
        add(text, _rel(new_op, var, b2 / a1),
            f"What can you do to both sides to leave {xs} on its own?")  # fmt: skip
    return moves


def tidy_then_isolate(p: Parsed) -> list[Move]:
    """Expand/collect if needed, then the linear moves; CannotSolve when there is nothing to do."""
    moves: list[Move] = []
    state = p.expr
    first = tidy_step(p.shown, p.expr, p.var, p.decimals)
    if first:
        moves.append(first)
        state = first.state
    moves += linear_moves(state, p.var, p.decimals)
    if not moves:
        raise CannotSolve("already solved")
    return moves


# --- linear ----------------------------------------------------------------------------------------


def solve_linear(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    x, eq = p.var, p.expr
    moves: list[Move] = []
    a1, b1 = linear_coeffs(eq.lhs, x)
    a2, b2 = linear_coeffs(eq.rhs, x)
    if a1 == 0 and a2 == 0:
        raise CannotSolve("no unknown in the equation")
    dens = [sympy.Rational(c).q for c in (a1, b1, a2, b2)]
    lcm = sympy.ilcm(*dens)
    state = eq
    if lcm > 1 and sum(d > 1 for d in dens) >= 2 and not p.decimals:
        state = _rel("==", sympy.expand(lcm * eq.lhs), sympy.expand(lcm * eq.rhs))
        moves.append(Move(f"Multiply both sides by {lcm} to clear the fractions.", state, tex(state),
                          "What number could you multiply both sides by to clear the fractions?"))  # fmt: skip
        moves += linear_moves(state, x, p.decimals)
    else:
        moves += tidy_then_isolate(p)
    final = moves[-1].state
    xs = tex(x)
    if final.lhs != x:  # the x terms cancelled: "6 = 6" or "1 = 3"
        if final.lhs == final.rhs:
            answer = Answer("every number is a solution", r"\text{every real number is a solution}", sympy.S.Reals)
            moves.append(Move(f"This is true whatever {f'${xs}$'} is, so every number is a solution.",
                              sympy.S.Reals, r"x \in \mathbb{R}".replace("x", xs), "Is that statement ever false?"))
        else:
            answer = Answer("no solution", r"\text{no solution}", sympy.S.EmptySet)
            moves.append(Move(f"This is never true, whatever {f'${xs}$'} is, so there is no solution.",
                              sympy.S.EmptySet, r"\text{no solution}", "Can that statement ever be true?"))
    else:
        value = final.rhs
        answer = Answer(f"{plain(x)} = {plain(value, p.decimals)}", f"{xs} = {tex(value, p.decimals)}", {x: value})
    return Draft(
        start=eq,
        moves=moves,
        answer=answer,
        goal=f"Find the value of ${xs}$ that makes both sides equal.",
        method=(
            f"Get ${xs}$ on its own by undoing what is done to it, one operation at a time, "
            "doing the same to both sides."
        ),
        ask_kind=f"What is being done to ${xs}$ in this equation?",
    )


def verify_linear(problem: Problem, answer: Answer) -> bool:
    """Substitute the answer back into the original equation (or compare the solution sets)."""
    p: Parsed = problem.payload
    eq, x = p.expr, p.var
    if isinstance(answer.value, dict):
        value = answer.value.get(x)
        if value is None:
            return False
        ok = sympy.simplify(eq.lhs.subs(x, value) - eq.rhs.subs(x, value)) == 0
        a = sympy.expand(eq.lhs - eq.rhs).coeff(x, 1)
        return bool(ok and a != 0)
    return real_solutions(eq, x) == answer.value


# --- quadratic -------------------------------------------------------------------------------------


def _or_tex(var, values, decimals=False) -> str:
    if not values:
        return r"\text{no real solutions}"
    return r" \text{ or } ".join(f"{tex(var)} = {tex(v, decimals)}" for v in values)


def _paren(v) -> str:
    return f"\\left({tex(v)}\\right)" if v < 0 else tex(v)


def solve_quadratic(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    x, eq = p.var, p.expr
    xs = tex(x)
    moves: list[Move] = []
    poly = sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x)
    if poly.degree() != 2:
        raise CannotSolve("not quadratic")
    a, b, c = poly.all_coeffs()
    if not all(k.is_Rational for k in (a, b, c)):
        raise CannotSolve("coefficients are not rational numbers")
    standard = eq.rhs == 0 and not has_brackets_anywhere(p.shown.lhs) and _term_count(p.shown.lhs) == _term_count(eq.lhs)
    if a < 0:
        a, b, c = -a, -b, -c
    expr = a * x**2 + b * x + c
    if b == 0:
        return _by_square_root(p, a, c, moves)
    if not standard:
        state = _rel("==", sympy.expand(eq.lhs - eq.rhs), 0)
        moves.append(Move("Move every term to the left side so that the right side is 0.", state, tex(state),
                          "What do you get if you move everything to one side, leaving 0 on the other?"))  # fmt: skip
    if sympy.expand(eq.lhs - eq.rhs).coeff(x, 2) < 0:
        state = _rel("==", expr, 0)
        moves.append(Move(f"Multiply both sides by -1 so that the ${xs}^2$ term is positive.", state, tex(state),
                          f"How can you make the ${xs}^2$ term positive?"))  # fmt: skip
    dens = sympy.ilcm(*[sympy.Rational(k).q for k in (a, b, c)])
    if dens > 1:
        a, b, c = a * dens, b * dens, c * dens
        expr = sympy.expand(dens * expr)
        state = _rel("==", expr, 0)
        moves.append(Move(f"Multiply both sides by {dens} to clear the fractions.", state, tex(state),
                          "What could you multiply by to clear the fractions?"))  # fmt: skip
    g = sympy.igcd(sympy.igcd(int(a), int(b)), int(c))
    if g > 1:
        a, b, c = a / g, b / g, c / g
        expr = sympy.expand(expr / g)
        state = _rel("==", expr, 0)
        moves.append(Move(f"Divide both sides by {g}.", state, tex(state),
                          "Do all the coefficients share a common factor?"))  # fmt: skip
    disc = b**2 - 4 * a * c
    root = sympy.sqrt(disc) if disc >= 0 else None
    if root is not None and root.is_Rational:
        answer = _by_factoring(x, expr, a, b, c, moves)
        method = "Bring it to the form $ax^2 + bx + c = 0$, factor the left side, and set each factor to zero."
    else:
        answer = _by_formula(x, a, b, c, moves)
        method = "Bring it to the form $ax^2 + bx + c = 0$ and use the quadratic formula."
    return Draft(
        start=eq,
        moves=moves,
        answer=answer,
        goal=f"Find every value of ${xs}$ that makes the equation true (a quadratic can have two).",
        method=method,
        ask_kind=f"What is the highest power of ${xs}$ here, and how many solutions can such an equation have?",
    )


def _answer_for(x, values) -> Answer:
    values = tuple(sorted(values, key=lambda v: float(v)))
    if not values:
        return Answer("no real solutions", r"\text{no real solutions}", ())
    text = " or ".join(f"{plain(x)} = {plain(v)}" for v in values)
    return Answer(text, _or_tex(x, values), values)


def _by_square_root(p: Parsed, a, c, moves: list[Move]) -> Draft:
    x, eq = p.var, p.expr
    xs = tex(x)
    k = -c / a
    state = _rel("==", x**2, k)
    text = f"Get ${xs}^2$ on its own: move the number to the right side"
    text += f" and divide by {num_text(a)}." if a != 1 else "."
    if not (eq.lhs == x**2 and eq.rhs == k):
        moves.append(Move(text, state, tex(state), f"How can you get ${xs}^2$ on its own?"))
    if k < 0:
        values: tuple = ()
        moves.append(Move("A square is never negative, so there are no real solutions.", sympy.S.EmptySet,
                          r"\text{no real solutions}", "Can a square be negative?"))  # fmt: skip
    elif k == 0:
        values = (sympy.S.Zero,)
        moves.append(Move(f"Only 0 squared is 0, so ${xs} = 0$.", sympy.FiniteSet(0), f"{xs} = 0",
                          "Which number squared gives 0?"))  # fmt: skip
    else:
        r = sympy.sqrt(k)
        values = (-r, r)
        moves.append(Move("Take the square root of both sides; remember the negative root too.",
                          sympy.FiniteSet(*values), f"{xs} = \\pm {tex(r)}",
                          "What number squared gives the right side, and what about its negative?"))  # fmt: skip
        if not r.is_Rational:
            moves.append(Move("Write the two solutions separately.", sympy.FiniteSet(*values),
                              _or_tex(x, sorted(values, key=float)), "What are the two solutions?"))  # fmt: skip
    return Draft(
        start=eq,
        moves=moves,
        answer=_answer_for(x, values),
        goal=f"Find every value of ${xs}$ that makes the equation true (there can be two).",
        method=f"Get ${xs}^2$ on its own, then take the square root of both sides, positive and negative.",
        ask_kind=f"There is an ${xs}^2$ but no ${xs}$ term: what does that let you do?",
    )


def _by_factoring(x, expr, a, b, c, moves: list[Move]) -> Answer:
    xs = tex(x)
    factored = sympy.factor(expr)
    state = _rel("==", factored, 0)
    if c == 0:
        text = f"Take out the common factor ${xs}$."
        ask = "What factor do both terms share?"
    elif a == 1:
        roots = [r for r, times in sympy.roots(expr, x).items() for _ in range(times)]
        m, n = sorted((-roots[0], -roots[1]), key=float)
        text = f"Factor: find two numbers that multiply to {num_text(c)} and add to {num_text(b)}: they are {num_text(m)} and {num_text(n)}."
        ask = f"Which two numbers multiply to {num_text(c)} and add to {num_text(b)}?"
    else:
        text = "Factor the left side into two brackets."
        ask = "Can you write the left side as a product of two brackets?"
    moves.append(Move(text, state, tex(state), ask))
    factors = [f for f, _ in sympy.factor_list(expr)[1]]
    values = sorted(sympy.roots(expr, x).keys(), key=float)
    if len(factors) == 1:  # a perfect square: (x - 3)^2 = 0
        f = factors[0]
        s = _rel("==", f, 0)
        moves.append(Move(f"The same factor appears twice, so there is one repeated solution: set ${tex(f)} = 0$.",
                          s, tex(s), "What value makes that bracket zero?"))  # fmt: skip
        moves.append(Move("Solve it.", sympy.FiniteSet(*values), _or_tex(x, values), "What value makes it zero?"))
        return _answer_for(x, values)
    eqs = tuple(_rel("==", f, 0) for f in factors)
    moves.append(Move("A product is zero when one of its factors is zero: set each factor equal to zero.", eqs,
                      r" \text{ or } ".join(tex(e) for e in eqs),
                      "When is a product of two numbers equal to zero?"))  # fmt: skip
    moves.append(Move("Solve each of these linear equations.", sympy.FiniteSet(*values), _or_tex(x, values),
                      "What value of the unknown makes each factor zero?"))  # fmt: skip
    return _answer_for(x, values)


def _by_formula(x, a, b, c, moves: list[Move]) -> Answer:
    xs = tex(x)
    disc = b**2 - 4 * a * c
    values = sorted(sympy.solveset(a * x**2 + b * x + c, x, sympy.S.Reals), key=float) if disc >= 0 else []
    sol = sympy.FiniteSet(*values)
    formula = (
        f"{xs} = \\frac{{-{_paren(b)} \\pm \\sqrt{{{_paren(b)}^2 - 4 \\cdot {_paren(a)} \\cdot {_paren(c)}}}}}"
        f"{{2 \\cdot {_paren(a)}}}"
    )
    moves.append(Move(
        f"It does not factor nicely, so use the quadratic formula $x = \\frac{{-b \\pm \\sqrt{{b^2 - 4ac}}}}{{2a}}$"
        f" with $a = {tex(a)}$, $b = {tex(b)}$, $c = {tex(c)}$.".replace("x =", f"{xs} ="),
        sol, formula, "What are $a$, $b$ and $c$ in the quadratic formula for this equation?"))  # fmt: skip
    if disc < 0:
        moves.append(Move(f"Work out the discriminant: $b^2 - 4ac = {tex(disc)}$. It is negative, so the square "
                          "root is not a real number and there are no real solutions.", sympy.S.EmptySet,
                          r"\text{no real solutions}", "What is $b^2 - 4ac$, and what does its sign tell you?"))
        return _answer_for(x, [])
    moves.append(Move(f"Work out the discriminant: $b^2 - 4ac = {tex(disc)}$.", sol,
                      f"{xs} = \\frac{{{tex(-b)} \\pm \\sqrt{{{tex(disc)}}}}}{{{tex(2 * a)}}}",
                      "What is the value of $b^2 - 4ac$?"))  # fmt: skip
    moves.append(Move("Simplify, and write the two solutions separately.", sol, _or_tex(x, values),
                      "Can the square root or the fraction be simplified?"))  # fmt: skip
    return _answer_for(x, values)


def verify_quadratic(problem: Problem, answer: Answer) -> bool:
    """Each root makes the original equation true, and there are as many as the discriminant says."""
    p: Parsed = problem.payload
    eq, x = p.expr, p.var
    poly = sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x)
    a, b, c = poly.all_coeffs()
    disc = b**2 - 4 * a * c
    expected = 2 if disc > 0 else 1 if disc == 0 else 0
    values = answer.value
    if not isinstance(values, tuple) or len(set(values)) != len(values) or len(values) != expected:
        return False
    return all(sympy.simplify(eq.lhs.subs(x, v) - eq.rhs.subs(x, v)) == 0 and v.is_real for v in values)


def same_solutions(a, b, var) -> bool:
    """Do two equation states in one unknown have the same real solutions?"""
    try:
        return real_solutions(a, var) == real_solutions(b, var)
    except Exception:
        return False
