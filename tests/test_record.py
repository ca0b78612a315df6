"""AnswerRecord: one record type for an answer's metadata, shared by store, handler, exports and UI."""

from __future__ import annotations

import pytest

from tutor.engine import GenStats
from tutor.exports import stats_line
from tutor.record import CHECKED, NOT_CHECKED, AnswerRecord
from tutor.store import Store


def test_round_trip_through_the_store(tmp_path):
    store = Store(tmp_path / "t.db")
    sid = store.create_session("hint", "m", "3x+5=20")
    stats = GenStats(ttft_s=0.1, tokens=12, tokens_per_s=100.0, total_s=0.3, prompt_tokens=40, wait_s=0.0)
    record = AnswerRecord(model="m", action="hint", kind="linear", problem="3x + 5 = 20", hint_level=1)
    record = record.update(status="complete", finish_reason="stop", checked=CHECKED, guard_tripped=True)
    record = record.with_stats(stats).update(details={"dropped": ["x = 5"]})
    mid = store.add_message(sid, "assistant", "Subtract 5.", mode="hint", record=record)
    row = store.messages(sid)[0]
    assert row["id"] == mid
    assert AnswerRecord.from_row(row) == record


def test_single_fields_and_validation(tmp_path):
    store = Store(tmp_path / "t.db")
    sid = store.create_session("hint", "m", "t")
    mid = store.add_message(sid, "assistant", "", status="streaming", model="m")
    store.update_message(mid, details={"flags": ["chest pain"]}, guard_tripped=True, checked=NOT_CHECKED)
    got = AnswerRecord.from_row(store.messages(sid)[0])
    assert got.details == {"flags": ["chest pain"]} and got.guard_tripped and got.checked == NOT_CHECKED
    with pytest.raises(ValueError):
        store.update_message(mid, action="dance")
    with pytest.raises(ValueError):
        store.add_message(sid, "assistant", "x", colour="red")
    with pytest.raises(ValueError):
        AnswerRecord(status="done")


def test_labels_in_caption_and_export():
    checked = AnswerRecord(status="complete", checked=CHECKED, tokens=5, model="m")
    assert checked.caption() == "5 tokens · m"  # the label is the answer's own first line
    assert checked.check_label == "✅ checked by the solver"
    assert AnswerRecord(status="complete", checked=NOT_CHECKED).check_label == "⚠️ not checked"
    assert AnswerRecord(status="complete").check_label is None
    line = stats_line({"mode": "hint", "status": "stopped", "checked": 1, "tokens": 3, "model": "m"})
    assert line.startswith("hint · m · ✅ checked by the solver · 3 tokens") and line.endswith("stopped")


def test_from_row_tolerates_bad_values():
    record = AnswerRecord.from_row({"status": "weird", "details": "{not json", "action": "x", "extra": 1})
    assert record.status == "complete" and record.details == {} and record.action is None
