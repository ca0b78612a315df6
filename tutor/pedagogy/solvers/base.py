"""What every solver shares: the draft a solver hands to ``solve``, and how math is printed.

A solver proposes steps (a sentence and the state it leads to); it does not decide whether they
are right. ``tutor.pedagogy.solve`` checks each state against the one before with the kind's own
test (same solution set, equal value, the rule's result differentiates back...) and verifies the
answer independently. The printers here turn sympy objects into the LaTeX and plain text a
student reads: the display is always made from the very object that was checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from tutor.pedagogy.types import Answer


class CannotSolve(Exception):
    """This problem is outside what the solver does well (too big, not nice, not this kind)."""


@dataclass(frozen=True)
class Parsed:
    """What ``read_problem`` found, for the solver (``Problem.payload``)."""

    expr: Any  # evaluated sympy: Eq, an inequality, an expression, a tuple of two Eqs (system)...
    shown: Any  # the same unevaluated, as the student wrote it (for display)
    var: Any  # the unknown or variable (Symbol); a tuple of two Symbols for a system
    decimals: bool = False  # the student wrote decimals: show decimals in the steps too
    extra: dict = field(default_factory=dict)  # kind-specific (bounds, limit point, percent form)


@dataclass
class Move:
    """One proposed step: the sentence, the state it leads to, and the question that leads to it."""

    text: str  # a teacher's sentence, math in $...$: "Subtract 5 from both sides."
    state: Any  # the state after the step, as sympy (see each solver for its form)
    latex: str  # that state as LaTeX (made from ``state``)
    ask: str  # a guiding question whose answer is this step ("What can you do to remove the + 5?")
    action: str = ""  # the sentence without the result it states, when ``text`` states one


@dataclass
class Draft:
    """A solver's proposal: steps, answer, and the words the hint ladder is built from."""

    start: Any  # the state the steps start from (checked against by the first step)
    moves: list[Move]
    answer: Answer
    goal: str  # one sentence: what we are looking for
    method: str  # one sentence: how
    ask_kind: str  # hint 1's guiding question (about the kind and the goal)


# --- numbers and expressions as text ------------------------------------------------------------


