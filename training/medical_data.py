"""Medical tutor data: ChatDoctor exchanges rewritten as the medical mode's clinical cases (JSONL).

    python -m training.medical_data --out runs/_data/medical
    python -m training.medical_data --out /tmp/medical-small --max-rows 200

Reads ``--chatdoctor`` (default ../shared/data/chatdoctor/chatdoctor5k_train.json, Alpaca rows:
instruction/input/output), leaves out every row the evaluation holds out
(``tutor.eval.splits.is_heldout(input)``), cleans it with the ChatDoctor rules of
training/formats/chatdoctor.py (the model's "ChatDoctor" self-references, fake patient turns,
notes about the generated dialogue), and rewrites the doctor's reply under the medical mode's
headings (prompts/medical.yaml: Presentation, Differential, Key findings, Next steps,
Learning points) with the heuristic of training/medical_case.py; rows it cannot rewrite well
are dropped and counted by reason. Each conversation: system = the medical mode's
instructions, user = the patient's message, assistant = the case. Training puts the loss on
the assistant turn only (``data.train_on: assistant``, the default; the masking experiment's
second config sets ``all``).

Writes in ``--out``: medical_sft.jsonl ({"messages": [...], "meta": {"source", "id",
"condition"}} per line) and report.json (counts, drops by reason, sha256). Runs here (it
needs tutor/); the GPU box only reads the JSONL file.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

from training import cli
from training.errors import DataError
from training.paths import resolve_path, shown_path

SFT_FILE, REPORT_FILE = "medical_sft.jsonl", "report.json"


def read_rows(path: Path) -> list[dict]:
    from tutor.eval.splits import read_chatdoctor

    try:
        rows = read_chatdoctor(path)
    except OSError as exc:
        raise DataError(
            f"{path}: cannot read the ChatDoctor file ({exc.strerror})",
            "Pass --chatdoctor PATH (a JSON list of instruction/input/output rows).",
        ) from None
    except (ValueError, StopIteration):
        raise DataError(f"{path}: not a JSON list of rows", "Pass the ChatDoctor 5k JSON file.") from None
    return rows


def build(out: Path, *, chatdoctor: Path, max_rows: int | None) -> dict:
    from tutor.eval.splits import is_heldout
    from training.formats.chatdoctor import clean_messages
    from training.medical_case import NoCase, to_case
    from training.tutor_data import load_app_modes, with_system, write_jsonl

    t0 = time.time()
    mode = load_app_modes()["medical"]
    rows = read_rows(chatdoctor)
    records, dropped, seen, held, fixed = [], Counter(), set(), 0, Counter()
    for n, row in enumerate(rows):
        patient, doctor = row.get("input") if isinstance(row, dict) else None, (row or {}).get("output")
        if (
            not isinstance(patient, str)
            or not isinstance(doctor, str)
            or not patient.strip()
            or not doctor.strip()
        ):
            dropped["malformed or empty"] += 1
            continue
        if is_heldout(patient):
            held += 1
            continue
        msgs = [
            {"role": "user", "content": patient.strip()},
            {"role": "assistant", "content": doctor.strip()},
        ]
        for rule, changed in clean_messages(msgs).items():
            fixed[rule] += changed
        key = " ".join(msgs[0]["content"].lower().split())
        if key in seen:
            dropped["duplicate patient message"] += 1
            continue
        case = to_case(msgs[0]["content"], msgs[1]["content"])
        if isinstance(case, NoCase):
            dropped[case.reason] += 1
            continue
        seen.add(key)
        turns = [msgs[0], {"role": "assistant", "content": case.text}]
        records.append(
            {
                "messages": with_system(mode, turns),
                "meta": {
                    "source": "chatdoctor",
                    "row": n,
                    "condition": case.condition,
                    "id": "chatdoctor-" + hashlib.sha256(key.encode()).hexdigest()[:12],
                },
            }
        )
        if max_rows is not None and len(records) >= max_rows:
            break
    if not records:
        raise DataError(
            "no medical case was made", "Check --chatdoctor: it should be the ChatDoctor 5k JSON file."
        )
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "settings": {"chatdoctor": str(chatdoctor), "max_rows": max_rows},
        "rows_in_file": len(rows),
        "heldout_skipped": held,
        "cases": len(records),
        "dropped": dict(dropped.most_common()),
        "chatdoctor_rules_rewrote": dict(fixed),
        "files": {SFT_FILE: write_jsonl(out / SFT_FILE, records)},
        "seconds": round(time.time() - t0, 1),
    }
    (out / REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


@cli.command
def main(argv: list[str] | None = None) -> int:
    from tutor.eval.splits import CHATDOCTOR_FILE

    ap = cli.parser(__doc__)
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("runs/_data/medical"),
        help="output folder (default runs/_data/medical)",
    )
    ap.add_argument(
        "--chatdoctor",
        type=Path,
        default=CHATDOCTOR_FILE,
        help="ChatDoctor JSON (default ../shared/data/chatdoctor/chatdoctor5k_train.json)",
    )
    ap.add_argument("--max-rows", type=int, default=None, help="stop after this many cases (default: all)")
    args = ap.parse_args(argv)
    if args.max_rows is not None and args.max_rows < 1:
        ap.error(f"--max-rows must be at least 1 (you wrote {args.max_rows})")
    out = resolve_path(args.out)
    report = build(out, chatdoctor=args.chatdoctor, max_rows=args.max_rows)
    print(
        f"chatdoctor: {report['rows_in_file']:,} rows, {report['heldout_skipped']:,} held out by the evaluation "
        f"(skipped), {report['cases']:,} cases written"
    )
    for reason, n in report["dropped"].items():
        print(f"  dropped {n:>6,}  {reason}")
    print(f"  ChatDoctor rules rewrote: {report['chatdoctor_rules_rewrote']}")
    f = report["files"][SFT_FILE]
    print(
        f"wrote {shown_path(out / SFT_FILE)}: {f['rows']:,} rows, {f['bytes'] / 2**20:.1f} MiB; "
        f"{shown_path(out / REPORT_FILE)} ({report['seconds']} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
