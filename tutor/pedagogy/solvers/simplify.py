"""Simplifying an expression: cancel common factors of a fraction, put fractions over a common
denominator, use the laws of exponents, or expand and collect like terms. A state is an
expression; two states agree when sympy finds them equal (where both are defined).
"""

from __future__ import annotations

import sympy

from tutor.pedagogy.solvers.algebra import expand_moves
from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, join_terms, plain, same_expr, tex
from tutor.pedagogy.types import Answer, Problem


def _polynomial(expr) -> bool:
    return all(expr.is_polynomial(v) for v in expr.free_symbols)


def _fraction_terms(shown) -> list:
    return [t for t in sympy.Add.make_args(shown) if sympy.fraction(t)[1] != 1 and sympy.fraction(t)[1].free_symbols]


def _powers_to_combine(shown) -> bool:
    for node in sympy.preorder_traversal(shown):
        if isinstance(node, sympy.Pow) and isinstance(node.base, (sympy.Pow, sympy.Mul)) and node.exp != -1:
            return True  # (x^3)^2, (4x^3)^2, (a^2 b^3)^2
        if isinstance(node, sympy.Mul):
            bases = [f.base if isinstance(f, sympy.Pow) else f for f in node.args if f.free_symbols]
            if len(bases) != len(set(bases)):
                return True
    return len(_letters(shown)) != len(set(_letters(shown)))  # 4x^2y / (8xy^3): x and y twice


def _letters(expr) -> list:
    """The letters of a product or quotient of powers, once per factor they appear in."""
    if isinstance(expr, sympy.Symbol):
        return [expr]
    if isinstance(expr, sympy.Pow):
        return _letters(expr.base)
    if isinstance(expr, sympy.Mul):
        return [s for a in expr.args for s in _letters(a)]
    return []


def _monomial(shown) -> bool:
    """Products, quotients and powers only: no sum anywhere (``(6x^5y^2)/(3x^2y)``)."""
    return shown.free_symbols and not any(isinstance(n, sympy.Add) for n in sympy.preorder_traversal(shown))


