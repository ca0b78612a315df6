"""Issue 11's experiments: each pair of configs differs in ONE setting; the driver runs, skips,
records, packs; unpack puts the adapters back so that the export steps find them.

The driver's own logic is tested with a fake runner (no training); the slow test runs the whole
plan with ``--tiny`` on the tiny test model and a small data set built from ../shared/data.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from training import experiments, unpack
from training.config import load_config
from training.compare import flatten
from training.errors import TrainConfigError, TrainingError
from training.paths import CONFIGS_DIR, REPO_ROOT, RUNS_DIR

PLAN = experiments.load_plan(experiments.DEFAULT_PLAN)
SMOL = CONFIGS_DIR / "smollm2"


def settings(path) -> dict:
    d = flatten(load_config(REPO_ROOT / path, check_paths=False).to_dict())
    return {k: v for k, v in d.items() if k not in ("run_name", "output_dir")}


def diff(a, b) -> set[str]:
    a, b = settings(a), settings(b)
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


@pytest.mark.parametrize("name", ["lr", "size", "masking"])
def test_each_pair_differs_in_exactly_the_setting_it_studies(name):
    exp = next(e for e in PLAN.experiments if e.name == name)
    assert len(exp.runs) >= 2
    for a in exp.runs:
        for b in exp.runs:
            if a != b:
                assert diff(a, b) == {exp.setting}, (a, b)


def test_dpo_starts_from_the_sft_run_it_is_compared_with():
    exp = next(e for e in PLAN.experiments if e.name == "dpo")
    sft, dpo = (load_config(REPO_ROOT / c, check_paths=False) for c in exp.runs)
    assert (sft.method, dpo.method) == ("sft", "dpo")
    assert dpo.model.name == f"run:{sft.output_dir}"
    assert dpo.data.source == "runs/_data/tutor/hint_pairs.jsonl" and dpo.data.format == "preference"
    assert dpo.lora == sft.lora and dpo.model.max_seq_len == sft.model.max_seq_len


def test_the_recipe_the_issue_asks_for():
    plan_configs = {p.name for p in SMOL.glob("135m_*.yaml")} & {c.split("/")[-1] for c in PLAN.configs()}
    assert len(plan_configs) == len(PLAN.configs()) == 8
    for config in PLAN.configs():
        cfg = load_config(REPO_ROOT / config, check_paths=False)
        assert cfg.lora.r == 16 and cfg.lora.alpha == 32
        assert set(cfg.lora.target_modules) == {
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        }
        assert cfg.model.max_seq_len == 768 and cfg.model.dtype == "auto" and cfg.train.grad_accum == 1
        assert cfg.data.source.startswith("runs/_data/") and cfg.train.warmup_ratio == 0.1
        assert cfg.train.per_device_batch_size >= (16 if cfg.method == "dpo" else 32)
    lr = {load_config(REPO_ROOT / c, check_paths=False).train.learning_rate for c in PLAN.experiments[0].runs}
    assert lr == {2e-4, 5e-5}
    rows = [load_config(SMOL / f"135m_tutor_size_{s}.yaml", check_paths=False).data.max_rows for s in "sml"]
    assert rows == [1000, 4000, 8000]
    assert settings("training/configs/smollm2/135m_tutor_lr5e-5.yaml")["data.max_rows"] == 4000


def test_a_bad_plan_is_reported_with_its_file_and_key(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"experiments": {"x": {"runs": ["training/configs/nope.yaml"]}}}))
    with pytest.raises(TrainConfigError, match=r"plan.yaml: experiments.x.runs\[0\]: no such config file"):
        experiments.load_plan(plan)
    plan.write_text(yaml.safe_dump({"experiments": {"x": {"runs": []}}}))
    with pytest.raises(TrainConfigError, match="experiments.x: needs 'runs:'"):
        experiments.load_plan(plan)
    with pytest.raises(TrainConfigError, match="plan file not found"):
        experiments.load_plan(tmp_path / "none.yaml")
    with pytest.raises(TrainConfigError, match="names no experiment or run"):
        experiments.run_plan(
            PLAN, only=["nothing"], s=experiments.Settings(), results_dir=tmp_path, pack_to=None
        )


def test_runs_in_runs_dir_need_no_overrides_and_tiny_runs_are_redirected(tmp_path):
    size_m = load_config(SMOL / "135m_tutor_size_m.yaml", check_paths=False)
    dpo = load_config(SMOL / "135m_dpo_hints.yaml", check_paths=False)
    names = {size_m.run_name: str(RUNS_DIR / size_m.run_name)}
    assert experiments.overrides_for(size_m, names, experiments.Settings()) == []
    assert experiments.overrides_for(dpo, names, experiments.Settings()) == []
    s = experiments.Settings(runs_dir=tmp_path, data_dir=tmp_path / "d", tiny=True, tiny_model="/m")
    names = {size_m.run_name: str(tmp_path / size_m.run_name)}
    sets = experiments.overrides_for(dpo, names, s)
    assert f"model.name=run:{tmp_path / size_m.run_name}" in sets
    assert f"data.source={tmp_path / 'd' / 'tutor' / 'hint_pairs.jsonl'}" in sets
    assert "train.max_steps=2" in sets and f"output_dir={tmp_path / dpo.run_name}" in sets
    assert "model.name=/m" in experiments.overrides_for(size_m, names, s)


# --------------------------------------------------------------------------- the driver, with a fake runner
def fake_training(fail: set[str] = frozenset()):
    """A runner that writes what a complete run leaves (config, metrics, summary, adapter) instead of training."""
    import torch
    from safetensors.torch import save_file

    calls = []

    def run(cmd, cwd, env):
        config = cmd[cmd.index("--config") + 1]
        sets = [cmd[i + 1] for i, c in enumerate(cmd) if c == "--set"]
        cfg = load_config(REPO_ROOT / config, sets, check_paths=False)
        calls.append(cfg.run_name)
        if cfg.run_name in fail:
            return subprocess.CompletedProcess(cmd, 1)
        run_dir = cfg.output_path
        (run_dir / "adapter").mkdir(parents=True)
        torch.manual_seed(len(calls))
        save_file(
            {
                "base_model.model.layers.0.q_proj.lora_A.weight": torch.randn(16, 64),
                "base_model.model.layers.0.q_proj.lora_B.weight": torch.randn(64, 16),
            },
            run_dir / "adapter" / "adapter_model.safetensors",
        )
        (run_dir / "adapter" / "adapter_config.json").write_text(json.dumps({"r": 16, "lora_alpha": 32}))
        (run_dir / "config.yaml").write_text(yaml.safe_dump(cfg.to_dict()))
        lines = [
            {"step": 0, "kind": "eval", "eval_loss": 2.0},
            {"step": 5, "kind": "train", "train_loss": 1.8},
            {"step": 10, "kind": "eval", "eval_loss": 1.5},
        ]
        (run_dir / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
        (run_dir / "summary.json").write_text(json.dumps({"status": "complete", "val_loss": 1.5}))
        return subprocess.CompletedProcess(cmd, 0)

    run.calls = calls
    return run


def test_the_driver_runs_in_order_skips_complete_runs_records_and_packs(tmp_path):
    s = experiments.Settings(runs_dir=tmp_path / "runs")
    runner = fake_training()
    outcome = experiments.run_plan(
        PLAN, only=None, s=s, results_dir=tmp_path / "results", pack_to=tmp_path / "pack", runner=runner
    )
    names = [load_config(REPO_ROOT / c, check_paths=False).run_name for c in PLAN.configs()]
    assert runner.calls == names and list(outcome) == names and set(outcome.values()) == {"complete"}
    result = json.loads((tmp_path / "results" / "smollm2-135m-tutor-size-m.json").read_text())
    assert result["experiments"] == ["size", "dpo"] and result["summary"]["status"] == "complete"
    assert result["curves"] == {"eval_loss": [[0, 2.0], [10, 1.5]], "train_loss": [[5, 1.8]]}
    manifest = json.loads((tmp_path / "pack" / "manifest.json").read_text())
    assert [r["run"] for r in manifest["runs"]] == names
    packed = tmp_path / "pack" / "smollm2-135m-tutor-size-m"
    assert sorted(p.name for p in packed.iterdir()) == sorted(
        experiments.PACKED_FILES + ("adapter_model.safetensors",)
    )
    # again: everything is complete, nothing runs
    again = fake_training()
    experiments.run_plan(
        PLAN, only=["masking"], s=s, results_dir=tmp_path / "results", pack_to=None, runner=again
    )
    assert again.calls == []


def test_a_failed_sft_run_skips_the_dpo_run_on_top_of_it(tmp_path):
    s = experiments.Settings(runs_dir=tmp_path / "runs")
    runner = fake_training(fail={"smollm2-135m-tutor-size-m"})
    outcome = experiments.run_plan(
        PLAN, only=["dpo"], s=s, results_dir=tmp_path / "r", pack_to=None, runner=runner
    )
    assert outcome["smollm2-135m-tutor-size-m"].startswith("failed: exit 1")
    assert (
        outcome["smollm2-135m-dpo-hints"] == "skipped: its base run smollm2-135m-tutor-size-m is not complete"
    )
    assert runner.calls == ["smollm2-135m-tutor-size-m"]


def test_packed_adapters_are_bf16_and_unpack_restores_run_folders(tmp_path):
    import torch
    from safetensors.torch import load_file

    s = experiments.Settings(runs_dir=tmp_path / "gpu-box" / "runs")
    experiments.run_plan(
        PLAN,
        only=["dpo"],
        s=s,
        results_dir=tmp_path / "res",
        pack_to=tmp_path / "pack",
        runner=fake_training(),
    )
    original = load_file(s.runs_dir / "smollm2-135m-dpo-hints" / "adapter" / "adapter_model.safetensors")
    packed = load_file(tmp_path / "pack" / "smollm2-135m-dpo-hints" / "adapter_model.safetensors")
    assert {t.dtype for t in packed.values()} == {torch.bfloat16}
    here = tmp_path / "here"
    assert (
        unpack.main(
            [
                "--from",
                str(tmp_path / "pack"),
                "--runs-dir",
                str(here),
                "--results",
                str(tmp_path / "results"),
            ]
        )
        == 0
    )
    back = load_file(here / "smollm2-135m-dpo-hints" / "adapter" / "adapter_model.safetensors")
    for k, v in original.items():
        assert back[k].dtype == torch.float32 and torch.equal(back[k], v.to(torch.bfloat16).float())
    cfg = yaml.safe_load((here / "smollm2-135m-dpo-hints" / "config.yaml").read_text())
    assert cfg["model"]["name"] == f"run:{here / 'smollm2-135m-tutor-size-m'}"  # the base run, here
    assert cfg["output_dir"] == str(here / "smollm2-135m-dpo-hints")
    assert (tmp_path / "results" / "smollm2-135m-dpo-hints.json").is_file()
    assert (here / "smollm2-135m-tutor-size-m" / "adapter" / "adapter_config.json").is_file()
    # a damaged file is caught by the manifest
    (tmp_path / "pack" / "smollm2-135m-dpo-hints" / "summary.json").write_text("{}")
    with pytest.raises(TrainingError, match="does not match its sha256"):
        unpack.check_manifest(tmp_path / "pack")


def test_an_adapter_over_the_limit_is_refused(tmp_path, monkeypatch):
    s = experiments.Settings(runs_dir=tmp_path / "runs")
    monkeypatch.setattr(experiments, "MAX_ADAPTER_MB", 0.001)
    with pytest.raises(TrainingError, match="over the 0 MB a packed adapter may take"):
        experiments.run_plan(
            PLAN,
            only=["smollm2-135m-tutor-size-s"],
            s=s,
            results_dir=tmp_path / "r",
            pack_to=tmp_path / "pack",
            runner=fake_training(),
        )


# --------------------------------------------------------------------------- the smoke test
@pytest.mark.slow
@pytest.mark.training
def test_tiny_plan_end_to_end_on_the_cpu(tmp_path, tiny_model_dir):
    """Every config of the plan, 2 steps on the tiny model, data built from ../shared/data; then pack,
    unpack and merge the DPO run (about 2-3 minutes on 2 busy cores)."""
    from tests.training.conftest import subprocess_env
    from tutor.eval.splits import CHATDOCTOR_FILE, GSM8K_FILE

    if not (GSM8K_FILE.is_file() and CHATDOCTOR_FILE.is_file()):
        pytest.skip("../shared/data is not here")
    env = subprocess_env()
    data = tmp_path / "data"
    for cmd in (
        [
            "training.tutor_data",
            "--out",
            str(data / "tutor"),
            "--gsm8k-rows",
            "60",
            "--per-kind",
            "2",
            "--eval-per-kind",
            "3",
        ],
        ["training.medical_data", "--out", str(data / "medical"), "--max-rows", "40"],
    ):
        subprocess.run([sys.executable, "-m", *cmd], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    cmd = [
        sys.executable,
        "-m",
        "training.experiments",
        "--tiny",
        "--tiny-model",
        str(tiny_model_dir),
        "--data-dir",
        str(data),
        "--runs-dir",
        str(tmp_path / "runs"),
        "--pack-to",
        str(tmp_path / "pack"),
    ]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.count(" complete\n") == 8
    here = tmp_path / "here"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "training.unpack",
            "--from",
            str(tmp_path / "pack"),
            "--runs-dir",
            str(here),
            "--results",
            str(tmp_path / "results"),
        ],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    merged = subprocess.run(
        [sys.executable, "-m", "training.export.merge", "--run", str(here / "smollm2-135m-dpo-hints")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert merged.returncode == 0, merged.stderr[-3000:]
    assert (here / "smollm2-135m-dpo-hints" / "export" / "merged" / "config.json").is_file()
