"""Bracket lists in written answers: ``(1, 2)``, ``[3, ∞)``, ``{2, 3}``, ``(-oo, ((9)/(2)))``.

``bracket_list`` splits one at its own commas (brackets inside an item stay whole); ``Pair`` is
``(a, b)``, a point of a system or an open interval: the answer decides which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

BRACKETS = re.compile(r"^\s*(?P<open>[(\[{])(?P<body>[^()\[\]{}]*,[^()\[\]{}]*)(?P<close>[)\]}])\s*$")


def bracket_list(text: str) -> tuple[str, list[str], str] | None:
    """``(-oo, ((9)/(2)))`` -> ("(", ["-oo", "((9)/(2))"], ")"): a bracket list split at its own
    commas (brackets inside the items are kept whole); None when ``text`` is not one."""
    m = BRACKETS.match(text)
    if m:
        return m.group("open"), m.group("body").split(","), m.group("close")
    text = text.strip()
    if len(text) < 5 or text[0] not in "([{" or text[-1] not in ")]}":
        return None
    parts, depth, start = [], 0, 1
    for i, ch in enumerate(text[1:-1], 1):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return None  # "(a)(b)": the first bracket closes before the end
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0 or not parts:
        return None
    return text[0], [*parts, text[start:-1]], text[-1]


@dataclass(frozen=True)
class Pair:
    """``(a, b)``: a point of a system or an open interval; the answer decides which."""

    items: tuple

    def as_interval(self):
        return sympy.Interval.open(*self.items) if len(self.items) == 2 else None
