"""Concurrency benchmark: N students at once in real browsers against the real app and model.

Starts the app (``streamlit run streamlit_app.py``, real embedded model, a fresh temporary
TUTOR_HOME) on a free loopback port, warms the model up with one question, then for each
N in --students opens N separate chromium contexts (N Streamlit sessions), submits one
distinct question per student (staggered by --stagger seconds, so the arrival order is
known) and polls every page until all answers are complete. Per round it prints and saves:

- wait: submit -> first answer text on the student's page, seconds (queue + prompt + first
  visible text; the hint guard shows text a sentence at a time), p50 / p95;
- end-to-end: submit -> complete answer on the page, seconds, p50 / p95;
- tokens/s overall: answer tokens of all students / (first submit -> last answer done);
- decode tokens/s: the model's own speed per answer (stored stats), mean;
- whether the answers finished in arrival order (SQLite timestamps) and the largest
  "You are number N in the queue" seen; any cross-session leak or missing answer is listed.

    .venv/bin/python -m bench.concurrency --students 2 8
    .venv/bin/python -m bench.concurrency --students 2 8 --long --out bench/results/concurrency-long.json
    .venv/bin/python -m bench.concurrency --students 2 --mode explain --out /tmp/c.json

Writes bench/results/concurrency.json (git-ignored). Loopback only; bounded by --timeout
per round. Needs Debian's chromium (/usr/bin/chromium) and playwright (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from tests.browser.harness import ask, chromium, new_page, open_page, prime, start_app, wait_answer
from tests.browser.students import check_round, close_round, fifo_orders, make_students, run_round, summarize

REPO = Path(__file__).resolve().parent.parent
MODES = ("step_by_step", "explain", "hint", "medical")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, nargs="+", default=[2, 8],
                   help="round sizes: students asking at once in each round (default: 2 8)")
    p.add_argument("--mode", choices=MODES, default="hint",
                   help="tutor page the students use (default: hint, the shortest answers: max_tokens 120)")
    p.add_argument("--stagger", type=float, default=0.5,
                   help="seconds between two students' submissions (default: 0.5)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="seconds allowed per round before it is reported incomplete (default: 1800)")
    p.add_argument("--home", type=Path, default=None,
                   help="TUTOR_HOME for the app (default: a fresh temporary folder)")
    p.add_argument("--no-warmup", action="store_true",
                   help="skip the warm-up question (then the first student also pays the model load)")
    p.add_argument("--long", action="store_true",
                   help="ask for essays (answers run to the mode's max_tokens) instead of a short hint question")
    p.add_argument("--seed", type=int, default=None, help="seed for the students' names and questions")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "concurrency.json",
                   help="JSON results file (default: bench/results/concurrency.json)")
    return p.parse_args(argv)


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(rounds: list[dict]) -> None:
    head = (f"{'students':>8} {'done':>5} {'wait p50 s':>10} {'wait p95 s':>10} {'e2e p50 s':>9} "
            f"{'e2e p95 s':>9} {'tokens':>6} {'wall s':>7} {'tok/s all':>9} {'decode tok/s':>12} "
            f"{'max queue':>9} {'FIFO':>4}")
    print(head)
    print("-" * len(head))
    for r in rounds:
        print(f"{r['students']:>8} {r['completed']:>5} {fmt(r['wait_p50_s']):>10} {fmt(r['wait_p95_s']):>10} "
              f"{fmt(r['e2e_p50_s']):>9} {fmt(r['e2e_p95_s']):>9} {r['tokens']:>6} {fmt(r['wall_s']):>7} "
              f"{fmt(r['tokens_per_s_overall']):>9} {fmt(r['decode_tokens_per_s_mean']):>12} "
              f"{r['max_queue_position_seen']:>9} {'yes' if r['fifo_ok'] else 'NO':>4}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    app = start_app(home, log_name="streamlit-bench.log")
    print(f"app {app.url}  TUTOR_HOME={home}  mode={args.mode}", flush=True)
    rounds = []
    try:
        with chromium() as browser:
            prime(app, browser)  # first request to a fresh app: the home page (see harness.prime)
            if not args.no_warmup:
                t0 = time.monotonic()
                page = new_page(browser)
                open_page(page, app, args.mode)
                ask(page, "Warm-up: what is 1 + 1?")
                wait_answer(page, timeout_s=args.timeout)
                page.context.close()
                print(f"warm-up answer in {time.monotonic() - t0:.1f} s", flush=True)
            for n in args.students:
                students = make_students(n, seed=None if args.seed is None else args.seed + n, long=args.long)
                t0 = time.monotonic()
                try:
                    run_round(app, browser, students, mode=args.mode, stagger_s=args.stagger,
                              timeout_s=args.timeout, shots=f"bench-{n}")
                finally:
                    close_round(students)
                summary = summarize(students)
                summary["problems"] = check_round(students)
                submit, arrival, end = fifo_orders(students)
                summary.update(submit_order=submit, arrival_order=arrival, end_order=end)
                rounds.append(summary)
                print(f"round of {n}: {time.monotonic() - t0:.1f} s; problems: {summary['problems'] or 'none'}",
                      flush=True)
    finally:
        app.stop()
    print()
    print_table(rounds)
    result = {
        "command": "python -m bench.concurrency " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "mode": args.mode,
        "stagger_s": args.stagger,
        "long": args.long,
        "units": {"wait": "s", "e2e": "s", "wall": "s", "tokens_per_s": "tokens/s"},
        "rounds": rounds,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {args.out}")
    return 0 if all(not r["problems"] for r in rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
