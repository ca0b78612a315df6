"""Students at once on the batching backend (llama.cpp's server engine): nobody waits in line.

Runs when the app's default model answers several at once, as in `make test-browser-batched`
(TUTOR_MODEL=smollm2-135m-class, 8 slots); with the one-at-a-time default it is skipped and
test_concurrency_browser.py checks the queue and the arrival order instead.

    TUTOR_MODEL=smollm2-135m-class .venv/bin/python -m pytest tests/browser/test_batched_browser.py -s
"""

from __future__ import annotations

import pytest

from tests.browser.students import check_answers, close_round, fifo_orders, make_students, run_round, summarize
from tutor.config import get_settings
from tutor.models import load_registry

pytestmark = [pytest.mark.browser, pytest.mark.model]


def default_slots() -> int:
    """Answers the app's default model writes at once (what TUTOR_MODEL or the registry picks)."""
    settings = get_settings()
    registry = load_registry(settings)
    spec = registry.get(settings.model_override or registry.default)
    return 1 if spec.backend == "llamacpp" else (spec.parallel or 8)


def test_three_students_are_answered_at_once(app, browser):
    if default_slots() < 3:
        pytest.skip("the default model answers one at a time (run with TUTOR_MODEL=smollm2-135m-class)")
    # essays on the Hint page (up to 120 tokens): long enough that one-at-a-time would make them queue
    students = make_students(3, long=True)
    try:
        run_round(app, browser, students, mode="hint", stagger_s=0.2, timeout_s=1500, shots="batched")
    finally:
        close_round(students)
    summary = summarize(students)
    for row in summary.get("per_student", []):
        print(f"  {row}")
    problems = check_answers(students)
    assert not problems, "\n".join(problems)
    assert summary["completed"] == 3
    assert [s.positions for s in students] == [[], [], []], "a student saw the queue with free slots"
    # the answers were written at the same time: every one started before any one ended
    started = [s.db["messages"][1]["created_at"] for s in students]
    ended = [s.db["messages"][1]["updated_at"] for s in students]
    submit, arrival, end = fifo_orders(students)
    assert max(started) < min(ended), f"answers did not overlap: arrived {arrival}, finished {end}"
