"""How stable the relation is: beta and correlation per calendar year and per volatility tercile.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.estimation._base import MIN_OBS, EstimationError, _check_window, _require_obs, align_pair
from core.estimation._ols import estimate_beta

#: Labels of the market-volatility terciles, calm to turbulent.
VOL_TERCILES: tuple[str, ...] = ("low", "medium", "high")
#: Market-volatility window per return frequency: about a month of sessions, a quarter of
#: weeks, half a year of months.
VOL_WINDOW_BY_FREQ: dict[str, int] = {"D": 21, "W": 13, "M": 6}
#: Fewest pairs a calendar year needs before its beta is reported, per return frequency.
MIN_YEAR_OBS_BY_FREQ: dict[str, int] = {"D": 20, "W": 8, "M": 6}


def _subsample_table(
    pair: pd.DataFrame, groups: pd.Series, order: Sequence[object], min_obs: int, level: float
) -> pd.DataFrame:
    """Beta (HAC) and correlation per group label; NaN estimates where n < min_obs."""
    rows = []
    for label in order:  # one regression per group (a handful), not per row
        part = pair.loc[(groups == label).to_numpy()]
        n = len(part)
        row: dict[str, float] = {"n": n, "beta": np.nan, "beta_lower": np.nan,
                                 "beta_upper": np.nan, "corr": np.nan}
        if n >= max(min_obs, MIN_OBS) and np.ptp(part["market"].to_numpy()) > 0:
            est = estimate_beta(part["asset"], part["market"], level=level)
            row.update(beta=est.beta, beta_lower=est.beta_ci[0], beta_upper=est.beta_ci[1])
            if np.ptp(part["asset"].to_numpy()) > 0:
                row["corr"] = float(np.corrcoef(part["market"], part["asset"])[0, 1])
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(list(order)))
    table["n"] = table["n"].astype(int)
    return table


def estimate_by_year(
    asset: pd.Series,
    market: pd.Series,
    *,
    min_obs: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Beta and correlation per calendar year.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals) on a DatetimeIndex, shape (n_dates,).
    min_obs : int, default 10
        Years with fewer pairs keep their ``n`` but get NaN estimates.
    level : float, default 0.95
        Level of the HAC beta interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by year (int, name "year"), columns ``n``, ``beta``,
        ``beta_lower``, ``beta_upper``, ``corr``.

    Raises
    ------
    EstimationError
        Non-datetime index or no paired rows.
    """
    pair = align_pair(asset, market)
    if not isinstance(pair.index, pd.DatetimeIndex):
        raise EstimationError("per-year estimates need a DatetimeIndex")
    _require_obs(len(pair), 1, "per-year estimates")
    years = pd.Series(pair.index.year, index=pair.index)
    table = _subsample_table(pair, years, sorted(years.unique()), min_obs, level)
    table.index = pd.Index([int(y) for y in table.index], name="year")
    return table


def market_volatility(market: pd.Series, *, window: int = 21) -> pd.Series:
    """Realised volatility of the market known at each date.

    ``vol_t = std(market_{t-window+1..t})`` (sample std, per period, decimals;
    multiply by ``sqrt(252)`` for an annual figure on daily data).

    Parameters
    ----------
    market : pandas.Series
        Market returns, shape (n_dates,).
    window : int, default 21
        Sessions in the window, >= 3.

    Returns
    -------
    pandas.Series
        Volatility, NaN until a full window of valid returns exists.
    """
    window = _check_window(window)
    return pd.Series(market, dtype=float).rolling(window, min_periods=window).std().rename("vol")


def estimate_by_volatility(
    asset: pd.Series,
    market: pd.Series,
    *,
    window: int = 21,
    min_obs: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Beta and correlation within low / medium / high market-volatility terciles.

    A session t is classed by ``vol_{t-1}`` from :func:`market_volatility`, the
    volatility known before that session's return, so the class does not use
    the return it classifies. Tercile cut points are the 1/3 and 2/3 sample
    quantiles of that volatility over the paired sessions.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    window : int, default 21
        Volatility window in sessions.
    min_obs : int, default 10
        Terciles with fewer pairs get NaN estimates.
    level : float, default 0.95
        Level of the HAC beta interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by "low", "medium", "high" (name "volatility"), columns ``n``,
        ``vol_min``, ``vol_max`` (per-period decimals), ``beta``,
        ``beta_lower``, ``beta_upper``, ``corr``.

    Raises
    ------
    EstimationError
        Fewer than 3 sessions with a known volatility.
    """
    vol = market_volatility(market, window=window).shift(1)
    pair = align_pair(asset, market)
    vol = vol.reindex(pair.index)
    known = vol.notna().to_numpy()
    pair, vol = pair.loc[known], vol.loc[known]
    _require_obs(len(pair), MIN_OBS, "volatility terciles")
    cuts = vol.quantile([1.0 / 3.0, 2.0 / 3.0]).to_numpy()
    codes = np.searchsorted(cuts, vol.to_numpy(), side="right")
    labels = pd.Series(np.asarray(VOL_TERCILES, dtype=object)[codes], index=pair.index)
    table = _subsample_table(pair, labels, VOL_TERCILES, min_obs, level)
    vol_by = vol.groupby(labels.to_numpy())
    table.insert(1, "vol_min", vol_by.min().reindex(VOL_TERCILES).to_numpy())
    table.insert(2, "vol_max", vol_by.max().reindex(VOL_TERCILES).to_numpy())
    table.index.name = "volatility"
    return table
