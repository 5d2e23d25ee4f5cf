"""Full-sample OLS betas with Newey-West (HAC) inference: the plain, Dimson and lead-lag betas.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from core.estimation._base import (
    MIN_OBS,
    EstimationError,
    _check_level,
    _date_bounds,
    _fit_ols,
    _require_obs,
    align_pair,
    newey_west_lags,
)


@dataclass(frozen=True)
class BetaEstimate:
    """OLS regression ``asset_t = alpha + beta * market_t + e_t`` over one sample.

    Attributes
    ----------
    alpha, beta : float
        Intercept (per-period return, decimal) and slope (unitless).
    alpha_se, beta_se : float
        Standard errors (HAC unless ``cov_type`` says otherwise).
    alpha_ci, beta_ci : tuple[float, float]
        Two-sided intervals at ``level``.
    beta_p : float
        p-value of ``beta = 0``.
    r2 : float
        R-squared, equal to the squared Pearson correlation.
    n : int
        Paired observations used.
    hac_lags : int
        Newey-West lags (0 when ``cov_type`` is not "HAC").
    cov_type : str
        statsmodels covariance type ("HAC" or "HC1").
    level : float
        Confidence level of the intervals.
    start, end : pandas.Timestamp or None
        First and last date used (None for a non-datetime index or no rows).
    """

    alpha: float
    beta: float
    alpha_se: float
    beta_se: float
    alpha_ci: tuple[float, float]
    beta_ci: tuple[float, float]
    beta_p: float
    r2: float
    n: int
    hac_lags: int
    cov_type: str
    level: float
    start: pd.Timestamp | None
    end: pd.Timestamp | None


@dataclass(frozen=True)
class DimsonBeta:
    """Dimson (1979) beta: the sum of slopes on market lags 0..k in one regression.

    Attributes
    ----------
    beta : float
        ``sum_j b_j`` from ``asset_t = a + sum_{j=0..k} b_j * market_{t-j} + e_t``.
    beta_se : float
        HAC standard error of the sum, ``sqrt(1' V 1)``.
    beta_ci : tuple[float, float]
        Interval at ``level``.
    loadings : pandas.Series
        ``b_j`` indexed by lag ``j = 0..k`` (name "lag").
    lags : int
        ``k``.
    n : int
        Observations used (rows with the asset and all k+1 market values).
    hac_lags : int
        Newey-West lags used.
    level : float
        Confidence level.
    """

    beta: float
    beta_se: float
    beta_ci: tuple[float, float]
    loadings: pd.Series
    lags: int
    n: int
    hac_lags: int
    level: float


@dataclass(frozen=True, eq=False)
class LeadLagBeta:
    """Sum of the slopes on the market's past, same-session and next-session returns.

    Attributes
    ----------
    beta : float
        ``sum_k b_k`` from ``asset_t = a + sum_{k=-lags..leads} b_k * market_{t+k} + e_t``
        (unitless).
    beta_se : float
        HAC standard error of the sum, ``sqrt(1' V 1)``.
    beta_ci : tuple[float, float]
        Student-t interval at ``level``.
    loadings, loading_se : pandas.Series
        ``b_k`` and their HAC standard errors, indexed by offset ``k`` (name "offset";
        -1 = the previous session, 0 = the same, +1 = the next), sorted.
    leads, lags : int
        Market sessions ahead and behind.
    n : int
        Rows with the asset and every market term.
    hac_lags : int
        Newey-West lags used.
    level : float
        Confidence level.
    """

    beta: float
    beta_se: float
    beta_ci: tuple[float, float]
    loadings: pd.Series
    loading_se: pd.Series
    leads: int
    lags: int
    n: int
    hac_lags: int
    level: float


def estimate_beta(
    asset: pd.Series,
    market: pd.Series,
    *,
    hac_lags: int | None = None,
    level: float = 0.95,
) -> BetaEstimate:
    """Estimate alpha and beta of ``asset`` on ``market`` by OLS with HAC intervals.

    Model: ``asset_t = alpha + beta * market_t + e_t`` over rows where both
    returns exist. Pass weekly returns to get a weekly beta.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals) on a shared date index, shape (n_dates,).
    hac_lags : int, optional
        Newey-West lags; default :func:`newey_west_lags` of the sample size.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    BetaEstimate

    Raises
    ------
    EstimationError
        Fewer than 3 paired observations, constant market, or bad ``level``/``hac_lags``.
    """
    _check_level(level)
    pair = align_pair(asset, market)
    n = len(pair)
    _require_obs(n, MIN_OBS, "a beta")
    x = pair["market"].to_numpy()
    if np.ptp(x) == 0.0:
        raise EstimationError("market returns are constant over the sample; beta is undefined")
    lags = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    if lags < 0:
        raise EstimationError(f"hac_lags must be >= 0, got {hac_lags!r}")
    res = _fit_ols(pair["asset"].to_numpy(), x, cov_type="HAC", hac_lags=lags)
    ci = res.conf_int(alpha=1.0 - level)
    start, end = _date_bounds(pair.index)
    return BetaEstimate(
        alpha=float(res.params[0]),
        beta=float(res.params[1]),
        alpha_se=float(res.bse[0]),
        beta_se=float(res.bse[1]),
        alpha_ci=(float(ci[0, 0]), float(ci[0, 1])),
        beta_ci=(float(ci[1, 0]), float(ci[1, 1])),
        beta_p=float(res.pvalues[1]),
        r2=float(res.rsquared),
        n=n,
        hac_lags=lags,
        cov_type="HAC",
        level=level,
        start=start,
        end=end,
    )


def estimate_dimson_beta(
    asset: pd.Series,
    market: pd.Series,
    *,
    lags: int = 1,
    hac_lags: int | None = None,
    level: float = 0.95,
) -> DimsonBeta:
    """Dimson beta: sum of loadings on the market's current and ``lags`` past returns.

    Fits ``asset_t = a + sum_{j=0..k} b_j * market_{t-j} + e_t`` as one multiple
    regression (HAC errors) and reports ``sum_j b_j``. Lags are by row, so pass
    both series on one calendar (e.g. from ``compute_returns``). It corrects the
    beta for stale or asynchronous closes, such as crypto's 00:00 UTC close vs
    the 16:00 New York equity close.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    lags : int, default 1
        ``k >= 0``; ``k = 0`` gives the ordinary beta.
    hac_lags : int, optional
        Newey-West lags; default :func:`newey_west_lags`.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DimsonBeta

    Raises
    ------
    EstimationError
        Negative ``lags`` or too few complete rows.
    """
    _check_level(level)
    if isinstance(lags, bool) or int(lags) != lags or lags < 0:
        raise EstimationError(f"lags must be an integer >= 0, got {lags!r}")
    lags = int(lags)
    fit = _sum_of_slopes(asset, market, list(range(lags + 1)), hac_lags=hac_lags, level=level,
                         what=f"a Dimson beta with {lags} lags")
    return DimsonBeta(
        beta=fit.beta,
        beta_se=fit.beta_se,
        beta_ci=fit.beta_ci,
        loadings=pd.Series(fit.loadings.to_numpy()[::-1], index=pd.RangeIndex(lags + 1, name="lag"),
                           name="loading"),  # offsets -lags..0 -> lags 0..lags
        lags=lags,
        n=fit.n,
        hac_lags=fit.hac_lags,
        level=level,
    )


def _sum_of_slopes(
    asset: pd.Series,
    market: pd.Series,
    delays: list[int],
    *,
    hac_lags: int | None,
    level: float,
    what: str,
) -> LeadLagBeta:
    """OLS of ``asset_t`` on ``market_{t-d}`` for each delay d (HAC); the sum of the slopes.

    ``d > 0`` is a market lag, ``d < 0`` a market lead. Shifts are by row of the inner join
    of the two series, rows missing any term are dropped.
    """
    joined = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1, keys=["asset", "market"], join="inner",
    ).sort_index()
    design = pd.concat({d: joined["market"].shift(d) for d in delays}, axis=1)
    frame = pd.concat([joined["asset"], design], axis=1)
    frame = frame.loc[np.isfinite(frame.to_numpy()).all(axis=1)]
    n = len(frame)
    _require_obs(n, len(delays) + 2, what)
    nw = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    if nw < 0:
        raise EstimationError(f"hac_lags must be >= 0, got {hac_lags!r}")
    res = _fit_ols(frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1:].to_numpy(), cov_type="HAC",
                   hac_lags=nw)
    weights = np.r_[0.0, np.ones(len(delays))]
    beta = float(weights @ res.params)
    se = float(math.sqrt(weights @ res.cov_params() @ weights))
    q = float(stats.t.ppf(0.5 + level / 2.0, res.df_resid))
    offsets = pd.Index([-d for d in delays], name="offset")
    order = np.argsort(offsets.to_numpy())
    loadings = pd.Series(res.params[1:][order], index=offsets[order], name="loading")
    loading_se = pd.Series(res.bse[1:][order], index=offsets[order], name="se")
    return LeadLagBeta(
        beta=beta,
        beta_se=se,
        beta_ci=(beta - q * se, beta + q * se),
        loadings=loadings,
        loading_se=loading_se,
        leads=max(0, -min(delays)),
        lags=max(0, max(delays)),
        n=n,
        hac_lags=nw,
        level=level,
    )


def estimate_lead_lag_beta(
    asset: pd.Series,
    market: pd.Series,
    *,
    leads: int = 1,
    lags: int = 1,
    hac_lags: int | None = None,
    level: float = 0.95,
) -> LeadLagBeta:
    """Lead-lag beta: sum of loadings on the market's previous, same and *next* sessions.

    Fits ``asset_t = a + sum_{k=-lags..leads} b_k * market_{t+k} + e_t`` as one multiple
    regression with Newey-West (HAC) errors and reports ``sum_k b_k``. With the default
    ``leads = lags = 1`` that is ``b_{-1} + b_0 + b_{+1}``, the coefficients on
    ``R_{t-1}, R_t, R_{t+1}``. Why the lead: Yahoo's crypto close (00:00 UTC) comes about
    4 hours after the US close (16:00 New York), so news in those hours is in crypto's
    return for day t and in the market's return for session t+1. A Dimson beta
    (:func:`estimate_dimson_beta`) adds only lags and misses it.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals) on one calendar (shifts are by row), shape (n_dates,).
    leads, lags : int, default 1
        Market sessions ahead and behind, each >= 0.
    hac_lags : int, optional
        Newey-West lags; default :func:`newey_west_lags` of the rows used.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    LeadLagBeta

    Raises
    ------
    EstimationError
        Negative ``leads``/``lags``, bad ``level`` or too few complete rows.
    """
    _check_level(level)
    for name, value in (("leads", leads), ("lags", lags)):
        if isinstance(value, bool) or int(value) != value or value < 0:
            raise EstimationError(f"{name} must be an integer >= 0, got {value!r}")
    delays = list(range(-int(leads), int(lags) + 1))
    return _sum_of_slopes(asset, market, delays, hac_lags=hac_lags, level=level,
                          what=f"a lead-lag beta with {leads} lead(s) and {lags} lag(s)")
