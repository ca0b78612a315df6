"""Rendering that cannot reach the network: images, links, bare URLs and raw HTML are inert."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tutor.render import normalize_math
from tutor.sanitize import is_same_app, plain, safe_markdown

# What would still make Streamlit's Markdown load or link something after sanitizing.
LIVE = re.compile(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\((?!/|\?|#)|(?<!\\)<[A-Za-z!/]|(?<![`\w])https?://")


def strip_code(md: str) -> str:
    return re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", md, flags=re.S))


def test_remote_images_become_text():
    out = safe_markdown("look ![x](http://127.0.0.1:9/leak?q=secret) here")
    assert "![" not in out and "image not loaded" in out and "`http://127.0.0.1:9/leak?q=secret`" in out


def test_links_keep_their_text_but_not_their_target_unless_same_app():
    assert safe_markdown("[docs](https://evil.example/a(b))") == "docs (`https://evil.example/a(b)`)"
    assert safe_markdown("[History](/History) [s](?session=3)") == "[History](/History) [s](?session=3)"
    for url in ("//evil.example/x", "/\\evil.example", "javascript:alert(1)", "data:text/html,x"):
        assert not is_same_app(url)
        assert f"]({url}" not in safe_markdown(f"[x]({url})")


def test_nested_reference_html_and_autolinks():
    assert "http://a/b.png" not in strip_code(safe_markdown("[![i](http://a/b.png)](http://c)"))
    assert safe_markdown("[r]: http://x\n![a][r]").startswith("\\[r\\]:")
    assert safe_markdown("<img src=x onerror=alert(1)>").startswith("\\<img")
    assert safe_markdown("<http://x.example>") == "\\<`http://x.example`>"
    assert safe_markdown("see www.evil.example/x.") == "see `www.evil.example/x`."


def test_code_and_math_are_untouched():
    text = "```\n![x](http://a)\n```\nand `![y](http://b)` and $a<b$ and $$x^2$$"
    assert safe_markdown(text) == text.replace("$a<b$", r"$a\lt b$")  # KaTeX's \lt: no "<" left
    assert safe_markdown(normalize_math(r"\(x^2\) costs $5")) == normalize_math(r"\(x^2\) costs $5")


def test_bidi_controls_are_removed():
    assert safe_markdown("abc\u202edef\u2066") == "abcdef"
    assert plain("evil\u202etxt.exe") == "eviltxt\\.exe"


def test_plain_escapes_every_markdown_character():
    assert plain("**hi** ![x](http://a) :smile: $x$") == r"\*\*hi\*\* \!\[x\]\(http\://a\) \:smile\: \$x\$"


@given(st.text(alphabet=st.sampled_from(list("![]()<>:/ hxtps.w`$a\n")), max_size=80))
def test_nothing_live_survives_any_input(text):
    assert not LIVE.search(strip_code(safe_markdown(text))), safe_markdown(text)
