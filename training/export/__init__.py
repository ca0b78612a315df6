"""Export a trained run to GGUF, one re-runnable step per script (each skips finished work unless --force).

python -m training.export.merge    --run runs/X              # LoRA + base -> runs/X/export/merged (HF)
python -m training.export.convert  --run runs/X              # merged -> runs/X/export/model-f16.gguf
python -m training.export.quantize --run runs/X              # f16 -> model-Q4_K_M.gguf, model-Q8_0.gguf
python -m training.export.check    --run runs/X              # loads, stops cleanly, matches HF -> check.json
python -m training.export.push     --run runs/X --repo you/name [--dry-run]
python -m training.export.register --run runs/X --quant Q4_K_M [--name N] [--default]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from training import cli
from training.errors import ExportError
from training.paths import run_folder
QUANTS = (
    "Q4_K_M",
    "Q8_0",
    "Q5_K_M",
    "Q4_0",
    "Q6_K",
)  # what quantize.py accepts; the first two are the default


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run_dir(arg: str | Path) -> Path:
    """``--run`` value -> an existing run folder (a bare name means runs/<name>)."""
    path = run_folder(arg)
    if not path.is_dir():
        raise ExportError(f"run folder {arg} does not exist (expected runs/<run_name>, made by training.sft)")
    return path


def parser(doc: str | None, description: str, *, force: str | None = None) -> argparse.ArgumentParser:
    """The command line every export step shares: its docstring as help, --run, and --force if it skips work."""
    ap = cli.parser(doc, description)
    cli.add_run_arg(ap)
    if force:
        ap.add_argument("--force", action="store_true", help=force)
    return ap


def export_dir(run: Path) -> Path:
    out = run / "export"
    out.mkdir(parents=True, exist_ok=True)
    return out


def merged_dir(run: Path) -> Path:
    return run / "export" / "merged"


def gguf_path(run: Path, quant: str) -> Path:
    """runs/X/export/model-<quant>.gguf; quant is "f16" or one of QUANTS."""
    return run / "export" / f"model-{quant}.gguf"


def write_json(path: Path, data: dict) -> None:
    """Atomic write: a crash never leaves half a file that a later step would trust."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
