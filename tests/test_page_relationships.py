"""AppTest of the Relationships page and tests of its chart builders."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import estimation as est
from core.data import load_prices
from tests.conftest import REPO
from ui.charts import relationships as charts

APP = str(REPO / "streamlit_app.py")
PAGE = "ui/pages/relationships.py"


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _demo_beta(at: AppTest, asset: str, market: str) -> tuple[float, int]:
    """Beta on demo prices over the sidebar's dates, aligned by hand (not via core.returns)."""
    start, end = at.date_input(key="date_range").value
    closes = load_prices([market, asset], start, end, source="demo").closes
    eq = closes[market].dropna()
    crypto = closes[asset].dropna().reindex(closes.index.union(eq.index)).ffill().reindex(eq.index)
    r = np.log(pd.DataFrame({"m": eq, "a": crypto})).diff().dropna()
    return float(np.polyfit(r["m"], r["a"], 1)[0]), len(r)


def test_page_renders_with_explanations() -> None:
    at = _page()
    assert at.title[0].value == "Relationships"
    assert any("Synthetic demo data" in w.value for w in at.warning)
    assert any("not causation" in md.value for md in at.markdown)
    assert any("00:00 UTC" in c.value for c in at.caption)
    labels = set(_metrics(at))
    assert {"Beta", "Correlation", "R-squared", "Observations", "Dimson beta (lags 0-1)",
            "Weekly beta", "Latest 90-session beta", "Up capture", "Down capture"} <= labels
    assert not at.error
    assert len(at.dataframe) == 4  # Granger, per year, volatility terciles, factor loadings


def test_shown_beta_matches_independent_computation_and_follows_asset() -> None:
    at = _page()
    market = at.selectbox(key="rel_market").value
    ticker = market.split("(")[1].rstrip(")")
    shown = _metrics(at)
    asset = at.selectbox(key="rel_asset").value
    beta, n = _demo_beta(at, asset, ticker)
    assert shown["Beta"] == f"{beta:.2f}"
    assert shown["Observations"] == f"{n:,}"
    other = next(o for o in at.selectbox(key="rel_asset").options if o != asset)
    at.selectbox(key="rel_asset").select(other).run()
    assert not at.exception
    beta2, _ = _demo_beta(at, other, ticker)
    assert _metrics(at)["Beta"] == f"{beta2:.2f}"
    assert _metrics(at)["Beta"] != shown["Beta"]


def test_window_and_market_and_frequency_change_numbers() -> None:
    at = _page()
    before = _metrics(at)["Latest 90-session beta"]
    at.radio(key="rel_window").set_value("30").run()
    assert not at.exception
    after = _metrics(at)
    assert "Latest 90-session beta" not in after
    assert after["Latest 30-session beta"] != before
    at.radio(key="rel_window").set_value("Custom").run()
    at.number_input(key="rel_custom_window").set_value(150).run()
    assert "Latest 150-session beta" in _metrics(at)
    beta_iwm = _metrics(at)["Beta"]
    sp_label = at.selectbox(key="rel_market").options[1]
    at.selectbox(key="rel_market").select(sp_label).run()
    assert not at.exception and _metrics(at)["Beta"] != beta_iwm
    n_daily = int(_metrics(at)["Observations"].replace(",", ""))
    at.radio(key="rel_freq").set_value("Weekly").run()
    assert not at.exception
    m = _metrics(at)
    assert int(m["Observations"].replace(",", "")) < n_daily / 4
    assert "Daily beta" in m and "Latest 150-week beta" in m


def test_page_on_real_csv_folder(monkeypatch: pytest.MonkeyPatch, market_dir) -> None:
    monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
    monkeypatch.setenv("SCX_DATA_DIR", str(market_dir))
    at = _page()
    assert not any("Synthetic demo" in w.value for w in at.warning)
    assert not at.error
    assets = at.selectbox(key="rel_asset").options
    alt_coin = next(t for t in assets if not t.startswith("BTC"))
    at.selectbox(key="rel_asset").select(alt_coin).run()
    assert not at.exception
    factor_table = at.dataframe[-1].value
    assert any("beyond equities" in str(i) for i in factor_table.index)