def terminating(value: sympy.Rational) -> bool:
    """Does this fraction have a finite decimal expansion (denominator 2^a 5^b)?"""
    q = int(sympy.Rational(value).q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def decimal_str(value: sympy.Rational) -> str:
    """3/8 -> "0.375" (only for terminating fractions); 5 -> "5"."""
    value = sympy.Rational(value)
    if value.q == 1:
        return str(value.p)
    digits = 0
    while (value * 10**digits).q != 1:
        digits += 1
    scaled = abs(value.p * (10**digits // value.q))
    text = str(scaled).rjust(digits + 1, "0")
    return ("-" if value < 0 else "") + text[:-digits] + "." + text[-digits:]


def _as_decimals(expr: sympy.Basic) -> sympy.Basic:
    """Terminating fractions shown as decimals (for problems the student wrote with decimals)."""
    swaps = {}
    for r in expr.atoms(sympy.Rational):
        if r.q != 1 and terminating(r):
            text = decimal_str(r)
            swaps[r] = sympy.Float(text, max(len(text.replace("-", "").replace(".", "").lstrip("0")), 1))
    return expr.xreplace(swaps) if swaps else expr


def tidy(expr: Any) -> Any:
    """Clean an unevaluated tree for display: no ``1 *`` factors, numbers first in products."""
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return expr
    args = [tidy(a) for a in expr.args]
    if isinstance(expr, sympy.Mul):
        args = [f for a in args for f in (a.args if isinstance(a, sympy.Mul) else (a,))]  # -(2(x + 1)) flat
        args = [a for a in args if a != 1] or [sympy.S.One]
        nums = [a for a in args if a.is_Number]
        rest = [a for a in args if not a.is_Number]
        while len(nums) > 1 and sympy.S.NegativeOne in nums:  # -1 * 5 -> -5
            nums.remove(sympy.S.NegativeOne)
            nums[0] = -nums[0]
        args = nums + rest
        if len(args) == 1:
            return args[0]
        return sympy.Mul(*args, evaluate=False)
    if isinstance(expr, (sympy.Add, sympy.Pow)):
        return expr.func(*args, evaluate=False)
    if isinstance(expr, sympy.core.relational.Relational):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def tex(expr: Any, decimals: bool = False, keep_order: bool = False) -> str:
    """LaTeX (no $) for a sympy object; ``keep_order`` for trees shown as the student wrote them."""
    if isinstance(expr, str):
        return expr
    if decimals:
        expr = _as_decimals(expr)
    # inv_trig_style="full": \arctan, not sympy's \operatorname{atan}, which not every reader knows
    text = sympy.latex(expr, ln_notation=True, inv_trig_style="full", order="none" if keep_order else None)
    text = abs_logs(text.replace(r"\left(x \right)", "(x)"))
    return re.sub(r"(\d)\.0+\b(?!\d)", r"\1", text) if decimals else text


_LN_ABS = re.compile(r"\\ln\{\\left\(\\left\|\{(.*?)\}\\right\| \\right\)\}")


def abs_logs(latex: str) -> str:
    """``\\ln{\\left(\\left|{x}\\right| \\right)}`` -> ``\\ln\\left|x\\right|``."""
    return _LN_ABS.sub(r"\\ln\\left|\1\\right|", latex)


_TIMES = re.compile(r"(?<![\^\d.])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])|(?<=\))\*(?=[(A-Za-z])|(?<=\b[a-z])\*(?=\()")


def plain(expr: Any, decimals: bool = False, keep_order: bool = False) -> str:
    """Plain text a student would type: ``3x^2 + 2``, ``(x + 2)(x - 3)``, ``sqrt(2)``."""
    if isinstance(expr, str):
        return expr
    if decimals:
        expr = _as_decimals(expr)
    if isinstance(expr, sympy.Equality):
        return f"{plain(expr.lhs, decimals, keep_order)} = {plain(expr.rhs, decimals, keep_order)}"
    if isinstance(expr, sympy.core.relational.Relational):
        return f"{plain(expr.lhs, decimals, keep_order)} {expr.rel_op} {plain(expr.rhs, decimals, keep_order)}"
    text = sympy.sstr(expr, order="none" if keep_order else None)
    text = text.replace("**", "^").replace("oo", "∞").replace("log(", "ln(")
    text = re.sub(r"ln\(Abs\(([^()]*)\)\)", r"ln|\1|", text).replace("Abs(", "abs(").replace("exp(", "e^(")
    text = re.sub(r"/\(\(([^()]*)\)\)", r"/(\1)", text)
    text = re.sub(r"\bE\b", "e", text)
    text = re.sub(r"\ba(sin|cos|tan)\(", r"arc\1(", text)  # as students write it (and parse_math reads it)
    text = re.sub(r"(\d)\.0+\b(?!\d)", r"\1", text) if decimals else text
    text = re.sub(r"(\d\.\d*?)0{3,}\d*", r"\1", text)
    return _TIMES.sub(lambda m: m.group(1) or "", text)


_LEADING_NUMBER = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)\s*")
_INLINE = re.compile(r"\$([^$]+)\$")


def tight(latex: str) -> str:
    """A leading number that cannot be taken for a price: "12 - 5 x" -> "12- 5 x", "0.15 x" -> "{0.15}x".

    Markdown renderers (and the app's ``normalize_math``) take "$12 " or "$0.15" for a price and
    escape the dollar; KaTeX ignores the space and the braces, so nothing changes on screen.
    """
    return _LEADING_NUMBER.sub(lambda m: f"{{{m.group(1)}}}" if "." in m.group(1) else m.group(1), latex)


def tight_inline(text: str) -> str:
    """``tight`` applied to every inline $...$ span of a sentence."""
    return _INLINE.sub(lambda m: "$" + tight(m.group(1)) + "$", text)


def num_text(value: Any, decimals: bool = False) -> str:
    """A number inside a sentence: 5, -3, 2.5 bare; fractions and roots as inline LaTeX."""
    value = sympy.nsimplify(value) if isinstance(value, float) else sympy.sympify(value)
    if value.is_Integer:
        return str(value)
    if value.is_Rational and decimals and terminating(value):
        return decimal_str(value)
    return f"${tex(value)}$"


def term_text(expr: Any, decimals: bool = False) -> str:
    """A term inside a sentence: 5 bare, anything else as inline LaTeX ("$2x$")."""
    expr = sympy.sympify(expr)
    if expr.is_Number:
        return num_text(expr, decimals)
    return f"${tex(expr, decimals)}$"


def join_terms(terms: list[Any], decimals: bool = False) -> str:
    """LaTeX of a sum written term by term, in this order, like terms not collected."""
    out = ""
    for i, term in enumerate(terms):
        coeff, _ = sympy.sympify(term).as_coeff_Mul()
        negative = coeff.is_negative
        body = tex(-term if negative else term, decimals)
        if i == 0:
            out = ("-" if negative else "") + body
        else:
            out += (" - " if negative else " + ") + body
    return out or "0"


# --- states and their meaning --------------------------------------------------------------------


def real_solutions(state: Any, var: sympy.Symbol) -> sympy.Set:
    """The real solutions of an equation-like state in one unknown.

    A state is an Eq or inequality, True/False, a sympy Set (the solutions written out), or a
    tuple of states joined by "or" (``x - 2 = 0 or x - 3 = 0``).
    """
    if isinstance(state, sympy.Set):
        return state
    if isinstance(state, tuple):
        return sympy.Union(*(real_solutions(s, var) for s in state))
    if isinstance(state, sympy.And):  # -3 < 3x < 6: both parts hold
        return sympy.Intersection(*(real_solutions(s, var) for s in state.args))
    if state is sympy.true or state == sympy.true:
        return sympy.S.Reals
    if state is sympy.false or state == sympy.false:
        return sympy.S.EmptySet
    if isinstance(state, sympy.core.relational.Relational):
        rel = state.func(sympy.expand(state.lhs), sympy.expand(state.rhs))
        if rel in (sympy.true, sympy.false):
            return real_solutions(rel, var)
        roots = _polynomial_roots(rel.lhs - rel.rhs, var)
        if isinstance(rel, sympy.Equality):
            if roots is not None:
                return roots
        elif isinstance(roots, sympy.FiniteSet):
            return sign_chart(rel, var, sorted(roots, key=float))
        return sympy.solveset(rel, var, sympy.S.Reals)
    raise TypeError(f"not an equation state: {state!r}")


def _polynomial_roots(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Set | None:
    """Real roots of a polynomial of degree <= 2 with rational coefficients, by the formula."""
    try:
        coeffs = sympy.Poly(expr, var).all_coeffs()
    except sympy.PolynomialError:
        return None
    if len(coeffs) > 3 or not all(c.is_Rational for c in coeffs):
        return None
    if len(coeffs) == 1:
        return sympy.S.Reals if coeffs[0] == 0 else sympy.S.EmptySet
    if len(coeffs) == 2:
        return sympy.FiniteSet(-coeffs[1] / coeffs[0])
    a, b, c = coeffs
    disc = b * b - 4 * a * c
    if disc < 0:
        return sympy.S.EmptySet
    return sympy.FiniteSet((-b - sympy.sqrt(disc)) / (2 * a), (-b + sympy.sqrt(disc)) / (2 * a))


def sign_chart(rel, var, roots: list) -> sympy.Set:
    """Where ``rel`` holds, from the roots of lhs - rhs: the sign is constant between them."""
    holds = lambda v: bool(rel.func(rel.lhs.subs(var, v), rel.rhs.subs(var, v)))  # noqa: E731
    points = [roots[0] - 1] + [(a + b) / 2 for a, b in zip(roots, roots[1:])] + [roots[-1] + 1] if roots else [0]
    if not roots:
        return sympy.S.Reals if holds(points[0]) else sympy.S.EmptySet
    edges = [-sympy.oo, *roots, sympy.oo]
    pieces = [sympy.Interval.open(lo, hi) for lo, hi, p in zip(edges, edges[1:], points) if holds(p)]
    pieces += [sympy.FiniteSet(r) for r in roots if holds(r)]
    return sympy.Union(*pieces)


def same_expr(a: Any, b: Any) -> bool:
    """Are two expressions equal for every value of their variables? (small expressions only)."""
    try:
        diff = sympy.expand(sympy.sympify(a) - sympy.sympify(b))
        if diff == 0:
            return True
        return sympy.simplify(sympy.cancel(sympy.together(diff))) == 0
    except Exception:
        return False


def linear_coeffs(expr: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """``a, b`` with expr == a*var + b; CannotSolve if it is not linear in var."""
    expr = sympy.expand(expr)
    a, b = expr.coeff(var, 1), expr.coeff(var, 0)
    if sympy.expand(a * var + b - expr) != 0 or a.free_symbols or b.free_symbols:
        raise CannotSolve("not linear")
    return a, b


def has_brackets_anywhere(expr) -> bool:
    """Is a sum multiplied by something or raised to a power anywhere in ``expr`` (``2(x + 3)``)?"""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Mul) and any(isinstance(a, sympy.Add) for a in node.args):
            return True
        if isinstance(node, sympy.Pow) and isinstance(node.base, sympy.Add) and node.exp != -1:
            return True
    return False


def count_nodes(expr: Any, limit: int = 10_000) -> int:
    n = 0
    for _ in sympy.preorder_traversal(expr):
        n += 1
        if n > limit:
            break
    return n
