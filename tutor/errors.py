"""Errors with messages written for the person who sees them.

Every error the app shows is a ``TutorError``: ``message`` says what went wrong
in plain words and ``hint`` says what to do about it. Pages catch ``TutorError``
and show both; anything else is a bug.
"""

from __future__ import annotations


class TutorError(Exception):
    """Base class: ``message`` for the user, ``hint`` for what to do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


# --- input -----------------------------------------------------------------
class InputRejected(TutorError):
    """The question cannot be asked as given (empty, too long, binary)."""


class ContextOverflow(InputRejected):
    """A single question does not fit in the model's context window."""


# --- configuration and data files -------------------------------------------
class ConfigError(TutorError):
    """A data file (prompt, registry, settings) is malformed.

    ``path`` and ``key`` name the file and the offending key so the fix is obvious.
    """

    def __init__(self, message: str, hint: str = "", *, path: str = "", key: str = "") -> None:
        where = path + (f": {key}" if key else "")
        super().__init__(f"{where}: {message}" if where else message, hint)
        self.path = path
        self.key = key


class PromptFileError(ConfigError):
    """A mode file in prompts/ is invalid."""


class RegistryError(ConfigError):
    """The model registry file is invalid or names an unknown model."""


# --- models -----------------------------------------------------------------
class ModelError(TutorError):
    """The model could not be found, fetched, loaded or run."""


class ModelNotFound(ModelError):
    """A local GGUF path does not exist (or the embedded package is missing)."""


class ModelCorrupt(ModelError):
    """The file exists but is not a loadable GGUF (truncated, wrong format)."""


class ModelNotCached(ModelError):
    """A Hub model is not in the cache and the machine is offline."""


class GenerationError(ModelError):
    """The model failed while generating."""


# --- storage ----------------------------------------------------------------
class StorageError(TutorError):
    """The history database could not be read or written."""


class DatabaseLocked(StorageError):
    """Another writer held the database for longer than we waited."""


class StateDirError(StorageError):
    """The state directory cannot be created or written."""
