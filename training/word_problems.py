"""GSM8K word problems as the app's tutor answers them: numbered steps, a hint ladder, bad hints.

    from training.word_problems import read_row, steps_answer, hint_ladder, bad_hints
    problem = read_row({"question": "...", "answer": "... <<48/2=24>>24 ...\\n#### 72"})
    steps_answer(problem)     # "1. Natalia sold 48 / 2 = 24 clips in May.\\n2. ...\\n**Final answer:** 72"
    hints = hint_ladder(problem)   # three hints, or NoHint(reason) when no safe hint can be made
    bad_hints(problem, hints)      # [(why, text)]: hints that leak the answer or ramble (DPO's rejected)

The hints follow ``tutor.model_text.WORD_RUNGS`` (what the app asks the model for a word problem):
1. what the question asks and which facts from the story matter;
2. the operation of the first calculation (from the first ``<<a op b=c>>`` annotation) and why
   (a cue word of the story, "half as many clips", or the operation's meaning);
3. which two quantities to combine first and how ("divide 48 by 2"), never the result.
Each is one or two whole sentences and then ONE guiding question. A hint is kept only when
the app's word-problem guard passes it (``LeakGuard(None, question, strict_numbers=True)``: no
number the story does not state, no stated result) and it does not contain the final answer
(``hint_problems``); otherwise the rung falls back to a plainer wording, and a problem whose
rung has no safe wording is dropped with the reason. Builds on tutor/ (run here, not on a GPU box).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from tutor.model_text import WORD_RUNGS

FINAL_ANSWER = "**Final answer:**"
_CALC = re.compile(r"<<([^<>=]+)=([^<>]+)>>")
_HASHES = re.compile(r"^\s*####\s*(.+?)\s*$", re.M)
_OPS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}
_NOUN = {
    "add": "an addition",
    "subtract": "a subtraction",
    "multiply": "a multiplication",
    "divide": "a division",
}
_MEANING = {
    "add": "you are putting amounts together",
    "subtract": "you are taking one amount away from another or finding a difference",
    "multiply": "the same amount is repeated several times",
    "divide": "an amount is shared or split into equal parts",
}
# words of a story that point at an operation; quoted only for the first calculation's own operation
_CUES = {
    "add": ("altogether", "in total", "combined", "in all", "sum", "total"),
    "subtract": (
        "left",
        "remaining",
        "remain",
        "fewer",
        "less than",
        "spent",
        "gave away",
        "lost",
        "difference",
    ),
    "multiply": ("twice", "double", "triple", "times", "each", "every", "per", "percent", "%"),
    "divide": ("half", "split", "shared", "share", "equally", "average", "third", "quarter", "divided"),
}
_WH = re.compile(r"\b(how|what|which|who|when|where|why)\b", re.I)
_IMPERATIVE = re.compile(r"^\s*(find|calculate|compute|determine|work out|figure out)\b", re.I)
_NUMBER_HINT = re.compile(r"\d|\b(half|twice|double|triple|third|quarter|percent|dozen)\b", re.I)
MAX_ASKED_WORDS = 24  # a longer question sentence is not repeated in rung 1
_COMMON_FIRST_WORDS = set(
    "he she they it the a an there each every his her their its this that these those in on at after before "
    "one two three four five six seven eight nine ten eleven twelve twenty half some all".split()
)
RUNG_QUESTIONS = (
    "Which of these facts do you need for the first calculation?",
    "Which two numbers from the story will you {verb}?",
    WORD_RUNGS[2][1],  # the app's own closing question for rung 3
)


@dataclass(frozen=True)
class Calc:
    expr: str  # as annotated: "48/2"
    result: str  # "24"


@dataclass(frozen=True)
class WordProblem:
    question: str
    lines: tuple[str, ...]  # the worked solution, one line per step, annotations removed
    calcs: tuple[Calc, ...]
    final: str  # the answer after ####, commas removed


@dataclass(frozen=True)
class NoHint:
    reason: str


def read_row(row: dict) -> WordProblem | None:
    """A GSM8K row -> WordProblem, or None when it is malformed (no ####, no worked lines)."""
    q, a = row.get("question"), row.get("answer")
    if not isinstance(q, str) or not isinstance(a, str):
        return None
    m = _HASHES.search(a)
    if not m:
        return None
    body = a[: m.start()]
    calcs = tuple(Calc(e.strip(), r.strip()) for e, r in _CALC.findall(body))
    lines = tuple(readable(line) for line in _CALC.sub("", body).splitlines() if line.strip())
    final = m.group(1).replace(",", "").strip()
    if not lines or not final:
        return None
    return WordProblem(" ".join(q.split()), lines, calcs, final)


# --------------------------------------------------------------------------- step by step
_ARITH = re.compile(
    r"(?<![\w.])\(?\$?\d[\d,]*(?:\.\d+)?%?\)?(?:\s*(?:[-+*/×÷]|\sx\s)\s*\(?\$?\d[\d,]*(?:\.\d+)?%?\)?)+"
)


def readable(line: str) -> str:
    """One solution line with its arithmetic spaced out: '3*4=12' -> '3 × 4 = 12' ('x' between numbers too)."""

    def spaced(m: re.Match) -> str:
        text = re.sub(r"\s+x\s+", " × ", m.group())
        text = re.sub(r"\s*([-+*/×÷])\s*", r" \1 ", text).replace(" * ", " × ")
        return re.sub(r"\s+", " ", text).strip()

    line = _ARITH.sub(spaced, line.strip())
    line = re.sub(r"\s*=\s*", " = ", line)
    return re.sub(r"[ \t]+", " ", line).strip()


def steps_answer(problem: WordProblem) -> str:
    """The solution as numbered steps, one per line, ending with the app's final-answer line."""
    steps = [f"{i}. {line}" for i, line in enumerate(problem.lines, 1)]
    return "\n".join(steps) + f"\n{FINAL_ANSWER} {problem.final}"


# --------------------------------------------------------------------------- the first calculation
@dataclass(frozen=True)
class FirstStep:
    op: str  # add | subtract | multiply | divide | percent
    a: str  # the two numbers combined first, as written ("48", "2")
    b: str


def _num(node) -> str | None:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        v = node.value
        return str(int(v)) if float(v).is_integer() else str(v)
    return None


def first_step(calc: Calc) -> FirstStep | None:
    """The pair of numbers the first calculation combines first (the innermost, leftmost operation)."""
    expr = calc.expr.replace("x", "*").replace("×", "*").replace("÷", "/").replace(",", "").replace("$", "")
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        return None
    percent = _percent(tree)
    if percent is not None:
        return percent
    node = tree
    while isinstance(node, ast.BinOp):
        if _num(node.left) is None:
            node = node.left
        elif _num(node.right) is None:
            node = node.right
        else:
            op = _OPS.get(type(node.op))
            return FirstStep(op, _num(node.left), _num(node.right)) if op else None
    return None


def _percent(tree) -> FirstStep | None:
    """'80/100*10' or '10*80/100' or '10*0.8'-free forms: p percent of an amount."""
    if not isinstance(tree, ast.BinOp):
        return None
    left, right = tree.left, tree.right
    if isinstance(tree.op, ast.Mult):
        for frac, amount in ((left, right), (right, left)):
            if (
                isinstance(frac, ast.BinOp)
                and isinstance(frac.op, ast.Div)
                and _num(frac.right) == "100"
                and _num(frac.left)
                and _num(amount)
            ):
                return FirstStep("percent", _num(frac.left), _num(amount))
    if (
        isinstance(tree.op, ast.Div)
        and _num(right) == "100"
        and isinstance(left, ast.BinOp)
        and isinstance(left.op, ast.Mult)
        and _num(left.left)
        and _num(left.right)
    ):
        return FirstStep("percent", _num(left.left), _num(left.right))  # a*b/100 (which is the % is unknown)
    return None


# --------------------------------------------------------------------------- the ladder
def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def asked_for(question: str) -> str | None:
    """'... How many clips did Natalia sell altogether?' -> 'how many clips did Natalia sell altogether'."""
    last = _sentences(question)[-1] if question.strip() else ""
    m = _WH.search(last)
    if m and last.rstrip().endswith("?"):
        asked = last[m.start() :].rstrip(" ?").strip()
        asked = asked[0].lower() + asked[1:]
    elif _IMPERATIVE.match(last):
        asked = "you to " + last[0].lower() + last[1:].rstrip(" .?")
    else:
        return None
    return asked if len(asked.split()) <= MAX_ASKED_WORDS else None


def story_facts(question: str, skip: set[str]) -> list[str]:
    """Clauses of the story that carry a number: the facts that matter (the last sentence up to its
    question word counts: "If there are 54 cookies in a box, how many days ...")."""
    sentences = _sentences(question)
    story = sentences[:-1]
    m = _WH.search(sentences[-1]) if sentences else None
    if m and m.start() > 0:
        story.append(sentences[-1][: m.start()])
    facts = []
    for sentence in story:
        for clause in re.split(r",\s*|;\s*|\s+and then\s+|\s+but\s+", sentence.rstrip(".!")):
            clause = re.sub(r"^(?:(?:and|then|so|also)\s+)+", "", clause.strip(), flags=re.I)
            if not _NUMBER_HINT.search(clause) or len(clause.split()) > 14:
                continue
            if any(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d]|\.\d)", clause) for n in skip):
                continue  # a clause stating the final answer's number stays out of the hint
            clause = re.sub(r"^(if|when|after|since)\s+", "", clause, flags=re.I)
            if clause.split()[0].lower() in _COMMON_FIRST_WORDS:
                clause = clause[0].lower() + clause[1:]
            facts.append(clause)
    return facts[:4]


