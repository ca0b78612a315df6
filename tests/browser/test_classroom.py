"""Class mode in a real browser: two students and an instructor on one app (serve.py, TUTOR_MODE=class).

- a signed-out browser is sent to the sign-in page; students sign up with the class code;
- B cannot see, open (by URL or id), continue or delete A's sessions; search finds nothing of A's;
- a student reaches neither the instructor settings nor the dashboard; a lock holds;
- sign-in survives a reload; repeated wrong passwords are slowed down (429, "wait");
- a question holding a remote image makes no request to a listener on 127.0.0.1, in the
  asking browser or in any browser that shows Home or History afterwards;
- thumbs in the browser -> `python -m tutor.feedback export` -> a DPO step on the CPU.

    .venv/bin/python -m pytest tests/browser/test_classroom.py -s
    UPDATE_DOCS_SCREENSHOT=1 .venv/bin/python -m pytest tests/browser/test_classroom.py -s   # docs/screenshot-dashboard.png
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.browser.harness import (
    REPO,
    ask,
    assistant_messages,
    new_page,
    page_text,
    screenshot,
    start_app,
    wait_answer,
    wait_idle,
)
from tutor import auth, feedback, policy
from tutor.access import User
from tutor.policy import ClassSettings
from tutor.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.model]

CLASS_CODE = "BIO-101-fall"
TEACHER = ("tess", "teacher-pass-1")
ALICE = ("alice", "alice-pass-1")
BOB = ("bob", "bob-pass-12")
# An open question: the export pairs a disliked answer with a liked one only when they differ
# ("What is 2 + 2?" got the same short answer twice); the round trip asks until they do.
QUESTION = "Why is the sky blue? Answer in one short sentence."
DOCS_SCREENSHOT = REPO / "docs" / "screenshot-dashboard.png"


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Listener.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):
    home = tmp_path_factory.mktemp("class-home")
    store = Store(home / "tutor.db")
    teacher = auth.create_user(store, *TEACHER, role="instructor")
    auth.set_class_code(store, CLASS_CODE)
    # short answers keep the test quick; the lock is what the student must not change
    short = {m: {"max_tokens": 48} for m in ("step_by_step", "explain", "hint", "medical")}
    policy.save(store, teacher, ClassSettings(values=short, locks=frozenset({"max_tokens", "enabled_modes"})),
                list(short))  # fmt: skip
    store.close()
    app = start_app(home, env={"TUTOR_MODE": "class"}, script="serve.py", log_name="streamlit-classroom.log")
    yield app
    app.stop()


@pytest.fixture(scope="module")
def people(app, browser):
    """One browser context each (its own cookies): alice, bob, the teacher."""
    pages = {}
    yield pages
    for page in pages.values():
        page.context.close()


def _goto(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    if "/account/" not in page.url:
        page.get_by_test_id("stApp").wait_for()
        wait_idle(page)


def _submit(page, fields: dict[str, str], button: str):
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    if "/account/" not in page.url:
        page.get_by_test_id("stApp").wait_for()
        wait_idle(page)


def _signed_in_as(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def _sign_up(browser, app, name: str, password: str):
    page = new_page(browser)
    _goto(page, app.url + "/")
    assert page.url.endswith("/account/login"), page.url  # signed out: sent to sign in
    _goto(page, app.url + "/account/signup")
    _submit(page, {"class_code": CLASS_CODE, "username": name, "display_name": name.title(),
                   "password": password, "password2": password}, "Create account")  # fmt: skip
    assert f"Signed in as {name}" in _signed_in_as(page), page_text(page)[:500]
    return page


def _db(app) -> Store:
    return Store(app.db_path)


def _session_id(page) -> int:
    return int(page.url.split("session=")[1].split("&")[0])


def test_students_sign_up_and_sign_in_survives_a_reload(app, browser, people):
    wrong = new_page(browser)
    _goto(wrong, app.url + "/account/signup")
    _submit(wrong, {"class_code": "not-the-code", "username": "mallory", "display_name": "M",
                    "password": "whatever-1", "password2": "whatever-1"}, "Create account")  # fmt: skip
    assert "class code is not right" in wrong.content()
    wrong.context.close()
    people["alice"] = _sign_up(browser, app, *ALICE)
    people["bob"] = _sign_up(browser, app, *BOB)
    alice = people["alice"]
    alice.reload(wait_until="domcontentloaded")
    alice.get_by_test_id("stApp").wait_for()
    wait_idle(alice)
    assert "Signed in as alice" in _signed_in_as(alice)
    cookies = {c["name"]: c for c in alice.context.cookies()}
    session = cookies["tutor_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    stored = _db(app).read(lambda db: [r["token_hash"] for r in db.query("SELECT token_hash FROM login_tokens")])
    assert session["value"] not in stored and auth.token_hash(session["value"]) in stored


def test_b_cannot_see_open_continue_or_delete_as_sessions(app, people):
    alice, bob = people["alice"], people["bob"]
    _goto(alice, app.url + "/Explain")
    ask(alice, QUESTION + " Quokka4821")
    wait_answer(alice)
    wait_idle(alice)
    sid = _session_id(alice)
    # list and search
    _goto(bob, app.url + "/History")
    assert "Quokka4821" not in page_text(bob)
    bob.get_by_label("Search your sessions").fill("Quokka4821")
    bob.get_by_label("Search your sessions").press("Enter")
    wait_idle(bob)
    assert "Nothing found" in page_text(bob) or "No sessions" in page_text(bob)
    _goto(bob, app.url + "/")
    assert "Quokka4821" not in page_text(bob)
    # open by URL (?session=) and keep writing there: a new session of bob's, alice's unchanged
    _goto(bob, f"{app.url}/Explain?session={sid}")
    assert "Quokka4821" not in page_text(bob)
    ask(bob, "Bob writes here. What is 3 + 3?")
    wait_answer(bob)
    wait_idle(bob)
    db = _db(app)
    owner = {r["id"]: r["owner_id"] for r in db.list_sessions()}
    assert len(db.messages(sid)) == 2 and owner[sid] != owner[_session_id(bob)]
    assert [r["title"] for r in db.list_sessions(owner_id=owner[_session_id(bob)])] == [
        "Bob writes here. What is 3 + 3?"
    ]
    # alice still has hers after reload, in History
    _goto(alice, app.url + "/History")
    assert "Quokka4821" in page_text(alice)


def test_a_student_reaches_no_instructor_page_and_a_lock_holds(app, people):
    bob = people["bob"]
    _goto(bob, app.url + "/Instructor_settings")
    locked = bob.get_by_label("🔒 Answer length").first
    locked.wait_for()
    text = page_text(bob)
    assert "Your settings" in text and "Modes students can use" not in text and "Class code" not in text
    assert locked.is_disabled() and not bob.get_by_label("Temperature").first.is_disabled()
    assert "Dashboard" not in bob.get_by_test_id("stSidebar").inner_text()
    bob.goto(app.url + "/Dashboard", wait_until="domcontentloaded")
    bob.get_by_test_id("stApp").wait_for()
    wait_idle(bob)
    assert "Only an instructor" in page_text(bob) or "Page not found" in bob.content()
    assert "Sessions and questions" not in page_text(bob)


def test_remote_images_make_no_request(app, people, listener, browser):
    alice = people["alice"]
    leak = f"http://127.0.0.1:{listener.server_port}/leak?q=secret"
    _goto(alice, app.url + "/Hint")
    ask(alice, f"![x]({leak}) \u202eSolve 2x = 8 [click]({leak})")
    wait_answer(alice)
    wait_idle(alice)
    assert "image not loaded" in page_text(alice)
    for page, where in ((alice, "/"), (alice, "/History")):
        _goto(page, app.url + where)
    teacher = new_page(browser)  # another browser that shows the sessions afterwards
    _goto(teacher, app.url + "/account/login")
    _submit(teacher, {"username": TEACHER[0], "password": TEACHER[1]}, "Sign in")
    _goto(teacher, app.url + "/Dashboard")
    teacher.context.close()
    time.sleep(1.0)
    assert _Listener.hits == []
    titles = [r["title"] for r in _db(app).list_sessions()]
    assert not any("\u202e" in t for t in titles)


def test_repeated_wrong_passwords_are_slowed_down(app, browser):
    page = new_page(browser)
    _goto(page, app.url + "/account/login")
    statuses = []
    for _ in range(auth.FREE_FAILURES + 1):
        page.fill("#username", ALICE[0])
        page.fill("#password", "wrong password")
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Sign in").click()
        statuses.append(nav.value.status)
    assert statuses[: auth.FREE_FAILURES] == [401] * auth.FREE_FAILURES and statuses[-1] == 429
    assert "wait" in page_text_html(page)
    # even the right password is refused during the wait
    page.fill("#username", ALICE[0])
    page.fill("#password", ALICE[1])
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Sign in").click()
    assert nav.value.status == 429
    page.context.close()
    auth.unlock(_db(app), ALICE[0])


def page_text_html(page) -> str:
    return page.locator("body").inner_text()


def _thumb(page, index: int, up: bool) -> None:
    message = assistant_messages(page).nth(index)
    message.get_by_test_id("stFeedback").wait_for() if message.get_by_test_id("stFeedback").count() else None
    buttons = message.get_by_role("button", name="Thumbs up" if up else "Thumbs down")
    if not buttons.count():
        buttons = message.locator("button").filter(has_text="thumb_up" if up else "thumb_down")
    buttons.first.click()
    wait_idle(page)


def test_feedback_round_trip_thumbs_export_dpo(app, people, tmp_path):
    alice = people["alice"]
    # The same question in new sessions: the first answer liked, then the first one that differs
    # from it (as the trainer compares answers) disliked. The model samples (temperature 0.5) but
    # a short answer sometimes comes out the same twice, and the same two answers make no pair.
    liked = None
    for _ in range(6):
        _goto(alice, app.url + "/Explain")
        if assistant_messages(alice).count():
            alice.get_by_role("button", name="New session").click()
            wait_idle(alice)
        ask(alice, QUESTION)
        wait_answer(alice)
        wait_idle(alice)
        answer = _db(app).messages(_session_id(alice))[-1]["content"]
        if liked is not None and feedback.same_answer(liked, answer):
            continue
        up = liked is None
        _thumb(alice, assistant_messages(alice).count() - 1, up)
        if up:
            liked = answer
            continue
        alice.get_by_text("wrong math").first.click()
        alice.get_by_label("Anything else? (optional)").fill("It said five.")
        alice.get_by_role("button", name="Send feedback").click()
        wait_idle(alice)
        break
    else:
        pytest.fail(f"six answers to {QUESTION!r} were all the same: {liked!r}")
    rows = _db(app).read(lambda db: list(db.query("SELECT rating, reasons, comment FROM feedback ORDER BY id")))
    assert [(r["rating"], json.loads(r["reasons"]), r["comment"]) for r in rows][-2:] == [
        (1, [], ""), (0, ["wrong math"], "It said five.")]  # fmt: skip
    sft, pairs = tmp_path / "sft.jsonl", tmp_path / "pairs.jsonl"
    env = {**os.environ, "TUTOR_HOME": str(app.home)}
    out = subprocess.run([sys.executable, "-m", "tutor.feedback", "export", "--sft", str(sft), "--pairs", str(pairs)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "preference pairs: 1" in out.stdout
    pair = json.loads(pairs.read_text().splitlines()[0])
    assert pair["prompt"][1]["content"] == QUESTION and pair["meta"]["reasons"] == ["wrong math"]
    _dpo_step(pairs, tmp_path)


def _dpo_step(pairs: Path, tmp_path: Path) -> None:
    """A DPO step on the CPU: training/'s tiny DPO recipe on the tiny test model, fed the export."""
    pytest.importorskip("trl")
    import yaml

    from tests.training.conftest import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny-model")
    raw = yaml.safe_load((REPO / "training/configs/smollm2/135m_dpo_tiny.yaml").read_text())
    raw["model"]["name"] = str(model)
    # One exported pair is too few to split: the same pair four times (told apart) gives DPO train and
    # validation rows (data.val_fraction must be in (0, 0.5)). The tiny model has 512 positions
    # and a byte-level vocabulary, so the mode's long system prompt is cut short; the format of
    # the export (prompt/chosen/rejected) is what this round trip checks.
    pair = json.loads(pairs.read_text().splitlines()[0])
    for turn in pair["prompt"]:
        if turn["role"] == "system":
            turn["content"] = turn["content"][:80]
    copies, rows = tmp_path / "pairs-x4.jsonl", []
    for n in range(4):  # four distinct rows (identical ones are dropped as duplicates)
        row = json.loads(json.dumps(pair))
        row["prompt"][-1]["content"] += f" ({n})"
        rows.append(json.dumps(row) + "\n")
    copies.write_text("".join(rows))
    raw["model"]["max_seq_len"] = 512
    raw["data"].update(source=str(copies), val_fraction=0.25)
    raw["train"].update(max_steps=1, eval_steps=1, save_steps=1)
    raw["run_name"], raw["output_dir"] = "feedback-dpo", str(tmp_path / "runs" / "feedback-dpo")
    config = tmp_path / "feedback-dpo.yaml"
    config.write_text(yaml.safe_dump(raw))
    out = subprocess.run([sys.executable, "-m", "training.dpo", "--config", str(config)],
                         cwd=REPO, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    summary = json.loads((tmp_path / "runs" / "feedback-dpo" / "summary.json").read_text())
    assert summary["status"] == "complete", summary


def test_instructor_dashboard(app, browser, people):
    teacher = new_page(browser)
    people["teacher"] = teacher
    _goto(teacher, app.url + "/account/login")
    _submit(teacher, {"username": TEACHER[0], "password": TEACHER[1]}, "Sign in")
    teacher.get_by_test_id("stSidebar").get_by_text("Dashboard").wait_for(timeout=30_000)
    _goto(teacher, app.url + "/Dashboard")
    teacher.get_by_text("Feedback: thumbs and reasons").wait_for(timeout=30_000)
    text = page_text(teacher)
    assert "Sessions and questions per mode and day" in text and "alice" not in text
    assert "SFT rows: 1 · preference pairs: 1" in text  # the round trip's feedback is counted
    teacher.set_viewport_size({"width": 1200, "height": 3000})  # the whole page, for the README
    teacher.wait_for_timeout(2000)  # charts and tables draw after the script run ends
    path = screenshot(teacher, "classroom-dashboard")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(path, DOCS_SCREENSHOT)
