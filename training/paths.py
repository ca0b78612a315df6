"""Where training/ keeps things: every folder, environment variable and template name in one place.

    from training.paths import REPO_ROOT, RUNS_DIR, resolve_path, shown_path

Paths written in a config (``data.source``, ``output_dir``, a local ``model.name``) are
relative to the repository root, so a run does not depend on the current directory.
``resolve_path`` makes them absolute WITHOUT following symlinks (``../shared`` stays
``/…/shared`` in messages, never the link's target). Imports nothing heavy.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TRAINING_DIR = REPO_ROOT / "training"
CONFIGS_DIR = TRAINING_DIR / "configs"
CHAT_TEMPLATES_DIR = TRAINING_DIR / "chat_templates"
RUNS_DIR = REPO_ROOT / "runs"

# Stored Jinja chat templates (training/chat_templates/<name>.jinja) and their end-of-turn markers.
CHAT_TEMPLATES = ("chatml", "llama3", "phi3")

# Environment variables that relocate caches (each documented in docs/TRAINING.md).
BASE_CACHE_ENV = "TUTOR_BASE_CACHE"  # dequantized embedded base models (default runs/_base)
EMBEDDED_GGUF_DIR_ENV = "TUTOR_EMBEDDED_GGUF_DIR"  # the embedded GGUF on a machine without its package
DATA_CACHE_ENV = "TUTOR_DATA_CACHE"  # prepared data (default runs/_data)


def resolve_path(p: str | Path) -> Path:
    """A path from a config or a flag: absolute as is, relative against the repository root.

    Normalized lexically (``a/../b`` -> ``b``) so messages show the path as written, not a symlink's target.
    """
    path = Path(p).expanduser()
    if not path.is_absolute():
        path = REPO_ROOT / path
    return Path(os.path.normpath(path))


def shown_path(p: str | Path) -> str:
    """A path for messages: relative to the repository root when inside it, else absolute."""
    path = resolve_path(p)
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def base_cache_root() -> Path:
    return resolve_path(os.environ.get(BASE_CACHE_ENV) or RUNS_DIR / "_base")


def data_cache_root() -> Path:
    return resolve_path(os.environ.get(DATA_CACHE_ENV) or RUNS_DIR / "_data")


def run_folder(arg: str | Path) -> Path:
    """A ``--run`` value -> a run folder (not checked): a path that exists from here, a bare run
    name (``runs/<name>``), or a path relative to the repository root."""
    path = Path(arg).expanduser()
    if path.exists():
        return Path(os.path.abspath(path))
    if not path.is_absolute() and len(path.parts) == 1:
        return RUNS_DIR / path
    return resolve_path(path)
