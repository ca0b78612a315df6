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
