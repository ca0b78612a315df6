"""The real app SIGKILLed while an answer streams; restarted; History shows the partial answer.

    .venv/bin/python -m pytest tests/browser/test_kill_restart.py -s
"""

from __future__ import annotations

import random
import sqlite3
import time

import pytest

from tests.browser.harness import ask, open_page, page_text, prime, screenshot, start_app, wait_idle, watch_stream

pytestmark = [pytest.mark.browser, pytest.mark.model]


def _assistant_row(db) -> dict | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


def test_app_killed_mid_answer_then_restarted_shows_the_interrupted_partial(browser, tmp_path):
    home = tmp_path / "home"
    tag = f"Kestrel{random.randint(1000, 9999)}"
    app = start_app(home, log_name="streamlit-kill-1.log")
    try:
        prime(app, browser)
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.set_default_timeout(120_000)
        open_page(page, app, "medical")
        ask(page, f"{tag}: Write a long detailed essay about the history of medicine, from antiquity to today.")
        watch_stream(page, until_chars=30)
        # wait until the periodic save (about every second) has put part of the answer on disk
        deadline = time.monotonic() + 300
        row = None
        while time.monotonic() < deadline:
            row = _assistant_row(app.db_path)
            if row and row["status"] == "streaming" and len(row["content"]) >= 20:
                break
            time.sleep(0.2)
        assert row and row["status"] == "streaming" and row["content"], row
        screenshot(page, "kill-before")
        app.kill()  # SIGKILL the whole process group mid-answer
        page.context.close()
    finally:
        app.stop()

    after_kill = _assistant_row(app.db_path)
    assert after_kill["status"] == "streaming" and after_kill["content"].startswith(row["content"])

    app2 = start_app(home, log_name="streamlit-kill-2.log")  # same TUTOR_HOME, fresh process
    try:
        prime(app2, browser)
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.set_default_timeout(120_000)
        open_page(page, app2, "history")
        page.get_by_test_id("stRadio").get_by_text(tag).first.click()
        wait_idle(page)
        text = page_text(page)
        screenshot(page, "kill-after-restart-history")
        assert "interrupted" in text, text[:2000]
        assert after_kill["content"].split()[0].strip("*#_:.,") in text
        stored = _assistant_row(app2.db_path)
        assert stored["status"] == "interrupted"
        assert stored["content"] == after_kill["content"]  # kept as it was when the process died
        page.context.close()
    finally:
        app2.stop()
