"""A strict, independent test of "does this hint give the final answer away?" (for the solver's tests).

Deliberately simple and stricter than the app's LeakGuard: any number equal to an answer value
(as an integer, fraction, decimal or \\frac) that the question itself does not contain, any
"var = value" / "var > value" for the answer, the answer's own text or LaTeX, and any math span
that sympy finds equal to an expression answer count as a leak.
"""

from __future__ import annotations

import re

import sympy

from tutor.pedagogy.parse import latex_to_plain, parse_math

_NUM = re.compile(r"(?<![\w.^{])-?\s?\d+(?:\.\d+)?(?:\s*/\s*\d+)?(?![\d.])")


def _numbers(text: str) -> set:
    text = re.sub(r"\\frac\{(-?\d+)\}\{(\d+)\}", r"\1/\2", text)
    out = set()
    for m in _NUM.finditer(text):
        try:
            out.add(sympy.Rational(m.group().replace(" ", "")))
        except (TypeError, ValueError, ZeroDivisionError):
            pass
    return out


def _answer_values(answer) -> list:
    value = answer.value
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, sympy.Interval):
        return [b for b in (value.start, value.end) if b.is_finite]
    if isinstance(value, sympy.Basic) and value.is_number:
        return [value]
    return []


def leak_reason(hint: str, solution) -> str | None:
    answer, problem = solution.answer, solution.problem
    squash = re.sub(r"\s+", "", hint)
    for form in (answer.text, answer.latex):
        if re.fullmatch(r"-?[\d.]+", form.strip()):
            continue  # a bare number: the number test below decides (it may be one of the question's)
        if len(form) > 1 and re.sub(r"\s+", "", form) in squash:
            return f"states the answer {form!r}"
    asked = _numbers(problem.question) | _numbers(problem.statement) | _numbers(problem.latex)
    asked |= {-n for n in asked}  # "x - 3" says 3 too
    said = _numbers(hint)
    for v in _answer_values(answer):
        if not v.is_Rational:
            if re.sub(r"\s+", "", sympy.latex(v)) in squash:
                return f"states the root {v}"
            continue
        if v in said and v not in asked:
            return f"says the number {v}"
        for var in problem.variables if problem.kind in ("linear", "quadratic", "system", "inequality") else ():
            for shown in {str(v), sympy.latex(v), f"{float(v):g}"}:
                # "x = 2" as a statement of its own, not the end of "5x = 2" or the start of "x = 2 + y"
                lead = r"(?:^|[$(,:;]|\\text\{ or \}|\band\b|\bso\b|\bis\b)\s*"
                tail = r"\s*(?:$|[$,;)]|\.(?!\d)|\bor\b|\band\b|\\quad)"
                pattern = rf"{lead}{var}\s*(=|<|>|\\le|\\ge|≤|≥)\s*{re.escape(shown)}{tail}"
                if re.search(pattern, hint):
                    return f"says {var} = {shown}"
    expr = answer.value
    if isinstance(expr, sympy.Expr) and not expr.is_number:
        # expand / factor / simplify: the answer equals the question, so only its form gives it away
        same_form = problem.kind in ("expand", "factor", "simplify")
        for span in re.findall(r"\$([^$]+)\$", hint):
            for piece in re.split(r"=|\\text\{ or \}", span):
                try:
                    shown = parse_math(latex_to_plain(piece))
                    if shown == getattr(problem.payload, "expr", None):
                        continue  # the question's own function (∫ e^x dx = e^x + C): restating it is fine
                    if shown == expr if same_form else sympy.simplify(shown - expr) == 0:
                        return f"shows the answer expression in {span!r}"
                except Exception:
                    continue
    return None


def hint_problems(hint: str) -> list[str]:
    """Form rules every hint must follow: whole sentences, exactly one question, at the end."""
    problems = []
    if not hint.endswith("?"):
        problems.append("does not end with a question")
    if hint.count("?") != 1:
        problems.append(f"has {hint.count('?')} question marks")
    if hint.count("$") % 2:
        problems.append("unbalanced $")
    if not hint[:1].isupper():
        problems.append("does not start a sentence")
    return problems
