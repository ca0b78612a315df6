"""Engine behaviour through FakeBackend: queue, events, stop, abandonment, trimming."""

from __future__ import annotations

import threading
import time

import pytest

from tutor import engine as engine_mod
from tutor.engine import Engine, Finished, GenSettings, Queued, Started, Token, get_engine
from tutor.errors import ContextOverflow
from tutor.fake import FakeBackend, install_fake


def collect(events):
    return list(events)


def texts(events):
    return "".join(e.text for e in events if isinstance(e, Token))


def msgs(*pairs, system="Be brief."):
    out = [{"role": "system", "content": system}] if system else []
    for role, content in pairs:
        out.append({"role": role, "content": content})
    return out


def test_stream_order_and_stats():
    fake = FakeBackend()
    fake.enqueue(["The ", "answer ", "is ", "4."])
    events = collect(Engine(fake).generate(msgs(("user", "2+2?")), GenSettings()))
    assert isinstance(events[0], Started)
    assert [type(e) for e in events[1:-1]] == [Token] * 4
    fin = events[-1]
    assert isinstance(fin, Finished) and fin.finish_reason == "stop" and fin.error is None
    assert fin.stats.tokens == 4 and fin.stats.ttft_s is not None
    assert fin.stats.prompt_tokens == fake.count_tokens(fake.calls[0])
    assert texts(events) == "The answer is 4."


def test_length_and_max_tokens_passed():
    fake = FakeBackend()
    fake.enqueue(["a "] * 10)
    events = collect(Engine(fake).generate(msgs(("user", "q")), GenSettings(max_tokens=3)))
    assert events[-1].finish_reason == "length"
    assert events[-1].stats.tokens == 3
    assert fake.gens[0].max_tokens == 3


def test_backend_error_becomes_finished_error_keeping_partial():
    fake = FakeBackend()
    fake.fail_next(RuntimeError("boom"), after_tokens=2)
    events = collect(Engine(fake).generate(msgs(("user", "q")), GenSettings()))
    assert sum(isinstance(e, Token) for e in events) == 2
    assert events[-1].finish_reason == "error" and "boom" in events[-1].error


def test_stop_keeps_partial_and_reports_stopped():
    fake = FakeBackend()
    fake.enqueue([f"w{i} " for i in range(50)], delay_s=0.005)
    stop = threading.Event()
    seen = []
    for ev in Engine(fake).generate(msgs(("user", "q")), GenSettings(), stop=stop):
        seen.append(ev)
        if isinstance(ev, Token) and len([e for e in seen if isinstance(e, Token)]) == 3:
            stop.set()
    assert seen[-1].finish_reason == "stopped"
    assert texts(seen) == "w0 w1 w2 "
    assert seen[-1].stats.tokens == 3


def test_fifo_order_with_queued_events():
    fake = FakeBackend()
    engine = Engine(fake, poll_s=0.01)
    n = 4
    for i in range(n):
        fake.enqueue([f"r{i}-a ", f"r{i}-b "], delay_s=0.05)
    order, queued, errors = [], {}, []
    started = []

    def worker(i):
        try:
            evs = []
            for ev in engine.generate(msgs(("user", f"q{i}")), GenSettings()):
                evs.append(ev)
                if isinstance(ev, Started):
                    order.append(i)
            queued[i] = [e.position for e in evs if isinstance(e, Queued)]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = []
    for i in range(n):  # arrive one after the other, while the first still runs
        t = threading.Thread(target=worker, args=(i,))
        t.start()
        threads.append(t)
        started.append(i)
        deadline = time.time() + 2
        while engine.queue_length() < i + 1 and time.time() < deadline:
            time.sleep(0.001)
    for t in threads:
        t.join(10)
    assert not errors
    assert order == list(range(n))  # served in arrival order
    # the replies went to the questions in the same order
    assert [c[-1]["content"] for c in fake.calls] == [f"q{i}" for i in range(n)]
    assert queued[0] == []
    assert queued[n - 1][0] == n - 1 and queued[n - 1] == sorted(queued[n - 1], reverse=True)
    assert queued[n - 1][-1] == 1  # counted down to "next in line"


def test_abandoned_generator_releases_the_queue():
    fake = FakeBackend()
    fake.enqueue(["a ", "b ", "c "])
    fake.enqueue(["second"])
    engine = Engine(fake, poll_s=0.01)
    first = engine.generate(msgs(("user", "q1")), GenSettings())
    assert isinstance(next(first), Started)
    assert isinstance(next(first), Token)
    assert engine.queue_length() == 1
    first.close()  # the page went away mid-answer
    assert engine.queue_length() == 0
    events = collect(engine.generate(msgs(("user", "q2")), GenSettings()))
    assert texts(events) == "second"


