"""Stage: supervised fine-tuning with LoRA, driven by one YAML config.

    python -m training.sft --config training/configs/smollm2/135m_lora_gsm8k.yaml
    accelerate launch --config_file training/accelerate/cpu_ddp.yaml -m training.sft \
        --config training/configs/smollm2/135m_lora_gsm8k.yaml        # 2 CPU processes (gloo)

Backends (``train.backend``): ``unsloth`` (FastLanguageModel, CUDA only, imported lazily
before transformers), ``hf`` (transformers + PEFT, CPU or GPU, any number of processes
through ``accelerate launch``); ``auto`` picks unsloth when it is installed, CUDA is there
and the run is a single process, else hf. Both train with ``transformers.Trainer`` on the
pre-tokenized rows of ``training.data.prepare`` (their labels already mask the prompt with
-100) and our padding collator; see docs/TRAINING.md for why not TRL's SFTTrainer.

Run folder (``output_dir``): config.yaml, checkpoints/checkpoint-<step>/ every
``train.save_steps``, adapter/ (final LoRA + tokenizer), metrics.jsonl, summary.json, and a
row in runs.db beside it. Re-running the same command resumes from the latest checkpoint.
The validation loss is measured before training (step 0), every ``train.eval_steps`` and
at the end; tokens/s counts non-pad tokens; peak memory is CUDA's max allocated or the
process's max RSS on CPU.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from training.config import RunConfig, TrainConfigError, load_config


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


def load_model(cfg: RunConfig, backend: str):
    """-> (PEFT model with LoRA adapters, tokenizer) for the chosen backend."""
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

    from peft import LoraConfig, get_peft_model

    from training.base_model import load_base_model

    model, tok = load_base_model(cfg.model)
    if cfg.train.gradient_checkpointing:
        model.enable_input_require_grads()
    peft_cfg = LoraConfig(
        r=lo.r,
        lora_alpha=lo.alpha,
        lora_dropout=lo.dropout,
        target_modules=lo.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, peft_cfg), tok


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


def peak_memory_mb() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def latest_checkpoint(ckpt_dir: Path) -> Path | None:
    steps = [
        (int(p.name.split("-")[1]), p)
        for p in ckpt_dir.glob("checkpoint-*")
        if p.name.split("-")[1].isdigit() and (p / "trainer_state.json").is_file()
    ]
    return max(steps)[1] if steps else None


def check_same_recipe(cfg: RunConfig, run_dir: Path) -> None:
    """Resuming with a different recipe would mix two runs in one record: refuse, say what differs."""
    import yaml

    saved_path = run_dir / "config.yaml"
    if latest_checkpoint(run_dir / "checkpoints") is None or not saved_path.is_file():
        return
    saved, now = yaml.safe_load(saved_path.read_text(encoding="utf-8")) or {}, cfg.to_dict()
    changed = [
        f"{sec}.{k}"
        for sec in ("model", "data", "lora", "train")
        for k in now[sec]
        if (saved.get(sec) or {}).get(k, now[sec][k]) != now[sec][k]
    ]
    changed += ["seed"] if saved.get("seed", cfg.seed) != cfg.seed else []
    if changed:
        raise SystemExit(
            f"{run_dir} has checkpoints of another recipe ({', '.join(changed)} changed). "
            "Re-run with --fresh to start over, or give the run a new run_name/output_dir."
        )


def checkpointing_kwargs(on: bool) -> dict:
    """Activation checkpointing under its name in this transformers (renamed in 5.2x)."""
    from transformers import TrainingArguments

    name = "activation_checkpointing"
    if name not in TrainingArguments.__dataclass_fields__:
        name = "gradient_checkpointing"
    return {name: on, f"{name}_kwargs": {"use_reentrant": False} if on else None}


def step0_eval_loss(log_history: list[dict], metrics_jsonl: Path) -> float | None:
    """Validation loss before training: this session's step-0 eval, or (resumed) the run's metrics.jsonl."""
    for h in log_history:
        if h.get("step") == 0 and "eval_loss" in h:
            return h["eval_loss"]
    if metrics_jsonl.is_file():
        for line in metrics_jsonl.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("step") == 0 and rec.get("eval_loss") is not None:
                return rec["eval_loss"]
    return None


def make_trainer_class():
    from transformers import Trainer

    class SFTTrainer(Trainer):
        """Adds tokens_per_s (non-pad tokens, all processes) to each training log line."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.tok_t0 = self.tok_n0 = None

        def log(self, logs, start_time=None):
            if "loss" in logs:  # a point on the training curve
                if self.tok_t0 is not None and time.perf_counter() > self.tok_t0:
                    seen = self.state.num_input_tokens_seen - self.tok_n0
                    logs["tokens_per_s"] = round(seen / (time.perf_counter() - self.tok_t0), 1)
                start_time = None  # keeps per-step lines free of the end-of-training train_* speed keys
            super().log(logs, start_time)

    return SFTTrainer


