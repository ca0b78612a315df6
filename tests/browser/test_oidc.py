"""OpenID Connect sign-in (Streamlit's st.login) against a real OIDC provider the test starts.

The provider is oidc-provider-mock (a Flask app built on Authlib's server) on 127.0.0.1; the
app runs in class mode with an [auth] section pointing at it. Nothing is patched: the browser
goes app -> sign-in page -> st.login -> the provider's authorize form -> /oauth2callback -> app.

    .venv/bin/python -m pytest tests/browser/test_oidc.py -s
"""

from __future__ import annotations

import secrets
import threading

import pytest

from tests.browser.harness import free_port, new_page, page_text, start_app, wait_idle
from tutor import auth
from tutor.store import Store

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def provider():
    oidc_mock = pytest.importorskip("oidc_provider_mock")
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, oidc_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def app(tmp_path_factory, provider, browser):
    home = tmp_path_factory.mktemp("oidc-home")
    port = free_port()
    secrets_file = home / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        "[auth.school]\n"
        'client_id = "study-tutor"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    app = start_app(home, port=port, env={"TUTOR_MODE": "class"}, script="serve.py",
                    args=("--secrets.files", str(secrets_file)), log_name="streamlit-oidc.log")  # fmt: skip
    yield app
    app.stop()


def _sign_in_with_school(browser, app, sub: str):
    page = new_page(browser)
    page.goto(app.url + "/", wait_until="domcontentloaded")
    assert page.url.endswith("/account/login")
    page.get_by_role("link", name="Sign in with your school account").click()
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    with page.expect_navigation(url="**/oauth2/authorize**"):
        page.get_by_role("button", name="Sign in with school").click()
    page.fill("input[name=sub]", sub)
    with page.expect_navigation(url=f"{app.url}/**"):
        page.get_by_role("button", name="Authorize").click()
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    return page


def test_oidc_sign_in_makes_an_account_and_survives_a_reload(app, browser):
    page = _sign_in_with_school(browser, app, "ann@school.edu")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.wait_for()
    assert "Signed in as ann@school.edu" in sidebar.inner_text(), page_text(page)[:800]
    assert "Dashboard" not in sidebar.inner_text()
    page.reload(wait_until="domcontentloaded")
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    assert "Signed in as ann@school.edu" in page.get_by_test_id("stSidebar").inner_text()
    store = Store(app.db_path)
    [row] = [u for u in auth.list_users(store) if u["provider"] == "oidc"]
    assert row["username"] == "ann@school.edu" and row["role"] == "student"
    # an instructor promotes her (python -m tutor.auth role ...): she sees the dashboard next run
    auth.set_role(store, "ann@school.edu", "instructor")
    page.reload(wait_until="domcontentloaded")
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    assert "Dashboard" in page.get_by_test_id("stSidebar").inner_text()
    page.context.close()
