"""Read one piece of math written as plain text, Unicode or LaTeX into a sympy object.

    parse_math("3x + 5 = 20")            -> Eq(3*x + 5, 20)
    parse_math("2x² − 3 ≥ 5")             -> 2*x**2 - 3 >= 5
    parse_math(r"\\frac{1}{2} + 0.25")    -> 3/4
    parse_math("$3x^2 + 2$")              -> 3*x**2 + 2

Plain text goes through sympy's ``parse_expr``, which calls ``eval``: so the text is first
reduced to a whitelist (digits, single-letter variables, a few function names, operators,
brackets) and anything else is refused before sympy sees it. Powers with huge exponents
(``9^9^9``) and numbers too large to write (``((10^1000)^1000)^1000``) are refused before
they are evaluated. LaTeX goes through ``latex2sympy2_extended`` (the parser math-verify uses),
imported on first use; its result must be made of whitelisted node types and passes the same
bounds before it is evaluated. Every failure is ``MathParseError``; nothing else escapes.

``parse_structure`` gives the same math unevaluated (``2(x + 3)`` keeps its brackets, ``2.5``
stays a decimal), for showing a problem as the student wrote it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    rationalize,
    standard_transformations,
)

from tutor.pedagogy.latex import (
    latex_calls,
    latex_higher_derivatives,
    latex_integrals,
    latex_mixed,
    latex_to_plain,
    looks_like_latex,
    one_sided_limit,
    strip_delimiters,
)
from tutor.pedagogy.types import MathParseError

__all__ = ["MathParseError", "latex_to_plain", "normalize_unicode", "parse_math", "parse_structure", "to_latex"]

MAX_CHARS = 300  # longer "math" is not a school exercise; refuse rather than risk a slow parse
MAX_EXPONENT = 1000  # |exponent| above this is refused before evaluation (9^9^9 would hang)
FUNCTIONS = ("sqrt", "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "log", "ln", "exp", "abs")
_SYMPY_NAMES = {"arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan}
CONSTANTS = ("pi", "e")


# --- Unicode -> ASCII ------------------------------------------------------------------------
_UNICODE = {
    "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "∕": "/", "−": "-", "–": "-", "—": "-",
    "＋": "+", "＝": "=", "≤": "<=", "≥": ">=", "⩽": "<=", "⩾": ">=", "≠": "!=", "π": "pi",
    "√": "sqrt", "∞": "oo", "（": "(", "）": ")", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺₀₁₂₃₄₅₆₇₈₉₋₊", "0123456789-+0123456789-+")
_SUPER_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉₋₊]+")  # ∫₀² : the bounds of an integral
_VULGAR = {"½": "(1/2)", "⅓": "(1/3)", "⅔": "(2/3)", "¼": "(1/4)", "¾": "(3/4)", "⅕": "(1/5)", "⅖": "(2/5)",
           "⅗": "(3/5)", "⅘": "(4/5)", "⅙": "(1/6)", "⅚": "(5/6)", "⅐": "(1/7)", "⅛": "(1/8)", "⅜": "(3/8)",
           "⅝": "(5/8)", "⅞": "(7/8)", "⅑": "(1/9)", "⅒": "(1/10)"}


_ROOT_ARG = re.compile(r"√\s*(\d+(?:\.\d+)?|[A-Za-z])")
_MIXED_VULGAR = re.compile(r"(\d)[ \t]*([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒])")  # 3⅓, 3 ⅓: a mixed number, never 3 × ⅓


def normalize_unicode(text: str) -> str:
    """Unicode math signs as ASCII: ``2x² − 3 ≥ 5`` -> ``2x^(2) - 3 >= 5``; ``√9`` -> ``sqrt(9)``."""
    text = _SUPER_RUN.sub(lambda m: "^(" + m.group().translate(_SUPERSCRIPTS) + ")", text)
    text = _SUB_RUN.sub(lambda m: "_(" + m.group().translate(_SUPERSCRIPTS) + ")", text)
    text = _ROOT_ARG.sub(r"sqrt(\1)", text)
    text = _MIXED_VULGAR.sub(lambda m: f"{m.group(1)} {_VULGAR[m.group(2)][1:-1]}", text)  # 3⅓ -> 3 1/3
    for src, dst in {**_UNICODE, **_VULGAR}.items():
        text = text.replace(src, dst)
    return text


# --- LaTeX -----------------------------------------------------------------------------------
_LATEX_NODES = (
    sympy.Add, sympy.Mul, sympy.Pow, sympy.Symbol, sympy.Number, sympy.NumberSymbol, sympy.Tuple,
    sympy.core.relational.Relational, sympy.UnevaluatedExpr, sympy.Derivative, sympy.Integral,
    sympy.Limit, sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot, sympy.asin, sympy.acos,
    sympy.atan, sympy.log, sympy.exp, sympy.Abs,
    sympy.core.numbers.ImaginaryUnit, sympy.core.numbers.Infinity, sympy.core.numbers.NegativeInfinity,
)  # fmt: skip


_LATEX_NAME = re.compile(r"^(?:[A-Za-z](?:_\{?\w+\}?)?|alpha|beta|gamma|delta|theta|lambda|mu|phi|omega|sigma|tau)$")


def _parse_latex(text: str, evaluate: bool = True) -> sympy.Basic:
    from latex2sympy2_extended import latex2sympy  # imported on first use: it loads ANTLR (~50 ms)

    try:
        result = latex2sympy(latex_integrals(latex_calls(latex_higher_derivatives(latex_mixed(text)))))
    except MathParseError:
        raise
    except Exception as exc:  # the ANTLR parser raises many types
        raise MathParseError(f"not LaTeX we can read: {text!r} ({type(exc).__name__})") from None
    if not isinstance(result, sympy.Basic) or isinstance(result, sympy.logic.boolalg.BooleanFunction):
        raise MathParseError(f"LaTeX did not give one expression: {text!r}")
    for node in sympy.preorder_traversal(result):
        if not isinstance(node, _LATEX_NODES):
            raise MathParseError(f"LaTeX with {type(node).__name__} is not supported")
        if isinstance(node, sympy.Symbol) and node.name not in ("+", "-", "+-") and not _LATEX_NAME.match(node.name):
            raise MathParseError(f"LaTeX read a symbol named {node.name!r}")  # \frac{d^2}{dx^2}: d times dx?
    _check_size(result)
    if result.has(sympy.Limit) and not one_sided_limit(text):  # \lim_{x \to 0}: two-sided, as written
        result = result.replace(
            lambda n: isinstance(n, sympy.Limit) and n.args[2].is_finite,
            lambda n: sympy.Limit(*n.args[:3], dir="+-"),
        )
    if not evaluate:
        return result
    try:
        return _evaluate(result)
    except Exception as exc:
        raise MathParseError(f"LaTeX we cannot evaluate: {text!r} ({type(exc).__name__})") from None


# --- plain text --------------------------------------------------------------------------------
_TRANSFORMS = (*standard_transformations, rationalize, implicit_multiplication_application, convert_xor)
_TRANSFORMS_SHOWN = (*standard_transformations, implicit_multiplication_application, convert_xor)
_WORD = re.compile(r"[A-Za-z]+")
_ALLOWED_CHARS = re.compile(r"^[0-9A-Za-z+\-*/^().,=<>! \t]*$")
_REL = re.compile(r"(<=|>=|!=|==|=|<|>)")


# short English words that would otherwise read as products of letters ("15% of 80" -> 12*f*o)
ENGLISH = frozenset(
    "of is in at to be an as or if it by on so no do up us we me my he go am ok hi and the for are not was but "
    "you can has had her his its our one two six ten get got let set put use see say how who why all any few "
    "yes now new old per sum add off out try way too via may did ans than then".split()
)


def _check_words(text: str) -> None:
    for word in _WORD.findall(text):
        if word.lower() in ENGLISH:
            raise MathParseError(f"the word {word!r} in math")
        if len(word) == 1 or word in FUNCTIONS or word in CONSTANTS or word == "oo":
            continue
        # implicit products of single letters ("xy", "ab") are fine; function names glued
        # to a variable ("sqrtx", "sinx") are split by sympy's transformations
        parts = _split_word(word)
        if all(len(w) == 1 or w in FUNCTIONS for w in parts):
            continue
        raise MathParseError(f"unknown word {word!r} in math")


def _split_word(word: str) -> list[str]:
    """``sqrtx`` -> [sqrt, x]; ``xy`` -> [x, y]; a word that cannot be split stays whole."""
    for name in sorted(FUNCTIONS, key=len, reverse=True):
        if word.startswith(name) and len(word) > len(name):
            return [name, *_split_word(word[len(name) :])]
    return list(word) if len(word) <= 3 else [word]


def _local_names(text: str) -> dict:
    names: dict = {"e": sympy.E, "pi": sympy.pi, "ln": sympy.log, "oo": sympy.oo, "abs": sympy.Abs, **_SYMPY_NAMES}
    for word in _WORD.findall(text):
        for part in _split_word(word):
            if len(part) == 1 and part not in names:
                names[part] = sympy.Symbol(part)
    # the letter E and I would otherwise be sympy's constants / imaginary unit
    for letter in ("E", "I", "N", "S", "O", "Q"):
        names.setdefault(letter, sympy.Symbol(letter))
    return names


def _glue_functions(text: str) -> str:
    """``sqrtx`` -> ``sqrt(x)``-ready ``sqrt x``; ``sinx`` -> ``sin x``; ``2xy`` stays."""

    def fix(m: re.Match) -> str:
        parts = _split_word(m.group())
        return " ".join(parts) if len(parts) > 1 and parts[0] in FUNCTIONS else m.group()

    return _WORD.sub(fix, text)


MAX_NODES = 400  # a school exercise has far fewer nodes; bigger trees would make sympy slow
MAX_DIGITS = 4000  # an upper bound on the digits of any number the text evaluates to


def _digits(node: sympy.Basic) -> float:
    """An upper bound on log10 |value| of a numeric subtree (0 for symbolic parts)."""
    if isinstance(node, sympy.Rational):
        return float(max(len(str(abs(node.p))), len(str(node.q))))
    if isinstance(node, sympy.Float):
        return float(len(str(int(abs(node))))) + 1 if abs(node) > 1 else 1.0
    if node.is_Atom:
        return 1.0
    if isinstance(node, sympy.Pow):
        base, exp = _digits(node.base), _digits(node.exp)
        if not node.exp.free_symbols and not node.exp.has(sympy.oo, sympy.zoo):
            if exp > 4:  # an exponent above 10^4 is refused whatever its base
                raise MathParseError("exponent too large")
            value = abs(_evaluate(node.exp))
            if value.is_number and value.is_finite:
                if value > MAX_EXPONENT:
                    raise MathParseError("exponent too large")
                return base * float(value) + 1
        elif any(isinstance(n, sympy.Pow) and n.exp.free_symbols for n in sympy.preorder_traversal(node.exp)):
            raise MathParseError("power towers are not supported")  # x^x^x; e^(x^2) is fine
        return base + 1
    parts = [_digits(a) for a in node.args if isinstance(a, sympy.Basic)]
    if isinstance(node, sympy.Add):
        return max(parts, default=1.0) + 1
    return sum(parts) + 1


def _check_size(expr: sympy.Basic) -> None:
    """Refuse trees too big to handle quickly and numbers too large to write."""
    nodes = 0
    for _ in sympy.preorder_traversal(expr):
        nodes += 1
        if nodes > MAX_NODES:
            raise MathParseError("expression too large")
    if _digits(expr) > MAX_DIGITS:
        raise MathParseError("number too large")


def _evaluate(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild an unevaluated tree bottom-up with sympy's normal evaluation (after the checks)."""
    if expr.is_Atom:
        return expr
    if isinstance(expr, sympy.UnevaluatedExpr):
        return _evaluate(expr.args[0])
    if isinstance(expr, sympy.Limit):
        e, z, z0, direction = expr.args
        return sympy.Limit(_evaluate(e), z, _evaluate(z0), dir=str(direction))
    return expr.func(*[_evaluate(a) for a in expr.args])


