"""Step 5 of the export: check that each GGUF loads, answers cleanly and agrees with the HF model.

    python -m training.export.check --run runs/smollm2-135m-lora-tiny            # f16 + every quant present
    python -m training.export.check --run runs/smollm2-135m-lora-tiny --quant f16 Q4_K_M

For each GGUF file:
  1. it loads in llama-cpp-python and carries a chat template (tokenizer.chat_template);
  2. a greedy chat reply through that template (create_chat_completion) ends with
     finish_reason "stop" and contains no role markers (<|im_start|>, <|im_end|>, "user:"...);
  3. the first --n-tokens greedy tokens of the same templated prompt (the HF tokenizer's
     chat template, the same prompt ids fed to both) match the merged HF model's: exactly for
     f16 (--min-agreement-f16), and reported as a fraction for quantized files
     (--min-agreement-quant, 0 = report only). Where the f16 tokens first leave the HF
     model's on a near tie (the HF model's log-probabilities of the two tokens there differ by
     at most --tie-nats, default 0.02), the tokens after it cannot be compared and the file
     passes: f16 weights and llama.cpp's arithmetic move logits by about that much. check.json
     records the step and the gap ("near_tie").
Writes runs/X/export/check.json and exits 1 with a message per failure.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from training import cli
from training.export import (
    parser,
    QUANTS,
    ExportError,
    export_dir,
    gguf_path,
    log,
    merged_dir,
    read_json,
    run_dir,
    write_json,
)

DEFAULT_PROMPT = "What is 2 + 2? Answer in one short sentence."
TIE_NATS = 0.02
ROLE_MARKERS = re.compile(
    r"<\|im_start\|>|<\|im_end\|>|<\|start_header_id\|>|<\|eot_id\|>|<\|(?:user|assistant|system|end)\|>"
    r"|(?:^|\n)\s*(?:user|assistant|system|human|gpt)\s*:",
    re.IGNORECASE,
)


def role_markers(text: str) -> list[str]:
    return sorted({m.group(0).strip() for m in ROLE_MARKERS.finditer(text)})


def agreement(a: list[int], b: list[int]) -> float:
    """Fraction of positions that match before the first divergence (1.0 = identical sequences)."""
    n = max(len(a), len(b))
    if n == 0:
        return 1.0
    same = 0
    for x, y in zip(a, b):
        if x != y:
            break
        same += 1
    return round(same / n, 4)


def hf_reference(hf_dir: Path, prompt: str, n_tokens: int) -> dict:
    """The HF model's templated prompt ids and its first greedy tokens (stops at EOS)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tok = AutoTokenizer.from_pretrained(hf_dir)
    if not tok.chat_template:
        raise ExportError(f"{hf_dir} has no chat template: re-run python -m training.export.merge --force")
    text = tok.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    ids = tok(text, add_special_tokens=False)["input_ids"]
    model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32)
    model.eval()
    eos = model.generation_config.eos_token_id if model.generation_config else None
    eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tok.eos_token_id is not None:
        eos_ids.add(tok.eos_token_id)
    with torch.no_grad():
        gen = model.generate(
            torch.tensor([ids]),
            attention_mask=torch.ones(1, len(ids), dtype=torch.long),
            max_new_tokens=n_tokens,
            do_sample=False,
            eos_token_id=sorted(eos_ids) or None,
            pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
            output_logits=True,
            return_dict_in_generate=True,
        )
    new = gen.sequences[0, len(ids) :].tolist()
    logprobs = [step[0].float().log_softmax(-1) for step in gen.logits]  # per generated step
    for i, t in enumerate(new):
        if t in eos_ids:
            new = new[: i + 1]
            break
    return {"prompt_text": text, "prompt_ids": ids, "tokens": new, "text": tok.decode(new), "logprobs": logprobs}


def near_tie(ref: dict, tokens: list[int], tie_nats: float) -> dict | None:
    """Where ``tokens`` first leave the HF model's greedy tokens, when that is a near tie: the HF
    model's log-probabilities of its token and of the other differ by at most ``tie_nats`` there.
    None when they never differ, differ in length only, or the gap is larger."""
    hf, logprobs = ref["tokens"], ref.get("logprobs") or []
    step = next((i for i, (a, b) in enumerate(zip(hf, tokens)) if a != b), None)
    if step is None or step >= len(logprobs):
        return None
    lp = logprobs[step]
    gap = float(lp[hf[step]] - lp[tokens[step]])
    if gap > tie_nats:
        return None
    return {"step": step, "hf_token": hf[step], "gguf_token": tokens[step], "gap_nats": round(gap, 5)}


