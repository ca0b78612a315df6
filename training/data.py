"""Conversation data: load rows, normalize schemas to role/content messages, clean, split, fingerprint.

    from training.data import load_rows, clean, split, fingerprint, prepare
    rows = load_rows("../shared/data/gsm8k/train.jsonl", max_rows=2000)
    convs, report = clean(rows, fmt="gsm8k")           # report.dropped: rule -> rows dropped
    train, val = split(convs, val_fraction=0.05, seed=42)

Schemas (``fmt``): ``sharegpt`` (FineTome: conversations=[{from: human|gpt|system, value}]),
``alpaca`` (instruction/input/output; ChatDoctor), ``gsm8k`` (question/answer with ``####``),
``messages`` ([{role, content}]); ``auto`` picks one from the row's keys. Every conversation
comes out as ``[{"role": "system"|"user"|"assistant", "content": str}]``.
clean() drops, and counts per rule: malformed, low_score (FineTome ``score`` below min_score, or
missing), empty, echo (a reply that starts by repeating the user's message), too_long (max_chars),
duplicate. With strip_chatdoctor it rewrites "ChatDoctor" self-references, cuts fake patient
turns ("... Patient: Okay, doctor.") and notes about the generated dialogue; ``report.fixed``
counts those. The tokenizing half (loss only on assistant replies) lives in ``training/masking.py``;
the CLI stage is ``python -m training.prepare_data``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from training.masking import load_chat_template, tokenize_conversation  # noqa: F401  (re-exported)

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_SUFFIXES = (".json", ".jsonl", ".parquet")
FORMATS = ("auto", "sharegpt", "alpaca", "gsm8k", "messages")
MAX_CHARS = 12_000  # a conversation longer than this (all messages, characters) is dropped
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "system": "system"}


class DataError(ValueError):
    """The data source cannot be read; the message says which source and what to do."""


# --- load -------------------------------------------------------------------------------------------
def _local_path(source: str) -> Path | None:
    """A local file for ``source``: relative paths resolve against cwd, then the repository root."""
    p = Path(source).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, REPO_ROOT / p]
    for c in candidates:
        if c.is_file():
            return c
    if source.endswith(LOCAL_SUFFIXES) or source.startswith((".", "/", "~")):
        tried = ", ".join(str(c) for c in candidates)
        raise DataError(f"data file {source!r} not found (tried {tried})")
    return None


def _read_local(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        rows = []
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                rows.append({"_malformed": line})  # clean() counts it under "malformed"
        return rows
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{path} is not valid JSON: {e}") from None
    if isinstance(data, dict):  # {"train": [...]} or {"data": [...]}
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise DataError(f"{path}: expected a JSON list of rows (or one key holding it)")
        data = lists[0]
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of rows")
    return data


def load_rows(source: str, split: str = "train", max_rows: int | None = None) -> list[dict]:
    """Rows from a local .json/.jsonl/.parquet file, or a Hugging Face dataset id (``datasets``)."""
    path = _local_path(source)
    if path is not None:
        rows = _read_local(path)
        return rows[:max_rows] if max_rows is not None else rows
    try:
        from datasets import load_dataset
    except ImportError as e:
        raise DataError(f"{source!r} is not a local file, and `datasets` is not installed to fetch it "
                        "from the Hub (pip install -r training/requirements.txt)") from e
    sel = f"{split}[:{max_rows}]" if max_rows is not None else split
    try:
        ds = load_dataset(source, split=sel)
    except Exception as e:  # offline, unknown id, gated ...
        offline = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("HF_DATASETS_OFFLINE")
        hint = (f"HF_HUB_OFFLINE={offline} (offline): the dataset is not in the local cache. "
                if offline else "Check the dataset id and your network. ")
        raise DataError(f"cannot load Hugging Face dataset {source!r} (split {sel!r}): {type(e).__name__}: "
                        f"{e}. {hint}Download it once with network access (unset HF_HUB_OFFLINE), "
                        "or point data.source at a local .json/.jsonl/.parquet file.") from e
    return [dict(r) for r in ds]


# --- normalize --------------------------------------------------------------------------------------
_SYSTEM_LIKE = re.compile(r"^\s*(if you are|you are|act as|as an? |pretend|imagine you are)", re.I)
_CALC = re.compile(r"<<[^<>]*>>")
_FINAL = re.compile(r"^\s*####\s*(.+?)\s*$", re.M)


def detect_format(row: dict) -> str | None:
    if not isinstance(row, dict):
        return None
    if "conversations" in row:
        return "sharegpt"
    if "messages" in row:
        return "messages"
    if "question" in row and "answer" in row:
        return "gsm8k"
    if "output" in row and ("instruction" in row or "input" in row):
        return "alpaca"
    return None


def gsm8k_solution(answer: str) -> str:
    """Keep the worked solution, drop <<calc>> annotations, '#### 42' -> 'Final answer: 42'."""
    text = _CALC.sub("", answer)
    m = _FINAL.search(text)
    if m:
        text = text[: m.start()].rstrip() + f"\nFinal answer: {m.group(1)}"
    return text.strip()


def _msg(role: str, content) -> dict | None:
    return {"role": role, "content": content} if isinstance(content, str) else None


def normalize(row: dict, fmt: str = "auto", system_prompt: str | None = None) -> list[dict] | None:
    """One row -> [{"role", "content"}], or None if it is malformed for ``fmt``.

    ``system_prompt`` (when given) replaces the row's system message, or is added if it has none.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown data format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "auto":
        fmt = detect_format(row)
    if fmt is None or not isinstance(row, dict):
        return None
    msgs: list[dict | None]
    if fmt == "sharegpt":
        turns = row.get("conversations")
        if not isinstance(turns, list):
            return None
        msgs = []
        for t in turns:
            if not isinstance(t, dict):
                return None
            who = t.get("from", t.get("role"))
            role = SHAREGPT_ROLES.get(str(who).lower()) if who is not None else None
            msgs.append(_msg(role, t.get("value", t.get("content"))) if role else None)
    elif fmt == "messages":
        turns = row.get("messages")
        if not isinstance(turns, list):
            return None
        msgs = [_msg(t.get("role"), t.get("content")) if isinstance(t, dict)
                and t.get("role") in ("system", "user", "assistant") else None for t in turns]
    elif fmt == "alpaca":
        ins, inp, out = row.get("instruction") or "", row.get("input") or "", row.get("output")
        if not all(isinstance(x, str) for x in (ins, inp, out)):
            return None
        if inp.strip() and ins.strip() and _SYSTEM_LIKE.match(ins):
            msgs = [_msg("system", ins), _msg("user", inp)]  # ChatDoctor: generic line -> system
        elif inp.strip() and ins.strip():
            msgs = [_msg("user", f"{ins.strip()}\n\n{inp.strip()}")]
        else:
            msgs = [_msg("user", ins or inp)]
        msgs.append(_msg("assistant", out))
    else:  # gsm8k
        q, a = row.get("question"), row.get("answer")
        if not isinstance(q, str) or not isinstance(a, str):
            return None
        msgs = [_msg("user", q), _msg("assistant", gsm8k_solution(a))]
    if any(m is None for m in msgs):
        return None
    msgs = [{"role": m["role"], "content": m["content"].strip()} for m in msgs]
    if system_prompt is not None:
        rest = [m for m in msgs if m["role"] != "system"]
        msgs = [{"role": "system", "content": system_prompt.strip()}] + rest
    return msgs


