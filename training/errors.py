"""The training package's own errors: every message names what is wrong and what to do.

    TrainingError            base; ``message`` + ``hint`` (tutor.errors.TutorError)
      TrainConfigError       a config file or --set value: "file: key: what is wrong (you wrote X)"
      DataError              a data file cannot be read or holds no usable rows
      RunStateError          the run folder does not allow this (another recipe, already complete)
      Interrupted            Ctrl-C / SIGTERM: the run stopped and was recorded as interrupted
      ExportError            an export step cannot go on

Commands print these through ``training.cli.command`` as one ``error: ...`` line (exit 2;
130 for Interrupted), never as a traceback.
"""

from __future__ import annotations

from tutor.errors import ConfigError, TutorError


class TrainingError(TutorError):
    """Base class of every error a training command reports to its user."""

    exit_code = 2


class TrainConfigError(ConfigError, TrainingError):
    """A training config is malformed; ``path`` (file or ``--set ...``) and ``key`` say where."""


class DataError(TrainingError):
    """The data source cannot be read or yields nothing to train on."""


class RunStateError(TrainingError):
    """The run folder's state forbids the request (different recipe, nothing left to train)."""


class Interrupted(TrainingError):
    """The run was stopped by Ctrl-C or SIGTERM; it is recorded as ``interrupted``."""

    exit_code = 130


class ExportError(TrainingError):
    """An export step cannot go on; the message says what is wrong and what to run."""