def test_abandoned_while_waiting_leaves_the_queue():
    fake = FakeBackend()
    fake.enqueue(["a"])
    engine = Engine(fake, poll_s=0.01)
    running = engine.generate(msgs(("user", "q1")), GenSettings())
    next(running)  # holds the slot
    waiting = engine.generate(msgs(("user", "q2")), GenSettings())
    assert next(waiting) == Queued(1)
    waiting.close()
    assert engine.queue_length() == 1
    rest = list(running)
    assert rest[-1].finish_reason == "stop"
    assert engine.queue_length() == 0


def test_stop_while_queued():
    fake = FakeBackend()
    fake.enqueue(["a"])
    engine = Engine(fake, poll_s=0.01)
    running = engine.generate(msgs(("user", "q1")), GenSettings())
    next(running)
    stop = threading.Event()
    waiting = engine.generate(msgs(("user", "q2")), GenSettings(), stop=stop)
    assert isinstance(next(waiting), Queued)
    stop.set()
    rest = list(waiting)
    assert rest[-1].finish_reason == "stopped" and rest[-1].stats.tokens == 0
    list(running)
    assert len(fake.calls) == 1  # the stopped one never reached the model


# --- trimming -----------------------------------------------------------------------
def long_history(turns, words=20):
    pairs = []
    for i in range(turns):
        pairs.append(("user", f"question{i} " + "x " * words))
        pairs.append(("assistant", f"answer{i} " + "y " * words))
    return pairs


def test_fit_keeps_everything_when_it_fits():
    fake = FakeBackend(n_ctx=4096)
    engine = Engine(fake)
    m = msgs(*long_history(3), ("user", "now"))
    assert engine.fit_messages(m, 100) == (m, 100)


def test_fit_drops_oldest_pairs_first():
    fake = FakeBackend(n_ctx=200)
    engine = Engine(fake)
    m = msgs(*long_history(5), ("user", "newest question"))
    fitted, max_tokens = engine.fit_messages(m, 64)
    assert max_tokens == 64
    assert fitted[0]["role"] == "system" and fitted[-1]["content"] == "newest question"
    assert fake.count_tokens(fitted) + 64 <= 200
    kept = [x["content"].split()[0] for x in fitted[1:-1]]
    # whole pairs, newest kept, oldest dropped
    assert kept and kept[0].startswith("question") and kept[-1].startswith("answer")
    assert "question0" not in kept and "answer4" in kept


def test_generate_reports_dropped_messages():
    fake = FakeBackend(n_ctx=200)
    fake.enqueue(["ok"])
    m = msgs(*long_history(5), ("user", "newest"))
    events = collect(Engine(fake).generate(m, GenSettings(max_tokens=64)))
    started = events[0]
    assert started.dropped_messages == len(m) - len(fake.calls[0]) > 0
    assert started.prompt_tokens == fake.count_tokens(fake.calls[0])


def test_fit_reduces_max_tokens_when_only_question_is_left():
    fake = FakeBackend(n_ctx=200)
    engine = Engine(fake)
    m = msgs(("user", "w " * 100))  # system (2+4) + question (100+4) = 110 tokens
    fitted, max_tokens = engine.fit_messages(m, 512)
    assert fitted == m and max_tokens == 90


def test_context_overflow_says_how_long():
    fake = FakeBackend(n_ctx=200)
    engine = Engine(fake)
    m = msgs(*long_history(2), ("user", "w " * 300))
    with pytest.raises(ContextOverflow) as info:
        engine.fit_messages(m, 512)
    text = str(info.value)
    assert "310" in text and "200" in text and "tokens" in text
    fake.enqueue(["never"])
    with pytest.raises(ContextOverflow):
        collect(engine.generate(m, GenSettings()))
    assert engine.queue_length() == 0 and fake.calls == []


# --- get_engine -----------------------------------------------------------------------
def test_get_engine_uses_factory_and_caches(monkeypatch):
    built = []

    def factory(name):
        built.append(name)
        return Engine(FakeBackend(name))

    engine_mod.set_engine_factory(factory)
    try:
        a = get_engine("one")
        assert get_engine("one") is a and a.model_name == "one"
        assert get_engine() .model_name == "smollm2-135m"  # registry default
        monkeypatch.setenv("TUTOR_MODEL", "other")
        assert get_engine().model_name == "other"
        assert built == ["one", "smollm2-135m", "other"]
    finally:
        engine_mod.reset_engines()


