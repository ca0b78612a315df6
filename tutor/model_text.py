"""The words the app sends the model and stores for a student's button presses.

One place for them, so training data (training/tutor_data.py) teaches exactly what the app asks.
"""

from __future__ import annotations

from typing import Any

# What the student's button presses are stored as (so the conversation reads naturally).
ACTION_TEXT = {
    "hint": "Another hint, please.",
    "solution": "Show me the full solution.",
    "similar": "Give me a similar problem to practise.",
}
# Word problems: what each rung asks of the model, and the question that closes the hint.
WORD_RUNGS = (
    (
        "say what the question asks for and which facts from the story matter",
        "What exactly does the question ask you to find?",
    ),
    (
        "name the operation (add, subtract, multiply or divide) for the first calculation and why",
        "Which calculation can you do first with the numbers you have?",
    ),
    (
        "say which two quantities to combine first and how, without working out the result",
        "What do you get when you do that first calculation?",
    ),
)
WORD_FALLBACK = (
    "Read the problem again and underline what it asks for.",
    "Write each fact from the story as a short calculation you could do.",
    "Do the first calculation on paper and write down what its result means in the story.",
)


def method_request(question: str) -> str:
    """Step by step on checked math: the model's one or two sentences about the method."""
    return (
        f"{question}\n\n(A solver has already worked this out and checked every step. Write one or two "
        "short sentences for the student about which method fits this problem and why. Do not calculate "
        "anything and do not state any result.)"
    )


def grounded_request(question: str, solution: Any) -> str:
    """Explain on checked math: the question with the solver's result, method and steps."""
    steps = " ".join(step.text for step in solution.steps[:6])
    return (
        f"{question}\n\n(Checked facts from a solver; use them and do not change them: the result is "
        f"{solution.answer.text}. The method: {solution.method} Steps: {steps})"
    )


def hint_request(question: str | None, level: int) -> str:
    """A word problem's hint number ``level``; ``question`` None: a follow-up in the same session."""
    instruction = WORD_RUNGS[min(level, len(WORD_RUNGS)) - 1][0]
    rules = "At most two short sentences, then one guiding question. Do not calculate anything and do not give the answer."
    if question is None:
        return f"(Give hint number {level} for the problem above: {instruction}. {rules})"
    return f"{question}\n\n(Give hint number {level}: {instruction}. {rules})"
