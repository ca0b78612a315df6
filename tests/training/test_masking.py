"""training/masking.py: loss only on assistant replies, for EVERY chat template the configs use.

The tokenizer is SmolLM2's, read from the embedded GGUF (offline, a few seconds, once per
session). Each stored template is applied to it; the llama3/phi3 special tokens that SmolLM2's
vocab lacks are added as special tokens so each is one token, as in the real tokenizers.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from training.clean import clean, is_echo
from training.data import prepare
from training.sources import load_rows
from training.masking import (
    END_OF_TURN,
    IGNORE_INDEX,
    SPECIAL_TOKENS,
    TEMPLATE_NAMES,
    assistant_spans,
    load_chat_template,
    tokenize_conversation,
    trained_text,
)

pytestmark = pytest.mark.training

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared" / "data"
CONFIG_TEMPLATES = sorted({yaml.safe_load(p.read_text())["model"]["chat_template"]
                           for p in (REPO / "training" / "configs").rglob("*.yaml")})

CONVERSATIONS = {
    "single": [{"role": "system", "content": "You are a patient math tutor."},
               {"role": "user", "content": "What is 2+2?"},
               {"role": "assistant", "content": "2 + 2 = 4.\n**Final answer:** 4"}],
    "multi": [{"role": "system", "content": "Be brief."},
              {"role": "user", "content": "Name a prime."},
              {"role": "assistant", "content": "7 is prime."},
              {"role": "user", "content": "Another one, please."},
              {"role": "assistant", "content": "Sure: 11.\n\nIt has no divisors but 1 and 11."}],
    "no_system": [{"role": "user", "content": "Say hi in French."},
                  {"role": "assistant", "content": "Bonjour !"}],
}


@pytest.fixture(scope="session")
def tokenizers(smol_tokenizer):
    """template name -> a copy of SmolLM2's tokenizer with that template and its special tokens."""
    out = {}
    for name in TEMPLATE_NAMES:
        tok = copy.deepcopy(smol_tokenizer)
        tok.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[name]})
        if name == "llama3":
            tok.bos_token = "<|begin_of_text|>"
        if name == "phi3":
            tok.eos_token = "<|endoftext|>"
        tok.chat_template = load_chat_template(name)
        out[name] = tok
    return out


def test_configs_use_only_stored_templates():
    assert CONFIG_TEMPLATES, "no run configs found"
    assert set(CONFIG_TEMPLATES) <= set(TEMPLATE_NAMES)


def test_stored_chatml_is_smollm2s_own_template(smol_tokenizer):
    """transformers reads the GGUF metadata key tokenizer.chat_template into the tokenizer."""
    assert load_chat_template("chatml") == smol_tokenizer.chat_template


def test_unknown_template_name():
    with pytest.raises(ValueError, match="unknown chat template"):
        load_chat_template("vicuna")


def test_llama3_and_phi3_render_like_the_originals(tokenizers):
    msgs = CONVERSATIONS["single"]
    text = tokenizers["llama3"].apply_chat_template(msgs[:2], tokenize=False, add_generation_prompt=True,
                                                    date_string="26 Jul 2024")
    assert text == ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                    "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
                    "You are a patient math tutor.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                    "What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    text = tokenizers["phi3"].apply_chat_template(msgs, tokenize=False)
    assert text == ("<|system|>\nYou are a patient math tutor.<|end|>\n<|user|>\nWhat is 2+2?<|end|>\n"
                    "<|assistant|>\n2 + 2 = 4.\n**Final answer:** 4<|end|>\n<|endoftext|>")


