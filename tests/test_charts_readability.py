"""What a reader trips on, checked in the chart specs: years on time axes, histogram bars that
stand on zero, and a heatmap that says when a pair has no correlation."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from core.events import find_breakouts, find_spread_events, find_streaks
from ui.charts.axes import DATE_LABEL_EXPR
from ui.charts.events import (
    make_breakout_chart,
    make_event_study_chart,
    make_spread_chart,
    make_streak_timeline_chart,
)
from ui.charts.market import make_performance_chart, make_volatility_chart
from ui.charts.relationships import (
    FEW_PERIODS,
    make_correlation_heatmap,
    make_rolling_beta_chart,
    make_rolling_correlation_chart,
)

DAYS = pd.bdate_range("2024-01-01", periods=300)


def _encodings(spec: object) -> Iterator[dict]:
    """Every ``encoding`` dict in a Vega-Lite spec (layers, facets, concatenations)."""
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            yield spec["encoding"]
        for v in spec.values():
            yield from _encodings(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _encodings(v)


def _time_axes(chart) -> list[dict]:
    out = []
    for enc in _encodings(chart.to_dict()):
        x = enc.get("x")
        if isinstance(x, dict) and x.get("type") == "temporal":
            out.append(x)
    return out


def _charts() -> dict[str, object]:
    rng = np.random.default_rng(0)
    px = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 2)), axis=0)), index=DAYS,
                      columns=["IWM", "SPY"])
    r = px.pct_change().dropna()
    streaks = find_streaks(r["IWM"], r["SPY"])
    spread = find_spread_events(r["IWM"], r["SPY"], window=10, threshold=0.01)
    rolling = pd.DataFrame({"beta": 1.0, "beta_lower": 0.5, "beta_upper": 1.5, "n": 90}, index=DAYS)
    return {
        "performance": make_performance_chart(px),
        "volatility": make_volatility_chart(px / 100, 21),
        "breakout": make_breakout_chart(find_breakouts(px["IWM"], base=20), ticker="IWM"),
        "streaks": make_streak_timeline_chart(streaks.streaks),
        "spread": make_spread_chart(spread.spread, spread.events, threshold=0.01, window=10),
        "rolling beta": make_rolling_beta_chart(rolling, 90),
        "rolling corr": make_rolling_correlation_chart(pd.DataFrame({"90-period": 0.3}, index=DAYS)),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_every_time_axis_shows_the_year(name: str) -> None:
    axes = _time_axes(_charts()[name])
    assert axes, f"{name}: no temporal x axis found"
    for x in axes:
        assert x.get("axis", {}).get("labelExpr") == DATE_LABEL_EXPR, (name, x)
    assert "%Y" in DATE_LABEL_EXPR.split("?")[1] and "%Y" in DATE_LABEL_EXPR.split(":")[-1]


def test_event_study_histogram_bars_stand_on_zero() -> None:
    frame = pd.DataFrame({"asset": "BTC", "kind": "all sessions", "lo": [0.0, 0.1], "hi": [0.1, 0.2],
                          "density": [1.0, 2.0], "n": 2, "n_events": 0, "title": "BTC (n events = 0)"})
    spec = make_event_study_chart(frame, horizon=21).to_dict()
    bars = [layer for layer in spec["spec"]["layer"] if layer["mark"]["type"] == "bar"]
    assert len(bars) == 1
    enc = bars[0]["encoding"]
    # x and y both ranged: a rectangle from 0 to the density, not a dash at the density
    assert enc["x2"] == {"field": "hi"} and enc["y"]["field"] == "density" and enc["y2"] == {"datum": 0.0}


def test_heatmap_marks_missing_and_thin_pairs() -> None:
    cols = ["IWM", "BTC-USD", "SOL-USDT"]
    corr = pd.DataFrame([[1.0, 0.3, np.nan], [0.3, 1.0, np.nan], [np.nan, np.nan, 1.0]], index=cols, columns=cols)
    counts = pd.DataFrame([[60, 60, 0], [60, 60, 0], [0, 0, 5]], index=cols, columns=cols)
    chart = make_correlation_heatmap(corr, counts)
    data = pd.DataFrame(chart.to_dict()["datasets"].popitem()[1])
    pair = data[(data["row"] == "IWM") & (data["col"] == "SOL-USDT")].iloc[0]
    assert pair["label"] == "–" and "NaN" not in set(data["label"]) and "nan" not in set(data["label"])
    assert data.loc[(data["row"] == "IWM") & (data["col"] == "BTC-USD"), "label"].item() == "0.30"
    few = data.loc[(data["row"] == "SOL-USDT") & (data["col"] == "SOL-USDT"), "few"].item()
    assert few and FEW_PERIODS > 5


def test_tooltips_never_show_negative_zero() -> None:
    from ui.charts.altseason import make_drivers_chart
    from ui.charts.labels import text

    assert text([-0.0001, 0.0001, -0.05, np.nan], "{:+.1%}") == ["+0.0%", "+0.0%", "-5.0%", "–"]
    assert text([-0.001, 0.25], "{:.2f}") == ["0.00", "0.25"]
    corr = pd.DataFrame([[1.0, -0.001], [-0.001, 1.0]], index=["A", "B"], columns=["A", "B"])
    rows = next(iter(make_correlation_heatmap(corr).to_dict()["datasets"].values()))
    assert {r["label"] for r in rows} == {"1.00", "0.00"}
    spread = pd.Series([0.01, -0.00001], index=DAYS[:2])
    events = pd.DataFrame({"date": DAYS[1:2], "spread": [-0.00001], "leader_return": [0.01],
                           "laggard_return": [0.01001]})
    text_rows = str(make_spread_chart(spread, events, threshold=0.05, window=10).to_dict()["datasets"])
    assert "-0.00%" not in text_rows and "+0.00%" in text_rows
    coins = pd.DataFrame({"return": [-0.00001], "vs_btc": [-0.00002], "beats": [False]},
                         index=pd.Index(["SOL-USD"], name="coin"))
    spec = make_drivers_chart(coins, window=90, btc="BTC-USD").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["vs_btc_text"] == "+0.0%" and "-0.0" not in str(spec["datasets"])
    tips = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert "vs_btc_text" in tips and "vs_btc" not in tips


def test_track_record_tooltips_never_show_negative_zero() -> None:
    from ui.charts.track_record import make_brier_skill_chart, make_fan_vs_realized_chart

    brier = pd.DataFrame({"asset": ["IWM"], "event": ["e"], "event_label": ["E"], "model": [0.2],
                          "climatology": [0.2], "skill": [-0.001], "n": [30]})
    spec = make_brier_skill_chart(brier).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["skill_text"] == "+0.00"
    assert {t["field"] for t in spec["encoding"]["tooltip"]} >= {"skill_text"}
    fan = pd.DataFrame({"date": DAYS[:1], "p05": [-0.2], "p25": [-0.1], "p50": [-0.00001], "p75": [0.1],
                        "p95": [0.2], "realized": [-0.00002], "pit": [0.5]})
    spec = make_fan_vs_realized_chart(fan).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert (rows[0]["realized_text"], rows[0]["p50_text"], rows[0]["p05_text"]) == ("+0.0%", "+0.0%", "-20.0%")
    signed = [t for t in spec["layer"][-1]["encoding"]["tooltip"] if "+" in t.get("format", "")]
    assert signed == []


def test_every_temporal_x_goes_through_date_x() -> None:
    """Charts not built above (altseason, track record, ...) too: a temporal x is made by ``date_x``."""
    import re

    from tests.conftest import REPO

    pattern = re.compile(r"alt\.X\(\s*f?[\"'][^\"']*:T[\"']|type=[\"']temporal[\"']")
    hits = [f"{p.name}:{i}" for p in sorted((REPO / "ui" / "charts").glob("*.py")) if p.name != "axes.py"
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []
    assert pattern.search('x=alt.X("date:T", title="Origin")')
