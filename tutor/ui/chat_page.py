"""The tutor pages (Step by step, Explain, Hint, Medical tutor): ask, stream, stop."""

from __future__ import annotations

import threading
import time

import streamlit as st

from tutor import chat
from tutor.engine import Queued, Started
from tutor.errors import TutorError
from tutor.prompts import Mode
from tutor.render import normalize_math
from tutor.ui.common import (
    REDRAW_EVERY_S,
    Context,
    caption_for,
    enabled_modes,
    frame,
    load_engine,
    model_for_mode,
    render_message,
    session_key,
    show_error,
)


def _current_session(ctx: Context, mode_id: str) -> int | None:
    """The session shown on this mode's page: from this browser tab, or ?session= after a reload."""
    key = session_key(mode_id)
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


def chat_page(mode_id: str) -> None:
    """A tutor page: the mode's notice, the session so far, and the question box."""
    ctx = frame()
    mode = ctx.modes.get(mode_id)
    if mode is None:
        if mode_id in ctx.mode_errors:
            show_error(ctx.mode_errors[mode_id])
        else:
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
            render_message(row)
        if st.button("New session", key=f"new-{mode_id}"):
            del st.session_state[session_key(mode_id)]
            st.query_params.clear()
            st.rerun()

    model_name = model_for_mode(ctx, mode_id)
    try:
        engine = load_engine(ctx, model_name)
    except TutorError as err:
        show_error(err)
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
        show_error(err)
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
            "⏹ Stop",
            key=f"stop-{mode.id}",
            on_click=stop.set,
            help="Stop the answer here; what was written is kept.",
        )
        text, last_draw = "", 0.0
        try:
            event = first
            while True:
                if isinstance(event, chat.SessionStarted):
                    st.session_state[session_key(mode.id)] = event.session_id
                    st.query_params["session"] = str(event.session_id)
                elif isinstance(event, chat.Notice):
                    st.toast(event.text, icon="✂️")
                elif isinstance(event, Queued):
                    status.info(
                        "⏳ The tutor is answering another student. "
                        f"You are number {event.position} in the queue.",
                    )
                elif isinstance(event, Started):
                    status.empty()
                    if event.dropped_messages:
                        status.caption(
                            f"Oldest {event.dropped_messages} messages left out to fit the model's memory."
                        )
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
                        st.caption(
                            "🛡️ The hint guard removed part of this answer that gave the solution away."
                        )
                    if event.error:
                        st.error(f"The model failed: {event.error}", icon="⚠️")
                    caption_for(
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
            show_error(err)
        finally:
            events.close()
