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


def make_run(tmp_path, name, fingerprint="fp", losses=(3.0, 2.5, 2.0), val_fingerprint=None, source="s1",
             **changes):
    cfg = copy.deepcopy(BASE)
    cfg["run_name"] = name
    cfg["output_dir"] = f"runs/{name}"
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        cfg[section][key] = value
    rl = RunLog(tmp_path / "runs" / name, tmp_path / "runs" / "runs.db")
    rl.start(cfg, git_commit="abc", dataset_fingerprint=fingerprint, data_report={},
             val_fingerprint=val_fingerprint, data_source={"file": "x.jsonl", "sha256": source} if source else None)
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


def test_a_data_setting_and_the_fingerprint_it_changes_count_once(tmp_path, capsys):
    """data.max_rows changes the data, hence its fingerprint: ONE difference, not two."""
    a = make_run(tmp_path, "a", fingerprint="fp-5k", val_fingerprint="v-5k")
    b = make_run(tmp_path, "b", fingerprint="fp-10k", val_fingerprint="v-10k", data__max_rows=10000)
    runs = [compare.Run(a), compare.Run(b)]
    assert list(compare.differing_settings(runs)) == ["data.max_rows"]
    assert compare.main([str(a), str(b), "--out", str(tmp_path / "c.png"), "--strict"]) == 0
    text = capsys.readouterr().out
    assert "WARNING" not in text and "data (fingerprint), follows" in text
    # different validation sets: said plainly, because the val losses measure different data
    assert "note: the runs were validated on different validation sets (v-5k, v-10k)" in text


def test_seed_the_data_files_content_and_an_unexplained_fingerprint_count_as_settings(tmp_path, capsys):
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", source="s2", fingerprint="other")  # the data file was edited in place
    diff = compare.differing_settings([compare.Run(a), compare.Run(b)])
    assert list(diff) == ["data.source (content)"]
    cfg_b = b / "config.yaml"
    cfg_b.write_text(cfg_b.read_text().replace("seed: 42", "seed: 7"))
    diff = compare.differing_settings([compare.Run(a), compare.Run(b)])
    assert set(diff) == {"data.source (content)", "seed"}
    assert compare.attribution_warning(diff).startswith("WARNING: these runs differ in 2 settings")
    # runs recorded before the source hash existed: the fingerprint is the only evidence, so it counts
    c = make_run(tmp_path, "c", source=None)
    d = make_run(tmp_path, "d", source=None, fingerprint="other")
    assert list(compare.differing_settings([compare.Run(c), compare.Run(d)])) == ["data (fingerprint)"]
    # same validation set: no note
    assert compare.validation_note([compare.Run(a), compare.Run(a)]) is None


def test_run_names_resolve_through_the_runs_table(tmp_path, capsys):
    make_run(tmp_path, "a")
    make_run(tmp_path, "b", train__learning_rate=1e-4)
    out = tmp_path / "c.png"
    db = tmp_path / "runs" / "runs.db"
    assert compare.main(["a", "b", "--db", str(db), "--out", str(out)]) == 0
    assert out.is_file()
    assert compare.main(["zzz", "--db", str(db), "--out", str(out)]) == 2
    assert "error: no run folder or run named 'zzz'" in capsys.readouterr().err


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
