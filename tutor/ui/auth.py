"""Who is using this browser session, established on the server on every script run.

- personal mode: the personal user; elevated to instructor if this browser unlocked the
  settings with the passcode (cookie set by /account/passcode). The app refuses to serve
  personal mode on anything but a loopback address: it has no sign-in.
- class mode: an OpenID Connect sign-in (``st.user``, Streamlit's signed cookie) or a
  local account's ``tutor_session`` cookie (tutor/ui/account_routes.py). Nobody else gets
  past ``gate``: it shows the ways to sign in and stops the script.
"""

from __future__ import annotations

import streamlit as st

from tutor import auth
from tutor.access import User, is_loopback, run_mode
from tutor.errors import TutorError
from tutor.sanitize import plain
from tutor.store import Store
from tutor.ui import account_routes


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(account_routes.COOKIE)
    except Exception:  # AppTest has no request: no cookie
        return None
    return value if isinstance(value, str) else None


def _oidc_user(store: Store) -> User | None:
    try:
        info = st.user
        if not info.is_logged_in:
            return None
        claims = info.to_dict()
    except Exception:  # no [auth] secrets or no request context
        return None
    provider = str(claims.get("provider") or "default")
    return auth.oidc_user(store, provider, claims)


def current_user(store: Store) -> User | None:
    """The signed-in user of this script run, or None."""
    if run_mode() == "personal":
        return auth.personal_session_user(store, _cookie())
    return _oidc_user(store) or auth.user_for_token(store, _cookie())


def check_listening() -> None:
    """Personal mode has no sign-in: refuse to serve it on a network address."""
    if run_mode() != "personal":
        return
    address = st.get_option("server.address")
    if not is_loopback(address):
        st.error(
            f"This tutor runs in personal mode (no sign-in) but listens on {address or 'every address'}.",
            icon="🔒",
        )
        st.info(
            "Serve it on 127.0.0.1 (`make run`), or run it for a class with sign-in: "
            "`make run-class` (TUTOR_MODE=class).",
            icon="💡",
        )
        st.stop()


def gate(store: Store) -> User:
    """The signed-in user, or the sign-in options and ``st.stop()``."""
    try:
        user = current_user(store)
    except TutorError as err:
        st.error(err.message, icon="⚠️")
        user = None
    if user is not None:
        return user
    st.title("🎓 Study tutor")
    st.write("Sign in to use the tutor: your sessions are yours alone.")
    providers = account_routes.oidc_providers()
    for name in providers:
        label = "Sign in with your school account" if name == "default" else f"Sign in with {name}"
        if st.button(label, key=f"login-{name}", type="primary"):
            st.login(name if name != "default" else None)
    if account_routes.mounted:
        st.link_button("Sign in with a class account", "/account/login")
        st.caption("No account yet? Your instructor gives you a class code to create one.")
    elif not providers:
        st.error("Class mode needs its sign-in pages, and none are served.", icon="🔒")
        st.info("Start the app with `make run-class` (it serves serve.py), or configure [auth] for st.login.")
    st.stop()
    raise AssertionError("unreachable")  # pragma: no cover


def sign_out_button(user: User) -> None:
    """In the sidebar: who is signed in, and the way out."""
    if user.provider == "personal":
        if user.elevated:
            st.caption("🔓 Instructor settings unlocked in this browser")
            st.link_button("Lock the settings again", "/account/logout")
        return
    role = " (instructor)" if user.is_instructor else ""
    st.caption(f"Signed in as **{plain(user.username, 60)}**{role}")
    st.link_button("Sign out", "/account/logout")
