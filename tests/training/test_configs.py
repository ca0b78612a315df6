"""Every run config loads and validates; bad configs fail naming the file, the key and the value.

No torch here: configs are data, checked without the training dependencies. Every command
reports a bad config the same way ("error: file: key: what (you wrote X)", exit 2), and a
value given with --set is reported against the command line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from training.config import all_config_files, config_from_dict, is_local_source, load_config
from training.errors import TrainConfigError
from training.paths import CHAT_TEMPLATES_DIR, CONFIGS_DIR, REPO_ROOT

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
    "smollm2/135m_dpo_tiny.yaml",
    "smollm2/135m_dpo_hints.yaml",
]


def test_the_seed_runs_and_the_offline_runs_have_configs():
    have = {p.relative_to(CONFIGS_DIR).as_posix() for p in CONFIGS}
    assert set(REQUIRED) <= have


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.relative_to(CONFIGS_DIR).as_posix())
def test_config_loads_and_names_valid_things(path):
    cfg = load_config(path, check_paths=False)
    text = path.read_text()
    rel = path.relative_to(REPO_ROOT).as_posix()
    # header: what it is and the exact launch command
    assert text.startswith("#") and f"python -m training.{cfg.method} --config {rel}" in text
    assert cfg.run_name and cfg.output_dir == f"runs/{cfg.run_name}"
    assert (CHAT_TEMPLATES_DIR / f"{cfg.model.chat_template}.jinja").is_file()
    if cfg.data_is_local:
        # local data sits beside the repo (../shared/data) or in the repo's fixtures; where that folder
        # exists (a developer's machine, CI's clone), the file must too
        if cfg.data_path.parent.parent.is_dir() and not cfg.data.source.startswith("runs/"):
            assert cfg.data_path.is_file(), cfg.data_path
            if not cfg.model.name.startswith("run:"):
                load_config(path)  # every path checks out
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
    "data": {"source": "tests/training/fixtures/gsm8k_tiny.jsonl"},
    "train": {"max_steps": 3},
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
        ("model.chat_template", "alpaca", "must be one of chatml, llama3, phi3"),
        ("model.dtype", "fp8", "must be one of"),
        ("model.name", "embedded:gpt5", "must be one of smollm2"),
        ("model.name", "not a model", "neither"),
        ("data.format", "csv", "must be one of"),
        ("data.format", "preference", "method sft trains on"),
        ("data.source", "data/x.csv", "local data must end in"),
        ("data.val_fraction", 0.9, "between 0 and 0.5"),
        ("train.backend", "jax", "must be one of"),
        ("train.epochs", 1, "exactly one of"),
        ("train.save_steps", 0, "at least 1"),
        ("run_name", "has space", "letters, digits"),
        ("method", "ppo", "must be one of sft, dpo"),
        ("dpo.beta", 0.1, "needs method: dpo"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path, key, value, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_with(key, value)))
    with pytest.raises(TrainConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}: {e.value.key}: ") and message in str(e.value)
    assert e.value.path == str(path)
    assert e.value.key in (key, "train.max_steps", "dpo")  # epochs+max_steps is reported on max_steps
    if "unknown key" not in message and key != "dpo.beta":
        assert "(you wrote " in str(e.value)  # the value as written, so the fix is obvious


def test_an_unknown_key_suggests_the_known_one(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(_with("train.max_stepz", 5)))
    with pytest.raises(TrainConfigError, match=r"train.max_stepz: unknown key; did you mean train.max_steps\?"):
        load_config(path)


def test_a_set_error_is_reported_against_the_command_line_not_the_file(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(GOOD))
    with pytest.raises(TrainConfigError) as e:
        load_config(path, ["train.max_stepz=5"])
    assert e.value.path == "--set train.max_stepz=5" and str(path) not in str(e.value)
    assert "did you mean train.max_steps?" in str(e.value)
    with pytest.raises(TrainConfigError) as e:
        load_config(path, ["data.val_fraction=0.7"])
    assert str(e.value).startswith("--set data.val_fraction=0.7: data.val_fraction: must be between")
    assert "(you wrote 0.7)" in str(e.value)
    with pytest.raises(TrainConfigError) as e:  # the file's own mistakes still name the file
        load_config(_write(tmp_path, _with("train.warmup_steps", -1)), ["train.max_steps=4"])
    assert e.value.path.endswith(".yaml") and e.value.key == "train.warmup_steps"


def _write(tmp_path, raw, name="c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return path


def test_paths_are_checked_at_load_and_shown_as_written(tmp_path):
    missing = "../shared/data/gsm8k/trian.jsonl"
    path = _write(tmp_path, _with("data.source", missing))
    with pytest.raises(TrainConfigError) as e:
        load_config(path)
    text = str(e.value)
    assert text.startswith(f"{path}: data.source: no such file ") and f"(you wrote {missing!r})" in text
    written = Path(REPO_ROOT.parent / "shared/data/gsm8k/trian.jsonl")  # lexical: no symlink resolved
    assert str(written) in text and "repository root" in e.value.hint
    assert load_config(path, check_paths=False).data.source == missing  # structure alone is fine

    with pytest.raises(TrainConfigError, match=r"model.name: .* is not a Hugging Face model folder"):
        load_config(_write(tmp_path, _with("model.name", str(tmp_path))))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(TrainConfigError, match=r"output_dir: .*afile exists and is not a folder"):
        load_config(_write(tmp_path, _with("output_dir", str(tmp_path / "afile"))))
    with pytest.raises(TrainConfigError, match=r"output_dir: cannot create .*afile is not a writable folder"):
        load_config(_write(tmp_path, _with("output_dir", str(tmp_path / "afile" / "run"))))


def test_output_dir_follows_run_name(tmp_path):
    path = _write(tmp_path, GOOD)
    assert load_config(path).output_dir == "runs/x"
    assert load_config(path, ["run_name=lr-test"]).output_path == REPO_ROOT / "runs" / "lr-test"
    assert load_config(path, ["output_dir=/tmp/elsewhere"]).output_dir == "/tmp/elsewhere"


def test_run_model_names_a_previous_runs_adapter(tmp_path):
    run = tmp_path / "runs" / "sft"
    raw = _with("model.name", f"run:{run}")
    with pytest.raises(TrainConfigError, match=r"model.name: no run folder .*\(you wrote 'run:"):
        load_config(_write(tmp_path, raw))
    run.mkdir(parents=True)
    with pytest.raises(TrainConfigError, match="has no adapter/ nor export/merged/"):
        load_config(_write(tmp_path, raw))
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    with pytest.raises(TrainConfigError, match="no config.yaml naming its base"):
        load_config(_write(tmp_path, raw))
    (run / "config.yaml").write_text(yaml.safe_dump(GOOD))
    assert load_config(_write(tmp_path, raw)).model.name == f"run:{run}"
    with pytest.raises(TrainConfigError, match="run: needs a run folder"):
        load_config(_write(tmp_path, _with("model.name", "run:")))


def test_a_dpo_config_needs_preference_data():
    dpo = load_config(CONFIGS_DIR / "smollm2" / "135m_dpo_tiny.yaml")
    assert dpo.method == "dpo" and dpo.dpo.beta == 0.1 and dpo.data.format == "preference"
    raw = dpo.to_dict()
    raw["data"]["format"] = "gsm8k"
    with pytest.raises(TrainConfigError, match=r"data.format: method dpo trains on auto or preference data"):
        config_from_dict(raw)
    raw["data"]["format"], raw["train"]["backend"] = "preference", "unsloth"
    with pytest.raises(TrainConfigError, match="train.backend: training.dpo runs on the hf backend"):
        config_from_dict(raw)
    hints = load_config(CONFIGS_DIR / "smollm2" / "135m_dpo_hints.yaml", check_paths=False)
    sft = load_config(CONFIGS_DIR / "smollm2" / "135m_tutor_size_m.yaml", check_paths=False)
    assert hints.model.name == f"run:{sft.output_dir}"  # DPO on top of the tutor SFT run of size M
    raw = hints.to_dict()
    raw["data"]["train_on"] = "all"
    with pytest.raises(TrainConfigError, match="data.train_on: DPO scores the replies only"):
        config_from_dict(raw)


COMMANDS = ["training.sft", "training.dpo", "training.prepare_data", "training.repro"]


@pytest.mark.parametrize("module", COMMANDS)
def test_every_command_reports_a_config_error_the_same_way(module, tmp_path, capsys):
    """One "error: file: key: what (you wrote X)" line and exit 2, from each command, no traceback."""
    import importlib

    mod = importlib.import_module(module)
    bad = _write(tmp_path, _with("data.source", "tests/training/fixtures/nope.jsonl"))
    assert mod.main(["--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: data.source: no such file ")
    assert "(you wrote 'tests/training/fixtures/nope.jsonl')" in err and "Traceback" not in err
    assert mod.main(["--config", str(_write(tmp_path, GOOD)), "--set", "train.max_stepz=2"]) == 2
    assert capsys.readouterr().err.startswith("error: --set train.max_stepz=2: train.max_stepz: unknown key")


def test_a_missing_data_file_stops_sft_before_torch_is_imported(tmp_path):
    bad = _write(tmp_path, _with("data.source", "../shared/data/gsm8k/trian.jsonl"))
    code = (
        "import sys, training.sft as s; rc = s.main(['--config', sys.argv[1]]); "
        "print('torch imported' if 'torch' in sys.modules else 'no torch'); sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(bad)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout.strip() == "no torch"
    assert proc.stderr.startswith(f"error: {bad}: data.source: no such file ")
    assert "  hint: relative paths are read from the repository root" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 2


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
    with pytest.raises(TrainConfigError, match="--set train.max_steps: train.max_steps: .*key=value"):
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
