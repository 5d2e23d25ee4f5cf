"""AppTest of the Breakouts & streaks page on the offline demo."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.events import (
    compute_forward_returns,
    event_study_distribution,
    find_breakouts,
    find_streaks,
    run_event_study,
)
from tests.conftest import REPO
from ui.charts.events import (
    MAX_LINE_ROWS,
    build_event_study_frame,
    make_breakout_chart,
    make_event_study_chart,
    make_streak_timeline_chart,
)

PAGE = "ui/pages/breakouts.py"


def _open() -> AppTest:
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _n_breakouts(at: AppTest) -> int:
    match = re.search(r"\*\*n = (\d+) breakouts\*\*", _text(at))
    assert match, _text(at)
    return int(match.group(1))


@pytest.fixture(scope="module")
def app() -> AppTest:
    return _open()


def test_page_renders_claims_streak_and_event_counts(app: AppTest) -> None:
    text = _text(app)
    assert not app.error
    assert "in a row" in text or "no current streak" in text
    assert "Claim 1." in text and "Claim 4." in text
    assert re.search(r"Spread events .*: \*\*n = \d+\*\*", text)
    assert re.search(r"n = \d+ spread events", text)
    assert "Breakouts of IWM" in text
    # the event study reports n per asset beside the figures
    assert re.search(r"BTC-USD n = \d+", text)
    assert any("synthetic" in w.value.lower() for w in app.warning)  # source banner on the demo
    assert len(app.dataframe) == 3  # streaks, breakouts, event-study table


def test_base_slider_changes_breakout_count() -> None:
    at = _open()
    wide = _n_breakouts(at)
    at.slider(key="bo_base").set_value(20).run()
    assert not at.exception
    narrow = _n_breakouts(at)
    assert narrow > wide


def test_event_study_controls_rerun() -> None:
    at = _open()
    at.radio(key="bo_events").set_value("spread events").run()
    at.select_slider(key="bo_horizon").set_value(252).run()
    at.slider(key="bo_threshold_pts").set_value(2.0).run()
    assert not at.exception
    assert re.search(r"\d+ spread events\*\* in the range", _text(at))
    assert "above 2.0%" in _text(at)  # the slider's points reach core as a decimal


def test_page_without_btc_explains_instead_of_failing() -> None:
    at = _open()
    at.multiselect(key="crypto_demo").set_value([]).run()
    assert not at.exception
    assert any("needs BTC" in i.value for i in at.info)
    assert "Claim 1." in _text(at)


def test_two_row_upload_shows_a_clear_message() -> None:
    at = _open()
    at.selectbox(key="data_source").set_value("upload").run()
    days = pd.bdate_range("2024-01-01", periods=2)
    wide = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "IWM": [200.0, 201.0], "SPY": [500.0, 499.0],
                         "BTC-USD": [40e3, 41e3]})
    at.file_uploader(key="upload_file").set_value(("two.csv", wide.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    assert any("Too little data for the history check" in e.value and "2 date(s)" in e.value for e in at.error)


def test_real_data_few_events_listed_without_interval(monkeypatch: pytest.MonkeyPatch, market_dir) -> None:
    monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
    monkeypatch.setenv("SCX_DATA_DIR", str(market_dir))
    at = _open()
    lo, hi = at.date_input(key="date_range").min, at.date_input(key="date_range").max
    at.date_input(key="date_range").set_value((lo, hi)).run()
    assert not at.exception and not at.error
    captions = "\n".join(c.value for c in at.caption)
    assert "IWM: price only" in captions  # the default: breakouts of the price level
    text = _text(at)
    # claim 4 on all breakouts: n = 2 at 12 months, listed one by one, no interval
    line = next(x for x in text.splitlines() if x.startswith("- All breakouts"))
    assert "**too few events** for an interval" in line and "bootstrap interval" not in line
    assert re.search(r"2016-11-14: \+\d", line) and re.search(r"2020-11-13: \+\d", line)
    assert "exact permutation p" in line
    table = next(df.value for df in at.dataframe if "Interval" in df.value.columns)
    few = table[table["Events used"] < 5]
    assert len(few) and (few["Interval"] == "too few events").all()
    assert set(table.loc[table["Events used"] <= 2, "P method"]) == {"exact"}
    assert "+289.5% to +289.5%" not in text
    events = next(df.value for df in at.dataframe if "event date" in df.value.columns)
    assert len(events) == int(table.loc[table["Horizon"].str.startswith("63"), "Events used"].sum())
    # total returns instead: the page says so and the breakouts move
    at.radio(key="bo_closes").set_value("adjusted").run()
    assert not at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert "IWM: dividend-adjusted (total return)" in captions
    assert "2020-11-09" in _text(at)


# --------------------------------------------------------------------------- chart builders


def _demo_frames():
    days = pd.bdate_range("2015-01-01", periods=6000)
    rng = np.random.default_rng(0)
    closes = pd.DataFrame(
        {
            c: 100 * np.exp(np.cumsum(rng.normal(0.0004, 0.02, len(days))))
            for c in ("IWM", "BTC", "ETH", "SOL")
        },
        index=days,
    )
    breakouts = find_breakouts(closes["IWM"], base=60)
    forward = compute_forward_returns(
        closes, btc="BTC", eth="ETH", alts=("SOL",), horizons=(21, 63)
    )
    study = run_event_study(forward, breakouts.events["date"], np.random.default_rng(1), n_boot=100)
    return closes, breakouts, study


def test_chart_builders_are_valid_and_small() -> None:
    closes, breakouts, study = _demo_frames()
    spec = make_breakout_chart(breakouts, ticker="IWM").to_dict()
    line_rows = max(len(v) for v in spec["datasets"].values())
    assert line_rows <= MAX_LINE_ROWS  # 6000 sessions thinned, markers kept exactly
    assert any(len(v) == len(breakouts.events) for v in spec["datasets"].values())
    line = max(spec["datasets"].values(), key=len)
    high = breakouts.running_high
    assert all(row["high"] == high.loc[pd.Timestamp(row["date"])] for row in line[:50])
    assert all(row["high"] >= row["close"] for row in line)
    frame = build_event_study_frame(event_study_distribution(study, 63))
    bars = frame[frame["kind"] == "all sessions"]
    for _, g in bars.groupby("asset"):
        assert float(np.sum(g["density"] * (g["hi"] - g["lo"]))) == pytest.approx(1.0)
    used = study.table.set_index(["asset", "horizon"])["n_events"]
    for asset, title in frame.groupby("asset")["title"].first().items():
        assert title == f"{asset} (n events = {used[(asset, 63)]})"
    make_event_study_chart(frame, horizon=63).to_dict()
    r = closes.pct_change().iloc[1:]
    table = find_streaks(r["IWM"], r["BTC"])
    spec = make_streak_timeline_chart(table.streaks, highlight=5, min_length=2).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sum(row["rank"] == "top 5" for row in rows) == 5
    assert all(row["length"] >= 2 for row in rows)
