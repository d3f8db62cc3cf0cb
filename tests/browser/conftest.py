"""Fixtures for the browser tests: a real `breachlens.delivery.web.serve` process on 127.0.0.1 over a filled store, and
Debian's Chromium driven by Playwright (skipped, with the reason, when /usr/bin/chromium is not installed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = os.environ.get("BREACHLENS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "web_ui"
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "browser"
# Seconds to wait for the server to answer after it starts (it loads the analysis pipeline's settings only).
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file filled from tests/fixtures/web_ui by the real ingest."""
    from breachlens.ingest.sources import ingest_sources
    from breachlens.settings import Settings
    from breachlens.store import open_store

    path = tmp_path_factory.mktemp("browser") / "web.db"
    with open_store(str(path)) as store:
        summary = ingest_sources([str(FIXTURES)], store, Settings.load())
        assert summary.failed == 0, summary.failures
    return path


@pytest.fixture(scope="session")
def base_url(served_db: Path) -> Iterator[str]:
    """`serve(host="127.0.0.1", port=…, db=…)` in its own process; the URL it answers on."""
    port = _free_port()
    code = (
        "import sys; from breachlens.delivery.web import serve; "
        f"serve(host='127.0.0.1', port={port}, db=sys.argv[1], log_level='warning')"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(served_db)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"the server exited with {process.returncode}: {output}")
            try:
                if httpx.get(f"{url}/api/incidents", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer on {url} within {STARTUP_TIMEOUT_S:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright's Python package (no downloaded browser build).

    Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
    open, which would break later test modules that call `asyncio.run`.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (run scripts/install-browser.sh; CI installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page with JavaScript on, that records dialogs, page errors and console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.dialogs = []
    pg.errors = []
    pg.on("dialog", lambda dialog: (pg.dialogs.append(dialog.message), dialog.dismiss()))
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser/ (gitignored): where screenshots go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
