"""Feedback on answers: only on one's own answers, and its export as SFT rows and DPO pairs."""

from __future__ import annotations

import json

import pytest

from tests.accounts import ALICE, BOB, TESS, store_with_users
from tutor import feedback
from tutor.access import AccessDenied, User
from tutor.config import get_settings
from tutor.errors import InputRejected
from tutor.prompts import load_modes
from tutor.record import AnswerRecord
from tutor.userstore import UserStore

A, B, T = ALICE, BOB, TESS


@pytest.fixture
def store(tmp_path):
    s = store_with_users(tmp_path / "tutor.db")
    return s


def turn(store, user, question, answer, *, mode="hint", problem=None, checked=None) -> int:
    view = UserStore(store, user)
    sid = view.create_session(mode, "smollm2-135m", question)
    view.add_message(sid, "user", question, mode=mode)
    rec = AnswerRecord(status="complete", model="smollm2-135m", problem=problem, checked=checked)
    return view.add_message(sid, "assistant", answer, mode=mode, record=rec)


def test_only_the_owner_rates_and_only_finished_answers(store):
    mid = turn(store, A, "Solve 3x+5=20", "x = 5")
    with pytest.raises(AccessDenied):
        feedback.give(store, B, mid, 0, ["wrong math"])
    with pytest.raises(InputRejected):
        feedback.give(store, A, mid, 0, ["made up reason"])
    fb = feedback.give(store, A, mid, 0, ["gave the answer away", "wrong math"], "it just told me\u202e")
    assert fb.reasons == ("gave the answer away", "wrong math") and fb.comment == "it just told me"
    feedback.give(store, A, mid, 1)  # changing one's mind replaces the row
    assert feedback.get(store, A, mid).rating == 1 and feedback.get(store, B, mid) is None
    view = UserStore(store, A)
    sid = view.create_session("hint", "m", "q")
    user_mid = view.add_message(sid, "user", "q")
    with pytest.raises(InputRejected):
        feedback.give(store, A, user_mid, 1)


def test_export_sft_and_pairs_in_trl_formats(store, tmp_path):
    modes = load_modes(get_settings().prompts_dir)
    good = turn(store, A, "Solve 3x + 5 = 20", "Subtract 5 from both sides. What is left?")
    bad = turn(store, B, "solve 3x + 5 = 20 ", "x = 5. Done.")  # same question, other words' spacing
    feedback.give(store, A, good, 1)
    feedback.give(store, B, bad, 0, ["gave the answer away"])
    # a thumbs-down with no liked answer, but a solver-checked one for its problem
    turn(store, A, "2x = 8", "Divide both sides by 2: x = 4.", mode="step_by_step", problem="2x = 8", checked=1)
    bad2 = turn(store, B, "2x = 8?", "x = 16", mode="step_by_step", problem="2x = 8", checked=0)
    feedback.give(store, B, bad2, 0, ["wrong math"])
    # a thumbs-down with nothing better: skipped and counted
    lone = turn(store, B, "What is a vector space?", "A vector.", mode="explain")
    feedback.give(store, B, lone, 0, ["unclear"])

    with pytest.raises(AccessDenied):
        feedback.export_for(store, A, modes)
    sft, pairs, report = feedback.export_for(store, T, modes)
    assert report.sft == 1 and report.pairs == 2
    assert report.skipped["thumbs down without a better answer"] == 1
    [row] = sft
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
    assert row["messages"][0]["content"] == modes["hint"].instructions
    assert row["messages"][2]["content"].startswith("Subtract 5")
    by_source = {p["meta"]["chosen_from"]: p for p in pairs}
    assert by_source["thumbs_up"]["rejected"] == [{"role": "assistant", "content": "x = 5. Done."}]
    assert by_source["checked"]["chosen"][0]["content"].startswith("Divide both sides")
    assert [m["role"] for m in by_source["checked"]["prompt"]] == ["system", "user"]
    flat = json.dumps([sft, pairs])
    assert "alice" not in flat and "bob" not in flat and "user_id" not in flat

    # the command writes the same rows; datasets reads them as TRL does
    out_sft, out_pairs = tmp_path / "sft.jsonl", tmp_path / "pairs.jsonl"
    assert feedback.main(["export", "--sft", str(out_sft), "--pairs", str(out_pairs), "--db", str(store.path)]) == 0
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("json", data_files=str(out_pairs), split="train")
    assert set(ds.column_names) >= {"prompt", "chosen", "rejected"} and len(ds) == 2
    assert datasets.load_dataset("json", data_files=str(out_sft), split="train")[0]["messages"][1]["role"] == "user"


def test_a_disliked_answer_that_differs_only_in_punctuation_makes_no_pair(store):
    modes = load_modes(get_settings().prompts_dir)
    feedback.give(store, A, turn(store, A, "Why is the sky blue?", "Because of Rayleigh scattering.", mode="explain"), 1)
    feedback.give(store, B, turn(store, B, "why is the sky blue?", "because of Rayleigh scattering!", mode="explain"), 0,
                  ["unclear"])  # fmt: skip
    # the trainer compares without punctuation and would drop such a pair as "same": not exported
    _, pairs, report = feedback.export_for(store, T, modes)
    assert pairs == [] and report.skipped["thumbs down without a better answer"] == 1
    # questions are still told apart by their signs
    assert not feedback._norm("solve x+5=20") == feedback._norm("solve x-5=20")


def test_export_command_reports_a_missing_database(tmp_path, capsys):
    assert feedback.main(["export", "--sft", str(tmp_path / "x.jsonl"), "--db", str(tmp_path / "none.db")]) == 1
    assert "no history database" in capsys.readouterr().err
