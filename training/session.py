"""One training run's life, shared by training.sft and training.dpo.

    session = Session(cfg, backend="hf", fresh=False, progress="auto")   # run folder, resume plan
    if session.plan.complete: ...                                         # nothing left to train
    session.seed()                                # right before the LoRA adapters are initialized
    args = TrainingArguments(**session.trainer_kwargs(dtype))
    trainer = tracked(Trainer)(model=model, args=args, ...)
    summary = session.run(trainer, tok, data_fingerprint=..., val_fingerprint=..., data_report=...)

What it owns:
- the run folder: ``--fresh`` deletes it; otherwise training/resume.py decides: resume the
  latest checkpoint, continue a run whose ``train.max_steps`` grew (the lr schedule is
  recomputed for the new length), refuse another recipe, or do nothing for a complete run
  (and say how to continue it).
- seeds: ``seed()`` re-seeds every generator right before random initialization, so nothing
  that ran before (building the base-model cache on a cold machine, say) changes the weights.
- run states in summary.json and runs.db: running -> complete | interrupted | failed. The first
  Ctrl-C (or SIGTERM) stops after the current step, saves a checkpoint and records
  ``interrupted``; a second one stops at once (the last checkpoint stays). Either way the
  command prints one line, no traceback, and exits 130.
- statistics of THIS session (a resumed run does not count the steps, tokens or evaluations
  of an earlier one): train_time_s, eval_time_s, tokens_per_s, tokens_per_s_excl_eval.
- progress: a tqdm bar on a terminal, else a line every N seconds (training/progress.py).
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import time
from pathlib import Path

from training.config import RunConfig
from training.errors import Interrupted
from training.paths import shown_path
from training.progress import StopOnSignal, make_line_progress, progress_mode
from training.resume import latest_checkpoint, plan_run


# --- the Trainer pieces both methods share -------------------------------------------------------------
def tracked(trainer_cls):
    """``trainer_cls`` plus this session's clock: tokens/s on each train log line, eval time and count."""

    class Tracked(trainer_cls):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.session_eval_s, self.session_evals = 0.0, 0
            self.session_t0 = self.session_tokens0 = self.session_step0 = None

        def train(self, *a, **kw):
            from transformers import TrainerCallback

            outer = self

            class Clock(TrainerCallback):
                def on_train_begin(self, args, state, control, **k):  # after a checkpoint's state is loaded
                    outer.session_t0 = time.perf_counter()
                    outer.session_tokens0, outer.session_step0 = state.num_input_tokens_seen, state.global_step

            self.add_callback(Clock())
            return super().train(*a, **kw)

        def evaluate(self, *a, **kw):
            t0 = time.perf_counter()
            try:
                return super().evaluate(*a, **kw)
            finally:
                self.session_eval_s += time.perf_counter() - t0
                self.session_evals += 1

        def log(self, logs, start_time=None):
            if "loss" in logs:  # a point on the training curve
                if self.session_t0 is not None and time.perf_counter() > self.session_t0:
                    seen = self.state.num_input_tokens_seen - self.session_tokens0
                    logs["tokens_per_s"] = round(seen / (time.perf_counter() - self.session_t0), 1)
                start_time = None  # keeps per-step lines free of the end-of-training train_* speed keys
            super().log(logs, start_time)

    Tracked.__name__ = Tracked.__qualname__ = f"Tracked{trainer_cls.__name__}"
    return Tracked


def checkpointing_kwargs(on: bool) -> dict:
    """Activation checkpointing under its name in this transformers (renamed in 5.2x)."""
    from transformers import TrainingArguments

    name = "activation_checkpointing"
    if name not in TrainingArguments.__dataclass_fields__:
        name = "gradient_checkpointing"
    return {name: on, f"{name}_kwargs": {"use_reentrant": False} if on else None}


def peak_memory_mb() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def step0_eval_loss(log_history: list[dict], metrics_jsonl: Path) -> float | None:
    """Validation loss before training: this session's step-0 eval, or (resumed) the run's metrics.jsonl."""
    for h in log_history:
        if h.get("step") == 0 and "eval_loss" in h:
            return h["eval_loss"]
    if metrics_jsonl.is_file():
        for line in metrics_jsonl.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("step") == 0 and rec.get("eval_loss") is not None:
                return rec["eval_loss"]
    return None


