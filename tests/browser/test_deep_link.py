"""A deep link (a tutor page's URL) as the very first request to a freshly started app.

With a custom url_path the first visit showed a "Page not found" dialog over the page (the repo
has a pages/ folder, which a fresh Streamlit process maps by file name before st.navigation runs).

    .venv/bin/python -m pytest tests/browser/test_deep_link.py -s
"""

from __future__ import annotations

import pytest

from tests.browser.harness import PAGES, TITLES, new_page, screenshot, start_app, wait_idle

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("name", ["hint", "medical"])
def test_a_bookmarked_page_opens_on_a_fresh_app(browser, tmp_path, name):
    app = start_app(tmp_path / "home", log_name=f"streamlit-deep-link-{name}.log")
    try:
        page = new_page(browser)
        page.goto(f"{app.url}/{PAGES[name]}", wait_until="domcontentloaded")
        page.get_by_test_id("stApp").wait_for()
        wait_idle(page)
        screenshot(page, f"deep-link-first-visit-{name}")
        dialogs = [d.inner_text() for d in page.locator("[role=dialog]").all()]
        assert not any("Page not found" in d for d in dialogs), dialogs
        assert TITLES[name] in page.locator("h1").first.inner_text()
        assert page.get_by_test_id("stChatInputTextArea").is_editable()
        page.context.close()
    finally:
        app.stop()
