"""training.dpo: the feedback export's preference pairs -> DPO steps on a tiny Llama, on the CPU.

The fixtures are what the app's feedback export writes (tests/training/fixtures/feedback_pairs.jsonl,
TRL's conversational preference format with a ``meta`` object; feedback_sft.jsonl is the SFT side,
tested in test_data.py). The recipe is training/configs/smollm2/135m_dpo_tiny.yaml with the tiny
test model in place of SmolLM2, so CI runs it in seconds.
"""

from __future__ import annotations

import json
import math
import signal
from pathlib import Path

import pytest
import yaml

from tests.training.conftest import REPO, tiny_config
from tests.training.test_sft import adapter_weights, metrics, run_sft, summary

pytestmark = pytest.mark.training
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DPO_TINY = REPO / "training" / "configs" / "smollm2" / "135m_dpo_tiny.yaml"


def dpo_config(tmp_path, model, name, **train) -> Path:
    raw = yaml.safe_load(DPO_TINY.read_text())
    raw["model"].update(name=str(model))
    raw["train"].update(train)
    raw["run_name"], raw["output_dir"] = name, str(tmp_path / "runs" / name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def run_dpo(config, *extra, **kw):
    return run_sft(config, *extra, module="training.dpo", **kw)


def test_feedback_pairs_are_cleaned_and_lose_their_meta():
    from training.pairs import clean_pairs
    from training.sources import load_rows

    pairs, rep = clean_pairs(load_rows(str(FIXTURES / "feedback_pairs.jsonl")))
    assert rep.rows_in == 21 and rep.rows_out == 17
    assert rep.dropped == {"malformed": 2, "empty": 0, "same": 1, "too_long_tokens": 0, "duplicate": 1}
    assert all(set(p) == {"prompt", "chosen", "rejected"} for p in pairs)  # meta never reaches TRL
    assert all(p["prompt"][-1]["role"] == "user" for p in pairs)
    multi = [p for p in pairs if len(p["prompt"]) > 2]
    assert [m["role"] for m in multi[0]["prompt"]] == ["system", "user", "assistant", "user"]
    pairs, _ = clean_pairs(load_rows(str(FIXTURES / "feedback_pairs.jsonl")), system_prompt="Be brief.")
    assert all(p["prompt"][0] == {"role": "system", "content": "Be brief."} for p in pairs)
    assert all(sum(m["role"] == "system" for m in p["prompt"]) == 1 for p in pairs)


@pytest.mark.parametrize("a, b", [
    ("Because of Rayleigh scattering.", "because of rayleigh scattering!"),
    ("x = 5", "x = -5"),
    ("The answer:  **42**", "the answer 42"),
    ("Light scatters.", "Light bends."),
])  # fmt: skip
def test_the_export_and_the_trainer_agree_on_same_answers(a, b):
    # the app's export skips exactly the pairs the trainer's cleaning would drop as "same"
    from training.clean import norm_text
    from tutor.feedback import same_answer

    assert same_answer(a, b) == (norm_text(a) == norm_text(b))


def test_the_cpu_log_prob_head_matches_log_softmax():
    """TRL 1.15 needs Triton for DPO's log-probs; training/trl_cpu.py does the same sums in PyTorch."""
    import torch

    from training.trl_cpu import Dispatch, TorchLogProbs, ensure_logprob_kernel

    torch.manual_seed(0)
    hidden = torch.randn(5, 8, requires_grad=True)
    weight, targets = torch.randn(11, 8), torch.tensor([0, 3, 10, 3, 7])
    logp, ent, lsq, mean, top1 = TorchLogProbs.apply(hidden, weight, None, targets, 1.0, 4096)
    ref = torch.log_softmax(hidden @ weight.t(), -1)
    torch.testing.assert_close(logp, ref.gather(-1, targets[:, None]).squeeze(-1))
    torch.testing.assert_close(ent, -(ref.exp() * ref).sum(-1))
    torch.testing.assert_close(lsq, torch.log((ref.exp() ** 2).sum(-1)))
    assert torch.equal(top1, (hidden @ weight.t()).argmax(-1) == targets)
    logp.sum().backward()
    assert hidden.grad is not None and hidden.grad.abs().sum() > 0
    ensure_logprob_kernel()
    ensure_logprob_kernel()  # idempotent: wraps once
    import trl.trainer.utils as trl_utils

    assert isinstance(trl_utils._ChunkedLogProbFunction, Dispatch)
    assert not isinstance(trl_utils._ChunkedLogProbFunction.kernel, Dispatch)


@pytest.fixture(scope="module")
def dpo_ref(tiny_model_dir, tmp_path_factory):
    """The tiny DPO recipe, 4 steps (checkpoints 2 and 4), uninterrupted."""
    root = tmp_path_factory.mktemp("dpo")
    path = dpo_config(root, tiny_model_dir, "dpo-ref", max_steps=4, save_steps=2, save_total_limit=3)
    proc = run_dpo(path)
    return root / "runs" / "dpo-ref", proc


def test_feedback_pairs_round_trip_to_dpo_steps(dpo_ref):
    run, proc = dpo_ref
    s = summary(run)
    assert s["status"] == "complete" and s["method"] == "dpo" and s["steps"] == 4
    assert s["val_loss_before"] == pytest.approx(math.log(2), abs=1e-4)  # policy == reference at step 0
    assert "val_ppl" not in s and s["val_metrics"]["eval_rewards/accuracies"] is not None
    assert s["data_report"]["rows_out"] == 17 and s["data_report"]["dropped"]["same"] == 1
    train = [m for m in metrics(run) if m["kind"] == "train"]
    assert len(train) == 4 and all("rewards/margins" in m and "train_loss" in m for m in train)
    assert (run / "adapter" / "adapter_config.json").is_file() and adapter_weights(run)
    assert json.loads((run / "adapter" / "adapter_config.json").read_text())["r"] == 4
    assert "data: 14 train / 3 val pairs" in proc.stdout and "step 4/4 (100%)" in proc.stdout


def test_dpo_resumes_after_a_kill_like_sft(dpo_ref, tiny_model_dir, tmp_path):
    import torch

    path = dpo_config(tmp_path, tiny_model_dir, "dpo-killed", max_steps=4, save_steps=2, save_total_limit=3)
    run = tmp_path / "runs" / "dpo-killed"
    proc = run_dpo(path, env_extra={"KILL_AFTER_SAVE_STEP": "2"}, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    proc = run_dpo(path)
    assert f"resuming from {run / 'checkpoints' / 'checkpoint-2'}" in proc.stdout
    ref, got = adapter_weights(dpo_ref[0]), adapter_weights(run)
    for k in ref:
        torch.testing.assert_close(got[k], ref[k], rtol=1e-5, atol=1e-6, msg=k)
    assert summary(run)["val_loss"] == pytest.approx(summary(dpo_ref[0])["val_loss"], rel=1e-5)


def test_dpo_on_top_of_an_sft_run(tiny_model_dir, tmp_path):
    """model.name: run:<sft run> -> that run's base with its adapter merged; DPO trains a new adapter on it."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from training.base_model import load_base_model
    from training.config import ModelConfig

    sft_cfg = tmp_path / "sft.yaml"
    sft_run = tmp_path / "runs" / "sft"
    sft_cfg.write_text(yaml.safe_dump(tiny_config(tiny_model_dir, sft_run, max_steps=2, eval_steps=2)))
    run_sft(sft_cfg)

    merged, _ = load_base_model(ModelConfig(name=f"run:{sft_run}", dtype="float32"))
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    expected = PeftModel.from_pretrained(base, sft_run / "adapter").merge_and_unload().state_dict()
    got = merged.state_dict()
    assert any(not torch.equal(got[k], AutoModelForCausalLM.from_pretrained(tiny_model_dir).state_dict()[k])
               for k in got if "q_proj" in k)  # the SFT adapter is in there
    for k in expected:
        torch.testing.assert_close(got[k], expected[k], rtol=0, atol=0, msg=k)

    path = dpo_config(tmp_path, f"run:{sft_run}", "dpo-on-sft")
    run_dpo(path)
    s = summary(tmp_path / "runs" / "dpo-on-sft")
    assert s["status"] == "complete" and s["steps"] == 2
    assert s["val_loss_before"] == pytest.approx(math.log(2), abs=1e-4)  # the reference IS the SFT model
    saved = yaml.safe_load((tmp_path / "runs" / "dpo-on-sft" / "config.yaml").read_text())
    assert saved["model"]["name"] == f"run:{sft_run}" and saved["method"] == "dpo"


def test_sft_refuses_a_dpo_config_and_dpo_an_sft_config(tmp_path, tiny_model_dir, capsys):
    from training import dpo, sft

    path = dpo_config(tmp_path, tiny_model_dir, "wrong")
    assert sft.main(["--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "method: training.sft takes method: sft configs (you wrote method: dpo)" in err
    assert "hint: Run it with python -m training.dpo --config" in err
    raw = tiny_config(tiny_model_dir, tmp_path / "runs" / "s")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(raw))
    assert dpo.main(["--config", str(tmp_path / "s.yaml")]) == 2
    assert "training.dpo takes method: dpo configs (you wrote method: sft)" in capsys.readouterr().err