def test_real_csv_page_uses_adjusted_closes_and_robust_inference(
    monkeypatch: pytest.MonkeyPatch, market_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from core.__main__ import main

    monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
    monkeypatch.setenv("SCX_DATA_DIR", str(market_dir))
    at = _page()
    at.selectbox(key="rel_asset").select("BTC-USD").run()
    assert not at.exception and not at.error
    captions = "\n".join(c.value for c in at.caption)
    # which closes: IWM.csv has price closes only, the alt/ file supplies dividend-adjusted ones
    assert "IWM: dividend-adjusted (total return) from alt/IWM\\_adjusted\\_yahoo.csv" in captions \
        or "IWM: dividend-adjusted (total return) from alt/IWM_adjusted_yahoo.csv" in captions
    assert "HAC(Newey-West, maxlags=" in captions and "block bootstrap" in captions
    m = _metrics(at)
    # the page's numbers are the CLI's on the same dates (both on adjusted closes)
    start, end = at.date_input(key="date_range").value
    assert main(["estimate", "--source", "csv", "--data-dir", str(market_dir), "--asset", "BTC-USD",
                 "--market", "IWM", "--start", str(start), "--end", str(end), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert m["Beta"] == f"{d['beta']:.2f}"
    assert m["Lead-lag beta (previous, same, next)"] == f"{d['lead_lag_beta']:.2f}"
    assert f"{d['corr_ci'][0]:.2f} to {d['corr_ci'][1]:.2f}" in captions
    granger = next(df.value for df in at.dataframe if any("i.i.d. p" in str(c) for c in df.value.columns))
    assert len(granger) == 5


# --------------------------------------------------------------------------- chart builders


def _sample() -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2020-01-01", periods=300)
    m = pd.Series(rng.normal(0, 0.01, 300), idx)
    return pd.Series(1.2 * m + rng.normal(0, 0.02, 300), idx), m


def _tooltip_fields(spec: dict) -> set[str]:
    fields: set[str] = set()
    for layer in spec.get("layer", [spec]):
        tips = layer.get("encoding", {}).get("tooltip", [])
        fields |= {t["field"] for t in tips}
    return fields


def test_rolling_charts_build_with_tooltips() -> None:
    a, m = _sample()
    rolling = est.rolling_beta(a, m, 60)
    chart = charts.make_rolling_beta_chart(rolling, 60)
    spec = chart.to_dict()
    assert {"beta", "beta_lower", "beta_upper", "n"} <= _tooltip_fields(spec)
    lines = pd.DataFrame({"rolling": rolling["corr"], "ewma": est.ewma_correlation(a, m, 20)})
    spec2 = charts.make_rolling_correlation_chart(lines).to_dict()
    assert {"corr", "measure"} <= _tooltip_fields(spec2)
    data = next(iter(spec2["datasets"].values()))
    assert len(data) == int(lines.notna().sum().sum())


def test_heatmap_updown_leadlag_subsample_charts() -> None:
    a, m = _sample()
    cm = est.correlation_matrix(pd.DataFrame({"IWM": m, "BTC-USD": a}))
    heat = charts.make_correlation_heatmap(cm.corr, cm.n)
    assert isinstance(heat, alt.LayerChart)
    cells = next(iter(heat.to_dict()["datasets"].values()))
    assert len(cells) == 4 and {"n", "corr"} <= set(cells[0])
    ud = est.estimate_up_down_beta(a, m)
    table = pd.DataFrame({"beta": [ud.beta_up, ud.beta_down], "lower": [0.5, 0.6],
                          "upper": [1.5, 1.6], "capture": [1.0, 1.1], "n": [150, 150]},
                         index=["up", "down"])
    assert "capture" in _tooltip_fields(charts.make_up_down_chart(table).to_dict())
    cc = est.cross_correlation(a, m, max_lag=5)
    spec = charts.make_lead_lag_chart(cc).to_dict()
    rows = next(iter(spec["datasets"].values()))
    who = {r["lag"]: r["who"] for r in rows if "lag" in r}
    assert who[-3] == "asset leads" and who[0] == "same period" and who[2] == "market leads"
    year = est.estimate_by_year(a, m)
    assert "beta" in _tooltip_fields(charts.make_subsample_chart(year, "Year").to_dict())