def solve_simplify(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    expr, shown = p.expr, p.shown
    num, den = sympy.fraction(expr)
    if not den.free_symbols:
        num, den = sympy.fraction(sympy.together(expr))
    moves: list[Move] = []
    fractions = len(sympy.Add.make_args(shown)) > 1 and bool(_fraction_terms(shown))
    powers = _powers_to_combine(shown)
    if powers and _monomial(shown):  # (6x^5y^2)/(3x^2y), (4x^3)^2: no factoring needed
        method = _exponent_laws(expr, moves)
    elif (den.free_symbols or fractions) and _polynomial(num) and _polynomial(den):
        method = "Factor the top and the bottom, then cancel the factors they share."
        if fractions:  # x/(x + 1) + 1/(x + 1): over one denominator first
            method = "Write everything over a common denominator, simplify the top, then cancel common factors."
            _common_denominator(shown, moves)
            num, den = sympy.fraction(moves[-1].state)
        _cancel(num, den, moves)
    elif expr.has(*TRIG):
        method = _trig(expr, moves)
    elif powers:
        method = _exponent_laws(expr, moves)
    elif _polynomial(expr):
        method = "Remove any brackets, then collect like terms."
        moves += expand_moves(shown) if any(isinstance(a, sympy.Add) for n in sympy.preorder_traversal(shown)
                                            if isinstance(n, (sympy.Mul, sympy.Pow)) for a in n.args) else []
        collected = sympy.expand(expr)
        if not moves:
            terms = sympy.Add.make_args(shown)
            if len(terms) == len(sympy.Add.make_args(collected)):
                raise CannotSolve("already simplified")
            moves.append(Move("Collect like terms.", collected, tex(collected), "Which terms are like terms?"))
    else:
        raise CannotSolve("not a kind of simplification we teach")
    final = moves[-1].state if moves else expr
    if not moves or sympy.count_ops(final) > sympy.count_ops(expr) + 2:
        raise CannotSolve("nothing simpler")
    return Draft(
        start=expr,
        moves=moves,
        answer=Answer(plain(final), tex(final), final),
        goal="Write the expression in its simplest form.",
        method=method,
        ask_kind="Is there anything that can be combined or cancelled?",
    )


TRIG = (sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot)
_IN_SIN_COS = {sympy.tan: lambda u: sympy.sin(u) / sympy.cos(u), sympy.sec: lambda u: 1 / sympy.cos(u),
               sympy.csc: lambda u: 1 / sympy.sin(u), sympy.cot: lambda u: sympy.cos(u) / sympy.sin(u)}  # fmt: skip
_NAMES_TEX = {sympy.tan: r"\tan u = \frac{\sin u}{\cos u}", sympy.sec: r"\sec u = \frac{1}{\cos u}",
              sympy.csc: r"\csc u = \frac{1}{\sin u}", sympy.cot: r"\cot u = \frac{\cos u}{\sin u}"}  # fmt: skip


def _trig(expr, moves: list[Move]) -> str:
    """sin^2 x + cos^2 x, tan x cos x, sec^2 x - tan^2 x: in sin and cos, then the identities."""
    names = [f for f in _IN_SIN_COS if expr.has(f)]
    state = expr
    if names:
        state = expr.replace(lambda n: type(n) in _IN_SIN_COS, lambda n: _IN_SIN_COS[type(n)](n.args[0]))
        said = ", ".join(f"${_NAMES_TEX[f]}$" for f in names)
        moves.append(Move(f"Write everything in terms of sine and cosine: {said}.", state, tex(state),
                          "How do you write the other functions with sine and cosine?"))  # fmt: skip
    result = sympy.trigsimp(state)
    if result.has(*TRIG) and sympy.count_ops(result) >= sympy.count_ops(expr):
        raise CannotSolve("no trigonometric simplification we teach")
    squares = [n for n in sympy.preorder_traversal(state)
               if isinstance(n, sympy.Pow) and n.exp == 2 and isinstance(n.base, (sympy.sin, sympy.cos))]  # fmt: skip
    doubles = [n for n in sympy.preorder_traversal(state) if isinstance(n, (sympy.sin, sympy.cos))
               and isinstance(n.args[0], sympy.Mul) and n.args[0].args[0] == 2]  # fmt: skip
    if doubles:
        u = tex(doubles[0].args[0] / 2)
        sentence = (rf"Use the double-angle identities $\sin 2{u} = 2 \sin {u} \cos {u}$ and "
                    rf"$\cos 2{u} = \cos^2 {u} - \sin^2 {u}$, then cancel what is common.")  # fmt: skip
    elif squares:
        u = tex(squares[0].base.args[0])
        sentence = rf"Use the identity $\sin^2 {u} + \cos^2 {u} = 1$, then cancel what is common."
    else:
        sentence = r"Cancel what is common and use $\frac{\sin u}{\cos u} = \tan u$ where it fits."
    moves.append(Move(sentence, result, tex(result), "Which identity links sine and cosine?"))
    return r"Write the expression with sine and cosine, then use $\sin^2 x + \cos^2 x = 1$ and cancel."


def _exponent_laws(expr, moves: list[Move]) -> str:
    result = sympy.powsimp(sympy.expand_power_base(expr))
    moves.append(Move("Use the laws of exponents: add the exponents when you multiply powers of the same base, "
                      "subtract them when you divide, and multiply them for a power of a power.", result,
                      tex(result), "What happens to the exponents when you multiply powers of the same base?"))  # fmt: skip
    return "Use the laws of exponents: add exponents when multiplying, multiply them for a power of a power."


def _common_denominator(shown, moves: list[Move]) -> None:
    terms = sympy.Add.make_args(shown)
    parts = [sympy.fraction(sympy.together(t)) for t in terms]
    den = sympy.Integer(1)
    for _, d in parts:
        den = sympy.lcm(den, sympy.factor(d))
    den = sympy.factor(den)
    tops = [sympy.factor(n * sympy.cancel(den / d)) for n, d in parts]
    moves.append(Move("Write every term over the common denominator.", sympy.Add(*tops) / den,
                      rf"\frac{{{join_terms(tops)}}}{{{tex(den)}}}", "What is the lowest common denominator?"))
    top = sympy.expand(sympy.Add(*tops))
    moves.append(Move("Simplify the numerator.", top / den, rf"\frac{{{tex(top)}}}{{{tex(den)}}}",
                      "What do you get when you expand and collect the top?"))  # fmt: skip


def _cancel(num, den, moves: list[Move]) -> None:
    fnum, fden = sympy.factor(num), sympy.factor(den)
    common = sympy.gcd(num, den)
    if not common.free_symbols:
        if moves:
            return
        raise CannotSolve("nothing cancels")
    if not moves or sympy.srepr(fnum) != sympy.srepr(num) or sympy.srepr(fden) != sympy.srepr(den):
        moves.append(Move("Factor the numerator and the denominator.", fnum / fden,
                          rf"\frac{{{tex(fnum)}}}{{{tex(fden)}}}", "Can you factor the top and the bottom?"))
    result = sympy.factor(sympy.cancel(num / den))
    zero = sympy.solveset(sympy.factor(common), next(iter(common.free_symbols)), sympy.S.Reals)
    where = ""
    if isinstance(zero, sympy.FiniteSet) and len(zero) == 1 and len(common.free_symbols) == 1:
        v = next(iter(common.free_symbols))
        where = f" (this is allowed as long as ${tex(v)} \\neq {tex(next(iter(zero)))}$)"
    moves.append(Move(f"Cancel the common factor ${tex(sympy.factor(common))}${where}.", result, tex(result),
                      "Which factor appears in both the top and the bottom?"))  # fmt: skip



def verify_simplify(problem: Problem, answer: Answer) -> bool:
    """Equal to the original wherever both are defined, and not longer than it."""
    original = problem.payload.expr
    return same_expr(original, answer.value) and sympy.count_ops(answer.value) <= sympy.count_ops(original) + 2
