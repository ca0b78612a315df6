"""Limits the way they are taught: substitute directly when the function is continuous there; on
0/0 factor and cancel (rational functions) or use L'Hôpital's rule (also on ∞/∞, and on 0·∞ after
writing the product as a quotient); a non-zero number over 0 grows without bound; at infinity
divide top and bottom by the highest power of x in the denominator. One-sided limits
(``x → 0⁺``) are solved from their side; a two-sided limit whose sides differ does not exist,
and the solution says so with both one-sided limits.

A state is an unevaluated ``Limit``, the number (or ±∞) it comes to, a ``("sides", f, x, a, L, R)``
tuple (the two one-sided limits), or ``EmptySet`` (no limit). Two states agree when sympy finds
the same limit for both (a "sides" state is re-computed: its L and R must be sympy's one-sided
limits). Before anything is proposed, the function must be real near the point on the side(s)
it is approached from (``√x`` as x → 0⁻ is refused, though sympy gives 0).
"""

from __future__ import annotations

import cmath

import sympy

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, plain, tex
from tutor.pedagogy.solvers.calculus import ctex
from tutor.pedagogy.types import Answer, Problem

MAX_LHOPITAL = 3
NO_LIMIT = sympy.S.EmptySet  # the value of a limit that does not exist
SIDE_WORDS = {"-": "from the left", "+": "from the right"}
FORM_TEX = {"0/0": r"\frac{0}{0}", "∞/∞": r"\frac{\infty}{\infty}"}


def _limit(f, x, a, side: str = "+-"):
    if not a.is_finite:
        side = "-" if a == sympy.oo else "+"
    return sympy.Limit(f, x, a, dir=side)


def _side(state) -> str:
    return str(state.args[3])


def limit_value(state, var=None):
    """The value a state stands for: a number, ±∞, ``NO_LIMIT``; nan when a claim in it is false."""
    if isinstance(state, sympy.Limit):
        e, z, z0, _ = state.args
        try:
            value = sympy.limit(e, z, z0, dir=_side(state))
        except ValueError:  # sympy: the left and right limits differ
            return NO_LIMIT
        if value == sympy.zoo and _side(state) == "+-" and z0.is_finite:  # 1/x at 0: -∞ on one side, ∞ on the other
            left, right = sympy.limit(e, z, z0, dir="-"), sympy.limit(e, z, z0, dir="+")
            return NO_LIMIT if left != right else left
        return value
    if isinstance(state, tuple) and state[0] == "sides":
        _, f, x, a, left, right = state
        if sympy.limit(f, x, a, dir="-") != left or sympy.limit(f, x, a, dir="+") != right or left == right:
            return sympy.nan
        return NO_LIMIT
    if state == NO_LIMIT:
        return NO_LIMIT
    state = sympy.sympify(state)
    inner = state.atoms(sympy.Limit)  # e^(lim ...): the 1^∞ steps (limit_forms)
    if inner:
        values = {lim: limit_value(lim) for lim in inner}
        if any(v == NO_LIMIT or v is sympy.nan for v in values.values()):
            return sympy.nan
        return state.xreplace(values)
    return state


def _same_value(a, b) -> bool:
    if a is sympy.nan or b is sympy.nan or a.has(sympy.nan) or b.has(sympy.nan):
        return False
    if a == NO_LIMIT or b == NO_LIMIT:
        return a == b
    if a.is_infinite or b.is_infinite:
        return a == b and a in (sympy.oo, -sympy.oo)
    return bool(a.is_finite and b.is_finite and a.is_real and b.is_real and sympy.simplify(a - b) == 0)


def same_limit(problem: Problem, before, after) -> bool:
    return _same_value(limit_value(before), limit_value(after))


def _at(f, x, a):
    try:
        return sympy.simplify(f.subs(x, a))
    except Exception:
        return sympy.nan


def _real_near(f, x, a, side: str) -> bool:
    """``f`` takes real values close to ``a`` on the side(s) it is approached from."""
    if a.is_finite:
        steps = [sympy.Rational(1, 10**k) for k in (3, 4, 5, 6)]
        points = [a + s * h for h in steps for s in ((1,) if side == "+" else (-1,) if side == "-" else (1, -1))]
    else:
        points = [(1 if a == sympy.oo else -1) * sympy.Integer(10) ** k for k in (3, 4, 5, 6)]
    for p in points:
        try:
            v = complex(f.evalf(30, subs={x: p}))
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        if cmath.isnan(v) or abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
            return False
    return True


