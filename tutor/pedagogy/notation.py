"""Written math -> sympy pieces: the reader under answer checking and claim finding.

    clean_math("$\\frac{1}{2}$ of **twenty**")  -> " ((1)/(2))  of  20 "
    read_piece("{2, 3}")                          -> FiniteSet(2, 3)
    read_piece("(1, 2)")                          -> Pair((1, 2))  (a point or an open interval)
    read_answer("x = 2 or x = 3").pieces          -> (Eq(x, 2), Eq(x, 3))

``parse_math`` reads ONE piece of math; this module gets text ready for it (markdown,
LaTeX delimiters and simple commands, Unicode signs, number words), and reads what it
refuses: bracket lists (sets, tuples, intervals), chains like ``-1 < x < 3``, answers made
of several pieces ("x = 2 or x = 3", "x = 1, y = 2") and leading words ("the answer is",
"I got", "f'(x) ="). math-verify's extraction is the last resort for LaTeX we cannot split.
``normalize`` does the same for a sentence of prose, words for operations included.
Nothing here raises on bad text: a piece that cannot be read is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from tutor.pedagogy.brackets import Pair, bracket_list
from tutor.pedagogy.numwords import words_to_digits
from tutor.pedagogy.parse import MathParseError, normalize_unicode, parse_math

MAX_ANSWER_CHARS = 400  # an answer is short; longer text is not read as one
MAX_ITEMS = 12  # pieces read from one answer, elements read from one bracket list
MAX_SENTENCE = 1200  # characters of one sentence of prose that are read


def _unwrap(text: str, names: str) -> str:
    """``\\boxed{5}`` -> ``5`` for each command in ``names`` (balanced braces; bounded)."""
    pattern = re.compile(rf"\\(?:{names})\s*\{{")
    for _ in range(20):
        m = pattern.search(text)
        if not m:
            break
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + " " + text[m.end() : i - 1 if depth == 0 else i] + " " + text[i:]
    return text


_LATEX_WORDS = {
    r"\infty": " oo ", r"\pm": "±", r"\mp": "±", r"\in": " ∈ ", r"\cup": " ∪ ", r"\emptyset": "∅",
    r"\varnothing": "∅", r"\leq": "<=", r"\geq": ">=", r"\le": "<=", r"\ge": ">=", r"\lt": "<", r"\gt": ">",
    r"\neq": "!=", r"\ne": "!=", r"\approx": "≈", r"\cdot": "*", r"\times": "*", r"\div": "/", r"\{": "{",
    r"\}": "}", r"\to": "→", r"\rightarrow": "→", r"\pi": "pi", r"\left": "", r"\right": "", r"\,": " ",
    r"\;": " ", r"\!": "", r"\qquad": " ; ", r"\quad": " ; ", r"\displaystyle": "", r"\dfrac": r"\frac",
    r"\tfrac": r"\frac", r"\mathbb{R}": "ℝ", r"\mathbb R": "ℝ",
}  # fmt: skip
_LATEX_WORD_RE = re.compile("|".join(re.escape(k) + (r"(?![a-zA-Z])" if k[-1].isalpha() else "")
                                     for k in sorted(_LATEX_WORDS, key=len, reverse=True)))  # fmt: skip
_BRACED = r"\{([^{}]*)\}"
_SIMPLE_LATEX = [
    (re.compile(r"\\frac\s*" + _BRACED + r"\s*" + _BRACED), r"((\1)/(\2))"),
    (re.compile(r"\\sqrt\s*" + _BRACED), r"sqrt(\1)"),
    (re.compile(r"\^\s*" + _BRACED), r"^(\1)"),
    (re.compile(r"\\(sin|cos|tan|sec|csc|cot|arcsin|arccos|arctan|ln|log|exp)\b"), r"\1"),
    (re.compile(r"\b(sin|cos|tan|sec|csc|cot)\^\((\d)\)\s*" + _BRACED), r"(\1(\3))^(\2)"),  # \cos^{2}{(x)}
    (re.compile(r"\b(sin|cos|tan|sec|csc|cot|arcsin|arccos|arctan|ln|log|exp|sqrt)\s*" + _BRACED),
     r"\1(\2)"),  # \cos{(x)} -> cos((x))
]


def latex_to_plain(text: str) -> str:
    """Simple LaTeX as plain math (``\\frac{1}{2}`` -> ``((1)/(2))``); the rest is left as it is."""
    text = _unwrap(text, "boxed|fbox|text|textbf|mathrm|mathbf|operatorname|mbox")
    text = _LATEX_WORD_RE.sub(lambda m: _LATEX_WORDS[m.group()], text)
    for _ in range(6):  # nested \frac{\frac{..}{..}}{..}: innermost first
        before = text
        for rx, repl in _SIMPLE_LATEX:
            text = rx.sub(repl, text)
        if text == before:
            break
    return text


_DELIMS = re.compile(r"\$\$?|\\\(|\\\)|\\\[|\\\]")
_MATH_SPAN = re.compile(r"\$\$?[^$]{1,400}\$\$?|\\\(.{1,400}?\\\)|\\\[.{1,400}?\\\]", re.S)
_SPACED_PRODUCT = re.compile(r"(?<=\d)\s+(?=\\|[A-Za-z](?![A-Za-z]|\s*[\d(.]))")  # "$13- 5 x$": 5x
_POWER_STARS = re.compile(r"(?<=[\w)])\*\*(?=[\w(])")


def clean_math(text: str) -> str:
    """Markdown, LaTeX delimiters and Unicode signs out; number words as digits."""
    text = _POWER_STARS.sub("^", text)
    text = text.replace("**", " ").replace("`", " ")
    # inside $...$ a space between a number and a letter is a product (sympy writes "2 x \sin{(x)}")
    # ("$378 x 4 = $1512" is money and a times sign, not a span of math)
    text = _MATH_SPAN.sub(lambda m: _SPACED_PRODUCT.sub("", m.group()), text)
    text = _DELIMS.sub(" ", text)
    text = latex_to_plain(text)
    text = text.replace("≈", "\x01").replace("∈", "\x02")  # kept through normalize_unicode
    text = normalize_unicode(text).replace("\x01", "≈").replace("\x02", "∈")
    return words_to_digits(text)


def evaluate(obj):
    """Rebuild what the LaTeX parser left unevaluated (``2*3``, ``sqrt(16)``); calculus is not run."""
    if not isinstance(obj, sympy.Basic) or not obj.args:
        return obj
    if isinstance(obj, (sympy.Derivative, sympy.Integral, sympy.Limit)):
        return obj
    if isinstance(obj, sympy.core.relational.Relational):
        return type(obj)(evaluate(obj.lhs), evaluate(obj.rhs), evaluate=False)
    try:
        return obj.func(*[evaluate(a) for a in obj.args])
    except Exception:
        return obj


_EMPTY = re.compile(r"^\s*(∅|\{\s*\}|no\s+(real\s+)?(solutions?|roots?|answers?)|none)\s*$", re.I)
# a limit that does not exist (its value is EmptySet: no number)
_NO_LIMIT = re.compile(r"^\s*(?:(?:the\s+)?limit\s+)?(?:does\s*not|doesn'?t)\s+exist|^\s*(?:dne|d\.n\.e\.?|no\s+limit)\s*$",
                       re.IGNORECASE)  # fmt: skip
_INFINITY_WORDS = [(re.compile(r"\b(?:negative|minus)\s+infinity\b|-\s*infinity\b", re.IGNORECASE), "-oo"),
                   (re.compile(r"(?:\bpositive\s+|\bplus\s+|\+\s*)?\binfinity\b", re.IGNORECASE), "oo")]  # fmt: skip
# every number: "all real numbers", "x can be any real number", "ℝ", "infinitely many solutions"
_EVERY = re.compile(
    r"^\s*(?:[a-z]\s+(?:can\s+be|is)\s+)?(?:(?:all|every|any)\s+(?:real\s+)?(?:numbers?|reals?|values?(?:\s+of\s+[a-z])?)"
    r"(?:\s+(?:is|are)\s+(?:a\s+)?solutions?)?(?:\s*:\s*[a-z]\s*∈\s*ℝ)?|ℝ|.*\binfinitely\s+many\b.*)\s*$",
    re.I,
)


def read_piece(text: str):
    """One piece of math (already cleaned) as sympy, a bracket list as a set/interval/Pair; else None."""
    text = text.strip().rstrip(".!?;:").strip()
    if not text:
        return None
    if _EMPTY.match(text) or _NO_LIMIT.match(text):
        return sympy.S.EmptySet
    for rx, repl in _INFINITY_WORDS:
        text = rx.sub(repl, text)
    if _EVERY.match(text):
        return sympy.S.Reals
    inner = re.match(r"^\(\s*[A-Za-z]\s*∈\s*(.+)\)$", text)  # "(x ∈ (5, oo))", a form given in brackets
    text = inner.group(1) if inner else re.sub(r"^[A-Za-z]\s*∈\s*", "", text)
    listed = bracket_list(text)
    if listed:
        o, parts, c = listed
        try:
            items = tuple(evaluate(parse_math(p)) for p in parts)
        except MathParseError:
            return None
        if len(items) > MAX_ITEMS:
            return None
        if o == "{":
            return sympy.FiniteSet(*items) if c == "}" else None
        if o == "(" and c == ")":
            return Pair(items)
        if len(items) == 2:
            return sympy.Interval(items[0], items[1], left_open=o == "(", right_open=c == ")")
        return None
    rel = re.split(r"(<=|>=|!=|<|>)", text)
    if len(rel) == 5:  # -1 < x < 3
        try:
            a, b, c = (parse_math(p) for p in rel[::2])
            ops = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}
            return sympy.And(ops[rel[1]](a, b), ops[rel[3]](b, c))
        except (MathParseError, KeyError, TypeError):
            return None
    try:
        return evaluate(parse_math(text))
    except MathParseError:
        return None


LEAD = re.compile(
    r"^\s*(?:(?:so|thus|therefore|hence|then|well|ok|okay|maybe|yes|i\s+think|i\s+got|i\s+get|is\s+it|"
    r"it'?s|it\s+is|my\s+answer\s+is|(?:the\s+)?(?:final\s+)?(?:answer|solution|result)s?\s*(?:is|are|:|=)?|"
    r"(?:the\s+)?(?:roots?|solutions?)\s+(?:is|are))\b[\s,:]*)+",
    re.I,
)
# "f'(x) =", "y' =", "dy/dx =", "f(x) =": a name for the stated value, not part of it
_NAMED = re.compile(
    r"^\s*(?:[a-zA-Z]['′]+\s*(?:\(\s*[a-z]\s*\))?|d[a-z]?\s*/\s*d[a-z]|[a-zA-Z]\s*\(\s*[a-z]\s*\))\s*=\s*"
)
_SPLIT = re.compile(r"\s*(?:;|\bor\b|\band\b|,|\n)\s*", re.I)
_ASSIGN_WORDS = re.compile(r"(?<![A-Za-z])([A-Za-z])\s+(?:is|equals|must\s+be|=)\s+", re.I)


_ROUNDED = re.compile(r"^(?P<exact>[^≈]+?)\s*≈\s*(?P<rounded>-?\d+(?:\.(?P<places>\d+))?)\s*$")


def _drop_rounding(text: str) -> str:
    """``11/12 ≈ 0.9167`` -> ``11/12``: an exact value followed by its rounding states the value.
    ``x ≈ 2.875`` (nothing exact before it) reads as ``x = 2.875``."""
    m = _ROUNDED.match(text)
    if not m:
        return text
    try:
        exact = parse_math(m.group("exact"))
        places = len(m.group("places") or "")
        if exact.is_number and abs(float(exact) - float(m.group("rounded"))) <= 0.5 * 10**-places + 1e-12:
            return m.group("exact").strip()
    except (MathParseError, TypeError, ValueError):
        pass
    return text.replace("≈", "=")


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[(\[{]|[)\]}]|" + _SPLIT.pattern, text, re.I):
        tok = m.group()
        if tok in "([{":
            depth += 1
        elif tok in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


@dataclass(frozen=True)
class Reading:
    """An answer as read: its pieces, whether they are joined by "or", and the cleaned text."""

    pieces: tuple = ()
    joined_by_or: bool = False
    text: str = ""


def read_answer(text: str) -> Reading:
    """The pieces of an answer (``x = 2 or x = 3`` -> [Eq(x, 2), Eq(x, 3)]). Unreadable pieces
    make the whole reading empty."""
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS or "\x00" in text:
        return Reading()
    raw = _unwrap(text, "boxed|fbox")
    calculus = _calculus_piece(raw)
    if calculus is not None:  # d/dx(x^3) + 2, \lim_{x \to 0} \frac{\cos x}{1}: one piece, kept unevaluated
        return Reading((calculus,), False, raw.strip())
    cleaned = clean_math(raw)
    cleaned = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", cleaned)  # 1,000
    cleaned = re.sub(r"\b(?:negative|minus)\s+(?=\d)", "-", cleaned, flags=re.I)
    cleaned = re.sub(r"(?<=\d)\s*(?:per\s*cent|percent)\b", "%", cleaned, flags=re.I)
    cleaned = _NAMED.sub("", LEAD.sub("", cleaned)).strip().rstrip(".!? ")
    cleaned = _ASSIGN_WORDS.sub(r"\1 = ", cleaned)
    cleaned = re.sub(r"^[A-Za-z]\s*∈\s*", "", cleaned)
    cleaned = _drop_rounding(cleaned)
    joined_by_or = bool(re.search(r"\bor\b|∪", cleaned, re.I))
    pieces = []
    for part in _top_level_split(cleaned):
        if part.count("±") == 1:
            subs = [part.replace("±", "+"), part.replace("±", "-")]
        else:
            subs = [part]
        for sub in subs:
            if "∪" in sub:
                sets = [read_piece(s) for s in sub.split("∪")]
                if any(s is None or isinstance(s, Pair) and s.as_interval() is None for s in sets):
                    return Reading()
                obj = sympy.Union(*[s.as_interval() if isinstance(s, Pair) else s for s in sets])
            else:
                obj = read_piece(sub)
            if obj is None:
                return Reading(tuple(_math_verify_fallback(raw)), False, cleaned)
            pieces.append(obj)
    return Reading(tuple(pieces[:MAX_ITEMS]), joined_by_or, cleaned)


_CALCULUS_MARK = re.compile(r"\\frac\s*\{\s*d\s*\}|\\int|\\lim|∫|(?<![A-Za-z])d\s*/\s*d[a-z]\b")
_PLAIN_D = re.compile(r"(?<![A-Za-z])d\s*/\s*d([a-z])(?![A-Za-z])\s*")


def _calculus_piece(text: str):
    """A step written with calculus notation, read by the LaTeX parser so it stays unevaluated."""
    if not _CALCULUS_MARK.search(text):
        return None
    latex = _PLAIN_D.sub(r"\\frac{d}{d\1}", _DELIMS.sub(" ", text)).replace("∫", r"\int ").strip()
    latex = re.sub(r"(?<!\\)\b(sin|cos|tan|ln|log|exp|sqrt)\b", r"\\\1", latex)  # plain names as LaTeX
    try:
        found = parse_math(latex if "\\" in latex else "\\," + latex)
    except MathParseError:
        return None
    return found if isinstance(found, sympy.Basic) else None


def _math_verify_fallback(text: str) -> list:
    """math-verify's extraction for LaTeX our reader could not take apart (no signal timeout)."""
    if "\\" not in text:
        return []
    try:
        from math_verify import parse, parser

        # no signal timeout: pages run in threads, where SIGALRM cannot be used (our own
        # bounds on size apply before this); its warning saying so would print on every run
        parser.TIMEOUT_WARNING_SHOWN = True
        found = parse(text, parsing_timeout=None)
    except Exception:
        return []
    # its symbols carry assumptions (real=True): the same letters as ours, by name, or x != x
    return [_plain_symbols(evaluate(f)) for f in found[:1] if isinstance(f, sympy.Basic)]


