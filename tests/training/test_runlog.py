"""Run logging: files in the run folder, the runs table, resume, non-main ranks."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
import sqlite_utils
import yaml

from training.runlog import RunLog, git_commit, is_main_process, make_callback

CONFIG = {
    "run_name": "r1",
    "seed": 1,
    "model": {"name": "embedded:smollm2"},
    "train": {"learning_rate": 2e-4},
}


@pytest.fixture(autouse=True)
def single_process(monkeypatch):
    for var in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)


def _run(tmp_path, name="r1"):
    return RunLog(tmp_path / "runs" / name, tmp_path / "runs" / "runs.db")


def test_start_log_finish_writes_files_and_tables(tmp_path):
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit="abc123", dataset_fingerprint="fp1", data_report={"rows": 10})
    rl.log(1, loss=2.5, learning_rate=1e-4, grad_norm=0.5, epoch=0.1)
    rl.log(2, loss=2.0, learning_rate=1e-4)
    rl.log(2, eval_loss=1.9)
    rl.finish(wall_time_s=12.5, tokens_per_s=100.0, peak_memory_mb=512.0, val_loss=1.9, backend="hf")

    d = tmp_path / "runs" / "r1"
    assert yaml.safe_load((d / "config.yaml").read_text()) == CONFIG
    lines = [json.loads(x) for x in (d / "metrics.jsonl").read_text().splitlines()]
    assert [(x["step"], x["kind"]) for x in lines] == [(1, "train"), (2, "train"), (2, "eval")]
    assert lines[0]["train_loss"] == 2.5 and "loss" not in lines[0]
    assert lines[2]["eval_ppl"] == pytest.approx(math.exp(1.9))
    summary = json.loads((d / "summary.json").read_text())
    assert summary["status"] == "complete" and summary["git_commit"] == "abc123"
    assert summary["dataset_fingerprint"] == "fp1" and summary["data_report"] == {"rows": 10}
    assert summary["val_ppl"] == pytest.approx(math.exp(1.9))
    assert summary["final_train_loss"] == 2.0 and summary["final_eval_loss"] == 1.9
    assert summary["wall_time_s"] == 12.5 and summary["finished"]

    db = sqlite_utils.Database(tmp_path / "runs" / "runs.db")
    (row,) = list(db["runs"].rows)
    assert row["run_name"] == "r1" and row["status"] == "complete" and row["git_commit"] == "abc123"
    assert json.loads(row["config_json"]) == CONFIG
    assert row["tokens_per_s"] == 100.0 and row["peak_memory_mb"] == 512.0 and row["backend"] == "hf"
    assert row["val_ppl"] == pytest.approx(math.exp(1.9))
    metrics = list(db["metrics"].rows_where(order_by="step, kind"))
    assert [(m["step"], m["kind"]) for m in metrics] == [(1, "train"), (2, "eval"), (2, "train")]


def test_resumed_run_continues_the_same_row(tmp_path):
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit="abc", dataset_fingerprint="fp", data_report={})
    rl.log(1, loss=3.0)
    rl.log(2, loss=2.8)  # the process dies here, after a checkpoint at step 1
    started = json.loads((rl.run_dir / "summary.json").read_text())["started"]

    rl2 = _run(tmp_path)
    rl2.start(CONFIG, git_commit="abc", dataset_fingerprint="fp", data_report={})
    db = sqlite_utils.Database(tmp_path / "runs" / "runs.db")
    (row,) = list(db["runs"].rows)
    assert row["status"] == "running" and row["resumes"] == 1 and row["started"] == started
    rl2.log(2, loss=2.7)  # step 2 again after the resume: overwrites, no duplicate row
    rl2.log(3, loss=2.5)
    rl2.finish(wall_time_s=1.0)

    (row,) = list(db["runs"].rows)
    assert row["status"] == "complete" and row["resumes"] == 1
    steps = [(m["step"], m["train_loss"]) for m in db["metrics"].rows_where(order_by="step")]
    assert steps == [(1, 3.0), (2, 2.7), (3, 2.5)]


def test_dpo_losses_get_no_perplexity_and_unknown_statuses_are_refused(tmp_path):
    rl = RunLog(tmp_path / "runs" / "d", tmp_path / "runs" / "runs.db", perplexity=False)
    rl.start(CONFIG, git_commit=None, dataset_fingerprint="fp", data_report={}, val_fingerprint="v1")
    rl.log(2, eval_loss=0.69)
    with pytest.raises(ValueError, match="status 'finished' is not one of"):
        rl.finish(status="finished")
    rl.finish(status="interrupted", val_loss=0.69)
    summary = json.loads((rl.run_dir / "summary.json").read_text())
    assert "val_ppl" not in summary and summary["status"] == "interrupted" and summary["val_fingerprint"] == "v1"
    assert "eval_ppl" not in (rl.run_dir / "metrics.jsonl").read_text()


def test_failed_run_is_marked(tmp_path):
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit=None, dataset_fingerprint="fp", data_report={})
    rl.finish(status="failed", error="RuntimeError('boom')")
    row = next(sqlite_utils.Database(tmp_path / "runs" / "runs.db")["runs"].rows)
    assert row["status"] == "failed" and "boom" in row["error"]


@pytest.mark.parametrize("var", ["RANK", "LOCAL_RANK"])
def test_non_main_rank_writes_nothing(tmp_path, monkeypatch, var):
    monkeypatch.setenv(var, "1")
    assert not is_main_process()
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit="abc", dataset_fingerprint="fp", data_report={})
    rl.log(1, loss=1.0)
    rl.note(x=1)
    rl.finish(wall_time_s=1.0)
    assert not (tmp_path / "runs").exists()


def test_rank_zero_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("LOCAL_RANK", "0")
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit="abc", dataset_fingerprint="fp", data_report={})
    assert (rl.run_dir / "summary.json").is_file()


def test_git_commit_is_a_hash_or_none():
    commit = git_commit()
    assert commit is None or (len(commit) == 40 and int(commit, 16) >= 0)


@pytest.mark.training
def test_callback_logs_train_eval_once_and_notes_the_end_line(tmp_path):
    pytest.importorskip("transformers")
    rl = _run(tmp_path)
    rl.start(CONFIG, git_commit="abc", dataset_fingerprint="fp", data_report={})
    cb = make_callback(rl)
    state = SimpleNamespace(global_step=0, is_world_process_zero=True)
    state.global_step = 2
    cb.on_log(None, state, None, logs={"loss": 2.0, "learning_rate": 1e-3})
    cb.on_log(None, state, None, logs={"eval_loss": 1.5, "eval_runtime": 0.1})
    cb.on_evaluate(None, state, None, metrics={"eval_loss": 1.5, "eval_runtime": 0.1})  # already logged
    state.global_step = 4
    cb.on_evaluate(None, state, None, metrics={"eval_loss": 1.4})  # only via on_evaluate
    cb.on_log(None, state, None, logs={"train_runtime": 3.0, "train_loss": 1.8, "total_flos": 1.0})
    rl.finish(wall_time_s=3.0)

    lines = [json.loads(x) for x in rl.metrics_path.read_text().splitlines()]
    assert [(x["step"], x["kind"]) for x in lines] == [(2, "train"), (2, "eval"), (4, "eval")]
    summary = json.loads(rl.summary_path.read_text())
    assert summary["train_runtime"] == 3.0 and summary["train_loss_mean"] == 1.8
    assert summary["final_eval_loss"] == 1.4
