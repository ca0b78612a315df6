"""The history store against a real SQLite file in a temp dir (no mocks of sqlite)."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from tutor.errors import DatabaseLocked, StorageError
from tutor.store import STATUSES, Store, fts_query

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "tutor.db")
    yield s
    s.close()


def _session_with_answer(store: Store) -> tuple[int, int, int]:
    sid = store.create_session("hint", "smollm2-135m", "Solving 3x+5=20")
    q = store.add_message(sid, "user", "How do I solve 3x + 5 = 20? Photosynthesis aside.", mode="hint")
    a = store.add_message(
        sid, "assistant", "", mode="hint", model="smollm2-135m", model_sha256="ab" * 32, status="streaming"
    )
    store.update_message(
        a,
        content="Subtract 5 from both sides first. What is left?",
        status="complete",
        ttft_s=0.12,
        tokens=11,
        tokens_per_s=104.5,
        finish_reason="stop",
    )
    return sid, q, a


def test_wal_busy_timeout_and_schema(store):
    db = store._db()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert {"sessions", "messages", "settings", "messages_fts"} <= set(db.table_names())


def test_sessions_and_messages_round_trip(store):
    sid, q, a = _session_with_answer(store)
    session = store.get_session(sid)
    assert session["mode"] == "hint" and session["model"] == "smollm2-135m"
    assert session["title"] == "Solving 3x+5=20" and session["message_count"] == 2
    msgs = store.messages(sid)
    assert [m["id"] for m in msgs] == [q, a]
    answer = msgs[1]
    assert answer["status"] == "complete" and answer["finish_reason"] == "stop"
    assert answer["ttft_s"] == 0.12 and answer["tokens"] == 11 and answer["tokens_per_s"] == 104.5
    assert answer["model_sha256"] == "ab" * 32 and answer["mode"] == "hint"
    assert store.get_session(9999) is None


def test_list_sessions_newest_first_and_by_mode(store):
    s1 = store.create_session("hint", "m", "first")
    s2 = store.create_session("explain", "m", "second")
    store.add_message(s1, "user", "later activity")
    assert [s["id"] for s in store.list_sessions()] == [s1, s2]
    assert [s["id"] for s in store.list_sessions(mode="explain")] == [s2]
    assert len(store.list_sessions(limit=1)) == 1


def test_bad_arguments_are_value_errors(store):
    sid = store.create_session("hint", "m", "t")
    with pytest.raises(ValueError):
        store.add_message(sid, "robot", "x")
    with pytest.raises(ValueError):
        store.add_message(sid, "user", "x", status="done")
    with pytest.raises(ValueError):
        store.add_message(12345, "user", "no such session")
    mid = store.add_message(sid, "user", "x")
    with pytest.raises(ValueError):
        store.update_message(mid, colour="red")
    with pytest.raises(ValueError):
        store.update_message(mid, status="bogus")
    store.update_message(987654, content="gone")  # deleted meanwhile: ignored
    assert set(STATUSES) == {"streaming", "complete", "stopped", "error", "interrupted"}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "'; DROP TABLE messages; --",
        "AND",
        "OR OR",
        "NEAR(",
        "NEAR(a b, 2)",
        "*",
        "**",
        "a*b*",
        "x:y",
        "content:foo",
        "(unbalanced",
        "^start",
        "- minus",
        "+plus",
        "col1 : NOT",
        "\\",
        "%_",
        "😀",
        "a" * 5000,
        "\x00",
        "solve\x00x",
        "\ud800 lone surrogate",
        "{a b}",
        "foo'bar",
        "select * from sessions",
    ],
)
def test_search_accepts_any_text(store, query):
    _session_with_answer(store)
    assert isinstance(store.search(query), list)
    assert store._db()["messages"].count == 2  # nothing dropped


def test_search_finds_sessions_with_snippet(store):
    sid, _, _ = _session_with_answer(store)
    other = store.create_session("explain", "m", "Other")
    store.add_message(other, "user", "Tell me about mitochondria")
    hits = store.search("subtract")
    assert [h["id"] for h in hits] == [sid]
    assert "**Subtract**" in hits[0]["snippet"] and hits[0]["title"] == "Solving 3x+5=20"
    assert [h["id"] for h in store.search("mitochondri*")] == [other]
    assert [h["id"] for h in store.search('"Subtract" AND both sides')] == [sid]  # quotes/AND are just words
    assert store.search("photosynthesis solve") and not store.search("photosynthesis mitochondria")
    assert store.search("") == [] and store.search("   ") == []
    # one row per session even when several messages match
    store.add_message(sid, "user", "subtract again?")
    assert len(store.search("subtract")) == 1


def test_search_follows_updates_and_deletes(store):
    sid, _, a = _session_with_answer(store)
    store.update_message(a, content="Divide by three.")
    assert store.search("divide") and not store.search("subtract sides")
    store.delete_session(sid)
    db = store._db()
    assert store.search("divide") == [] and store.get_session(sid) is None
    assert db["messages"].count == 0
    assert (
        db.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'divide'").fetchone()[0] == 0
    )


def test_fts_query_quotes_every_term():
    assert fts_query('say "hi" AND bye*') == '"say" """hi""" "bye"*'
    assert fts_query("'; DROP") == '"DROP"'
    assert fts_query("* ** ()") == ""


def test_export_markdown(store):
    sid, _, _ = _session_with_answer(store)
    md = store.export_markdown(sid)
    assert md.startswith("# Solving 3x+5=20\n")
    assert "- Mode: hint" in md and "- Model: smollm2-135m" in md
    assert "## You\n\nHow do I solve 3x + 5 = 20?" in md and "## Tutor\n\nSubtract 5" in md
    assert "11 tokens" in md and "104.5 tokens/s" in md and "first token 0.12 s" in md and "complete" in md
    with pytest.raises(StorageError, match="no longer exists"):
        store.export_markdown(424242)


def test_export_json_round_trips(store):
    sid, _, _ = _session_with_answer(store)
    store.add_message(sid, "user", 'Ünïcødé ✓ 数学 — "quotes" \\ and\ttabs\n')
    text = store.export_json(sid)
    assert "数学" in text  # ensure_ascii=False
    data = json.loads(text)
    assert data["session"]["id"] == sid and len(data["messages"]) == 3
    new = store.import_json(text)
    again = json.loads(store.export_json(new))

    # kept: the text, roles, modes and answer stats; set here: ids, times of import, the
    # imported mark; dropped: the solver's word and the tutoring state (tutor.exports.clean_import)
    own = {"id", "session_id", "created_at", "updated_at", "imported"}
    not_imported = {"checked", "action", "hint_level", "problem", "kind", "guard_tripped", "details"}

    def strip(d):
        return (
            {k: v for k, v in d["session"].items() if k not in own},
            [{k: v for k, v in m.items() if k not in own | not_imported} for m in d["messages"]],
        )

    assert new != sid and strip(again) == strip(data)
    assert [m["created_at"] for m in again["messages"]] == [m["created_at"] for m in data["messages"]]
    assert all(m["imported"] == 1 and m["checked"] is None for m in again["messages"])
    with pytest.raises(StorageError):
        store.import_json("{not json")


def test_recover_interrupted(store):
    sid = store.create_session("hint", "m", "t")
    a = store.add_message(sid, "assistant", "partial answ", status="streaming")
    b = store.add_message(sid, "assistant", "done", status="complete")
    # a new Store, as after a crash and restart
    again = Store(store.path)
    assert again.recover_interrupted() == 1
    statuses = {m["id"]: m["status"] for m in again.messages(sid)}
    assert statuses == {a: "interrupted", b: "complete"}
    assert again.messages(sid)[0]["content"] == "partial answ"
    assert again.recover_interrupted() == 0


def test_settings(store):
    assert store.get_setting("enabled_modes") is None
    assert store.get_setting("enabled_modes", ["hint"]) == ["hint"]
    store.set_setting("enabled_modes", ["hint", "explain"])
    store.set_setting("enabled_modes", ["explain"])
    store.set_setting("note", "café ✓")
    assert store.get_setting("enabled_modes") == ["explain"] and store.get_setting("note") == "café ✓"
    with pytest.raises(ValueError):
        store.set_setting("bad", object())


def test_locked_database_raises_then_recovers(tmp_path):
    path = tmp_path / "tutor.db"
    store = Store(path, busy_timeout_ms=50, retries=2)
    sid = store.create_session("hint", "m", "t")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(DatabaseLocked) as info:
            store.add_message(sid, "user", "my long question")
        assert "Another program is writing" in info.value.message
        assert "try again" in info.value.hint and "nothing was lost" in info.value.hint
        assert store.messages(sid) == []  # reads still work under WAL
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.add_message(sid, "user", "my long question")
    assert [m["content"] for m in store.messages(sid)] == ["my long question"]


def test_lock_released_during_retries_succeeds(tmp_path):
    path = tmp_path / "tutor.db"
    store = Store(path, busy_timeout_ms=100, retries=5)
    sid = store.create_session("hint", "m", "t")
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.3, lambda: (other.execute("ROLLBACK"), other.close()))
    timer.start()
    store.add_message(sid, "user", "waits, then lands")
    timer.join()
    assert len(store.messages(sid)) == 1


def test_read_only_database_is_a_storage_error(tmp_path):
    path = tmp_path / "tutor.db"
    Store(path).create_session("hint", "m", "kept")
    ro = Store(path, read_only=True)  # opened with SQLite's ?mode=ro: real read-only
    assert [s["title"] for s in ro.list_sessions()] == ["kept"]
    with pytest.raises(StorageError) as info:
        ro.create_session("hint", "m", "new")
    assert not isinstance(info.value, DatabaseLocked)
    assert "read-only" in info.value.message and "TUTOR_HOME" in info.value.hint


def test_read_only_missing_database(tmp_path):
    with pytest.raises(StorageError, match="Cannot open"):
        Store(tmp_path / "missing.db", read_only=True)


def test_disk_full_is_a_storage_error(store):
    sid = store.create_session("hint", "m", "t")
    db = store._db()  # this thread's connection: cap the file at its current size
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError) as info:
        store.add_message(sid, "user", "x" * 200_000)
    assert "full" in info.value.message and "TUTOR_HOME" in info.value.hint
    db.execute("PRAGMA max_page_count = 1073741823")
    store.add_message(sid, "user", "fits now")
    assert [m["content"] for m in store.messages(sid)] == ["fits now"]


def test_unwritable_location_is_a_storage_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError) as info:
        Store(blocker / "tutor.db")
    assert "TUTOR_HOME" in info.value.hint


def test_not_a_database_is_a_storage_error(tmp_path):
    path = tmp_path / "tutor.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="damaged or not a database"):
        Store(path)


def test_many_threads_write_concurrently(tmp_path):
    store = Store(tmp_path / "tutor.db")
    second = Store(tmp_path / "tutor.db")  # like a second app process
    errors: list[BaseException] = []

    def work(s: Store, n: int) -> None:
        try:
            sid = s.create_session("hint", "m", f"thread {n}")
            for i in range(15):
                mid = s.add_message(sid, "assistant", "", status="streaming")
                s.update_message(mid, content=f"{n}-{i}", status="complete")
                s.search("thread")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(store if n % 2 else second, n)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_sessions()) == 6
    assert store._db()["messages"].count == 6 * 15


if given is not None:
    _TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(title=_TEXT, content=_TEXT, query=st.text(max_size=40))
    def test_text_round_trips_byte_identical(store, title, content, query):
        sid = store.create_session("explain", "m", title)
        mid = store.add_message(sid, "user", content)
        assert store.get_session(sid)["title"] == title
        assert [m["content"] for m in store.messages(sid) if m["id"] == mid] == [content]
        store.update_message(mid, content=content + "!")
        assert store.messages(sid)[-1]["content"] == content + "!"
        assert isinstance(store.search(query), list)
        assert json.loads(store.export_json(sid))["messages"][-1]["content"] == content + "!"


def test_connections_of_finished_threads_are_closed(store):
    def read() -> None:
        store.list_sessions()

    for _ in range(20):  # like Streamlit script runs, each in a new thread
        t = threading.Thread(target=read)
        t.start()
        t.join()
    store.list_sessions()
    assert len(store._conns) <= 2


def test_app_start_while_another_program_writes(tmp_path):
    """Opening a migrated database needs no write lock: the app starts while a writer is busy."""
    path = tmp_path / "tutor.db"
    Store(path).create_session("hint", "m", "kept")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        store = Store(path, busy_timeout_ms=50, retries=1)
        assert [s["title"] for s in store.list_sessions()] == ["kept"]
    finally:
        other.execute("ROLLBACK")
        other.close()
