"""Browser test fixtures: the real app (real embedded model) in its own process, and chromium.

- ``app``: ``streamlit run streamlit_app.py`` on a free loopback port with a fresh
  TUTOR_HOME, one per test module (tests that kill it start their own with ``start_app``);
- ``browser``: Debian's chromium (/usr/bin/chromium) under Playwright, one per run;
- ``page``: a fresh browser context (= its own Streamlit session) per test; a failing
  test leaves a screenshot ``FAILED-<test>.png`` beside the others.

Screenshots and the app's log go to $BROWSER_ARTIFACTS (default /tmp/tutor-browser).

    .venv/bin/python -m pytest tests/browser -s          # -s prints the screenshot paths
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.harness import CHROMIUM, artifacts_dir, chromium, new_page, prime, screenshot, start_app


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        try:
            import playwright  # noqa: F401
        except ImportError:
            pass
        else:
            return
        why = "playwright is not installed (make install-test)"
    else:
        why = f"{CHROMIUM} is missing (apt-get install chromium, or make install-test)"
    if os.environ.get("CI"):
        pytest.fail(why)  # in CI a missing browser is a failure, never a silent skip
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    _need_chromium()
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def app(tmp_path_factory, request, browser):
    name = request.module.__name__.rsplit(".", 1)[-1]
    app = start_app(tmp_path_factory.mktemp("tutor-home"), log_name=f"streamlit-{name}.log")
    print(f"app: {app.url} (TUTOR_HOME={app.home}, log {app.log_path}); pages {prime(app, browser)}")
    yield app
    app.stop()


@pytest.fixture
def page(browser, request):
    pg = new_page(browser)
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            screenshot(pg, f"FAILED-{request.node.name}")
        except Exception as exc:  # the page may be gone; the failure itself matters more
            print(f"no failure screenshot: {exc}")
    pg.context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def pytest_report_header(config):
    return f"browser artifacts: {artifacts_dir()}"
