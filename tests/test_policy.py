"""Instructor settings, locks and a student's own choices -> the Mode the student gets."""

from __future__ import annotations

import pytest

from tutor import policy
from tutor.access import AccessDenied, User
from tutor.config import get_settings
from tutor.errors import InputRejected
from tutor.policy import ClassSettings
from tutor.prompts import load_modes
from tutor.store import Store

S = User(2, "sam", role="student")
T = User(3, "tess", role="instructor")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "tutor.db")
    for u in (S, T):
        s.write(lambda db, u=u: db["users"].insert({"id": u.id, "username": u.username, "role": u.role,
                                                   "provider": "local", "created_at": "t"}))  # fmt: skip
    return s


@pytest.fixture
def hint():
    return load_modes(get_settings().prompts_dir)["hint"]


def test_defaults_come_from_the_mode_file(hint):
    mode = policy.effective_mode(hint, ClassSettings())
    assert mode.gen == hint.gen and mode.hints_before_solution == hint.hints_before_solution


def test_student_choice_applies_while_unlocked_and_not_once_locked(store, hint):
    settings = ClassSettings(locks=frozenset())
    policy.set_choice(store, S, settings, "hint", "temperature", 1.1)
    policy.set_choice(store, S, settings, "hint", "max_tokens", 60)
    own = policy.choices(store, S)
    mode = policy.effective_mode(hint, settings, own)
    assert mode.gen.temperature == 1.1 and mode.gen.max_tokens == 60
    locked = ClassSettings(values={"hint": {"temperature": 0.2}}, locks=frozenset({"temperature"}))
    mode = policy.effective_mode(hint, locked, own)
    assert mode.gen.temperature == 0.2 and mode.gen.max_tokens == 60  # the lock holds, the rest is theirs
    with pytest.raises(AccessDenied, match="locked"):
        policy.set_choice(store, S, locked, "hint", "temperature", 1.5)
    policy.set_choice(store, T, locked, "hint", "temperature", 1.5)  # an instructor may


def test_values_are_checked(store):
    settings = ClassSettings(locks=frozenset())
    for name, value in (("temperature", 9), ("max_tokens", 2.5), ("max_tokens", True), ("hints_before_solution", 11),
                        ("top_k", 3)):  # fmt: skip
        with pytest.raises(InputRejected):
            policy.set_choice(store, S, settings, "hint", name, value)
    with pytest.raises(InputRejected):
        policy.set_choice(store, S, settings, "hint", "model", "no-such", models=["smollm2-135m"])


def test_only_an_instructor_saves_and_it_round_trips(store, hint):
    settings = ClassSettings(
        enabled_modes=("hint", "explain"),
        model="smollm2-135m",
        models={"hint": "smollm2-135m"},
        values={"hint": {"hints_before_solution": 1, "max_tokens": 80}},
        locks=frozenset({"hints_before_solution", "model"}),
    )
    with pytest.raises(AccessDenied):
        policy.save(store, S, settings, ["hint", "explain"])
    policy.save(store, T, settings, ["hint", "explain", "medical"])
    loaded = policy.load(store)
    assert loaded == settings
    assert policy.effective_mode(hint, loaded, {"hint.hints_before_solution": 5}).hints_before_solution == 1
    with pytest.raises(InputRejected):
        policy.save(store, T, ClassSettings(enabled_modes=()), ["hint"])


def test_model_for_and_enabled_modes():
    known = ["a", "b", "c"]
    s = ClassSettings(model="b", models={"hint": "c"}, locks=frozenset())
    assert policy.model_for("hint", s, {"hint.model": "a"}, known, "x") == "a"
    assert policy.model_for("hint", s, {}, known, "x") == "c"
    assert policy.model_for("explain", s, {}, known, "x") == "b"
    locked = ClassSettings(model="b", locks=frozenset({"model"}))
    assert policy.model_for("hint", locked, {"hint.model": "a"}, known, "x") == "b"
    assert policy.model_for("hint", ClassSettings(), {"hint.model": "gone"}, known, "x") == "x"
    ids = ["step_by_step", "hint", "medical"]
    assert policy.enabled_modes(ClassSettings(enabled_modes=("hint",)), ids, {"all.enabled_modes": ids}) == ["hint"]
    open_ = ClassSettings(enabled_modes=("hint",), locks=frozenset())
    assert policy.enabled_modes(open_, ids, {"all.enabled_modes": ["medical"]}) == ["medical"]


def test_the_hint_gate_is_locked_until_an_instructor_unlocks_it(store, hint):
    assert policy.load(store).locked("hints_before_solution")  # nothing saved yet
    with pytest.raises(AccessDenied, match="locked"):
        policy.set_choice(store, S, policy.load(store), "hint", "hints_before_solution", 0)
    # a choice written behind the page's back (or left from before the lock) changes nothing
    store.write(lambda db: db["user_settings"].insert(
        {"user_id": S.id, "key": "hint.hints_before_solution", "value": "0", "updated_at": "t"}))  # fmt: skip
    own = policy.choices(store, S)
    assert policy.effective_mode(hint, policy.load(store), own).hints_before_solution == hint.hints_before_solution
    # a locks list saved before the hint lock became a default did not decide to unlock it
    store.set_setting("locks", ["enabled_modes"])
    assert policy.load(store).locked("hints_before_solution")
    # an instructor who saves it unlocked does decide: then the student's choice applies
    policy.save(store, T, ClassSettings(locks=frozenset({"enabled_modes"})), ["hint"])
    assert store.get_setting("locks") == ["enabled_modes"]
    opened = policy.load(store)
    assert not opened.locked("hints_before_solution")
    assert policy.effective_mode(hint, opened, own).hints_before_solution == 0
