"""Calibration of the factor model: OLS loadings, tails, block length, missing data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from arch.bootstrap import optimal_block_length

from core.calibration import (
    DF_RANGE,
    CalibrationError,
    calibrate,
    choose_block_length,
    choose_bootstrap_block_length,
    fit_t_df,
    shrink_alphas,
)


def synthetic_returns(n: int = 3000, seed: int = 0, alt_corr: float = 0.0) -> pd.DataFrame:
    """Daily log returns drawn from the model with known parameters (normal shocks)."""
    rng = np.random.default_rng(seed)
    r = 0.0004 + 0.012 * rng.standard_normal(n)
    u = 0.03 * rng.standard_normal(n)
    b = 0.001 + 0.8 * r + u
    e1 = rng.standard_normal(n)
    e2 = alt_corr * e1 + np.sqrt(1 - alt_corr**2) * rng.standard_normal(n)
    a1 = -0.0005 + 1.2 * r + 1.1 * u + 0.04 * e1
    a2 = 0.0002 + 1.5 * r + 0.7 * u + 0.05 * e2
    idx = pd.bdate_range("2015-01-01", periods=n, name="date")
    return pd.DataFrame({"IWM": r, "BTC-USD": b, "SOL-USD": a1, "ADA-USD": a2}, index=idx)


def test_calibrate_matches_statsmodels_ols() -> None:
    df = synthetic_returns()
    m = calibrate(df.assign(SPY=df["IWM"] * 0.5), russell="IWM", btc="BTC-USD", shrink=False)
    assert m.alts == ("SOL-USD", "ADA-USD")  # the non-crypto SPY column is not an altcoin
    assert m.assets == ("IWM", "BTC-USD", "SOL-USD", "ADA-USD")
    btc_fit = sm.OLS(df["BTC-USD"], sm.add_constant(df["IWM"])).fit()
    assert m.btc_alpha == pytest.approx(btc_fit.params["const"], abs=1e-12)
    assert m.btc_beta == pytest.approx(btc_fit.params["IWM"], rel=1e-10)
    assert m.btc_sigma == pytest.approx(np.sqrt(btc_fit.mse_resid), rel=1e-10)
    x = sm.add_constant(pd.DataFrame({"IWM": df["IWM"], "u": btc_fit.resid}))
    alt_fit = sm.OLS(df["SOL-USD"], x).fit()
    assert m.alt_alpha["SOL-USD"] == pytest.approx(alt_fit.params["const"], abs=1e-12)
    assert m.alt_beta["SOL-USD"] == pytest.approx(alt_fit.params["IWM"], rel=1e-10)
    assert m.alt_loading["SOL-USD"] == pytest.approx(alt_fit.params["u"], rel=1e-10)
    assert m.alt_sigma["SOL-USD"] == pytest.approx(np.sqrt(alt_fit.mse_resid), rel=1e-10)
    assert m.russell_mu == pytest.approx(df["IWM"].mean())
    assert m.russell_sigma == pytest.approx(df["IWM"].std(ddof=1))
    assert m.russell_vol_annual == pytest.approx(df["IWM"].std() * np.sqrt(252))
    assert m.russell_mu_annual == pytest.approx(252 * df["IWM"].mean())


def test_calibrate_recovers_true_parameters() -> None:
    m = calibrate(synthetic_returns(n=6000, seed=3), russell="IWM", btc="BTC-USD")
    assert m.btc_beta == pytest.approx(0.8, abs=0.1)
    assert m.alt_beta["ADA-USD"] == pytest.approx(1.5, abs=0.15)
    assert m.alt_loading["SOL-USD"] == pytest.approx(1.1, abs=0.05)
    assert m.alt_sigma["ADA-USD"] == pytest.approx(0.05, rel=0.03)
    # normal shocks: fitted tails are thin (df at or near the upper clip)
    assert m.crypto_df > 15
    assert set(m.tail_df.index) == set(m.assets)
    assert all(DF_RANGE[0] <= v <= DF_RANGE[1] for v in m.tail_df)


@pytest.mark.parametrize("alt_corr", [0.0, 0.5])
def test_implied_correlation_matches_sample(alt_corr: float) -> None:
    df = synthetic_returns(n=20000, seed=5, alt_corr=alt_corr)
    m = calibrate(df, russell="IWM", btc="BTC-USD")
    assert m.alt_residual_corr.loc["SOL-USD", "ADA-USD"] == pytest.approx(alt_corr, abs=0.03)
    assert np.allclose(np.diag(m.alt_residual_corr), 1.0)
    chol = m.alt_residual_cholesky()
    assert np.allclose(chol @ chol.T, m.alt_residual_corr.to_numpy())
    implied = m.implied_correlation()
    sample = df.corr()
    assert np.allclose(np.diag(implied), 1.0)
    assert np.abs(implied.to_numpy() - sample.loc[implied.index, implied.columns].to_numpy()).max() < 0.02


def test_one_common_window_for_every_equation() -> None:
    df = synthetic_returns()
    df.iloc[:1000, df.columns.get_loc("SOL-USD")] = np.nan  # token listed later
    df.iloc[2990:, df.columns.get_loc("ADA-USD")] = np.nan  # token delisted
    df.iloc[5, df.columns.get_loc("IWM")] = np.nan  # a gap in the Russell (outside the window)
    m = calibrate(df, russell="IWM", btc="BTC-USD", shrink=False)
    assert m.n_obs == 1990 and len(m.residuals) == 1990
    assert (m.start, m.end) == (df.index[1000], df.index[2989]) == m.window
    assert set(m.n_obs_per_asset) == {1990}
    assert m.limited_by == ("SOL-USD", "ADA-USD")
    assert not m.residuals.isna().any().any()
    # every equation on the same rows: BTC's residual is orthogonal to the Russell there
    rows = df.iloc[1000:2990]
    btc_fit = sm.OLS(rows["BTC-USD"], sm.add_constant(rows["IWM"])).fit()
    assert m.btc_beta == pytest.approx(btc_fit.params["IWM"], rel=1e-10)
    fit = sm.OLS(rows["SOL-USD"], sm.add_constant(pd.DataFrame({"IWM": rows["IWM"], "u": btc_fit.resid}))).fit()
    assert m.alt_beta["SOL-USD"] == pytest.approx(fit.params["IWM"], rel=1e-10)
    assert m.alt_loading["SOL-USD"] == pytest.approx(fit.params["u"], rel=1e-10)
    # the bootstrap's shocks are standardized on the rows it resamples
    std = m.standardized_residuals
    assert list(std.columns) == list(m.assets)
    assert np.allclose(std.mean(), 0.0, atol=1e-12) and np.allclose(std.std(ddof=1), 1.0, atol=1e-12)


def test_implied_comovement_equals_history_on_the_window() -> None:
    df = synthetic_returns(n=2500, seed=11)
    df.iloc[:700, df.columns.get_loc("ADA-USD")] = np.nan
    m = calibrate(df, russell="IWM", btc="BTC-USD")
    rows = df.dropna()
    for asset in m.crypto:
        beta = np.cov(rows[asset], rows["IWM"])[0, 1] / rows["IWM"].var()
        corr = np.corrcoef(rows[asset], rows["IWM"])[0, 1]
        assert m.historical_beta[asset] == pytest.approx(beta, rel=1e-10)
        assert m.historical_corr[asset] == pytest.approx(corr, rel=1e-10)
        assert m.implied_beta()[asset] == pytest.approx(beta, rel=1e-9)
        assert m.implied_corr()[asset] == pytest.approx(corr, abs=2e-3)  # ddof corrections only


def test_alphas_are_shrunk_by_empirical_bayes_with_hac_errors() -> None:
    df = synthetic_returns(n=1500, seed=4)
    raw = calibrate(df, russell="IWM", btc="BTC-USD", shrink=False)
    m = calibrate(df, russell="IWM", btc="BTC-USD")
    lags = int(np.floor(4 * (len(df) / 100) ** (2 / 9)))
    btc_fit = sm.OLS(df["BTC-USD"], sm.add_constant(df["IWM"])).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    assert m.alpha_sample["BTC-USD"] == pytest.approx(btc_fit.params["const"], abs=1e-12)
    assert m.alpha_se["BTC-USD"] == pytest.approx(btc_fit.bse["const"], rel=1e-10)
    a, se = m.alpha_sample.to_numpy(), m.alpha_se.to_numpy()
    tau2 = max(0.0, float(np.mean(a**2 - se**2)))
    k = tau2 / (tau2 + se**2) if tau2 > 0 else np.zeros_like(a)
    assert np.allclose(m.alpha_shrinkage.to_numpy(), k)
    assert m.btc_alpha == pytest.approx(k[0] * a[0], abs=1e-15)
    assert np.allclose(m.alt_alpha.to_numpy(), k[1:] * a[1:])
    assert raw.btc_alpha == pytest.approx(a[0]) and (raw.alpha_shrinkage == 1.0).all()
    # slopes and scales do not depend on the intercepts' treatment
    assert m.btc_beta == raw.btc_beta and m.alt_sigma.equals(raw.alt_sigma)


def test_shrink_alphas_hand_computed() -> None:
    alpha = pd.Series([0.3, -0.1, 0.2])
    se = pd.Series([0.1, 0.1, 0.2])
    # tau^2 = mean(0.09 - 0.01, 0.01 - 0.01, 0.04 - 0.04) = 0.08 / 3
    tau2 = 0.08 / 3
    assert np.allclose(shrink_alphas(alpha, se), [tau2 / (tau2 + 0.01), tau2 / (tau2 + 0.01), tau2 / (tau2 + 0.04)])
    # alphas no larger than their noise: no alpha at all
    assert (shrink_alphas(pd.Series([0.1, -0.1]), pd.Series([0.2, 0.2])) == 0.0).all()


def test_calibration_errors_name_the_problem() -> None:
    df = synthetic_returns(n=300)
    with pytest.raises(CalibrationError, match="'QQQ'"):
        calibrate(df, russell="QQQ", btc="BTC-USD")
    with pytest.raises(CalibrationError, match="'DOT-USD'"):
        calibrate(df, russell="IWM", btc="BTC-USD", alts=["DOT-USD"])
    short = df.copy()
    short.iloc[:260, short.columns.get_loc("SOL-USD")] = np.nan
    with pytest.raises(CalibrationError, match="only 40 sessions .* set by SOL-USD: drop it"):
        calibrate(short, russell="IWM", btc="BTC-USD")
    with pytest.raises(CalibrationError, match="only 50 sessions"):
        calibrate(df.iloc[:50], russell="IWM", btc="BTC-USD")
    bad = df.copy()
    bad.iloc[3, 0] = np.inf
    with pytest.raises(CalibrationError, match="infinite"):
        calibrate(bad, russell="IWM", btc="BTC-USD")


def test_fit_t_df_recovers_tails() -> None:
    rng = np.random.default_rng(7)
    df_true = 4.0
    x = rng.standard_t(df_true, 40000) * np.sqrt((df_true - 2) / df_true)
    est = fit_t_df(x / x.std())
    assert 3.3 < est < 5.0
    normal = rng.standard_normal(40000)
    assert fit_t_df(normal) > 20
    cauchy_like = rng.standard_t(2.2, 20000)
    assert fit_t_df(cauchy_like / cauchy_like.std()) == DF_RANGE[0]
    with pytest.raises(CalibrationError):
        fit_t_df(np.ones(10))


def _ar1(phi: float, n: int, rng: np.random.Generator, burn: int = 100) -> np.ndarray:
    e = rng.standard_normal(n + burn)
    y = np.empty_like(e)
    y[0] = e[0]
    for t in range(1, len(e)):
        y[t] = phi * y[t - 1] + e[t]
    return y[burn:]


def test_block_length_golden_value_from_arch() -> None:
    """Pinned: arch 8.0.0's stationary-bootstrap length for a seeded AR(1), phi = 0.5, n = 2000."""
    y = _ar1(0.5, 2000, np.random.default_rng(0))
    assert choose_block_length(y) == pytest.approx(14.375941708589107, rel=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_block_length_is_arch_stationary_column(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for x in (_ar1(0.3, 1500, rng), rng.standard_t(4, 1000) ** 2, _ar1(0.95, 500, rng)):
        expected = float(optimal_block_length(x).loc[0, "stationary"])
        assert expected >= 1.0  # the floor is not in play on these
        assert choose_block_length(x) == expected


def test_block_length_longer_for_dependent_series() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    iid = rng.standard_normal(n)
    ar = _ar1(0.8, n, rng, burn=0)
    b_iid = choose_block_length(iid)
    b_ar = choose_block_length(ar)
    assert 1.0 <= b_iid < 3.0
    assert b_ar > 3 * b_iid
    assert b_ar <= np.ceil(min(3 * np.sqrt(n), n / 3))
    # Population optimum for an AR(1): b = (G / sigma_lr^2)^(2/3) n^(1/3) with
    # G / sigma_lr^2 = 2 phi / (1 - phi^2); 39.0 for phi = 0.8, n = 3000. The flat-top
    # estimate is biased down at this n (33.2 here); it must still be close.
    phi = 0.8
    theory = (2 * phi / (1 - phi**2)) ** (2 / 3) * n ** (1 / 3)
    assert theory == pytest.approx(38.98, abs=0.01)
    assert abs(b_ar / theory - 1) < 0.3


def test_block_length_degenerate_inputs() -> None:
    # constant: no dependence to preserve (arch itself would return NaN from 0 / 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert choose_block_length(np.zeros(50)) == 1.0
        assert choose_block_length(np.full(300, 3.7)) == 1.0
    # one isolated spike: arch's value is below one row; a block holds at least one
    spike = np.zeros(200)
    spike[-1] = 1.0
    assert float(optimal_block_length(spike).loc[0, "stationary"]) < 0.1
    assert choose_block_length(spike) == 1.0
    with pytest.raises(CalibrationError, match=">= 20 observations"):
        choose_block_length(np.arange(19.0))
    with pytest.raises(CalibrationError, match="finite"):
        choose_block_length(np.r_[np.arange(30.0), np.nan])


def test_bootstrap_block_length_is_the_longest_over_squared_standardized_columns() -> None:
    rng = np.random.default_rng(5)
    n = 1500
    calm = rng.standard_normal(n)
    # volatility clustering: a persistent log-vol process, so the squares are autocorrelated
    clustered = np.exp(_ar1(0.97, n, rng) * 0.3) * rng.standard_normal(n)
    frame = pd.DataFrame({"calm": 0.01 * calm, "clustered": 0.05 * clustered})
    per_column = {c: choose_block_length((frame[c] / frame[c].std(ddof=1)).to_numpy() ** 2) for c in frame}
    assert per_column["clustered"] > 3 * per_column["calm"]
    assert choose_bootstrap_block_length(frame) == pytest.approx(per_column["clustered"], rel=1e-12)
    # scale-free: the block length ignores each column's units
    assert choose_bootstrap_block_length(frame * 7.0) == pytest.approx(per_column["clustered"], rel=1e-12)


def test_cholesky_repairs_non_positive_definite_correlation() -> None:
    from core.calibration import _cholesky

    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    assert np.linalg.eigvalsh(bad).min() < 0
    chol = _cholesky(bad)
    fixed = chol @ chol.T
    assert np.all(np.isfinite(chol))
    assert np.allclose(np.diag(fixed), 1.0)
    assert np.linalg.eigvalsh(fixed).min() > -1e-12
    good = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert np.allclose(_cholesky(good), np.linalg.cholesky(good))
