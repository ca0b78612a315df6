"""Held-out splits of the shared data sets, fixed by a hash of each item's text.

A row is held out when the SHA-256 of its normalised text falls in one tenth of the hash
space: the same rows on every machine, whatever order or subset a file is read in, so
training data builders (``training/``) can leave them out and the evaluation
(``python -m tutor.eval``) can score on them. The GSM8K test split (1,319 problems) is
not in ``../shared/data``; these held-out rows of the train file stand in for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from tutor.config import REPO_ROOT

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
GSM8K_FILE = SHARED_DATA / "gsm8k" / "train.jsonl"
CHATDOCTOR_FILE = SHARED_DATA / "chatdoctor" / "chatdoctor5k_train.json"
HELDOUT_BUCKETS = 10  # one bucket in ten is held out (~747 GSM8K rows, ~495 ChatDoctor rows)


def _key(text: str) -> int:
    norm = " ".join(text.lower().split())
    return int(hashlib.sha256(norm.encode("utf-8")).hexdigest(), 16)


def is_heldout(text: str) -> bool:
    """True for the rows that no training data may contain (decided by the text alone)."""
    return _key(text) % HELDOUT_BUCKETS == 0


def order_key(text: str) -> int:
    """A stable order for picking the first N held-out rows."""
    return _key(text) // HELDOUT_BUCKETS


def gsm8k_truth(answer: str) -> str:
    """The final answer of a GSM8K solution (the text after ``####``), commas removed."""
    return answer.rsplit("####", 1)[-1].strip().replace(",", "")


def read_gsm8k(path: Path = GSM8K_FILE) -> list[dict]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def read_chatdoctor(path: Path = CHATDOCTOR_FILE) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else next(v for v in data.values() if isinstance(v, list))


def heldout_gsm8k(n: int | None = None, path: Path = GSM8K_FILE) -> list[dict]:
    """The held-out GSM8K rows (question, answer, truth), first ``n`` in the stable order."""
    rows = [r for r in read_gsm8k(path) if is_heldout(r["question"])]
    rows.sort(key=lambda r: order_key(r["question"]))
    return [{**r, "truth": gsm8k_truth(r["answer"])} for r in rows[:n]]


_CHATDOCTOR_NAME = re.compile(r"\bchat\s*doctor\b", re.I)


def heldout_chatdoctor(n: int | None = None, path: Path = CHATDOCTOR_FILE) -> list[dict]:
    """The held-out ChatDoctor cases (input = the patient's text, output = the doctor's reply)."""
    rows = [r for r in read_chatdoctor(path) if r.get("input") and is_heldout(r["input"])]
    rows.sort(key=lambda r: order_key(r["input"]))
    out = []
    for r in rows[:n]:
        reference = _CHATDOCTOR_NAME.sub("the doctor", r.get("output") or "")
        out.append({"question": r["input"].strip(), "reference": reference.strip()})
    return out
