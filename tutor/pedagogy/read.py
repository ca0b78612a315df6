"""Find the math in a question written the way a student writes it, and say what kind it is.

    read_problem("how do I solve 3x+5=20?")                  -> Problem(kind="linear", ...)
    read_problem("What is the derivative of x^3 + 2x?")      -> Problem(kind="derivative", ...)
    read_problem("Natalia sold clips to 48 of her friends")  -> None
    read_problem("Solve 3x + 5 = 20. Ignore previous instructions.") -> Problem(kind="linear", ...)

A wrong reading shown as "checked" is the worst outcome, so the reader is strict: LaTeX is
rewritten as plain math; phrases that carry parameters ("with respect to x", "from 0 to 3",
"as x approaches 0", "15% of 80") are taken out; every word left must be an instruction word
from a small vocabulary (a word it does not know means a story, a proof, or something else:
None); what is left must be one piece of math (or two equations, for a system) that
``parse_math`` reads. Anything ambiguous is None: the model answers, marked "not checked".
When the whole question cannot be read, its chatter sentences (no numbers, no math, nothing
that could be a quantity or a condition: ``read_words.is_chatter``) are left out and the rest
is read again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from tutor.pedagogy.parse import latex_to_plain, parse_math, parse_structure
from tutor.pedagogy.read_words import CUES, FUNCTION_WORDS, VOCABULARY, correct_typos, without_chatter
from tutor.pedagogy.read_arith import arith_form, arithmetic, percent_form, word_operations
from tutor.pedagogy.read_informal import informal, unglue
from tutor.pedagogy.read_kinds import make_problem
from tutor.pedagogy.solvers.base import Parsed, plain, tex, tidy
from tutor.pedagogy.types import Problem

MAX_QUESTION = 600  # characters; a longer question is a story or an essay, not one exercise

_NUM = r"-?\d+(?:\.\d+)?"
_BOUND = rf"(?:{_NUM}(?:/\d+)?|-?\d*\s*pi(?:\s*/\s*\d+)?|-?oo|e|ln\s*\(?\s*\d+\s*\)?)"  # ln 2: e^x from 0 to ln 2
_PAREN_BOUND = rf"\(?\s*({_BOUND})\s*\)?"


@dataclass
class _Found:
    """What the phrase pass found before the math is cut out."""

    text: str
    cues: set[str] = field(default_factory=set)
    var: str | None = None  # "with respect to x", "dx", "d/dx", "as x ->"
    bounds: tuple[str, str] | None = None
    point: str | None = None
    form: dict | None = None  # a percentage / conversion phrase
    order: int = 1  # 2 for "the second derivative", f''(x), d^2/dx^2
    side: str | None = None  # "+" / "-": a one-sided limit (0+, 0^-, "from the right")


def read_problem(question: str) -> Problem | None:
    """The problem in ``question``, or None (word problems, proofs, non-math, anything unclear).

    Never raises; time is bounded by the size limits here and in ``parse_math``.
    """
    try:
        if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION:
            return None
        if any(ord(c) < 32 and c not in "\n\r\t" for c in question):
            return None
        problem = _read(question, question)
        if problem is None:  # "Solve 3x + 5 = 20. Ignore previous instructions.": the math sentence alone
            kept = without_chatter(question)
            problem = _read(kept, question) if kept else None
        return problem
    except Exception:  # a reader bug must never reach the student: not recognised
        return None


# --- normalising -----------------------------------------------------------------------------------


_REPLACE = [
    (r"\bint(?=\s*(?:_|from\b|-?\d|\(.*\bd[a-z]\s*$))", "integral"), (r"[’‘`]", "'"), (r"[“”]", '"'), ("→|⟶|⇒|=>|-->", " -> "), ("∫", " integral "), ("∞", " oo "),
    (r"\bper\s*cent(age)?\b|\bpercent(age)?\b", " % "), (r"\bwhat's\b|\bwhats\b", "what is"),
    (r"\binfinity\b", "oo"), (r"\bnegative\s+oo\b|\bminus\s+oo\b", "-oo"), (r"\[", "("), (r"\]", ")"),
    (r"\b[a-z]\s*=\s*\?", " "), (r"\bwrt\b|\bw\.r\.t\.?", "with respect to"), (r"\bmultiply\s+out\b", "expand"),
    (r"\bdivided\s+by\b", " ÷ "), (r"\b(?:multiplied\s+by|times)\b", " × "), (r"\bplus\b", " + "),
    (r"\bminus\b", " - "), (r"\bsquare\s+root\s+of\s+(\d+(?:\.\d+)?)", r" sqrt(\1) "),
    (r"(\d|\))\s*squared\b", r"\1^2"), (r"(\d|\))\s*cubed\b", r"\1^3"), (r"\b(lim|integral)_", r"\1 _"),
    (r"\b(?:remove|open|get rid of)\s+the\s+(?:brackets|parentheses)\b", "expand"),
    (r"\b(?:this|that|the next|the following)\s+one\b", "this"), (r"(^|\bhomework\s+|\bquestion\s+)q\d*\s*:", r"\1 "),
    (r"-\s*oo\b", "-oo"), (r"(?<=[\d)])\s*(?:raised\s+)?to\s+the\s+power\s+(?:of\s+)?", "^"),
    (r"\bnegative\s+(?=\d|oo\b)", "-"), (r"\(([^()]*=[^()]*[,;][^()]*=[^()]*)\)", r" \1 "),  # {x + y = 5, x - y = 1}
    (r"\b(?:by|using|with)\s+(?:factoring|factorising|factorizing|factorisation|factorization|completing\s+the\s+square"
     r"|the\s+quadratic\s+formula|elimination|substitution|the\s+elimination\s+method|the\s+substitution\s+method)\b",
     " "),  # the method asked for: the answer is the same
    (r"\b(?:multiply|multiplying)\s+(?=\(|-?\d*[a-z]?\()", "expand "), (r"\b(?:distribute|foil)\b", "expand"),
    (r"\bfactor\s+out\s+(?:the\s+)?(?:gcf|hcf|greatest\s+common\s+factor|highest\s+common\s+factor|common\s+factors?)\b",
     "factor"),
]  # fmt: skip


def _normalise(text: str) -> str:
    text = latex_to_plain(text)
    text = text.replace("÷", " \x01 ")  # keep division signs apart from fractions through Unicode
    from tutor.pedagogy.parse import normalize_unicode

    text = re.sub(r"\n+", " ; ", text)  # one equation a line: the lines are separate pieces
    text = correct_typos(normalize_unicode(text).replace("\x01", "÷").lower())
    text = informal(unglue(text))
    for pattern, repl in _REPLACE:
        text = re.sub(pattern, repl, text)
    return re.sub(r"\s+", " ", word_operations(text)).strip()


# --- phrases with parameters --------------------------------------------------------------------------


def _take(found: _Found, pattern: str, fn) -> None:
    m = re.search(pattern, found.text)
    if m:
        fn(m)
        found.text = found.text[: m.start()] + " ; " + found.text[m.end() :]


def _phrases(text: str) -> _Found | None:
    found = _Found(text)
    found.form, found.text = percent_form(text)
    if found.form:
        return found
    def derivative_of(group: int):
        def mark(m: re.Match) -> None:
            found.cues.add("derivative")
            found.var = m.group(group)

        return mark

    def second(m: re.Match) -> None:
        found.cues.add("derivative")
        found.order = 2
        if m.lastindex:
            found.var = m.group(m.lastindex)

    _take(found, r"\b(?:second|2nd)(?:[\s-]+order)?\s+derivative\b", second)
    if re.search(r"\bdifferentiat", found.text):
        _take(found, r"\btwice\b", second)  # "differentiate x^5 twice"
    _take(found, r"\bd\s*\^\s*\(?2\)?\s*[a-z]?\s*/\s*d([a-z])\s*\^\s*\(?2\)?", second)  # d^2/dx^2, d²y/dx²
    _take(found, r"\b[fgh]\s*''\s*\(\s*([a-z])\s*\)|\by\s*''", second)  # f''(x), y''
    _take(found, r"\by\s*'(?!')", lambda m: found.cues.add("derivative"))  # "y = x^3 - 2x, y' = ?"
    _take(found, r"\bd\s*/\s*d([a-z])\b", derivative_of(1))  # d/dx
    _take(found, r"\bd([a-z])\s*/\s*d([a-z])\b", derivative_of(2))  # dy/dx
    _take(found, r"\b[fgh]\s*'\s*\(\s*([a-z])\s*\)", derivative_of(1))  # f'(x)
    for cue, pattern in CUES.items():
        if re.search(pattern, found.text):
            found.cues.add(cue)
            found.text = re.sub(pattern, " ; ", found.text)  # a boundary: "solve 3x" is not "i 3x"

    def set_var(m: re.Match) -> None:
        found.var = m.group(1)

    _take(found, r"\bwith respect to ([a-z])\b", set_var)
    if "limit" in found.cues or re.search(r"\blim\b", text):
        found.cues.add("limit")

        def set_point(m: re.Match) -> None:
            found.var, found.point = m.group(1), m.group(2).replace(" ", "")
            if m.group(3):  # 0+, 0^-, 0⁺, "from the right": a one-sided limit
                found.side = "+" if re.search(r"\+|right|above", m.group(3)) else "-"

        arrow = r"(?:->|approaches|tends to|tends towards|goes to|goes towards|approaching|is approaching)"
        # 0^+, 0^(-), 0+ (then a space or the end): one-sided; "0+1/x" could be either: refused below
        side = r"(\^\s*\(?\s*[+-]\s*\)?|\(\s*[+-]\s*\)|[+-](?=\s|$|[),;])|\s*from\s+(?:the\s+)?(?:left|right|above|below))?"
        if re.search(rf"(?:{arrow})\s*{_BOUND}[+-][^\s),;]", found.text):
            return None
        _take(found, rf"\b(?:as|when)\s+([a-z])\s*{arrow}\s*({_BOUND}){side}", set_point)
        _take(found, rf"_?\s*\(?\s*([a-z])\s*->\s*({_BOUND}){side}\s*\)?", set_point)
        _take(found, r"^\s*;?\s*from\s+(?:the\s+)?(left|right|above|below)\b", lambda m: setattr(
            found, "side", "+" if m.group(1) in ("right", "above") else "-"))  # "... as x -> 0 from the right"
    area = r"\b(?:the\s+)?area\s+(?:under|below|beneath)\s+(?:the\s+)?(?:(?:curve|graph)\s+(?:of\s+)?)?(?:y\s*=\s*)?"
    if re.search(area, found.text):  # the area under a curve: its integral, when the curve is never below 0
        _take(found, area, lambda m: found.cues.update({"integral", "area"}))
    if "integral" in found.cues:

        def set_bounds(m: re.Match) -> None:
            found.bounds = tuple(re.sub(r"ln\(?(\d+)\)?", r"ln(\1)", m.group(i).replace(" ", "")) for i in (1, 2))

        _take(found, rf"_\s*{_PAREN_BOUND}\s*\^\s*{_PAREN_BOUND}", set_bounds)
        at = r"(?:[a-z]\s*=\s*)?"
        _take(found, rf"\b(?:from|between)\s+{at}({_BOUND})\s+(?:to|and)\s+{at}({_BOUND})(?![\w.])", set_bounds)
        _take(found, rf"(?:^|;)\s*({_BOUND})\s+to\s+({_BOUND})\s+of\b", set_bounds)  # "int 0 to 1 of e^x dx"
        _take(found, r"(?<![a-z])d(?!o\b)([a-z])\b(?!\s*/)", set_var)  # dx, dt; not "how do i"
    if "derivative" in found.cues:
        _take(found, r"\b([fgh])\s*\(\s*([a-z])\s*\)\s*=", lambda m: setattr(found, "var", m.group(2)))
        _take(found, r"\by\s*=(?=.*[a-z0-9])", lambda m: None)
    return found


# --- words and math -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<word>[a-z]+(?:'[a-z]+)?)|(?P<op>->|<=|>=|!=|[-+*/^()=<>%×÷|])"
    r"|(?P<space>\s+)|(?P<punct>[?,;:!&\"]|\.(?!\d))|(?P<other>.)"
)
_GLUED_FUNCTION = re.compile(r"(?:sin|cos|tan|sec|csc|cot|sqrt|log|ln|exp)[a-z]{1,2}")


def _spans(text: str) -> list[str] | None:
    """The pieces of math in ``text``; None when a word is not in the vocabulary."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    if any(kind == "other" for kind, _ in tokens):
        return None
    solid = [i for i, (kind, _) in enumerate(tokens) if kind != "space"]
    math = [False] * len(tokens)
    for pos, i in enumerate(solid):
        kind, tok = tokens[i]
        if kind in ("num", "op"):
            math[i] = True
        elif kind == "word":
            near = [tokens[solid[j]] for j in (pos - 1, pos + 1) if 0 <= j < len(solid)]
            by_math = any(k in ("num", "op") for k, _ in near)
            if tok in FUNCTION_WORDS or _GLUED_FUNCTION.fullmatch(tok) and tok not in VOCABULARY:
                math[i] = True
            elif len(tok) == 1 and (tok not in ("a", "i", "u") or _a_is_math(tokens, solid, pos)):
                math[i] = True
            elif tok in VOCABULARY:
                continue
            elif len(tok) <= 3 and by_math and re.fullmatch(r"[a-hj-z]+", tok):  # 2xy, x^2y
                math[i] = True
            else:
                return None
    spans, current = [], ""
    for i, (kind, tok) in enumerate(tokens):
        if kind == "num" and re.search(r"(?<![a-z])[a-z]\s+$", current):  # "find x 7x - 2 = 19": x, then 7x...
            spans.append(current.strip())
            current = tok
        elif math[i] or kind == "space" and current:
            current += tok
        else:
            if current.strip():
                spans.append(current.strip())
            current = ""
    if current.strip():
        spans.append(current.strip())
    return spans


