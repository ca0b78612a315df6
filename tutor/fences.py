"""Markdown's fenced code blocks (``` or ~~~): change the prose between them, never the code."""

from __future__ import annotations

import re
from typing import Callable

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def outside_fences(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to each run of lines outside fenced code blocks.

    A fence opens at a line starting with 3+ backticks or tildes (up to 3 spaces in) and
    closes at a line of at least as many of the same character; an unclosed fence runs to
    the end. Fence lines and code are kept as they are."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        if fence is None:
            m = FENCE_RE.match(line)
            if m:
                out.append(change("".join(prose)))
                prose, fence = [], m.group(1)
                out.append(line)
            else:
                prose.append(line)
        else:
            out.append(line)
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
    out.append(change("".join(prose)))
    return "".join(out)
