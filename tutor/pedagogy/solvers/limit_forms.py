"""Two limits at infinity that dividing by the highest power cannot do, the way they are taught.

    (1 + a/x)^x  as x → ∞:  the form 1^∞. Write the power as e^(x ln(1 + a/x)); the exponent is
                            ∞·0, so write it as ln(1 + a/x) / (1/x) (0/0) and use L'Hôpital's
                            rule; the exponent approaches a, the limit is e^a.
    √(x² + bx) − x  as x → ∞: the form ∞ − ∞. Multiply and divide by the conjugate √(x² + bx) + x,
                            so the top is (x² + bx) − x² = bx; divide the top and the bottom by x
                            (√(x² + bx)/x = √(1 + b/x) for x > 0); the limit is b/2.

Every state is a ``Limit`` (or e to the power of one) that ``limit.limit_value`` evaluates with
sympy, so ``solve`` checks each step as it checks the other limit steps; a form outside these
two (or one whose pieces do not behave as described) is None, and the caller carries on.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import Move, tex
from tutor.pedagogy.solvers.calculus import ctex


def _quotient(top, bottom):
    """top/bottom as written (sympy would print 1/(2x) as ½·1/x and 1/b as 1·1/b)."""
    over = sympy.Pow(bottom, -1, evaluate=False)
    return over if top == 1 else sympy.Mul(top, over, evaluate=False)


def one_to_infinity(f, x, a, moves: list[Move], side: str | None = None) -> str | None:
    """(1 + a/x)^x at ±∞, (1 + x)^(1/x) at 0 (from the side(s) asked): base → 1, exponent → ±∞."""
    from tutor.pedagogy.solvers.limit import _indeterminate, _limit, _one_side

    if not isinstance(f, sympy.Pow) or not (f.base.has(x) and f.exp.has(x)):
        return None
    side = ("-" if a == sympy.oo else "+") if not a.is_finite else (side or "+-")
    base, power = f.base, f.exp
    for s in ("-", "+") if side == "+-" else (side,):
        if _one_side(base, x, a, s) != 1 or not _one_side(power, x, a, s).is_infinite:
            return None
    top, bottom = sympy.log(base), 1 / power
    if _indeterminate(top, bottom, x, a, side) != "0/0":
        return None
    product = sympy.Mul(power, sympy.log(base), evaluate=False)
    state = sympy.exp(_limit(product, x, a, side), evaluate=False)
    moves.append(Move(f"Substituting gives the form $1^\\infty$, which is not 1: write the power as "
                      f"$e^{{{tex(product)}}}$, so the limit is $e$ to the limit of the exponent.", state,
                      ctex(state), "How can you write a power with a variable exponent using $e$ and $\\ln$?"))  # fmt: skip
    state = sympy.exp(_limit(_quotient(top, bottom), x, a, side), evaluate=False)
    shown = rf"\frac{{{tex(top)}}}{{{tex(bottom)}}}"  # sympy would print 1/(1/x) as 1 over 1 over x
    shown_tex = rf"e^{{\lim_{{{tex(x)} \to {tex(a)}}} {shown}}}"
    moves.append(Move(f"The exponent is $\\infty \\cdot 0$: write it as the quotient ${shown}$, which gives "
                      "$\\frac{0}{0}$.", state, shown_tex, "How can you write a product as a fraction?"))  # fmt: skip
    quotient = sympy.simplify(sympy.diff(top, x) / sympy.diff(bottom, x))
    state = sympy.exp(_limit(quotient, x, a, side), evaluate=False)
    moves.append(Move("Use L'Hôpital's rule: differentiate the top and the bottom separately, then simplify.",
                      state, ctex(state), "What are the derivatives of the top and of the bottom?"))  # fmt: skip
    inner = sympy.limit(quotient, x, a, dir=side if a.is_finite else ("-" if a == sympy.oo else "+"))
    if not (inner.is_finite and inner.is_real):
        return None
    value = sympy.exp(inner)
    moving = "grows" if a == sympy.oo else f"approaches ${tex(a)}$"
    moves.append(Move(f"As ${tex(x)}$ {moving}, the exponent approaches ${tex(inner)}$, so the limit is "
                      f"${tex(value)}$.", value, tex(value), "What does the exponent approach?"))  # fmt: skip
    return "On the form 1^∞, write the power as e to a product, turn the product into a quotient, use L'Hôpital's rule."


def conjugate(f, x, a, moves: list[Move]) -> str | None:
    """√P − Q as x → +∞, P of degree 2 and Q of degree 1 with the same leading behaviour: ∞ − ∞."""
    if a != sympy.oo or not isinstance(f, sympy.Add) or len(f.args) != 2:
        return None
    roots = [t for t in f.args if isinstance(t, sympy.Pow) and t.exp == sympy.S.Half]
    if len(roots) != 1:
        return None
    root = roots[0]
    p, q = root.base, -(f - root)
    if not (p.is_polynomial(x) and q.is_polynomial(x)) or sympy.degree(p, x) != 2 or sympy.degree(q, x) != 1:
        return None
    lead_q = sympy.Poly(q, x).LC()
    if not lead_q.is_positive or sympy.Poly(p, x).LC() != lead_q**2:
        return None  # then √P − Q grows without bound: not the ∞ − ∞ this method is for
    top, bottom = sympy.expand(p - q**2), root + q
    state = sympy.Limit(_quotient(top, bottom), x, a, dir="-")
    moves.append(Move(f"This is $\\infty - \\infty$: multiply and divide by the conjugate ${tex(bottom)}$; the top "
                      f"becomes $({tex(p)}) - ({tex(q)})^2 = {tex(top)}$.", state, ctex(state),
                      "What do you get when you multiply a difference by the matching sum?"))  # fmt: skip
    top_x = sympy.expand(top / x)
    bottom_x = sympy.sqrt(sympy.expand(p / x**2)) + sympy.expand(q / x)
    state = sympy.Limit(_quotient(top_x, bottom_x), x, a, dir="-")
    moves.append(Move(f"Divide the top and the bottom by ${tex(x)}$: for ${tex(x)} > 0$, "
                      f"$\\frac{{\\sqrt{{{tex(p)}}}}}{{{tex(x)}}} = \\sqrt{{{tex(sympy.expand(p / x**2))}}}$.", state,
                      ctex(state), f"How do you move a division by ${tex(x)}$ inside a square root?"))  # fmt: skip
    value = sympy.limit(top_x, x, a) / sympy.limit(bottom_x, x, a)
    if not (value.is_finite and value.is_real):
        return None
    moves.append(Move(f"As ${tex(x)}$ grows, every term with ${tex(x)}$ in its denominator goes to 0.", value,
                      tex(value), f"What happens to a term like $\\frac{{1}}{{{tex(x)}}}$ as ${tex(x)}$ grows?"))
    return "On ∞ − ∞ with a square root, multiply and divide by the conjugate, then divide by the highest power."


def special_form(f, x, a, moves: list[Move], side: str | None = None) -> str | None:
    """The method's sentence when one of these forms applies (its moves appended), else None
    (and no move appended: a form that fails half-way leaves nothing behind)."""
    for form in (one_to_infinity, conjugate):
        tried: list[Move] = []
        method = one_to_infinity(f, x, a, tried, side) if form is one_to_infinity else conjugate(f, x, a, tried)
        if method is not None:
            moves += tried
            return method
    return None