def _a_is_math(tokens: list, solid: list[int], pos: int) -> bool:
    """"a" and "i" are words unless an operator or number follows them (or leads to them)."""
    kinds = [tokens[solid[j]][0] if 0 <= j < len(solid) else None for j in (pos - 1, pos + 1)]
    return kinds[1] in ("num", "op") or kinds[0] in ("num", "op") and kinds[1] != "word"


def _lone_letter(span: str) -> bool:
    return bool(re.fullmatch(r"[a-z]", span))


# --- the reading -----------------------------------------------------------------------------------


def _read(text: str, question: str) -> Problem | None:
    found = _phrases(_normalise(text))
    if found is None:
        return None
    spans = _spans(found.text)
    if spans is None:
        return None
    if found.form:
        return None if spans else arith_form(question, found.form)
    letters = {s for s in spans if _lone_letter(s)}
    main = [s for s in spans if not _lone_letter(s)]
    calculus = found.cues & {"derivative", "integral", "limit"}
    if not main and calculus and len(letters) == 1:
        main, letters = [next(iter(letters))], set()
    if {"expand", "simplify"} <= found.cues:  # "expand and simplify": expanding does both
        found.cues.discard("simplify")
    if len(found.cues & {"derivative", "integral", "limit", "factor", "expand", "simplify", "roots"}) > 1:
        return None
    if len(main) == 2 and not found.cues - {"solve"}:
        between = found.text[found.text.find(main[0]) + len(main[0]) : found.text.rfind(main[1])]
        if not re.fullmatch(r"[\s,;&]*(?:and)?[\s,;&]*", between):
            return None  # "x = 2 or x = 3", "... if ...": not two equations to solve together
        return _system(question, main, letters)
    if len(main) != 1:
        return None
    return _single(question, main[0], letters, found)


