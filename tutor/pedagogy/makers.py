"""Random problems with nice answers, one maker per kind, each knowing its answer by construction.

A maker builds the math from the answer it wants (roots first, then the equation), so the answer
is known without the solver; ``similar`` and the self-check tests compare the two. Every maker
takes a ``random.Random`` and a ``variant`` (a sub-type: "factors" or "formula" for quadratics,
"product" or "chain" for derivatives...) and returns ``Made``: the math as plain text and as
LaTeX, the answer as sympy, and the unknown's name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

x = sympy.Symbol("x")


@dataclass(frozen=True)
class Made:
    plain: str  # the math as a student types it: "3x + 5 = 20"
    latex: str  # the same in LaTeX
    answer: object  # what Answer.value must equal (see types.Answer)
    var: str = "x"
    extra: tuple = ()  # (lower, upper) bounds, the limit point, or percent-form numbers


def _nz(rng: random.Random, lo: int, hi: int) -> int:
    return rng.choice([n for n in range(lo, hi + 1) if n != 0])


def _p(expr) -> str:
    from tutor.pedagogy.solvers.base import plain

    return plain(expr)


def _t(expr) -> str:
    from tutor.pedagogy.solvers.base import tex

    return tex(expr)


def _eq(lhs, rhs) -> tuple[str, str]:
    return f"{_p(lhs)} = {_p(rhs)}", f"{_t(lhs)} = {_t(rhs)}"


def linear(rng: random.Random, variant: str) -> Made:
    name = rng.choice("xxxxxyatn")
    v = sympy.Symbol(name)
    root = sympy.Integer(rng.randint(-12, 12)) if variant != "fraction" else sympy.Rational(_nz(rng, -9, 9), 2)
    a, b = _nz(rng, -9, 9), _nz(rng, -20, 20)
    if variant == "brackets":
        k = _nz(rng, 2, 6)
        lhs, rhs = k * (v + b), sympy.expand(k * (root + b))
        text = f"{k}({_p(v + b)}) = {_p(rhs)}"
        tex_ = rf"{k}\left({_t(v + b)}\right) = {_t(rhs)}"
        return Made(text, tex_, {v: root}, name)
    if variant == "both_sides":
        c = _nz(rng, -9, 9)
        while c == a:
            c = _nz(rng, -9, 9)
        d = (a - c) * root + b
        text, tex_ = _eq(a * v + b, c * v + d)
        return Made(text, tex_, {v: root}, name)
    if variant == "divide":
        k = rng.choice([2, 3, 4, 5])
        root = sympy.Integer(k * rng.randint(-6, 6))
        lhs = v / k + b
        text, tex_ = _eq(lhs, lhs.subs(v, root))
        return Made(text, tex_, {v: root}, name)
    lhs = a * v + b
    text, tex_ = _eq(lhs, lhs.subs(v, root))
    return Made(text, tex_, {v: root}, name)


def quadratic(rng: random.Random, variant: str) -> Made:
    name = rng.choice("xxxxxt")
    v = sympy.Symbol(name)
    if variant == "square":
        r = rng.randint(1, 12)
        k = rng.choice([1, 1, 2, 3])
        text, tex_ = _eq(k * v**2, k * r * r)
        return Made(text, tex_, (-sympy.Integer(r), sympy.Integer(r)), name)
    if variant == "formula":
        while True:
            b, c = rng.randint(-8, 8), rng.randint(-9, 9)
            disc = b * b - 4 * c
            if disc > 0 and not sympy.sqrt(disc).is_Rational:
                break
        roots = tuple(sorted(((-b - sympy.sqrt(disc)) / 2, (-b + sympy.sqrt(disc)) / 2), key=float))
        text, tex_ = _eq(v**2 + b * v + c, 0)
        return Made(text, tex_, roots, name)
    if variant == "none":
        b = rng.randint(-4, 4)
        c = rng.randint(b * b // 4 + 1, b * b // 4 + 9)
        text, tex_ = _eq(v**2 + b * v + c, 0)
        return Made(text, tex_, (), name)
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    a = rng.choice([1, 1, 1, 2, 3]) if variant == "factors" else 1
    poly = sympy.expand(a * (v - r1) * (v - r2))
    if variant == "moved" and poly.coeff(v, 0) != 0:
        const = poly.coeff(v, 0)
        text, tex_ = _eq(poly - const, -const)
    else:
        text, tex_ = _eq(poly, 0)
    return Made(text, tex_, tuple(sorted({sympy.Integer(r1), sympy.Integer(r2)})), name)


def system(rng: random.Random, variant: str) -> Made:
    y = sympy.Symbol("y")
    x0, y0 = rng.randint(-8, 8), rng.randint(-8, 8)
    while True:
        a1, b1, a2, b2 = (_nz(rng, -5, 5) for _ in range(4))
        if variant == "easy":
            b2 = -b1
        if a1 * b2 - a2 * b1 != 0:
            break
    if variant == "substitution":
        m = _nz(rng, -4, 4)
        while -m * b2 - a2 == 0:  # y = mx + k must cross the other line
            m = _nz(rng, -4, 4)
        k = y0 - m * x0
        e1 = (y, m * x + k)
        e2 = (a2 * x + b2 * y, a2 * x0 + b2 * y0)
    else:
        e1 = (a1 * x + b1 * y, a1 * x0 + b1 * y0)
        e2 = (a2 * x + b2 * y, a2 * x0 + b2 * y0)
    (p1, l1), (p2, l2) = _eq(*e1), _eq(*e2)
    return Made(f"{p1}|{p2}", rf"{l1}|{l2}", {x: sympy.Integer(x0), y: sympy.Integer(y0)}, "x")


def inequality(rng: random.Random, variant: str) -> Made:
    bound = sympy.Integer(rng.randint(-10, 10))
    a = _nz(rng, 2, 7) * (-1 if variant == "negative" else 1)
    b = _nz(rng, -15, 15)
    op = rng.choice(["<", ">", "<=", ">="])
    lhs = a * x + b
    rhs = a * bound + b
    flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op] if a < 0 else op
    answer = {"<": sympy.Interval.open(-sympy.oo, bound), "<=": sympy.Interval(-sympy.oo, bound),
              ">": sympy.Interval.open(bound, sympy.oo), ">=": sympy.Interval(bound, sympy.oo)}[flipped]  # fmt: skip
    tex_op = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}[op]
    return Made(f"{_p(lhs)} {op} {_p(rhs)}", f"{_t(lhs)} {tex_op} {_t(rhs)}", answer)


def arithmetic(rng: random.Random, variant: str) -> Made:
    if variant == "fractions":
        q1, q2 = rng.choice([2, 3, 4, 5, 6, 8]), rng.choice([3, 4, 5, 6, 7, 9, 10, 12])
        p1, p2 = rng.randint(1, q1 - 1) if q1 > 1 else 1, rng.randint(1, q2 - 1)
        op = rng.choice(["+", "-", "×", "÷"])
        f1, f2 = Fraction(p1, q1), Fraction(p2, q2)
        value = {"+": f1 + f2, "-": f1 - f2, "×": f1 * f2, "÷": f1 / f2}[op]
        tex_op = {"+": "+", "-": "-", "×": r"\times", "÷": r"\div"}[op]
        return Made(f"{p1}/{q1} {op} {p2}/{q2}", rf"\frac{{{p1}}}{{{q1}}} {tex_op} \frac{{{p2}}}{{{q2}}}",
                    sympy.Rational(value.numerator, value.denominator))  # fmt: skip
    if variant == "decimals":
        a, b = (Fraction(rng.choice([n for n in range(11, 100) if n % 10]), 10) for _ in range(2))
        op = rng.choice(["+", "-", "×"])
        value = {"+": a + b, "-": a - b, "×": a * b}[op]
        tex_op = {"+": "+", "-": "-", "×": r"\times"}[op]
        return Made(f"{float(a)} {op} {float(b)}", f"{float(a)} {tex_op} {float(b)}",
                    sympy.Rational(value.numerator, value.denominator))  # fmt: skip
    if variant == "percent_of":
        pct, n = rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75]), rng.choice(range(20, 420, 20))
        return Made(f"{pct}% of {n}", rf"{pct}\% \text{{ of }} {n}", sympy.Rational(pct * n, 100), extra=(pct, n))
    if variant == "what_percent":
        whole = rng.choice([20, 40, 50, 80, 200, 400])
        part = whole * rng.choice([1, 2, 3, 4, 5, 6, 8, 9]) // 10
        return Made(f"{part}|{whole}", "", sympy.Rational(100 * part, whole), extra=(part, whole))
    if variant == "change":
        base, pct = rng.choice(range(20, 220, 10)), rng.choice([10, 20, 25, 50])
        sign = rng.choice([1, -1])
        return Made(f"{base}|{pct}|{sign}", "", sympy.Rational(base * (100 + sign * pct), 100), extra=(base, pct, sign))
    if variant == "to_decimal":
        q = rng.choice([2, 4, 5, 8, 10, 20, 25])
        p = rng.randint(1, q - 1)
        return Made(f"{p}/{q}", rf"\frac{{{p}}}{{{q}}}", sympy.Rational(p, q))
    a, b, c, d = rng.randint(2, 12), rng.randint(2, 9), rng.randint(2, 9), rng.randint(1, 20)
    forms = [  # (how it is written, its value computed here, not by the solver)
        ("{a} + {b} × {c}", a + b * c),
        ("({a} + {b}) × {c}", (a + b) * c),
        ("{a} × {b} - {d}", a * b - d),
        ("{d} - {b}^2 + {a}", d - b * b + a),
        ("{ab} ÷ {b} + {c}", a + c),
        ("2 × ({a} - {c}) + {d}", 2 * (a - c) + d),
    ]
    form, value = rng.choice(forms)
    text = form.format(a=a, b=b, c=c, d=d, ab=a * b)
    tex_ = text.replace("×", r"\times").replace("÷", r"\div")
    return Made(text, tex_, sympy.Integer(value))


def expand(rng: random.Random, variant: str) -> Made:
    a, b = _nz(rng, -9, 9), _nz(rng, -9, 9)
    if variant == "square":
        k = rng.choice([1, 1, 2, 3])
        expr = (k * x + a) ** 2
        text, tex_ = f"({_p(k * x + a)})^2", rf"\left({_t(k * x + a)}\right)^{{2}}"
    elif variant == "single":
        k = _nz(rng, -7, 9)
        expr = k * (x + a)
        text, tex_ = f"{k}({_p(x + a)})", rf"{k}\left({_t(x + a)}\right)"
    else:
        k = rng.choice([1, 1, 2, 3])
        expr = (k * x + a) * (x + b)
        text, tex_ = f"({_p(k * x + a)})({_p(x + b)})", rf"\left({_t(k * x + a)}\right)\left({_t(x + b)}\right)"
    return Made(text, tex_, sympy.expand(expr))


def factor(rng: random.Random, variant: str) -> Made:
    a, b = _nz(rng, -9, 9), _nz(rng, -9, 9)
    if variant == "squares":
        k, m = rng.choice([1, 1, 2, 3]), rng.randint(1, 9)
        answer = (k * x - m) * (k * x + m)
    elif variant == "common":
        k = rng.choice([2, 3, 4, 5])
        answer = k * x * (x + a)
    elif variant == "ac":
        k = rng.choice([2, 3, 5])
        while sympy.gcd(k, a) != 1:
            a = _nz(rng, -9, 9)
        answer = (k * x + a) * (x + b)
    else:
        answer = (x + a) * (x + b)
    expr = sympy.expand(answer)
    return Made(_p(expr), _t(expr), sympy.factor(answer))


def simplify(rng: random.Random, variant: str) -> Made:
    a, b = _nz(rng, -9, 9), _nz(rng, -9, 9)
    if variant == "collect":
        c, d, _ = _nz(rng, -9, 9), _nz(rng, -9, 9), _nz(rng, -9, 9)  # three draws: seeds keep their problems
        text = f"{_p(a * x)} + {_p(b)} + {_p(c * x)} + {_p(d)}".replace("+ -", "- ")
        return Made(text, text, sympy.Integer(a + c) * x + b + d) if (a + c) else simplify(rng, "cancel")
    num = sympy.expand((x + a) * (x + b))
    text = f"({_p(num)})/({_p(x + a)})"
    return Made(text, rf"\frac{{{_t(num)}}}{{{_t(x + a)}}}", x + b)


def derivative(rng: random.Random, variant: str) -> Made:
    a, n, m = _nz(rng, -9, 9), rng.randint(2, 6), rng.randint(1, 4)
    k = _nz(rng, -5, 5)
    if variant == "product":
        f = x**m * rng.choice([sympy.sin(x), sympy.cos(x), sympy.exp(x)])
    elif variant == "chain":
        f = rng.choice([(k * x + a) ** n, sympy.sin(k * x), sympy.exp(k * x), (x**2 + abs(a)) ** m])
    elif variant == "quotient":
        f = x / (x + abs(a))
    else:
        f = a * x**n + k * x**m + rng.randint(-9, 9)
    if variant == "second":  # the second derivative of a polynomial, or of x^m times sin/cos/e^x
        f = rng.choice([a * x**n + k * x**m + rng.randint(-9, 9), sympy.sin(k * x), sympy.exp(k * x)])
        return Made(_p(f), _t(f), sympy.diff(f, x, 2), extra=(2,))
    return Made(_p(f), _t(f), sympy.diff(f, x))


def integral(rng: random.Random, variant: str) -> Made:
    a, n, k = _nz(rng, -9, 9), rng.randint(1, 5), _nz(rng, -4, 5)
    if variant == "exp":
        f, F = sympy.exp(k * x), sympy.exp(k * x) / k
    elif variant == "trig":
        f, F = rng.choice([(sympy.cos(k * x), sympy.sin(k * x) / k), (sympy.sin(k * x), -sympy.cos(k * x) / k)])
    elif variant == "substitution":
        f, F = _u_sub(rng)
    else:
        f = a * x**n + k
        F = sympy.Rational(a, n + 1) * x ** (n + 1) + k * x
    return Made(_p(f), _t(f), F)


def _u_sub(rng: random.Random) -> tuple:
    """k u'(x) g(u(x)) with u = x^2 + b or x^3 + b: its antiderivative k G(u), clean by construction."""
    b, k = rng.randint(0, 5), rng.choice([1, 1, 2, 3])
    inside = rng.choice([x**2, x**3]) + b
    du = sympy.diff(inside, x)
    outer, antider = rng.choice([(sympy.cos, sympy.sin), (sympy.exp, sympy.exp),
                                 (sympy.sin, lambda u: -sympy.cos(u))])  # fmt: skip
    return k * du * outer(inside), k * antider(inside)


