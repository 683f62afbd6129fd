"""End to end: serve the dashboard with Streamlit and open every page in headless Chromium.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` Python package
(the browser Playwright would download is never used). With SAVE_SCREENSHOTS=1 each
page is saved to docs/screenshots/<page>.png; SCREENSHOT_DATABASE_URL and
SCREENSHOT_CONFIG point the screenshots at a richer store than the test data.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from monitor.dashboard_launcher import command, environment
from monitor.settings import load_settings

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
PAGES = {
    "live": "Qué se dice ahora",
    "queue": "Negativas por responder",
    "weekly": "Resumen semanal",
    "alerts": "Alertas de boca a boca negativo",
}
CONFIG = '[[brands]]\nname = "Acme"\ncompetitors = ["Rival"]\n\n[[brands]]\nname = "Rival"\n'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, child: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"streamlit exited with {child.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture
def server(filled_sqlite, tmp_path):
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (no browser download)"
    )
    shots = os.environ.get("SAVE_SCREENSHOTS") == "1"
    if shots and os.environ.get("SCREENSHOT_DATABASE_URL"):
        env = dict(os.environ, MONITOR_DATABASE_URL=os.environ["SCREENSHOT_DATABASE_URL"])
        settings = load_settings(os.environ.get("SCREENSHOT_CONFIG"), env=env)
    else:
        config = tmp_path / "monitor.toml"
        config.write_text(CONFIG, encoding="utf-8")
        env = {"MONITOR_DATABASE_URL": str(filled_sqlite.store.engine.url)}
        settings = load_settings(config, env=env)
    port = _free_port()
    argv = command(port) + ["--server.address", "127.0.0.1"]
    child_env = environment(settings) | {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    log = (tmp_path / "streamlit.log").open("wb")
    child = subprocess.Popen(argv, env=child_env, cwd=tmp_path, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, child)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()


def _screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the window."""
    height = page.evaluate(
        "() => { const b = document.querySelector('[data-testid=stMainBlockContainer]');"
        " return b ? b.scrollHeight + b.getBoundingClientRect().top : 1000; }"
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(1500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 1000})


def test_every_page_loads_without_error(server):
    from playwright.sync_api import expect, sync_playwright

    save = os.environ.get("SAVE_SCREENSHOTS") == "1"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            for name, title in PAGES.items():
                path = "" if name == "live" else name  # the default page lives at /
                page.goto(f"{server}/{path}", wait_until="domcontentloaded")
                heading = page.locator("h1").filter(has_text=title)
                expect(heading).to_be_visible(timeout=30_000)
                if name == "queue":
                    expect(page.get_by_text("Historias por orden de urgencia")).to_be_visible()
                    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
                elif name == "alerts":
                    page.get_by_text("Todas", exact=True).click()  # closed ones too
                    expect(page.get_by_test_id("stMetric").first).to_be_visible()
                else:
                    chart = page.locator(".vega-embed canvas, .vega-embed svg").first
                    expect(chart).to_be_visible(timeout=30_000)
                page.wait_for_timeout(1500)  # let the remaining charts draw
                assert page.get_by_test_id("stException").count() == 0, name
                if save:
                    _screenshot(page, SHOTS / f"{name}.png")
        finally:
            browser.close()
