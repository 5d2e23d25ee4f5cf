"""Who moves first: lead-lag cross-correlations and Granger causality Wald tests (HAC).

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from core.estimation._base import (
    MIN_OBS,
    EstimationError,
    _require_obs,
    align_pair,
    newey_west_lags,
)

#: Covariance the Granger p-values use by default (see :func:`granger_tests`).
GRANGER_COV = "HAC"


@dataclass(frozen=True, eq=False)
class GrangerResult:
    """Granger causality Wald tests in both directions, per lag order.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by lag order ``p = 1..max_lag`` (name "lag"), columns
        ``market_to_asset_f``, ``market_to_asset_p`` (H0: past market returns do
        not help predict the asset), ``asset_to_market_f``, ``asset_to_market_p``
        (H0: past asset returns do not help predict the market), all with the
        covariance ``cov_type``; ``n`` (rows in the test regressions); ``hac_lags``
        (Newey-West lags, 0 unless ``cov_type`` is "HAC"); and the same four
        statistics under i.i.d. homoskedastic errors (the classic ``ssr_ftest``)
        with the suffix ``_homoskedastic``, for comparison only.
    max_lag : int
        Largest lag order tested.
    cov_type : str
        "HAC" (Newey-West, Bartlett kernel), "HC1" or "nonrobust".
    """

    table: pd.DataFrame
    max_lag: int
    cov_type: str = GRANGER_COV

    @property
    def cov_label(self) -> str:
        """Plain name of the covariance, e.g. ``"HAC(Newey-West, maxlags=8)"``."""
        if self.cov_type != "HAC":
            return self.cov_type
        lags = sorted(set(int(v) for v in self.table["hac_lags"]))
        text = str(lags[0]) if len(lags) == 1 else f"{lags[0]}-{lags[-1]}"
        return f"HAC(Newey-West, maxlags={text})"


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


def _granger_design(target: np.ndarray, other: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Response and regressors of the lag-``p`` Granger regression, rows ``t = p .. n-1``.

    Columns: constant, ``target_{t-1..t-p}``, ``other_{t-1..t-p}`` (the order of statsmodels'
    ``grangercausalitytests``), so the last ``p`` coefficients are the tested ones.
    """
    n = len(target)
    own = np.column_stack([target[p - j : n - j] for j in range(1, p + 1)])
    cross = np.column_stack([other[p - j : n - j] for j in range(1, p + 1)])
    return target[p:], np.column_stack([np.ones(n - p), own, cross])


def granger_wald(
    target: np.ndarray, other: np.ndarray, p: int, *, cov_type: str = "HAC", hac_lags: int | None = None
) -> tuple[float, float, int]:
    """Wald F-test that ``p`` lags of ``other`` add nothing to predicting ``target``.

    Fits ``target_t = c + sum_j a_j target_{t-j} + sum_j b_j other_{t-j} + e_t`` (j = 1..p)
    by OLS (statsmodels) with covariance ``cov_type`` and tests ``b_1 = ... = b_p = 0`` with
    ``F = (R b)' (R V R')^{-1} (R b) / p`` against F(p, n - 2p - 1).

    Parameters
    ----------
    target, other : numpy.ndarray
        Returns (decimals), shape (n,), finite, on one calendar.
    p : int
        Lag order, >= 1.
    cov_type : {"HAC", "HC1", "nonrobust"}
        Covariance of the coefficients. "nonrobust" reproduces statsmodels'
        ``grangercausalitytests`` ``ssr_ftest`` exactly.
    hac_lags : int, optional
        Newey-West lags for "HAC"; default :func:`newey_west_lags` of the regression's rows.

    Returns
    -------
    (float, float, int)
        F statistic, p-value, rows in the regression (``n - p``).
    """
    y, x = _granger_design(np.asarray(target, dtype=float), np.asarray(other, dtype=float), p)
    model = sm.OLS(y, x)
    if cov_type == "HAC":
        lags = newey_west_lags(len(y)) if hac_lags is None else int(hac_lags)
        res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    else:
        res = model.fit(cov_type=cov_type)
    restriction = np.zeros((p, x.shape[1]))
    restriction[:, 1 + p :] = np.eye(p)
    test = res.wald_test(restriction, use_f=True, scalar=True)
    return float(test.statistic), float(test.pvalue), len(y)


def granger_tests(
    asset: pd.Series, market: pd.Series, *, max_lag: int = 5, cov_type: str = GRANGER_COV
) -> GrangerResult:
    """Granger causality Wald F-tests in both directions, robust to heteroskedasticity.

    For lag order p: regress ``asset_t`` on a constant, ``asset_{t-1..t-p}`` and
    ``market_{t-1..t-p}`` (rows ``t = p .. n-1``) and test the market terms jointly with
    :func:`granger_wald` (``cov_type``; by default Newey-West HAC with
    ``floor(4 (T/100)^(2/9))`` lags for T regression rows); that p-value is
    ``market_to_asset_p``. Swapping roles gives ``asset_to_market_p``. A small p-value says
    past values help predict, not that one causes the other. The classic F-test under
    i.i.d. errors is kept beside it (``*_homoskedastic``); daily crypto returns are
    heteroskedastic, so it overstates the evidence.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,); rows missing either are dropped.
    max_lag : int, default 5
        Test lag orders 1..max_lag.
    cov_type : {"HAC", "HC1", "nonrobust"}, default "HAC"
        Covariance of the headline tests.

    Returns
    -------
    GrangerResult

    Raises
    ------
    EstimationError
        ``max_lag < 1``, unknown ``cov_type`` or too few observations (need more than
        ``3 * max_lag + 1``).
    """
    if isinstance(max_lag, bool) or int(max_lag) != max_lag or max_lag < 1:
        raise EstimationError(f"max_lag must be an integer >= 1, got {max_lag!r}")
    if cov_type not in ("HAC", "HC1", "nonrobust"):
        raise EstimationError(f"cov_type must be 'HAC', 'HC1' or 'nonrobust', got {cov_type!r}")
    pair = align_pair(asset, market)
    _require_obs(len(pair), 3 * int(max_lag) + 2, f"Granger tests with {max_lag} lags")
    a, m = pair["asset"].to_numpy(), pair["market"].to_numpy()
    lag_index = pd.RangeIndex(1, int(max_lag) + 1, name="lag")
    cols: dict[str, list[float]] = {}
    for p in lag_index:  # a few lag orders
        for name, target, other in (("market_to_asset", a, m), ("asset_to_market", m, a)):
            f, pv, n = granger_wald(target, other, p, cov_type=cov_type)
            f0, pv0, _ = granger_wald(target, other, p, cov_type="nonrobust")
            cols.setdefault(f"{name}_f", []).append(f)
            cols.setdefault(f"{name}_p", []).append(pv)
            cols.setdefault(f"{name}_f_homoskedastic", []).append(f0)
            cols.setdefault(f"{name}_p_homoskedastic", []).append(pv0)
        cols.setdefault("n", []).append(n)
        cols.setdefault("hac_lags", []).append(newey_west_lags(n) if cov_type == "HAC" else 0)
    order = ["market_to_asset_f", "market_to_asset_p", "asset_to_market_f", "asset_to_market_p",
             "n", "hac_lags", "market_to_asset_f_homoskedastic", "market_to_asset_p_homoskedastic",
             "asset_to_market_f_homoskedastic", "asset_to_market_p_homoskedastic"]
    table = pd.DataFrame({k: cols[k] for k in order}, index=lag_index)
    table = table.astype({"n": np.int64, "hac_lags": np.int64})
    return GrangerResult(table=table, max_lag=int(max_lag), cov_type=cov_type)
