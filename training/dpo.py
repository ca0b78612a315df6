"""Stage: DPO (direct preference optimization) with LoRA, driven by one YAML config.

    python -m training.dpo --config training/configs/smollm2/135m_dpo_tiny.yaml
    python -m training.dpo --config training/configs/smollm2/135m_dpo_hints.yaml      # on a GPU

TRL's ``DPOTrainer`` (trl 1.15) with a PEFT LoRA adapter: the trainer wraps the base model in
the adapter (``peft_config``), and the reference model is that same base with the adapter
switched off, so no second copy is held in memory. DPO usually starts from an SFT result:
``model.name: run:<run folder>`` loads that run's base with its LoRA adapter merged in (or
its export/merged folder), so the SFT model is both the starting point and the reference.

Data: preference pairs in TRL's conversational format, one object per line
({"prompt": [...messages ending with the user's turn], "chosen": [{"role": "assistant", ...}],
"rejected": [...], "meta": {...}}), cleaned and split by training/pairs.py. The chat template
is the config's stored template (``model.chat_template``), the one SFT's masking used.

The rest is sft's: the same config style (``method: dpo`` and a ``dpo:`` section with
``beta`` and ``loss_type``), run folder, runs.db record, resume after a kill, continuing with
a larger ``train.max_steps``, Ctrl-C, progress lines (training/session.py). Logged per step:
train loss, rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, ...; the
validation DPO loss before training is ln 2 = 0.693 (policy = reference). On a machine without
Triton (CPU), TRL's fused log-prob kernel is replaced by plain PyTorch (training/trl_cpu.py).
"""

from __future__ import annotations

import sys

from training import cli
from training.config import RunConfig, require_method
from training.errors import DataError


def make_trainer_class():
    from trl import DPOTrainer

    from training.session import tracked

    return tracked(DPOTrainer)


def train(cfg: RunConfig, *, fresh: bool = False, runs_db=None, progress: str = "auto",
          progress_every: float = 30.0) -> dict:
    require_method(cfg, "dpo")
    cli.quiet_bars_early(progress)
    from datasets import Dataset
    from trl import DPOConfig

    from training.base_model import load_base_model
    from training.data import DataSettings
    from training.masking import load_chat_template
    from training.pairs import prepare_pairs
    from training.session import Session
    from training.sft import lora_config
    from training.trl_cpu import ensure_logprob_kernel

    ensure_logprob_kernel()  # TRL 1.15's DPO log-probs need Triton (GPU); plain PyTorch elsewhere

    session = Session(cfg, command="training.dpo", backend="hf", fresh=fresh, runs_db=runs_db,
                      progress=progress, progress_every=progress_every)
    if session.plan.complete:
        return {"status": "complete", "run_dir": str(session.run_dir)}
    with session.state.main_process_first():
        model, tok = load_base_model(cfg.model)
    tok.chat_template = load_chat_template(cfg.model.chat_template)  # the template SFT's masking used
    data = prepare_pairs(DataSettings.from_config(cfg), tok)
    report = data.report.to_dict()
    if not data.train or not data.val:
        raise DataError(
            f"{cfg.path}: data left {len(data.train)} train / {len(data.val)} val pairs after cleaning: {report}",
            "Check data.source (preference pairs: prompt/chosen/rejected) and model.max_seq_len.",
        )
    session.say(f"data: {len(data.train)} train / {len(data.val)} val pairs from {cfg.data.source}; {report}")

    dtype = next(p.dtype for p in model.parameters())
    args = DPOConfig(
        **session.trainer_kwargs(dtype),
        beta=cfg.dpo.beta,
        loss_type=[cfg.dpo.loss_type],
        max_length=cfg.model.max_seq_len,  # pairs over it were dropped above; nothing is cut
        disable_dropout=True,
        precompute_ref_log_probs=False,
        dataset_num_proc=None,
    )
    trainer = make_trainer_class()(  # DPOTrainer seeds before it wraps the model in LoRA
        model=model,
        args=args,
        train_dataset=Dataset.from_list(data.train),
        eval_dataset=Dataset.from_list(data.val),
        processing_class=tok,
        peft_config=lora_config(cfg),
    )
    return session.run(trainer, tok, data_fingerprint=data.fingerprint, val_fingerprint=data.val_fingerprint,
                       data_report=report, data_source=DataSettings.from_config(cfg).source_identity(),
                       perplexity=False)


@cli.command
def main(argv: list[str] | None = None) -> int:
    return cli.training_main(__doc__, train, argv)


if __name__ == "__main__":
    sys.exit(main())
