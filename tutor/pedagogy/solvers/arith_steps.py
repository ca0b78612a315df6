"""The arithmetic step engine: one operation at a time on a tree of ``arith_tree``, order of operations kept.

    run(tree, decimals) -> [Move, ...]   # each Move's state is the tree after one operation

Which operation comes next follows the order of operations (brackets, powers and roots,
multiplication and division left to right, then addition and subtraction); fractions are put
over a common denominator before they are added, mixed numbers and percentages are rewritten
first. ``arithmetic`` builds the problem forms (percentages, conversions) on top of it.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd, lcm

import sympy

from tutor.pedagogy.solvers import arith_tree as at
from tutor.pedagogy.solvers.arith_tree import Bin, Frac, Group, Mixed, Neg, Num, Pct, Root
from tutor.pedagogy.solvers.base import CannotSolve, Move, decimal_str, terminating

MAX_STEPS = 30


def _atom(node: object) -> bool:
    if isinstance(node, Neg):
        return _atom(node.x)
    if isinstance(node, Group):  # (-3) stays in its brackets, but is a number
        return isinstance(node.x, Neg) and _atom(node.x)
    if isinstance(node, Frac):
        return node.q != 0 and node.p % node.q != 0 or node.p == 0
    return isinstance(node, (Num, Pct))


def number(v: Fraction, decimals: bool) -> object:
    """A computed value as a node: whole numbers and decimals as Num, other fractions as Frac."""
    if v.denominator == 1:
        return Num(v, str(v.numerator)) if v >= 0 else Neg(Num(-v, str(-v.numerator)))
    if decimals and terminating(sympy.Rational(v.numerator, v.denominator)):
        text = decimal_str(sympy.Rational(v.numerator, v.denominator))
        return Num(v, text) if v > 0 else Neg(Num(-v, text.lstrip("-")))
    return Frac(v.numerator, v.denominator) if v > 0 else Neg(Frac(-v.numerator, v.denominator))


def value_of(node: object) -> Fraction:
    v = at.value(node)
    if not v.is_Rational:
        raise CannotSolve("not a rational number")
    return Fraction(int(v.p), int(v.q))


def _fraction_parts(node: object) -> tuple[int, int] | None:
    """(p, q) of a fraction or whole number, sign included; None for decimals and percentages."""
    if isinstance(node, Group):
        return _fraction_parts(node.x)
    if isinstance(node, Neg):
        inner = _fraction_parts(node.x)
        return (-inner[0], inner[1]) if inner else None
    if isinstance(node, Frac):
        return node.p, node.q
    if isinstance(node, Num) and "." not in node.text:
        return int(node.value), 1
    return None


def _frac(p: int, q: int) -> object:
    node: object = Frac(abs(p), q) if q != 1 else Num(Fraction(abs(p)), str(abs(p)))
    return Neg(node) if p < 0 else node


def _candidates(node: object, depth: int = 0, out: list | None = None) -> list:
    """Every place an operation can be done now: (group depth, level, order, node)."""
    out = [] if out is None else out
    if isinstance(node, Group):
        _candidates(node.x, depth + 1, out)
    elif isinstance(node, Neg):
        _candidates(node.x, depth, out)
    elif isinstance(node, Root):
        if _atom(node.x) or isinstance(node.x, Group) and _atom(node.x.x):
            out.append((depth, 0, len(out), node))
        else:
            _candidates(node.x, depth + 1, out)
    elif isinstance(node, Frac) and not _atom(node):
        out.append((depth, 1, len(out), node))
    elif isinstance(node, Bin):
        _candidates(node.left, depth, out)
        if _atom(node.left) and _atom(node.right):
            out.append((depth, {"^": 0, "*": 1, "÷": 1}.get(node.op, 2), len(out), node))
        _candidates(node.right, depth, out)
    return out


def _replace(node: object, old: object, new: object) -> object:
    if node is old:
        return new
    if isinstance(node, Group):
        inner = _replace(node.x, old, new)
        return inner if _atom(inner) and not isinstance(inner, Neg) else Group(inner)
    if isinstance(node, Neg):
        return Neg(_replace(node.x, old, new))
    if isinstance(node, Root):
        return Root(_replace(node.x, old, new))
    if isinstance(node, Bin):
        return Bin(node.op, _replace(node.left, old, new), _replace(node.right, old, new))
    return node


def _map_leaves(node: object, fn) -> object:
    if isinstance(node, (Num, Pct, Frac, Mixed)):
        return fn(node)
    if isinstance(node, (Group, Neg, Root)):
        return type(node)(_map_leaves(node.x, fn))
    if isinstance(node, Bin):
        return Bin(node.op, _map_leaves(node.left, fn), _map_leaves(node.right, fn))
    return node


def contains(node: object, kind: type) -> bool:
    if isinstance(node, kind):
        return True
    return any(contains(getattr(node, f), kind) for f in ("left", "right", "x") if hasattr(node, f))


def _t(node: object) -> str:
    return at.tex(node)


_VERB = {"+": "Add", "-": "Subtract", "*": "Multiply", "÷": "Divide"}


def _step(tree: object, decimals: bool) -> tuple:
    """One step: (new tree, sentence, guiding question[, the sentence without its result])."""
    if contains(tree, Mixed):
        new = _map_leaves(tree, lambda n: Frac(n.whole * n.q + n.p, n.q) if isinstance(n, Mixed) else n)
        return new, "Write each mixed number as an improper fraction.", "How do you write a mixed number as one fraction?"
    if contains(tree, Pct):
        new = _map_leaves(tree, lambda n: number(n.value / 100, True) if isinstance(n, Pct) else n)
        return (new, "A percentage is a number out of 100: write it as a decimal.",
                "What is the percentage as a decimal (divide it by 100)?")  # fmt: skip
    found = _candidates(tree)
    if not found:
        raise CannotSolve("nothing to do")
    depth, level, _, node = min(found, key=lambda c: (-c[0], c[1], c[2]))
    if isinstance(node, Root):
        v = value_of(node.x.x if isinstance(node.x, Group) else node.x)
        r = sympy.sqrt(sympy.Rational(v.numerator, v.denominator))
        if not r.is_Rational:
            raise CannotSolve("square root is not a whole number or fraction")
        new_node = number(Fraction(int(r.p), int(r.q)), decimals)
        why = "Work out the square root"
    elif isinstance(node, Frac):  # 12/4 standing for a whole number
        new_node = number(Fraction(node.p, node.q), decimals)
        why = "Divide"
    else:
        parts = (_fraction_parts(node.left), _fraction_parts(node.right))
        fractions = any(isinstance(strip_groups(s), Frac) for s in (node.left, node.right))
        if fractions and None not in parts and node.op in "+-":
            (p1, q1), (p2, q2) = parts
            if q1 != q2:
                d = lcm(q1, q2)
                new = Bin(node.op, _frac(p1 * d // q1, d), _frac(p2 * d // q2, d))
                return (_replace(tree, node, new),
                        f"Write both fractions with the common denominator {d}.",
                        f"What is the lowest common denominator of {q1} and {q2}?")  # fmt: skip
            total = p1 + p2 if node.op == "+" else p1 - p2
            new = _frac(total, q1)
            return (_replace(tree, node, new),
                    f"{_VERB[node.op]} the numerators and keep the denominator: ${_t(node)} = {_t(new)}$.",
                    "Now that the denominators match, what do you do with the numerators?",
                    f"{_VERB[node.op]} the numerators and keep the denominator.")  # fmt: skip
        if fractions and None not in parts and node.op == "÷":
            (p1, q1), (p2, q2) = parts
            if p2 == 0:
                raise CannotSolve("division by zero")
            new = Bin("*", node.left, _frac(q2 if p2 > 0 else -q2, abs(p2)))
            return (_replace(tree, node, new),
                    "Dividing by a fraction is the same as multiplying by its reciprocal (flip it over).",
                    "What is the reciprocal of the fraction you divide by?")  # fmt: skip
        if fractions and None not in parts and node.op == "*":
            (p1, q1), (p2, q2) = parts
            new = _frac(p1 * p2, q1 * q2)
            return (_replace(tree, node, new),
                    f"Multiply the numerators together and the denominators together: ${_t(node)} = {_t(new)}$.",
                    "What do you get when you multiply top by top and bottom by bottom?",
                    "Multiply the numerators together and the denominators together.")  # fmt: skip
        new_node = number(value_of(node), decimals)
        why = {"^": "Powers come first", "*": "Multiply", "÷": "Divide", "+": "Add", "-": "Subtract"}[node.op]
        if level == 1 and _has_add(tree):
            why = f"{_VERB[node.op]} before you add or subtract"
    if depth > 0:
        why = "Work out the brackets first"
    sentence = f"{why}: ${_t(node)} = {_t(new_node)}$."
    action = f"{why}: work out ${_t(node)}$."
    return _replace(tree, node, new_node), sentence, "Which operation comes first here, and what does it give?", action


def _has_add(node: object) -> bool:
    if isinstance(node, Bin):
        return node.op in "+-" or _has_add(node.left) or _has_add(node.right)
    return isinstance(node, (Group, Neg, Root)) and _has_add(node.x)


def strip_groups(node: object) -> object:
    """The number inside its sign and brackets: (-3/4) -> 3/4."""
    while isinstance(node, (Neg, Group)):
        node = node.x
    return node


def run(tree: object, decimals: bool) -> list[Move]:
    """Steps from ``tree`` to a single number (a fraction in lowest terms)."""
    moves: list[Move] = []
    while not _atom(tree) or isinstance(strip_groups(tree), Frac) and _reducible(strip_groups(tree)):
        if len(moves) >= MAX_STEPS:
            raise CannotSolve("too many steps")
        if _atom(tree):  # a fraction to simplify
            f = strip_groups(tree)
            g = gcd(f.p, f.q)
            new = number(Fraction(f.p, f.q), False)  # lowest terms (a decimal only at the answer)
            new = Neg(new) if isinstance(tree, Neg) else new
            text = f"Simplify the fraction: divide the top and the bottom by {g}."
            ask = "What is the largest number that divides both the top and the bottom?"
            action = ""
        else:
            new, text, ask, *rest = _step(tree, decimals)
            action = rest[0] if rest else ""
        moves.append(Move(text, new, at.tex(new), ask, action))
        tree = new
    return moves


def _reducible(f: Frac) -> bool:
    return gcd(f.p, f.q) > 1
