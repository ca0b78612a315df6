"""Sessions as files: Markdown to read, JSON to keep or move (round-trips through ``Store.import_json``)."""

from __future__ import annotations

import json

from tutor.errors import StorageError

EXPORT_FORMAT = "study-tutor-session"
EXPORT_VERSION = 1
_ROLE_TITLES = {"user": "You", "assistant": "Tutor", "system": "System"}


def session_markdown(session: dict, messages: list[dict]) -> str:
    """Title, mode, model, each turn under a role heading, stats under each answer."""
    title = " ".join((session["title"] or "Untitled session").split())
    lines = [
        f"# {title}",
        "",
        f"- Mode: {session['mode']}",
        f"- Model: {session['model'] or 'unknown'}",
        f"- Started: {session['created_at']}",
        "",
    ]
    for msg in messages:
        lines += [f"## {_ROLE_TITLES.get(msg['role'], msg['role'])}", "", msg["content"], ""]
        if msg["role"] == "assistant":
            lines += [f"*{stats_line(msg)}*", ""]
    return "\n".join(lines)


def session_json(session: dict, messages: list[dict]) -> str:
    """The session and its messages as JSON (UTF-8 text, not escaped)."""
    data = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "session": {k: v for k, v in session.items() if k != "message_count"},
        "messages": messages,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def parse_session_json(text: str) -> tuple[dict, list[dict]]:
    """(session, messages) from ``session_json`` output; StorageError if it is not one."""
    try:
        data = json.loads(text)
        if data.get("format") != EXPORT_FORMAT:
            raise ValueError("not a study-tutor session export")
        return dict(data["session"]), list(data["messages"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StorageError(
            f"That file is not a session export ({exc}).", "Choose a .json file made by Export → JSON."
        ) from exc


def stats_line(msg: dict) -> str:
    """ "hint · smollm2-135m · 42 tokens · 105.3 tokens/s · first token 0.12 s · complete"."""
    parts = [msg.get("mode") or "", msg.get("model") or ""]
    if msg.get("model_sha256"):
        parts[-1] += f" (sha256 {msg['model_sha256'][:12]})"
    if msg.get("tokens") is not None:
        parts.append(f"{msg['tokens']} tokens")
    if msg.get("tokens_per_s") is not None:
        parts.append(f"{msg['tokens_per_s']:.1f} tokens/s")
    if msg.get("ttft_s") is not None:
        parts.append(f"first token {msg['ttft_s']:.2f} s")
    if msg.get("finish_reason"):
        parts.append(f"finish: {msg['finish_reason']}")
    parts.append(msg.get("status") or "")
    return " · ".join(p for p in parts if p)
