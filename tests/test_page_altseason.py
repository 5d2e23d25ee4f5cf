"""AppTest of the Altcoin season index page: it renders core's numbers on demo and real data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.altseason import altseason_index
from core.altseason_study import altseason_event_study, altseason_events
from core.data import load_prices
from tests.conftest import REPO

PAGE = "ui/pages/altseason.py"


def _open() -> AppTest:
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _selection_closes(at: AppTest, data_dir=None):
    """Closes of the page's selection, rebuilt from core (tickers and dates from the widgets)."""
    start, end = at.date_input(key="date_range").value
    source = at.selectbox(key="data_source").value
    russell = at.selectbox(key=f"russell_{source}").value
    sp = at.selectbox(key=f"sp_{source}").value
    crypto = list(at.multiselect(key=f"crypto_{source}").value)
    closes = load_prices([russell, sp, *crypto], source=source, data_dir=data_dir).closes
    closes = closes.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna(how="all")
    return closes, russell, sp, [c for c in crypto if c in closes.columns]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppTest]:
    # module scope runs before the function-scoped offline fixture: set the demo source here
    mp = pytest.MonkeyPatch()
    mp.setenv("SCX_DATA_SOURCE", "demo")
    mp.setenv("SCX_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        yield _open()
    finally:
        mp.undo()


def test_page_shows_core_reading_on_demo(demo: AppTest) -> None:
    assert demo.title[0].value == "Altcoin season index"
    assert not demo.error
    closes, russell, sp, crypto = _selection_closes(demo)
    ref = altseason_index(closes, crypto)
    cur = ref.current
    metric = demo.metric[0]
    assert metric.label == f"Index on {cur.date:%Y-%m-%d}" and metric.value == f"{cur.index:.0f}"
    assert demo.metric[1].value in {"Altcoin season", "Bitcoin season", "Neither season"}
    assert any(ref.label in c.value for c in demo.caption)
    # drivers table: one row per altcoin, readable headers, core's numbers
    drivers = demo.dataframe[0].value
    assert list(drivers.index) == list(cur.coins.index)
    assert "vs BTC" in drivers.columns and "vs_btc" not in drivers.columns
    # event study table equals core's
    study = altseason_event_study(ref, altseason_events(closes, russell, sp))
    shown = demo.dataframe[1].value
    assert len(shown) == len(study.table)
    assert list(shown["Hits"]) == list(study.table["hits"])
    assert all(df.proto.placeholder == "–" for df in demo.dataframe)


def test_window_slider_changes_the_reading(demo: AppTest) -> None:
    before = demo.metric[0].value, demo.metric[2].value
    demo.slider(key="alt_window").set_value(30).run()
    assert not demo.exception
    assert demo.metric[2].label == "BTC over 30 days"
    assert (demo.metric[0].value, demo.metric[2].value) != before


def test_real_folder_says_the_reading_is_old(monkeypatch: pytest.MonkeyPatch, market_dir) -> None:
    monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
    monkeypatch.setenv("SCX_DATA_DIR", str(market_dir))
    at = _open()
    assert not at.error
    warnings = " ".join(w.value for w in at.warning)
    # the USDT altcoin files stop in March 2026 while BTC-USD runs to August
    assert re.search(r"This reading is from 2026-03-\d\d, \d+ days before the last close", warnings)
    assert "Fewer than 5 events" in warnings  # breakouts: a handful
