"""Instructor settings, locks and each student's own choices -> the Mode a student gets.

What an instructor sets (stored in the ``settings`` table, keys kept from before accounts):

- ``enabled_modes``: the modes students can use (absent: all);
- ``model``: the model for every page, ``model:<mode>``: one page's model;
- ``values:<mode>``: ``{"temperature", "max_tokens", "hints_before_solution"}`` for one mode;
- ``locks``: which of ``LOCKABLE`` students may not change (``locks_format``: 2 since the
  hint gate is locked by default).

Locked by default (``DEFAULT_LOCKS``): the enabled modes and the hints before the solution.
The hint gate is the tutor's pedagogy: a student lowers it only after an instructor
explicitly unlocks it. A ``locks`` list saved before that default (no ``locks_format``)
still gets the hint lock: leaving a box unticked then was not a decision to unlock it.

What a student may choose (``user_settings``, per user, ``<mode>.<name>``): the model of a
page, temperature, answer length (max_tokens) and hints before the solution, unless that
setting is locked. ``effective_mode`` combines them: a locked setting takes the instructor's
value (else the mode file's); an unlocked one takes the student's choice, else the
instructor's value, else the mode file's. ``set_choice`` refuses a locked setting on the
server, whatever the page showed; ``save`` refuses anyone but an instructor.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from tutor.access import AccessDenied, User, require
from tutor.errors import InputRejected
from tutor.prompts import Mode
from tutor.store import Store

# Settings a student may choose per mode, with their ranges.
CHOICES: dict[str, tuple[type, float, float]] = {
    "temperature": (float, 0.0, 2.0),
    "max_tokens": (int, 16, 4096),  # answer length
    "hints_before_solution": (int, 0, 10),
}
LOCKABLE = ("enabled_modes", "model", "hints_before_solution", "temperature", "max_tokens")
DEFAULT_LOCKS = frozenset({"enabled_modes", "hints_before_solution"})
# Locks that became defaults after instructors could already save a ``locks`` list.
_LOCKS_ADDED_IN_FORMAT_2 = frozenset({"hints_before_solution"})
LOCKS_FORMAT = 2
LOCK_LABELS = {
    "enabled_modes": "enabled modes",
    "model": "model per mode",
    "hints_before_solution": "hints before the solution",
    "temperature": "temperature",
    "max_tokens": "answer length",
}


@dataclass(frozen=True)
class ClassSettings:
    """Everything an instructor decides (see the module docstring)."""

    enabled_modes: tuple[str, ...] | None = None
    model: str | None = None
    models: dict[str, str] = field(default_factory=dict)  # mode id -> model name
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # mode id -> {choice: value}
    locks: frozenset[str] = DEFAULT_LOCKS

    def locked(self, name: str) -> bool:
        return name in self.locks


def check_value(name: str, value: Any) -> Any:
    """A choice's value in range (InputRejected otherwise); None means 'not set'."""
    if value is None:
        return None
    if name not in CHOICES:
        raise InputRejected(f"Unknown setting {name!r}.", f"Settings: {', '.join(CHOICES)}.")
    kind, low, high = CHOICES[name]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int and ok and float(value) != int(value):
        ok = False
    if not ok or not low <= value <= high:
        raise InputRejected(f"{name} must be between {low:g} and {high:g}.", "Pick a value in that range.")
    return kind(value)


def load(store: Store) -> ClassSettings:
    """The instructor's settings as stored (bad stored values are ignored, not fatal)."""
    rows = store.read(lambda db: list(db.query("SELECT key, value FROM settings")))
    raw: dict[str, Any] = {}
    for row in rows:
        try:
            raw[row["key"]] = json.loads(row["value"])
        except ValueError:
            continue
    enabled = raw.get("enabled_modes")
    models = {k.split(":", 1)[1]: v for k, v in raw.items() if k.startswith("model:") and isinstance(v, str)}
    values: dict[str, dict[str, Any]] = {}
    for key, val in raw.items():
        if key.startswith("values:") and isinstance(val, dict):
            good = {}
            for name, v in val.items():
                try:
                    if check_value(name, v) is not None:
                        good[name] = check_value(name, v)
                except InputRejected:
                    continue
            if good:
                values[key.split(":", 1)[1]] = good
    locks = raw.get("locks")
    if isinstance(locks, list):
        locks = {x for x in locks if x in LOCKABLE}
        if raw.get("locks_format") != LOCKS_FORMAT:
            locks |= _LOCKS_ADDED_IN_FORMAT_2
    return ClassSettings(
        enabled_modes=tuple(enabled) if isinstance(enabled, list) and enabled else None,
        model=raw.get("model") if isinstance(raw.get("model"), str) else None,
        models=models,
        values=values,
        locks=frozenset(locks) if isinstance(locks, set) else DEFAULT_LOCKS,
    )


