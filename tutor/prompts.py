"""Tutor modes: one validated YAML file per mode in ``prompts/``, and the messages sent.

A mode file (``prompts/hint.yaml``; the mode id is the file stem)::

    title: Hint                  # required
    icon: "💡"
    order: 3                     # menu order (lowest first)
    description: A nudge toward the next step, never the answer.
    guard: hint                  # null | hint | medical  (see tutor/guards.py)
    notice: null                 # standing notice shown on the page
    hints_before_solution: 3     # hints a student sees before "Show the full solution" (0-10)
    pedagogy: hints              # null | steps | explain | hints  (how the math core takes part)
    instructions: |              # required: the system message
      You are a patient tutor ...
    defaults:                    # any GenSettings field (tutor/engine/settings.py)
      temperature: 0.3
      max_tokens: 200

Unknown keys, missing required keys, wrong types and out-of-range settings raise
``PromptFileError`` naming the file and the key, e.g.
``prompts/hint.yaml: defaults.temperature: must be a number between 0 and 2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tutor.config import REPO_ROOT
from tutor.engine.settings import GenSettings, SettingError, parse_gen_settings
from tutor.errors import PromptFileError

GUARDS = ("hint", "medical")
# How the math core (tutor.pedagogy, through tutor.tutoring) takes part in a mode's answers:
# steps = a checked worked solution; explain = an explanation grounded in the checked result;
# hints = the hint ladder, attempts checked, the solution after N hints; null = the model alone.
PEDAGOGIES = ("steps", "explain", "hints")
_REQUIRED = ("title", "instructions")
_OPTIONAL: dict[str, Any] = {
    "icon": "",
    "order": 100,
    "description": "",
    "guard": None,
    "notice": None,
    "hints_before_solution": 3,
    "pedagogy": None,
    "model_note": True,
    "defaults": {},
}
_KEYS = (*_REQUIRED, *_OPTIONAL)


@dataclass(frozen=True)
class Mode:
    """One way of answering: its page, its instructions and its generation settings."""

    id: str
    title: str
    icon: str
    order: int
    description: str
    instructions: str
    gen: GenSettings
    guard: str | None
    notice: str | None
    path: Path
    hints_before_solution: int = 3  # ladder rungs before the full solution is offered
    pedagogy: str | None = None  # one of PEDAGOGIES, or None
    model_note: bool = True  # beside checked math, the model's words (labelled not checked)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str) and key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

def load_mode(path: str | Path) -> Mode:
    """Load and validate one mode file; ``PromptFileError`` names the file and key."""
    path = Path(path)
    shown = _display_path(path)

    def err(key: str, message: str) -> PromptFileError:
        return PromptFileError(message, "Fix the mode file and reload the page.", path=shown, key=key)

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise err("", f"cannot read the file ({exc})") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise err(where, f"invalid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise err(
            "",
            "must be a mapping of keys (title, instructions, ...), not "
            f"{type(data).__name__ if data is not None else 'an empty file'}",
        )

    for key in data:
        if key not in _KEYS:
            raise err(str(key), f"unknown key; allowed keys: {', '.join(_KEYS)}")
    for key in _REQUIRED:
        if key not in data:
            raise err(key, "missing (required)")
        if not isinstance(data[key], str) or not data[key].strip():
            raise err(key, "must be non-empty text")
    values = {**_OPTIONAL, **data}
    for key in ("icon", "description"):
        if not isinstance(values[key], str):
            raise err(key, "must be text")
    if isinstance(values["order"], bool) or not isinstance(values["order"], int):
        raise err("order", "must be a whole number")
    if values["guard"] is not None and values["guard"] not in GUARDS:
        raise err("guard", f"must be null or one of: {', '.join(GUARDS)}")
    if values["notice"] is not None and (
        not isinstance(values["notice"], str) or not values["notice"].strip()
    ):
        raise err("notice", "must be null or non-empty text")
    if values["pedagogy"] is not None and values["pedagogy"] not in PEDAGOGIES:
        raise err("pedagogy", f"must be null or one of: {', '.join(PEDAGOGIES)}")
    hints = values["hints_before_solution"]
    if isinstance(hints, bool) or not isinstance(hints, int) or not 0 <= hints <= 10:
        raise err("hints_before_solution", "must be a whole number between 0 and 10")
    if not isinstance(values["model_note"], bool):
        raise err("model_note", "must be true or false")

    defaults = values["defaults"] if values["defaults"] is not None else {}
    if not isinstance(defaults, dict):
        raise err("defaults", "must be a mapping of generation settings")
    try:
        gen = parse_gen_settings(defaults)  # the checks live with GenSettings (tutor/engine/settings.py)
    except SettingError as exc:
        raise err(f"defaults.{exc.key}", exc.message) from exc

    return Mode(
        id=path.stem,
        title=values["title"].strip(),
        icon=values["icon"],
        order=values["order"],
        description=values["description"].strip(),
        instructions=values["instructions"].strip(),
        gen=gen,
        guard=values["guard"],
        notice=values["notice"].strip() if values["notice"] else None,
        path=path,
        hints_before_solution=hints,
        pedagogy=values["pedagogy"],
        model_note=values["model_note"],
    )


def load_each_mode(prompts_dir: str | Path) -> tuple[dict[str, Mode], dict[str, PromptFileError]]:
    """Every ``*.yaml`` mode that loads (ordered by ``order`` then id), and the error of each
    file that does not (by mode id, in file order): the UI reports a broken mode on its page."""
    prompts_dir = Path(prompts_dir)
    files = sorted(prompts_dir.glob("*.yaml")) if prompts_dir.is_dir() else []
    modes, errors = [], {}
    for path in files:
        try:
            modes.append(load_mode(path))
        except PromptFileError as err:
            errors[path.stem] = err
    modes.sort(key=lambda m: (m.order, m.id))
    return {m.id: m for m in modes}, errors


def load_modes(prompts_dir: str | Path) -> dict[str, Mode]:
    """Every ``*.yaml`` mode in ``prompts_dir``, ordered by ``order`` then id; a broken file raises."""
    modes, errors = load_each_mode(prompts_dir)
    if errors:
        raise next(iter(errors.values()))
    if not modes:
        raise PromptFileError(
            "no mode files (*.yaml) found",
            "Restore the prompts/ folder from the repository.",
            path=_display_path(Path(prompts_dir)),
        )
    return modes


def build_messages(mode: Mode, history: list[dict], question: str) -> list[dict]:
    """The chat messages for one answer: system instructions, earlier turns, the question.

    The mode's instructions are always the first message and never change between turns,
    so llama.cpp can reuse the prompt prefix it already has in its cache. Only ``role``
    and ``content`` of each earlier turn are kept.
    """
    messages = [{"role": "system", "content": mode.instructions}]
    messages += [{"role": m["role"], "content": m["content"]} for m in history]
    messages.append({"role": "user", "content": question})
    return messages