def _parse_plain_expr(text: str, evaluate: bool = True) -> sympy.Basic:
    # unevaluated (for display): no rationalize, so a decimal the student wrote stays a decimal
    transforms = _TRANSFORMS if evaluate else _TRANSFORMS_SHOWN
    text = text.strip()
    if not text:
        raise MathParseError("empty")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    if "," in text:
        raise MathParseError("a list, not one expression")
    names = _local_names(text)
    glued = _glue_functions(text)
    try:
        raw = parse_expr(glued, local_dict=names, transformations=transforms, evaluate=False)
        _check_size(raw)
        if not evaluate:
            return raw
        return parse_expr(glued, local_dict=names, transformations=transforms, evaluate=True)
    except MathParseError:
        raise
    except Exception as exc:  # SyntaxError, TokenError, TypeError, ValueError, RecursionError, ...
        raise MathParseError(f"not math we can read: {text!r} ({type(exc).__name__})") from None


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_BAD_DOT = re.compile(r"\.(?!\d)|(?<=[A-Za-z)])\.")  # only decimal points: no attribute access


_SIDE_BY_SIDE = re.compile(r"\d\s+\.?\d")  # "2 3": two numbers side by side: refuse
# "2 1/2": a mixed number (a whole number, a space, a proper fraction), read as (2 + 1/2)
_MIXED = re.compile(r"(?<![\d.^/*])(\d+)\s+(\d+)\s*/\s*(\d+)(?![\d.]|\s*[\^(A-Za-z])")  # 2 1/2x: refused