def train(cfg: RunConfig, *, fresh: bool = False, runs_db: Path | None = None) -> dict:
    t_start = time.perf_counter()
    backend = choose_backend(cfg)
    model, tok = None, None
    if backend == "unsloth":  # unsloth patches transformers: import it first
        model, tok = load_model(cfg, backend)

    import torch
    from accelerate import PartialState
    from transformers import TrainingArguments, set_seed

    from training.data import prepare
    from training.runlog import RunLog, git_commit, make_callback

    state = PartialState(cpu=not torch.cuda.is_available())  # first init wins: gloo on CPU
    run_dir = cfg.output_path
    ckpt_dir = run_dir / "checkpoints"
    if fresh and state.is_main_process and run_dir.exists():
        shutil.rmtree(run_dir)
    state.wait_for_everyone()
    check_same_recipe(cfg, run_dir)
    set_seed(cfg.seed)
    if model is None:
        with state.main_process_first():  # the embedded base model is dequantized once
            model, tok = load_model(cfg, backend)
    if state.is_main_process:
        model.print_trainable_parameters()

    d = cfg.data
    source = str(cfg.data_path) if cfg.data_is_local else d.source
    prepared = prepare(
        source=source,
        fmt=d.format,
        split_name=d.split,
        max_rows=d.max_rows,
        min_score=d.min_score,
        val_fraction=d.val_fraction,
        seed=cfg.seed,
        system_prompt=d.system_prompt,
        max_seq_len=cfg.model.max_seq_len,
        tokenizer=tok,
        strip_chatdoctor=d.strip_chatdoctor,
        chat_template=cfg.model.chat_template,
        progress=state.is_main_process,
    )
    report = prepared.report.to_dict()
    if not prepared.train or not prepared.val:
        raise SystemExit(
            f"{cfg.path}: data left {len(prepared.train)} train / {len(prepared.val)} val rows after "
            f"cleaning and the max_seq_len={cfg.model.max_seq_len} cut: {report}"
        )
    print(f"data: {len(prepared.train)} train / {len(prepared.val)} val rows; {report}", flush=True)

    on_gpu = torch.cuda.is_available()
    dtype = next(p.dtype for p in model.parameters())
    t = cfg.train
    resume = latest_checkpoint(ckpt_dir)
    args = TrainingArguments(
        output_dir=str(ckpt_dir),
        seed=cfg.seed,
        data_seed=cfg.seed,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler,
        warmup_steps=t.warmup_steps,
        max_steps=t.max_steps if t.max_steps is not None else -1,
        num_train_epochs=t.epochs or 1.0,
        per_device_train_batch_size=t.per_device_batch_size,
        per_device_eval_batch_size=t.per_device_eval_batch_size or t.per_device_batch_size,
        gradient_accumulation_steps=t.grad_accum,
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        optim=t.optim,
        logging_steps=t.logging_steps,
        eval_strategy="steps",
        eval_steps=t.eval_steps,
        # the "before" point (step 0). Not trainer.evaluate() before train(): that prepares the model
        # for evaluation, and train() then never wraps it in DDP (gradients silently unsynchronized).
        eval_on_start=resume is None,
        save_strategy="steps",
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        bf16=on_gpu and dtype == torch.bfloat16,
        fp16=on_gpu and dtype == torch.float16,
        use_cpu=not on_gpu,
        ddp_backend="gloo" if not on_gpu and state.num_processes > 1 else None,
        include_num_input_tokens_seen="non_padding",
        average_tokens_across_devices=True,
        remove_unused_columns=False,
        label_names=["labels"],
        report_to="none",
        dataloader_num_workers=0,
        disable_tqdm=not sys.stderr.isatty() and "TRAINING_FORCE_TQDM" not in os.environ,
        **checkpointing_kwargs(t.gradient_checkpointing and backend == "hf"),  # unsloth does its own
    )
    trainer = make_trainer_class()(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.val,
        data_collator=PadCollator(tok.pad_token_id, 8 if on_gpu else 1),
        processing_class=tok,
    )

    runlog = RunLog(run_dir, runs_db or run_dir.parent / "runs.db")
    runlog.start(
        {**cfg.to_dict(), "backend": backend},
        git_commit=git_commit(),
        dataset_fingerprint=prepared.fingerprint,
        data_report=report,
    )
    trainer.add_callback(make_callback(runlog))

    try:
        if resume is not None:
            print(f"resuming from {resume}", flush=True)
        if on_gpu:
            torch.cuda.reset_peak_memory_stats()
        trainer.tok_t0, trainer.tok_n0 = time.perf_counter(), 0
        if resume is not None:  # tokens seen before the resume do not count toward this session's speed
            trainer.tok_n0 = json.loads((resume / "trainer_state.json").read_text()).get(
                "num_input_tokens_seen", 0
            )
        t_train, n_hist = time.perf_counter(), len(trainer.state.log_history)
        trainer.train(resume_from_checkpoint=str(resume) if resume else None)
        train_s = time.perf_counter() - t_train
        tokens = trainer.state.num_input_tokens_seen - trainer.tok_n0
        # evaluations inside train() (every eval_steps, and step 0) are not training throughput
        eval_s = sum(h.get("eval_runtime", 0.0) for h in trainer.state.log_history[n_hist:])
        last_eval = [
            h["eval_loss"]
            for h in trainer.state.log_history
            if "eval_loss" in h and h.get("step") == trainer.state.global_step
        ]
        val_after = last_eval[-1] if last_eval else trainer.evaluate()["eval_loss"]  # the "after" point
        val_before = step0_eval_loss(trainer.state.log_history, run_dir / "metrics.jsonl")
    except BaseException as e:
        runlog.finish(status="failed", error=repr(e)[:500])
        raise
    peak = torch.tensor(peak_memory_mb(), device=trainer.args.device)
    peak = (
        trainer.accelerator.reduce(peak, reduction="max").item() if state.num_processes > 1 else peak.item()
    )
    trainer.save_model(str(run_dir / "adapter"))  # every rank: FSDP gathers the shards; only rank 0 writes
    if state.is_main_process:
        tok.save_pretrained(run_dir / "adapter")
    state.wait_for_everyone()
    summary = dict(
        backend=backend,
        device=torch.cuda.get_device_name() if on_gpu else "cpu",
        processes=state.num_processes,
        dtype=str(dtype).replace("torch.", ""),
        steps=trainer.state.global_step,
        train_time_s=round(train_s, 2),
        wall_time_s=round(time.perf_counter() - t_start, 2),
        tokens_trained=int(tokens),
        tokens_per_s=round(tokens / train_s, 1) if train_s > 0 else None,
        eval_time_s=round(eval_s, 2),
        tokens_per_s_excl_eval=round(tokens / (train_s - eval_s), 1) if train_s > eval_s else None,
        peak_memory_mb=round(peak, 1),
        val_loss_before=val_before,
        val_ppl_before=math.exp(val_before) if val_before is not None else None,
        val_loss=val_after,
        val_ppl=math.exp(val_after),
        resumed_from=str(resume) if resume else None,
        final_train_loss=next((h["loss"] for h in reversed(trainer.state.log_history) if "loss" in h), None),
    )
    runlog.finish(**summary)
    if state.is_main_process:
        print(f"done: {summary}", flush=True)
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="LoRA supervised fine-tuning from a YAML run config.")
    ap.add_argument(
        "--config", required=True, help="run config, e.g. training/configs/smollm2/135m_lora_gsm8k.yaml"
    )
    ap.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (YAML value), e.g. --set train.max_steps=5; repeatable",
    )
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="delete the run folder first instead of resuming from its latest checkpoint",
    )
    ap.add_argument(
        "--runs-db",
        type=Path,
        default=None,
        help="SQLite runs table (default: runs.db beside the run folder, i.e. runs/runs.db)",
    )
    args = ap.parse_args(argv)
    try:
        cfg = load_config(args.config, args.overrides)
    except TrainConfigError as e:
        sys.exit(f"config error: {e}")
    train(cfg, fresh=args.fresh, runs_db=args.runs_db)


if __name__ == "__main__":
    main()
