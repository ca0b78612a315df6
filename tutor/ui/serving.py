"""What a tutor page says about serving: the queue message and the Retry after a failed answer.

Kept out of chat_page.py so that page only calls these helpers.
"""

from __future__ import annotations

import streamlit as st


def queue_message(position: int, slots: int) -> str:
    """Shown only while every answer slot of the model is busy."""
    who = "another student" if slots <= 1 else f"{slots} other students (all its answer slots are busy)"
    return f"⏳ The tutor is answering {who}. You are number {position} in the queue."


def _retry_key(mode_id: str) -> str:
    return f"retry:{mode_id}"


def offer_retry(mode_id: str, question: str) -> None:
    """A Retry button under a failed answer: asks ``question`` again in the same session."""
    st.button(
        "🔁 Retry",
        key=f"retry-button-{mode_id}",
        on_click=lambda: st.session_state.__setitem__(_retry_key(mode_id), question),
        help="Ask the same question again; the failed answer stays in the history.",
    )


def take_retry(mode_id: str) -> str | None:
    """The question to ask again after Retry was pressed on this page (once), else None."""
    return st.session_state.pop(_retry_key(mode_id), None)


__all__ = ["offer_retry", "queue_message", "take_retry"]