def solve_limit(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    f, x, a = p.expr, p.var, p.extra["point"]
    side = p.extra.get("dir", "+-") if a.is_finite else ("-" if a == sympy.oo else "+")
    if not _real_near(f, x, a, side):
        raise CannotSolve("the function is not real near the point")
    start = _limit(f, x, a, side)
    expected = limit_value(start)
    if not (expected == NO_LIMIT or expected in (sympy.oo, -sympy.oo) or expected.is_finite and expected.is_real):
        raise CannotSolve("a limit sympy cannot settle")
    at = f"${tex(x)} = {tex(a)}$"
    moves: list[Move] = []
    if expected == NO_LIMIT:
        method = _sides(f, x, a, moves)
    elif a.is_finite:
        if f.has(sympy.Abs) and side != "+-":
            f = _without_bars(f, x, a, side, moves)
        direct = _at(f, x, a)
        if direct.is_finite and direct.is_real and not direct.has(sympy.nan):
            where = "" if side == "+-" else f" {SIDE_WORDS[side]}"
            moves.append(Move(f"The function is continuous at {at}{where}, so substitute {at} directly.", direct,
                              tex(direct), f"What happens if you put {at} into the expression?"))  # fmt: skip
            method = "If the function is continuous at the point, substitute the point directly."
        else:
            from tutor.pedagogy.solvers.limit_forms import special_form

            method = special_form(f, x, a, moves, side) or _undefined_at(f, x, a, side, expected, moves)
    else:
        from tutor.pedagogy.solvers.limit_forms import special_form

        method = special_form(f, x, a, moves) or _at_infinity(f, x, a, moves)
    value = moves[-1].state
    if value == NO_LIMIT:
        answer = Answer("does not exist", r"\text{does not exist}", NO_LIMIT)
    else:
        answer = Answer(plain(value).replace("oo", "∞"), tex(value), value)
    toward = tex(a) + ("" if side == "+-" or not a.is_finite else f"^{{{side}}}")
    return Draft(
        start=start,
        moves=moves,
        answer=answer,
        goal=f"Find the value the expression gets closer and closer to as ${tex(x)}$ approaches ${toward}$"
        + (f" {SIDE_WORDS[side]}." if side != "+-" and a.is_finite else "."),
        method=method,
        ask_kind=f"What happens if you try to substitute ${tex(x)} = {tex(a)}$ straight away?" if a.is_finite
        else f"What happens to the top and the bottom as ${tex(x)}$ grows?",
    )


def _without_bars(f, x, a, side, moves: list[Move]):
    """|x| as x → 0⁺ is x: on one side of the point each |u| is u or -u."""
    near = a + (1 if side == "+" else -1) * sympy.Rational(1, 10**6)
    swaps = {}
    for bar in f.atoms(sympy.Abs):
        sign = sympy.sign(bar.args[0].subs(x, near))
        if sign == 0 or sign.free_symbols:
            raise CannotSolve("a bar whose sign we cannot tell")
        swaps[bar] = sign * bar.args[0]
    g = f.xreplace(swaps)
    where = "just above" if side == "+" else "just below"
    said = ", ".join(f"$|{tex(b.args[0])}| = {tex(v)}$" for b, v in swaps.items())
    state = _limit(g, x, a, side)
    moves.append(Move(f"For ${tex(x)}$ {where} ${tex(a)}$: {said}.", state, ctex(state),
                      f"What is the sign of what is inside the bars when ${tex(x)}$ is {where} ${tex(a)}$?"))  # fmt: skip
    return g


def _sides(f, x, a, moves: list[Move]) -> str:
    left, right = sympy.limit(f, x, a, dir="-"), sympy.limit(f, x, a, dir="+")
    shown = (rf"\lim_{{{tex(x)} \to {tex(a)}^{{-}}}} {ctex(f)} = {tex(left)}, \quad "
             rf"\lim_{{{tex(x)} \to {tex(a)}^{{+}}}} {ctex(f)} = {tex(right)}")  # fmt: skip
    moves.append(Move(f"Look at each side of ${tex(x)} = {tex(a)}$: from the left the expression approaches "
                      f"${tex(left)}$, from the right ${tex(right)}$.", ("sides", f, x, a, left, right), shown,
                      "What does the expression approach from the left, and from the right?"))  # fmt: skip
    moves.append(Move("The two one-sided limits are different, so the limit does not exist.", NO_LIMIT,
                      r"\text{does not exist}", "Do the two sides agree?"))  # fmt: skip
    return "Find the limit from the left and from the right: the limit exists only when they agree."


def _quotient(f):
    """The top and the bottom as written: ``together`` would cancel (x^2 - 5x)/(3x) to (x - 5)/3 and
    hide the 0/0 a student sees (then neither cancelling nor L'Hôpital would start)."""
    num, den = sympy.fraction(f)
    return (num, den) if den != 1 else sympy.fraction(sympy.together(f))


def _undefined_at(f, x, a, side, expected, moves: list[Move]) -> str:
    """Substitution fails at a finite point: 0/0, 0·∞, or a non-zero number over 0."""
    num, den = _quotient(f)
    top, bottom = _at(num, x, a), _at(den, x, a)
    at = f"${tex(x)} = {tex(a)}$"
    if bottom == 0 and top.is_finite and top.is_real and top != 0 and expected in (sympy.oo, -sympy.oo):
        sign = "positive" if expected == sympy.oo else "negative"
        where = f"as ${tex(x)}$ approaches ${tex(a)}$" + ("" if side == "+-" else f" {SIDE_WORDS[side]}")
        moves.append(Move(f"Substituting {at} gives $\\frac{{{tex(top)}}}{{0}}$: a number that is not 0 over "
                          f"something that goes to 0, so the expression grows without bound; {where} it stays "
                          f"{sign}.", expected, tex(expected),
                          "What happens to a fraction when its top stays put and its bottom goes to 0?"))  # fmt: skip
        return "A non-zero number over something that goes to 0 grows without bound: look at its sign."
    if bottom == 0 and top == 0 and side == "+-" and num.is_polynomial(x) and den.is_polynomial(x):
        return _cancel(num, den, x, a, moves)
    return _lhopital(f, x, a, side, moves)


def _cancel(num, den, x, a, moves: list[Move]) -> str:
    at = f"${tex(x)} = {tex(a)}$"
    fnum, fden = sympy.factor(num), sympy.factor(den)
    factored = sympy.Mul(fnum, sympy.Pow(fden, -1, evaluate=False), evaluate=False)
    state = _limit(factored, x, a)
    moves.append(Move(f"Substituting {at} gives $\\frac{{0}}{{0}}$, so factor the top and the bottom.", state,
                      ctex(state), f"What do you get if you substitute {at}, and what does that tell you?"))
    common = sympy.gcd(num, den)
    reduced = sympy.cancel(num / den)
    state = _limit(reduced, x, a)
    moves.append(Move(f"Cancel the common factor ${tex(sympy.factor(common))}$: it is not zero while "
                      f"${tex(x)}$ approaches ${tex(a)}$.", state, ctex(state),
                      "Which factor appears on the top and the bottom?"))  # fmt: skip
    value = _at(reduced, x, a)
    if not (value.is_finite and value.is_real):
        raise CannotSolve("still no finite value")
    moves.append(Move(f"Now substitute {at}.", value, tex(value), f"What is the value at {at} now?"))
    return "On 0/0, factor the top and the bottom, cancel the common factor, then substitute."


def _one_side(g, x, a, side):
    try:
        return sympy.limit(g, x, a, dir=side if a.is_finite else ("-" if a == sympy.oo else "+"))
    except ValueError:
        return sympy.nan


def _indeterminate(num, den, x, a, side) -> str | None:
    """"0/0" or "∞/∞" when the top and the bottom both go to 0 or both grow without bound."""
    sides = ("-", "+") if side == "+-" else (side,)
    kinds = set()
    for s in sides:
        t, b = _one_side(num, x, a, s), _one_side(den, x, a, s)
        if t == 0 and b == 0:
            kinds.add("0/0")
        elif t.is_infinite and b.is_infinite:
            kinds.add("∞/∞")
        else:
            return None
    return kinds.pop() if len(kinds) == 1 else None


def _lhopital(f, x, a, side, moves: list[Move]) -> str:
    at = f"${tex(x)} = {tex(a)}$"
    num, den = sympy.fraction(sympy.together(f))
    form = _indeterminate(num, den, x, a, side)
    if form is None and isinstance(f, sympy.Mul):  # 0·∞ (x ln x as x → 0⁺): write it as a quotient
        small = [u for u in f.args if _one_side(u, x, a, side if side != "+-" else "+") == 0]
        big = [v for v in f.args if _one_side(v, x, a, side if side != "+-" else "+").is_infinite]
        if len(small) == 1 and len(big) == 1 and len(f.args) == 2:
            num, den = big[0], 1 / small[0]
            form = _indeterminate(num, den, x, a, side)
            if form is not None:
                quotient = sympy.Mul(num, sympy.Pow(den, -1, evaluate=False), evaluate=False)
                state = _limit(quotient, x, a, side)
                moves.append(Move(f"This is $0 \\cdot \\infty$: write the product as a quotient, "
                                  f"${tex(small[0])} = \\frac{{1}}{{{tex(den)}}}$.", state, ctex(state),
                                  "How can you write a product as a fraction?"))  # fmt: skip
    if form is None:
        raise CannotSolve("not an indeterminate form we teach")
    for round_ in range(MAX_LHOPITAL):
        num, den = sympy.diff(num, x), sympy.diff(den, x)
        state = _limit(num / den, x, a, side)
        again = "still gives" if round_ else "gives"
        shown = _limit(sympy.Mul(num, sympy.Pow(den, -1, evaluate=False), evaluate=False), x, a, side)
        moves.append(Move(f"This {again} ${FORM_TEX[form]}$, so use "
                          "L'Hôpital's rule: differentiate the top and the bottom separately.", state, ctex(shown),
                          "What are the derivatives of the top and of the bottom?"))  # fmt: skip
        quotient = sympy.simplify(num / den)
        value = _at(quotient, x, a) if a.is_finite else sympy.nan
        method = "On 0/0 or ∞/∞, use L'Hôpital's rule: differentiate the top and the bottom, then look again."
        if value.is_finite and value.is_real:
            if quotient != num / den:
                state = _limit(quotient, x, a, side)
                moves.append(Move("Simplify the quotient.", state, ctex(state), "Can the fraction be simplified?"))
            moves.append(Move(f"Now substitute {at}.", value, tex(value), f"What is the value at {at} now?"))
            return method
        form = _indeterminate(num, den, x, a, side)
        if form is None:  # 1/e^x as x grows: the top settles, the bottom grows
            top, bottom = _one_side(num, x, a, side), _one_side(den, x, a, side)
            value = limit_value(state)
            if top.is_finite and top.is_real and bottom.is_infinite and value == 0:
                said = f"Now the top approaches ${tex(top)}$ while the bottom grows without bound, so the quotient approaches $0$."
            elif top.is_finite and top.is_real and bottom.is_finite and bottom.is_real and bottom != 0:
                said = (f"Now the top approaches ${tex(top)}$ and the bottom ${tex(bottom)}$, so the quotient "
                        f"approaches ${tex(value)}$.")  # fmt: skip
            else:
                raise CannotSolve("not indeterminate after L'Hôpital")
            moves.append(Move(said, value, tex(value), "What do the top and the bottom approach now?"))
            return method
    raise CannotSolve("L'Hôpital too many times")


def _at_infinity(f, x, a, moves: list[Move]) -> str:
    num, den = sympy.fraction(sympy.together(f))
    if not (num.is_polynomial(x) and den.is_polynomial(x)):
        return _lhopital(f, x, a, "-" if a == sympy.oo else "+", moves)  # x/e^x, ln(x)/x: ∞/∞
    n = sympy.degree(den, x)
    if sympy.degree(num, x) > n:  # x^2, (x^3 + 1)/(x + 2): the top wins
        value = limit_value(_limit(f, x, a))
        lead = sympy.LT(sympy.expand(num), x) / sympy.LT(sympy.expand(den), x)
        moves.append(Move(f"For large ${tex(x)}$ only the highest powers count: the expression behaves like "
                          f"${tex(lead)}$, which grows without bound.", value, tex(value),
                          "Which power of the top and of the bottom wins as the variable grows?"))  # fmt: skip
        return "At infinity, compare the highest powers of the top and the bottom."
    power = x**n
    top = sympy.Add(*[sympy.expand(t / power) for t in sympy.Add.make_args(sympy.expand(num))])
    bottom = sympy.Add(*[sympy.expand(t / power) for t in sympy.Add.make_args(sympy.expand(den))])
    divided = sympy.Mul(top, sympy.Pow(bottom, -1, evaluate=False), evaluate=False)
    state = _limit(divided, x, a)
    moves.append(Move(f"Divide every term of the top and the bottom by ${tex(power)}$, the highest power of "
                      f"${tex(x)}$ in the denominator.", state, ctex(state),
                      f"What is the highest power of ${tex(x)}$ in the denominator?"))  # fmt: skip
    value = sympy.limit(top, x, a) / sympy.limit(bottom, x, a)
    moves.append(Move(f"As ${tex(x)}$ grows, every term with ${tex(x)}$ in its denominator goes to 0.", value,
                      tex(value), f"What happens to a term like $\\frac{{1}}{{{tex(x)}}}$ as ${tex(x)}$ grows?"))
    return f"At infinity, divide the top and the bottom by the highest power of ${tex(x)}$ in the denominator."


def verify_limit(problem: Problem, answer: Answer) -> bool:
    """sympy's own limit (from the side asked) is the answer: a number, ±∞, or no limit."""
    p: Parsed = problem.payload
    value = limit_value(_limit(p.expr, p.var, p.extra["point"], p.extra.get("dir", "+-")))
    return _same_value(value, answer.value)
