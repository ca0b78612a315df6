"""Generation settings for one answer, and every check on them (one place).

Mode files (``prompts/*.yaml``, ``defaults:``) are validated here through
``parse_gen_settings``; every backend receives the same ``GenSettings``.

    gen = parse_gen_settings({"temperature": 0.3, "max_tokens": 200})
    parse_gen_settings({"top_p": 1.5})   # SettingError(key="top_p", "must be a number between 0 and 1")
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class GenSettings:
    """Sampling settings for one answer (temperature 0 = greedy)."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int | None = None
    stop: tuple[str, ...] = ()


# (kind, low, high) of each numeric setting; "seed" and "stop" are checked apart.
RANGES: dict[str, tuple[str, float, float]] = {
    "temperature": ("number", 0, 2),
    "top_p": ("number", 0, 1),
    "top_k": ("integer", 0, 1000),
    "repeat_penalty": ("number", 0, 2),
    "max_tokens": ("integer", 1, 4096),
}
FIELDS = tuple(f.name for f in dataclasses.fields(GenSettings))


class SettingError(ValueError):
    """One bad setting: ``key`` names it, ``message`` says what is allowed."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def check_setting(name: str, value: Any) -> Any:
    """Validate one setting; returns the value GenSettings wants (SettingError if bad)."""
    if name not in FIELDS:
        raise SettingError(name, f"unknown setting; known settings: {', '.join(FIELDS)}")
    if name == "seed":
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise SettingError(name, "must be a whole number or null")
        return value
    if name == "stop":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) and s for s in value):
            raise SettingError(name, "must be a list of non-empty strings")
        return tuple(value)
    kind, low, high = RANGES[name]
    ok_type = (int,) if kind == "integer" else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_type) or not low <= value <= high:
        article = "a whole number" if kind == "integer" else "a number"
        raise SettingError(name, f"must be {article} between {low} and {high}")
    return float(value) if kind == "number" else value


def parse_gen_settings(values: Mapping[str, Any], base: GenSettings | None = None) -> GenSettings:
    """``base`` (default GenSettings()) with ``values`` applied, each one checked."""
    checked = {name: check_setting(str(name), value) for name, value in values.items()}
    return dataclasses.replace(base or GenSettings(), **checked)


__all__ = ["FIELDS", "RANGES", "GenSettings", "SettingError", "check_setting", "parse_gen_settings"]
