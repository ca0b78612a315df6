"""One Engine per model per process, loaded on first use and shared by every session.

Tests call ``set_engine_factory(lambda name: Engine(FakeBackend(...)))`` and ``reset_engines()``.
"""

from __future__ import annotations

import threading
from typing import Callable

from tutor.config import Settings, get_settings
from tutor.engine.backends import load_backend
from tutor.engine.core import Engine

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_factory: Callable[[str], Engine] | None = None


def default_model_name(settings: Settings | None = None) -> str:
    """TUTOR_MODEL if set, else the registry's default."""
    from tutor.models import load_registry

    settings = settings or get_settings()
    return settings.model_override or load_registry(settings).default


def get_engine(
    model_name: str | None = None, settings: Settings | None = None, progress: Callable | None = None
) -> Engine:
    """The process-wide Engine for ``model_name`` (None: TUTOR_MODEL or the registry default),
    loaded on first use. Errors are ModelError subclasses (or RegistryError for a bad name)."""
    settings = settings or get_settings()
    name = model_name or default_model_name(settings)
    with _engines_lock:  # two threads asking at once load the model once
        engine = _engines.get(name)
        if engine is None:
            if _factory is not None:
                engine = _factory(name)
            else:
                engine = Engine(load_backend(name, settings, progress))
            _engines[name] = engine
        return engine


def set_engine_factory(factory: Callable[[str], Engine] | None) -> None:
    """Build engines with ``factory(name)`` instead of loading models (tests);
    cached engines are dropped so the factory takes effect at once."""
    global _factory
    reset_engines()
    _factory = factory


def reset_engines() -> None:
    """Close and forget every cached engine and remove any factory set by tests."""
    global _factory
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
        _factory = None
    for engine in engines:
        try:
            engine.backend.close()
        except Exception:  # closing is best effort
            pass


__all__ = ["default_model_name", "get_engine", "reset_engines", "set_engine_factory"]
