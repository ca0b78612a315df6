"""Symbolic problems as the app's tutor answers them, from the solver: the training targets.

    from training.symbolic_data import problems, steps_turns, hint_turns, explain_turns, method_turns
    for kind, solution in problems(per_kind=100, seed=1).items(): ...

Problems come from ``tutor.pedagogy.similar.generate(kind, n, seed + 1000 * k)`` (k: the kind's
index, as the evaluation does) with a seed that is not the evaluation's (``EVAL_SEED``), and
any problem whose statement is also in the evaluation's symbolic set is left out. For each:

- steps: the user's question -> what the solver renders (``render_solution``);
- hints: the question, then "Another hint, please." (what the app stores for the button)
  -> ``Solution.hints`` one rung per turn; each must pass the app's guard for that problem
  (``LeakGuard(solution, question)``);
- explain: what the app sends on the Explain page (``grounded_request``: question + checked
  result, method and steps) -> the kind and goal, the method, the steps in words with their
  checked states, the result and one checking question; kept only if the app's claim filter
  (``ClaimFilter(solution, strict_results=True)``) leaves it as it is;
- method: what the Step by step page sends for checked math (``method_request``) -> one or
  two sentences about which method fits (the solver's ``method``), no result.
Each builder returns the user/assistant turns (the caller adds the mode's system prompt), or
None with nothing to train on.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutor.eval.sets import EVAL_SEED
from tutor.model_text import ACTION_TEXT, grounded_request, method_request
from tutor.pedagogy import KIND_NAMES, KINDS, render_solution

EXPLAIN_STEPS = 6  # grounded_request shows the model the first six steps
CHECK_QUESTION = {
    "linear": "Can you substitute the result back into the equation to check it?",
    "quadratic": "Can you substitute each solution back into the equation to check it?",
    "system": "Can you substitute both values into each equation to check them?",
    "inequality": "Can you pick one value from the answer and check that it makes the inequality true?",
    "arithmetic": "Can you estimate the result roughly to check that it is sensible?",
    "expand": "Can you check it by putting the same number in for $x$ in both forms?",
    "factor": "Can you multiply the factors back out to check them?",
    "simplify": "Can you check it by putting the same number in for $x$ in both forms?",
    "derivative": "Which rule did each part of the function need?",
    "integral": "Can you differentiate the result to check that you get the integrand back?",
    "definite_integral": "Why is the constant of integration not needed for a definite integral?",
    "limit": "What happens if you put the value straight into the original expression?",
}


def question_of(solution) -> str:
    return solution.problem.question or solution.problem.statement


def eval_statements(per_kind: int) -> set[tuple[str, str]]:
    """(kind, statement) of the evaluation's symbolic set (``tutor.eval.sets.symbolic``), its first
    ``per_kind`` problems of each kind (the set is prefix-stable: a smaller --per-kind is inside)."""
    from tutor.pedagogy.similar import generate

    out = set()
    for k, kind in enumerate(KINDS):
        for solution in generate(kind, per_kind, EVAL_SEED + 1000 * k):
            out.add((kind, solution.problem.statement))
    return out


def problems(
    per_kind: int, seed: int, avoid: set[tuple[str, str]]
) -> Iterator[tuple[str, object] | tuple[str, None]]:
    """(kind, Solution) for ``per_kind`` generated problems of every kind; (kind, None) for each left
    out because the evaluation has the same problem."""
    from tutor.pedagogy.similar import generate

    if seed == EVAL_SEED:
        raise ValueError(f"seed {seed} is the evaluation's (tutor.eval.sets.EVAL_SEED); pick another")
    for k, kind in enumerate(KINDS):
        for solution in generate(kind, per_kind, seed + 1000 * k):
            yield (kind, None) if (kind, solution.problem.statement) in avoid else (kind, solution)


def _turns(*pairs: tuple[str, str]) -> list[dict]:
    out = []
    for user, assistant in pairs:
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return out


def _shown(guard, text: str) -> str:
    out = guard.feed(text)
    return out + guard.finish()


def steps_turns(solution) -> list[dict]:
    return _turns((question_of(solution), render_solution(solution).strip()))


def hint_turns(solution) -> list[dict] | None:
    """The ladder as the app stores it: the question, then 'Another hint, please.' per rung."""
    from tutor.pedagogy import LeakGuard

    question = question_of(solution)
    for hint in solution.hints:
        guard = LeakGuard(solution, question)
        _shown(guard, hint)
        if guard.tripped:
            return None
    users = [question] + [ACTION_TEXT["hint"]] * (len(solution.hints) - 1)
    return _turns(*zip(users, solution.hints))


def _passes(solution, sentence: str) -> bool:
    """The app's Explain filter (``ClaimFilter(solution, strict_results=True)``) shows ``sentence`` as is."""
    from tutor.pedagogy import ClaimFilter

    claims = ClaimFilter(solution, strict_results=True)
    _shown(claims, sentence)
    return not claims.tripped


def explain_text(solution) -> str | None:
    """Kind and goal, method, the steps in words with their states, the result, one question.

    Built from sentences the app's Explain filter shows unchanged: a step sentence it would drop
    (the solver's own "Substitute $y = -3$ ...", a rule's formula read as a result) is left out
    with its state, and the steps are renumbered. None when the result sentence itself would be dropped."""
    kind = solution.problem.kind
    goal = solution.goal[0].lower() + solution.goal[1:]
    result = f"So the result is ${solution.answer.latex}$."
    if not _passes(solution, result):
        return None
    steps = []
    for step in solution.steps[:EXPLAIN_STEPS]:
        if not _passes(solution, step.text):
            continue  # a state without the action that led to it explains nothing
        state = f"This gives ${step.latex}$."
        parts = [step.text, state] if _passes(solution, state) else [step.text]
        steps.append(f"{len(steps) + 1}. {' '.join(parts)}")
    if not steps:
        return None
    head = [f"This is {KIND_NAMES[kind]}: {goal}", "", solution.method, "", "For this problem:"]
    return "\n".join(head + steps + ["", f"{result} {CHECK_QUESTION[kind]}"])


def explain_turns(solution) -> list[dict] | None:
    """Explain on checked math; None when no wording passes the app's claim filter as a whole."""
    text = explain_text(solution)
    if text is None or not _passes(solution, text):
        return None
    return _turns((grounded_request(question_of(solution), solution), text))


def method_turns(solution) -> list[dict] | None:
    """Step by step on checked math: the model's sentence about the method (no result in it)."""
    from tutor.pedagogy import ClaimFilter
    from tutor.pedagogy.ladder import gives_away
    from tutor.tutoring import _NO_RESULTS

    text = f"This is {KIND_NAMES[solution.problem.kind]}. {solution.method}"
    claims = ClaimFilter(solution)
    _shown(claims, text)
    if claims.tripped or _NO_RESULTS.search(text) or gives_away(text, solution.answer, solution.problem):
        return None
    return _turns((method_request(question_of(solution)), text))


BUILDERS = {"steps": steps_turns, "hints": hint_turns, "explain": explain_turns, "method": method_turns}
MODE_OF_TASK = {"steps": "step_by_step", "hints": "hint", "explain": "explain", "method": "step_by_step"}
