"""Thumbs up/down under each answer (``st.feedback``), with reasons and a comment on a thumbs down.

What is stored, and the check that the answer is the student's own, live in tutor.feedback.
"""

from __future__ import annotations

import streamlit as st

from tutor import feedback
from tutor.access import can
from tutor.errors import TutorError
from tutor.ui.common import Context, show_error


def feedback_widget(ctx: Context, message_id: int) -> None:
    """Thumbs under one answer; a thumbs down asks why (reasons, optional comment)."""
    if not can(ctx.user, "give_feedback"):
        return
    existing = feedback.get(ctx.db, ctx.user, message_id)
    thumbs = st.feedback(
        "thumbs", key=f"fb-{message_id}", default=existing.rating if existing else None
    )
    if thumbs is None:
        return
    try:
        if thumbs == 1:
            if existing is None or existing.rating != 1:
                feedback.give(ctx.db, ctx.user, message_id, 1)
                st.toast("Thanks: marked as helpful.", icon="👍")
            return
        if existing is not None and existing.rating == 0:
            why = ", ".join(existing.reasons) or "no reason given"
            st.caption(f"👎 Your feedback: {why}")
            return
        with st.form(f"fb-form-{message_id}", border=True):
            reasons = st.pills(
                "What was wrong?", list(feedback.REASONS), selection_mode="multi", key=f"fb-why-{message_id}"
            )
            comment = st.text_input("Anything else? (optional)", key=f"fb-comment-{message_id}", max_chars=2000)
            if st.form_submit_button("Send feedback"):
                feedback.give(ctx.db, ctx.user, message_id, 0, reasons or [], comment)
                st.toast("Thanks: your instructor and the model's trainers will see this.", icon="👎")
                st.rerun()
    except TutorError as err:
        show_error(err)
