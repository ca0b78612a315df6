"""GSM8K: ``{"question", "answer"}`` with ``<<calc>>`` annotations and the final answer after ``####``.

The target keeps the worked solution and ends with the line the app's step-by-step mode asks
for (prompts/step_by_step.yaml: "The last line must be: **Final answer:** followed by the
answer"), so training and the app agree on one final-answer format:

    "Tom has 3*4 = <<3*4=12>>12 pencils.\\n#### 12"  ->  "Tom has 3*4 = 12 pencils.\\n**Final answer:** 12"
"""

from __future__ import annotations

import re

from training.formats import Format, messages_or_none, msg, register

FINAL_ANSWER = "**Final answer:**"  # the exact marker of prompts/step_by_step.yaml
_CALC = re.compile(r"<<[^<>]*>>")
_HASHES = re.compile(r"^\s*####\s*(.+?)\s*$", re.M)


def solution(answer: str) -> str:
    """Keep the worked solution, drop <<calc>> annotations, '#### 42' -> '**Final answer:** 42'."""
    text = _CALC.sub("", answer)
    m = _HASHES.search(text)
    if m:
        text = text[: m.start()].rstrip() + f"\n{FINAL_ANSWER} {m.group(1)}"
    return text.strip()


def to_messages(row: dict) -> list[dict] | None:
    q, a = row.get("question"), row.get("answer")
    if not isinstance(q, str) or not isinstance(a, str):
        return None
    return messages_or_none([msg("user", q), msg("assistant", solution(a))])


FORMAT = register(Format("gsm8k", "sft", lambda row: "question" in row and "answer" in row, to_messages))
