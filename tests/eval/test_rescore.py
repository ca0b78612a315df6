"""Stored evaluation records are scored again with today's scorer (no model)."""

from __future__ import annotations

import json

from tutor.eval.rescore import rescore


def test_rescore_rewrites_records_and_summary(tmp_path):
    records = [
        {"id": "gsm8k-000", "set": "gsm8k", "question": "Tom has 40 and gets 2 more. How many?", "kind": "word",
         "truth": "42", "mode": "step_by_step", "checks": False, "text": "40 + 2 = 42 so he has 42", "seconds": 1.0,
         "correct": False},
        {"id": "med-000", "set": "medical", "question": "What is angina?", "reference": "Chest pain from ischaemia.",
         "mode": "medical", "checks": False, "text": "Angina is chest pain from ischaemia.", "seconds": 2.0},
        {"id": "gsm8k-001", "set": "gsm8k", "question": "q", "kind": "word", "truth": "1", "mode": "step_by_step",
         "checks": False, "text": "", "error": "The model failed", "seconds": 0.1},
    ]  # fmt: skip
    path = tmp_path / "eval.json"
    path.write_text(json.dumps({"model": "m", "summary": [], "records": records}))
    summary = rescore(path)
    data = json.loads(path.read_text())
    assert data["rescored"] and data["records"][0]["correct"] is True  # the last number written counts
    assert data["records"][0]["has_final_line"] is False
    assert "correct" not in data["records"][2]  # a failed answer is an error, not a wrong answer
    row = next(r for r in summary if r["set"] == "gsm8k" and r["group"] == "all")
    assert row["accuracy"] == 1.0 and row["errors"] == 1
    med = next(r for r in summary if r["set"] == "medical")
    assert med["rouge_l"] > 0.5
