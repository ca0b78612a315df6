"""LaTeX in, before sympy sees it: delimiters, function calls written unambiguously, questions as plain math.

    strip_delimiters("$x^2$")                  -> "x^2"
    latex_calls(r"\\sin{(x)} x^{2}")           -> r"\\sin(x) x^{2}"    (sin(x)·x², not sin(x³))
    latex_to_plain(r"Find $\\frac{d}{dx}(x^3)$") -> "Find  d/dx (x^(3))"

``parse_math`` hands LaTeX to latex2sympy2_extended, whose grammar applies a function to
everything that follows a brace group: ``\\sin{(x)} x^{2}`` (what sympy itself prints) reads as
sin(x^3), ``\\sin{(x)}/x`` as sin(1). ``latex_calls`` rewrites every function call so that
its argument is exactly one bracket (``\\sin(x)``), and refuses a bare call followed by more
product (``\\sin x \\cdot x``, ``\\sin x^2``) as plain text refuses ``sin x^2``: readings people
disagree on. ``latex_to_plain`` rewrites the LaTeX of a whole question as plain math for the reader.
"""

from __future__ import annotations

import re

from tutor.pedagogy.types import MathParseError

_DELIMS = re.compile(r"^\s*(\$\$?|\\\(|\\\[)(?P<body>.*?)(\$\$?|\\\)|\\\])\s*$", re.S)
_LATEX_HINT = re.compile(r"\\[a-zA-Z]+|\^\{|_\{")


def strip_delimiters(text: str) -> str:
    """``$x$``, ``$$x$$``, ``\\(x\\)``, ``\\[x\\]`` -> ``x`` (other text unchanged)."""
    m = _DELIMS.match(text)
    return m.group("body") if m else text


def looks_like_latex(text: str) -> bool:
    return bool(_LATEX_HINT.search(text))


# --- function calls ------------------------------------------------------------------------------
_FUNCTION = re.compile(
    r"\\(?:arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|cot|sec|csc|ln|log|exp)(?![A-Za-z])"
    r"(?:\s*[_^]\s*(?:\{[^{}]*\}|[0-9A-Za-z]))*\s*"
)
_BARE_ARG = re.compile(r"(?:\d+(?:\.\d+)?[A-Za-z]?|[A-Za-z]|\\(?:pi|theta|alpha|beta|phi|infty)(?![A-Za-z]))\s*")
# what may follow a bare call's argument: the end, a sum, a relation, a closing bracket, a space command
_AFTER_BARE = re.compile(
    r"$|[-+=<>)\]},|]|\\(?:right|[,;!: ]|quad|qquad|le|ge|leq|geq|neq|ne|lt|gt|to|pm|mp|approx)(?![A-Za-z])"
)


def _closing(text: str, start: int, open_: str, close: str) -> int | None:
    """Index just past the bracket that closes the one at ``start`` (None if unbalanced)."""
    depth, i = 0, start
    while i < len(text):
        if text.startswith(open_, i):
            depth += 1
            i += len(open_)
            continue
        if text.startswith(close, i):
            depth -= 1
            i += len(close)
            if depth == 0:
                return i
            continue
        i += 1
    return None


def latex_calls(text: str) -> str:
    """Every function call with its argument in one bracket (see the module docstring).

    ``\\sin{(x)}`` and ``\\sin{x}`` -> ``\\sin(x)``; ``\\ln\\left|x\\right|`` -> ``\\ln(\\left|x\\right|)``;
    ``\\sin x`` and ``\\sin 2x`` stay (nothing follows that a call could swallow).
    Raises ``MathParseError`` for ``\\sin x \\cdot x``, ``\\sin x^2`` and unbalanced brackets.
    """
    out, pos = [], 0
    for _ in range(len(text)):  # bounded: each pass moves past one call
        m = _FUNCTION.search(text, pos)
        if not m:
            break
        out.append(text[pos : m.end()])
        i = m.end()
        rest = text[i:]
        if rest.startswith(("(", r"\left(")):
            pos = i
            continue
        for open_, close in (("{", "}"), (r"\left|", r"\right|"), (r"\left\{", r"\right\}")):
            if rest.startswith(open_):
                end = _closing(text, i, open_, close)
                if end is None:
                    raise MathParseError("unbalanced brackets in LaTeX")
                inner = text[i + len(open_) : end - len(close)] if open_ == "{" else text[i:end]
                out.append(f"({inner})")
                pos = end
                break
        else:
            arg = _BARE_ARG.match(text, i)
            if arg and not _AFTER_BARE.match(text, arg.end()):
                raise MathParseError("ambiguous: \\sin x \\cdot x: sin(x)x or sin(x^2)?")
            pos = i
    out.append(text[pos:])
    return "".join(out)


