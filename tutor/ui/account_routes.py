"""Sign-in pages served next to the app (``serve.py`` mounts them with ``st.App(routes=...)``).

Streamlit has no way for a script to set a cookie, and a sign-in must survive a reload
without a secret in the URL. So local accounts sign in through plain HTML forms served by
the same server process (Starlette routes, no Streamlit script run):

- ``/account/login``, ``/account/signup`` (class mode), ``/account/passcode`` (personal mode),
  ``/account/logout``: GET shows the form, POST checks it (tutor.auth) and, on success, sets
  ``tutor_session``: a random 256-bit token, ``HttpOnly`` (no script can read it),
  ``SameSite=Strict`` (never sent by another site's page), ``Secure`` over HTTPS (also
  behind a TLS proxy listed in ``TUTOR_TRUSTED_PROXIES``; ``TUTOR_COOKIE_SECURE`` forces it
  on or off: tutor/proxy.py), 7 days.
  The database keeps only its SHA-256; signing out deletes it.
- Every form carries a CSRF token that must match the ``tutor_csrf`` cookie, and a POST whose
  ``Origin`` is another site is refused.
- The Streamlit script reads the cookie from ``st.context.cookies`` on each run
  (tutor/ui/auth.py) and asks tutor.auth who it is; a forged or expired token is nobody.
- In class mode, ``SignInRedirect`` sends a browser that has no sign-in cookie at all from
  any app page to ``/account/login`` (the script still checks the cookie: this is only the
  way in). OpenID Connect goes through Streamlit's own ``st.login`` on the app page
  (``/?signin=oidc``).

These pages send a strict Content-Security-Policy: no scripts, no images, no other host.
"""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tutor import auth, proxy
from tutor.access import run_mode
from tutor.config import get_settings
from tutor.errors import TutorError
from tutor.store import Store

COOKIE = "tutor_session"
CSRF_COOKIE = "tutor_csrf"
OPEN_PREFIXES = ("/account/", "/_stcore/", "/static/", "/media/", "/component/", "/auth/", "/oauth2callback",
                 "/app/static/", "/favicon")  # fmt: skip
STREAMLIT_USER_COOKIE = "_streamlit_user"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
mounted = False  # set when serve.py builds the routes: the script knows local sign-in is there
_stores: dict[str, Store] = {}


def _store() -> Store:
    path = str(get_settings().db_path)
    if path not in _stores:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _stores[path] = Store(path, busy_timeout_ms=2000, retries=3)
    return _stores[path]


def oidc_providers() -> list[str]:
    """Providers named in the ``[auth]`` secrets (``st.login``), for the sign-in page's links."""
    try:
        import streamlit as st

        section = st.secrets.get("auth") or {}
    except Exception:  # no secrets file, unreadable TOML: no OIDC
        return []
    names = [k for k, v in section.items() if hasattr(v, "get") and v.get("client_id")]
    if section.get("client_id"):
        names.insert(0, "default")
    return names


# --------------------------------------------------------------------------- pages
_STYLE = """
body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#262730}
h1{font-size:1.5rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;
box-sizing:border-box;font-size:1rem}button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem;
background:#ff4b4b;color:#fff;border:0;border-radius:.4rem}.err{background:#ffe9e9;padding:.6rem;
border-radius:.4rem}.ok{background:#e8f5e9;padding:.6rem;border-radius:.4rem}a{color:#0068c9}
p.small{font-size:.9rem;color:#555}"""


def _page(
    title: str, body: str, *, status: int = 200, csrf: str | None = None, extra: dict | None = None,
    secure: bool = False,
) -> Response:  # fmt: skip
    doc = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)} · Study tutor</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body><h1>🎓 {html.escape(title)}</h1>{body}</body></html>"
    )
    response = HTMLResponse(doc, status_code=status, headers={**HEADERS, **(extra or {})})
    if csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/", secure=secure)
    return response


def _field(label: str, name: str, kind: str = "text", value: str = "", auto: str = "") -> str:
    return (
        f"<label for={name}>{html.escape(label)}</label>"
        f"<input id={name} name={name} type={kind} value='{html.escape(value, quote=True)}' "
        f"autocomplete='{auto}' required>"
    )


