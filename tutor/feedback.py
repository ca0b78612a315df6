"""Feedback on answers (thumbs, reasons, comment) and its export as training data.

Stored in the ``feedback`` table, one row per answer and user, next to the answer. Only the
owner of the session may rate its answers (checked here, on the server).

Export (formats TRL reads; ``training/`` trains on them)::

    python -m tutor.feedback export --sft sft.jsonl --pairs pairs.jsonl

- SFT, one line per thumbs-up answer: ``{"messages": [system (the mode's instructions),
  user (the question), assistant (the liked answer)], "meta": {...}}``;
- preference pairs, one line per thumbs-down answer that has a better answer for the same
  prompt: ``{"prompt": [system, user], "chosen": [assistant], "rejected": [assistant],
  "meta": {...}}``. Chosen is a thumbs-up answer to the same question in the same mode if
  there is one, else the solver-checked answer stored for the same problem (``checked=1``);
  otherwise the pair is skipped and counted.

Nothing that names a person is exported (no user ids or names; session and message ids only).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tutor.access import AccessDenied, User, require
from tutor.config import get_settings
from tutor.errors import InputRejected, TutorError
from tutor.prompts import Mode, load_each_mode
from tutor.record import CHECKED
from tutor.store import Store
from tutor.validate import strip_invisible

REASONS = ("gave the answer away", "wrong math", "unclear", "unsafe medical advice")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Feedback:
    message_id: int
    rating: int  # 1 thumbs up, 0 thumbs down
    reasons: tuple[str, ...] = ()
    comment: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _rateable(store: Store, user: User, message_id: Any) -> int:
    """The message id if ``user`` owns it and it is an answer; AccessDenied otherwise."""
    require(user, "give_feedback")
    try:
        mid = int(message_id)
    except (TypeError, ValueError):
        mid = -1
    if store.message_owner(mid) != user.id:
        raise AccessDenied("That answer does not exist or is not yours.", "Reload the page.")
    sql = "SELECT role, status, imported FROM messages WHERE id = ?"
    rows = store.read(lambda db: list(db.query(sql, [mid])))
    if not rows or rows[0]["role"] != "assistant" or rows[0]["status"] == "streaming":
        raise InputRejected("Only a finished answer can be rated.", "Wait until the answer is complete.")
    if rows[0]["imported"]:  # its text came from a file: rating it would feed that to training
        raise InputRejected("An imported answer cannot be rated.", "Rate the answers the tutor gives you here.")
    return mid


def give(
    store: Store, user: User, message_id: Any, rating: int, reasons: list[str] | tuple[str, ...] = (),
    comment: str = "",
) -> Feedback:  # fmt: skip
    """Store (or replace) ``user``'s feedback on one of their answers."""
    mid = _rateable(store, user, message_id)
    if rating not in (0, 1) or isinstance(rating, bool):
        raise InputRejected("A rating is thumbs up (1) or thumbs down (0).")
    bad = [r for r in reasons if r not in REASONS]
    if bad:
        raise InputRejected(f"Unknown reason(s): {', '.join(map(repr, bad))}.", f"Reasons: {', '.join(REASONS)}.")
    text, _ = strip_invisible(str(comment or "").replace("\x00", ""))
    text = text.strip()[:MAX_COMMENT]
    fb = Feedback(mid, rating, tuple(r for r in REASONS if r in reasons), text)
    row = {
        "message_id": mid,
        "user_id": user.id,
        "rating": rating,
        "reasons": json.dumps(list(fb.reasons)),
        "comment": fb.comment,
        "created_at": _now(),
        "updated_at": _now(),
    }

    def op(db) -> None:
        db.execute(
            "INSERT INTO feedback (message_id, user_id, rating, reasons, comment, created_at, updated_at) "
            "VALUES (:message_id, :user_id, :rating, :reasons, :comment, :created_at, :updated_at) "
            "ON CONFLICT (message_id, user_id) DO UPDATE SET rating = excluded.rating, "
            "reasons = excluded.reasons, comment = excluded.comment, updated_at = excluded.updated_at",
            row,
        )

    store.write(op)
    return fb


def get(store: Store, user: User, message_id: Any) -> Feedback | None:
    """``user``'s feedback on one of their answers (None if none, or not theirs)."""
    try:
        mid = int(message_id)
    except (TypeError, ValueError):
        return None
    sql = "SELECT * FROM feedback WHERE message_id = ? AND user_id = ?"
    rows = store.read(lambda db: list(db.query(sql, [mid, user.id])))
    if not rows:
        return None
    return Feedback(mid, rows[0]["rating"], tuple(json.loads(rows[0]["reasons"] or "[]")), rows[0]["comment"])


# --------------------------------------------------------------------------- export
@dataclass
class ExportReport:
    sft: int = 0
    pairs: int = 0
    skipped: Counter = field(default_factory=Counter)  # why a row or pair was left out

    def lines(self) -> list[str]:
        out = [f"SFT rows: {self.sft}", f"preference pairs: {self.pairs}"]
        out += [f"skipped ({why}): {n}" for why, n in sorted(self.skipped.items())]
        return out


