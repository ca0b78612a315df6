"""The history as one user may see it: every read and write checked against the owner.

The UI and the chat handler get a ``UserStore`` (``UserStore(store, user)``), never the
``Store`` itself, so a student's browser can only reach the student's own sessions:

- lists and search return only the user's sessions;
- ``get_session`` / ``messages`` / exports of someone else's session behave exactly as
  for a session that does not exist (no oracle for other people's ids);
- writing to (``add_message``, ``update_message``) or deleting someone else's session or
  message raises ``AccessDenied``;
- ``create_session`` sets the owner; ``import_json`` makes the imported session the user's;
- settings are readable (except the ``auth:`` secrets) and writable only by instructors.

It has the methods of ``Store`` that ``tutor.chat.ask`` and the pages use, with the same
signatures, and nothing else: a Store method missing here cannot be reached from a page
(tests/test_access.py lists every Store method as either scoped here or not for users).
"""

from __future__ import annotations

import json
from typing import Any

from tutor.access import AccessDenied, User, require
from tutor.record import AnswerRecord
from tutor.store import Store

SECRET_PREFIX = "auth:"  # settings that hold hashes (class code, passcode): never shown to a page


def _no_such_session() -> AccessDenied:
    return AccessDenied(
        "That session does not exist or is not yours.",
        "Pick one of your own sessions in History, or start a new one.",
    )


class UserStore:
    """``store`` seen by ``user``. Deny by default: only the methods below exist."""

    def __init__(self, store: Store, user: User) -> None:
        if user is None:
            raise AccessDenied("Sign in first.", "Use the sign-in page, then try again.")
        self._store = store
        self.user = user

    @property
    def owner_id(self) -> int:
        return self.user.id

    @property
    def path(self):
        return self._store.path

    # ------------------------------------------------------------------ checks
    def owns_session(self, session_id: Any) -> bool:
        try:
            return self._store.get_session(session_id, owner_id=self.owner_id) is not None
        except (TypeError, ValueError):
            return False

    def _check_session(self, session_id: Any) -> int:
        if not self.owns_session(session_id):
            raise _no_such_session()
        return int(session_id)

    def _check_message(self, message_id: Any) -> int:
        try:
            owner = self._store.message_owner(message_id)
        except (TypeError, ValueError):
            owner = None
        if owner != self.owner_id:
            raise AccessDenied("That answer does not exist or is not yours.", "Reload the page.")
        return int(message_id)

    # ------------------------------------------------------------------ sessions
    def create_session(self, mode: str, model: str | None, title: str) -> int:
        require(self.user, "use_tutor")
        return self._store.create_session(mode, model, title, owner_id=self.owner_id)

    def get_session(self, session_id: Any) -> dict | None:
        try:
            return self._store.get_session(session_id, owner_id=self.owner_id)
        except (TypeError, ValueError):
            return None

    def list_sessions(self, limit: int = 50, mode: str | None = None) -> list[dict]:
        return self._store.list_sessions(limit, mode, owner_id=self.owner_id)

    def search(self, query: str, limit: int = 50) -> list[dict]:
        return self._store.search(query, limit, owner_id=self.owner_id)

    def delete_session(self, session_id: Any) -> None:
        if not self._store.delete_session(self._check_session(session_id), owner_id=self.owner_id):
            raise _no_such_session()

    # ------------------------------------------------------------------ messages
    def messages(self, session_id: Any) -> list[dict]:
        try:
            return self._store.messages(session_id, owner_id=self.owner_id)
        except (TypeError, ValueError):
            return []

    def add_message(
        self,
        session_id: Any,
        role: str,
        content: str,
        *,
        mode: str | None = None,
        record: AnswerRecord | None = None,
        **fields: Any,
    ) -> int:
        sid = self._check_session(session_id)
        return self._store.add_message(sid, role, content, mode=mode, record=record, **fields)

    def update_message(self, message_id: Any, record: AnswerRecord | None = None, **fields: Any) -> None:
        self._store.update_message(self._check_message(message_id), record, **fields)

    def message(self, message_id: Any) -> dict | None:
        """One of the user's messages (None if there is none or it is someone else's)."""
        try:
            mid = self._check_message(message_id)
        except AccessDenied:
            return None
        rows = self._store.read(lambda db: list(db.query("SELECT * FROM messages WHERE id = ?", [mid])))
        return rows[0] if rows else None

    # ------------------------------------------------------------------ exports
    def export_markdown(self, session_id: Any) -> str:
        return self._store.export_markdown(self._check_session(session_id), owner_id=self.owner_id)

    def export_json(self, session_id: Any) -> str:
        return self._store.export_json(self._check_session(session_id), owner_id=self.owner_id)

    def import_json(self, text: str) -> int:
        require(self.user, "use_tutor")
        return self._store.import_json(text, owner_id=self.owner_id)

    def export_all(self) -> str:
        """Everything stored about this user, as one JSON document: account (no hashes),
        own choices, every session with its messages, and the feedback they gave."""
        uid = self.owner_id

        def op(db) -> dict:
            account = next(
                db.query(
                    "SELECT id, username, display_name, role, provider, created_at, last_login_at "
                    "FROM users WHERE id = ?",
                    [uid],
                ),
                None,
            )
            choices = {
                r["key"]: json.loads(r["value"])
                for r in db.query("SELECT key, value FROM user_settings WHERE user_id = ?", [uid])
            }
            feedback = list(
                db.query(
                    "SELECT f.message_id, f.rating, f.reasons, f.comment, f.created_at FROM feedback f "
                    "WHERE f.user_id = ? ORDER BY f.id",
                    [uid],
                )
            )
            return {"account": account, "choices": choices, "feedback": feedback}

        data = self._store.read(op)
        sessions = []
        for row in self._store.list_sessions(limit=1_000_000, owner_id=uid):
            sessions.append({"session": row, "messages": self._store.messages(row["id"], owner_id=uid)})
        data = {"format": "study-tutor-user-data", "version": 1, **data, "sessions": sessions}
        return json.dumps(data, ensure_ascii=False, indent=2)

    def delete_all(self) -> int:
        """Delete every session (with messages and feedback on them), the feedback the user
        gave, their choices and sign-in tokens. The account itself stays (an OIDC sign-in
        would recreate it anyway). Returns how many sessions were deleted."""
        uid = self.owner_id

        def op(db) -> int:
            ids = [r["id"] for r in db.query("SELECT id FROM sessions WHERE owner_id = ?", [uid])]
            for sid in ids:
                db.execute("DELETE FROM messages WHERE session_id = ?", [sid])
            db.execute("DELETE FROM sessions WHERE owner_id = ?", [uid])
            db.execute("DELETE FROM feedback WHERE user_id = ?", [uid])
            db.execute("DELETE FROM user_settings WHERE user_id = ?", [uid])
            # every sign-in of this user ends, in every browser (this one signs in again)
            db.execute("DELETE FROM login_tokens WHERE user_id = ?", [uid])
            return len(ids)

        return self._store.write(op)

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        if str(key).startswith(SECRET_PREFIX):
            return default
        return self._store.get_setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        require(self.user, "change_settings")
        if str(key).startswith(SECRET_PREFIX):
            raise AccessDenied("Secrets are set through their own commands.", "See README: class mode.")
        self._store.set_setting(key, value)
