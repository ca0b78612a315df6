"""Make the model's LaTeX render as math in Streamlit, whatever delimiters it used.

Streamlit's ``st.markdown`` renders ``$...$`` (inline) and ``$$...$$`` (display) with KaTeX,
but small models write math in every style: ``\\(..\\)``, ``\\[..\\]``, bare
``\\begin{align}..\\end{align}``. ``normalize_math`` rewrites those into dollar form and
escapes currency dollars ("$5 and $10") so they are not turned into math. Fenced code
blocks and inline code are left exactly as they are.
"""

from __future__ import annotations

import re

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE_RE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_ENVS = r"equation\*?|align\*?|aligned|gather\*?|multline\*?|eqnarray\*?|cases|matrix|pmatrix|bmatrix"

_MATH_RE = re.compile(
    r"(?P<escaped>\\\$)"  # an escaped dollar: leave it
    r"|(?P<display>\$\$.+?\$\$)"  # $$ .. $$ already fine
    r"|(?<!\\)\\\[(?P<bracket>.+?)(?<!\\)\\\]"  # \[ .. \]
    r"|(?<!\\)\\\((?P<paren>.+?)(?<!\\)\\\)"  # \( .. \)
    r"|(?P<env>\\begin\{(?P<envname>" + _ENVS + r")\}.*?\\end\{(?P=envname)\})"  # bare env
    r"|(?P<currency>\$(?=\d[\d,]*(?:\.\d+)?(?:[\s.,;:!?)\]]|$)))"  # $5, $10.50 ...
    r"|(?P<inline>\$(?=\S)[^$\n]*?(?<=\S)(?<!\\)\$(?!\d))"  # $x + 1$ (pandoc's rule)
    r"|(?P<dollar>\$)",  # anything else is a lone dollar
    re.S,
)


def _display(inner: str, out: list[str], rest: str) -> str:
    """Return ``$$ inner $$`` placed on its own lines given what comes before and after."""
    block = "$$\n" + inner.strip() + "\n$$"
    before = next((piece for piece in reversed(out) if piece), "")
    if before and not before.endswith("\n"):
        block = "\n" + block
    if rest and not rest.startswith("\n"):
        block += "\n"
    return block


def _math_prose(text: str, before: str = "", after: str = "") -> str:
    """Rewrite math delimiters in text that holds no code (``before``/``after``: its neighbours)."""
    out: list[str] = [before]  # so a $$ block knows whether it starts a line
    pos = 0
    for m in _MATH_RE.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        if m.group("escaped") or m.group("display"):
            out.append(m.group(0))
        elif m.group("bracket") is not None:
            out.append(_display(m.group("bracket"), out, text[pos:] + after))
        elif m.group("env") is not None:
            out.append(_display(m.group("env"), out, text[pos:] + after))
        elif m.group("paren") is not None:
            inner = m.group("paren").strip()
            out.append(f"${inner}$" if inner else "")
        elif m.group("inline") is not None:
            out.append(m.group(0))
        else:  # currency or a lone dollar sign
            out.append(r"\$")
    out.append(text[pos:])
    return "".join(out[1:])


def _split_inline_code(text: str) -> str:
    """Apply math rewriting to prose but not to `inline code` spans."""
    out: list[str] = []
    pos = 0
    for m in _INLINE_CODE_RE.finditer(text):
        out.append(_math_prose(text[pos : m.start()], "".join(out)[-1:], m.group(0)))
        out.append(m.group(0))
        pos = m.end()
    out.append(_math_prose(text[pos:], "".join(out)[-1:]))
    return "".join(out)


def normalize_math(text: str) -> str:
    """Return ``text`` with LaTeX in ``$``/``$$`` form and currency dollars escaped.

    ``\\(..\\)`` -> ``$..$``; ``\\[..\\]`` and bare ``\\begin{equation|align|...}`` -> a
    ``$$`` block on its own lines; existing ``$$`` blocks and ``$x$`` spans are kept;
    other dollars (``$5``) become ``\\$``. Fenced code blocks (``` or ~~~) and inline
    code are never changed.
    """
    if not text:
        return text
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            m = _FENCE_RE.match(line)
            if m:
                out.append(_split_inline_code("".join(prose)))
                prose = []
                fence = m.group(1)
                out.append(line)
            else:
                prose.append(line)
        else:
            out.append(line)
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
    out.append(_split_inline_code("".join(prose)))
    return "".join(out)
