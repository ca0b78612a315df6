r"""Data stage: load -> normalize -> clean -> split -> tokenize (loss on assistant replies only).

From a run config (its data.* and model.* sections; flags given too override it):
    python -m training.prepare_data --config training/configs/smollm2/135m_lora_gsm8k.yaml
From flags only:
    python -m training.prepare_data --source ../shared/data/chatdoctor/chatdoctor5k_train.json \
        --format alpaca --model embedded:smollm2 --chat-template chatml

Prints the cleaning report (rows dropped by EACH rule) and writes the cleaned conversations to
the prepared-data folder ``runs/_data/<source>-<key>/`` (``$TUTOR_DATA_CACHE`` moves it):
  train.jsonl, val.jsonl   {"messages": [...]} per line
  report.json              the report, fingerprints, token counts, the settings and their key
``training.sft`` with the same settings finds this folder and trains on it (it says so); a
second prepare_data with the same settings reuses it too. ``--out DIR`` writes a copy
elsewhere (for a look; sft reads only runs/_data). Without a tokenizer (clean + split only, no
token counts, a folder sft does not use): add --no-tokenize.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from training import cli
from training.clean import MAX_CHARS
from training.data import DataSettings, prepare_cached, write_folder
from training.errors import TrainConfigError
from training.formats import SFT_FORMATS
from training.paths import CHAT_TEMPLATES, resolve_path, shown_path


def load_tokenizer(model: str, chat_template: str | None):
    """embedded:<key> straight from its GGUF (no dequantized model needed); else base_model's loader."""
    from training.base_model import EMBEDDED, embedded_gguf_path, prepare_tokenizer
    from training.base_model import load_tokenizer as load_model_tokenizer
    from training.config import ModelConfig

    template = chat_template or "chatml"
    if model.startswith("embedded:"):
        from transformers import AutoTokenizer

        key = model.split(":", 1)[1]
        if key not in EMBEDDED:
            known = ", ".join("embedded:" + k for k in EMBEDDED)
            raise TrainConfigError(f"unknown embedded model; known: {known} (you wrote {model!r})",
                                   path="--model", key="model")
        gguf = embedded_gguf_path(key)
        return prepare_tokenizer(AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name), template)
    return load_model_tokenizer(ModelConfig(name=model, chat_template=template))


FLAGS = ("source", "format", "split", "max_rows", "min_score", "val_fraction", "seed", "system_prompt",
         "max_chars", "max_seq_len", "model", "chat_template")


def settings_from_args(args) -> DataSettings:
    """Defaults <- the run config's data/model sections (with --set) <- flags given on the command line."""
    if args.config:
        from training.config import require_method

        cfg = cli.load_config_from_args(args)
        require_method(cfg, "sft", "training.prepare_data")  # training.dpo reads its pairs itself
        s = DataSettings.from_config(cfg)
    elif args.source:
        s = DataSettings(source=args.source)
    else:
        raise TrainConfigError("give --config or --source", path="command line", key="--source")
    for key in FLAGS:
        value = getattr(args, key, None)
        if value is not None:
            setattr(s, key, value)
    if args.keep_chatdoctor:
        s.strip_chatdoctor = False
    if args.no_tokenize:
        s.model = None
    return s


def build_parser():
    p = cli.parser(__doc__)
    cli.add_config_args(p, required=False)
    p.add_argument("--source", help="local .json/.jsonl/.parquet file, or a Hugging Face dataset id")
    p.add_argument("--format", choices=SFT_FORMATS, help="row schema (default auto: guessed from the keys)")
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
    p.add_argument("--chat-template", choices=CHAT_TEMPLATES,
                   help="stored template used when the tokenizer has none (default chatml)")
    p.add_argument("--out", help="also write the folder here (default: only runs/_data/<source>-<key>)")
    p.add_argument("--no-tokenize", action="store_true", help="clean and split only (no tokenizer)")
    return p


def run(argv: list[str] | None = None) -> dict:
    """Prepare (or find) the data; print the report; return what report.json holds."""
    args = build_parser().parse_args(argv)
    s = settings_from_args(args)
    t0 = time.time()
    tok = None if s.model is None else load_tokenizer(s.model, s.chat_template)
    prep, note = prepare_cached(s, tok, progress=sys.stderr.isatty(), written_by="training.prepare_data")
    folder = s.folder()
    tokens = prep.token_counts() if tok is not None else None
    info = {"report": prep.report.to_dict(), "fingerprint": prep.fingerprint, "val_fingerprint": prep.val_fingerprint,
            "train_rows": len(prep.train_convs), "val_rows": len(prep.val_convs), "tokens": tokens,
            "settings": vars(s).copy(), "folder": str(folder)}
    if args.out:
        out = resolve_path(args.out) if not Path(args.out).is_absolute() else Path(args.out)
        write_folder(out, key=s.key(), settings=s, train_c=prep.train_convs, val_c=prep.val_convs,
                     report=prep.report, tokens=tokens, seconds=time.time() - t0,
                     written_by="training.prepare_data --out")
        info["out"] = str(out)
    print(prep.report.format())
    print(note)
    print(f"train {info['train_rows']:,} / val {info['val_rows']:,} conversations; "
          f"fingerprint {prep.fingerprint[:12]}")
    if tokens:
        print(f"tokens: {tokens['total']:,} total, {tokens['trained']:,} trained (assistant replies), "
              f"max {tokens['max_len']} per conversation")
    where = shown_path(folder) + (f" and {info['out']}" if args.out else "")
    print(f"{where}: train.jsonl, val.jsonl, report.json ({time.time() - t0:.1f} s)")
    return info


@cli.command
def main(argv: list[str] | None = None) -> int:
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