# --- ChatDoctor self-references and fake dialogue turns --------------------------------------------
_CD = r"chat\s?-?doctor(?:\.com)?"
_CHATDOCTOR_RULES = [
    (re.compile(rf"\b(hi|hello|hey|dear)\s+{_CD}\b", re.I), r"\1 doctor"),
    (re.compile(rf"\b(?:welcome to|greetings from)\s+{_CD}\b\s*[.!,]?", re.I), ""),
    (re.compile(rf"\bfor\s+(?:using|choosing|contacting|visiting|trusting|consulting|writing\s+(?:to|in|on)"
                rf"|posting\s+(?:your\s+(?:query|question)\s+)?(?:on|in|to|at)|asking\s+(?:on|in|at|to)"
                rf"|your\s+(?:query|question)(?:\s+(?:on|to|in|at))?|asking)\s+{_CD}\b", re.I),
     "for your question"),
    (re.compile(rf"\b(?:I am|I'm|this is|my name is)\s+(?:(?:dr|doctor)\.?\s+)?{_CD}\b\s*[,.]?", re.I), ""),
    (re.compile(rf"\b(?:dr|doctor)\.?\s+{_CD}\b", re.I), ""),
    (re.compile(rf"\b{_CD}\b", re.I), "a doctor"),
]
_TIDY = [(re.compile(r"[ \t]+([.,!?;:])"), r"\1"), (re.compile(r"([,;])\s*([.!?])"), r"\2"),
         (re.compile(r"^\s*[,.;]\s*"), ""), (re.compile(r"[ \t]{2,}"), " "), (re.compile(r",\s*,"), ",")]
