"""Faults, with real processes, real SQLite and real files wherever that is possible.

- a process killed (SIGKILL) mid-answer leaves the partial answer, which the next start
  marks ``interrupted`` and History shows (fake model, and the real model: ``model`` mark;
  the browser version, which kills the real app, is tests/browser/test_kill_restart.py);
- a database locked by another writer (another connection holding ``BEGIN IMMEDIATE``) is
  retried, then reported as ``DatabaseLocked``; nothing is half-stored and the same text
  goes through once the lock is gone;
- a truncated or random-bytes GGUF is reported on the page that uses it, naming the file,
  while the other pages still answer;
- a full disk and a read-only disk are reported at write time: on a real tiny tmpfs
  (``mount -t tmpfs``, as root; skipped where mounting is not allowed) and always through
  SQLite's own SQLITE_FULL / SQLITE_READONLY paths (``PRAGMA max_page_count``, ``mode=ro``).

    .venv/bin/python -m pytest tests/test_faults.py
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tutor import chat
from tutor import engine as engine_mod
from tutor.config import REPO_ROOT, get_settings
from tutor.engine import Engine
from tutor.errors import DatabaseLocked, ModelCorrupt, StateDirError, StorageError
from tutor.fake import FakeBackend
from tutor.models import add_model, embedded_model_path
from tutor.prompts import load_modes
from tutor.shaping import strip_label
from tutor.store import Store

APP = str(REPO_ROOT / "streamlit_app.py")
HISTORY = "pages/5_History.py"
TIMEOUT = 180


@pytest.fixture
def real_engines():
    """Tests that load real GGUF files through get_engine(): forget them afterwards."""
    engine_mod.reset_engines()
    yield
    engine_mod.reset_engines()


def counts(db_path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db_path)
    try:
        return (conn.execute("SELECT count(*) FROM sessions").fetchone()[0],
                conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    finally:
        conn.close()


def history_texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


# --------------------------------------------------------------------------- killed mid-answer
CHILD = r"""
import sys
from tutor import chat
from tutor.config import get_settings
from tutor.prompts import load_modes
from tutor.store import Store

fake_model = sys.argv[1] == "fake"
settings = get_settings()
store = Store(settings.db_path)
mode = load_modes(settings.prompts_dir)["medical"]
if fake_model:
    from tutor.engine import Engine
    from tutor.fake import FakeBackend
    fake = FakeBackend()
    fake.enqueue([f"word{i} " for i in range(5000)], delay_s=0.02)   # 600 tokens (max_tokens) = 12 s
    engine = Engine(fake)
else:
    from tutor.engine import get_engine
    engine = get_engine()
question = "Write a long detailed essay about the history of medicine, from antiquity to today."
for event in chat.ask(store, engine, mode, question):
    if isinstance(event, chat.Delta):
        print("DELTA", len(event.text), flush=True)
