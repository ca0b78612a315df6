"""Local accounts: argon2 hashes, class-code sign-up, throttling and lockout, tokens, passcode."""

from __future__ import annotations

import pytest

from tests.accounts import cheap_hasher  # noqa: F401  (fixture)

from tutor import auth
from tutor.auth import SignInError, Throttle, Throttled
from tutor.errors import InputRejected
from tutor.store import Store


@pytest.fixture(autouse=True)
def _cheap(cheap_hasher):
    yield


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "tutor.db")


def test_passwords_are_stored_only_as_argon2_hashes(store):
    auth.create_user(store, "alice", "correct horse")
    row = auth.find_user(store, "alice")
    assert row["password_hash"].startswith("$argon2id$") and "correct horse" not in row["password_hash"]
    user, token = auth.sign_in(store, "ALICE", "correct horse")  # names are case-insensitive
    assert user.username == "alice" and len(token) >= 40
    stored = store.read(lambda db: [r["token_hash"] for r in db.query("SELECT token_hash FROM login_tokens")])
    assert stored == [auth.token_hash(token)] and token not in stored


def test_wrong_password_and_unknown_user_get_the_same_message(store):
    auth.create_user(store, "alice", "correct horse")
    with pytest.raises(SignInError) as wrong:
        auth.sign_in(store, "alice", "wrong horse")
    with pytest.raises(SignInError) as unknown:
        auth.sign_in(store, "mallory", "wrong horse")
    assert wrong.value.message == unknown.value.message


def test_bad_names_and_passwords_are_refused(store):
    for name in ("ab", "a b", "../etc", "x" * 40, "personal", "\u202eadmin"):
        with pytest.raises(InputRejected):
            auth.create_user(store, name, "long enough pw")
    with pytest.raises(InputRejected):
        auth.create_user(store, "alice", "short")
    auth.create_user(store, "alice", "long enough pw")
    with pytest.raises(InputRejected):
        auth.create_user(store, "Alice", "long enough pw")  # taken, whatever the case


def test_repeated_failures_are_slowed_down_then_locked(store):
    now = [1000.0]
    throttle = Throttle(store, clock=lambda: now[0])
    key = "user:alice"
    for _ in range(auth.FREE_FAILURES):
        throttle.check(key)
        throttle.record(False, key)
    with pytest.raises(Throttled) as exc:  # the next try must wait
        throttle.check(key)
    assert exc.value.retry_after_s == pytest.approx(1.0)
    waits = []
    while throttle.state(key).failures < auth.LOCK_FAILURES:
        now[0] += throttle.state(key).wait_s
        throttle.check(key)
        throttle.record(False, key)
        waits.append(throttle.state(key).wait_s)
    assert waits == sorted(waits) and waits[-2] > waits[0]  # each wait at least as long as the last
    state = throttle.state(key)
    assert state.locked and state.wait_s == pytest.approx(auth.LOCK_S)
    now[0] += auth.LOCK_S + 1
    throttle.check(key)  # the lock ends
    throttle.record(True, key)
    assert throttle.state(key).failures == 0


def test_sign_in_refuses_during_the_wait_even_with_the_right_password(store):
    auth.create_user(store, "alice", "correct horse")
    for _ in range(auth.FREE_FAILURES):
        with pytest.raises(SignInError):
            auth.sign_in(store, "alice", "nope nope", address="10.0.0.9")
    with pytest.raises(Throttled):
        auth.sign_in(store, "alice", "correct horse", address="10.0.0.9")
    auth.unlock(store, "alice")
    Throttle(store).clear("addr:10.0.0.9")
    assert auth.sign_in(store, "alice", "correct horse", address="10.0.0.9")[0].username == "alice"


def test_sign_up_needs_the_class_code(store):
    with pytest.raises(SignInError, match="closed"):
        auth.sign_up(store, "bob", "long enough pw", "anything")
    auth.set_class_code(store, "BIO-101-fall")
    assert store.get_setting(auth.CLASS_CODE_KEY).startswith("$argon2id$")
    with pytest.raises(SignInError, match="class code"):
        auth.sign_up(store, "bob", "long enough pw", "BIO-101-spring")
    user, token = auth.sign_up(store, "bob", "long enough pw", "BIO-101-fall", display_name="Bob \u202eB")
    assert user.role == "student" and user.display_name == "Bob B"
    assert auth.user_for_token(store, token).id == user.id


