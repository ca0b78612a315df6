"""Preference pairs for DPO: load, clean (counting each rule), split, fingerprint.

    from training.pairs import prepare_pairs
    prepared = prepare_pairs(DataSettings.from_config(cfg), tokenizer)   # .train/.val: TRL rows
    print(prepared.report.format())

Rows are TRL's conversational preference format (training/formats/preference.py). Rules, in
order: malformed (not that shape), empty (an empty turn), same (chosen == rejected: no
preference to learn), too_long_tokens (prompt + either reply over ``model.max_seq_len``
tokens: TRL would cut the reply's end-of-turn off), duplicate. ``data.system_prompt``
replaces (or adds) the prompt's system message, as for SFT. ``meta`` never reaches training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from training.clean import CleanReport, norm_text
from training.data import DataSettings, fingerprint, split
from training.errors import DataError
from training.formats import detect_format, get
from training.masking import resolve_template
from training.sources import load_rows

PAIR_RULES = ("malformed", "empty", "same", "too_long_tokens", "duplicate")


@dataclass
class PreparedPairs:
    train: list[dict]
    val: list[dict]
    report: CleanReport
    fingerprint: str
    val_fingerprint: str


def _length(tokenizer, template: str, messages: list[dict], gen_prompt: bool = False) -> int:
    ids = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen_prompt,
                                        chat_template=template, return_dict=True)["input_ids"]
    return len(ids)


def clean_pairs(rows, *, tokenizer=None, chat_template=None, max_seq_len: int | None = None,
                system_prompt: str | None = None, fmt: str = "auto") -> tuple[list[dict], CleanReport]:
    if fmt not in ("auto", "preference"):
        raise DataError(f"DPO trains on preference pairs; data.format {fmt!r} holds something else")
    to_pair = get("preference").to_pair
    template = resolve_template(tokenizer, chat_template) if tokenizer is not None else None
    dropped = dict.fromkeys(PAIR_RULES, 0)
    seen, out = set(), []
    rows = list(rows)
    for row in rows:
        pair = to_pair(row) if isinstance(row, dict) and detect_format(row, kind="preference") else None
        if pair is None:
            dropped["malformed"] += 1
            continue
        if system_prompt is not None:
            pair["prompt"] = [{"role": "system", "content": system_prompt.strip()}] + [
                m for m in pair["prompt"] if m["role"] != "system"]
        if any(not m["content"] for side in pair.values() for m in side if m["role"] != "system"):
            dropped["empty"] += 1
            continue
        if norm_text(pair["chosen"][0]["content"]) == norm_text(pair["rejected"][0]["content"]):
            dropped["same"] += 1
            continue
        if template is not None and max_seq_len is not None and max(
                _length(tokenizer, template, pair["prompt"] + pair[side]) for side in ("chosen", "rejected")
        ) > max_seq_len:
            dropped["too_long_tokens"] += 1
            continue
        key = norm_text(json.dumps([pair["prompt"], pair["chosen"], pair["rejected"]]))
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        out.append(pair)
    return out, CleanReport(rows_in=len(rows), rows_out=len(out), dropped=dropped)


def prepare_pairs(settings: DataSettings, tokenizer=None) -> PreparedPairs:
    rows = load_rows(settings.source, split=settings.split, max_rows=settings.max_rows)
    pairs, report = clean_pairs(rows, tokenizer=tokenizer, chat_template=settings.chat_template,
                                max_seq_len=settings.max_seq_len, system_prompt=settings.system_prompt,
                                fmt=settings.format)
    train, val = split(pairs, val_fraction=settings.val_fraction, seed=settings.seed)
    return PreparedPairs(train=train, val=val, report=report, fingerprint=fingerprint(train + val),
                         val_fingerprint=fingerprint(val))
