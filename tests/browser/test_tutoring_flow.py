"""Checked tutoring in a real browser with the real app: hint, hint, a wrong attempt, a right
attempt (solved), the full solution; the checked step-by-step page; try a similar one.

    .venv/bin/python -m pytest tests/browser/test_tutoring_flow.py -s
    UPDATE_DOCS_SCREENSHOT=1 .venv/bin/python -m pytest tests/browser/test_tutoring_flow.py   # docs/*.png
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.harness import (
    REPO,
    ask,
    assistant_messages,
    message_body,
    open_page,
    page_text,
    screenshot,
    wait_answer,
    wait_idle,
)
from tutor.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.model]


def _wait_new_answer(page, before: int) -> str:
    """Wait for an assistant message beyond the first ``before`` ones to finish; its text."""
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stChatMessageAvatarAssistant\"]').length > n",
        arg=before,
        timeout=300_000,
    )
    wait_answer(page)
    wait_idle(page)
    for _ in range(50):  # the page may be re-rendering under us: read again until it holds text
        msgs = assistant_messages(page)
        text = message_body(msgs.nth(msgs.count() - 1))
        if text:
            return text
        page.wait_for_timeout(200)
    raise AssertionError("the newest answer has no text")


def say(page, text: str) -> str:
    """Type ``text`` into the question box; the tutor's reply."""
    before = assistant_messages(page).count()
    ask(page, text)
    return _wait_new_answer(page, before)


def click(page, label: str) -> str:
    """Press one of the buttons under the last answer; the tutor's reply."""
    before = assistant_messages(page).count()
    page.get_by_role("button", name=label).first.click()
    return _wait_new_answer(page, before)


def stored_answers(app) -> list[dict]:
    store = Store(app.home / "tutor.db")
    rows = [r for s in store.list_sessions() for r in store.messages(s["id"]) if r["role"] == "assistant"]
    store.close()
    return sorted(rows, key=lambda r: r["id"])


def save_docs_screenshot(path, name: str) -> None:
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copy(path, REPO / "docs" / name)


def test_hint_ladder_attempts_and_solution(app, page):
    open_page(page, app, "hint")
    first = say(page, "how do I solve 3x + 5 = 20?")
    assert "Checked by the solver" in first and first.rstrip().endswith("?")
    # the full solution is locked until three hints were shown
    assert page.get_by_role("button", name="📖 Full solution").first.is_disabled()
    second = click(page, "💡 Another hint")
    assert second != first and second.rstrip().endswith("?")
    # a wrong step: the tutor says where it goes wrong and gives the next hint, not the answer
    wrong = say(page, "3x = 25")
    assert "💡" in wrong and "subtract" in wrong.lower()
    path = screenshot(page, "hint-ladder")
    save_docs_screenshot(path, "screenshot-hint-ladder.png")
    assert "correct" in say(page, "x = 5").lower()
    # solved: no more hints; the full solution opens, whatever the count of hints
    page.get_by_text("Solved!").first.wait_for(timeout=30_000)
    assert page.get_by_role("button", name="💡 Another hint").first.is_disabled()
    solution = click(page, "📖 Full solution")
    assert "Final answer" in solution
    assert page.get_by_test_id("stException").count() == 0, page_text(page)[:2000]
    rows = stored_answers(app)
    assert [r["action"] for r in rows[-5:]] == ["ask", "hint", "attempt", "attempt", "solution"]
    for row in rows[-5:-1]:  # nothing before the solution gave the answer away
        assert "x = 5" not in row["content"].replace("$", "") or row["action"] == "attempt"
    assert "$x = 5$" in rows[-1]["content"]


def test_checked_step_by_step_and_a_similar_problem(app, page):
    open_page(page, app, "step_by_step")
    body = say(page, "Find the derivative of x^3 + 2x")
    assert "Checked by the solver" in body and "Final answer" in body
    assert page.locator(".katex").count() > 0  # the steps render as math, not as red KaTeX errors
    assert page.locator(".katex-error").count() == 0
    path = screenshot(page, "step-by-step-checked")
    save_docs_screenshot(path, "screenshot-step-by-step.png")
    similar = click(page, "🔁 Try a similar one")
    assert "similar problem" in similar.lower() and "Checked by the solver" in similar
    assert stored_answers(app)[-1]["kind"] == "derivative"