def save(store: Store, user: User, settings: ClassSettings, mode_ids: list[str]) -> None:
    """Store an instructor's settings (AccessDenied for anyone else; InputRejected if bad)."""
    require(user, "change_settings")
    if settings.enabled_modes is not None and not settings.enabled_modes:
        raise InputRejected("Keep at least one mode on.", "Students need at least one mode.")
    unknown = set(settings.locks) - set(LOCKABLE)
    if unknown:
        raise InputRejected(f"Unknown lock(s): {', '.join(sorted(unknown))}.")
    for mode_id, vals in settings.values.items():
        for name, value in vals.items():
            check_value(name, value)

    def op(db) -> None:
        def put(key: str, value: Any) -> None:
            db["settings"].upsert(
                {"key": key, "value": json.dumps(value), "updated_at": _now()}, pk="key"
            )

        put("enabled_modes", list(settings.enabled_modes) if settings.enabled_modes else None)
        put("model", settings.model)
        for mode_id in mode_ids:
            put(f"model:{mode_id}", settings.models.get(mode_id))
            put(f"values:{mode_id}", {k: v for k, v in settings.values.get(mode_id, {}).items() if v is not None})
        put("locks", sorted(settings.locks))
        put("locks_format", LOCKS_FORMAT)

    store.write(op)


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- students
def choices(store: Store, user: User) -> dict[str, Any]:
    """The user's own choices, ``{"<mode>.<name>": value}`` (model choices as ``<mode>.model``)."""
    rows = store.read(
        lambda db: list(db.query("SELECT key, value FROM user_settings WHERE user_id = ?", [user.id]))
    )
    out = {}
    for row in rows:
        try:
            out[row["key"]] = json.loads(row["value"])
        except ValueError:
            continue
    return out


def set_choice(
    store: Store, user: User, settings: ClassSettings, mode_id: str, name: str, value: Any,
    *, models: list[str] | None = None,
) -> None:  # fmt: skip
    """Store one of the user's own choices; AccessDenied if the instructor locked it."""
    require(user, "change_own_choices")
    if name not in ("model", "enabled_modes") and name not in CHOICES:
        raise InputRejected(f"Unknown setting {name!r}.")
    if settings.locked(name) and not user.is_instructor:
        raise AccessDenied(
            f"Your instructor has locked the {LOCK_LABELS[name]}.", "Ask your instructor to change it."
        )
    if name == "enabled_modes":
        if value is not None and (not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value)):
            raise InputRejected("Keep at least one mode on.", "Pick the modes you want in the sidebar.")
        mode_id = "all"
    elif name == "model":
        if value is not None and (not isinstance(value, str) or (models is not None and value not in models)):
            raise InputRejected(f"There is no model called {value!r}.", "Pick one from the list.")
    else:
        value = check_value(name, value)
    key = f"{mode_id}.{name}"

    def op(db) -> None:
        if value is None:
            db.execute("DELETE FROM user_settings WHERE user_id = ? AND key = ?", [user.id, key])
        else:
            db["user_settings"].upsert(
                {"user_id": user.id, "key": key, "value": json.dumps(value), "updated_at": _now()},
                pk=("user_id", "key"),
            )

    store.write(op)


def _pick(settings: ClassSettings, own: dict[str, Any], mode_id: str, name: str, default: Any) -> Any:
    instructor = settings.values.get(mode_id, {}).get(name)
    if not settings.locked(name):
        mine = own.get(f"{mode_id}.{name}")
        try:
            if check_value(name, mine) is not None:
                return check_value(name, mine)
        except InputRejected:
            pass
    return instructor if instructor is not None else default


def effective_mode(mode: Mode, settings: ClassSettings, own: dict[str, Any] | None = None) -> Mode:
    """The Mode this student gets: locks + instructor values + their own choices."""
    own = own or {}
    gen = dataclasses.replace(
        mode.gen,
        temperature=float(_pick(settings, own, mode.id, "temperature", mode.gen.temperature)),
        max_tokens=int(_pick(settings, own, mode.id, "max_tokens", mode.gen.max_tokens)),
    )
    hints = int(_pick(settings, own, mode.id, "hints_before_solution", mode.hints_before_solution))
    return dataclasses.replace(mode, gen=gen, hints_before_solution=hints)


def model_for(
    mode_id: str, settings: ClassSettings, own: dict[str, Any] | None, known: list[str], fallback: str
) -> str:
    """The model for a page: the student's own choice (unless locked), else the instructor's
    choice for the page, else for all pages, else ``fallback`` (TUTOR_MODEL / the registry's)."""
    own = own or {}
    mine = own.get(f"{mode_id}.model")
    if not settings.locked("model") and mine in known:
        return mine
    for chosen in (settings.models.get(mode_id), settings.model):
        if chosen in known:
            return chosen
    return fallback


def enabled_modes(settings: ClassSettings, mode_ids: list[str], own: dict[str, Any] | None = None) -> list[str]:
    """The modes this user can use: the instructor's list (all if none), or, while
    ``enabled_modes`` is unlocked, the user's own pick among all modes."""
    mine = (own or {}).get("all.enabled_modes")
    if not settings.locked("enabled_modes") and isinstance(mine, list):
        picked = [m for m in mode_ids if m in mine]
        if picked:
            return picked
    if not settings.enabled_modes:
        return list(mode_ids)
    return [m for m in mode_ids if m in settings.enabled_modes]
