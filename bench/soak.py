"""Soak benchmark: 500 answers over 50 sessions in one process; resident memory must stay flat.

    .venv/bin/python -m bench.soak                                      # the full run (500 answers)
    .venv/bin/python -m bench.soak --sessions 5 --turns 4 --every 5 --out /tmp/soak.json   # a quick check
    .venv/bin/python -m bench.soak --model smollm2-135m-class           # the llama-server backend

The app's own path, as a class would drive it: ``chat.ask`` with a real SQLite store (a
fresh temporary TUTOR_HOME), the registry model (default: the app's default, llama-cpp-python
with its RAM prompt cache), the Explain mode. The sessions take turns round-robin (session
1 turn 1, session 2 turn 1, ..., session 1 turn 2, ...), so every follow-up comes after other
sessions' turns: the RAM cache is filled, searched and evicted all the time, which is
what made resident memory grow to 5.6 GB after 450 answers with llama-cpp-python's own cache.

It prints the curve (resident memory after every --every answers, MB) and checks the goal:
resident memory after all answers within 300 MB of after the first 50. Writes JSON
(default bench/results/soak.json). Runs a few minutes on 2 cores (answers of --max-tokens).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_GROWTH_MB = 300
BASELINE_ANSWERS = 50
QUESTIONS = ["What is {t}?", "Why does {t} matter?", "Give an example of {t}.", "How would you explain {t} to a child?",
             "What is a common mistake about {t}?", "How is {t} measured?", "Who first described {t}?",
             "What is the opposite of {t}?", "Summarise {t} in one sentence.", "What should I read next about {t}?"]
TOPICS = ["osmosis", "inflation", "entropy", "a derivative", "photosynthesis", "a prime number", "gravity",
          "democracy", "an enzyme", "plate tectonics"]


def rss_mb() -> float:
    """Resident memory of this process now, MB (from /proc/self/statm)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Highest resident memory of this process so far, MB (VmHWM)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=50, help="sessions taking turns (default: 50)")
    p.add_argument("--turns", type=int, default=10, help="questions per session (default: 10; 50 x 10 = 500)")
    p.add_argument("--max-tokens", type=int, default=48, help="answer length, tokens (default: 48)")
    p.add_argument("--mode", default="explain", help="mode used for every question (default: explain)")
    p.add_argument("--model", default=None, help="registry model (default: TUTOR_MODEL or the registry default)")
    p.add_argument("--every", type=int, default=25, help="print resident memory every N answers (default: 25)")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "soak.json",
                   help="JSON results file (default: bench/results/soak.json)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="tutor-soak-"))
    os.environ["TUTOR_HOME"] = str(home)  # before any tutor import reads settings
    from tutor import chat
    from tutor.config import get_settings
    from tutor.engine import get_engine
    from tutor.prompts import load_modes
    from tutor.store import Store

    settings = get_settings()
    store = Store(settings.db_path)
    mode = load_modes(settings.prompts_dir)[args.mode]
    mode = replace(mode, gen=replace(mode.gen, max_tokens=args.max_tokens, seed=0))
    rss_start = rss_mb()
    engine = get_engine(args.model, settings)
    backend = engine.backend
    print(f"model {engine.model_name} ({type(backend).__name__}, {engine.slots} slot(s)), {settings.n_threads} threads, "
          f"{args.sessions} sessions x {args.turns} turns, max_tokens {args.max_tokens}; TUTOR_HOME={home}", flush=True)
    print(f"resident memory: {rss_start:.0f} MB before loading, {rss_mb():.0f} MB loaded", flush=True)
    sessions: list[int | None] = [None] * args.sessions
    curve: list[dict] = []
    answers, tokens, errors = 0, 0, 0
    t0 = time.perf_counter()
    print(f"{'answers':>7} {'rss MB':>7} {'peak MB':>7} {'tokens':>7} {'elapsed s':>9}")
    for turn in range(args.turns):
        for s in range(args.sessions):
            topic = TOPICS[s % len(TOPICS)] + ("" if s < len(TOPICS) else f" (part {s // len(TOPICS) + 1})")
            question = QUESTIONS[turn % len(QUESTIONS)].format(t=topic)
            for event in chat.ask(store, engine, mode, question, session_id=sessions[s]):
                if isinstance(event, chat.SessionStarted):
                    sessions[s] = event.session_id
                elif isinstance(event, chat.Done):
                    tokens += event.stats.tokens if event.stats else 0
                    errors += event.status == "error"
            answers += 1
            if answers % args.every == 0 or answers == BASELINE_ANSWERS or answers == args.sessions * args.turns:
                point = {"answers": answers, "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb(), "tokens": tokens,
                         "elapsed_s": time.perf_counter() - t0}
                if not curve or curve[-1]["answers"] != answers:
                    curve.append(point)
                    print(f"{answers:>7} {point['rss_mb']:>7.0f} {point['peak_rss_mb']:>7.0f} {tokens:>7} "
                          f"{point['elapsed_s']:>9.1f}", flush=True)
    base = next((p for p in curve if p["answers"] >= min(BASELINE_ANSWERS, answers)), curve[0])
    end = curve[-1]
    growth = end["rss_mb"] - base["rss_mb"]
    ok = growth <= GOAL_GROWTH_MB and errors == 0
    cache = getattr(getattr(backend, "llama", None), "cache", None)
    cache_mb = cache.cache_size / 2**20 if cache is not None else None
    print(f"\nafter {base['answers']} answers {base['rss_mb']:.0f} MB, after {end['answers']} answers "
          f"{end['rss_mb']:.0f} MB: growth {growth:+.0f} MB (goal <= {GOAL_GROWTH_MB} MB): {'PASS' if ok else 'FAIL'}; "
          f"errors {errors}" + (f"; RAM cache holds {cache_mb:.0f} MB by its count" if cache_mb is not None else ""))
    result = {
        "command": "python -m bench.soak " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "threads": settings.n_threads, "loadavg_1min_end": os.getloadavg()[0]},
        "settings": {"model": engine.model_name, "backend": type(backend).__name__, "slots": engine.slots,
                     "sessions": args.sessions, "turns": args.turns, "max_tokens": args.max_tokens, "mode": args.mode},
        "units": {"rss": "MB (2**20 bytes)", "elapsed": "s"},
        "rss_before_load_mb": rss_start,
        "curve": curve,
        "baseline_answers": base["answers"],
        "growth_mb": growth,
        "ram_cache_counted_mb": cache_mb,
        "errors": errors,
        "goal": {"growth_mb": f"<= {GOAL_GROWTH_MB}", "pass": ok},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    store.close()
    backend.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
