"""The instructor dashboard's numbers over everyone's sessions, and its CSV."""

from __future__ import annotations

import pytest

from tests.accounts import ALICE, BOB, TESS, store_with_users
from tutor import dashboard, feedback
from tutor.access import AccessDenied, User
from tutor.record import AnswerRecord
from tutor.userstore import UserStore

A, B, T = ALICE, BOB, TESS


@pytest.fixture
def store(tmp_path):
    s = store_with_users(tmp_path / "tutor.db")
    a, b = UserStore(s, A), UserStore(s, B)
    sid = a.create_session("hint", "m", "3x+5=20")
    for level in (1, 2):
        a.add_message(sid, "user", "another hint", mode="hint")
        a.add_message(sid, "assistant", f"hint {level}", mode="hint",
                      record=AnswerRecord(status="complete", action="hint", problem="3x + 5 = 20", hint_level=level,
                                          checked=1, guard_tripped=level == 2))  # fmt: skip
    a.add_message(sid, "user", "show me", mode="hint")
    a.add_message(sid, "assistant", "x = 5", mode="hint",
                  record=AnswerRecord(status="complete", action="solution", problem="3x + 5 = 20", checked=1))
    sid2 = b.create_session("explain", "m", "osmosis")
    b.add_message(sid2, "user", "osmosis?", mode="explain")
    mid = b.add_message(sid2, "assistant", "water...", mode="explain", record=AnswerRecord(status="stopped", checked=0))
    feedback.give(s, B, mid, 0, ["unclear", "wrong math"])
    return s


def test_only_instructors_see_it(store):
    with pytest.raises(AccessDenied):
        dashboard.summary(store, A)


def test_numbers(store):
    s = dashboard.summary(store, T)
    assert s.totals == {"sessions": 2, "questions": 4, "answers": 4, "users": 2}
    assert {(r["mode"], r["sessions"], r["questions"]) for r in s.activity} == {("hint", 1, 3), ("explain", 1, 1)}
    [hints] = s.hints
    assert (hints["problem"], hints["hints"], hints["deepest_hint"], hints["solutions_revealed"]) == (
        "3x + 5 = 20", 2, 2, 1)  # fmt: skip
    answers = {r["mode"]: r for r in s.answers}
    assert answers["hint"]["checked"] == 3 and answers["hint"]["guard_trips"] == 1
    assert answers["explain"]["stopped"] == 1 and answers["explain"]["not_checked"] == 1
    fb = {r["what"]: r["count"] for r in s.feedback}
    assert fb["thumbs down"] == 1 and fb["thumbs up"] == 0 and fb["reason: unclear"] == 1


def test_csv_neutralizes_formulas():
    text = dashboard.to_csv([{"problem": "=HYPERLINK(\"http://x\")", "hints": 2}])
    assert text.splitlines() == ["problem,hints", "\"'=HYPERLINK(\"\"http://x\"\")\",2"]
