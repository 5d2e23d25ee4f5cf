"""Rolling OLS beta and correlation from O(n) running sums, and EWMA correlation.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy import stats

from core.estimation._base import MIN_OBS, EstimationError, _check_level, _check_window

#: Rolling-window presets offered to users, in sessions (rows of the return series).
ROLLING_WINDOWS: tuple[int, ...] = (30, 60, 90, 180)


def _window_sums(
    x: np.ndarray, y: np.ndarray, window: int
) -> tuple[np.ndarray, ...]:
    """Windowed count and centred moments of paired columns via cumulative sums.

    x, y have shape (n, k). Returns (count, mean_x, mean_y, sxx, syy, sxy), each
    (n - window + 1, k): window ``i`` ends at row ``i + window - 1``; ``sxx`` etc.
    are sums of squared deviations from the window means over valid pairs only.
    """
    valid = np.isfinite(x) & np.isfinite(y)
    # Shift by each column's mean first so the running sums stay small (accuracy).
    with np.errstate(invalid="ignore"):
        counts = valid.sum(axis=0)
        shift_x = np.where(counts > 0, np.where(valid, x, 0.0).sum(axis=0) / np.maximum(counts, 1),
                           0.0)
        shift_y = np.where(counts > 0, np.where(valid, y, 0.0).sum(axis=0) / np.maximum(counts, 1),
                           0.0)
    xc = np.where(valid, x - shift_x, 0.0)
    yc = np.where(valid, y - shift_y, 0.0)
    stacked = np.stack([valid.astype(float), xc, yc, xc * xc, yc * yc, xc * yc])
    cum = np.concatenate([np.zeros((6, 1, x.shape[1])), np.cumsum(stacked, axis=1)], axis=1)
    win = cum[:, window:] - cum[:, :-window]
    cnt = np.rint(win[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = win[1] / cnt, win[2] / cnt
        sxx = win[3] - win[1] * mx
        syy = win[4] - win[2] * my
        sxy = win[5] - win[1] * my
    return cnt, mx + shift_x, my + shift_y, sxx, syy, sxy


def _pad(values: np.ndarray, window: int) -> np.ndarray:
    head = np.full((window - 1,) + values.shape[1:], np.nan)
    return np.concatenate([head, values], axis=0)


def _rolling_arrays(
    x: np.ndarray, y: np.ndarray, window: int, min_periods: int, z: float
) -> dict[str, np.ndarray]:
    """Rolling OLS of y on [1, x] per column from running sums; arrays of shape (n, k)."""
    n = x.shape[0]
    k = y.shape[1]
    if n < window:
        empty = np.full((n, k), np.nan)
        return {key: empty.copy() for key in
                ("n", "alpha", "beta", "beta_se", "beta_lower", "beta_upper", "corr", "r2")}
    cnt, mx, my, sxx, syy, sxy = _window_sums(x, y, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (cnt >= min_periods) & (sxx > 0.0)
        beta = np.where(ok, sxy / sxx, np.nan)
        alpha = my - beta * mx
        ssr = np.maximum(syy - beta * sxy, 0.0)
        se = np.where(cnt > 2, np.sqrt(ssr / (cnt - 2.0) / sxx), np.nan)
        corr_ok = ok & (syy > 0.0)
        corr = np.where(corr_ok, np.clip(sxy / np.sqrt(sxx * syy), -1.0, 1.0), np.nan)
    return {
        "n": _pad(cnt, window),
        "alpha": _pad(alpha, window),
        "beta": _pad(beta, window),
        "beta_se": _pad(se, window),
        "beta_lower": _pad(beta - z * se, window),
        "beta_upper": _pad(beta + z * se, window),
        "corr": _pad(corr, window),
        "r2": _pad(corr * corr, window),
    }


def _rolling_setup(window: int, min_periods: int | None, level: float) -> tuple[int, int, float]:
    window = _check_window(window)
    _check_level(level)
    mp = window if min_periods is None else int(min_periods)
    if not MIN_OBS <= mp <= window:
        raise EstimationError(
            f"min_periods must be between {MIN_OBS} and window={window}, got {min_periods!r}"
        )
    return window, mp, float(stats.norm.ppf(0.5 + level / 2.0))


def rolling_beta(
    asset: pd.Series,
    market: pd.Series,
    window: int,
    *,
    min_periods: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rolling OLS beta, alpha, correlation and beta band in O(n) running sums.

    For each row t the window is rows ``t - window + 1 .. t`` of the joined
    index (sessions, not calendar days); only rows where both returns exist
    count. With ``b = Sxy / Sxx`` (centred sums), ``se = sqrt(SSR / (m - 2) / Sxx)``,
    ``SSR = Syy - b * Sxy`` and ``m`` valid pairs, the band is ``b -/+ z * se``
    with ``z`` the normal quantile of ``level`` (1.96 at 95 %). Equal to
    statsmodels ``RollingOLS(y, add_constant(x), window, min_nobs=min_periods,
    missing="drop")`` params and bse.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    window : int
        Window length in rows, >= 3 (presets in :data:`ROLLING_WINDOWS`).
    min_periods : int, optional
        Fewest valid pairs a window needs; default ``window`` (a full window).
    level : float, default 0.95
        Band level.

    Returns
    -------
    pandas.DataFrame
        Indexed by the joined dates, columns ``n``, ``alpha``, ``beta``,
        ``beta_se``, ``beta_lower``, ``beta_upper``, ``corr``, ``r2``; NaN where a
        window has fewer than ``min_periods`` pairs.

    Raises
    ------
    EstimationError
        ``window < 3``, ``min_periods`` outside ``[3, window]`` or bad ``level``.
    """
    window, mp, z = _rolling_setup(window, min_periods, level)
    joined = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1, keys=["asset", "market"], join="outer",
    ).sort_index()
    arrays = _rolling_arrays(joined[["market"]].to_numpy(), joined[["asset"]].to_numpy(), window,
                             mp, z)
    return pd.DataFrame({key: val[:, 0] for key, val in arrays.items()}, index=joined.index)


