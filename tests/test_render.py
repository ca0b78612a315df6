"""normalize_math: LaTeX in any delimiters becomes $..$ / $$..$$; code and prices are safe."""

from __future__ import annotations

import pytest

from tutor.render import normalize_math

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"Solve \(3x + 5 = 20\) now.", "Solve $3x + 5 = 20$ now."),
        (r"Inline \( x^2 \) trimmed", "Inline $x^2$ trimmed"),
        ("So\n\\[x = \\frac{15}{3}\\]\nDone", "So\n$$\nx = \\frac{15}{3}\n$$\nDone"),
        (r"Then \[x=5\] done", "Then \n$$\nx=5\n$$\n done"),
        ("$$\nx^2 + 1\n$$", "$$\nx^2 + 1\n$$"),
        ("Already $a^2 + b^2 = c^2$ fine", "Already $a^2 + b^2 = c^2$ fine"),
        ("It costs $5 and $10.", r"It costs \$5 and \$10."),
        ("Pay $5, then $x$ is the rest", r"Pay \$5, then $x$ is the rest"),
        ("Prices: $3.50 or $1,000!", r"Prices: \$3.50 or \$1,000!"),
        ("a lone $ sign", r"a lone \$ sign"),
        (r"already escaped \$5", r"already escaped \$5"),
        ("$5+3=8$", "$5+3=8$"),
        ("", ""),
    ],
)
def test_examples(text, expected):
    assert normalize_math(text) == expected


def test_bare_environments_are_wrapped():
    text = "Solve:\n\\begin{align}\n3x + 5 &= 20 \\\\[2pt]\n3x &= 15\n\\end{align}\nso..."
    out = normalize_math(text)
    assert "\n$$\n\\begin{align}\n3x + 5 &= 20 \\\\[2pt]\n3x &= 15\n\\end{align}\n$$\n" in out
    eq = normalize_math("\\begin{equation} E = mc^2 \\end{equation}")
    assert eq == "$$\n\\begin{equation} E = mc^2 \\end{equation}\n$$"
    kept = "$$\\begin{aligned} a &= b \\end{aligned}$$"
    assert normalize_math(kept) == kept


def test_code_is_left_alone():
    fenced = '```python\nprint("$5", r"\\(x\\)")\n```\n'
    tilde = "~~~\n\\[ not math \\] $3\n~~~\n"
    text = fenced + "After \\(y\\) costs $2 and `\\(z\\) $4`.\n" + tilde
    out = normalize_math(text)
    assert out.startswith(fenced) and out.endswith(tilde)
    assert "After $y$ costs \\$2 and `\\(z\\) $4`." in out


def test_unterminated_fence_protects_the_rest():
    text = "See:\n```\n\\(x\\) $5\n"
    assert normalize_math(text) == text


def test_idempotent_on_examples():
    text = "A \\(x\\) B \\[y\\] C $5 D `$6` \\begin{equation}z\\end{equation}"
    once = normalize_math(text)
    assert normalize_math(once) == once


if given is not None:
    _PIECES = list("ab $\\()[]{}`~\n5x^_") + [
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "$$",
        "```\n",
        "\\begin{align}",
        "\\end{align}",
    ]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
    def test_never_raises_and_keeps_code(text):
        out = normalize_math(text)
        assert isinstance(out, str)
        assert out.count("```") == text.count("```")


def test_display_block_next_to_inline_code_gets_its_own_lines():
    assert normalize_math("see `x` \\[y\\]`z` end") == "see `x` \n$$\ny\n$$\n`z` end"


# --- to_markdown: line breaks kept, math KaTeX would reject shown as text -----------------------
from tutor.render import katex_ok, to_markdown  # noqa: E402


def test_line_breaks_are_kept():
    out = to_markdown("3x + 5 - 5 = 20 - 5\n3x = 15\nx = 5\n\nNext paragraph")
    assert out == "3x + 5 - 5 = 20 - 5  \n3x = 15  \nx = 5\n\nNext paragraph"


def test_display_math_and_code_get_no_trailing_spaces():
    text = "Step:\n$$\n3x = 15\n$$\nthen\n```\na\nb\n```"
    out = to_markdown(text)
    assert "$$\n3x = 15\n$$" in out and out.endswith("```\na\nb\n```")


@pytest.mark.parametrize(
    "src, ok",
    [
        (r"\frac{1}{2}", True),
        (r"3x^2 + 2", True),
        (r"\begin{cases} x & x > 0 \\ -x & x \le 0 \end{cases}", True),
        (r"\left( \frac{a}{b} \right)", True),
        (r"\sqrt[3]{x} \cdot \pi", True),
        (r"x^{2", False),  # unbalanced brace
        (r"x^2^3", False),  # double superscript
        (r"\frac{1}{2}}", False),
        (r"\foo{x}", False),  # unknown command
        (r"a & b", False),  # alignment outside an environment
        (r"\left( x", False),
        (r"\begin{weird} x \end{weird}", False),
        ("x_", False),
    ],
)
def test_katex_ok(src, ok):
    assert katex_ok(src) is ok


def test_invalid_math_is_shown_as_text():
    out = to_markdown(r"Good $\frac{1}{2}$, bad $x^{2$ and $$\foo{y}$$ end")
    assert r"$\frac{1}{2}$" in out
    assert "`x^{2`" in out and "`\\foo{y}`" in out and "$x^{2$" not in out


def test_to_markdown_keeps_currency_escaped():
    assert to_markdown("It costs $5 and $x$ more") == r"It costs \$5 and $x$ more"
