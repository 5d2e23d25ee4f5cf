"""core.claims: verdicts on hand-built frames where the answer is known, missing data, BH, real data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from core.claims import (
    CLAIMS,
    CONTRADICTED,
    MAX_GRID_CELLS,
    MIXED,
    NOT_TESTABLE,
    SUPPORTED,
    TOO_FEW,
    VERDICTS,
    ClaimError,
    Verdict,
    basket_peaks,
    bh_adjust,
    claim_tickers,
    dominance_panel,
    evaluate_claim,
    evaluate_claims,
    robustness_grid,
)
from core.data import PriceData, list_csv_tickers, load_prices
from core.events import compute_pair_returns, find_streaks
from core.history_check import check_streak_claim

BY_ID = {c.id: c for c in CLAIMS}


def _prices(closes: dict[str, pd.Series], source: str = "csv") -> PriceData:
    frame = pd.DataFrame(closes)
    frame.index.name = "date"
    return PriceData(closes=frame, sources={c: source for c in frame.columns})


def _streak_closes(start: str, end: str, runs: dict[str, int]) -> dict[str, pd.Series]:
    """^RUT/^GSPC closes on business days where ^RUT beats ^GSPC exactly on alternate sessions,
    except for runs of wins of the given lengths starting at the given dates."""
    days = pd.bdate_range(start, end)
    win = np.zeros(len(days), dtype=bool)
    win[::2] = True  # alternate: no streak longer than 1
    for first, length in runs.items():
        i = days.searchsorted(pd.Timestamp(first))
        win[i:i + length] = True
        if i + length < len(win):
            win[i + length] = False  # the run ends exactly there
        if i > 0:
            win[i - 1] = False
    lead = np.where(win, 0.002, -0.001)
    lead[0] = 0.0
    rut = pd.Series(100 * np.cumprod(1 + lead), index=days)
    gspc = pd.Series(100.0, index=days) * (1 + 0 * lead)
    return {"^RUT": rut, "^GSPC": gspc}


CLAIM10 = BY_ID["streak_10_longest_since_1990"]


def test_every_claim_is_declared_once_with_a_known_test() -> None:
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)) >= 13
    for c in CLAIMS:
        assert c.quote and c.source and c.title and c.asserts
        pd.Timestamp(c.date)  # a date
        hash(c)  # frozen and hashable
    with pytest.raises(ClaimError, match="unknown test 'nope'"):
        evaluate_claim(dataclasses.replace(CLAIM10, test="nope"), _prices(_streak_closes("2020", "2021", {})))
    prices = _prices(_streak_closes("2020", "2021", {}))
    for bad in (5, 10**6, 1.5):
        with pytest.raises(ClaimError, match=f"n_boot must be .* got {bad!r}"):
            evaluate_claims(prices, n_boot=bad)
    with pytest.raises(ClaimError, match="seed must be"):
        evaluate_claim(CLAIM10, prices, seed=-1)
    with pytest.raises(ClaimError, match="verdict must be one of"):
        Verdict(CLAIM10, "probably", "no reason")


def test_streak_never_matched_since_before_1990_is_supported() -> None:
    prices = _prices(_streak_closes("1988-01-04", "2026-02-27", {"2026-01-02": 10}))
    v = evaluate_claim(CLAIM10, prices)
    assert v.verdict == SUPPORTED, v.reason
    assert v.numbers["reached_on"] == "2026-01-15" and v.numbers["streak_length"] == 10
    assert v.numbers["longest_since_at_date"] is None and v.proxy == "^RUT/^GSPC"
    assert v.window.startswith("1988-01-05")


def test_streak_matched_in_1995_is_contradicted_at_the_date_and_after() -> None:
    prices = _prices(_streak_closes("1988-01-04", "2026-02-27", {"1995-03-01": 12, "2026-01-02": 10}))
    v = evaluate_claim(CLAIM10, prices)
    assert v.verdict == CONTRADICTED
    assert v.numbers["longest_since_at_date"] == "1995-03-16"  # 12 business days from 1995-03-01
    assert v.numbers["longest_since_after_end"] == "1995-03-16"


def test_streak_that_outgrows_the_earlier_one_is_mixed() -> None:
    # at 10 sessions a 1995 run of 11 matches it (contradicted); at its end (14) none does
    prices = _prices(_streak_closes("1988-01-04", "2026-02-27", {"1995-03-01": 11, "2026-01-02": 14}))
    v = evaluate_claim(CLAIM10, prices)
    assert v.verdict == MIXED
    assert v.numbers["longest_since_at_date"] == "1995-03-15"
    assert v.numbers["longest_since_after_end"] is None and v.numbers["streak_length"] == 14


def test_streak_not_reached_near_the_claim_date_is_contradicted() -> None:
    prices = _prices(_streak_closes("1988-01-04", "2026-02-27", {"2026-01-02": 6}))
    assert evaluate_claim(CLAIM10, prices).verdict == CONTRADICTED


def test_streak_claim_not_testable_without_the_history_or_the_date() -> None:
    short = _prices(_streak_closes("2000-01-03", "2026-02-27", {"2026-01-02": 10}))
    v = evaluate_claim(CLAIM10, short)
    assert v.verdict == NOT_TESTABLE and "after 1990" in v.reason
    early = _prices(_streak_closes("1988-01-04", "2025-06-30", {}))
    v = evaluate_claim(CLAIM10, early)
    assert v.verdict == NOT_TESTABLE and "2026-01-15" in v.reason


def test_check_streak_claim_as_of_ignores_later_streaks() -> None:
    closes = _streak_closes("2020-01-01", "2026-12-31", {"2026-01-02": 10, "2026-06-01": 12})
    daily = compute_pair_returns(closes["^RUT"], closes["^GSPC"])
    table = find_streaks(daily["leader"], daily["laggard"])
    latest = check_streak_claim(table, daily, leader="^RUT", laggard="^GSPC", min_length=10)
    assert latest.recent.start == pd.Timestamp("2026-06-01")
    then = check_streak_claim(table, daily, leader="^RUT", laggard="^GSPC", min_length=10,
                              as_of=pd.Timestamp("2026-01-20"))
    assert then.recent.start == pd.Timestamp("2026-01-02") and then.recent.length == 10


def _year_start(gains: list[float]) -> PriceData:
    days = pd.bdate_range("2025-12-01", "2026-02-27")
    r = np.zeros(len(days))
    start = days.searchsorted(pd.Timestamp("2026-01-01"))
    r[start:start + len(gains)] = gains
    return _prices({"^RUT": pd.Series(100 * np.cumprod(1 + r), index=days)})


def test_start_of_year_by_hand() -> None:
    claim = BY_ID["up_7pct_first_15_days_2026"]
    # +0.5 % a session: 11 sessions to 2026-01-15 (1.005^11 - 1 = 5.6 %), 15 sessions 7.8 %
    v = evaluate_claim(claim, _year_start([0.005] * 15))
    assert v.numbers["return_first_15_days"] == pytest.approx(1.005 ** 11 - 1)
    assert v.numbers["return_first_15_sessions"] == pytest.approx(1.005 ** 15 - 1)
    assert v.verdict == MIXED
    v = evaluate_claim(claim, _year_start([0.0062] * 15))  # 6.9 % and 9.7 %: rounds to 7 %
    assert v.verdict == SUPPORTED
    v = evaluate_claim(claim, _year_start([0.002] * 15))
    assert v.verdict == CONTRADICTED
    v = evaluate_claim(claim, _prices({"IWM": pd.Series(1.0, index=pd.bdate_range("2026-01-02", periods=3))}))
    assert v.verdict == NOT_TESTABLE


def test_dominance_panel_by_hand() -> None:
    days = pd.bdate_range("2024-01-01", periods=3)
    sampled = pd.DataFrame({"BTC-USD": [100.0, 100.0, 50.0], "A-USD": [1.0, 2.0, 2.0], "B-USD": [1.0, 1.0, np.nan]},
                           index=days)
    panel = dominance_panel(sampled, "BTC-USD", ["A-USD", "B-USD"], (1, 2))
    # day 0 -> 1: BTC 1/3 of the basket stays 1/3, alts 1/3 + 1/3 -> 2/3 + 1/3: alt share 3/4 from 2/3
    assert panel[("alt dominance", 1)].iloc[0] == pytest.approx(0.75 - 2 / 3)
    # day 0 -> 2: only A has both closes: s0 = 1/2, a = 2, b = 0.5 -> share 2 / 2.5 = 0.8
    assert panel[("alt dominance", 2)].iloc[0] == pytest.approx(0.8 - 0.5)
    assert np.isnan(panel[("alt dominance", 2)].iloc[1])


def test_basket_peaks_by_hand() -> None:
    days = pd.bdate_range("2024-01-01", periods=4)
    sampled = pd.DataFrame({"A-USD": [1.0, 3.0, 1.0, 1.0], "B-USD": [2.0, 2.0, 4.0, 2.0]}, index=days)
    peaks = basket_peaks(sampled, ["A-USD", "B-USD"], 2)
    # from day 0: basket (3 + 1) / 2 = 2 after 1, (1 + 2) / 2 = 1.5 after 2 -> peak +100 %
    assert peaks["peak"].iloc[0] == pytest.approx(1.0)
    assert peaks["best_coin_peak"].iloc[0] == pytest.approx(2.0)
    # from day 1: (1/3 + 2) / 2, (1/3 + 1) / 2 -> peak 7/6 - 1
    assert peaks["peak"].iloc[1] == pytest.approx(7 / 6 - 1)
    assert peaks["peak"].iloc[2:].isna().all()


def test_bh_adjust_equals_statsmodels_and_keeps_nan() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 20)
    p[[3, 11]] = np.nan
    q = bh_adjust(p)
    ok = ~np.isnan(p)
    assert np.allclose(q[ok], multipletests(p[ok], alpha=0.05, method="fdr_bh")[1])
    assert np.isnan(q[~ok]).all()


def test_robustness_grid_bounds_and_survival_rule() -> None:
    axes = {"threshold": (0.03, 0.05, 0.07), "window": (5, 10)}
    pvals = {(0.03, 5): 0.001, (0.03, 10): 0.002, (0.05, 5): 0.003, (0.05, 10): 0.004,
             (0.07, 5): 0.5, (0.07, 10): 0.9}
    r = robustness_grid(axes, lambda c: (10, 0.01, pvals[(c["threshold"], c["window"])]),
                        {"threshold": 0.05, "window": 10})
    assert list(r.grid["q_value"]) == pytest.approx(list(multipletests(list(pvals.values()), method="fdr_bh")[1]))
    assert r.headline["p_value"] == 0.004 and r.survives and "4 of 6" in r.summary
    # the wrong sign is never significant; too few events are not tested
    r = robustness_grid(axes, lambda c: (10, -0.01, 0.001), {"threshold": 0.05, "window": 10})
    assert not r.survives
    r = robustness_grid(axes, lambda c: (2, 0.01, 0.001), {"threshold": 0.05, "window": 10})
    assert not r.survives and r.grid["q_value"].isna().all() and "Not testable" in r.summary
    with pytest.raises(ClaimError, match="exceeds the limit"):
        robustness_grid({"a": range(MAX_GRID_CELLS + 1)}, lambda c: (1, 0.0, 0.5), {})


def _spread_market(n_events: int, alt_jump: float) -> PriceData:
    """^RUT/^GSPC and IWM/SPY with a 6-point small-cap spurt every 80 sessions, BTC flat with noise
    and two altcoins that jump ``alt_jump`` over the 10 sessions after each spurt."""
    rng = np.random.default_rng(0)
    days = pd.bdate_range("2015-01-01", periods=80 * n_events + 200)
    lead = rng.normal(0, 0.002, len(days))
    alt = rng.normal(0, 0.01, len(days))
    for k in range(n_events):
        t = 100 + 80 * k
        lead[t - 5:t] += 0.012  # +6 % over 5 sessions: the 10-session spread crosses 5 %
        alt[t + 1:t + 11] += np.log1p(alt_jump) / 10
    rut = 100 * np.exp(np.cumsum(lead))
    btc = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
    closes = {"^RUT": rut, "^GSPC": np.full(len(days), 100.0), "IWM": rut / 10, "SPY": np.full(len(days), 10.0),
              "BTC-USD": btc, "ETH-USD": btc * np.exp(np.cumsum(alt)),
              "SOL-USD": 2 * btc * np.exp(np.cumsum(alt))}
    return _prices({k: pd.Series(v, index=days) for k, v in closes.items()})


def test_spread_dominance_supported_when_alts_jump_after_every_spurt() -> None:
    v = evaluate_claim(BY_ID["spread_5pct_alt_dominance_rises"], _spread_market(8, 0.5), n_boot=500)
    assert v.verdict == SUPPORTED, v.reason
    assert v.n == 8 and v.numbers["mean_change_after"] > 0.02 and v.numbers["p_value"] < 0.05
    assert v.robustness is not None and len(v.robustness.grid) == 36
    head = v.robustness.headline
    assert (head["proxy"], head["threshold"], head["window"], head["horizon"]) == ("^RUT/^GSPC", 0.05, 10, 21)


def test_spread_dominance_contradicted_without_a_jump_and_too_few_with_three_events() -> None:
    v = evaluate_claim(BY_ID["spread_5pct_alt_dominance_rises"], _spread_market(8, 0.0), n_boot=500)
    assert v.verdict == CONTRADICTED, v.reason
    v = evaluate_claim(BY_ID["spread_5pct_alt_dominance_rises"], _spread_market(3, 0.5), n_boot=500)
    assert v.verdict == TOO_FEW and v.n == 3


def _eth_market(noise: float) -> PriceData:
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2018-01-01", periods=1200)
    r = rng.normal(0, 0.01, len(days))
    eth = r + rng.normal(0, noise, len(days))
    return _prices({"^RUT": pd.Series(100 * np.exp(np.cumsum(r)), index=days),
                    "BTC-USD": pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, len(days)))), index=days),
                    "ETH-USD": pd.Series(100 * np.exp(np.cumsum(eth)), index=days)})


def test_eth_correlation_verdicts() -> None:
    claim = BY_ID["eth_russell_correlation_07"]
    tight = evaluate_claim(claim, _eth_market(0.003))  # corr ~ 0.96
    assert tight.verdict == SUPPORTED and tight.numbers["daily_corr"] > 0.9
    assert tight.numbers["rolling_90_share_at_least"] == pytest.approx(1.0)
    loose = evaluate_claim(claim, _eth_market(0.05))  # corr ~ 0.2
    assert loose.verdict == CONTRADICTED and loose.numbers["rolling_90_share_at_least"] == 0.0


def test_missing_series_are_not_testable_and_the_others_still_evaluate() -> None:
    prices = _eth_market(0.003)
    no_eth = _prices({c: prices.closes[c] for c in ("^RUT", "BTC-USD")})
    verdicts = {v.id: v for v in evaluate_claims(no_eth, n_boot=200)}
    assert set(verdicts) == {c.id for c in CLAIMS}
    eth = verdicts["eth_russell_correlation_07"]
    assert eth.verdict == NOT_TESTABLE and "ETH" in eth.reason
    streak = verdicts["streak_10_longest_since_1990"]
    assert streak.verdict == NOT_TESTABLE and "^RUT with ^GSPC, or IWM with SPY" in streak.reason
    assert verdicts["small_caps_lead_crypto"].verdict != NOT_TESTABLE  # ^RUT and BTC suffice


def test_synthetic_demo_series_never_judge_a_claim() -> None:
    demo = load_prices(claim_tickers(), source="demo")
    verdicts = evaluate_claims(demo, n_boot=200)
    assert {v.verdict for v in verdicts} == {NOT_TESTABLE}
    assert all("synthetic" in v.reason for v in verdicts)


# ---------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(market_dir) -> dict[str, Verdict]:
    prices = load_prices(claim_tickers(list_csv_tickers(market_dir)), source="csv", data_dir=str(market_dir))
    return {v.id: v for v in evaluate_claims(prices, n_boot=500)}


@pytest.fixture(scope="module")
def rut(market_dir) -> pd.Series:
    raw = pd.read_csv(market_dir / "RUT.csv")
    raw.columns = [c.lower().replace(" ", "_") for c in raw.columns]
    close = raw["adj_close"] if "adj_close" in raw else raw["close"]
    return pd.Series(close.to_numpy(), index=pd.to_datetime(raw["date"]))


def test_real_ten_session_claim_in_january_2026(real: dict[str, Verdict]) -> None:
    v = real["streak_10_longest_since_1990"]
    assert v.proxy == "^RUT/^GSPC" and v.window.startswith("1987-09-11")
    n = v.numbers
    assert (n["streak_start"], n["reached_on"], n["streak_end"], n["streak_length"]) == (
        "2026-01-02", "2026-01-15", "2026-01-22", 14)
    # at 10 sessions: matched by the 13-session run of 2008; at 14: by the 16-session run of 1996
    assert n["longest_since_at_date"] == "2008-06-06" and n["longest_since_after_end"] == "1996-05-07"
    assert v.verdict == CONTRADICTED
    assert n["cross_check_proxy"] == "IWM/SPY" and n["cross_check_reached_on"] == "2026-01-15"


def test_real_record_claims(real: dict[str, Verdict]) -> None:
    assert real["streak_9_longest_since_2017"].verdict == SUPPORTED
    assert real["streak_9_longest_since_2017"].numbers["longest_since_at_date"] == "2017-09-01"
    rec = real["record_high_first_since_2021"]
    assert rec.verdict == SUPPORTED
    assert (rec.numbers["record_date"], rec.numbers["prior_high_date"]) == ("2025-09-18", "2021-11-08")
    wk = real["weekly_gain_7_longest_since_2020"]
    assert wk.verdict == SUPPORTED and wk.numbers["longest_since_at_date"] == "2020-12-24"


def test_real_start_of_year_matches_the_file(real: dict[str, Verdict], rut: pd.Series) -> None:
    base = rut.loc[:"2025-12-31"].iloc[-1]
    v7 = real["up_7pct_first_15_days_2026"]
    assert v7.numbers["return_first_15_days"] == pytest.approx(rut.loc[:"2026-01-15"].iloc[-1] / base - 1)
    assert v7.verdict == SUPPORTED
    v9 = real["up_9pct_first_three_weeks_2026"]
    assert v9.numbers["return_first_21_days"] == pytest.approx(rut.loc[:"2026-01-21"].iloc[-1] / base - 1)
    assert v9.verdict == MIXED  # +8.7 % by 21 days rounds to 9 %, +7.5 % after 15 sessions does not


def test_real_event_and_comovement_claims(real: dict[str, Verdict]) -> None:
    assert set(v.verdict for v in real.values()) <= set(VERDICTS)
    assert all(v.verdict != NOT_TESTABLE for v in real.values()), {k: v.reason for k, v in real.items()}
    btc = real["breakouts_2016_2020_btc_bull"]
    assert (btc.numbers["breakout_2016"], btc.numbers["breakout_2020"]) == ("2016-11-14", "2020-11-13")
    assert btc.verdict == SUPPORTED and btc.n == 2 and btc.robustness is not None
    assert real["breakouts_altcoin_rallies"].verdict == TOO_FEW  # only 2020 has a year of altcoin data
    cap = real["crypto_cap_tracks_russell"]
    assert cap.numbers["market_cap_proxy"].startswith("BTC+ETH") and cap.numbers["headline_definition"] in (
        "levels", "returns")
    dom = real["spread_5pct_alt_dominance_rises"]
    assert dom.robustness is not None and dom.robustness.grid["q_value"].notna().any()
    assert "1 - BTC share" in dom.numbers["dominance_proxy"]


@pytest.mark.parametrize(
    ("start", "end", "tickers", "claim_id"),
    [
        ("2026-01-10", "2026-03-01", ["^RUT", "^GSPC"], "streak_10_longest_since_1990"),  # mid-streak start
        ("2025-06-01", "2026-03-01", ["^RUT"], "record_high_first_since_2021"),  # 2021 high not loaded
        ("2014-01-01", "2016-12-31", ["^RUT", "BTC-USD"], "breakouts_2016_2020_btc_bull"),  # no 2020
        ("2014-01-01", "2016-12-31", ["IWM", "BTC-USD"], "crypto_cap_tracks_russell"),  # ends before the claim
        ("2025-06-01", "2026-12-31", ["IWM", "BTC-USD"], "crypto_leads_small_caps"),  # too short for a lead
    ],
)
def test_truncated_history_is_not_testable_never_contradicted(
    market_dir, start: str, end: str, tickers: list[str], claim_id: str
) -> None:
    prices = load_prices(tickers, start, end, source="csv", data_dir=str(market_dir))
    v = evaluate_claim(BY_ID[claim_id], prices, n_boot=200)
    assert v.verdict == NOT_TESTABLE, v.reason