def _plain_symbols(obj):
    try:
        return obj.xreplace({s: sympy.Symbol(s.name) for s in obj.free_symbols if isinstance(s, sympy.Symbol)})
    except (TypeError, ValueError, AttributeError):  # a set or relation sympy cannot rebuild: as it came
        return obj


# --------------------------------------------------------------------------- prose
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NOTATION = [  # calculus notation as words, before the LaTeX/Unicode clean-up
    (re.compile(r"\\frac\s*\{\s*d\s*\}\s*\{\s*d[a-z]\s*\}"), " the derivative of "),
    (re.compile(r"\\frac\s*\{\s*d[a-z]\s*\}\s*\{\s*d[a-z]\s*\}"), " the derivative "),
    (re.compile(r"(?<![A-Za-z])d\s*/\s*d[a-z](?![A-Za-z])"), " the derivative of "),
    (re.compile(r"(?<![A-Za-z])d[a-z]\s*/\s*d[a-z](?![A-Za-z])"), " the derivative "),
    (re.compile(r"(?<![A-Za-z])[a-zA-Z][′']+\s*(?:\(\s*[a-z]\s*\))?"), " the derivative "),
    (re.compile(r"(?<![A-Za-z])[fgh]\s*\(\s*[a-z]\s*\)"), " the function "),
    (re.compile(r"\\lim_?\s*(?:\{[^{}]*\})?|\blim(?![a-z])\s*(?:_?\{[^{}]*\}|[a-z]\s*(?:→|->|\\to)\s*[-\w.]+)?"),
     " the limit of "),
    (re.compile(r"\\int(?:_\{?[^{}\s]*\}?\^\{?[^{}\s]*\}?)?|∫"), " the integral of "),
]  # fmt: skip
_DX = re.compile(r"\s*(?:\\,)?\s*(?<![A-Za-z])d[a-z](?![A-Za-z])")
_ATOM = r"-?\d+(?:\.\d+)?(?:/\d+)?%?"
_END = r"(?:(?<=[\d)%])|(?<=(?<![A-Za-z'’])[A-Za-z]))"  # a math token ends here
_START = r"(?=\s*(?:-?\s*[\d(]|sqrt|[b-zB-HJ-Z](?![A-Za-z'’])))"  # a math token starts next
_WORDS = [  # (pattern, replacement), applied in order
    (r"(?<=\d)\s+[x×]\s+(?=[\d(.])", " * "),  # "$10 x 8": times between two numbers
    (r"(?<![\w.])\.(?=\d)", "0."),  # ".35" -> "0.35"
    (r"\s*,?\s*\b(?:as|when)\s+[a-z]\s+(?:approaches|tends\s+to|goes\s+to|gets\s+close\s+to|→|->)\s+"
     r"(?:-?\s*\d+(?:\.\d+)?|oo|infinity|∞|pi)\s*,?", " "),  # the point of a limit is not a claim
    (r"\b(?:negative|minus)\s+(?=\d)", "-"),
    (r"(?<=\d)\s*percent\b", "%"),
    (r"\bplus\b", "+"),
    (r"\bminus\b", "-"),
    (rf"{_END}\s*\b(?:multiplied\s+by|times)\b\s*{_START}", " * "),  # "3 times 4", not "6 times a day"
    (r"\bdivided\s+by\b", "/"),
    (r"(?<=\d)\s+over\s+(?=\d)", "/"),
    (r"\bsquared\b", "^2"),
    (r"\bcubed\b", "^3"),
    (r"\bto\s+the\s+power\s+of\b", "^"),
    (r"\b(?:the\s+)?square\s+root\s+of\b", "sqrt"),
    (rf"\b(?:subtract(?:ing|ed)?|tak(?:e|ing)|took)\s+({_ATOM})\s+(?:away\s+)?from\s+({_ATOM})", r"\2 - \1"),
    (rf"\b({_ATOM})\s+(?:subtracted|taken\s+away)\s+from\s+({_ATOM})", r"\2 - \1"),
    (rf"\badd(?:ing|ed)?\s+({_ATOM})\s+to\s+({_ATOM})", r"\2 + \1"),
    (rf"\b({_ATOM})\s+added\s+to\s+({_ATOM})", r"\2 + \1"),
    (rf"\bdivid(?:e|ing)\s+({_ATOM})\s+by\s+({_ATOM})", r"\1 / \2"),
    (rf"\bmultiply(?:ing)?\s+({_ATOM})\s+by\s+({_ATOM})", r"\1 * \2"),
    (rf"\bthe\s+sum\s+of\s+({_ATOM})\s+and\s+({_ATOM})", r"\1 + \2"),
    (rf"\bthe\s+product\s+of\s+({_ATOM})\s+and\s+({_ATOM})", r"\1 * \2"),
    (rf"\bthe\s+difference\s+(?:between|of)\s+({_ATOM})\s+and\s+({_ATOM})", r"\1 - \2"),
    (r"(?<![\d.])(\d+(?:\.\d+)?%|\d+/\d+|\(\(\d+\)/\(\d+\)\))\s+of\s+(?=[\d(])", r"\1 * "),
    (r"\s+(?:is\s+equal\s+to|equals?|is\s+the\s+same\s+as)\s+", " = "),
    (rf"{_END}\s+(?:is|are|was|were|must\s+be|should\s+be|has\s+to\s+be|would\s+be|will\s+be|becomes)\s+{_START}",
     " = "),
    (rf"{_END}\s+(?:is|are)\s+(?:about|approximately|roughly|around|nearly)\s+{_START}", " ≈ "),
    (rf"{_END}\s+is\s+(?:greater\s+than\s+or\s+equal\s+to|at\s+least)\s+{_START}", " >= "),
    (rf"{_END}\s+is\s+(?:less\s+than\s+or\s+equal\s+to|at\s+most)\s+{_START}", " <= "),
    (rf"{_END}\s+is\s+(?:greater|more|bigger|larger)\s+than\s+{_START}", " > "),
    (rf"{_END}\s+is\s+(?:less|smaller|fewer)\s+than\s+{_START}", " < "),
    (r"(?<=\d),(?=\d{3}(?!\d))", ""),
]  # fmt: skip
_WORD_RES = [(re.compile(p, re.I), r) for p, r in _WORDS]


def normalize(sentence: str) -> str:
    """A sentence of prose with its math in one plain notation: calculus notation as words
    ("d/dx" -> "the derivative of"), LaTeX/Unicode/markdown/number words cleaned, and words for
    operations as signs ("48 plus 24 is 72" -> "48 + 24 = 72", "subtract 5 from 20" -> "20 - 5")."""
    text = _CONTROL.sub(" ", sentence[:MAX_SENTENCE])
    for rx, repl in _NOTATION:
        text = rx.sub(repl, text)
    if "integral" in text:
        text = _DX.sub(" ", text)
    text = clean_math(text)
    for rx, repl in _WORD_RES:
        text = rx.sub(repl, text)
    return text
