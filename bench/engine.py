"""Engine benchmark on the embedded model (SmolLM2-135M Q4_1): prints a table, writes JSON.

    .venv/bin/python -m bench.engine                       # 5 runs, JSON to bench/results/engine.json
    .venv/bin/python -m bench.engine --runs 9 --max-tokens 128 --threads 2

What it measures, in one process, on the same prompt and settings (greedy, fixed seed):
- cold load: the app's first ``load_backend`` (registry + file check + Llama) vs ``Llama(...)``
  (``import llama_cpp`` is timed apart);
- first-token time and tokens/s through the app's Engine vs llama-cpp-python called
  directly (``create_chat_completion(stream=True)``), interleaved A B B A ... so drift hits
  both equally; every run starts from an empty KV cache; medians are reported;
- the first token of a follow-up turn (turn 2 after turn 1 was answered): the cached prefix
  is reused; shown beside the same turn with an empty cache, and after another session's
  turn in between (with and without the app's RAM cache, tutor.engine.backends.llamacpp.compact_ram_cache).

Goals: Engine costs <= 5 % tokens/s; follow-up first token <= 0.5 s on 2 cores.
Times are seconds (s), speeds tokens per second (tok/s). The box is shared: look at the
spread (min-max) as well as the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from tutor.config import get_settings
from tutor.engine import Engine, GenSettings, LlamaCppBackend, Token, load_backend

SYSTEM = (
    "You are a patient study tutor for university students. Explain the idea step by step in "
    "plain words, show the working for any calculation, and end with a one-line summary. "
    "If the question is unclear, say what you assume."
)
QUESTIONS = [
    ("What is photosynthesis?", "Where does the energy for it come from?"),
    ("How do I solve 3x + 5 = 20?", "Why do we subtract 5 first?"),
    ("What is a prime number?", "Is 1 a prime number?"),
    ("What does a derivative measure?", "What is the derivative of x squared?"),
    ("Why is the sky blue?", "Then why are sunsets red?"),
]
GOAL_RATIO = 0.95
GOAL_FOLLOWUP_S = 0.5


def conversation(i: int, turn1_answer: str | None = None) -> list[dict]:
    q1, q2 = QUESTIONS[i % len(QUESTIONS)]
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q1}]
    if turn1_answer is not None:
        msgs += [{"role": "assistant", "content": turn1_answer}, {"role": "user", "content": q2}]
    return msgs


def _rate(n: int, first: float | None, last: float | None) -> float | None:
    return (n - 1) / (last - first) if n > 1 and first and last and last > first else None


def run_direct(llama: Any, messages: list[dict], gen: GenSettings) -> dict[str, Any]:
    """llama-cpp-python called directly, timed like the Engine run (from the call)."""
    llama.reset()  # empty KV cache: the whole prompt is evaluated
    t0 = time.perf_counter()
    first = last = None
    n, text = 0, []
    finish = None
    for chunk in llama.create_chat_completion(
        messages=messages, stream=True, temperature=gen.temperature, top_p=gen.top_p, top_k=gen.top_k,
        repeat_penalty=gen.repeat_penalty, max_tokens=gen.max_tokens, seed=gen.seed,
    ):
        choice = chunk["choices"][0]
        piece = choice["delta"].get("content") or ""
        if piece:
            last = time.perf_counter()
            first = first or last
            n += 1
            text.append(piece)
        finish = choice.get("finish_reason") or finish
    return {"ttft_s": first - t0 if first else None, "tokens": n, "tokens_per_s": _rate(n, first, last),
            "text": "".join(text), "finish": finish}


def run_engine(engine: Engine, messages: list[dict], gen: GenSettings, reset: bool = True) -> dict[str, Any]:
    """Through the app's Engine (queue + context fitting + streaming), timed from the call."""
    if reset:
        engine.backend.llama.reset()
    t0 = time.perf_counter()
    first = last = None
    n, text, finish = 0, [], None
    for ev in engine.generate(messages, gen):
        if isinstance(ev, Token):
            last = time.perf_counter()
            first = first or last
            n += 1
            text.append(ev.text)
        elif hasattr(ev, "finish_reason"):
            finish = ev.finish_reason
    return {"ttft_s": first - t0 if first else None, "tokens": n, "tokens_per_s": _rate(n, first, last),
            "text": "".join(text), "finish": finish}


