"""Derivatives rule by rule: sum, constant multiple, power, product, quotient and chain rules and
the table of basic derivatives (sin, cos, tan, e^x, a^x, ln x).

Each step applies one rule to every d/dx still in the state and names the rules it used; sympy
checks that the state still stands for the same function (``calculus.same_derivative_state``)
and the answer is checked against sympy's own ``diff``.
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, plain, tex
from tutor.pedagogy.solvers.calculus import ctex, equal_functions, rewrite
from tutor.pedagogy.types import Answer, Problem

MAX_STEPS = 8

RULES = {
    "sum": "the sum rule (differentiate term by term)",
    "constant": r"the constant rule ($\frac{d}{dx}c = 0$)",
    "power": r"the power rule ($\frac{d}{dx}x^n = nx^{n-1}$)",
    "multiple": "the constant multiple rule (a constant factor stays)",
    "product": r"the product rule ($(uv)' = u'v + uv'$)",
    "quotient": r"the quotient rule ($\left(\frac{u}{v}\right)' = \frac{u'v - uv'}{v^2}$)",
    "chain": r"the chain rule ($\frac{d}{dx}f(g(x)) = f'(g(x))\,g'(x)$)",
    "sin": r"the derivative of sine ($\frac{d}{dx}\sin x = \cos x$)",
    "cos": r"the derivative of cosine ($\frac{d}{dx}\cos x = -\sin x$)",
    "tan": r"the derivative of tangent ($\frac{d}{dx}\tan x = \sec^2 x$)",
    "exp": r"the derivative of $e^x$ ($\frac{d}{dx}e^x = e^x$)",
    "exponential": r"the derivative of an exponential ($\frac{d}{dx}a^x = a^x \ln a$)",
    "log": r"the derivative of $\ln x$ ($\frac{d}{dx}\ln x = \frac{1}{x}$)",
    "sec": r"the derivative of secant ($\frac{d}{dx}\sec x = \sec x \tan x$)",
    "csc": r"the derivative of cosecant ($\frac{d}{dx}\csc x = -\csc x \cot x$)",
    "cot": r"the derivative of cotangent ($\frac{d}{dx}\cot x = -\csc^2 x$)",
    "atan": r"the derivative of arctangent ($\frac{d}{dx}\arctan x = \frac{1}{1 + x^2}$)",
    "asin": r"the derivative of arcsine ($\frac{d}{dx}\arcsin x = \frac{1}{\sqrt{1 - x^2}}$)",
    "acos": r"the derivative of arccosine ($\frac{d}{dx}\arccos x = -\frac{1}{\sqrt{1 - x^2}}$)",
}
_BASIC = {
    sympy.sin: (sympy.cos, "sin"),
    sympy.cos: (lambda u: -sympy.sin(u), "cos"),
    sympy.tan: (lambda u: sympy.sec(u) ** 2, "tan"),
    sympy.exp: (sympy.exp, "exp"),
    sympy.log: (lambda u: 1 / u, "log"),
    sympy.sec: (lambda u: sympy.sec(u) * sympy.tan(u), "sec"),
    sympy.csc: (lambda u: -sympy.csc(u) * sympy.cot(u), "csc"),
    sympy.cot: (lambda u: -sympy.csc(u) ** 2, "cot"),
    sympy.atan: (lambda u: 1 / (1 + u**2), "atan"),
    sympy.asin: (lambda u: 1 / sympy.sqrt(1 - u**2), "asin"),
    sympy.acos: (lambda u: -1 / sympy.sqrt(1 - u**2), "acos"),
}


def _d(g, x):
    return sympy.Derivative(g, x)


def apply_rule(g, x) -> tuple[object, str, str]:
    """(the next form of d/dx g with unevaluated d/dx parts, rule name, detail for one sentence)."""
    if not g.has(x):
        return sympy.S.Zero, "constant", ""
    if g == x:
        return sympy.S.One, "power", ""
    if isinstance(g, sympy.Add):
        terms = sympy.Add.make_args(g)
        order = sorted(terms, key=lambda t: -sympy.Poly(t, x).degree() if t.is_polynomial(x) else 0)
        return sympy.Add(*[_d(t, x) for t in order], evaluate=False), "sum", ""
    if isinstance(g, sympy.Mul):
        const, rest = g.as_independent(x, as_Add=False)
        if const != 1:
            if rest == x or isinstance(rest, sympy.Pow) and rest.base == x and not rest.exp.has(x):
                return const * apply_rule(rest, x)[0], "power", ""
            return const * _d(rest, x), "multiple", ""
        num, den = sympy.fraction(g)
        if den.has(x) and num.has(x):
            result = (_d(num, x) * den - num * _d(den, x)) / den**2
            return result, "quotient", rf" with $u = {tex(num)}$ and $v = {tex(den)}$"
        u, v = g.args[0], sympy.Mul(*g.args[1:])
        return _d(u, x) * v + u * _d(v, x), "product", rf" with $u = {tex(u)}$ and $v = {tex(v)}$"
    if isinstance(g, sympy.Pow):
        base, exp = g.as_base_exp()
        if not exp.has(x):
            if base == x:
                return exp * x ** (exp - 1), "power", ""
            inner = f" with the inner function $u = {tex(base)}$"
            return exp * base ** (exp - 1) * _d(base, x), "chain", inner
        if not base.has(x):
            if exp == x:
                return g * sympy.log(base), "exponential", ""
            return g * sympy.log(base) * _d(exp, x), "chain", f" with the inner function $u = {tex(exp)}$"
        raise CannotSolve("a variable in both base and exponent")
    for func, (derivative, name) in _BASIC.items():
        if isinstance(g, func) and len(g.args) == 1:
            u = g.args[0]
            if u == x:
                return derivative(x), name, ""
            return derivative(u) * _d(u, x), "chain", f" with the inner function $u = {tex(u)}$"
    raise CannotSolve(f"no rule for {g}")


def _sentence(uses: list[tuple[str, str, object]]) -> str:
    if len(uses) == 1:
        rule, detail, g = uses[0]
        if rule in ("product", "quotient", "chain"):
            return f"Use {RULES[rule]}{detail}."
        return f"Use {RULES[rule]} on ${tex(g)}$." if rule not in ("sum",) else f"Use {RULES[rule]}."
    by_rule: dict[str, list] = {}
    for rule, _, g in uses:
        by_rule.setdefault(rule, []).append(g)
    parts = [f"{RULES[r]} on " + " and ".join(f"${tex(g)}$" for g in gs) for r, gs in by_rule.items()]
    return "Differentiate each part: use " + "; ".join(parts) + "."


def derivative_moves(f, x) -> tuple[list[Move], list[str]]:
    moves, state, used = rewrite(_d(f, x), sympy.Derivative, lambda g: apply_rule(g, x), _sentence, _ask, MAX_STEPS)
    if sympy.fraction(sympy.together(state))[1].has(x):
        tidy = sympy.factor(sympy.cancel(sympy.together(state)))
    else:
        tidy = sympy.expand(state)
    if sympy.count_ops(tidy) + 1 < sympy.count_ops(state):
        moves.append(Move("Simplify.", tidy, ctex(tidy), "Can the result be written more simply?"))
    return moves, used


def _ask(rule: str) -> str:
    return {
        "sum": "Can you differentiate each term on its own?",
        "product": "Which two functions are multiplied together here, and what is the product rule?",
        "quotient": "Which function is on top, which on the bottom, and what is the quotient rule?",
        "chain": "Which function is inside another one here, and what is the chain rule?",
        "multiple": "What happens to a constant factor when you differentiate?",
    }.get(rule, "Which basic derivative do you need here?")


def _second(f, x, moves: list[Move]) -> tuple[list[Move], list[str]]:
    """The first derivative's steps inside one more d/dx, then the steps of differentiating again."""
    first = moves[-1].state
    wrapped = [Move(f"First derivative: {m.text[0].lower()}{m.text[1:]}", _d(m.state, x), ctex(_d(m.state, x)),
                    m.ask) for m in moves]  # fmt: skip
    again, used = derivative_moves(first, x)
    if not again:
        raise CannotSolve("nothing to differentiate twice")
    wrapped[-1].text += f" So $f'({tex(x)}) = {tex(first)}$."
    wrapped += [Move(f"Differentiate again: {m.text[0].lower()}{m.text[1:]}", m.state, m.latex, m.ask) for m in again]
    return wrapped, used


def solve_derivative(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    f, x = p.expr, p.var
    order = p.extra.get("order", 1)
    moves, used = derivative_moves(f, x)
    if not moves:
        raise CannotSolve("nothing to differentiate")
    if order == 2:
        moves, more = _second(f, x, moves)
        used += [r for r in more if r not in used]
    elif order != 1:
        raise CannotSolve("only first and second derivatives")
    final = moves[-1].state
    main = [r for r in used if r in ("product", "quotient", "chain", "sum")] or used[:1]
    method = "Use " + " and then ".join(RULES[r].split(" (")[0] for r in main) + ", and the basic derivatives."
    return Draft(
        start=sympy.Derivative(f, (x, order)),
        moves=moves,
        answer=Answer(plain(final), tex(final), final),
        goal=f"Find the {'second ' if order == 2 else ''}derivative of the function with respect to ${tex(x)}$"
        + (": differentiate, then differentiate the result again." if order == 2 else "."),
        method=method,
        ask_kind="Is the function a sum, a product, a quotient, or one function inside another?",
    )


def verify_derivative(problem: Problem, answer: Answer) -> bool:
    p: Parsed = problem.payload
    return equal_functions(sympy.diff(p.expr, p.var, p.extra.get("order", 1)), answer.value, p.var)
