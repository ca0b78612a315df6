"""tutor.tutoring without the model: shaping hints into whole sentences, final-answer lines."""

from __future__ import annotations

import re

import pytest

from tutor.shaping import FINAL_ANSWER, Shaper, final_answer_tail


def feed_all(shaper: Shaper, text: str, step: int) -> str:
    out = "".join(shaper.feed(text[i : i + step]) for i in range(0, len(text), step))
    return out + shaper.finish()


@pytest.mark.parametrize("step", [1, 3, 1000])
def test_hint_shaper_keeps_two_sentences_and_ends_with_one_question(step):
    text = "Find what is asked. Then list the facts. Then multiply everything and"
    shaper = Shaper(2, "Which calculation comes first?")
    assert (
        feed_all(shaper, text, step)
        == "Find what is asked. Then list the facts. Which calculation comes first?"
    )
    assert shaper.done


@pytest.mark.parametrize("step", [1, 7, 1000])
def test_a_question_ends_the_hint(step):
    shaper = Shaper(2, "Fallback?")
    out = feed_all(shaper, "What does the problem ask for? Then we add 48 and 24 to get", step)
    assert out == "What does the problem ask for?"


def test_unfinished_sentence_is_dropped_not_shown_cut():
    shaper = Shaper(None)
    assert (
        feed_all(shaper, "The method isolates x. Then we divide both sides by", 4) == "The method isolates x."
    )
    kept = Shaper(None, keep_partial=True)
    assert feed_all(kept, "One. Two then", 4) == "One. Two then"


def test_dropped_sentences_and_empty_model_text():
    shaper = Shaper(2, "What do you notice?", drop=re.compile("final answer", re.I))
    assert (
        feed_all(shaper, "The final answer is 5. Look at both sides.", 2)
        == "Look at both sides. What do you notice?"
    )
    assert feed_all(Shaper(2, "Where do you start?"), "", 1) == "Where do you start?"


def test_line_breaks_end_sentences():
    shaper = Shaper(2, "Next?")
    assert feed_all(shaper, "Step one\nStep two\nStep three", 1) == "Step one\nStep two\nNext?"


def test_final_answer_tail():
    assert final_answer_tail("So she has 72 clips.") == f"\n\n{FINAL_ANSWER} 72"
    assert final_answer_tail("x = -3/4\n") == f"\n{FINAL_ANSWER} -3/4"
    assert final_answer_tail(f"Work.\n{FINAL_ANSWER} 9") == ""
    assert final_answer_tail("I am not sure.") == f"\n\n{FINAL_ANSWER} (the model did not state one)"


def test_the_models_note_beside_checked_steps_has_no_math():
    from tutor.shaping import no_math_filter

    note = no_math_filter()
    text = "Differentiate term by term with the power rule. The answer is x^4 + 3. It is 5. Easy."
    out = "".join(note.feed(text[i : i + 5]) for i in range(0, len(text), 5)) + note.finish()
    assert out == "Differentiate term by term with the power rule. Easy."
    assert note.tripped and len(note.dropped) == 2
    note = no_math_filter()
    out = note.feed("Substitute one equation into the other.\n\nFor this problem:\n\n") + note.finish()
    assert out.strip() == "Substitute one equation into the other."  # nothing left to introduce


def test_the_note_may_not_name_mathematics_the_checked_work_does_not_contain():
    from tutor.pedagogy import analyse
    from tutor.shaping import no_math_filter

    solution = analyse("Find the derivative of x^3 + 2x")
    note = no_math_filter(solution)
    text = (
        "This result can be understood by considering the behavior of a cubic polynomial, which in "
        "this case involves an exponential function with a non-zero base. Differentiate each term "
        "on its own. Think of the area under the curve. Use the sum rule, then the power rule."
    )
    out = note.feed(text) + note.finish()
    assert "exponential" not in out and "area under" not in out
    assert "Differentiate each term on its own." in out and "power rule" in out
    assert any("exponential" in r for r in note.reasons)
    trig = analyse("Find the derivative of sin(x) * x")
    assert trig is not None
    kept = no_math_filter(trig)
    line = "The product rule fits, since sine is multiplied by another function."
    assert kept.feed(line) + kept.finish() == line


def test_vocabulary_names_only_what_the_checked_work_contains():
    from tutor.pedagogy.vocabulary import foreign_term

    assert foreign_term("an exponential function", "d/dx (x^3 + 2x) power rule") == "exponential"
    assert foreign_term("take the natural log of both sides", "2^x = 8") == "natural log"
    assert foreign_term("take the natural log of both sides", "ln(x) = 2") is None
    assert foreign_term("use the power rule", "d/dx (x^3 + 2x)") is None
    assert foreign_term("the limit as x approaches 2", "lim x->2 (x^2 - 4)/(x - 2)") is None
    assert foreign_term("integrate both sides", "3x + 5 = 20 linear") == "integrate"




def test_the_models_chatter_about_itself_is_not_shown_beside_checked_math():
    from tutor.shaping import Shaper
    from tutor.tutoring import _NO_RESULTS

    shaper = Shaper(3, drop=_NO_RESULTS)
    text = "You're right, I'll make sure to be clearer. Undo each operation in turn. Happy to help!"
    assert (shaper.feed(text) + shaper.finish()).strip() == "Undo each operation in turn."
