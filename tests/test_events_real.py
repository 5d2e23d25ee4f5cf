"""Streaks, breakouts and spread events on the real CSVs, against plain-Python loops."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data import load_prices
from core.events import (
    compute_forward_returns,
    compute_pair_returns,
    find_breakouts,
    find_spread_events,
    find_streaks,
    run_event_study,
)
from core.returns import sample_on_calendar


def _read_closes(path: Path) -> dict[str, float]:
    """date text -> close (adj_close when the file has it), with the csv module only."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = "adj_close" if "adj_close" in rows[0] else "close"
    return {r["date"]: float(r[key]) for r in rows if r[key] not in ("", "null")}


def _loop_streaks(
    a: dict[str, float], b: dict[str, float]
) -> list[tuple[str, str, int, float, float]]:
    """Streaks of a beating b on their common dates, written as an explicit loop."""
    dates = sorted(set(a) & set(b))
    out, run = [], None
    for prev, day in zip(dates, dates[1:], strict=False):
        ra = a[day] / a[prev] - 1
        rb = b[day] / b[prev] - 1
        if ra > rb:
            if run is None:
                run = [day, day, 0, 1.0, 1.0]
            run[1] = day
            run[2] += 1
            run[3] *= 1 + ra
            run[4] *= 1 + rb
        elif run is not None:
            out.append((run[0], run[1], run[2], run[3] - 1, run[4] - 1))
            run = None
    if run is not None:
        out.append((run[0], run[1], run[2], run[3] - 1, run[4] - 1))
    return out


def _as_series(d: dict[str, float]) -> pd.Series:
    return pd.Series(d, dtype=float).set_axis(pd.to_datetime(list(d))).sort_index()


@pytest.mark.parametrize(("leader", "laggard"), [("IWM", "SPY"), ("RUT", "GSPC")])
def test_streaks_match_loop_on_real_data(market_dir: Path, leader: str, laggard: str) -> None:
    a = _read_closes(market_dir / f"{leader}.csv")
    b = _read_closes(market_dir / f"{laggard}.csv")
    expected = _loop_streaks(a, b)
    r = compute_pair_returns(_as_series(a), _as_series(b))
    table = find_streaks(r["leader"], r["laggard"])
    s = table.streaks
    assert len(s) == len(expected) > 1000
    assert [d.strftime("%Y-%m-%d") for d in s["start"]] == [e[0] for e in expected]
    assert [d.strftime("%Y-%m-%d") for d in s["end"]] == [e[1] for e in expected]
    assert s["length"].tolist() == [e[2] for e in expected]
    np.testing.assert_allclose(s["leader_return"], [e[3] for e in expected], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s["laggard_return"], [e[4] for e in expected], rtol=1e-9, atol=1e-12)
    # longest and "longest since" by loop
    longest = max(e[2] for e in expected)
    assert table.top(1)["length"].iloc[0] == longest
    last_day = max(set(a) & set(b))
    cur_len = expected[-1][2] if expected[-1][1] == last_day else 0
    assert table.current.length == cur_len
    if cur_len:
        earlier = [e for e in expected[:-1] if e[2] >= cur_len]
        got = table.current.longest_since
        assert (got is None and not earlier) or got.end.strftime("%Y-%m-%d") == earlier[-1][1]


def test_january_2026_streak_in_both_pairs(market_dir: Path) -> None:
    """The run the articles talk about: found in both the ETF and the index pair."""
    for leader, laggard in (("IWM", "SPY"), ("RUT", "GSPC")):
        a, b = (
            _read_closes(market_dir / f"{leader}.csv"),
            _read_closes(market_dir / f"{laggard}.csv"),
        )
        runs = [e for e in _loop_streaks(a, b) if e[0].startswith("2026-01")]
        top = max(runs, key=lambda e: e[2])
        r = compute_pair_returns(_as_series(a), _as_series(b))
        table = find_streaks(r["leader"], r["laggard"])
        row = table.streaks.loc[table.streaks["start"] == pd.Timestamp(top[0])].iloc[0]
        assert row["length"] == top[2] >= 10
        earlier = [e for e in _loop_streaks(a, b) if e[1] < top[0] and e[2] >= top[2]]
        expected_since = pd.Timestamp(earlier[-1][1]) if earlier else pd.NaT
        got = row["prev_at_least_end"]
        assert (pd.isna(got) and pd.isna(expected_since)) or got == expected_since


