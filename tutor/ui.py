"""The Streamlit UI: the only module of the core that imports streamlit.

Each page file calls one function here (``home_page``, ``chat_page``,
``history_page``, ``settings_page``); the sidebar is drawn once, by ``_frame``.
Anything that can go wrong is a ``TutorError`` and is shown on the page that hit
it, with what to do; the other pages keep working.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from tutor import chat
from tutor.config import Settings, check_state_dir, get_settings
from tutor.engine import Queued, Started, get_engine
from tutor.errors import ModelError, TutorError
from tutor.models import Registry, load_registry, resolve_model_path
from tutor.prompts import Mode, load_modes
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


@dataclass
class Context:
    settings: Settings
    store: Store
    modes: dict[str, Mode]
    registry: Registry | None
    registry_error: TutorError | None


# --------------------------------------------------------------------------- setup
@st.cache_resource(show_spinner=False)
def _open_store(db_path: str) -> Store:
    """One Store per process; recovering answers a killed process left half-written."""
    # A locked database is retried for about 8 s in all, then reported on the page.
    store = Store(Path(db_path), busy_timeout_ms=2000, retries=3)
    store.recover_interrupted()
    return store


def _show_error(err: TutorError) -> None:
    st.error(err.message, icon="⚠️")
    if err.hint:
        st.info(err.hint, icon="💡")


def _frame() -> Context:
    """State checks and the sidebar: every page starts here."""
    settings = get_settings()
    try:
        check_state_dir(settings)
        store = _open_store(str(settings.db_path))
    except TutorError as err:
        _show_error(err)
        st.stop()
    try:
        modes = load_modes(settings.prompts_dir)
    except TutorError as err:
        _show_error(err)
        st.stop()
    registry, registry_error = None, None
    try:
        registry = load_registry(settings)
    except TutorError as err:
        registry_error = err
    ctx = Context(settings, store, modes, registry, registry_error)
    _sidebar(ctx)
    return ctx


def _sidebar(ctx: Context) -> None:
    with st.sidebar:
        st.caption("Study tutor · answers run on this machine")
        if ctx.registry is not None:
            st.caption(f"Default model: **{_default_model(ctx)}**")
        st.caption(f"History: `{ctx.settings.db_path}`")


# --------------------------------------------------------------------------- models
def _default_model(ctx: Context) -> str:
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
    return _default_model(ctx)


def enabled_modes(ctx: Context) -> list[str]:
    enabled = ctx.store.get_setting("enabled_modes")
    if not enabled:
        return list(ctx.modes)
    return [m for m in ctx.modes if m in enabled]


def _load_engine(ctx: Context, model_name: str):
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


# --------------------------------------------------------------------------- pages
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


def run_app() -> None:
    """The entry point (streamlit_app.py): page config and navigation, then the chosen page."""
    st.set_page_config(page_title="Study tutor", page_icon="🎓", layout="centered")
    pages = [st.Page(home_page, title="Home", icon="🎓", default=True)]
    pages += [st.Page(file, title=title, icon=icon) for file, title, icon in NAV]
    st.navigation(pages).run()


def home_page() -> None:
    ctx = _frame()
    st.title("🎓 Study tutor")
    st.write(
        "Ask a question and choose how the tutor helps: a worked solution, an explanation, "
        "or a hint that leaves the last step to you. Med-school students have a case-based medical tutor. "
        "Everything runs on this machine and every session is kept in your history."
    )
    st.subheader("Model")
    if ctx.registry_error is not None:
        _show_error(ctx.registry_error)
    else:
        name = _default_model(ctx)
        spec = ctx.registry.models.get(name)
        if spec is None:
            st.error(f"The chosen model {name!r} is not in the registry.", icon="⚠️")
        else:
            try:
                path = resolve_model_path(spec, ctx.settings)
                size_mb = path.stat().st_size / 1e6
                st.success(f"**{name}** — {spec.description or spec.source} · `{path.name}` · {size_mb:,.0f} MB", icon="✅")
            except TutorError as err:
                _show_error(err)
    st.subheader("Modes")
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
        _session_row(ctx, row, key_prefix="home")
    st.page_link(HISTORY_PAGE, label="All sessions, search and export", icon="🗂️")


def _session_row(ctx: Context, row: dict, key_prefix: str) -> None:
    mode = ctx.modes.get(row["mode"])
    label = mode.title if mode else row["mode"]
    cols = st.columns([5, 1])
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    cols[0].markdown(f"**{row['title'] or '(untitled)'}**  \n{label} · {when}")
    if row["mode"] in MODE_PAGES and cols[1].button("Open", key=f"{key_prefix}-open-{row['id']}"):
        _open_session(row["mode"], row["id"])


def _open_session(mode_id: str, session_id: int) -> None:
    st.session_state[_session_key(mode_id)] = session_id
    st.switch_page(MODE_PAGES[mode_id], query_params={"session": str(session_id)})


def _session_key(mode_id: str) -> str:
    return f"session:{mode_id}"


def _current_session(ctx: Context, mode_id: str) -> int | None:
    """The session shown on this mode's page: from this browser tab, or ?session= after a reload."""
    key = _session_key(mode_id)
    if key not in st.session_state:
        raw = st.query_params.get("session")
        if raw and raw.isdigit():
            row = ctx.store.get_session(int(raw))
            if row and row["mode"] == mode_id:
                st.session_state[key] = int(raw)
    session_id = st.session_state.get(key)
    if session_id is not None and ctx.store.get_session(session_id) is None:  # deleted meanwhile
        del st.session_state[key]
        return None
    return session_id


