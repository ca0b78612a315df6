"""The math core: read a question, solve it with steps sympy has checked, and teach with it.

No Streamlit and no model here: the chat handler (``tutor.chat``) asks this package for a
checked solution and uses it to write, filter and label what the model says.

Modules (one concept each):

- ``types``    Problem, Step, Answer, Solution, Attempt; KINDS and their names
- ``parse``    one piece of math from plain text, Unicode or LaTeX -> sympy (``parse_math``)
- ``latex``    LaTeX made unambiguous before it is parsed; a question's LaTeX as plain math
- ``read``     find the math in a student's question and classify it (``read_problem``);
  ``read_words`` (its vocabulary, typos, chatter), ``read_kinds``, ``read_arith`` (in words)
- ``solvers/`` one module per kind: the steps (each checked) and the answer
- ``solve``    ``solve(problem)`` and ``analyse(question)`` (read + solve, None when not recognised)
- ``ladder``   the hint ladder: kind and goal, method or next operation, one worked step
- ``similar``  a new problem of the same kind with other numbers (``similar``)
- ``notation`` written math (LaTeX, Unicode, markdown, number words, lists) -> sympy pieces
- ``numwords`` number words as digits ("twenty-four", "a dozen", "two thirds")
- ``equiv``    is this text the answer, in any equivalent form (``matches_answer``); ``forms``
  (expanded / factored / simplified)
- ``prose``    the math claims inside a sentence of prose (``math_claims``)
- ``leak``     ``LeakGuard``: sentence-by-sentence, drops what gives the answer away
- ``claims``   ``ClaimFilter``: drops model sentences whose math contradicts the checked result
- ``attempts`` ``check_attempt``: is the student's answer or step right, and if not where it goes wrong
- ``coverage`` ``python -m tutor.pedagogy.coverage``: how much of a set of written questions is
  read, and whether what is checked is right
"""

from importlib import import_module

# Public names -> the module that defines them. Imported on first use (PEP 562), so that
# ``import tutor.pedagogy`` stays cheap for the app: sympy and the solvers load only when the
# first question is read.
_EXPORTS = {
    "KINDS": "types",
    "KIND_NAMES": "types",
    "Answer": "types",
    "Attempt": "types",
    "Problem": "types",
    "Solution": "types",
    "Step": "types",
    "MathParseError": "parse",
    "parse_math": "parse",
    "read_problem": "read",
    "solve": "solve",
    "analyse": "solve",
    "check": "solve",
    "CannotSolve": "solve",
    "next_hint": "ladder",
    "may_show_solution": "ladder",
    "DEFAULT_HINTS_BEFORE_SOLUTION": "ladder",
    "similar": "similar",
    "generate": "similar",
    "render_solution": "render",
    "final_latex": "render",
    "render_answer_plain": "render",
    "check_attempt": "attempts",
    "ClaimFilter": "claims",
    "contradicts": "claims",
    "Match": "equiv",
    "answer_match": "equiv",
    "matches_answer": "equiv",
    "same_value": "equiv",
    "LeakGuard": "leak",
    "Claim": "prose",
    "math_claims": "prose",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tutor.pedagogy' has no attribute {name!r}")
    value = getattr(import_module(f"tutor.pedagogy.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
