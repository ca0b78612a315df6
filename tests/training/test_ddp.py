"""Data parallel on the CPU: 2 processes (gloo) through accelerate launch, tiny Llama.

2 processes x batch 2 must end with the same adapter as 1 process x batch 4 (same
grad_accum, seed and data order). Why they can match exactly even though the rows have
different lengths: transformers (average_tokens_across_devices=True, the default) divides
each process's summed token loss by the token count of the WHOLE global batch, gathered
from all processes, and scales by the world size that DDP's gradient mean divides by, so
the gradient is the per-token mean over the global batch in both layouts. (A per-process
mean averaged over processes would weight short rows differently.) Accelerate's seedable
sampler gives the same permutation; process i takes batches i, i+2, ... of size 2, which
together are the single process's batch of 4. What remains is float summation order, hence
a tolerance. Resume under two processes is tested the same way as in test_sft.py (~20 s).
"""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.training.conftest import PYTHON, REPO, subprocess_env
from tests.training.test_sft import KILLER, adapter_weights, run_sft, summary

pytestmark = pytest.mark.training
ACCEL_CFG = REPO / "training" / "accelerate" / "cpu_ddp.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_ddp(config, *, script=None, env_extra=None, check=True):
    env = subprocess_env()
    env.update(env_extra or {})
    target = [str(script)] if script else ["-m", "training.sft"]
    cmd = [
        PYTHON,
        "-m",
        "accelerate.commands.launch",
        "--config_file",
        str(ACCEL_CFG),
        "--main_process_port",
        str(free_port()),
        *target,
        "--config",
        str(config),
    ]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


@pytest.fixture(scope="module")
def ddp_runs(tiny_model_dir, tmp_path_factory):
    """One single-process run (batch 4) and one 2-process run (batch 2 each)."""
    import yaml

    from tests.training.conftest import tiny_config

    root = tmp_path_factory.mktemp("ddp")
    paths = {}
    for name, bs in (("single", 4), ("ddp", 2)):
        path = root / f"{name}.yaml"
        path.write_text(
            yaml.safe_dump(tiny_config(tiny_model_dir, root / "runs" / name, per_device_batch_size=bs))
        )
        paths[name] = path
    run_sft(paths["single"])
    proc = launch_ddp(paths["ddp"])
    return root, paths, proc


def test_two_processes_match_one_process_over_the_same_global_batch(ddp_runs):
    import torch

    root, _, proc = ddp_runs
    one, two = summary(root / "runs" / "single"), summary(root / "runs" / "ddp")
    assert two["processes"] == 2 and one["processes"] == 1
    assert two["steps"] == one["steps"] == 6
    assert two["tokens_trained"] == one["tokens_trained"]  # gathered from both processes
    a, b = adapter_weights(root / "runs" / "single"), adapter_weights(root / "runs" / "ddp")
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-4, atol=1e-6, msg=k)
    assert two["val_loss"] == pytest.approx(one["val_loss"], rel=1e-4)
    # only the main process writes: one start, one summary, one "done" line
    assert proc.stdout.count("done: ") == 1


def test_resume_under_two_processes(ddp_runs, tmp_path):
    import torch
    import yaml

    root, paths, _ = ddp_runs
    cfg = yaml.safe_load(paths["ddp"].read_text())
    run = tmp_path / "runs" / "ddp-killed"
    cfg["output_dir"], cfg["run_name"] = str(run), "ddp-killed"
    path = tmp_path / "ddp-killed.yaml"
    path.write_text(yaml.safe_dump(cfg))
    killer = tmp_path / "killer.py"
    killer.write_text(KILLER)

    proc = launch_ddp(path, script=killer, env_extra={"KILL_AFTER_SAVE_STEP": "4"}, check=False)
    assert proc.returncode != 0
    assert (run / "checkpoints" / "checkpoint-4").is_dir() and not (run / "adapter").exists()
    proc = launch_ddp(path)
    # printed once (rank 0 speaks for both); both ranks resumed, or the weights below would differ
    assert proc.stdout.count(f"resuming from {run / 'checkpoints' / 'checkpoint-4'}") == 1
    ref, got = adapter_weights(root / "runs" / "ddp"), adapter_weights(run)
    for k in ref:
        torch.testing.assert_close(got[k], ref[k], rtol=1e-5, atol=1e-6, msg=k)
    assert summary(run)["final_train_loss"] == pytest.approx(
        summary(root / "runs" / "ddp")["final_train_loss"]
    )


@pytest.mark.parametrize(
    "name,kind",
    [("single_gpu", "NO"), ("multi_gpu_ddp", "MULTI_GPU"), ("fsdp", "FSDP"), ("cpu_ddp", "MULTI_GPU")],
)
def test_accelerate_configs_load(name, kind):
    """The GPU configs cannot run here (no GPUs in CI); accelerate's own loader must accept them."""
    from accelerate.commands.config.config_args import load_config_from_file

    path = REPO / "training" / "accelerate" / f"{name}.yaml"
    cfg = load_config_from_file(str(path))
    assert cfg.distributed_type.value == kind
    assert f"accelerate launch --config_file training/accelerate/{name}.yaml" in path.read_text()
