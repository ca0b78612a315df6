"""Integrals rule by rule: expand first when there are brackets, then linearity (term by term,
constants out), the power rule, ln|x|, e^x, sin and cos, and the reverse chain rule for a linear
inside (e^(3x), (2x + 1)^4, cos(5x)).

Indefinite: each state holds ``Integral`` nodes; two states agree when they have the same
derivative, so the antiderivative found is checked by differentiating it back. The answer gets
"+ C". Definite: the antiderivative is checked the same way, then evaluated at the bounds; the
value is checked against sympy's own ``integrate``. Integrands that are not continuous on the
interval are refused (no improper integrals).
"""

from __future__ import annotations

import sympy
from sympy.calculus.util import continuous_domain

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, plain, tex
from tutor.pedagogy.solvers.calculus import ctex, equal_functions, real_var, rewrite, same_derivative
from tutor.pedagogy.types import Answer, Problem

MAX_STEPS = 6

RULES = {
    "sum": "integrate term by term",
    "multiple": "take the constant factor outside the integral",
    "constant": r"the constant rule ($\int k \, dx = kx$)",
    "power": r"the power rule ($\int x^n \, dx = \frac{x^{n+1}}{n+1}$)",
    "log": r"the integral of $\frac{1}{x}$ ($\int \frac{1}{x} \, dx = \ln|x|$)",
    "exp": r"the integral of $e^x$ ($\int e^x \, dx = e^x$)",
    "sin": r"the integral of sine ($\int \sin x \, dx = -\cos x$)",
    "cos": r"the integral of cosine ($\int \cos x \, dx = \sin x$)",
    "sec2": r"the integral of $\sec^2 x$ ($\int \sec^2 x \, dx = \tan x$)",
    "linear": "the reverse chain rule (divide by the coefficient of $x$ inside)",
    "parts": r"integration by parts ($\int u \, dv = uv - \int v \, du$)",
    "atan": r"the integral of $\frac{1}{1 + x^2}$ ($\int \frac{1}{1 + x^2} \, dx = \arctan x$)",
    "substitution": "the substitution rule (the reverse chain rule)",
    "atan_a": r"the arctangent form ($\int \frac{1}{x^2 + a^2} \, dx = \frac{1}{a} \arctan \frac{x}{a}$)",
    "square": r"the double-angle identity ($\sin^2 x = \frac{1 - \cos 2x}{2}$, $\cos^2 x = \frac{1 + \cos 2x}{2}$)",
    "tan2": r"the identity $\tan^2 x = \sec^2 x - 1$",
}
METHOD_NAMES = {
    "sum": "the sum rule (integrate term by term)",
    "power": "the power rule",
    "linear": "the reverse chain rule",
    "parts": "integration by parts",
    "substitution": "a substitution",
}


def _int(g, x):
    return sympy.Integral(g, x)


def _linear_inside(u, x):
    """a for an inside u = a x + b (a != 0), else None."""
    if u.is_polynomial(x) and sympy.degree(u, x) == 1:
        return sympy.Poly(u, x).LC()
    return None