def _mixed_numbers(text: str) -> str:
    def one(m: re.Match) -> str:
        whole, p, q = m.group(1), int(m.group(2)), int(m.group(3))
        if not 0 < p < q:
            raise MathParseError("a whole number before an improper fraction: a mixed number or two numbers?")
        return f"({whole} + {p}/{q})"

    return _MIXED.sub(one, text)
_SCIENTIFIC = re.compile(r"\d\.?[eE][+-]?\d")
_AMBIGUOUS = (  # readings people disagree on: refuse rather than guess
    (re.compile(r"/\s*\d+(?:\.\d+)?[A-Za-z(]"), "1/2x: (1/2)x or 1/(2x)?"),
    (re.compile(r"\b(?:sin|cos|tan|ln|log|exp|sqrt)\s+[A-Za-z0-9.]+\s*\^"), "sin x^2: sin(x^2) or (sin x)^2?"),
    (re.compile(r"\b(?:ln|log)\d"), "log2: a base or a product?"),
    (re.compile(r"(?<![A-Za-z])e\s*\^\s*-?\d+(?:\.\d+)?\s*[A-Za-z(]"), "e^3x: e^(3x) or (e^3)x?"),
)
_FUNCTION_DIGIT = re.compile(r"\b(sin|cos|tan)(?=\d)")  # sin2x: sin 2x, never s*i*n*2*x
_BARS = re.compile(r"(\b(?:ln|log))?\s*\|([^|]+)\|")  # ln|x + 1| -> ln(abs(x + 1))
_TRIG_POWER = re.compile(  # sin^2 x, sec^2(x): the power of the function's value
    r"(?<![A-Za-z])(sin|cos|tan|sec|csc|cot)\s*\^\s*\(?(\d)\)?\s*(\((?:[^()]|\([^()]*\))*\)|\d*[a-z](?![a-z(^]))"
)


