"""Put adapters packed on the GPU box (training.experiments --pack-to) back into run folders here.

    python -m training.unpack --from /path/to/adapters
    python -m training.unpack --from /path/to/adapters --runs-dir runs --results training/results --force

For each packed run (a folder with adapter_config.json and adapter_model.safetensors, checked
against manifest.json's sha256 when there is one) it writes ``runs/<run_name>/``:
``adapter/adapter_model.safetensors`` (the bf16 weights widened back to float32, which is
exact) and ``adapter/adapter_config.json``, the run's ``config.yaml``, ``summary.json`` and
``metrics.jsonl``, and copies its ``result.json`` to ``training/results/<run_name>.json``. Then
the export steps work as documented, with the base model rebuilt here from the embedded GGUF:

    python -m training.export.merge --run runs/<run_name>       # then convert, quantize, check, register

A DPO run's config names its SFT run (``model.name: run:runs/...``): unpack that run too.
A run folder that already has an adapter is left alone unless ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from training import cli
from training.errors import TrainingError
from training.paths import RUNS_DIR, TRAINING_DIR, resolve_path, shown_path

RECORDS = ("summary.json", "metrics.jsonl")


def localize_config(text: str, run_dir: Path, runs_dir: Path) -> str:
    """The run's config.yaml with its folder, and a base run it names, moved under ``runs_dir`` here
    (a run trained elsewhere into another folder would otherwise name paths of that machine)."""
    import yaml

    from training.config import RUN_PREFIX

    cfg = yaml.safe_load(text) or {}
    cfg["output_dir"] = shown_path(run_dir)
    name = (cfg.get("model") or {}).get("name", "")
    if isinstance(name, str) and name.startswith(RUN_PREFIX):
        cfg["model"]["name"] = RUN_PREFIX + shown_path(runs_dir / Path(name[len(RUN_PREFIX) :]).name)
    return yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)


def packed_runs(src: Path) -> list[Path]:
    runs = sorted(
        p.parent
        for p in src.glob("*/adapter_config.json")
        if (p.parent / "adapter_model.safetensors").is_file() and (p.parent / "config.yaml").is_file()
    )
    if not runs:
        raise TrainingError(
            f"{src} holds no packed run (a folder with adapter_config.json, adapter_model.safetensors "
            "and config.yaml)",
            "Pass the folder given to training.experiments --pack-to.",
        )
    return runs


def check_manifest(src: Path) -> int:
    """Every file the manifest lists has its sha256; returns how many were checked (0 without a manifest)."""
    manifest = src / "manifest.json"
    if not manifest.is_file():
        return 0
    listed = json.loads(manifest.read_text(encoding="utf-8")).get("sha256", {})
    for rel, want in listed.items():
        path = src / rel
        if not path.is_file():
            raise TrainingError(
                f"{path} is listed in {manifest} but missing", "Copy the whole packed folder."
            )
        if hashlib.sha256(path.read_bytes()).hexdigest() != want:
            raise TrainingError(
                f"{path} does not match its sha256 in {manifest} (damaged on the way?)",
                "Copy the packed folder again.",
            )
    return len(listed)


def unpack_run(packed: Path, runs_dir: Path, results_dir: Path, force: bool) -> str:
    import torch
    from safetensors.torch import load_file, save_file

    run_dir = runs_dir / packed.name
    adapter = run_dir / "adapter"
    if (adapter / "adapter_config.json").is_file() and not force:
        return f"{shown_path(run_dir)} already has an adapter: left alone (--force replaces it)"
    weights = load_file(packed / "adapter_model.safetensors")
    wide = {k: (v.to(torch.float32) if v.is_floating_point() else v).contiguous() for k, v in weights.items()}
    adapter.mkdir(parents=True, exist_ok=True)
    save_file(wide, adapter / "adapter_model.safetensors", metadata={"format": "pt"})
    shutil.copyfile(packed / "adapter_config.json", adapter / "adapter_config.json")
    config = localize_config((packed / "config.yaml").read_text(encoding="utf-8"), run_dir, runs_dir)
    (run_dir / "config.yaml").write_text(config, encoding="utf-8")
    for name in RECORDS:
        if (packed / name).is_file():
            shutil.copyfile(packed / name, run_dir / name)
    if (packed / "result.json").is_file():
        results_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(packed / "result.json", results_dir / f"{packed.name}.json")
    return (
        f"{shown_path(run_dir)}: adapter ({len(wide)} tensors, float32) + config.yaml, {', '.join(RECORDS)}"
    )


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    ap.add_argument(
        "--from",
        dest="src",
        type=Path,
        required=True,
        help="the packed folder (training.experiments --pack-to)",
    )
    ap.add_argument(
        "--runs-dir", type=Path, default=RUNS_DIR, help="where the run folders go (default runs/)"
    )
    ap.add_argument(
        "--results",
        type=Path,
        default=TRAINING_DIR / "results",
        help="where each run's result.json is copied (default training/results)",
    )
    ap.add_argument("--force", action="store_true", help="replace an adapter that is already in a run folder")
    args = ap.parse_args(argv)
    src = resolve_path(args.src)
    checked = check_manifest(src)
    if checked:
        print(f"manifest: {checked} files match their sha256")
    for packed in packed_runs(src):
        print(unpack_run(packed, resolve_path(args.runs_dir), resolve_path(args.results), args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