def test_get_engine_loads_once_under_concurrency():
    calls = []

    def factory(name):
        calls.append(name)
        time.sleep(0.05)
        return Engine(FakeBackend(name))

    engine_mod.set_engine_factory(factory)
    try:
        got = []
        threads = [threading.Thread(target=lambda: got.append(get_engine("m"))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert calls == ["m"] and len({id(e) for e in got}) == 1
    finally:
        engine_mod.reset_engines()


def test_install_fake_and_reset():
    fake = install_fake()
    try:
        events = collect(get_engine("anything").generate(msgs(("user", "hi")), GenSettings()))
        assert events[-1].finish_reason == "stop" and texts(events)
    finally:
        engine_mod.reset_engines()
    assert fake.closed


def test_backend_that_fails_at_once_is_an_error_event():
    fake = FakeBackend()  # nothing enqueued and no default reply: stream() raises at the call
    events = collect(Engine(fake).generate(msgs(("user", "q")), GenSettings()))
    assert isinstance(events[0], Started)
    assert events[-1].finish_reason == "error" and "no reply was enqueued" in events[-1].error


# --- slots: a batching backend runs N answers at once -----------------------------------
def _hold(engine, content, stop=None):
    """Start a generation and hold it right after its first token (its slot stays taken)."""
    gen = engine.generate(msgs(("user", content)), GenSettings(), stop=stop)
    first = next(gen)
    return gen, first


def test_slots_run_at_once_and_queue_only_when_all_are_busy():
    fake = FakeBackend(slots=3, default_reply=["a ", "b "])
    engine = Engine(fake, poll_s=0.01)
    held = [_hold(engine, f"q{i}") for i in range(3)]
    assert all(isinstance(first, Started) for _, first in held)  # none of the three waited
    assert engine.busy_slots() == 3 and engine.queue_length() == 3
    fourth = engine.generate(msgs(("user", "q3")), GenSettings())
    assert next(fourth) == Queued(1)  # every slot busy: now the queue message
    fifth = engine.generate(msgs(("user", "q4")), GenSettings())
    assert next(fifth) == Queued(2)
    held[1][0].close()  # one answer ends (the page left): its slot goes to the next in line
    assert isinstance(next(fourth), Started)
    assert next(fifth) == Queued(1)
    for gen, _ in held:
        gen.close()
    assert isinstance(next(fifth), Started)
    assert texts(list(fourth)) == "a b " and texts(list(fifth)) == "a b "
    assert engine.queue_length() == 0 and engine.busy_slots() == 0


def test_two_free_slots_admit_two_waiters_without_a_queue_flash():
    fake = FakeBackend(slots=2, default_reply=["x"])
    engine = Engine(fake, poll_s=5.0)  # a long poll: only a notify can wake the waiters in time
    a, _ = _hold(engine, "a")
    b, _ = _hold(engine, "b")
    waiters = [engine.generate(msgs(("user", f"w{i}")), GenSettings()) for i in range(2)]
    assert [next(w) for w in waiters] == [Queued(1), Queued(2)]
    got = {}

    def read(i):
        got[i] = list(waiters[i])

    threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    a.close()
    b.close()
    for t in threads:
        t.join(2)
    assert not any(t.is_alive() for t in threads), "a waiter slept through a free slot"
    # the second waiter moved up and then started: at most one more Queued(1), never a Queued(2) again
    assert [e for e in got[0] if isinstance(e, Queued)] == []
    assert [e.position for e in got[1] if isinstance(e, Queued)] in ([], [1])
    assert all(isinstance(got[i][-1], Finished) for i in range(2))


def test_slots_default_to_one_for_a_backend_without_the_attribute():
    class Plain:
        model_name, sha256, n_ctx = "plain", "0" * 64, 512

        def count_tokens(self, messages):
            return 10

        def stream(self, messages, gen):
            yield "hi", "stop"

        def close(self):
            pass

    engine = Engine(Plain())
    assert engine.slots == 1
    assert texts(list(engine.generate(msgs(("user", "q")), GenSettings()))) == "hi"


def test_stop_is_seen_during_heartbeats_before_the_first_token():
    class Silent:
        """A server that accepts the request and then says nothing (heartbeats only)."""

        model_name, sha256, n_ctx, slots = "silent", "0" * 64, 512, 2
        closed = 0

        def count_tokens(self, messages):
            return 10

        def stream(self, messages, gen):
            backend = self

            class Beats:
                def __iter__(self):
                    return self

                def __next__(self):
                    time.sleep(0.01)
                    return "", None

                def close(self):
                    backend.closed += 1

            return Beats()

        def close(self):
            pass

    backend = Silent()
    engine = Engine(backend)
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    events = list(engine.generate(msgs(("user", "q")), GenSettings(), stop=stop))
    assert events[-1].finish_reason == "stopped" and events[-1].stats.tokens == 0
    assert backend.closed == 1  # the request was cancelled, its slot freed
    assert engine.busy_slots() == 0
