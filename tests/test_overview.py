"""core.overview: today's state on a built market (by hand and against core's estimators) and the answer rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.claims import CLAIMS, CONTRADICTED, NOT_TESTABLE, SUPPORTED, TOO_FEW, VERDICTS, Verdict
from core.data import PriceData
from core.estimation import rolling_correlation
from core.overview import ANSWER_CLAIMS, CORR_WINDOW, answer, overview
from core.returns import compute_returns

BY_ID = {c.id: c for c in CLAIMS}


def _v(claim_id: str, verdict: str) -> Verdict:
    return Verdict(BY_ID[claim_id], verdict, "reason", n=7)


@pytest.mark.parametrize(
    ("verdicts", "head"),
    [
        ((SUPPORTED, TOO_FEW), "Yes, on the loaded data"),
        ((CONTRADICTED, TOO_FEW), "No: the loaded history does not show it"),
        ((SUPPORTED, CONTRADICTED), "Mixed"),
        ((TOO_FEW, NOT_TESTABLE), "Cannot tell"),
    ],
)
def test_answer_rule(verdicts: tuple[str, str], head: str) -> None:
    text = answer([_v(i, v) for i, v in zip(ANSWER_CLAIMS, verdicts, strict=True)]
                  + [_v("streak_10_longest_since_1990", SUPPORTED)])  # not an answer claim: ignored
    assert text.startswith(head)
    assert BY_ID[ANSWER_CLAIMS[0]].title in text and "10 straight" not in text


def _market() -> PriceData:
    rng = np.random.default_rng(5)
    days = pd.bdate_range("2019-01-01", periods=900)
    r = rng.normal(0, 0.01, len(days))
    r[300:320] = 0.004  # 20 up sessions: a run of highs after a base of ~300 flat-to-down sessions
    r[:300] = -0.0005 + rng.normal(0, 0.002, 300)
    iwm = 100 * np.exp(np.cumsum(r))
    spy = 100 * np.exp(np.cumsum(r - 0.0001))  # IWM beats SPY every session from the start
    spy[-3:] *= 1.02  # ... but SPY jumps 2 % on the third-last session: the streak restarts
    btc = 100 * np.exp(np.cumsum(0.5 * r + rng.normal(0, 0.02, len(days))))
    eth = 100 * np.exp(np.cumsum(rng.normal(0, 0.03, len(days))))
    closes = pd.DataFrame({"IWM": iwm, "SPY": spy, "BTC-USD": btc, "ETH-USD": eth}, index=days)
    closes.index.name = "date"
    return PriceData(closes=closes, sources={c: "csv" for c in closes.columns})


def test_today_by_hand_and_against_core() -> None:
    prices = _market()
    o = overview(prices, "IWM", "SPY", n_boot=200, regime=False)
    closes = prices.closes
    assert o.last_session == closes.index[-1]
    assert o.streak.length == 2  # the last two sessions: SPY's drop on the third-last broke it
    # the breakout: the first new high after >= 250 sessions without one
    highs = closes["IWM"].cummax()
    new_high = closes["IWM"] > highs.shift(1)
    expected = closes.index[new_high.to_numpy() & (np.arange(len(closes)) >= 250)][0]
    assert o.last_breakout >= expected and o.days_since_breakout == (closes.index[-1] - o.last_breakout).days
    rets = compute_returns(closes[["IWM", "BTC-USD"]], calendar=["IWM"])
    roll = rolling_correlation(rets["BTC-USD"], rets["IWM"], CORR_WINDOW).dropna()
    assert o.corr_today == pytest.approx(roll.iloc[-1])
    assert o.corr_percentile == pytest.approx((roll <= roll.iloc[-1]).mean())
    assert o.corr_n_windows == len(roll) == len(closes) - 1 - CORR_WINDOW + 1
    assert o.altseason is not None and o.altseason.coins == ("ETH-USD",)
    assert o.regime is None and np.isnan(o.regime_probability)
    assert sum(o.counts.values()) == len(CLAIMS) and set(o.counts) == set(VERDICTS)
    assert o.verdict("streak_10_longest_since_1990").verdict == NOT_TESTABLE  # 2019-2022 only


def test_missing_proxies_leave_notes_and_claims_still_evaluate() -> None:
    prices = _market()
    only_crypto = PriceData(closes=prices.closes[["BTC-USD", "ETH-USD"]],
                            sources={"BTC-USD": "csv", "ETH-USD": "csv"})
    o = overview(only_crypto, "IWM", "SPY", n_boot=200)
    assert o.streak is None and o.russell is None and o.regime is None
    assert any("IWM and SPY" in n for n in o.notes)
    assert len(o.verdicts) == len(CLAIMS) and o.counts[NOT_TESTABLE] == len(CLAIMS)
    with pytest.raises(KeyError, match="no claim 'nope'"):
        o.verdict("nope")
