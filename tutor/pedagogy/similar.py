"""New problems of a kind, worded the way students write: ``similar``, ``generate``, ``generate_items``.

    similar(problem, seed=3)          -> a checked Solution of a new problem of the same kind
    generate("quadratic", 50, seed=1) -> 50 checked Solutions with varied wordings
    generate_items("limit", 50, 1)    -> 50 (question, known answer) pairs

Each problem is built from its answer (``makers``), worded with one of several phrasings
(plain, Unicode, LaTeX), read back with ``read_problem`` and solved; it is kept only if the
solution is checked and its answer equals the one it was built from. Deterministic for a seed.
"""

from __future__ import annotations

import random

import sympy

from tutor.pedagogy.makers import EXTRA_VARIANTS, MAKERS, Made
from tutor.pedagogy.read import read_problem
from tutor.pedagogy.solvers.base import CannotSolve, has_brackets_anywhere
from tutor.pedagogy.types import KINDS, Problem, Solution

WORDINGS: dict[str, tuple[str, ...]] = {
    "linear": ("Solve for {var}: {math}", "Find {var} if {math}", "{math}", "Solve ${tex}$", "how do I solve {math}?",
               "What value of {var} satisfies {math}?", "Solve {uni}", "Solve the equation {math} for {var}."),
    "quadratic": ("Solve {math}", "{uni}", "Solve ${tex}$ for {var}", "How do I solve {math}?",
                  "Find the solutions of {math}", "What are the roots of {math}?", "solve: {math}"),
    "system": ("Solve {m1} and {m2}", "{m1}, {m2}", "Solve the system {m1}, {m2}", "Find x and y if {m1} and {m2}",
               "Solve ${t1}$ and ${t2}$", "solve the simultaneous equations {u1} and {u2}"),
    "inequality": ("Solve {math}", "Solve ${tex}$", "Solve the inequality {uni}", "For which values of x is {math}?",
                   "solve {math} for x"),
    "expand": ("Expand {math}", "Expand ${tex}$", "Multiply out {math}", "expand and simplify {uni}",
               "Remove the brackets: {math}"),
    "factor": ("Factor {math}", "Factorise {math}", "Factorize ${tex}$", "Factor {uni} completely", "Fully factorise {math}"),
    "simplify": ("Simplify {math}", "Simplify ${tex}$", "simplify {uni}", "Write {math} in its simplest form"),
    "derivative": ("What is the derivative of {math}?", "Differentiate {math}", "d/dx ({math})",
                   "Find f'(x) if f(x) = {math}", "Differentiate ${tex}$ with respect to x",
                   r"$\frac{{d}}{{dx}}\left({tex}\right)$", "find dy/dx when y = {math}"),
    "integral": ("Integrate {math}", "∫ {math} dx", "Find the integral of {math}", "What is the antiderivative of {math}?",
                 r"$\int \left({tex}\right) \, dx$", "Find ∫ ({uni}) dx"),
    "definite_integral": ("Integrate {math} from {lo} to {hi}", "∫ from {lo} to {hi} of {math} dx",
                          r"$\int_{{{lo}}}^{{{hi}}} \left({tex}\right) \, dx$",
                          "Evaluate the integral of {math} between {lo} and {hi}",
                          "Find the definite integral of {math} from x = {lo} to x = {hi}"),
    "limit": ("Find the limit of {math} as x approaches {at}", "lim x->{at} {math}", "Evaluate lim x→{at} {math}",
              r"$\lim_{{x \to {at_tex}}} {tex}$", "What is the limit of {math} as x tends to {at}?",
              "limit as x goes to {at} of {math}"),
}  # fmt: skip
SUB_KIND_WORDINGS: dict[tuple[str, str], tuple[str, ...]] = {  # sub-kinds that need their own words
    ("limit", "one_sided"): ("Find the limit of {math} as x approaches {at} from the {side_word}",
                             "lim x->{at}{side} {math}", r"$\lim_{{x \to {at_tex}^{{{side}}}}} {tex}$",
                             "What is the limit of {math} as x tends to {at} from the {side_word}?"),
    ("derivative", "second"): ("Find the second derivative of {math}", "Find f''(x) if f(x) = {math}",
                               r"$\frac{{d^2}}{{dx^2}}\left({tex}\right)$", "Differentiate {math} twice"),
}  # fmt: skip
NO_REAL_WORDINGS = ("Find all real solutions of {math}", "Solve {math} for real {var}",
                    "Solve {uni} over the real numbers", "Find all real {var} such that {math}")
