"""The data path: loading (sources.py), formats (formats/), cleaning rules (clean.py), split and
fingerprint (data.py).

Fixtures (tests/training/fixtures/) are small hand-written rows in each schema with empty,
malformed, duplicate and over-long rows; the real files beside the repo are used when present.
Needs no torch: only the Hub-loading test (datasets) is marked `training`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from training.clean import CleanReport, clean, is_echo
from training.data import fingerprint, split
from training.errors import DataError
from training.formats import FORMATS, REGISTRY, detect_format, normalize
from training.formats.chatdoctor import cut_fake_turn, scrub_chatdoctor
from training.formats.gsm8k import FINAL_ANSWER
from training.formats.gsm8k import solution as gsm8k_solution
from training.sources import load_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
CHATDOCTOR_RE = re.compile(r"chat\s?-?doctor", re.I)


def _no_echo(convs):
    for c in convs:
        for prev, m in zip(c, c[1:]):
            if prev["role"] == "user" and m["role"] == "assistant":
                assert not is_echo(prev["content"], m["content"]), m["content"][:100]


# --- load_rows -------------------------------------------------------------------------------------
def test_load_jsonl_keeps_malformed_lines_for_the_report():
    rows = load_rows(str(FIXTURES / "gsm8k.jsonl"))
    assert len(rows) == 8
    assert rows[6] == {"_malformed": '{"question": "Broken line with no closing brace", "answer": "#### 1"'}


def test_load_json_list_and_max_rows():
    assert len(load_rows(str(FIXTURES / "chatdoctor.json"))) == 12
    assert len(load_rows(str(FIXTURES / "chatdoctor.json"), max_rows=3)) == 3


def test_relative_path_resolves_against_repo_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the repo: falls back to the repo root
    assert len(load_rows("tests/training/fixtures/sharegpt.jsonl")) == 10


def test_load_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{"question": "1+1?", "answer": "#### 2"}]), tmp_path / "d.parquet")
    assert load_rows(str(tmp_path / "d.parquet")) == [{"question": "1+1?", "answer": "#### 2"}]


def test_missing_local_file_names_it():
    with pytest.raises(DataError, match="nope.jsonl"):
        load_rows("data/nope.jsonl")


@pytest.mark.training
def test_hub_id_offline_names_the_id_and_the_env_var(monkeypatch):
    pytest.importorskip("datasets")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(DataError) as e:
        load_rows("nobody-here/no-such-dataset-xyz")
    assert "nobody-here/no-such-dataset-xyz" in str(e.value) and "HF_HUB_OFFLINE" in str(e.value)


# --- normalize -------------------------------------------------------------------------------------
def test_sharegpt_roles():
    row = {"conversations": [{"from": "system", "value": "Be kind."}, {"from": "human", "value": " Hi "},
                             {"from": "gpt", "value": "Hello!"}], "score": 4.2}
    assert normalize(row) == [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"},
                              {"role": "assistant", "content": "Hello!"}]


def test_sharegpt_unknown_role_or_bad_value_is_malformed():
    bot = {"conversations": [{"from": "human", "value": "x"}, {"from": "bot", "value": "y"}]}
    assert normalize(bot) is None
    assert normalize({"conversations": [{"from": "human", "value": 3}]}, fmt="sharegpt") is None
    assert normalize({"conversations": "nope"}, fmt="sharegpt") is None
    assert normalize({"source": "flan"}) is None


def test_alpaca_chatdoctor_instruction_becomes_system():
    ins = "If you are a doctor, please answer the medical questions based on the patient's description."
    msgs = normalize({"instruction": ins, "input": "I cough.", "output": "Rest."})
    assert msgs == [{"role": "system", "content": ins}, {"role": "user", "content": "I cough."},
                    {"role": "assistant", "content": "Rest."}]


def test_alpaca_task_instruction_stays_in_the_user_turn():
    msgs = normalize({"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"})
    assert msgs == [{"role": "user", "content": "Translate to French.\n\nGood morning"},
                    {"role": "assistant", "content": "Bonjour"}]
    msgs = normalize({"instruction": "Name a color.", "input": "", "output": "Blue"}, fmt="alpaca")
    assert msgs[0] == {"role": "user", "content": "Name a color."}


def test_gsm8k_keeps_solution_strips_calc_and_writes_final_answer():
    msgs = normalize({"question": "Q?", "answer": "2 books cost 2*8 = $<<2*8=16>>16.\n#### 16"})
    assert msgs[1]["content"] == "2 books cost 2*8 = $16.\n**Final answer:** 16"
    assert "<<" not in gsm8k_solution("a <<1+1=2>>2\n#### 2") and "####" not in gsm8k_solution("#### 2")


def test_messages_format_and_system_prompt_replaces_row_system():
    row = {"messages": [{"role": "system", "content": "old"}, {"role": "user", "content": "u"},
                        {"role": "assistant", "content": "a"}]}
    msgs = normalize(row, system_prompt="new")
    assert msgs[0] == {"role": "system", "content": "new"}
    assert [m["role"] for m in msgs] == ["system", "user", "assistant"]
    assert normalize({"messages": [{"role": "robot", "content": "x"}]}) is None


def test_formats_registry_detects_each_schema():
    assert FORMATS == ("auto", "sharegpt", "messages", "preference", "gsm8k", "alpaca")
    assert detect_format({"conversations": []}) == "sharegpt"
    assert detect_format({"messages": [], "meta": {}}) == "messages"
    assert detect_format({"prompt": [], "chosen": [], "rejected": []}) == "preference"
    assert detect_format({"question": "q", "answer": "a"}) == "gsm8k"
    assert detect_format({"instruction": "i", "output": "o"}) == "alpaca"
    assert {f.kind for f in REGISTRY.values()} == {"sft", "preference"}
    with pytest.raises(ValueError, match="preference pairs"):
        normalize({"prompt": [], "chosen": [], "rejected": []}, fmt="preference")


def test_feedback_export_sft_rows_load_as_messages():
    """The app's feedback export writes {"messages": [...], "meta": {...}}: meta never reaches training."""
    convs, rep = clean(load_rows(str(FIXTURES / "feedback_sft.jsonl")), fmt="auto")
    assert rep.rows_in == 12 and rep.rows_out == 11 and rep.dropped["empty"] == 1  # a user turn with no reply
    assert all(set(m) == {"role", "content"} for c in convs for m in c)
    assert [m["role"] for m in convs[-1]] == ["user", "assistant", "user", "assistant"]


