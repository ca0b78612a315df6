"""Arithmetic said in words: percentages, "a fraction of", conversions, "add 7/4 and 5/2".

    percent_form("what's 15 % of 80")        -> ({"form": "percent_of", ...}, "what's  ; ")
    percent_form("20 % more than 45")         -> ({"form": "change", "sign": 1, ...}, " ; ")
    word_operations("add 7/4 and 5/2")        -> "7/4 + 5/2"

``read`` calls these on the normalised question (lower case, "percent" written "%"). A form
takes its numbers out of the text; the rest must be instruction words, or the reader says None.
Only phrasings with one meaning are read: "20% more than 45" is 45 + 20% of 45; "take 30% off
90" is 90 - 30% of 90; "the difference between 8 and 3" is 8 - 3.
"""

from __future__ import annotations

import re

from tutor.pedagogy.read_kinds import make_problem
from tutor.pedagogy.solvers import arith_tree
from tutor.pedagogy.solvers.base import Parsed
from tutor.pedagogy.types import Problem

_N = r"(\d+(?:\.\d+)?)"
_Q = r"(-?\d+(?:\.\d+)?(?:\s*/\s*\d+)?)"  # a number or a fraction
_MORE = r"(?:more|greater|higher|larger|bigger|above)"
_LESS = r"(?:less|fewer|lower|smaller|below)"


def _change(sign: int, base: str, percent: str) -> dict:
    return {"form": "change", "base": base, "percent": percent, "sign": sign}


_FORMS = [
    (rf"\b{_N}\s*% of {_N}\b", lambda m: {"form": "percent_of", "percent": m[1], "of": m[2]}),
    (r"(?:\b|\()(\d+)\s*/\s*(\d+)\)? of (\d+(?:\.\d+)?)\b", lambda m: {"form": "fraction_of", "value": f"{m[1]}/{m[2]} × {m[3]}"}),
    (rf"(?<=what is ){_N}\s*% from {_N}\b", lambda m: {"form": "percent_of", "percent": m[1], "of": m[2]}),  # "how much is 5% from 60"
    (rf"\bwhat % of {_N} is {_N}\b", lambda m: {"form": "what_percent", "part": m[2], "whole": m[1]}),
    (rf"\bwhat % is {_N} of {_N}\b", lambda m: {"form": "what_percent", "part": m[1], "whole": m[2]}),
    (rf"\b{_N} is what % of {_N}\b", lambda m: {"form": "what_percent", "part": m[1], "whole": m[2]}),
    (r"\bwhat % is (\d+\s*/\s*\d+|\d*\.\d+)(?![\d/.]|\s*(?:of|[-+*/^×÷]))",
     lambda m: {"form": "to_percentage", "value": m[1]}),  # "what percent is 3/4?"
    (rf"\b{_N} as a % of {_N}\b", lambda m: {"form": "what_percent", "part": m[1], "whole": m[2]}),
    (rf"\b(increase|decrease|reduce) {_N} by {_N}\s*%", lambda m: _change(1 if m[1] == "increase" else -1, m[2], m[3])),
    (rf"\b{_N} (increased|decreased|reduced) by {_N}\s*%", lambda m: _change(1 if m[2] == "increased" else -1, m[1], m[3])),
    (rf"\b{_N}\s*% {_MORE} than {_N}\b", lambda m: _change(1, m[2], m[1])),
    (rf"\b{_N}\s*% {_LESS} than {_N}\b", lambda m: _change(-1, m[2], m[1])),
    (rf"\b(?:take|taking|takes) {_N}\s*% off(?: of)? {_N}\b", lambda m: _change(-1, m[2], m[1])),
    (rf"\b{_N}\s*% off(?: of)? {_N}\b", lambda m: _change(-1, m[2], m[1])),
    (r"(\d+\s*/\s*\d+|\d*\.\d+|\d+(?:\.\d+)?\s*%)\s+(?:to|into|as|in)\s+(?:a |an )?(decimal|fraction|%)"
     r"(?: form)?(?!\w)", lambda m: {"form": "to_" + {"%": "percentage"}.get(m[2], m[2]), "value": m[1]}),
]  # fmt: skip
_FORM_RES = [(re.compile(p), make) for p, make in _FORMS]


def percent_form(text: str) -> tuple[dict | None, str]:
    """The first percentage / fraction-of / conversion phrase in ``text`` and the text without it."""
    for rx, make in _FORM_RES:
        m = rx.search(text)
        if m:
            return make(m), text[: m.start()] + " ; " + text[m.end() :]
    return None, text


