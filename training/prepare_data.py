r"""Data stage: load -> normalize -> clean -> split -> tokenize (loss on assistant replies only).

Prints the cleaning report (rows dropped by EACH rule) and writes to --out:
  train.jsonl, val.jsonl   {"messages": [...]} per line: the cleaned conversations
  report.json              the report, dataset fingerprint, token counts and the settings used

From a run config (its data.* and model.* sections; flags given too override it):
    python -m training.prepare_data --config training/configs/smollm2/135m_lora_gsm8k.yaml
From flags only:
    python -m training.prepare_data --source ../shared/data/chatdoctor/chatdoctor5k_train.json \
        --format alpaca --model embedded:smollm2 --chat-template chatml --out runs/data/chatdoctor
Without a tokenizer (clean + split only, no token counts): add --no-tokenize.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from training.data import FORMATS, MAX_CHARS, REPO_ROOT, clean, fingerprint, prepare, split, load_rows
from training.masking import TEMPLATE_NAMES


def load_tokenizer(model: str, chat_template: str | None):
    """embedded:<key> straight from its GGUF (no dequantized model needed); else base_model's loader."""
    from training.base_model import EMBEDDED, embedded_gguf_path, load_tokenizer as load_model_tokenizer
    from training.base_model import prepare_tokenizer
    from training.config import ModelConfig

    template = chat_template or "chatml"
    if model.startswith("embedded:"):
        from transformers import AutoTokenizer

        key = model.split(":", 1)[1]
        if key not in EMBEDDED:
            known = ", ".join("embedded:" + k for k in EMBEDDED)
            raise SystemExit(f"unknown embedded model {model!r}; known: {known}")
        gguf = embedded_gguf_path(key)
        return prepare_tokenizer(AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name), template)
    return load_model_tokenizer(ModelConfig(name=model, chat_template=template))


def _settings(args) -> dict:
    """Defaults <- the run config's data/model sections <- flags given on the command line."""
    s = dict(source=None, format="auto", split="train", max_rows=None, min_score=None, val_fraction=0.05,
             seed=42, system_prompt=None, strip_chatdoctor=True, max_seq_len=512, max_chars=MAX_CHARS,
             model="embedded:smollm2", chat_template=None, out=None)
    if args.config:
        from training.config import load_config

        cfg = load_config(args.config)
        d, m = cfg.data, cfg.model
        s.update(source=d.source, format=d.format, split=d.split, max_rows=d.max_rows, min_score=d.min_score,
                 val_fraction=d.val_fraction, seed=cfg.seed, system_prompt=d.system_prompt,
                 strip_chatdoctor=d.strip_chatdoctor, max_seq_len=m.max_seq_len, model=m.name,
                 chat_template=m.chat_template, out=str(Path(cfg.output_dir) / "data"))
    for key in s:
        value = getattr(args, key, None)
        if value is not None:
            s[key] = value
    if args.keep_chatdoctor:
        s["strip_chatdoctor"] = False
    if not s["source"]:
        raise SystemExit("give --config or --source")
    if s["out"] is None:
        s["out"] = str(Path("runs") / "data" / Path(s["source"]).stem)
    return s


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="run config YAML: its data.* and model.* sections give the defaults")
    p.add_argument("--source", help="local .json/.jsonl/.parquet file, or a Hugging Face dataset id")
    p.add_argument("--format", choices=FORMATS, help="row schema (default auto: guessed from the keys)")
    p.add_argument("--split", help="dataset split for a Hub source (default train)")
    p.add_argument("--max-rows", type=int, help="read at most this many rows (default all)")
    p.add_argument("--min-score", type=float, help="drop rows whose `score` column is below this (FineTome)")
    p.add_argument("--val-fraction", type=float, help="fraction held out for validation (0.05)")
    p.add_argument("--seed", type=int, help="seed of the train/val split (default 42)")
    p.add_argument("--system-prompt", help="system message for every conversation (replaces the row's own)")
    p.add_argument("--keep-chatdoctor", action="store_true",
                   help="do not rewrite 'ChatDoctor' self-references, fake patient turns and meta notes")
    p.add_argument("--max-chars", type=int, help=f"drop conversations over this many chars ({MAX_CHARS})")
    p.add_argument("--max-seq-len", type=int, help="drop conversations longer than this, in tokens (512)")
    p.add_argument("--model", help="tokenizer source: embedded:smollm2, a local HF folder or a Hub id")
    p.add_argument("--chat-template", choices=TEMPLATE_NAMES,
                   help="stored template used when the tokenizer has none (default chatml)")
    p.add_argument("--out", help="output folder (default <output_dir>/data, or runs/data/<source name>)")
    p.add_argument("--no-tokenize", action="store_true", help="clean and split only (no tokenizer)")
    args = p.parse_args(argv)
    s = _settings(args)
    out = Path(s["out"])
    out = out if out.is_absolute() else REPO_ROOT / out
    t0 = time.time()
    if args.no_tokenize:
        rows = load_rows(s["source"], split=s["split"], max_rows=s["max_rows"])
        convs, report = clean(rows, fmt=s["format"], min_score=s["min_score"], max_chars=s["max_chars"],
                              strip_chatdoctor=s["strip_chatdoctor"], system_prompt=s["system_prompt"],
                              progress=True)
        train_c, val_c = split(convs, val_fraction=s["val_fraction"], seed=s["seed"])
        fp, tokens = fingerprint(train_c + val_c), None
    else:
        tok = load_tokenizer(s["model"], s["chat_template"])
        prep = prepare(source=s["source"], fmt=s["format"], split_name=s["split"], max_rows=s["max_rows"],
                       min_score=s["min_score"], val_fraction=s["val_fraction"], seed=s["seed"],
                       system_prompt=s["system_prompt"], max_seq_len=s["max_seq_len"], tokenizer=tok,
                       strip_chatdoctor=s["strip_chatdoctor"], max_chars=s["max_chars"],
                       chat_template=s["chat_template"], progress=True)
        train_c, val_c, report, fp = prep.train_convs, prep.val_convs, prep.report, prep.fingerprint
        lengths = [len(ex["input_ids"]) for ex in prep.train + prep.val]
        trained = sum(sum(1 for x in ex["labels"] if x != -100) for ex in prep.train + prep.val)
        tokens = {"total": sum(lengths), "trained": trained, "max_len": max(lengths, default=0),
                  "mean_len": round(sum(lengths) / max(len(lengths), 1), 1)}
    out.mkdir(parents=True, exist_ok=True)
    for name, convs in (("train", train_c), ("val", val_c)):
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for c in convs:
                f.write(json.dumps({"messages": c}, ensure_ascii=False) + "\n")
    result = {"report": report.to_dict(), "fingerprint": fp, "train_rows": len(train_c),
              "val_rows": len(val_c),
              "tokens": tokens, "settings": s, "seconds": round(time.time() - t0, 2)}
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    (out / "report.json").write_text(text, encoding="utf-8")
    print(report.format())
    print(f"train {len(train_c):,} / val {len(val_c):,} conversations; fingerprint {fp[:16]}")
    if tokens:
        print(f"tokens: {tokens['total']:,} total, {tokens['trained']:,} trained (assistant replies), "
              f"max {tokens['max_len']} per conversation")
    print(f"wrote {out}/train.jsonl, val.jsonl, report.json in {result['seconds']} s")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
