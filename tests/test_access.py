"""Who sees what: student B reaches none of student A's data through any path of the store view."""

from __future__ import annotations

import inspect
import json

import pytest

from tutor.access import AccessDenied, User, can, is_loopback, personal_user, require, run_mode
from tutor.errors import ConfigError
from tutor.record import AnswerRecord
from tutor.store import Store
from tutor.userstore import UserStore

A = User(2, "alice", "Alice", "student", "local")
B = User(3, "bob", "Bob", "student", "local")
T = User(4, "teach", "Teacher", "instructor", "local")
# Store methods a page never gets: unscoped, for the app's start, the CLI and the core modules
# that check the user themselves (auth, policy, feedback, dashboard).
NOT_FOR_USERS = {"read", "write", "close", "recover_interrupted", "message_owner"}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "tutor.db")
    for u in (A, B, T):
        s.write(
            lambda db, u=u: db["users"].insert(
                {"id": u.id, "username": u.username, "role": u.role, "provider": "local", "created_at": "t"}
            )
        )
    return s


def _session(view: UserStore, text: str) -> tuple[int, int]:
    sid = view.create_session("hint", "m", text)
    view.add_message(sid, "user", text, mode="hint")
    mid = view.add_message(sid, "assistant", f"answer to {text}", mode="hint", record=AnswerRecord(status="complete"))
    return sid, mid


def test_rules_deny_by_default():
    assert can(A, "use_tutor") and not can(A, "change_settings") and not can(A, "view_dashboard")
    assert can(T, "change_settings") and can(T, "view_dashboard") and can(T, "export_feedback")
    assert not can(None, "use_tutor") and not can(T, "launch_missiles")
    with pytest.raises(AccessDenied):
        require(A, "view_dashboard")
    with pytest.raises(AccessDenied):
        require(None, "use_tutor")


def test_personal_user_is_instructor_only_without_a_passcode():
    assert personal_user(passcode_set=False).is_instructor
    assert not personal_user(passcode_set=True).is_instructor
    assert personal_user(passcode_set=True, elevated=True).is_instructor


def test_run_mode_and_loopback():
    assert run_mode({}) == "personal" and run_mode({"TUTOR_MODE": "Class"}) == "class"
    with pytest.raises(ConfigError):
        run_mode({"TUTOR_MODE": "open"})
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("")


def test_b_reaches_nothing_of_a_through_any_path(store):
    a, b = UserStore(store, A), UserStore(store, B)
    sid, mid = _session(a, "photosynthesis secret")
    _session(b, "bob's own question")
    # list, search, get, messages, exports
    assert [s["title"] for s in b.list_sessions()] == ["bob's own question"]
    assert b.search("photosynthesis") == []
    assert b.get_session(sid) is None and b.get_session(str(sid)) is None
    assert b.messages(sid) == [] and b.message(mid) is None
    for export in (b.export_markdown, b.export_json):
        with pytest.raises(AccessDenied):
            export(sid)
    # continuing the session, changing an answer, deleting
    with pytest.raises(AccessDenied):
        b.add_message(sid, "user", "I continue Alice's session")
    with pytest.raises(AccessDenied):
        b.update_message(mid, content="overwritten")
    with pytest.raises(AccessDenied):
        b.delete_session(sid)
    # hostile ids look exactly like missing sessions
    for bad in ("1 OR 1=1", "abc", None, -1, 10**12, True):
        assert b.get_session(bad) is None and b.messages(bad) == []
    # Alice's data is untouched and hers
    assert [m["content"] for m in a.messages(sid)] == ["photosynthesis secret", "answer to photosynthesis secret"]
    assert a.search("photosynthesis")[0]["id"] == sid
    a.delete_session(sid)
    assert a.get_session(sid) is None


def test_import_makes_the_session_the_importers(store):
    a, b = UserStore(store, A), UserStore(store, B)
    sid, _ = _session(a, "exported")
    text = a.export_json(sid)
    forged = json.loads(text)
    forged["session"]["owner_id"] = A.id  # the file claims Alice owns it
    new = b.import_json(json.dumps(forged))
    assert b.get_session(new) is not None and a.get_session(new) is None


def test_settings_need_an_instructor_and_secrets_stay_hidden(store):
    store.set_setting("auth:class_code", "$argon2id$hash")
    store.set_setting("enabled_modes", ["hint"])
    a, t = UserStore(store, A), UserStore(store, T)
    assert a.get_setting("enabled_modes") == ["hint"]
    assert a.get_setting("auth:class_code") is None and t.get_setting("auth:class_code") is None
    with pytest.raises(AccessDenied):
        a.set_setting("enabled_modes", ["explain"])
    t.set_setting("enabled_modes", ["explain"])
    with pytest.raises(AccessDenied):
        t.set_setting("auth:class_code", "x")


def test_export_all_and_delete_all_cover_only_the_users_data(store):
    a, b = UserStore(store, A), UserStore(store, B)
    _session(a, "mine one")
    _session(a, "mine two")
    bsid, _ = _session(b, "bob keeps this")
    data = json.loads(a.export_all())
    assert data["account"]["username"] == "alice" and "password_hash" not in data["account"]
    assert sorted(s["session"]["title"] for s in data["sessions"]) == ["mine one", "mine two"]
    assert a.delete_all() == 2
    assert a.list_sessions() == [] and b.get_session(bsid) is not None
    assert store.search("mine") == []


def test_no_user_no_view(store):
    with pytest.raises(AccessDenied):
        UserStore(store, None)


def test_every_store_method_is_scoped_or_named_as_not_for_users():
    """A new Store method must be added to UserStore (with its owner check) or to NOT_FOR_USERS."""
    public = {n for n, _ in inspect.getmembers(Store, inspect.isfunction) if not n.startswith("_")}
    scoped = {n for n, _ in inspect.getmembers(UserStore, inspect.isfunction) if not n.startswith("_")}
    assert public - scoped - NOT_FOR_USERS == set()
    assert NOT_FOR_USERS.isdisjoint(scoped)
