"""TRL 1.15's DPOTrainer on a machine without Triton (the CPU build of torch): the missing log-prob kernel.

    from training.trl_cpu import ensure_logprob_kernel
    ensure_logprob_kernel()          # before DPOTrainer runs; does nothing where TRL has its kernel

TRL 1.15 computes every per-token log-probability of DPO through ``add_fused_lm_head``, whose
projection is ``trl.kernels.ChunkedLogProbFunction``: cuBLAS tiles plus a Triton kernel. Triton
ships with the CUDA builds of torch only, so on the CPU TRL sets that function to None and
every DPO step fails with "'NoneType' object has no attribute 'apply'". This module supplies
the same contract in plain PyTorch (full logits, autograd for the backward): the log-probs
and entropy that the loss uses, and the logging extras (``log(sum p^2)``, the mean logit,
whether the target is the argmax, first maximum wins, as in TRL's kernel). ``ensure_logprob_kernel``
routes tensors that are not on a GPU to it and everything else to TRL's kernel, so a CUDA run
is unchanged. Memory: it materializes [tokens, vocab] logits, fine for the CPU runs it exists
for (CI, the tiny configs).
"""

from __future__ import annotations

OPTIONAL_OUTPUTS = ("entropy", "log_sum_sq_probs", "mean_logits", "is_top1")


class TorchLogProbs:
    """``trl.kernels.ChunkedLogProbFunction.apply`` in plain PyTorch (same arguments, same five outputs)."""

    @staticmethod
    def apply(hidden, weight, bias, targets, temperature, chunk_size, final_logit_softcapping=None,
              logit_scale=1.0, outputs=OPTIONAL_OUTPUTS):
        import torch

        z = hidden.float() @ weight.float().t()
        if bias is not None:
            z = z + bias.float()
        z = z * logit_scale
        if final_logit_softcapping is not None:
            z = final_logit_softcapping * torch.tanh(z / final_logit_softcapping)
        z = z / temperature
        log_z = torch.logsumexp(z, dim=-1)
        logprobs = z.gather(-1, targets.long().unsqueeze(-1)).squeeze(-1) - log_z
        entropy = log_sum_sq = mean_logits = is_top1 = None
        if "entropy" in outputs:
            entropy = log_z - (torch.softmax(z, dim=-1) * z).sum(-1)
        with torch.no_grad():
            if "log_sum_sq_probs" in outputs:
                log_sum_sq = torch.logsumexp(2 * (z - log_z.unsqueeze(-1)), dim=-1)
            if "mean_logits" in outputs:
                mean_logits = z.mean(-1)
            if "is_top1" in outputs:
                is_top1 = z.argmax(-1) == targets
        return logprobs, entropy, log_sum_sq, mean_logits, is_top1


class Dispatch:
    """TRL's kernel for GPU tensors (when it has one), TorchLogProbs for everything else."""

    def __init__(self, kernel):
        self.kernel = kernel

    def apply(self, hidden, *args, **kwargs):
        if self.kernel is not None and hidden.device.type in ("cuda", "xpu"):
            return self.kernel.apply(hidden, *args, **kwargs)
        return TorchLogProbs.apply(hidden, *args, **kwargs)


def ensure_logprob_kernel() -> None:
    """Route TRL's fused log-prob head through ``Dispatch`` (idempotent)."""
    import trl.trainer.utils as trl_utils

    current = trl_utils._ChunkedLogProbFunction
    if not isinstance(current, Dispatch):
        trl_utils._ChunkedLogProbFunction = Dispatch(current)
