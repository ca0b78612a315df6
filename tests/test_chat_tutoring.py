"""Checked tutoring through the chat handler: the solver's math, the ladder, attempts, similar
problems, and the model's words filtered against the checked result (fake model, real SQLite)."""

from __future__ import annotations

import pytest

from tutor import chat
from tutor.engine import Started
from tutor.errors import InputRejected
from tutor.record import CHECKED, NOT_CHECKED
from tutor.shaping import CHECKED_LABEL, FINAL_ANSWER, NOT_CHECKED_LABEL, strip_label
from tutor.store import Store
from tutor.tutoring import MODEL_NOTE


@pytest.fixture
def store(tutor_home):
    return Store(tutor_home / "tutor.db")


def ask(store, engine, mode, question="", **kw) -> chat.Done:
    events = list(chat.ask(store, engine, mode, question, **kw))
    done = [e for e in events if isinstance(e, chat.Done)]
    assert len(done) == 1
    assert "".join(e.text for e in events if isinstance(e, chat.Delta)) == done[0].text
    return done[0]


def test_step_by_step_shows_the_solvers_idea_and_checked_solution_without_the_model(store, engine, fake, modes):
    done = ask(store, engine, modes["step_by_step"], "Solve 3x + 5 = 20")  # model_note: false
    assert done.text.startswith(CHECKED_LABEL) and "**The idea:** Get $x$ on its own" in done.text
    assert done.text.rstrip().endswith(f"{FINAL_ANSWER} $x = 5$") and MODEL_NOTE.strip() not in done.text
    assert not fake.calls and done.record.checked == CHECKED and done.record.kind == "linear"


def test_step_by_step_with_a_model_note_shows_its_words_only(store, engine, fake, modes):
    from dataclasses import replace

    fake.enqueue(["Undo ", "the ", "operations ", "around ", "x. ", "So ", "x ", "= ", "7."])
    done = ask(store, engine, replace(modes["step_by_step"], model_note=True), "Solve 3x + 5 = 20")
    assert done.text.startswith(CHECKED_LABEL)
    assert f"{MODEL_NOTE.strip()} Undo the operations around x." in done.text
    assert "x = 7" not in done.text  # the model's wrong result is not shown
    assert f"{FINAL_ANSWER} $x = 5$" in done.text  # the steps come first, at once
    assert done.text.index(FINAL_ANSWER) < done.text.index("Undo the operations")
    assert done.record.checked == CHECKED and done.record.kind == "linear" and done.guard_tripped
    row = store.messages(done.session_id)[1]
    assert row["checked"] == CHECKED and row["problem"] and row["action"] == "ask"


def test_unrecognised_math_is_labelled_not_checked_with_a_final_answer_line(store, engine, fake, modes):
    fake.enqueue(["She ", "sold ", "24 ", "in ", "May, ", "72 ", "in ", "all."])
    done = ask(
        store, engine, modes["step_by_step"], "Natalia sold 48 clips in April and half as many in May. Total?"
    )
    assert done.text.startswith(NOT_CHECKED_LABEL)
    assert done.text.rstrip().endswith(f"{FINAL_ANSWER} 72")
    assert done.record.checked == NOT_CHECKED


def test_explain_is_grounded_and_the_models_math_is_not_shown(store, engine, fake, modes):
    fake.enqueue(
        ["We ", "add ", "17 ", "to ", "both ", "sides. ", "So ", "x ", "= ", "28. ", "Undo ", "each ", "operation ",
         "in ", "turn.\n\n\n", "Check ", "by ", "substituting."]
    )  # fmt: skip
    done = ask(store, engine, modes["explain"], "Explain how to solve 8x - 17 = 71")
    assert done.text.startswith(CHECKED_LABEL)
    checked, _, model = done.text.partition(MODEL_NOTE.strip())
    assert "**The idea:**" in checked and "Add 17 to both sides." in checked  # the solver's steps
    assert "**Final answer:** $x = 11$" in checked
    assert "x = 28" not in done.text and "add 17" not in model  # any math of the model's is dropped
    assert "Undo each operation in turn.\n\nCheck by substituting." in model  # its words, one blank line
    assert model.rstrip().endswith("What is being done to $x$ in this equation?")  # check understanding
    sent = fake.calls[-1][-1]["content"]
    assert "x = 11" in sent  # the model was told the checked result


