"""Accounts and sign-in, without Streamlit: argon2 hashes, class code, throttling, tokens.

- Passwords, the class code and the personal-mode instructor passcode are stored only as
  argon2id hashes (argon2-cffi's ``PasswordHasher``, RFC 9106 low-memory profile) and
  checked with its constant-time verify. An unknown user name is checked against a dummy
  hash, so the answer takes as long as for a real one.
- Every check goes through tutor/throttle.py: after ``FREE_FAILURES`` failures for a key
  (the user name, the client address, the passcode, the class code) each further try must
  wait twice as long as the one before (1 s, 2 s, 4 s ... up to a minute); ``LOCK_FAILURES``
  failures lock the key for ``LOCK_S`` seconds. Tries during a wait are refused without
  being checked; a try is counted before it is checked, so parallel tries cannot slip past.
- Sign-up with the class code is limited per client address: wrong codes are slowed down
  and at most ``SIGNUPS_PER_ADDRESS`` accounts are made per hour.
- The personal-mode passcode elevates a browser (an ``elevated`` token) in personal mode
  only; a new (or removed) passcode ends every elevation made with the old one.
- A successful sign-in makes a random 256-bit token; the browser keeps it in an HttpOnly,
  SameSite=Strict cookie (tutor/ui/account_routes.py) and the database keeps only its
  SHA-256, with an expiry. Signing out deletes it; so does deleting the account.
- OpenID Connect users (``st.login``) get a row on first sign-in, keyed by provider and
  ``sub``; their password never reaches this app.

The command line is ``python -m tutor.auth`` (tutor/auth_cli.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tutor.access import PERSONAL_USER_ID, ROLES, AccessDenied, User, personal_user, run_mode
from tutor.errors import InputRejected
from tutor.store import Store
from tutor.throttle import (  # noqa: F401  (re-exported: tutor.auth is where callers look)
    ADDRESS_FREE,
    ADDRESS_LOCK,
    CODE_ADDRESS_FREE,
    CODE_ADDRESS_LOCK,
    FREE_FAILURES,
    LOCK_FAILURES,
    LOCK_S,
    MAX_WAIT_S,
    WINDOW_S,
    SignInError,
    Throttle,
    Throttled,
    ThrottleState,
    guarded_check,
    in_slot,
)
from tutor.validate import clean_label

TOKEN_TTL = timedelta(days=7)
# Accounts one address may create per hour with the class code (a class behind one NAT signs
# up together, so this is generous; an instructor adds more with `python -m tutor.auth add-user`).
SIGNUPS_PER_ADDRESS = 40
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
CLASS_CODE_KEY = "auth:class_code"
PASSCODE_KEY = "auth:passcode"
LEGACY_CODE_ENV = "TUTOR_INSTRUCTOR_CODE"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password: keeps unknown names as slow as known ones")


def set_hasher(hasher: PasswordHasher) -> None:
    """Tests use a cheaper hasher; the app keeps argon2-cffi's defaults."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not a password: keeps unknown names as slow as known ones")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Constant-time check of ``secret`` against an argon2 hash (a dummy one if None)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _user_key(username: str) -> str:
    return "user:" + username.strip().lower()


def _addr_key(address: str | None) -> str:
    return "addr:" + (address or "unknown")


# --------------------------------------------------------------------------- users
def _user_from_row(row: dict, *, elevated: bool = False) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"] or "",
        role=row["role"],
        provider=row["provider"],
        elevated=elevated,
    )


def get_user(store: Store, user_id: int) -> User | None:
    rows = store.read(lambda db: list(db.query("SELECT * FROM users WHERE id = ?", [int(user_id)])))
    return _user_from_row(rows[0]) if rows else None


def find_user(store: Store, username: str) -> dict | None:
    rows = store.read(lambda db: list(db.query("SELECT * FROM users WHERE username = ?", [username.strip()])))
    return rows[0] if rows else None


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise InputRejected(
            "A user name has 3 to 32 letters, digits, '.', '_' or '-' and starts with a letter or digit.",
            "Pick another user name.",
        )
    if username.lower() == "personal":
        raise InputRejected("That user name is reserved.", "Pick another user name.")
    return username