def test_gsm8k_target_ends_with_the_apps_final_answer_line():
    """prompts/step_by_step.yaml asks for the last line '**Final answer:** ...'; the targets end with it,
    and the GSM8K config's system prompt asks for the same line (one format from data to app)."""
    import yaml

    from training.config import load_config

    mode = yaml.safe_load((REPO / "prompts" / "step_by_step.yaml").read_text())
    assert f"The last line must be: {FINAL_ANSWER} followed by the answer." in mode["instructions"]
    assert gsm8k_solution("3*4 = <<3*4=12>>12\n#### 12").splitlines()[-1] == f"{FINAL_ANSWER} 12"
    cfg = load_config(REPO / "training/configs/smollm2/135m_lora_gsm8k.yaml", check_paths=False)
    assert FINAL_ANSWER in cfg.data.system_prompt and "####" not in cfg.data.system_prompt


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown data format"):
        normalize({"question": "q", "answer": "a"}, fmt="csv")


# --- cleaning rules --------------------------------------------------------------------------------
def test_clean_sharegpt_fixture_counts_each_rule():
    convs, rep = clean(load_rows(str(FIXTURES / "sharegpt.jsonl")), fmt="sharegpt", min_score=4.0)
    assert rep.rows_in == 10
    assert rep.dropped == dict(malformed=2, low_score=1, empty=1, echo=1, too_long=1, duplicate=1)
    assert rep.rows_out == len(convs) == 3
    multi = [c for c in convs if len(c) > 3]
    assert multi[0][0]["role"] == "system"
    # the trailing user turn without an answer was dropped, the answered part kept
    spider = [c for c in convs if "spider" in c[0]["content"]][0]
    assert [m["role"] for m in spider] == ["user", "assistant"]


