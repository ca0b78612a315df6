"""The backends behind ``Engine``, one module each, chosen per model by ``backend:`` in models.yaml.

| backend        | module            | answers at once        | for                                    |
|----------------|-------------------|------------------------|----------------------------------------|
| ``llamacpp``   | ``llamacpp``      | 1 (FIFO)               | one person on a laptop (the default)   |
| ``llama-server`` | ``llamaserver`` | ``parallel`` slots     | a class on one machine (xllamacpp)     |
| ``openai``     | ``openai_compat`` | ``parallel`` requests  | a school: vLLM / llama-server / Ollama |

Each module is imported only when a model needs it (xllamacpp and openai stay unloaded
for a personal install).
"""

from __future__ import annotations

from typing import Callable

from tutor.config import Settings, get_settings

BACKENDS = ("llamacpp", "llama-server", "openai")


def load_backend(name: str, settings: Settings | None = None, progress: Callable | None = None):
    """Resolve a registry name to its backend (downloading a Hub model once) and load it."""
    from tutor.models import load_registry, resolve_model_path

    settings = settings or get_settings()
    spec = load_registry(settings).get(name)
    n_ctx = spec.n_ctx or settings.n_ctx
    if spec.backend == "openai":
        from tutor.engine.backends.openai_compat import OpenAIBackend

        return OpenAIBackend(
            model_name=name,
            base_url=str(spec.url),
            remote_model=str(spec.remote_model),
            n_ctx=n_ctx,
            slots=spec.parallel or 4,
            api_key_env=spec.api_key_env,
            timeout_s=spec.timeout_s or 60.0,
        )
    path = resolve_model_path(spec, settings, progress)
    if spec.backend == "llama-server":
        from tutor.engine.backends.llamaserver import LlamaServerBackend

        return LlamaServerBackend(
            path,
            model_name=name,
            n_ctx=n_ctx,
            n_threads=settings.n_threads,
            slots=spec.parallel or 8,
            settings=settings,
            ram_cache_mib=spec.ram_cache_mib,
        )
    from tutor.engine.backends.llamacpp import LlamaCppBackend

    return LlamaCppBackend(
        path,
        model_name=name,
        n_ctx=n_ctx,
        n_threads=settings.n_threads,
        settings=settings,
        ram_cache_bytes=None if spec.ram_cache_mib is None else spec.ram_cache_mib << 20,
    )


__all__ = ["BACKENDS", "load_backend"]