def check_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputRejected(
            f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.", "Choose a longer password."
        )
    return password


def create_user(
    store: Store, username: str, password: str, *, display_name: str = "", role: str = "student"
) -> User:
    """A local account (InputRejected for a bad or taken name, a short password)."""
    username = check_username(username)
    check_password(password)
    if role not in ROLES:
        raise InputRejected(f"role must be one of {ROLES}.")
    row = _local_row(username, hash_secret(password), display_name, role)
    return _user_from_row({**row, "id": store.write(lambda db: _insert_user(db, row))})


def _local_row(username: str, digest: str, display_name: str, role: str) -> dict:
    display = clean_label(display_name or username, max_chars=60).text or username
    return {
        "username": username,
        "display_name": display,
        "role": role,
        "provider": "local",
        "subject": username.lower(),
        "password_hash": digest,
        "created_at": _iso(_now()),
    }


def _insert_user(db, row: dict) -> int:
    if list(db.query("SELECT id FROM users WHERE username = ?", [row["username"]])):
        raise InputRejected(f"The user name {row['username']!r} is taken.", "Pick another user name.")
    return int(db["users"].insert(row).last_pk)


def set_role(store: Store, username: str, role: str) -> User:
    if role not in ROLES:
        raise InputRejected(f"role must be one of {', '.join(ROLES)}.")
    row = find_user(store, username)
    if row is None:
        raise InputRejected(f"There is no user {username!r}.", "See `python -m tutor.auth users`.")
    store.write(lambda db: db.execute("UPDATE users SET role = ? WHERE id = ?", [role, row["id"]]))
    return _user_from_row({**row, "role": role})


def set_password(store: Store, username: str, password: str) -> None:
    """New password; every sign-in of that user ends (their tokens are deleted)."""
    check_password(password)
    row = find_user(store, username)
    if row is None or row["provider"] != "local":
        raise InputRejected(f"There is no local account {username!r}.")
    digest = hash_secret(password)

    def op(db) -> None:
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [digest, row["id"]])
        db.execute("DELETE FROM login_tokens WHERE user_id = ?", [row["id"]])

    store.write(op)


def list_users(store: Store) -> list[dict]:
    sql = "SELECT id, username, display_name, role, provider, created_at, last_login_at FROM users ORDER BY id"
    return store.read(lambda db: list(db.query(sql)))


# --------------------------------------------------------------------------- sign-in
def sign_in(store: Store, username: str, password: str, *, address: str | None = None) -> tuple[User, str]:
    """Check a local account's password; returns (user, token for the cookie).

    SignInError (same message for an unknown name and a wrong password), Throttled.
    """
    username = (username or "").strip()[:64]
    keys = (_user_key(username), _addr_key(address))
    row = find_user(store, username) if username else None
    stored = row["password_hash"] if row and row["provider"] == "local" else None
    # reserved, checked in a slot, settled: parallel tries cannot slip past the count
    ok = guarded_check(store, keys, lambda: verify_secret(stored, (password or "")[:MAX_PASSWORD]))
    if not ok:
        raise SignInError("That user name and password do not match.", "Check both and try again.")
    return _user_from_row(row), issue_token(store, row["id"])


