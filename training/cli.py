"""Command-line plumbing shared by every training command, so they all behave the same.

    from training import cli

    @cli.command
    def main(argv=None) -> int:
        ap = cli.parser(__doc__)
        cli.add_config_args(ap)
        args = ap.parse_args(argv)
        cfg = cli.load_config_from_args(args)     # TrainConfigError -> one "error: ..." line
        ...

``command`` turns the package's errors into one ``error: <what> `` line (plus an indented
``hint:`` line) on stderr and exit status 2, and Ctrl-C into one line and status 130:
no traceback for anything a user can act on. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from training.errors import TrainingError

PROGRESS_MODES = ("auto", "bar", "lines", "none")


def report(exc: TrainingError) -> int:
    """Print a TrainingError the way every command does; return its exit status."""
    label = "interrupted" if exc.exit_code == 130 else "error"
    print(f"{label}: {exc.message}", file=sys.stderr, flush=True)
    if exc.hint:
        print(f"  hint: {exc.hint}", file=sys.stderr, flush=True)
    return exc.exit_code


def command(main: Callable[..., int | None]) -> Callable[..., int]:
    """Wrap a ``main(argv)``: the package's errors and Ctrl-C become one clean line and an exit status."""

    @functools.wraps(main)
    def wrapped(*args, **kwargs) -> int:
        try:
            return int(main(*args, **kwargs) or 0)
        except TrainingError as exc:
            return report(exc)
        except KeyboardInterrupt:
            print("interrupted (Ctrl-C); nothing was left half-written", file=sys.stderr, flush=True)
            return 130

    return wrapped


def parser(doc: str | None, description: str | None = None) -> argparse.ArgumentParser:
    """An ArgumentParser whose --help shows the module docstring (it holds the exact commands)."""
    return argparse.ArgumentParser(
        description=description or (doc or "").strip().splitlines()[0],
        epilog="\n".join((doc or "").strip().splitlines()[1:]) or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# --- config-driven commands (sft, dpo, prepare_data, repro) --------------------------------------------
def add_config_args(ap: argparse.ArgumentParser, *, required: bool = True) -> None:
    ap.add_argument(
        "--config", required=required, help="run config YAML, e.g. training/configs/smollm2/135m_lora_tiny.yaml"
    )
    add_overrides(ap)


def add_overrides(ap: argparse.ArgumentParser, help: str = "override a config key") -> None:
    ap.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"{help} (the value is YAML), e.g. --set train.max_steps=5; repeatable",
    )


def load_config_from_args(args: argparse.Namespace, *, check_paths: bool = True):
    from training.config import load_config

    return load_config(args.config, args.overrides, check_paths=check_paths)


def training_main(doc: str | None, train: Callable[..., dict], argv: list[str] | None) -> int:
    """The whole command line of a training command (sft, dpo): parse, check the config, train."""
    ap = parser(doc)
    add_config_args(ap)
    add_run_args(ap)
    args = ap.parse_args(argv)
    cfg = load_config_from_args(args)
    train(cfg, fresh=args.fresh, runs_db=args.runs_db, progress=args.progress, progress_every=args.progress_every)
    return 0


def add_run_args(ap: argparse.ArgumentParser) -> None:
    """--fresh, --runs-db and the progress switches of a training command (sft, dpo)."""
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="delete the run folder first instead of resuming from its latest checkpoint",
    )
    ap.add_argument(
        "--runs-db",
        type=Path,
        default=None,
        help="SQLite runs table (default: runs.db beside the run folder, i.e. runs/runs.db)",
    )
    ap.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="auto: a progress bar on a terminal, one line every --progress-every seconds otherwise "
        "(a log file, CI, a GPU box); bar; lines; none",
    )
    ap.add_argument(
        "--progress-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds between progress lines (step N/M, loss, tokens/s, ETA); default 30",
    )


def quiet_bars_early(progress: str) -> None:
    """Outside "bar" mode, switch every tqdm bar off before tqdm is first imported (TQDM_DISABLE is read
    then): the base model's one-time dequantization bar would otherwise fill a log file with \\r updates."""
    import os
    import sys

    from training.progress import progress_mode

    if progress_mode(progress) != "bar" and "tqdm" not in sys.modules:
        os.environ.setdefault("TQDM_DISABLE", "1")


# --- export commands ------------------------------------------------------------------------------------
def add_run_arg(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--run", required=True, help="run folder (runs/<run_name>) or run name")


def add_force_arg(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--force", action="store_true", help="redo the step even if its output exists")
