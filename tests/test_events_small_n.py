"""Event-study cells with few events: no bootstrap interval, exact permutation p-values."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import core.events._study as study_mod
from core.events import (
    MIN_EVENTS_FOR_INTERVAL,
    P_EXACT,
    P_MONTE_CARLO,
    EventInputError,
    compute_forward_returns,
    find_weekly_streaks,
    run_event_study,
    used_events,
)

#: One-session forward returns of the tiny panel, positions 0..5; their mean is 0.045.
R = [0.10, -0.05, 0.02, 0.30, 0.00, -0.10]


def _panel(returns: list[float], horizon: int = 1) -> pd.DataFrame:
    closes = 100.0 * np.cumprod(np.r_[1.0, 1.0 + np.asarray(returns)])
    days = pd.bdate_range("2021-03-01", periods=len(closes))
    return compute_forward_returns(pd.DataFrame({"BTC": closes}, index=days), btc="BTC",
                                   horizons=(horizon,))


def _row(f: pd.DataFrame, positions: list[int], **kw: object) -> pd.Series:
    study = run_event_study(f, f.index[positions], np.random.default_rng(0), n_boot=200, **kw)
    return study.table.iloc[0]


def test_one_event_exact_p_by_hand() -> None:
    # event at position 5 (-0.10): |r - 0.045| >= 0.145 for positions 3 (0.255) and 5 -> 2 of 6
    row = _row(_panel(R), [5])
    assert row["n_events"] == 1 and row["p_method"] == P_EXACT and row["n_placements"] == 6
    assert row["p_value"] == pytest.approx(2 / 6)
    # no interval from one event (was "+x% to +x%")
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"]) and bool(row["few_events"])


def test_two_events_exact_p_by_hand() -> None:
    # events at 1 and 5: mean -0.075, 0.12 from 0.045. Of the 15 pairs only (0, 3) (mean 0.20)
    # and (1, 5) itself are that far from 0.045 -> p = 2 / 15.
    row = _row(_panel(R), [1, 5])
    assert row["n_events"] == 2 and row["p_method"] == P_EXACT and row["n_placements"] == 15
    assert row["p_value"] == pytest.approx(2 / 15)
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])


@pytest.mark.parametrize(("n_events", "horizon"), [(2, 3), (3, 2), (3, 4), (4, 3)])
def test_exact_p_equals_brute_force_over_spaced_placements(n_events: int, horizon: int) -> None:
    rng = np.random.default_rng(n_events * 10 + horizon)
    returns = list(rng.normal(0.0, 0.05, 40))
    f = _panel(returns, horizon)
    vals = f.iloc[:, 0].dropna().to_numpy()
    positions = [3 + i * (horizon + 2) for i in range(n_events)]
    row = _row(f, positions)
    assert row["n_events"] == n_events and row["p_method"] == P_EXACT
    # reference: every subset of positions with pairwise gaps >= horizon, by brute force
    mu, m = vals.mean(), vals[positions].mean()
    subsets = [c for c in itertools.combinations(range(len(vals)), n_events)
               if all(b - a >= horizon for a, b in itertools.pairwise(c))]
    means = np.array([vals[list(c)].mean() for c in subsets])
    expected = np.mean(np.abs(means - mu) >= abs(m - mu) - 1e-12)
    assert row["n_placements"] == len(subsets)
    assert row["p_value"] == pytest.approx(expected, rel=1e-12)


def test_interval_from_five_events_and_monte_carlo_beyond_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    f = _panel(list(rng.normal(0.0, 0.05, 30)))
    positions = [2, 8, 14, 20, 26]
    row = _row(f, positions)
    assert MIN_EVENTS_FOR_INTERVAL == 5 and not row["few_events"]
    assert row["ci_low"] < row["mean_event"] < row["ci_high"]
    assert row["p_method"] == P_EXACT and row["n_placements"] == 142_506  # C(30, 5)
    monkeypatch.setattr(study_mod, "EXACT_MAX_PLACEMENTS", 10)
    mc = _row(f, positions)
    assert mc["p_method"] == P_MONTE_CARLO and mc["n_placements"] == 200
    assert 1 / 201 <= mc["p_value"] <= 1


def test_used_events_lists_the_kept_events() -> None:
    f = _panel(R, horizon=2)
    study = run_event_study(f, f.index[[0, 1, 3]], np.random.default_rng(0), n_boot=50)
    ev = used_events(study, 2)
    # position 1 is within 2 sessions of position 0: de-clustered away
    assert list(ev["event_date"]) == [f.index[0], f.index[3]]
    assert ev["forward_return"].tolist() == pytest.approx([1.10 * 0.95 - 1, 1.30 * 1.0 - 1])
    assert used_events(study, 2, "BTC").equals(ev) and used_events(study, 2, "ETH").empty


def test_weekly_streaks_on_one_week_say_what_is_missing() -> None:
    days = pd.bdate_range("2024-01-01", periods=5)
    a, b = pd.Series(np.arange(1.0, 6.0), days), pd.Series(np.arange(2.0, 7.0), days)
    with pytest.raises(EventInputError, match=r"at least 2 calendar weeks.*5 common date\(s\) \(2024-01-01 to 2024-01-05\)"):
        find_weekly_streaks(a, b)
