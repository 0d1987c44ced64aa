"""A real server and a real browser: `streamlit run app.py` on a free loopback port, Debian's Chromium.

The server and the browser are stopped by their process ids. Without /usr/bin/chromium (a laptop),
the browser tests skip with that reason; CI installs Chromium, so there they always run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).parent / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"no Chromium at {CHROMIUM} (CI installs Debian's chromium; apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason + " — CI must run the browser tests")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(workspace: Path, log_dir: Path, *extra: str, port: int | None = None):
    """`streamlit run app.py` on a free loopback port with this workspace (``extra``: more ``streamlit run``
    options); yields (url, port); stops it by its process group id."""
    _require_chromium()
    port = port or _free_port()
    env = {**os.environ, "RETENTION_WORKSPACE": str(workspace)}
    log = (log_dir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not answer on {url} within 90 s")
        yield url, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app with a fresh workspace (the sample shop and UCI saved on first start); yields its base URL."""
    with serve(tmp_path_factory.mktemp("workspace"), tmp_path_factory.mktemp("log")) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # `expect(...)` retries up to this long; a loaded CI machine is slow
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
