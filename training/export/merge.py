"""Step 1-2 of the export: merge the LoRA adapter into its base model and save a plain HF folder.

    python -m training.export.merge --run runs/smollm2-135m-lora-tiny

Reads runs/X/config.yaml (model.name: embedded:smollm2, a Hub id or a local HF folder) and
runs/X/adapter (PEFT), merges (merge_and_unload) and writes runs/X/export/merged: config,
safetensors, tokenizer and its chat template, plus merge.json. The model is rebuilt from its
config without quantization_config before saving, because a GGUF-loaded model refuses
save_pretrained (see DESIGN.md). Skips the work when merged/ is already there (use --force).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from training import cli
from training.export import parser, ExportError, log, merged_dir, read_json, run_dir, write_json

DTYPES = ("float16", "bfloat16", "float32")


def is_done(out: Path) -> bool:
    return (
        (out / "merge.json").is_file() and (out / "config.json").is_file() and any(out.glob("*.safetensors"))
    )


def model_config(run: Path, base: str | None):
    """The run's ModelConfig (from config.yaml), with ``--base`` overriding model.name."""
    from training.config import ModelConfig, RunConfig, config_from_dict

    cfg_path = run / "config.yaml"
    if cfg_path.is_file():
        raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        known = set(RunConfig.__dataclass_fields__) - {"path"}  # config.yaml may carry extras (backend)
        try:
            model_cfg = config_from_dict(
                {k: v for k, v in raw.items() if k in known}, path=str(cfg_path)
            ).model
        except Exception as exc:  # a config from an older schema: fall back to its model section
            log(f"note: {cfg_path} does not validate ({exc}); using its model section as is")
            model_cfg = ModelConfig(
                **{k: v for k, v in (raw.get("model") or {}).items() if k in ModelConfig.__dataclass_fields__}
            )
    elif base:
        model_cfg = ModelConfig(name=base)
    else:
        raise ExportError(f"{cfg_path} is missing; pass --base to name the base model")
    if base:
        model_cfg.name = base
    return model_cfg


def load_tokenizer(adapter: Path, model_cfg):
    """The tokenizer saved with the adapter (it has the training chat template), else the base's."""
    from transformers import AutoTokenizer

    from training.base_model import load_tokenizer as base_tokenizer
    from training.base_model import prepare_tokenizer

    if (adapter / "tokenizer_config.json").is_file():
        tok = AutoTokenizer.from_pretrained(adapter)
        return prepare_tokenizer(tok, model_cfg.chat_template)
    return base_tokenizer(model_cfg)


def merge(
    run: Path,
    *,
    adapter: Path | None = None,
    out: Path | None = None,
    base: str | None = None,
    dtype: str = "float16",
    force: bool = False,
) -> Path:
    """Merge runs/X/adapter into the base; write the HF folder; return its path."""
    adapter = adapter or run / "adapter"
    out = out or merged_dir(run)
    if is_done(out) and not force:
        when = read_json(out / "merge.json").get("merged_at", "?")
        log(f"skip: {out} already exists (merged {when}); --force redoes it")
        return out
    if not (adapter / "adapter_config.json").is_file():
        raise ExportError(
            f"no LoRA adapter at {adapter} (adapter_config.json missing): "
            "train first with python -m training.sft, or pass --adapter"
        )
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from training.base_model import load_base_model

    t0 = time.time()
    model_cfg = model_config(run, base)
    log(f"loading base {model_cfg.name} (fp32)")
    model, _ = load_base_model(model_cfg, dtype=torch.float32)
    tok = load_tokenizer(adapter, model_cfg)
    if len(tok) > model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(len(tok))
    log(f"loading adapter {adapter}")
    model = PeftModel.from_pretrained(model, adapter)
    log("merging (merge_and_unload)")
    merged = model.merge_and_unload()

    # A fresh model from the config: no quantization_config (GGUF-loaded bases refuse save_pretrained).
    config = merged.config
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    torch_dtype = getattr(torch, dtype)
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = fresh.load_state_dict(merged.state_dict(), strict=False)
    missing = [k for k in missing if "lm_head" not in k or not config.tie_word_embeddings]
    if missing or unexpected:
        raise ExportError(
            f"merged weights do not fit a fresh {type(fresh).__name__}: "
            f"missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    if getattr(config, "tie_word_embeddings", False):
        fresh.tie_weights()
    fresh = fresh.to(torch_dtype)
    fresh.config.dtype = torch_dtype
    if tok.pad_token_id is not None:
        fresh.config.pad_token_id = tok.pad_token_id
    if fresh.generation_config is not None and tok.eos_token_id is not None:
        fresh.generation_config.eos_token_id = tok.eos_token_id
        fresh.generation_config.pad_token_id = tok.pad_token_id

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".merged-", dir=out.parent))
    try:
        log(f"saving {dtype} HF model + tokenizer -> {out}")
        fresh.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        n_params = sum(p.numel() for p in fresh.parameters())
        write_json(
            tmp / "merge.json",
            {
                "base": model_cfg.name,
                "adapter": str(adapter),
                "dtype": dtype,
                "parameters": n_params,
                "chat_template": bool(tok.chat_template),
                "merged_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "seconds": round(time.time() - t0, 1),
            },
        )
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"merged {n_params / 1e6:.1f}M parameters in {time.time() - t0:.1f} s -> {out}")
    return out


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(
        __doc__,
        "Merge a run's LoRA adapter into its base and save an HF folder.",
        force="redo the merge even if the output exists",
    )
    ap.add_argument("--adapter", type=Path, default=None, help="PEFT adapter folder (default: <run>/adapter)")
    ap.add_argument(
        "--base",
        default=None,
        help="base model instead of config.yaml's model.name (embedded:smollm2, Hub id, HF folder)",
    )
    ap.add_argument("--out", type=Path, default=None, help="output HF folder (default: <run>/export/merged)")
    ap.add_argument(
        "--dtype",
        choices=DTYPES,
        default="float16",
        help="weights dtype on disk (GGUF f16 is made from it; float16 halves the size)",
    )
    args = ap.parse_args(argv)
    merge(
        run_dir(args.run),
        adapter=args.adapter,
        out=args.out,
        base=args.base,
        dtype=args.dtype,
        force=args.force,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
