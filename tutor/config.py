"""Settings. ONE environment variable, ``TUTOR_HOME``, relocates all state.

Under ``$TUTOR_HOME`` (default ``~/.local/share/study-tutor``) live:

- ``tutor.db``        the SQLite history (sessions, messages, instructor settings)
- ``models/``         the Hugging Face cache for Hub models (``cache_dir`` of hf_hub_download)
- ``models.yaml``     models added by developers (``python -m tutor.models add ...``),
                      merged over the repo's ``models.yaml``

Everything else (prompts/, the repo's models.yaml) is read from the repository.
A few tuning knobs have their own variables (``TUTOR_THREADS``, ``TUTOR_N_CTX``,
``TUTOR_MODEL``) but none of them moves state.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import StateDirError

STATE_ENV = "TUTOR_HOME"
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_threads() -> int:
    """Threads for llama.cpp: the cores this process may use (2 on the free boxes)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    home: Path
    prompts_dir: Path
    repo_registry: Path
    n_threads: int
    n_ctx: int
    model_override: str | None = None  # TUTOR_MODEL: registry name used instead of the default

    @property
    def db_path(self) -> Path:
        return self.home / "tutor.db"

    @property
    def model_cache(self) -> Path:
        return self.home / "models"

    @property
    def user_registry(self) -> Path:
        return self.home / "models.yaml"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise StateDirError(f"{name}={raw!r} is not a whole number.", f"Unset {name} or set it to e.g. 2.")
    if value < 1:
        raise StateDirError(f"{name}={raw!r} must be at least 1.", f"Unset {name} or set it to e.g. 2.")
    return value


def get_settings() -> Settings:
    """Read settings from the environment (cheap; call it whenever needed)."""
    home = Path(os.environ.get(STATE_ENV) or Path.home() / ".local" / "share" / "study-tutor")
    return Settings(
        home=home.expanduser(),
        prompts_dir=REPO_ROOT / "prompts",
        repo_registry=REPO_ROOT / "models.yaml",
        n_threads=_int_env("TUTOR_THREADS", default_threads()),
        n_ctx=_int_env("TUTOR_N_CTX", 4096),
        model_override=os.environ.get("TUTOR_MODEL") or None,
    )


def check_state_dir(settings: Settings) -> None:
    """Create the state directory and prove it is writable; raise StateDirError if not.

    Called once at app start so an unwritable location is reported up front
    instead of failing on the first answer.
    """
    hint = f"Set {STATE_ENV} to a folder you can write to, e.g. `{STATE_ENV}=~/tutor-data make run`."
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
        settings.model_cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateDirError(
            f"Cannot create the state folder {settings.home} ({exc.strerror}).", hint
        ) from exc
    try:
        with tempfile.NamedTemporaryFile(dir=settings.home, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise StateDirError(
            f"The state folder {settings.home} is not writable ({exc.strerror}).", hint
        ) from exc