_FAKE_TURN = re.compile(r"\s*\b(?:Patient|Human|User)\s*:")
_META_NOTE = re.compile(r"\s*\(?\bNote:[^\n]*?\b(?:dialogue|conversation|prompt|exercise|language model"
                        r"|fictional|imaginary|back and forth)\b.*$", re.I | re.S)


def scrub_chatdoctor(text: str) -> str:
    """'Hi, I am ChatDoctor.' / 'Thanks for asking ChatDoctor' / 'ChatDoctor' -> neutral wording."""
    if not re.search(_CD, text, re.I):
        return text
    for pat, rep in _CHATDOCTOR_RULES:
        text = pat.sub(rep, text)
    lines = []
    for line in text.split("\n"):
        for pat, rep in _TIDY:
            line = pat.sub(rep, line)
        lines.append(line)
    return "\n".join(lines).strip()


def cut_fake_turn(text: str) -> str:
    """Cut an answer where it goes on to write the patient's next turn ('... Patient: Okay, doctor.')."""
    m = _FAKE_TURN.search(text)
    return text[: m.start()].rstrip() if m and m.start() > 0 else text


def cut_meta_note(text: str) -> str:
    """Drop a closing '(Note: this dialogue is fictional ...)' written about the generated data itself."""
    m = _META_NOTE.search(text)
    return text[: m.start()].rstrip() if m and m.start() > 0 else text


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def is_echo(user: str, reply: str, min_chars: int = 16, prefix_chars: int = 80, ratio: float = 0.9) -> bool:
    """The reply starts by repeating the user's message (the seed's medical model did this)."""
    u = _norm(user)[:prefix_chars]
    if len(u) < min_chars:
        return False
    return SequenceMatcher(None, u, _norm(reply)[: len(u)]).ratio() >= ratio


# --- clean ------------------------------------------------------------------------------------------
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


DROP_RULES = ("malformed", "low_score", "empty", "echo", "too_long", "duplicate")


def _shape_ok(msgs: list[dict]) -> bool:
    """Optional system messages first, then a user turn before any assistant turn."""
    body = [m for m in msgs if m["role"] != "system"]
    tail = msgs[len(msgs) - len(body):]
    return bool(body) and body[0]["role"] == "user" and all(m["role"] != "system" for m in tail)


def clean(rows, *, fmt: str = "auto", min_score: float | None = None, max_chars: int = MAX_CHARS,
          strip_chatdoctor: bool = True, system_prompt: str | None = None,
          progress: bool = False) -> tuple[list[list[dict]], CleanReport]:
    """Normalize and filter rows -> (conversations, report of how many rows EACH rule dropped)."""
    dropped = {r: 0 for r in DROP_RULES}
    fixed = {"chatdoctor": 0, "fake_turn": 0, "meta_note": 0} if strip_chatdoctor else {}
    seen: set[str] = set()
    out: list[list[dict]] = []
    rows = list(rows)
    it = rows
    if progress:
        from tqdm import tqdm

        it = tqdm(rows, desc="clean", unit="row")
    for row in it:
        msgs = normalize(row, fmt=fmt, system_prompt=system_prompt)
        if msgs is None or not _shape_ok(msgs):
            dropped["malformed"] += 1
            continue
        if min_score is not None:
            score = row.get("score")
            if not isinstance(score, (int, float)) or score < min_score:
                dropped["low_score"] += 1
                continue
        while msgs and msgs[-1]["role"] != "assistant":  # a trailing user turn has no target
            msgs.pop()
        rewrote = {"chatdoctor": False, "fake_turn": False, "meta_note": False}
        if strip_chatdoctor:
            for m in msgs:
                new = scrub_chatdoctor(m["content"])
                rewrote["chatdoctor"] |= new != m["content"]
                if m["role"] == "assistant":
                    cut = cut_fake_turn(new)
                    rewrote["fake_turn"] |= cut != new
                    new = cut_meta_note(cut)
                    rewrote["meta_note"] |= new != cut
                m["content"] = new
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
        key = _norm(json.dumps([[m["role"], m["content"]] for m in msgs if m["role"] != "system"]))
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        out.append(msgs)
        for k, v in rewrote.items():
            if v:
                fixed[k] += 1
    return out, CleanReport(rows_in=len(rows), rows_out=len(out), dropped=dropped, fixed=fixed)


