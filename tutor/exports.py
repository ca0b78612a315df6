"""Sessions as files: Markdown to read, JSON to keep or move (round-trips through ``Store.import_json``)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from tutor.errors import StorageError
from tutor.record import RECORD_COLUMNS, AnswerRecord
from tutor.validate import clean_label, strip_invisible

EXPORT_FORMAT = "study-tutor-session"
EXPORT_VERSION = 1
_ROLE_TITLES = {"user": "You", "assistant": "Tutor", "system": "System"}


def session_markdown(session: dict, messages: list[dict]) -> str:
    """Title, mode, model, each turn under a role heading, stats under each answer."""
    title = " ".join((session["title"] or "Untitled session").split())
    lines = [
        f"# {title}",
        "",
        f"- Mode: {session['mode']}",
        f"- Model: {session['model'] or 'unknown'}",
        f"- Started: {session['created_at']}",
        "",
    ]
    for msg in messages:
        lines += [f"## {_ROLE_TITLES.get(msg['role'], msg['role'])}", "", msg["content"], ""]
        if msg["role"] == "assistant":
            lines += [f"*{stats_line(msg)}*", ""]
    return "\n".join(lines)


def session_json(session: dict, messages: list[dict]) -> str:
    """The session and its messages as JSON (UTF-8 text, not escaped)."""
    data = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "session": {k: v for k, v in session.items() if k != "message_count"},
        "messages": messages,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def parse_session_json(text: str) -> tuple[dict, list[dict]]:
    """(session, messages) from ``session_json`` output; StorageError if it is not one."""
    try:
        data = json.loads(text)
        if data.get("format") != EXPORT_FORMAT:
            raise ValueError("not a study-tutor session export")
        return dict(data["session"]), list(data["messages"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StorageError(
            f"That file is not a session export ({exc}).", "Choose a .json file made by Export → JSON."
        ) from exc


MAX_IMPORT_MESSAGES = 2000
MAX_IMPORT_CHARS = 100_000  # one message's text
MAX_DETAILS_CHARS = 20_000
_IMPORT_ROLES = ("user", "assistant")
# Fields a file may not set: they are the app's own word (the solver checked it) or the
# tutoring state of the session (hints shown, solution revealed, the problem's text to re-solve).
_NOT_IMPORTED = ("checked", "action", "hint_level", "problem", "kind", "guard_tripped", "details")


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value.replace("\x00", "")[:limit]


def _number(value: object, kind: type) -> float | int | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if math.isnan(value) or value < 0 or value > 1e9:  # NaN, negative, absurd
        return None
    return kind(value)


def _time(value: object, now: str) -> str:
    """An ISO timestamp from the file if it is one and not in the future; else ``now``."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return now
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when <= datetime.now(UTC):
            return when.isoformat(timespec="microseconds")
    return now


def clean_import(session: dict, messages: list, *, owner_id: int, now: str) -> tuple[dict, list[dict]]:
    """The rows to insert for an imported session, built field by field from the file: owner
    and times set here, ids left to the database, text cleaned, only the answer stats a file
    may carry, every message marked ``imported``. StorageError for anything malformed."""
    try:
        if not isinstance(session, dict) or not isinstance(messages, list):
            raise TypeError("session must be an object and messages a list")
        if len(messages) > MAX_IMPORT_MESSAGES:
            raise ValueError(f"more than {MAX_IMPORT_MESSAGES} messages")
        mode = _text(session.get("mode"), 64) or "imported"
        new_session = {
            "title": clean_label(_text(session.get("title"), 1000) or "", max_chars=120).text,
            "mode": clean_label(mode, max_chars=64).text or "imported",
            "model": _text(session.get("model"), 200),
            "owner_id": int(owner_id),
            "created_at": now,
            "updated_at": now,
        }
        rows = []
        for msg in messages:
            if not isinstance(msg, dict) or msg.get("role") not in _IMPORT_ROLES:
                raise ValueError("each message needs a role: user or assistant")
            record = AnswerRecord.from_row({k: v for k, v in msg.items() if k not in _NOT_IMPORTED})
            if record.status == "streaming":
                record = record.update(status="interrupted")
            columns = record.to_columns()
            row = {name: columns[name] for name in RECORD_COLUMNS if name not in _NOT_IMPORTED}
            for name in ("ttft_s", "tokens_per_s", "total_s"):
                row[name] = _number(row[name], float)
            for name in ("tokens", "prompt_tokens"):
                row[name] = _number(row[name], int)
            for name in ("finish_reason", "error", "model", "model_sha256"):
                row[name] = _text(row[name], 200) if isinstance(row[name], str) else None
            content, _ = strip_invisible(_text(msg.get("content"), MAX_IMPORT_CHARS) or "")
            msg_mode = msg.get("mode")
            rows.append({
                **row,
                "role": msg["role"],
                "content": content,
                "mode": clean_label(msg_mode, max_chars=64).text or None if isinstance(msg_mode, str) else None,
                "imported": 1,
                "created_at": _time(msg.get("created_at"), now),
                "updated_at": now,
            })  # fmt: skip
        return new_session, rows
    except (ValueError, TypeError) as exc:
        raise StorageError(
            f"That file is not a session export ({exc}).", "Choose a .json file made by Export → JSON."
        ) from exc


def stats_line(msg: dict) -> str:
    """ "hint · smollm2-135m · ✅ checked by the solver · 42 tokens · … · complete"."""
    return AnswerRecord.from_row(msg).stats_line(msg.get("mode"))
