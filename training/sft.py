"""Stage: supervised fine-tuning with LoRA, driven by one YAML config.

    python -m training.sft --config training/configs/smollm2/135m_lora_gsm8k.yaml
    python -m training.sft --config training/configs/smollm2/135m_lora_tiny.yaml --set run_name=lr-test
    accelerate launch --config_file training/accelerate/cpu_ddp.yaml -m training.sft \
        --config training/configs/smollm2/135m_lora_gsm8k.yaml        # 2 CPU processes (gloo)

Backends (``train.backend``): ``unsloth`` (FastLanguageModel, CUDA only, imported lazily
before transformers), ``hf`` (transformers + PEFT, CPU or GPU, any number of processes
through ``accelerate launch``); ``auto`` picks unsloth when it is installed, CUDA is there
and the run is a single process, else hf. Both train with ``transformers.Trainer`` on the
pre-tokenized rows of ``training.data`` (their labels already mask the prompt with -100) and
our padding collator; see docs/TRAINING.md for why not TRL's SFTTrainer.

The config is checked first (every key and path), before the model loads. The data comes from
``runs/_data/`` when ``training.prepare_data`` (or an earlier run) already prepared it with
the same settings, and the command says so. Run folder (``output_dir``, default
``runs/<run_name>``): config.yaml, checkpoints/checkpoint-<step>/ every ``train.save_steps``,
adapter/ (final LoRA + tokenizer), metrics.jsonl, summary.json (status complete, interrupted
or failed), and a row in runs.db beside it. Re-running the same command resumes from the
latest checkpoint; raising ``train.max_steps`` continues a complete run. The run lifecycle
(resume, Ctrl-C, statistics, progress) is training/session.py.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from training import cli
from training.config import RunConfig, require_method
from training.errors import DataError, TrainConfigError


def choose_backend(cfg: RunConfig) -> str:
    """``auto`` -> unsloth if installed, CUDA and a single process; else hf."""
    want = cfg.train.backend
    import torch

    single = int(os.environ.get("WORLD_SIZE", "1")) == 1
    has_unsloth = importlib.util.find_spec("unsloth") is not None
    if want == "auto":
        return "unsloth" if has_unsloth and torch.cuda.is_available() and single else "hf"
    if want == "unsloth" and not (has_unsloth and torch.cuda.is_available()):
        raise TrainConfigError(
            "the unsloth backend needs the unsloth package and a CUDA GPU "
            f"(installed: {has_unsloth}, CUDA: {torch.cuda.is_available()})",
            hint="Use train.backend: hf (or auto).",
            path=cfg.path,
            key="train.backend",
        )
    return want


def load_model(cfg: RunConfig, backend: str, seed=lambda: None):
    """-> (PEFT model with LoRA adapters, tokenizer). ``seed()`` runs right before the adapters' random init."""
    lo = cfg.lora
    if backend == "unsloth":
        from unsloth import FastLanguageModel  # must come before transformers is imported

        from training.base_model import prepare_tokenizer, resolve_dtype, resolve_model_source

        model, tok = FastLanguageModel.from_pretrained(
            model_name=resolve_model_source(cfg.model.name),
            max_seq_length=cfg.model.max_seq_len,
            dtype=None if cfg.model.dtype == "auto" else resolve_dtype(cfg.model.dtype),
            load_in_4bit=cfg.model.load_in_4bit,
        )
        seed()
        model = FastLanguageModel.get_peft_model(
            model,
            r=lo.r,
            lora_alpha=lo.alpha,
            lora_dropout=lo.dropout,
            target_modules=lo.target_modules,
            bias="none",
            use_gradient_checkpointing="unsloth" if cfg.train.gradient_checkpointing else False,
            random_state=cfg.seed,
        )
        return model, prepare_tokenizer(tok, cfg.model.chat_template)

    from peft import get_peft_model

    from training.base_model import load_base_model

    model, tok = load_base_model(cfg.model)
    if cfg.train.gradient_checkpointing:
        model.enable_input_require_grads()
    seed()
    return get_peft_model(model, lora_config(cfg)), tok


def lora_config(cfg: RunConfig):
    from peft import LoraConfig

    lo = cfg.lora
    return LoraConfig(r=lo.r, lora_alpha=lo.alpha, lora_dropout=lo.dropout, target_modules=lo.target_modules,
                      bias="none", task_type="CAUSAL_LM")


class PadCollator:
    """Right-pad input_ids (pad id), attention_mask (0) and labels (-100) to the longest row."""

    def __init__(self, pad_token_id: int, multiple_of: int = 1):
        self.pad_id, self.multiple_of = pad_token_id, multiple_of

    def __call__(self, rows: list[dict]) -> dict:
        import torch

        n = max(len(r["input_ids"]) for r in rows)
        n = -(-n // self.multiple_of) * self.multiple_of

        def pad(key, value):
            return torch.tensor([list(r[key]) + [value] * (n - len(r[key])) for r in rows], dtype=torch.long)

        return {
            "input_ids": pad("input_ids", self.pad_id),
            "attention_mask": pad("attention_mask", 0),
            "labels": pad("labels", -100),
        }


def make_trainer_class():
    """The Trainer class sft uses (tests patch this to add callbacks)."""
    from transformers import Trainer

    from training.session import tracked

    return tracked(Trainer)


def train(cfg: RunConfig, *, fresh: bool = False, runs_db=None, progress: str = "auto",
          progress_every: float = 30.0) -> dict:
    require_method(cfg, "sft")
    cli.quiet_bars_early(progress)
    backend = choose_backend(cfg)
    model = tok = None
    if backend == "unsloth":  # unsloth patches transformers: import it first
        from unsloth import FastLanguageModel  # noqa: F401

    from transformers import TrainingArguments

    from training.data import DataSettings, prepare_cached
    from training.session import Session

    session = Session(cfg, command="training.sft", backend=backend, fresh=fresh, runs_db=runs_db,
                      progress=progress, progress_every=progress_every)
    if session.plan.complete:
        return {"status": "complete", "run_dir": str(session.run_dir)}
    state = session.state
    with state.main_process_first():  # the embedded base model is dequantized once
        model, tok = load_model(cfg, backend, seed=session.seed)
    if session.is_main:
        model.print_trainable_parameters()
    with state.main_process_first():  # rank 0 prepares (or finds) the data folder; the others read it
        prepared, note = prepare_cached(DataSettings.from_config(cfg), tok, progress=session.progress == "bar",
                                        write=session.is_main)
    report = prepared.report.to_dict()
    if not prepared.train or not prepared.val:
        raise DataError(
            f"{cfg.path}: data left {len(prepared.train)} train / {len(prepared.val)} val rows after "
            f"cleaning and the max_seq_len={cfg.model.max_seq_len} cut: {report}",
            "Check data.source, data.format and model.max_seq_len.",
        )
    session.say(note)
    session.say(f"data: {len(prepared.train)} train / {len(prepared.val)} val rows; {report}")

    dtype = next(p.dtype for p in model.parameters())
    args = TrainingArguments(**session.trainer_kwargs(dtype), label_names=["labels"])
    trainer = make_trainer_class()(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.val,
        data_collator=PadCollator(tok.pad_token_id, 8 if session.on_gpu else 1),
        processing_class=tok,
    )
    return session.run(trainer, tok, data_fingerprint=prepared.fingerprint,
                       val_fingerprint=prepared.val_fingerprint, data_report=report,
                       data_source=DataSettings.from_config(cfg).source_identity())


@cli.command
def main(argv: list[str] | None = None) -> int:
    return cli.training_main(__doc__, train, argv)


if __name__ == "__main__":
    sys.exit(main())
