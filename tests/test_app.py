"""AppTest: the app starts offline on demo data and the Market page renders."""

from __future__ import annotations

from datetime import date

import pandas as pd
from streamlit.testing.v1 import AppTest

from core.data import load_prices
from core.performance import realized_volatility, trailing_returns
from core.tickers import DEFAULT_TICKERS
from tests.conftest import REPO
from ui.common import header_label

APP = str(REPO / "streamlit_app.py")


def _app() -> AppTest:
    """The app opened on the Market page (the landing page is "The question", tested elsewhere)."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("ui/pages/market.py").run()
    assert not at.exception, at.exception
    return at


def test_market_page_with_demo_banner():
    at = _app()
    assert at.title[0].value == "Market"
    assert any("Synthetic demo data" in w.value for w in at.warning)
    # The page only renders: its tables are core's numbers on the selected window.
    start, end = at.date_input(key="date_range").value
    closes = load_prices(DEFAULT_TICKERS, source="demo").closes.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    closes = closes.dropna(how="all")
    # (headers as ui.common.display_frame shows them)
    pd.testing.assert_frame_equal(at.dataframe[0].value, trailing_returns(closes).rename(columns=header_label))
    pd.testing.assert_frame_equal(at.dataframe[1].value,
                                  realized_volatility(closes, calendar=["IWM", "SPY"]).rename(columns=header_label))


def test_market_tables_follow_the_date_range():
    at = _app()
    first = at.dataframe[0].value.copy()
    start, end = at.date_input(key="date_range").value
    at.date_input(key="date_range").set_value((start, end.replace(year=end.year - 2))).run()
    assert not at.exception
    assert not at.dataframe[0].value.equals(first)


def test_removing_a_crypto_ticker_updates_the_tables():
    at = _app()
    ms = at.multiselect(key="crypto_demo")
    assert "SOL-USD" in at.dataframe[0].value.index
    ms.unselect("SOL-USD").run()
    assert not at.exception
    assert "SOL-USD" not in at.dataframe[0].value.index


def test_csv_folder_from_environment(monkeypatch, market_dir):
    monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
    monkeypatch.setenv("SCX_DATA_DIR", str(market_dir))
    at = _app()
    assert not any("Synthetic demo" in w.value for w in at.warning)
    assert any("CSV folder" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert "IWM" in table.index and "SOL-USDT" in table.index


def test_bad_csv_folder_shows_error_and_keeps_running(tmp_path):
    at = _app()
    at.selectbox(key="data_source").set_value("csv").run()
    at.text_input(key="csv_dir").input(str(tmp_path / "missing")).run()
    assert not at.exception
    assert any("CSV folder not found" in e.value for e in at.error)
    assert at.title[0].value == "Market"  # the previous data is still shown


def _params(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_url_parameters_round_trip():
    at = _app()
    at.selectbox(key="russell_demo").set_value("^RUT").run()
    at.multiselect(key="crypto_demo").unselect("DOGE-USD").run()
    params = _params(at)
    assert params["russell"] == "^RUT" and "DOGE-USD" not in params["crypto"]
    table = at.dataframe[0].value

    fresh = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        fresh.query_params[k] = v
    fresh.run()
    fresh.switch_page("ui/pages/market.py").run()  # a link carries the page in its path
    assert not fresh.exception
    assert fresh.metric[0].label == "^RUT · 1y"
    assert fresh.dataframe[0].value.equals(table)


def test_url_dates_and_bad_parameters():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"src": "bogus", "start": "2020-01-01", "end": "2021-06-30", "russell": "NOPE"})
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "src='bogus' ignored" in warnings and "'NOPE' is not available" in warnings
    assert at.date_input(key="date_range").value == (date(2020, 1, 1), date(2021, 6, 30))
    at.switch_page("ui/pages/market.py").run()
    assert at.metric[0].label == "IWM · 1y"


def test_uploaded_csv_becomes_the_data(market_dir):
    iwm = pd.read_csv(market_dir / "IWM.csv")[["date", "close"]].rename(columns={"close": "IWM"})
    btc = pd.read_csv(market_dir / "BTC-USD.csv")[["date", "close"]].rename(columns={"close": "BTC-USD"})
    wide = iwm.merge(btc, on="date", how="outer").sort_values("date")
    at = _app()
    at.selectbox(key="data_source").set_value("upload").run()
    assert any("upload a CSV" in e.value for e in at.error)  # asked for a file, app still running
    at.file_uploader(key="upload_file").set_value(("mine.csv", wide.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    assert any("uploaded CSV" in i.value for i in at.info)
    assert list(at.dataframe[0].value.index) == ["IWM", "BTC-USD"]


def test_malformed_upload_shows_error_and_keeps_previous_data():
    at = _app()
    before = at.dataframe[0].value.copy()
    at.selectbox(key="data_source").set_value("upload").run()
    at.file_uploader(key="upload_file").set_value(("bad.csv", b"x,y\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert any("bad.csv: no 'date' column" in e.value for e in at.error)
    assert at.title[0].value == "Market"
    pd.testing.assert_frame_equal(at.dataframe[0].value, before)  # the demo data is still shown
