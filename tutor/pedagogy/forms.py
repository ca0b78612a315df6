"""Is an answer written in the form its task asks for? (expand, factor, simplify)

    is_expanded("x^2 + 4x + 4") -> True;  is_expanded("(x + 2)^2") -> False
    is_product("-2(x - 1)^2")   -> True;  is_product("x^2 + 5x + 6") -> False
    written_ops("2x + 3x")      -> 3      (implicit products count)

For these three kinds the question's own expression equals the answer in value, so value
equality alone would accept it: ``equiv`` also asks for the form (``form_ok``).
"""

from __future__ import annotations

import re

import sympy

from tutor.pedagogy.types import Answer

_WRITTEN_OPS = re.compile(r"[-+*/^]|(?<=[\d)])\s*(?=[A-Za-z(])|(?<=[A-Za-z)])\s*(?=\()")
_FUNC_BEFORE = re.compile(r"(sqrt|sin|cos|tan|log|ln|exp|abs)\s*$")


def written_ops(text: str) -> int:
    """Operations as written, implicit products included: ``2x + 3x`` -> 3, ``5x`` -> 1."""
    return len(_WRITTEN_OPS.findall(text))


def is_expanded(text: str) -> bool:
    """No bracket holding a sum is multiplied or raised: ``x^2 + 4x + 4`` yes, ``(x+2)^2`` no."""
    for m in re.finditer(r"\(([^()]*)\)", text):
        if re.search(r"(?<=\S)\s*[-+]", m.group(1)) and not _FUNC_BEFORE.search(text[: m.start()]):
            return False
    return True


def is_product(text: str) -> bool:
    """Outside brackets, no sum: ``(x+2)(x+3)`` and ``-2(x-1)^2`` yes, ``x^2 + 5x + 6`` no."""
    depth, body = 0, []
    for ch in text.strip().lstrip("+-").strip():
        depth += {"(": 1, ")": -1}.get(ch, 0)
        body.append(ch if depth == 0 else " ")
    return not re.search(r"[-+]", "".join(body).replace("e-", "").replace("e+", ""))


def form_ok(kind: str | None, text: str, answer: Answer) -> bool:
    if kind == "expand":
        return is_expanded(text)
    if kind == "factor":
        return isinstance(answer.value, sympy.Add) or is_product(text)
    if kind == "simplify":
        return written_ops(text) <= written_ops(answer.text) + 1
    return True
