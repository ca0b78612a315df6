"""Clean normalized conversations, counting what EACH rule drops.

    from training.clean import clean
    convs, report = clean(rows, fmt="gsm8k")      # report.dropped: rule -> rows dropped
    print(report.format())

Rules, in order (a row counts under the first it hits): malformed (not the format, or not
[system...] user ... assistant), low_score (FineTome ``score`` below ``min_score``, or missing),
empty (no assistant reply, or an empty turn), echo (a reply that starts by repeating the
user's whole message: the seed's medical model did that), too_long (``max_chars``),
duplicate. With ``strip_chatdoctor`` the ChatDoctor rules rewrite text first
(training/formats/chatdoctor.py); ``report.fixed`` counts those rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from training.formats import chatdoctor, normalize

MAX_CHARS = 12_000  # a conversation longer than this (all messages, characters) is dropped
DROP_RULES = ("malformed", "low_score", "empty", "echo", "too_long", "duplicate")


def norm_text(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed: the form the echo and duplicate rules compare."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def is_echo(user: str, reply: str, min_words: int = 4, ratio: float = 0.9) -> bool:
    """The reply opens by repeating the user's WHOLE message (word for word, ~90%).

    Compared word by word: the user's words against the reply's first as many words. A worked
    solution that restates the problem's first clause and then computes ("If Audrey was asleep
    for 10 hours ..., she dreamed for 2/5*10 = 4 hours") is not an echo: the question part of
    the message is missing from the reply's opening, and the computation takes its place.
    """
    u = norm_text(user).split()
    if len(u) < min_words:
        return False
    r = norm_text(reply).split()[: len(u)]
    return SequenceMatcher(None, u, r, autojunk=False).ratio() >= ratio


@dataclass
class CleanReport:
    rows_in: int
    rows_out: int
    dropped: dict[str, int]  # rule -> rows dropped (each row counts under the first rule it hits)
    fixed: dict[str, int] = field(default_factory=dict)  # rule -> rows kept but rewritten

    def to_dict(self) -> dict:
        return asdict(self)

    def format(self) -> str:
        lines = [f"rows in:  {self.rows_in:>7,}"]
        for rule, n in self.dropped.items():
            lines.append(f"  dropped {rule:<16} {n:>7,}")
        for rule, n in self.fixed.items():
            lines.append(f"  rewrote {rule:<16} {n:>7,}")
        lines.append(f"rows out: {self.rows_out:>7,}")
        return "\n".join(lines)


def shape_ok(msgs: list[dict]) -> bool:
    """Optional system messages first, then a user turn before any assistant turn."""
    body = [m for m in msgs if m["role"] != "system"]
    tail = msgs[len(msgs) - len(body):]
    return bool(body) and body[0]["role"] == "user" and all(m["role"] != "system" for m in tail)


def dedup_key(msgs: list[dict]) -> str:
    return norm_text(json.dumps([[m["role"], m["content"]] for m in msgs if m["role"] != "system"]))


def clean(rows, *, fmt: str = "auto", min_score: float | None = None, max_chars: int = MAX_CHARS,
          strip_chatdoctor: bool = True, system_prompt: str | None = None,
          progress: bool = False) -> tuple[list[list[dict]], CleanReport]:
    """Normalize and filter rows -> (conversations, report of how many rows EACH rule dropped)."""
    dropped = dict.fromkeys(DROP_RULES, 0)
    fixed = dict.fromkeys(chatdoctor.RULES, 0) if strip_chatdoctor else {}
    seen: set[str] = set()
    out: list[list[dict]] = []
    rows = list(rows)
    it = rows
    if progress:
        from tqdm import tqdm

        it = tqdm(rows, desc="clean", unit="row", mininterval=5.0)
    for row in it:
        msgs = normalize(row, fmt=fmt, system_prompt=system_prompt)
        if msgs is None or not shape_ok(msgs):
            dropped["malformed"] += 1
            continue
        if min_score is not None:
            score = row.get("score")
            if not isinstance(score, (int, float)) or score < min_score:
                dropped["low_score"] += 1
                continue
        while msgs and msgs[-1]["role"] != "assistant":  # a trailing user turn has no target
            msgs.pop()
        rewrote = chatdoctor.clean_messages(msgs) if strip_chatdoctor else {}
        if not any(m["role"] == "assistant" for m in msgs) or any(
                not m["content"] for m in msgs if m["role"] != "system"):
            dropped["empty"] += 1
            continue
        if any(m["role"] == "assistant" and p["role"] == "user" and is_echo(p["content"], m["content"])
               for p, m in zip(msgs, msgs[1:])):
            dropped["echo"] += 1
            continue
        if sum(len(m["content"]) for m in msgs) > max_chars:
            dropped["too_long"] += 1
            continue
        key = dedup_key(msgs)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        out.append(msgs)
        for k, v in rewrote.items():
            if v:
                fixed[k] += 1
    return out, CleanReport(rows_in=len(rows), rows_out=len(out), dropped=dropped, fixed=fixed)
