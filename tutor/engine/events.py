"""What ``Engine.generate`` yields, in this order: Queued* Started Token* Finished."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass
class Queued:
    position: int  # 1 = next in line; yielded again whenever it changes (only when every slot is busy)


@dataclass
class Started:
    prompt_tokens: int
    dropped_messages: int  # oldest history messages left out to fit the context
    wait_s: float  # seconds spent in the queue
    arrival: int = 0  # this generation's number in the order it entered the engine's queue (1, 2, ...)


@dataclass
class Token:
    text: str


@dataclass
class GenStats:
    ttft_s: float | None  # start of generation (after the queue) -> first token, seconds
    tokens: int  # pieces streamed (one per model token, give or take multi-byte merges)
    tokens_per_s: float | None  # decode speed: (tokens - 1) / (last token - first token)
    total_s: float  # start of generation -> end, seconds (queue wait not included)
    prompt_tokens: int
    wait_s: float  # seconds spent in the queue


@dataclass
class Finished:
    finish_reason: str  # "stop" | "length" | "stopped" | "error"
    stats: GenStats
    error: str | None = None  # for "error": a message for the user (what went wrong, what to do)


Event = Union[Queued, Started, Token, Finished]

__all__ = ["Event", "Finished", "GenStats", "Queued", "Started", "Token"]
