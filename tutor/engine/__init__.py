"""The engine: one model per process shared by every session, behind a small ``Backend``.

| module                       | owns                                                        |
|------------------------------|-------------------------------------------------------------|
| ``settings``                 | ``GenSettings`` and every check on its fields               |
| ``events``                   | ``Queued``, ``Started``, ``Token``, ``Finished``, ``GenStats`` |
| ``core``                     | ``Backend`` protocol, ``Engine`` (slots + FIFO, fitting, stop, stats) |
| ``backends/llamacpp``        | ``LlamaCppBackend`` (in-process, one at a time), ``ChatPrompt``, RAM cache |
| ``backends/llamaserver``     | ``LlamaServerBackend`` (xllamacpp: N slots, continuous batching) |
| ``backends/openai_compat``   | ``OpenAIBackend`` (any OpenAI-compatible server)            |
| ``backends/__init__``        | ``load_backend(name)``: the registry's ``backend:`` -> a backend |
| ``cache``                    | ``get_engine()``: one Engine per model per process          |

Everything below is re-exported so ``from tutor.engine import Engine, GenSettings, ...`` works.
No backend imports its library (llama_cpp, xllamacpp, openai) before a model is loaded.
"""

from __future__ import annotations

from tutor.engine.backends import load_backend
from tutor.engine.backends.llamacpp import LlamaCppBackend
from tutor.engine.cache import default_model_name, get_engine, reset_engines, set_engine_factory
from tutor.engine.core import Backend, Engine
from tutor.engine.events import Event, Finished, GenStats, Queued, Started, Token
from tutor.engine.settings import GenSettings
from tutor.errors import ModelError


__all__ = [
    "Backend",
    "Engine",
    "Event",
    "Finished",
    "GenSettings",
    "GenStats",
    "LlamaCppBackend",
    "ModelError",
    "Queued",
    "Started",
    "Token",
    "default_model_name",
    "get_engine",
    "load_backend",
    "reset_engines",
    "set_engine_factory",
]
