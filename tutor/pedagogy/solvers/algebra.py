"""Expanding, factoring and simplifying expressions, the way they are taught.

Expand: write powers of brackets as products, multiply every term by every term, collect like
terms. Factor: take out the common factor, then a difference of two squares, a perfect square,
"two numbers that multiply to c and add to b", or splitting the middle term (ac method).
Simplify: factor top and bottom and cancel, or put fractions over a common denominator, or
expand and collect. A state is an expression; two states agree when sympy finds them equal.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, count_nodes, join_terms, plain, tex
from tutor.pedagogy.types import Answer, Problem

MAX_TERMS = 24


def _answer(expr) -> Answer:
    return Answer(plain(expr), tex(expr), expr)


def _brackets(term) -> list:
    """The factors of a product, powers of sums written out as repeated factors."""
    out = []
    for f in sympy.Mul.make_args(term):
        if isinstance(f, sympy.Pow) and isinstance(f.base, sympy.Add) and f.exp.is_Integer and 1 < f.exp <= 4:
            out += [f.base] * int(f.exp)
        else:
            out.append(f)
    return out


def _distribute(factors: list) -> list:
    """Every term of the first bracket times every term of the others (like terms not collected)."""
    terms = [sympy.S.One]
    for f in factors:
        terms = [sympy.expand(t * u) for t in terms for u in sympy.Add.make_args(f)]
        if len(terms) > MAX_TERMS:
            raise CannotSolve("too many terms")
    return terms


def expand_moves(shown) -> list[Move]:
    moves: list[Move] = []
    terms = sympy.Add.make_args(shown)
    powers = [f for t in terms for f in sympy.Mul.make_args(t) if isinstance(f, sympy.Pow) and isinstance(f.base, sympy.Add)]
    if powers:
        p = powers[0]
        if not (p.exp.is_Integer and 1 < p.exp <= 4):
            raise CannotSolve("power too high to write out")
        product = sympy.Mul(*[p.base] * int(p.exp), evaluate=False)
        moves.append(Move(f"Write ${tex(p)}$ as a product of {int(p.exp)} brackets.", product if len(terms) == 1
                          else shown, tex(product) if len(terms) == 1 else tex(shown.xreplace({p: product})),
                          "What does the power tell you about how many times the bracket is multiplied?"))
    expanded: list = []
    for t in terms:
        factors = _brackets(t)
        expanded += _distribute(factors) if any(isinstance(f, sympy.Add) for f in factors) else [t]
    several = sum(any(isinstance(f, sympy.Add) for f in _brackets(t)) for t in terms) > 1
    first = _brackets(terms[0]) if len(terms) == 1 else []
    if len(first) > 1 and sum(isinstance(f, sympy.Add) for f in first) >= 2:
        text = "Multiply every term in the first bracket by every term in the second."
        if sum(isinstance(f, sympy.Add) for f in first) > 2:
            text = "Multiply every term in each bracket by every term in the others."
    else:
        text = "Expand each bracket: multiply the term outside by every term inside." if several else (
            "Multiply the term outside the bracket by every term inside.")  # fmt: skip
    ask = ("What do you get when you multiply each term in one bracket by each term in the other?"
           if "first bracket" in text or "each bracket by" in text else
           "What do you get when you multiply the number or term outside by each term inside?")  # fmt: skip
    moves.append(Move(text, sympy.Add(*expanded), join_terms(expanded), ask))
    collected = sympy.expand(shown)
    if len(expanded) != len(sympy.Add.make_args(collected)):
        moves.append(Move("Collect like terms.", collected, tex(collected), "Which of these terms are like terms?"))
    return moves


def solve_expand(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    moves = expand_moves(p.shown)
    pairs = any(sum(isinstance(f, sympy.Add) for f in _brackets(t)) > 1 for t in sympy.Add.make_args(p.shown))
    return Draft(
        start=p.expr,
        moves=moves,
        answer=_answer(sympy.expand(p.expr)),
        goal="Write the expression without brackets, as a sum of terms.",
        method="Multiply every term in one bracket by every term in the other, then collect like terms." if pairs
        else "Multiply the number or term outside each bracket by every term inside it, then collect like terms.",
        ask_kind="What do you have to multiply by what to get rid of the brackets?",
    )


def verify_expand(problem: Problem, answer: Answer) -> bool:
    return sympy.expand(problem.payload.expr - answer.value) == 0 and sympy.expand(answer.value) == answer.value


# --- factor ----------------------------------------------------------------------------------------


def _square_root_term(term):
    """The square root of a term that is a perfect square (4x^2 -> 2x, 9 -> 3), else None."""
    coeff, rest = sympy.sympify(term).as_coeff_Mul()
    root = sympy.sqrt(coeff) if coeff > 0 else None
    if root is None or not root.is_Rational:
        return None
    for base, exp in rest.as_powers_dict().items():
        if base == 1:
            continue
        if not (base.is_Symbol and exp.is_Integer and exp % 2 == 0):
            return None
        root *= base ** (exp // 2)
    return root


def _factor_quadratic(expr, var, moves: list[Move], outside) -> object:
    """Factor a primitive quadratic in one variable; ``outside`` is what was taken out (kept in front)."""
    a, b, c = sympy.Poly(expr, var).all_coeffs()
    disc = b * b - 4 * a * c
    if disc < 0 or not sympy.sqrt(disc).is_Rational:
        raise CannotSolve("does not factor over the integers")
    factored = sympy.factor(expr)

    def show(e):
        return e if outside == 1 else sympy.Mul(outside, e, evaluate=False)

    if b == 0:
        r1, r2 = _square_root_term(a * var**2), _square_root_term(-c)
        moves.append(Move(f"This is a difference of two squares: $A^2 - B^2 = (A - B)(A + B)$ with $A = {tex(r1)}$ "
                          f"and $B = {tex(r2)}$.", show(factored), tex(show(factored)),
                          "Can you write each term as something squared?"))  # fmt: skip
    elif disc == 0:
        moves.append(Move("This is a perfect square: $A^2 + 2AB + B^2 = (A + B)^2$.", show(factored),
                          tex(show(factored)), "Is the first term a square, the last term a square, and the middle "
                          "term twice their product?"))  # fmt: skip
    elif a == 1:
        roots = sorted(sympy.roots(expr, var).keys(), key=float)
        m, n = -roots[0], -roots[1]
        moves.append(Move(f"Find two numbers that multiply to {tex(c)} and add to {tex(b)}: they are {tex(n)} and "
                          f"{tex(m)}.", show(factored), tex(show(factored)),
                          f"Which two numbers multiply to {tex(c)} and add to {tex(b)}?"))  # fmt: skip
    else:
        m, n = _pair(a * c, b)
        split = [a * var**2, m * var, n * var, c]
        moves.append(Move(f"Find two numbers that multiply to $a \\cdot c = {tex(a * c)}$ and add to {tex(b)}: "
                          f"they are {tex(m)} and {tex(n)}. Use them to split the middle term.",
                          show(sympy.Add(*split)), join_terms(split) if outside == 1 else tex(outside)
                          + r"\left(" + join_terms(split) + r"\right)",
                          "Which two numbers multiply to $a \\cdot c$ and add to $b$?"))  # fmt: skip
        g1, g2 = sympy.gcd(split[0], split[1]), sympy.gcd(split[2], split[3])
        if (split[2] / g2).as_coeff_Mul()[0] * (split[0] / g1).as_coeff_Mul()[0] < 0:
            g2 = -g2
        grouped = sympy.Add(sympy.Mul(g1, sympy.cancel((split[0] + split[1]) / g1), evaluate=False),
                            sympy.Mul(g2, sympy.cancel((split[2] + split[3]) / g2), evaluate=False),
                            evaluate=False)  # fmt: skip
        moves.append(Move("Factor each pair of terms.", show(grouped), tex(show(grouped)),
                          "What does each pair of terms have in common?"))  # fmt: skip
        moves.append(Move("Take out the common bracket.", show(factored), tex(show(factored)),
                          "Which bracket appears in both parts?"))  # fmt: skip
    return factored


def _pair(product, total) -> tuple[sympy.Integer, sympy.Integer]:
    """Two whole numbers with this product and sum (the ac method), larger one first."""
    product, total = int(product), int(total)
    if abs(product) > 10**6:
        raise CannotSolve("numbers too large to search")
    for m in range(1, int(abs(product) ** 0.5) + 1):
        if product % m == 0:
            for u, v in ((m, product // m), (-m, -product // m)):
                if u + v == total:
                    return sympy.Integer(max(u, v)), sympy.Integer(min(u, v))
    raise CannotSolve("no integer pair")


def solve_factor(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    expr = sympy.expand(p.expr)
    variables = sorted(expr.free_symbols, key=str)
    moves: list[Move] = []
    content, rest = expr.as_content_primitive()
    monomial = sympy.Integer(1)
    for v in variables:
        low = min(sympy.Poly(t, v).degree() for t in sympy.Add.make_args(rest))
        monomial *= v**low
    lead = sympy.Poly(rest, *variables).LC()
    sign = -1 if lead < 0 else 1
    outside = sign * content * monomial
    inner = sympy.expand(expr / outside)
    if outside != 1:
        state = sympy.Mul(outside, inner, evaluate=False)
        moves.append(Move(f"Take out the common factor ${tex(outside)}$.", state, tex(state),
                          "What do all the terms have in common?"))  # fmt: skip
    if len(variables) == 1 and sympy.Poly(inner, variables[0]).degree() == 2:
        factored = _factor_quadratic(inner, variables[0], moves, outside)
        final = factored if outside == 1 else sympy.Mul(outside, factored)
    else:
        terms = sympy.Add.make_args(inner)
        if len(terms) == 2 and all(_square_root_term(t) for t in (terms[0], -terms[1])) or (
                len(terms) == 2 and all(_square_root_term(t) for t in (-terms[0], terms[1]))):  # fmt: skip
            plus, minus = (terms[0], terms[1]) if terms[1].as_coeff_Mul()[0] < 0 else (terms[1], terms[0])
            r1, r2 = _square_root_term(plus), _square_root_term(-minus)
            step = sympy.Mul(r1 - r2, r1 + r2, evaluate=False)
            shown = step if outside == 1 else sympy.Mul(outside, step, evaluate=False)
            moves.append(Move(f"This is a difference of two squares: $A^2 - B^2 = (A - B)(A + B)$ with "
                              f"$A = {tex(r1)}$ and $B = {tex(r2)}$.", shown, tex(shown),
                              "Can you write each term as something squared?"))  # fmt: skip
        final = sympy.factor(expr)
        if not moves or tex(moves[-1].state) != tex(final):
            moves.append(Move("Factor what is left completely.", final, tex(final),
                              "Can any of the brackets be factored further?"))  # fmt: skip
    if not moves:
        raise CannotSolve("does not factor")
    if count_nodes(final) >= count_nodes(expr) + 20:
        raise CannotSolve("factored form is not simpler")
    return Draft(
        start=p.expr,
        moves=moves,
        answer=_answer(final),
        goal="Write the expression as a product of factors that cannot be factored any further.",
        method="Take out any common factor first, then look for a pattern: a difference of two squares, a perfect "
        "square, or two numbers whose product and sum match the coefficients.",
        ask_kind="Do all the terms share a common factor?",
    )


def verify_factor(problem: Problem, answer: Answer) -> bool:
    """Expands back to the original, and has as many irreducible factors as sympy's factorisation."""
    original = problem.payload.expr
    if sympy.expand(answer.value - original) != 0:
        return False
    _, expected = sympy.factor_list(original)
    shown = [f for f in sympy.Mul.make_args(answer.value) if f.free_symbols]
    count = sum(int(f.exp) if isinstance(f, sympy.Pow) else 1 for f in shown)
    return count == sum(k for _, k in expected)
