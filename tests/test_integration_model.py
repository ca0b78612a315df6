"""The real embedded model (SmolLM2-135M Q4_1) through the app's Engine: no network needed.

Run: .venv/bin/python -m pytest tests/test_integration_model.py -m model
"""

from __future__ import annotations

import re
import shutil

import pytest

from tutor import engine as engine_mod
from tutor.engine import Engine, Finished, GenSettings, LlamaCppBackend, Started, Token, get_engine
from tutor.errors import ModelCorrupt
from tutor.models import embedded_model_path

pytestmark = pytest.mark.model

GREEDY = GenSettings(temperature=0.0, max_tokens=256, seed=0)
SYSTEM = {"role": "system", "content": "You are a patient tutor. Answer in one or two short sentences."}
ROLE_MARKERS = re.compile(r"<\|im_start\|>|<\|im_end\|>|<\|endoftext\|>|^\s*(user|assistant|system)\s*:", re.I | re.M)


@pytest.fixture(scope="module")
def engine():
    backend = LlamaCppBackend(embedded_model_path(), model_name="smollm2-135m", n_ctx=2048, n_threads=2)
    yield Engine(backend)
    backend.close()


def answer(engine, messages, gen=GREEDY):
    events = list(engine.generate(messages, gen))
    text = "".join(e.text for e in events if isinstance(e, Token))
    return text, events


def test_chat_reply_stops_cleanly_without_role_markers(engine):
    text, events = answer(engine, [SYSTEM, {"role": "user", "content": "What is 2 + 2?"}])
    fin = events[-1]
    assert isinstance(fin, Finished) and fin.finish_reason == "stop", (fin, text)
    assert text.strip()
    assert not ROLE_MARKERS.search(text), text
    assert fin.stats.tokens > 0 and fin.stats.ttft_s is not None
    started = next(e for e in events if isinstance(e, Started))
    assert started.prompt_tokens == engine.backend.count_tokens([SYSTEM, {"role": "user", "content": "What is 2 + 2?"}])


def test_follow_up_turn_reuses_the_prompt_prefix(engine):
    first = [SYSTEM, {"role": "user", "content": "Name a primary colour."}]
    text1, ev1 = answer(engine, first)
    assert ev1[-1].finish_reason == "stop"
    second = first + [{"role": "assistant", "content": text1}, {"role": "user", "content": "And another one?"}]
    # the new prompt extends what the model has already evaluated (prompt 1 + answer 1)
    llama = engine.backend.llama
    cached = llama._input_ids.tolist()
    prompt2 = llama.tokenize(engine.backend.prompt_text(second).encode(), add_bos=False, special=True)
    assert prompt2[: len(cached)] == cached
    text2, ev2 = answer(engine, second)
    assert ev2[-1].finish_reason == "stop" and text2.strip()
    assert not ROLE_MARKERS.search(text2), text2
    # no timing assert here (shared CI boxes are noisy); bench/engine.py measures the first token


def test_count_tokens_matches_what_llama_cpp_evaluates(engine):
    msgs = [SYSTEM, {"role": "user", "content": "Why is the sky blue?"}]
    list(engine.generate(msgs, GenSettings(temperature=0.0, max_tokens=1)))
    # after one generated token, the model has evaluated exactly the templated prompt
    assert engine.backend.llama.n_tokens == engine.backend.count_tokens(msgs)


def test_get_engine_loads_the_embedded_default_once():
    engine_mod.reset_engines()
    try:
        a = get_engine()
        assert a.model_name == "smollm2-135m" and get_engine() is a
        assert len(a.sha256) == 64
    finally:
        engine_mod.reset_engines()


def test_truncated_real_gguf_is_model_corrupt(tmp_path):
    src = embedded_model_path()
    bad = tmp_path / "truncated.gguf"
    with src.open("rb") as fh:
        bad.write_bytes(fh.read(3_000_000))  # valid header, missing tensors
    with pytest.raises(ModelCorrupt) as info:
        LlamaCppBackend(bad, model_name="t", n_ctx=512, n_threads=2)
    assert "truncated.gguf" in str(info.value)
    copy = tmp_path / "copy.gguf"
    shutil.copyfile(src, copy)
    LlamaCppBackend(copy, model_name="copy", n_ctx=512, n_threads=2).close()


def test_stop_and_abandon_mid_answer_leave_the_model_usable(engine):
    import threading

    msgs = [SYSTEM, {"role": "user", "content": "Explain photosynthesis in detail."}]
    stop = threading.Event()
    events = []
    for ev in engine.generate(msgs, GREEDY, stop=stop):
        events.append(ev)
        if sum(isinstance(e, Token) for e in events) == 3:
            stop.set()
    assert events[-1].finish_reason == "stopped" and events[-1].stats.tokens == 3
    gen = engine.generate(msgs, GREEDY)
    assert isinstance(next(gen), Started) and isinstance(next(gen), Token)
    gen.close()  # the page went away
    assert engine.queue_length() == 0
    text, ev = answer(engine, [SYSTEM, {"role": "user", "content": "What is 2 + 2?"}])
    assert ev[-1].finish_reason == "stop" and text.strip()
