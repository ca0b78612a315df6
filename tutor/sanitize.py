"""Markdown that cannot make the browser contact anything: for questions, titles and answers.

Streamlit's Markdown renders ``![x](http://host/...)`` as an ``<img>`` the browser fetches
at once (and every other browser that shows the same text later), and renders links and
bare URLs as clickable links. Text written by students or by the model must not do that:

- images become text: ``🖼️ alt (image not loaded: `url`)``;
- links keep their text and show the address as code, not as a link, unless they point at
  the app itself (a relative path such as ``/History`` or ``?session=3``);
- bare URLs (``http://…``, ``www.…``) become code, so nothing is auto-linked;
- every other ``[``, ``]`` and ``<`` is escaped, so no link, reference definition, raw HTML
  tag or ``<autolink>`` survives whatever the parser would have made of it;
- invisible formatting characters (bidi overrides, zero-width spaces) are removed.

Code blocks and inline code are left exactly as they are (they are shown as text anyway).
``plain`` is for one-line labels (titles, radio options): every Markdown character escaped.

    st.markdown(safe_markdown(normalize_math(text)))
"""

from __future__ import annotations

import re

from tutor.fences import outside_fences
from tutor.validate import clean_label, strip_invisible

# Inline code, and math (after tutor.render.normalize_math: $$..$$ and $..$ spans) are kept
# as they are; KaTeX runs with trust off, so \href, \url and \includegraphics load nothing.
_KEEP_RE = re.compile(
    r"(?P<code>(`+)(?!`)(.+?)(?<!`)\2(?!`))"
    r"|(?P<math>\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]*?(?<=\S)(?<!\\)\$(?!\$))",
    re.S,
)
# Math that holds link syntax is treated as prose: the Markdown parser might not agree it is math.
_LINKY_RE = re.compile(r"\]\s*[(:\[]|://|<[^<>\n]*>")
# [text] allowing one level of nested brackets (e.g. an image inside a link).
_TEXT = r"\[(?P<{name}>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)\]"
_DEST = r"\(\s*(?P<{name}><[^<>\n]*>|(?:[^()\s\\]|\\.|\((?:[^()\s\\]|\\.)*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
_URL = r"(?:[A-Za-z][A-Za-z0-9+.-]{1,20}://|www\.)[^\s<>`]+"
_TOKEN_RE = re.compile(
    "(?P<image>!" + _TEXT.format(name="alt") + _DEST.format(name="src") + ")"
    "|(?P<link>" + _TEXT.format(name="label") + _DEST.format(name="href") + ")"
    "|(?P<url>" + _URL + ")"
    r"|(?P<special>[\[\]<])",
)
_TRAILING_PUNCT = ".,;:!?)'\""
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def is_same_app(url: str) -> bool:
    """A link that stays inside this app: a relative path (``/History``), query or fragment.
    Scheme-relative (``//host``) and backslash tricks (``/\\host``) are not."""
    url = url.strip().strip("<>").strip()
    if not url:
        return False
    if url.startswith(("?", "#")):
        return True
    return url.startswith("/") and not url.startswith(("//", "/\\")) and "\\" not in url


def _code(text: str) -> str:
    """``text`` as an inline code span (backticks inside become %60)."""
    return "`" + text.replace("`", "%60").replace("\n", " ") + "`"


def _prose(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        if m.group("image") is not None:
            alt = _prose(m.group("alt")).strip()
            src = m.group("src").strip("<>")
            out.append(f"🖼️ {alt} (image not loaded: {_code(src)})" if alt else f"🖼️ (image not loaded: {_code(src)})")
        elif m.group("link") is not None:
            label = _prose(m.group("label"))
            href = m.group("href").strip("<>")
            if is_same_app(href):
                out.append(f"[{label}]({href.replace(' ', '%20').replace(')', '%29')})")
            else:
                out.append(f"{label} ({_code(href)})" if label.strip() else _code(href))
        elif m.group("url") is not None:
            url = m.group("url")
            tail = ""
            while url and url[-1] in _TRAILING_PUNCT:
                tail = url[-1] + tail
                url = url[:-1]
            out.append(_code(url) + tail.replace("]", "\\]").replace("[", "\\["))
        else:
            out.append("\\" + m.group("special"))
    out.append(text[pos:])
    return "".join(out)


def _split_kept(text: str) -> str:
    """Sanitize prose but keep inline code and harmless math spans as they are."""
    out: list[str] = []
    pos = 0
    for m in _KEEP_RE.finditer(text):
        if m.group("math") is not None and _LINKY_RE.search(m.group("math")):
            continue  # handled as prose below, with everything else up to the next kept span
        out.append(_prose(text[pos : m.start()]))
        kept = m.group(0)
        if m.group("math") is not None:
            kept = kept.replace("<", r"\lt ")  # KaTeX's own less-than: no "<" for an HTML parser
        out.append(kept)
        pos = m.end()
    out.append(_prose(text[pos:]))
    return "".join(out)


def safe_markdown(text: str | None) -> str:
    """Markdown that renders the same text but loads nothing and links only inside the app."""
    if not text:
        return ""
    text, _ = strip_invisible(text)
    return outside_fences(text, _split_kept)


def plain(text: str | None, max_chars: int = 120) -> str:
    """A one-line label shown as exactly these characters: invisible characters removed,
    every Markdown character escaped (no bold, links, images, math or emoji codes)."""
    label = clean_label(text or "", max_chars=max_chars).text
    return _MD_SPECIAL.sub(r"\\\1", label)
