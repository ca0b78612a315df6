"""Two, then eight students at once, each in their own browser context, one app, the real model.

Each asks for an essay on the Hint page and gets their own complete answer; no page shows another student's question or answer;
the later ones see "You are number N in the queue"; the stored answers finish in the order
they entered the engine's queue (its arrival numbers, stored with each answer). The eight-student round is slow (make test-all).

    .venv/bin/python -m pytest tests/browser/test_concurrency_browser.py -s --run-slow
"""

from __future__ import annotations

import pytest

from tests.browser.students import check_round, close_round, fifo_orders, make_students, run_round, summarize

pytestmark = [pytest.mark.browser, pytest.mark.model]


def _round(app, browser, n: int, label: str) -> dict:
    # essays on the Hint page: the model writes up to max_tokens (120), over a second even on idle
    # cores, so students submitting 0.2 s apart arrive while another is being answered and queue
    students = make_students(n, long=True)
    try:
        run_round(app, browser, students, mode="hint", stagger_s=0.2, timeout_s=1500, shots=label)
    finally:
        close_round(students)
    summary = summarize(students)
    submit, arrival, end = fifo_orders(students)
    print(f"{label}: submitted {submit}\n  arrived {arrival}\n  finished {end}")
    for row in summary["per_student"]:
        print(f"  {row}")
    problems = check_round(students)
    assert not problems, "\n".join(problems)
    # the queue was visible to someone while another answer was being written
    assert summary["max_queue_position_seen"] >= 1, summary
    return summary


def test_two_students_at_once(app, browser):
    summary = _round(app, browser, 2, "two")
    assert summary["completed"] == 2


@pytest.mark.slow
def test_eight_students_at_once(app, browser):
    summary = _round(app, browser, 8, "eight")
    assert summary["completed"] == 8
    assert summary["max_queue_position_seen"] >= 2  # someone waited behind at least two others
