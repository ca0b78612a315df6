"""Guessing, in parallel and per address: atomic tries, the verification slots, class-code
sign-up limits, and the passcode's elevation (personal mode only, ended by a new passcode)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.accounts import cheap_hasher  # noqa: F401  (fixture)
from tutor import auth, throttle
from tutor.access import AccessDenied
from tutor.auth import SignInError, Throttled
from tutor.store import Store


@pytest.fixture(autouse=True)
def _cheap(cheap_hasher):  # noqa: F811
    yield


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "tutor.db")


def _counting_verifier(monkeypatch, delay_s=0.05):
    """Count (and slow down a little) every password check; track how many run at once."""
    seen = {"calls": 0, "running": 0, "most": 0}
    lock = threading.Lock()
    real = auth.verify_secret

    def verify(stored, secret):
        with lock:
            seen["calls"] += 1
            seen["running"] += 1
            seen["most"] = max(seen["most"], seen["running"])
        try:
            time.sleep(delay_s)
            return real(stored, secret)
        finally:
            with lock:
                seen["running"] -= 1

    monkeypatch.setattr(auth, "verify_secret", verify)
    return seen


def _in_parallel(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001  (the outcome is what we check)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_twenty_parallel_wrong_passwords_verify_no_more_than_the_limit(store, monkeypatch):
    auth.create_user(store, "alice", "correct horse")
    seen = _counting_verifier(monkeypatch)
    results = _in_parallel(20, lambda i: auth.sign_in(store, "alice", f"wrong {i}", address="10.0.0.9"))
    assert all(isinstance(r, SignInError) for r in results)
    throttled = [r for r in results if isinstance(r, Throttled)]
    assert seen["calls"] <= auth.FREE_FAILURES and len(throttled) >= 20 - auth.FREE_FAILURES
    assert seen["most"] <= throttle.VERIFY_SLOTS
    # every verified try left exactly one failure: no provisional row is left over
    assert _failures(store, "user:alice") == seen["calls"]


def _failures(store, key):
    return auth.Throttle(store).state(key).failures


def test_a_right_password_clears_its_provisional_failure(store):
    auth.create_user(store, "alice", "correct horse")
    with pytest.raises(SignInError):
        auth.sign_in(store, "alice", "wrong", address="10.0.0.9")
    assert auth.sign_in(store, "alice", "correct horse", address="10.0.0.9")[0].username == "alice"
    assert _failures(store, "user:alice") == 0 and _failures(store, "addr:10.0.0.9") == 0


def test_no_free_slot_means_busy_and_the_try_is_not_counted(store, monkeypatch):
    auth.create_user(store, "alice", "correct horse")
    monkeypatch.setattr(throttle, "VERIFY_WAIT_S", 0.05)
    held = [throttle._slots.acquire() for _ in range(throttle.VERIFY_SLOTS)]
    try:
        with pytest.raises(Throttled, match="busy"):
            auth.sign_in(store, "alice", "correct horse", address="10.0.0.9")
    finally:
        for _ in held:
            throttle._slots.release()
    assert _failures(store, "user:alice") == 0
    assert auth.sign_in(store, "alice", "correct horse", address="10.0.0.9")[0].username == "alice"


def test_class_code_guesses_are_slowed_down_per_address(store):
    auth.set_class_code(store, "BIO-101-fall")
    for i in range(auth.CODE_ADDRESS_FREE):
        with pytest.raises(SignInError, match="class code"):
            auth.sign_up(store, f"guess{i}", "long enough pw", f"guess-{i}", address="203.0.113.7")
    with pytest.raises(Throttled) as exc:  # even the right code waits from that address
        auth.sign_up(store, "mallory", "long enough pw", "BIO-101-fall", address="203.0.113.7")
    assert "class code" in exc.value.hint and exc.value.retry_after_s > 0
    # the class next door (another address) is not locked out by one guesser
    user, _ = auth.sign_up(store, "bob", "long enough pw", "BIO-101-fall", address="198.51.100.2")
    assert user.username == "bob"


def test_accounts_per_address_are_limited_with_a_clear_message(store, monkeypatch):
    monkeypatch.setattr(auth, "SIGNUPS_PER_ADDRESS", 2)
    auth.set_class_code(store, "BIO-101-fall")
    for name in ("ann", "ben"):
        auth.sign_up(store, name, "long enough pw", "BIO-101-fall", address="203.0.113.7")
    with pytest.raises(Throttled) as exc:
        auth.sign_up(store, "cat", "long enough pw", "BIO-101-fall", address="203.0.113.7")
    assert "accounts were created from your network" in exc.value.message
    assert "add-user" in exc.value.hint and exc.value.retry_after_s > 0
    assert auth.find_user(store, "cat") is None
    assert (
        auth.sign_up(store, "cat", "long enough pw", "BIO-101-fall", address="198.51.100.2")[0].username
        == "cat"
    )


def test_parallel_sign_ups_from_one_address_stay_within_the_limit(store, monkeypatch):
    monkeypatch.setattr(auth, "SIGNUPS_PER_ADDRESS", 3)
    monkeypatch.setattr(throttle, "VERIFY_WAIT_S", 60.0)  # a loaded test box must not answer "busy"
    auth.set_class_code(store, "BIO-101-fall")
    results = _in_parallel(
        8,
        lambda i: auth.sign_up(store, f"student{i}", "long enough pw", "BIO-101-fall", address="203.0.113.7"),
    )
    made = [r for r in results if isinstance(r, tuple)]
    assert len(made) == 3 and all(isinstance(r, Throttled) for r in results if not isinstance(r, tuple))


def test_a_new_passcode_ends_every_elevation(store):
    auth.set_passcode(store, "teacher-pass")
    token = auth.unlock_settings(store, "teacher-pass")
    assert auth.personal_session_user(store, token).is_instructor
    auth.set_passcode(store, "new-teacher-pass")
    assert not auth.personal_session_user(store, token).is_instructor
    token = auth.unlock_settings(store, "new-teacher-pass")
    auth.set_passcode(store, None)  # removed: settings open to the personal user, old token gone
    assert auth.user_for_token(store, token, personal=True) is None


def test_the_passcode_elevates_only_in_personal_mode(store, monkeypatch):
    auth.set_passcode(store, "teacher-pass")
    token = auth.unlock_settings(store, "teacher-pass")
    monkeypatch.setenv("TUTOR_MODE", "class")
    with pytest.raises(AccessDenied):
        auth.unlock_settings(store, "teacher-pass")
    assert auth.user_for_token(store, token) is None  # the personal user is nobody in class mode
    # a student's token marked elevated (by whatever means) still gives only the account's role
    student = auth.create_user(store, "alice", "correct horse")
    _, mine = auth.sign_in(store, "alice", "correct horse")
    store.write(lambda db: db.execute("UPDATE login_tokens SET elevated = 1 WHERE user_id = ?", [student.id]))
    user = auth.user_for_token(store, mine)
    assert user.id == student.id and not user.is_instructor
