"""Rolling beta: running sums (core.estimation.rolling_betas) vs statsmodels RollingOLS.

20 assets x 2,500 sessions, window 90, a few missing values. Both are timed in
this run on the same data (best of several repeats, since the machine is shared)
and the largest absolute difference between the betas is reported.

Usage: ``python bench/rolling.py``. The last line is JSON:
``{"speedup_vs_statsmodels": x, "max_abs_diff": y}``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.regression.rolling import RollingOLS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.estimation import rolling_betas  # noqa: E402

N_ASSETS, N_SESSIONS, WINDOW = 20, 2500, 90


def make_data(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """Market and asset log returns with betas 0.5..2.5 and 0.2 % missing values."""
    idx = pd.bdate_range("2016-01-01", periods=N_SESSIONS, name="date")
    market = pd.Series(rng.normal(0.0003, 0.012, N_SESSIONS), idx, name="IWM")
    betas = np.linspace(0.5, 2.5, N_ASSETS)
    noise = rng.normal(0.0, 0.03, (N_SESSIONS, N_ASSETS))
    assets = pd.DataFrame(np.outer(market, betas) + noise, idx,
                          columns=[f"ASSET{i:02d}-USD" for i in range(N_ASSETS)])
    holes = rng.random(assets.shape) < 0.002
    return assets.mask(holes), market


def with_statsmodels(assets: pd.DataFrame, market: pd.Series) -> pd.DataFrame:
    """RollingOLS looped over the assets (full windows of valid pairs, like ours)."""
    exog = sm.add_constant(market)
    out = {}
    for col in assets.columns:
        fit = RollingOLS(assets[col], exog, window=WINDOW, min_nobs=WINDOW, missing="drop").fit()
        out[col] = fit.params[market.name]
    return pd.DataFrame(out)


def best_time(func: Callable[[], pd.DataFrame], repeats: int) -> tuple[float, pd.DataFrame]:
    """Smallest wall time over ``repeats`` calls, and the last result."""
    best, result = float("inf"), pd.DataFrame()
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    assets, market = make_data(np.random.default_rng(2024))
    t_ours, ours = best_time(lambda: rolling_betas(assets, market, WINDOW), 20)
    t_sm, ref = best_time(lambda: with_statsmodels(assets, market), 3)
    diff = (ours - ref).abs().to_numpy()
    same_nan = bool((ours.isna() == ref.isna()).all().all())
    print(f"assets={N_ASSETS} sessions={N_SESSIONS} window={WINDOW}")
    print(f"running sums: {t_ours * 1e3:.2f} ms   RollingOLS loop: {t_sm * 1e3:.1f} ms")
    print(f"same missing windows: {same_nan}")
    print(json.dumps({"speedup_vs_statsmodels": round(t_sm / t_ours, 1),
                      "max_abs_diff": float(np.nanmax(diff))}))


if __name__ == "__main__":
    main()