print("FINISHED", flush=True)
"""


def _kill_mid_answer(home: Path, model: str, timeout_s: float = 300.0) -> tuple[str, int]:
    """Run chat.ask in a child process; SIGKILL it once a partial answer is on disk.

    Returns (the partial content seen on disk before the kill, deltas the child printed).
    """
    env = dict(os.environ, TUTOR_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO_ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, model], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = home / "tutor.db"
    deadline = time.monotonic() + timeout_s
    partial = ""
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if db.exists():
                try:
                    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                    row = conn.execute("SELECT content, status FROM messages WHERE role = 'assistant'").fetchone()
                    conn.close()
                except sqlite3.Error:
                    row = None
                if row and row[1] == "streaming" and len(row[0]) >= 20:
                    partial = row[0]  # the periodic save (every ~1 s) has written some of the answer
                    break
            time.sleep(0.1)
        assert child.poll() is None, f"child ended before the kill: {child.communicate()}"
        assert partial, "no partial answer was saved before the timeout"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        out, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, (child.returncode, err[-2000:])
    assert "FINISHED" not in out
    return partial, out.count("DELTA")


@pytest.mark.parametrize("model", ["fake", pytest.param("real", marks=pytest.mark.model)])
def test_process_killed_mid_answer_leaves_partial_marked_interrupted(tutor_home, model, real_engines):
    partial, deltas = _kill_mid_answer(tutor_home, model)
    db = tutor_home / "tutor.db"
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM messages ORDER BY id")]
    conn.close()
    assert [r["role"] for r in rows] == ["user", "assistant"]
    assert rows[0]["content"].startswith("Write a long detailed essay")
    assert rows[1]["status"] == "streaming"  # nobody finished it: the process died
    assert rows[1]["content"].startswith(partial) and rows[1]["content"].strip()
    if model == "fake":
        assert rows[1]["content"].startswith("word0 word1 ")

    # a fresh start of the app (AppTest runs the real pages in this process; the Store for
    # this TUTOR_HOME is opened for the first time here, which is what a restart does)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    shown = history_texts(at)
    assert "interrupted" in shown, shown
    assert partial.split()[0] in shown
    store = Store(db)
    try:
        msg = store.messages(rows[0]["session_id"])[1]
        assert msg["status"] == "interrupted"
        assert msg["content"] == rows[1]["content"]  # the partial answer is kept as it was
        assert store.recover_interrupted() == 0  # already done by the start
    finally:
        store.close()


def test_recover_interrupted_only_touches_streaming_answers(tutor_home):
    store = Store(tutor_home / "tutor.db")
    sid = store.create_session("explain", "m", "t")
    ids = {s: store.add_message(sid, "assistant", f"text {s}", status=s)
           for s in ("streaming", "complete", "stopped", "error")}
    assert store.recover_interrupted() == 1
    got = {m["id"]: m for m in store.messages(sid)}
    assert got[ids["streaming"]]["status"] == "interrupted"
    assert got[ids["streaming"]]["content"] == "text streaming"
    assert [got[ids[s]]["status"] for s in ("complete", "stopped", "error")] == ["complete", "stopped", "error"]
    store.close()


# --------------------------------------------------------------------------- locked database
@pytest.fixture
def db_path(tutor_home):
    path = tutor_home / "tutor.db"
    Store(path).close()  # schema in place
    return path


def _hold_write_lock(db_path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    return other


def test_locked_database_is_retried_then_reported_and_nothing_is_lost(db_path, modes, monkeypatch):
    import tutor.store as store_mod

    backoffs = []
    real_sleep = time.sleep
    monkeypatch.setattr(store_mod.time, "sleep", lambda s: (backoffs.append(s), real_sleep(s)))
    store = Store(db_path, busy_timeout_ms=100, retries=3)
    engine = Engine(FakeBackend(default_reply=["Plants ", "make ", "sugar."]))
    question = "What is photosynthesis? (asked while the database is locked)"
    other = _hold_write_lock(db_path)
    try:
        with pytest.raises(DatabaseLocked) as info:
            list(chat.ask(store, engine, modes["explain"], question))
    finally:
        other.rollback()
        other.close()
    assert len(backoffs) == 3, backoffs  # retried `retries` times with backoff, then reported
    assert "Another program is writing" in info.value.message
    assert "nothing was lost" in info.value.hint
    assert isinstance(info.value, StorageError)
    assert counts(db_path) == (0, 0)  # nothing half-stored

    # the student still has the text; sending it again once the lock is gone works
    events = list(chat.ask(store, engine, modes["explain"], question))
    done = [e for e in events if isinstance(e, chat.Done)][0]
    stored = store.messages(done.session_id)
    assert stored[0]["content"] == question and strip_label(stored[1]["content"]) == "Plants make sugar."
    assert counts(db_path) == (1, 2)
    store.close()


def test_a_short_lock_is_waited_out_without_error(db_path, modes):
    store = Store(db_path, busy_timeout_ms=100, retries=10)  # at least ~3 s of back-off: the 0.4 s lock ends first
    other = _hold_write_lock(db_path)
    release = threading.Timer(0.4, lambda: (other.commit(), other.close()))
    release.start()
    try:
        engine = Engine(FakeBackend(default_reply=["Fine."]))
        events = list(chat.ask(store, engine, modes["explain"], "Does a short lock hurt?"))
    finally:
        release.join()
    assert [e for e in events if isinstance(e, chat.Done)][0].status == "complete"
    assert counts(db_path) == (1, 2)
    store.close()


def test_lock_taken_mid_answer_is_reported_and_the_partial_is_recovered(db_path, modes):
    store = Store(db_path, busy_timeout_ms=50, retries=2)
    fake = FakeBackend()
    fake.enqueue([f"w{i} " for i in range(200)], delay_s=0.02)
    events = chat.ask(store, Engine(fake), modes["explain"], "Tell me about cells.")
    other = None
    got = []
    with pytest.raises(DatabaseLocked):
        for event in events:
            got.append(event)
            if isinstance(event, chat.Delta) and other is None and len(got) > 5:
                other = _hold_write_lock(db_path)  # locked while the answer streams
    other.rollback()
    other.close()
    rows = store.messages(1)
    assert rows[0]["content"] == "Tell me about cells."  # the question was stored before the lock
    assert rows[1]["status"] == "streaming"  # the final save could not happen...
    assert store.recover_interrupted() == 1  # ...so the next start marks it, keeping what was saved
    assert store.messages(1)[1]["status"] == "interrupted"
    store.close()


# --------------------------------------------------------------------------- corrupt GGUF
def _truncated_copy(dst: Path, nbytes: int = 2_000_000) -> Path:
    with embedded_model_path().open("rb") as src, dst.open("wb") as out:
        out.write(src.read(nbytes))
    return dst


def _random_bytes(dst: Path, magic: bytes = b"") -> Path:
    rng = random.Random(1)
    dst.write_bytes(magic + bytes(rng.getrandbits(8) for _ in range(200_000)))
    return dst


@pytest.mark.parametrize("kind", ["truncated", "random", "gguf-magic-then-random"])
def test_corrupt_gguf_is_model_corrupt_naming_the_file(tmp_path, kind):
    from tutor.engine import LlamaCppBackend

    path = tmp_path / f"{kind}.gguf"
    if kind == "truncated":
        _truncated_copy(path)
    else:
        _random_bytes(path, b"GGUF" if kind.startswith("gguf") else b"")
    with pytest.raises(ModelCorrupt) as info:
        LlamaCppBackend(path, model_name="broken", n_ctx=512, n_threads=1)
    assert str(path) in info.value.message
    assert info.value.hint


def _register_broken(settings, tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"broken-{kind}.gguf"
    if kind == "truncated":
        _truncated_copy(path)
        add_model(settings, "broken", path=path)
    else:
        _random_bytes(path)  # add_model refuses it (no GGUF magic), so write the registry by hand
        settings.home.mkdir(parents=True, exist_ok=True)
        settings.user_registry.write_text(f"models:\n  broken:\n    source: local\n    path: {path}\n")
    return path


@pytest.mark.model
@pytest.mark.parametrize("kind", ["truncated", "random"])
def test_corrupt_gguf_is_shown_on_its_page_and_other_pages_still_answer(tmp_path, kind, real_engines):
    settings = get_settings()
    path = _register_broken(settings, tmp_path, kind)
    store = Store(settings.db_path)
    store.set_setting("model:hint", "broken")  # the instructor put the broken file on the Hint page
    store.close()

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/3_Hint.py").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert path.name in errors, errors
    assert at.chat_input[0].disabled

    at.switch_page("pages/2_Explain.py").run()  # the default (embedded) model still answers
    assert not at.exception, at.exception
    assert not at.error
    at.chat_input[0].set_value("What is a prime number? One sentence.").run()
    assert not at.exception, at.exception
    store = Store(settings.db_path)
    rows = store.messages(store.list_sessions()[0]["id"])
    store.close()
    assert rows[1]["status"] == "complete" and rows[1]["content"].strip()
    assert rows[1]["model"] == "smollm2-135m"


# --------------------------------------------------------------------------- disk full / read-only
def test_disk_full_is_reported_at_write_time_sqlite_full(db_path, modes):
    """SQLite's real SQLITE_FULL path: cap the database at its current size."""
    store = Store(db_path)
    pages = store._db().execute("PRAGMA page_count").fetchone()[0]
    store._db().execute(f"PRAGMA max_page_count = {pages}")
    engine = Engine(FakeBackend(default_reply=["ok"]))
    question = "A long question that needs new pages. " * 100
    with pytest.raises(StorageError) as info:
        for _ in range(20):  # the free pages run out within a few answers
            list(chat.ask(store, engine, modes["explain"], question))
    assert "full" in info.value.message and "TUTOR_HOME" in info.value.hint
    assert not isinstance(info.value, DatabaseLocked)
    store.close()
    # whatever was written is whole: each stored question is exactly what was sent
    conn = sqlite3.connect(db_path)
    stored = [r[0] for r in conn.execute("SELECT content FROM messages WHERE role = 'user'")]
    conn.close()
    assert all(text == question for text in stored)