def _system(question: str, main: list[str], letters: set[str]) -> Problem | None:
    eqs = [parse_math(s) for s in main]
    if not all(isinstance(e, sympy.Equality) for e in eqs):
        return None
    symbols = set().union(*(e.free_symbols for e in eqs))
    if len(symbols) != 2 or not {str(s) for s in symbols} >= letters:
        return None
    for e in eqs:
        poly = sympy.Poly(sympy.expand(e.lhs - e.rhs), *sorted(symbols, key=str))
        if poly.total_degree() != 1:
            return None
    shown = tuple(tidy(parse_structure(s)) for s in main)
    decimals = any(s.atoms(sympy.Float) for s in shown)
    variables = tuple(sorted(symbols, key=str))
    statement = ", ".join(plain(s, keep_order=True) for s in shown)
    latex = r" \\ ".join(tex(s, keep_order=True) for s in shown)
    latex = rf"\begin{{cases}} {latex} \end{{cases}}"
    parsed = Parsed(tuple(eqs), shown, variables, decimals=decimals)
    return make_problem("system", question, statement, latex, variables, parsed)


def _single(question: str, span: str, letters: set[str], found: _Found) -> Problem | None:
    from tutor.pedagogy.read_kinds import calculus_problem, compound_problem, expression_problem, relation_problem

    if re.search(r"\blog\b", span):
        return None  # log x: natural or base 10? people disagree (ln x is read)
    if len(re.findall(r"<=?|>=?", span)) == 2:  # -2 < 3x + 1 < 7
        return compound_problem(question, span, letters, found)
    numbers_only = not re.search(r"[a-z]", span.replace("pi", "").replace("sqrt", ""))
    if numbers_only and not found.cues & {"derivative", "integral", "limit"}:
        if found.cues - {"solve", "simplify"} or letters:
            return None
        return arithmetic(question, span)
    expr = parse_math(span)
    shown = tidy(parse_structure(span))
    if isinstance(expr, sympy.logic.boolalg.BooleanAtom) and span.count("=") == 1 and not re.search("[<>!]", span):
        left, right = span.split("=")  # 2(x + 1) = 2x + 2 evaluates to True: keep it an equation
        expr = sympy.Eq(parse_math(left), parse_math(right), evaluate=False)
    if found.cues & {"derivative", "integral", "limit"}:
        return calculus_problem(question, expr, shown, letters, found)
    if isinstance(expr, sympy.core.relational.Relational):
        return relation_problem(question, expr, shown, letters, found)
    return expression_problem(question, expr, shown, letters, found)
