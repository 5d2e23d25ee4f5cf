"""Returns on the equity calendar: weekend folding checked exactly on a hand-built calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.returns import ReturnsError, compute_returns, equity_calendar, summarize_quality


def _hand_built() -> pd.DataFrame:
    # Thu 2024-01-04 .. Tue 2024-01-09: equities trade Thu, Fri, Mon, Tue; BTC trades every day.
    days = pd.date_range("2024-01-04", "2024-01-09", freq="D", name="date")
    iwm = [100.0, 101.0, np.nan, np.nan, 99.0, 100.0]
    btc = [1000.0, 1010.0, 1050.0, 1100.0, 1089.0, 1200.0]
    return pd.DataFrame({"IWM": iwm, "BTC-USD": btc}, index=days)


def test_weekend_moves_fold_into_monday_exactly():
    r = compute_returns(_hand_built(), kind="simple")
    assert list(r.index) == list(pd.to_datetime(["2024-01-05", "2024-01-08", "2024-01-09"]))
    # Monday's BTC return runs from Friday's close (1010) to Monday's (1089): the weekend is inside it.
    assert r.loc["2024-01-08", "BTC-USD"] == pytest.approx(1089 / 1010 - 1, abs=1e-15)
    assert r.loc["2024-01-08", "IWM"] == pytest.approx(99 / 101 - 1, abs=1e-15)
    assert r.loc["2024-01-05", "BTC-USD"] == pytest.approx(0.01, abs=1e-15)


def test_log_returns_sum_to_total():
    closes = _hand_built()
    r = compute_returns(closes, kind="log")
    assert r["BTC-USD"].sum() == pytest.approx(np.log(1200 / 1000), abs=1e-14)


def test_no_equity_column_uses_all_dates():
    closes = _hand_built()[["BTC-USD"]]
    assert len(compute_returns(closes)) == 5


def test_weekly_and_monthly_sample_last_session():
    days = pd.bdate_range("2024-01-01", "2024-03-29", name="date")
    px = pd.DataFrame({"SPY": np.exp(0.001 * np.arange(len(days)))}, index=days)
    w = compute_returns(px, freq="W")
    assert all(d.dayofweek == 4 for d in w.index)  # Fridays (no holidays in this synthetic calendar)
    m = compute_returns(px, freq="M", kind="log")
    assert list(m.index) == list(pd.to_datetime(["2024-02-29", "2024-03-29"]))
    assert m.iloc[0, 0] == pytest.approx(0.001 * (len(pd.bdate_range("2024-02-01", "2024-02-29"))), abs=1e-12)


def test_nan_before_listing_and_after_last_close():
    closes = _hand_built()
    closes.loc[:"2024-01-04", "BTC-USD"] = np.nan  # listed on Friday
    closes.loc["2024-01-09", "BTC-USD"] = np.nan  # last close on Monday
    r = compute_returns(closes)
    assert r["BTC-USD"].isna().tolist() == [True, False, True]
    assert r.loc["2024-01-08", "BTC-USD"] == pytest.approx(np.log(1089 / 1010))


def test_never_fills_missing_returns_with_zero():
    r = compute_returns(_hand_built().assign(ETH=np.nan))
    assert r["ETH"].isna().all()


def test_bad_arguments():
    with pytest.raises(ReturnsError, match="'cubic'"):
        compute_returns(_hand_built(), kind="cubic")
    with pytest.raises(ReturnsError, match="'Q'"):
        compute_returns(_hand_built(), freq="Q")
    with pytest.raises(ReturnsError, match="QQQ"):
        equity_calendar(_hand_built(), ["QQQ"])


def test_quality_summary_counts_gaps_and_stale_runs():
    days = pd.date_range("2024-01-01", periods=12, freq="D")
    s = pd.Series([1, 2, 2, 2, 2, 2, 3, np.nan, np.nan, 4, 5, 6], index=days, dtype=float)
    q = summarize_quality(pd.DataFrame({"BTC-USD": s}))
    row = q.loc["BTC-USD"]
    assert row["rows"] == 10 and row["gaps"] == 1 and row["largest_gap_days"] == 3
    assert row["stale_runs"] == 1
    assert row["max_abs_daily_log_return"] == pytest.approx(np.log(2))
