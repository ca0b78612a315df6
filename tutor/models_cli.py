"""The registry's command line: `python -m tutor.models list | add | fetch` (see --help).

    python -m tutor.models list
    python -m tutor.models add my-tutor runs/X/export/model-Q4_K_M.gguf --default
    python -m tutor.models add class-tutor runs/X/export/model-Q4_K_M.gguf --backend llama-server --parallel 8
    python -m tutor.models add school --url http://10.0.0.5:8000/v1 --remote-model tutor-1b --n-ctx 4096 \
        --parallel 32 --api-key-env TUTOR_SCHOOL_KEY

Kept apart from the registry (tutor/models/__init__.py), which never imports it: the entry
point tutor/models/__main__.py does.
"""

from __future__ import annotations

import argparse
import sys

from tutor import models
from tutor.config import Settings, get_settings
from tutor.errors import TutorError
from tutor.models import BACKENDS, ModelSpec, add_model, gguf_sha256, load_registry, resolve_model_path


def _status(spec: ModelSpec, settings: Settings) -> str:
    try:
        if spec.source == "remote":
            return "remote"  # not contacted here: `list` must work offline
        if spec.source == "hub":
            return "cached" if models.cached_path(spec, settings) else "not downloaded"
        resolve_model_path(spec, settings)
        return "ok"
    except TutorError as exc:
        return type(exc).__name__


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    reg = load_registry(settings)
    rows = [("", "name", "source", "backend", "status", "where")]
    for spec in reg.models.values():
        mark = "*" if spec.name == reg.default else ""
        backend = spec.backend + (f" x{spec.parallel}" if spec.parallel else "")
        rows.append((mark, spec.name, spec.source, backend, _status(spec, settings), spec.where()))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[5])
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
        url=args.url,
        serving={
            "backend": args.backend,
            "parallel": args.parallel,
            "n_ctx": args.n_ctx,
            "remote_model": args.remote_model,
            "api_key_env": args.api_key_env,
            "timeout_s": args.timeout_s,
        },
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
    add = sub.add_parser(
        "add", help="register a local GGUF file, a Hub model or a model server in $TUTOR_HOME/models.yaml"
    )
    add.add_argument("name", help="registry name, e.g. smollm2-sft (letters, digits, . _ -)")
    add.add_argument("path", nargs="?", help="path to a local .gguf file (made absolute)")
    add.add_argument("--repo", help="Hub repo id (owner/name) for a Hub model; needs --file")
    add.add_argument("--file", help="GGUF file name inside --repo")
    add.add_argument("--default", action="store_true", help="make this model the default")
    add.add_argument("--description", help="one line shown in the model list")
    add.add_argument("--backend", choices=BACKENDS,
                     help="how it runs: llamacpp (one answer at a time, default for a file), llama-server "
                          "(N answers at once, continuous batching) or openai (with --url)")
    add.add_argument("--parallel", type=int, help="answers at once (llama-server slots or requests to --url)")
    add.add_argument("--n-ctx", type=int, help="context of one answer in tokens (required with --url)")
    add.add_argument("--url", help="OpenAI-compatible base URL of a model server, e.g. http://host:8000/v1")
    add.add_argument("--remote-model", help="with --url: the model name that server serves")
    add.add_argument("--api-key-env", help="with --url: the environment variable holding its API key")
    add.add_argument("--timeout-s", type=float, help="with --url: seconds without a reply before giving up")
    fetch = sub.add_parser("fetch", help="download a Hub model into the cache now (needs the network)")
    fetch.add_argument("name", help="registry name of the model to download")
    args = parser.parse_args(argv)
    if args.command == "add" and sum(map(bool, (args.path, args.repo or args.file, args.url))) > 1:
        parser.error("give one of PATH, --repo/--file or --url")
    settings = get_settings()
    handler = {"list": _cmd_list, "add": _cmd_add, "fetch": _cmd_fetch}[args.command]
    try:
        return handler(args, settings)
    except TutorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
