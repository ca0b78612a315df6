"""The instructor dashboard: activity, hints, answers and feedback over all sessions, with CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tutor import dashboard, feedback
from tutor.access import AccessDenied
from tutor.ui.common import frame, show_error

_TITLES = {
    "activity": "Sessions and questions per mode and day",
    "hints": "Hints used and solutions revealed per problem",
    "answers": "Answers per mode: stopped, checked vs not checked, guard trips",
    "feedback": "Feedback: thumbs and reasons",
}


def dashboard_page() -> None:
    ctx = frame()
    st.title("📊 Dashboard")
    try:
        summary = dashboard.summary(ctx.db, ctx.user)
    except AccessDenied as err:
        show_error(err)
        return
    cols = st.columns(4)
    for col, (name, value) in zip(cols, summary.totals.items()):
        col.metric(name.capitalize(), value)
    st.caption("Numbers over every session on this server; no student is named.")
    for name in dashboard.TABLES:
        rows = summary.table(name)
        st.subheader(_TITLES[name])
        if not rows:
            st.caption("Nothing yet.")
            continue
        frame_ = pd.DataFrame(rows)
        _chart(name, frame_)
        st.dataframe(frame_, hide_index=True, width="stretch")
        st.download_button(
            f"CSV: {name}", dashboard.to_csv(rows), file_name=f"dashboard-{name}.csv", mime="text/csv",
            key=f"csv-{name}",
        )  # fmt: skip
    st.subheader("Feedback as training data")
    sft, pairs, report = feedback.export_for(ctx.db, ctx.user, ctx.file_modes)
    st.caption(" · ".join(report.lines()) + " — or `python -m tutor.feedback export --sft F --pairs F`.")
    c1, c2 = st.columns(2)
    c1.download_button("SFT rows (JSONL)", feedback.to_jsonl(sft), file_name="sft.jsonl", key="dl-sft")
    c2.download_button("Preference pairs (JSONL)", feedback.to_jsonl(pairs), file_name="pairs.jsonl", key="dl-pairs")


def _chart(name: str, df: pd.DataFrame) -> None:
    if name == "activity":
        st.bar_chart(df, x="day", y="questions", color="mode", stack=True)
    elif name == "hints":
        st.bar_chart(df.head(20), x="problem", y=["hints", "solutions_revealed"], horizontal=True)
    elif name == "answers":
        st.bar_chart(df, x="mode", y=["checked", "not_checked", "no_math", "stopped", "guard_trips"])
    elif name == "feedback":
        st.bar_chart(df, x="what", y="count", horizontal=True)
