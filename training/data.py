"""Prepared data: load -> clean -> split -> tokenize, and the one folder both stages share.

    from training.data import DataSettings, prepare_cached
    settings = DataSettings.from_config(cfg)
    prepared, note = prepare_cached(settings, tokenizer)     # note: "reusing runs/_data/..." or "prepared ..."

``training.prepare_data`` and ``training.sft`` go through ``prepare_cached``: the cleaned
conversations are written once to ``runs/_data/<source>-<key>/`` (train.jsonl, val.jsonl,
report.json), where ``key`` is a sha256 over every setting that changes the result (the data
settings, the source file's sha256, the tokenizer and max_seq_len that drop over-long rows,
and ``DATA_VERSION`` of the cleaning rules). A later stage with the same settings reuses the
folder after checking the conversations' fingerprint against report.json, and says so.
Conversations longer than ``max_seq_len`` tokens are dropped, not truncated (a cut reply
would teach the model to stop without its end-of-turn token); the report counts them.
Row formats: training/formats/; cleaning rules: training/clean.py; loss masking:
training/masking.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.clean import MAX_CHARS, CleanReport, clean
from training.errors import DataError
from training.paths import data_cache_root, shown_path
from training.sources import file_sha256, load_rows, local_path

# Bump when a cleaning rule or a format's output changes: prepared folders of older rules are not reused.
DATA_VERSION = 2  # 2: GSM8K targets end in "**Final answer:** X"; echo compares the whole message


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


# --- tokenize ---------------------------------------------------------------------------------------
@dataclass
class Prepared:
    train: list[dict]  # tokenized: input_ids, attention_mask, labels (-100 outside assistant replies)
    val: list[dict]
    report: CleanReport  # clean()'s report, plus token-level drops (too_long_tokens, no_target)
    fingerprint: str  # of the cleaned conversations (train + val), before tokenizing
    train_convs: list[list[dict]] = field(default_factory=list)  # the same rows as messages
    val_convs: list[list[dict]] = field(default_factory=list)

    @property
    def val_fingerprint(self) -> str:
        """Of the validation conversations alone: equal values mean the same validation set."""
        return fingerprint(self.val_convs)

    def token_counts(self) -> dict:
        lengths = [len(ex["input_ids"]) for ex in self.train + self.val]
        trained = sum(sum(1 for x in ex["labels"] if x != -100) for ex in self.train + self.val)
        return {"total": sum(lengths), "trained": trained, "max_len": max(lengths, default=0),
                "mean_len": round(sum(lengths) / max(len(lengths), 1), 1)}


def encode_all(convs, tokenizer, max_seq_len, chat_template, dropped, progress=False, desc="tokenize",
               train_on="assistant"):
    """Tokenize with loss masks (``train_on``: assistant | all); drop (and count) conversations over
    max_seq_len or with no target."""
    from training.masking import encode_conversation

    examples, kept = [], []
    it = convs
    if progress:
        from tqdm import tqdm

        it = tqdm(convs, desc=desc, unit="conv", mininterval=5.0)
    for c in it:
        ex = encode_conversation(c, tokenizer, chat_template=chat_template, train_on=train_on)
        if len(ex["input_ids"]) > max_seq_len:
            dropped["too_long_tokens"] = dropped.get("too_long_tokens", 0) + 1
        elif all(x == -100 for x in ex["labels"]):
            dropped["no_target"] = dropped.get("no_target", 0) + 1
        else:
            examples.append(ex)
            kept.append(c)
    return examples, kept


def tokenize_split(train_c, val_c, report: CleanReport, *, tokenizer, max_seq_len, chat_template,
                   progress=False, train_on="assistant") -> Prepared:
    report.dropped.setdefault("too_long_tokens", 0)
    report.dropped.setdefault("no_target", 0)
    enc = dict(tokenizer=tokenizer, max_seq_len=max_seq_len, chat_template=chat_template,
               dropped=report.dropped, progress=progress, train_on=train_on)
    train, train_c = encode_all(train_c, desc="tokenize train", **enc)
    val, val_c = encode_all(val_c, desc="tokenize val", **enc)
    report.rows_out = len(train) + len(val)
    return Prepared(train=train, val=val, report=report, fingerprint=fingerprint(train_c + val_c),
                    train_convs=train_c, val_convs=val_c)


def prepare(*, source, fmt="auto", split_name="train", max_rows=None, min_score=None, val_fraction=0.05,
            seed=42, system_prompt=None, max_seq_len=512, tokenizer, strip_chatdoctor=True,
            max_chars=MAX_CHARS, chat_template=None, progress=False, train_on="assistant") -> Prepared:
    """load -> clean -> split -> tokenize with loss only on assistant replies (no folder involved).

    ``chat_template``: a stored name (chatml|llama3|phi3) or Jinja text; default the tokenizer's.
    ``train_on="all"``: loss on every token instead (no masking).
    """
    rows = load_rows(source, split=split_name, max_rows=max_rows)
    convs, report = clean(rows, fmt=fmt, min_score=min_score, max_chars=max_chars,
                          strip_chatdoctor=strip_chatdoctor, system_prompt=system_prompt, progress=progress)
    train_c, val_c = split(convs, val_fraction=val_fraction, seed=seed)
    return tokenize_split(train_c, val_c, report, tokenizer=tokenizer, max_seq_len=max_seq_len,
                          chat_template=chat_template, progress=progress, train_on=train_on)


# --- the prepared-data folder -----------------------------------------------------------------------
@dataclass
class DataSettings:
    """Everything that decides which conversations a stage trains on."""

    source: str
    format: str = "auto"
    split: str = "train"
    max_rows: int | None = None
    min_score: float | None = None
    val_fraction: float = 0.05
    seed: int = 42
    system_prompt: str | None = None
    strip_chatdoctor: bool = True
    max_chars: int = MAX_CHARS
    model: str | None = "embedded:smollm2"  # the tokenizer's source; None = clean and split only
    chat_template: str | None = "chatml"
    max_seq_len: int = 512
    train_on: str = "assistant"  # which tokens are targets; not in the key: the folder holds conversations

    @classmethod
    def from_config(cls, cfg) -> DataSettings:
        d, m = cfg.data, cfg.model
        return cls(source=d.source, format=d.format, split=d.split, max_rows=d.max_rows, min_score=d.min_score,
                   val_fraction=d.val_fraction, seed=cfg.seed, system_prompt=d.system_prompt,
                   strip_chatdoctor=d.strip_chatdoctor, model=m.name, chat_template=m.chat_template,
                   max_seq_len=m.max_seq_len, train_on=d.train_on)

    def source_identity(self) -> dict:
        """The source's content (sha256 of a local file) or its Hub id and split; not where it lies."""
        path = local_path(self.source)
        if path is None:
            return {"hub": self.source, "split": self.split}
        return {"file": path.name, "sha256": file_sha256(path)}

    def key(self) -> str:
        # train_on only decides the labels when tokenizing: masked and unmasked runs share one folder
        body = {k: v for k, v in asdict(self).items() if k not in ("source", "train_on")}
        if self.model is None:  # no tokenizer: no token-level drops
            body.update(max_seq_len=None, chat_template=None)
        body.update(source=self.source_identity(), data_version=DATA_VERSION)
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()

    def folder(self, key: str | None = None) -> Path:
        stem = Path(self.source).stem if local_path(self.source) else self.source.replace("/", "--")
        return data_cache_root() / f"{stem}-{(key or self.key())[:12]}"