def _is_eog(llm, token: int) -> bool:
    import llama_cpp

    try:
        return bool(llama_cpp.llama_vocab_is_eog(llm._model.vocab, token))
    except Exception:  # older/newer bindings
        return token == llm.token_eos()


def check_gguf(
    path: Path,
    *,
    prompt: str,
    ref: dict | None,
    n_tokens: int,
    max_tokens: int,
    min_agreement: float,
    threads: int,
    tie_nats: float = TIE_NATS,
) -> dict:
    """All checks for one file -> {"ok", "failures", ...}."""
    from llama_cpp import Llama

    res: dict = {
        "file": path.name,
        "mb": round(path.stat().st_size / 1e6, 2) if path.is_file() else None,
        "failures": [],
    }
    if not path.is_file():
        res["failures"].append(f"{path} does not exist")
        res["ok"] = False
        return res
    t0 = time.time()
    try:
        llm = Llama(model_path=str(path), n_ctx=1024, n_threads=threads, seed=0, verbose=False)
    except Exception as exc:
        res["failures"].append(
            f"{path.name} does not load in llama-cpp-python ({exc}); the file is broken or "
            "truncated: redo it with --force (convert/quantize)"
        )
        res["ok"] = False
        return res
    try:
        res["load_s"] = round(time.time() - t0, 2)
        template = llm.metadata.get("tokenizer.chat_template")
        res["has_chat_template"] = bool(template)
        if not template:
            res["failures"].append(
                f"{path.name} has no tokenizer.chat_template: llama-cpp-python would fall back "
                "to a wrong format; save the tokenizer with its template (merge --force)"
            )
        # 2. a chat reply through the GGUF's own template
        t1 = time.time()
        out = llm.create_chat_completion(
            messages=[{"role": "user", "content": prompt}],
            temperature=0.0,
            top_k=1,
            top_p=1.0,
            repeat_penalty=1.0,
            max_tokens=max_tokens,
            seed=0,
        )
        choice = out["choices"][0]
        reply = choice["message"].get("content") or ""
        res.update(
            reply=reply,
            finish_reason=choice.get("finish_reason"),
            reply_s=round(time.time() - t1, 2),
            reply_tokens=out.get("usage", {}).get("completion_tokens"),
        )
        if res["finish_reason"] != "stop":
            res["failures"].append(
                f"{path.name}: the reply did not stop within {max_tokens} tokens (finish_reason "
                f"{res['finish_reason']!r}): the model does not emit its end-of-turn token; check the chat "
                "template used in training and the EOS ids in the GGUF"
            )
        markers = role_markers(reply)
        res["role_markers"] = markers
        if markers:
            res["failures"].append(
                f"{path.name}: the reply contains role markers {markers}: the user/assistant "
                "turns bled into the training targets or the template is wrong"
            )
        if not reply.strip():
            res["failures"].append(f"{path.name}: the reply is empty")
        # 3. greedy tokens against the HF model, on the same prompt ids
        if ref is not None:
            gguf_prompt = llm.tokenize(ref["prompt_text"].encode(), add_bos=False, special=True)
            res["prompt_ids_match"] = gguf_prompt == ref["prompt_ids"]
            tokens: list[int] = []
            for t in llm.generate(
                ref["prompt_ids"], top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0
            ):
                tokens.append(int(t))
                if _is_eog(llm, t) or len(tokens) >= n_tokens:
                    break
            res["tokens"] = tokens
            res["agreement"] = agreement(ref["tokens"], tokens)
            tie = near_tie(ref, tokens, tie_nats) if res["agreement"] < min_agreement else None
            if tie is not None:
                res["near_tie"] = tie
            elif res["agreement"] < min_agreement:
                res["failures"].append(
                    f"{path.name}: first greedy tokens differ from the HF model "
                    f"(agreement {res['agreement']:.2f} < {min_agreement:.2f}): "
                    f"HF {ref['tokens']} vs GGUF {tokens}"
                )
    finally:
        llm.close()
    res["ok"] = not res["failures"]
    return res


