"""Read raw rows from a data source: a local .json/.jsonl/.parquet file or a Hugging Face dataset id.

    from training.sources import load_rows
    rows = load_rows("../shared/data/gsm8k/train.jsonl", max_rows=2000)

A relative path is tried against the current directory, then the repository root. A JSONL
line that is not JSON is kept as ``{"_malformed": line}`` so the cleaning report counts it.
A Hub id is loaded with ``datasets`` (offline: only from its cache; the message says so).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from training.errors import DataError
from training.paths import REPO_ROOT

LOCAL_SUFFIXES = (".json", ".jsonl", ".parquet")


def local_path(source: str) -> Path | None:
    """The local file for ``source``, None for a Hub id; DataError if it looks local but is missing."""
    p = Path(source).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, REPO_ROOT / p]
    for c in candidates:
        if c.is_file():
            return c
    if source.endswith(LOCAL_SUFFIXES) or source.startswith((".", "/", "~")):
        tried = ", ".join(os.path.normpath(c) for c in candidates)
        raise DataError(f"data file {source!r} not found (tried {tried})")
    return None


def read_local(path: Path) -> list:
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


def load_rows(source: str, split: str = "train", max_rows: int | None = None) -> list:
    """Rows from a local .json/.jsonl/.parquet file, or a Hugging Face dataset id (``datasets``)."""
    path = local_path(source)
    if path is not None:
        rows = read_local(path)
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


def file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
