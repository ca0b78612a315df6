"""training/tutor_data.py and its parts: the tutor data teaches exactly what the app asks.

Built once per module from ../shared/data/gsm8k (skipped where that folder is missing) with
the real app modes, guard and solver: no GSM8K row the evaluation holds out, the step-by-step
answer ends with the app's final-answer line, every hint passes the app's word-problem guard
and never states the final answer (over ALL rows in the slow test), and the DPO pairs are in
the feedback export's format and survive training's pair cleaning unchanged.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from training import tutor_data, word_problems
from training.word_problems import NoHint, hint_ladder, hint_problems, passes_guard, read_row, states_number
from tutor.eval.sets import EVAL_SEED
from tutor.eval.splits import GSM8K_FILE, gsm8k_truth, is_heldout, read_gsm8k
from tutor.model_text import ACTION_TEXT, hint_request
from tutor.pedagogy import render_solution

needs_gsm8k = pytest.mark.skipif(not GSM8K_FILE.is_file(), reason="../shared/data/gsm8k is not here")
FINAL_LINE = re.compile(r"^\*\*Final answer:\*\* (-?\d+(?:\.\d+)?)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not GSM8K_FILE.is_file():
        pytest.skip("../shared/data/gsm8k is not here")
    out = tmp_path_factory.mktemp("tutor")
    report = tutor_data.build(
        out,
        gsm8k=GSM8K_FILE,
        gsm8k_rows_limit=150,
        per_kind=3,
        seed=1,
        eval_per_kind=5,
        tasks=tutor_data.TASKS,
        pairs_per_problem=3,
    )
    sft = [json.loads(line) for line in (out / tutor_data.SFT_FILE).read_text().splitlines()]
    pairs = [json.loads(line) for line in (out / tutor_data.PAIRS_FILE).read_text().splitlines()]
    return out, report, sft, pairs


@pytest.fixture(scope="module")
def modes():
    return tutor_data.load_app_modes()


def _question_of(record) -> str:
    first_user = next(m["content"] for m in record["messages"] if m["role"] == "user")
    return first_user.split("\n\n(Give hint number 1")[0]


def test_counts_and_report(built):
    out, report, sft, pairs = built
    assert report["files"][tutor_data.SFT_FILE]["rows"] == len(sft) and len(pairs) == report["pairs"]["pairs"]
    assert report["gsm8k"]["used"] == 150 and report["gsm8k"]["heldout_skipped"] > 0
    tasks = {f"{r['meta']['source']}/{r['meta']['task']}" for r in sft}
    assert tasks == {
        "gsm8k/steps",
        "gsm8k/hints",
        "symbolic/steps",
        "symbolic/hints",
        "symbolic/explain",
        "symbolic/method",
    }
    assert sum(report["gsm8k"]["dropped"].values()) == 150 - report["gsm8k"]["hint_ladders"]
    assert json.loads((out / tutor_data.REPORT_FILE).read_text())["by_task"] == report["by_task"]


def test_no_heldout_gsm8k_row_is_used(built):
    _, _, sft, pairs = built
    questions = [_question_of(r) for r in sft if r["meta"]["source"] == "gsm8k"]
    questions += [p["prompt"][1]["content"].split("\n\n(Give hint number 1")[0] for p in pairs]
    assert len(questions) > 200
    assert not any(is_heldout(q) for q in questions)
    heldout = {" ".join(r["question"].split()) for r in read_gsm8k() if is_heldout(r["question"])}
    assert not heldout & set(questions)


def test_every_conversation_starts_with_the_app_modes_instructions(built, modes):
    _, _, sft, pairs = built
    want = {"steps": "step_by_step", "hints": "hint", "explain": "explain", "method": "step_by_step"}
    for r in sft:
        assert r["messages"][0] == {"role": "system", "content": modes[want[r["meta"]["task"]]].instructions}
        assert [m["role"] for m in r["messages"][1:]] == ["user", "assistant"] * (
            (len(r["messages"]) - 1) // 2
        )
    assert all(p["prompt"][0]["content"] == modes["hint"].instructions for p in pairs)


def test_gsm8k_steps_are_numbered_and_end_with_the_apps_final_answer_line(built):
    _, _, sft, _ = built
    truth = {" ".join(r["question"].split()): gsm8k_truth(r["answer"]) for r in read_gsm8k()}
    steps = [r for r in sft if r["meta"]["source"] == "gsm8k" and r["meta"]["task"] == "steps"]
    assert steps
    for r in steps:
        lines = r["messages"][-1]["content"].splitlines()
        assert all(re.match(rf"{i}\. \S", line) for i, line in enumerate(lines[:-1], 1)), lines
        m = FINAL_LINE.match(lines[-1])
        assert m and float(m.group(1)) == float(truth[r["messages"][1]["content"]])
        assert "<<" not in r["messages"][-1]["content"] and "####" not in r["messages"][-1]["content"]


def test_gsm8k_hint_turns_are_what_the_app_sends(built):
    _, _, sft, _ = built
    ladders = [r for r in sft if r["meta"]["source"] == "gsm8k" and r["meta"]["task"] == "hints"]
    assert ladders
    for r in ladders:
        q = _question_of(r)
        users = [m["content"] for m in r["messages"] if m["role"] == "user"]
        assert users == [hint_request(q, 1), hint_request(None, 2), hint_request(None, 3)]
        for hint in (m["content"] for m in r["messages"] if m["role"] == "assistant"):
            assert hint.endswith("?") and hint.count("?") == 1, hint
            assert len(re.split(r"(?<=[.!?])\s+", hint)) <= 3, (
                hint
            )  # at most two sentences, then the question
            assert passes_guard(hint, q), hint


def _ladders(rows):
    for row in rows:
        problem = read_row(row)
        hints = hint_ladder(problem) if problem else None
        if problem is not None and not isinstance(hints, NoHint):
            yield problem, hints


def _check_ladder(problem, hints):
    for hint in hints:
        assert passes_guard(hint, problem.question), (problem.question, hint)
        assert not states_number(hint, problem.final), (problem.final, hint)
        assert not hint_problems(hint, problem)


@needs_gsm8k
def test_hints_pass_the_guard_and_never_state_the_answer_on_a_sample():
    rows = [r for r in read_gsm8k() if not is_heldout(r["question"])]
    sample = random.Random(7).sample(rows, 250)
    found = list(_ladders(sample))
    # most problems get a safe ladder (197 of 250): a hint may state no number the question does
    # not give (but 0, 1, 2, ½ and unit facts), so a ladder that needs an intermediate result is dropped
    assert len(found) > 180
    for problem, hints in found:
        _check_ladder(problem, hints)


@pytest.mark.slow
@needs_gsm8k
def test_hints_pass_the_guard_and_never_state_the_answer_over_all_rows():
    """Every GSM8K row the builder may use (6,757 rows, about 2 minutes on 2 busy cores)."""
    rows = [r for r in read_gsm8k() if not is_heldout(r["question"])]
    n = 0
    for problem, hints in _ladders(rows):
        _check_ladder(problem, hints)
        n += 1
    assert n > 5000


def test_symbolic_targets_are_the_solvers_and_never_the_evaluations_problems(built):
    from training.symbolic_data import eval_statements, problems

    _, _, sft, _ = built
    sym = [r for r in sft if r["meta"]["source"] == "symbolic"]
    solutions = {
        s.problem.question or s.problem.statement: s for _, s in problems(3, 1, set()) if s is not None
    }
    in_eval = eval_statements(5)
    seen = 0
    for r in sym:
        users = [m["content"] for m in r["messages"] if m["role"] == "user"]
        answers = [m["content"] for m in r["messages"] if m["role"] == "assistant"]
        if r["meta"]["task"] in ("steps", "hints"):
            solution = solutions[users[0]]
            assert (solution.problem.kind, solution.problem.statement) not in in_eval
            seen += 1
        if r["meta"]["task"] == "steps":
            assert answers == [render_solution(solution).strip()]
        if r["meta"]["task"] == "hints":
            assert users[1:] == [ACTION_TEXT["hint"]] * (len(users) - 1)
            assert answers == list(solution.hints)
        if r["meta"]["task"] == "explain":
            assert "(Checked facts from a solver" in users[0] and "So the result is $" in answers[0]
            assert answers[0].rstrip().endswith("?")
        if r["meta"]["task"] == "method":
            assert "Do not calculate anything" in users[0] and "?" not in answers[0]
    assert seen > 40


def test_the_evaluation_seed_is_refused(capsys):
    from training.symbolic_data import problems

    with pytest.raises(ValueError, match="evaluation's"):
        next(problems(1, EVAL_SEED, set()))
    with pytest.raises(SystemExit):
        tutor_data.main(["--seed", str(EVAL_SEED), "--out", "/tmp/never"])
    assert "evaluation's seed" in capsys.readouterr().err


def test_dpo_pairs_chosen_passes_rejected_leaks_or_rambles(built):
    _, _, _, pairs = built
    assert {p["meta"]["rejected"] for p in pairs} == {"leaks_final", "leaks_last_result", "rambles"}
    assert {p["meta"]["rung"] for p in pairs} == {1, 2, 3}
    for p in pairs:
        q = p["prompt"][1]["content"].split("\n\n(Give hint number 1")[0]
        chosen, rejected = p["chosen"][0]["content"], p["rejected"][0]["content"]
        rung = p["meta"]["rung"]
        assert p["prompt"][-1] == {"role": "user", "content": hint_request(q if rung == 1 else None, rung)}
        assert len(p["prompt"]) == 2 * rung  # system, then the earlier rungs as the app would have them
        assert passes_guard(chosen, q)
        if p["meta"]["rejected"] == "rambles":
            assert "?" not in rejected and len(re.split(r"(?<=[.!?])\s+", rejected)) >= 3
        else:
            assert not passes_guard(rejected, q)


def test_dpo_pairs_round_trip_through_trainings_pair_cleaning(built):
    """The file is read by training.dpo like the app's feedback export: every pair kept, unchanged."""
    from training.formats import detect_format
    from training.pairs import clean_pairs
    from training.sources import load_rows

    out, _, _, pairs = built
    rows = load_rows(str(out / tutor_data.PAIRS_FILE))
    assert all(detect_format(r) == "preference" for r in rows)
    kept, report = clean_pairs(rows)
    assert report.rows_out == len(pairs) and sum(report.dropped.values()) == 0
    assert kept == [{k: p[k] for k in ("prompt", "chosen", "rejected")} for p in pairs]


