"""Scores of probabilistic forecasts made at overlapping horizons.

Forecasts are made every ``every`` sessions for ``horizon`` sessions ahead; when
``horizon > every`` consecutive outcomes share returns and are dependent. Every interval
and test here takes the *effective* number of outcomes, not the count.

Effective n (the overlap's design effect)::

    D = 1 + 2 * sum_{k=1}^{m} (1 - k * every / horizon),   m = ceil(horizon / every) - 1
    n_eff = clip(n / D, 1, n)

``1 - k every / horizon`` is the correlation of two ``horizon``-session sums of i.i.d.
increments whose windows start ``k * every`` sessions apart, so ``D`` is the variance
inflation of a mean of such outcomes (``D = horizon / every`` when ``every`` divides
``horizon``). It is fixed by the design, not estimated: with ~100 origins the sample
autocorrelations of a hit series have standard errors near 0.1 each, and an indicator of a
sum is less correlated than the sum itself (``(2/pi) arcsin(rho) <= rho``), so ``D`` errs
on the conservative side for coverage hits.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

__all__ = [
    "design_effect", "effective_n", "wilson_interval", "pit_values", "pit_ks", "brier_score", "brier_skill",
]


def design_effect(every: int, horizon: int) -> float:
    """Variance inflation ``D`` of a mean of outcomes over windows of ``horizon`` sessions started every ``every``.

    Parameters
    ----------
    every, horizon : int
        Sessions between origins and sessions per outcome (both >= 1).

    Returns
    -------
    float
        ``1 + 2 sum_{k=1}^{m} (1 - k every / horizon)`` with ``m = ceil(horizon / every) - 1``; 1 without overlap.
    """
    m = math.ceil(horizon / every) - 1
    return 1.0 + 2.0 * sum(1.0 - k * every / horizon for k in range(1, m + 1))


def effective_n(n: int, every: int, horizon: int) -> float:
    """``clip(n / design_effect(every, horizon), 1, n)``; 0 when ``n`` is 0."""
    if n <= 0:
        return 0.0
    return float(min(max(n / design_effect(every, horizon), 1.0), n))


def wilson_interval(rate: float, n_eff: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion observed as ``rate`` on ``n_eff`` effective trials.

    statsmodels' ``proportion_confint(rate * n_eff, n_eff, method="wilson")``: the interval
    has the width of ``n_eff`` independent trials. ``(nan, nan)`` when ``n_eff < 1`` or the
    rate is not finite.
    """
    if not (n_eff >= 1.0 and math.isfinite(rate)):
        return math.nan, math.nan
    lo, hi = proportion_confint(rate * n_eff, n_eff, alpha=1.0 - level, method="wilson")
    return float(lo), float(hi)


def pit_values(samples: np.ndarray, realized: np.ndarray) -> np.ndarray:
    """Probability integral transform of realized outcomes under simulated samples.

    ``u_j = (#{x_ij < y_j} + #{x_ij <= y_j}) / (2 n)``: the forecast CDF at the realized
    value (mid-rank for ties). Uniform on (0, 1) when the forecast distribution is right.

    Parameters
    ----------
    samples : ndarray, shape (n_paths, k)
        Simulated outcomes, one column per asset.
    realized : ndarray, shape (k,)
        Realized outcomes (NaN where unknown).

    Returns
    -------
    ndarray, shape (k,)
        PIT values in [0, 1]; NaN where ``realized`` is NaN.
    """
    x = np.asarray(samples, dtype=float)
    y = np.asarray(realized, dtype=float)
    below = np.count_nonzero(x < y, axis=0)
    at_most = np.count_nonzero(x <= y, axis=0)
    u = (below + at_most) / (2.0 * x.shape[0])
    return np.where(np.isfinite(y), u, np.nan)


def pit_ks(pit: np.ndarray, n_eff: float) -> tuple[float, float]:
    """Kolmogorov-Smirnov test of uniform PIT values, with the effective n.

    The statistic ``D = sup |F_n(u) - u|`` is computed on every PIT value (scipy's
    ``kstest`` against U(0, 1)); its p-value is read from the exact Kolmogorov distribution
    (``scipy.stats.kstwo``) with ``round(n_eff)`` observations instead of ``n``, because the
    fluctuations of an empirical CDF of dependent values scale like ``1 / sqrt(n_eff)``.

    Returns
    -------
    (float, float)
        ``(D, p)``; ``(nan, nan)`` without PIT values.
    """
    u = np.asarray(pit, dtype=float)
    u = u[np.isfinite(u)]
    if u.size == 0 or n_eff < 1:
        return math.nan, math.nan
    d = float(stats.kstest(u, "uniform").statistic)
    return d, float(stats.kstwo.sf(d, max(1, round(n_eff))))


def brier_score(prob: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared error ``mean((p - o)^2)`` of probabilities ``p`` for 0/1 outcomes ``o``; NaN when empty."""
    p = np.asarray(prob, dtype=float)
    o = np.asarray(outcome, dtype=float)
    if p.size == 0:
        return math.nan
    return float(np.mean((p - o) ** 2))


def brier_skill(model: float, climatology: float) -> float:
    """Brier skill score ``1 - model / climatology``; NaN when the climatology's score is 0 or unknown.

    Positive: the model beats the unconditional frequency; 0: no better; negative: worse.
    """
    if not (math.isfinite(model) and math.isfinite(climatology)) or climatology <= 0.0:
        return math.nan
    return 1.0 - model / climatology
