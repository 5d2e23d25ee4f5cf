"""How an asset moves with a market: betas, correlations, lead-lag and stability.

Every function takes return series (decimals, usually log returns on the equity
calendar from :func:`core.returns.compute_returns`) as pandas objects indexed by
date and returns pandas objects or frozen dataclasses. Inputs are aligned on
their index; a row counts only where both the asset and the market have a
return (pairwise complete), never by filling gaps with zeros.

Inference conventions
---------------------
* Full-sample regressions use statsmodels OLS with Newey-West (HAC, Bartlett
  kernel) standard errors, the small-sample correction ``n / (n - k)`` and
  Student-t intervals with ``n - k`` degrees of freedom.
* HAC lag rule (Newey and West, 1994): ``L = floor(4 * (n / 100) ** (2 / 9))``,
  e.g. 7 lags for 1,500 daily observations, 5 for 400 weekly ones.
* Up/down-market regressions keep only market-up (or market-down) periods, so
  neighbouring rows are not neighbours in time: they use heteroskedasticity-
  robust (HC1) standard errors instead of HAC.
* Rolling estimators are O(n) running sums over a window counted in rows
  (sessions); their bands use the ordinary OLS standard error of each window.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.stattools import grangercausalitytests

from core.errors import ExplorerError

#: Rolling-window presets offered to users, in sessions (rows of the return series).
ROLLING_WINDOWS: tuple[int, ...] = (30, 60, 90, 180)
#: Fewest paired observations any regression accepts (two parameters plus one dof).
MIN_OBS = 3
#: Column names produced by :func:`build_factors`.
FACTOR_MARKET = "market"
FACTOR_SPREAD = "small_cap_spread"
FACTOR_BTC = "btc_specific"
#: Labels of the market-volatility terciles, calm to turbulent.
VOL_TERCILES: tuple[str, ...] = ("low", "medium", "high")
#: Market-volatility window per return frequency: about a month of sessions, a quarter of
#: weeks, half a year of months.
VOL_WINDOW_BY_FREQ: dict[str, int] = {"D": 21, "W": 13, "M": 6}
#: Fewest pairs a calendar year needs before its beta is reported, per return frequency.
MIN_YEAR_OBS_BY_FREQ: dict[str, int] = {"D": 20, "W": 8, "M": 6}


class EstimationError(ExplorerError):
    """Bad input to an estimator (too few observations, unknown column, bad window...)."""


# --------------------------------------------------------------------------- results


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
class UpDownBeta:
    """Separate betas on market-up and market-down periods, and capture ratios.

    Attributes
    ----------
    beta_up, beta_down : float
        Slopes of ``asset = a + b * market`` fitted on periods with market > 0
        (resp. market < 0); periods with market == 0 are in neither.
    beta_up_ci, beta_down_ci : tuple[float, float]
        HC1 intervals at ``level``.
    n_up, n_down : int
        Observations in each regression.
    up_capture, down_capture : float
        ``mean(asset | market up) / mean(market | market up)`` and the same on
        down periods (ratios of mean returns; 1.0 = moves one for one).
    level : float
        Confidence level.
    """

    beta_up: float
    beta_up_ci: tuple[float, float]
    n_up: int
    beta_down: float
    beta_down_ci: tuple[float, float]
    n_down: int
    up_capture: float
    down_capture: float
    level: float


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


@dataclass(frozen=True)
class FactorLoadings:
    """Multi-factor regression ``asset = const + sum_f b_f * factor_f + e`` with HAC inference.

    Attributes
    ----------
    params, bse, tvalues, pvalues : pandas.Series
        Indexed by "const" followed by the factor names.
    r2 : float
        R-squared.
    n : int
        Complete rows used.
    hac_lags : int
        Newey-West lags used.
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    r2: float
    n: int
    hac_lags: int

    def to_frame(self) -> pd.DataFrame:
        """Return the loadings as a table with columns loading, se, t, p (one row per term)."""
        return pd.DataFrame(
            {"loading": self.params, "se": self.bse, "t": self.tvalues, "p": self.pvalues}
        )


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


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- full sample


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


def estimate_up_down_beta(
    asset: pd.Series, market: pd.Series, *, level: float = 0.95
) -> UpDownBeta:
    """Upside and downside beta (separate regressions) and up/down capture ratios.

    Up periods have ``market > 0``, down periods ``market < 0``. Each side is
    ``asset = a + b * market + e`` fitted on its own periods with HC1 errors.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    UpDownBeta

    Raises
    ------
    EstimationError
        Fewer than 3 up or 3 down periods.
    """
    _check_level(level)
    pair = align_pair(asset, market)
    x, y = pair["market"].to_numpy(), pair["asset"].to_numpy()
    out: dict[str, tuple[float, tuple[float, float], int, float]] = {}
    for side, mask in (("up", x > 0.0), ("down", x < 0.0)):
        n_side = int(mask.sum())
        _require_obs(n_side, MIN_OBS, f"a {side}-market beta")
        res = _fit_ols(y[mask], x[mask], cov_type="HC1", hac_lags=None)
        ci = res.conf_int(alpha=1.0 - level)
        capture = float(y[mask].mean() / x[mask].mean())
        out[side] = (float(res.params[1]), (float(ci[1, 0]), float(ci[1, 1])), n_side, capture)
    return UpDownBeta(
        beta_up=out["up"][0],
        beta_up_ci=out["up"][1],
        n_up=out["up"][2],
        beta_down=out["down"][0],
        beta_down_ci=out["down"][1],
        n_down=out["down"][2],
        up_capture=out["up"][3],
        down_capture=out["down"][3],
        level=level,
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
    joined = pd.concat(
        [pd.Series(asset, dtype=float), pd.Series(market, dtype=float)],
        axis=1, keys=["asset", "market"], join="inner",
    ).sort_index()
    design = pd.concat(
        {j: joined["market"].shift(j) for j in range(lags + 1)}, axis=1
    )
    frame = pd.concat([joined["asset"], design], axis=1)
    frame = frame.loc[np.isfinite(frame.to_numpy()).all(axis=1)]
    n = len(frame)
    _require_obs(n, lags + 3, f"a Dimson beta with {lags} lags")
    nw = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    res = _fit_ols(frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1:].to_numpy(), cov_type="HAC",
                   hac_lags=nw)
    weights = np.r_[0.0, np.ones(lags + 1)]
    beta = float(weights @ res.params)
    se = float(math.sqrt(weights @ res.cov_params() @ weights))
    q = float(stats.t.ppf(0.5 + level / 2.0, res.df_resid))
    loadings = pd.Series(res.params[1:], index=pd.RangeIndex(lags + 1, name="lag"), name="loading")
    return DimsonBeta(
        beta=beta,
        beta_se=se,
        beta_ci=(beta - q * se, beta + q * se),
        loadings=loadings,
        lags=lags,
        n=n,
        hac_lags=nw,
        level=level,
    )


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


