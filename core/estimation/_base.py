"""Shared pieces of the estimators: the error class, pairing of series, HAC lag rule, OLS fit.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

from core.errors import ExplorerError

#: Fewest paired observations any regression accepts (two parameters plus one dof).
MIN_OBS = 3


class EstimationError(ExplorerError):
    """Bad input to an estimator (too few observations, unknown column, bad window...)."""


def newey_west_lags(n: int) -> int:
    """Return the Newey-West (1994) rule-of-thumb HAC lag count.

    Parameters
    ----------
    n : int
        Number of observations.

    Returns
    -------
    int
        ``floor(4 * (n / 100) ** (2 / 9))`` (0 for ``n <= 0``).
    """
    if n <= 0:
        return 0
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def select_column(returns: pd.DataFrame, column: str) -> pd.Series:
    """Return one column of a returns table, failing clearly when it is absent.

    Parameters
    ----------
    returns : pandas.DataFrame
        Shape (n_dates, n_tickers).
    column : str
        Ticker wanted.

    Returns
    -------
    pandas.Series
        Shape (n_dates,), named ``column``.

    Raises
    ------
    EstimationError
        If ``column`` is not in ``returns``.
    """
    if column not in returns.columns:
        available = ", ".join(map(str, returns.columns))
        raise EstimationError(f"unknown column {column!r}; available: {available}")
    return returns[column]


def align_pair(asset: pd.Series, market: pd.Series) -> pd.DataFrame:
    """Join two return series on their index and keep rows where both are finite.

    Parameters
    ----------
    asset, market : pandas.Series
        Return series (decimals) on any index.

    Returns
    -------
    pandas.DataFrame
        Columns "asset" and "market", shape (n_pairs, 2), index sorted.
    """
    frame = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1,
        keys=["asset", "market"],
        join="inner",
    ).sort_index()
    finite = np.isfinite(frame.to_numpy()).all(axis=1)
    return frame.loc[finite]


def _require_obs(n: int, minimum: int, what: str) -> None:
    if n < minimum:
        raise EstimationError(f"too few observations for {what}: n={n}, need at least {minimum}")


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise EstimationError(f"confidence level must be in (0, 1), got {level!r}")


def _check_window(window: int, name: str = "window") -> int:
    if isinstance(window, bool) or int(window) != window or window < MIN_OBS:
        raise EstimationError(f"{name} must be an integer >= {MIN_OBS} sessions, got {window!r}")
    return int(window)


def _date_bounds(index: pd.Index) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    if len(index) == 0 or not isinstance(index, pd.DatetimeIndex):
        return None, None
    return index[0], index[-1]


def _fit_ols(
    y: np.ndarray, x: np.ndarray, *, cov_type: str, hac_lags: int | None
) -> sm.regression.linear_model.RegressionResults:
    """Fit OLS of y on [1, x] with HAC (given lags) or HC1 covariance and t inference."""
    exog = sm.add_constant(np.asarray(x, dtype=float), has_constant="add")
    model = sm.OLS(np.asarray(y, dtype=float), exog)
    if cov_type == "HAC":
        return model.fit(
            cov_type="HAC", cov_kwds={"maxlags": int(hac_lags or 0), "use_correction": True},
            use_t=True,
        )
    return model.fit(cov_type=cov_type, use_t=True)


def compound_to_weekly(log_returns: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Compound daily log returns into weekly (Monday-to-Friday weeks) log returns.

    A week's log return is the sum of its daily log returns; it is NaN for a
    column that misses any session that week (no partial weeks). Each week is
    labelled by its last session present in the index.

    Parameters
    ----------
    log_returns : pandas.DataFrame or pandas.Series
        Daily log returns (decimals) on a DatetimeIndex, shape (n_days, n_cols).

    Returns
    -------
    pandas.DataFrame or pandas.Series
        Shape (n_weeks, n_cols), same columns.

    Raises
    ------
    EstimationError
        If the index is not a DatetimeIndex.
    """
    if not isinstance(log_returns.index, pd.DatetimeIndex):
        raise EstimationError(
            f"weekly compounding needs a DatetimeIndex, got {type(log_returns.index).__name__}"
        )
    is_series = isinstance(log_returns, pd.Series)
    frame = log_returns.to_frame() if is_series else log_returns
    frame = frame.sort_index().astype(float)
    week = frame.index.to_period("W-FRI")
    grouped = frame.groupby(week)
    total = grouped.sum(min_count=1)
    complete = grouped.count() == grouped.size().to_numpy()[:, None]
    weekly = total.where(complete)
    last_day = pd.Series(frame.index, index=week).groupby(level=0).max()
    weekly.index = pd.DatetimeIndex(last_day.loc[weekly.index].to_numpy(), name=frame.index.name)
    return weekly.iloc[:, 0] if is_series else weekly
