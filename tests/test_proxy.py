"""The trusted-proxy rule: X-Forwarded-* count only from TUTOR_TRUSTED_PROXIES; the cookie's
Secure flag (TUTOR_COOKIE_SECURE) and the address sign-in throttles per."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.accounts import cheap_hasher  # noqa: F401  (fixture)
from tutor import auth, proxy
from tutor.config import get_settings
from tutor.errors import ConfigError
from tutor.store import Store
from tutor.ui import account_routes

PROXY = {"TUTOR_TRUSTED_PROXIES": "10.0.0.0/24, ::1"}
FWD = {"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https"}


def test_forwarded_headers_count_only_from_a_trusted_peer():
    assert proxy.client_address("10.0.0.5", FWD, PROXY) == "203.0.113.7"
    assert proxy.client_address("198.51.100.9", FWD, PROXY) == "198.51.100.9"  # not a proxy: ignored
    assert proxy.client_address("10.0.0.5", FWD, {}) == "10.0.0.5"  # no proxies configured
    assert proxy.client_address("::1", FWD, PROXY) == "203.0.113.7"
    # a client that prepends its own X-Forwarded-For gets the address the proxy saw
    spoofed = {"x-forwarded-for": "1.1.1.1, 203.0.113.7, 10.0.0.9"}
    assert proxy.client_address("10.0.0.5", spoofed, PROXY) == "203.0.113.7"
    assert proxy.client_address("10.0.0.5", {"x-forwarded-for": "junk"}, PROXY) == "10.0.0.5"
    assert proxy.client_address("10.0.0.5", {}, PROXY) == "10.0.0.5"


def test_cookie_secure_auto_true_false():
    assert proxy.cookie_secure("https", "198.51.100.9", {}, {})
    assert not proxy.cookie_secure("http", "198.51.100.9", FWD, PROXY)  # untrusted peer says https
    assert proxy.cookie_secure("http", "10.0.0.5", FWD, PROXY)
    assert not proxy.cookie_secure("http", "10.0.0.5", {"x-forwarded-proto": "http"}, PROXY)
    assert proxy.cookie_secure("http", "198.51.100.9", {}, {"TUTOR_COOKIE_SECURE": "true"})
    assert not proxy.cookie_secure("https", "198.51.100.9", {}, {"TUTOR_COOKIE_SECURE": "false"})
    with pytest.raises(ConfigError, match="TUTOR_COOKIE_SECURE"):
        proxy.cookie_secure("https", "x", {}, {"TUTOR_COOKIE_SECURE": "maybe"})
    with pytest.raises(ConfigError, match="TUTOR_TRUSTED_PROXIES"):
        proxy.trusted_proxies({"TUTOR_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})


@pytest.fixture
def via_proxy(monkeypatch, cheap_hasher):  # noqa: F811
    """The sign-in pages reached from 10.0.0.5 (a TLS proxy when trusted) over plain HTTP."""
    monkeypatch.setenv("TUTOR_MODE", "class")
    account_routes._stores.clear()
    store = Store(get_settings().db_path)
    auth.create_user(store, "alice", "alice-pass-1")
    app = Starlette(routes=account_routes.routes())
    with TestClient(app, base_url="http://tutor.test", client=("10.0.0.5", 5000)) as c:
        yield c, store
    account_routes._stores.clear()


def _sign_in(client, password="alice-pass-1", headers=None):
    page = client.get("/account/login")
    csrf = re.search(r"name=csrf value='([0-9a-f]+)'", page.text).group(1)
    form = {"csrf": csrf, "username": "alice", "password": password}
    return client.post("/account/login", data=form, headers=headers or {}, follow_redirects=False)


def test_the_session_cookie_is_secure_behind_a_trusted_tls_proxy(via_proxy, monkeypatch):
    client, _ = via_proxy
    r = _sign_in(client, headers={"x-forwarded-proto": "https"})
    assert r.status_code == 303 and "secure" not in r.headers["set-cookie"].lower()  # proxy not trusted
    monkeypatch.setenv("TUTOR_TRUSTED_PROXIES", "10.0.0.0/24")
    r = _sign_in(client, headers={"x-forwarded-proto": "https"})
    assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
    monkeypatch.setenv("TUTOR_COOKIE_SECURE", "false")
    assert (
        "secure" not in _sign_in(client, headers={"x-forwarded-proto": "https"}).headers["set-cookie"].lower()
    )
    monkeypatch.setenv("TUTOR_COOKIE_SECURE", "true")
    monkeypatch.delenv("TUTOR_TRUSTED_PROXIES")
    assert "secure" in _sign_in(client).headers["set-cookie"].lower()


def test_throttling_uses_the_forwarded_address_only_from_a_trusted_proxy(via_proxy, monkeypatch):
    client, store = via_proxy

    def keys():
        return store.read(lambda db: sorted({r["key"] for r in db.query("SELECT key FROM login_attempts")}))

    _sign_in(client, "wrong", headers={"x-forwarded-for": "203.0.113.7"})
    assert "addr:10.0.0.5" in keys() and "addr:203.0.113.7" not in keys()  # a forged header is ignored
    monkeypatch.setenv("TUTOR_TRUSTED_PROXIES", "10.0.0.5")
    _sign_in(client, "wrong", headers={"x-forwarded-for": "203.0.113.7"})
    assert "addr:203.0.113.7" in keys()
