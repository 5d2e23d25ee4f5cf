"""core.history_check: the claims' figures, by hand and on the real data; one event-study pipeline."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.__main__ import main
from core.commands.common import to_jsonable
from core.data import load_prices
from core.events import (
    compute_forward_returns,
    compute_pair_returns,
    event_study_after,
    event_study_distribution,
    find_breakouts,
    find_spread_events,
    find_streaks,
    run_event_study,
)
from core.history_check import (
    SMALL_N,
    check_spread_claim,
    check_streak_claim,
    event_counts,
    history_check,
    study_figure,
)
from core.returns import sample_on_calendar

CRYPTO = ["BTC-USD", "ETH-USD", "SOL-USDT", "LINK-USDT", "AVAX-USDT", "DOGE-USDT", "XRP-USDT", "ADA-USDT"]


def _closes_from_returns(leader: list[float], laggard: list[float]) -> pd.DataFrame:
    days = pd.bdate_range("2024-01-01", periods=len(leader) + 1)
    r = pd.DataFrame({"L": [0.0, *leader], "G": [0.0, *laggard]}, index=days)
    return 100.0 * (1.0 + r).cumprod()


def test_streak_claim_hand_computed() -> None:
    # sessions:    0    1    2    3     4    5    6    7    8    9   10   11   12   13
    leader = [.01, .01, .01, -.01, .02, .02, .02, .02, 0.0, .01, .01, .01, 0.0, .03]
    laggard = [0.0, 0.0, 0.0, 0.0, .01, .01, .01, .01, .01, 0.0, 0.0, 0.0, .01, .01]
    # runs: A = 0-2 (3), B = 4-7 (4), C = 9-11 (3), D = 13 (1, current)
    closes = _closes_from_returns(leader, laggard)
    daily = compute_pair_returns(closes["L"], closes["G"])
    days = daily.index
    claim = check_streak_claim(find_streaks(daily["leader"], daily["laggard"]), daily, leader="L",
                               laggard="G", min_length=3)
    assert claim.n_sessions == 14 and claim.first_session == days[0]
    assert (claim.longest.start, claim.longest.end, claim.longest.length) == (days[4], days[7], 4)
    assert claim.n_qualifying == 3
    assert (claim.recent.start, claim.recent.end, claim.recent.length) == (days[9], days[11], 3)
    assert claim.recent_longest_since == days[7]  # B, the last earlier run at least 3 long
    assert claim.previous_qualifying.end == days[7]
    assert claim.reached_on == days[11]
    assert claim.first_leader_return == pytest.approx(1.01**3 - 1, abs=1e-12)
    assert claim.first_laggard_return == pytest.approx(0.0, abs=1e-12)
    assert claim.recent.leader_return == pytest.approx(1.01**3 - 1, abs=1e-12)
    # with a 4-session claim only B qualifies; nothing as long before it
    four = check_streak_claim(find_streaks(daily["leader"], daily["laggard"]), daily, leader="L",
                              laggard="G", min_length=4)
    assert four.n_qualifying == 1 and four.recent.end == days[7]
    assert four.recent_longest_since is None and four.previous_qualifying is None
    assert four.first_leader_return == pytest.approx(1.02**4 - 1, abs=1e-12)
    assert four.first_laggard_return == pytest.approx(1.01**4 - 1, abs=1e-12)
    none = check_streak_claim(find_streaks(daily["leader"], daily["laggard"]), daily, leader="L",
                              laggard="G", min_length=5)
    assert none.n_qualifying == 0 and none.recent is None and np.isnan(none.first_leader_return)


def test_spread_claim_without_study_has_counts_only() -> None:
    closes = _closes_from_returns([0.03, 0.03, -0.05, 0.04, 0.04], [0.0] * 5)
    daily = compute_pair_returns(closes["L"], closes["G"])
    events = find_spread_events(daily["leader"], daily["laggard"], window=2, threshold=0.05)
    claim = check_spread_claim(events, None)
    # 2-session spread: NaN, 6.1 % (above at the first defined value: no crossing seen), -2.2 %,
    # -1.2 %, 8.2 % (a crossing from below)
    assert claim.n_events == len(events.events) == 1
    assert events.events["date"].iloc[0] == daily.index[4]
    assert claim.basket_vs_btc == {21: None, 63: None}


@pytest.fixture(scope="module")
def real_closes(market_dir: Path) -> pd.DataFrame:
    return load_prices(["IWM", "SPY", *CRYPTO], source="csv", data_dir=str(market_dir)).closes


@pytest.fixture(scope="module")
def real_check(real_closes: pd.DataFrame):
    return history_check(real_closes, "IWM", "SPY", crypto=CRYPTO, seed=3, n_boot=300)


def test_history_check_on_real_data(real_check, real_closes: pd.DataFrame) -> None:
    check = real_check
    assert check.btc == "BTC-USD" and check.eth == "ETH-USD" and check.alts == tuple(CRYPTO[1:])
    claim = check.streak_claim
    assert claim.longest.length == 14 and claim.longest.start == pd.Timestamp("2026-01-02")
    assert claim.n_qualifying == int((check.streaks.streaks["length"] >= 10).sum()) >= 1
    bo = check.breakout_claim
    named = {d.strftime("%Y-%m-%d"): n for d, n in ((n.date, n) for n in bo.named)}
    assert {"2016-11-14", "2020-11-13"} <= set(named)
    # BTC 252 sessions after the 2020 breakout, by hand on IWM's sessions
    sessions = real_closes.index[real_closes["IWM"].notna().to_numpy()]
    btc = real_closes["BTC-USD"].dropna().reindex(real_closes.index.union(sessions)).ffill().reindex(sessions)
    at = sessions.get_loc(pd.Timestamp("2020-11-13"))
    assert named["2020-11-13"].btc_forward[252] == pytest.approx(btc.iloc[at + 252] / btc.iloc[at] - 1, rel=1e-12)
    # NaN-aware: the interval is NaN under 5 events, and NaN != NaN in a dataclass's ==
    expected = study_figure(check.studies["breakouts"], "BTC-USD", 252)
    assert pd.Series(dataclasses.astuple(bo.btc_all)).equals(pd.Series(dataclasses.astuple(expected)))
    assert bo.btc_all.few_events == (bo.btc_all.n_events < SMALL_N)
    fig = check.spread_claim.basket_vs_btc[21]
    assert fig.asset == "basket vs BTC" and fig.n_events <= check.spread_claim.n_events


def test_cli_and_page_pipeline_give_the_same_event_study(
    real_check, market_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["breakouts", "--source", "csv", "--data-dir", str(market_dir), "--ticker", "IWM",
                 "--seed", "3", "--n-boot", "300"]) == 0
    cli = json.loads(capsys.readouterr().out)["event_study"]
    page = real_check.studies["breakouts"]  # what the Breakouts page renders
    assert cli["alts"] == list(page.alts) and cli["btc"] == page.btc and cli["seed"] == page.seed == 3
    records = page.table.astype(object).where(page.table.notna(), None).to_dict(orient="records")
    assert cli["table"] == to_jsonable(records)


def test_event_study_after_is_the_manual_pipeline(real_closes: pd.DataFrame) -> None:
    sessions = pd.DatetimeIndex(real_closes.index[real_closes["IWM"].notna().to_numpy()])
    events = find_breakouts(real_closes["IWM"], base=120).events["date"]
    crypto = real_closes[["BTC-USD", "ETH-USD", "SOL-USDT"]]
    study = event_study_after(crypto, events, calendar=sessions, btc="BTC-USD", eth="ETH-USD",
                              alts=("ETH-USD", "SOL-USDT"), horizons=(21, 63), seed=11, n_boot=200)
    forward = compute_forward_returns(sample_on_calendar(crypto, sessions), btc="BTC-USD", eth="ETH-USD",
                                      alts=("ETH-USD", "SOL-USDT"), horizons=(21, 63))
    manual = run_event_study(forward, events, np.random.default_rng(11), n_boot=200)
    pd.testing.assert_frame_equal(study.table, manual.table)
    pd.testing.assert_frame_equal(study.event_returns, manual.event_returns)
    assert (study.seed, study.btc, study.eth, study.alts) == (11, "BTC-USD", "ETH-USD", ("ETH-USD", "SOL-USDT"))
    # the chart's numbers: densities integrate to 1, means are the sample means, rows are used events
    dist = event_study_distribution(study, 63)
    for asset, part in dist.groupby("asset", sort=False):
        bars = part[part["kind"] == "all sessions"]
        assert float((bars["density"] * (bars["hi"] - bars["lo"])).sum()) == pytest.approx(1.0)
        mean_all = part.loc[(part["kind"] == "mean") & (part["group"] == "all sessions"), "forward_return"]
        assert mean_all.iloc[0] == pytest.approx(forward[(asset, 63)].mean(), rel=1e-12)
        used = study.event_returns.query("asset == @asset and horizon == 63 and used")
        assert (part["kind"] == "event").sum() == len(used) == part["n_events"].iloc[0]
    counts = event_counts(study, 63)
    assert counts.by_asset.to_dict() == dict(zip(manual.table.query("horizon == 63")["asset"],
                                                 manual.table.query("horizon == 63")["n_events"], strict=True))
    assert counts.fewest == counts.by_asset.min() and counts.few == (counts.fewest < SMALL_N)
