"""Benchmark of the Monte Carlo engine, all ratios measured within one run.

1. Speed: ``simulate`` at 100,000 paths x 252 days x 8 assets (speculative frenzy:
   three regimes with different tails, Student-t shocks, jumps, downside betas; the
   heaviest shipped scenario; the bootstrap engine and the one-regime historical
   base are timed too) against the time numpy's
   default Generator takes to draw the same number of float64 standard normals
   (the floor any engine drawing one normal per asset-day must pay). Best of
   ``--repeats`` for both.
2. Memory: tracemalloc peak of one simulation at horizons 252 and 1,260 days
   (20,000 paths); the ratio shows the summary outputs do not grow with the horizon.
3. Interactive: seconds for the default app run, 20,000 paths x 63 days x 8 assets.

Usage: ``python bench/montecarlo.py [--paths 100000] [--repeats 2]``. Last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.calibration import MarketModel, calibrate  # noqa: E402
from core.data import load_prices  # noqa: E402
from core.montecarlo import simulate  # noqa: E402
from core.returns import compute_returns  # noqa: E402
from core.scenario import SCENARIO_DIR, Scenario, load_scenario  # noqa: E402

TICKERS = ("IWM", "BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "AVAX-USD", "DOGE-USD", "XRP-USD")


def demo_model() -> MarketModel:
    """Model calibrated on the synthetic demo prices (8 assets: IWM, BTC, 6 altcoins)."""
    prices = load_prices(TICKERS, source="demo")
    returns = compute_returns(prices.closes, calendar=["IWM"])
    return calibrate(returns, russell="IWM", btc="BTC-USD")


def time_rng_floor(n_values: int, repeats: int) -> float:
    """Best-of seconds to draw ``n_values`` float64 standard normals (into a reused buffer)."""
    chunk = 1 << 23
    buf = np.empty(chunk)
    best = float("inf")
    for _ in range(repeats):
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        left = n_values
        while left > 0:
            k = min(chunk, left)
            rng.standard_normal(out=buf[:k])
            left -= k
        best = min(best, time.perf_counter() - start)
    return best


def time_engine(
    model: MarketModel, scenario: Scenario, paths: int, horizon: int, repeats: int,
    engine: str = "parametric",
) -> float:
    """Best-of seconds for one ``simulate`` call."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        simulate(model, scenario, n_paths=paths, horizon=horizon, rng=np.random.default_rng(1),
                 engine=engine)
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory(model: MarketModel, scenario: Scenario, paths: int, horizon: int) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    simulate(model, scenario, n_paths=paths, horizon=horizon, rng=np.random.default_rng(2))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--horizon", type=int, default=252)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    model = demo_model()
    scenario = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    n_assets = len(model.assets)
    n_values = args.paths * args.horizon * n_assets
    print(f"assets: {n_assets} ({', '.join(model.assets)}); scenario: {scenario.name}")

    floor = time_rng_floor(n_values, args.repeats)
    engine = time_engine(model, scenario, args.paths, args.horizon, args.repeats)
    boot = time_engine(model, scenario, args.paths, args.horizon, 1, engine="bootstrap")
    base = time_engine(model, load_scenario(SCENARIO_DIR / "historical_base.toml"), args.paths,
                       args.horizon, 1)
    ratio = engine / floor
    print(f"rng floor ({n_values:,} float64 normals): {floor:.2f} s")
    print(f"parametric engine {args.paths:,} x {args.horizon} x {n_assets}: {engine:.2f} s "
          f"(ratio {ratio:.2f})")
    print(f"bootstrap engine, same size: {boot:.2f} s (ratio {boot / floor:.2f})")
    print(f"parametric, historical base (one regime, no jumps): {base:.2f} s "
          f"(ratio {base / floor:.2f})")

    mem_paths = 20_000
    peak_short = peak_memory(model, scenario, mem_paths, 252)
    peak_long = peak_memory(model, scenario, mem_paths, 1260)
    growth = peak_long / peak_short
    print(f"peak memory {mem_paths:,} paths: 252 days {peak_short / 2**20:.1f} MiB, "
          f"1,260 days {peak_long / 2**20:.1f} MiB (growth {growth:.2f}x)")

    interactive = time_engine(model, scenario, 20_000, 63, 3)
    print(f"interactive run 20,000 x 63 x {n_assets}: {interactive:.3f} s")
    print(json.dumps({
        "ratio_to_rng_floor": round(ratio, 3),
        "memory_growth_5x_horizon": round(growth, 3),
        "interactive_seconds": round(interactive, 3),
        "ratio_bootstrap": round(boot / floor, 3),
        "ratio_historical_base": round(base / floor, 3),
    }))


if __name__ == "__main__":
    main()
