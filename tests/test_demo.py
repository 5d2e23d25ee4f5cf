"""The synthetic demo: deterministic, realistic, complete."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from core.data import load_prices
from core.demo import DEMO_CRYPTO, RUSSELL_VOL, SP_BETA, generate_demo_prices
from core.returns import compute_returns
from core.tickers import DEFAULT_TICKERS


def test_every_default_ticker_over_eight_years():
    prices = load_prices(DEFAULT_TICKERS, source="demo")
    assert list(prices.closes.columns) == list(DEFAULT_TICKERS)
    span = prices.closes.index.max() - prices.closes.index.min()
    assert span.days >= 8 * 365
    assert prices.label == "synthetic demo data" and prices.is_demo


def test_deterministic_across_calls():
    a = generate_demo_prices()
    generate_demo_prices.cache_clear()
    b = generate_demo_prices()
    pd.testing.assert_frame_equal(a, b)


def test_calendars_equities_weekdays_crypto_daily():
    px = generate_demo_prices()
    assert px["IWM"].dropna().index.dayofweek.max() <= 4
    assert (px["BTC-USD"].dropna().index.dayofweek == 6).any()


def test_realistic_vols_betas_and_fat_tails():
    r = compute_returns(generate_demo_prices(), calendar=["IWM"]).dropna()
    ann = np.sqrt(252)
    # Russell vol within 15% of its calibrated value; SPY beta within 0.1.
    assert abs(r["IWM"].std() * ann / RUSSELL_VOL - 1) < 0.15
    beta_spy = np.cov(r["SPY"], r["IWM"])[0, 1] / r["IWM"].var()
    assert abs(beta_spy - SP_BETA) < 0.1
    beta_btc = np.cov(r["BTC-USD"], r["IWM"])[0, 1] / r["IWM"].var()
    assert abs(beta_btc - DEMO_CRYPTO["BTC-USD"].beta) < 0.35
    corr = r.corr()
    assert 0.7 < corr.loc["IWM", "SPY"] < 0.95
    assert corr.loc["BTC-USD", "ETH-USD"] > 0.5
    assert stats.kurtosis(r["BTC-USD"]) > 1.0, "crypto returns have fat tails"


def test_altcoin_residuals_carry_the_calibrated_correlation():
    from core.calibration import calibrate
    from core.demo import ALT_RESIDUAL_CORR

    px = generate_demo_prices()
    cols = ["IWM", *DEMO_CRYPTO]
    m = calibrate(compute_returns(px[cols], calendar=["IWM"]), russell="IWM", btc="BTC-USD")
    c = m.alt_residual_corr.to_numpy()
    off = c[np.triu_indices_from(c, 1)]
    assert abs(off.mean() - ALT_RESIDUAL_CORR) < 0.05