def apply_rule(g, x) -> tuple[object, str]:
    if not g.has(x):
        return g * x, "constant"
    if isinstance(g, sympy.Add):
        terms = sorted(g.args, key=lambda t: -sympy.Poly(t, x).degree() if t.is_polynomial(x) else 0)
        return sympy.Add(*[_int(t, x) for t in terms], evaluate=False), "sum"
    const, rest = g.as_independent(x, as_Add=False)
    if const != 1:
        inner, rule = apply_rule(rest, x)
        if rule in ("power", "log", "exp", "sin", "cos", "sec2", "linear", "constant", "atan", "atan_a", "substitution",
                    "square", "tan2"):
            return const * inner, rule
        return const * _int(rest, x), "multiple"
    if g == x:
        return x**2 / 2, "power"
    base, exp = g.as_base_exp()
    if isinstance(g, sympy.Pow) and not exp.has(x):
        if base == x:
            return (sympy.log(sympy.Abs(x)), "log") if exp == -1 else (x ** (exp + 1) / (exp + 1), "power")
        a = _linear_inside(base, x)
        if a is not None:
            if exp == -1:
                return sympy.log(sympy.Abs(base)) / a, "linear"
            return base ** (exp + 1) / (a * (exp + 1)), "linear"
    if isinstance(g, sympy.Pow) and base == sympy.E or isinstance(g, sympy.exp):
        u = g.args[0] if isinstance(g, sympy.exp) else exp
        return _inside(sympy.exp(u), u, x, "exp")
    if isinstance(g, sympy.sin):
        return _inside(-sympy.cos(g.args[0]), g.args[0], x, "sin")
    if isinstance(g, sympy.cos):
        return _inside(sympy.sin(g.args[0]), g.args[0], x, "cos")
    if isinstance(g, sympy.Pow) and isinstance(base, sympy.sec) and exp == 2:
        return _inside(sympy.tan(base.args[0]), base.args[0], x, "sec2")
    if isinstance(g, sympy.Pow) and isinstance(base, sympy.cos) and exp == -2:
        return _inside(sympy.tan(base.args[0]), base.args[0], x, "sec2")
    if isinstance(g, sympy.Pow) and exp == 2 and isinstance(base, (sympy.sin, sympy.cos, sympy.tan)):
        u = base.args[0]
        if u == x or _linear_inside(u, x) is not None:  # sin^2(3x): the power goes, the angle doubles
            if isinstance(base, sympy.tan):
                return _int(sympy.sec(u) ** 2 - 1, x), "tan2"
            sign = -1 if isinstance(base, sympy.sin) else 1
            return _int(sympy.expand((1 + sign * sympy.cos(2 * u)) / 2), x), "square"
    if g == 1 / (x**2 + 1):
        return sympy.atan(x), "atan"
    arctan = _arctan_form(g, x)
    if arctan is not None:
        return arctan, "atan_a"
    try:
        return substitution(g, x)[0], "substitution"
    except CannotSolve:
        return _by_parts(g, x)


def _arctan_form(g, x):
    """1/(c x^2 + k), c and k positive numbers: arctan(√c x/√k)/√(ck), the 1/(x^2 + a^2) form
    (3/(9 + x^2) = 3 · 1/(x^2 + 3^2) -> arctan(x/3)); differentiating it back gives 1/(c x^2 + k)."""
    base, exp = g.as_base_exp()
    if exp != -1 or not base.is_polynomial(x) or sympy.degree(base, x) != 2:
        return None
    c, b, k = sympy.Poly(base, x).all_coeffs()
    if b != 0 or not (c.is_number and k.is_number and c.is_positive and k.is_positive):
        return None
    return sympy.atan(sympy.sqrt(c) * x / sympy.sqrt(k)) / sympy.sqrt(c * k)


def substitution(g, x) -> tuple[object, object]:
    """∫ h(u) u' dx = H(u): (the antiderivative, u) when a factor's inside has its derivative
    beside it, up to a constant: 2x cos(x^2), x sqrt(x^2 + 1), sin(x) cos(x) (u = sin x)."""
    factors = sympy.Mul.make_args(g)
    u_sym = sympy.Dummy("u")
    for factor in factors:
        insides = [factor] if isinstance(factor, (sympy.sin, sympy.cos, sympy.log)) else []
        if isinstance(factor, (sympy.sin, sympy.cos, sympy.exp)):
            insides.append(factor.args[0])
        elif isinstance(factor, sympy.Pow) and factor.base.has(x) and not factor.exp.has(x):
            insides.append(factor.base)
        for inside in insides:
            if inside == x or _linear_inside(inside, x) is not None:
                continue
            rest = sympy.cancel(g / factor / sympy.diff(inside, x))
            if rest.has(x):
                continue
            h = factor.subs(inside, u_sym)
            if not h.has(u_sym) or h.has(x):
                continue
            try:
                H, _ = apply_rule(h, u_sym)
            except CannotSolve:
                continue
            if H.has(sympy.Integral):
                continue
            return rest * H.subs(u_sym, inside), inside, rest, h.subs(u_sym, U)
    raise CannotSolve(f"no substitution for {g}")


