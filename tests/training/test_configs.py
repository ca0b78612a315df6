"""Every run config loads and validates; bad configs fail naming the file and the key.

No torch here: configs are data, checked without the training dependencies.
"""

from __future__ import annotations

import pytest
import yaml

from training.config import (
    CHAT_TEMPLATES_DIR,
    CONFIGS_DIR,
    REPO_ROOT,
    TrainConfigError,
    all_config_files,
    config_from_dict,
    is_local_source,
    load_config,
)

CONFIGS = all_config_files()
REQUIRED = [
    "llama3_2/1b_lora_finetome_lr2e-4.yaml",
    "llama3_2/1b_lora_finetome_lowlr.yaml",
    "llama3_2/1b_lora_finetome_5k.yaml",
    "llama3_2/1b_lora_finetome_10k.yaml",
    "phi3_5/mini_lora_finetome.yaml",
    "llama3_2/1b_lora_chatdoctor.yaml",
    "smollm2/135m_lora_gsm8k.yaml",
    "smollm2/135m_lora_chatdoctor.yaml",
    "smollm2/135m_lora_tiny.yaml",
]


def test_the_seed_runs_and_the_offline_runs_have_configs():
    have = {p.relative_to(CONFIGS_DIR).as_posix() for p in CONFIGS}
    assert set(REQUIRED) <= have


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.relative_to(CONFIGS_DIR).as_posix())
def test_config_loads_and_names_valid_things(path):
    cfg = load_config(path)
    text = path.read_text()
    rel = path.relative_to(REPO_ROOT).as_posix()
    # header: what it is and the exact launch command
    assert text.startswith("#") and f"python -m training.sft --config {rel}" in text
    assert cfg.run_name and cfg.output_dir == f"runs/{cfg.run_name}"
    assert (CHAT_TEMPLATES_DIR / f"{cfg.model.chat_template}.jinja").is_file()
    if cfg.data_is_local:
        # local data sits beside the repo (../shared/data) or in the repo's fixtures; where that folder
        # exists (a developer's machine, CI's clone), the file must too
        if cfg.data_path.parent.parent.is_dir():
            assert cfg.data_path.is_file(), cfg.data_path
    else:
        assert "/" in cfg.data.source  # a Hub dataset id (not fetched here)
    if cfg.model.name.startswith("embedded:"):
        assert cfg.model.chat_template == "chatml"  # SmolLM2's own template


def test_one_setting_at_a_time_between_compared_runs():
    """The seed changed lr and data size together; here each pair differs in what it studies only."""

    def body(name):
        d = load_config(CONFIGS_DIR / "llama3_2" / name).to_dict()
        d.pop("run_name"), d.pop("output_dir")
        return d

    def diff(a, b):
        a, b = body(a), body(b)
        return {(s, k) for s in a if isinstance(a[s], dict) for k in a[s] if a[s][k] != b[s][k]}

    assert diff("1b_lora_finetome_lr2e-4.yaml", "1b_lora_finetome_lowlr.yaml") == {
        ("train", "learning_rate"),
        ("train", "warmup_steps"),
    }
    assert diff("1b_lora_finetome_5k.yaml", "1b_lora_finetome_10k.yaml") == {("data", "max_rows")}
    assert diff("1b_lora_finetome_lowlr.yaml", "1b_lora_finetome_5k.yaml") == set()


GOOD = {
    "run_name": "x",
    "model": {"name": "embedded:smollm2"},
    "data": {"source": "data/x.jsonl"},
    "train": {"max_steps": 3},
    "output_dir": "runs/x",
}


def _with(path, value):
    raw = yaml.safe_load(yaml.safe_dump(GOOD))
    node = raw
    *parents, last = path.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value
    return raw


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("data.bogus", 1, "unknown key"),
        ("colour", "red", "unknown key"),
        ("train.learning_rate", "fast", "expected a number"),
        ("train.max_steps", 2.5, "expected an integer"),
        ("lora.target_modules", "q_proj", "expected a list"),
        ("model.chat_template", "alpaca", "not one of"),
        ("model.dtype", "fp8", "not one of"),
        ("model.name", "embedded:gpt5", "not one of"),
        ("model.name", "not a model", "neither"),
        ("data.format", "csv", "not one of"),
        ("data.source", "data/x.csv", "local data must end in"),
        ("data.val_fraction", 0.9, "between 0 and 0.5"),
        ("train.backend", "jax", "not one of"),
        ("train.epochs", 1, "exactly one of"),
        ("train.save_steps", 0, "at least 1"),
        ("run_name", "has space", "letters, digits"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path, key, value, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_with(key, value)))
    with pytest.raises(TrainConfigError) as e:
        load_config(path)
    assert str(path) in str(e.value) and message in str(e.value)
    assert e.value.path == str(path)
    assert e.value.key in (key, "train.max_steps")  # epochs+max_steps is reported on max_steps


def test_missing_required_key(tmp_path):
    raw = yaml.safe_load(yaml.safe_dump(GOOD))
    del raw["data"]["source"]
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(TrainConfigError, match="data.source: missing required key"):
        load_config(path)


def test_overrides_and_yaml_numbers(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(_with("train.learning_rate", "2e-4")))  # YAML reads 2e-4 as a string
    cfg = load_config(path, ["train.max_steps=7", "lora.target_modules=[q_proj]", "data.max_rows=null"])
    assert (
        cfg.train.learning_rate == 2e-4 and cfg.train.max_steps == 7 and cfg.lora.target_modules == ["q_proj"]
    )
    assert cfg.output_path == REPO_ROOT / "runs" / "x"
    with pytest.raises(TrainConfigError, match="key=value"):
        load_config(path, ["train.max_steps"])


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(TrainConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("run_name: [unclosed\n")
    with pytest.raises(TrainConfigError, match="not valid YAML"):
        load_config(bad)


def test_source_kinds():
    assert is_local_source("../shared/data/gsm8k/train.jsonl") and is_local_source("x.parquet")
    assert not is_local_source("mlabonne/FineTome-100k")
    cfg = config_from_dict(GOOD)
    assert cfg.data_is_local and cfg.train.per_device_batch_size == 4