def test_clean_without_min_score_keeps_low_score_rows():
    _, rep = clean(load_rows(str(FIXTURES / "sharegpt.jsonl")))
    assert rep.dropped["low_score"] == 0 and rep.rows_out == 4


def test_clean_chatdoctor_fixture():
    convs, rep = clean(load_rows(str(FIXTURES / "chatdoctor.json")), fmt="alpaca")
    assert rep.rows_in == 12
    assert rep.dropped == dict(malformed=1, low_score=0, empty=1, echo=1, too_long=1, duplicate=1)
    assert rep.rows_out == len(convs) == 7
    assert rep.fixed == {"chatdoctor": 4, "fake_turn": 1, "meta_note": 1}
    text = json.dumps(convs)
    assert not CHATDOCTOR_RE.search(text)
    assert "Patient:" not in text and "Note:" not in text
    _no_echo(convs)


def test_clean_gsm8k_fixture():
    convs, rep = clean(load_rows(str(FIXTURES / "gsm8k.jsonl")), fmt="auto")
    assert rep.dropped == dict(malformed=2, low_score=0, empty=1, echo=0, too_long=1, duplicate=1)
    assert rep.rows_out == 3
    assert all(c[-1]["content"].splitlines()[-1].startswith("**Final answer:** ") for c in convs)


def test_keep_chatdoctor_leaves_text_alone():
    convs, rep = clean(load_rows(str(FIXTURES / "chatdoctor.json")), strip_chatdoctor=False)
    assert rep.fixed == {} and CHATDOCTOR_RE.search(json.dumps(convs))


@pytest.mark.parametrize("before, after", [
    ("Hi, Thanks for asking ChatDoctor. Rest well.", "Hi, Thanks for your question. Rest well."),
    ("Hello, Welcome to Chat Doctor. I have read it.", "Hello, I have read it."),
    ("Hi, I am ChatDoctor, I read your query.", "Hi, I read your query."),
    ("Thank you for using ChatDoctor.", "Thank you for your question."),
    ("Thanks for your query on chatdoctor.com, take care.", "Thanks for your question, take care."),
    ("Take care.\nRegards, Dr. ChatDoctor", "Take care.\nRegards,"),
    ("ChatDoctor suggests rest.", "a doctor suggests rest."),
    ("Hi ChatDoctor, I have a rash.", "Hi doctor, I have a rash."),
])
def test_scrub_chatdoctor_phrasings(before, after):
    assert scrub_chatdoctor(before) == after


def test_fake_patient_turn_is_cut():
    assert cut_fake_turn("We need an X-ray.Patient: Okay, doctor.") == "We need an X-ray."
    assert cut_fake_turn("Patient education matters.") == "Patient education matters."


def test_is_echo():
    user = "Doctor, I have been feeling dizzy when I stand up quickly."
    assert is_echo(user, user + " It is likely orthostatic hypotension.")
    assert is_echo(user, "doctor i have been feeling dizzy when i stand up quickly... Drink water.")
    assert is_echo(user, "Hello. " + user + " That is orthostatic hypotension.")  # a word of greeting first
    assert not is_echo(user, "That sounds like orthostatic hypotension.")
    assert not is_echo("Hi", "Hi! How can I help?")  # too short to call it an echo


