"""A small tree for school arithmetic, written the way the student wrote it.

sympy evaluates ``3/4`` to a number and prints ``12 ÷ 4`` as a fraction, so a step-by-step
calculation needs its own tree: a fraction ``3/4`` between two whole numbers stays a fraction,
``÷`` stays a division, a decimal keeps its digits, ``15%`` and mixed numbers ``2 1/2`` are
their own nodes. ``parse_arith`` reads plain text (with × ÷ · − √ ²), ``value`` gives each
tree's exact value with sympy (independently of how the steps computed it), and ``tex`` /
``text`` print it. Sizes are bounded: at most 24 operations, numbers of at most 12 digits,
whole exponents up to 12.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import sympy

MAX_OPS = 24
MAX_DIGITS = 12
MAX_POWER = 12


class ArithError(ValueError):
    """Not arithmetic this module reads."""


@dataclass(frozen=True)
class Num:
    value: Fraction
    text: str  # as written ("2.50", "3") or as computed


@dataclass(frozen=True)
class Frac:
    p: int
    q: int


@dataclass(frozen=True)
class Mixed:
    whole: int
    p: int
    q: int


@dataclass(frozen=True)
class Pct:
    value: Fraction
    text: str


@dataclass(frozen=True)
class Bin:
    op: str  # + - * ÷ ^   (a fraction p/q of two whole numbers is a Frac, any other "/" a ÷)
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    x: object


@dataclass(frozen=True)
class Group:
    x: object


@dataclass(frozen=True)
class Root:
    x: object


_TOKEN = re.compile(
    r"\s*(?:(?P<mixed>\d+\s+\d+\s*/\s*\d+(?![\d.]))|(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<op>sqrt|[-+*/^()%÷×·√−])|(?P<bad>\S))"
)


def _tokens(text: str) -> list[str]:
    text = text.replace("−", "-").replace("×", "*").replace("·", "*").replace("⋅", "*").replace("∗", "*")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    sup = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^" + m.group().translate(sup), text)
    out = []
    for m in _TOKEN.finditer(text):
        if m.group("bad"):
            raise ArithError(f"not arithmetic: {m.group('bad')!r}")
        out.append(next(g for g in m.groups() if g is not None))
    return out


class _Parser:
    def __init__(self, tokens: list[str]):
        self.toks = tokens
        self.i = 0
        self.ops = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise ArithError("ends too early")
        self.i += 1
        return tok

    def count(self) -> None:
        self.ops += 1
        if self.ops > MAX_OPS:
            raise ArithError("too many operations")

    def expr(self) -> object:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            self.count()
            node = Bin(op, node, self.term())
        return node

    def term(self) -> object:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/", "÷"):
                self.take()
                right = self.unary()
                self.count()
                node = Bin("*" if tok == "*" else "÷", node, right)
            elif tok == "(" or tok in ("sqrt", "√"):  # 2(3 + 4): implicit multiplication
                self.count()
                node = Bin("*", node, self.unary())
            else:
                return node

    def unary(self) -> object:
        if self.peek() == "-":
            self.take()
            return Neg(self.unary())
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> object:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            self.count()
            exp = self.atom(exponent=True)
            exp = exp.x if isinstance(exp, Group) and isinstance(exp.x, Num) else exp
            if not (isinstance(exp, Num) and exp.value.denominator == 1 and 0 <= exp.value <= MAX_POWER):
                raise ArithError("only whole exponents from 0 to 12")
            return Bin("^", base, exp)
        return base

    def atom(self, exponent: bool = False) -> object:
        tok = self.take()
        if tok == "(":
            inner = self.expr()
            if self.take() != ")":
                raise ArithError("unbalanced brackets")
            # brackets around one number say nothing: (3/4) + (1/6) is 3/4 + 1/6
            node: object = inner if isinstance(inner, (Num, Frac, Pct)) else Group(inner)
        elif tok in ("sqrt", "√"):
            node = Root(self.atom())
        elif re.fullmatch(r"\d+\s+\d+\s*/\s*\d+", tok):
            whole, p, q = (int(t) for t in re.findall(r"\d+", tok))
            if not 0 < p < q:
                raise ArithError("a whole number before an improper fraction: not a mixed number")
            node = Mixed(whole, p, q)
        elif re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", tok):
            if len(tok.replace(".", "")) > MAX_DIGITS:
                raise ArithError("number too long")
            node = Num(Fraction(tok), tok if not tok.startswith(".") else "0" + tok)
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            after = self.toks[self.i + 2] if self.i + 2 < len(self.toks) else None
            if (not exponent and self.peek() == "/" and _is_whole(node) and nxt and nxt.isdigit()
                    and after != "^"):  # 3/4 between whole numbers: a fraction, one number  # fmt: skip
                self.i += 2
                self.count()
                if int(nxt) == 0:
                    raise ArithError("division by zero")
                node = Frac(int(tok), int(nxt))
        else:
            raise ArithError(f"unexpected {tok!r}")
        if self.peek() == "%":
            self.take()
            if not isinstance(node, Num):
                raise ArithError("% after something that is not a number")
            node = Pct(node.value, node.text)
        return node


def _is_whole(node: object) -> bool:
    return isinstance(node, Num) and "." not in node.text and node.value.denominator == 1


def parse_arith(text: str) -> object:
    """The tree of a numbers-only expression ("3/4 + 1/6", "12 ÷ 4 + 3²", "2 1/2 × 4", "15% × 80")."""
    if not isinstance(text, str) or len(text) > 200:
        raise ArithError("too long")
    parser = _Parser(_tokens(text.strip().rstrip("=?. ")))
    if not parser.toks:
        raise ArithError("empty")
    tree = parser.expr()
    if parser.peek() is not None:
        raise ArithError(f"unexpected {parser.peek()!r}")
    return tree


# --- value (sympy, from the written digits) and printing --------------------------------------------


def value(node: object) -> sympy.Expr:
    """The exact value of a tree, computed by sympy from the digits as written."""
    if isinstance(node, Num):
        return sympy.Rational(node.text)
    if isinstance(node, Pct):
        return sympy.Rational(node.text) / 100
    if isinstance(node, Frac):
        return sympy.Rational(node.p, node.q)
    if isinstance(node, Mixed):
        return node.whole + sympy.Rational(node.p, node.q)
    if isinstance(node, Neg):
        return -value(node.x)
    if isinstance(node, Group):
        return value(node.x)
    if isinstance(node, Root):
        return sympy.sqrt(value(node.x))
    if isinstance(node, Bin):
        a, b = value(node.left), value(node.right)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "÷":
            if b == 0:
                raise ArithError("division by zero")
            return a / b
        return a**b
    raise ArithError(f"not a tree: {node!r}")


_PREC = {"+": 1, "-": 1, "*": 2, "÷": 2, "^": 3}

# How each node is written, in LaTeX and in plain text.
_STYLES = {
    "tex": {"*": r"\times", "÷": r"\div", "pct": r"\%", "frac": r"\frac{{{p}}}{{{q}}}",
            "mixed": r"{w}\frac{{{p}}}{{{q}}}", "paren": r"\left({}\right)", "root": r"\sqrt{{{}}}",
            "pow": "{}^{{{}}}"},
    "text": {"*": "×", "÷": "÷", "pct": "%", "frac": "{p}/{q}", "mixed": "{w} {p}/{q}", "paren": "({})",
             "root": "√({})", "pow": "{}^{}"},
}  # fmt: skip


def _prec(node: object) -> int:
    if isinstance(node, Bin):
        return _PREC[node.op]
    if isinstance(node, Neg):
        return 1
    return 4


def _write(node: object, style: dict) -> str:
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Pct):
        return node.text + style["pct"]
    if isinstance(node, Frac):
        return style["frac"].format(p=node.p, q=node.q)
    if isinstance(node, Mixed):
        return style["mixed"].format(w=node.whole, p=node.p, q=node.q)
    if isinstance(node, Neg):
        inner = _write(node.x, style)
        return f"-{inner}" if _prec(node.x) > 1 else "-" + style["paren"].format(inner)
    if isinstance(node, Group):
        return style["paren"].format(_write(node.x, style))
    if isinstance(node, Root):
        return style["root"].format(_write(node.x.x if isinstance(node.x, Group) else node.x, style))
    if isinstance(node, Bin):
        left, right = _write(node.left, style), _write(node.right, style)
        p = _PREC[node.op]
        if _prec(node.left) < p or node.op == "^" and (_prec(node.left) <= p or isinstance(node.left, (Frac, Mixed))):
            left = style["paren"].format(left)
        if _prec(node.right) < p or (_prec(node.right) == p and node.op in "-÷") or isinstance(node.right, Neg):
            right = style["paren"].format(right)
        if node.op == "^":
            return style["pow"].format(left, right)
        return f"{left} {style.get(node.op, node.op)} {right}"
    raise ArithError(f"not a tree: {node!r}")


def tex(node: object) -> str:
    """LaTeX: fractions as \\frac, × and ÷ as written, brackets as written."""
    return _write(node, _STYLES["tex"])


def text(node: object) -> str:
    """Plain text: 3/4 + 1/6, 2.5 × 4.2, 12 ÷ 4 + 3^2."""
    return _write(node, _STYLES["text"])


def has_decimal(node: object) -> bool:
    if isinstance(node, (Num, Pct)):
        return "." in node.text
    if isinstance(node, (Frac, Mixed)):
        return False
    return any(has_decimal(getattr(node, f)) for f in ("left", "right", "x") if hasattr(node, f))