ARITHMETIC_WORDINGS: dict[str, tuple[str, ...]] = {
    "expression": ("What is {math}?", "Calculate {uni}", "Work out {math}", "Evaluate ${tex}$", "{math}",
                   "What's {math}?", "Compute {math}."),
    "percent_of": ("What is {0}% of {1}?", "Find {0} percent of {1}", "what's {0}% of {1}", "Calculate {0}% of {1}."),
    "what_percent": ("What percent of {1} is {0}?", "{0} is what percentage of {1}?", "What percentage is {0} of {1}?"),
    "change": ("{verb} {0} by {1}%", "What is {0} {verbed} by {1}%?", "{verb} {0} by {1} percent."),
    "to_decimal": ("Convert {math} to a decimal", "Write {math} as a decimal", "What is {math} as a decimal?"),
}  # fmt: skip


def _unicode(text: str) -> str:
    return text.replace("^2", "²").replace("^3", "³").replace(" - ", " − ").replace("*", "×")


def word(kind: str, made: Made, variant: str, rng: random.Random) -> str:
    """One wording of ``made``, chosen with ``rng``."""
    if kind == "arithmetic":
        form = variant if variant in ARITHMETIC_WORDINGS else "expression"
        template = rng.choice(ARITHMETIC_WORDINGS[form])
        if form in ("percent_of", "what_percent", "change"):
            numbers = made.extra
            verb = "Increase" if form == "change" and numbers[2] > 0 else "Decrease"
            return template.format(*numbers, verb=verb, verbed=verb.lower() + "d")
        return template.format(math=made.plain, tex=made.latex, uni=_unicode(made.plain))
    # no real roots: say "real", or "x = ±3i" would be the expected answer
    template = rng.choice(NO_REAL_WORDINGS if kind == "quadratic" and variant == "none" else
                          SUB_KIND_WORDINGS.get((kind, variant), WORDINGS[kind]))  # fmt: skip
    if kind == "system":
        (m1, m2), (t1, t2) = made.plain.split("|"), made.latex.split("|")
        return template.format(m1=m1, m2=m2, t1=t1, t2=t2, u1=_unicode(m1), u2=_unicode(m2))
    fields = {"math": made.plain, "tex": made.latex, "uni": _unicode(made.plain), "var": made.var}
    if kind == "definite_integral":
        fields.update(lo=made.extra[0], hi=made.extra[1])
    if kind == "limit":
        at = made.extra[0]
        fields.update(at="infinity" if at == sympy.oo else at, at_tex=sympy.latex(at))
        if len(made.extra) > 1:  # one-sided
            side = made.extra[1]
            fields.update(side=side, side_word="right" if side == "+" else "left")
    return template.format(**fields)


def same_answer(kind: str, value, known) -> bool:
    """Does the solver's answer equal the one the problem was built from?"""
    try:
        if isinstance(known, dict):
            return isinstance(value, dict) and {str(k): v for k, v in value.items()} == {str(k): v for k, v in known.items()}
        if isinstance(known, tuple):
            return isinstance(value, tuple) and len(value) == len(known) and all(
                sympy.simplify(a - b) == 0 for a, b in zip(value, known, strict=True))
        if isinstance(known, sympy.Set):
            return value == known
        if known in (sympy.oo, -sympy.oo) or value in (sympy.oo, -sympy.oo):  # oo - oo is nan, never 0
            return value == known
        if kind == "integral":
            return sympy.simplify(sympy.diff(value - known, sympy.Symbol("x"))) == 0
        if kind == "factor":
            return sympy.expand(value - known) == 0 and isinstance(value, (sympy.Mul, sympy.Pow))
        return sympy.simplify(value - known) == 0
    except Exception:
        return False


