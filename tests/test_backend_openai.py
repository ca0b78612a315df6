"""The OpenAI-compatible backend against real servers started here on 127.0.0.1.

- a real OpenAI-compatible server: xllamacpp's HTTP server (llama.cpp's llama-server) on the
  embedded model, a free loopback port, an API key: streaming, sampling settings, Stop;
- tiny ``http.server`` fakes for what real servers do when they go wrong: nothing listening
  (down), a 500, a reply that is not JSON, a server that never answers (slow);
- the Hint page with its model on a server that is down: a clear message, a Retry, nothing
  stored is lost, and the other pages keep answering.

Run: .venv/bin/python -m pytest tests/test_backend_openai.py -q
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tutor import engine as engine_mod
from tutor.config import get_settings
from tutor.engine import Engine, GenSettings, Token
from tutor.errors import ModelError
from tutor.fake import FakeBackend
from tutor.models import embedded_model_path, load_registry
from tutor.store import Store

xllamacpp = pytest.importorskip("xllamacpp")
pytest.importorskip("openai")
from tutor.engine.backends.openai_compat import OpenAIBackend, estimate_tokens  # noqa: E402

SYSTEM = {"role": "system", "content": "You are a patient tutor. Answer in one or two short sentences."}
GREEDY = GenSettings(temperature=0.0, max_tokens=24, seed=0)
KEY = "test-key-123"
APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def ask(content: str) -> list[dict]:
    return [SYSTEM, {"role": "user", "content": content}]


def text_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


@pytest.fixture(scope="module")
def server():
    """llama.cpp's server (xllamacpp) on 127.0.0.1, one slot, /slots on so Stop can be checked."""
    p = xllamacpp.CommonParams()
    p.model.path = str(embedded_model_path())
    p.n_parallel = 1
    p.n_ctx = 1024
    p.cpuparams.n_threads = 1  # 1 thread: llama.cpp's spinning threads crawl on a shared, busy box
    p.cpuparams_batch.n_threads = 1
    p.hostnames = ["127.0.0.1"]
    p.port = 0
    p.api_keys = [KEY]
    p.ui = False
    p.verbosity = 1
    p.cache_ram_mib = 32
    srv = xllamacpp.Server(p)
    yield srv.listening_address.rstrip("/")
    del srv