def test_hint_ladder_then_the_solution(store, engine, fake, modes):
    hint = modes["hint"]
    first = ask(store, engine, hint, "how do I solve 3x + 5 = 20?")
    assert first.record.hint_level == 1 and first.record.checked == CHECKED
    assert not fake.calls  # the ladder comes from the solver, not the model
    texts = [strip_label(first.text)]
    with pytest.raises(InputRejected) as info:
        ask(store, engine, hint, session_id=first.session_id, action="solution")
    assert "2 more hints" in info.value.message
    for level in (2, 3):
        done = ask(store, engine, hint, session_id=first.session_id, action="hint")
        assert done.record.hint_level == level
        texts.append(strip_label(done.text))
    assert len(set(texts)) == 3
    for text in texts:
        assert text.endswith("?") and text.count("?") == 1
        assert "x = 5" not in text
    fake.enqueue(["Isolate ", "x."])
    solution = ask(store, engine, hint, session_id=first.session_id, action="solution")
    assert f"{FINAL_ANSWER} $x = 5$" in solution.text
    rows = store.messages(first.session_id)
    assert [r["action"] for r in rows if r["role"] == "assistant"] == ["ask", "hint", "hint", "solution"]
    assert [r["content"] for r in rows if r["role"] == "user"][1:] == [
        "Another hint, please.", "Another hint, please.", "Show me the full solution."
    ]  # fmt: skip


def test_attempts_are_checked_against_the_sessions_problem(store, engine, fake, modes):
    hint = modes["hint"]
    first = ask(store, engine, hint, "Solve 3x + 5 = 20")
    right = ask(store, engine, hint, "x = 5", session_id=first.session_id)
    assert right.record.action == "attempt" and right.record.details["correct"] is True
    step = ask(store, engine, hint, "3x = 15", session_id=first.session_id)
    assert step.record.action == "attempt" and step.record.details["correct"] is True
    wrong = ask(store, engine, hint, "3x = 25", session_id=first.session_id)
    assert wrong.record.action == "attempt" and wrong.record.details["correct"] is False
    assert "x = 5" not in wrong.text and "💡" in wrong.text  # the next hint, never the answer
    assert not fake.calls
    # a new question in the same session is a new problem, not an attempt
    new = ask(store, engine, hint, "Solve 2x + 3 = 11", session_id=first.session_id)
    assert new.record.action == "ask" and new.record.hint_level == 1
    again = ask(store, engine, hint, "x = 4", session_id=first.session_id)
    assert again.record.details["correct"] is True


def test_try_a_similar_one(store, engine, modes):
    hint = modes["hint"]
    first = ask(store, engine, hint, "Solve 3x + 5 = 20")
    similar = ask(store, engine, hint, session_id=first.session_id, action="similar")
    assert similar.record.action == "similar" and similar.record.kind == "linear"
    assert similar.record.problem != first.record.problem
    # the student's answer is checked against the NEW problem
    from tutor.pedagogy import analyse

    new_answer = analyse(similar.record.details["question"]).answer.text
    done = ask(store, engine, hint, new_answer, session_id=first.session_id)
    assert done.record.action == "attempt" and done.record.details["correct"] is True


def test_actions_need_a_problem(store, engine, modes):
    with pytest.raises(InputRejected):
        ask(store, engine, modes["hint"], action="hint")
    assert store.list_sessions() == []


def test_no_checks_is_the_model_alone(store, engine, fake, modes):
    fake.enqueue(["x ", "= ", "7."])
    done = ask(store, engine, modes["step_by_step"], "Solve 3x + 5 = 20", checks=False)
    assert done.text == "x = 7." and done.record.checked is None
    with pytest.raises(InputRejected):
        ask(store, engine, modes["hint"], session_id=done.session_id, action="hint", checks=False)


def test_solving_it_opens_the_solution_and_stops_the_hints(store, engine, modes):
    hint = modes["hint"]
    first = ask(store, engine, hint, "Solve 2x + 3 = 11")
    ask(store, engine, hint, "x = 4", session_id=first.session_id)
    from tutor.tutoring import current_problem

    current = current_problem(store.messages(first.session_id))
    assert current.solved and current.hints == 1
    solution = ask(
        store, engine, hint, session_id=first.session_id, action="solution"
    )  # no 3 hints needed now
    assert "Final answer" in solution.text


def test_the_model_never_sees_or_repeats_the_label(store, engine, fake, modes):
    hint = modes["hint"]
    question = "A tank holds 6 buckets of 9 litres. How many litres does it hold?"
    fake.enqueue(["Look at what one bucket holds. ", "What is asked?"])
    first = ask(store, engine, hint, question)
    fake.enqueue(["⚠️ **Not checked** — written by the AI model, which can make mistakes.\n\n",
                  "The answer to the question is: 54 litres. ", "Think about groups of equal size."])  # fmt: skip
    second = ask(store, engine, hint, session_id=first.session_id, action="hint")
    sent = fake.calls[-1]
    assert all("Not checked" not in m["content"] for m in sent)  # labels are stripped from the history
    body = strip_label(second.text)
    assert "Not checked" not in body and "answer" not in body.lower() and "54" not in body
    assert body.startswith("Think about groups of equal size.") and body.endswith("?")


