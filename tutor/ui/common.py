"""Shared pieces of the UI: state checks, the sidebar, model choice, message rendering.

The ``tutor.ui`` package is the only part of the core that imports streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from tutor import auth, policy
from tutor.access import User, run_mode
from tutor.config import REPO_ROOT, Settings, check_state_dir, get_settings
from tutor.engine import get_engine
from tutor.errors import ModelNotCached, TutorError
from tutor.models import Registry, cached_path, load_registry
from tutor.policy import ClassSettings
from tutor.prompts import Mode, load_each_mode
from tutor.record import AnswerRecord
from tutor.render import to_markdown
from tutor.sanitize import plain, safe_markdown
from tutor.store import Store
from tutor.ui.auth import check_listening, gate, sign_out_button
from tutor.userstore import UserStore

HISTORY_PAGE = "pages/5_History.py"
SETTINGS_PAGE = "pages/6_Instructor_settings.py"
DASHBOARD_PATH = "Dashboard"
REDRAW_EVERY_S = 0.05
_CHAT_CALL = re.compile(r"""ui\.chat_page\(\s*["']([A-Za-z0-9_]+)["']\s*\)""")
_nav: dict = {}  # "home" -> st.Page, file or mode id -> st.Page; set by pages.run_app on every run


def mode_page_files(pages_dir: Path = REPO_ROOT / "pages") -> dict[str, str]:
    """Mode id -> its page file, for the modes that have one (``ui.chat_page("hint")``).

    A mode without a page file still gets a page (pages.run_app builds it from the mode file
    alone, URL = the mode id): a new mode is one YAML file in prompts/.
    """
    found = {}
    for path in sorted(pages_dir.glob("*.py")):
        m = _CHAT_CALL.search(path.read_text(encoding="utf-8"))
        if m:
            found[m.group(1)] = f"pages/{path.name}"
    return found


MODE_PAGES = mode_page_files()


def set_nav(home, pages: dict) -> None:
    _nav.clear()
    _nav["home"] = home
    _nav.update(pages)


@dataclass
class Context:
    settings: Settings
    store: UserStore  # the signed-in user's view: every read and write checked
    modes: dict[str, Mode]  # as this user gets them: instructor values, locks, own choices applied
    mode_errors: dict[str, TutorError]  # mode id -> why its file could not be loaded
    registry: Registry | None
    registry_error: TutorError | None
    user: User | None = None
    db: Store | None = None  # the whole database: only for core functions that check the user
    class_settings: ClassSettings = field(default_factory=ClassSettings)
    own: dict = field(default_factory=dict)  # the user's own choices
    file_modes: dict[str, Mode] = field(default_factory=dict)  # the modes as their files define them


# --------------------------------------------------------------------------- setup
@st.cache_resource(show_spinner=False)
def open_store(db_path: str) -> Store:
    """One Store per process; recovering answers a killed process left half-written."""
    # A locked database is retried for about 8 s in all, then reported on the page.
    store = Store(Path(db_path), busy_timeout_ms=2000, retries=3)
    store.recover_interrupted()
    auth.adopt_legacy_code(store)
    return store


def show_error(err: TutorError) -> None:
    st.error(err.message, icon="⚠️")
    if err.hint:
        st.info(err.hint, icon="💡")


def frame() -> Context:
    """State checks, who is signed in, and the sidebar: every page starts here."""
    settings = get_settings()
    try:
        run_mode()
        check_state_dir(settings)
        store = open_store(str(settings.db_path))
    except TutorError as err:
        show_error(err)
        st.stop()
    check_listening()
    user = gate(store)
    file_modes, mode_errors = load_each_mode(settings.prompts_dir)
    if not file_modes and not mode_errors:
        st.error(f"No mode files (*.yaml) in {settings.prompts_dir}.", icon="⚠️")
        st.info("Restore the prompts/ folder from the repository.", icon="💡")
        st.stop()
    registry, registry_error = None, None
    try:
        registry = load_registry(settings)
    except TutorError as err:
        registry_error = err
    class_settings = policy.load(store)
    own = policy.choices(store, user)
    modes = {mid: policy.effective_mode(m, class_settings, own) for mid, m in file_modes.items()}
    ctx = Context(
        settings, UserStore(store, user), modes, mode_errors, registry, registry_error,
        user=user, db=store, class_settings=class_settings, own=own, file_modes=file_modes,
    )  # fmt: skip
    sidebar(ctx)
    return ctx


def sidebar(ctx: Context) -> None:
    """Links to the pages built from the mode files (modes turned off are left out), the user."""
    with st.sidebar:
        # _nav is empty when a fresh process serves a bookmarked page before the entry point
        # ever ran (Streamlit then runs pages/X.py alone): link the files instead.
        st.page_link(_nav.get("home", "streamlit_app.py"), label="Home", icon="🎓")
        for mode_id in enabled_modes(ctx):
            mode = ctx.modes[mode_id]
            target = page_for(mode_id)
            if target:
                st.page_link(target, label=mode.title, icon=mode.icon or None)
        st.page_link(_nav.get(HISTORY_PAGE, HISTORY_PAGE), label="History", icon="🗂️")
        settings_label = "Instructor settings" if ctx.user and ctx.user.is_instructor else "Your settings"
        st.page_link(_nav.get(SETTINGS_PAGE, SETTINGS_PAGE), label=settings_label, icon="🧑‍🏫")
        if ctx.user and ctx.user.is_instructor and DASHBOARD_PATH in _nav:
            st.page_link(_nav[DASHBOARD_PATH], label="Dashboard", icon="📊")
        st.divider()
        if ctx.user:
            sign_out_button(ctx.user)
        st.caption("Study tutor · answers run on this machine")
        if ctx.registry is not None:
            st.caption(f"Default model: **{default_model(ctx)}**")
        st.caption("Your sessions are kept on this machine, visible to you only (see History).")


# --------------------------------------------------------------------------- models
def default_model(ctx: Context) -> str:
    known = list(ctx.registry.models) if ctx.registry else []
    fallback = ctx.settings.model_override or (ctx.registry.default if ctx.registry else "")
    if ctx.class_settings.model in known:
        return ctx.class_settings.model
    return fallback


def model_for_mode(ctx: Context, mode_id: str) -> str:
    """The student's own choice (unless locked), else the instructor's per-mode choice, else
    their global choice, else TUTOR_MODEL, else the registry default."""
    known = list(ctx.registry.models) if ctx.registry else []
    fallback = ctx.settings.model_override or (ctx.registry.default if ctx.registry else "")
    return policy.model_for(mode_id, ctx.class_settings, ctx.own, known, fallback)


def enabled_modes(ctx: Context) -> list[str]:
    return policy.enabled_modes(ctx.class_settings, list(ctx.modes), ctx.own)


def cached_model_line(ctx: Context) -> None:
    """The default model's status, from what is on disk: a page never downloads."""
    if ctx.registry_error is not None:
        show_error(ctx.registry_error)
        return
    name = default_model(ctx)
    spec = ctx.registry.models.get(name)
    if spec is None:
        st.error(f"The chosen model {name!r} is not in the registry.", icon="⚠️")
        return
    path = cached_path(spec, ctx.settings)
    if path is None:
        hint = f"`python -m tutor.models fetch {name}`" if spec.source == "hub" else "`python -m tutor.models list`"
        st.warning(f"**{name}** is not on this machine yet ({spec.where()}). Fetch it with {hint}.", icon="⬇️")
        return
    size_mb = path.stat().st_size / 1e6
    st.success(f"**{name}** — {plain(spec.description or spec.source, 200)} · {size_mb:,.0f} MB", icon="✅")


def load_engine(ctx: Context, model_name: str):
    """The shared engine for ``model_name``; shows download/load progress the first time."""
    if ctx.registry_error is not None:
        raise ctx.registry_error
    spec = ctx.registry.get(model_name)
    if spec.source == "hub" and cached_path(spec, ctx.settings) is None:
        # Pages never download: fetching is an explicit command with its own progress bar.
        raise ModelNotCached(
            f"The model {model_name!r} ({spec.repo}/{spec.file}) is not downloaded yet.",
            f"Fetch it once with `python -m tutor.models fetch {model_name}` (it shows a progress bar).",
        )
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
    label = plain(mode.title if mode else row["mode"])
    cols = st.columns([5, 1])
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    cols[0].markdown(f"**{plain(row['title']) or '(untitled)'}**  \n{label} · {when}")
    if row["mode"] in ctx.modes and cols[1].button("Open", key=f"{key_prefix}-open-{row['id']}"):
        open_session(row["mode"], row["id"])


def page_for(mode_id: str):
    """The page of a mode (its st.Page once the entry point ran, else its file), or None."""
    return _nav.get(mode_id) or MODE_PAGES.get(mode_id)


def open_session(mode_id: str, session_id: int) -> None:
    st.session_state[session_key(mode_id)] = session_id
    st.switch_page(page_for(mode_id), query_params={"session": str(session_id)})


def session_key(mode_id: str) -> str:
    return f"session:{mode_id}"


def show_text(text: str, slot=None) -> None:
    """Student or model text as Markdown that loads nothing and links only inside the app."""
    (slot or st).markdown(safe_markdown(to_markdown(text)))


def render_message(row: dict, ctx: Context | None = None) -> None:
    with st.chat_message(row["role"]):
        show_text(row["content"])
        if row["role"] == "assistant":
            caption_for(row)
            if ctx is not None and row.get("status") != "streaming":
                from tutor.ui.feedback import feedback_widget

                feedback_widget(ctx, row["id"])


def caption_for(row: dict | AnswerRecord) -> None:
    """The caption under an answer (status, checked or not, tokens, speed, model)."""
    record = row if isinstance(row, AnswerRecord) else AnswerRecord.from_row(row)
    line = record.caption()
    if line:
        st.caption(line)