def _form(action: str, csrf: str, fields: str, button: str) -> str:
    return (
        f"<form method=post action='{action}'><input type=hidden name=csrf value='{csrf}'>"
        f"{fields}<button type=submit>{html.escape(button)}</button></form>"
    )


def _error(message: str, hint: str = "") -> str:
    text = html.escape(message) + (f"<br>{html.escape(hint)}" if hint else "")
    return f"<p class=err role=alert>{text}</p>"


def _csrf_for(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE) or ""
    return token if 20 <= len(token) <= 100 and token.isalnum() else secrets.token_hex(16)


async def _checked_form(request: Request) -> dict | None:
    """The POSTed form if its CSRF token matches the cookie and it came from this site; else None."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc != request.headers.get("host", ""):
            return None
    form = await request.form()
    sent, cookie = str(form.get("csrf") or ""), request.cookies.get(CSRF_COOKIE) or ""
    if not cookie or not secrets.compare_digest(sent.encode(), cookie.encode()):
        return None
    return {k: str(v)[:1000] for k, v in form.items()}


def _signed_in(token: str, request: Request, to: str = "/") -> Response:
    response = RedirectResponse(to, status_code=303, headers=HEADERS)
    response.set_cookie(
        COOKIE, token, max_age=int(auth.TOKEN_TTL.total_seconds()), httponly=True, samesite="strict",
        secure=_secure(request), path="/",
    )  # fmt: skip
    return response


def _not_here(what: str) -> Response:
    return _page("Not available", f"<p>{html.escape(what)}</p><p><a href='/'>Back to the tutor</a></p>", status=404)


def _throttled_headers(exc: TutorError) -> dict:
    wait = getattr(exc, "retry_after_s", None)
    return {"Retry-After": str(int(wait) + 1)} if wait else {}


def _oidc_links() -> str:
    names = oidc_providers()
    if not names:
        return ""
    return "<p><a href='/?signin=oidc'>Sign in with your school account</a></p><hr>"


async def login(request: Request) -> Response:
    if run_mode() != "class":
        return _not_here("This tutor runs in personal mode: there is nothing to sign in to.")
    csrf = _csrf_for(request)
    message, status, extra, name = "", 200, {}, ""
    if request.method == "POST":
        form = await _checked_form(request)
        if form is None:
            message, status = _error("The form expired.", "Try again."), 400
        else:
            name = form.get("username", "")
            try:
                _, token = await run_in_threadpool(
                    auth.sign_in, _store(), name, form.get("password", ""), address=_address(request)
                )
                return _signed_in(token, request)
            except TutorError as exc:
                status = 429 if isinstance(exc, auth.Throttled) else 401
                message, extra = _error(exc.message, exc.hint), _throttled_headers(exc)
    fields = _field("User name", "username", value=name, auto="username") + _field(
        "Password", "password", "password", auto="current-password"
    )
    body = (
        _oidc_links()
        + message
        + _form("/account/login", csrf, fields, "Sign in")
        + "<p class=small>No account yet? <a href='/account/signup'>Create one with your class code</a>.</p>"
    )
    return _page("Sign in", body, status=status, csrf=csrf, extra=extra, secure=_secure(request))


async def signup(request: Request) -> Response:
    if run_mode() != "class":
        return _not_here("This tutor runs in personal mode: there are no accounts.")
    csrf = _csrf_for(request)
    message, status, extra, values = "", 200, {}, {}
    if request.method == "POST":
        form = await _checked_form(request)
        if form is None:
            message, status = _error("The form expired.", "Try again."), 400
        elif form.get("password") != form.get("password2"):
            message, status, values = _error("The two passwords differ."), 400, form
        else:
            values = form
            try:
                _, token = await run_in_threadpool(
                    auth.sign_up, _store(), form.get("username", ""), form.get("password", ""),
                    form.get("class_code", ""), display_name=form.get("display_name", ""),
                    address=_address(request),
                )  # fmt: skip
                return _signed_in(token, request)
            except TutorError as exc:
                status = 429 if isinstance(exc, auth.Throttled) else 400
                message, extra = _error(exc.message, exc.hint), _throttled_headers(exc)
    fields = (
        _field("Class code (from your instructor)", "class_code", "password", auto="off")
        + _field("User name", "username", value=values.get("username", ""), auto="username")
        + _field("Your name (shown to you only)", "display_name", value=values.get("display_name", ""), auto="name")
        + _field(f"Password (at least {auth.MIN_PASSWORD} characters)", "password", "password", auto="new-password")
        + _field("Password again", "password2", "password", auto="new-password")
    )
    body = message + _form("/account/signup", csrf, fields, "Create account")
    body += "<p class=small>Have an account? <a href='/account/login'>Sign in</a>.</p>"
    return _page("Create an account", body, status=status, csrf=csrf, extra=extra, secure=_secure(request))


async def passcode(request: Request) -> Response:
    if run_mode() != "personal":
        return _not_here("In class mode instructors sign in with an instructor account.")
    store = _store()
    if not auth.passcode_set(store):
        return _page("Instructor settings", "<p>No passcode is set: the settings are open.</p><p><a href='/'>Back</a></p>")
    csrf = _csrf_for(request)
    message, status, extra = "", 200, {}
    if request.method == "POST":
        form = await _checked_form(request)
        if form is None:
            message, status = _error("The form expired.", "Try again."), 400
        else:
            try:
                token = await run_in_threadpool(auth.unlock_settings, store, form.get("passcode", ""))
                return _signed_in(token, request, "/Instructor_settings")
            except TutorError as exc:
                status = 429 if isinstance(exc, auth.Throttled) else 401
                message, extra = _error(exc.message, exc.hint), _throttled_headers(exc)
    body = message + _form(
        "/account/passcode", csrf, _field("Instructor passcode", "passcode", "password", auto="off"), "Unlock"
    )
    return _page("Instructor settings", body, status=status, csrf=csrf, extra=extra, secure=_secure(request))


async def logout(request: Request) -> Response:
    csrf = _csrf_for(request)
    if request.method == "POST":
        if await _checked_form(request) is None:
            expired = _error("The form expired.", "Try again.")
            return _page("Sign out", expired, status=400, csrf=csrf, secure=_secure(request))
        await run_in_threadpool(auth.sign_out, _store(), request.cookies.get(COOKIE))
        # then Streamlit's own sign-out, which clears its OIDC cookies (and ends the provider session)
        response = RedirectResponse("/auth/logout", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path="/")
        return response
    body = _form("/account/logout", csrf, "", "Sign out") + "<p class=small><a href='/'>Back to the tutor</a></p>"
    return _page("Sign out", body, csrf=csrf, secure=_secure(request))


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _address(request: Request) -> str:
    """The client's address for throttling: X-Forwarded-For counts only from a trusted proxy."""
    return proxy.client_address(_peer(request), request.headers)


