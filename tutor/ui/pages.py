"""Navigation (built from the mode files), the home page and History (with one's own data)."""

from __future__ import annotations

import streamlit as st

from tutor.config import get_settings
from tutor.errors import TutorError
from tutor.prompts import load_each_mode
from tutor.sanitize import plain
from tutor.ui.common import (
    DASHBOARD_PATH,
    HISTORY_PAGE,
    MODE_PAGES,
    SETTINGS_PAGE,
    Context,
    cached_model_line,
    enabled_modes,
    frame,
    open_session,
    page_for,
    render_message,
    session_row,
    set_nav,
    show_error,
)

# --------------------------------------------------------------------------- pages


def run_app() -> None:
    """The entry point (streamlit_app.py): page config and navigation, then the chosen page."""
    from tutor.ui.chat_page import chat_page
    from tutor.ui.dashboard import dashboard_page

    st.set_page_config(page_title="Study tutor", page_icon="🎓", layout="centered")
    home = st.Page(home_page, title="Home", icon="🎓", default=True)
    pages: dict = {}
    # One page per mode file: the shipped modes keep their pages/ file (and URL); a mode that
    # is only a YAML file gets a page of its own at /<mode id>.
    file_modes, _ = load_each_mode(get_settings().prompts_dir)
    for mode_id, mode in file_modes.items():
        if mode_id in MODE_PAGES:
            pages[mode_id] = st.Page(MODE_PAGES[mode_id], title=mode.title, icon=mode.icon or None)
        else:
            pages[mode_id] = st.Page(
                lambda mode_id=mode_id: chat_page(mode_id), title=mode.title, icon=mode.icon or None,
                url_path=mode_id,
            )  # fmt: skip
    for mode_id, file in MODE_PAGES.items():  # a page whose mode file is broken still shows why
        pages.setdefault(mode_id, st.Page(file, title=mode_id))
    pages[HISTORY_PAGE] = st.Page(HISTORY_PAGE, title="History", icon="🗂️")
    pages[SETTINGS_PAGE] = st.Page(SETTINGS_PAGE, title="Instructor settings", icon="🧑‍🏫")
    pages[DASHBOARD_PATH] = st.Page(dashboard_page, title="Dashboard", icon="📊", url_path=DASHBOARD_PATH)
    set_nav(home, pages)
    # The sidebar's links are drawn by common.sidebar (it hides modes turned off and, for
    # students, the dashboard, whose page refuses them anyway); Streamlit's own list is
    # hidden, also in config.toml, because a fresh process would first show pages/ names.
    st.navigation([home, *pages.values()], position="hidden").run()


def home_page() -> None:
    ctx = frame()
    st.title("🎓 Study tutor")
    st.write(
        "Ask a question and choose how the tutor helps: a worked solution, an explanation, "
        "or a hint that leaves the last step to you. Med-school students have a case-based medical tutor. "
        "Everything runs on this machine and your sessions are visible to you only."
    )
    st.subheader("Model")
    cached_model_line(ctx)
    st.subheader("Modes")
    for err in ctx.mode_errors.values():
        show_error(err)
    for mode_id in enabled_modes(ctx):
        mode = ctx.modes[mode_id]
        target = page_for(mode_id)
        if target:
            st.page_link(target, label=f"**{plain(mode.title)}** — {plain(mode.description, 200)}",
                         icon=mode.icon or None)  # fmt: skip
    st.subheader("Your recent sessions")
    sessions = ctx.store.list_sessions(limit=5)
    if not sessions:
        st.caption("No sessions yet: pick a mode above and ask your first question.")
    for row in sessions:
        session_row(ctx, row, key_prefix="home")
    st.page_link(HISTORY_PAGE, label="All your sessions, search and export", icon="🗂️")
    if ctx.user and ctx.user.is_instructor and ctx.user.provider == "personal":
        st.caption(f"History database: `{ctx.settings.db_path}` (move all state with `TUTOR_HOME`).")


