"""Navigation, the home page, History and the instructor settings."""

from __future__ import annotations

import os

import streamlit as st

from tutor.errors import TutorError
from tutor.models import resolve_model_path
from tutor.ui.common import (
    HISTORY_PAGE,
    MODE_PAGES,
    NAV,
    Context,
    default_model,
    enabled_modes,
    frame,
    open_session,
    render_message,
    session_row,
    set_nav,
    show_error,
)

# --------------------------------------------------------------------------- pages


def run_app() -> None:
    """The entry point (streamlit_app.py): page config and navigation, then the chosen page."""
    st.set_page_config(page_title="Study tutor", page_icon="🎓", layout="centered")
    home = st.Page(home_page, title="Home", icon="🎓", default=True)
    pages = {file: st.Page(file, title=title, icon=icon) for file, title, icon in NAV}
    set_nav(home, pages)
    # The sidebar's links are drawn by common.sidebar (it hides modes an instructor
    # turned off); Streamlit's own list is hidden, also in config.toml, because a fresh
    # process would first show the pages/ folder's file names there.
    st.navigation([home, *pages.values()], position="hidden").run()


def home_page() -> None:
    ctx = frame()
    st.title("🎓 Study tutor")
    st.write(
        "Ask a question and choose how the tutor helps: a worked solution, an explanation, "
        "or a hint that leaves the last step to you. Med-school students have a case-based medical tutor. "
        "Everything runs on this machine and every session is kept in your history."
    )
    st.subheader("Model")
    if ctx.registry_error is not None:
        show_error(ctx.registry_error)
    else:
        name = default_model(ctx)
        spec = ctx.registry.models.get(name)
        if spec is None:
            st.error(f"The chosen model {name!r} is not in the registry.", icon="⚠️")
        else:
            try:
                path = resolve_model_path(spec, ctx.settings)
                size_mb = path.stat().st_size / 1e6
                st.success(
                    f"**{name}** — {spec.description or spec.source} · `{path.name}` · {size_mb:,.0f} MB",
                    icon="✅",
                )
            except TutorError as err:
                show_error(err)
    st.subheader("Modes")
    for err in ctx.mode_errors.values():
        show_error(err)
    for mode_id in enabled_modes(ctx):
        mode = ctx.modes[mode_id]
        page = MODE_PAGES.get(mode_id)
        if page:
            st.page_link(page, label=f"**{mode.title}** — {mode.description}", icon=mode.icon or None)
    st.subheader("Recent sessions")
    sessions = ctx.store.list_sessions(limit=5)
    if not sessions:
        st.caption("No sessions yet: pick a mode above and ask your first question.")
    for row in sessions:
        session_row(ctx, row, key_prefix="home")
    st.page_link(HISTORY_PAGE, label="All sessions, search and export", icon="🗂️")
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
        return
    labels = {row["id"]: _history_label(ctx, row) for row in rows}
    chosen = st.radio(
        "Sessions", list(labels), format_func=labels.get, key="history-pick", label_visibility="collapsed"
    )
    if chosen is None:
        return
    session = ctx.store.get_session(chosen)
    if session is None:
        st.rerun()
    st.divider()
    st.subheader(session["title"] or "(untitled)")
    cols = st.columns([1.2, 1.2, 1, 1, 2.6])
    if session["mode"] in MODE_PAGES and cols[0].button("Continue", key="history-continue", type="primary"):
        open_session(session["mode"], chosen)
    cols[1].download_button(
        "Markdown",
        ctx.store.export_markdown(chosen),
        file_name=f"session-{chosen}.md",
        mime="text/markdown",
        key="history-md",
    )
    cols[2].download_button(
        "JSON",
        ctx.store.export_json(chosen),
        file_name=f"session-{chosen}.json",
        mime="application/json",
        key="history-json",
    )
    if cols[3].button("Delete", key="history-delete"):
        st.session_state["history-confirm"] = chosen
    if st.session_state.get("history-confirm") == chosen:
        st.warning("Delete this session and all its messages? This cannot be undone.")
        if st.button("Yes, delete it", key="history-confirm-yes"):
            ctx.store.delete_session(chosen)
            st.session_state.pop("history-confirm", None)
            st.session_state.pop("history-pick", None)
            st.toast("Session deleted.")
            st.rerun()
    for row in ctx.store.messages(chosen):
        render_message(row)


def _history_label(ctx: Context, row: dict) -> str:
    mode = ctx.modes.get(row.get("mode", ""))
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    label = f"{row.get('title') or '(untitled)'} — {mode.title if mode else row.get('mode')} · {when}"
    if row.get("snippet"):
        label += f" — “{row['snippet']}”"
    return label


def settings_page() -> None:
    """Instructor settings: which modes students see and which model each page uses."""
    ctx = frame()
    st.title("🧑‍🏫 Instructor settings")
    code = os.environ.get("TUTOR_INSTRUCTOR_CODE")
    if code and st.session_state.get("instructor-ok") is not True:
        entered = st.text_input("Instructor code", type="password", key="instructor-code")
        if entered and entered == code:
            st.session_state["instructor-ok"] = True
            st.rerun()
        if entered:
            st.error("That code is not right.")
        return
    if ctx.registry_error is not None:
        show_error(ctx.registry_error)
        return
    names = list(ctx.registry.models)
    current = enabled_modes(ctx)
    with st.form("instructor-settings"):
        chosen_modes = st.multiselect(
            "Modes students can use",
            list(ctx.modes),
            default=current,
            format_func=lambda m: ctx.modes[m].title,
        )
        default = default_model(ctx)
        model = st.selectbox(
            "Model for all pages", names, index=names.index(default) if default in names else 0
        )
        per_mode = {}
        for mode_id, mode in ctx.modes.items():
            options = ["(same as above)"] + names
            saved = ctx.store.get_setting(f"model:{mode_id}")
            per_mode[mode_id] = st.selectbox(
                f"Model for {mode.title}",
                options,
                index=options.index(saved) if saved in names else 0,
                key=f"model-{mode_id}",
            )
        if st.form_submit_button("Save", type="primary"):
            if not chosen_modes:
                st.error("Keep at least one mode on.")
            else:
                ctx.store.set_setting("enabled_modes", chosen_modes)
                ctx.store.set_setting("model", model)
                for mode_id, value in per_mode.items():
                    ctx.store.set_setting(f"model:{mode_id}", None if value.startswith("(") else value)
                st.success("Saved. Students see the change on their next click.")
    st.caption(
        "Add a model with `python -m tutor.models add NAME /path/to/model.gguf` "
        "or `python -m tutor.models add NAME --repo OWNER/REPO --file FILE.gguf`."
    )