def check(
    run: Path,
    quants: list[str] | None = None,
    *,
    prompt: str = DEFAULT_PROMPT,
    n_tokens: int = 12,
    max_tokens: int = 128,
    min_agreement_f16: float = 1.0,
    min_agreement_quant: float = 0.0,
    use_hf: bool = True,
    threads: int = 2,
    tie_nats: float = TIE_NATS,
) -> dict:
    """Check the run's GGUF files; write export/check.json; return the report."""
    if quants is None:
        quants = ["f16"] + [q for q in QUANTS if gguf_path(run, q).is_file()]
    ref = None
    hf_dir = merged_dir(run)
    if use_hf:
        if not (hf_dir / "config.json").is_file():
            raise ExportError(
                f"no HF model at {hf_dir} to compare with: run python -m training.export.merge "
                f"--run {run} first, or pass --no-hf"
            )
        log(f"HF reference: first {n_tokens} greedy tokens of the templated prompt")
        ref = hf_reference(hf_dir, prompt, n_tokens)
        log(f"HF says {ref['text']!r}")
    report = {
        "ok": True,
        "prompt": prompt,
        "n_tokens": n_tokens,
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "hf": {k: ref[k] for k in ("tokens", "text")} if ref else None,
        "files": {},
        "failures": [],
    }
    for q in quants:
        path = gguf_path(run, q)
        need = min_agreement_f16 if q in ("f16", "bf16", "f32") else min_agreement_quant
        log(f"checking {path.name}")
        res = check_gguf(
            path,
            prompt=prompt,
            ref=ref,
            n_tokens=n_tokens,
            max_tokens=max_tokens,
            min_agreement=need,
            threads=threads,
            tie_nats=tie_nats,
        )
        res["checked_at"] = report["checked_at"]
        res["file_mtime_ns"] = path.stat().st_mtime_ns if path.is_file() else None
        report["files"][q] = res
        report["failures"] += res["failures"]
        shown = ("finish_reason", "agreement", "near_tie", "load_s")
        summary = ", ".join(f"{k} {res[k]}" for k in shown if k in res)
        log(f"{'ok' if res['ok'] else 'FAILED'}: {path.name} ({summary}) reply {res.get('reply', '')[:80]!r}")
    report["ok"] = not report["failures"]
    # Keep earlier results for files not checked this time (register reads them per file).
    previous = read_json(export_dir(run) / "check.json").get("files") or {}
    write_json(export_dir(run) / "check.json", {**report, "files": {**previous, **report["files"]}})
    return report


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, "Check a run's GGUF files: load, clean chat reply, agreement with HF.")
    ap.add_argument(
        "--quant",
        nargs="+",
        default=None,
        choices=("f16",) + QUANTS,
        help="files to check (default: f16 and every quantized file present)",
    )
    ap.add_argument("--prompt", default=DEFAULT_PROMPT, help="user message for the checks")
    ap.add_argument("--n-tokens", type=int, default=12, help="greedy tokens compared with the HF model")
    ap.add_argument(
        "--max-tokens", type=int, default=128, help="the chat reply must stop within this many tokens"
    )
    ap.add_argument(
        "--min-agreement-f16",
        type=float,
        default=1.0,
        help="required fraction of matching greedy tokens for f16 (1.0 = identical)",
    )
    ap.add_argument(
        "--min-agreement-quant",
        type=float,
        default=0.0,
        help="required fraction for quantized files (0 = report only)",
    )
    ap.add_argument(
        "--tie-nats",
        type=float,
        default=TIE_NATS,
        help="f16 may leave the HF tokens where the HF log-probabilities of the two tokens differ by at "
        f"most this (a near tie; default {TIE_NATS}, 0 = never)",
    )
    ap.add_argument("--no-hf", action="store_true", help="skip the comparison with the merged HF model")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for llama.cpp")
    args = ap.parse_args(argv)
    run = run_dir(args.run)
    report = check(
        run,
        args.quant,
        prompt=args.prompt,
        n_tokens=args.n_tokens,
        max_tokens=args.max_tokens,
        min_agreement_f16=args.min_agreement_f16,
        min_agreement_quant=args.min_agreement_quant,
        use_hf=not args.no_hf,
        threads=args.threads,
        tie_nats=args.tie_nats,
    )
    if not report["ok"]:
        print("check FAILED:", file=sys.stderr)
        for msg in report["failures"]:
            print(f"  - {msg}", file=sys.stderr)
        print(f"details: {run / 'export' / 'check.json'}", file=sys.stderr)
        return 1
    log(f"check passed: {', '.join(report['files'])} -> {run / 'export' / 'check.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
