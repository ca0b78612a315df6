"""The evaluation's held-out sets, built the same way on every machine.

- ``symbolic``: problems of every kind the solver knows (``tutor.pedagogy.KINDS``), made by
  the problem generator with a seed no training data uses (``EVAL_SEED``), in its varied
  wordings (plain, Unicode, LaTeX);
- ``gsm8k``: word problems held out from ``../shared/data/gsm8k/train.jsonl`` (see splits);
- ``medical``: ChatDoctor cases held out from ``../shared/data/chatdoctor/...``;
- ``redflags``: ``evals/redflags.jsonl``: urgent red-flag prompts and educational
  questions that merely mention symptoms (written for this project).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.config import REPO_ROOT
from tutor.eval import splits

EVAL_SEED = 20261124  # generated problems for evaluation; training generators must use other seeds
REDFLAGS_FILE = REPO_ROOT / "evals" / "redflags.jsonl"
# The red-flag prompts written blind (by people who never saw the detector) and never tuned on:
# the honest measure of the medical page's urgent-first rule.
REDFLAG_FILES = (REPO_ROOT / "evals" / "redflags_blind.jsonl", REPO_ROOT / "evals" / "redflags_blind2.jsonl")
SETS = ("symbolic", "math", "gsm8k", "medical", "redflags")
# Math questions a teacher wrote blind (never seen by the people who built the solver), with
# the answers: the held-out file is the honest measure; the dev file was used to widen the reader.
MATH_FILES = (REPO_ROOT / "evals" / "math_heldout.jsonl",)


@dataclass
class Item:
    """One evaluation question and what is known about its answer."""

    id: str
    set: str
    question: str
    kind: str | None = None  # symbolic: the problem's kind
    truth: str | None = None  # the right final answer as text (symbolic, gsm8k)
    reference: str | None = None  # medical: the doctor's reply
    urgent: bool | None = None  # redflags: should the answer start with urgent advice?
    category: str | None = None  # redflags: the red-flag category
    solution: Any = field(default=None, repr=False)  # symbolic: the generator's checked Solution

    def public(self) -> dict:
        """The item as JSON-ready fields (without the Solution object)."""
        out = {k: v for k, v in self.__dict__.items() if k != "solution" and v is not None}
        return out


def symbolic(per_kind: int = 5, seed: int = EVAL_SEED) -> list[Item]:
    from tutor.pedagogy import KINDS
    from tutor.pedagogy.similar import generate

    items = []
    for k, kind in enumerate(KINDS):
        for i, solution in enumerate(generate(kind, per_kind, seed + 1000 * k)):
            items.append(
                Item(
                    id=f"sym-{kind}-{i:02d}",
                    set="symbolic",
                    question=solution.problem.question or solution.problem.statement,
                    kind=kind,
                    truth=solution.answer.text,
                    solution=solution,
                )
            )
    return items


def gsm8k(n: int = 100) -> list[Item]:
    return [
        Item(id=f"gsm8k-{i:03d}", set="gsm8k", question=row["question"], kind="word", truth=row["truth"])
        for i, row in enumerate(splits.heldout_gsm8k(n))
    ]


def medical(n: int = 40) -> list[Item]:
    return [
        Item(id=f"med-{i:03d}", set="medical", question=row["question"], reference=row["reference"])
        for i, row in enumerate(splits.heldout_chatdoctor(n))
    ]


def redflags(split: str | None = None, path: Path = REDFLAGS_FILE) -> list[Item]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if split and row.get("split") != split:
            continue
        items.append(
            Item(
                id=row["id"],
                set="redflags",
                question=row["text"],
                urgent=bool(row["urgent"]),
                category=row.get("category"),
            )
        )
    return items


def math(paths: tuple[Path, ...] = MATH_FILES, per_kind: int | None = None) -> list[Item]:
    """The teacher's blind questions. ``solution`` is the solver's, kept only when its answer
    equals the teacher's (so a question the solver misreads is scored against the teacher's
    answer, never against the solver's own)."""
    from tutor.pedagogy import analyse, matches_answer

    items: list[Item] = []
    counts: dict[str, int] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
            if per_kind is not None and counts[row["kind"]] > per_kind:
                continue
            solution = analyse(row["question"])
            if solution is not None and not matches_answer(
                row["answer"], solution.answer, solution.problem.kind
            ):
                solution = None
            items.append(
                Item(
                    id=row["id"],
                    set="math",
                    question=row["question"],
                    kind=row["kind"],
                    truth=row["answer"],
                    solution=solution,
                )  # fmt: skip
            )
    return items