U = sympy.Symbol("u")  # the new variable of a substitution (never the problem's: see _u_sub_moves)


def in_x(state, x):
    """A substitution state ``("u", expression in u, u, inside)`` as a function of ``x``: each
    ∫ g(u) du becomes ∫ g(inside)·inside' dx (du = inside' dx), then u = inside. Any other state
    as it is. So a u-step is checked like every integral step: by its derivative in x."""
    if not (isinstance(state, tuple) and state and state[0] == "u"):
        return state
    _, expr, u, inside = state
    du = sympy.diff(inside, x)
    expr = expr.replace(lambda n: isinstance(n, sympy.Integral) and n.limits[0][0] == u,
                        lambda n: sympy.Integral(n.function.subs(u, inside) * du, x))  # fmt: skip
    return expr.subs(u, inside)


def same_integral_state(problem: Problem, before, after) -> bool:
    x = problem.payload.var
    return same_derivative(in_x(before, x), in_x(after, x), x)


def _times(k) -> str:
    """The constant before an integral: nothing for 1, a minus sign for -1, else its LaTeX."""
    return "" if k == 1 else "-" if k == -1 else tex(k) + " "


def _u_sub_moves(f, x) -> tuple[list[Move], object]:
    """∫ 2x cos(x^2) dx: u = x^2, du = 2x dx; ∫ cos u du; sin u; put u back: three checked steps."""
    if x == U:
        raise CannotSolve("the problem's own variable is u")
    const, g = f.as_independent(x, as_Add=False)
    F, inside, rest, h = substitution(g, x)
    k = const * rest
    in_u = k * sympy.Integral(h, U)
    H, _ = apply_rule(h, U)
    if H.has(sympy.Integral):
        raise CannotSolve("the integral in u is not a basic one")
    du = sympy.diff(inside, x)
    sub = rf"$u = {tex(inside)}$"
    moves = [
        Move(f"Substitute {sub}: then $du = {tex(du)} \\, d{tex(x)}$, so the integral becomes one in $u$.",
             ("u", in_u, U, inside), _times(k) + ctex(sympy.Integral(h, U)), f"What is $du$ when {sub}?"),
        Move("Integrate in $u$ with the basic rule.", ("u", k * H, U, inside), f"{tex(k * H)} + C",
             "What is the integral of this function of $u$?"),
        Move(f"Put {sub} back.", const * F, f"{tex(const * F)} + C", "What do you get when you write $u$ in terms "
             f"of ${tex(x)}$ again?"),
    ]  # fmt: skip
    return moves, const * F


def _by_parts(g, x) -> tuple[object, str]:
    """x e^x, x sin(2x), (x + 1) cos x: u = the linear factor, dv = the rest; ln x: u = ln x, dv = dx."""
    if g == sympy.log(x):
        return x * sympy.log(x) - _int(sympy.S.One, x), "parts"
    factors = sympy.Mul.make_args(g)
    u = [f for f in factors if f.is_polynomial(x) and sympy.degree(f, x) == 1]
    rest = [f for f in factors if f not in u]
    if len(u) != 1 or len(rest) != 1 or not isinstance(rest[0], (sympy.exp, sympy.sin, sympy.cos)):
        raise CannotSolve(f"no rule we teach for {g}")
    v, _ = apply_rule(rest[0], x)
    du = sympy.diff(u[0], x)
    return u[0] * v - _int(sympy.expand(v * du), x), "parts"


def _inside(result, u, x, rule):
    if u == x:
        return result, rule
    a = _linear_inside(u, x)
    if a is None:
        raise CannotSolve("inside is not linear")
    return result / a, "linear"


