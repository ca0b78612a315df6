"""The registry's command line: `python -m tutor.models list | add | fetch` (see --help).

Kept apart from tutor/models.py so the app's import of the registry carries no argparse code.
"""

from __future__ import annotations

import argparse
import sys

from tutor import models
from tutor.config import Settings, get_settings
from tutor.errors import TutorError
from tutor.models import ModelSpec, add_model, gguf_sha256, load_registry, resolve_model_path


def _status(spec: ModelSpec, settings: Settings) -> str:
    try:
        if spec.source == "hub":
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(spec.repo, spec.file, cache_dir=str(settings.model_cache))
            return "cached" if isinstance(cached, str) else "not downloaded"
        resolve_model_path(spec, settings)
        return "ok"
    except TutorError as exc:
        return type(exc).__name__


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    reg = load_registry(settings)
    rows = [("", "name", "source", "status", "where")]
    for spec in reg.models.values():
        mark = "*" if spec.name == reg.default else ""
        rows.append((mark, spec.name, spec.source, _status(spec, settings), spec.where()))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4])
    print(f"\n* default. Registry: {settings.repo_registry} + {settings.user_registry}")
    return 0


def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    spec = add_model(
        settings,
        args.name,
        path=args.path,
        repo=args.repo,
        file=args.file,
        make_default=args.default,
        description=args.description or "",
    )
    extra = " (now the default)" if args.default else ""
    print(f"Registered {spec.name}: {spec.where()}{extra} in {settings.user_registry}")
    return 0


def _cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    spec = load_registry(settings).get(args.name)
    path = resolve_model_path(spec, settings)  # hf's tqdm bar shows progress on stderr
    print(f"{spec.name}: {path} (sha256 {gguf_sha256(path, settings)})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tutor.models", description=models.__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{list,add,fetch}")
    sub.add_parser("list", help="show the registered models, the default and whether each file is there")
    add = sub.add_parser("add", help="register a local GGUF file or a Hub model in $TUTOR_HOME/models.yaml")
    add.add_argument("name", help="registry name, e.g. smollm2-sft (letters, digits, . _ -)")
    add.add_argument("path", nargs="?", help="path to a local .gguf file (made absolute)")
    add.add_argument("--repo", help="Hub repo id (owner/name) for a Hub model; needs --file")
    add.add_argument("--file", help="GGUF file name inside --repo")
    add.add_argument("--default", action="store_true", help="make this model the default")
    add.add_argument("--description", help="one line shown in the model list")
    fetch = sub.add_parser("fetch", help="download a Hub model into the cache now (needs the network)")
    fetch.add_argument("name", help="registry name of the model to download")
    args = parser.parse_args(argv)
    if args.command == "add" and args.path and (args.repo or args.file):
        parser.error("give either PATH or --repo/--file, not both")
    settings = get_settings()
    handler = {"list": _cmd_list, "add": _cmd_add, "fetch": _cmd_fetch}[args.command]
    try:
        return handler(args, settings)
    except TutorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