def rolling_betas(
    assets: pd.DataFrame,
    market: pd.Series,
    window: int,
    *,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Rolling beta of many assets on one market at once (vectorised over columns).

    Same estimator as :func:`rolling_beta`, computed for every column together.

    Parameters
    ----------
    assets : pandas.DataFrame
        Returns (decimals), shape (n_dates, n_assets).
    market : pandas.Series
        Market returns, shape (n_dates,), aligned on the same index.
    window : int
        Window length in rows, >= 3.
    min_periods : int, optional
        Fewest valid pairs per window; default ``window``.

    Returns
    -------
    pandas.DataFrame
        Betas, shape (n_dates, n_assets), same labels as ``assets``.
    """
    window, mp, z = _rolling_setup(window, min_periods, 0.95)
    mkt = pd.Series(market, dtype=float).reindex(assets.index)
    y = assets.to_numpy(dtype=float)
    x = np.broadcast_to(mkt.to_numpy()[:, None], y.shape)
    arrays = _rolling_arrays(x, y, window, mp, z)
    return pd.DataFrame(arrays["beta"], index=assets.index, columns=assets.columns)


def rolling_correlation(
    asset: pd.Series, market: pd.Series, window: int, *, min_periods: int | None = None
) -> pd.Series:
    """Rolling Pearson correlation over ``window`` rows (running sums, pairwise complete).

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    window : int
        Window length in rows, >= 3.
    min_periods : int, optional
        Fewest valid pairs per window; default ``window``.

    Returns
    -------
    pandas.Series
        Correlation in [-1, 1] indexed by the joined dates, named "corr".
    """
    return rolling_beta(asset, market, window, min_periods=min_periods)["corr"]


def ewma_correlation(
    asset: pd.Series,
    market: pd.Series,
    halflife: float,
    *,
    min_periods: int | None = None,
) -> pd.Series:
    """Exponentially weighted correlation with a half-life in sessions.

    With weights ``w_i = 2 ** (-(t - i) / halflife)`` over past rows where both
    returns exist (pandas ``ewm(adjust=True)`` weights, decaying through gaps),
    ``rho_t = (E[xy] - E[x] E[y]) / sqrt((E[x^2] - E[x]^2) (E[y^2] - E[y]^2))``.
    Equal to ``asset.ewm(halflife=h).corr(market)`` in pandas.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    halflife : float
        Half-life in sessions, > 0.
    min_periods : int, optional
        Fewest valid pairs before a value is shown; default ``max(3, ceil(halflife))``.

    Returns
    -------
    pandas.Series
        Correlation indexed by the joined dates, named "ewma_corr".

    Raises
    ------
    EstimationError
        Non-positive half-life or ``min_periods < 2``.
    """
    if not (isinstance(halflife, numbers.Real) and not isinstance(halflife, bool)
            and math.isfinite(halflife) and halflife > 0):
        raise EstimationError(f"halflife must be a positive number of sessions, got {halflife!r}")
    mp = max(MIN_OBS, math.ceil(halflife)) if min_periods is None else int(min_periods)
    if mp < 2:
        raise EstimationError(f"min_periods must be >= 2, got {min_periods!r}")
    joined = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1, keys=["asset", "market"], join="outer",
    ).sort_index()
    valid = np.isfinite(joined.to_numpy()).all(axis=1)
    y = joined["asset"].where(valid)
    x = joined["market"].where(valid)
    moments = pd.DataFrame({"x": x, "y": y, "xx": x * x, "yy": y * y, "xy": x * y})
    m = moments.ewm(halflife=halflife, min_periods=mp, adjust=True, ignore_na=False).mean()
    cov = m["xy"] - m["x"] * m["y"]
    var_x = m["xx"] - m["x"] ** 2
    var_y = m["yy"] - m["y"] ** 2
    denom = np.sqrt(var_x * var_y)
    corr = (cov / denom).where(denom > 0).clip(-1.0, 1.0)
    return corr.rename("ewma_corr")