def sign_up(
    store: Store, username: str, password: str, class_code: str, *, display_name: str = "",
    address: str | None = None,
) -> tuple[User, str]:  # fmt: skip
    """A student account, if ``class_code`` is the one the instructor set.

    Per client address (``address``: tutor/proxy.py's rule): wrong class codes are slowed
    down (``CODE_ADDRESS_FREE``, ``CODE_ADDRESS_LOCK``; all addresses together count too),
    and at most ``SIGNUPS_PER_ADDRESS`` accounts are made per hour.
    """
    username = check_username(username)
    check_password(password)
    stored = store.get_setting(CLASS_CODE_KEY)
    if stored is None:
        raise SignInError("Sign-up is closed: the instructor has not set a class code.", "Ask your instructor.")
    made_key = "created:" + (address or "unknown")
    _check_signup_quota(Throttle(store), made_key)
    code_key = "code-addr:" + (address or "unknown")
    # A success forgives only this address's failures: the class-wide count keeps slowing
    # down someone guessing the class code from many addresses.
    ok = guarded_check(
        store, ("classcode", code_key), lambda: verify_secret(stored, (class_code or "")[:MAX_PASSWORD]),
        clear=(code_key,), hint="Check the class code with your instructor, then try again.",
    )  # fmt: skip
    if not ok:
        raise SignInError("That class code is not right.", "Ask your instructor for the class code.")
    row = _local_row(username, in_slot(lambda: hash_secret(password)), display_name, "student")
    now = Throttle(store).clock()

    def op(db) -> int:
        made = db.execute(
            "SELECT count(*) FROM login_attempts WHERE key = ? AND ok = 1 AND at > ?", [made_key, now - WINDOW_S]
        ).fetchone()[0]
        if made >= SIGNUPS_PER_ADDRESS:
            return -1
        user_id = _insert_user(db, row)
        db.execute("INSERT INTO login_attempts (key, at, ok) VALUES (?, ?, 1)", [made_key, now])
        return user_id

    user_id = store.write(op)
    if user_id < 0:  # others from this address got there first
        made, wait = Throttle(store).count_recent(made_key)
        raise _quota_error(max(made, SIGNUPS_PER_ADDRESS), wait)
    user = _user_from_row({**row, "id": user_id})
    return user, issue_token(store, user.id)


def _check_signup_quota(throttle: Throttle, made_key: str) -> None:
    made, wait = throttle.count_recent(made_key)
    if made >= SIGNUPS_PER_ADDRESS:
        raise _quota_error(made, wait)


def _quota_error(made: int, wait: float) -> Throttled:
    return Throttled(
        f"{made} accounts were created from your network in the last hour: that is the limit. "
        f"Try again in {int(wait // 60) + 1} minutes.",
        "Or ask your instructor to create your account (`python -m tutor.auth add-user NAME`).",
        retry_after_s=max(wait, 1.0),
    )


def set_class_code(store: Store, code: str | None) -> None:
    """Set (or with None, close sign-up by removing) the class code; stored hashed."""
    if code is None:
        store.write(lambda db: db.execute("DELETE FROM settings WHERE key = ?", [CLASS_CODE_KEY]))
        return
    if len(code.strip()) < 6:
        raise InputRejected("A class code has at least 6 characters.", "Choose a longer one.")
    store.set_setting(CLASS_CODE_KEY, hash_secret(code.strip()))
    Throttle(store).clear("classcode")


def class_code_set(store: Store) -> bool:
    return store.get_setting(CLASS_CODE_KEY) is not None


def issue_token(store: Store, user_id: int, *, elevated: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    now = _now()
    row = {
        "token_hash": token_hash(token),
        "user_id": int(user_id),
        "elevated": int(elevated),
        "created_at": _iso(now),
        "expires_at": _iso(now + TOKEN_TTL),
    }

    def op(db) -> None:
        db["login_tokens"].insert(row)
        db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [_iso(now), int(user_id)])
        db.execute("DELETE FROM login_tokens WHERE expires_at < ?", [_iso(now)])

    store.write(op)
    return token


