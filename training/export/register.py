r"""Step 7 of the export: add a run's GGUF to the app's model registry, in one command.

    python -m training.export.register --run runs/smollm2-135m-lora-tiny --quant Q4_K_M
    python -m training.export.register --run runs/smollm2-135m-lora-tiny --quant Q4_K_M \
        --name tutor-sft --default

Copies the GGUF out of the run folder to $TUTOR_HOME/trained/<name>.gguf (a hard link when
both are on one file system, else a copy), so deleting or re-running the run (``--fresh``)
never takes a registered model away, then calls tutor.models.add_model(settings, name,
path=that file), which writes $TUTOR_HOME/models.yaml (the same as `python -m tutor.models add
NAME PATH`). The name defaults to <run_name>-<quant> in lower case. The file must have passed
training.export.check (export/check.json) unless --no-check is given: the app should never
be pointed at a GGUF that rambles past its end-of-turn token.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from training import cli
from training.export import parser, QUANTS, ExportError, gguf_path, log, read_json, run_dir


def default_name(run: Path, quant: str) -> str:
    name = re.sub(r"[^\w.-]", "-", f"{run.name}-{quant}".lower())
    return name[:64]


def install_file(src: Path, dest: Path) -> str:
    """Put ``src`` at ``dest`` (atomically): a hard link if possible, else a copy. Returns which."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
        how = "hard link"
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, tmp)
        how = "copy"
    os.replace(tmp, dest)
    return how


def register(
    run: Path,
    quant: str = "Q4_K_M",
    *,
    name: str | None = None,
    make_default: bool = False,
    require_check: bool = True,
    description: str | None = None,
):
    """Register the GGUF; return the tutor.models.ModelSpec."""
    path = gguf_path(run, quant)
    if not path.is_file():
        step = "convert" if quant == "f16" else "quantize"
        raise ExportError(f"{path} does not exist: run python -m training.export.{step} --run {run} first")
    if require_check:
        check = read_json(run / "export" / "check.json")
        res = (check.get("files") or {}).get(quant)
        if res is None:
            raise ExportError(
                f"{path.name} has not been checked: run python -m training.export.check --run {run} "
                f"--quant {quant} first (or pass --no-check)"
            )
        if res.get("file_mtime_ns") not in (None, path.stat().st_mtime_ns):
            raise ExportError(
                f"{path.name} changed after it was checked: run python -m training.export.check "
                f"--run {run} --quant {quant} again (or pass --no-check)"
            )
        if not res.get("ok"):
            raise ExportError(
                f"{path.name} failed its check ({'; '.join(res.get('failures', []))}); "
                "fix the export or pass --no-check"
            )
    from tutor.config import get_settings
    from tutor.errors import TutorError
    from tutor.models import add_model

    settings = get_settings()
    name = name or default_name(run, quant)
    if not re.fullmatch(r"[\w.-]{1,64}", name):
        raise ExportError(f"{name!r} is not a valid model name: use letters, digits, '.', '_' and '-' (at most 64)")
    installed = settings.home / "trained" / f"{name}.gguf"
    how = install_file(path, installed)
    summary = read_json(run / "summary.json")
    if description is None:
        ppl = summary.get("val_ppl")
        description = f"{run.name} {quant}" + (
            f" (val ppl {ppl:.2f})" if isinstance(ppl, (int, float)) else ""
        )
    try:
        spec = add_model(settings, name, path=installed, make_default=make_default, description=description)
    except TutorError as exc:
        raise ExportError(f"{exc.message} {exc.hint}".strip()) from exc
    log(
        f"registered {spec.name} -> {installed} ({how} of {path})"
        + (" (now the default)" if make_default else "")
        + f" in {settings.user_registry}"
    )
    return spec


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, "Add a run's exported GGUF to the tutor app's model registry.")
    ap.add_argument(
        "--quant", default="Q4_K_M", choices=("f16",) + QUANTS, help="which GGUF of the run to register"
    )
    ap.add_argument("--name", default=None, help="registry name (default: <run_name>-<quant>, lower case)")
    ap.add_argument("--default", action="store_true", help="make it the app's default model")
    ap.add_argument("--description", default=None, help="one line shown in the app's model list")
    ap.add_argument("--no-check", action="store_true", help="register even without a passed export check")
    args = ap.parse_args(argv)
    register(
        run_dir(args.run),
        args.quant,
        name=args.name,
        make_default=args.default,
        require_check=not args.no_check,
        description=args.description,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