def _plain_notation(text: str) -> str:
    """Absolute value bars and powers of trig functions as function calls sympy reads."""
    text = _BARS.sub(lambda m: f"{m.group(1)}(abs({m.group(2)}))" if m.group(1) else f" abs({m.group(2)})", text)
    return _TRIG_POWER.sub(lambda m: f"({m.group(1)}({m.group(3)}))^{m.group(2)}", text)


def _parse_plain(text: str, evaluate: bool = True) -> sympy.Basic:
    text = _PERCENT.sub(r"(\1/100)", text)  # 25% -> (25/100)
    text = text.replace("{", "(").replace("}", ")")  # a LaTeX group ("{10.5}") is a bracket; lists are refused
    text = _mixed_numbers(text)
    if _SIDE_BY_SIDE.search(text):
        raise MathParseError("two numbers side by side")
    if _SCIENTIFIC.search(text):
        raise MathParseError("3e2: scientific notation or 3 times e times 2? refuse")
    for pattern, why in _AMBIGUOUS:
        if pattern.search(text):
            raise MathParseError(f"ambiguous: {why}")
    text = _plain_notation(_FUNCTION_DIGIT.sub(r"\1 ", text))
    if re.search(r"[A-Za-z]\d", text):
        raise MathParseError("a letter followed by a digit (x2?): write x*2 or x^2")
    if re.search(r"!(?!=)", text):
        raise MathParseError("factorials are not supported")
    if _BAD_DOT.search(text.rstrip(".")):
        raise MathParseError("a dot that is not a decimal point")
    text = text.rstrip(". ")
    if not _ALLOWED_CHARS.match(text):
        bad = sorted({c for c in text if not _ALLOWED_CHARS.match(c)})
        raise MathParseError(f"characters not allowed in math: {''.join(bad)!r}")
    _check_words(text)
    parts = _REL.split(text)
    if len(parts) == 1:
        return _parse_plain_expr(text, evaluate)
    if len(parts) != 3:
        raise MathParseError("more than one relation sign")
    left, op, right = parts
    lhs, rhs = _parse_plain_expr(left, evaluate), _parse_plain_expr(right, evaluate)
    rel = {"=": sympy.Eq, "==": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge,
           "!=": sympy.Ne}[op]  # fmt: skip
    return rel(lhs, rhs, evaluate=False)