def slots_busy(base: str) -> bool:
    req = urllib.request.Request(base + "/slots", headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(req, timeout=5) as fh:
        return any(s.get("is_processing") for s in json.loads(fh.read()))


def backend_for(url: str, monkeypatch, **kw) -> OpenAIBackend:
    monkeypatch.setenv("TUTOR_TEST_KEY", KEY)
    return OpenAIBackend(model_name="school", base_url=url, remote_model="tutor", n_ctx=1024,
                         api_key_env="TUTOR_TEST_KEY", **kw)


def test_streams_like_the_server_answers_directly(server, monkeypatch):
    engine = Engine(backend_for(server + "/v1", monkeypatch))
    events = list(engine.generate(ask("What is 2 + 2?"), GREEDY))
    fin = events[-1]
    assert fin.finish_reason in ("stop", "length") and fin.error is None, fin
    assert 0 < fin.stats.tokens <= GREEDY.max_tokens and fin.stats.ttft_s is not None
    # the same request sent by hand (non-streaming) gives the same greedy text
    body = {"model": "tutor", "messages": ask("What is 2 + 2?"), "max_tokens": 24, "temperature": 0.0,
            "top_p": GREEDY.top_p, "top_k": GREEDY.top_k, "repeat_penalty": GREEDY.repeat_penalty, "seed": 0}
    req = urllib.request.Request(server + "/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as fh:
        direct = json.loads(fh.read())["choices"][0]["message"]["content"]
    assert text_of(events) == direct


def test_stop_cancels_the_request_on_the_server(server, monkeypatch):
    engine = Engine(backend_for(server + "/v1", monkeypatch))
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
    deadline = time.monotonic() + 5  # the server notices the closed stream at its next token
    while slots_busy(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not slots_busy(server), "the server kept generating after Stop"


def test_a_missing_api_key_is_a_model_error_naming_the_variable(monkeypatch):
    monkeypatch.delenv("TUTOR_NO_SUCH_KEY", raising=False)
    with pytest.raises(ModelError) as info:
        OpenAIBackend(model_name="school", base_url="http://127.0.0.1:1/v1", remote_model="m", n_ctx=512,
                      api_key_env="TUTOR_NO_SUCH_KEY")
    assert "TUTOR_NO_SUCH_KEY" in str(info.value)


def test_a_wrong_key_is_reported_as_the_servers_error(server):
    engine = Engine(OpenAIBackend(model_name="school", base_url=server + "/v1", remote_model="m", n_ctx=1024))
    fin = list(engine.generate(ask("Hi"), GREEDY))[-1]
    assert fin.finish_reason == "error" and "HTTP 401" in fin.error and "Retry" in fin.error


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_is_down_gives_a_clear_message():
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    fin = list(Engine(OpenAIBackend(model_name="school", base_url=url, remote_model="m", n_ctx=512))
               .generate(ask("Hi"), GREEDY))[-1]
    assert fin.finish_reason == "error"
    assert "cannot be reached" in fin.error and url in fin.error and "Retry" in fin.error


class _Handler(BaseHTTPRequestHandler):
    behaviour = "500"

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.behaviour == "500":
            body = json.dumps({"error": {"message": "model crashed", "type": "server_error"}}).encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.behaviour == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b"data: {this is not json\n\n")
            self.wfile.flush()
        elif self.behaviour == "silent":
            time.sleep(3)  # longer than the client's timeout


@pytest.fixture
def bad_server():
    servers = []

    def start(behaviour: str) -> str:
        handler = type("H", (_Handler,), {"behaviour": behaviour})
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/v1"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(
    "behaviour, expected",
    [
        ("500", "answered with an error (HTTP 500"),
        ("garbage", "sent a reply the tutor could not read"),
        ("silent", "did not answer within 0.5 s"),
    ],
)
def test_bad_replies_end_the_answer_with_a_message(bad_server, behaviour, expected):
    backend = OpenAIBackend(model_name="school", base_url=bad_server(behaviour), remote_model="m",
                            n_ctx=512, timeout_s=0.5, connect_timeout_s=0.5)
    fin = list(Engine(backend).generate(ask("Hi"), GREEDY))[-1]
    assert fin.finish_reason == "error" and expected in fin.error, fin.error
    assert "Retry" in fin.error


def test_estimate_never_undercounts_the_real_template():
    from tutor.engine.backends.llamacpp import ChatPrompt

    prompt = ChatPrompt.from_gguf(embedded_model_path())
    for msgs in (ask("Hi"), ask("Explain photosynthesis " * 40), ask("∫ x² dx = ? — résumé, naïve, 日本語")):
        assert estimate_tokens(msgs) >= prompt.count(msgs)


def test_registry_remote_entry_loads_without_contacting_the_server(tutor_home, monkeypatch):
    tutor_home.mkdir(parents=True, exist_ok=True)
    (tutor_home / "models.yaml").write_text(
        f"models:\n  school:\n    source: remote\n    url: http://127.0.0.1:{free_port()}/v1\n"
        "    remote_model: tutor\n    n_ctx: 2048\n    parallel: 16\n    timeout_s: 5\n"
    )
    spec = load_registry(get_settings()).models["school"]
    assert spec.backend == "openai" and spec.parallel == 16
    engine_mod.reset_engines()
    try:
        engine = engine_mod.get_engine("school")
        assert isinstance(engine.backend, OpenAIBackend)
        assert engine.slots == 16 and engine.n_ctx == 2048 and len(engine.sha256) == 64
    finally:
        engine_mod.reset_engines()


def test_the_page_says_the_server_is_down_offers_retry_and_loses_nothing(tutor_home):
    tutor_home.mkdir(parents=True, exist_ok=True)
    (tutor_home / "models.yaml").write_text(
        f"models:\n  school:\n    source: remote\n    url: http://127.0.0.1:{free_port()}/v1\n"
        "    remote_model: tutor\n    n_ctx: 2048\n"
    )
    store = Store(get_settings().db_path)
    store.set_setting("model:hint", "school")  # the Hint page's model is on the (down) server
    fake = FakeBackend(default_reply=["Still ", "fine."])
    engine_mod.set_engine_factory(
        lambda name: Engine(engine_mod.load_backend(name)) if name == "school" else Engine(fake)
    )
    try:
        at = AppTest.from_file(APP, default_timeout=30).run()
        at.switch_page("pages/3_Hint.py").run()
        at.chat_input[0].set_value("How do I start 3x + 5 = 20?").run()
        assert not at.exception, at.exception
        assert at.error and "cannot be reached" in at.error[0].value
        retry = [b for b in at.button if "Retry" in b.label]
        assert retry, [b.label for b in at.button]
        retry[0].click().run()  # asks again, in the same session; the server is still down
        assert at.error and "cannot be reached" in at.error[0].value
        sessions = store.list_sessions()
        assert len(sessions) == 1
        rows = store.messages(sessions[0]["id"])
        assert [r["role"] for r in rows] == ["user", "assistant", "user", "assistant"]
        assert [r["content"] for r in rows if r["role"] == "user"] == ["How do I start 3x + 5 = 20?"] * 2
        assert [r["status"] for r in rows if r["role"] == "assistant"] == ["error", "error"]
        # another page, on another model, keeps answering
        at.switch_page("pages/2_Explain.py").run()
        at.chat_input[0].set_value("What is a cell?").run()
        assert not at.error, [e.value for e in at.error]
        assert any("Still fine." in m.value for m in at.markdown)
    finally:
        engine_mod.set_engine_factory(None)
        engine_mod.reset_engines()
        store.close()