def _loop_breakouts(closes: dict[str, float], base: int) -> list[tuple[str, int]]:
    dates = sorted(closes)
    out, high, high_at = [], closes[dates[0]], 0
    for i in range(1, len(dates)):
        c = closes[dates[i]]
        if c > high:
            if i - high_at - 1 >= base:
                out.append((dates[i], i - high_at - 1))
            high, high_at = c, i
    return out


@pytest.mark.parametrize("ticker", ["IWM", "RUT"])
@pytest.mark.parametrize("base", [60, 250])
def test_breakouts_match_loop_on_real_data(market_dir: Path, ticker: str, base: int) -> None:
    closes = _read_closes(market_dir / f"{ticker}.csv")
    expected = _loop_breakouts(closes, base)
    events = find_breakouts(_as_series(closes), base=base).events
    assert [d.strftime("%Y-%m-%d") for d in events["date"]] == [e[0] for e in expected]
    assert events["base_sessions"].tolist() == [e[1] for e in expected]
    if base == 250:
        years = {d.year for d in events["date"]}
        assert {2016, 2020} <= years


def test_spread_events_match_loop_on_real_data(market_dir: Path) -> None:
    a, b = _read_closes(market_dir / "IWM.csv"), _read_closes(market_dir / "SPY.csv")
    dates = sorted(set(a) & set(b))
    k, thr = 10, 0.05
    expected, armed = [], False
    for i in range(k, len(dates)):
        start, end = dates[i - k], dates[i]
        spread = a[end] / a[start] - b[end] / b[start]
        if spread > thr and armed:
            expected.append(end)
        armed = spread <= thr
    r = compute_pair_returns(_as_series(a), _as_series(b))
    got = find_spread_events(r["leader"], r["laggard"], window=k, threshold=thr).events
    assert [d.strftime("%Y-%m-%d") for d in got["date"]] == expected
    assert len(expected) > 5


def test_event_study_forward_returns_match_loop(market_dir: Path) -> None:
    prices = load_prices(["IWM", "BTC-USD", "ETH-USD"], source="csv", data_dir=market_dir)
    closes = prices.closes
    calendar = pd.DatetimeIndex(closes.index[closes["IWM"].notna().to_numpy()])
    crypto = sample_on_calendar(closes[["BTC-USD", "ETH-USD"]], calendar)
    forward = compute_forward_returns(crypto, btc="BTC-USD", eth="ETH-USD", horizons=(21, 252))
    breakouts = find_breakouts(closes["IWM"], base=250).events["date"]
    study = run_event_study(forward, breakouts, np.random.default_rng(0), n_boot=200)
    btc = _read_closes(market_dir / "BTC-USD.csv")
    iwm_days = sorted(_read_closes(market_dir / "IWM.csv"))
    got = study.event_returns.query("asset == 'BTC-USD' and horizon == 21").set_index("event_date")
    for day in ("2016-11-14", "2020-11-13"):
        i = iwm_days.index(day)
        later = iwm_days[i + 21]
        # BTC trades every day, so its close on an IWM session is that day's close
        expected = btc[later] / btc[day] - 1
        assert math.isclose(got.loc[pd.Timestamp(day), "forward_return"], expected, rel_tol=1e-12)
    row = study.table.set_index(["asset", "horizon"]).loc[("BTC-USD", 21)]
    # BTC starts in 2014: only breakouts from then on have a forward return
    assert row["n_dated"] == sum(d.year >= 2015 for d in breakouts)
    assert row["n_all"] == forward[("BTC-USD", 21)].notna().sum()
