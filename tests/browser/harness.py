"""Start the app as a real process and drive it with Debian's chromium through Playwright.

Used by the browser tests (tests/browser/) and by bench/concurrency.py, so it imports
no pytest. Everything is loopback only: the app listens on 127.0.0.1 and chromium is
started with the flags that keep it off the (closed) network.

    app = start_app(home=Path("/tmp/x"))          # streamlit on a free port, TUTOR_HOME=/tmp/x
    with chromium() as browser:
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(app.url + "/Hint")
        ask(page, "Solve 3x + 5 = 20")
        wait_answer(page)
    app.stop()
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The probe's recipe (/work/.library/env/machines/python.md): without the background-networking
# flags chromium keeps trying Google's hosts and the closed network refuses them.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1200, "height": 900}
TITLES = {"home": "Study tutor", "step_by_step": "Step by step", "explain": "Explain", "hint": "Hint",
          "medical": "Medical tutor", "history": "History", "settings": "Instructor settings"}
MODEL_CAPTION = "smollm2-135m"  # the Done caption names the model; its arrival = answer finished
STOPPED_CAPTION = "stopped — partial answer kept"
PAGES = {  # URL path of each page: st.Page derives it from the file name (pages/3_Hint.py -> /Hint)
    "home": "",
    "step_by_step": "Step_by_step",
    "explain": "Explain",
    "hint": "Hint",
    "medical": "Medical_tutor",
    "history": "History",
    "settings": "Instructor_settings",
}


def artifacts_dir() -> Path:
    """Where screenshots and logs go: $BROWSER_ARTIFACTS, default /tmp/tutor-browser."""
    path = Path(os.environ.get("BROWSER_ARTIFACTS") or "/tmp/tutor-browser")
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the app
@dataclass
class App:
    """A running ``streamlit run streamlit_app.py`` process."""

    home: Path
    port: int
    proc: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)
    paths: dict = field(default_factory=dict)  # page name -> URL path, read off the sidebar by prime()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.home / "tutor.db"

    def page_url(self, name: str) -> str:
        return f"{self.url}/{self.paths.get(name, PAGES[name])}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole process group: what a crash or an OOM kill does."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def start_app(home: Path, *, port: int | None = None, env: dict | None = None, timeout_s: float = 180.0,
              log_name: str | None = None, script: str = "streamlit_app.py", args: tuple = ()) -> App:
    """Start the app with TUTOR_HOME=home on a free loopback port; return once /_stcore/health is ok.

    ``script="serve.py"`` serves it with its sign-in pages (what `make run` does; class mode
    needs it); ``args`` are extra `streamlit run` flags (e.g. --secrets.files).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = artifacts_dir() / (log_name or f"streamlit-{port}.log")
    full_env = dict(os.environ)
    full_env.update(
        TUTOR_HOME=str(home),
        HF_HUB_OFFLINE="1",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    full_env.update(env or {})
    cmd = [
        sys.executable, "-m", "streamlit", "run", script, *args,
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    app = App(home, port, proc, log_path, full_env)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{app.log()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=5) as resp:
                if resp.status == 200:
                    return app
        except OSError:
            pass
        time.sleep(0.3)
    app.stop()
    raise RuntimeError(f"streamlit did not become healthy in {timeout_s:.0f} s:\n{app.log()[-3000:]}")


# --------------------------------------------------------------------------- the browser
@contextlib.contextmanager
def chromium(headless: bool = True) -> Iterator[object]:
    """Debian's chromium under Playwright (``playwright install`` is not used; it cannot download here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def prime(app: App, browser) -> dict:
    """Open the home page once in a throwaway session and read each page's URL off the sidebar.

    The URLs are read rather than assumed, so a change of page URLs in tutor/ui does not
    break the tests; and opening the home page first keeps the other tests independent of
    what a deep link does on a fresh process (tests/browser/test_deep_link.py checks that).
    """
    page = new_page(browser)
    try:
        page.goto(app.url + "/", wait_until="domcontentloaded")
        page.get_by_test_id("stApp").wait_for()
        wait_idle(page)
        page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").first.wait_for()
        by_title = {v: k for k, v in TITLES.items()}
        by_title["Home"] = "home"
        for link in page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").all():
            title = link.inner_text().strip().splitlines()[-1].strip()
            href = link.get_attribute("href") or ""
            if title in by_title:
                app.paths[by_title[title]] = href.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    finally:
        page.context.close()
    return app.paths


def new_page(browser, timeout_ms: float = 120_000):
    """A page in a fresh browser context (its own cookies, so its own Streamlit session)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(timeout_ms)
    return context.new_page()


def open_page(page, app: App, name: str, query: str = "") -> None:
    """Go to one of the app's pages and wait until its script has run."""
    page.goto(app.page_url(name) + query, wait_until="domcontentloaded")
    page.get_by_test_id("stApp").wait_for()
    wait_idle(page)
    path = page.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    heading = page.locator("h1").first.inner_text(timeout=30_000) if page.locator("h1").count() else ""
    want = app.paths.get(name, PAGES[name])
    if path.lower() != want.lower() or TITLES[name] not in heading:  # unknown URLs show the home page
        raise AssertionError(f"opened {page.url} showing {heading!r}, expected the {name!r} page at /{want}")


def wait_idle(page, timeout_s: float = 180.0) -> None:
    """Wait until Streamlit says the script is not running (no 'running' status widget)."""
    page.wait_for_timeout(300)  # let a rerun that was just triggered show up
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return false;
            if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
            if (document.querySelector('[data-testid="stStatusWidgetRunningManIcon"]')) return false;
            return app.getAttribute('data-test-script-state') !== 'running';
        }""",
        timeout=timeout_s * 1000,
        polling=200,
    )


def ask(page, question: str) -> None:
    """Type a question into the page's chat input and send it."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for()
    box.fill(question)
    box.press("Enter")


def assistant_messages(page):
    return page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stChatMessageAvatarAssistant"))


def user_messages(page):
    return page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stChatMessageAvatarUser"))


_BODY_JS = """(el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[data-testid="stAlert"], [data-testid="stButton"], [data-testid="stCaptionContainer"],'
                          + ' [data-testid="stChatMessageAvatarAssistant"], button').forEach(n => n.remove());
    return copy.innerText;
}"""


def message_body(message) -> str:
    """The answer text of a chat message, without its status box, Stop button and caption."""
    try:
        return message.get_by_test_id("stChatMessageContent").evaluate(_BODY_JS, timeout=5000).replace("▌", "").strip()
    except Exception:  # re-rendered under us: ask again next poll
        return ""


def last_assistant_text(page) -> str:
    msgs = assistant_messages(page)
    n = msgs.count()
    return message_body(msgs.nth(n - 1)) if n else ""


def is_done(page) -> bool:
    """The newest assistant message carries the model caption: the answer finished."""
    msgs = assistant_messages(page)
    n = msgs.count()
    return bool(n) and msgs.nth(n - 1).get_by_test_id("stCaptionContainer").filter(has_text=MODEL_CAPTION).count() > 0


def queue_position(page) -> int | None:
    """The N of 'You are number N in the queue' if the page shows it now."""
    box = page.get_by_text("in the queue")
    if not box.count():
        return None
    try:
        m = re.search(r"number (\d+) in the queue", box.first.inner_text(timeout=2000))
    except Exception:
        return None
    return int(m.group(1)) if m else None


def wait_answer(page, timeout_s: float = 600.0) -> str:
    """Wait until the newest assistant message carries the model caption (the answer is done)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if is_done(page):
            # A page that reruns after the answer (the hint ladder's buttons) can redraw the
            # message just as it is read, and message_body then gives "": read it again.
            settle = time.monotonic() + 15
            text = last_assistant_text(page)
            while not text and time.monotonic() < settle:
                page.wait_for_timeout(250)
                text = last_assistant_text(page)
            return text
        page.wait_for_timeout(250)
    raise TimeoutError(f"no finished answer in {timeout_s:.0f} s; last text: {last_assistant_text(page)[:300]!r}")


def watch_stream(page, *, until_chars: int = 0, timeout_s: float = 600.0, interval_s: float = 0.15) -> list[int]:
    """Sample the length of the newest assistant text while it streams.

    Returns the distinct lengths seen, in order; stops when the answer is done
    (model caption shown) or once it reaches ``until_chars`` (if given).
    """
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n = len(last_assistant_text(page))
        if n and (not seen or n != seen[-1]):
            seen.append(n)
        if until_chars and n >= until_chars:
            return seen
        if is_done(page):
            return seen
        time.sleep(interval_s)
    return seen


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under the artifacts folder and print its path (pytest -s shows it)."""
    page.wait_for_timeout(500)  # let lazily drawn widgets (select boxes) replace their placeholders
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    path = artifacts_dir() / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path


def page_text(page) -> str:
    return page.get_by_test_id("stApp").inner_text()
