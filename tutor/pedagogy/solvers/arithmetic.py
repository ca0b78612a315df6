"""Arithmetic step by step: order of operations, fractions over a common denominator, decimals,
percentages ("15% of 80", "what percent of 80 is 20", "increase 50 by 20%") and conversions
("3/8 as a decimal").

Each step does one operation (or one rewriting: a percentage as a decimal, two fractions over a
common denominator) on the tree of ``arith_tree``; two states agree when sympy gives them the
same exact value. The answer is verified by evaluating the question again through
``parse_math`` (a separate parser) or, for the percentage forms, the formula they stand for.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from tutor.pedagogy.parse import parse_math
from tutor.pedagogy.solvers import arith_tree as at
from tutor.pedagogy.solvers.arith_steps import contains, number, run, strip_groups, value_of
from tutor.pedagogy.solvers.arith_tree import Bin, Frac, Group, Mixed, Neg, Num, Pct, Root
from tutor.pedagogy.solvers.base import CannotSolve, Draft, Move, Parsed, decimal_str, terminating
from tutor.pedagogy.types import Answer, Problem

# --- the problem forms -------------------------------------------------------------------------------


def _goal_method(form: str, tree: object) -> tuple[str, str, str]:
    if form == "percent_of":
        return ("Find the given percentage of the number.",
                "A percentage is a number out of 100, and \"of\" means multiply.",
                "What does a percentage mean as a fraction or a decimal?")  # fmt: skip
    if form == "what_percent":
        return ("Find what percentage the first number is of the second.",
                "Divide the part by the whole, then multiply by 100 to make it a percentage.",
                "Which number is the part and which is the whole?")  # fmt: skip
    if form == "change":
        return ("Find the new amount after the percentage change.",
                "Work out the percentage of the amount, then add it on (increase) or take it off (decrease).",
                "What is the percentage change as an amount?")  # fmt: skip
    if form.startswith("to_"):
        target = form[3:]
        return (f"Write the same number as a {target}.",
                {"decimal": "A fraction is a division: divide the top by the bottom.",
                 "fraction": "Write the decimal over a power of 10, then simplify.",
                 "percentage": "Write it as a decimal, then multiply by 100%."}[target],
                f"How is a {target} related to the number you have?")  # fmt: skip
    if contains(tree, Frac) or contains(tree, Mixed):
        method = (
            "To add or subtract fractions, write them over a common denominator; to multiply, multiply "
            "tops and bottoms; to divide, multiply by the reciprocal; follow the order of operations."
        )
    else:
        method = (
            "Follow the order of operations: brackets, then powers, then multiplication and division from "
            "left to right, then addition and subtraction from left to right."
        )
    return "Work out the value of the expression exactly.", method, "Which operation should you do first?"


def _format(v: sympy.Rational, form: str, decimals: bool) -> Answer:
    v = sympy.Rational(v)
    whole = v.q == 1
    dec = decimal_str(v) if terminating(v) else None
    if form in ("what_percent", "to_percentage"):
        shown = dec or f"{float(v):.2f}"
        approx = "" if dec else "≈ "
        return Answer(f"{approx}{shown}%", (r"\approx " if approx else "") + shown + r"\%", v)
    if form == "to_decimal":
        if not dec:
            raise CannotSolve("the decimal does not end")
        return Answer(dec, dec, v)
    if form == "to_fraction" or whole:
        return Answer(str(v) if v.q != 1 else str(v.p), sympy.latex(v), v)
    frac_tex = sympy.latex(v)
    if decimals and dec:
        return Answer(dec, dec, v)
    if dec:
        return Answer(f"{v} = {dec}", f"{frac_tex} = {dec}", v)
    return Answer(f"{v} ≈ {float(v):.4g}", f"{frac_tex} \\approx {float(v):.4g}", v)


def solve_arithmetic(problem: Problem) -> Draft:
    p: Parsed = problem.payload
    form = p.extra.get("form", "expression")
    tree = p.expr
    moves: list[Move] = []
    if form == "to_fraction" and isinstance(tree, (Num, Pct)):
        moves.append(_over_power_of_ten(tree))
        moves += run(moves[-1].state, False)
    else:
        moves += run(tree, p.decimals)
    if form == "to_percentage":  # the same number written as a percentage: 3/8 = 37.5%
        now = moves[-1].state if moves else tree
        v = value_of(now)
        if isinstance(strip_groups(now), Frac):
            decimal = number(v, True)
            if not isinstance(strip_groups(decimal), Num):
                raise CannotSolve("not a terminating decimal")
            moves.append(Move(f"Divide the top by the bottom: ${at.tex(now)} = {at.tex(decimal)}$.", decimal,
                              at.tex(decimal), "What is the fraction as a decimal?"))  # fmt: skip
        pct = Pct(v * 100, decimal_str(sympy.Rational(v.numerator * 100, v.denominator)))
        if not terminating(sympy.Rational(v.numerator * 100, v.denominator)):
            raise CannotSolve("not a terminating percentage")
        moves.append(Move("Multiply by 100 to write it as a percentage.", pct, at.tex(pct),
                          "What do you multiply a decimal by to turn it into a percentage?"))  # fmt: skip
    now = moves[-1].state if moves else tree
    if form == "to_decimal" and isinstance(strip_groups(now), Frac):
        v = value_of(now)
        decimal = number(v, True)
        if not isinstance(strip_groups(decimal), Num):
            raise CannotSolve("not a terminating decimal")
        f = strip_groups(now)
        division = at.tex(Bin("÷", Num(Fraction(f.p), str(f.p)), Num(Fraction(f.q), str(f.q))))
        moves.append(Move(f"A fraction is a division: divide the top by the bottom: ${division} = {at.tex(decimal)}$.",
                          decimal, at.tex(decimal), "What do you get when you divide the top by the bottom?"))
    if form == "to_decimal" and not moves and isinstance(strip_groups(tree), Pct):  # 45% -> 0.45
        decimal = number(value_of(tree), True)
        moves.append(Move(f"Per cent means out of 100, so divide by 100: ${at.tex(tree)} = {at.tex(decimal)}$.",
                          decimal, at.tex(decimal), "What do you get when you divide by 100?",
                          action="Per cent means out of 100, so divide by 100."))  # fmt: skip
    if not moves:
        raise CannotSolve("nothing to work out")
    value = at.value(moves[-1].state)
    if form == "to_percentage":
        value = value * 100
    goal, method, ask = _goal_method(form, tree)
    return Draft(
        start=tree,
        moves=moves,
        answer=_format(value, form, p.decimals),
        goal=goal,
        method=method,
        ask_kind=ask,
    )


def _over_power_of_ten(node: Num | Pct) -> Move:
    """0.375 -> 375/1000; 45% -> 45/100 (as a fraction, before simplifying)."""
    if isinstance(node, Pct):
        v = node.value
        if v.denominator != 1:
            raise CannotSolve("a percentage with decimals")
        new = Frac(int(v), 100)
        return Move(f"A percentage is a number out of 100: ${at.tex(node)} = {at.tex(new)}$.", new, at.tex(new),
                    "What does per cent mean as a fraction?")  # fmt: skip
    places = len(node.text.split(".")[1]) if "." in node.text else 0
    new = Frac(int(node.value * 10**places), 10**places)
    if places == 0:
        raise CannotSolve("already a whole number")
    return Move(f"Write the decimal over {10**places}, one zero for each decimal place.", new, at.tex(new),
                "How many decimal places are there, and what power of 10 does that give?")


def same_value(problem: Problem, a: object, b: object) -> bool:
    """Two arithmetic states agree when sympy gives them the same exact value."""
    return at.value(a) == at.value(b)


def verify_arithmetic(problem: Problem, answer: Answer) -> bool:
    """Evaluate the question again with a different parser (``parse_math``) or the percentage formula."""
    p: Parsed = problem.payload
    extra = p.extra
    form = extra.get("form", "expression")
    if form == "percent_of":
        expected = sympy.Rational(extra["percent"]) / 100 * sympy.Rational(extra["of"])
    elif form == "what_percent":
        expected = sympy.Rational(extra["part"]) / sympy.Rational(extra["whole"]) * 100
    elif form == "change":
        expected = sympy.Rational(extra["base"]) * (1 + extra["sign"] * sympy.Rational(extra["percent"]) / 100)
    else:
        written = _plain_for_check(p.expr)
        expected = parse_math(written)
        if form == "to_percentage":
            expected = expected * 100
    return bool(sympy.simplify(expected - answer.value) == 0)


def _plain_for_check(node: object) -> str:
    """The tree as fully bracketed text for ``parse_math`` (a second, separate reading of it)."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Pct):
        return f"({node.text}/100)"
    if isinstance(node, Frac):
        return f"({node.p}/{node.q})"
    if isinstance(node, Mixed):
        return f"({node.whole}+{node.p}/{node.q})"
    if isinstance(node, Neg):
        return f"(-{_plain_for_check(node.x)})"
    if isinstance(node, Group):
        return _plain_for_check(node.x)
    if isinstance(node, Root):
        return f"sqrt({_plain_for_check(node.x)})"
    op = {"*": "*", "÷": "/"}.get(node.op, node.op)
    return f"({_plain_for_check(node.left)}{op}{_plain_for_check(node.right)})"
