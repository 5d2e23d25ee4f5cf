"""relationship_report: one call behind the Relationships page and ``python -m core estimate``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from streamlit.testing.v1 import AppTest

from core import estimation as est
from core.__main__ import main
from core.adjusted import with_adjusted_closes
from core.data import load_prices
from core.returns import compute_returns
from tests.conftest import REPO


@pytest.fixture(scope="module")
def real_returns(market_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily and weekly log returns of IWM, SPY, BTC-USD, SOL-USDT (real CSVs), 2019-2024,
    on the dividend-adjusted equity closes the CLI and the page use."""
    prices = load_prices(["IWM", "SPY", "BTC-USD", "SOL-USDT"], "2019-01-01", "2024-12-31",
                         source="csv", data_dir=str(market_dir))
    prices = with_adjusted_closes(prices, market_dir).prices
    calendar = ["IWM", "SPY"]
    return (compute_returns(prices.closes, calendar=calendar, freq="D"),
            compute_returns(prices.closes, calendar=calendar, freq="W"))


def _report(daily: pd.DataFrame, weekly: pd.DataFrame, **kw: object) -> est.RelationshipReport:
    return est.relationship_report(daily, "BTC-USD", "IWM", freq="D", comparison_returns=weekly,
                                   comparison_freq="W", **kw)


