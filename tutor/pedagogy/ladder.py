"""The hint ladder: each hint more specific than the last, none giving the answer away.

1. What kind of problem it is and what we are looking for.
2. The method, or the next operation to do.
3. One worked step: the first step done, with its result (never the final answer; when the
   first step already gives the answer, the hint names the operation and lets the student do it).

Every hint is whole sentences with inline LaTeX in $...$ and ends with exactly one guiding
question. The full solution is shown only when the student asks for it after ``required``
hints (``may_show_solution``).
"""

from __future__ import annotations

import re

import sympy

from tutor.pedagogy.types import KIND_NAMES, Answer, Problem, Solution

DEFAULT_HINTS_BEFORE_SOLUTION = 3
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:/\d+)?(?![\d.])")  # 2 in "2x" counts
_MATH = re.compile(r"\$([^$]+)\$")


def build_hints(problem: Problem, draft) -> tuple[str, str, str]:
    """The three hints for a solver's draft (``tutor.pedagogy.solvers.base.Draft``)."""
    moves = draft.moves
    first = moves[0]
    one = f"This is {KIND_NAMES[problem.kind]}. {draft.goal} {draft.ask_kind}"
    two = f"{draft.method} {_as_question(first.ask)}"
    if len(moves) > 1 and not gives_away(f"{first.text} ${first.latex}$", draft.answer, problem):
        three = f"Start like this: {first.text} That gives ${first.latex}$. {_as_question(moves[1].ask)}"
    elif len(moves) > 2 and not gives_away(f"{first.text} {moves[1].text}", draft.answer, problem):
        # the first state is the answer still untidied (the formula with the numbers in):
        # the worked step is then the first two steps' words ("... the discriminant is 40")
        three = f"Start like this: {first.text} {moves[1].text} What do you get when you carry that through?"
    else:
        said = first.action or _operation(first.text)
        op = _without_results(said)
        if op != said and re.search(r"\$[A-Za-z]\$\.?\s*$", op):  # "so $t = 0$." -> "so $t$.": nothing to do
            three = f"Start with the first step yourself. {_as_question(first.ask)}"
        else:
            three = f"Start like this: {op} What do you get when you do that?"
    return tuple(_one_question(h) for h in (one, two, three))  # type: ignore[return-value]


def next_hint(solution: Solution, hints_given: int) -> str | None:
    """The next rung: hint ``hints_given + 1``, or None when every hint has been given."""
    if 0 <= hints_given < len(solution.hints):
        return solution.hints[hints_given]
    return None


def may_show_solution(hints_given: int, asked: bool, required: int = DEFAULT_HINTS_BEFORE_SOLUTION) -> bool:
    """The full solution only when the student asks for it after ``required`` hints."""
    return bool(asked) and hints_given >= required


def _without_results(text: str) -> str:
    """A computation keeps only what is to be worked out: ``$2\\div 25 = 0.08$`` -> ``$2\\div 25$``
    (math naming things, ``$A = 3x$``, or stating a rule, ``$A^2 - B^2 = ...$``, stays)."""

    def strip(m: re.Match) -> str:
        left = m.group(1).split("=")[0]
        numeric = "=" in m.group(1) and not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", left))
        return f"${left.rstrip()}$" if numeric else m.group()

    return _MATH.sub(strip, text)


def _operation(text: str) -> str:
    """The step's sentence without a stated result or formula.

    "Factor: ... add to 5: they are 2 and 3." -> "Factor: ... add to 5."; "Use the power rule
    ($\\frac{d}{dx}x^n = nx^{n-1}$) on $x^3$." -> "Use the power rule on $x^3$."
    """
    text = re.sub(r":\s*they are [^.]*\.", ".", text)
    return re.sub(r" \(\$.*?\$\)", "", text)


def _as_question(text: str) -> str:
    text = text.strip()
    return text if text.endswith("?") else text.rstrip(".") + "?"


def _one_question(hint: str) -> str:
    """Every sentence but the last a statement: a stray "?" before the end becomes a full stop."""
    body, _, last = hint.rstrip().rpartition(". ")
    body = body.replace("?", ".")
    hint = f"{body}. {last}" if body else last
    return re.sub(r"\s+", " ", hint).strip()


# --- does a sentence give the answer away? ---------------------------------------------------------


def _answer_numbers(answer: Answer) -> list[sympy.Basic]:
    value = answer.value
    if isinstance(value, sympy.Set):
        return [b for b in value.boundary if b.is_finite] if value.is_Union or value.is_Interval else []
    if isinstance(value, dict):
        return [v for v in value.values() if getattr(v, "is_number", False)]
    if isinstance(value, tuple):
        return [v for v in value if getattr(v, "is_number", False)]
    if isinstance(value, sympy.Basic) and value.is_number:
        from tutor.pedagogy.equiv import is_percent

        return [value, value / 100] if is_percent(answer) else [value]  # 24% is also 0.24
    return []


def _numbers_in(text: str) -> set[sympy.Rational]:
    out = set()
    for m in _NUMBER.finditer(text.replace(r"\frac{", "").replace("}{", "/")):
        try:
            out.add(sympy.Rational(m.group()))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return out


def gives_away(text: str, answer: Answer, problem: Problem) -> bool:
    """Does ``text`` state the answer: its LaTeX or text, or an answer number the question lacks?"""
    squash = re.sub(r"\s+", "", text)
    for form in (answer.latex, answer.text):
        if form and re.sub(r"\s+", "", form) in squash:
            return True
    asked = _numbers_in(problem.question or problem.statement) | _numbers_in(problem.statement)
    said = _numbers_in(text)
    for value in _answer_numbers(answer):
        if value.is_Rational and value in said and value not in asked:
            return True
        if value.is_Rational and -value in said and -value not in asked and value != 0:
            return True
    roots = [v for v in _answer_numbers(answer) if not v.is_Rational]
    if roots and _states_a_root(text, roots):
        return True
    expr = answer.value if isinstance(answer.value, sympy.Expr) and not answer.value.is_number else None
    if expr is not None:
        from tutor.pedagogy.parse import latex_to_plain, parse_math

        same_form = problem.kind in ("expand", "factor", "simplify")  # the answer equals the question there
        for span in _MATH.findall(text):
            for piece in re.split(r"=|\\text\{ or \}", span):
                try:  # LaTeX rewritten as plain math: the ANTLR parser is too slow for every hint
                    shown = parse_math(latex_to_plain(piece))
                    if shown == expr if same_form else sympy.expand(shown - expr) == 0:
                        return True
                except Exception:
                    continue
    return False


def _states_a_root(text: str, roots: list[sympy.Basic]) -> bool:
    """An irrational answer written as a number still to be tidied: the quadratic formula with
    the numbers put in, ``(8 ± √40)/2``, IS ``4 ± √10`` (as 10/2 is 5), so a hint may not show it."""
    from tutor.pedagogy.parse import latex_to_plain, parse_math

    for span in _MATH.findall(text):
        for piece in re.split(r"=|\\text\{ or \}", span):
            branches = [piece] if "\\pm" not in piece else [piece.replace("\\pm", "+"), piece.replace("\\pm", "-")]
            for branch in branches:
                try:
                    shown = parse_math(latex_to_plain(branch))
                except Exception:
                    continue
                if getattr(shown, "is_number", False) and any(sympy.simplify(shown - r) == 0 for r in roots):
                    return True
    return False
