"""Every number of one asset-vs-market relationship, in one call shared by the page and the CLI.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from core.estimation._base import MIN_OBS, EstimationError, select_column
from core.estimation._correlation import (
    CorrelationEstimate,
    CorrelationMatrix,
    correlation_matrix,
    estimate_correlation,
)
from core.estimation._factors import FactorLoadings, build_factors, estimate_factor_loadings
from core.estimation._leadlag import GrangerResult, cross_correlation, granger_tests
from core.estimation._ols import (
    BetaEstimate,
    DimsonBeta,
    LeadLagBeta,
    estimate_beta,
    estimate_dimson_beta,
    estimate_lead_lag_beta,
)
from core.estimation._rolling import ewma_correlation, rolling_beta
from core.estimation._stability import (
    MIN_YEAR_OBS_BY_FREQ,
    VOL_WINDOW_BY_FREQ,
    estimate_by_volatility,
    estimate_by_year,
)
from core.estimation._updown import UpDownBeta, estimate_up_down_beta
from core.tickers import is_crypto

T = TypeVar("T")

#: Largest lead-lag shown by the cross-correlation, in periods.
CROSS_MAX_LAG = 10
#: Default largest Granger lag order.
GRANGER_MAX_LAG = 5
#: Default rolling window (periods) and EWMA half-life (periods).
DEFAULT_WINDOW = 90
DEFAULT_HALFLIFE = 30.0

#: Names of the optional parts, as they appear in :attr:`RelationshipReport.notes`.
PART_UPDOWN = "up/down beta"
PART_DIMSON = "Dimson beta"
PART_LEAD_LAG_BETA = "lead-lag beta"
PART_GRANGER = "Granger tests"
PART_LEADLAG = "lead-lag"
PART_BY_VOL = "volatility terciles"
PART_ROLLING = "rolling beta"
PART_EWMA = "EWMA correlation"
PART_BY_YEAR = "per-year estimates"
PART_COMPARISON = {"W": "weekly beta", "D": "daily beta", "M": "monthly beta"}
PART_MATRIX = "correlation matrix"
PART_FACTORS = "factor loadings"


# eq=False: the fields hold pandas frames, whose ``==`` is elementwise and has no truth
# value, so a generated ``__eq__`` would raise; a report is compared by identity, and its
# numbers field by field in the tests.
@dataclass(frozen=True, eq=False)
class RelationshipReport:
    """How ``asset`` moved with ``market``: every estimate the Relationships page and
    ``python -m core estimate`` show.

    Returns are the ones passed in (decimals, usually log returns on the equity calendar at
    frequency ``freq``). A part the data cannot support is None and its reason is in
    :attr:`notes`; the beta and the correlation are always present.

    Attributes
    ----------
    asset, market : str
        Tickers (columns of the returns).
    freq : str
        Return frequency of ``returns``: "D", "W" or "M".
    beta : BetaEstimate
        Full-sample OLS beta with Newey-West (HAC) interval.
    corr : CorrelationEstimate
        Pearson (block-bootstrap interval, Fisher z beside it) and Spearman correlation.
    updown : UpDownBeta or None
        Upside/downside betas (HC1) and capture ratios.
    dimson : DimsonBeta or None
        Dimson beta with ``dimson_lags`` market lags.
    dimson_lags : int
    comparison : BetaEstimate or None
        Beta at ``comparison_freq`` (weekly next to a daily beta, daily next to a weekly
        one), from the ``comparison_returns`` given.
    comparison_freq : str or None
    rolling : pandas.DataFrame or None
        :func:`rolling_beta` over ``window`` periods: shape (n_dates, 8), columns ``n, alpha,
        beta, beta_se, beta_lower, beta_upper, corr, r2``.
    window : int
        Rolling window in periods (rows).
    rolling_beta_last, rolling_beta_min, rolling_beta_max : float
        Latest, lowest and highest rolling beta (NaN when no window is full).
    n_rolling : int
        Number of rolling windows with a beta.
    ewma : pandas.Series or None
        EWMA correlation with half-life ``halflife`` periods, shape (n_dates,).
    halflife : float
    matrices : dict of str to CorrelationMatrix
        "pearson" and "spearman" matrices of every column of ``returns``.
    cross : pandas.DataFrame or None
        Cross-correlations at lags ``-cross_max_lag .. cross_max_lag`` (positive = market
        leads); columns ``corr, n, band``.
    granger : GrangerResult or None
        Granger Wald tests (HAC) in both directions, lag orders 1..``granger_max_lag``.
    by_year : pandas.DataFrame or None
        Beta and correlation per calendar year (years with fewer than
        ``MIN_YEAR_OBS_BY_FREQ[freq]`` pairs keep n and get NaN).
    by_volatility : pandas.DataFrame or None
        Beta and correlation per market-volatility tercile over ``vol_window`` periods.
    vol_window : int
    factors : FactorLoadings or None
        Loadings on the S&P (``factor_sp``), the small-cap spread (``factor_russell`` minus
        ``factor_sp``) and, for a crypto asset other than BTC, BTC's own moves (``factor_btc``).
    factor_sp, factor_russell, factor_btc : str or None
        Tickers behind the factors (``factor_btc`` None when the BTC factor is not used).
    notes : tuple of (str, str)
        ``(part, reason)`` for each part left out, in computation order.
    lead_lag : LeadLagBeta or None
        Sum of the slopes on the market's previous, same and next period
        (:func:`estimate_lead_lag_beta` with one lead and one lag, HAC errors).
    """

    asset: str
    market: str
    freq: str
    beta: BetaEstimate
    corr: CorrelationEstimate
    updown: UpDownBeta | None
    dimson: DimsonBeta | None
    dimson_lags: int
    comparison: BetaEstimate | None
    comparison_freq: str | None
    rolling: pd.DataFrame | None
    window: int
    rolling_beta_last: float
    rolling_beta_min: float
    rolling_beta_max: float
    n_rolling: int
    ewma: pd.Series | None
    halflife: float
    matrices: dict[str, CorrelationMatrix]
    cross: pd.DataFrame | None
    cross_max_lag: int
    granger: GrangerResult | None
    granger_max_lag: int
    by_year: pd.DataFrame | None
    by_volatility: pd.DataFrame | None
    vol_window: int
    factors: FactorLoadings | None
    factor_sp: str | None
    factor_russell: str | None
    factor_btc: str | None
    notes: tuple[tuple[str, str], ...]
    lead_lag: LeadLagBeta | None = None

    def updown_table(self, up_label: str = "market up", down_label: str = "market down") -> pd.DataFrame | None:
        """Upside and downside beta as a table (None when they could not be estimated).

        Returns
        -------
        pandas.DataFrame or None
            Two rows (``up_label``, ``down_label``), columns ``beta, lower, upper`` (interval
            at ``updown.level``), ``capture`` (ratio of mean returns) and ``n``.
        """
        ud = self.updown
        if ud is None:
            return None
        return pd.DataFrame(
            {
                "beta": [ud.beta_up, ud.beta_down],
                "lower": [ud.beta_up_ci[0], ud.beta_down_ci[0]],
                "upper": [ud.beta_up_ci[1], ud.beta_down_ci[1]],
                "capture": [ud.up_capture, ud.down_capture],
                "n": [ud.n_up, ud.n_down],
            },
            index=[up_label, down_label],
        )


def relationship_report(
    returns: pd.DataFrame,
    asset: str,
    market: str,
    *,
    freq: str = "D",
    comparison_returns: pd.DataFrame | None = None,
    comparison_freq: str | None = None,
    dimson_lags: int = 1,
    granger_max_lag: int = GRANGER_MAX_LAG,
    cross_max_lag: int = CROSS_MAX_LAG,
    window: int = DEFAULT_WINDOW,
    halflife: float = DEFAULT_HALFLIFE,
    factor_sp: str | None = None,
    factor_russell: str | None = None,
    factor_btc: str | None = None,
) -> RelationshipReport:
    """Estimate everything about how ``asset`` moves with ``market``.

    Calls, on ``a = returns[asset]`` and ``m = returns[market]``: :func:`estimate_beta`,
    :func:`estimate_correlation`, :func:`estimate_up_down_beta`,
    :func:`estimate_dimson_beta` (``lags=dimson_lags``), :func:`estimate_lead_lag_beta`
    (one lead, one lag), :func:`granger_tests` (HAC Wald tests),
    :func:`cross_correlation`, :func:`estimate_by_volatility` (window
    ``VOL_WINDOW_BY_FREQ[freq]``), :func:`rolling_beta` (``window``),
    :func:`ewma_correlation` (``halflife``), :func:`estimate_by_year` (min pairs
    ``MIN_YEAR_OBS_BY_FREQ[freq]``), :func:`correlation_matrix` (both methods) and, when
    asked, :func:`estimate_beta` on ``comparison_returns`` and
    :func:`estimate_factor_loadings`.

    Parameters
    ----------
    returns : pandas.DataFrame
        Returns (decimals) at frequency ``freq``, shape (n_dates, n_tickers).
    asset, market : str
        Columns of ``returns``; must differ.
    freq : {"D", "W", "M"}
        Frequency of ``returns`` (picks the volatility window and the per-year minimum).
    comparison_returns : pandas.DataFrame, optional
        The same tickers at ``comparison_freq`` for a second beta (e.g. weekly next to daily).
    comparison_freq : {"D", "W", "M"}, optional
        Frequency of ``comparison_returns``; required with it.
    dimson_lags : int, default 1
        Market lags in the Dimson beta, >= 0.
    granger_max_lag : int, default 5
        Largest Granger lag order, >= 1.
    cross_max_lag : int, default 10
        Largest absolute lead-lag, >= 0.
    window : int, default 90
        Rolling window in periods, >= 3.
    halflife : float, default 30
        EWMA half-life in periods, > 0.
    factor_sp, factor_russell : str, optional
        Large-cap and small-cap tickers for the factor loadings; both needed (and in
        ``returns``) to fit them, else a note says why not.
    factor_btc : str, optional
        BTC ticker; used as a third factor when ``asset`` is another crypto ticker and
        ``factor_btc`` has returns.

    Returns
    -------
    RelationshipReport

    Raises
    ------
    EstimationError
        Unknown or equal columns, bad ``freq``/``window``/lags, or too few pairs for the
        beta or the correlation (the other parts record their failure in ``notes``).
    """
    if freq not in VOL_WINDOW_BY_FREQ:
        raise EstimationError(f"freq must be one of {', '.join(VOL_WINDOW_BY_FREQ)}, got {freq!r}")
    if asset == market:
        raise EstimationError(f"asset and market are both {asset!r}; choose two different tickers")
    if isinstance(dimson_lags, bool) or int(dimson_lags) != dimson_lags or dimson_lags < 0:
        raise EstimationError(f"dimson_lags must be an integer >= 0, got {dimson_lags!r}")
    if isinstance(granger_max_lag, bool) or int(granger_max_lag) != granger_max_lag or granger_max_lag < 1:
        raise EstimationError(f"granger_max_lag must be an integer >= 1, got {granger_max_lag!r}")
    if isinstance(window, bool) or int(window) != window or window < MIN_OBS:
        raise EstimationError(f"window must be an integer >= {MIN_OBS} periods, got {window!r}")
    if comparison_returns is not None and comparison_freq not in VOL_WINDOW_BY_FREQ:
        raise EstimationError(f"comparison_freq must be one of D, W, M, got {comparison_freq!r}")
    a, m = select_column(returns, asset), select_column(returns, market)
    notes: list[tuple[str, str]] = []

    def optional(part: str, func: Callable[[], T]) -> T | None:
        try:
            return func()
        except EstimationError as exc:
            notes.append((part, str(exc)))
            return None

    beta = estimate_beta(a, m)
    corr = estimate_correlation(a, m)
    updown = optional(PART_UPDOWN, lambda: estimate_up_down_beta(a, m))
    dimson = optional(PART_DIMSON, lambda: estimate_dimson_beta(a, m, lags=int(dimson_lags)))
    lead_lag = optional(PART_LEAD_LAG_BETA, lambda: estimate_lead_lag_beta(a, m, leads=1, lags=1))
    granger = optional(PART_GRANGER, lambda: granger_tests(a, m, max_lag=int(granger_max_lag)))
    cross = optional(PART_LEADLAG, lambda: cross_correlation(a, m, max_lag=cross_max_lag))
    vol_window = VOL_WINDOW_BY_FREQ[freq]
    by_vol = optional(PART_BY_VOL, lambda: estimate_by_volatility(a, m, window=vol_window))
    rolling = optional(PART_ROLLING, lambda: rolling_beta(a, m, int(window)))
    ewma = optional(PART_EWMA, lambda: ewma_correlation(a, m, halflife))
    by_year = optional(PART_BY_YEAR, lambda: estimate_by_year(a, m, min_obs=MIN_YEAR_OBS_BY_FREQ[freq]))

    comparison = None
    if comparison_returns is not None:
        comp = comparison_returns
        comparison = optional(PART_COMPARISON[str(comparison_freq)], lambda: estimate_beta(
            select_column(comp, asset), select_column(comp, market)))

    matrices: dict[str, CorrelationMatrix] = {}
    for method in ("pearson", "spearman"):
        got = optional(PART_MATRIX, lambda method=method: correlation_matrix(returns, method=method))
        if got is not None:
            matrices[method] = got

    factors, btc_used = None, None
    if factor_sp is not None or factor_russell is not None:
        missing = [t for t in (factor_sp, factor_russell) if t is None or t not in returns.columns]
        if missing:
            notes.append((PART_FACTORS, f"no data for {', '.join(map(str, missing))}"))
        else:
            btc_used = (factor_btc if factor_btc is not None and is_crypto(asset) and asset != factor_btc
                        and factor_btc in returns.columns else None)

            def fit() -> FactorLoadings:
                table = build_factors(returns[factor_sp], returns[factor_russell],
                                      returns[btc_used] if btc_used is not None else None)
                return estimate_factor_loadings(a, table)

            factors = optional(PART_FACTORS, fit)

    betas = rolling["beta"].dropna() if rolling is not None else pd.Series(dtype=float)
    n_rolling = len(betas)
    return RelationshipReport(
        asset=asset,
        market=market,
        freq=freq,
        beta=beta,
        corr=corr,
        updown=updown,
        dimson=dimson,
        dimson_lags=int(dimson_lags),
        comparison=comparison,
        comparison_freq=comparison_freq if comparison_returns is not None else None,
        rolling=rolling,
        window=int(window),
        rolling_beta_last=float(betas.iloc[-1]) if n_rolling else np.nan,
        rolling_beta_min=float(betas.min()) if n_rolling else np.nan,
        rolling_beta_max=float(betas.max()) if n_rolling else np.nan,
        n_rolling=n_rolling,
        ewma=ewma,
        halflife=float(halflife),
        matrices=matrices,
        cross=cross,
        cross_max_lag=int(cross_max_lag),
        granger=granger,
        granger_max_lag=int(granger_max_lag),
        by_year=by_year,
        by_volatility=by_vol,
        vol_window=vol_window,
        factors=factors,
        factor_sp=factor_sp,
        factor_russell=factor_russell,
        factor_btc=btc_used,
        notes=tuple(notes),
        lead_lag=lead_lag,
    )
