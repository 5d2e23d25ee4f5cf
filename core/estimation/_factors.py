"""Multi-factor loadings: S&P market, small-cap spread and a BTC-specific factor, HAC t-statistics.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from core.estimation._base import EstimationError, _fit_ols, _require_obs, newey_west_lags

#: Column names produced by :func:`build_factors`.
FACTOR_MARKET = "market"
FACTOR_SPREAD = "small_cap_spread"
FACTOR_BTC = "btc_specific"


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
