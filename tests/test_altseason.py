"""Altcoin season index and its event study: hand-built closes with known answers, bounds, real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.altseason import (
    ALTCOIN_SEASON,
    BITCOIN_SEASON,
    NEITHER,
    AltseasonError,
    altseason_index,
    season_of,
)
from core.altseason_study import (
    BREAKOUT_EVENTS,
    SMALL_N,
    SPREAD_EVENTS,
    STREAK_EVENTS,
    AltseasonEvents,
    altseason_event_study,
    altseason_events,
)
from core.data import list_csv_tickers, load_prices
from core.roles import RoleError, match_coins
from core.tickers import DEFAULT_CRYPTO

DAYS = pd.date_range("2024-01-01", periods=21, freq="D")


def _hand_closes() -> pd.DataFrame:
    """Window 10: at day 10 BTC +10 %, AAA +20 % (beats), BBB +5 %, CCC +10 % (tie, no), DDD no day-0 close."""
    c = pd.DataFrame(100.0, index=DAYS, columns=["BTC-USD", "AAA-USD", "BBB-USD", "CCC-USD", "DDD-USD"])
    c["USDT-USD"] = 1.0
    c.loc[DAYS[10], ["BTC-USD", "AAA-USD", "BBB-USD", "CCC-USD", "USDT-USD"]] = [110.0, 120.0, 105.0, 110.0, 2.0]
    c.loc[DAYS[0], "DDD-USD"] = np.nan
    c.loc[DAYS[10], "DDD-USD"] = 500.0
    c["IWM"] = np.nan  # equities are ignored
    return c


def test_hand_built_index_is_exact() -> None:
    res = altseason_index(_hand_closes(), window=10, min_coins=1)
    assert res.btc == "BTC-USD"
    assert res.coins == ("AAA-USD", "BBB-USD", "CCC-USD", "DDD-USD")  # stablecoin and BTC out
    s = res.series.set_index("date")
    # day 10: AAA beats, BBB and CCC (tie) do not; DDD has no close on day 0
    assert s.loc[DAYS[10], "n_coins"] == 3
    assert s.loc[DAYS[10], "index"] == pytest.approx(100 / 3)
    # day 11: returns from day 1 (100) to day 11 (100): all tie -> 0 of 4
    assert s.loc[DAYS[11], "n_coins"] == 4 and s.loc[DAYS[11], "index"] == 0.0
    # day 20: from day 10 to day 20: BTC -9.1 %, AAA -16.7 %, BBB -4.8 % (beats), CCC tie, DDD -80 %
    assert s.loc[DAYS[20], "index"] == pytest.approx(25.0)
    # before the window is complete: no coin has both closes
    assert (s.loc[DAYS[:10], "n_coins"] == 0).all() and s.loc[DAYS[:10], "index"].isna().all()
    cur = res.current
    assert cur is not None and cur.date == DAYS[20] and cur.n_coins == 4 and cur.index == 25.0
    assert cur.season == NEITHER and cur.lag_days == 0
    assert cur.btc_return == pytest.approx(100 / 110 - 1)
    assert list(cur.coins.index[:1]) == ["BBB-USD"] and bool(cur.coins.loc["BBB-USD", "beats"])
    assert cur.coins.loc["BBB-USD", "vs_btc"] == pytest.approx((100 / 105) / (100 / 110) - 1)
    assert res.label == "on 4 coins, survivorship-biased (today's survivors)"


def test_index_matches_a_plain_loop_on_random_closes() -> None:
    rng = np.random.default_rng(3)
    days = pd.date_range("2023-01-01", periods=200, freq="D")
    cols = ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "USDC-USD"]
    c = pd.DataFrame(np.exp(np.cumsum(rng.normal(0, 0.03, (200, 5)), axis=0)), index=days, columns=cols)
    c = c.mask(rng.random(c.shape) < 0.1)  # random missing closes
    res = altseason_index(c, window=30, min_coins=1)
    s = res.series.set_index("date")
    for i in range(30, 200, 7):  # reference: a plain loop over a few dates
        d, d0 = days[i], days[i - 30]
        rb = c.loc[d, "BTC-USD"] / c.loc[d0, "BTC-USD"] - 1
        r = {a: c.loc[d, a] / c.loc[d0, a] - 1 for a in ("ETH-USD", "SOL-USD", "XRP-USD")}
        ok = {a: v for a, v in r.items() if np.isfinite(v) and np.isfinite(rb)}
        assert s.loc[d, "n_coins"] == len(ok)
        if ok:
            assert s.loc[d, "index"] == pytest.approx(100 * sum(v > rb for v in ok.values()) / len(ok))


def test_min_coins_default_is_a_majority_and_hides_thin_dates() -> None:
    c = _hand_closes()
    res = altseason_index(c, window=10)  # 4 altcoins -> at least 2
    assert res.min_coins == 2
    thin = altseason_index(c.assign(**{"AAA-USD": np.nan, "BBB-USD": np.nan, "CCC-USD": np.nan}),
                           window=10, min_coins=2)
    assert thin.current is None and thin.series["index"].isna().all()


def test_current_is_the_last_date_with_enough_coins_and_says_how_stale() -> None:
    c = _hand_closes()
    extra = pd.DataFrame(np.nan, index=pd.date_range(DAYS[-1] + pd.Timedelta(days=1), periods=5), columns=c.columns)
    extra["BTC-USD"] = 100.0  # only BTC goes on
    res = altseason_index(pd.concat([c, extra]), window=10, min_coins=1)
    assert res.current.date == DAYS[20]
    assert res.current.lag_days == 5


def test_seasons_at_the_thresholds() -> None:
    assert season_of(75.0) == ALTCOIN_SEASON and season_of(74.9) == NEITHER
    assert season_of(25.0) == NEITHER and season_of(24.9) == BITCOIN_SEASON
    assert season_of(60.0, threshold=60) == ALTCOIN_SEASON and season_of(39.0, threshold=60) == BITCOIN_SEASON


@pytest.mark.parametrize("kwargs, word", [
    ({"window": 6}, "window"), ({"window": 731}, "window"), ({"window": 90.5}, "window"),
    ({"threshold": 49.9}, "threshold"), ({"threshold": 100.1}, "threshold"),
    ({"threshold": float("nan")}, "threshold"), ({"min_coins": 0}, "min_coins"), ({"min_coins": 5}, "min_coins"),
])
def test_bounds_are_enforced_and_named(kwargs: dict, word: str) -> None:
    with pytest.raises(AltseasonError, match=word):
        altseason_index(_hand_closes(), **({"window": 10} | kwargs))


def test_needs_btc_and_an_altcoin_and_positive_closes() -> None:
    c = _hand_closes()
    with pytest.raises(RoleError):
        altseason_index(c, ["AAA-USD", "BBB-USD"])
    with pytest.raises(RoleError):
        altseason_index(c, ["BTC-USD", "USDT-USD"])
    with pytest.raises(AltseasonError, match="ZZZ-USD"):
        altseason_index(c, ["BTC-USD", "ZZZ-USD"])
    with pytest.raises(AltseasonError, match="non-positive"):
        altseason_index(c.assign(**{"AAA-USD": 0.0}), window=10)


# ------------------------------------------------------------------ event study


def _study_fixture(index_values: np.ndarray, event_days: list[int]) -> tuple:
    """An index given day by day (min_coins 1 via closes) and events on chosen session positions."""
    days = pd.date_range("2024-01-01", periods=len(index_values), freq="D")
    series = pd.DataFrame({"date": days, "index": index_values, "n_coins": 1})
    from core.altseason import AltseasonIndex

    idx = AltseasonIndex(window=90, threshold=75.0, min_coins=1, btc="BTC-USD", coins=("A-USD",),
                         series=series, current=None)
    events = AltseasonEvents(
        dates={STREAK_EVENTS: pd.DatetimeIndex(days[event_days]), BREAKOUT_EVENTS: pd.DatetimeIndex([]),
               SPREAD_EVENTS: pd.DatetimeIndex([])},
        streaks=pd.DataFrame(columns=["start", "end", "length"]), calendar=pd.DatetimeIndex(days),
        leader="IWM", laggard="SPY", streak_length=6, base=250, spread_window=10, spread_threshold=0.05)
    return idx, events


def test_study_counts_hits_and_base_rate_by_hand() -> None:
    values = np.zeros(100)
    values[[12, 50]] = 80.0  # the index reaches 75 on days 12 and 50 only
    idx, events = _study_fixture(values, [10, 40, 70, 71])
    study = altseason_event_study(idx, events, horizons=[5], seed=1, n_draws=999)
    row = study.table[(study.table["kind"] == STREAK_EVENTS)].iloc[0]
    # eligible sessions t = 0..94 (t + 5 inside); Y_t = 1 for t in 7..11 and 45..49 -> 10 of 95
    assert row["n_sessions"] == 95 and row["base_rate"] == pytest.approx(10 / 95)
    # events 10 (hit, day 12), 40 (miss), 70 (miss), 71 dropped (< 5 sessions after 70)
    assert row["n_input"] == 4 and row["n_events"] == 3 and row["hits"] == 1
    assert row["event_rate"] == pytest.approx(1 / 3) and bool(row["few_events"])
    assert np.isnan(row["ci_low"])  # no interval under SMALL_N events
    assert 0 < row["p_perm"] <= 1 and row["p_binom"] == pytest.approx(1 - (1 - 10 / 95) ** 3)
    assert row["in_season_at_event"] == 0.0


def test_permutation_p_matches_the_exact_hypergeometric_tail() -> None:
    # horizon 1, no spacing constraint beyond 1: random sets are uniform subsets, so the
    # permutation p-value estimates the hypergeometric tail P(hits >= k)
    rng = np.random.default_rng(0)
    values = np.where(rng.random(400) < 0.3, 80.0, 10.0)
    hits_days = np.flatnonzero(values[1:] >= 75)[:6]  # sessions t whose next day is in season
    idx, events = _study_fixture(values, [*hits_days.tolist(), 200, 300])
    study = altseason_event_study(idx, events, horizons=[1], seed=2, n_draws=20000)
    row = study.table[study.table["kind"] == STREAK_EVENTS].iloc[0]
    from scipy import stats

    y_total = int((values[1:] >= 75).sum())
    n_sessions = int(row["n_sessions"])
    exact = stats.hypergeom.sf(row["hits"] - 1, n_sessions, y_total, row["n_events"])
    se = np.sqrt(exact * (1 - exact) / 20000)
    assert abs(row["p_perm"] - exact) < 4 * se + 1e-4
    assert row["n_events"] >= SMALL_N and row["ci_low"] < row["event_rate"] < row["ci_high"]


def test_study_is_reproducible_with_its_seed_and_checks_inputs() -> None:
    values = np.where(np.arange(300) % 40 < 10, 80.0, 10.0)
    idx, events = _study_fixture(values, [5, 60, 130, 200])
    a = altseason_event_study(idx, events, horizons=[10, 20], seed=7)
    b = altseason_event_study(idx, events, horizons=[10, 20], seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    for kwargs, word in (({"horizons": [0]}, "horizons"), ({"seed": -1}, "seed"), ({"n_draws": 0}, "n_draws")):
        with pytest.raises(AltseasonError, match=word):
            altseason_event_study(idx, events, **kwargs)


def test_events_streak_dates_are_where_the_streak_reaches_its_length() -> None:
    days = pd.bdate_range("2024-01-01", periods=40)
    lead = np.full(40, 100.0)
    lag = np.full(40, 100.0)
    lead[5:13] = 100 * 1.01 ** np.arange(1, 9)  # leader wins sessions 5..12 (8 sessions)
    lead[13:] = lead[12]
    closes = pd.DataFrame({"IWM": lead, "SPY": lag}, index=days)
    ev = altseason_events(closes, "IWM", "SPY", streak_length=6, base=250)
    assert list(ev.dates[STREAK_EVENTS]) == [days[10]]  # 6th winning session
    assert list(ev.streaks["length"]) == [8]
    with pytest.raises(AltseasonError, match="streak_length"):
        altseason_events(closes, "IWM", "SPY", streak_length=0)
    with pytest.raises(AltseasonError, match="QQQ"):
        altseason_events(closes, "QQQ", "SPY")


def test_real_data_smoke(market_dir: Path) -> None:
    coins = match_coins(DEFAULT_CRYPTO, list_csv_tickers(market_dir), keep_missing=False)
    prices = load_prices(["IWM", "SPY", *coins], source="csv", data_dir=market_dir)
    res = altseason_index(prices.closes, coins)
    assert "BTC-USD" not in res.coins and len(res.coins) == len(coins) - 1
    s = res.series.dropna()
    assert len(s) > 1500 and s["index"].between(0, 100).all()
    assert (s["n_coins"] >= res.min_coins).all() and (s["n_coins"] <= len(res.coins)).all()
    # altcoin seasons and Bitcoin seasons both happened on these coins
    assert (s["index"] >= 75).any() and (s["index"] < 25).any()
    cur = res.current
    assert cur is not None and cur.n_coins == int(cur.coins["included"].sum())
    assert cur.index == pytest.approx(100 * cur.coins["beats"].sum() / cur.n_coins)
    events = altseason_events(prices.closes, "IWM", "SPY")
    study = altseason_event_study(res, events, seed=0, n_draws=500)
    t = study.table
    assert set(t["kind"]) == {STREAK_EVENTS, BREAKOUT_EVENTS, SPREAD_EVENTS}
    assert (t["n_events"] <= t["n_input"]).all() and t["p_perm"].dropna().between(0, 1).all()
    assert t.loc[t["n_events"] < SMALL_N, "ci_low"].isna().all()


def test_exact_tail_equals_brute_force_enumeration() -> None:
    from itertools import combinations

    from core.altseason_study import _exact_tail

    rng = np.random.default_rng(5)
    y = rng.random(23) < 0.35
    for n, gap in ((1, 1), (2, 3), (3, 4), (4, 2)):
        sets = [c for c in combinations(range(len(y)), n) if all(b - a >= gap for a, b in zip(c, c[1:], strict=False))]
        sums = np.array([y[list(c)].sum() for c in sets])
        for hits in range(n + 1):
            assert _exact_tail(y, n, gap, hits) == pytest.approx((sums >= hits).mean(), abs=1e-12)


def test_few_events_get_an_exact_p_close_to_the_permutation_p() -> None:
    values = np.where(np.arange(300) % 40 < 10, 80.0, 10.0)
    idx, events = _study_fixture(values, [5, 100, 200])
    row = altseason_event_study(idx, events, horizons=[10], seed=3, n_draws=20000).table.iloc[0]
    assert row["n_events"] == 3 and not np.isnan(row["p_exact"])
    se = np.sqrt(row["p_exact"] * (1 - row["p_exact"]) / 20000)
    assert abs(row["p_perm"] - row["p_exact"]) < 4 * se + 1e-4


def test_no_events_give_empty_rows_not_errors() -> None:
    values = np.where(np.arange(120) % 30 < 5, 80.0, 10.0)
    idx, events = _study_fixture(values, [])
    t = altseason_event_study(idx, events, horizons=[5, 10], seed=0, n_draws=100).table
    assert len(t) == 6 and (t["n_events"] == 0).all() and (t["hits"] == 0).all()
    assert t[["event_rate", "p_perm", "p_exact", "p_binom", "ci_low"]].isna().all().all()
    assert (t["base_rate"] > 0).all()