def spread(values: list[float | None]) -> dict[str, float | None]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def bench_followup(engine: Engine, gen: GenSettings, runs: int) -> dict[str, Any]:
    """Turn 2's first token in four situations, all measured in each run (interleaved)."""
    from tutor.engine.backends.llamacpp import compact_ram_cache

    backend: LlamaCppBackend = engine.backend  # type: ignore[assignment]
    llama = backend.llama
    warm, cold, between, between_ram, prefix, save_s, state_mb = [], [], [], [], [], [], []
    for i in range(runs):
        # (a) the usual case: turn 1, then its follow-up; the KV cache holds turn 1
        a1 = run_engine(engine, conversation(i), gen)["text"]
        turn2 = conversation(i, a1)
        tokens2 = llama.tokenize(backend.prompt_text(turn2).encode(), add_bos=False, special=True)
        prefix.append({"cached": int(llama.n_tokens), "reused": common_prefix(llama._input_ids.tolist(), tokens2),
                       "prompt": len(tokens2)})
        t = time.perf_counter()
        state = llama.save_state()  # what the RAM cache does after every answer
        save_s.append(time.perf_counter() - t)
        # what the app's cache keeps of it (compact_ram_cache: one row of scores)
        state_mb.append((state.llama_state_size + state.scores[-1:].nbytes + state.input_ids.nbytes) / 2**20)
        warm.append(run_engine(engine, turn2, gen, reset=False)["ttft_s"])
        # (b) the same turn 2 from an empty cache (what prefix reuse saves)
        cold.append(run_engine(engine, turn2, gen, reset=True)["ttft_s"])
        # (c) another student's turn in between: the KV cache holds the other session
        run_engine(engine, conversation(i + 1), gen, reset=True)
        between.append(run_engine(engine, turn2, gen, reset=False)["ttft_s"])
        # (d) like (c) with the app's RAM cache (a saved state per answer)
        llama.set_cache(compact_ram_cache(LlamaCppBackend.RAM_CACHE_BYTES))
        try:
            run_engine(engine, conversation(i), gen, reset=True)
            run_engine(engine, conversation(i + 1), gen, reset=True)
            between_ram.append(run_engine(engine, turn2, gen, reset=False)["ttft_s"])
        finally:
            llama.set_cache(None)
    return {
        "followup_ttft_s": spread(warm),
        "followup_empty_cache_ttft_s": spread(cold),
        "followup_after_other_session_ttft_s": spread(between),
        "followup_after_other_session_ramcache_ttft_s": spread(between_ram),
        "ram_cache_save_state_s": spread(save_s),
        "ram_cache_state_mb": spread(state_mb),
        "prefix": prefix,
        "raw": {"warm": warm, "cold": cold, "between": between, "between_ramcache": between_ram},
    }