def _sentence(uses: list[tuple[str, object]], x) -> str:
    if len(uses) == 1 and uses[0][0] in ("sum", "multiple"):
        return RULES[uses[0][0]][0].upper() + RULES[uses[0][0]][1:] + "."
    if len(uses) == 1 and uses[0][0] == "substitution":
        g = uses[0][1]
        inside = substitution(g, x)[1]
        return (f"Substitute $u = {tex(inside)}$: its derivative ${tex(sympy.diff(inside, x))}$ is a factor "
                f"(up to a constant), so integrate in $u$ and put ${tex(inside)}$ back.")  # fmt: skip
    if len(uses) == 1 and uses[0][0] == "parts":
        g = uses[0][1]
        if g == sympy.log(x):
            return rf"Use {RULES['parts']} with $u = \ln {tex(x)}$ and $dv = d{tex(x)}$."
        u = next(f for f in sympy.Mul.make_args(g) if f.is_polynomial(x))
        return f"Use {RULES['parts']} with $u = {tex(u)}$ and $dv = {tex(g / u)} \\, d{tex(x)}$."
    by_rule: dict[str, list] = {}
    for rule, g in uses:
        by_rule.setdefault(rule, []).append(g)
    parts = [f"{RULES[r]} for " + " and ".join(f"${tex(g)}$" for g in gs) for r, gs in by_rule.items()]
    return "Use " + "; ".join(parts) + "."


def antiderivative_moves(f, x) -> tuple[list[Move], object, list[str]]:
    """Steps from ∫ f dx to an antiderivative F (without + C), and the rules used."""
    moves: list[Move] = []
    state = _int(f, x)
    if f.is_polynomial(x) and sympy.degree(sympy.expand(f), x) > 4:  # 3x^2 (x^3 + 1)^4: u = x^3 + 1
        try:
            sub_moves, F = _u_sub_moves(f, x)
            return sub_moves, F, ["substitution"]
        except CannotSolve:
            pass
    if f.is_polynomial(x) and sympy.expand(f) != f:
        f = sympy.expand(f)
        state = _int(f, x)
        moves.append(Move("Expand the brackets first.", state, ctex(state), "Can you multiply out the brackets?"))
    num, den = sympy.fraction(f)
    if den.has(x) and len(sympy.Add.make_args(sympy.expand(num))) > 1 and len(sympy.Add.make_args(den)) == 1:
        f = sympy.expand(f)  # (x^2 + 1)/x: one term over a single power of x each
        state = _int(f, x)
        moves.append(Move("Divide each term of the top by the bottom.", state, ctex(state),
                          "Can you split the fraction into one term for each term on top?"))  # fmt: skip
    try:
        if apply_rule(f, x)[1] == "substitution":  # the whole integrand: u-substitution, step by step
            sub_moves, F = _u_sub_moves(f, x)
            return moves + sub_moves, F, ["substitution"]
    except CannotSolve:
        pass
    more, state, used = rewrite(state, sympy.Integral, lambda g: (*apply_rule(g, x), ""),
                                lambda uses: _sentence([(r, g) for r, _, g in uses], x), _ask, MAX_STEPS)
    moves += more
    return moves, state, used


def _ask(rule: str) -> str:
    return {
        "sum": "Can you integrate each term on its own?",
        "multiple": "What happens to a constant factor when you integrate?",
        "power": "What does the power rule for integrals say: what happens to the exponent?",
        "linear": "What do you divide by when the inside is a multiple of the variable?",
        "parts": "Which factor gets simpler when you differentiate it, and which can you integrate?",
        "square": "Which identity turns a square of sine or cosine into a cosine of a double angle?",
        "tan2": "Which identity links tan squared with sec squared?",
        "atan_a": "Can you write the bottom as $x^2 + a^2$ for some number $a$?",
    }.get(rule, "Which basic integral do you need here?")