def definite_integral(rng: random.Random, variant: str) -> Made:
    lo = rng.randint(-3, 2)
    hi = lo + rng.randint(1, 4)
    a, n, k = _nz(rng, -6, 6), rng.randint(1, 3), rng.randint(-5, 5)
    f = a * x**n + k
    F = sympy.Rational(a, n + 1) * x ** (n + 1) + k * x
    if variant == "substitution":  # 2x (x^2 + 1)^3 from 0 to 1: u = x^2 + 1
        lo, hi = 0, rng.randint(1, 2)
        b, p = rng.randint(1, 3), rng.randint(1, 3)
        f = 2 * x * (x**2 + b) ** p
        F = (x**2 + b) ** (p + 1) / (p + 1)
        if p == 1 or hi == 2 and p == 3:
            return definite_integral(rng, variant)  # keep it a power of a bracket, and the numbers small
    return Made(_p(f), _t(f), F.subs(x, hi) - F.subs(x, lo), extra=(lo, hi))


def limit(rng: random.Random, variant: str) -> Made:
    a, b = _nz(rng, -6, 6), _nz(rng, -9, 9)
    if variant == "cancel":
        num = sympy.expand((x - a) * (x + b))
        return Made(f"({_p(num)})/({_p(x - a)})", rf"\frac{{{_t(num)}}}{{{_t(x - a)}}}", sympy.Integer(a + b),
                    extra=(a,))  # fmt: skip
    if variant == "infinity":
        c, d = _nz(rng, 1, 9), _nz(rng, -9, 9)
        num, den = a * x + b, c * x + d
        return Made(f"({_p(num)})/({_p(den)})", rf"\frac{{{_t(num)}}}{{{_t(den)}}}", sympy.Rational(a, c),
                    extra=(sympy.oo,))  # fmt: skip
    if variant == "lhopital":
        k = _nz(rng, 2, 7)
        return Made(f"sin({k}x)/x", rf"\frac{{\sin({k}x)}}{{x}}", sympy.Integer(k), extra=(0,))
    if variant == "one_sided":  # from one side: ±∞ (c over something that goes to 0) or ±1 (|x - a|/(x - a))
        side, c = rng.choice("+-"), _nz(rng, 1, 9)
        if rng.random() < 0.5:
            value = sympy.oo if side == "+" else -sympy.oo
            text, latex = f"{c}/({_p(x - a)})", rf"\frac{{{c}}}{{{_t(x - a)}}}"
        else:
            value = sympy.Integer(1 if side == "+" else -1)
            text, latex = f"|{_p(x - a)}|/({_p(x - a)})", rf"\frac{{\left|{_t(x - a)}\right|}}{{{_t(x - a)}}}"
        return Made(text, latex, value, extra=(a, side))
    if variant == "e_power":  # (1 + k/x)^(m x) -> e^(k m): the 1^∞ form
        k, m = _nz(rng, -5, 5), rng.randint(1, 3)
        power, power_tex = ("x", "x") if m == 1 else (f"({m}x)", f"{m}x")
        sign = "-" if k < 0 else "+"
        return Made(f"(1 {sign} {abs(k)}/x)^{power}", rf"\left(1 {sign} \frac{{{abs(k)}}}{{x}}\right)^{{{power_tex}}}",
                    sympy.exp(k * m), extra=(sympy.oo,))  # fmt: skip
    if variant == "conjugate":  # √(c²x² + bx) − cx -> b/(2c): ∞ − ∞
        c = rng.randint(1, 3)
        inside = c * c * x**2 + b * x
        return Made(f"sqrt({_p(inside)}) - {_p(c * x)}", rf"\sqrt{{{_t(inside)}}} - {_t(c * x)}",
                    sympy.Rational(b, 2 * c), extra=(sympy.oo,))  # fmt: skip
    point = rng.randint(-4, 4)
    poly = x**2 + b * x + a
    return Made(_p(poly), _t(poly), poly.subs(x, point), extra=(point,))