def test_sft_rows_survive_trainings_cleaning(built):
    from training.clean import clean

    _, _, sft, _ = built
    convs, report = clean(sft, fmt="messages")
    assert report.dropped["malformed"] == report.dropped["echo"] == report.dropped["empty"] == 0
    assert len(convs) == len(sft) - report.dropped["duplicate"]


# --------------------------------------------------------------------------- word_problems, by hand
def test_readable_steps_and_final_line():
    problem = read_row(
        {
            "question": "Tom has 3 boxes of 4 pens. How many pens?",
            "answer": "Tom has 3*4=<<3*4=12>>12 pens.\nHe gives 0.5 x 4 = <<0.5*4=2>>2\n#### 1,012",
        }
    )
    assert word_problems.steps_answer(problem) == (
        "1. Tom has 3 × 4 = 12 pens.\n2. He gives 0.5 × 4 = 2\n**Final answer:** 1012"
    )


def test_first_step_and_rung_three_wording():
    calc = word_problems.Calc("48/2", "24")
    assert word_problems.first_step(calc) == word_problems.FirstStep("divide", "48", "2")
    assert word_problems.first_step(word_problems.Calc("(12+2)*3", "42")).op == "add"
    assert word_problems.first_step(word_problems.Calc("80/100*10", "8")) == word_problems.FirstStep(
        "percent", "80", "10"
    )
    q = (
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
        "How many clips did Natalia sell altogether in April and May?"
    )
    problem = read_row(
        {"question": q, "answer": "She sold 48/2 = <<48/2=24>>24.\n48+24=<<48+24=72>>72\n#### 72"}
    )
    hints = hint_ladder(problem)
    assert hints[0].startswith("The question asks how many clips did Natalia sell altogether")
    assert "“half as many clips" in hints[1] and hints[1].endswith("divide?")
    assert (
        hints[2] == "Combine 48 and 2 first: split 48 into 2 equal parts. " + word_problems.RUNG_QUESTIONS[2]
    )
    # what the guard would stop: the result of the first calculation, or the answer
    assert not passes_guard("Divide 48 by 2 to get 24. What next?", q)
    assert "states the final answer" in hint_problems("So the total is 72 clips. Right?", problem)


def test_a_problem_without_a_safe_rung_is_dropped_with_its_reason():
    problem = read_row(
        {
            "question": "A box holds some pens. How many pens are there?",
            "answer": "It holds 17*3=<<17*3=51>>51 pens\n#### 51",
        }
    )
    assert hint_ladder(problem) == NoHint("no safe wording for rung 3")  # 17 and 3: no story numbers
    assert hint_ladder(read_row({"question": "Q?", "answer": "no calculation\n#### 4"})) == NoHint(
        "no calculator annotation to read the first calculation from"
    )
