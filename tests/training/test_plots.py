"""training/plots.py on fixture JSONs: loss curves per experiment, metric bars per model."""

from __future__ import annotations

import json

import pytest

from training import plots
from training.errors import TrainingError
from training.experiments import DEFAULT_PLAN

PNG = b"\x89PNG\r\n\x1a\n"


def result(name, method="sft", experiments=("lr",), shift=0.0):
    curves = {
        "train_loss": [[s, 2.0 - s / 100 + shift] for s in range(5, 55, 5)],
        "eval_loss": [[s, 2.1 - s / 120 + shift] for s in (0, 25, 50)],
    }
    return {
        "run_name": name,
        "experiments": list(experiments),
        "tiny": False,
        "settings": {"method": method},
        "summary": {"status": "complete"},
        "curves": curves,
    }


def evaluation(model, checks, acc, leak, echo):
    rows = [
        {"set": "gsm8k", "mode": "step_by_step", "group": "all", "accuracy": acc},
        {"set": "symbolic", "mode": "step_by_step", "group": "all", "accuracy": min(acc + 0.2, 1.0)},
        {"set": "gsm8k", "mode": "hint", "group": "all", "leak": leak, "words": 31.5, "ends_question": 0.9},
        {"set": "medical", "mode": "medical", "group": "all", "rouge_l": 0.18, "echo": echo},
        {"set": "symbolic", "mode": "step_by_step", "group": "linear", "accuracy": 0.0},  # not "all": ignored
    ]
    return {"model": model, "checks": checks, "summary": rows, "records": []}


@pytest.fixture
def fixtures(tmp_path):
    results, evals = tmp_path / "results", tmp_path / "evals"
    results.mkdir()
    evals.mkdir()
    for r in (
        result("lr-a"),
        result("lr-b", shift=0.1),
        result("sft-m", experiments=("dpo",)),
        result("dpo-h", method="dpo", experiments=("dpo",)),
    ):
        (results / f"{r['run_name']}.json").write_text(json.dumps(r))
    (results / "gpu_table.json").write_text(json.dumps({"runs": []}))  # not an experiment result: ignored
    for model, acc in (("smollm2-135m", 0.05), ("lr-a", 0.12), ("lr-b", 0.10)):
        for checks in (True, False):
            data = evaluation(model, checks, acc if not checks else 0.9, 0.02 if checks else 0.3, 0.0)
            (evals / f"eval-{model}{'' if checks else '-nochecks'}.json").write_text(json.dumps(data))
    (evals / "engine.json").write_text(json.dumps({"rows": []}))  # another benchmark's file
    return tmp_path


def test_loss_curves_per_experiment_and_metric_bars(fixtures, capsys):
    out = fixtures / "img"
    assert (
        plots.main(
            [
                "--results",
                str(fixtures / "results"),
                "--evals",
                str(fixtures / "evals"),
                "--plan",
                str(fixtures / "no-plan.yaml"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == ["loss-dpo.png", "loss-lr.png", "metrics-lr.png", "metrics.png"]
    for p in out.iterdir():
        assert p.read_bytes()[:8] == PNG and p.stat().st_size > 10_000
    assert "wrote" in capsys.readouterr().out


def test_the_evaluation_files_are_read_by_model_and_checks(fixtures):
    evals = plots.read_evals(fixtures / "evals")
    assert set(evals) == {(m, c) for m in ("smollm2-135m", "lr-a", "lr-b") for c in (True, False)}
    assert plots.metric(evals, "lr-a", False, "gsm8k", "step_by_step", "accuracy") == 0.12
    assert plots.metric(evals, "lr-a", True, "gsm8k", "hint", "leak") == 0.02
    assert plots.metric(evals, "lr-a", True, "medical", "medical", "missing") is None
    assert plots.model_list(evals, ["lr-a", "never-evaluated", "lr-b"], "smollm2-135m") == [
        ("base", "smollm2-135m"),
        ("lr-a", "lr-a"),
        ("lr-b", "lr-b"),
    ]


def test_grouping_follows_the_plan(fixtures):
    results = plots.read_results(fixtures / "results")
    assert {r["run_name"] for r in results} == {"lr-a", "lr-b", "sft-m", "dpo-h"}
    groups = plots.experiments(results, None)  # no plan: each result's own experiments, SFT first
    assert {k: [r["run_name"] for r in v] for k, v in groups.items()} == {
        "lr": ["lr-a", "lr-b"],
        "dpo": ["sft-m", "dpo-h"],
    }
    real = [
        result("smollm2-135m-tutor-lr5e-5"),
        result("smollm2-135m-tutor-lr2e-4"),
        result("smollm2-135m-tutor-size-m", experiments=("size", "dpo")),
    ]
    groups = plots.experiments(real, DEFAULT_PLAN)
    assert {k: [r["run_name"] for r in v] for k, v in groups.items()} == {
        "lr": ["smollm2-135m-tutor-lr2e-4", "smollm2-135m-tutor-lr5e-5"],  # the plan's order
        "size": ["smollm2-135m-tutor-size-m"],
        "dpo": ["smollm2-135m-tutor-size-m"],
    }


def test_no_results_is_a_clear_error(tmp_path):
    with pytest.raises(TrainingError, match="no experiment results"):
        plots.main.__wrapped__(
            [
                "--results",
                str(tmp_path),
                "--out",
                str(tmp_path / "img"),
                "--plan",
                str(tmp_path / "none.yaml"),
            ]
        )