def exact(obj: sympy.Basic) -> sympy.Basic:
    """Decimals as exact fractions (0.25 -> 1/4), so 0.5 and 1/2 compare equal."""
    floats = {f: sympy.Rational(str(f)) for f in obj.atoms(sympy.Float)}
    return obj.xreplace(floats) if floats else obj


def _parse(text: str, evaluate: bool) -> sympy.Basic:
    text = strip_delimiters(text.strip()).replace("\\%", "%")
    if not text.strip():
        raise MathParseError("empty")
    if len(text) > MAX_CHARS:
        raise MathParseError("too long to be one piece of math")
    if "\x00" in text:
        raise MathParseError("control characters in math")
    try:
        if looks_like_latex(text):
            return _parse_latex(text, evaluate)
        return _parse_plain(normalize_unicode(text), evaluate)
    except RecursionError:
        raise MathParseError("nested too deeply") from None


def parse_math(text: str) -> sympy.Basic:
    """One expression, equation or inequality from plain text, Unicode or LaTeX.

    Raises ``MathParseError`` for anything else (words, lists, code, empty, too long).
    """
    if not isinstance(text, str):
        raise MathParseError("not text")
    return _parse_math(text)


@lru_cache(maxsize=2048)
def _parse_math(text: str) -> sympy.Basic:
    return exact(_parse(text, evaluate=True))


def parse_structure(text: str) -> sympy.Basic:
    """The same math unevaluated, as written: ``2(x + 3)`` keeps its brackets, ``2.5`` stays 2.5.

    For display only: compare and solve with ``parse_math``. Raises ``MathParseError`` like it.
    """
    if not isinstance(text, str):
        raise MathParseError("not text")
    return _parse_structure(text)


@lru_cache(maxsize=512)
def _parse_structure(text: str) -> sympy.Basic:
    return _parse(text, evaluate=False)


def to_latex(obj: sympy.Basic) -> str:
    """sympy's LaTeX for ``obj``, with ``\\log`` for natural logs kept as sympy prints it and
    inverse trig functions as ``\\arctan`` (not ``\\operatorname{atan}``)."""
    return sympy.latex(obj, inv_trig_style="full")
