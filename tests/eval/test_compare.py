"""tutor.eval.compare: the README's model table from result files (known summaries in, known cells out)."""

from __future__ import annotations

import json

import pytest

from tutor.eval import compare


def _write(tmp_path, name, summary, checks=False, model="m"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"model": model, "checks": checks, "summary": summary}), encoding="utf-8")
    return path


ROWS = [
    {
        "set": "symbolic",
        "mode": "step_by_step",
        "group": "all",
        "n": 10,
        "checked": 1.0,
        "seconds": 1.0,
        "accuracy": 1.0,
        "wrong_checked": 0,
    },
    {
        "set": "symbolic",
        "mode": "step_by_step",
        "group": "linear",
        "n": 2,
        "checked": 1.0,
        "seconds": 1.0,
        "accuracy": 0.0,
        "wrong_checked": 5,
    },  # a per-kind row: never read
    {
        "set": "gsm8k",
        "mode": "step_by_step",
        "group": "all",
        "n": 10,
        "checked": 0.0,
        "seconds": 3.0,
        "accuracy": 0.05,
        "wrong_checked": 1,
    },
    {
        "set": "gsm8k",
        "mode": "hint",
        "group": "all",
        "n": 20,
        "checked": 0.0,
        "seconds": 2.0,
        "leak": 0.005,
        "cut": 0.0,
        "ends_question": 1.0,
        "words": 31.4,
    },
]


def test_a_row_has_each_measure_from_the_all_group(tmp_path):
    out = compare.table([_write(tmp_path, "a", ROWS, checks=True, model="tutor-x")])
    head, _, row = out.splitlines()
    cells = dict(
        zip([c.strip() for c in head.strip("|").split("|")], [c.strip() for c in row.strip("|").split("|")])
    )
    assert cells["model"] == "`tutor-x`" and cells["checks"] == "yes" and cells["answers"] == "40"
    assert cells["step acc. symbolic"] == "100 %" and cells["step acc. GSM8K"] == "5.0 %"
    assert cells["wrong ✓"] == "1"  # summed over the sets' "all" rows, not the per-kind one
    assert cells["hint leak (sym / GSM8K)"] == "– / 0.5 %"
    assert cells["hint ends in ?"] == "– / 100 %" and cells["hint words"] == "– / 31"
    assert cells["step acc. teacher's math"] == "–" and cells["medical ROUGE-L"] == "–"
    assert cells["checked"] == "25 %"  # 10 of 40 answers
    assert cells["s/answer"] == "2.0"  # (10*1 + 10*3 + 20*2) / 40


def test_medical_columns_only(tmp_path):
    med = [
        {
            "set": "medical",
            "mode": "medical",
            "group": "all",
            "n": 4,
            "checked": 0.0,
            "seconds": 9.0,
            "rouge_l": 0.0813,
            "echo": 0.25,
            "notice": 1.0,
        }
    ]
    out = compare.table([_write(tmp_path, "m", med)], "medical")
    assert out.splitlines()[0].count("|") == 9 and "0.081 | 25 % | 100 %" in out


def test_a_file_that_is_not_a_result_says_so(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit, match="not a readable evaluation result"):
        compare.table([bad])
    assert compare.main([str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