def build_factors(
    sp: pd.Series, russell: pd.Series, btc: pd.Series | None = None
) -> pd.DataFrame:
    """Build the factor table: market (S&P), small-cap spread and BTC-specific residual.

    ``small_cap_spread = russell - sp`` (e.g. IWM minus SPY). ``btc_specific`` is
    the OLS residual of ``btc = c + b1 * market + b2 * spread + u`` over rows
    where all three exist, so it carries what moves BTC beyond the two equity
    factors (use it as a factor for altcoins only).

    Parameters
    ----------
    sp, russell : pandas.Series
        Large-cap and small-cap index returns (decimals), shape (n_dates,).
    btc : pandas.Series, optional
        BTC returns; omit to get only the two equity factors.

    Returns
    -------
    pandas.DataFrame
        Columns ``market``, ``small_cap_spread`` and, with ``btc``, ``btc_specific``;
        index is the union of inputs, NaN where a factor is unavailable.

    Raises
    ------
    EstimationError
        Too few complete rows to fit the BTC residual.
    """
    frame = pd.concat(
        [pd.Series(sp, dtype=float), pd.Series(russell, dtype=float)],
        axis=1, keys=["sp", "russell"], join="outer",
    ).sort_index()
    factors = pd.DataFrame(
        {FACTOR_MARKET: frame["sp"], FACTOR_SPREAD: frame["russell"] - frame["sp"]},
        index=frame.index,
    )
    if btc is None:
        return factors
    both = pd.concat([pd.Series(btc, dtype=float).rename("btc"), factors], axis=1, join="outer")
    both = both.sort_index()
    ok = np.isfinite(both.to_numpy()).all(axis=1)
    _require_obs(int(ok.sum()), 4, "the BTC-specific factor")
    exog = sm.add_constant(both.loc[ok, [FACTOR_MARKET, FACTOR_SPREAD]].to_numpy())
    res = sm.OLS(both.loc[ok, "btc"].to_numpy(), exog).fit()
    resid = pd.Series(np.nan, index=both.index)
    resid.loc[ok] = res.resid
    out = both[[FACTOR_MARKET, FACTOR_SPREAD]].copy()
    out[FACTOR_BTC] = resid
    return out


def estimate_factor_loadings(
    asset: pd.Series, factors: pd.DataFrame, *, hac_lags: int | None = None
) -> FactorLoadings:
    """Regress an asset on several factors with HAC t-statistics.

    Model: ``asset_t = const + sum_f b_f * factor_{f,t} + e_t`` over complete rows.

    Parameters
    ----------
    asset : pandas.Series
        Returns (decimals), shape (n_dates,).
    factors : pandas.DataFrame
        Factor returns, shape (n_dates, n_factors), e.g. from :func:`build_factors`.
    hac_lags : int, optional
        Newey-West lags; default :func:`newey_west_lags`.

    Returns
    -------
    FactorLoadings

    Raises
    ------
    EstimationError
        No factors, or fewer complete rows than ``n_factors + 2``.
    """
    if factors.shape[1] == 0:
        raise EstimationError("no factors given")
    names = [str(c) for c in factors.columns]
    frame = pd.concat([pd.Series(asset, dtype=float).rename("__asset__"), factors.astype(float)],
                      axis=1, join="inner")
    frame = frame.loc[np.isfinite(frame.to_numpy()).all(axis=1)]
    n = len(frame)
    _require_obs(n, len(names) + 2, "factor loadings")
    nw = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    res = _fit_ols(frame["__asset__"].to_numpy(), frame.iloc[:, 1:].to_numpy(), cov_type="HAC",
                   hac_lags=nw)
    index = pd.Index(["const", *names], name="term")
    return FactorLoadings(
        params=pd.Series(res.params, index=index, name="loading"),
        bse=pd.Series(res.bse, index=index, name="se"),
        tvalues=pd.Series(res.tvalues, index=index, name="t"),
        pvalues=pd.Series(res.pvalues, index=index, name="p"),
        r2=float(res.rsquared),
        n=n,
        hac_lags=nw,
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


# --------------------------------------------------------------------------- rolling


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


# --------------------------------------------------------------------------- lead-lag


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


# --------------------------------------------------------------------------- instability


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
