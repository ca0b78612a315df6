"""Is this text the answer? Equivalence of answers in any form, never string equality.

    answer_match("x = 2", roots_2_3)              -> Match(full=False, part=True)
    matches_answer("five", x_equals_5)           -> True
    matches_answer("(5, ∞)", x_greater_than_5)   -> True
    matches_answer("2 + 3x²", three_x_sq_plus_2) -> True
    same_value(sympy.Rational(1, 2), sympy.Float(0.5)) -> True

How values are compared (``same_value``): numbers exactly (decimals are read as fractions,
so 0.5 == 1/2); expressions by exact cancellation when they are small rational functions,
otherwise by evaluating both at fixed points (some negative, so |x| != x); sets, tuples,
roots and {unknown: value} maps element by element; relations through their solution sets.
Every step has a size bound and nothing here raises: sympy's ``simplify`` has no time bound
and math-verify's timeout (``signal.alarm``) does not work in Streamlit's script thread, so
neither is used on the hot path. Text is read into sympy pieces by ``notation``.

Form matters for three kinds: an "expand" answer must be written expanded, a "factor" answer
as a product, a "simplify" answer no longer than the checked one; otherwise the question's
own expression (equal in value) would count as its answer. Integrals: an antiderivative that
differs from the answer by a constant is the same answer; one written without "+ C" still
matches (``Match.missing_constant`` says so, and ``check_attempt`` reminds the student).
"""

from __future__ import annotations

import cmath
import re
from dataclasses import dataclass, replace
from itertools import islice

import sympy

from tutor.pedagogy.forms import form_ok
from tutor.pedagogy.notation import Pair, Reading, evaluate, read_answer
from tutor.pedagogy.types import Answer

MAX_NODES = 300  # expressions bigger than this are never "equal" (comparing them has no time bound)
MAX_DEGREE = 40  # exact cancellation only below this degree; above, fixed-point evaluation
_POINTS = (0.5373, 1.2919, 2.1713, -0.7341, 3.4421, -1.9137, 0.1831, 1.7777)
CONSTANT_NAMES = ("C", "c", "K", "k")


@dataclass(frozen=True)
class Match:
    """How a text relates to an answer."""

    full: bool  # it states the whole answer
    part: bool = False  # it states part of it (one root of two, one unknown of two) and nothing wrong
    approx: bool = False  # a rounded decimal of the answer (0.33 for 1/3): close, not exact
    missing_constant: bool = False  # an antiderivative written without "+ C"


NO_MATCH = Match(full=False)


# --------------------------------------------------------------------------- comparing values
def _size(obj) -> int:
    return sum(1 for _ in islice(sympy.preorder_traversal(obj), MAX_NODES + 1))


def _is_finite_number(v) -> bool:
    return isinstance(v, sympy.Number) and v.is_finite is not False and v not in (sympy.nan, sympy.zoo)


def _numbers_equal(a, b) -> bool:
    if a == b:
        return True
    try:
        va, vb = complex(sympy.N(a, 30)), complex(sympy.N(b, 30))
    except (TypeError, ValueError, OverflowError):
        return False
    if not all(map(cmath.isfinite, (va, vb))):  # ∞ and -∞: inf <= 1e-12 * inf would call them equal
        return False
    return abs(va - vb) <= 1e-12 * max(1.0, abs(va), abs(vb))


def _expr_equal(a, b) -> bool:
    if a == b:
        return True
    if _size(a) > MAX_NODES or _size(b) > MAX_NODES:
        return False
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    if not symbols:
        return _numbers_equal(a, b)
    diff = a - b
    try:
        if diff.is_rational_function(*symbols):
            num, den = sympy.fraction(sympy.together(diff))
            if all(sympy.degree(num, s) <= MAX_DEGREE for s in symbols if num.has(s)):
                return sympy.expand(num) == 0
    except Exception:
        pass
    valid = 0
    for i in range(len(_POINTS)):
        point = {s: sympy.Float(_POINTS[(i + 3 * k) % len(_POINTS)]) for k, s in enumerate(symbols)}
        try:
            va, vb = complex(a.evalf(20, subs=point)), complex(b.evalf(20, subs=point))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            continue
        if any(v != v or abs(v) == float("inf") for v in (va, vb)):
            continue
        if abs(va - vb) > 1e-9 * max(1.0, abs(va), abs(vb)):
            return False
        valid += 1
    return valid >= 3


