"""End to end in a real browser: Chromium driven by Playwright against ``streamlit run``.

Skipped with a reason when Chromium or Playwright is missing (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = REPO / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no Chromium found (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    port = _free_port()
    env = {**os.environ, "SCX_DATA_SOURCE": "demo", "SCX_CACHE_DIR": str(tmp_path_factory.mktemp("c"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 90 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


def _metric_texts(page) -> list[str]:
    return [m.inner_text() for m in page.locator('[data-testid="stMetric"]').all()]


def test_market_page_changes_when_a_sidebar_value_changes(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{app_url}/market")  # the landing page is "The question"
    page.get_by_text("Synthetic demo data", exact=False).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    before = _metric_texts(page)
    assert before and "IWM · 1y" in before[0]

    # Switch the Russell proxy from IWM to the ^RUT index in the sidebar.
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Russell 2000 proxy").click()
    page.get_by_role("option", name="^RUT").click()
    page.get_by_text("^RUT · 1y").wait_for(timeout=60_000)
    after = _metric_texts(page)
    assert after != before and "^RUT · 1y" in after[0]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "market.png"), full_page=True)
    page.close()


def test_simulator_numbers_change_when_a_sidebar_value_changes(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{app_url}/simulate")
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=90_000)
    page.get_by_text("Median return", exact=False).first.wait_for(timeout=90_000)
    before = _metric_texts(page)

    seed = page.locator('[data-testid="stSidebar"]').get_by_label("Seed", exact=True)
    seed.fill("12345")
    seed.press("Enter")
    page.wait_for_function(
        """(before) => {
            const now = [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => m.innerText);
            return now.length > 0 && JSON.stringify(now) !== JSON.stringify(before);
        }""",
        arg=before,
        timeout=90_000,
    )
    after = _metric_texts(page)
    assert after != before
    assert "seed=12345" in page.url or "seed=12345" in page.evaluate("() => window.location.search")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "simulator.png"), full_page=False)
    page.close()