def user_for_token(store: Store, token: str | None, *, personal: bool = False) -> User | None:
    """The user a cookie's token stands for, or None (unknown, expired, malformed).

    Class mode (the default): the role comes from the account alone; a passcode's elevation
    counts for nothing and the personal user cannot be signed in. ``personal=True`` (personal
    mode's ``personal_session_user``) keeps the token's elevation."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    sql = (
        "SELECT u.*, t.elevated AS elevated FROM login_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.expires_at > ?"
    )
    rows = store.read(lambda db: list(db.query(sql, [token_hash(token), _iso(_now())])))
    if not rows:
        return None
    if not personal and (rows[0]["provider"] == "personal" or rows[0]["id"] == PERSONAL_USER_ID):
        return None
    return _user_from_row(rows[0], elevated=personal and bool(rows[0]["elevated"]))


def sign_out(store: Store, token: str | None) -> None:
    if isinstance(token, str) and token:
        store.write(lambda db: db.execute("DELETE FROM login_tokens WHERE token_hash = ?", [token_hash(token)]))


def oidc_user(store: Store, provider: str, claims: dict[str, Any]) -> User:
    """The account of an OpenID Connect sign-in (``st.user``), made on first sign-in."""
    sub = str(claims.get("sub") or "").strip()
    if not sub:
        raise SignInError("The identity provider did not say who you are (no 'sub').", "Sign in again.")
    subject = f"{provider}|{sub}"
    email = str(claims.get("email") or "").strip()
    display = clean_label(str(claims.get("name") or email or sub), max_chars=60).text or sub

    def op(db) -> dict:
        rows = list(db.query("SELECT * FROM users WHERE provider = 'oidc' AND subject = ?", [subject]))
        now = _iso(_now())
        if rows:
            db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [now, rows[0]["id"]])
            return rows[0]
        base = (email or sub)[:60]
        name, n = base, 1
        while list(db.query("SELECT id FROM users WHERE username = ?", [name])):
            n += 1
            name = f"{base}~{n}"
        row = {"username": name, "display_name": display, "role": "student", "provider": "oidc",
               "subject": subject, "created_at": now, "last_login_at": now}  # fmt: skip
        return {**row, "id": int(db["users"].insert(row).last_pk)}

    return _user_from_row(store.write(op))


# --------------------------------------------------------------------------- personal mode
def passcode_set(store: Store) -> bool:
    return store.get_setting(PASSCODE_KEY) is not None


def set_passcode(store: Store, code: str | None) -> None:
    """The personal-mode instructor passcode (hashed); None removes it (settings open again).

    Either way every browser that unlocked the settings with the old passcode is locked
    again: its elevated token is deleted in the same transaction."""
    if code is not None and len(code) < 6:
        raise InputRejected("A passcode has at least 6 characters.", "Choose a longer one.")
    _store_passcode(store, hash_secret(code) if code is not None else None)
    Throttle(store).clear("passcode")


def _store_passcode(store: Store, digest: str | None) -> None:
    def op(db) -> None:
        if digest is None:
            db.execute("DELETE FROM settings WHERE key = ?", [PASSCODE_KEY])
        else:
            db["settings"].upsert(
                {"key": PASSCODE_KEY, "value": json.dumps(digest), "updated_at": _iso(_now())}, pk="key"
            )
        db.execute("DELETE FROM login_tokens WHERE elevated = 1")

    store.write(op)


def adopt_legacy_code(store: Store, environ: dict | None = None) -> bool:
    """``TUTOR_INSTRUCTOR_CODE`` (the old plain-text setting), if set and no passcode is stored
    yet, becomes the passcode's hash, so a setup that relied on it stays guarded."""
    code = (environ if environ is not None else os.environ).get(LEGACY_CODE_ENV)
    if code and not passcode_set(store):
        _store_passcode(store, hash_secret(code))
        return True
    return False


def unlock_settings(store: Store, code: str) -> str:
    """Check the passcode (throttled); returns a token for an elevated personal sign-in.

    Personal mode only: in class mode the role comes from the account (AccessDenied)."""
    if run_mode() != "personal":
        raise AccessDenied(
            "The instructor passcode is for personal mode.", "In class mode sign in with an instructor account."
        )
    stored = store.get_setting(PASSCODE_KEY)
    ok = guarded_check(
        store, ("passcode",), lambda: verify_secret(stored, (code or "")[:MAX_PASSWORD]),
        hint="Check the passcode, then try again.",
    )  # fmt: skip
    if not ok:
        raise SignInError("That passcode is not right.", "Try again; repeated wrong tries are slowed down.")
    return issue_token(store, PERSONAL_USER_ID, elevated=True)


def personal_session_user(store: Store, token: str | None) -> User:
    """Personal mode's user for this browser: elevated if its cookie came from the passcode."""
    signed = user_for_token(store, token, personal=True)
    elevated = bool(signed and signed.id == PERSONAL_USER_ID and signed.elevated)
    return personal_user(passcode_set=passcode_set(store), elevated=elevated)


def unlock(store: Store, username: str) -> None:
    """Forget the failed tries of a user name (the CLI's ``unlock``)."""
    Throttle(store).clear(_user_key(username))


if __name__ == "__main__":  # `python -m tutor.auth ...`: the CLI lives in tutor/auth_cli.py
    import sys

    from tutor.auth_cli import main

    sys.exit(main())
