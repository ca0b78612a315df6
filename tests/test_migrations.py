"""Migrations: append-only, applied once, and safe on an OLD database with data in it."""

from __future__ import annotations

import re
import sqlite3
import threading

from sqlite_utils import Database

from tutor import migrations
from tutor.record import AnswerRecord
from tutor.store import Store


def _applied(path) -> list[str]:
    db = Database(path)
    names = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    db.close()
    return names


def test_names_are_numbered_and_in_order():
    names = list(migrations.MIGRATION_NAMES)
    assert names[:3] == ["m001_initial", "m002_fts", "m003_generation_details"]
    for i, name in enumerate(names, start=1):
        assert re.fullmatch(rf"m{i:03d}_[a-z0-9_]+", name), name


def test_fresh_database_gets_every_migration_once(tmp_path):
    path = tmp_path / "tutor.db"
    Store(path)
    Store(path)  # opening again applies nothing
    assert _applied(path) == list(migrations.MIGRATION_NAMES)


def test_old_database_keeps_its_data_and_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    assert migrations.migrate(db, stop_before="m002_fts") == ["m001_initial"]
    assert "messages_fts" not in db.table_names()
    # rows written by the old app version, with its schema
    db.execute(
        "INSERT INTO sessions (id, title, mode, model, created_at, updated_at) "
        "VALUES (1, 'Old session', 'explain', 'old-model', '2025-01-01', '2025-01-01')"
    )
    db.execute(
        "INSERT INTO messages (session_id, role, content, status, tokens, created_at, updated_at) "
        "VALUES (1, 'user', 'What is osmosis?', 'complete', NULL, '2025-01-01', '2025-01-01')"
    )
    db.execute(
        "INSERT INTO messages (session_id, role, content, status, tokens, created_at, updated_at) "
        "VALUES (1, 'assistant', 'Water crossing a membrane…', 'streaming', 5, '2025-01-01', '2025-01-01')"
    )
    db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('enabled_modes', '[\"explain\"]', 'x')")
    db.conn.commit()
    db.close()

    store = Store(path)
    assert _applied(path) == list(migrations.MIGRATION_NAMES)
    assert store.get_session(1)["title"] == "Old session"
    msgs = store.messages(1)
    assert [m["content"] for m in msgs] == ["What is osmosis?", "Water crossing a membrane…"]
    assert msgs[1]["prompt_tokens"] is None and msgs[1]["tokens"] == 5  # new columns, old values kept
    assert store.get_setting("enabled_modes") == ["explain"]
    # the FTS index was built from the old rows, and the triggers keep it in sync
    assert [h["id"] for h in store.search("osmosis")] == [1]
    assert store.recover_interrupted() == 1
    store.update_message(msgs[1]["id"], content="Diffusion of water", prompt_tokens=42, total_s=1.5)
    assert store.search("diffusion") and not store.search("membrane")
    new = store.add_message(1, "assistant", "new style", error="boom", status="error")
    assert store.messages(1)[-1]["id"] == new and store.messages(1)[-1]["error"] == "boom"


def test_migrations_run_in_transactions(tmp_path):
    """A migration that fails leaves nothing behind and stays pending."""
    path = tmp_path / "tutor.db"
    db = Database(path)
    migrations.migrate(db, stop_before="m003_generation_details")
    db.execute("ALTER TABLE messages ADD COLUMN total_s REAL")  # makes m003 fail half way
    db.conn.commit()
    try:
        migrations.migrate(db)
    except sqlite3.OperationalError as exc:
        assert "duplicate column" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("m003 should have failed")
    assert migrations.pending(db)[0] == "m003_generation_details"
    assert "prompt_tokens" not in db["messages"].columns_dict  # rolled back
    assert not db.conn.in_transaction


def test_concurrent_first_start_applies_once(tmp_path):
    path = tmp_path / "tutor.db"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store(path).recover_interrupted()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _applied(path) == list(migrations.MIGRATION_NAMES)


def test_m004_upgrades_a_database_made_before_it(tmp_path):
    """A history written by the app before m004 (sessions, answers with stats) keeps every row;
    the new tutoring columns start empty and are written through AnswerRecord."""
    path = tmp_path / "tutor.db"
    db = Database(path)
    migrations.migrate(db, stop_before="m004_tutoring")
    db.close()
    old = Store(path)
    # what the previous release wrote: simulate with the columns that existed then
    old._write(
        lambda d: (
            d["sessions"].insert(
                {"id": 1, "title": "3x+5=20", "mode": "hint", "model": "m", "created_at": "t", "updated_at": "t"}
            ),
            d["messages"].insert(
                {"session_id": 1, "role": "assistant", "content": "Subtract 5.", "status": "complete",
                 "tokens": 7, "created_at": "t", "updated_at": "t"}  # fmt: skip
            ),
        )
    )
    old.close()
    store = Store(path)
    assert _applied(path) == list(migrations.MIGRATION_NAMES)
    [row] = store.messages(1)
    assert row["content"] == "Subtract 5." and row["tokens"] == 7
    assert row["checked"] is None and row["action"] is None and row["hint_level"] is None
    record = AnswerRecord.from_row(row)
    assert record.status == "complete" and record.tokens == 7 and record.details == {}
    store.update_message(row["id"], record=record.update(action="hint", hint_level=2, checked=1, kind="linear"))
    row = store.messages(1)[0]
    assert (row["action"], row["hint_level"], row["checked"], row["kind"]) == ("hint", 2, 1, "linear")


def test_m005_m006_upgrade_a_database_made_before_them(tmp_path):
    """A history from before accounts: its sessions belong to the personal user, every row is
    kept, and the new tables (users, tokens, feedback) work on it."""
    from tutor.access import PERSONAL_USER_ID, User
    from tutor.feedback import give
    from tutor.userstore import UserStore

    path = tmp_path / "tutor.db"
    db = Database(path)
    migrations.migrate(db, stop_before="m005_accounts")
    db.execute(
        "INSERT INTO sessions (id, title, mode, model, created_at, updated_at) VALUES (7, 'old', 'hint', 'm', 't', 't')"
    )
    db.execute(
        "INSERT INTO messages (session_id, role, content, status, created_at, updated_at) "
        "VALUES (7, 'user', 'Solve 3x+5=20', 'complete', 't', 't'), "
        "(7, 'assistant', 'Subtract 5 first.', 'complete', 't', 't')"
    )
    db.conn.commit()
    db.close()
    store = Store(path)
    assert _applied(path) == list(migrations.MIGRATION_NAMES)
    assert store.get_session(7)["owner_id"] == PERSONAL_USER_ID
    me = User(PERSONAL_USER_ID, "personal", provider="personal")
    view = UserStore(store, me)
    assert [m["content"] for m in view.messages(7)] == ["Solve 3x+5=20", "Subtract 5 first."]
    assert give(store, me, view.messages(7)[1]["id"], 0, ["unclear"]).reasons == ("unclear",)
    store.delete_session(7)  # feedback goes with its answer
    assert store.read(lambda d: d.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]) == 0
