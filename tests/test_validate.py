"""clean_question: the one gate in front of the store and the model."""

from __future__ import annotations

import re

import pytest

from tutor.errors import InputRejected
from tutor.validate import MAX_QUESTION_CHARS, CleanQuestion, clean_question

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


@pytest.mark.parametrize("text", [None, "", " ", "\n\t  \r\n", "\u3000"])
def test_empty_is_rejected(text):
    with pytest.raises(InputRejected, match="Type a question first"):
        clean_question(text)


def test_plain_question_is_kept_exactly():
    q = "Solve 3x + 5 = 20\n\twith steps — café, 数学, e\u0301 (not NFC-normalized) 😀"
    assert clean_question(q) == CleanQuestion(q, [])


def test_control_characters_removed_with_a_notice():
    result = clean_question("What\x00 is\x1b[31m 2+2?\x7f\x85")
    assert result.text == "What is[31m 2+2?"
    assert result.notices == ["Removed 4 invisible control characters from your question."]
    one = clean_question("a\x00b")
    assert one.text == "ab" and one.notices == ["Removed 1 invisible control character from your question."]


def test_newlines_normalized_tabs_kept():
    assert clean_question("line 1\r\nline 2\rline 3\tend").text == "line 1\nline 2\nline 3\tend"
    assert clean_question("a\r\nb").notices == []


def test_only_controls_is_empty():
    with pytest.raises(InputRejected, match="Type a question first"):
        clean_question("\x00 \x01")


def test_binary_data_rejected():
    blob = bytes(range(256)).decode("utf-8", errors="replace") * 4  # a binary file pasted as text
    with pytest.raises(InputRejected, match="binary data"):
        clean_question(blob)
    with pytest.raises(InputRejected, match="binary data"):
        clean_question("\ufffd\ufffd\ufffdPNG\ufffd\x1a\x00\x00")


def test_too_long_paste_gets_a_clear_message():
    with pytest.raises(InputRejected) as info:
        clean_question("why? " * 4000)  # 20,000 characters
    assert "20,000 characters" in info.value.message and "8,000" in info.value.message
    assert info.value.hint
    assert clean_question("x" * MAX_QUESTION_CHARS).text == "x" * MAX_QUESTION_CHARS


def test_not_text_rejected():
    with pytest.raises(InputRejected):
        clean_question(b"bytes")  # type: ignore[arg-type]


if given is not None:

    @settings(max_examples=500, deadline=None)
    @given(st.text(max_size=9000) | st.text(st.characters(max_codepoint=0x9F), max_size=200))
    def test_any_text_is_cleaned_or_rejected(text):
        try:
            result = clean_question(text)
        except InputRejected as exc:
            assert exc.message
            return
        assert result.text.strip() and len(result.text) <= MAX_QUESTION_CHARS
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", result.text)
        result.text.encode("utf-8")  # storable
        # idempotent: a cleaned question passes through unchanged
        assert clean_question(result.text) == CleanQuestion(result.text, [])