def _variant_of(problem: Problem) -> str | None:
    """The sub-type of a problem, so a similar one is like it (factoring vs formula, product rule...)."""
    p = problem.payload
    if problem.kind == "arithmetic":
        form = p.extra.get("form", "expression")
        if form != "expression":
            return form
        from tutor.pedagogy.solvers import arith_tree

        text = arith_tree.text(p.expr)
        return "fractions" if "/" in text else "decimals" if arith_tree.has_decimal(p.expr) else "order"
    if problem.kind == "linear":
        return "brackets" if has_brackets_anywhere(p.shown) else "both_sides" if (
            p.expr.lhs.has(p.var) and p.expr.rhs.has(p.var)) else None  # fmt: skip
    if problem.kind == "limit":
        if p.extra.get("dir") in ("+", "-"):
            return "one_sided"
        if not p.extra["point"].is_finite:
            if isinstance(p.expr, sympy.Pow) and p.expr.exp.has(p.var) and p.expr.base.has(p.var):
                return "e_power"  # (1 + a/x)^x
            return "conjugate" if any(q.exp == sympy.S.Half for q in p.expr.atoms(sympy.Pow)) else "infinity"
        num, den = sympy.fraction(sympy.together(p.expr))
        if den.has(p.var) and den.subs(p.var, p.extra["point"]) == 0:
            return "cancel" if num.is_polynomial(p.var) and den.is_polynomial(p.var) else "lhopital"
        return "direct"
    if problem.kind in ("integral", "definite_integral"):
        from tutor.pedagogy.solvers.integral import antiderivative_moves

        try:
            used = antiderivative_moves(p.expr, p.var)[2]
        except CannotSolve:
            return None
        if "substitution" in used:
            return "substitution"
        return "exp" if p.expr.has(sympy.exp) else "trig" if p.expr.has(sympy.sin, sympy.cos) else None
    if problem.kind == "derivative" and p.extra.get("order", 1) == 2:
        return "second"
    if problem.kind == "derivative":
        f = p.expr
        if isinstance(f, sympy.Mul) and sympy.fraction(f)[1].has(p.var):
            return "quotient"
        if isinstance(f, sympy.Mul) and len([a for a in f.args if a.has(p.var)]) > 1:
            return "product"
        return "chain" if f.has(sympy.sin, sympy.cos, sympy.exp) or isinstance(f, sympy.Pow) and f.base != p.var else None
    return None


def _attempt(kind: str, variant: str, rng: random.Random) -> tuple[str, Made, Solution] | None:
    from tutor.pedagogy.solve import solve

    maker, _ = MAKERS[kind]
    made = maker(rng, variant)
    question = word(kind, made, variant, rng)
    problem = read_problem(question)
    if problem is None or problem.kind != kind:
        return None
    try:
        solution = solve(problem)
    except CannotSolve:
        return None
    if not solution.checked or not same_answer(kind, solution.answer.value, made.answer):
        return None
    return question, made, solution


def similar(problem: Problem, seed: int | None = None) -> Solution:
    """A new problem of the same kind (and sub-type) with other numbers, solved and checked."""
    if problem.kind not in MAKERS:
        raise CannotSolve(f"no generator for {problem.kind!r}")
    rng = random.Random(seed)
    variants = MAKERS[problem.kind][1] + EXTRA_VARIANTS.get(problem.kind, ())
    wanted = _variant_of(problem)
    for attempt in range(40):
        variant = wanted if wanted in variants and attempt < 30 else rng.choice(MAKERS[problem.kind][1])
        found = _attempt(problem.kind, variant, rng)
        if found and found[2].problem.statement != problem.statement:
            return found[2]
    raise CannotSolve("no similar problem found")


def generate_items(kind: str, n: int, seed: int = 0) -> list[tuple[str, object, Solution]]:
    """``n`` distinct (question, answer it was built from, checked solution) triples of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    rng = random.Random(f"{kind}:{seed}")
    variants = MAKERS[kind][1]
    out: list[tuple[str, object, Solution]] = []
    seen: set[str] = set()
    for i in range(n * 6):
        if len(out) == n:
            break
        found = _attempt(kind, variants[i % len(variants)], rng)
        if found and found[2].problem.statement not in seen:
            seen.add(found[2].problem.statement)
            out.append((found[0], found[1].answer, found[2]))
    return out


def generate(kind: str, n: int, seed: int = 0) -> list[Solution]:
    """``n`` checked solutions of ``kind`` with varied wordings (for evaluation sets and training data)."""
    return [solution for _, _, solution in generate_items(kind, n, seed)]
