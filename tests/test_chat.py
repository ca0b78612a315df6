"""The chat handler with a fake model (a queue of tokens) against a real SQLite."""

from __future__ import annotations

import json
import threading

import pytest

from tutor import chat
from tutor.engine import Engine, Queued
from tutor.errors import ContextOverflow, InputRejected
from tutor.fake import FakeBackend
from tutor.record import NOT_CHECKED
from tutor.shaping import NOT_CHECKED_LABEL, strip_label
from tutor.store import Store


@pytest.fixture
def store(tutor_home):
    return Store(tutor_home / "tutor.db")


def run(events):
    return list(events)


def done_of(events) -> chat.Done:
    done = [e for e in events if isinstance(e, chat.Done)]
    assert len(done) == 1
    return done[0]


def test_answer_is_streamed_and_stored_with_stats(store, engine, fake, modes):
    fake.enqueue(["Ice ", "is ", "less ", "dense: ", "it floats."])
    events = run(chat.ask(store, engine, modes["step_by_step"], "Why does ice float?"))
    deltas = "".join(e.text for e in events if isinstance(e, chat.Delta))
    done = done_of(events)
    # not math the solver reads: the model's answer, labelled not checked, with a final-answer line
    assert deltas == done.text
    assert done.text.startswith(NOT_CHECKED_LABEL) and "Ice is less dense: it floats." in done.text
    assert done.record.checked == NOT_CHECKED
    assert done.status == "complete" and done.finish_reason == "stop"
    rows = store.messages(done.session_id)
    assert [r["role"] for r in rows] == ["user", "assistant"]
    assert rows[0]["content"] == "Why does ice float?"
    answer = rows[1]
    assert answer["content"] == done.text
    assert answer["status"] == "complete"
    assert answer["mode"] == "step_by_step"
    assert answer["model"] == fake.model_name
    assert answer["model_sha256"] == fake.sha256
    assert answer["tokens"] == 5
    assert answer["ttft_s"] is not None and answer["tokens_per_s"] is not None
    assert store.get_session(done.session_id)["title"] == "Why does ice float?"


def test_mode_instructions_come_first_and_history_is_sent(store, engine, fake, modes):
    mode = modes["explain"]
    fake.enqueue(["Photosynthesis ", "makes ", "sugar."])
    first = done_of(run(chat.ask(store, engine, mode, "What is photosynthesis?")))
    fake.enqueue(["Light ", "energy."])
    run(chat.ask(store, engine, mode, "Where does the energy come from?", session_id=first.session_id))
    sent = fake.calls[-1]
    assert sent[0] == {"role": "system", "content": mode.instructions}
    assert [m["role"] for m in sent[1:]] == ["user", "assistant", "user"]
    assert sent[1]["content"] == "What is photosynthesis?"
    assert strip_label(sent[2]["content"]) == "Photosynthesis makes sugar."
    assert sent[-1]["content"] == "Where does the energy come from?"
    assert len(store.messages(first.session_id)) == 4


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x00"])
def test_empty_question_is_refused_and_nothing_stored(store, engine, modes, question):
    with pytest.raises(InputRejected):
        run(chat.ask(store, engine, modes["hint"], question))
    assert store.list_sessions() == []


def test_huge_paste_is_refused_with_its_length(store, engine, modes):
    with pytest.raises(InputRejected) as info:
        run(chat.ask(store, engine, modes["explain"], "x" * 20_000))
    assert "20,000" in info.value.message or "20000" in info.value.message
    assert store.list_sessions() == []


def test_control_characters_are_removed_with_a_notice(store, engine, fake, modes):
    fake.enqueue(["ok"])
    events = run(chat.ask(store, engine, modes["explain"], "What\x00 is\x07 DNA?"))
    assert any(isinstance(e, chat.Notice) for e in events)
    rows = store.messages(done_of(events).session_id)
    assert rows[0]["content"] == "What is DNA?"


def test_question_too_long_for_the_context_is_refused_before_storing(store, modes):
    engine = Engine(FakeBackend(n_ctx=64))
    with pytest.raises(ContextOverflow):
        run(chat.ask(store, engine, modes["explain"], "word " * 500))
    assert store.list_sessions() == []


def test_stop_keeps_the_partial_answer(store, engine, fake, modes):
    stop = threading.Event()
    fake.enqueue(["one ", "two ", "three ", "four "])
    shown = ""
    events = chat.ask(store, engine, modes["explain"], "Count", stop=stop)
    for event in events:
        if isinstance(event, chat.Delta):
            shown += event.text
            if strip_label(shown).count(" ") == 2:
                stop.set()
        if isinstance(event, chat.Done):
            done = event
    assert done.status == "stopped"
    assert done.text == shown and strip_label(shown).startswith("one two")
    assert store.messages(done.session_id)[1]["status"] == "stopped"


