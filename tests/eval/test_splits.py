"""Held-out splits: fixed by the text alone, about a tenth, and disjoint from what training keeps."""

from __future__ import annotations

import pytest

from tutor.eval import splits


def test_heldout_is_decided_by_text_alone():
    texts = [f"problem number {i}" for i in range(2000)]
    held = [t for t in texts if splits.is_heldout(t)]
    assert 150 < len(held) < 250  # about one in ten
    assert all(splits.is_heldout(t.upper() + "  ") for t in held)  # case and spacing do not matter


def test_gsm8k_truth():
    assert splits.gsm8k_truth("48/2 = 24\n#### 1,072") == "1072"


@pytest.mark.skipif(not splits.GSM8K_FILE.exists(), reason="../shared/data is not beside the repo")
def test_shared_gsm8k_split():
    rows = splits.heldout_gsm8k(100)
    assert len(rows) == 100 and all(splits.is_heldout(r["question"]) for r in rows)
    assert rows == splits.heldout_gsm8k(100)  # stable
    assert all(r["truth"].replace(".", "").lstrip("-").isdigit() for r in rows)


@pytest.mark.skipif(not splits.CHATDOCTOR_FILE.exists(), reason="../shared/data is not beside the repo")
def test_shared_chatdoctor_split():
    rows = splits.heldout_chatdoctor(40)
    assert len(rows) == 40 and all(r["reference"] and r["question"] for r in rows)
    assert not any("chatdoctor" in r["reference"].lower() for r in rows)