def test_read_only_database_is_reported_at_write_time(db_path, modes):
    store = Store(db_path, read_only=True)
    assert store.list_sessions() == []  # reading works
    engine = Engine(FakeBackend(default_reply=["ok"]))
    with pytest.raises(StorageError) as info:
        list(chat.ask(store, engine, modes["explain"], "Can I write here?"))
    assert "read-only" in info.value.message and str(db_path) in info.value.message
    store.close()


@pytest.fixture
def tiny_fs(tmp_path):
    """A real 512 KiB tmpfs (root only); skipped where mounting is not allowed."""
    mnt = tmp_path / f"tinyfs-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip() or res.returncode}); "
                    "the SQLite-level disk-full/read-only tests cover this")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(mnt: Path) -> None:
    """Write a file until the filesystem says ENOSPC."""
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_disk_full_on_a_real_tiny_filesystem(tiny_fs, modes, monkeypatch):
    home = tiny_fs / "tutor"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    store = Store(home / "tutor.db", busy_timeout_ms=100, retries=1)
    engine = Engine(FakeBackend(default_reply=["ok "] * 50))
    list(chat.ask(store, engine, modes["explain"], "This fits."))
    _fill(tiny_fs)
    with pytest.raises(StorageError) as info:
        for _ in range(50):  # until the WAL needs a page the disk does not have
            list(chat.ask(store, engine, modes["explain"], "Now the disk is full. " * 300))
    print(f"reported: {info.value}")
    assert "full" in info.value.message or "failed" in info.value.message
    (tiny_fs / "filler").unlink()
    store.close()
    # what was saved before is intact
    reopened = Store(home / "tutor.db")
    assert reopened.messages(1)[0]["content"] == "This fits."
    reopened.close()


