"""Mode files: the shipped ones load, and every kind of mistake names the file and key."""

from __future__ import annotations

import textwrap

import pytest

from tutor.config import REPO_ROOT
from tutor.engine import GenSettings
from tutor.errors import PromptFileError
from tutor.prompts import Mode, build_messages, load_mode, load_modes

PROMPTS = REPO_ROOT / "prompts"
GOOD = """\
title: Hint
icon: "💡"
order: 3
description: A nudge.
guard: hint
notice: null
instructions: |
  Give one hint.
defaults:
  temperature: 0.3
  max_tokens: 200
"""


def _write(tmp_path, text: str, name: str = "hint.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_modes_load_in_order():
    modes = load_modes(PROMPTS)
    assert list(modes) == ["step_by_step", "explain", "hint", "medical"]
    assert modes["hint"].guard == "hint" and modes["medical"].guard == "medical"
    assert modes["step_by_step"].guard is None and modes["explain"].guard is None
    assert modes["medical"].notice == (
        "For education only — not medical advice. In an emergency call your local emergency number."
    )
    assert modes["hint"].gen.temperature <= 0.4 and modes["step_by_step"].gen.temperature <= 0.4
    for mode in modes.values():
        assert isinstance(mode.gen, GenSettings)
        assert mode.title and mode.icon and mode.description
        assert len(mode.instructions) < 800, "a 135M model needs short instructions"
        assert 1 <= mode.gen.max_tokens <= 4096
    assert "final answer" in modes["hint"].instructions.lower()  # "Never give the final answer"
    assert "Final answer:" in modes["step_by_step"].instructions
    assert "$" in modes["step_by_step"].instructions
    for heading in ("Presentation", "Differential", "Key findings", "Next steps", "Learning points"):
        assert heading in modes["medical"].instructions


def test_good_file_and_defaults(tmp_path):
    mode = load_mode(_write(tmp_path, GOOD))
    assert isinstance(mode, Mode) and mode.id == "hint" and mode.order == 3
    assert mode.gen == GenSettings(temperature=0.3, max_tokens=200)
    minimal = load_mode(_write(tmp_path, "title: T\ninstructions: Do it.\n", "x.yaml"))
    assert minimal.gen == GenSettings() and minimal.guard is None and minimal.notice is None
    stop = load_mode(
        _write(tmp_path, "title: T\ninstructions: I\ndefaults:\n  stop: ['###']\n  seed: 7\n", "s.yaml")
    )
    assert stop.gen.stop == ("###",) and stop.gen.seed == 7


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            GOOD.replace("temperature: 0.3", "temperature: 3"),
            "hint.yaml: defaults.temperature: must be a number between 0 and 2",
        ),
        (
            GOOD.replace("temperature: 0.3", "temperature: hot"),
            "defaults.temperature: must be a number between 0 and 2",
        ),
        (GOOD.replace("temperature: 0.3", "temperature: true"), "defaults.temperature: must be a number"),
        (
            GOOD.replace("max_tokens: 200", "max_tokens: 0"),
            "defaults.max_tokens: must be a whole number between 1 and 4096",
        ),
        (
            GOOD.replace("max_tokens: 200", "max_tokens: 5000"),
            "defaults.max_tokens: must be a whole number between 1 and 4096",
        ),
        (GOOD.replace("max_tokens: 200", "max_tokens: 2.5"), "defaults.max_tokens: must be a whole number"),
        (GOOD.replace("max_tokens: 200", "top_p: 1.5"), "defaults.top_p: must be a number between 0 and 1"),
        (GOOD.replace("max_tokens: 200", "temprature: 0.2"), "defaults.temprature: unknown setting"),
        (GOOD.replace("max_tokens: 200", "stop: [1, 2]"), "defaults.stop: must be a list"),
        (GOOD.replace("max_tokens: 200", "seed: abc"), "defaults.seed: must be a whole number"),
        (GOOD + "colour: blue\n", "hint.yaml: colour: unknown key"),
        (GOOD.replace("title: Hint\n", ""), "hint.yaml: title: missing"),
        (GOOD.replace("instructions: |\n  Give one hint.\n", ""), "instructions: missing"),
        (GOOD.replace("title: Hint", "title: [a, b]"), "title: must be non-empty text"),
        (GOOD.replace("title: Hint", "title: ''"), "title: must be non-empty text"),
        (GOOD.replace("order: 3", "order: first"), "order: must be a whole number"),
        (GOOD.replace("guard: hint", "guard: strict"), "guard: must be null or one of: hint, medical"),
        (GOOD.replace("notice: null", "notice: 5"), "notice: must be null or non-empty text"),
        (
            GOOD + "hints_before_solution: 11\n",
            "hint.yaml: hints_before_solution: must be a whole number between 0 and 10",
        ),
        (GOOD + "model_note: sometimes\n", "hint.yaml: model_note: must be true or false"),
        (
            GOOD.replace("defaults:\n  temperature: 0.3\n  max_tokens: 200\n", "defaults: [1]\n"),
            "defaults: must be a mapping",
        ),
        ("- just\n- a list\n", "hint.yaml: must be a mapping"),
        ("", "hint.yaml: must be a mapping"),
        (GOOD + "title: Again\n", "duplicate key 'title'"),
    ],
)
def test_mistakes_name_file_and_key(tmp_path, text, expected):
    with pytest.raises(PromptFileError) as info:
        load_mode(_write(tmp_path, text))
    assert expected in str(info.value)
    assert info.value.path.endswith("hint.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    bad = GOOD.replace("description: A nudge.", "description: [unclosed")
    with pytest.raises(PromptFileError) as info:
        load_mode(_write(tmp_path, bad))
    assert "hint.yaml: line " in str(info.value) and "invalid YAML" in str(info.value)
    assert info.value.key.startswith("line ")


def test_repo_files_are_named_relative_to_the_repo(tmp_path, monkeypatch):
    import tutor.prompts as prompts

    assert prompts._display_path(PROMPTS / "hint.yaml") == "prompts/hint.yaml"


def test_missing_or_empty_prompts_dir(tmp_path):
    with pytest.raises(PromptFileError, match="no mode files"):
        load_modes(tmp_path)
    with pytest.raises(PromptFileError):
        load_modes(tmp_path / "nope")


def test_load_modes_stops_at_first_bad_file(tmp_path):
    _write(tmp_path, GOOD)
    _write(tmp_path, GOOD.replace("top_p", "x").replace("max_tokens: 200", "top_k: -1"), "bad.yaml")
    with pytest.raises(PromptFileError, match=r"bad.yaml: defaults.top_k"):
        load_modes(tmp_path)


def test_build_messages_keeps_instructions_first_and_stable():
    mode = load_modes(PROMPTS)["hint"]
    first = build_messages(mode, [], "Solve 3x+5=20")
    assert first == [
        {"role": "system", "content": mode.instructions},
        {"role": "user", "content": "Solve 3x+5=20"},
    ]
    history = [
        {"role": "user", "content": "Solve 3x+5=20", "id": 1, "status": "complete"},
        {"role": "assistant", "content": "Subtract 5 first.", "id": 2, "tokens": 4},
    ]
    second = build_messages(mode, history, "Then what?")
    assert second[0] == first[0]  # same prefix -> llama.cpp reuses its cache
    assert second[1:] == [
        {"role": "user", "content": "Solve 3x+5=20"},
        {"role": "assistant", "content": "Subtract 5 first."},
        {"role": "user", "content": "Then what?"},
    ]