def _as_set(obj):
    """A relation in one unknown as its solution set over the reals; sets as they are."""
    if isinstance(obj, Pair):
        return obj.as_interval()
    if isinstance(obj, sympy.Set):
        return obj
    if isinstance(obj, (sympy.core.relational.Relational, sympy.And, sympy.Or)):
        symbols = obj.free_symbols
        if len(symbols) != 1 or _size(obj) > MAX_NODES:
            return None
        (sym,) = symbols
        try:
            for poly_side in [obj] if not isinstance(obj, (sympy.And, sympy.Or)) else obj.args:
                if sympy.degree(poly_side.lhs - poly_side.rhs, sym) > 4:
                    return None
            return obj.as_set()
        except Exception:
            return None
    return None


def _sets_equal(a, b) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        if isinstance(a, sympy.FiniteSet) and isinstance(b, sympy.FiniteSet):
            return len(a) == len(b) and all(any(_expr_equal(x, y) for y in b) for x in a)
        return bool(sympy.Complement(a, b).is_empty) and bool(sympy.Complement(b, a).is_empty)
    except Exception:
        return False


def same_value(a, b) -> bool:
    """Do two sympy values (numbers, expressions, relations, sets, tuples, dicts) mean the same?"""
    try:
        if isinstance(a, dict) or isinstance(b, dict):
            return (
                isinstance(a, dict)
                and isinstance(b, dict)
                and {str(k) for k in a} == {str(k) for k in b}
                and all(same_value(v, b[next(k2 for k2 in b if str(k2) == str(k))]) for k, v in a.items())
            )
        if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
            a_items, b_items = (
                tuple(a) if isinstance(a, (tuple, list)) else (a,),
                tuple(b) if isinstance(b, (tuple, list)) else (b,),
            )
            return len(a_items) == len(b_items) and all(same_value(x, y) for x, y in zip(a_items, b_items))
        a, b = evaluate(a), evaluate(b)
        rel = (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Set, Pair)
        if isinstance(a, rel) or isinstance(b, rel):
            if (
                isinstance(a, sympy.Eq)
                and isinstance(b, sympy.Eq)
                and len(a.free_symbols | b.free_symbols) > 1
            ):
                ratio = sympy.cancel((a.lhs - a.rhs) / (b.lhs - b.rhs))
                return not ratio.free_symbols and ratio != 0
            return _sets_equal(_as_set(a), _as_set(b))
        if isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr):
            return _expr_equal(a, b)
        return a == b
    except Exception:
        return False


# --------------------------------------------------------------------------- the answer
def _constants(expr, keep: set[str] = frozenset()) -> set:
    """The constants of integration in ``expr`` (C, c, K, k that are not an unknown)."""
    return {s for s in expr.free_symbols if str(s) in CONSTANT_NAMES and str(s) not in keep}


def _decimals(text: str) -> int:
    return max((len(m) for m in re.findall(r"\d\.(\d+)", text)), default=0)


def _approx(candidate, value, text: str) -> bool:
    """A decimal rounded from the answer, to 2 or more places (1.67 for 5/3)."""
    places = _decimals(text)
    if places < 2 or not _is_finite_number(candidate) or not isinstance(value, sympy.Expr):
        return False
    if value.free_symbols or not value.is_real:
        return False
    try:
        return abs(float(candidate) - float(value)) <= 0.5 * 10**-places + 1e-12
    except (TypeError, ValueError, OverflowError):
        return False


