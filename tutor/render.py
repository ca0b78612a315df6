"""Make the model's LaTeX render as math in Streamlit, whatever delimiters it used.

Streamlit's ``st.markdown`` renders ``$...$`` (inline) and ``$$...$$`` (display) with KaTeX,
but small models write math in every style: ``\\(..\\)``, ``\\[..\\]``, bare
``\\begin{align}..\\end{align}``. ``normalize_math`` rewrites those into dollar form and
escapes currency dollars ("$5 and $10") so they are not turned into math. Fenced code
blocks and inline code are left exactly as they are.
"""

from __future__ import annotations

import re

from tutor.fences import outside_fences

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
    return outside_fences(text, _split_inline_code)


# --------------------------------------------------------------------------- KaTeX safety
# Commands KaTeX renders (a conservative subset of https://katex.org/docs/supported.html):
# math using anything else is shown as text instead of a red KaTeX error.
_KATEX_COMMANDS = frozenset(
    """
    frac dfrac tfrac cfrac sqrt cdot cdotp times div pm mp le leq ge geq ne neq approx equiv sim simeq cong
    propto ll gg lt gt infty int iint iiint oint sum prod lim limsup liminf to rightarrow Rightarrow
    leftarrow Leftarrow leftrightarrow Leftrightarrow longrightarrow Longrightarrow implies iff mapsto
    uparrow downarrow xrightarrow sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh log ln lg exp
    max min sup inf det dim gcd deg arg ker Pr mod bmod pmod alpha beta gamma delta epsilon varepsilon zeta
    eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi
    chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega partial nabla text textbf
    textit textrm mathrm mathbf mathit mathsf mathtt mathbb mathcal mathfrak operatorname left right big Big
    bigg Bigg bigl bigr Bigl Bigr quad qquad cdots ldots dots vdots ddots overline underline hat widehat bar
    vec dot ddot tilde widetilde boxed begin end displaystyle textstyle circ angle triangle perp parallel in
    notin ni subset subseteq supset supseteq cup cap setminus emptyset varnothing forall exists nexists neg
    lnot land lor wedge vee mid nmid binom dbinom choose lfloor rfloor lceil rceil langle rangle vert Vert
    lvert rvert lVert rVert prime ast star colon therefore because checkmark square hbar ell Re Im aleph
    overbrace underbrace stackrel overset underset phantom hline limits nolimits color textcolor not
    bullet oplus otimes odot dagger ddagger sharp flat natural clubsuit diamondsuit heartsuit spadesuit
    degree top bot cancel bcancel xcancel
    """.split()
)
_ENV_NAMES = frozenset(
    "equation equation* align align* aligned gather gather* cases matrix pmatrix bmatrix vmatrix Vmatrix "
    "array split multline multline* smallmatrix".split()
)
_COMMAND = re.compile(r"\\([A-Za-z]+)|\\(.)")
_DOUBLE_SCRIPT = re.compile(r"(\^|_)\s*(?:[^\s{}\\]|\{[^{}]*\}|\\[A-Za-z]+)\s*\1")


def katex_ok(src: str) -> bool:
    """True if KaTeX should render ``src`` (math without delimiters) without an error.

    Checks balanced braces, matched ``\\begin``/``\\end`` and ``\\left``/``\\right``, known
    commands, no double super/subscripts (``x^2^3``), no dangling ``^``/``_``, and ``&`` only
    inside an environment. Conservative: when unsure, False (the math is shown as text).
    """
    depth = 0
    envs: list[str] = []
    lefts = 0
    i = 0
    for m in _COMMAND.finditer(src):
        name = m.group(1)
        if name is None:
            continue
        if name not in _KATEX_COMMANDS:
            return False
        if name in ("begin", "end"):
            env = re.match(r"\{([A-Za-z*]+)\}", src[m.end() :])
            if not env or env.group(1) not in _ENV_NAMES:
                return False
            if name == "begin":
                envs.append(env.group(1))
            elif not envs or envs.pop() != env.group(1):
                return False
        elif name == "left":
            lefts += 1
        elif name == "right":
            lefts -= 1
            if lefts < 0:
                return False
    if envs or lefts:
        return False
    escaped = False
    for ch in src:
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    if depth:
        return False
    stripped = src.rstrip()
    if stripped.endswith(("^", "_")) or (stripped.endswith("\\") and not stripped.endswith("\\\\")):
        return False
    if _DOUBLE_SCRIPT.search(src):
        return False
    if "&" in src.replace("\\&", "") and "\\begin" not in src:
        return False
    return True


_SPAN = re.compile(r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)(?<!\\)\$(?!\$)", re.S)


def _guard_math(prose: str) -> str:
    """Math spans KaTeX would reject become code spans (shown as text)."""

    def fix(m: re.Match) -> str:
        body = m.group("display") if m.group("display") is not None else m.group("inline")
        if katex_ok(body):
            return m.group(0)
        flat = " ".join(body.split()).replace("`", "'")
        return f"`{flat}`"

    return _SPAN.sub(fix, prose)


def _hard_breaks(prose: str) -> str:
    """Markdown joins single line breaks into one paragraph ("3x = 15 x = 5"): keep them."""
    lines = prose.split("\n")
    out = []
    in_math = False
    for i, line in enumerate(lines):
        if line.strip() == "$$":
            in_math = not in_math
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            not in_math
            and line.strip()
            and line.strip() != "$$"
            and nxt.strip()
            and nxt.strip() != "$$"
            and not line.endswith("  ")
            and not line.endswith("\\")
        ):
            line += "  "
        out.append(line)
    return "\n".join(out)


def to_markdown(text: str) -> str:
    """What the UI renders for a question or an answer: math in $ form (``normalize_math``),
    math KaTeX would reject shown as text, and every line break kept. Code is left alone."""
    if not text:
        return text
    return outside_fences(normalize_math(text), lambda prose: _hard_breaks(_guard_math(prose)))