_END = r"\b(?!\s*(?:[-+*/^×÷]|\d))"  # "the sum of 3 and 4 × 2": (3 + 4) × 2 or 3 + 8? refuse (left unread)
_WORD_OPERATIONS = [
    (rf"\b(?:a |one )?half of {_Q}\b", r"1/2 × \1"),
    (rf"\b(?:a |one )?third of {_Q}\b", r"1/3 × \1"),
    (rf"\b(?:a |one )?quarter of {_Q}\b", r"1/4 × \1"),
    (rf"\badd {_Q} (?:and|to) {_Q}{_END}", r"(\1 + \2)"),
    (rf"\bsubtract {_Q} from {_Q}{_END}", r"(\2 - (\1))"),
    (rf"\bmultiply {_Q} (?:by|and) {_Q}{_END}", r"(\1 × \2)"),
    (rf"\bdivide {_Q} by {_Q}{_END}", r"(\1 ÷ \2)"),
    (rf"\b(?:the )?sum of {_Q} and {_Q}{_END}", r"(\1 + \2)"),
    (rf"\b(?:the )?product of {_Q} and {_Q}{_END}", r"(\1 × \2)"),
    (rf"\b(?:the )?difference (?:between|of) {_Q} and {_Q}{_END}", r"(\1 - (\2))"),
    (rf"\b(?:the )?quotient of {_Q} and {_Q}{_END}", r"(\1 ÷ \2)"),
]
_WORD_RES = [(re.compile(p), r) for p, r in _WORD_OPERATIONS]


def word_operations(text: str) -> str:
    """"add 7/4 and 5/2" -> "7/4 + 5/2", "subtract 3 from 10" -> "10 - (3)": numbers only."""
    for rx, repl in _WORD_RES:
        text = rx.sub(repl, text)
    return text


def arith_form(question: str, f: dict) -> Problem | None:
    """The problem a percentage / conversion form stands for (``percent_form``'s dict)."""
    form = f["form"]
    if form == "percent_of":
        tree = arith_tree.parse_arith(f"{f['percent']}% × {f['of']}")
        statement, latex = f"{f['percent']}% of {f['of']}", rf"{f['percent']}\% \text{{ of }} {f['of']}"
    elif form == "what_percent":
        if float(f["whole"]) == 0:
            return None
        tree = arith_tree.parse_arith(f"{f['part']} ÷ {f['whole']} × 100")
        statement = f"{f['part']} as a percentage of {f['whole']}"
        latex = rf"{f['part']} \text{{ as a percentage of }} {f['whole']}"
    elif form == "change":
        op = "+" if f["sign"] > 0 else "-"
        tree = arith_tree.parse_arith(f"{f['base']} {op} {f['percent']}% × {f['base']}")
        word = "increase" if f["sign"] > 0 else "decrease"
        statement = f"{word} {f['base']} by {f['percent']}%"
        latex = rf"\text{{{word} }} {f['base']} \text{{ by }} {f['percent']}\%"
    elif form == "fraction_of":  # "2/5 of 40" means 2/5 × 40
        tree = arith_tree.parse_arith(f["value"])
        statement, latex = arith_tree.text(tree).replace(" × ", " of "), arith_tree.tex(tree).replace(
            r"\times", r"\text{ of }")  # fmt: skip
        parsed = Parsed(tree, tree, None, decimals=False, extra={"form": "expression"})
        return make_problem("arithmetic", question, statement, latex, (), parsed)
    else:
        tree = arith_tree.parse_arith(f["value"])
        target = form[3:]
        statement = f"{arith_tree.text(tree)} as a {target}"
        latex = rf"{arith_tree.tex(tree)} \text{{ as a {target}}}"
    parsed = Parsed(tree, tree, None, decimals=True, extra=dict(f))
    return make_problem("arithmetic", question, statement, latex, (), parsed)


def arithmetic(question: str, span: str) -> Problem | None:
    """A calculation with numbers only (``span`` is its math)."""
    tree = arith_tree.parse_arith(span)
    while isinstance(tree, arith_tree.Group):  # "(7/4 + 5/2)" from "add 7/4 and 5/2": no outer brackets
        tree = tree.x
    if isinstance(tree, (arith_tree.Num, arith_tree.Pct)):
        return None  # a lone number is not a calculation
    decimals = arith_tree.has_decimal(tree)
    parsed = Parsed(tree, tree, None, decimals=decimals, extra={"form": "expression"})
    return make_problem("arithmetic", question, arith_tree.text(tree), arith_tree.tex(tree), (), parsed)
