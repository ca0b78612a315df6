"""Every page driven through Streamlit's AppTest, with a fake model and a real SQLite.

Ask on each tutor page, get the reply, find it in History; errors show on the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tutor import engine as engine_mod
from tutor.config import get_settings
from tutor.engine import Engine
from tutor.fake import FakeBackend
from tutor.shaping import strip_label
from tutor.store import Store

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
CHAT_PAGES = {
    "step_by_step": "pages/1_Step_by_step.py",
    "explain": "pages/2_Explain.py",
    "hint": "pages/3_Hint.py",
    "medical": "pages/4_Medical_tutor.py",
}
TIMEOUT = 30


@pytest.fixture
def fake(monkeypatch):
    backend = FakeBackend()
    eng = Engine(backend)
    engine_mod.set_engine_factory(lambda name: eng)
    yield backend
    engine_mod.set_engine_factory(None)
    engine_mod.reset_engines()


def page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def store() -> Store:
    return Store(get_settings().db_path)


def test_home_shows_model_modes_and_recent_sessions(fake):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert "Study tutor" in at.title[0].value
    assert any("smollm2" in s.value.lower() for s in at.success), [s.value for s in at.success]
    assert any("No sessions yet" in c.value for c in at.caption)


@pytest.mark.parametrize("mode_id", list(CHAT_PAGES))
def test_ask_on_every_tutor_page_and_find_it_in_history(fake, mode_id):
    fake.enqueue(["Here ", "is ", "some ", "help."])
    at = page(CHAT_PAGES[mode_id])
    at.chat_input[0].set_value("What is a derivative?").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    body = texts(at)
    assert "What is a derivative?" in body
    assert "Here is some help." in body
    sessions = store().list_sessions()
    assert len(sessions) == 1 and sessions[0]["mode"] == mode_id

    history = page("pages/5_History.py")
    assert "What is a derivative?" in history.radio[0].options[0]
    assert "Here is some help." in texts(history)


def test_medical_page_shows_the_standing_notice(fake):
    at = page(CHAT_PAGES["medical"])
    assert any("not medical advice" in w.value.lower() for w in at.warning), [w.value for w in at.warning]


def test_follow_up_continues_the_same_session(fake):
    fake.enqueue(["First ", "answer."])
    fake.enqueue(["Second ", "answer."])
    at = page(CHAT_PAGES["explain"])
    at.chat_input[0].set_value("Question one").run()
    at.chat_input[0].set_value("Question two").run()
    assert not at.exception, at.exception
    sessions = store().list_sessions()
    assert len(sessions) == 1
    assert [strip_label(m["content"]) for m in store().messages(sessions[0]["id"])] == [
        "Question one",
        "First answer.",
        "Question two",
        "Second answer.",
    ]


def test_empty_question_shows_a_message_and_stores_nothing(fake):
    at = page(CHAT_PAGES["hint"])
    at.chat_input[0].set_value("   ").run()
    assert not at.exception
    assert at.error and "question" in at.error[0].value.lower()
    assert store().list_sessions() == []


def test_huge_paste_shows_a_message(fake):
    at = page(CHAT_PAGES["step_by_step"])
    at.chat_input[0].set_value("y" * 20_000).run()
    assert not at.exception
    assert at.error and ("20,000" in at.error[0].value or "20000" in at.error[0].value)
    assert store().list_sessions() == []


def test_missing_model_file_errors_on_its_page_only(fake, tutor_home):
    engine_mod.set_engine_factory(None)
    (tutor_home).mkdir(parents=True, exist_ok=True)
    (tutor_home / "models.yaml").write_text(
        "models:\n  broken:\n    source: local\n    path: /nonexistent/model.gguf\n"
    )
    s = store()
    s.set_setting("model:hint", "broken")
    at = page(CHAT_PAGES["hint"])
    assert at.error and "model" in at.error[0].value.lower()
    # another page still works with the default model (fake factory for everything but 'broken')
    fake.enqueue(["fine"])
    engine_mod.set_engine_factory(
        lambda name: Engine(fake) if name != "broken" else Engine(engine_mod.load_backend(name))
    )
    other = page(CHAT_PAGES["explain"])
    other.chat_input[0].set_value("Still working?").run()
    assert not other.error, [e.value for e in other.error]
    assert "fine" in texts(other)


def test_history_search_export_and_delete(fake):
    fake.enqueue(["Mitochondria ", "make ", "ATP."])
    at = page(CHAT_PAGES["explain"])
    at.chat_input[0].set_value("What do mitochondria do?").run()
    history = page("pages/5_History.py")
    history.text_input(key="history-q").set_value("ATP").run()
    assert len(history.radio[0].options) == 1
    history.text_input(key="history-q").set_value("'; DROP TABLE messages; --").run()
    assert not history.exception
    session_id = store().list_sessions()[0]["id"]
    exported = json.loads(store().export_json(session_id))
    assert strip_label(exported["messages"][1]["content"]) == "Mitochondria make ATP."
    assert "Mitochondria make ATP." in store().export_markdown(session_id)
    history.text_input(key="history-q").set_value("").run()
    history.button(key="history-delete").click().run()
    history.button(key="history-confirm-yes").click().run()
    assert not history.exception, history.exception
    assert store().list_sessions() == []


def test_instructor_can_turn_a_mode_off(fake):
    at = page("pages/6_Instructor_settings.py")
    at.multiselect[0].set_value(["step_by_step", "explain", "medical"])
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success
    hint = page(CHAT_PAGES["hint"])
    assert any("turned this mode off" in i.value for i in hint.info)


def test_hub_model_not_downloaded_offline_names_it_and_the_fetch_command(fake):
    engine_mod.set_engine_factory(None)  # the real loader: the Hub model is not in the cache
    store().set_setting("model:hint", "llama-3.2-1b-instruct")
    at = page(CHAT_PAGES["hint"])
    assert at.error, "expected an error on the Hint page"
    message = at.error[0].value + " " + " ".join(i.value for i in at.info)
    assert "llama-3.2-1b-instruct" in message
    assert "python -m tutor.models fetch llama-3.2-1b-instruct" in message
    assert at.chat_input[0].disabled


def test_a_broken_mode_file_errors_on_its_page_only(fake, monkeypatch, tmp_path):
    """prompts/hint.yaml with a bad value: the Hint page names file and key, Explain still answers."""
    import dataclasses
    import shutil

    import tutor.ui.common as common
    from tutor.config import REPO_ROOT

    prompts = tmp_path / "prompts"
    shutil.copytree(REPO_ROOT / "prompts", prompts)
    hint_file = prompts / "hint.yaml"
    hint_file.write_text(hint_file.read_text().replace("temperature: 0.3", "temperature: 7"))
    monkeypatch.setattr(
        common, "get_settings", lambda: dataclasses.replace(get_settings(), prompts_dir=prompts)
    )

    hint = page(CHAT_PAGES["hint"])
    assert hint.error and "hint.yaml" in hint.error[0].value
    assert "defaults.temperature" in hint.error[0].value
    fake.enqueue(["Still ", "fine."])
    explain = page(CHAT_PAGES["explain"])
    explain.chat_input[0].set_value("Does explain work?").run()
    assert not explain.error and "Still fine." in texts(explain)


def test_history_builds_downloads_only_when_asked(fake, monkeypatch):
    from tutor.userstore import UserStore

    built = []
    for name in ("export_all", "export_json", "export_markdown"):
        real = getattr(UserStore, name)
        monkeypatch.setattr(
            UserStore, name, lambda self, *a, _real=real, _name=name: built.append(_name) or _real(self, *a)
        )
    fake.enqueue(["Mitochondria ", "make ", "ATP."])
    page(CHAT_PAGES["explain"]).chat_input[0].set_value("What do mitochondria do?").run()
    history = page("pages/5_History.py")
    history.text_input(key="history-q").set_value("ATP").run()
    assert not history.exception and built == []  # page runs build nothing
    history.button(key="history-export").click().run()
    assert sorted(built) == ["export_json", "export_markdown"]
    history.button(key="data-prepare").click().run()
    assert "export_all" in built and not history.exception
    built.clear()
    history.text_input(key="history-q").set_value("mitochondria").run()
    assert built == []
