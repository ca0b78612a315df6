"""The evaluation's scorer on answers whose right measures are known."""

from __future__ import annotations

import pytest

from tutor.eval import score
from tutor.shaping import CHECKED_LABEL, NOT_CHECKED_LABEL


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1. Add.\n**Final answer:** $x = 5$", "$x = 5$"),
        ("Final answer: 72", "72"),
        ("**Final Answer**: 18 dollars", "18 dollars"),
        ("final answer: 3\nthen\nFinal answer: 4", "4"),  # the last one counts
        ("The answer is 5", None),
        ("**Final answer:**", None),
    ],
)
def test_final_answer(text, expected):
    assert score.final_answer(text) == expected


@pytest.mark.parametrize(
    "final, truth, ok",
    [("72", "72", True), ("$1,250.50", "1250.5", True), ("x = 18 dollars", "18", True), ("17", "18", False),
     (None, "3", False), ("about -4", "-4", True), ("0.5", "1", False)],
)  # fmt: skip
def test_number_correct(final, truth, ok):
    assert score.number_correct(final, truth) is ok


def test_labels():
    assert score.label(CHECKED_LABEL + "\n\nSubtract 5.") == "checked"
    assert score.label(NOT_CHECKED_LABEL + "\n\nHmm.") == "not_checked"
    assert score.label("Plain answer") is None
    assert score.strip_label(CHECKED_LABEL + "\n\nSubtract 5.") == "Subtract 5."


def test_hint_measures_on_a_word_problem():
    q = "Natalia sold clips to 48 of her friends in April, and then she sold half as many in May. How many altogether?"
    good = NOT_CHECKED_LABEL + "\n\nFirst find how many she sold in May. What is half of 48?"
    m = score.hint_measures(good, q, "72", None)
    assert m == {
        "leak": False,
        "cut": False,
        "ends_question": True,
        "questions": 1,
        "words": 13,
        "sentences": 2,
    }
    leaky = "She sold 24 in May, so 72 in all. Can you check?"
    assert score.hint_measures(leaky, q, "72", None)["leak"] is True
    cut = "Start by working out how many she sold in"
    m = score.hint_measures(cut, q, "72", None)
    assert m["cut"] is True and m["ends_question"] is False
    # a number from the question only leaks when stated as the result
    q2 = "Tom has 5 apples and eats 0. How many are left?"
    assert not score.hint_measures("Look at the 5 apples. What changes?", q2, "5", None)["leak"]
    assert score.hint_measures("So the total is 5. Right?", q2, "5", None)["leak"]


@pytest.mark.parametrize(
    "candidate, reference, expected",
    [  # values from rouge-score 0.1.2 (RougeScorer(['rougeL']), no stemmer)
        ("The patient has a fever and a cough, likely viral.",
         "Fever and cough are most likely a viral infection.", 0.5263157894736842),
        ("Take rest.", "You should rest and drink fluids, and see a doctor if it gets worse.", 0.125),
        ("a b c d", "x y z", 0.0),
        ("", "x", 0.0),
    ],
)  # fmt: skip
def test_rouge_l_matches_rouge_score(candidate, reference, expected):
    assert score.rouge_l(candidate, reference) == pytest.approx(expected)


def test_echo():
    q = "Hi doctor, I have had a headache for three days and my neck feels stiff when I wake up."
    assert score.echo(
        "Hi doctor I have had a headache for three days and my neck is stiff. It could be...", q
    )
    assert not score.echo("**Presentation:** three days of headache with neck stiffness on waking.", q)


def test_medical_measures():
    text = (
        "**Urgent: your question mentions chest pain.** Call your local emergency number now.\n\n"
        "**Presentation:** ...\n**Differential:** ...\n\n_For education only — not medical advice._"
    )
    m = score.medical_measures(text, "my chest hurts")
    assert m["urgent_first"] and m["notice"] and m["headings"] == 2 and not m["echo"]
    assert not score.medical_measures("**Presentation:** focal seizures...", "x")["urgent_first"]


def test_answer_stated_for_solved_problems():
    from tutor.pedagogy import analyse

    frac = analyse("Calculate 3/6 + 1/5")
    q = "Calculate 3/6 + 1/5"
    assert not score.answer_stated(r"That gives $\frac{15}{30} + \frac{6}{30}$. What next?", q, "7/10", frac)
    assert score.answer_stated(r"So it is $\frac{7}{10}$.", q, "7/10", frac)
    assert score.answer_stated("It is 0.7 in the end.", q, "7/10", frac)
    lin = analyse("Solve 2x = 4")
    assert not score.answer_stated("Divide both sides by 2.", "Solve 2x = 4", "x = 2", lin)
    assert score.answer_stated("So x is 2.", "Solve 2x = 4", "x = 2", lin)
    der = analyse("differentiate x^3 + 2x")
    assert score.answer_stated("The derivative is $2 + 3x^2$.", "q", der.answer.text, der)
    assert not score.answer_stated(r"Use $\frac{d}{dx}(x^3) + \frac{d}{dx}(2x)$.", "q", der.answer.text, der)