def test_abandoned_stream_is_saved_as_stopped_and_frees_the_engine(store, engine, fake, modes):
    fake.enqueue(["alpha ", "beta ", "gamma "])
    events = chat.ask(store, engine, modes["explain"], "Greek letters?")
    session_id = None
    for event in events:
        if isinstance(event, chat.SessionStarted):
            session_id = event.session_id
        if isinstance(event, chat.Delta) and "beta" in event.text:
            break
    events.close()
    answer = store.messages(session_id)[1]
    assert answer["status"] == "stopped"
    assert answer["content"] == NOT_CHECKED_LABEL + "\n\nalpha beta "
    # the engine is free again: the next question is answered without waiting
    fake.enqueue(["next"])
    events = run(chat.ask(store, engine, modes["explain"], "Again?"))
    assert not any(isinstance(e, Queued) for e in events)
    assert strip_label(done_of(events).text) == "next"


def test_the_engine_queue_is_entered_before_the_label_is_shown(store, engine, fake, modes):
    # FIFO between students: a student is in line from the moment the answer is stored, not
    # from when their page has drawn the "not checked" label (a fast page used to overtake)
    fake.enqueue(["first ", "answer."])
    events = chat.ask(store, engine, modes["explain"], "Why is the sky blue?")
    first_delta = next(e for e in events if isinstance(e, chat.Delta))
    assert first_delta.text.startswith(NOT_CHECKED_LABEL)
    assert engine.queue_length() == 1  # holds its place (here: the slot) while the page draws
    fake.enqueue(["second."])
    later = chat.ask(store, engine, modes["explain"], "Why is grass green?")
    waiting = threading.Thread(target=lambda: run(later))
    waiting.start()
    try:
        waiting.join(timeout=0.3)
        assert waiting.is_alive() and engine.queue_length() == 2  # queued behind the first
        assert strip_label(done_of(run(events)).text) == "first answer."
    finally:
        events.close()
        waiting.join(timeout=10)
    assert not waiting.is_alive() and engine.queue_length() == 0
    # each answer keeps its exact place in the engine's queue (the browser FIFO check reads it)
    arrivals = [m["details"] for s in store.list_sessions() for m in store.messages(s["id"]) if m["role"] == "assistant"]
    assert sorted(json.loads(d)["arrival"] for d in arrivals) == [1, 2]


def test_word_problem_hint_from_the_model_never_gives_the_result(store, engine, fake, modes):
    question = "A shop sold 48 pens on Monday and half as many on Tuesday. How many pens did it sell in all?"
    fake.enqueue(["Think about Tuesday first. ", "It sold 24 then, ", "so 72 in all. ", "Good luck."])
    done = done_of(run(chat.ask(store, engine, modes["hint"], question)))
    body = strip_label(done.text)
    assert "72" not in body and done.record.checked == NOT_CHECKED and done.record.hint_level == 1
    assert body.startswith("Think about Tuesday first.") and body.rstrip().endswith("?")
    assert store.messages(done.session_id)[1]["content"] == done.text


def test_medical_red_flag_gets_urgent_advice_first(store, engine, fake, modes):
    fake.enqueue(["Let's", " review", " acute", " coronary", " syndrome."])
    events = run(chat.ask(store, engine, modes["medical"], "My father has crushing chest pain and sweating"))
    done = done_of(events)
    first_delta = next(e for e in events if isinstance(e, chat.Delta))
    assert "emergency" in first_delta.text.lower()
    assert done.text.startswith(first_delta.text)
    assert "acute coronary syndrome." in done.text
    assert done.text.endswith(f"{modes['medical'].notice}_")  # the mode's notice ends the answer


def test_model_error_is_stored_as_error(store, engine, fake, modes):
    fake.fail_next(RuntimeError("the model crashed"), after_tokens=1, tokens=["partial "])
    done = done_of(run(chat.ask(store, engine, modes["explain"], "Why?")))
    assert done.status == "error" and "crashed" in done.error
    assert strip_label(done.text) == "partial"
    assert store.messages(done.session_id)[1]["status"] == "error"


def test_a_lock_during_the_answer_does_not_break_the_stream(store, engine, fake, modes, monkeypatch):
    """Periodic saves are insurance: a locked database then is skipped, the final save writes all."""
    from tutor.errors import DatabaseLocked

    monkeypatch.setattr(chat, "SAVE_EVERY_S", 0.0)  # try a periodic save on every token
    fake.enqueue(["one ", "two ", "three."])
    original = store.update_message
    calls = []

    def flaky(message_id, **fields):
        calls.append(fields)
        if set(fields) == {"content"}:  # the periodic saves
            raise DatabaseLocked("Another program is writing to the history database.")
        return original(message_id, **fields)

    monkeypatch.setattr(store, "update_message", flaky)
    done = done_of(run(chat.ask(store, engine, modes["explain"], "Count to three")))
    assert done.status == "complete" and strip_label(done.text) == "one two three."
    assert any(set(c) == {"content"} for c in calls)
    answer = store.messages(done.session_id)[1]
    assert answer["content"] == done.text and answer["status"] == "complete"
    assert answer["total_s"] is not None and answer["prompt_tokens"] > 0
