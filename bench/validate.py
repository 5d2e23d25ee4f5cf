"""Benchmark of the walk-forward validation against one simulation of the same size, measured in one run.

A full validation (monthly origins, every 21 sessions since 2019-01-01, on the real CSV
folder, 20,000 paths, horizon 63) calibrates and simulates once per origin, so its time
is compared with ``origins x`` the time of one simulation of the same size (calibrated on
all the data, best of ``--repeats`` before and after the validation). Target:
``ratio <= 1.2 x origins``. The machine is shared, so both wall-clock and process CPU time
are measured; ``ratio`` is the CPU-time ratio (other processes competing for the cores
inflate wall-clock times at random moments, not the CPU time this process uses), and
``ratio_wall`` is printed beside it. The time spent in calibration is reported too (timed
by wrapping the validation's ``calibrate``).

Usage: ``python bench/validate.py [--data-dir ../shared/data/market] [--scenario historical_base]``.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core.validation._walk as walk  # noqa: E402
from core.calibration import calibrate  # noqa: E402
from core.data import list_csv_tickers, load_prices  # noqa: E402
from core.montecarlo import simulate  # noqa: E402
from core.returns import compute_returns  # noqa: E402
from core.roles import assign_roles, match_coins  # noqa: E402
from core.scenario import SCENARIO_DIR, resolve_scenario  # noqa: E402
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "market"))
    ap.add_argument("--scenario", default="historical_base")
    ap.add_argument("--start", default="2019-01-01")
    ap.add_argument("--every", type=int, default=21)
    ap.add_argument("--horizon", type=int, default=63)
    ap.add_argument("--paths", type=int, default=20_000)
    ap.add_argument("--engine", default="parametric")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    crypto = match_coins(DEFAULT_CRYPTO, list_csv_tickers(args.data_dir), keep_missing=False)
    roles = assign_roles(crypto)
    prices = load_prices([DEFAULT_RUSSELL, *crypto], source="csv", data_dir=args.data_dir)
    returns = compute_returns(prices.closes[[DEFAULT_RUSSELL, *crypto]], calendar=[DEFAULT_RUSSELL])
    scenario = resolve_scenario(args.scenario, SCENARIO_DIR)

    model = calibrate(returns, russell=DEFAULT_RUSSELL, btc=roles.btc, alts=list(roles.alts))
    sim_wall, sim_cpu = [], []

    def reference(repeats: int) -> None:
        for r in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            simulate(model, scenario, n_paths=args.paths, horizon=args.horizon, rng=np.random.default_rng(r),
                     engine=args.engine)
            sim_wall.append(time.perf_counter() - t0)
            sim_cpu.append(time.process_time() - c0)

    reference(args.repeats)

    spent = {"calibrate": 0.0}
    original = walk.calibrate

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            spent["calibrate"] += time.perf_counter() - t0

    walk.calibrate = timed
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        result = walk.walk_forward(returns, russell=DEFAULT_RUSSELL, btc=roles.btc, alts=roles.alts,
                                   scenario=scenario, start=args.start, every=args.every, horizon=args.horizon,
                                   n_paths=args.paths, seed=1, engine=args.engine)
        total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        walk.calibrate = original
    reference(args.repeats)

    origins = len(result.origins)
    ratio = total_cpu / min(sim_cpu)
    ratio_wall = total / min(sim_wall)
    print(json.dumps({
        "bench": "validate", "scenario": scenario.name, "engine": args.engine, "paths": args.paths,
        "horizon": args.horizon, "every": args.every, "start": args.start, "origins": origins,
        "simulation_cpu_seconds": round(min(sim_cpu), 4), "validation_cpu_seconds": round(total_cpu, 3),
        "simulation_seconds": round(min(sim_wall), 4), "validation_seconds": round(total, 3),
        "ratio": round(ratio, 2), "ratio_per_origin": round(ratio / origins, 3),
        "ratio_wall": round(ratio_wall, 2), "ratio_wall_per_origin": round(ratio_wall / origins, 3),
        "target_ratio": round(1.2 * origins, 1), "within_target": ratio <= 1.2 * origins,
        "calibration_share": round(spent["calibrate"] / total, 3),
    }))


if __name__ == "__main__":
    main()
