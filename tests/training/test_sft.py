"""training.sft on a tiny Llama: one run end to end, and resume after a SIGKILL.

The resume test kills a run with SIGKILL right after the checkpoint of step 4 is written
(a callback inside the subprocess sends it, so the moment is exact, not a race with a
poller), re-runs the same command, and checks that the run ends where an uninterrupted
run with the same seed ends: the same final adapter weights and the same final train loss.
"""

from __future__ import annotations

import json
import signal
import subprocess

import pytest

from tests.training.conftest import PYTHON, REPO, subprocess_env

pytestmark = pytest.mark.training

# Runs training.sft with a callback that SIGKILLs the process after the checkpoint at KILL_STEP.
KILLER = """
import os, signal, sys
from transformers import TrainerCallback
import training.sft as sft
kill_step = int(os.environ["KILL_AFTER_SAVE_STEP"])
class Kill(TrainerCallback):
    def on_save(self, args, state, control, **kw):
        if state.global_step >= kill_step:
            os.kill(os.getpid(), signal.SIGKILL)
make = sft.make_trainer_class
def patched():
    cls = make()
    class Killed(cls):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.add_callback(Kill())
    return Killed
sft.make_trainer_class = patched
sft.main(sys.argv[1:])
"""


def run_sft(config, *extra, env_extra=None, check=True):
    env = subprocess_env()
    env.update(env_extra or {})
    cmd = [PYTHON, "-m", "training.sft", "--config", str(config), *extra]
    if env_extra and "KILL_AFTER_SAVE_STEP" in env_extra:
        cmd = [PYTHON, "-c", KILLER, "--config", str(config), *extra]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


def adapter_weights(run_dir):
    from safetensors.torch import load_file

    return load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))


def summary(run_dir):
    return json.loads((run_dir / "summary.json").read_text())


def metrics(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_run_end_to_end(tiny_model_dir, write_config, tmp_path):
    cfg = write_config(tiny_model_dir, "e2e")
    run_sft(cfg)
    run = tmp_path / "runs" / "e2e"
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    assert (run / "config.yaml").is_file()
    assert sorted(p.name for p in (run / "checkpoints").glob("checkpoint-*")) == [
        "checkpoint-2",
        "checkpoint-4",
        "checkpoint-6",
    ]
    s = summary(run)
    assert s["status"] == "finished" and s["steps"] == 6 and s["backend"] == "hf"
    assert s["tokens_per_s"] > 0 and s["peak_memory_mb"] > 0 and s["wall_time_s"] > 0
    assert s["val_loss"] < s["val_loss_before"]  # lr 2e-2 on 32 near-identical rows: it learns
    evals = [m["step"] for m in metrics(run) if m["kind"] == "eval"]
    assert evals[0] == 0 and 3 in evals and evals[-1] == 6  # before, every eval_steps, after
    assert (tmp_path / "runs" / "runs.db").is_file()


def test_resume_after_sigkill_matches_uninterrupted_run(tiny_model_dir, write_config, tmp_path):
    import torch

    ref_cfg = write_config(tiny_model_dir, "ref")
    run_sft(ref_cfg)

    cfg = write_config(tiny_model_dir, "killed")
    run = tmp_path / "runs" / "killed"
    proc = run_sft(cfg, env_extra={"KILL_AFTER_SAVE_STEP": "4"}, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    assert (run / "checkpoints" / "checkpoint-4").is_dir()
    assert not (run / "checkpoints" / "checkpoint-6").exists() and not (run / "adapter").exists()

    proc = run_sft(cfg)  # the same command again
    assert f"resuming from {run / 'checkpoints' / 'checkpoint-4'}" in proc.stdout

    ref, got = adapter_weights(tmp_path / "runs" / "ref"), adapter_weights(run)
    assert ref.keys() == got.keys() and len(ref) > 0
    for k in ref:
        torch.testing.assert_close(got[k], ref[k], rtol=1e-5, atol=1e-6, msg=k)
    s_ref, s_got = summary(tmp_path / "runs" / "ref"), summary(run)
    assert s_got["steps"] == s_ref["steps"] == 6
    assert s_got["final_train_loss"] == pytest.approx(s_ref["final_train_loss"], rel=1e-5)
    assert s_got["val_loss"] == pytest.approx(s_ref["val_loss"], rel=1e-5)
    assert s_got["resumes"] == 1 and s_got["resumed_from"].endswith("checkpoint-4")


def test_resume_refuses_a_changed_recipe(tmp_path):
    import yaml

    from tests.training.conftest import tiny_config
    from training.config import config_from_dict
    from training.sft import check_same_recipe

    run = tmp_path / "runs" / "r"
    raw = tiny_config(tmp_path / "model", run)
    (tmp_path / "model").mkdir()
    cfg = config_from_dict(raw)
    (run / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (run / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}")
    (run / "config.yaml").write_text(yaml.safe_dump({**cfg.to_dict(), "backend": "hf"}))
    check_same_recipe(cfg, run)  # same recipe: resume
    raw["train"]["learning_rate"] = 1e-4
    with pytest.raises(SystemExit, match=r"train.learning_rate changed.*--fresh"):
        check_same_recipe(config_from_dict(raw), run)