def test_read_only_filesystem_is_reported_on_the_page_and_at_write_time(tiny_fs, modes, monkeypatch):
    home = tiny_fs / "tutor"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    store = Store(home / "tutor.db")
    store.close()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    # the Store refuses writes with a StorageError (whatever SQLite says first: read-only or cannot open)
    with pytest.raises(StorageError) as info:
        ro = Store(home / "tutor.db")
        list(chat.ask(ro, Engine(FakeBackend(default_reply=["ok"])), modes["explain"], "Hello?"))
    assert str(home) in str(info.value) or "read-only" in str(info.value)
    with pytest.raises(StateDirError):
        from tutor.config import check_state_dir

        check_state_dir(get_settings())
    # and the page says so instead of crashing
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert any(str(home) in e.value and ("Read-only" in e.value or "not writable" in e.value) for e in at.error), [e.value for e in at.error]
    assert any("TUTOR_HOME" in i.value for i in at.info), [i.value for i in at.info]


@pytest.fixture
def fake_engine():
    fake = FakeBackend(default_reply=["Plants ", "make ", "sugar."])
    eng = Engine(fake)
    engine_mod.set_engine_factory(lambda name: eng)
    yield fake
    engine_mod.reset_engines()


def test_locked_database_on_the_page_keeps_the_students_text(db_path, fake_engine, monkeypatch):
    monkeypatch.setattr(Store.__init__, "__defaults__", (100, 2))  # the app's Store: fail fast here
    question = "My long carefully typed question about enzymes and activation energy"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/2_Explain.py").run()
    assert not at.exception, at.exception
    other = _hold_write_lock(db_path)
    try:
        at.chat_input[0].set_value(question).run()
    finally:
        other.rollback()
        other.close()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Another program is writing" in errors, errors
    assert counts(db_path) == (0, 0)
    # "your text is still here": a browser empties st.chat_input on submit (AppTest keeps the value, so
    # it cannot stand in for the box), so the question must be on the page to be copied and sent again
    visible = [m.value for m in at.markdown] + [c.value for c in at.code] + [t.value for t in at.text_area]
    assert any(question in str(v) for v in visible), visible
