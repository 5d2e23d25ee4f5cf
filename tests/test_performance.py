"""Market page numbers against hand computations and numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.performance import realized_volatility, rebase, trailing_returns


def test_trailing_returns_hand_computed():
    days = pd.date_range("2023-12-25", "2025-01-10", freq="D")
    s = pd.Series(np.arange(len(days), dtype=float) + 100.0, index=days)
    t = trailing_returns(pd.DataFrame({"X": s})).loc["X"]
    last = s.iloc[-1]
    assert t["1w"] == pytest.approx(last / s.loc["2025-01-03"] - 1)
    assert t["1m"] == pytest.approx(last / s.loc["2024-12-10"] - 1)
    assert t["3m"] == pytest.approx(last / s.loc["2024-10-10"] - 1)
    assert t["YTD"] == pytest.approx(last / s.loc["2024-12-31"] - 1)
    assert t["1y"] == pytest.approx(last / s.loc["2024-01-10"] - 1)


def test_trailing_return_nan_without_history():
    days = pd.date_range("2025-01-01", "2025-01-10", freq="D")
    t = trailing_returns(pd.DataFrame({"X": np.linspace(1, 2, len(days))}, index=days)).loc["X"]
    assert np.isnan(t["1y"]) and np.isnan(t["3m"]) and not np.isnan(t["1w"])


def test_realized_vol_matches_numpy():
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2020-01-01", periods=400)
    r = rng.normal(0, 0.01, len(days))
    px = pd.DataFrame({"SPY": 100 * np.exp(np.cumsum(r))}, index=days)
    vol = realized_volatility(px, windows=(21, 252)).loc["SPY"]
    assert vol["21d"] == pytest.approx(np.std(r[-21:], ddof=1) * np.sqrt(252), rel=1e-10)
    assert vol["252d"] == pytest.approx(np.std(r[-252:], ddof=1) * np.sqrt(252), rel=1e-10)
    assert vol["full"] == pytest.approx(np.std(r[1:], ddof=1) * np.sqrt(252), rel=1e-10)


def test_rebase_starts_at_100_for_each_ticker():
    days = pd.bdate_range("2024-01-01", periods=5)
    px = pd.DataFrame({"A": [np.nan, 2.0, 4.0, 3.0, 5.0], "B": [10.0, 11, 12, 13, 14]}, index=days)
    rb = rebase(px)
    assert rb["A"].iloc[1] == 100 and rb["A"].iloc[2] == 200 and rb["B"].iloc[0] == 100


def _stale_frame() -> pd.DataFrame:
    """A ticker that stops 60 days before the other (as 6 of 8 crypto files in ../shared do)."""
    days = pd.date_range("2024-01-01", "2025-06-30", freq="D")
    x = pd.Series(np.linspace(100, 200, len(days)), index=days)
    early = x.copy()
    early[early.index > "2025-05-01"] = np.nan
    return pd.DataFrame({"LIVE": x, "EARLY": early})


def test_trailing_returns_end_at_each_series_own_last_close():
    px = _stale_frame()
    t = trailing_returns(px)
    s = px["EARLY"].dropna()
    assert t.loc["EARLY", "last_date"] == pd.Timestamp("2025-05-01")
    # its own last week and month, not a flat 0 % from its last close to itself
    assert t.loc["EARLY", "1w"] == pytest.approx(s.iloc[-1] / s.loc["2025-04-24"] - 1)
    assert t.loc["EARLY", "1m"] == pytest.approx(s.iloc[-1] / s.loc["2025-04-01"] - 1)
    assert t.loc["EARLY", "1w"] > 0
    assert t.loc["LIVE", "1w"] == pytest.approx(px["LIVE"].iloc[-1] / px["LIVE"].loc["2025-06-23"] - 1)


def test_realized_vol_uses_each_series_own_last_sessions():
    rng = np.random.default_rng(2)
    days = pd.bdate_range("2020-01-01", periods=400)
    r = rng.normal(0, 0.01, len(days))
    a = pd.Series(100 * np.exp(np.cumsum(r)), index=days)
    px = pd.DataFrame({"SPY": a, "EARLY": a.where(a.index <= days[299])})
    vol = realized_volatility(px, windows=(21,), calendar=["SPY"])
    assert vol.loc["EARLY", "21d"] == pytest.approx(np.std(r[279:300], ddof=1) * np.sqrt(252), rel=1e-10)
    assert vol.loc["EARLY", "last_date"] == days[299] and vol.loc["SPY", "last_date"] == days[-1]


def test_staleness_flags_series_that_stop_early():
    from core.errors import ExplorerError
    from core.performance import staleness

    px = _stale_frame()
    px["WEEKEND"] = px["LIVE"].where(px.index <= "2025-06-27")  # 3 days behind: not stale
    px["EMPTY"] = np.nan
    s = staleness(px)
    assert s.loc["EARLY", "days_behind"] == 60 and bool(s.loc["EARLY", "stale"])
    assert s.loc["WEEKEND", "days_behind"] == 3 and not s.loc["WEEKEND", "stale"]
    assert not s.loc["LIVE", "stale"] and bool(s.loc["EMPTY", "stale"])
    with pytest.raises(ExplorerError, match="max_lag_days"):
        staleness(px, max_lag_days=-1)
