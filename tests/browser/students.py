"""N students at once, each in their own browser context, against one running app.

Shared by tests/browser/test_concurrency_browser.py and bench/concurrency.py. Every student
asks a distinct question carrying a unique code word; submissions are staggered so the
arrival order is known; one loop polls every page (Playwright's sync API is single-threaded)
and records what each student saw and when. ``check_round`` then compares the pages with
the SQLite history.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.harness import (
    App,
    ask,
    is_done,
    last_assistant_text,
    new_page,
    open_page,
    queue_position,
    screenshot,
    user_messages,
)

NAMES = ["Ada", "Boole", "Cantor", "Dirac", "Euler", "Fermat", "Gauss", "Hilbert", "Ito", "Jacobi",
         "Kovalevskaya", "Lagrange", "Markov", "Noether", "Ostrowski", "Pascal"]


@dataclass
class Student:
    index: int
    tag: str  # unique code word, e.g. "Euler4821"
    question: str
    page: object = None
    t_submit: float = 0.0  # monotonic seconds
    t_first_text: float | None = None  # first answer text visible on the page
    t_done: float | None = None  # model caption visible: the answer is complete
    positions: list[int] = field(default_factory=list)  # queue positions shown, in order
    text: str = ""
    user_text: str = ""
    db: dict = field(default_factory=dict)  # the stored messages of this student's session

    @property
    def wait_s(self) -> float | None:
        """Submit -> first answer text on the page (queue + prompt + first token + page update)."""
        return None if self.t_first_text is None else self.t_first_text - self.t_submit

    @property
    def e2e_s(self) -> float | None:
        """Submit -> complete answer on the page."""
        return None if self.t_done is None else self.t_done - self.t_submit


TOPICS = ["numbers", "algebra", "geometry", "calculus", "astronomy", "chemistry", "maps", "music theory",
          "probability", "logarithms", "trigonometry", "statistics", "cryptography", "clocks", "bridges", "zero"]


def make_students(n: int, seed: int | None = None, *, long: bool = False) -> list[Student]:
    """n students with unique code words; ``long`` asks for essays (answers up to the mode's max_tokens)."""
    rng = random.Random(seed)
    names = rng.sample(NAMES, n) if n <= len(NAMES) else [f"S{i}" for i in range(n)]
    topics = rng.sample(TOPICS, n) if n <= len(TOPICS) else [rng.choice(TOPICS) for _ in range(n)]
    students = []
    for i, name in enumerate(names):
        tag = f"{name}{rng.randint(1000, 9999)}"
        if long:
            question = f"My name is {tag}. Write a long detailed essay about the history of {topics[i]}."
        else:
            a, b = rng.randint(11, 49), rng.randint(11, 49)
            question = f"My name is {tag}. Greet me by my name, then give me a hint for: what is {a} + {b}?"
        students.append(Student(i, tag, question))
    return students


def run_round(app: App, browser, students: list[Student], *, mode: str = "hint", stagger_s: float = 0.5,
              timeout_s: float = 900.0, poll_s: float = 0.2, shots: str | None = None) -> list[Student]:
    """Open every student's page, submit the questions in order, poll until all are done."""
    for s in students:
        s.page = new_page(browser)
        open_page(s.page, app, mode)
    for s in students:
        ask(s.page, s.question)
        s.t_submit = time.monotonic()
        time.sleep(stagger_s)
    deadline = time.monotonic() + timeout_s
    pending = list(students)
    while pending and time.monotonic() < deadline:
        for s in list(pending):
            pos = queue_position(s.page)
            if pos is not None and (not s.positions or s.positions[-1] != pos):
                s.positions.append(pos)
            if s.t_first_text is None and last_assistant_text(s.page):
                s.t_first_text = time.monotonic()
            if is_done(s.page):
                s.t_done = time.monotonic()
                s.t_first_text = s.t_first_text or s.t_done
                pending.remove(s)
        time.sleep(poll_s)
    for s in students:
        s.text = last_assistant_text(s.page)
        users = user_messages(s.page)
        s.user_text = "\n".join(users.nth(i).get_by_test_id("stChatMessageContent").inner_text()
                                for i in range(users.count()))
        if shots:
            screenshot(s.page, f"{shots}-student{s.index}-{s.tag}")
    _read_db(app.db_path, students)
    return students


def _read_db(db_path: Path, students: list[Student]) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        for s in students:
            sessions = conn.execute("SELECT * FROM sessions WHERE title LIKE ?", [f"%{s.tag}%"]).fetchall()
            s.db = {"sessions": [dict(r) for r in sessions], "messages": []}
            if len(sessions) == 1:
                rows = conn.execute("SELECT * FROM messages WHERE session_id = ? ORDER BY id",
                                    [sessions[0]["id"]]).fetchall()
                s.db["messages"] = [dict(r) for r in rows]
    finally:
        conn.close()


def close_round(students: list[Student]) -> None:
    for s in students:
        if s.page is not None:
            s.page.context.close()
            s.page = None


def check_round(students: list[Student]) -> list[str]:
    """Everything that went wrong, as sentences (empty = all good): answers, FIFO order, queue shown."""
    return check_answers(students) + check_fifo(students) + check_queue_shown(students)


def check_answers(students: list[Student]) -> list[str]:
    """Each student got their own complete answer, stored once, and saw no one else's text."""
    problems = []
    tags = [s.tag for s in students]
    for s in students:
        who = f"student {s.index} ({s.tag})"
        if s.t_done is None:
            problems.append(f"{who}: no complete answer")
        if s.tag not in s.user_text:
            problems.append(f"{who}: own question not on own page: {s.user_text[:200]!r}")
        for other in tags:
            if other != s.tag and (other in s.user_text or other in s.text):
                problems.append(f"{who}: sees {other}'s question or answer")
        if len(s.db.get("sessions", [])) != 1:
            problems.append(f"{who}: {len(s.db.get('sessions', []))} stored sessions (want 1)")
            continue
        msgs = s.db["messages"]
        if [m["role"] for m in msgs] != ["user", "assistant"]:
            problems.append(f"{who}: stored roles {[m['role'] for m in msgs]}")
            continue
        if msgs[0]["content"] != s.question:
            problems.append(f"{who}: stored question differs: {msgs[0]['content'][:100]!r}")
        if msgs[1]["status"] != "complete":
            problems.append(f"{who}: stored status {msgs[1]['status']}")
        for other in tags:
            if other != s.tag and other in msgs[1]["content"]:
                problems.append(f"{who}: stored answer mentions {other}")
    return problems


def check_queue_shown(students: list[Student], margin_s: float = 5.0) -> list[str]:
    """A student who arrived while the previous answer still had ``margin_s`` or more to go
    must have been shown "You are number N in the queue".

    The pages are polled one after another, so with 8 browsers on 2 busy cores a round of
    polls can take over a second: a margin of 1 s flagged a student whose queue message was
    on screen for only ~1 s (seen in bench.concurrency on idle cores). 5 s is still far
    shorter than the waits of the essay rounds the tests run."""
    from datetime import datetime

    stored = sorted((s for s in students if len(s.db.get("messages", [])) == 2), key=arrival_key)
    problems = []
    for prev, cur in zip(stored, stored[1:]):
        arrived = datetime.fromisoformat(cur.db["messages"][1]["created_at"])
        prev_end = datetime.fromisoformat(prev.db["messages"][1]["updated_at"])
        if (prev_end - arrived).total_seconds() >= margin_s and not cur.positions:
            problems.append(f"student {cur.index} ({cur.tag}) arrived {(prev_end - arrived).total_seconds():.1f} s "
                            f"before {prev.tag}'s answer ended but was never shown a queue position")
    return problems


def arrival_key(s: Student) -> tuple:
    """When the student's answer entered the engine's queue: the engine's own arrival number
    (``details.arrival``, exact), else the assistant message's created_at. The timestamps alone
    misorder students who arrive within milliseconds: created_at is taken before the insert
    waits for SQLite's write lock, and threads reach the queue in whatever order the GIL and
    that lock let them (seen in CI with 8 browsers)."""
    row = s.db["messages"][1]
    try:
        arrival = int(json.loads(row.get("details") or "{}").get("arrival", 0))
    except (ValueError, TypeError, AttributeError):
        arrival = 0
    return (arrival or float("inf"), row["created_at"])


def fifo_orders(students: list[Student]) -> tuple[list[str], list[str], list[str]]:
    """(submit order, stored arrival order, stored end order) as lists of tags.

    Arrival = the engine's queue order (``arrival_key``); end = the assistant message's
    updated_at (the final save after the last token).
    """
    stored = [s for s in students if len(s.db.get("messages", [])) == 2]
    submit = [s.tag for s in sorted(students, key=lambda s: s.t_submit)]
    arrival = [s.tag for s in sorted(stored, key=arrival_key)]
    end = [s.tag for s in sorted(stored, key=lambda s: s.db["messages"][1]["updated_at"])]
    return submit, arrival, end


def check_fifo(students: list[Student]) -> list[str]:
    submit, arrival, end = fifo_orders(students)
    if arrival != end:
        return [f"not served in arrival order: arrived {arrival}, finished {end}"]
    return []


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values; None if there are none."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    rank = max(1, min(len(vals), int(-(-q * len(vals) // 100))))
    return vals[rank - 1]


def summarize(students: list[Student]) -> dict:
    """Per-round numbers: wait and end-to-end p50/p95 (s), tokens and tokens/s overall."""
    tokens = sum((s.db["messages"][1].get("tokens") or 0) for s in students if len(s.db.get("messages", [])) == 2)
    start = min(s.t_submit for s in students)
    ends = [s.t_done for s in students if s.t_done is not None]
    span = (max(ends) - start) if ends else None
    waits = [s.wait_s for s in students]
    e2e = [s.e2e_s for s in students]
    decode = [s.db["messages"][1].get("tokens_per_s") for s in students if len(s.db.get("messages", [])) == 2]
    decode = [d for d in decode if d]
    return {
        "students": len(students),
        "completed": len(ends),
        "wait_p50_s": percentile(waits, 50),
        "wait_p95_s": percentile(waits, 95),
        "e2e_p50_s": percentile(e2e, 50),
        "e2e_p95_s": percentile(e2e, 95),
        "tokens": tokens,
        "wall_s": span,
        "tokens_per_s_overall": (tokens / span) if span else None,
        "decode_tokens_per_s_mean": (sum(decode) / len(decode)) if decode else None,
        "max_queue_position_seen": max((max(s.positions) for s in students if s.positions), default=0),
        "fifo_ok": not check_fifo(students),
        "per_student": [
            {"tag": s.tag, "wait_s": s.wait_s, "e2e_s": s.e2e_s, "queue_positions": s.positions,
             "tokens": (s.db["messages"][1].get("tokens") if len(s.db.get("messages", [])) == 2 else None)}
            for s in students
        ],
    }
