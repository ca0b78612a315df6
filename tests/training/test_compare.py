"""compare: the differing settings, the multi-setting warning, the PNG."""

from __future__ import annotations

import copy

import pytest

from training import compare
from training.runlog import RunLog

BASE = {
    "run_name": "a",
    "seed": 42,
    "output_dir": "runs/a",
    "model": {"name": "embedded:smollm2"},
    "data": {"source": "x.jsonl", "max_rows": 5000},
    "train": {"learning_rate": 2e-4, "max_steps": 3},
}


@pytest.fixture(autouse=True)
def single_process(monkeypatch):
    for var in ("RANK", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)


def make_run(tmp_path, name, fingerprint="fp", losses=(3.0, 2.5, 2.0), **changes):
    cfg = copy.deepcopy(BASE)
    cfg["run_name"] = name
    cfg["output_dir"] = f"runs/{name}"
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        cfg[section][key] = value
    rl = RunLog(tmp_path / "runs" / name, tmp_path / "runs" / "runs.db")
    rl.start(cfg, git_commit="abc", dataset_fingerprint=fingerprint, data_report={})
    for step, loss in enumerate(losses, 1):
        rl.log(step, loss=loss)
    rl.log(len(losses), eval_loss=losses[-1] + 0.1)
    rl.finish(wall_time_s=10.0, tokens_per_s=50.0, peak_memory_mb=100.0, val_loss=losses[-1] + 0.1)
    return rl.run_dir


def test_one_setting_differs(tmp_path, capsys):
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", losses=(3.0, 2.2, 1.8), train__learning_rate=5e-5)
    out = tmp_path / "cmp.png"
    assert compare.main([str(a), str(b), "--out", str(out), "--strict"]) == 0
    text = capsys.readouterr().out
    assert "train.learning_rate" in text and "WARNING" not in text
    assert "run_name" not in text.split("--")[0].split("setting", 1)[1]  # ignored key
    assert "val_ppl" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_settings_differ_warns(tmp_path, capsys):
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", train__learning_rate=5e-5, data__max_rows=10000)
    out = tmp_path / "cmp.png"
    assert compare.main([str(a), str(b), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert (
        "these runs differ in 2 settings (data.max_rows, train.learning_rate): "
        "the comparison cannot attribute a difference to either"
    ) in text
    assert out.is_file()
    assert compare.main([str(a), str(b), "--out", str(out), "--strict"]) == 3


def test_seed_and_data_fingerprint_count_as_settings(tmp_path):
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", fingerprint="other")
    runs = [compare.Run(a), compare.Run(b)]
    assert list(compare.differing_settings(runs)) == ["data (fingerprint)"]
    cfg_b = b / "config.yaml"
    cfg_b.write_text(cfg_b.read_text().replace("seed: 42", "seed: 7"))
    diff = compare.differing_settings([compare.Run(a), compare.Run(b)])
    assert set(diff) == {"data (fingerprint)", "seed"}
    assert compare.attribution_warning(diff).startswith("WARNING: these runs differ in 2 settings")


def test_run_names_resolve_through_the_runs_table(tmp_path, capsys):
    make_run(tmp_path, "a")
    make_run(tmp_path, "b", train__learning_rate=1e-4)
    out = tmp_path / "c.png"
    db = tmp_path / "runs" / "runs.db"
    assert compare.main(["a", "b", "--db", str(db), "--out", str(out)]) == 0
    assert out.is_file()
    with pytest.raises(SystemExit, match="no run folder or run named 'zzz'"):
        compare.main(["zzz", "--db", str(db), "--out", str(out)])


def test_resumed_metrics_keep_the_last_value(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    (d / "metrics.jsonl").write_text(
        '{"step": 1, "kind": "train", "train_loss": 3}\n'
        '{"step": 2, "kind": "train", "train_loss": 9}\n'
        '{"step": 2, "kind": "train", "train_loss": 2}\n{"step": 3, "kin'
    )
    run = compare.Run(d)
    assert run.curve("train_loss") == ([1, 2], [3, 2])
