"""Who moves first: lead-lag cross-correlations and Granger causality F-tests.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.stattools import grangercausalitytests

from core.estimation._base import MIN_OBS, EstimationError, _require_obs, align_pair


@dataclass(frozen=True)
class GrangerResult:
    """Granger causality F-tests in both directions, per lag order.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by lag order ``p = 1..max_lag`` (name "lag"), columns
        ``market_to_asset_f``, ``market_to_asset_p`` (H0: past market returns do
        not help predict the asset), ``asset_to_market_f``, ``asset_to_market_p``
        (H0: past asset returns do not help predict the market) and ``n`` (rows
        in the test regressions).
    max_lag : int
        Largest lag order tested.
    """

    table: pd.DataFrame
    max_lag: int


def cross_correlation(
    asset: pd.Series, market: pd.Series, *, max_lag: int = 10
) -> pd.DataFrame:
    """Lead-lag cross-correlation at lags ``-max_lag .. +max_lag`` rows.

    Sign convention: at lag ``k`` the value is ``corr(market_t, asset_{t+k})``,
    so **positive k means the market leads** the asset by k sessions and
    negative k means the asset leads the market. Shifts are by row of the joined
    index; each lag uses the pairs present after shifting.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    max_lag : int, default 10
        Largest absolute lag, >= 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by lag (name "lag"), columns ``corr``, ``n`` and ``band`` (the
        approximate 95 % no-correlation band ``1.96 / sqrt(n)``).

    Raises
    ------
    EstimationError
        Negative ``max_lag`` or too few pairs at some lag.
    """
    if isinstance(max_lag, bool) or int(max_lag) != max_lag or max_lag < 0:
        raise EstimationError(f"max_lag must be an integer >= 0, got {max_lag!r}")
    joined = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1, keys=["asset", "market"], join="outer",
    ).sort_index()
    x = joined["market"].to_numpy()
    lags = np.arange(-int(max_lag), int(max_lag) + 1)
    rows = []
    for k in lags:  # 2 * max_lag + 1 vectorised correlations, not a loop over rows
        y = joined["asset"].shift(-k).to_numpy()
        ok = np.isfinite(x) & np.isfinite(y)
        n = int(ok.sum())
        _require_obs(n, MIN_OBS, f"a cross-correlation at lag {k}")
        rho = float(np.corrcoef(x[ok], y[ok])[0, 1])
        rows.append((rho, n, 1.959963984540054 / math.sqrt(n)))
    return pd.DataFrame(rows, columns=["corr", "n", "band"], index=pd.Index(lags, name="lag"))


def granger_tests(asset: pd.Series, market: pd.Series, *, max_lag: int = 5) -> GrangerResult:
    """Granger causality F-tests (statsmodels ``ssr_ftest``) in both directions.

    For lag order p: regress ``asset_t`` on a constant, ``asset_{t-1..t-p}`` and
    ``market_{t-1..t-p}``; the F-test of the market terms gives
    ``market_to_asset_p``. Swapping roles gives ``asset_to_market_p``. A small
    p-value says past values help predict, not that one causes the other.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,); rows missing either are dropped.
    max_lag : int, default 5
        Test lag orders 1..max_lag.

    Returns
    -------
    GrangerResult

    Raises
    ------
    EstimationError
        ``max_lag < 1`` or too few observations (need more than ``3 * max_lag + 1``).
    """
    if isinstance(max_lag, bool) or int(max_lag) != max_lag or max_lag < 1:
        raise EstimationError(f"max_lag must be an integer >= 1, got {max_lag!r}")
    pair = align_pair(asset, market)
    _require_obs(len(pair), 3 * int(max_lag) + 2, f"Granger tests with {max_lag} lags")
    data = pair[["asset", "market"]].to_numpy()
    with warnings.catch_warnings():
        # verbose=False is the only way to silence its printing; it warns about that.
        warnings.simplefilter("ignore", FutureWarning)
        to_asset = grangercausalitytests(data, int(max_lag), verbose=False)
        to_market = grangercausalitytests(data[:, ::-1], int(max_lag), verbose=False)
    lag_index = pd.RangeIndex(1, int(max_lag) + 1, name="lag")
    table = pd.DataFrame(
        {
            "market_to_asset_f": [to_asset[p][0]["ssr_ftest"][0] for p in lag_index],
            "market_to_asset_p": [to_asset[p][0]["ssr_ftest"][1] for p in lag_index],
            "asset_to_market_f": [to_market[p][0]["ssr_ftest"][0] for p in lag_index],
            "asset_to_market_p": [to_market[p][0]["ssr_ftest"][1] for p in lag_index],
            "n": [len(pair) - p for p in lag_index],
        },
        index=lag_index,
    )
    return GrangerResult(table=table, max_lag=int(max_lag))
