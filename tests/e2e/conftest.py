"""The real reviewer workspace, started the way a shop starts it, and headless Chromium to drive it.

`workspace` scores one bundled sample day with `zhijian score --no-flow`, adds the users with
`zhijian users add` (password on stdin) and runs `zhijian review` on a free port — all as
subprocesses, so the test sees the app from outside. The browser is Debian's `chromium` driven by
Playwright through executable_path: Playwright's own browser download is never used (it fails
offline). Without chromium or playwright these tests skip and say how to get them; with
ZHIJIAN_E2E_REQUIRED=1 (CI) they fail instead.

Screenshots go to ZHIJIAN_E2E_SHOTS when set (kept), else to a temporary folder.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DAY = REPO / "data" / "sample" / "chats-2026-10-01.jsonl"
PASSWORD = "e2e horse battery 7"
# (name, role, agent id): A02 is the agent of QM20261001-004, a flagged conversation of the sample day
USERS = (("wang", "reviewer", None), ("zhao", "team_lead", None), ("li", "agent", "A02"))
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
START_TIMEOUT_S = 90  # the app's first request on a loaded 2-core machine


def _unavailable(reason: str) -> None:
    if os.environ.get("ZHIJIAN_E2E_REQUIRED") == "1":
        pytest.fail(f"{reason} (ZHIJIAN_E2E_REQUIRED=1: the browser tests must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium under Playwright; skips (or fails in CI) when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]' (never `playwright install`)")
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("no chromium on PATH: run scripts/setup.sh as root (apt-get install chromium)")
    # Without a CJK font every page still "works" and every screenshot is boxes: refuse that here.
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        _unavailable("no Chinese font for chromium (fc-list :lang=zh is empty): run scripts/install_fonts.sh")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    kept = os.environ.get("ZHIJIAN_E2E_SHOTS")
    folder = Path(kept) if kept else tmp_path_factory.mktemp("e2e-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def zhijian(*args: str, stdin: str | None = None, env: dict | None = None, timeout: int = 300) -> str:
    """Run `python -m zhijian ARGS` as a user would; its stdout, or a failure with its stderr."""
    done = subprocess.run([sys.executable, "-m", "zhijian", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, **(env or {})}, timeout=timeout)  # fmt: skip
    assert done.returncode == 0, f"zhijian {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Workspace:
    url: str  # http://127.0.0.1:PORT
    store_url: str
    folder: Path
    env: dict  # what the app runs with (ZHIJIAN_REVIEW_URL): card commands get it too


@pytest.fixture(scope="module")
def workspace(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("workspace")
    store_url = f"sqlite:///{folder / 'qa.db'}"
    zhijian("score", str(SAMPLE_DAY), "--results", str(folder / "results.jsonl"), "--store", store_url, "--no-flow")
    for name, role, agent_id in USERS:
        extra = ["--agent-id", agent_id] if agent_id else []
        zhijian("users", "add", name, "--role", role, *extra, "--store", store_url, stdin=PASSWORD + "\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"ZHIJIAN_REVIEW_URL": url}
    log = (folder / "review.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "zhijian", "review", "--store", store_url, "--port", str(port)],
                              cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"zhijian review exited {server.returncode}:\n{(folder / 'review.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"zhijian review did not answer on {url} in {START_TIMEOUT_S} s")
            time.sleep(0.3)
        yield Workspace(url, store_url, folder, env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