def _assignment(piece) -> tuple[str, object] | None:
    """``x = 5`` or ``5 = x`` -> ("x", 5): a lone unknown given a value without unknowns."""
    if not isinstance(piece, sympy.Eq):
        return None
    for name_side, value_side in ((piece.lhs, piece.rhs), (piece.rhs, piece.lhs)):
        if isinstance(name_side, sympy.Symbol) and not value_side.free_symbols:
            return str(name_side), value_side
    return None


def _match_assignments(reading: Reading, value: dict) -> Match:
    names = {str(k): v for k, v in value.items()}
    found: dict[str, object] = {}
    for piece in reading.pieces:
        pair = _assignment(piece)
        if isinstance(piece, Pair) and len(piece.items) == len(names):
            found.update(zip(sorted(names), piece.items))
        elif pair is not None:
            found[pair[0]] = pair[1]
        elif len(names) == 1 and isinstance(piece, sympy.Expr) and not piece.free_symbols:
            found[next(iter(names))] = piece
        else:
            return NO_MATCH  # a step (3x = 15), not a value
    if not found or any(n not in names for n in found):
        return NO_MATCH
    right = [n for n, v in found.items() if same_value(v, names[n])]
    if len(right) < len(found):
        close = all(n in right or _approx(v, names[n], reading.text) for n, v in found.items())
        return Match(full=False, approx=close)
    full = len(right) == len(names)
    return Match(full=full, part=not full)


def _match_roots(reading: Reading, roots: tuple) -> Match:
    if not roots:
        return Match(full=list(reading.pieces) == [sympy.S.EmptySet])
    values: list = []
    for piece in reading.pieces:
        pair = _assignment(piece)
        if isinstance(piece, sympy.FiniteSet):
            values += list(piece)
        elif isinstance(piece, Pair):
            values += list(piece.items)
        elif pair is not None:
            values.append(pair[1])
        elif isinstance(piece, sympy.Expr) and not piece.free_symbols:
            values.append(piece)
        else:
            return NO_MATCH
    covered, approx = set(), False
    for v in values:
        hits = [i for i, r in enumerate(roots) if same_value(v, r)]
        if not hits:
            if any(_approx(v, r, reading.text) for r in roots):
                approx = True
                continue
            return NO_MATCH
        covered.update(hits)
    if approx:
        return Match(full=False, approx=True)
    full = len(covered) == len(roots)
    return Match(full=full, part=bool(covered) and not full)


def _solved_form(piece) -> bool:
    """``x > 5``, ``5 < x``, ``-1 < x < 3``, an interval: the unknown alone on its side."""
    if isinstance(piece, (sympy.And, sympy.Or)):
        return all(_solved_form(a) for a in piece.args)
    if isinstance(piece, sympy.core.relational.Relational):
        sides = (piece.lhs, piece.rhs)
        return any(isinstance(a, sympy.Symbol) and not b.free_symbols for a, b in (sides, sides[::-1]))
    return True


def _match_set(reading: Reading, value) -> Match:
    target = _as_set(value)
    sets = []
    for piece in reading.pieces:
        if isinstance(piece, sympy.Eq) and isinstance(piece.rhs, sympy.Set):  # x \in (5, \infty)
            piece = piece.rhs
        if not _solved_form(piece):  # 2x > 10 is a step towards x > 5, not the answer
            return NO_MATCH
        s = _as_set(piece)
        if s is None:
            return NO_MATCH
        sets.append(s)
    if not sets:
        return NO_MATCH
    combined = sympy.Union(*sets) if reading.joined_by_or else sympy.Intersection(*sets)
    return Match(full=_sets_equal(combined, target))


def _named_side(piece, value):
    """``f'(x) = 3x^2 + 2``, ``y = 3x^2 + 2`` -> the stated side; a plain expression as it is."""
    if isinstance(piece, sympy.Eq):
        for name, stated in ((piece.lhs, piece.rhs), (piece.rhs, piece.lhs)):
            if (
                isinstance(name, (sympy.Symbol, sympy.Function, sympy.Derivative))
                and name not in value.free_symbols
            ):
                return stated
            if isinstance(name, sympy.Symbol) and not stated.free_symbols and not value.free_symbols:
                return stated  # "x = 12" for an arithmetic answer
        return None
    return piece if isinstance(piece, sympy.Expr) else None