def _secure(request: Request) -> bool:
    """``Secure`` for the cookies: TUTOR_COOKIE_SECURE, else HTTPS (directly or via a trusted proxy)."""
    return proxy.cookie_secure(request.url.scheme, _peer(request), request.headers)


# --------------------------------------------------------------------------- the way in
class SignInRedirect:
    """ASGI middleware: in class mode, a page request with no sign-in cookie goes to the sign-in page."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET" and run_mode() == "class":
            request = Request(scope)
            path = request.url.path
            wants_html = "text/html" in request.headers.get("accept", "")
            signed = COOKIE in request.cookies or any(c.startswith(STREAMLIT_USER_COOKIE) for c in request.cookies)
            oidc = request.query_params.get("signin") == "oidc"
            if wants_html and not signed and not oidc and not path.startswith(OPEN_PREFIXES):
                await RedirectResponse("/account/login", status_code=303, headers=HEADERS)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def routes() -> list[Route]:
    """The account routes for ``st.App(routes=...)``."""
    global mounted
    # a wrong TUTOR_TRUSTED_PROXIES / TUTOR_COOKIE_SECURE stops the start with its message,
    # not every sign-in later
    proxy.trusted_proxies()
    proxy.cookie_secure_setting()
    mounted = True
    both = ["GET", "POST"]
    return [
        Route("/account/login", login, methods=both),
        Route("/account/signup", signup, methods=both),
        Route("/account/passcode", passcode, methods=both),
        Route("/account/logout", logout, methods=both),
    ]
