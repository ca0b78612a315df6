"""Reproducibility check: train one config twice and compare the weights, tensor by tensor.

    python -m training.repro --config training/configs/smollm2/135m_lora_tiny.yaml --cold-base-cache
    python -m training.repro --config training/configs/smollm2/135m_lora_gsm8k.yaml \
        --set train.max_steps=10 --set train.deterministic=true            # on a GPU

Runs the config's training command (``python -m training.sft``, or ``training.dpo`` for
``method: dpo``) twice, as two fresh processes, into ``<out>/a`` and ``<out>/b`` (``--fresh``),
then compares the two adapters: the largest absolute difference of every tensor, and the
final train and validation losses. With ``--cold-base-cache`` the first run starts from an
empty base-model cache and an empty prepared-data folder (temporary ``$TUTOR_BASE_CACHE`` and
``$TUTOR_DATA_CACHE``): it dequantizes the embedded model and prepares the data itself, and
the second run reuses both, which is what a fresh machine and a later run on it do.

Prints a table and writes ``<out>/repro.json`` (default ``<out>``: runs/_repro/<run_name>).
Exit status 0 when every tensor is identical (or within ``--atol``), 1 when not. On a GPU, see
docs/TRAINING.md for what ``train.deterministic`` makes deterministic and what it cannot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from training import cli
from training.paths import BASE_CACHE_ENV, DATA_CACHE_ENV, REPO_ROOT, RUNS_DIR, shown_path


def compare_adapters(a: Path, b: Path) -> dict:
    """Per-tensor max |a - b| of two adapter_model.safetensors files."""
    from safetensors.torch import load_file

    ta, tb = load_file(str(a / "adapter_model.safetensors")), load_file(str(b / "adapter_model.safetensors"))
    if ta.keys() != tb.keys():
        return {"same_keys": False, "tensors": len(ta), "identical": 0, "max_abs_diff": None, "worst": None}
    diffs = {k: (ta[k].float() - tb[k].float()).abs().max().item() for k in ta}
    worst = max(diffs, key=diffs.get) if diffs and max(diffs.values()) > 0 else None
    return {"same_keys": True, "tensors": len(diffs), "identical": sum(v == 0.0 for v in diffs.values()),
            "max_abs_diff": max(diffs.values(), default=0.0), "worst": worst}


def _summary(run: Path) -> dict:
    try:
        return json.loads((run / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    cli.add_config_args(ap)
    ap.add_argument("--cold-base-cache", action="store_true",
                    help="the first run starts from an empty base-model cache and prepared-data folder")
    ap.add_argument("--out", type=Path, default=None, help="folder for the two runs (default runs/_repro/<run_name>)")
    ap.add_argument("--atol", type=float, default=0.0,
                    help="largest absolute weight difference still called the same (default 0: bit for bit)")
    args = ap.parse_args(argv)
    cfg = cli.load_config_from_args(args)  # a bad config stops here, before either run
    out = (args.out or RUNS_DIR / "_repro" / cfg.run_name).resolve()
    sets = [a for o in args.overrides for a in ("--set", o)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    scratch = None
    if args.cold_base_cache:
        scratch = tempfile.TemporaryDirectory(prefix="repro-cold-")
        env[BASE_CACHE_ENV] = str(Path(scratch.name) / "base")
        env[DATA_CACHE_ENV] = str(Path(scratch.name) / "data")
    runs, seconds = {}, {}
    try:
        for name in ("a", "b"):
            run = out / name
            cmd = [sys.executable, "-m", f"training.{cfg.method}", "--config", str(cfg.path), *sets,
                   "--set", f"output_dir={run}", "--fresh", "--progress", "lines"]
            print(f"=== run {name}: {' '.join(cmd[1:])}", flush=True)
            t0 = time.time()
            rc = subprocess.run(cmd, cwd=REPO_ROOT, env=env).returncode
            seconds[name] = round(time.time() - t0, 1)
            if rc != 0:
                print(f"repro: run {name} failed (exit {rc})", file=sys.stderr)
                return rc
            runs[name] = run
    finally:
        if scratch is not None:
            scratch.cleanup()
    weights = compare_adapters(runs["a"] / "adapter", runs["b"] / "adapter")
    sa, sb = _summary(runs["a"]), _summary(runs["b"])
    same = weights["same_keys"] and weights["max_abs_diff"] is not None and weights["max_abs_diff"] <= args.atol
    report = {"config": str(cfg.path), "overrides": args.overrides, "cold_base_cache": args.cold_base_cache,
              "seconds": seconds, "weights": weights, "identical": same, "atol": args.atol,
              "device": sa.get("device"),
              "losses": {k: [sa.get(k), sb.get(k)] for k in ("final_train_loss", "val_loss")}}
    (out / "repro.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'':<22}{'run a':>14}{'run b':>14}")
    for k, (va, vb) in report["losses"].items():
        print(f"{k:<22}{va!s:>14.12}{vb!s:>14.12}")
    print(f"adapter tensors: {weights['tensors']}, identical: {weights['identical']}, "
          f"max abs diff: {weights['max_abs_diff']}" + (f" ({weights['worst']})" if weights["worst"] else ""))
    verdict = "SAME weights" if same else "DIFFERENT weights"
    print(f"{verdict} (atol {args.atol}); {shown_path(out / 'repro.json')}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