@pytest.mark.parametrize("conv", sorted(CONVERSATIONS))
@pytest.mark.parametrize("name", CONFIG_TEMPLATES)
def test_only_assistant_replies_and_their_end_of_turn_are_trained(tokenizers, name, conv):
    tok, msgs = tokenizers[name], CONVERSATIONS[conv]
    ex = tokenize_conversation(msgs, tok, max_seq_len=4096)
    ids, labels = ex["input_ids"], ex["labels"]
    assert len(ids) == len(labels) == len(ex["attention_mask"])
    assert all(lab in (IGNORE_INDEX, i) for i, lab in zip(ids, labels))
    eot = END_OF_TURN[name]
    eot_id = tok.convert_tokens_to_ids(eot)
    replies = [m["content"] for m in msgs if m["role"] == "assistant"]
    # each trained run is exactly one reply + its end-of-turn marker: nothing more, nothing less
    assert trained_text(ex, tok) == [r + eot for r in replies]
    # the end-of-turn token (one token) closes every run and is trained
    runs_end = [j for j in range(len(ids)) if labels[j] != IGNORE_INDEX
                and (j + 1 == len(ids) or labels[j + 1] == IGNORE_INDEX)]
    assert [ids[j] for j in runs_end] == [eot_id] * len(replies)
    # every token of system/user text and of the template is masked
    text, spans = assistant_spans(msgs, tok, tok.chat_template)
    offsets = tok(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    for j, (s, e) in enumerate(offsets):
        inside = any(a <= s and e <= b for a, b in spans)
        if not inside:
            assert labels[j] == IGNORE_INDEX, (name, text[s:e])
    user_ids = {tuple(tok(m["content"], add_special_tokens=False)["input_ids"])
                for m in msgs if m["role"] != "assistant"}
    trained = [i for i, lab in zip(ids, labels) if lab != IGNORE_INDEX]
    for u in user_ids:  # no user/system message appears inside the targets
        assert not any(tuple(trained[k:k + len(u)]) == u for k in range(len(trained) - len(u) + 1))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_trained_tokens_are_the_reply_tokens(tokenizers, name):
    """The targets are the same ids the model would generate after the generation prompt."""
    tok, msgs = tokenizers[name], CONVERSATIONS["single"]
    ex = tokenize_conversation(msgs, tok, max_seq_len=4096)
    trained = [i for i in ex["labels"] if i != IGNORE_INDEX]
    expected = tok(msgs[-1]["content"] + END_OF_TURN[name], add_special_tokens=False)["input_ids"]
    assert trained == expected


def test_truncation_to_max_seq_len(tokenizers):
    ex = tokenize_conversation(CONVERSATIONS["multi"], tokenizers["chatml"], max_seq_len=20)
    assert len(ex["input_ids"]) == len(ex["labels"]) == len(ex["attention_mask"]) == 20


def test_template_by_name_overrides_the_tokenizers(tokenizers):
    a = tokenize_conversation(CONVERSATIONS["single"], tokenizers["phi3"], 4096, chat_template="phi3")
    b = tokenize_conversation(CONVERSATIONS["single"], tokenizers["phi3"], 4096)
    assert a == b


def test_assistant_first_is_rejected(tokenizers):
    with pytest.raises(ValueError, match="user message before it"):
        tokenize_conversation([{"role": "assistant", "content": "hi"}], tokenizers["chatml"], 64)


@pytest.mark.parametrize("name", CONFIG_TEMPLATES)
@pytest.mark.parametrize("fixture, fmt", [("chatdoctor.json", "alpaca"), ("sharegpt.jsonl", "sharegpt"),
                                           ("gsm8k.jsonl", "gsm8k")])
def test_prepare_fixtures(tokenizers, name, fixture, fmt):
    tok = tokenizers[name]
    prep = prepare(source=str(FIXTURES / fixture), fmt=fmt, val_fraction=0.25, seed=3, max_seq_len=256,
                   tokenizer=tok)
    assert prep.train and prep.val
    assert len(prep.train) == len(prep.train_convs) and len(prep.val) == len(prep.val_convs)
    assert prep.report.rows_out == len(prep.train) + len(prep.val)
    for ex, conv in zip(prep.train + prep.val, prep.train_convs + prep.val_convs):
        assert len(ex["input_ids"]) <= 256 and set(ex) == {"input_ids", "attention_mask", "labels"}
        replies = [m["content"] for m in conv if m["role"] == "assistant"]
        assert trained_text(ex, tok) == [r + END_OF_TURN[name] for r in replies]
        for prev, m in zip(conv, conv[1:]):  # no target starts by repeating the user's message
            if prev["role"] == "user" and m["role"] == "assistant":
                assert not is_echo(prev["content"], m["content"])
    again = prepare(source=str(FIXTURES / fixture), fmt=fmt, val_fraction=0.25, seed=3, max_seq_len=256,
                    tokenizer=tok)
    assert again.fingerprint == prep.fingerprint and again.train == prep.train


def test_prepare_drops_conversations_longer_than_max_seq_len(tokenizers):
    prep = prepare(source=str(FIXTURES / "gsm8k.jsonl"), fmt="gsm8k", val_fraction=0.0, max_seq_len=40,
                   tokenizer=tokenizers["chatml"])
    assert prep.report.dropped["too_long_tokens"] >= 1
    assert all(len(ex["input_ids"]) <= 40 for ex in prep.train)


def test_prepare_data_cli(tmp_path, capsys, monkeypatch, tokenizers):
    from training import prepare_data

    # the session's tokenizer instead of reading the GGUF again (that path is base_model's)
    monkeypatch.setattr(prepare_data, "load_tokenizer", lambda model, template: tokenizers["chatml"])
    monkeypatch.setenv("TUTOR_DATA_CACHE", str(tmp_path / "data-cache"))

    out = tmp_path / "prep"
    argv = ["--source", str(FIXTURES / "chatdoctor.json"), "--format", "alpaca", "--max-seq-len", "256",
            "--val-fraction", "0.2", "--out", str(out)]
    result = prepare_data.run(argv)
    printed = capsys.readouterr().out
    assert "duplicate" in printed and "echo" in printed and "rows out" in printed
    folder = Path(result["folder"])
    assert folder.parent == tmp_path / "data-cache" and folder.name.startswith("chatdoctor-")
    for where in (folder, out):  # the shared folder, and the --out copy
        report = json.loads((where / "report.json").read_text())
        assert report["report"]["dropped"]["echo"] == 1 and report["fingerprint"] == result["fingerprint"]
        rows = [json.loads(line) for line in (where / "train.jsonl").read_text().splitlines()]
        assert len(rows) == report["train_rows"] and rows[0]["messages"][0]["role"] == "system"
        written = (where / "train.jsonl").read_text() + (where / "val.jsonl").read_text()
        assert not re.search(r"chat\s?doctor", written, re.I)
        assert report["tokens"]["trained"] > 0 and len(report["key"]) == 64
    # the same settings again: the folder is reused, not rebuilt
    again = prepare_data.run(argv[:-2])
    assert f"data: reusing {folder} (written by training.prepare_data" in capsys.readouterr().out
    assert again["fingerprint"] == result["fingerprint"]


@pytest.mark.skipif(not (SHARED / "chatdoctor").is_dir(), reason="../shared/data missing")
def test_real_chatdoctor_masked_with_chatml(tokenizers):
    """A sample of the real medical data: targets are the doctor's answers only."""
    tok = tokenizers["chatml"]
    rows = load_rows(str(SHARED / "chatdoctor" / "chatdoctor5k_train.json"), max_rows=200)
    convs, _ = clean(rows, fmt="alpaca")
    for conv in convs:
        ex = tokenize_conversation(conv, tok, max_seq_len=4096)
        run = trained_text(ex, tok)
        assert run == [conv[-1]["content"] + "<|im_end|>"]
        assert not is_echo(conv[1]["content"], run[0])


def test_prepare_data_cli_from_config(tmp_path, monkeypatch, tokenizers):
    """The CI config's data section (the tiny fixture) prepares without losing rows, with its own settings."""
    import yaml

    from training import prepare_data

    monkeypatch.setattr(prepare_data, "load_tokenizer", lambda model, template: tokenizers[template])
    monkeypatch.setenv("TUTOR_DATA_CACHE", str(tmp_path / "data-cache"))
    config = REPO / "training" / "configs" / "smollm2" / "135m_lora_tiny.yaml"
    cfg = yaml.safe_load(config.read_text())
    result = prepare_data.run(["--config", str(config)])
    assert result["settings"]["max_seq_len"] == cfg["model"]["max_seq_len"]
    assert result["settings"]["chat_template"] == cfg["model"]["chat_template"] == "chatml"
    rows = result["train_rows"] + result["val_rows"]
    assert rows == cfg["data"]["max_rows"]  # nothing dropped from the clean fixture
    assert result["val_rows"] >= 1 and result["train_rows"] > result["val_rows"]
    assert result["report"]["dropped"]["too_long_tokens"] == 0
    assert Path(result["folder"]).parent == tmp_path / "data-cache"


def test_prepared_folder_is_keyed_by_every_setting_and_the_sources_content(tmp_path, monkeypatch, tokenizers):
    """sft reuses prepare_data's folder only for the same settings and the same file content."""
    from training.data import DataSettings, prepare_cached

    monkeypatch.setenv("TUTOR_DATA_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "rows.jsonl"
    src.write_text((FIXTURES / "gsm8k_tiny.jsonl").read_text())
    s = DataSettings(source=str(src), format="gsm8k", val_fraction=0.2, max_seq_len=256)
    first, note = prepare_cached(s, tokenizers["chatml"], written_by="training.prepare_data")
    assert note.startswith("data: prepared from") and s.folder().is_dir()
    second, note = prepare_cached(s, tokenizers["chatml"])
    assert note.startswith("data: reusing") and "written by training.prepare_data" in note
    assert second.train == first.train and second.fingerprint == first.fingerprint
    assert DataSettings(**{**vars(s), "seed": 7}).key() != s.key()
    assert DataSettings(**{**vars(s), "max_seq_len": 128}).key() != s.key()
    key = s.key()
    src.write_text(src.read_text().replace("apples", "pears"))  # same path, new content: a new key
    assert s.key() != key
    # a prepared folder edited by hand (fingerprint mismatch) is not trusted
    s2 = DataSettings(source=str(FIXTURES / "gsm8k_tiny.jsonl"), format="gsm8k", val_fraction=0.2)
    prepare_cached(s2, tokenizers["chatml"])
    train = s2.folder() / "train.jsonl"
    train.write_text(train.read_text().replace("apples", "APPLES"))
    _, note = prepare_cached(s2, tokenizers["chatml"])
    assert note.startswith("data: prepared from")
