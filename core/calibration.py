"""Calibrate the factor model of the scenario engine on daily log returns.

The model (per trading day, log returns, decimals)::

    R_t   = mu_R + sigma_R * z_R                        Russell 2000
    B_t   = a_B + b_B * R_t + u_t,   u_t = sigma_B * z_B   BTC
    A_i,t = a_i + b_i * R_t + g_i * u_t + sigma_i * z_i    altcoin i

with ``corr(z_i, z_j) = C_ij`` (the altcoins' residuals co-move beyond BTC: a common
"altcoin" factor) and every other pair of shocks uncorrelated. ``(b_B, a_B)`` come from OLS of BTC on ``[1, R]``; ``u`` is its residual;
``(a_i, b_i, g_i)`` from OLS of each altcoin on ``[1, R, u]``.

One window for every equation: the rows where the Russell, BTC and every altcoin all
have a return (tokens list at different dates, so the latest listing sets the start).
On one window the OLS identities make the model's co-movement equal the history's:
``u`` is orthogonal to ``R`` in sample, so the model-implied beta of every crypto asset
to the Russell equals its historical OLS beta on the window, and the implied
correlation equals the historical one up to degrees-of-freedom corrections. (With each
equation on its own rows, BTC's residual was not orthogonal to ``R`` on an altcoin's
rows and ``g_i (b_B,sub - b_B,full)`` of Russell exposure was lost.) The bootstrap
engine resamples the residual rows of the same window, standardized on those rows.

Intercepts: the sample alphas of a few years of crypto returns have standard errors as
large as themselves, so the model uses empirical-Bayes shrunk alphas by default
(normal-normal model across the crypto equations: ``a_hat_j ~ N(a_j, se_j^2)``,
``a_j ~ N(0, tau^2)``, ``tau^2 = max(0, mean(a_hat^2 - se^2))``, posterior mean
``a_hat_j tau^2 / (tau^2 + se_j^2)``, with Newey-West standard errors). "No view" is then
not a bull view taken from the sample period. The sample alphas and their standard
errors are kept beside them.

The Russell's drift is the one exception to the common window: its mean is taken over
the Russell's longest history in the frame (it does not enter any co-movement, and a
mean gains most from a long span). Tail degrees of freedom are fitted per asset on its own standardized residuals, and
pooled over BTC and the altcoins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from arch.bootstrap import optimal_block_length
from scipy import optimize, special

from core.conventions import TRADING_DAYS
from core.errors import ExplorerError
from core.tickers import is_crypto

#: Trading days per year.
#: Range the fitted Student-t degrees of freedom are clipped to.
DF_RANGE = (3.0, 50.0)
# Below 3 the third moment is infinite and simulated means hinge on a handful of paths.
#: Fewest rows accepted for any regression or the bootstrap residual matrix.
MIN_OBS = 60


class CalibrationError(ExplorerError):
    """The returns cannot be calibrated (missing column, too few rows, ...)."""


@dataclass(frozen=True, eq=False)
class MarketModel:
    """Calibrated factor model (all per-day figures are daily log-return decimals).

    Attributes
    ----------
    russell, btc : str
        Column names of the Russell proxy and BTC.
    alts : tuple of str
        Altcoin column names (every other crypto column; may be empty).
    russell_mu, russell_sigma : float
        Mean (over the Russell's longest history in the frame, :attr:`russell_mu_window`) and
        std dev (ddof=1, on the window) of the daily Russell log return.
    btc_alpha, btc_beta, btc_sigma : float
        Intercept (daily), beta to the Russell and residual std dev (daily) of BTC.
    alt_alpha, alt_beta, alt_loading, alt_sigma : pd.Series
        Per altcoin (index ``alts``): intercept a_i (daily), beta b_i, loading g_i on the
        BTC residual and residual std dev sigma_i (daily).
    alt_residual_corr : pd.DataFrame
        Correlation ``C`` of the altcoin residuals (alts x alts) on the complete rows.
    tail_df : pd.Series
        Student-t degrees of freedom per asset (index ``assets``), MLE on the
        unit-variance standardized residuals, clipped to :data:`DF_RANGE`.
    crypto_df : float
        Degrees of freedom fitted on the pooled standardized residuals of BTC and the
        altcoins (the crypto shocks of the engine share one df).
    residuals : pd.DataFrame
        Complete rows (dates x ``assets``): demeaned Russell returns, BTC residual u,
        altcoin residuals; the bootstrap engine resamples its standardized rows.
    block_length : float
        Mean block length (days) for the stationary bootstrap of ``residuals``
        (see :func:`choose_block_length`).
    start, end : pd.Timestamp
        First and last date of the calibration window.
    n_obs : int
        Rows in the window (Russell and BTC present).
    n_obs_per_asset : pd.Series
        Rows used for each asset's regression (the window for every asset).
    alpha_sample, alpha_se : pd.Series
        Per crypto asset (BTC and altcoins): the OLS intercept (daily) and its
        Newey-West standard error, before shrinkage.
    alpha_shrinkage : pd.Series
        Factor in [0, 1] applied to each sample alpha (1 = no shrinkage).
    historical_beta, historical_corr : pd.Series
        Per crypto asset: OLS beta of its daily log return on the Russell's, and their
        Pearson correlation, on the window (compare :meth:`implied_beta`).
    limited_by : tuple of str
        The assets whose first (or last) return sets the window's start (or end).
    russell_mu_window : (pd.Timestamp, pd.Timestamp)
        First and last date of the Russell returns behind ``russell_mu``.
    russell_mu_se : float
        Newey-West standard error of ``russell_mu`` (daily).
    """

    russell: str
    btc: str
    alts: tuple[str, ...]
    russell_mu: float
    russell_sigma: float
    btc_alpha: float
    btc_beta: float
    btc_sigma: float
    alt_alpha: pd.Series
    alt_beta: pd.Series
    alt_loading: pd.Series
    alt_sigma: pd.Series
    alt_residual_corr: pd.DataFrame
    tail_df: pd.Series
    crypto_df: float
    residuals: pd.DataFrame
    block_length: float
    start: pd.Timestamp
    end: pd.Timestamp
    n_obs: int
    n_obs_per_asset: pd.Series
    # Diagnostics of the fit (None on a model built by hand, e.g. in tests).
    alpha_sample: pd.Series | None = None
    alpha_se: pd.Series | None = None
    alpha_shrinkage: pd.Series | None = None
    historical_beta: pd.Series | None = None
    historical_corr: pd.Series | None = None
    limited_by: tuple[str, ...] = ()
    russell_mu_window: tuple[pd.Timestamp, pd.Timestamp] | None = None
    russell_mu_se: float | None = None

    @property
    def crypto(self) -> tuple[str, ...]:
        """``(btc, *alts)``."""
        return (self.btc, *self.alts)

    @property
    def assets(self) -> tuple[str, ...]:
        """``(russell, btc, *alts)``, the order of every per-asset array."""
        return (self.russell, self.btc, *self.alts)

    @property
    def russell_mu_annual(self) -> float:
        """Annualized Russell log drift, ``252 * mu_R``."""
        return TRADING_DAYS * self.russell_mu

    @property
    def russell_vol_annual(self) -> float:
        """Annualized Russell volatility, ``sqrt(252) * sigma_R``."""
        return math.sqrt(TRADING_DAYS) * self.russell_sigma

    @property
    def residual_sigma(self) -> pd.Series:
        """Shock scale per asset: ``sigma_R, sigma_B, sigma_i`` (daily)."""
        return pd.Series(
            [self.russell_sigma, self.btc_sigma, *self.alt_sigma.to_numpy()], index=list(self.assets)
        )

    @property
    def standardized_residuals(self) -> pd.DataFrame:
        """``residuals`` standardized column by column on their own rows: mean 0, sd 1 (ddof=1).

        These are the rows the bootstrap engine resamples, so its shocks have exactly the
        unit scale the parametric engine assumes.
        """
        res = self.residuals
        return (res - res.mean()) / res.std(ddof=1)

    def implied_covariance(self) -> pd.DataFrame:
        """Daily covariance of the assets' log returns implied by the model.

        With loadings ``L`` (rows assets, columns shocks z_R, z_B, z_1..z_n)::

            R = sigma_R z_R
            B = b_B sigma_R z_R + sigma_B z_B
            A_i = b_i sigma_R z_R + g_i sigma_B z_B + sigma_i z_i

        with ``corr(z_i, z_j) = C_ij`` for the altcoins; the covariance is ``M @ M.T`` with
        the altcoin block of ``M`` equal to ``diag(sigma_i) @ cholesky(C)``.
        """
        n = len(self.alts)
        loadings = np.zeros((2 + n, 2 + n))
        loadings[0, 0] = self.russell_sigma
        loadings[1, 0] = self.btc_beta * self.russell_sigma
        loadings[1, 1] = self.btc_sigma
        loadings[2:, 0] = self.alt_beta.to_numpy() * self.russell_sigma
        loadings[2:, 1] = self.alt_loading.to_numpy() * self.btc_sigma
        loadings[2:, 2:] = self.alt_sigma.to_numpy()[:, None] * self.alt_residual_cholesky()
        cov = loadings @ loadings.T
        return pd.DataFrame(cov, index=list(self.assets), columns=list(self.assets))

    def alt_residual_cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of :attr:`alt_residual_corr`, shape (n_alts, n_alts)."""
        return _cholesky(self.alt_residual_corr.to_numpy(dtype=float))

    def implied_correlation(self) -> pd.DataFrame:
        """Correlation matrix from :meth:`implied_covariance`."""
        cov = self.implied_covariance()
        sd = np.sqrt(np.diag(cov.to_numpy()))
        return cov / np.outer(sd, sd)

    def implied_beta(self) -> pd.Series:
        """Model-implied ``d log T / d log R`` per crypto asset: ``cov(T, R) / var(R)``."""
        cov = self.implied_covariance()
        return (cov.loc[list(self.crypto), self.russell] / cov.loc[self.russell, self.russell]).rename("implied_beta")

    def implied_corr(self) -> pd.Series:
        """Model-implied ``corr(log T, log R)`` of daily returns per crypto asset."""
        return self.implied_correlation().loc[list(self.crypto), self.russell].rename("implied_corr")

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last date of the calibration window (the same for every equation)."""
        return self.start, self.end


def _cholesky(corr: np.ndarray) -> np.ndarray:
    """Cholesky factor of a correlation matrix; eigenvalues clipped at 1e-10 if it is not positive definite."""
    if corr.size == 0:
        return corr.copy()
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(corr)
        fixed = vecs @ np.diag(np.clip(vals, 1e-10, None)) @ vecs.T
        d = np.sqrt(np.diag(fixed))
        return np.linalg.cholesky(fixed / np.outer(d, d))


def _ols(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and residuals of OLS ``y ~ [1, x]`` (x: (T, k))."""
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return coef, y - design @ coef


def _unit_t_nll(df: float, x: np.ndarray) -> float:
    """Negative log-likelihood of the unit-variance t(df) (scale ``sqrt((df - 2) / df)``).

    ``log f(x) = lgamma((df+1)/2) - lgamma(df/2) - log(pi (df-2)) / 2 - (df+1)/2 log1p(x^2 / (df-2))``,
    the same numbers as ``scipy.stats.t.logpdf(x, df, scale=...)`` without its per-call
    overhead (the walk-forward validation fits it at every origin).
    """
    c = special.gammaln((df + 1.0) / 2.0) - special.gammaln(df / 2.0) - 0.5 * math.log(math.pi * (df - 2.0))
    return -float(x.size * c - (df + 1.0) / 2.0 * np.sum(np.log1p(x * x / (df - 2.0))))


def fit_t_df(standardized: np.ndarray) -> float:
    """Student-t degrees of freedom of unit-variance data, MLE on ``df`` only.

    The density is the Student-t with location 0 and scale ``sqrt((df - 2) / df)``
    (so every candidate has unit variance, matching the engine's shocks); ``df`` is
    found by bounded scalar minimization of the negative log-likelihood and clipped
    to :data:`DF_RANGE`.

    Parameters
    ----------
    standardized : ndarray, shape (T,)
        Residuals divided by their standard deviation; NaNs are not allowed.
    """
    x = np.asarray(standardized, dtype=float)
    if x.size < MIN_OBS or not np.all(np.isfinite(x)):
        raise CalibrationError(f"need >= {MIN_OBS} finite standardized residuals, got {x.size}")
    res = optimize.minimize_scalar(
        _unit_t_nll, bounds=(2.05, 200.0), args=(x,), method="bounded", options={"xatol": 1e-3}
    )
    return float(np.clip(res.x, *DF_RANGE))


#: Fewest observations :func:`choose_block_length` accepts: arch's lag search looks up to
#: ``ceil(sqrt(n)) + 5`` lags ahead and needs data beyond the longest one.
MIN_BLOCK_OBS = 20


def choose_block_length(x: np.ndarray) -> float:
    """Mean block length (observations) for the stationary bootstrap of one series.

    The Politis-White (2004) automatic choice with the Patton-Politis-White (2009)
    correction, as computed by :func:`arch.bootstrap.optimal_block_length` (its
    ``"stationary"`` column)::

        b_SB = (2 G^2 / D_SB)^(1/3) n^(1/3),   D_SB = 2 sigma_hat^4,
        G = sum_{|k|<=m} h(k/m) |k| gamma_hat(k),   sigma_hat^2 = sum_{|k|<=m} h(k/m) gamma_hat(k),

    with the flat-top window ``h(u) = min(1, 2 (1 - |u|))``, ``m`` twice the first lag
    after which ``max(5, log10 n)`` autocorrelations lie inside ``+-2 sqrt(log10(n) / n)``,
    and ``b_SB`` capped at ``ceil(min(3 sqrt(n), n / 3))`` by arch.

    Two rules are added here, for inputs arch leaves to its caller:

    - the result is floored at 1: a stationary-bootstrap block holds at least one row
      (restart probability ``1 / b <= 1``); arch returns less than 1 when the
      autocovariances at lags >= 1 are negligible (e.g. one isolated spike);
    - a series with no positive long-run variance estimate -- a constant series, where
      arch would return NaN from 0 / 0 -- has no dependence to preserve: 1.0.

    Parameters
    ----------
    x : array_like, shape (n,)
        One series, finite, with ``n >= MIN_BLOCK_OBS``.

    Returns
    -------
    float
        Mean block length in [1, ceil(min(3 sqrt(n), n / 3))].

    Raises
    ------
    CalibrationError
        Fewer than :data:`MIN_BLOCK_OBS` observations, or a non-finite value.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < MIN_BLOCK_OBS:
        raise CalibrationError(f"block length needs one series of >= {MIN_BLOCK_OBS} observations, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise CalibrationError("block length needs finite values; the series has NaN or infinity")
    if np.ptp(x) == 0.0:
        return 1.0
    b = float(optimal_block_length(x)["stationary"].iloc[0])
    if not math.isfinite(b):
        return 1.0
    return max(b, 1.0)


def choose_bootstrap_block_length(residuals: pd.DataFrame) -> float:
    """Mean block length for resampling whole residual rows.

    The dependence that matters for paths and drawdowns is volatility clustering, so
    :func:`choose_block_length` is applied to each column's squared standardized
    residuals and the largest value is used (the longest memory sets the block).
    """
    z = residuals.to_numpy(dtype=float)
    z = z / z.std(axis=0, ddof=1)
    return max(choose_block_length(z[:, j] ** 2) for j in range(z.shape[1]))


def _hac_lags(n: int) -> int:
    """Newey-West bandwidth ``floor(4 (n / 100)^(2/9))``."""
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def _intercept_se(design: np.ndarray, y: np.ndarray) -> float:
    """Newey-West (HAC) standard error of the intercept of OLS ``y ~ design`` (column 0 = 1)."""
    fit = sm.OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": _hac_lags(len(y))})
    return float(fit.bse[0])


def shrink_alphas(alpha: pd.Series, se: pd.Series) -> pd.Series:
    """Empirical-Bayes shrinkage factors of intercepts toward zero.

    Normal-normal model across assets: ``a_hat_j ~ N(a_j, se_j^2)`` with ``a_j ~ N(0, tau^2)``;
    the method-of-moments ``tau^2 = max(0, mean(a_hat_j^2 - se_j^2))`` gives the posterior
    mean ``k_j a_hat_j`` with ``k_j = tau^2 / (tau^2 + se_j^2)``.

    Parameters
    ----------
    alpha, se : pd.Series
        Sample intercepts and their standard errors (same index, same units).

    Returns
    -------
    pd.Series
        ``k_j`` in [0, 1]: 0 when the cross-section shows no alpha beyond noise.
    """
    a, s = alpha.to_numpy(dtype=float), se.to_numpy(dtype=float)
    tau2 = max(0.0, float(np.mean(a**2 - s**2)))
    k = np.zeros_like(a) if tau2 == 0.0 else tau2 / (tau2 + s**2)
    return pd.Series(k, index=alpha.index, name="alpha_shrinkage")


def _residual_corr(resid: pd.DataFrame, scales: dict[str, float]) -> pd.DataFrame:
    """Correlation of the altcoin residuals (uncentered: they are OLS residuals with mean ~0)."""
    if resid.shape[1] == 0:
        return pd.DataFrame(np.zeros((0, 0)))
    z = resid.to_numpy() / np.array([scales[c] for c in resid.columns])
    cov = z.T @ z / len(z)
    d = np.sqrt(np.diag(cov))
    return pd.DataFrame(cov / np.outer(d, d), index=resid.columns, columns=resid.columns)


def calibrate(
    returns: pd.DataFrame,
    *,
    russell: str,
    btc: str,
    alts: Sequence[str] | None = None,
    shrink: bool = True,
) -> MarketModel:
    """Fit :class:`MarketModel` to aligned daily log returns, every equation on one window.

    Parameters
    ----------
    returns : pd.DataFrame
        Dates x tickers, daily log returns (decimals); NaN where a ticker has no data.
    russell, btc : str
        Columns of the Russell proxy and of BTC.
    alts : sequence of str, optional
        Altcoin columns; default every other crypto column (:func:`core.tickers.is_crypto`),
        so an S&P column in the same frame is ignored.
    shrink : bool
        Use empirical-Bayes shrunk alphas (:func:`shrink_alphas`); False keeps the sample ones.

    Raises
    ------
    CalibrationError
        A column is missing, or fewer than :data:`MIN_OBS` rows have every asset (the
        message names the assets that set the window).
    """
    for col in (russell, btc):
        if col not in returns.columns:
            raise CalibrationError(f"column {col!r} not in returns (columns: {list(returns.columns)})")
    if russell == btc:
        raise CalibrationError(f"russell and btc must differ, both are {russell!r}")
    if alts is None:
        alts = [c for c in returns.columns if c not in (russell, btc) and is_crypto(str(c))]
    alts = tuple(alts)
    for col in alts:
        if col not in returns.columns:
            raise CalibrationError(f"altcoin column {col!r} not in returns")
        if col in (russell, btc):
            raise CalibrationError(f"altcoin column {col!r} is also the russell or btc column")
    if len(set(alts)) != len(alts):
        raise CalibrationError(f"duplicate altcoin columns in {list(alts)}")
    frame = returns[[russell, btc, *alts]].astype(float)
    if not np.all(np.isfinite(frame.to_numpy()[~np.isnan(frame.to_numpy())])):
        raise CalibrationError("returns contain infinite values")

    window = frame.dropna()
    limited_by = _window_limits(frame)
    if len(window) < MIN_OBS:
        raise CalibrationError(
            f"only {len(window)} sessions where {', '.join(frame.columns)} all have a return; need >= "
            f"{MIN_OBS}. The window is set by {', '.join(limited_by)}: drop it or widen the dates"
        )
    r = window[russell].to_numpy()
    b = window[btc].to_numpy()
    # The Russell's mean takes its longest history in the frame: it does not enter the
    # co-movement, and a mean is the statistic that gains most from a longer span.
    r_all = frame[russell].dropna()
    mu_r = float(r_all.mean())
    sigma_r = float(r.std(ddof=1))
    design_b = np.column_stack([np.ones(len(r)), r])
    (a_b, beta_b), u = _ols(b, r[:, None])
    sigma_b = float(u.std(ddof=2))
    alpha_se = {btc: _intercept_se(design_b, b)}

    alpha, beta, loading, sigma = {}, {}, {}, {}
    alt_resid: dict[str, np.ndarray] = {}
    design_a = np.column_stack([np.ones(len(r)), r, u])
    for col in alts:
        y = window[col].to_numpy()
        (a, bi, gi), e = _ols(y, design_a[:, 1:])
        alpha[col], beta[col], loading[col] = float(a), float(bi), float(gi)
        sigma[col] = float(e.std(ddof=3))
        alpha_se[col] = _intercept_se(design_a, y)
        alt_resid[col] = e

    complete = pd.DataFrame({russell: r - r.mean(), btc: u, **alt_resid}, index=window.index)
    scales = {russell: sigma_r, btc: sigma_b, **sigma}
    standardized = {c: complete[c].to_numpy() / scales[c] for c in complete.columns}
    tail_df = pd.Series({c: fit_t_df(z) for c, z in standardized.items()})
    crypto_df = fit_t_df(np.concatenate([standardized[c] for c in (btc, *alts)]))
    crypto = [btc, *alts]
    alpha_sample = pd.Series({btc: float(a_b), **alpha}, index=crypto, dtype=float)
    alpha_se_s = pd.Series(alpha_se, index=crypto, dtype=float)
    factor = shrink_alphas(alpha_sample, alpha_se_s) if shrink else pd.Series(1.0, index=crypto)
    used_alpha = alpha_sample * factor
    hist = window[crypto]
    var_r = float(np.var(r, ddof=1))
    hist_beta = pd.Series({c: float(np.cov(hist[c].to_numpy(), r, ddof=1)[0, 1]) / var_r for c in crypto})
    hist_corr = pd.Series({c: float(np.corrcoef(hist[c].to_numpy(), r)[0, 1]) for c in crypto})
    alt_index = pd.Index(alts)
    return MarketModel(
        russell=russell,
        btc=btc,
        alts=alts,
        russell_mu=mu_r,
        russell_sigma=sigma_r,
        btc_alpha=float(used_alpha[btc]),
        btc_beta=float(beta_b),
        btc_sigma=sigma_b,
        alt_alpha=used_alpha.reindex(alt_index).astype(float),
        alt_beta=pd.Series(beta, index=alt_index, dtype=float),
        alt_loading=pd.Series(loading, index=alt_index, dtype=float),
        alt_sigma=pd.Series(sigma, index=alt_index, dtype=float),
        alt_residual_corr=_residual_corr(complete[list(alts)], scales),
        tail_df=tail_df,
        crypto_df=crypto_df,
        residuals=complete,
        block_length=choose_bootstrap_block_length(complete),
        start=pd.Timestamp(window.index[0]),
        end=pd.Timestamp(window.index[-1]),
        n_obs=len(window),
        n_obs_per_asset=pd.Series(len(window), index=[russell, *crypto]),
        alpha_sample=alpha_sample,
        alpha_se=alpha_se_s,
        alpha_shrinkage=factor,
        historical_beta=hist_beta,
        historical_corr=hist_corr,
        limited_by=limited_by,
        russell_mu_window=(pd.Timestamp(r_all.index[0]), pd.Timestamp(r_all.index[-1])),
        russell_mu_se=_intercept_se(np.ones((len(r_all), 1)), r_all.to_numpy()),
    )


def _window_limits(frame: pd.DataFrame) -> tuple[str, ...]:
    """The columns that narrow the common window: latest first return, earliest last return,
    or (when neither narrows it) the most missing rows inside it."""
    firsts = {c: frame[c].first_valid_index() for c in frame.columns}
    lasts = {c: frame[c].last_valid_index() for c in frame.columns}
    empty = tuple(c for c, v in firsts.items() if v is None)
    if empty:
        return empty
    start, end = max(firsts.values()), min(lasts.values())
    out = [c for c in frame.columns if start > min(firsts.values()) and firsts[c] == start]
    out += [c for c in frame.columns if end < max(lasts.values()) and lasts[c] == end and c not in out]
    if not out:
        gaps = frame.loc[start:end].isna().sum()
        out = [c for c in frame.columns if gaps[c] == gaps.max() and gaps.max() > 0]
    return tuple(out)
