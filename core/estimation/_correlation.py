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

from core.calibration import MIN_BLOCK_OBS
from core.estimation._base import MIN_OBS, EstimationError, _check_level, _require_obs, align_pair
from core.estimation._bootstrap import CORR_BOOT_SEED, CORR_N_BOOT, block_bootstrap_corr_ci

#: Names of the interval methods in :attr:`CorrelationEstimate.ci_method`.
CI_BLOCK_BOOTSTRAP = "stationary block bootstrap"
CI_FISHER = "Fisher z (i.i.d.)"


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
        Interval for the Pearson correlation at ``level`` by ``ci_method``: a stationary
        block bootstrap (percentile) when there are at least 20 pairs, else Fisher z.
    n : int
        Paired observations used.
    level : float
        Confidence level of ``pearson_ci``.
    pearson_ci_fisher : tuple[float, float]
        The Fisher-z interval, which assumes i.i.d. pairs (too narrow for returns with
        volatility clustering); kept for comparison.
    ci_method : str
        :data:`CI_BLOCK_BOOTSTRAP` or :data:`CI_FISHER`.
    block_length : float or None
        Mean block length of the bootstrap (rows), None for Fisher z.
    n_boot : int
        Bootstrap resamples (0 for Fisher z).
    boot_seed : int or None
        Seed of the bootstrap draws.
    """

    pearson: float
    pearson_p: float
    pearson_ci: tuple[float, float]
    spearman: float
    spearman_p: float
    n: int
    level: float
    pearson_ci_fisher: tuple[float, float] = (float("nan"), float("nan"))
    ci_method: str = CI_FISHER
    block_length: float | None = None
    n_boot: int = 0
    boot_seed: int | None = None


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
    asset: pd.Series,
    market: pd.Series,
    *,
    level: float = 0.95,
    n_boot: int = CORR_N_BOOT,
    seed: int = CORR_BOOT_SEED,
) -> CorrelationEstimate:
    """Pearson and Spearman correlation with p-values (scipy.stats) on paired rows.

    The Pearson interval comes from a stationary block bootstrap of the pairs
    (:func:`block_bootstrap_corr_ci`, ``n_boot`` resamples drawn from ``seed``) when there
    are at least 20 pairs, so it allows for volatility clustering; with fewer pairs it is
    the Fisher-z interval and ``ci_method`` says so.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    level : float, default 0.95
        Level of the interval for Pearson.
    n_boot : int, default 1000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the bootstrap draws.

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
    method, block, boots, used_seed, interval = CI_FISHER, None, 0, None, ci
    if n >= MIN_BLOCK_OBS:
        boot = block_bootstrap_corr_ci(x, y, level=level, n_boot=n_boot, seed=seed)
        method, block, boots, used_seed = CI_BLOCK_BOOTSTRAP, boot.block_length, boot.n_boot, boot.seed
        interval = (boot.low, boot.high)
    return CorrelationEstimate(
        pearson=r,
        pearson_p=float(pear.pvalue),
        pearson_ci=interval,
        spearman=float(spear.statistic),
        spearman_p=float(spear.pvalue),
        n=n,
        level=level,
        pearson_ci_fisher=ci,
        ci_method=method,
        block_length=block,
        n_boot=boots,
        boot_seed=used_seed,
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