def quiet_progress_bars() -> None:
    """Switch off the loading/saving/mapping bars of transformers, huggingface_hub and datasets."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        import datasets

        datasets.disable_progress_bars()
    except ImportError:
        pass


# --- the session ----------------------------------------------------------------------------------------------
class Session:
    def __init__(self, cfg: RunConfig, *, command: str, backend: str = "hf", fresh: bool = False,
                 runs_db: Path | None = None, progress: str = "auto", progress_every: float = 30.0):
        import torch
        from accelerate import PartialState

        self.t_start = time.perf_counter()
        self.cfg, self.command, self.backend = cfg, command, backend
        if cfg.train.deterministic:  # cuBLAS reads it when its first handle is made: before any CUDA work
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":16:8")  # what transformers sets too
        self.state = PartialState(cpu=not torch.cuda.is_available())  # first init wins: gloo on CPU
        self.on_gpu = torch.cuda.is_available()
        self.run_dir = cfg.output_path
        self.ckpt_dir = self.run_dir / "checkpoints"
        self.runs_db = runs_db or self.run_dir.parent / "runs.db"
        self.progress = progress_mode(progress)
        self.progress_every = progress_every
        if self.progress != "bar":  # bars written to a log file are one endless line of \r updates
            quiet_progress_bars()
        if fresh and self.state.is_main_process and self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        self.state.wait_for_everyone()
        self.plan = plan_run(cfg, self.run_dir, command)
        self.say(f"run folder: {shown_path(self.run_dir)}")
        if self.plan.message:
            self.say(self.plan.message)

    @property
    def is_main(self) -> bool:
        return self.state.is_main_process

    def say(self, text: str) -> None:
        if self.is_main:
            print(text, flush=True)

    def seed(self) -> None:
        """Re-seed python, numpy and torch (and switch deterministic kernels on when asked)."""
        from transformers import enable_full_determinism, set_seed

        (enable_full_determinism if self.cfg.train.deterministic else set_seed)(self.cfg.seed)

    def trainer_kwargs(self, dtype) -> dict:
        """TrainingArguments (or TRL DPOConfig) keywords that every method shares."""
        import torch

        t, gpu = self.cfg.train, self.on_gpu
        return dict(
            output_dir=str(self.ckpt_dir),
            seed=self.cfg.seed,
            data_seed=self.cfg.seed,
            full_determinism=t.deterministic,
            learning_rate=t.learning_rate,
            lr_scheduler_type=t.lr_scheduler,
            # transformers reads a warmup_steps below 1 as a fraction of the run's steps
            warmup_steps=t.warmup_ratio if t.warmup_ratio is not None else t.warmup_steps,
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
            eval_on_start=self.plan.resume is None,
            save_strategy="steps",
            save_steps=t.save_steps,
            save_total_limit=t.save_total_limit,
            bf16=gpu and dtype == torch.bfloat16,
            fp16=gpu and dtype == torch.float16,
            use_cpu=not gpu,
            ddp_backend="gloo" if not gpu and self.state.num_processes > 1 else None,
            include_num_input_tokens_seen="non_padding",
            average_tokens_across_devices=True,
            remove_unused_columns=False,
            report_to="none",
            dataloader_num_workers=0,
            disable_tqdm=self.progress != "bar",
            **checkpointing_kwargs(t.gradient_checkpointing and self.backend == "hf"),  # unsloth does its own
        )

    def _attach_progress(self, trainer) -> None:
        from transformers.trainer_callback import PrinterCallback, ProgressCallback

        if self.progress in ("lines", "none"):
            trainer.remove_callback(PrinterCallback)
            trainer.remove_callback(ProgressCallback)
        if self.progress == "lines":
            trainer.add_callback(make_line_progress(self.progress_every))

    def run(self, trainer, tok, *, data_fingerprint: str, val_fingerprint: str, data_report: dict,
            data_source: dict | None = None, perplexity: bool = True) -> dict:
        """Train (resuming per the plan), save the adapter, record everything; return the summary."""
        import torch

        from training.runlog import RunLog, git_commit, make_callback

        runlog = RunLog(self.run_dir, self.runs_db, perplexity=perplexity)
        runlog.start(
            {**self.cfg.to_dict(), "backend": self.backend},
            git_commit=git_commit(),
            dataset_fingerprint=data_fingerprint,
            data_report=data_report,
            val_fingerprint=val_fingerprint,
            data_source=data_source,
        )
        trainer.add_callback(make_callback(runlog))
        self._attach_progress(trainer)
        if self.on_gpu:
            torch.cuda.reset_peak_memory_stats()
        resume = self.plan.resume
        stop = StopOnSignal(notice=lambda text: self.say(text))
        t_train = time.perf_counter()
        try:
            with stop:
                trainer.add_callback(stop.callback())
                trainer.train(resume_from_checkpoint=str(resume) if resume else None)
        except KeyboardInterrupt:
            self._finish_interrupted(trainer, runlog, time.perf_counter() - t_train, at_once=True)
        except BaseException as e:
            runlog.finish(status="failed", error=repr(e)[:500], steps=trainer.state.global_step)
            raise
        train_s = time.perf_counter() - t_train
        if stop.requested and trainer.state.global_step < trainer.state.max_steps:
            self._finish_interrupted(trainer, runlog, train_s, at_once=False)
        try:
            summary = self._summary(trainer, train_s, perplexity)
            trainer.save_model(str(self.run_dir / "adapter"))  # every rank: FSDP gathers shards; rank 0 writes
            if self.is_main:
                tok.save_pretrained(self.run_dir / "adapter")
            self.state.wait_for_everyone()
        except KeyboardInterrupt:  # during the final evaluation or the adapter save
            self._finish_interrupted(trainer, runlog, train_s, at_once=True)
        except BaseException as e:
            runlog.finish(status="failed", error=repr(e)[:500], steps=trainer.state.global_step)
            raise
        runlog.finish(status="complete", **summary)
        self.say(f"done: {summary}")
        self.say(f"run folder: {shown_path(self.run_dir)} (status complete); export it with "
                 f"python -m training.export.merge --run {shown_path(self.run_dir)}")
        return summary

    def _session_stats(self, trainer, train_s: float) -> dict:
        st = trainer.state
        began = trainer.session_t0 is not None  # False: stopped before the first step of this session
        tokens = st.num_input_tokens_seen - trainer.session_tokens0 if began else 0
        eval_s = trainer.session_eval_s
        return dict(
            steps=trainer.state.global_step,
            max_steps=trainer.state.max_steps,
            tokens_trained=int(trainer.state.num_input_tokens_seen),
            session_steps=st.global_step - trainer.session_step0 if began else 0,
            session_tokens=int(tokens),
            train_time_s=round(train_s, 2),
            eval_time_s=round(eval_s, 2),
            evaluations=trainer.session_evals,
            tokens_per_s=round(tokens / train_s, 1) if train_s > 0 else None,
            tokens_per_s_excl_eval=round(tokens / (train_s - eval_s), 1) if train_s > eval_s else None,
            resumed_from=str(self.plan.resume) if self.plan.resume else None,
            continued_from_step=self.plan.continued_from,
        )

    def _finish_interrupted(self, trainer, runlog, train_s: float, *, at_once: bool) -> None:
        step = trainer.state.global_step
        runlog.finish(status="interrupted", **self._session_stats(trainer, train_s),
                      wall_time_s=round(time.perf_counter() - self.t_start, 2))
        last = latest_checkpoint(self.ckpt_dir)
        kept = f"the last checkpoint is {shown_path(last)}" if last else "no checkpoint was saved yet"
        how = "stopped at once" if at_once else "stopped after the step and saved a checkpoint"
        raise Interrupted(
            f"{self.command} {how} at step {step} of {trainer.state.max_steps}; {kept}; "
            f"the run is recorded as interrupted in {shown_path(self.run_dir / 'summary.json')}",
            "Re-run the same command to resume." if last else "Re-run the same command to start again.",
        )

    def _summary(self, trainer, train_s: float, perplexity: bool) -> dict:
        import torch

        state = trainer.state
        evals = [h for h in state.log_history if "eval_loss" in h and h.get("step") == state.global_step]
        final_eval = evals[-1] if evals else trainer.evaluate()  # the "after" point
        val_after = final_eval["eval_loss"]
        val_before = step0_eval_loss(state.log_history, self.run_dir / "metrics.jsonl")
        peak = torch.tensor(peak_memory_mb(), device=trainer.args.device)
        if self.state.num_processes > 1:
            peak = trainer.accelerator.reduce(peak, reduction="max")
        dtype = next(p.dtype for p in trainer.model.parameters())
        summary = dict(
            method=self.cfg.method,
            backend=self.backend,
            device=torch.cuda.get_device_name() if self.on_gpu else "cpu",
            processes=self.state.num_processes,
            dtype=str(dtype).replace("torch.", ""),
            **self._session_stats(trainer, train_s),
            wall_time_s=round(time.perf_counter() - self.t_start, 2),
            peak_memory_mb=round(peak.item(), 1),
            val_loss_before=val_before,
            val_loss=val_after,
            final_train_loss=next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None),
            val_metrics={k: v for k, v in final_eval.items()
                         if k.startswith("eval_") and not k.endswith(("_runtime", "_per_second"))},
        )
        if perplexity:
            summary["val_ppl_before"] = math.exp(val_before) if val_before is not None else None
            summary["val_ppl"] = math.exp(val_after)
        return summary
