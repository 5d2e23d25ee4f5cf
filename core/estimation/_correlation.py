"""Pearson and Spearman correlation of a pair, and pairwise-complete correlation matrices.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from core.estimation._base import MIN_OBS, EstimationError, _check_level, _require_obs, align_pair


@dataclass(frozen=True)
class CorrelationEstimate:
    """Pearson and Spearman correlation of two return series.

    Attributes
    ----------
    pearson, spearman : float
        Correlations in [-1, 1].
    pearson_p, spearman_p : float
        Two-sided p-values of zero correlation (scipy.stats; i.i.d. assumption).
    pearson_ci : tuple[float, float]
        Fisher-z interval for the Pearson correlation at ``level``.
    n : int
        Paired observations used.
    level : float
        Confidence level of ``pearson_ci``.
    """

    pearson: float
    pearson_p: float
    pearson_ci: tuple[float, float]
    spearman: float
    spearman_p: float
    n: int
    level: float


@dataclass(frozen=True)
class CorrelationMatrix:
    """Pairwise-complete correlation matrix.

    Attributes
    ----------
    corr : pandas.DataFrame
        Square, symmetric, unit diagonal (where a column has variance), labels kept.
    n : pandas.DataFrame
        Number of rows where both columns are present, same shape.
    method : str
        "pearson" or "spearman".
    """

    corr: pd.DataFrame
    n: pd.DataFrame
    method: str


def estimate_correlation(
    asset: pd.Series, market: pd.Series, *, level: float = 0.95
) -> CorrelationEstimate:
    """Pearson and Spearman correlation with p-values (scipy.stats) on paired rows.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    level : float, default 0.95
        Level of the Fisher-z interval for Pearson.

    Returns
    -------
    CorrelationEstimate

    Raises
    ------
    EstimationError
        Fewer than 3 paired observations or a constant series.
    """
    _check_level(level)
    pair = align_pair(asset, market)
    n = len(pair)
    _require_obs(n, MIN_OBS, "a correlation")
    x, y = pair["market"].to_numpy(), pair["asset"].to_numpy()
    if np.ptp(x) == 0.0 or np.ptp(y) == 0.0:
        raise EstimationError("a constant series has no correlation")
    pear = stats.pearsonr(x, y)
    # Fisher z interval; scipy's exact interval needs n > 3, so compute it directly.
    r = float(np.clip(pear.statistic, -1.0, 1.0))
    if n > 3 and abs(r) < 1.0:
        z, half = np.arctanh(r), stats.norm.ppf(0.5 + level / 2.0) / math.sqrt(n - 3)
        ci = (float(np.tanh(z - half)), float(np.tanh(z + half)))
    else:
        ci = (float("nan"), float("nan"))
    spear = stats.spearmanr(x, y)
    return CorrelationEstimate(
        pearson=r,
        pearson_p=float(pear.pvalue),
        pearson_ci=ci,
        spearman=float(spear.statistic),
        spearman_p=float(spear.pvalue),
        n=n,
        level=level,
    )


def correlation_matrix(
    returns: pd.DataFrame,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    min_periods: int = MIN_OBS,
) -> CorrelationMatrix:
    """Pairwise-complete Pearson or Spearman correlation matrix of all columns.

    Parameters
    ----------
    returns : pandas.DataFrame
        Shape (n_dates, n_assets), returns in decimals.
    method : {"pearson", "spearman"}
        Correlation type.
    min_periods : int, default 3
        Pairs with fewer common rows get NaN.

    Returns
    -------
    CorrelationMatrix
        ``corr`` and ``n`` of shape (n_assets, n_assets).

    Raises
    ------
    EstimationError
        Unknown ``method`` or no columns.
    """
    if method not in ("pearson", "spearman"):
        raise EstimationError(f"unknown correlation method {method!r}; use 'pearson' or 'spearman'")
    if returns.shape[1] == 0:
        raise EstimationError("no columns to correlate")
    data = returns.astype(float).where(np.isfinite(returns.astype(float)))
    corr = data.corr(method=method, min_periods=min_periods)
    present = data.notna().to_numpy().astype(np.int64)
    counts = pd.DataFrame(present.T @ present, index=data.columns, columns=data.columns)
    return CorrelationMatrix(corr=corr, n=counts, method=method)
