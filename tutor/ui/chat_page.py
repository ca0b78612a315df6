"""The tutor pages (Step by step, Explain, Hint, Medical tutor): ask, stream, stop."""

from __future__ import annotations

import threading
import time

import streamlit as st

from tutor import chat, model_text, tutoring
from tutor.engine import Queued, Started
from tutor.errors import TutorError
from tutor.prompts import Mode
from tutor.render import to_markdown
from tutor.sanitize import safe_markdown  # classroom
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
    show_text,  # classroom
)
from tutor.ui.feedback import feedback_widget  # classroom
from tutor.ui.serving import offer_retry, queue_message, take_retry


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

    model_name = model_for_mode(ctx, mode_id)
    engine, engine_error = None, None
    try:
        engine = load_engine(ctx, model_name)
    except TutorError as err:
        engine_error = err
    # The question box is pinned to the bottom wherever it is called; reading it first tells
    # whether this run answers something (then the action buttons come after that answer).
    if engine is None:
        question = st.chat_input("The model is not available", disabled=True, key=f"ask-{mode_id}")
    else:
        placeholder = (
            "Ask a question, or type your answer or next step to have it checked…"
            if mode.pedagogy
            else f"Ask the tutor ({mode.title.lower()})…"
        )
        question = st.chat_input(placeholder, key=f"ask-{mode_id}")
        question = question if question is not None else take_retry(mode_id)
    action = st.session_state.pop(_action_key(mode_id), None)

    session_id = _current_session(ctx, mode_id)
    rows: list[dict] = []
    if session_id is not None:
        _settle_stopped_answer(ctx, session_id, mode_id)
        if st.button("➕ New session", key=f"new-{mode_id}", help="Start over with a new question."):
            del st.session_state[session_key(mode_id)]
            st.query_params.clear()
            st.rerun()
        rows = ctx.store.messages(session_id)
        for row in rows:
            render_message(row, ctx)  # classroom: ctx for the feedback widget
    if engine_error is not None:
        show_error(engine_error)
        return
    if question is not None:
        _answer(ctx, engine, mode, question, session_id)
    elif action is not None and session_id is not None:
        _answer(ctx, engine, mode, "", session_id, action=action)
    elif rows:
        _action_row(mode, rows)


def _action_key(mode_id: str) -> str:
    return f"action:{mode_id}"


def _action_row(mode: Mode, rows: list[dict]) -> None:
    """The buttons under the last answer: another hint, the full solution, a similar problem."""
    if not mode.pedagogy or not rows or rows[-1].get("status") == "streaming":
        return
    current = tutoring.current_problem(rows)
    if current is None:
        return

    def push(action: str) -> None:
        st.session_state[_action_key(mode.id)] = action

    cols = st.columns(3)
    left = 0
    if current.solved:
        st.success("Solved! Try a similar problem to practise, or ask a new question.", icon="🎉")
    if mode.pedagogy == "hints" and not current.revealed:
        more = not current.solved and (
            current.solution is None or current.hints < len(current.solution.hints)
        )
        cols[0].button(
            "💡 Another hint",
            key=f"act-hint-{mode.id}",
            on_click=push,
            args=("hint",),
            disabled=not more,
            help="A more specific hint: the method, then one worked step.",
        )
        left = 0 if current.solved else mode.hints_before_solution - current.hints
        cols[1].button(
            "📖 Full solution",
            key=f"act-solution-{mode.id}",
            on_click=push,
            args=("solution",),
            disabled=left > 0,
            help=f"Opens after {mode.hints_before_solution} hints: try the steps yourself first.",
        )
    if current.solution is not None:
        cols[2].button(
            "🔁 Try a similar one",
            key=f"act-similar-{mode.id}",
            on_click=push,
            args=("similar",),
            help="A new problem of the same kind with other numbers; the tutor checks your answer.",
        )
        note = "✍️ Type your answer or a step (for example `x = 5` or `3x = 15`) and the tutor checks it."
        if left > 0:
            note += f" The full solution opens after {left} more hint{'s' * (left != 1)}."
        st.caption(note)


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


def _answer(
    ctx: Context, engine, mode: Mode, question: str, session_id: int | None, action: str = "ask"
) -> None:
    """Stream one answer. Stop sets the page's stop event and reruns; the partial answer is kept."""
    stop = _stop_event(mode.id)
    stop.clear()
    events = chat.ask(ctx.store, engine, mode, question, session_id=session_id, stop=stop, action=action)
    user_slot = st.empty()
    try:
        first = next(events)
    except StopIteration:  # pragma: no cover - ask always yields
        return
    except TutorError as err:
        show_error(err)
        if action == "ask" and question.strip():  # the box is empty now: give the text back
            st.text_area("Your question (copy it to ask again)", question, key=f"kept-{mode.id}", height=120)
        if session_id is not None:  # a refused action (e.g. the solution too early): the buttons stay
            _action_row(mode, ctx.store.messages(session_id))
        return
    shown_question = question if action == "ask" else model_text.ACTION_TEXT.get(action, "")
    with user_slot.container():
        with st.chat_message("user"):
            show_text(shown_question if len(shown_question) < 2000 else shown_question[:2000] + "…")
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
        done: chat.Done | None = None
        try:
            event = first
            while True:
                if isinstance(event, chat.SessionStarted):
                    st.session_state[session_key(mode.id)] = event.session_id
                    st.query_params["session"] = str(event.session_id)
                elif isinstance(event, chat.Notice):
                    st.toast(event.text, icon="✂️")
                elif isinstance(event, Queued):
                    status.info(queue_message(event.position, engine.slots))
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
                        body.markdown(safe_markdown(to_markdown(text)) + "▌")  # classroom: safe rendering
                        last_draw = now
                elif isinstance(event, chat.Done):
                    done = event
                    stop_slot.empty()
                    show_text(event.text, body)  # classroom: safe rendering
                    if event.guard_tripped:
                        st.caption(
                            "🛡️ Part of the model's text was removed: it gave the answer away "
                            "or its math was wrong."
                        )
                    if event.error:
                        st.error(f"The model failed: {event.error}", icon="⚠️")
                        if action == "ask":
                            offer_retry(mode.id, question)
                    caption_for(event.record)
                    feedback_widget(ctx, event.message_id)  # classroom: thumbs under the answer
                event = next(events)
        except StopIteration:
            pass
        except TutorError as err:
            show_error(err)
        finally:
            events.close()
    if done is not None:
        _action_row(mode, ctx.store.messages(done.session_id))