_INTEGRAL = re.compile(r"\\int(?![A-Za-z])")
_DIFFERENTIAL = re.compile(r"(?<![A-Za-z\\])d\s*[a-z](?![A-Za-z])")


def latex_integrals(text: str) -> str:
    """``\\int f \\, dx + \\int g \\, dx`` -> ``{\\int f \\, dx} + {\\int g \\, dx}``.

    latex2sympy takes everything up to the LAST differential as the first integral's integrand
    (``\\int f dx + \\int g dx`` -> ∫(f·dx + ∫g dx) dx); a group around each integral ends it at its
    own differential. Text with one integral, or where the reading is unclear, is left as it is.
    """
    starts = [m.start() for m in _INTEGRAL.finditer(text)]
    if len(starts) < 2:
        return text
    out, pos = [], 0
    for n, start in enumerate(starts):
        if start < pos:
            return text  # an integral inside another's integrand: leave it to the parser
        limit = starts[n + 1] if n + 1 < len(starts) else len(text)
        depth, end = 0, None
        for m in re.finditer(r"[{(]|[})]|" + _DIFFERENTIAL.pattern, text[start:limit]):
            tok = m.group()
            if tok in "{(":
                depth += 1
            elif tok in "})":
                depth -= 1
            elif depth == 0:
                end = start + m.end()
                break
        if end is None:
            return text
        out += [text[pos:start], "{", text[start:end], "}"]
        pos = end
    return "".join(out) + text[pos:]


_HIGHER = re.compile(r"\\[dt]?frac\s*\{\s*d\s*\^\s*\{?\s*([23])\s*\}?\s*\}\s*\{\s*d\s*([a-z])\s*\^\s*\{?\s*\1\s*\}?\s*\}\s*")


def latex_higher_derivatives(text: str) -> str:
    """``\\frac{d^2}{dx^2}\\left(f\\right)`` -> ``\\frac{d}{dx}\\left(\\frac{d}{dx}\\left(f\\right)\\right)``.

    latex2sympy reads the d^2 notation as a product of symbols d and dx; nested first
    derivatives it reads right. The body is the bracket that follows, or the rest of the text.
    """
    m = _HIGHER.search(text)
    if not m:
        return text
    n, var, start = int(m.group(1)), m.group(2), m.end()
    for open_, close in ((r"\left(", r"\right)"), ("(", ")"), ("{", "}")):
        if text.startswith(open_, start):
            end = _closing(text, start, open_, close)
            if end is None:
                raise MathParseError("unbalanced brackets in LaTeX")
            body, rest = text[start + len(open_) : end - len(close)], text[end:]
            break
    else:
        body, rest = text[start:], ""
    d = rf"\frac{{d}}{{d{var}}}\left("
    return text[: m.start()] + d * n + latex_higher_derivatives(body) + r"\right)" * n + rest


_ONE_SIDED = re.compile(r"\\to\s*[^{}]*?\^\s*\{?\s*[+-]")


_MIXED = re.compile(r"(?<![\d.^_{}])(\d+)\s*\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}")


def latex_mixed(text: str, plain: bool = False) -> str:
    """``2\\frac{1}{2}``: a mixed number (2½), never 2 times ½. As LaTeX ``\\left(2+\\frac{1}{2}\\right)``,
    or with ``plain`` as ``2 1/2`` (what the arithmetic reader takes for a mixed number). A whole
    number before an improper fraction (``2\\frac{3}{2}``) is ambiguous: ``MathParseError``."""

    def one(m: re.Match) -> str:
        whole, p, q = m.group(1), int(m.group(2)), int(m.group(3))
        if not 0 < p < q:
            raise MathParseError("a whole number before an improper fraction: a product or a mixed number?")
        return f" {whole} {p}/{q} " if plain else rf"\left({whole}+\frac{{{p}}}{{{q}}}\right)"

    return _MIXED.sub(one, text)


def one_sided_limit(text: str) -> bool:
    """``\\lim_{x \\to 0^+}``: a one-sided limit (latex2sympy reads a plain ``\\to 0`` as one too)."""
    return bool(_ONE_SIDED.search(text))


