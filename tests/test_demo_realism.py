"""The demo market is realistic: long-run drifts, no coin growing thousands of times, no free altcoin season."""

from __future__ import annotations

import numpy as np
import pytest

from core.conventions import BASKET_VS_BTC
from core.demo import DEMO_CRYPTO, RUSSELL_VOL, generate_demo_prices
from core.events import compute_forward_returns
from core.returns import compute_returns, sample_on_calendar

CRYPTO = list(DEMO_CRYPTO)


@pytest.fixture(scope="module")
def demo():
    return generate_demo_prices()


def test_no_coin_grows_thousands_of_times(demo) -> None:
    for coin in CRYPTO:
        s = demo[coin].dropna()
        assert s.iloc[-1] / s.iloc[0] < 200.0, coin


def test_altcoin_basket_does_not_beat_btc_by_construction(demo) -> None:
    calendar = demo.index[demo["IWM"].notna()]
    forward = compute_forward_returns(sample_on_calendar(demo[CRYPTO], calendar), btc="BTC-USD",
                                      alts=CRYPTO[1:], horizons=(63,))
    rel = forward[(BASKET_VS_BTC, 63)].dropna()
    assert -0.15 < rel.median() < 0.0  # real data: -3.7%


def test_vols_and_correlations_stay_in_the_real_range(demo) -> None:
    r = compute_returns(demo[["IWM", *CRYPTO]], calendar=["IWM"])
    vol = r.std() * np.sqrt(252)
    assert vol["IWM"] == pytest.approx(RUSSELL_VOL, abs=0.03)
    assert 0.5 < vol["BTC-USD"] < 0.8 and all(0.6 < vol[c] < 1.6 for c in CRYPTO[1:])
    corr = r.corr()["IWM"]
    assert all(0.15 < corr[c] < 0.45 for c in CRYPTO)  # real: 0.23 to 0.33


def test_realized_drifts_are_typical(demo) -> None:
    # each coin's realized annual log drift within 1.5 sd of its target (the seed is typical)
    for coin, p in DEMO_CRYPTO.items():
        s = demo[coin].dropna()
        years = (s.index[-1] - s.index[0]).days / 365.25
        realized = np.log(s.iloc[-1] / s.iloc[0]) / years
        vol = np.sqrt(p.beta**2 * RUSSELL_VOL**2 + p.g**2 * DEMO_CRYPTO["BTC-USD"].resid_vol**2 + p.resid_vol**2)
        assert abs(realized - p.drift) < 1.5 * vol / np.sqrt(years), coin