MAKERS = {
    "linear": (linear, ("plain", "plain", "brackets", "both_sides", "divide", "fraction")),
    "quadratic": (quadratic, ("factors", "factors", "moved", "square", "formula", "none")),
    "system": (system, ("plain", "easy", "substitution")),
    "inequality": (inequality, ("plain", "plain", "negative")),
    "arithmetic": (arithmetic, ("fractions", "decimals", "percent_of", "what_percent", "change", "to_decimal",
                                "order", "order")),  # fmt: skip
    "expand": (expand, ("pair", "pair", "square", "single")),
    "factor": (factor, ("pair", "pair", "squares", "common", "ac")),
    "simplify": (simplify, ("cancel", "cancel", "collect")),
    "derivative": (derivative, ("power", "power", "product", "chain", "quotient")),
    "integral": (integral, ("power", "power", "exp", "trig")),
    "definite_integral": (definite_integral, ("power",)),
    "limit": (limit, ("cancel", "infinity", "lhopital", "direct")),
}
# sub-kinds ``similar`` keeps (a one-sided limit gives a one-sided limit...), not in generate's rotation
EXTRA_VARIANTS = {
    "limit": ("one_sided", "e_power", "conjugate"),
    "derivative": ("second",),
    "integral": ("substitution",),
    "definite_integral": ("substitution",),
}
