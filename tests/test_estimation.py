"""Tests of core.estimation: hand-worked cases, references, invariants, Monte Carlo coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.regression.rolling import RollingOLS

from core import estimation as est

# Five sessions worked by hand: x mean 0, Sxx = 0.001, Sxy = 0.0018, y mean 0.006,
# Syy = 0.00352 -> beta 1.8, alpha 0.006, R^2 = 0.0018^2 / (0.001 * 0.00352) = 81/88.
DATES = pd.bdate_range("2024-01-01", periods=5)
X5 = pd.Series([-0.02, -0.01, 0.0, 0.01, 0.02], index=DATES, name="IWM")
Y5 = pd.Series([-0.03, -0.01, 0.01, 0.01, 0.05], index=DATES, name="BTC-USD")


def _pair(rng: np.random.Generator, n: int, beta: float = 1.5, alpha: float = 0.0005,
          sd_x: float = 0.012, sd_e: float = 0.025) -> tuple[pd.Series, pd.Series]:
    idx = pd.bdate_range("2015-01-01", periods=n, name="date")
    x = rng.normal(0.0, sd_x, n)
    y = alpha + beta * x + rng.normal(0.0, sd_e, n)
    return pd.Series(y, idx, name="asset"), pd.Series(x, idx, name="market")


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    shocks = rng.normal(0.0, sd * math.sqrt(1 - phi**2), n + 50)
    out = np.empty_like(shocks)
    out[0] = shocks[0] / math.sqrt(1 - phi**2)
    for t in range(1, len(out)):  # test helper only: AR(1) needs the recursion
        out[t] = phi * out[t - 1] + shocks[t]
    return out[50:]


def _newey_west_cov(y: np.ndarray, x: np.ndarray, lags: int) -> np.ndarray:
    """Bartlett-kernel HAC covariance with the n/(n-k) correction, written out in numpy."""
    X = np.column_stack([np.ones_like(x), x]) if x.ndim == 1 else np.column_stack(
        [np.ones(len(x)), x])
    n, k = X.shape
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    u = y - X @ b
    g = X * u[:, None]
    s = g.T @ g
    for lag in range(1, lags + 1):
        w = 1.0 - lag / (lags + 1.0)
        gamma = g[lag:].T @ g[:-lag]
        s += w * (gamma + gamma.T)
    bread = np.linalg.inv(X.T @ X)
    return bread @ s @ bread * n / (n - k)


# --------------------------------------------------------------------------- hand-worked


def test_beta_and_correlation_by_hand() -> None:
    b = est.estimate_beta(Y5, X5)
    assert b.beta == pytest.approx(1.8, abs=1e-12)
    assert b.alpha == pytest.approx(0.006, abs=1e-14)
    assert b.r2 == pytest.approx(81 / 88, abs=1e-12)
    assert b.n == 5
    assert b.start == DATES[0] and b.end == DATES[-1]
    assert b.beta_ci[0] < 1.8 < b.beta_ci[1]
    c = est.estimate_correlation(Y5, X5)
    assert c.pearson == pytest.approx(0.0018 / math.sqrt(0.001 * 0.00352), abs=1e-12)
    # Ranks: x 1..5, y 1, 2, 3.5, 3.5, 5 -> rho = 9.5 / sqrt(10 * 9.5) = sqrt(0.95).
    assert c.spearman == pytest.approx(math.sqrt(0.95), abs=1e-12)
    assert c.pearson_ci[0] < c.pearson < c.pearson_ci[1]


def test_rolling_beta_by_hand() -> None:
    r = est.rolling_beta(Y5, X5, 3)
    assert r["beta"].iloc[:2].isna().all()
    # Windows: y = 0.01 + 2x exactly; x = (-.01, 0, .01) -> beta 1; last: beta 2, alpha 1/300.
    np.testing.assert_allclose(r["beta"].iloc[2:], [2.0, 1.0, 2.0], atol=1e-12)
    assert r["alpha"].iloc[4] == pytest.approx(0.01 / 3, abs=1e-14)
    assert r["beta_se"].iloc[2] == pytest.approx(0.0, abs=1e-6)
    # Last window: SSR = Syy - b * Sxy = 0.0010667 - 0.0008 = 0.00026667, Sxx = 0.0002.
    assert r["beta_se"].iloc[4] == pytest.approx(2 / math.sqrt(3), rel=1e-9)
    z = stats.norm.ppf(0.975)
    assert r["beta_upper"].iloc[4] == pytest.approx(2 + z * 2 / math.sqrt(3), rel=1e-9)
    assert r["corr"].iloc[2] == pytest.approx(1.0, abs=1e-9)
    assert list(r["n"].iloc[2:]) == [3, 3, 3]


def test_up_down_beta_by_hand() -> None:
    x = pd.Series([-0.03, -0.02, -0.01, 0.01, 0.02, 0.04, 0.0], index=pd.RangeIndex(7))
    y = pd.Series(np.where(x > 0, 2.0 * x, 0.5 * x))
    r = est.estimate_up_down_beta(y, x)
    assert (r.beta_up, r.beta_down) == (pytest.approx(2.0), pytest.approx(0.5))
    assert (r.n_up, r.n_down) == (3, 3)  # the flat day is in neither
    assert r.up_capture == pytest.approx(2.0) and r.down_capture == pytest.approx(0.5)


def test_dimson_beta_exact_lags() -> None:
    rng = np.random.default_rng(1)
    x = pd.Series(rng.normal(0, 0.01, 300), index=pd.bdate_range("2020-01-01", periods=300))
    y = 0.001 + 0.5 * x + 0.3 * x.shift(1) + 0.1 * x.shift(2)
    d1 = est.estimate_dimson_beta(y, x, lags=2)
    np.testing.assert_allclose(d1.loadings.to_numpy(), [0.5, 0.3, 0.1], atol=1e-10)
    assert d1.beta == pytest.approx(0.9, abs=1e-10)
    assert d1.n == 298 and list(d1.loadings.index) == [0, 1, 2]
    d0 = est.estimate_dimson_beta(y, x, lags=0)
    assert d0.beta == pytest.approx(est.estimate_beta(y, x).beta, abs=1e-12)


def test_cross_correlation_sign_convention() -> None:
    rng = np.random.default_rng(2)
    x = pd.Series(rng.normal(0, 0.01, 400), index=pd.bdate_range("2020-01-01", periods=400))
    y = x.shift(2)  # the asset repeats the market two sessions later: the market leads
    cc = est.cross_correlation(y, x, max_lag=10)
    assert list(cc.index) == list(range(-10, 11))
    assert cc.loc[2, "corr"] == pytest.approx(1.0, abs=1e-12)
    assert cc["corr"].drop(2).abs().max() < 0.2
    assert cc.loc[0, "n"] == 398
    assert cc.loc[2, "band"] == pytest.approx(1.959963984540054 / math.sqrt(cc.loc[2, "n"]))


def test_granger_direction_and_reference_f() -> None:
    rng = np.random.default_rng(3)
    n = 800
    x = rng.normal(0, 0.01, n)
    y = np.r_[0.0, 0.6 * x[:-1]] + rng.normal(0, 0.01, n)
    idx = pd.bdate_range("2018-01-01", periods=n)
    g = est.granger_tests(pd.Series(y, idx), pd.Series(x, idx), max_lag=3)
    t = g.table
    assert list(t.index) == [1, 2, 3]
    assert (t["market_to_asset_p"] < 1e-10).all()
    assert (t["asset_to_market_p"] > 0.01).all()
    # Lag 1 F statistic by restricted vs unrestricted OLS written out here.
    yy, ylag, xlag = y[1:], y[:-1], x[:-1]
    full = np.column_stack([np.ones(n - 1), ylag, xlag])
    own = full[:, :2]
    ssr_f = np.sum((yy - full @ np.linalg.lstsq(full, yy, rcond=None)[0]) ** 2)
    ssr_r = np.sum((yy - own @ np.linalg.lstsq(own, yy, rcond=None)[0]) ** 2)
    f = (ssr_r - ssr_f) / 1 / (ssr_f / (n - 1 - 3))
    assert t.loc[1, "market_to_asset_f_homoskedastic"] == pytest.approx(f, rel=1e-9)
    assert t.loc[1, "market_to_asset_p_homoskedastic"] == pytest.approx(stats.f.sf(f, 1, n - 4), rel=1e-6)


def test_granger_does_not_print(capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(4)
    a, m = _pair(rng, 200)
    est.granger_tests(a, m, max_lag=2)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- references


def test_full_sample_matches_numpy_and_statsmodels_hac() -> None:
    rng = np.random.default_rng(5)
    x = _ar1(rng, 700, 0.3, 0.01)
    y = 0.0002 + 1.3 * x + _ar1(rng, 700, 0.4, 0.02)
    idx = pd.bdate_range("2019-01-01", periods=700)
    b = est.estimate_beta(pd.Series(y, idx), pd.Series(x, idx))
    lags = est.newey_west_lags(700)
    assert lags == math.floor(4 * 7 ** (2 / 9)) == 6
    params = np.linalg.lstsq(np.column_stack([np.ones(700), x]), y, rcond=None)[0]
    np.testing.assert_allclose([b.alpha, b.beta], params, rtol=1e-10, atol=1e-14)
    cov = _newey_west_cov(y, x, lags)
    np.testing.assert_allclose([b.alpha_se, b.beta_se], np.sqrt(np.diag(cov)), rtol=1e-9)
    ref = sm.OLS(y, sm.add_constant(x)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    np.testing.assert_allclose(b.beta_ci, ref.conf_int()[1], rtol=1e-10)
    assert b.r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-10)
    assert b.hac_lags == lags and b.cov_type == "HAC"


def test_correlation_matches_numpy_and_scipy() -> None:
    rng = np.random.default_rng(6)
    a, m = _pair(rng, 300)
    a.iloc[[3, 40]] = np.nan
    m.iloc[[7]] = np.nan
    c = est.estimate_correlation(a, m)
    ok = a.notna() & m.notna()
    assert c.n == int(ok.sum()) == 297
    assert c.pearson == pytest.approx(np.corrcoef(a[ok], m[ok])[0, 1], abs=1e-12)
    assert c.spearman == pytest.approx(stats.spearmanr(a[ok], m[ok]).statistic, abs=1e-12)
    assert c.pearson_p == pytest.approx(stats.pearsonr(a[ok], m[ok]).pvalue, rel=1e-9)


@pytest.mark.parametrize("window", [30, 90])
@pytest.mark.parametrize("min_periods", [None, 25])
def test_rolling_matches_rolling_ols_with_gaps(window: int, min_periods: int | None) -> None:
    rng = np.random.default_rng(7)
    a, m = _pair(rng, 500)
    a.iloc[rng.choice(500, 15, replace=False)] = np.nan
    m.iloc[rng.choice(500, 10, replace=False)] = np.nan
    r = est.rolling_beta(a, m, window, min_periods=min_periods)
    mp = window if min_periods is None else min_periods
    ref = RollingOLS(a, sm.add_constant(m), window=window, min_nobs=mp, missing="drop").fit()
    assert r["beta"].isna().equals(ref.params["market"].isna())
    np.testing.assert_allclose(r["beta"], ref.params["market"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r["alpha"], ref.params["const"], rtol=1e-7, atol=1e-13)
    np.testing.assert_allclose(r["beta_se"], ref.bse["market"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(r["r2"], ref.rsquared, rtol=1e-8, atol=1e-12)


def test_rolling_correlation_matches_pandas() -> None:
    rng = np.random.default_rng(8)
    a, m = _pair(rng, 400)
    a.iloc[[10, 200, 201]] = np.nan
    rc = est.rolling_correlation(a, m, 60)
    ref = a.rolling(60, min_periods=60).corr(m)
    np.testing.assert_allclose(rc, ref, atol=1e-12)
    assert rc.isna().equals(ref.isna())


def test_rolling_betas_many_assets_match_single() -> None:
    rng = np.random.default_rng(9)
    idx = pd.bdate_range("2020-01-01", periods=300)
    m = pd.Series(rng.normal(0, 0.01, 300), idx)
    assets = pd.DataFrame(rng.normal(0, 0.02, (300, 4)) + np.outer(m, [0.5, 1, 1.5, 2]), idx,
                          columns=list("ABCD"))
    assets.iloc[5:9, 2] = np.nan
    many = est.rolling_betas(assets, m, 90)
    for col in assets.columns:
        ref = RollingOLS(assets[col], sm.add_constant(m), window=90, min_nobs=90,
                         missing="drop").fit().params.iloc[:, 1]
        np.testing.assert_allclose(many[col], ref, rtol=1e-9, atol=1e-12)


def test_ewma_correlation_matches_pandas() -> None:
    rng = np.random.default_rng(10)
    a, m = _pair(rng, 400)
    a.iloc[[50, 51, 300]] = np.nan
    e = est.ewma_correlation(a, m, 20.0, min_periods=10)
    a_m, m_m = a.where(m.notna()), m.where(a.notna())
    ref = a_m.ewm(halflife=20.0, min_periods=10).corr(m_m)
    np.testing.assert_allclose(e, ref, atol=1e-10)
    assert e.isna().equals(ref.isna())


def test_correlation_matrix_pairwise_and_invariants() -> None:
    rng = np.random.default_rng(11)
    z = rng.multivariate_normal([0, 0, 0], [[1, .5, .2], [.5, 1, .3], [.2, .3, 1]], 250) * 0.01
    df = pd.DataFrame(z, columns=["IWM", "BTC-USD", "ETH-USD"])
    df.iloc[:40, 2] = np.nan
    for method in ("pearson", "spearman"):
        cm = est.correlation_matrix(df, method=method)
        c = cm.corr.to_numpy()
        np.testing.assert_allclose(np.diag(c), 1.0)
        np.testing.assert_allclose(c, c.T)
        assert (np.abs(c) <= 1.0).all()
        ok = df["ETH-USD"].notna()
        ref = (np.corrcoef if method == "pearson" else lambda a, b: np.array(
            [[1, stats.spearmanr(a, b).statistic]] * 2))(df.loc[ok, "IWM"], df.loc[ok, "ETH-USD"])
        assert cm.corr.loc["IWM", "ETH-USD"] == pytest.approx(ref[0, 1], abs=1e-12)
        assert cm.n.loc["IWM", "ETH-USD"] == 210 and cm.n.loc["IWM", "BTC-USD"] == 250


# --------------------------------------------------------------------------- invariants


def test_market_on_itself() -> None:
    rng = np.random.default_rng(12)
    _, m = _pair(rng, 200)
    b = est.estimate_beta(m, m)
    assert b.beta == pytest.approx(1.0, abs=1e-12) and b.alpha == pytest.approx(0.0, abs=1e-15)
    assert b.r2 == pytest.approx(1.0)
    assert est.estimate_correlation(m, m).pearson == pytest.approx(1.0)
    r = est.rolling_beta(m, m, 30)
    np.testing.assert_allclose(r["beta"].dropna(), 1.0, atol=1e-10)
    ud = est.estimate_up_down_beta(m, m)
    assert ud.beta_up == pytest.approx(1.0) and ud.beta_down == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(8, 60),
    window=st.integers(3, 8),
    seed=st.integers(0, 2**32 - 1),
    nan_share=st.floats(0.0, 0.3),
)
def test_rolling_equals_brute_force(n: int, window: int, seed: int, nan_share: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.01, n)
    y = 2.0 * x + rng.normal(0, 0.02, n)
    x[rng.random(n) < nan_share] = np.nan
    y[rng.random(n) < nan_share] = np.nan
    mp = max(3, window - 1)
    r = est.rolling_beta(pd.Series(y), pd.Series(x), window, min_periods=mp)
    assert (r["corr"].dropna().abs() <= 1.0).all()
    for t in range(n):
        lo = max(0, t - window + 1)
        xs, ys = x[lo:t + 1], y[lo:t + 1]
        ok = np.isfinite(xs) & np.isfinite(ys)
        if t < window - 1 or ok.sum() < mp or np.ptp(xs[ok]) == 0:
            assert np.isnan(r["beta"].iloc[t])
            continue
        slope = np.polyfit(xs[ok], ys[ok], 1)[0]
        assert r["beta"].iloc[t] == pytest.approx(slope, rel=1e-7, abs=1e-9)


# --------------------------------------------------------------------------- Monte Carlo


def test_hac_interval_coverage_with_autocorrelated_errors() -> None:
    """200 samples with serially correlated x and errors: the 95 % HAC interval covers ~95 %."""
    rng = np.random.default_rng(20240601)
    reps, n, beta = 200, 500, 1.2
    idx = pd.bdate_range("2010-01-01", periods=n)
    hits, betas = 0, []
    for _ in range(reps):
        x = _ar1(rng, n, 0.3, 0.01)
        y = beta * x + _ar1(rng, n, 0.3, 0.02)
        b = est.estimate_beta(pd.Series(y, idx), pd.Series(x, idx))
        hits += b.beta_ci[0] <= beta <= b.beta_ci[1]
        betas.append(b.beta)
    tol = 3 * math.sqrt(0.95 * 0.05 / reps)
    assert abs(hits / reps - 0.95) <= tol
    se_mean = np.std(betas, ddof=1) / math.sqrt(reps)
    assert abs(np.mean(betas) - beta) < 4 * se_mean


def test_rolling_band_coverage() -> None:
    """The per-window 95 % band covers the true beta in about 95 % of independent windows."""
    rng = np.random.default_rng(77)
    reps, window, beta = 400, 60, 0.8
    x = rng.normal(0, 0.01, (window, reps))
    y = beta * x + rng.normal(0, 0.02, (window, reps))
    frames = [est.rolling_beta(pd.Series(y[:, j]), pd.Series(x[:, j]), window).iloc[-1]
              for j in range(reps)]
    last = pd.DataFrame(frames)
    cover = ((last["beta_lower"] <= beta) & (beta <= last["beta_upper"])).mean()
    assert abs(cover - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / reps)


def test_up_down_and_dimson_recover_known_values() -> None:
    rng = np.random.default_rng(21)
    n = 4000
    x = rng.normal(0, 0.01, n)
    y = np.where(x > 0, 0.7, 1.6) * x + 0.4 * np.r_[0.0, x[:-1]] + rng.normal(0, 0.01, n)
    idx = pd.bdate_range("2000-01-01", periods=n)
    a, m = pd.Series(y, idx), pd.Series(x, idx)
    ud = est.estimate_up_down_beta(a, m)
    for value, truth, ci in ((ud.beta_up, 0.7, ud.beta_up_ci), (ud.beta_down, 1.6, ud.beta_down_ci)):
        se = (ci[1] - ci[0]) / (2 * stats.t.ppf(0.975, 1998))
        assert abs(value - truth) < 4 * se  # within four standard errors
    assert ud.n_up + ud.n_down == n
    d = est.estimate_dimson_beta(a, m, lags=1)
    assert d.loadings.loc[1] == pytest.approx(0.4, abs=4 * d.beta_se)
    assert abs(d.beta - (0.4 + (0.7 + 1.6) / 2)) < 4 * d.beta_se


def test_factor_loadings_recovered_and_btc_residual_orthogonal() -> None:
    rng = np.random.default_rng(22)
    n = 2000
    idx = pd.bdate_range("2012-01-01", periods=n)
    spy = pd.Series(rng.normal(0, 0.01, n), idx)
    iwm = pd.Series(1.1 * spy + rng.normal(0, 0.006, n), idx)
    btc = pd.Series(0.8 * spy + 1.0 * (iwm - spy) + rng.normal(0, 0.03, n), idx)
    f = est.build_factors(spy, iwm, btc)
    assert list(f.columns) == [est.FACTOR_MARKET, est.FACTOR_SPREAD, est.FACTOR_BTC]
    design = np.column_stack([np.ones(n), f[est.FACTOR_MARKET], f[est.FACTOR_SPREAD]])
    np.testing.assert_allclose(design.T @ f[est.FACTOR_BTC].to_numpy(), 0.0, atol=1e-12)
    alt = 0.5 * spy + 1.5 * (iwm - spy) + 0.9 * f[est.FACTOR_BTC] + rng.normal(0, 0.02, n)
    res = est.estimate_factor_loadings(alt, f)
    truth = {est.FACTOR_MARKET: 0.5, est.FACTOR_SPREAD: 1.5, est.FACTOR_BTC: 0.9}
    for name, value in truth.items():
        assert abs(res.params[name] - value) < 4 * res.bse[name]
    ref = sm.OLS(alt.to_numpy(), sm.add_constant(f.to_numpy())).fit(
        cov_type="HAC", cov_kwds={"maxlags": res.hac_lags, "use_correction": True}, use_t=True)
    np.testing.assert_allclose(res.tvalues.to_numpy(), ref.tvalues, rtol=1e-9)
    assert list(res.to_frame().columns) == ["loading", "se", "t", "p"]


# --------------------------------------------------------------------------- instability


def test_by_year_matches_slices() -> None:
    rng = np.random.default_rng(23)
    a, m = _pair(rng, 800)
    table = est.estimate_by_year(a, m)
    assert list(table.index) == sorted(set(a.index.year))
    for year in table.index:
        sl = a.index.year == year
        if table.loc[year, "n"] >= 10:
            ref = np.polyfit(m[sl], a[sl], 1)[0]
            assert table.loc[year, "beta"] == pytest.approx(ref, rel=1e-9)
            assert table.loc[year, "corr"] == pytest.approx(np.corrcoef(m[sl], a[sl])[0, 1])
    assert table["n"].sum() == 800


def test_by_volatility_uses_lagged_vol_terciles() -> None:
    rng = np.random.default_rng(24)
    n = 900
    idx = pd.bdate_range("2016-01-01", periods=n)
    vol = np.repeat([0.005, 0.02, 0.01], n // 3)
    m = pd.Series(rng.normal(0, 1, n) * vol, idx)
    a = pd.Series(np.where(vol > 0.015, 2.0, 0.5) * m + rng.normal(0, 0.005, n), idx)
    t = est.estimate_by_volatility(a, m, window=21)
    assert list(t.index) == ["low", "medium", "high"]
    known = m.rolling(21).std().shift(1).dropna()
    assert t["n"].sum() == len(known)
    cuts = known.quantile([1 / 3, 2 / 3])
    assert t.loc["low", "n"] == int((known <= cuts.iloc[0]).sum())
    assert t.loc["low", "vol_max"] <= t.loc["medium", "vol_min"]
    assert t.loc["high", "beta"] > 1.5 > 0.8 > t.loc["low", "beta"]


def test_compound_to_weekly() -> None:
    idx = pd.bdate_range("2024-01-01", "2024-01-19")  # three Mon-Fri weeks
    r = pd.DataFrame({"a": np.arange(15) * 0.001, "b": 0.01}, index=idx)
    r.loc["2024-01-09", "b"] = np.nan
    w = est.compound_to_weekly(r.drop(pd.Timestamp("2024-01-12")))  # a 4-session week
    assert list(w.index) == list(pd.to_datetime(["2024-01-05", "2024-01-11", "2024-01-19"]))
    assert w["a"].iloc[0] == pytest.approx(0.010)
    assert w["a"].iloc[1] == pytest.approx(0.001 * (5 + 6 + 7 + 8))
    assert np.isnan(w["b"].iloc[1]) and w["b"].iloc[2] == pytest.approx(0.05)
    s = est.compound_to_weekly(r["a"])
    assert isinstance(s, pd.Series) and len(s) == 3


# --------------------------------------------------------------------------- errors


def test_errors_name_the_bad_value() -> None:
    with pytest.raises(est.EstimationError, match="window must be an integer >= 3.*got 2"):
        est.rolling_beta(Y5, X5, 2)
    with pytest.raises(est.EstimationError, match="min_periods.*got 40"):
        est.rolling_beta(Y5, X5, 30, min_periods=40)
    with pytest.raises(est.EstimationError, match="n=2"):
        est.estimate_beta(Y5.iloc[:2], X5.iloc[:2])
    with pytest.raises(est.EstimationError, match="unknown column 'SOL-USD'"):
        est.select_column(pd.DataFrame({"BTC-USD": [0.1]}), "SOL-USD")
    with pytest.raises(est.EstimationError, match="'kendall'"):
        est.correlation_matrix(pd.DataFrame({"a": [0.1, 0.2, 0.3]}), method="kendall")  # type: ignore[arg-type]
    with pytest.raises(est.EstimationError, match="halflife.*-1"):
        est.ewma_correlation(Y5, X5, -1)
    with pytest.raises(est.EstimationError, match="lags.*-1"):
        est.estimate_dimson_beta(Y5, X5, lags=-1)
    with pytest.raises(est.EstimationError, match="constant"):
        est.estimate_beta(Y5, X5 * 0.0)
    with pytest.raises(est.EstimationError, match="max_lag"):
        est.granger_tests(Y5, X5, max_lag=0)
    assert issubclass(est.EstimationError, ValueError)


def test_rolling_shorter_than_window_is_all_nan() -> None:
    r = est.rolling_beta(Y5, X5, 30)
    assert len(r) == 5 and r["beta"].isna().all()