# --- split and fingerprint --------------------------------------------------------------------------
def split(convs, val_fraction: float, seed: int) -> tuple[list, list]:
    """Seeded, deterministic train/val split (at least one val row when val_fraction > 0 and n >= 2)."""
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    idx = list(range(len(convs)))
    random.Random(seed).shuffle(idx)
    n_val = round(len(idx) * val_fraction)
    if val_fraction > 0 and n_val == 0 and len(idx) >= 2:
        n_val = 1
    val_idx = set(idx[:n_val])
    train = [c for i, c in enumerate(convs) if i not in val_idx]
    return train, [c for i, c in enumerate(convs) if i in val_idx]


def fingerprint(convs) -> str:
    """sha256 over the normalized conversations (order-sensitive, key-order independent)."""
    h = hashlib.sha256()
    for c in convs:
        h.update(json.dumps(c, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


# --- prepare: clean + split + tokenize --------------------------------------------------------------
@dataclass
class Prepared:
    train: list[dict]  # tokenized: input_ids, attention_mask, labels (-100 outside assistant replies)
    val: list[dict]
    report: CleanReport  # clean()'s report, plus token-level drops (too_long_tokens, no_target)
    fingerprint: str  # of the cleaned conversations (train + val), before tokenizing
    train_convs: list[list[dict]] = field(default_factory=list)  # the same rows as messages
    val_convs: list[list[dict]] = field(default_factory=list)


def _encode_all(convs, tokenizer, max_seq_len, chat_template, dropped, progress, desc):
    from training.masking import encode_conversation

    examples, kept = [], []
    it = convs
    if progress:
        from tqdm import tqdm

        it = tqdm(convs, desc=desc, unit="conv")
    for c in it:
        ex = encode_conversation(c, tokenizer, chat_template=chat_template)
        if len(ex["input_ids"]) > max_seq_len:
            dropped["too_long_tokens"] += 1
        elif all(x == -100 for x in ex["labels"]):
            dropped["no_target"] += 1
        else:
            examples.append(ex)
            kept.append(c)
    return examples, kept


def prepare(*, source, fmt="auto", split_name="train", max_rows=None, min_score=None, val_fraction=0.05,
            seed=42, system_prompt=None, max_seq_len=512, tokenizer, strip_chatdoctor=True,
            max_chars=MAX_CHARS, chat_template=None, progress=False) -> Prepared:
    """load -> clean -> split -> tokenize with loss only on assistant replies.

    Conversations longer than ``max_seq_len`` tokens are dropped, not truncated (a cut reply
    would teach the model to stop without its end-of-turn token); the report counts them.
    ``chat_template``: a stored name (chatml|llama3|phi3) or Jinja text; default the tokenizer's.
    """
    rows = load_rows(source, split=split_name, max_rows=max_rows)
    convs, report = clean(rows, fmt=fmt, min_score=min_score, max_chars=max_chars,
                          strip_chatdoctor=strip_chatdoctor, system_prompt=system_prompt, progress=progress)
    train_c, val_c = split(convs, val_fraction=val_fraction, seed=seed)
    report.dropped.update({"too_long_tokens": 0, "no_target": 0})
    enc = dict(tokenizer=tokenizer, max_seq_len=max_seq_len, chat_template=chat_template,
               dropped=report.dropped, progress=progress)
    train, train_c = _encode_all(train_c, desc="tokenize train", **enc)
    val, val_c = _encode_all(val_c, desc="tokenize val", **enc)
    report.rows_out = len(train) + len(val)
    return Prepared(train=train, val=val, report=report, fingerprint=fingerprint(train_c + val_c),
                    train_convs=train_c, val_convs=val_c)