def _write_jsonl(path: Path, convs) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for c in convs:
            f.write(json.dumps({"messages": c}, ensure_ascii=False) + "\n")


def _read_convs(path: Path) -> list[list[dict]]:
    return [json.loads(line)["messages"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_folder(out: Path, *, key: str | None, settings: DataSettings, train_c, val_c, report: CleanReport,
                 tokens: dict | None, seconds: float, written_by: str) -> dict:
    """train.jsonl, val.jsonl ({"messages": [...]} per line) and report.json, written atomically."""
    info = {"key": key, "settings": asdict(settings), "fingerprint": fingerprint(train_c + val_c),
            "val_fingerprint": fingerprint(val_c), "train_rows": len(train_c), "val_rows": len(val_c),
            "report": report.to_dict(), "tokens": tokens, "written_by": written_by,
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "seconds": round(seconds, 2)}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _write_jsonl(tmp / "train.jsonl", train_c)
        _write_jsonl(tmp / "val.jsonl", val_c)
        (tmp / "report.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return info


def read_folder(folder: Path, key: str) -> tuple[list, list, dict] | None:
    """The folder's (train, val, report.json) if it was written for ``key`` and is unchanged, else None."""
    try:
        info = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        if info.get("key") != key:
            return None
        train_c, val_c = _read_convs(folder / "train.jsonl"), _read_convs(folder / "val.jsonl")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if fingerprint(train_c + val_c) != info.get("fingerprint"):
        return None  # edited by hand since: do not trust it
    return train_c, val_c, info


def prepare_cached(settings: DataSettings, tokenizer, *, progress: bool = False, write: bool = True,
                   written_by: str = "training.sft") -> tuple[Prepared, str]:
    """Prepared data for ``settings``: reused from its folder when one matches, else built and written.

    Returns (prepared, a one-line note saying which). ``tokenizer`` may be None only when
    ``settings.model`` is None (clean and split, no token-level drops).
    """
    t0 = time.time()
    key = settings.key()
    folder = settings.folder(key)
    found = read_folder(folder, key)
    if found is not None:
        train_c, val_c, info = found
        report = CleanReport(**info["report"])
        if tokenizer is None:
            prep = Prepared([], [], report, info["fingerprint"], train_c, val_c)
        else:
            prep = tokenize_split(train_c, val_c, report, tokenizer=tokenizer, max_seq_len=settings.max_seq_len,
                                  chat_template=settings.chat_template, progress=progress,
                                  train_on=settings.train_on)
            if prep.fingerprint != info["fingerprint"]:
                raise DataError(f"{shown_path(folder)} no longer fits its settings (re-tokenizing dropped rows); "
                                "delete the folder and run again")
        note = (f"data: reusing {shown_path(folder)} (written by {info.get('written_by')} at "
                f"{info.get('written_at')}; fingerprint {info['fingerprint'][:12]}, same settings and source)")
        return prep, note
    rows = load_rows(settings.source, split=settings.split, max_rows=settings.max_rows)
    convs, report = clean(rows, fmt=settings.format, min_score=settings.min_score, max_chars=settings.max_chars,
                          strip_chatdoctor=settings.strip_chatdoctor, system_prompt=settings.system_prompt,
                          progress=progress)
    train_c, val_c = split(convs, val_fraction=settings.val_fraction, seed=settings.seed)
    if tokenizer is None:
        prep = Prepared([], [], report, fingerprint(train_c + val_c), train_c, val_c)
    else:
        prep = tokenize_split(train_c, val_c, report, tokenizer=tokenizer, max_seq_len=settings.max_seq_len,
                              chat_template=settings.chat_template, progress=progress, train_on=settings.train_on)
    if write:
        write_folder(folder, key=key, settings=settings, train_c=prep.train_convs, val_c=prep.val_convs,
                     report=prep.report, tokens=prep.token_counts() if tokenizer is not None else None,
                     seconds=time.time() - t0, written_by=written_by)
    where = f" and saved to {shown_path(folder)}" if write else ""
    return prep, f"data: prepared from {settings.source}{where} (fingerprint {prep.fingerprint[:12]})"
