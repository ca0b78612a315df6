"""Tokenize a conversation so that the loss falls only on the assistant's replies.

    from training.masking import tokenize_conversation
    ex = tokenize_conversation(messages, tokenizer, max_seq_len=512, chat_template="chatml")
    # ex["labels"][i] == -100 for system/user text and template tokens; every assistant token,
    # its end-of-turn marker included (<|im_end|>, <|eot_id|>, <|end|>), keeps its id.

It works for any Jinja chat template, without knowing its markers:
1. render the whole conversation: ``apply_chat_template(messages, tokenize=False)``;
2. for the assistant message i, ``messages[:i]`` rendered with ``add_generation_prompt=True``
   ends exactly where the reply starts;
3. ``messages[:i+1]`` and ``messages[:i+1] + [a probe user turn]`` share a prefix that ends
   just after the reply's end-of-turn marker (the probe drops what a template appends only at
   the very end, such as Phi-3's eos);
4. the fast tokenizer's ``offset_mapping`` maps those character spans to tokens; trailing
   whitespace-only tokens after the marker (the newline ChatML puts between turns) stay masked.

The seed's medical model answered by first repeating the patient's message: its user turn
bled into the targets. Here no user or system token is ever a target, unless a config asks
for it with ``data.train_on: all`` (every token trained, the seed's way; the masking
experiment of docs/TRAINING.md compares the two).
Stored templates: ``training/chat_templates/{chatml,llama3,phi3}.jinja`` (``load_chat_template``).
"""

from __future__ import annotations

from training.paths import CHAT_TEMPLATES as TEMPLATE_NAMES
from training.paths import CHAT_TEMPLATES_DIR

IGNORE_INDEX = -100
TRAIN_ON = ("assistant", "all")  # data.train_on: the replies only (default) | every token, no masking
# end-of-turn marker after each assistant reply, and the special tokens each template writes
END_OF_TURN = {"chatml": "<|im_end|>", "llama3": "<|eot_id|>", "phi3": "<|end|>"}
SPECIAL_TOKENS = {
    "chatml": ["<|im_start|>", "<|im_end|>"],
    "llama3": ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
    "phi3": ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>"],
}
_PROBE = {"role": "user", "content": "probe"}


def load_chat_template(name: str) -> str:
    """The stored Jinja chat template: "chatml" (SmolLM2's, from its GGUF), "llama3" (Llama-3.2-Instruct),
    "phi3" (Phi-3.5-mini-instruct)."""
    if name not in TEMPLATE_NAMES:
        raise ValueError(f"unknown chat template {name!r}; stored: {', '.join(TEMPLATE_NAMES)}")
    return (CHAT_TEMPLATES_DIR / f"{name}.jinja").read_text(encoding="utf-8")


def resolve_template(tokenizer, chat_template: str | None) -> str:
    """A stored name or Jinja text; None means the tokenizer's own template."""
    if chat_template in TEMPLATE_NAMES:
        return load_chat_template(chat_template)
    if chat_template:
        return chat_template
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.chat_template
    raise ValueError("the tokenizer has no chat template; pass chat_template= (chatml|llama3|phi3)")


def _render(tokenizer, template: str, messages: list[dict], gen_prompt: bool) -> str:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen_prompt,
                                         chat_template=template)
    if not isinstance(text, str):  # some versions return a list for a single conversation
        text = text[0]
    return text


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def assistant_spans(messages: list[dict], tokenizer, template: str) -> tuple[str, list[tuple[int, int]]]:
    """-> (rendered text, [(start, end)] character spans of each assistant reply + its end-of-turn)."""
    text = _render(tokenizer, template, messages, False)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        if i == 0 or all(p["role"] == "system" for p in messages[:i]):
            raise ValueError("an assistant reply needs a user message before it")
        prompt = _render(tokenizer, template, messages[:i], True)
        if not text.startswith(prompt):
            raise ValueError(f"chat template renders message {i}'s prompt differently inside the whole "
                             "conversation; cannot locate the reply (does it rewrite earlier turns?)")
        upto = _render(tokenizer, template, messages[: i + 1], False)
        probe = _render(tokenizer, template, messages[: i + 1] + [_PROBE], False)
        end = min(_common_prefix(upto, probe), _common_prefix(upto, text))
        if end <= len(prompt):
            raise ValueError(f"chat template: empty span for assistant message {i}")
        spans.append((len(prompt), end))
    return text, spans


def encode_conversation(messages: list[dict], tokenizer, chat_template: str | None = None,
                        train_on: str = "assistant") -> dict:
    """Untruncated input_ids / attention_mask / labels for one conversation.

    ``train_on="all"``: every token is a target (system, user and template tokens too): no masking.
    """
    if train_on not in TRAIN_ON:
        raise ValueError(f"train_on must be one of {', '.join(TRAIN_ON)} (got {train_on!r})")
    template = resolve_template(tokenizer, chat_template)
    text, spans = assistant_spans(messages, tokenizer, template)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = list(enc["input_ids"]), enc["offset_mapping"]
    if train_on == "all":
        return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": list(ids)}
    labels = [IGNORE_INDEX] * len(ids)
    for start, end in spans:
        # a token belongs to the reply if it ends inside (start, end]; one straddling `start`
        # carries the reply's first characters, one running past `end` is the next turn's marker
        chosen = [j for j, (s, e) in enumerate(offsets) if e > s and start < e <= end]
        while chosen and not text[offsets[chosen[-1]][0]: offsets[chosen[-1]][1]].strip():
            chosen.pop()  # whitespace after the end-of-turn marker is template, not reply
        for j in chosen:
            labels[j] = ids[j]
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def tokenize_conversation(messages: list[dict], tokenizer, max_seq_len: int,
                          chat_template: str | None = None, train_on: str = "assistant") -> dict:
    """input_ids, attention_mask, labels (-100 outside assistant replies), truncated to max_seq_len tokens.

    ``prepare()`` drops conversations that do not fit instead of truncating them; this function
    truncates so that a caller can use it on any single conversation.
    """
    ex = encode_conversation(messages, tokenizer, chat_template=chat_template, train_on=train_on)
    return {k: v[:max_seq_len] for k, v in ex.items()}


def trained_text(example: dict, tokenizer) -> list[str]:
    """The trained (unmasked) token runs decoded, one string per contiguous run (tests, reviews)."""
    runs, cur = [], []
    for tok, lab in zip(example["input_ids"], example["labels"]):
        if lab != IGNORE_INDEX:
            cur.append(tok)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return [tokenizer.decode(r, skip_special_tokens=False) for r in runs]