def test_wrong_results_in_an_explanation():
    from tutor.pedagogy import analyse

    sol = analyse("Solve 8x - 17 = 71")
    assert score.wrong_results("Add 17 to both sides, so x = 28.", sol) == ["x = 28"]
    assert score.wrong_results("Add 17 to both sides and divide by 8: x = 11.", sol) == []
    assert score.wrong_results("First, 8x = 88 after adding 17.", sol) == []  # a step, not a result
    quad = analyse("Solve x^2 - 5x + 6 = 0")
    assert score.wrong_results("One root is x = 2.", quad) == []  # a true partial result
    assert score.wrong_results("The roots are x = 1 and x = 6.", quad)


def test_an_explanation_on_checked_math_is_scored_on_the_models_words_only():
    from tutor.pedagogy import analyse, render_solution
    from tutor.shaping import CHECK_QUESTION, CHECKED_LABEL, MODEL_NOTE

    sol = analyse("Find the limit of (x^2 - 9)/(x - 3) as x approaches 3")

    def shown(words: str) -> str:
        return (
            f"{CHECKED_LABEL}\n\n**The idea:** {sol.method}\n\n{render_solution(sol)}"
            f"{MODEL_NOTE}{words}\n\n{CHECK_QUESTION} What happens if you substitute x = 3?"
        )

    # the solver's steps ("substituting x = 3 gives 0/0") and the closing question state no result
    assert score.wrong_results(shown("Factor, cancel, then substitute."), sol) == []
    assert score.wrong_results(shown("So the limit is 3."), sol) == ["3"]
    assert score.wrong_results(f"{CHECKED_LABEL}\n\n**The idea:** {sol.method}\n\n{render_solution(sol)}", sol) == []


def test_leaks_count_partial_answers_and_number_words():
    from tutor.pedagogy import analyse

    quad = analyse("Solve x^2 - 5x + 6 = 0")
    assert score.answer_stated("One of the roots is x = 3.", "Solve x^2 - 5x + 6 = 0", quad.answer.text, quad)
    q = "Natalia sold 48 clips in April and half as many in May. How many altogether?"
    assert score.answer_stated("That makes seventy-two clips.", q, "72", None)


def test_the_standing_notice_is_not_urgent_advice():
    from tutor.medical.advice import NOTICE

    text = "**Presentation:** angina on exertion.\n\n_" + NOTICE + "_"
    assert not score.medical_measures(text, "What is stable angina?")["urgent_first"]


def test_last_number_text():
    assert score.last_number_text("She has 12 now, then 30 more: 42 in all.") == "42"
    assert score.last_number_text("no numbers") is None


def test_truth_correct_against_a_teachers_answer():
    assert score.truth_correct("$x = 5$", "x = 5")
    assert score.truth_correct("x=-2 or x=3", "x = -2 or x = 3")
    assert score.truth_correct("$x > 4$", "x > 4")
    assert not score.truth_correct("7", "8") and not score.truth_correct(None, "8")


def test_the_blind_math_set_keeps_a_solver_reading_only_when_it_agrees():
    from tutor.eval import sets

    items = sets.math(per_kind=1)
    assert len(items) == 12 and {i.kind for i in items} == set(sets_kinds())
    for item in items:
        if item.solution is not None:
            from tutor.pedagogy import matches_answer

            assert matches_answer(item.truth, item.solution.answer, item.solution.problem.kind)


def sets_kinds():
    from tutor.pedagogy import KINDS

    return KINDS


def test_a_limits_approach_point_and_everyday_counts_are_not_leaks():
    from tutor.pedagogy import analyse

    lim = analyse("lim(x->0)(1-cos(x))/x")  # the limit is 0, and x goes to 0
    where = "Find the value it gets close to as $x$ approaches $0$. What if you substitute $x = 0$?"
    assert not score.answer_stated(where, "lim(x->0)(1-cos(x))/x", "0", lim)
    assert score.answer_stated("So the limit is $0$.", "lim(x->0)(1-cos(x))/x", "0", lim)
    assert score.answer_stated("As $x \\to 0$ the limit is 0.", "lim(x->0)(1-cos(x))/x", "0", lim)
    story = "The shop sold 10 bikes and bought 15, over the three days. What is the net change?"
    assert not score.answer_stated("It asks for the change over three days.", story, "3", None)  # given
    assert score.answer_stated("The net change is 3.", story, "3", None)
    cakes = "14 cupcakes and 12 donut holes are shared by 13 students. How many does each get?"
    assert not score.answer_stated("Which two numbers can you combine first?", cakes, "2", None)
    assert score.answer_stated("So each student gets 2.", cakes, "2", None)
