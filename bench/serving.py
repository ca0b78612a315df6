"""Serving benchmark: 1, 4, 8, 16 students at once on each backend, all in one process and one run.

    .venv/bin/python -m bench.serving                                   # the full run (a few minutes)
    .venv/bin/python -m bench.serving --students 1 4 --max-tokens 32 --out /tmp/serving.json   # a quick check

Every student asks a different essay question at the same moment (160-token answers,
the Explain mode's sampling, a fixed seed per student) and the same requests go to:

- ``fifo``: the app's Engine over llama-cpp-python (one answer at a time; today's default);
- ``llama-server``: the Engine over llama.cpp's server engine in-process (xllamacpp), --slots
  slots, continuous batching;
- ``openai``: the Engine over the OpenAI-compatible backend, talking HTTP to that same server;
- ``raw``: the same xllamacpp server called directly (``handle_chat_completions``), no Engine:
  the ceiling the llama-server backend is measured against.

Rounds are interleaved (every N runs each backend, the order rotated each round) so a
busy neighbour hits all of them alike. Per backend and N it prints and saves: tokens/s
overall (answer tokens of all students / first submit -> last answer done), first token
(submit -> first token, queue wait included) and end-to-end p50/p95 per student, seconds.

Goals at 8 students on 2 cores (checked and printed): llama-server first token p95 < 1 s;
its overall tokens/s >= 1.6 x fifo's and >= 0.95 x raw's in the same run.
Writes bench/results/serving.json (override with --out). Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from tutor.config import get_settings
from tutor.engine import Engine, Finished, GenSettings, Token
from tutor.engine.backends.llamacpp import LlamaCppBackend
from tutor.engine.backends.wire import chunk_error, chunk_piece, request_body
from tutor.models import embedded_model_path
from tutor.prompts import build_messages, load_modes

REPO = Path(__file__).resolve().parent.parent
TOPICS = ["the sea", "volcanoes", "the Roman empire", "photosynthesis", "prime numbers", "the moon",
          "bridges", "the immune system", "electricity", "rivers", "the printing press", "bees",
          "glaciers", "the heart", "trains", "deserts"]
VARIANTS = ("fifo", "llama-server", "openai", "raw")
GOAL_TTFT_P95_S = 1.0
GOAL_VS_FIFO = 1.6
GOAL_VS_RAW = 0.95


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, nargs="+", default=[1, 4, 8, 16],
                   help="round sizes: students asking at the same moment (default: 1 4 8 16)")
    p.add_argument("--max-tokens", type=int, default=160, help="answer length asked for, tokens (default: 160)")
    p.add_argument("--slots", type=int, default=8,
                   help="slots of the llama.cpp server (llama-server, openai and raw variants; default: 8)")
    p.add_argument("--n-ctx", type=int, default=2048, help="context of one answer, tokens (default: 2048)")
    p.add_argument("--threads", type=int, default=None,
                   help="llama.cpp threads for both engines (default: TUTOR_THREADS or the cores)")
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS),
                   help="backends to run (default: all four)")
    p.add_argument("--mode", default="explain", help="mode whose instructions and sampling are used (default: explain)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per round (default: 600)")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "serving.json",
                   help="JSON results file (default: bench/results/serving.json)")
    return p.parse_args(argv)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


class Student:
    """One student's request and what they saw: times are seconds from the common start."""

    def __init__(self, messages: list[dict], gen: GenSettings) -> None:
        self.messages, self.gen = messages, gen
        self.first: float | None = None
        self.end: float | None = None
        self.tokens = 0
        self.finish: str | None = None
        self.error: str | None = None


def run_engine(engine: Engine, s: Student, t0: float) -> None:
    for ev in engine.generate(s.messages, s.gen):
        if isinstance(ev, Token):
            s.tokens += 1
            s.first = s.first or time.perf_counter() - t0
        elif isinstance(ev, Finished):
            s.finish, s.error = ev.finish_reason, ev.error
    s.end = time.perf_counter() - t0