def _method(used: list[str]) -> str:
    names = [METHOD_NAMES[r] for r in used if r in METHOD_NAMES]
    return ("Integrate term by term with the basic rules" if not names else "Use " + ", then ".join(names)) + (
        ", then add the constant of integration $C$.")  # fmt: skip


def solve_integral(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    f, x = p.expr, p.var
    moves, F, used = antiderivative_moves(f, x)
    last = moves[-1]
    moves[-1] = Move(last.text, F, ctex(F) + " + C", last.ask)
    return Draft(
        start=_int(f, x),
        moves=moves,
        answer=Answer(f"{plain(F)} + C", f"{tex(F)} + C", F),
        goal="Find a function whose derivative is the integrand, plus the constant $C$.",
        method=_method(used),
        ask_kind="Which basic rule for integrals fits each term?",
    )


def verify_integral(problem: Problem, answer: Answer) -> bool:
    """The answer differentiates back to the integrand."""
    p: Parsed = problem.payload
    F, real = real_var(answer.value, p.var)
    return equal_functions(sympy.diff(F, real), p.expr.subs(p.var, real), real)


# --- definite -----------------------------------------------------------------------------------------


def solve_definite(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    f, x = p.expr, p.var
    lo, hi = p.extra["bounds"]
    interval = sympy.Interval(min(lo, hi), max(lo, hi))
    if continuous_domain(f, x, interval) != interval:
        raise CannotSolve("the integrand is not continuous on the interval")
    inner, F, _ = antiderivative_moves(f, x)
    rules = [m.text.rstrip(".") for m in inner]
    bracket = ("bracket", F, lo, hi)
    bracket_tex = rf"\left[{tex(F)}\right]_{{{tex(lo)}}}^{{{tex(hi)}}}"
    moves = [Move(f"Find an antiderivative: {'; then '.join(r[0].lower() + r[1:] for r in rules)}.", bracket,
                  bracket_tex, "What function has the integrand as its derivative?")]  # fmt: skip
    upper, lower = F.subs(x, hi), F.subs(x, lo)
    shown = rf"\left({tex(upper)}\right) - \left({tex(lower)}\right)"
    moves.append(Move(f"Substitute the upper limit ${tex(hi)}$ and the lower limit ${tex(lo)}$, and subtract.",
                      upper - lower, shown, "What is the antiderivative at the top limit minus at the bottom?"))
    value = sympy.simplify(upper - lower)
    moves.append(Move("Work it out.", value, tex(value), "What number does that come to?"))
    text, latex = plain(value), tex(value)
    if not value.is_Rational:
        text += f" ≈ {float(value):.4g}"
        latex += rf" \approx {float(value):.4g}"
    return Draft(
        start=sympy.Integral(f, (x, lo, hi)),
        moves=moves,
        answer=Answer(text, latex, value),
        goal="Find the exact value of the definite integral (the signed area under the curve).",
        method="Find an antiderivative $F$, then work out $F(b) - F(a)$ with the upper and lower limits.",
        ask_kind="What is an antiderivative of the integrand?",
    )


def definite_value(problem: Problem, state) -> sympy.Expr:
    """The number a definite-integral state stands for (an antiderivative must differentiate back)."""
    p: Parsed = problem.payload
    if isinstance(state, tuple) and state[0] == "bracket":
        _, F, lo, hi = state
        if not same_derivative(F, sympy.Integral(p.expr, p.var), p.var):
            return sympy.nan
        return F.subs(p.var, hi) - F.subs(p.var, lo)
    return sympy.sympify(state).doit()


def same_definite_state(problem: Problem, before, after) -> bool:
    a, b = definite_value(problem, before), definite_value(problem, after)
    return a is not sympy.nan and b is not sympy.nan and sympy.simplify(a - b) == 0


def verify_definite(problem: Problem, answer: Answer) -> bool:
    p: Parsed = problem.payload
    lo, hi = p.extra["bounds"]
    return sympy.simplify(sympy.integrate(p.expr, (p.var, lo, hi)) - answer.value) == 0
