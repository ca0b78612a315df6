"""The llama-server backend (llama.cpp's server engine in-process through xllamacpp) on the
real embedded model: slots at once, streaming, Stop frees the slot, errors, memory settings.

Run: .venv/bin/python -m pytest tests/test_backend_llamaserver.py -q
"""

from __future__ import annotations

import threading
import time

import pytest

from tutor import engine as engine_mod
from tutor.engine import Engine, Finished, GenSettings, Queued, Started, Token, get_engine
from tutor.engine.backends.llamacpp import ChatPrompt
from tutor.errors import ModelCorrupt
from tutor.models import embedded_model_path

pytest.importorskip("xllamacpp")
from tutor.engine.backends.llamaserver import LlamaServerBackend  # noqa: E402

pytestmark = pytest.mark.model

SYSTEM = {"role": "system", "content": "You are a patient tutor. Answer in one or two short sentences."}
GREEDY = GenSettings(temperature=0.0, max_tokens=24, seed=0)


def ask(content: str) -> list[dict]:
    return [SYSTEM, {"role": "user", "content": content}]


@pytest.fixture(scope="module")
def backend():
    # 1 thread: llama.cpp's spinning threads crawl when the box's other core is busy
    b = LlamaServerBackend(embedded_model_path(), model_name="class", n_ctx=1024, n_threads=1, slots=2)
    yield b
    b.close()


def test_streams_an_answer_with_the_modes_settings(backend):
    events = list(Engine(backend).generate(ask("What is 2 + 2?"), GREEDY))
    fin = events[-1]
    assert isinstance(events[0], Started) and isinstance(fin, Finished)
    assert fin.finish_reason in ("stop", "length") and fin.error is None
    text = "".join(e.text for e in events if isinstance(e, Token))
    assert text.strip() and "<|im_" not in text
    assert 0 < fin.stats.tokens <= GREEDY.max_tokens
    # greedy + the same seed: the same answer again (the sampling settings reach the server)
    again = "".join(e.text for e in Engine(backend).generate(ask("What is 2 + 2?"), GREEDY) if isinstance(e, Token))
    assert again == text


def test_max_tokens_and_stop_strings_are_honoured(backend):
    long = GenSettings(temperature=0.0, max_tokens=5, seed=0)
    fin = list(Engine(backend).generate(ask("Write a long essay about the sea."), long))[-1]
    assert fin.finish_reason == "length" and fin.stats.tokens <= 5
    first = "".join(
        e.text for e in Engine(backend).generate(ask("Write a long essay about the sea."), GREEDY)
        if isinstance(e, Token)
    )
    word = first.split()[2]
    cut = GenSettings(temperature=0.0, max_tokens=24, seed=0, stop=(word,))
    events = list(Engine(backend).generate(ask("Write a long essay about the sea."), cut))
    text = "".join(e.text for e in events if isinstance(e, Token))
    assert word not in text and events[-1].finish_reason == "stop"


def test_count_tokens_uses_the_ggufs_template(backend):
    prompt = ChatPrompt.from_gguf(embedded_model_path())
    msgs = ask("Why is the sky blue?")
    assert backend.count_tokens(msgs) == prompt.count(msgs) > 10


def test_two_slots_answer_at_once_and_a_third_queues(backend):
    engine = Engine(backend, poll_s=0.02)
    slow = GenSettings(temperature=0.0, max_tokens=60, seed=0)
    results: dict[int, list] = {}

    def student(i: int) -> None:
        results[i] = list(engine.generate(ask(f"Write a long essay about topic number {i}."), slow))

    threads = [threading.Thread(target=student, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(120)
    queued = {i: [e.position for e in evs if isinstance(e, Queued)] for i, evs in results.items()}
    assert queued[0] == [] and queued[1] == []  # two slots: the second student did not wait
    assert queued[2] == [1]  # the third waited for a free slot
    assert all(evs[-1].finish_reason in ("stop", "length") for evs in results.values())


def test_stop_cancels_the_request_and_frees_the_slot(backend):
    engine = Engine(backend)
    stop = threading.Event()
    tokens = 0
    for ev in engine.generate(ask("Write a very long essay about the history of Rome."),
                              GenSettings(max_tokens=900, seed=0), stop=stop):
        if isinstance(ev, Token):
            tokens += 1
            if tokens == 3:
                stop.set()
        last = ev
    assert last.finish_reason == "stopped" and last.stats.tokens == 3
    assert engine.busy_slots() == 0
    # both server slots are free again: two short answers run at once without waiting
    t0 = time.perf_counter()
    done = []
    threads = [threading.Thread(target=lambda: done.append(list(engine.generate(ask("Hi"), GREEDY))[-1]))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [d.finish_reason in ("stop", "length") for d in done] == [True, True]
    assert time.perf_counter() - t0 < 60


def test_an_error_reply_from_the_server_ends_the_answer_with_a_message(backend):
    # a prompt longer than the slot's context is refused by llama.cpp's server itself
    huge = [SYSTEM, {"role": "user", "content": "word " * 3000}]
    pieces = backend.stream(huge, GREEDY)
    with pytest.raises(Exception) as info:
        list(pieces)
    assert "llama.cpp's server failed to answer" in str(info.value)


def test_registry_model_loads_with_its_slots(monkeypatch, tutor_home):
    monkeypatch.setenv("TUTOR_THREADS", "1")
    tutor_home.mkdir(parents=True, exist_ok=True)
    (tutor_home / "models.yaml").write_text(
        "models:\n  tiny-class:\n    source: embedded\n    backend: llama-server\n    parallel: 3\n"
        "    n_ctx: 512\n    ram_cache_mib: 32\n"
    )
    engine_mod.reset_engines()
    try:
        engine = get_engine("tiny-class")
        assert isinstance(engine.backend, LlamaServerBackend)
        assert engine.slots == 3 and engine.n_ctx == 512 and len(engine.sha256) == 64
        assert engine.backend.url.startswith("http://127.0.0.1:")
    finally:
        engine_mod.reset_engines()


def test_a_broken_file_is_model_corrupt(tmp_path):
    bad = tmp_path / "truncated.gguf"
    with embedded_model_path().open("rb") as fh:
        bad.write_bytes(fh.read(3_000_000))
    with pytest.raises(ModelCorrupt) as info:
        LlamaServerBackend(bad, model_name="bad", n_ctx=512, n_threads=1, slots=1)
    assert "truncated.gguf" in str(info.value)