def _match_expression(reading: Reading, answer: Answer, kind: str | None) -> Match:
    value = evaluate(answer.value)
    if len(reading.pieces) != 1:
        return NO_MATCH
    stated = _named_side(reading.pieces[0], value)
    if stated is None:
        return NO_MATCH
    text = reading.text.split("=")[-1]
    extra_constant = _constants(stated, {str(s) for s in value.free_symbols})
    if (
        extra_constant and kind is None and not _constants(value)
    ):  # "x^2 + C" for x^2: the same antiderivative
        plain = stated.subs({c: 0 for c in extra_constant})
        return Match(full=same_value(plain, value) and form_ok(kind, text, answer))
    if kind == "integral" or _constants(value):
        base = value.subs({c: 0 for c in _constants(value)})
        keep = {str(s) for s in base.free_symbols}
        consts = _constants(stated, keep)
        plain = stated.subs({c: 0 for c in consts})
        unknowns = base.free_symbols | plain.free_symbols
        same = same_value(plain, base) or (
            bool(unknowns) and all(_expr_equal(sympy.diff(plain, s), sympy.diff(base, s)) for s in unknowns)
        )
        return Match(full=same, missing_constant=same and not consts)
    if not same_value(stated, value):
        return Match(full=False, approx=_approx(stated, value, text))
    return Match(full=form_ok(kind, text, answer))


def answer_match(text: str, answer: Answer, kind: str | None = None) -> Match:
    """How ``text`` (a student's or model's answer, any form) relates to ``answer``.

    ``kind`` is the problem's kind (``Solution.problem.kind``); it decides the form rules for
    expand / factor / simplify and the constant rule for integrals. Never raises.
    """
    try:
        reading = read_answer(text)
        if not reading.pieces or answer is None:
            return NO_MATCH
        if is_percent(answer) and "%" in reading.text:  # "24%" for the answer 24 (percent)
            answer = replace(answer, value=answer.value / 100)
        value = answer.value
        if kind == "limit" and value in (sympy.oo, -sympy.oo) and list(reading.pieces) == [sympy.S.EmptySet]:
            return Match(full=True)  # lim 1/x^2 = ∞: "does not exist" (as a number) says the same
        if isinstance(value, sympy.Set) and value.free_symbols:  # a system's line of solutions
            return Match(full=list(reading.pieces) == [sympy.S.Reals])  # "infinitely many solutions"
        if isinstance(value, dict):
            return _match_assignments(reading, value)
        if isinstance(value, (tuple, list)):
            return _match_roots(reading, tuple(value))
        if isinstance(value, (sympy.Set, sympy.core.relational.Relational, sympy.And, sympy.Or)):
            return _match_set(reading, value)
        if isinstance(value, sympy.Expr):
            return _match_expression(reading, answer, kind)
    except Exception:  # a reader or sympy corner case: not a match, never a crash
        pass
    return NO_MATCH


def matches_answer(text: str, answer: Answer, kind: str | None = None) -> bool:
    """Does ``text`` state the whole answer, in any equivalent form? (see ``answer_match``)"""
    return answer_match(text, answer, kind).full


def is_percent(answer: Answer | None) -> bool:
    """A "what percent" answer: its value is the number of percent (24 for 24%)."""
    return answer is not None and answer.text.strip().endswith("%") and isinstance(answer.value, sympy.Number)


def answer_values(answer: Answer) -> list:
    """The single values an answer is made of: the roots, each unknown's value, or the value
    (for a percentage both ways: 24 and 0.24 for 24%)."""
    value = answer.value if answer is not None else None
    if is_percent(answer):
        return [value, value / 100]
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (tuple, list)):
        return list(value)
    if isinstance(value, sympy.Expr):
        return [value]
    return []
