"""The llamacpp backend's RAM cache counts what it really holds (the real embedded model).

llama-cpp-python's LlamaRAMCache counts only the KV state of each saved answer, not the
copy of the output scores it also keeps (~30 MB for a short SmolLM2 chat), so a "512 MiB"
cache reached gigabytes. bench/soak.py measures the process; this checks the accounting.
"""

from __future__ import annotations

import difflib

import pytest

from tutor.engine import Engine, GenSettings, LlamaCppBackend, Token
from tutor.engine.backends.llamacpp import compact_ram_cache
from tutor.models import embedded_model_path

pytestmark = pytest.mark.model

GREEDY = GenSettings(temperature=0.0, max_tokens=24, seed=0)


def chat(q):
    return [{"role": "system", "content": "You are a patient tutor."}, {"role": "user", "content": q}]


def answer(engine, messages):
    return "".join(e.text for e in engine.generate(messages, GREEDY) if isinstance(e, Token))


@pytest.fixture(scope="module")
def backend():
    b = LlamaCppBackend(embedded_model_path(), model_name="m", n_ctx=1024, n_threads=1, ram_cache_bytes=64 << 20)
    yield b
    b.close()


def test_states_are_counted_whole_and_keep_one_row_of_scores(backend):
    engine = Engine(backend)
    for q in ("What is 2 + 2?", "Name a primary colour.", "What is a prime number?"):
        answer(engine, chat(q))
    cache = backend.llama.cache
    states = list(cache.cache_state.values())
    assert states, "the answers were not cached"
    n_vocab = backend.llama.n_vocab()
    for s in states:
        assert s.scores.shape == (1, n_vocab)
    assert cache.cache_size == sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in states)
    assert cache.cache_size <= cache.capacity_bytes


def test_a_restored_state_answers_like_a_fresh_model(backend):
    """Turn 2 of session A after session B's turn: restored from the cache, the same answer.

    Not byte-equal: the restored state evaluated the first answer a token at a time and the
    fresh model reads it in one batch, so near-tied words ("colours"/"colors") may flip.
    A wrong or corrupt state answers something else entirely; that is what this catches.
    """
    engine = Engine(backend)
    a1 = chat("Name a primary colour.")
    first = answer(engine, a1)
    answer(engine, chat("Why is the sky blue?"))  # another session in between
    followup = a1 + [{"role": "assistant", "content": first}, {"role": "user", "content": "And another one?"}]
    restored = answer(engine, followup)
    fresh = LlamaCppBackend(embedded_model_path(), model_name="f", n_ctx=1024, n_threads=1, ram_cache_bytes=0)
    try:
        again = answer(Engine(fresh), followup)
        assert restored.strip() and difflib.SequenceMatcher(None, again, restored).ratio() > 0.85, (again, restored)
    finally:
        fresh.close()


def test_the_cache_evicts_by_real_size():
    cache = compact_ram_cache(1)  # 1 byte: nothing fits, every state is evicted at once
    import numpy as np

    class State:
        llama_state_size = 10
        scores = np.zeros((5, 8), dtype=np.float32)
        input_ids = np.zeros(4, dtype=np.intc)

    cache[(1, 2, 3)] = State()
    assert len(cache.cache_state) == 0 and cache.cache_size == 0