def history_page() -> None:
    ctx = frame()
    st.title("🗂️ History")
    query = st.text_input("Search your sessions", placeholder="e.g. quadratic, chest pain", key="history-q")
    try:
        rows = ctx.store.search(query) if query.strip() else ctx.store.list_sessions(limit=200)
    except TutorError as err:
        show_error(err)
        return
    if not rows:
        st.caption("Nothing found." if query.strip() else "No sessions yet.")
    else:
        _history_list(ctx, rows)
    st.divider()
    _your_data(ctx)


def _history_list(ctx: Context, rows: list[dict]) -> None:
    labels = {row["id"]: _history_label(ctx, row) for row in rows}
    chosen = st.radio(
        "Sessions", list(labels), format_func=labels.get, key="history-pick", label_visibility="collapsed"
    )
    if chosen is None:
        return
    session = ctx.store.get_session(chosen)
    if session is None:
        st.session_state.pop("history-pick", None)
        st.rerun()
    st.divider()
    st.subheader(plain(session["title"]) or "(untitled)")
    cols = st.columns([1.2, 1.2, 1, 3.6])
    if session["mode"] in ctx.modes and cols[0].button("Continue", key="history-continue", type="primary"):
        open_session(session["mode"], chosen)
    # Downloads are built only when asked for, not on every run of the page: the export is
    # read (owner-checked) in the run that the click starts, and its buttons do not rerun the
    # page (on_click="ignore"), so they stay until the next action.
    export = cols[1].button("Export", key="history-export", icon="⬇️")
    if cols[2].button("Delete", key="history-delete"):
        st.session_state["history-confirm"] = chosen
    if export:
        _session_downloads(ctx, chosen)
    if st.session_state.get("history-confirm") == chosen:
        st.warning("Delete this session and all its messages? This cannot be undone.")
        if st.button("Yes, delete it", key="history-confirm-yes"):
            try:
                ctx.store.delete_session(chosen)
            except TutorError as err:
                show_error(err)
                return
            st.session_state.pop("history-confirm", None)
            st.session_state.pop("history-pick", None)
            st.toast("Session deleted.")
            st.rerun()
    for row in ctx.store.messages(chosen):
        render_message(row, ctx)


def _session_downloads(ctx: Context, session_id: int) -> None:
    try:
        markdown, as_json = ctx.store.export_markdown(session_id), ctx.store.export_json(session_id)
    except TutorError as err:
        show_error(err)
        return
    c1, c2, _ = st.columns([1.2, 1.2, 4.6])
    c1.download_button("Markdown", markdown, file_name=f"session-{session_id}.md", mime="text/markdown",
                       key="history-md", on_click="ignore")  # fmt: skip
    c2.download_button("JSON", as_json, file_name=f"session-{session_id}.json", mime="application/json",
                       key="history-json", on_click="ignore")  # fmt: skip


def _your_data(ctx: Context) -> None:
    """Export or delete everything stored about the signed-in user."""
    with st.expander("Your data: download or delete everything"):
        st.write("Everything the tutor keeps about you: your sessions, their answers, your feedback and choices.")
        # every session of the user: built in the run this click starts, not on each run of History
        if st.button("Prepare a download of all my data", key="data-prepare", icon="⬇️"):
            st.download_button(
                "Download all my data (JSON)", ctx.store.export_all(), file_name="my-study-tutor-data.json",
                mime="application/json", key="data-export", on_click="ignore",
            )  # fmt: skip
        sure = st.checkbox("I understand this deletes all my sessions for good", key="data-delete-sure")
        if st.button("Delete all my data", key="data-delete", disabled=not sure):
            n = ctx.store.delete_all()
            st.session_state.pop("history-pick", None)
            st.toast(f"Deleted {n} sessions and your feedback; you are signed out everywhere.")
            st.rerun()


def _history_label(ctx: Context, row: dict) -> str:
    """A radio option (Streamlit renders Markdown and even images in it): plain text only."""
    mode = ctx.modes.get(row.get("mode", ""))
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    label = f"{plain(row.get('title')) or '(untitled)'} — {plain(mode.title if mode else row.get('mode'))} · {when}"
    if row.get("snippet"):
        label += " — “" + "**".join(plain(part, 200) for part in row["snippet"].split("**")) + "”"
    return label
