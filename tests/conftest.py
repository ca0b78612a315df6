"""Shared fixtures: every test gets its own TUTOR_HOME, so state never leaks."""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (make test-all)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    """A fresh state folder per test (the one env var that relocates all state)."""
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


@pytest.fixture
def modes():
    """The shipped mode files, as the app loads them."""
    from tutor.config import get_settings
    from tutor.prompts import load_modes

    return load_modes(get_settings().prompts_dir)


@pytest.fixture
def fake():
    """The model boundary: a FakeBackend whose replies a test enqueues."""
    from tutor.fake import FakeBackend

    return FakeBackend()


@pytest.fixture
def engine(fake):
    from tutor.engine import Engine

    return Engine(fake)