def _render_message(row: dict) -> None:
    with st.chat_message(row["role"]):
        st.markdown(normalize_math(row["content"]))
        if row["role"] == "assistant":
            _caption_for(row)


def _caption_for(row: dict) -> None:
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


def chat_page(mode_id: str) -> None:
    """A tutor page: the mode's notice, the session so far, and the question box."""
    ctx = _frame()
    mode = ctx.modes.get(mode_id)
    if mode is None:
        st.error(f"The mode file prompts/{mode_id}.yaml is missing.", icon="⚠️")
        return
    st.title(f"{mode.icon} {mode.title}".strip())
    st.caption(mode.description)
    if mode_id not in enabled_modes(ctx):
        st.info("Your instructor has turned this mode off. Pick another mode in the sidebar.", icon="🔒")
        return
    if mode.notice:
        st.warning(mode.notice, icon="🩺" if mode.guard == "medical" else "ℹ️")

    session_id = _current_session(ctx, mode_id)
    if session_id is not None:
        _settle_stopped_answer(ctx, session_id, mode_id)
        for row in ctx.store.messages(session_id):
            _render_message(row)
        if st.button("New session", key=f"new-{mode_id}"):
            del st.session_state[_session_key(mode_id)]
            st.query_params.clear()
            st.rerun()

    model_name = model_for_mode(ctx, mode_id)
    try:
        engine = _load_engine(ctx, model_name)
    except TutorError as err:
        _show_error(err)
        st.chat_input("The model is not available", disabled=True, key=f"ask-{mode_id}")
        return

    question = st.chat_input(f"Ask the tutor ({mode.title.lower()})…", key=f"ask-{mode_id}")
    if question is not None:
        _answer(ctx, engine, mode, question, session_id)


def _stop_event(mode_id: str) -> threading.Event:
    """The Stop signal of this browser session's answer on this page (kept across reruns)."""
    key = f"stop-event:{mode_id}"
    if key not in st.session_state:
        st.session_state[key] = threading.Event()
    return st.session_state[key]


def _settle_stopped_answer(ctx: Context, session_id: int, mode_id: str, wait_s: float = 5.0) -> None:
    """After Stop, wait (briefly) until the answer being stopped is saved as stopped.

    Streamlit starts the rerun that a click causes at once ("fast reruns"), while the
    previous run may still be waiting for the model's next token; the Stop event makes
    the engine finish, and this waits for that so the page shows the kept partial answer.
    """
    if not _stop_event(mode_id).is_set():
        return
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        rows = ctx.store.messages(session_id)
        if not rows or rows[-1]["status"] != "streaming":
            break
        time.sleep(0.05)