def run_raw(server: Any, s: Student, t0: float) -> None:
    """The same request to the xllamacpp server, directly (what the llama-server backend wraps)."""

    def on_chunk(chunk: Any) -> bool:
        if isinstance(chunk, dict) and chunk_error(chunk) is None:
            text, finish = chunk_piece(chunk)
            if text:
                s.tokens += 1
                s.first = s.first or time.perf_counter() - t0
            s.finish = finish or s.finish
        else:
            s.error = str(chunk)[:200]
        return False

    server.handle_chat_completions(request_body(s.messages, s.gen), on_chunk)
    s.end = time.perf_counter() - t0


def run_round(run: Callable[[Student, float], None], students: list[Student], timeout: float) -> float:
    """All students submit at the same moment; returns the wall time of the round, seconds."""
    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(s, t0), daemon=True) for s in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, timeout - (time.perf_counter() - t0)))
    return max((s.end or timeout) for s in students)


def summarize(students: list[Student], wall: float) -> dict[str, Any]:
    firsts = [s.first for s in students if s.first is not None]
    ends = [s.end for s in students if s.end is not None]
    tokens = sum(s.tokens for s in students)
    return {
        "students": len(students),
        "completed": sum(s.finish in ("stop", "length") for s in students),
        "errors": [s.error for s in students if s.error],
        "tokens": tokens,
        "wall_s": wall,
        "tokens_per_s_overall": tokens / wall if wall else None,
        "ttft_p50_s": percentile(firsts, 50),
        "ttft_p95_s": percentile(firsts, 95),
        "e2e_p50_s": percentile(ends, 50),
        "e2e_p95_s": percentile(ends, 95),
    }


def make_students(n: int, variant: str, mode: Any, gen: GenSettings) -> list[Student]:
    """Distinct questions per student and per backend (no backend reuses another's prompt cache)."""
    out = []
    for i in range(n):
        q = f"[{variant} {i}] Write a long, detailed essay about {TOPICS[i % len(TOPICS)]}."
        out.append(Student(build_messages(mode, [], q), replace(gen, seed=1000 + i)))
    return out


def fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = get_settings()
    threads = args.threads or settings.n_threads
    mode = load_modes(settings.prompts_dir)[args.mode]
    gen = replace(mode.gen, max_tokens=args.max_tokens)
    path = embedded_model_path()
    load_before = os.getloadavg()

    runners: dict[str, Callable[[Student, float], None]] = {}
    closers: list[Callable[[], None]] = []
    if "fifo" in args.variants:
        fifo = Engine(LlamaCppBackend(path, model_name="fifo", n_ctx=args.n_ctx, n_threads=threads))
        runners["fifo"] = lambda s, t0: run_engine(fifo, s, t0)
        closers.append(fifo.backend.close)
    if {"llama-server", "openai", "raw"} & set(args.variants):
        from tutor.engine.backends.llamaserver import LlamaServerBackend
        from tutor.engine.backends.openai_compat import OpenAIBackend

        server_backend = LlamaServerBackend(path, model_name="llama-server", n_ctx=args.n_ctx,
                                            n_threads=threads, slots=args.slots)
        closers.append(server_backend.close)
        if "llama-server" in args.variants:
            batched = Engine(server_backend)
            runners["llama-server"] = lambda s, t0: run_engine(batched, s, t0)
        if "openai" in args.variants:
            os.environ["TUTOR_BENCH_KEY"] = server_backend.api_key
            remote = Engine(OpenAIBackend(model_name="openai", base_url=server_backend.url, remote_model="m",
                                          n_ctx=args.n_ctx, slots=args.slots, api_key_env="TUTOR_BENCH_KEY",
                                          timeout_s=args.timeout))
            runners["openai"] = lambda s, t0: run_engine(remote, s, t0)
            closers.append(remote.backend.close)
        if "raw" in args.variants:
            runners["raw"] = lambda s, t0: run_raw(server_backend.server, s, t0)

    order = [v for v in VARIANTS if v in runners]
    print(f"SmolLM2-135M Q4_1, {threads} threads, {args.slots} server slots, n_ctx {args.n_ctx} per answer, "
          f"max_tokens {args.max_tokens}, mode {args.mode}; load average {load_before[0]:.1f}", flush=True)
    warm = min(args.slots, max(args.students))  # the server's first batch of several sequences is slow
    for v in order:  # warm-up: the system prompt evaluated once, first-call costs paid
        run_round(runners[v], make_students(warm, f"warm-{v}", mode, replace(gen, max_tokens=8)), args.timeout)

    rounds: list[dict[str, Any]] = []
    for r, n in enumerate(args.students):
        rotated = order[r % len(order):] + order[: r % len(order)]
        for v in rotated:
            students = make_students(n, v, mode, gen)
            wall = run_round(runners[v], students, args.timeout)
            row = {"backend": v, **summarize(students, wall)}
            rounds.append(row)
            print(f"  {n:>2} students  {v:<12} {row['tokens']:>5} tokens in {wall:6.1f} s  "
                  f"{fmt(row['tokens_per_s_overall'], 1):>6} tok/s  first token p95 {fmt(row['ttft_p95_s'])} s",
                  flush=True)
    for close in closers:
        close()

    print()
    head = (f"{'students':>8} {'backend':<12} {'done':>4} {'tokens':>6} {'wall s':>7} {'tok/s all':>9} "
            f"{'x fifo':>6} {'x raw':>6} {'first p50 s':>11} {'first p95 s':>11} {'e2e p50 s':>9} {'e2e p95 s':>9}")
    print(head)
    print("-" * len(head))
    by = {(x["students"], x["backend"]): x for x in rounds}
    for n in args.students:
        for v in order:
            x = by[(n, v)]
            rate = x["tokens_per_s_overall"]
            f, raw = by.get((n, "fifo")), by.get((n, "raw"))
            x["vs_fifo"] = rate / f["tokens_per_s_overall"] if f and rate and f["tokens_per_s_overall"] else None
            x["vs_raw"] = rate / raw["tokens_per_s_overall"] if raw and rate and raw["tokens_per_s_overall"] else None
            print(f"{n:>8} {v:<12} {x['completed']:>4} {x['tokens']:>6} {fmt(x['wall_s'], 1):>7} {fmt(rate, 1):>9} "
                  f"{fmt(x['vs_fifo']):>6} {fmt(x['vs_raw']):>6} {fmt(x['ttft_p50_s']):>11} "
                  f"{fmt(x['ttft_p95_s']):>11} {fmt(x['e2e_p50_s'], 1):>9} {fmt(x['e2e_p95_s'], 1):>9}")

    goals: dict[str, Any] = {}
    at8 = by.get((8, "llama-server"))
    if at8:
        goals = {
            "ttft_p95_s_at_8": {"value": at8["ttft_p95_s"], "goal": f"< {GOAL_TTFT_P95_S}",
                                "pass": at8["ttft_p95_s"] is not None and at8["ttft_p95_s"] < GOAL_TTFT_P95_S},
            "tokens_per_s_vs_fifo_at_8": {"value": at8["vs_fifo"], "goal": f">= {GOAL_VS_FIFO}",
                                          "pass": at8["vs_fifo"] is not None and at8["vs_fifo"] >= GOAL_VS_FIFO},
            "tokens_per_s_vs_raw_at_8": {"value": at8["vs_raw"], "goal": f">= {GOAL_VS_RAW}",
                                         "pass": at8["vs_raw"] is not None and at8["vs_raw"] >= GOAL_VS_RAW},
        }
        print("\ngoals at 8 students (llama-server backend):")
        for name, g in goals.items():
            print(f"  {name:<28} {fmt(g['value'])} (goal {g['goal']}): {'PASS' if g['pass'] else 'FAIL'}")
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.1f} -> {load_after[0]:.1f} (1 min; the box has {os.cpu_count()} cores)")
    result = {
        "command": "python -m bench.serving " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "threads": threads, "loadavg_1min_before_after": [load_before[0], load_after[0]]},
        "settings": {"max_tokens": args.max_tokens, "slots": args.slots, "n_ctx": args.n_ctx, "mode": args.mode,
                     "gen": {k: getattr(gen, k) for k in ("temperature", "top_p", "top_k", "repeat_penalty")}},
        "units": {"wall": "s", "ttft": "s (submit -> first token, queue included)", "e2e": "s",
                  "tokens_per_s_overall": "tokens/s"},
        "rounds": rounds,
        "goals": goals,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 0 if all(g["pass"] for g in goals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
