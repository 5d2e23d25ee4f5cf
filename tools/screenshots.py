"""Take screenshots of every page of the running app with headless Chromium (Playwright).

Usage::

    python tools/screenshots.py [--data-dir ../shared/data/market] [--out docs/screenshots]

Starts ``streamlit run streamlit_app.py`` on a free local port (on the CSV folder if
given, else on the synthetic demo), opens each page, waits for it to finish
running and saves ``<page>.png``. Needs Chromium at /usr/bin/chromium
(``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Picture name -> (page path in the app, an element that appears once the page has computed its results).
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("", '[data-testid="stMetric"]'),
    "market": ("market", '[data-testid="stMetric"]'),
    "relationships": ("relationships", '[data-testid="stMetric"]'),
    "breakouts": ("breakouts", '[data-testid="stTabs"]'),
    "altseason": ("altseason", '[data-testid="stMetric"]'),
    "simulate": ("simulate", '[data-testid="stMetric"]'),
    "compare": ("compare", '[data-testid="stDataFrame"]'),
    "methodology": ("methodology", '[data-testid="stDataFrame"]'),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(page, selector: str, timeout_ms: int = 120_000) -> None:
    """Wait for the page's result element, then for charts to finish drawing."""
    page.wait_for_selector(selector, timeout=timeout_ms)
    # cards filled last (the landing page's regime fit) show "…" until their number arrives
    page.wait_for_function(
        """() => ![...document.querySelectorAll('[data-testid="stMetricValue"]')]
                 .some(e => e.textContent.trim() === "…")""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(4000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None, help="CSV folder to open the app on (default: demo data)")
    ap.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--pages", nargs="*", default=None, choices=list(PAGES), help="only these pictures (default: all)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {**os.environ}
    if args.data_dir:
        # Relative to the app's folder, so the banner shows a short path.
        env["SCX_DATA_DIR"] = os.path.relpath(Path(args.data_dir).resolve(), REPO)
        env.pop("SCX_DATA_SOURCE", None)
    else:
        env["SCX_DATA_SOURCE"] = "demo"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            for name, (path_in_app, ready) in PAGES.items():
                if args.pages and name not in args.pages:
                    continue
                page.goto(f"{url}/{path_in_app}")
                _wait_ready(page, ready)
                path = out / f"{name}.png"
                page.screenshot(path=str(path), full_page=False)
                print(path)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
