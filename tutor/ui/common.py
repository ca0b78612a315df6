"""Shared pieces of the UI: state checks, the sidebar, model choice, message rendering.

The ``tutor.ui`` package is the only part of the core that imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from tutor.config import Settings, check_state_dir, get_settings
from tutor.engine import get_engine
from tutor.errors import TutorError
from tutor.models import Registry, load_registry
from tutor.prompts import Mode, load_each_mode
from tutor.render import normalize_math
from tutor.store import Store

# Page files, by mode id. The order of the sidebar comes from the file names.
MODE_PAGES = {
    "step_by_step": "pages/1_Step_by_step.py",
    "explain": "pages/2_Explain.py",
    "hint": "pages/3_Hint.py",
    "medical": "pages/4_Medical_tutor.py",
}
HISTORY_PAGE = "pages/5_History.py"
SETTINGS_PAGE = "pages/6_Instructor_settings.py"
STATUS_LABELS = {
    "stopped": "⏹ stopped — partial answer kept",
    "interrupted": "⚠ interrupted — the app stopped while writing this answer",
    "error": "⚠ the model failed while answering",
    "streaming": "… being written",
}
REDRAW_EVERY_S = 0.05
# (file, title, icon). URLs come from the file names (/Hint, /History, ...): a fresh
# Streamlit process maps pages/ by file name before st.navigation runs, so a custom
# url_path would make a bookmarked page show "Page not found" once.
NAV = [
    (MODE_PAGES["step_by_step"], "Step by step", "🪜"),
    (MODE_PAGES["explain"], "Explain", "📖"),
    (MODE_PAGES["hint"], "Hint", "💡"),
    (MODE_PAGES["medical"], "Medical tutor", "🩺"),
    (HISTORY_PAGE, "History", "🗂️"),
    (SETTINGS_PAGE, "Instructor settings", "🧑‍🏫"),
]
_nav: dict = {}  # "home" -> st.Page, file -> st.Page; set by pages.run_app on every run


def set_nav(home, pages: dict) -> None:
    _nav.clear()
    _nav["home"] = home
    _nav.update(pages)


@dataclass
class Context:
    settings: Settings
    store: Store
    modes: dict[str, Mode]
    mode_errors: dict[str, TutorError]  # mode id -> why its file could not be loaded
    registry: Registry | None
    registry_error: TutorError | None


# --------------------------------------------------------------------------- setup
@st.cache_resource(show_spinner=False)
def open_store(db_path: str) -> Store:
    """One Store per process; recovering answers a killed process left half-written."""
    # A locked database is retried for about 8 s in all, then reported on the page.
    store = Store(Path(db_path), busy_timeout_ms=2000, retries=3)
    store.recover_interrupted()
    return store


def show_error(err: TutorError) -> None:
    st.error(err.message, icon="⚠️")
    if err.hint:
        st.info(err.hint, icon="💡")


def frame() -> Context:
    """State checks and the sidebar: every page starts here."""
    settings = get_settings()
    try:
        check_state_dir(settings)
        store = open_store(str(settings.db_path))
    except TutorError as err:
        show_error(err)
        st.stop()
    modes, mode_errors = load_each_mode(settings.prompts_dir)
    if not modes and not mode_errors:
        st.error(f"No mode files (*.yaml) in {settings.prompts_dir}.", icon="⚠️")
        st.info("Restore the prompts/ folder from the repository.", icon="💡")
        st.stop()
    registry, registry_error = None, None
    try:
        registry = load_registry(settings)
    except TutorError as err:
        registry_error = err
    ctx = Context(settings, store, modes, mode_errors, registry, registry_error)
    sidebar(ctx)
    return ctx


def sidebar(ctx: Context) -> None:
    """Links to the pages (modes the instructor turned off are left out) and the model in use."""
    on = set(enabled_modes(ctx))
    hidden = {page for mode_id, page in MODE_PAGES.items() if mode_id not in on}
    with st.sidebar:
        # _nav is empty when a fresh process serves a bookmarked page before the entry point
        # ever ran (Streamlit then runs pages/X.py alone): link the files instead.
        st.page_link(_nav.get("home", "streamlit_app.py"), label="Home", icon="🎓")
        for file, title, icon in NAV:
            if file not in hidden:
                st.page_link(_nav.get(file, file), label=title, icon=icon)
        st.divider()
        st.caption("Study tutor · answers run on this machine")
        if ctx.registry is not None:
            st.caption(f"Default model: **{default_model(ctx)}**")
        st.caption("Every session is kept on this machine (see History).")


# --------------------------------------------------------------------------- models
def default_model(ctx: Context) -> str:
    chosen = ctx.store.get_setting("model")
    if chosen and ctx.registry and chosen in ctx.registry.models:
        return chosen
    if ctx.settings.model_override:
        return ctx.settings.model_override
    return ctx.registry.default if ctx.registry else ""


def model_for_mode(ctx: Context, mode_id: str) -> str:
    """Instructor's per-mode choice, else their global choice, else TUTOR_MODEL, else the registry default."""
    chosen = ctx.store.get_setting(f"model:{mode_id}")
    if chosen and ctx.registry and chosen in ctx.registry.models:
        return chosen
    return default_model(ctx)


def enabled_modes(ctx: Context) -> list[str]:
    enabled = ctx.store.get_setting("enabled_modes")
    if not enabled:
        return list(ctx.modes)
    return [m for m in ctx.modes if m in enabled]


def load_engine(ctx: Context, model_name: str):
    """The shared engine for ``model_name``; shows download/load progress the first time."""
    if ctx.registry_error is not None:
        raise ctx.registry_error
    bar = st.empty()

    def progress(done: int | float, total: int | float | None = None, text: str = "") -> None:
        if total:
            bar.progress(min(1.0, float(done) / float(total)), text=text or f"Downloading {model_name}…")
        elif text:
            bar.caption(text)

    with st.spinner(f"Loading model {model_name}…"):
        engine = get_engine(model_name, ctx.settings, progress=progress)
    bar.empty()
    return engine


def session_row(ctx: Context, row: dict, key_prefix: str) -> None:
    mode = ctx.modes.get(row["mode"])
    label = mode.title if mode else row["mode"]
    cols = st.columns([5, 1])
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    cols[0].markdown(f"**{row['title'] or '(untitled)'}**  \n{label} · {when}")
    if row["mode"] in MODE_PAGES and cols[1].button("Open", key=f"{key_prefix}-open-{row['id']}"):
        open_session(row["mode"], row["id"])


def open_session(mode_id: str, session_id: int) -> None:
    st.session_state[session_key(mode_id)] = session_id
    st.switch_page(MODE_PAGES[mode_id], query_params={"session": str(session_id)})


def session_key(mode_id: str) -> str:
    return f"session:{mode_id}"


def render_message(row: dict) -> None:
    with st.chat_message(row["role"]):
        st.markdown(normalize_math(row["content"]))
        if row["role"] == "assistant":
            caption_for(row)


def caption_for(row: dict) -> None:
    bits = []
    if row.get("status") in STATUS_LABELS:
        bits.append(STATUS_LABELS[row["status"]])
    elif row.get("finish_reason") == "length":
        bits.append("✂ cut at this mode's answer length")
    if row.get("tokens"):
        bits.append(f"{row['tokens']} tokens")
    if row.get("tokens_per_s"):
        bits.append(f"{row['tokens_per_s']:.0f} tokens/s")
    if row.get("ttft_s") is not None:
        bits.append(f"first token {row['ttft_s']:.2f} s")
    if row.get("model"):
        bits.append(row["model"])
    if bits:
        st.caption(" · ".join(bits))
