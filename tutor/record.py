"""One record type for an answer's metadata: what the store writes, the chat handler fills in,
the exports print and the UI shows under each answer.

    record = AnswerRecord(model="smollm2-135m", action="hint", kind="linear", hint_level=1)
    record = record.with_stats(finished.stats)          # GenStats from the engine
    store.update_message(message_id, content=text, record=record)
    AnswerRecord.from_row(row).caption()                 # "✓ checked · 42 tokens · ..."

The text of the answer is not part of the record (it streams separately and is saved as
``content``); everything else about an assistant message is.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

STATUSES = ("streaming", "complete", "stopped", "error", "interrupted")
# What the student asked for with this turn.
ACTIONS = ("ask", "hint", "solution", "attempt", "similar")
# How an answer's math was established (the `checked` column).
CHECKED, NOT_CHECKED = 1, 0

STATUS_LABELS = {
    "stopped": "⏹ stopped — partial answer kept",
    "interrupted": "⚠ interrupted — the app stopped while writing this answer",
    "error": "⚠ the model failed while answering",
    "streaming": "… being written",
}


@dataclass(frozen=True)
class AnswerRecord:
    """Everything stored about an assistant message except its text (the message's columns)."""

    status: str = "streaming"
    finish_reason: str | None = None  # "stop" | "length" | "stopped" | "error"
    error: str | None = None  # for status "error": the message the student saw
    model: str | None = None
    model_sha256: str | None = None
    ttft_s: float | None = None
    tokens: int | None = None
    tokens_per_s: float | None = None
    prompt_tokens: int | None = None
    total_s: float | None = None
    action: str | None = None  # one of ACTIONS
    kind: str | None = None  # the problem's kind (tutor.pedagogy.KINDS) when the solver read it
    problem: str | None = None  # the problem this turn is about, canonical (e.g. "3x + 5 = 20")
    hint_level: int | None = None  # rung of the hint ladder shown (1 = first hint)
    checked: int | None = None  # CHECKED: math from the solver; NOT_CHECKED: the model's, unverified
    guard_tripped: bool = False  # a guard removed or replaced part of the model's text
    details: dict = field(default_factory=dict)  # extras (red flags, dropped sentences...), JSON

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if self.action is not None and self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")

    # --- building -------------------------------------------------------------------------
    def with_stats(self, stats: Any) -> AnswerRecord:
        """A copy with the engine's GenStats (ttft, tokens, speed, prompt tokens, total time)."""
        if stats is None:
            return self
        return replace(
            self,
            ttft_s=stats.ttft_s,
            tokens=stats.tokens,
            tokens_per_s=stats.tokens_per_s,
            prompt_tokens=stats.prompt_tokens,
            total_s=stats.total_s,
        )

    def update(self, **changes: Any) -> AnswerRecord:
        return replace(self, **changes)

    # --- the database row -------------------------------------------------------------------
    def to_columns(self) -> dict[str, Any]:
        """The message columns this record fills (details as JSON text, booleans as 0/1)."""
        row = asdict(self)
        row["details"] = json.dumps(self.details, ensure_ascii=False) if self.details else None
        row["guard_tripped"] = int(self.guard_tripped)
        return row

    @classmethod
    def from_row(cls, row: dict) -> AnswerRecord:
        """The record of a stored message row (unknown or missing columns are ignored)."""
        names = {f.name for f in fields(cls)}
        values = {k: row[k] for k in names if k in row and row[k] is not None}
        details = values.get("details")
        if isinstance(details, str):
            try:
                values["details"] = json.loads(details)
            except ValueError:
                values["details"] = {}
        if "guard_tripped" in values:
            values["guard_tripped"] = bool(values["guard_tripped"])
        if values.get("status") not in STATUSES:
            values["status"] = "complete"
        if values.get("action") not in (None, *ACTIONS):
            values.pop("action")
        return cls(**values)

    # --- how it is shown -------------------------------------------------------------------
    @property
    def check_label(self) -> str | None:
        if self.checked == CHECKED:
            return "✅ checked by the solver"
        if self.checked == NOT_CHECKED:
            return "⚠️ not checked"
        return None

    def caption(self) -> str:
        """The line under an answer in the UI: status, tokens, speed, model (the checked label
        is the answer's own first line, so it is not repeated here)."""
        bits = []
        if self.status in STATUS_LABELS:
            bits.append(STATUS_LABELS[self.status])
        elif self.finish_reason == "length":
            bits.append("✂ cut at this mode's answer length")
        if self.tokens:
            bits.append(f"{self.tokens} tokens")
        if self.tokens_per_s:
            bits.append(f"{self.tokens_per_s:.0f} tokens/s")
        if self.ttft_s is not None:
            bits.append(f"first token {self.ttft_s:.2f} s")
        if self.model:
            bits.append(self.model)
        return " · ".join(bits)

    def stats_line(self, mode: str | None = None) -> str:
        """One line for exports: "hint · model (sha256 …) · 42 tokens · … · complete"."""
        parts = [mode or "", self.model or ""]
        if self.model_sha256:
            parts[-1] += f" (sha256 {self.model_sha256[:12]})"
        if self.check_label:
            parts.append(self.check_label)
        if self.tokens is not None:
            parts.append(f"{self.tokens} tokens")
        if self.tokens_per_s is not None:
            parts.append(f"{self.tokens_per_s:.1f} tokens/s")
        if self.ttft_s is not None:
            parts.append(f"first token {self.ttft_s:.2f} s")
        if self.finish_reason:
            parts.append(f"finish: {self.finish_reason}")
        parts.append(self.status)
        return " · ".join(p for p in parts if p)


RECORD_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(AnswerRecord))