def test_history_replays_what_the_model_was_sent(store, engine, fake, modes):
    """Each prompt extends the previous one exactly (prefix reuse), as the training data does."""
    from tutor.model_text import hint_request

    hint = modes["hint"]
    question = "A tank holds 6 buckets of 9 litres. How many litres does it hold?"
    fake.enqueue(["Look at one bucket. ", "What is asked?"])
    first = ask(store, engine, hint, question)
    fake.enqueue(["Think of equal groups. ", "What operation fits?"])
    ask(store, engine, hint, session_id=first.session_id, action="hint")
    first_prompt, second_prompt = fake.calls
    assert first_prompt[-1]["content"] == hint_request(question, 1)
    assert second_prompt[: len(first_prompt)] == first_prompt  # the new prompt extends the old one
    assert second_prompt[-1]["content"] == hint_request(None, 2)
    assert store.messages(first.session_id)[0]["content"] == question  # the student's words are stored


WORD = "A shop sold 48 pens on Monday and half as many on Tuesday. How many pens did it sell in all?"


def test_word_problem_follow_ups_stay_on_the_problem(store, engine, fake, modes):
    hint = modes["hint"]
    fake.enqueue(["Think about Tuesday. ", "What is half of a number?"])
    first = ask(store, engine, hint, WORD)
    guess = ask(store, engine, hint, "is it 72?", session_id=first.session_id)
    assert guess.record.action == "attempt" and len(fake.calls) == 1  # no model: no yes or no
    assert "cannot check" in guess.text and "72" not in strip_label(guess.text)
    fake.enqueue(["Add the two days. ", "What do you get?"])
    stuck = ask(store, engine, hint, "I'm stuck", session_id=first.session_id)
    assert stuck.record.action == "hint" and stuck.record.hint_level == 2
    from tutor.tutoring import current_problem

    assert current_problem(store.messages(first.session_id)).question == WORD  # still the same problem


def test_no_answer_is_stored_before_it_is_shown(store, engine, modes):
    done = ask(store, engine, modes["hint"], "Solve 7x - 13 = 50")
    row = store.messages(done.session_id)[1]
    assert "9" not in row["details"] and "answer" not in row["details"]


def test_stop_while_the_closing_lines_are_shown_saves_the_answer_as_stopped(store, engine, fake, modes):
    fake.enqueue(["Add ", "17 ", "to ", "both ", "sides. "])
    events = chat.ask(store, engine, modes["explain"], "Explain how to solve 8x - 17 = 71")
    session_id = None
    for event in events:
        if isinstance(event, chat.SessionStarted):
            session_id = event.session_id
        if isinstance(event, chat.Delta) and "Check your understanding" in event.text:
            break  # the page was left right as the closing question was being shown
    events.close()
    assert store.messages(session_id)[1]["status"] == "stopped"


def test_stop_mid_hint_shows_whole_sentences_only(store, engine, fake, modes):
    import threading

    stop = threading.Event()
    fake.enqueue(["Think about the price. ", "Then the total is ", "more ", "words"])
    shown = ""
    for event in chat.ask(store, engine, modes["hint"], WORD, stop=stop):
        if isinstance(event, chat.Delta):
            shown += event.text
        if isinstance(event, Started):
            pass
        if isinstance(event, chat.Done):
            done = event
        if "price" in shown:
            stop.set()
    body = strip_label(done.text)
    assert done.status == "stopped" and body.endswith(".") and "the total is" not in body


def test_a_hint_that_ends_early_keeps_the_models_stats(store, engine, fake, modes):
    fake.enqueue(["What ", "does ", "the ", "question ", "ask? ", "More ", "text ", "that ", "is ", "not ", "shown."])
    done = ask(store, engine, modes["hint"], WORD)
    assert done.status == "complete" and done.record.tokens >= 5


def test_no_second_action_while_the_last_answer_is_being_written(store, engine, modes):
    first = ask(store, engine, modes["hint"], "Solve 3x + 5 = 20")
    rows = store.messages(first.session_id)
    store.update_message(rows[-1]["id"], status="streaming")
    with pytest.raises(InputRejected) as info:
        ask(store, engine, modes["hint"], session_id=first.session_id, action="hint")
    assert "still writing" in info.value.message


def test_the_solution_gate_is_checked_where_the_solution_is_served(store, engine, fake, modes):
    """A student's own 'no hints first' stored behind the page's back does not open the
    solution while the instructor's lock (the default) holds: chat.ask refuses it."""
    from tutor import policy
    from tutor.access import User

    student = User(7, "sam", role="student")
    store.write(lambda db: db["users"].insert(
        {"id": 7, "username": "sam", "role": "student", "provider": "local", "created_at": "t"}))  # fmt: skip
    store.write(lambda db: db["user_settings"].insert(
        {"user_id": 7, "key": "hint.hints_before_solution", "value": "0", "updated_at": "t"}))  # fmt: skip
    hint = policy.effective_mode(modes["hint"], policy.load(store), policy.choices(store, student))
    assert hint.hints_before_solution == modes["hint"].hints_before_solution > 0
    first = ask(store, engine, hint, "how do I solve 3x + 5 = 20?")
    with pytest.raises(InputRejected, match="more hint"):
        ask(store, engine, hint, session_id=first.session_id, action="solution")