def _rated_answers(store: Store) -> list[dict]:
    """Every rated answer with its question (the user message just before it in its session)."""
    sql = """
        SELECT f.rating, f.reasons, f.comment, m.id AS message_id, m.session_id, m.content AS answer,
               m.mode, m.model, m.problem, m.checked,
               (SELECT q.content FROM messages q WHERE q.session_id = m.session_id AND q.role = 'user'
                  AND q.id < m.id ORDER BY q.id DESC LIMIT 1) AS question
        FROM feedback f JOIN messages m ON m.id = f.message_id
        WHERE m.role = 'assistant' AND m.imported = 0
        ORDER BY f.id"""
    return store.read(lambda db: list(db.query(sql)))


def _checked_answers(store: Store) -> dict[tuple[str, str], str]:
    """(mode, problem) -> the newest solver-checked answer text."""
    sql = (
        "SELECT mode, problem, content FROM messages WHERE role = 'assistant' AND checked = ? AND imported = 0 "
        "AND problem IS NOT NULL AND content != '' AND status = 'complete' ORDER BY id"
    )
    return {(r["mode"], r["problem"]): r["content"] for r in store.read(lambda db: list(db.query(sql, [CHECKED])))}


def _norm(text: str | None) -> str:
    """Questions are matched up to case and spacing only ("x+5" and "x-5" stay apart)."""
    return " ".join((text or "").split()).casefold()


def same_answer(a: str, b: str) -> bool:
    """Two answers the trainer would see as one: compared as ``training.clean.norm_text`` does
    (lower case, punctuation to spaces, whitespace collapsed), so every exported pair survives
    the DPO data cleaning instead of being dropped there as "same"."""

    def loose(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()

    return loose(a) == loose(b)


def _meta(row: dict, **extra: Any) -> dict:
    return {
        "message_id": row["message_id"],
        "session_id": row["session_id"],
        "mode": row["mode"],
        "model": row["model"],
        "reasons": json.loads(row["reasons"] or "[]"),
        "comment": row["comment"] or "",
        **extra,
    }


def export_rows(store: Store, modes: dict[str, Mode], report: ExportReport | None = None) -> tuple[list, list]:
    """(SFT rows, preference pairs) from every rated answer; see the module docstring."""
    report = report if report is not None else ExportReport()
    rows = _rated_answers(store)
    liked: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row["rating"] == 1 and row["question"] and row["answer"].strip():
            liked.setdefault((row["mode"], _norm(row["question"])), row)
    checked = _checked_answers(store)
    sft, pairs = [], []
    for row in rows:
        mode = modes.get(row["mode"] or "")
        if mode is None:
            report.skipped["mode file missing"] += 1
            continue
        if not row["question"] or not row["answer"].strip():
            report.skipped["no question or empty answer"] += 1
            continue
        system = {"role": "system", "content": mode.instructions}
        user = {"role": "user", "content": row["question"]}
        if row["rating"] == 1:
            sft.append(
                {"messages": [system, user, {"role": "assistant", "content": row["answer"]}], "meta": _meta(row)}
            )
            continue
        better = liked.get((row["mode"], _norm(row["question"])))
        source = "thumbs_up"
        chosen = better["answer"] if better else None
        if chosen is None and row["problem"]:
            chosen, source = checked.get((row["mode"], row["problem"])), "checked"
        if not chosen or same_answer(chosen, row["answer"]):
            report.skipped["thumbs down without a better answer"] += 1
            continue
        pairs.append(
            {
                "prompt": [system, user],
                "chosen": [{"role": "assistant", "content": chosen}],
                "rejected": [{"role": "assistant", "content": row["answer"]}],
                "meta": _meta(row, chosen_from=source),
            }
        )
    report.sft, report.pairs = len(sft), len(pairs)
    return sft, pairs


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def to_jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def export_for(store: Store, user: User, modes: dict[str, Mode]) -> tuple[list, list, ExportReport]:
    """The export, for an instructor in the app (AccessDenied for anyone else)."""
    require(user, "export_feedback")
    report = ExportReport()
    sft, pairs = export_rows(store, modes, report)
    return sft, pairs, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tutor.feedback",
        description="Export students' feedback as training data (SFT JSONL and DPO preference pairs).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{export}")
    exp = sub.add_parser("export", help="write SFT rows and preference pairs as JSONL")
    exp.add_argument("--sft", type=Path, help="output file for SFT rows (thumbs-up answers), JSONL")
    exp.add_argument("--pairs", type=Path, help="output file for preference pairs (prompt/chosen/rejected), JSONL")
    exp.add_argument("--db", type=Path, help="history database (default: $TUTOR_HOME/tutor.db)")
    args = parser.parse_args(argv)
    if not args.sft and not args.pairs:
        parser.error("give --sft and/or --pairs")
    settings = get_settings()
    try:
        db_path = args.db or settings.db_path
        if not db_path.exists():
            raise TutorError(f"There is no history database at {db_path}.", "Pass --db or set TUTOR_HOME.")
        store = Store(db_path)
        modes, _ = load_each_mode(settings.prompts_dir)
        report = ExportReport()
        sft, pairs = export_rows(store, modes, report)
        if args.sft:
            write_jsonl(args.sft, sft)
        if args.pairs:
            write_jsonl(args.pairs, pairs)
    except TutorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