def _cue(question: str, op: str) -> str | None:
    """A short quote of the story that names ``op`` ("half as many clips", "80% more of those"), or None."""
    if op == "percent":
        m = re.search(r"\$?\d[\d,.]*\s*(?:%|percent)(?:\s+[\w$%.-]+){0,3}", question, re.I)
        return m.group().rstrip(".,;:!?") if m else None
    for word in _CUES.get(op, ()):
        m = re.search(rf"(?<!\w){re.escape(word)}(?!\w)(?:\s+[\w$%.-]+){{0,3}}", question, re.I)
        if m:
            return m.group().rstrip(".,;:!?")
    return None


def _how(step: FirstStep) -> str:
    """How to combine the pair, worded so that the app's guard reads no result into it."""
    a, b = step.a, step.b
    return {
        "add": f"add {a} and {b}",
        "subtract": f"subtract {b} from {a}",
        "multiply": f"multiply {a} by {b}",
        "divide": f"split {a} into {b} equal parts",  # "divide a by b" reads as a/b to the app's guard
        "percent": f"multiply {b} by {a} and divide by 100",
    }[step.op]


def rung_candidates(problem: WordProblem, rung: int) -> list[str]:
    """Wordings of one rung, most specific first (the first that is safe is used)."""
    q = problem.question
    step = first_step(problem.calcs[0]) if problem.calcs else None
    if rung == 1:
        asked = asked_for(q)
        facts = story_facts(q, {problem.final})
        plain = "The last sentence of the story says what to find."
        head = f"The question asks {asked}." if asked else plain
        underline = "Underline each number in the story and what it counts."
        out = [f"{head} The facts that matter are: {'; '.join(facts)}. {RUNG_QUESTIONS[0]}"] if facts else []
        return out + [f"{head} {underline} {RUNG_QUESTIONS[0]}", f"{plain} {underline} {RUNG_QUESTIONS[0]}"]
    if step is None:
        return []
    op = "multiply" if step.op == "percent" else step.op
    verb = {"add": "add", "subtract": "subtract", "multiply": "multiply", "divide": "divide"}[op]
    if rung == 2:
        noun = "a percentage of an amount" if step.op == "percent" else _NOUN[op]
        cue = _cue(q, step.op)
        question = RUNG_QUESTIONS[1].format(verb="use" if step.op == "percent" else verb)
        out = []
        if cue:
            out.append(f"The first calculation is {noun}, because the story says “{cue}”. {question}")
        meaning = "a percent is a part of 100" if step.op == "percent" else _MEANING[op]
        out.append(f"The first calculation is {noun}, because {meaning}. {question}")
        return out
    return [f"Combine {step.a} and {step.b} first: {_how(step)}. {RUNG_QUESTIONS[2]}"]


