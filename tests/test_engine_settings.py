"""GenSettings and its checks (tutor/engine/settings.py): the one place mode files are validated against."""

from __future__ import annotations

import pytest

from tutor.engine.settings import FIELDS, RANGES, GenSettings, SettingError, check_setting, parse_gen_settings


def test_parse_applies_and_converts():
    gen = parse_gen_settings({"temperature": 1, "max_tokens": 200, "stop": "END", "seed": 7})
    assert gen == GenSettings(temperature=1.0, max_tokens=200, stop=("END",), seed=7)
    assert isinstance(gen.temperature, float)
    base = GenSettings(top_k=5)
    assert parse_gen_settings({"top_p": 0.5}, base) == GenSettings(top_k=5, top_p=0.5)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("temperature", 3, "must be a number between 0 and 2"),
        ("temperature", True, "must be a number between 0 and 2"),
        ("top_k", 2.5, "must be a whole number between 0 and 1000"),
        ("max_tokens", 0, "must be a whole number between 1 and 4096"),
        ("repeat_penalty", "1.1", "must be a number between 0 and 2"),
        ("seed", 1.5, "must be a whole number or null"),
        ("stop", ["ok", ""], "must be a list of non-empty strings"),
        ("temprature", 0.2, "unknown setting"),
    ],
)
def test_bad_values_name_the_setting(name, value, message):
    with pytest.raises(SettingError) as info:
        check_setting(name, value)
    assert info.value.key == name and message in info.value.message


def test_every_numeric_field_has_a_range():
    assert set(RANGES) | {"seed", "stop"} == set(FIELDS)
    for name, (kind, low, high) in RANGES.items():
        assert check_setting(name, low) == low and check_setting(name, high) == high