def test_cli_json_is_the_report(market_dir: Path, capsys: pytest.CaptureFixture[str],
                                real_returns: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """The CLI prints the report's numbers: same beta, interval, rolling range, per-year table."""
    assert main(["estimate", "--source", "csv", "--data-dir", str(market_dir), "--asset", "BTC-USD",
                 "--market", "IWM", "--start", "2019-01-01", "--end", "2024-12-31", "--factors",
                 "--window", "60"]) == 0
    d = json.loads(capsys.readouterr().out)
    daily, weekly = real_returns
    # the CLI's calendar is every equity ticker it loaded (IWM, SPY): the same as the fixture's
    r = _report(daily, weekly, window=60, factor_sp="SPY", factor_russell="IWM", factor_btc="BTC-USD")
    assert d["n"] == r.beta.n and d["hac_lags"] == r.beta.hac_lags
    assert d["beta"] == r.beta.beta and d["beta_ci"] == list(r.beta.beta_ci)
    assert d["alpha"] == r.beta.alpha and d["beta_p"] == r.beta.beta_p
    assert d["corr"] == r.corr.pearson and d["spearman"] == r.corr.spearman
    assert d["beta_up"] == r.updown.beta_up and d["down_capture"] == r.updown.down_capture
    assert d["dimson_beta"] == r.dimson.beta and d["dimson_ci"] == list(r.dimson.beta_ci)
    assert d["weekly_beta"] == r.comparison.beta and d["weekly_n"] == r.comparison.n
    assert d["rolling_window"] == 60 == r.window
    assert (d["rolling_beta_last"], d["rolling_beta_min"], d["rolling_beta_max"]) == (
        r.rolling_beta_last, r.rolling_beta_min, r.rolling_beta_max)
    assert d["lead_lag"] == {str(k): v for k, v in r.cross["corr"].items()}
    assert list(d["granger_market_to_asset_p"].values()) == list(r.granger.table["market_to_asset_p"])
    assert d["granger_cov"] == r.granger.cov_label
    assert d["lead_lag_beta"] == r.lead_lag.beta and d["lead_lag_beta_ci"] == list(r.lead_lag.beta_ci)
    assert d["corr_ci"] == list(r.corr.pearson_ci) and d["corr_ci_fisher_iid"] == list(r.corr.pearson_ci_fisher)
    assert {y: row["beta"] for y, row in d["by_year"].items()} == {
        str(y): b for y, b in r.by_year["beta"].items()}
    assert d["by_volatility"]["high"]["beta"] == r.by_volatility.loc["high", "beta"]
    assert d["factor_loadings"]["terms"]["small_cap_spread"]["loading"] == r.factors.params["small_cap_spread"]
    assert r.factor_btc is None and "btc_specific" not in r.factors.params  # BTC is the asset
    assert d["factor_loadings"]["btc"] is None


def test_beta_and_hac_interval_match_statsmodels(real_returns: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    daily, weekly = real_returns
    r = _report(daily, weekly)
    pair = daily[["BTC-USD", "IWM"]].dropna()
    x = sm.add_constant(pair["IWM"].to_numpy())
    lags = est.newey_west_lags(len(pair))
    ols = sm.OLS(pair["BTC-USD"].to_numpy(), x).fit()
    hac = sm.OLS(pair["BTC-USD"].to_numpy(), x).fit(cov_type="HAC", cov_kwds={"maxlags": lags},
                                                     use_t=True)
    n = len(pair)
    assert r.beta.beta == pytest.approx(ols.params[1], rel=1e-12)
    assert r.beta.alpha == pytest.approx(ols.params[0], rel=1e-9)
    assert r.beta.r2 == pytest.approx(ols.rsquared, rel=1e-12)
    # statsmodels' HAC default has no small-sample factor; ours multiplies the covariance by
    # n / (n - k) (k = 2 parameters), as the module docstring says
    se = hac.bse[1] * np.sqrt(n / (n - 2))
    assert r.beta.beta_se == pytest.approx(se, rel=1e-10)
    t = stats.t.ppf(0.975, n - 2)
    assert r.beta.beta_ci == pytest.approx((r.beta.beta - t * se, r.beta.beta + t * se), rel=1e-10)
    # HAC is wider than the i.i.d. interval here (volatility clustering in daily crypto returns)
    assert r.beta.beta_se != pytest.approx(ols.bse[1], rel=1e-3)
    wk = weekly[["BTC-USD", "IWM"]].dropna()
    assert r.comparison.beta == pytest.approx(np.polyfit(wk["IWM"], wk["BTC-USD"], 1)[0], rel=1e-9)


def test_report_parts_equal_the_single_estimators(real_returns: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    daily, weekly = real_returns
    r = est.relationship_report(daily, "SOL-USDT", "SPY", freq="D", window=30, halflife=10,
                                factor_sp="SPY", factor_russell="IWM", factor_btc="BTC-USD")
    a, m = daily["SOL-USDT"], daily["SPY"]
    assert r.notes == () and r.comparison is None and r.comparison_freq is None
    assert r.dimson.beta == est.estimate_dimson_beta(a, m, lags=1).beta
    pd.testing.assert_frame_equal(r.rolling, est.rolling_beta(a, m, 30))
    pd.testing.assert_series_equal(r.ewma, est.ewma_correlation(a, m, 10))
    pd.testing.assert_frame_equal(r.by_volatility, est.estimate_by_volatility(a, m, window=21))
    pd.testing.assert_frame_equal(r.by_year, est.estimate_by_year(a, m, min_obs=20))
    pd.testing.assert_frame_equal(r.matrices["spearman"].corr,
                                  est.correlation_matrix(daily, method="spearman").corr)
    assert r.factor_btc == "BTC-USD" and "btc_specific" in r.factors.params
    betas = r.rolling["beta"].dropna()
    assert r.n_rolling == len(betas) and r.rolling_beta_last == betas.iloc[-1]
    table = r.updown_table()
    assert list(table.index) == ["market up", "market down"]
    assert table.loc["market down", "beta"] == r.updown.beta_down
    assert table.loc["market up", "n"] + table.loc["market down", "n"] <= r.beta.n


def test_short_sample_records_why_parts_are_missing() -> None:
    idx = pd.bdate_range("2024-01-01", periods=12)
    rng = np.random.default_rng(5)
    m = rng.normal(0, 0.01, 12)
    returns = pd.DataFrame({"IWM": m, "BTC-USD": 2 * m + rng.normal(0, 0.01, 12)}, index=idx)
    r = est.relationship_report(returns, "BTC-USD", "IWM", window=30,
                                factor_sp="SPY", factor_russell="IWM")
    notes = dict(r.notes)
    assert est.PART_GRANGER in notes and "too few" in notes[est.PART_GRANGER]
    assert notes[est.PART_FACTORS] == "no data for SPY"
    assert r.granger is None and r.factors is None
    assert r.n_rolling == 0 and np.isnan(r.rolling_beta_last)  # 12 rows < a 30-row window
    assert r.beta.n == 12


def test_report_validates_and_is_frozen_by_identity(real_returns: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    daily, weekly = real_returns
    with pytest.raises(est.EstimationError, match="NOPE"):
        est.relationship_report(daily, "NOPE", "IWM")
    with pytest.raises(est.EstimationError, match="both 'IWM'"):
        est.relationship_report(daily, "IWM", "IWM")
    with pytest.raises(est.EstimationError, match="window"):
        est.relationship_report(daily, "BTC-USD", "IWM", window=2)
    with pytest.raises(est.EstimationError, match="freq"):
        est.relationship_report(daily, "BTC-USD", "IWM", freq="Q")
    r = _report(daily, weekly)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.window = 5  # type: ignore[misc]
    assert r == r and r != _report(daily, weekly)  # eq=False: identity, frames are not compared


def test_page_shows_the_report() -> None:
    """The Relationships page renders relationship_report's numbers (demo data, defaults)."""
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("ui/pages/relationships.py").run()
    assert not at.exception, at.exception
    asset = at.selectbox(key="rel_asset").value
    market = at.selectbox(key="rel_market").value.split("(")[1].rstrip(")")
    other = next(o for o in at.selectbox(key="rel_market").options if market not in o)
    other = other.split("(")[1].rstrip(")")
    start, end = at.date_input(key="date_range").value
    closes = load_prices([market, other, asset], start, end, source="demo").closes
    daily = compute_returns(closes, calendar=[market, other], freq="D")
    weekly = compute_returns(closes, calendar=[market, other], freq="W")
    r = est.relationship_report(daily, asset, market, comparison_returns=weekly, comparison_freq="W")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Beta"] == f"{r.beta.beta:.2f}"
    assert shown["Dimson beta (lags 0-1)"] == f"{r.dimson.beta:.2f}"
    assert shown["Weekly beta"] == f"{r.comparison.beta:.2f}"
    assert shown["Latest 90-session beta"] == f"{r.rolling_beta_last:.2f}"
    assert shown["Down capture"] == f"{r.updown.down_capture:.2f}"