def test_tokens_expire_and_sign_out_deletes_them(store):
    auth.create_user(store, "alice", "correct horse")
    _, token = auth.sign_in(store, "alice", "correct horse")
    assert auth.user_for_token(store, token) is not None
    assert auth.user_for_token(store, token + "x") is None and auth.user_for_token(store, "") is None
    auth.sign_out(store, token)
    assert auth.user_for_token(store, token) is None
    _, token = auth.sign_in(store, "alice", "correct horse")
    store.write(lambda db: db.execute("UPDATE login_tokens SET expires_at = '2000-01-01'"))
    assert auth.user_for_token(store, token) is None


def test_new_password_ends_every_sign_in(store):
    auth.create_user(store, "alice", "correct horse")
    _, token = auth.sign_in(store, "alice", "correct horse")
    auth.set_password(store, "alice", "battery staple")
    assert auth.user_for_token(store, token) is None
    assert auth.sign_in(store, "alice", "battery staple")[0].username == "alice"


def test_roles(store):
    auth.create_user(store, "teach", "long enough pw")
    assert auth.set_role(store, "teach", "instructor").is_instructor
    _, token = auth.sign_in(store, "teach", "long enough pw")
    assert auth.user_for_token(store, token).is_instructor


def test_oidc_users_are_made_once_per_provider_and_subject(store):
    first = auth.oidc_user(store, "school", {"sub": "123", "email": "a@school.edu", "name": "Ann \u202eX"})
    again = auth.oidc_user(store, "school", {"sub": "123", "email": "a@school.edu"})
    other = auth.oidc_user(store, "other", {"sub": "123", "email": "a@school.edu"})
    assert first.id == again.id != other.id
    assert first.display_name == "Ann X" and first.provider == "oidc" and first.role == "student"
    assert other.username == "a@school.edu~2"
    with pytest.raises(SignInError):
        auth.oidc_user(store, "school", {"email": "no-sub@x"})


def test_personal_passcode(store, monkeypatch):
    assert auth.personal_session_user(store, None).is_instructor  # no passcode: it is your machine
    auth.set_passcode(store, "teacher-pass")
    assert not auth.personal_session_user(store, None).is_instructor
    with pytest.raises(SignInError):
        auth.unlock_settings(store, "guess")
    token = auth.unlock_settings(store, "teacher-pass")
    assert auth.personal_session_user(store, token).is_instructor
    assert store.get_setting(auth.PASSCODE_KEY).startswith("$argon2id$")


def test_legacy_plain_text_code_becomes_a_hash(store):
    assert auth.adopt_legacy_code(store, {"TUTOR_INSTRUCTOR_CODE": "old-code-1"})
    assert auth.passcode_set(store) and "old-code-1" not in store.get_setting(auth.PASSCODE_KEY)
    assert not auth.adopt_legacy_code(store, {"TUTOR_INSTRUCTOR_CODE": "other"})  # never overwrites
    assert auth.unlock_settings(store, "old-code-1")


def test_the_command_line_reads_secrets_from_stdin_not_argv(tutor_home, monkeypatch, capsys):
    import io

    from tutor import auth_cli
    from tutor.config import get_settings

    monkeypatch.setattr("sys.stdin", io.StringIO("teacher-pass-1\nBIO-101-fall\n"))
    assert auth_cli.main(["--stdin", "add-user", "tess", "--instructor"]) == 0
    assert auth_cli.main(["--stdin", "class-code"]) == 0
    assert auth_cli.main(["users"]) == 0
    out = capsys.readouterr().out
    assert "tess" in out and "instructor" in out and "argon2" not in out
    store = Store(get_settings().db_path)
    assert auth.sign_in(store, "tess", "teacher-pass-1")[0].is_instructor and auth.class_code_set(store)
    assert auth_cli.main(["role", "nobody", "instructor"]) == 1