# fixtures/gsm8k_restating.jsonl: 7 real GSM8K rows (train.jsonl lines 155, 621, 968, 1174, 1356,
# 2705, 6886; MIT) whose worked solutions restate the problem before computing. The old rule
# (the first 80 characters) dropped the first five of them, all within the 2,000 rows a config uses.
RESTATING = [json.loads(line) for line in (FIXTURES / "gsm8k_restating.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("row", RESTATING, ids=[r["question"].split()[0] for r in RESTATING])
def test_a_solution_that_restates_the_problem_is_not_an_echo(row):
    question, answer = row["question"], row["answer"]
    convs, rep = clean([row], fmt="gsm8k")
    assert rep.dropped["echo"] == 0 and len(convs) == 1
    # the same row whose "solution" repeats the whole question first IS an echo
    echoed = {"question": question, "answer": question + "\n" + answer}
    convs, rep = clean([echoed], fmt="gsm8k")
    assert rep.dropped["echo"] == 1 and convs == []


def test_report_format_names_every_rule():
    rep = CleanReport(rows_in=3, rows_out=1, dropped={"empty": 1, "echo": 1}, fixed={"chatdoctor": 2})
    text = rep.format()
    assert "empty" in text and "echo" in text and "chatdoctor" in text and "rows out" in text
    assert rep.to_dict()["dropped"] == {"empty": 1, "echo": 1}


# --- split and fingerprint -------------------------------------------------------------------------
def _convs(n):
    return [[{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]
            for i in range(n)]


def test_split_is_seeded_deterministic_and_disjoint():
    convs = _convs(100)
    tr, va = split(convs, val_fraction=0.1, seed=1)
    assert len(va) == 10 and len(tr) == 90
    assert (tr, va) == split(convs, val_fraction=0.1, seed=1)
    assert va != split(convs, val_fraction=0.1, seed=2)[1]
    assert {fingerprint([c]) for c in tr}.isdisjoint({fingerprint([c]) for c in va})


def test_split_small_keeps_one_val_row():
    tr, va = split(_convs(5), val_fraction=0.05, seed=0)
    assert len(va) == 1 and len(tr) == 4
    assert split(_convs(5), val_fraction=0.0, seed=0)[1] == []


def test_fingerprint_is_stable_and_content_sensitive():
    a = _convs(3)
    assert fingerprint(a) == fingerprint(json.loads(json.dumps(a)))
    reordered = [[{"content": "q0", "role": "user"}, {"content": "a0", "role": "assistant"}]]
    assert fingerprint(reordered) == fingerprint(a[:1])
    b = json.loads(json.dumps(a))
    b[1][1]["content"] += "!"
    assert fingerprint(a) != fingerprint(b)
    assert len(fingerprint(a)) == 64


# --- the real data beside the repo -----------------------------------------------------------------
@pytest.mark.skipif(not (SHARED / "chatdoctor" / "chatdoctor5k_train.json").is_file(),
                    reason="../shared/data missing")
def test_real_chatdoctor_is_clean():
    convs, rep = clean(load_rows(str(SHARED / "chatdoctor" / "chatdoctor5k_train.json")), fmt="alpaca")
    assert rep.rows_in == 4952 and rep.rows_out > 4800
    text = json.dumps(convs)
    assert not CHATDOCTOR_RE.search(text)
    assert not any("Patient:" in c[-1]["content"] for c in convs)
    _no_echo(convs)


@pytest.mark.skipif(not (SHARED / "gsm8k" / "train.jsonl").is_file(), reason="../shared/data missing")
def test_real_gsm8k_is_clean():
    convs, rep = clean(load_rows(str(SHARED / "gsm8k" / "train.jsonl")), fmt="gsm8k")
    assert rep.rows_in == 7473 and rep.rows_out > 7400
    assert not CHATDOCTOR_RE.search(json.dumps(convs))
    assert all("<<" not in c[-1]["content"] and "####" not in c[-1]["content"] for c in convs)
    assert all(c[-1]["content"].splitlines()[-1].startswith("**Final answer:** ") for c in convs)
    assert rep.dropped["echo"] == 0  # worked solutions that restate the problem are kept (test_is_echo)
    _no_echo(convs)
