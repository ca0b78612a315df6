"""The history database: sessions, messages with answer stats, search, exports, settings.

SQLite through sqlite-utils, in WAL mode with a busy timeout; the schema comes only from
the numbered migrations in ``tutor.migrations``. Streamlit runs each browser session in its
own thread, so every thread gets its own connection (WAL lets readers and one writer work
at once). Every write is one ``BEGIN IMMEDIATE`` transaction; if another program holds the
write lock past the busy timeout it is retried with backoff, then ``DatabaseLocked`` is
raised (the caller still has its text, so nothing is lost). A read-only file or a full disk
becomes a ``StorageError`` whose hint names ``TUTOR_HOME``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlite_utils import Database

from tutor import exports, migrations
from tutor.config import STATE_ENV
from tutor.errors import DatabaseLocked, StorageError
from tutor.record import ACTIONS, RECORD_COLUMNS, STATUSES, AnswerRecord

ROLES = ("system", "user", "assistant")
_MESSAGE_FIELDS = ("content", "mode", *RECORD_COLUMNS)
_T = TypeVar("_T")
_SESSION_SQL = (
    "SELECT s.*, (SELECT count(*) FROM messages m WHERE m.session_id = s.id) AS message_count FROM sessions s"
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _is_locked(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    return "locked" in str(exc) or "database is busy" in str(exc)


def fts_query(text: str) -> str:
    """Turn any user text into a safe FTS5 query: every word an FTS string, ANDed.

    Quotes, NEAR, parentheses and SQL metacharacters are just words; bare ``AND``/``OR``/
    ``NOT`` (in capitals) are dropped since all words are required anyway; a trailing ``*``
    keeps its prefix meaning (``photosynth*``). Returns "" if nothing is searchable.
    """
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    terms = []
    for word in text.split()[:32]:
        prefix = len(word) > 1 and word.endswith("*")
        core = word.rstrip("*")
        if not any(ch.isalnum() for ch in core) or core in ("AND", "OR", "NOT"):
            continue
        terms.append('"' + core.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _as_id(value: Any) -> int:
    """A row id from the caller (``?session=`` text included); ValueError if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not an id: {value!r}")
    return int(value)


def _owner_clause(owner_id: int | None, joiner: str) -> tuple[str, list]:
    """SQL that keeps only ``owner_id``'s sessions (alias ``s``); nothing when None."""
    if owner_id is None:
        return "", []
    return f"{joiner} s.owner_id = ?", [int(owner_id)]


