"""Step 6 of the export: push the GGUF files and a model card to the Hugging Face Hub.

    python -m training.export.push --run runs/smollm2-135m-lora-tiny --repo you/smollm2-tutor-gguf --dry-run
    python -m training.export.push --run runs/smollm2-135m-lora-tiny --repo you/smollm2-tutor-gguf

Writes runs/X/export/README.md (model card: front matter, config, metrics from summary.json,
the check results, how to use the file in llama-cpp-python and in the tutor app), then
uploads the card and the GGUF files in one commit (huggingface_hub: create_repo +
create_commit). --dry-run writes the card and prints what would be uploaded, without a token
or the network. The token comes from HF_TOKEN or `hf auth login`; without one it stops
with a message saying how to log in. Pushing is kept apart from converting on purpose: a
failed upload never costs a re-conversion.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from training import cli
from training.export import parser, QUANTS, ExportError, export_dir, gguf_path, log, read_json, run_dir

LOGIN_HELP = (
    "No Hugging Face token found (HF_TOKEN is not set and there is no cached login).\n"
    "  Log in once with:   .venv/bin/hf auth login        (paste a *write* token from "
    "https://huggingface.co/settings/tokens)\n"
    "  or set it for one command:   HF_TOKEN=hf_... python -m training.export.push ...\n"
    "  Use --dry-run to write the model card and see what would be uploaded without a token."
)

METRICS = (
    ("val_loss", "validation loss (nats/token)"),
    ("val_ppl", "validation perplexity"),
    ("val_loss_before", "validation loss before training"),
    ("final_train_loss", "last train loss"),
    ("steps", "optimizer steps"),
    ("tokens_trained", "tokens trained"),
    ("wall_time_s", "wall time (s)"),
    ("tokens_per_s", "tokens/s"),
    ("peak_memory_mb", "peak memory (MB)"),
    ("backend", "backend"),
    ("device", "device"),
)


def files_to_push(run: Path, quants: list[str] | None, include_f16: bool) -> list[Path]:
    wanted = list(quants) if quants else [q for q in QUANTS if gguf_path(run, q).is_file()]
    if include_f16:
        wanted = ["f16"] + wanted
    files = [gguf_path(run, q) for q in wanted]
    missing = [f.name for f in files if not f.is_file()]
    if missing or not files:
        raise ExportError(
            f"nothing to push: {', '.join(missing) or 'no GGUF files'} missing in {run / 'export'}; "
            "run python -m training.export.quantize first"
        )
    return files


def model_card(run: Path, repo: str, files: list[Path]) -> str:
    """README.md for the Hub repo: what it is, how it was trained, how well, how to use it."""
    config = (
        yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
        if (run / "config.yaml").is_file()
        else {}
    )
    summary = read_json(run / "summary.json")
    check = read_json(run / "export" / "check.json")
    base = (config.get("model") or {}).get("name", "unknown")
    base_id = "HuggingFaceTB/SmolLM2-135M-Instruct" if base == "embedded:smollm2" else base
    front = {
        "license": "apache-2.0",
        "library_name": "gguf",
        "base_model": base_id,
        "tags": ["gguf", "llama-cpp", "lora", "study-tutor"],
        "pipeline_tag": "text-generation",
    }
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False).strip(),
        "---",
        "",
        f"# {repo.split('/')[-1]}",
        "",
        f"GGUF export of the run `{summary.get('run_name') or run.name}`: a LoRA fine-tune of `{base_id}` "
        "for the study tutor app, merged into the base and converted with llama.cpp.",
        "",
        "## Files",
        "",
        "| file | size |",
        "|---|---|",
    ]
    lines += [f"| `{f.name}` | {f.stat().st_size / 1e6:.1f} MB |" for f in files]
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
    for key, label in METRICS:
        if summary.get(key) is not None:
            v = summary[key]
            lines.append(f"| {label} | {v:.4g} |" if isinstance(v, float) else f"| {label} | {v} |")
    lines += [
        f"| git commit | `{summary.get('git_commit')}` |",
        f"| dataset fingerprint | `{summary.get('dataset_fingerprint')}` |",
    ]
    if check:
        lines += [
            "",
            "## Export check",
            "",
            f"Prompt: {check.get('prompt')!r}",
            "",
            "| file | finish | agreement with HF (first tokens) |",
            "|---|---|---|",
        ]
        for q, res in (check.get("files") or {}).items():
            lines.append(
                f"| {res.get('file', q)} | {res.get('finish_reason')} | {res.get('agreement', '-')} |"
            )
    lines += [
        "",
        "## Training config",
        "",
        "```yaml",
        yaml.safe_dump(config, sort_keys=False).strip(),
        "```",
        "",
        "## Use",
        "",
        "```python",
        "from llama_cpp import Llama",
        f"llm = Llama.from_pretrained(repo_id={repo!r}, filename={files[0].name!r}, n_ctx=4096)",
        'llm.create_chat_completion(messages=[{"role": "user", "content": "What is 2 + 2?"}])',
        "```",
        "",
        "In the study tutor app:",
        "",
        "```bash",
        f"python -m tutor.models add {run.name} --repo {repo} --file {files[0].name}",
        f"python -m tutor.models fetch {run.name}",
        "```",
        "",
    ]
    return "\n".join(lines)


def push(
    run: Path,
    repo: str,
    *,
    quants: list[str] | None = None,
    include_f16: bool = False,
    private: bool = False,
    dry_run: bool = False,
    message: str | None = None,
) -> dict:
    files = files_to_push(run, quants, include_f16)
    card = export_dir(run) / "README.md"
    card.write_text(model_card(run, repo, files), encoding="utf-8")
    log(f"wrote the model card {card}")
    uploads = [(card, "README.md")] + [(f, f.name) for f in files]
    plan = {
        "repo": repo,
        "private": private,
        "files": [
            {"local": str(p), "path_in_repo": name, "mb": round(p.stat().st_size / 1e6, 2)}
            for p, name in uploads
        ],
    }
    if dry_run:
        print(f"dry run: would upload to https://huggingface.co/{repo}" + (" (private)" if private else ""))
        for f in plan["files"]:
            print(f"  {f['path_in_repo']:<28} {f['mb']:>9.2f} MB  <- {f['local']}")
        return plan
    from huggingface_hub import CommitOperationAdd, HfApi, get_token

    token = get_token()
    if not token:
        raise ExportError(LOGIN_HELP)
    api = HfApi(token=token)
    log(f"creating/using repo {repo}")
    api.create_repo(repo, private=private, exist_ok=True, repo_type="model")
    ops = [CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(p)) for p, name in uploads]
    log(f"uploading {len(ops)} files ({sum(f['mb'] for f in plan['files']):.1f} MB)")
    info = api.create_commit(
        repo, operations=ops, commit_message=message or f"Export of run {run.name}", repo_type="model"
    )
    plan["commit_url"] = getattr(info, "commit_url", str(info))
    log(f"pushed: {plan['commit_url']}")
    return plan


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, "Push a run's GGUF files and a model card to the Hugging Face Hub.")
    ap.add_argument("--repo", required=True, help="Hub model repo, owner/name (created if missing)")
    ap.add_argument(
        "--quant",
        nargs="+",
        choices=QUANTS,
        default=None,
        help="quantized files to upload (default: every one present)",
    )
    ap.add_argument("--include-f16", action="store_true", help="also upload the (large) f16 GGUF")
    ap.add_argument("--private", action="store_true", help="create the repo as private")
    ap.add_argument("--message", default=None, help="commit message (default: 'Export of run <name>')")
    ap.add_argument(
        "--dry-run", action="store_true", help="write the card and list the uploads; no token, no network"
    )
    ap.add_argument("--json", action="store_true", help="print the upload plan as JSON at the end")
    args = ap.parse_args(argv)
    plan = push(
        run_dir(args.run),
        args.repo,
        quants=args.quant,
        include_f16=args.include_f16,
        private=args.private,
        dry_run=args.dry_run,
        message=args.message,
    )
    if args.json:
        print(json.dumps(plan, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
