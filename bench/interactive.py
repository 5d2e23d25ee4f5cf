"""Interactive speed of the Simulator: browser time per edit against the engine's own time.

In one run, on an idle loopback server (``streamlit run`` on the synthetic demo data):

1. ``browser_seconds``: the median, over ``--changes`` edits (at least 10), of the time
   from typing a new seed in the Simulator's sidebar (Enter pressed) to the headline
   cards showing different numbers, in headless Chromium at the default run size
   (20,000 paths x 63 days, controlled rally, 9 assets). Every seed is new, so every edit
   is a fresh simulation, not a cache hit.
2. ``engine_seconds``: the median time of the same simulations (same model inputs,
   scenario, size and seeds) called directly in this process, no Streamlit. Each is timed
   right after its edit has shown and the page has settled, so the two times of one seed
   see the same machine (a shared machine's speed drifts by tens of percent within a
   minute; timing all edits first and then all engine runs let that drift into the ratio).
3. ``overhead_ratio`` = browser / engine: what the app adds on top of the numbers
   (reruns, metrics, charts, websocket, rendering). Target <= 2.0.
4. ``engine_seconds_one_thread`` and ``overhead_ratio_one_thread``: the engine without its
   draw-ahead thread (:data:`core.montecarlo.DRAW_AHEAD`). The app runs the engine with it,
   but here Chromium and the server share the machine's cores, so a second engine thread
   competes with the browser's rendering; the one-thread time shows what the edit costs
   when the engine gets one core.
5. ``lost_edits``: edits whose numbers never changed (:data:`LOST_AFTER_MS`), each described
   on its own line and left out of the medians; the run needs at least 10 timed edits.
6. ``browser_seconds_in_page``: the same edits timed by the page's own clock, from the
   Enter keydown to the animation frame that finds the new numbers; ``browser_seconds``
   also holds the harness's DevTools round trips (typically 10-20 ms), and the ratio is
   taken on it (the conservative one).

Usage: ``python bench/interactive.py [--changes 12]`` (needs Chromium at /usr/bin/chromium
and Playwright). Last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import start_server  # noqa: E402

sys.path.insert(0, str(REPO))

from core.calibration import calibrate  # noqa: E402
from core.data import load_prices  # noqa: E402
from core.montecarlo import simulate  # noqa: E402
from core.returns import compute_returns  # noqa: E402
from core.roles import assign_roles  # noqa: E402
from core.scenario import resolve_scenario  # noqa: E402
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL, DEFAULT_SP, DEFAULT_TICKERS  # noqa: E402

SCENARIO, PATHS = "controlled_rally", 20_000
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CARDS = '[data-testid="stMetric"]'
#: An edit whose headline numbers have not changed after this long is counted as lost (ms).
LOST_AFTER_MS = 30_000
#: Pause after a rerun has finished before the engine is timed, so the browser's last paints are done (s).
SETTLE_SECONDS = 0.3


def browser_times(
    url: str, seeds: list[int], after_edit: Callable[[int], None] = lambda seed: None,
) -> tuple[dict[int, tuple[float, float]], list[str]]:
    """Seconds from each seed edit to changed headline cards: as the harness sees it, and in the page.

    ``after_edit(seed)`` is called after each timed edit once the page has finished its rerun
    (nothing in the browser or the server is running then).

    Returns ``{seed: (harness, in_page)}`` and a description of each lost edit. The harness
    time is taken here, around Playwright's key press and wait (it includes the DevTools
    protocol's round trips); the in-page time by the page's own clock, from the Enter keydown
    to the animation frame that finds the new numbers. An edit whose numbers have not
    changed after :data:`LOST_AFTER_MS` is lost: it is described (what the seed box and the
    run note show) and left out of the times, and the next edit goes on.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/simulate")
        page.get_by_text("Median return", exact=False).first.wait_for(timeout=120_000)
        seed_box = page.locator('[data-testid="stSidebar"]').get_by_label("Seed", exact=True)
        page.evaluate("""() => document.addEventListener('keydown', e => {
            if (e.key === 'Enter') window.__edit_t0 = performance.now(); }, true)""")
        times: dict[int, tuple[float, float]] = {}
        lost: list[str] = []
        for seed in seeds:
            before = [m.inner_text() for m in page.locator(CARDS).all()]
            seed_box.fill(str(seed))
            start = time.perf_counter()
            seed_box.press("Enter")
            try:
                elapsed_ms = page.wait_for_function(
                    """(before) => {
                        const now = [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => m.innerText);
                        const changed = now.length === before.length && JSON.stringify(now) !== JSON.stringify(before);
                        return changed ? performance.now() - window.__edit_t0 : false;
                    }""",
                    arg=before, timeout=LOST_AFTER_MS, polling="raf",
                ).json_value()
            except PlaywrightTimeout:
                notes = [c.inner_text() for c in page.locator('[data-testid="stCaptionContainer"]').all()]
                run_seed = next((m.group(1) for c in notes if "paths ×" in c
                                 for m in [re.search(r"seed (\d+)", c)] if m), "?")
                lost.append(f"seed {seed}: no new numbers after {LOST_AFTER_MS / 1000:.1f} s; the seed box shows "
                            f"{seed_box.input_value()}, the run note says seed {run_seed}")
                continue
            times[seed] = (time.perf_counter() - start, elapsed_ms / 1000)
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=LOST_AFTER_MS)
            time.sleep(SETTLE_SECONDS)
            after_edit(seed)
        browser.close()
    return times, lost


