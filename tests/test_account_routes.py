"""The sign-in pages as HTTP (Starlette's test client, no browser): CSRF, Origin, cookies, throttling."""

from __future__ import annotations

import re

import pytest

from tests.accounts import cheap_hasher  # noqa: F401  (fixture)
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tutor import auth
from tutor.config import get_settings
from tutor.store import Store
from tutor.ui import account_routes


@pytest.fixture(autouse=True)
def _cheap(cheap_hasher):
    yield


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("TUTOR_MODE", "class")
    account_routes._stores.clear()
    store = Store(get_settings().db_path)
    auth.create_user(store, "alice", "alice-pass-1")
    auth.set_class_code(store, "BIO-101-fall")
    app = Starlette(
        routes=[*account_routes.routes(), Route("/", lambda r: PlainTextResponse("the app"))],
        middleware=[Middleware(account_routes.SignInRedirect)],
    )
    with TestClient(app, base_url="http://tutor.test") as c:
        yield c
    account_routes._stores.clear()


def _csrf(client, path="/account/login") -> str:
    page = client.get(path)
    return re.search(r"name=csrf value='([0-9a-f]+)'", page.text).group(1)


def test_signed_out_pages_go_to_sign_in_and_the_form_is_locked_down(client):
    r = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account/login"
    assert client.get("/_stcore/health", headers={"accept": "text/html"}, follow_redirects=False).status_code == 404
    page = client.get("/account/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]


def test_sign_in_sets_an_httponly_strict_cookie_whose_hash_is_stored(client):
    token = _csrf(client)
    r = client.post("/account/login", data={"csrf": token, "username": "alice", "password": "alice-pass-1"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("tutor_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert auth.user_for_token(Store(get_settings().db_path), value).username == "alice"
    assert client.get("/", headers={"accept": "text/html"}, follow_redirects=False).status_code == 200


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(client):
    _csrf(client)
    r = client.post("/account/login", data={"csrf": "0" * 32, "username": "alice", "password": "alice-pass-1"})
    assert r.status_code == 400 and "tutor_session" not in r.headers.get("set-cookie", "")
    token = _csrf(client)
    r = client.post("/account/login", data={"csrf": token, "username": "alice", "password": "alice-pass-1"},
                    headers={"origin": "http://evil.example"})  # fmt: skip
    assert r.status_code == 400


def test_wrong_passwords_get_429_with_retry_after(client):
    statuses = []
    for _ in range(auth.FREE_FAILURES + 1):
        r = client.post("/account/login", data={"csrf": _csrf(client), "username": "alice", "password": "nope"})
        statuses.append(r.status_code)
    assert statuses == [401] * auth.FREE_FAILURES + [429]
    assert int(r.headers["retry-after"]) >= 1 and "wait" in r.text


def test_sign_up_with_the_class_code_and_output_is_escaped(client):
    token = _csrf(client, "/account/signup")
    bad = {"csrf": token, "class_code": "wrong-code", "username": "<script>x</script>", "display_name": "x",
           "password": "long-enough", "password2": "long-enough"}  # fmt: skip
    r = client.post("/account/signup", data=bad)
    assert r.status_code == 400 and "<script>x" not in r.text and "&lt;script&gt;" in r.text
    good = {**bad, "class_code": "BIO-101-fall", "username": "bob"}
    r = client.post("/account/signup", data=good, follow_redirects=False)
    assert r.status_code == 303 and r.headers["set-cookie"].startswith("tutor_session=")


def test_sign_out_deletes_the_token(client):
    client.post("/account/login", data={"csrf": _csrf(client), "username": "alice", "password": "alice-pass-1"},
                follow_redirects=False)  # fmt: skip
    value = client.cookies.get("tutor_session")
    r = client.post("/account/logout", data={"csrf": _csrf(client, "/account/logout")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/auth/logout"
    assert auth.user_for_token(Store(get_settings().db_path), value) is None


def test_personal_mode_has_no_accounts_but_a_passcode(client, monkeypatch):
    monkeypatch.setenv("TUTOR_MODE", "personal")
    assert client.get("/account/login").status_code == 404
    auth.set_passcode(Store(get_settings().db_path), "teacher-pass")
    r = client.post("/account/passcode", data={"csrf": _csrf(client, "/account/passcode"), "passcode": "teacher-pass"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/Instructor_settings"
    value = r.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert auth.personal_session_user(Store(get_settings().db_path), value).is_instructor
