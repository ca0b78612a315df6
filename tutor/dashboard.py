"""The instructor dashboard's numbers: plain SQL over every session, no Streamlit.

``summary(store, user)`` (instructors only) returns tables as lists of dicts, each ready for
a chart and for CSV:

- ``activity``: sessions and questions per mode and day;
- ``hints``: hints used per problem (count, deepest rung), solutions revealed per problem;
- ``answers``: per mode: answers, stopped, checked / not checked / no math, guard trips;
- ``feedback``: thumbs up / down, and counts by reason.

Nothing here names a student: the dashboard shows aggregates only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tutor.access import User, require
from tutor.store import Store

TABLES = ("activity", "hints", "answers", "feedback")


@dataclass(frozen=True)
class Summary:
    activity: list[dict]
    hints: list[dict]
    answers: list[dict]
    feedback: list[dict]
    totals: dict

    def table(self, name: str) -> list[dict]:
        if name not in TABLES:
            raise KeyError(name)
        return getattr(self, name)


_ACTIVITY = """
    SELECT day, mode, SUM(sessions) AS sessions, SUM(questions) AS questions FROM (
        SELECT substr(created_at, 1, 10) AS day, mode, COUNT(*) AS sessions, 0 AS questions
        FROM sessions GROUP BY 1, 2
        UNION ALL
        SELECT substr(m.created_at, 1, 10), COALESCE(m.mode, s.mode), 0, COUNT(*)
        FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.role = 'user' GROUP BY 1, 2
    ) GROUP BY day, mode ORDER BY day, mode"""
_HINTS = """
    SELECT problem,
           COUNT(CASE WHEN action = 'hint' THEN 1 END) AS hints,
           MAX(CASE WHEN action = 'hint' THEN hint_level END) AS deepest_hint,
           COUNT(CASE WHEN action = 'solution' THEN 1 END) AS solutions_revealed,
           COUNT(DISTINCT session_id) AS sessions
    FROM messages WHERE role = 'assistant' AND problem IS NOT NULL
    GROUP BY problem ORDER BY hints DESC, problem LIMIT 200"""
_ANSWERS = """
    SELECT mode,
           COUNT(*) AS answers,
           COUNT(CASE WHEN status = 'stopped' THEN 1 END) AS stopped,
           COUNT(CASE WHEN checked = 1 THEN 1 END) AS checked,
           COUNT(CASE WHEN checked = 0 THEN 1 END) AS not_checked,
           COUNT(CASE WHEN checked IS NULL THEN 1 END) AS no_math,
           SUM(COALESCE(guard_tripped, 0)) AS guard_trips,
           COUNT(CASE WHEN action = 'solution' THEN 1 END) AS solutions_revealed
    FROM messages WHERE role = 'assistant' GROUP BY mode ORDER BY mode"""
_FEEDBACK = """
    SELECT 'thumbs up' AS what, COUNT(*) AS count FROM feedback WHERE rating = 1
    UNION ALL SELECT 'thumbs down', COUNT(*) FROM feedback WHERE rating = 0
    UNION ALL SELECT 'reason: ' || j.value, COUNT(*) FROM feedback f, json_each(f.reasons) j GROUP BY j.value"""


def summary(store: Store, user: User) -> Summary:
    """Every number of the dashboard (AccessDenied for anyone but an instructor)."""
    require(user, "view_dashboard")

    def op(db) -> Summary:
        q = lambda sql: [dict(r) for r in db.query(sql)]  # noqa: E731
        answers = q(_ANSWERS)
        totals = {
            "sessions": db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0],
            "questions": db.execute("SELECT COUNT(*) FROM messages WHERE role = 'user'").fetchone()[0],
            "answers": sum(r["answers"] for r in answers),
            "users": db.execute("SELECT COUNT(DISTINCT owner_id) FROM sessions").fetchone()[0],
        }
        return Summary(q(_ACTIVITY), q(_HINTS), answers, q(_FEEDBACK), totals)

    return store.read(op)


def to_csv(rows: list[dict]) -> str:
    """A table as CSV text (header from the first row's keys; cells that start with = + - @
    are prefixed with ' so a spreadsheet does not run them as formulas)."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