class EngineTimer:
    """Times ``simulate`` for the same run as the app's default, seed by seed, in this process.

    Each call times the seed twice: with the engine's draw-ahead thread (as the app runs it)
    and on one thread (:data:`core.montecarlo.DRAW_AHEAD` off).
    """

    def __init__(self) -> None:
        import numpy as np

        prices = load_prices(DEFAULT_TICKERS, source="demo")
        returns = compute_returns(prices.closes, calendar=[DEFAULT_RUSSELL, DEFAULT_SP])
        roles = assign_roles(list(DEFAULT_CRYPTO))
        self.model = calibrate(returns[[DEFAULT_RUSSELL, roles.btc, *roles.alts]], russell=DEFAULT_RUSSELL,
                               btc=roles.btc, alts=list(roles.alts))
        self.scenario = resolve_scenario(SCENARIO)
        self.n_assets = len(self.model.assets)
        self.times: dict[int, float] = {}
        self.one_thread: dict[int, float] = {}
        simulate(self.model, self.scenario, n_paths=PATHS, rng=np.random.default_rng(0))  # warm-up

    def _time(self, seed: int, draw_ahead: bool) -> float:
        import numpy as np

        import core.montecarlo as mc

        saved, mc.DRAW_AHEAD = mc.DRAW_AHEAD, draw_ahead
        try:
            start = time.perf_counter()
            simulate(self.model, self.scenario, n_paths=PATHS, rng=np.random.default_rng(seed))
            return time.perf_counter() - start
        finally:
            mc.DRAW_AHEAD = saved

    def __call__(self, seed: int) -> None:
        self.times[seed] = self._time(seed, draw_ahead=True)
        self.one_thread[seed] = self._time(seed, draw_ahead=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=12, help="seed edits to time (at least 10)")
    args = parser.parse_args()
    n = max(10, args.changes)
    seeds = [1000 + 17 * i for i in range(n)]
    engine = EngineTimer()
    with tempfile.TemporaryDirectory() as cache_dir:
        proc, url = start_server(cache_dir)
        try:
            # one warm-up edit (first rerun imports and calibrates), not timed
            timed, lost = browser_times(url, [999, *seeds], after_edit=engine)
            done = [s for s in seeds if s in timed]
            browser = [timed[s][0] for s in done]
            in_page = [timed[s][1] for s in done]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    engine_s = [engine.times[s] for s in done]
    one_thread = [engine.one_thread[s] for s in done]
    n_assets = engine.n_assets
    if len(browser) < 10:
        for line in lost:
            print(f"lost edit: {line}")
        raise SystemExit(f"only {len(browser)} of {n} edits changed the numbers: too few to time")
    b, e, p = statistics.median(browser), statistics.median(engine_s), statistics.median(in_page)
    e1 = statistics.median(one_thread)
    # the ratio of medians, and the median of the per-edit ratios (each edit against its own engine run)
    paired = statistics.median(x / y for x, y in zip(browser, engine_s, strict=True))
    print(f"run: {SCENARIO}, {PATHS:,} paths x 63 days x {n_assets} assets, {n} seed edits")
    for line in lost:
        print(f"lost edit: {line}")
    print(f"browser, edit -> new headline numbers: median {b:.3f} s (min {min(browser):.3f}, max {max(browser):.3f})")
    print(f"  the same by the page's own clock:    median {p:.3f} s (min {min(in_page):.3f}, max {max(in_page):.3f})")
    print(f"engine only (simulate), same runs:     median {e:.3f} s (min {min(engine_s):.3f}, max {max(engine_s):.3f})")
    print(f"  per-edit ratio browser / engine:     median {paired:.3f}")
    print(f"  the same on one thread (no draw-ahead): median {e1:.3f} s")
    print(json.dumps({"browser_seconds": round(b, 4), "engine_seconds": round(e, 4),
                      "overhead_ratio": round(b / e, 3), "changes": n,
                      "browser_seconds_in_page": round(p, 4), "engine_seconds_one_thread": round(e1, 4),
                      "overhead_ratio_one_thread": round(b / e1, 3), "lost_edits": len(lost),
                      "overhead_ratio_paired": round(paired, 3)}))


if __name__ == "__main__":
    main()