class Store:
    """SQLite history; safe to share between threads (one connection per thread)."""

    def __init__(
        self,
        db_path: str | Path,
        busy_timeout_ms: int = 5000,
        retries: int = 5,
        *,
        read_only: bool = False,
    ) -> None:
        self.path = Path(db_path)
        self.busy_timeout_ms = busy_timeout_ms
        self.retries = retries
        self.read_only = read_only
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._conns_lock = threading.Lock()
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"Cannot create the folder for the history database {self.path.parent} "
                    f"({exc.strerror or exc}).",
                    self._home_hint(),
                ) from exc
        self._run(self._setup)

    # ------------------------------------------------------------------ plumbing
    def _home_hint(self) -> str:
        return f"Set {STATE_ENV} to a folder you can write to (the database is {self.path})."

    def _connect(self) -> Database:
        if self.read_only:
            uri = "file:" + quote(str(self.path.resolve())) + "?mode=ro"
            conn = sqlite3.connect(
                uri, uri=True, timeout=self.busy_timeout_ms / 1000, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(
                str(self.path), timeout=self.busy_timeout_ms / 1000, check_same_thread=False
            )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        with self._conns_lock:
            # Streamlit may run each script run in a new thread: close the connections of
            # threads that have ended so they do not pile up.
            alive = []
            for thread, old in self._conns:
                if thread.is_alive():
                    alive.append((thread, old))
                else:
                    old.close()
            self._conns = [*alive, (threading.current_thread(), conn)]
        return Database(conn, execute_plugins=False)

    def _db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _setup(self, db: Database) -> None:
        if self.read_only:
            todo = migrations.pending(db)
            if todo:
                raise StorageError(
                    f"The history database {self.path} is older than this app and is opened read-only.",
                    "Open it once with write access so it can be upgraded.",
                )
            return
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.migrate(db)

    def _translate(self, exc: sqlite3.Error) -> StorageError:
        msg = str(exc).lower()
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if _is_locked(exc):
            return DatabaseLocked(
                f"Another program is writing to the history database ({self.path.name}) right now.",
                "Wait a moment and try again; your text is still here, nothing was lost.",
            )
        if code == sqlite3.SQLITE_READONLY or "readonly" in msg or "read-only" in msg:
            return StorageError(
                f"The history database {self.path} is read-only, so nothing can be saved.", self._home_hint()
            )
        if code == sqlite3.SQLITE_FULL or "disk is full" in msg:
            return StorageError(
                "The disk holding the history database is full, so nothing can be saved.",
                f"Free some disk space, or set {STATE_ENV} to a folder on another disk.",
            )
        if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in msg:
            return StorageError(f"Cannot open the history database {self.path}.", self._home_hint())
        if (
            code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
            or "not a database" in msg
            or "malformed" in msg
        ):
            return StorageError(
                f"The history database {self.path} is damaged or not a database.",
                f"Move it aside (keep a copy) and restart, or set {STATE_ENV} to another folder.",
            )
        return StorageError(f"The history database {self.path} failed: {exc}.", self._home_hint())

    def _run(self, fn: Callable[[Database], _T]) -> _T:
        """Run ``fn(db)``, retrying with backoff while the database is locked."""
        for attempt in range(self.retries + 1):
            try:
                return fn(self._db())
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.IntegrityError):
                    raise
                if _is_locked(exc) and attempt < self.retries:
                    time.sleep(min(0.05 * 2**attempt, 1.0) * (0.5 + random.random()))
                    continue
                raise self._translate(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, fn: Callable[[Database], _T]) -> _T:
        """Run ``fn(db)`` in one ``BEGIN IMMEDIATE`` transaction (retried while locked)."""

        def op(db: Database) -> _T:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(db)
                db.conn.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            return result

        return self._run(op)

    def read(self, fn: Callable[[Database], _T]) -> _T:
        """Run a read ``fn(db)`` (retried while locked): for the modules that own other tables
        (auth, feedback, dashboard) so they keep their SQL to themselves."""
        return self._run(fn)

    def write(self, fn: Callable[[Database], _T]) -> _T:
        """Run ``fn(db)`` in one write transaction (see ``read``)."""
        return self._write(fn)

    def close(self) -> None:
        """Close every thread's connection (the Store can still be used afterwards)."""
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for _, conn in conns:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass
        self._local = threading.local()

    # ------------------------------------------------------------------ sessions
    def create_session(self, mode: str, model: str | None, title: str, *, owner_id: int = 1) -> int:
        """Start a session owned by ``owner_id`` (1: the personal user); returns its id."""
        now = _now()
        row = {
            "title": title or "",
            "mode": mode,
            "model": model,
            "owner_id": int(owner_id),
            "created_at": now,
            "updated_at": now,
        }
        return self._write(lambda db: int(db["sessions"].insert(row).last_pk))

    def get_session(self, session_id: int, *, owner_id: int | None = None) -> dict | None:
        """The session's row (with ``message_count``), or None if there is none (or, with
        ``owner_id``, if it belongs to someone else)."""
        where, params = _owner_clause(owner_id, "AND")
        sql = f"{_SESSION_SQL} WHERE s.id = ? {where}"
        rows = self._run(lambda db: list(db.query(sql, [_as_id(session_id), *params])))
        return rows[0] if rows else None

    def list_sessions(
        self, limit: int = 50, mode: str | None = None, *, owner_id: int | None = None
    ) -> list[dict]:
        """Most recently active sessions first, optionally only one mode's / one owner's."""
        clauses, params = [], []
        if mode:
            clauses.append("s.mode = ?")
            params.append(mode)
        if owner_id is not None:
            clauses.append("s.owner_id = ?")
            params.append(int(owner_id))
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"{_SESSION_SQL} {where} ORDER BY s.updated_at DESC, s.id DESC LIMIT ?"
        return self._run(lambda db: list(db.query(sql, [*params, int(limit)])))

    def delete_session(self, session_id: int, *, owner_id: int | None = None) -> bool:
        """Delete a session with its messages (their search entries and feedback go with
        them); with ``owner_id`` only if it is theirs. Returns whether it was deleted."""
        where, params = _owner_clause(owner_id, "AND")

        def op(db: Database) -> bool:
            sid = _as_id(session_id)
            if not list(db.query(f"SELECT id FROM sessions s WHERE s.id = ? {where}", [sid, *params])):
                return False
            db.execute("DELETE FROM messages WHERE session_id = ?", [sid])
            db.execute("DELETE FROM sessions WHERE id = ?", [sid])
            return True

        return self._write(op)

    # ------------------------------------------------------------------ messages
    def add_message(
        self,
        session_id: int,
        role: str,
        content: str,
        *,
        mode: str | None = None,
        record: AnswerRecord | None = None,
        **fields: Any,
    ) -> int:
        """Append a message to a session; returns its id.

        ``record`` (an assistant message's metadata) or single ``fields`` (any AnswerRecord
        field, e.g. ``status="complete"``) fill its columns. ValueError for a bad
        role/status/field/session.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        base = record or AnswerRecord(status="complete")
        try:
            record = base.update(**fields) if fields else base
        except TypeError as exc:
            raise ValueError(f"unknown message fields: {exc}") from None
        now = _now()
        row = {
            "session_id": session_id,
            "role": role,
            "content": content or "",
            "mode": mode,
            **record.to_columns(),
            "created_at": now,
            "updated_at": now,
        }

        def op(db: Database) -> int:
            message_id = int(db["messages"].insert(row).last_pk)
            db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", [now, session_id])
            return message_id

        try:
            return self._write(op)
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"no session {session_id} ({exc})") from exc

    def update_message(self, message_id: int, record: AnswerRecord | None = None, **fields: Any) -> None:
        """Change some of a message's fields (content, status, stats...), or with ``record``
        all of its metadata columns at once.

        Unknown fields or statuses are a ValueError. A message that no longer exists (its
        session was deleted in another tab) is silently ignored.
        """
        if record is not None:
            fields = {**record.to_columns(), **fields}
        unknown = set(fields) - set(_MESSAGE_FIELDS)
        if unknown:
            raise ValueError(f"unknown message fields: {', '.join(sorted(unknown))}")
        if "status" in fields and fields["status"] not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {fields['status']!r}")
        if "action" in fields and fields["action"] not in (None, *ACTIONS):
            raise ValueError(f"action must be one of {ACTIONS}, not {fields['action']!r}")
        if isinstance(fields.get("details"), dict):
            fields["details"] = json.dumps(fields["details"], ensure_ascii=False)
        if "guard_tripped" in fields:
            fields["guard_tripped"] = int(bool(fields["guard_tripped"]))
        if not fields:
            return
        now = _now()
        sets = ", ".join(f"[{k}] = ?" for k in fields)

        def op(db: Database) -> None:
            db.execute(
                f"UPDATE messages SET {sets}, updated_at = ? WHERE id = ?",
                [*fields.values(), now, message_id],
            )
            db.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = "
                "(SELECT session_id FROM messages WHERE id = ?)",
                [now, message_id],
            )

        self._write(op)

    def messages(self, session_id: int, *, owner_id: int | None = None) -> list[dict]:
        """The session's messages, oldest first (none, with ``owner_id``, if not theirs)."""
        where, params = _owner_clause(owner_id, "AND")
        sql = (
            "SELECT m.* FROM messages m JOIN sessions s ON s.id = m.session_id "
            f"WHERE m.session_id = ? {where} ORDER BY m.id"
        )
        return self._run(lambda db: list(db.query(sql, [_as_id(session_id), *params])))

    def message_owner(self, message_id: int) -> int | None:
        """The owner of the session a message belongs to (None if there is no such message)."""
        sql = "SELECT s.owner_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.id = ?"
        rows = self._run(lambda db: list(db.query(sql, [_as_id(message_id)])))
        return rows[0]["owner_id"] if rows else None

    def recover_interrupted(self) -> int:
        """Mark answers left 'streaming' by a killed process as 'interrupted'; returns how many."""
        now = _now()
        return self._write(
            lambda db: (
                db.execute(
                    "UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming'",
                    [now],
                ).rowcount
            )
        )

    # ------------------------------------------------------------------ search
    def search(self, query: str, limit: int = 50, *, owner_id: int | None = None) -> list[dict]:
        """Sessions whose messages match ``query`` (best first), each with a ``snippet``;
        with ``owner_id`` only that user's sessions.

        Any text is accepted: every word is searched as a literal FTS string.
        """
        match = fts_query(query or "")
        if not match:
            return []
        where, params = _owner_clause(owner_id, "AND")
        sql = (
            "SELECT s.*, m.id AS message_id, m.role AS role, "
            "snippet(messages_fts, 0, '**', '**', '…', 12) AS snippet "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN sessions s ON s.id = m.session_id "
            f"WHERE messages_fts MATCH ? {where} ORDER BY messages_fts.rank LIMIT ?"
        )
        try:
            rows = self._run(lambda db: list(db.query(sql, [match, *params, min(int(limit) * 10, 2000)])))
        except StorageError as exc:
            if isinstance(exc.__cause__, sqlite3.OperationalError) and "fts5" in str(exc.__cause__):
                return []  # pragma: no cover - fts_query should make this impossible
            raise
        seen: set[int] = set()
        results = []
        for row in rows:
            if row["id"] not in seen:
                seen.add(row["id"])
                results.append(row)
        return results[: int(limit)]

    # ------------------------------------------------------------------ exports
    def _require(self, session_id: int, owner_id: int | None = None) -> dict:
        session = self.get_session(session_id, owner_id=owner_id)
        if session is None:
            raise StorageError(
                "That session no longer exists.",
                "It may have been deleted in another tab; pick another one from the history.",
            )
        return session

    def export_markdown(self, session_id: int, *, owner_id: int | None = None) -> str:
        """The session as Markdown: title, mode, model, each turn under a role heading, answer stats."""
        session = self._require(session_id, owner_id)
        return exports.session_markdown(session, self.messages(session_id, owner_id=owner_id))

    def export_json(self, session_id: int, *, owner_id: int | None = None) -> str:
        """The session and its messages as JSON (UTF-8 text, not escaped); see ``import_json``."""
        session = self._require(session_id, owner_id)
        return exports.session_json(session, self.messages(session_id, owner_id=owner_id))

    def import_json(self, text: str, *, owner_id: int = 1) -> int:
        """Recreate a session from ``export_json`` output, owned by ``owner_id`` whatever the
        file says; returns the new session id. Nothing in the file is trusted
        (``exports.clean_import``): new ids, the importer as owner, the import time, text
        cleaned, and messages marked ``imported`` (no tutoring state, rating or training)."""
        session, msgs = exports.parse_session_json(text)
        session, rows = exports.clean_import(session, msgs, owner_id=owner_id, now=_now())

        def op(db: Database) -> int:
            sid = int(db["sessions"].insert(session).last_pk)
            for row in rows:
                db["messages"].insert({**row, "session_id": sid})
            return sid

        return self._write(op)

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        """An instructor setting (JSON value), or ``default``."""
        rows = self._run(lambda db: list(db.query("SELECT value FROM settings WHERE key = ?", [key])))
        if not rows:
            return default
        try:
            return json.loads(rows[0]["value"])
        except ValueError:
            return default

    def set_setting(self, key: str, value: Any) -> None:
        """Store an instructor setting; ``value`` must be JSON-serializable (else ValueError)."""
        try:
            encoded = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"setting {key!r} must be JSON-serializable: {exc}") from exc
        row = {"key": key, "value": encoded, "updated_at": _now()}
        self._write(lambda db: db["settings"].upsert(row, pk="key"))