def _answer(ctx: Context, engine, mode: Mode, question: str, session_id: int | None) -> None:
    """Stream one answer. Stop sets the page's stop event and reruns; the partial answer is kept."""
    stop = _stop_event(mode.id)
    stop.clear()
    events = chat.ask(ctx.store, engine, mode, question, session_id=session_id, stop=stop)
    user_slot = st.empty()
    try:
        first = next(events)
    except StopIteration:  # pragma: no cover - ask always yields
        return
    except TutorError as err:
        _show_error(err)
        if question.strip():  # the question box is empty now: give the text back so nothing is lost
            st.text_area("Your question (copy it to ask again)", question, key=f"kept-{mode.id}", height=120)
        return
    with user_slot.container():
        with st.chat_message("user"):
            st.markdown(normalize_math(question if len(question) < 2000 else question[:2000] + "…"))
    with st.chat_message("assistant"):
        status = st.empty()
        body = st.empty()
        stop_slot = st.empty()
        stop_slot.button(
            "⏹ Stop", key=f"stop-{mode.id}", on_click=stop.set, help="Stop the answer here; what was written is kept."
        )
        text, last_draw = "", 0.0
        try:
            event = first
            while True:
                if isinstance(event, chat.SessionStarted):
                    st.session_state[_session_key(mode.id)] = event.session_id
                    st.query_params["session"] = str(event.session_id)
                elif isinstance(event, chat.Notice):
                    st.toast(event.text, icon="✂️")
                elif isinstance(event, Queued):
                    status.info(
                        f"⏳ The tutor is answering another student. You are number {event.position} in the queue.",
                    )
                elif isinstance(event, Started):
                    status.empty()
                    if event.dropped_messages:
                        status.caption(f"Oldest {event.dropped_messages} messages left out to fit the model's memory.")
                elif isinstance(event, chat.Delta):
                    text += event.text
                    now = time.monotonic()
                    if now - last_draw >= REDRAW_EVERY_S:
                        body.markdown(normalize_math(text) + "▌")
                        last_draw = now
                elif isinstance(event, chat.Done):
                    stop_slot.empty()
                    body.markdown(normalize_math(event.text))
                    if event.guard_tripped and mode.guard == "hint":
                        st.caption("🛡️ The hint guard removed part of this answer that gave the solution away.")
                    if event.error:
                        st.error(f"The model failed: {event.error}", icon="⚠️")
                    _caption_for(
                        {
                            "status": event.status if event.status != "complete" else None,
                            "finish_reason": event.finish_reason,
                            "tokens": event.stats.tokens if event.stats else None,
                            "tokens_per_s": event.stats.tokens_per_s if event.stats else None,
                            "ttft_s": event.stats.ttft_s if event.stats else None,
                            "model": engine.backend.model_name,
                        }
                    )
                event = next(events)
        except StopIteration:
            pass
        except TutorError as err:
            _show_error(err)
        finally:
            events.close()


def history_page() -> None:
    ctx = _frame()
    st.title("🗂️ History")
    query = st.text_input("Search your sessions", placeholder="e.g. quadratic, chest pain", key="history-q")
    try:
        rows = ctx.store.search(query) if query.strip() else ctx.store.list_sessions(limit=200)
    except TutorError as err:
        _show_error(err)
        return
    if not rows:
        st.caption("Nothing found." if query.strip() else "No sessions yet.")
        return
    labels = {row["id"]: _history_label(ctx, row) for row in rows}
    chosen = st.radio("Sessions", list(labels), format_func=labels.get, key="history-pick", label_visibility="collapsed")
    if chosen is None:
        return
    session = ctx.store.get_session(chosen)
    if session is None:
        st.rerun()
    st.divider()
    st.subheader(session["title"] or "(untitled)")
    cols = st.columns(4)
    if session["mode"] in MODE_PAGES and cols[0].button("Continue", key="history-continue", type="primary"):
        _open_session(session["mode"], chosen)
    cols[1].download_button(
        "Markdown", ctx.store.export_markdown(chosen), file_name=f"session-{chosen}.md", mime="text/markdown",
        key="history-md",
    )
    cols[2].download_button(
        "JSON", ctx.store.export_json(chosen), file_name=f"session-{chosen}.json", mime="application/json",
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
        _render_message(row)


def _history_label(ctx: Context, row: dict) -> str:
    mode = ctx.modes.get(row.get("mode", ""))
    when = (row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    label = f"{row.get('title') or '(untitled)'} — {mode.title if mode else row.get('mode')} · {when}"
    if row.get("snippet"):
        label += f" — “{row['snippet']}”"
    return label


def settings_page() -> None:
    """Instructor settings: which modes students see and which model each page uses."""
    ctx = _frame()
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
        _show_error(ctx.registry_error)
        return
    names = list(ctx.registry.models)
    current = enabled_modes(ctx)
    with st.form("instructor-settings"):
        chosen_modes = st.multiselect(
            "Modes students can use", list(ctx.modes), default=current, format_func=lambda m: ctx.modes[m].title
        )
        default = _default_model(ctx)
        model = st.selectbox("Model for all pages", names, index=names.index(default) if default in names else 0)
        per_mode = {}
        for mode_id, mode in ctx.modes.items():
            options = ["(same as above)"] + names
            saved = ctx.store.get_setting(f"model:{mode_id}")
            per_mode[mode_id] = st.selectbox(
                f"Model for {mode.title}", options, index=options.index(saved) if saved in names else 0,
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
