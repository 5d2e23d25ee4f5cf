"""core.estimation on the real daily prices in ../shared/data/market.

The CSVs are read and aligned here with plain pandas (crypto's last close on or
before each IWM session), independently of core.data and core.returns, and the
module's estimates are compared with numpy/pandas computations on that data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import estimation as est

START, END = "2018-01-01", "2025-12-31"


def _closes(market_dir: Path, name: str) -> pd.Series:
    frame = pd.read_csv(market_dir / f"{name}.csv", parse_dates=["date"])
    return frame.set_index("date")["close"].astype(float).rename(name)


@pytest.fixture(scope="module")
def real_returns(market_dir: Path) -> pd.DataFrame:
    """Daily log returns of IWM, SPY, BTC-USD, ETH-USD and SOL-USDT on IWM's sessions."""
    iwm = _closes(market_dir, "IWM")
    sessions = pd.DataFrame({"date": iwm.loc[START:END].index})
    for name in ("IWM", "SPY", "BTC-USD", "ETH-USD", "SOL-USDT"):
        s = _closes(market_dir, name).reset_index()
        sessions = pd.merge_asof(sessions, s, on="date", direction="backward")
    closes = sessions.set_index("date")
    return np.log(closes).diff().iloc[1:]


def test_beta_and_correlation_match_numpy(real_returns: pd.DataFrame) -> None:
    r = real_returns
    b = est.estimate_beta(r["BTC-USD"], r["IWM"])
    c = est.estimate_correlation(r["BTC-USD"], r["IWM"])
    ok = r[["BTC-USD", "IWM"]].dropna()
    cov = np.cov(ok["IWM"], ok["BTC-USD"])
    assert b.n == len(ok) == c.n
    assert b.beta == pytest.approx(cov[0, 1] / cov[0, 0], rel=1e-10)
    assert b.alpha == pytest.approx(ok["BTC-USD"].mean() - b.beta * ok["IWM"].mean(), abs=1e-12)
    assert c.pearson == pytest.approx(np.corrcoef(ok["IWM"], ok["BTC-USD"])[0, 1], abs=1e-12)
    # The real relation: clearly positive, beta well inside (0.3, 1.5), HAC band brackets it.
    assert 0.15 < c.pearson < 0.5 and c.pearson_p < 1e-10
    assert 0.3 < b.beta_ci[0] < b.beta < b.beta_ci[1] < 1.5


def test_rolling_and_ewma_match_pandas_on_real_data(real_returns: pd.DataFrame) -> None:
    a, m = real_returns["ETH-USD"], real_returns["IWM"]
    for window in est.ROLLING_WINDOWS:
        rc = est.rolling_correlation(a, m, window)
        np.testing.assert_allclose(rc, a.rolling(window).corr(m), atol=1e-10)
    e = est.ewma_correlation(a, m, 30, min_periods=30)
    np.testing.assert_allclose(e, a.ewm(halflife=30, min_periods=30).corr(m), atol=1e-10)


def test_market_on_itself_and_matrix(real_returns: pd.DataFrame) -> None:
    assert est.estimate_beta(real_returns["IWM"], real_returns["IWM"]).beta == pytest.approx(1.0)
    cm = est.correlation_matrix(real_returns)
    c = cm.corr.to_numpy()
    np.testing.assert_allclose(np.diag(c), 1.0)
    np.testing.assert_allclose(c, c.T, atol=1e-15)
    assert cm.corr.loc["IWM", "SPY"] > 0.8  # small and large caps move together
    assert cm.corr.loc["BTC-USD", "ETH-USD"] > 0.6
    sp = est.correlation_matrix(real_returns, method="spearman").corr
    assert sp.loc["IWM", "SPY"] > 0.7


def test_by_year_matches_slices_on_real_data(real_returns: pd.DataFrame) -> None:
    a, m = real_returns["BTC-USD"], real_returns["IWM"]
    table = est.estimate_by_year(a, m)
    assert list(table.index) == list(range(2018, 2026))
    for year in table.index:
        sl = a.index.year == year
        assert table.loc[year, "n"] == int(sl.sum())
        assert table.loc[year, "corr"] == pytest.approx(np.corrcoef(a[sl], m[sl])[0, 1], abs=1e-12)
        assert table.loc[year, "beta"] == pytest.approx(np.polyfit(m[sl], a[sl], 1)[0], rel=1e-9)
    # The relation strengthened after 2020 on this data.
    assert table.loc[2022, "corr"] > table.loc[2019, "corr"] + 0.2


def test_lead_lag_and_granger_on_real_data(real_returns: pd.DataFrame) -> None:
    a, m = real_returns["BTC-USD"], real_returns["IWM"]
    cc = est.cross_correlation(a, m, max_lag=10)
    assert cc["corr"].abs().idxmax() == 0  # same-session co-movement dominates
    assert cc.loc[3, "corr"] == pytest.approx(np.corrcoef(m.iloc[:-3], a.iloc[3:])[0, 1], abs=1e-12)
    g = est.granger_tests(a, m, max_lag=5).table
    assert g[["market_to_asset_p", "asset_to_market_p"]].stack().between(0, 1).all()


def test_factor_loadings_on_real_altcoin(real_returns: pd.DataFrame) -> None:
    r = real_returns
    f = est.build_factors(r["SPY"], r["IWM"], r["BTC-USD"])
    np.testing.assert_allclose(f[est.FACTOR_SPREAD], r["IWM"] - r["SPY"])
    res = est.estimate_factor_loadings(r["SOL-USDT"], f)
    # SOL follows BTC's own moves strongly beyond what equities explain.
    assert res.params[est.FACTOR_BTC] > 0.8 and res.tvalues[est.FACTOR_BTC] > 10
    assert res.n == int(r[["SOL-USDT", "SPY", "IWM", "BTC-USD"]].notna().all(axis=1).sum())


def test_pipeline_returns_give_same_beta(market_dir: Path, real_returns: pd.DataFrame) -> None:
    """load_prices(csv) + compute_returns (what the CLI and app use) agree with the hand alignment."""
    from core.data import load_prices
    from core.returns import compute_returns

    prices = load_prices(["IWM", "BTC-USD"], START, END, source="csv", data_dir=market_dir)
    r = compute_returns(prices.closes, calendar=["IWM"])
    mine = est.estimate_beta(r["BTC-USD"], r["IWM"])
    ref = est.estimate_beta(real_returns["BTC-USD"], real_returns["IWM"])
    assert mine.n == ref.n
    assert mine.beta == pytest.approx(ref.beta, rel=1e-10)
