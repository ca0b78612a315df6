"""End to end on the real SmolLM2-135M (slow), and the stage CLIs' contract (fast)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from training import e2e

REPO = Path(__file__).resolve().parents[2]
STAGES = [
    "training.prepare_data",
    "training.sft",
    "training.dpo",
    "training.repro",
    "training.doccheck",
    "training.base_model",
    "training.export.merge",
    "training.export.convert",
    "training.export.quantize",
    "training.export.check",
    "training.export.push",
    "training.export.register",
    "training.compare",
    "training.e2e",
    "training.tutor_data",
    "training.medical_data",
    "training.experiments",
    "training.unpack",
    "training.plots",
]


@pytest.mark.parametrize("module", STAGES)
def test_every_stage_documents_its_command_and_every_flag_has_help(module, monkeypatch, capsys):
    mod = importlib.import_module(module)
    assert f"python -m {module}" in mod.__doc__
    seen: list[argparse.ArgumentParser] = []
    real_parse = argparse.ArgumentParser.parse_args

    def spy(self, *args, **kwargs):
        seen.append(self)
        return real_parse(self, *args, **kwargs)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", spy)
    with pytest.raises(SystemExit) as exc:
        mod.main(["--help"])
    assert exc.value.code == 0
    (parser,) = seen
    for action in parser._actions:
        assert action.help, f"{module}: {action.option_strings or action.dest} has no help"


def test_e2e_runs_the_documented_commands():
    cmds = [
        " ".join(["python"] + cmd) for _, cmd in e2e.stages(e2e.DEFAULT_CONFIG, "RUN", "NAME", [], fresh=True)
    ]
    for cmd in cmds:
        documented = cmd.split(" --prompt")[0]
        assert documented in " ".join(e2e.__doc__.split()), documented


@pytest.mark.slow
@pytest.mark.training
@pytest.mark.model
def test_e2e_smollm2_lora_to_app_answer(tmp_path, tutor_home):
    """A few LoRA steps on SmolLM2-135M -> merge -> GGUF -> Q4_K_M -> check -> register -> engine answers.

    About 10 minutes on 2 busy cores (most of it training and evaluating on the CPU).
    """
    pytest.importorskip("torch")
    run = tmp_path / "runs" / "smollm2-135m-lora-tiny"
    env = {
        **os.environ,
        "TUTOR_HOME": str(tutor_home),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "training.e2e", "--output-dir", str(run), "--name", "e2e-tiny"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((run / "export" / "e2e.json").read_text())
    assert report["app"]["finish_reason"] == "stop" and report["app"]["answer"].strip()
    check = json.loads((run / "export" / "check.json").read_text())
    assert check["ok"] and check["files"]["f16"]["agreement"] == 1.0
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "complete" and summary["val_ppl"] > 0
    assert "e2e-tiny" in (tutor_home / "models.yaml").read_text()