# --- LaTeX inside a question, as plain text ----------------------------------------------------------
_LATEX_WORDS = {
    "times": " × ", "div": " ÷ ", "cdot": " * ", "pi": " pi ", "infty": " oo ", "to": " -> ",
    "rightarrow": " -> ", "longrightarrow": " -> ", "le": " <= ", "leq": " <= ", "leqslant": " <= ",
    "ge": " >= ", "geq": " >= ", "geqslant": " >= ", "neq": " != ", "ne": " != ", "sin": " sin",
    "cos": " cos", "tan": " tan", "sec": " sec", "csc": " csc", "cot": " cot", "arcsin": " arcsin",
    "arccos": " arccos", "arctan": " arctan", "ln": " ln", "log": " log", "exp": " exp", "int": " integral ",
    "lim": " limit ", "limits": " ", "nolimits": " ", "approx": " = ", "quad": " ", "qquad": " ", "displaystyle": " ", "cdots": " ",
}  # fmt: skip
_INNER_BRACES = r"\{([^{}]*)\}"
_FRAC = re.compile(r"\\[dt]?frac\s*" + _INNER_BRACES + r"\s*" + _INNER_BRACES)
_SQRT = re.compile(r"\\sqrt\s*" + _INNER_BRACES)
_SCRIPT = re.compile(r"([\^_])\s*" + _INNER_BRACES)
_DERIV2 = re.compile(r"\\[dt]?frac\s*\{\s*d\s*\^\s*\{?2\}?\s*[a-z]?\s*\}\s*\{\s*d\s*([a-z])\s*\^\s*\{?2\}?\s*\}")
_DERIV = re.compile(r"\\[dt]?frac\s*\{\s*d\s*\}\s*\{\s*d\s*([a-z])\s*\}")
_DERIV_Y = re.compile(r"\\[dt]?frac\s*\{\s*d\s*([a-z])\s*\}\s*\{\s*d\s*([a-z])\s*\}")
_SIMPLE = re.compile(r"^\s*-?(?:\d+(?:\.\d+)?|[A-Za-z])\s*$")  # one number or one letter: e^{3x} is e^(3x)


_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{(?:cases|aligned|align\*?|gathered|array)\}(?:\{[lcr|]*\})?")


def latex_to_plain(text: str) -> str:
    """The LaTeX commands of a question rewritten as plain math, the words left as they are.

    ``Find $\\frac{d}{dx}(x^3)$`` -> ``Find  d/dx (x^(3))``; ``\\int_0^1 x^2\\,dx`` ->
    ``integral _0^(1) x^(2) dx``. Raises ``MathParseError`` when a command is left that we do
    not know (the caller then refuses the question rather than guess).
    """
    text = latex_mixed(text, plain=True)
    # \left\{ \begin{array}{l} A \\ B \end{array} \right.: the brace of a system, not a bracket
    text = re.sub(r"\\left\s*\\\{\s*(?=\\begin)|(?<=\})\s*\\right\s*\.", " ", text)
    text = _ENVIRONMENT.sub(" ", text).replace("\\\\", " and ").replace("&", " ")  # cases: one equation a row
    text = re.sub(r"\$+|\\[()\[\]]", " ", text)
    text = text.replace(r"\left", "").replace(r"\right", "").replace(r"\%", "%").replace(r"\{", "{").replace(r"\}", "}")
    text = re.sub(r"\\(?:mathrm|text|operatorname|mathit|textrm|mathbf)\s*\{([^{}]*)\}", r" \1 ", text)
    text = re.sub(r"\\[,;:! ]|~", " ", text)
    text = _DERIV2.sub(r" d^2/d\1^2 ", text)
    text = _DERIV.sub(r" d/d\1 ", text)
    text = _DERIV_Y.sub(r" d\1/d\2 ", text)
    for _ in range(20):  # innermost first, so nested fractions and roots come out right
        new = _FRAC.sub(lambda m: f"({_group(m.group(1))}/{_group(m.group(2))})", text)  # \frac{1}{2}x: (1/2)x
        new = _SQRT.sub(r"sqrt(\1)", new)
        new = _SCRIPT.sub(lambda m: f"{m.group(1)}{_group(m.group(2))}", new)
        if new == text:
            break
        text = new
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _LATEX_WORDS.get(m.group(1), "\\" + m.group(1)), text)
    if "\\" in text:
        raise MathParseError(f"LaTeX command we do not read: {text!r}")
    return text.replace("{", "(").replace("}", ")")


def _group(inner: str) -> str:
    return inner.strip() if _SIMPLE.match(inner) else f"({inner})"
