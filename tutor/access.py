"""Who may see and change what: the run mode, the signed-in user and the rules. No Streamlit.

Two ways to run, one setting (``TUTOR_MODE``):

- ``personal`` (the default): one user on this machine, no sign-in, served on 127.0.0.1
  only. Everything belongs to the personal user (id 1). Instructor settings are open to
  that user unless an instructor passcode is set (``python -m tutor.auth set-passcode``);
  then only a browser that entered it (``elevated``) may change them.
- ``class``: sign-in required (``st.login`` for an OpenID Connect provider, or local
  accounts); may listen on the network. Each user sees only their own sessions;
  instructors (a role) also change settings and see the dashboard.

Rules are deny-by-default: ``can(user, action)`` is False for anything not listed, and for
no user at all. Ownership of data is enforced by ``tutor.userstore.UserStore`` on every
read and write; this module only says who is who.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from tutor.errors import ConfigError, TutorError

MODE_ENV = "TUTOR_MODE"
RUN_MODES = ("personal", "class")
ROLES = ("student", "instructor")
PERSONAL_USER_ID = 1  # created by migration m005; owns everything in personal mode

# action -> roles allowed. Anything not here is denied.
RULES: dict[str, frozenset[str]] = {
    "use_tutor": frozenset({"student", "instructor"}),  # ask, read and manage one's OWN sessions
    "give_feedback": frozenset({"student", "instructor"}),
    "change_own_choices": frozenset({"student", "instructor"}),  # within the instructor's locks
    "change_settings": frozenset({"instructor"}),  # modes, models, locks, class code
    "view_dashboard": frozenset({"instructor"}),  # aggregates over everyone's sessions
    "export_feedback": frozenset({"instructor"}),
}


class AccessDenied(TutorError):
    """The signed-in user may not do this (or there is no signed-in user)."""


@dataclass(frozen=True)
class User:
    """The person behind a browser session, as the server established it."""

    id: int
    username: str
    display_name: str = ""
    role: str = "student"
    provider: str = "local"  # personal | local | oidc
    elevated: bool = False  # personal mode: this browser entered the instructor passcode

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor" or self.elevated


def run_mode(environ: dict | None = None) -> str:
    """``personal`` or ``class`` from ``TUTOR_MODE`` (empty: personal); ConfigError otherwise."""
    raw = ((environ if environ is not None else os.environ).get(MODE_ENV) or "personal").strip().lower()
    if raw not in RUN_MODES:
        raise ConfigError(
            f"{MODE_ENV}={raw!r} is not a run mode.",
            f"Use {MODE_ENV}=personal (one user on this machine) or {MODE_ENV}=class (sign-in required).",
            key=MODE_ENV,
        )
    return raw


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost' (what personal mode may listen on)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def personal_user(*, passcode_set: bool, elevated: bool = False) -> User:
    """The one user of personal mode: an instructor unless a passcode guards the settings."""
    role = "student" if passcode_set else "instructor"
    return User(PERSONAL_USER_ID, "personal", "You", role, "personal", elevated=elevated and passcode_set)


def can(user: User | None, action: str) -> bool:
    """May ``user`` do ``action``? False for unknown actions and for no user (deny by default)."""
    if user is None or action not in RULES:
        return False
    if action in ("change_settings", "view_dashboard", "export_feedback"):
        return user.is_instructor
    return user.role in RULES[action]


def require(user: User | None, action: str) -> None:
    """Raise AccessDenied unless ``can(user, action)``."""
    if user is None:
        raise AccessDenied("Sign in first.", "Use the sign-in page, then try again.")
    if not can(user, action):
        raise AccessDenied(
            "Only an instructor can do that.",
            "Ask your instructor, or sign in with an instructor account.",
        )
