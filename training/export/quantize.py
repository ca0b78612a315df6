"""Step 4 of the export: quantize the f16 GGUF with llama.cpp (through llama-cpp-python, no checkout).

    python -m training.export.quantize --run runs/smollm2-135m-lora-tiny                 # Q4_K_M and Q8_0
    python -m training.export.quantize --run runs/smollm2-135m-lora-tiny --quant Q4_K_M

For each type: ``llama_cpp.llama_model_quantize(src, dst, params)`` with
``params = llama_model_quantize_default_params()`` and ``params.ftype = LLAMA_FTYPE_MOSTLY_<type>``;
return code 0 means success. K-quants (Q4_K_M...) work on rows of 256 values; tensors whose rows
are not a multiple of 256 (tiny test models, some heads) fall back to a legacy type. llama.cpp
reports that on stderr; we capture it and record the count in export/quantize.json.
About 1.4 s for 135M parameters. Skips files newer than the f16 GGUF (--force).
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
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
    read_json,
    run_dir,
    write_json,
)

DEFAULT_QUANTS = ("Q4_K_M", "Q8_0")


class _CaptureLlamaLog:
    """Capture llama.cpp's log: llama-cpp-python routes it to Python's sys.stderr (its logger level
    decides what passes), and plain C writes go to fd 2; take both, echo them on --verbose."""

    def __init__(self, echo: bool = False):
        self.echo = echo
        self.text = ""

    def __enter__(self):
        import io
        import logging

        self._logger = logging.getLogger("llama-cpp-python")
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)  # warnings about fallbacks are what we need
        sys.stderr.flush()
        self._py, self._saved_stderr = io.StringIO(), sys.stderr
        sys.stderr = self._py
        self._file = tempfile.TemporaryFile(mode="w+b")
        self._saved_fd = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self._saved_fd, 2)
        os.close(self._saved_fd)
        sys.stderr = self._saved_stderr
        self._logger.setLevel(self._level)
        self._file.seek(0)
        self.text = self._py.getvalue() + self._file.read().decode("utf-8", "replace")
        self._file.close()
        if self.echo:
            sys.stderr.write(self.text)
        return False


def ftype_of(quant: str) -> int:
    import llama_cpp

    name = f"LLAMA_FTYPE_MOSTLY_{quant}"
    if not hasattr(llama_cpp, name):
        raise ExportError(f"llama-cpp-python {llama_cpp.__version__} has no {name}")
    return getattr(llama_cpp, name)


def quantize_file(src: Path, dst: Path, quant: str, *, threads: int = 0, verbose: bool = False) -> dict:
    """One quantization; returns {"file", "mb", "seconds", "fallback_tensors", "log_tail"}."""
    import llama_cpp
    import llama_cpp._logger  # noqa: F401  (installs the log callback before we capture)

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype_of(quant)
    params.nthread = threads
    tmp = dst.with_name(dst.name + ".part")
    t0 = time.time()
    with _CaptureLlamaLog(echo=verbose) as cap:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        tail = "\n".join(cap.text.strip().splitlines()[-10:])
        raise ExportError(f"llama_model_quantize({src.name} -> {quant}) returned {rc}:\n{tail}")
    os.replace(tmp, dst)
    falls = re.findall(r"required for type\s+(\w+)\)\s*->\s*falling back to\s+(\w+)", cap.text)
    totals = re.findall(r"\[\s*\d+/\s*(\d+)\]", cap.text)
    n_tensors = int(totals[-1]) if totals else None
    kinds: dict[str, int] = {}
    for want, got in falls:
        kinds[f"{want}->{got}"] = kinds.get(f"{want}->{got}", 0) + 1
    info = {
        "file": dst.name,
        "mb": round(dst.stat().st_size / 1e6, 2),
        "seconds": round(time.time() - t0, 2),
        "tensors": n_tensors,
        "fallback_tensors": len(falls),
        "fallbacks": kinds,
    }
    if falls:
        info["note"] = (
            f"{len(falls)} of {n_tensors or '?'} tensors could not use the {quant} block types "
            f"(rows not a multiple of 256) and fell back: " + ", ".join(f"{k} x{v}" for k, v in kinds.items())
        )
    return info


def quantize(
    run: Path,
    quants: list[str],
    *,
    src: Path | None = None,
    threads: int = 0,
    force: bool = False,
    verbose: bool = False,
) -> dict:
    src = src or gguf_path(run, "f16")
    if not src.is_file():
        raise ExportError(f"no f16 GGUF at {src}: run python -m training.export.convert --run {run} first")
    report_path = export_dir(run) / "quantize.json"
    report = read_json(report_path)
    for quant in quants:
        dst = gguf_path(run, quant)
        if dst.is_file() and dst.stat().st_mtime >= src.stat().st_mtime and not force:
            log(f"skip: {dst.name} is newer than {src.name}; --force redoes it")
            continue
        log(f"quantizing {src.name} -> {dst.name}")
        info = quantize_file(src, dst, quant, threads=threads, verbose=verbose)
        report[quant] = info
        log(
            f"wrote {dst} ({info['mb']} MB) in {info['seconds']} s"
            + (f"; note: {info['note']}" if info.get("note") else "")
        )
    write_json(report_path, report)
    return report


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(
        __doc__,
        "Quantize a run's f16 GGUF (llama.cpp through llama-cpp-python).",
        force="quantize again even if the files are up to date",
    )
    ap.add_argument(
        "--quant",
        nargs="+",
        choices=QUANTS,
        default=list(DEFAULT_QUANTS),
        help="quantization types to write (default: Q4_K_M Q8_0)",
    )
    ap.add_argument(
        "--src", type=Path, default=None, help="source GGUF (default: <run>/export/model-f16.gguf)"
    )
    ap.add_argument("--threads", type=int, default=0, help="threads for llama.cpp (0 = all cores)")
    ap.add_argument("--verbose", action="store_true", help="show llama.cpp's own quantization log")
    args = ap.parse_args(argv)
    quantize(
        run_dir(args.run),
        args.quant,
        src=args.src,
        threads=args.threads,
        force=args.force,
        verbose=args.verbose,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
