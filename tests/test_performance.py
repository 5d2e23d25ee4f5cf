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
