"""The history database's schema, as append-only numbered migrations.

Rules: never edit or reorder a migration that has shipped; add ``m00N_...`` at the end.
Each migration runs in its own transaction together with its record in
``_sqlite_migrations`` (sqlite-utils' ``Migrations``), so a failure leaves the database at
the previous migration. ``migrate()`` takes the write lock (``BEGIN IMMEDIATE``) before
checking what is pending, so two app processes starting at once cannot both apply one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("study_tutor")


@migrations()
def m001_initial(db: Database) -> None:
    """Sessions, messages (with the stats of each answer) and instructor settings."""
    db.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            mode TEXT NOT NULL,
            model TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            mode TEXT,
            model TEXT,
            model_sha256 TEXT,
            status TEXT NOT NULL DEFAULT 'complete',
            ttft_s REAL,
            tokens INTEGER,
            tokens_per_s REAL,
            finish_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX messages_session ON messages(session_id, id)")
    db.execute("CREATE INDEX sessions_updated ON sessions(updated_at)")
    db.execute(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )


@migrations()
def m002_fts(db: Database) -> None:
    """Full-text search on message content (FTS5, kept in sync by triggers)."""
    db["messages"].enable_fts(["content"], fts_version="FTS5", create_triggers=True, tokenize="porter")


@migrations()
def m003_generation_details(db: Database) -> None:
    """More of each answer's GenStats (prompt tokens, total time) and its error text."""
    db["messages"].add_column("prompt_tokens", int)
    db["messages"].add_column("total_s", float)
    db["messages"].add_column("error", str)
    db.execute("CREATE INDEX messages_status ON messages(status)")


@migrations()
def m004_tutoring(db: Database) -> None:
    """What each turn was (ask, hint, solution, attempt, similar), the problem and its kind, the
    hint rung, whether its math was checked by the solver, guard trips, and a JSON of extras."""
    for name, kind in (
        ("action", str),
        ("kind", str),
        ("problem", str),
        ("hint_level", int),
        ("checked", int),
        ("guard_tripped", int),
        ("details", str),
    ):
        db["messages"].add_column(name, kind)
    db.execute("CREATE INDEX messages_problem ON messages(session_id, problem)")


@migrations()
def m005_accounts(db: Database) -> None:
    """Accounts and ownership: users (local, OIDC, or the one personal user), sign-in tokens
    (stored as SHA-256 of the cookie value), sign-in attempts for throttling, per-user
    choices, and ``sessions.owner_id``. Sessions made before accounts existed belong to the
    personal user (id 1): in personal mode they stay where they were, in class mode no
    student sees them."""
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'instructor')),
            provider TEXT NOT NULL CHECK (provider IN ('personal', 'local', 'oidc')),
            subject TEXT,
            password_hash TEXT,
            created_at TEXT NOT NULL,
            last_login_at TEXT,
            UNIQUE (provider, subject)
        )"""
    )
    db.execute(
        "INSERT INTO users (id, username, display_name, role, provider, subject, created_at) "
        "VALUES (1, 'personal', 'You', 'student', 'personal', 'personal', strftime('%Y-%m-%dT%H:%M:%fZ'))"
    )
    db.execute(
        """
        CREATE TABLE login_tokens (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            elevated INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX login_tokens_user ON login_tokens(user_id)")
    db.execute(
        """
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            at REAL NOT NULL,
            ok INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX login_attempts_key ON login_attempts(key, at)")
    db.execute(
        """
        CREATE TABLE user_settings (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, key)
        )"""
    )
    db["sessions"].add_column("owner_id", int, not_null_default=1)
    db.execute("CREATE INDEX sessions_owner ON sessions(owner_id, updated_at)")


@migrations()
def m006_feedback(db: Database) -> None:
    """Thumbs up/down on answers, with reasons (JSON list) and an optional comment; one row
    per answer and user, deleted with the answer."""
    db.execute(
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            rating INTEGER NOT NULL CHECK (rating IN (0, 1)),
            reasons TEXT NOT NULL DEFAULT '[]',
            comment TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (message_id, user_id)
        )"""
    )
    db.execute("CREATE INDEX feedback_rating ON feedback(rating, created_at)")


@migrations()
def m007_imported(db: Database) -> None:
    """``messages.imported``: 1 for a message read back from a file (``import_json``). Its
    text and stats were not made by this app here, so it sets no tutoring state (hints shown,
    solution revealed), cannot be rated, and never becomes training data."""
    db["messages"].add_column("imported", int, not_null_default=0)


MIGRATION_NAMES: tuple[str, ...] = tuple(m.name for m in migrations._migrations)


def pending(db: Database) -> list[str]:
    """Names of migrations not yet applied to ``db`` (read-only)."""
    return [m.name for m in migrations.pending(db)]


def migrate(db: Database, stop_before: str | None = None) -> list[str]:
    """Apply pending migrations one at a time, each under the write lock; return their names.

    ``stop_before`` (for tests of old databases) leaves that migration and later ones pending.
    """
    applied: list[str] = []
    while True:
        todo = pending(db)
        if not todo or todo[0] == stop_before:
            return applied
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            todo = pending(db)  # another process may have migrated while we waited
            if not todo or todo[0] == stop_before:
                db.conn.execute("COMMIT")
                return applied
            migrations.apply(db, stop_before=todo[1:])
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        applied.append(todo[0])