def passes_guard(hint: str, question: str) -> bool:
    """The app's guard for a word problem's hint leaves the hint as it is."""
    from tutor.pedagogy import LeakGuard

    guard = LeakGuard(None, question, strict_numbers=True)
    guard.feed(hint)
    guard.finish()
    return not guard.tripped


def hint_problems(hint: str, problem: WordProblem) -> list[str]:
    """Why a hint is not fit to train on ([] when it is): the app's rules and our own."""
    found = []
    body = [s for s in _sentences(hint)]
    if not hint.rstrip().endswith("?") or hint.count("?") != 1:
        found.append("not exactly one question, at the end")
    if len(body) - 1 > 2:
        found.append("more than two sentences before the question")
    if states_number(hint, problem.final):
        found.append("states the final answer")
    if not passes_guard(hint, problem.question):
        found.append("the app's guard changes it")
    return found


def states_number(text: str, number: str) -> bool:
    """Is ``number`` written in ``text`` (as digits; 1,200 and 1200 alike)?"""
    try:
        want = float(number)
    except ValueError:
        return number in text
    for raw in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", text):
        try:
            if abs(float(raw.replace(",", "")) - want) < 1e-9:
                return True
        except ValueError:
            continue
    return False


def hint_ladder(problem: WordProblem) -> tuple[str, str, str] | NoHint:
    """The three rungs, each the most specific wording that is safe; NoHint(reason) if a rung has none."""
    if not problem.calcs:
        return NoHint("no calculator annotation to read the first calculation from")
    if first_step(problem.calcs[0]) is None:
        return NoHint("the first calculation could not be read")
    hints = []
    for rung in (1, 2, 3):
        safe = [h for h in rung_candidates(problem, rung) if not hint_problems(h, problem)]
        if not safe:
            return NoHint(f"no safe wording for rung {rung}")
        hints.append(safe[0])
    return tuple(hints)  # type: ignore[return-value]


# --------------------------------------------------------------------------- rejected hints (DPO)
def bad_hints(problem: WordProblem, hints: tuple[str, str, str], rung: int) -> list[tuple[str, str]]:
    """Hints for rung ``rung`` that a tutor must not give: [(why, text)].

    leaks_final: the rung's first sentence, then the final answer stated; leaks_last_result:
    the last line of the worked solution (its computed result); rambles: the whole worked
    solution as prose, three or more sentences and no question.
    """
    chosen = hints[rung - 1]
    first = _sentences(chosen)[0]
    lines = [line.rstrip(".") + "." for line in problem.lines]
    out = [("leaks_final", f"{first} So the answer is {problem.final}. Does that make sense?")]
    if problem.calcs:
        out.append(("leaks_last_result", f"{lines[-1]} {RUNG_QUESTIONS[2]}"))
    if len(lines) >= 2:
        ramble = " ".join(["Let's solve the whole problem."] + lines + [f"The answer is {problem.final}."])
        out.append(("rambles", ramble))
    return out