def fmt(v: float | None, unit: str = "s", digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f} {unit}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="repetitions of each measurement (median reported); default 5")
    ap.add_argument("--max-tokens", type=int, default=128, help="tokens generated per answer; default 128")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads; default TUTOR_THREADS or the cores")
    ap.add_argument("--n-ctx", type=int, default=4096, help="context window in tokens; default 4096")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (greedy anyway); default 0")
    ap.add_argument("--json-out", type=Path, default=Path("bench/results/engine.json"),
                    help="where to write the JSON results; default bench/results/engine.json")
    ap.add_argument("--skip-followup", action="store_true", help="measure only load and engine vs direct")
    args = ap.parse_args(argv)

    from dataclasses import replace

    settings = get_settings()
    settings = replace(settings, n_threads=args.threads or settings.n_threads, n_ctx=args.n_ctx)
    gen = GenSettings(temperature=0.0, top_p=0.95, top_k=40, repeat_penalty=1.1,
                      max_tokens=args.max_tokens, seed=args.seed)

    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1):
        print(f"warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs: other work competes "
              "for the cores and the numbers below will be slow and noisy", file=sys.stderr)
    t = time.perf_counter()
    import llama_cpp  # noqa: F401  (imported once, timed on its own)

    import_s = time.perf_counter() - t
    t = time.perf_counter()
    backend = load_backend(settings.model_override or "smollm2-135m", settings)
    engine_load = time.perf_counter() - t
    engine = Engine(backend)
    from llama_cpp import Llama, __version__ as lcp_version

    t = time.perf_counter()
    direct = Llama(model_path=str(backend.path), n_ctx=args.n_ctx, n_threads=settings.n_threads,
                   n_threads_batch=settings.n_threads, verbose=False)
    direct_load = time.perf_counter() - t

    ram_cache = backend.llama.cache  # measured on its own in bench_followup
    backend.llama.set_cache(None)  # engine vs direct: the same work, no saved states
    run_engine(engine, conversation(0), gen)  # warm-up both (page cache, allocations)
    run_direct(direct, conversation(0), gen)
    pairs = []
    for i in range(args.runs):
        msgs = conversation(i)
        order = ("direct", "engine") if i % 2 == 0 else ("engine", "direct")
        res = {}
        for who in order:
            res[who] = run_direct(direct, msgs, gen) if who == "direct" else run_engine(engine, msgs, gen)
        res["same_text"] = res["engine"]["text"] == res["direct"]["text"]
        pairs.append(res)
        print(f"  run {i + 1}/{args.runs}: engine {fmt(res['engine']['tokens_per_s'], 'tok/s', 1)}, "
              f"direct {fmt(res['direct']['tokens_per_s'], 'tok/s', 1)}", file=sys.stderr)
    ratios = [p["engine"]["tokens_per_s"] / p["direct"]["tokens_per_s"] for p in pairs
              if p["engine"]["tokens_per_s"] and p["direct"]["tokens_per_s"]]
    summary: dict[str, Any] = {
        "engine_ttft_s": spread([p["engine"]["ttft_s"] for p in pairs]),
        "direct_ttft_s": spread([p["direct"]["ttft_s"] for p in pairs]),
        "engine_tokens_per_s": spread([p["engine"]["tokens_per_s"] for p in pairs]),
        "direct_tokens_per_s": spread([p["direct"]["tokens_per_s"] for p in pairs]),
        "ratio_tokens_per_s": spread(ratios),
        "same_text_all_runs": all(p["same_text"] for p in pairs),
    }
    follow = None if args.skip_followup else bench_followup(engine, gen, args.runs)
    if follow:
        follow["ram_cache_default_on"] = ram_cache is not None

    ratio = summary["ratio_tokens_per_s"]["median"]
    ft = follow["followup_ttft_s"]["median"] if follow else None
    goals = {
        "engine_vs_direct_tokens_per_s_ratio": {"goal": f">= {GOAL_RATIO}", "value": ratio,
                                                "pass": ratio is not None and ratio >= GOAL_RATIO},
        "followup_ttft_s": {"goal": f"<= {GOAL_FOLLOWUP_S}", "value": ft,
                            "pass": ft is not None and ft <= GOAL_FOLLOWUP_S},
    }

    def row(name, a, b="", ratio_s="", goal="", ok=None):
        mark = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{name:<44} {a:>14} {b:>14} {ratio_s:>8}  {goal:<12} {mark}")

    def med(d, unit="s", digits=3):
        return fmt(d["median"], unit, digits)

    print(f"\nSmolLM2-135M Q4_1, {settings.n_threads} threads, n_ctx {args.n_ctx}, max_tokens {args.max_tokens}, "
          f"greedy, {args.runs} runs (medians), llama-cpp-python {lcp_version}, "
          f"load average {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    row("metric", "engine", "direct", "ratio", "goal", None)
    row("import llama_cpp (once per process)", fmt(import_s), "")
    row("cold load (first load in this process)", fmt(engine_load), fmt(direct_load))
    row("first token (new conversation)", med(summary["engine_ttft_s"]), med(summary["direct_ttft_s"]))
    row("tokens/s", med(summary["engine_tokens_per_s"], "tok/s", 1), med(summary["direct_tokens_per_s"], "tok/s", 1),
        f"{ratio:.3f}" if ratio else "-", f">= {GOAL_RATIO}", goals["engine_vs_direct_tokens_per_s_ratio"]["pass"])
    row("same greedy text, every run", str(summary["same_text_all_runs"]), "")
    if follow:
        row("first token, follow-up turn (prefix reused)", med(follow["followup_ttft_s"]), "", "",
            f"<= {GOAL_FOLLOWUP_S} s", goals["followup_ttft_s"]["pass"])
        row("  same turn, empty KV cache", med(follow["followup_empty_cache_ttft_s"]))
        row("  after another session's turn", med(follow["followup_after_other_session_ttft_s"]))
        row("  after another session's turn + RAM cache", med(follow["followup_after_other_session_ramcache_ttft_s"]))
        row("  RAM cache: saving one state (per answer)", med(follow["ram_cache_save_state_s"]),
            f"{follow['ram_cache_state_mb']['median']:.0f} MB")
        reused = follow["prefix"]
        print(f"prefix reuse: {sum(p['reused'] == p['cached'] for p in reused)}/{len(reused)} follow-ups found "
              f"all cached tokens (prompt {reused[0]['prompt']} tokens, {reused[0]['cached']} cached in run 1)")

    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "threads": settings.n_threads,
                    "llama_cpp_python": lcp_version, "platform": platform.platform(),
                    "loadavg_1min_before_after": [load_before[0], os.getloadavg()[0]]},
        "settings": {"runs": args.runs, "max_tokens": args.max_tokens, "n_ctx": args.n_ctx, "seed": args.seed,
                     "temperature": 0.0, "model": backend.model_name, "model_path": str(backend.path)},
        "load_s": {"engine": engine_load, "direct": direct_load, "import_llama_cpp": import_s},
        "summary": summary, "followup": follow, "goals": goals,
        "runs": [{k: ({kk: vv for kk, vv in v.items() if kk != "text"} if isinstance(v, dict) else v)
                  for k, v in p.items()} for p in pairs],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"\nwrote {args.json_out}")
    backend.close()
    direct.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
