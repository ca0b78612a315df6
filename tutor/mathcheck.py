"""Solve simple questions exactly, so the hint guard can recognise the answer itself.

A linear equation in one unknown (``3x + 5 = 20``) or plain arithmetic (``12 * 7``) is
parsed with ``ast`` and a whitelist of node types and evaluated with Fractions: never
``eval``. Anything else is "not simple" and ``solve`` returns None.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Problem:
    """A question we could solve: its kind, exact value, unknown and a guiding next step."""

    kind: str  # "linear" | "arithmetic"
    value: Fraction
    var: str | None
    next_step: str


class _NotSimple(Exception):
    pass


_EXPR_CHARS = r"[0-9a-zA-Z.+\-*/()^\s]"
_MAX_EXPR = 200


def _linear(expr: str, names: set[str]) -> tuple[Fraction, Fraction]:
    """Evaluate ``expr`` as ``a*var + b``; collects variable names into ``names``."""
    expr = expr.strip().rstrip(".")
    if not expr or len(expr) > _MAX_EXPR:
        raise _NotSimple
    expr = re.sub(r"(\d)\s*([a-zA-Z(])", r"\1*\2", expr)
    expr = re.sub(r"\)\s*([\da-zA-Z(])", r")*\1", expr)
    expr = re.sub(r"\b([a-zA-Z])\s*\(", r"\1*(", expr).replace("^", "**")
    try:
        tree = ast.parse(expr, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _NotSimple from None
    return _ev(tree.body, names, 0)


def _ev(node: ast.AST, names: set[str], depth: int) -> tuple[Fraction, Fraction]:
    if depth > 50:
        raise _NotSimple
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(0), Fraction(str(node.value))
    if isinstance(node, ast.Name) and len(node.id) == 1:
        names.add(node.id)
        return Fraction(1), Fraction(0)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        a, b = _ev(node.operand, names, depth + 1)
        return (-a, -b) if isinstance(node.op, ast.USub) else (a, b)
    if not isinstance(node, ast.BinOp):
        raise _NotSimple
    a1, b1 = _ev(node.left, names, depth + 1)
    a2, b2 = _ev(node.right, names, depth + 1)
    if isinstance(node.op, ast.Add):
        return a1 + a2, b1 + b2
    if isinstance(node.op, ast.Sub):
        return a1 - a2, b1 - b2
    if isinstance(node.op, ast.Mult):
        if a1 and a2:
            raise _NotSimple  # x*x is not linear
        return a1 * b2 + a2 * b1, b1 * b2
    if isinstance(node.op, ast.Div):
        if a2 or not b2:
            raise _NotSimple
        return a1 / b2, b1 / b2
    if isinstance(node.op, ast.Pow):
        if a1 or a2 or b2.denominator != 1 or abs(b2) > 20 or abs(b1) > 10**6 or (b1 == 0 and b2 < 0):
            raise _NotSimple
        return Fraction(0), b1 ** int(b2)
    raise _NotSimple


def _clip_words(tokens: list[str]) -> list[str]:
    """Keep the tokens up to the first word of two or more letters."""
    kept: list[str] = []
    for tok in tokens:
        if re.search(r"[a-zA-Z]{2,}", tok):
            break
        kept.append(tok)
    return kept


def solve(question: str) -> Problem | None:
    """The exact answer to a simple question ("Solve 3x+5=20", "What is 12*7?"), else None."""
    q = question.replace("×", "*").replace("÷", "/").replace("·", "*").replace("−", "-")
    try:
        if q.count("=") == 1:
            left, right = q.split("=")
            lhs = re.search(_EXPR_CHARS + "*$", left).group().split()  # type: ignore[union-attr]
            rhs = re.match(_EXPR_CHARS + "*", right).group().split()  # type: ignore[union-attr]
            lhs = list(reversed(_clip_words(list(reversed(lhs)))))
            names: set[str] = set()
            a1, b1 = _linear(" ".join(lhs), names)
            a2, b2 = _linear(" ".join(_clip_words(rhs)), names)
            if len(names) != 1 or a1 == a2:
                return None
            var = names.pop()
            return Problem(
                "linear",
                (b2 - b1) / (a1 - a2),
                var,
                f"what could you do to both sides to get {var} on its own?",
            )
        best = None
        for m in re.finditer(r"[-(]*\d[\d.\s+\-*/()^]*", q):
            cand = m.group().strip().rstrip(".+-*/^( ")
            if re.search(r"\d\s*[-+*/^]\s*[-(]*\d", cand) and (best is None or len(cand) > len(best)):
                best = cand
        if best is None:
            return None
        a, b = _linear(best, set())
        return Problem("arithmetic", b, None, "which operation comes first, and what does it give?")
    except (_NotSimple, ZeroDivisionError, OverflowError, ValueError, AttributeError):
        return None


def value_forms(value: Fraction) -> list[str]:
    """Ways the value may be written: "5", "5.0", "-3/4", "-0.75", "1.67", "1.667"."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v.denominator == 1:
        forms = [f"{v.numerator}", f"{v.numerator}.0"]
    else:
        forms = [f"{v.numerator}/{v.denominator}"]
        d = v.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1:
            forms.append(format(float(v), "f").rstrip("0").rstrip("."))
        else:
            forms += [f"{float(v):.2f}", f"{float(v):.3f}"]
    return [sign + f for f in forms] + ([("−" + f) for f in forms] if sign else [])
