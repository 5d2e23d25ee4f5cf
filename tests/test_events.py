"""Streaks, breakouts, spread events and the event study on hand-built series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core.events import (
    BASKET,
    BASKET_VS_BTC,
    EventInputError,
    compound_returns,
    compute_forward_returns,
    compute_pair_returns,
    find_breakouts,
    find_spread_events,
    find_streaks,
    find_weekly_streaks,
    run_event_study,
)
from core.events._study import draw_spaced_sets

NAN = float("nan")


def _series(values: list[float], start: str = "2024-01-01", freq: str = "B") -> pd.Series:
    return pd.Series(
        values, index=pd.date_range(start, periods=len(values), freq=freq), dtype=float
    )


# --------------------------------------------------------------------------- streaks


LEAD = [0.01, 0.02, 0.00, 0.03, NAN, 0.01, 0.01, 0.02, -0.01, 0.05]
LAG = [0.00, 0.01, 0.00, 0.01, 0.00, 0.00, 0.00, 0.01, 0.00, 0.00]
# wins:  T     T     tie   T     NaN   T     T     T     F     T


def test_streaks_hand_case_with_tie_and_nan() -> None:
    table = find_streaks(_series(LEAD), _series(LAG))
    s = table.streaks
    assert s["length"].tolist() == [2, 1, 3, 1]
    days = _series(LEAD).index
    assert s["start"].tolist() == [days[0], days[3], days[5], days[9]]
    assert s["end"].tolist() == [days[1], days[3], days[7], days[9]]
    assert s["leader_return"].iloc[0] == pytest.approx(1.01 * 1.02 - 1)
    assert s["laggard_return"].iloc[0] == pytest.approx(0.01)
    assert s["leader_return"].iloc[2] == pytest.approx(1.01 * 1.01 * 1.02 - 1)
    assert s["spread"].iloc[2] == pytest.approx(1.01 * 1.01 * 1.02 - 1.01)
    assert table.n_wins == 7 and table.n_sessions == 10
    # previous streak at least as long: none, #0, none, #2
    assert s["prev_at_least_end"].isna().tolist() == [True, False, True, False]
    assert s["prev_at_least_end"].iloc[1] == days[1]
    assert s["prev_at_least_start"].iloc[3] == days[5]


def test_current_streak_and_longest_since() -> None:
    table = find_streaks(_series(LEAD), _series(LAG))
    cur = table.current
    assert cur.length == 1 and cur.streak is not None
    assert cur.last_session == _series(LEAD).index[-1]
    # most recent earlier streak at least as long (>=1) is the 3-session run
    assert cur.longest_since is not None and cur.longest_since.length == 3
    assert cur.previous_longer is not None and cur.previous_longer.length == 3
    assert not cur.is_longest_in_data


def test_current_streak_longest_since_uses_at_least() -> None:
    # runs of 2, 3, 1 and the current 2: the most recent earlier run >= 2 is the 3-run
    lead = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1]
    lag = [0] * len(lead)
    table = find_streaks(_series([x / 100 for x in lead]), _series(lag))
    cur = table.current
    assert cur.length == 2
    assert cur.longest_since is not None and cur.longest_since.length == 3
    days = _series(lag).index
    assert cur.longest_since.end == days[5]
    # equal-length earlier run counts for "at least", not for "longer"
    lead2 = [1, 1, 1, 0, 1, 1, 0, 1, 1]
    t2 = find_streaks(_series([x / 100 for x in lead2]), _series([0] * 9)).current
    assert t2.length == 2 and t2.longest_since.length == 2 and t2.previous_longer.length == 3


def test_current_streak_zero_when_last_session_not_a_win() -> None:
    for last_lead in (0.0, NAN, -0.01):  # tie, missing, loss
        lead = [0.01, 0.02, last_lead]
        table = find_streaks(_series(lead), _series([0.0, 0.0, 0.0]))
        assert table.current.length == 0
        assert table.current.streak is None and table.current.longest_since is None
    first = find_streaks(_series([0.01, 0.02]), _series([0.0, 0.0])).current
    assert first.length == 2 and first.is_longest_in_data


def test_missing_date_in_one_series_breaks_streak() -> None:
    lead = _series([0.01] * 5)
    lag = _series([0.0] * 5).drop(lead.index[2])
    table = find_streaks(lead, lag)
    assert table.streaks["length"].tolist() == [2, 2]
    assert table.n_sessions == 5


def test_top_orders_longest_then_most_recent() -> None:
    table = find_streaks(_series(LEAD), _series(LAG))
    top = table.top(4)
    assert top["length"].tolist() == [3, 2, 1, 1]
    assert top["end"].iloc[2] > top["end"].iloc[3]  # tie: most recent first
    with pytest.raises(EventInputError, match="0"):
        table.top(0)


def test_streak_input_errors_name_value() -> None:
    with pytest.raises(EventInputError, match="-1.5"):
        find_streaks(_series([0.01, -1.5]), _series([0.0, 0.0]))
    with pytest.raises(EventInputError, match="DatetimeIndex"):
        find_streaks(pd.Series([0.1]), pd.Series([0.0]))


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 80),
        elements=st.sampled_from([-0.02, -0.01, 0.0, 0.01, 0.02, NAN]),
    ),
    st.randoms(use_true_random=False),
)
def test_streak_invariants(lead: np.ndarray, rnd) -> None:
    lag = np.array([rnd.choice([-0.01, 0.0, 0.01, NAN]) for _ in lead])
    table = find_streaks(_series(list(lead)), _series(list(lag)))
    wins = lead > lag
    s = table.streaks
    assert s["length"].sum() == table.n_wins == wins.sum()
    # runs are maximal: a non-win separates consecutive runs
    idx = _series(list(lead)).index
    pos_start = idx.get_indexer(s["start"])
    pos_end = idx.get_indexer(s["end"])
    assert (pos_end - pos_start + 1 == s["length"].to_numpy()).all()
    assert (pos_start[1:] > pos_end[:-1] + 1).all()
    # brute-force "previous at least as long"
    lengths = s["length"].to_numpy()
    for i in range(len(s)):
        earlier = [j for j in range(i) if lengths[j] >= lengths[i]]
        expected = s["end"].iloc[earlier[-1]] if earlier else pd.NaT
        got = s["prev_at_least_end"].iloc[i]
        assert (pd.isna(got) and pd.isna(expected)) or got == expected
    assert (table.current.length > 0) == bool(wins[-1])


def test_pair_returns_use_common_dates_only() -> None:
    a = _series([100.0, 101.0, NAN, 103.0, 104.0])
    b = _series([50.0, 50.0, 51.0, NAN, 52.0])
    r = compute_pair_returns(a, b)
    # common dates: 0, 1, 4
    assert list(r.index) == [a.index[1], a.index[4]]
    assert r["leader"].iloc[1] == pytest.approx(104 / 101 - 1)
    assert r["laggard"].iloc[1] == pytest.approx(52 / 50 - 1)
    with pytest.raises(EventInputError, match="-3"):
        compute_pair_returns(_series([1.0, -3.0]), b)
    with pytest.raises(EventInputError, match="'M'"):
        compute_pair_returns(a, b, freq="M")


def test_weekly_streaks_on_last_session_of_week() -> None:
    days = pd.bdate_range("2024-01-01", periods=20)  # 4 weeks Mon-Fri
    lead = pd.Series(np.linspace(100, 120, 20), index=days)
    lag = pd.Series(100.0, index=days)
    lag.iloc[-1] = 130.0  # the last week the laggard wins
    weekly = compute_pair_returns(lead, lag, freq="W")
    assert list(weekly.index) == [days[9], days[14], days[19]]
    table = find_weekly_streaks(lead, lag)
    assert table.streaks["length"].tolist() == [2]
    assert table.current.length == 0


# --------------------------------------------------------------------------- breakouts


def test_breakouts_hand_case() -> None:
    closes = _series([10, 12, 11, 11, 11.5, 12, 12.5, 13, 9, 14])
    table = find_breakouts(closes, base=3)
    ev = table.events
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["date"] == closes.index[6]
    assert row["close"] == 12.5 and row["prior_high"] == 12.0
    assert row["prior_high_date"] == closes.index[1]
    assert row["base_sessions"] == 4  # sessions 2..5, the tie at 12 is not a new high
    assert row["base_drawdown"] == pytest.approx(11 / 12 - 1)
    assert list(table.new_highs) == [closes.index[i] for i in (1, 6, 7, 9)]
    assert len(find_breakouts(closes, base=4).events) == 1
    assert len(find_breakouts(closes, base=5).events) == 0
    assert find_breakouts(closes, base=1).events["date"].tolist() == [
        closes.index[6],
        closes.index[9],
    ]


def test_breakouts_skip_nan_rows_and_validate() -> None:
    closes = _series([10, NAN, 9, NAN, 9.5, 11])
    ev = find_breakouts(closes, base=2).events
    assert ev["date"].tolist() == [closes.index[5]] and ev["base_sessions"].iloc[0] == 2
    with pytest.raises(EventInputError, match="0"):
        find_breakouts(closes, base=0)
    with pytest.raises(EventInputError, match="-2"):
        find_breakouts(_series([1.0, -2.0]), base=1)
    assert find_breakouts(_series([5.0]), base=1).events.empty


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 120), elements=st.floats(1.0, 2.0)),
    st.integers(1, 20),
)
def test_breakout_invariants(x: np.ndarray, base: int) -> None:
    closes = _series(list(x))
    table = find_breakouts(closes, base=base)
    pos = closes.index.get_indexer(table.events["date"])
    for p, b in zip(pos, table.events["base_sessions"], strict=True):
        assert x[p] > x[:p].max()
        assert b >= base
        # nothing in the base is a new high
        assert all(x[q] <= x[:q].max() for q in range(p - b, p))
        # and the session before the base was the prior high
        assert x[p - b - 1] == x[:p].max()
    # every new high counted with base >= N is an event
    loop = [i for i in range(1, len(x)) if x[i] > x[:i].max()]
    assert list(closes.index[loop]) == list(table.new_highs)


# --------------------------------------------------------------------------- spread events


def test_spread_events_cross_from_below_without_retrigger() -> None:
    lead = _series([0, 0.03, 0.03, 0, 0, 0.04, 0.04, 0.04, 0, 0])
    lag = _series([0.0] * 10)
    out = find_spread_events(lead, lag, window=2, threshold=0.05)
    d = lead.index
    assert out.events["date"].tolist() == [d[2], d[6]]
    assert out.events["spread"].iloc[0] == pytest.approx(1.03**2 - 1)
    assert out.events["leader_return"].iloc[1] == pytest.approx(1.04**2 - 1)
    assert np.isnan(out.spread.iloc[0]) and out.spread.iloc[7] == pytest.approx(1.04**2 - 1)
    cooled = find_spread_events(lead, lag, window=2, threshold=0.05, cooldown=5)
    assert cooled.events["date"].tolist() == [d[2]]


def test_spread_event_not_fired_when_crossing_unobserved_or_nan() -> None:
    lead = _series([0.04, 0.04, 0.04, NAN, 0.0, 0.04, 0.04])
    lag = _series([0.0] * 7)
    out = find_spread_events(lead, lag, window=2, threshold=0.05)
    # first defined spread (t1) is already above: no event; NaN at t3..t4 neither fires
    # nor re-arms; t5 = 0.04 <= 0.05 re-arms, t6 crosses
    assert out.events["date"].tolist() == [lead.index[6]]
    with pytest.raises(EventInputError, match="window"):
        find_spread_events(lead, lag, window=0)
    with pytest.raises(EventInputError, match="cooldown"):
        find_spread_events(lead, lag, cooldown=-1)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(5, 100), elements=st.floats(-0.05, 0.05)),
    st.integers(1, 6),
    st.floats(0.0, 0.08),
)
def test_spread_event_invariants(r: np.ndarray, window: int, threshold: float) -> None:
    lead = _series(list(r))
    lag = _series([0.0] * len(r))
    out = find_spread_events(lead, lag, window=window, threshold=threshold)
    s = out.spread.to_numpy()
    pos = out.spread.index.get_indexer(out.events["date"])
    # loop reference for "first session above after a defined session at/below"
    ref, armed = [], False
    for t in range(len(s)):
        if np.isnan(s[t]):
            continue
        if s[t] > threshold and armed:
            ref.append(t)
        armed = s[t] <= threshold
    assert list(pos) == ref


# --------------------------------------------------------------------------- event study


def _crypto_closes() -> pd.DataFrame:
    days = pd.bdate_range("2020-01-01", periods=8)
    return pd.DataFrame(
        {
            "BTC": [100, 110, 121, 100, 90, 99, 120, 130],
            "ETH": [10, 10, 11, 12, 13, 12, 11, 10],
            "SOL": [1, 2, 2, 4, NAN, 4, 5, 5],
            "ADA": [NAN, NAN, 3, 3, 6, 6, 9, 9],
        },
        index=days,
        dtype=float,
    )


def test_forward_returns_formula_and_basket() -> None:
    closes = _crypto_closes()
    f = compute_forward_returns(
        closes, btc="BTC", eth="ETH", alts=("SOL", "ADA", "XRP"), horizons=(1, 2)
    )
    assert list(f.columns.get_level_values(0).unique()) == ["BTC", "ETH", BASKET, BASKET_VS_BTC]
    assert f[("BTC", 1)].iloc[0] == pytest.approx(0.10)
    assert f[("BTC", 2)].iloc[5] == pytest.approx(130 / 99 - 1)
    assert f[("BTC", 2)].iloc[-2:].isna().all()
    # t=2: SOL 2 -> 4 (+100%), ADA 3 -> 3 (0%): basket +50%
    assert f[(BASKET, 1)].iloc[2] == pytest.approx(0.5)
    # t=0: only SOL defined (ADA NaN): basket = SOL's +100%
    assert f[(BASKET, 1)].iloc[0] == pytest.approx(1.0)
    # t=3: SOL -> NaN, ADA 3 -> 6: basket = +100%
    assert f[(BASKET, 1)].iloc[3] == pytest.approx(1.0)
    assert f[(BASKET_VS_BTC, 1)].iloc[2] == pytest.approx(1.5 / (100 / 121) - 1)
    with pytest.raises(EventInputError, match="'XBT'"):
        compute_forward_returns(closes, btc="XBT")
    with pytest.raises(EventInputError, match="0"):
        compute_forward_returns(closes, btc="BTC", horizons=(0,))


def test_event_study_hand_means_and_declustering() -> None:
    closes = _crypto_closes()
    f = compute_forward_returns(closes, btc="BTC", horizons=(1, 2))
    days = closes.index
    # a Saturday maps to the next session (Monday days[5])
    events = [days[0], days[1], days[4] + pd.Timedelta(days=1)]
    study = run_event_study(f, events, np.random.default_rng(0), n_boot=300)
    t = study.table.set_index(["asset", "horizon"])
    h1 = t.loc[("BTC", 1)]
    assert h1["n_dated"] == 3 and h1["n_events"] == 3
    expected = np.mean([0.10, 0.10, 120 / 99 - 1])
    assert h1["mean_event"] == pytest.approx(expected)
    # horizon 2: days[0] and days[1] overlap (1 session apart): days[1] dropped
    h2 = t.loc[("BTC", 2)]
    assert h2["n_dated"] == 3 and h2["n_events"] == 2
    assert h2["mean_event"] == pytest.approx(np.mean([121 / 100 - 1, 130 / 99 - 1]))
    assert h2["n_all"] == 6
    assert h2["mean_all"] == pytest.approx(np.mean(closes["BTC"].shift(-2) / closes["BTC"] - 1))
    used = study.event_returns.query("horizon == 2")["used"].tolist()
    assert used == [True, False, True]
    assert study.n_events_input == 3
    no_dc = run_event_study(f, events, np.random.default_rng(0), n_boot=50, decluster=False)
    assert no_dc.table.set_index(["asset", "horizon"]).loc[("BTC", 2), "n_events"] == 3


def test_event_study_no_events_and_out_of_range() -> None:
    f = compute_forward_returns(_crypto_closes(), btc="BTC", horizons=(1,))
    study = run_event_study(f, [pd.Timestamp("2031-01-01")], np.random.default_rng(1), n_boot=20)
    row = study.table.iloc[0]
    assert row["n_events"] == 0 and np.isnan(row["p_value"]) and np.isnan(row["mean_event"])
    assert study.n_events_input == 0
    with pytest.raises(EventInputError, match="Generator"):
        run_event_study(f, [], np.random.RandomState(0), n_boot=20)  # type: ignore[arg-type]
    with pytest.raises(EventInputError, match="1.5"):
        run_event_study(f, [], np.random.default_rng(0), confidence=1.5)


def _random_walk_panel(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    closes = pd.DataFrame(
        {"BTC": 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))},
        index=pd.bdate_range("2015-01-01", periods=n),
    )
    return compute_forward_returns(closes, btc="BTC", horizons=(5,))


def test_event_study_detects_planted_effect_and_is_reproducible() -> None:
    f = _random_walk_panel(600, 3)
    col = f[("BTC", 5)]
    # events at the 10 best forward returns that are >= 5 sessions apart
    order = col.dropna().sort_values(ascending=False).index
    chosen: list[pd.Timestamp] = []
    for d in order:
        if all(abs(f.index.get_loc(d) - f.index.get_loc(c)) >= 5 for c in chosen):
            chosen.append(d)
        if len(chosen) == 10:
            break
    a = run_event_study(f, chosen, np.random.default_rng(7), n_boot=500)
    b = run_event_study(f, chosen, np.random.default_rng(7), n_boot=500)
    pd.testing.assert_frame_equal(a.table, b.table)
    row = a.table.iloc[0]
    assert row["n_events"] == 10
    assert row["p_value"] == pytest.approx(1 / 501)
    assert row["ci_low"] <= row["mean_event"] <= row["ci_high"]
    assert row["mean_event"] > row["mean_all"]


def test_event_study_p_values_roughly_uniform_under_null() -> None:
    # random event dates: P(p <= 0.2) should be about 0.2 (within ~3 standard errors)
    f = _random_walk_panel(400, 11)
    rng = np.random.default_rng(2024)
    eligible = f.index[f[("BTC", 5)].notna()]
    p_values = []
    for _ in range(150):
        picks = np.sort(rng.choice(len(eligible) // 5, size=6, replace=False)) * 5
        p_values.append(
            run_event_study(f, eligible[picks], rng, n_boot=199).table["p_value"].iloc[0]
        )
    share = np.mean(np.asarray(p_values) <= 0.2)
    assert abs(share - 0.2) < 3 * np.sqrt(0.2 * 0.8 / 150) + 0.02


@pytest.mark.parametrize(("n_slots", "n", "gap"), [(50, 3, 5), (30, 5, 6), (12, 4, 3), (40, 10, 1)])
def test_spaced_sets_respect_gap_and_are_uniform(n_slots: int, n: int, gap: int) -> None:
    rng = np.random.default_rng(5)
    draws = draw_spaced_sets(n_slots, n, gap, 4000, rng)
    assert draws.shape == (4000, n)
    assert draws.min() >= 0 and draws.max() < n_slots
    if n > 1:
        assert (np.diff(draws, axis=1) >= gap).all()
    # the first position's distribution: P(first = 0) = C(free-1, n-1) / C(free, n) = n / free
    free = n_slots - (n - 1) * (gap - 1)
    p0 = n / free
    share = np.mean(draws[:, 0] == 0)
    assert abs(share - p0) < 4 * np.sqrt(p0 * (1 - p0) / 4000)
    with pytest.raises(EventInputError, match="cannot place"):
        draw_spaced_sets(10, 4, 5, 10, rng)


def test_compound_returns_window() -> None:
    r = pd.DataFrame(
        {"a": [0.1, 0.2, -0.1, 0.05], "b": [0.0, NAN, 0.01, 0.02]},
        index=pd.bdate_range("2024-01-01", periods=4),
    )
    out = compound_returns(r, r.index[1], n_sessions=2)
    assert out["a"] == pytest.approx(1.2 * 0.9 - 1) and np.isnan(out["b"])
    assert out.attrs["end"] == r.index[2] and out.attrs["n_sessions"] == 2
    by_end = compound_returns(r, r.index[2], end=r.index[3])
    assert by_end["b"] == pytest.approx(1.01 * 1.02 - 1)
    with pytest.raises(EventInputError, match="exactly one"):
        compound_returns(r, r.index[0])
