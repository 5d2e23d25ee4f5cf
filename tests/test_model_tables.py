"""Parameter tables: calibrated model annualized, scenario regimes as the engine simulates them."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.calibration import calibrate
from core.conventions import TRADING_DAYS
from core.data import list_csv_tickers, load_prices
from core.model_tables import (
    ALPHA_COLUMNS,
    COMOVEMENT_COLUMNS,
    alpha_table,
    calibrated_reference,
    calibrated_table,
    comovement_table,
    mean_alt_residual_corr,
    regime_table,
)
from core.montecarlo import _regime_tables, regime_parameters, russell_drift_path, simulate
from core.returns import compute_returns
from core.roles import match_coins
from core.scenario import list_scenarios, load_scenario, scenario_from_dict
from core.tickers import DEFAULT_CRYPTO
from tests.test_montecarlo import make_model

SHIPPED = {name: load_scenario(path) for name, path in list_scenarios().items()}
ANN = math.sqrt(252.0)  # literal on purpose: the tables must use the same trading year


def test_trading_year_is_252() -> None:
    assert TRADING_DAYS == 252


def test_calibrated_table_by_hand() -> None:
    m = make_model()
    t = calibrated_table(m)
    assert list(t.index) == ["IWM", "BTC", "AAA", "BBB"]
    assert t.loc["IWM", "alpha (/yr)"] == pytest.approx(0.0004 * 252)
    assert t.loc["BTC", "alpha (/yr)"] == pytest.approx(0.001 * 252)
    assert t.loc["AAA", "alpha (/yr)"] == pytest.approx(-0.0005 * 252)
    assert t.loc["IWM", "residual vol (/yr)"] == pytest.approx(0.012 * ANN)
    assert t.loc["BTC", "residual vol (/yr)"] == pytest.approx(0.03 * ANN)
    assert t.loc["BBB", "residual vol (/yr)"] == pytest.approx(0.05 * ANN)
    assert t.loc["BBB", "beta to Russell"] == 1.5 and t.loc["AAA", "loading on BTC residual"] == 1.1
    assert math.isnan(t.loc["IWM", "beta to Russell"]) and math.isnan(t.loc["BTC", "loading on BTC residual"])
    assert t.loc["BTC", "beta to Russell"] == 0.8
    assert (t["tail df"] == 4.0).all() and (t["n obs"] == 500).all()


def test_calibrated_reference_and_residual_correlation() -> None:
    m = make_model(alt_corr=0.3)
    ref = calibrated_reference(m)
    assert ref["btc_alpha"] == pytest.approx(0.252)
    assert ref["alt_alpha"] == pytest.approx((-0.0005 + 0.0002) / 2 * 252)
    assert ref["alt_beta"] == pytest.approx(1.35) and ref["annual_vol"] == pytest.approx(0.012 * ANN)
    assert mean_alt_residual_corr(m) == pytest.approx(0.3)
    c = np.array([[1.0, 0.2, 0.5], [0.2, 1.0, -0.1], [0.5, -0.1, 1.0]])
    m3 = replace(make_model(), alt_residual_corr=pd.DataFrame(c))
    assert mean_alt_residual_corr(m3) == pytest.approx(np.mean(c[np.triu_indices(3, 1)]))  # 0.2
    one = replace(make_model(), alt_residual_corr=pd.DataFrame([[1.0]]))
    assert math.isnan(mean_alt_residual_corr(one))


def test_regime_parameters_are_the_engine_tables() -> None:
    m = make_model()
    for scenario in SHIPPED.values():
        prm = regime_parameters(m, scenario, 63)
        eng = _regime_tables(m, scenario, 63)
        a = len(m.assets)
        coef = eng.coef.astype(float)
        np.testing.assert_allclose(coef[:a], prm.alpha, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(coef[a + 2:2 * a], prm.vol[2:], rtol=1e-6)
        np.testing.assert_allclose(coef[2 * a:3 * a], prm.beta, rtol=1e-6)
        np.testing.assert_allclose(coef[3 * a + 1], prm.vol[1], rtol=1e-6)  # BTC: u = sigma_B z_B
        np.testing.assert_allclose(coef[3 * a + 2:], prm.loading[2:] * prm.vol[1], rtol=1e-6)
        np.testing.assert_array_equal(eng.mu_path, russell_drift_path(m, scenario, 63))


def test_regime_table_by_hand() -> None:
    m = make_model()
    rev = SHIPPED["russell_reversal"]
    table = regime_table(m, rev, 63)
    assert list(table.columns) == ["risk_off", "capitulation"]
    cap = rev.regime("capitulation")
    assert table.loc["Altcoin beta, down days (mean)", "capitulation"] == pytest.approx(
        1.35 * cap.alt_beta_scale * cap.downside_beta_scale)
    assert table.loc["Russell vol (/yr)", "capitulation"] == pytest.approx(0.24 * 1.8)
    assert table.loc["Mean spell (days)", "capitulation"] == pytest.approx(1 / 0.12)
    base = float(np.mean(russell_drift_path(m, rev, 63))) * 252
    assert table.loc["Russell drift (log, /yr, horizon mean)", "risk_off"] == pytest.approx(base)
    assert table.loc["Russell drift (log, /yr, horizon mean)", "capitulation"] == pytest.approx(base - 0.8)
    assert table.loc["Long-run share of days"].sum() == pytest.approx(1.0)

    hist = regime_table(m, SHIPPED["historical_base"], 63)["historical"]
    assert hist["BTC beta, up days"] == hist["BTC beta, down days"] == pytest.approx(0.8)
    assert hist["BTC alpha (log, /yr)"] == pytest.approx(0.252)
    assert hist["Russell vol (/yr)"] == pytest.approx(0.012 * ANN)
    assert hist["Russell drift (log, /yr, horizon mean)"] == pytest.approx(0.0004 * 252)
    assert hist["Altcoin loading on BTC residual (mean)"] == pytest.approx(0.9)
    assert hist["Crypto tail df"] == 4.0 and math.isinf(hist["Mean spell (days)"])
    assert hist["Long-run share of days"] == pytest.approx(1.0)

    edited = scenario_from_dict({"name": "x", "horizon_days": 10, "regimes": [
        {"name": "a", "btc_alpha": 0.5, "alt_alpha": -0.25, "alt_beta": 2.0, "jump_intensity": 6.0,
         "alt_vol_scale": 2.0, "df": 7.0}]})
    col = regime_table(m, edited, 10)["a"]
    assert col["BTC alpha (log, /yr)"] == pytest.approx(0.5)
    assert col["Altcoin alpha (log, /yr, mean)"] == pytest.approx(-0.25)
    assert col["Altcoin beta, up days (mean)"] == pytest.approx(2.0)
    assert col["Jumps per year per token"] == pytest.approx(6.0)
    assert col["Altcoin residual vol (/yr, mean)"] == pytest.approx(0.045 * 2 * ANN)
    assert col["Crypto tail df"] == 7.0


def test_regime_table_is_what_the_engine_simulates() -> None:
    """One day of normal shocks: regress the simulated BTC log return on the Russell's."""
    m = make_model()
    scenario = scenario_from_dict({"name": "x", "horizon_days": 1, "regimes": [
        {"name": "a", "df": math.inf, "russell_df": math.inf, "btc_beta_scale": 1.5, "downside_beta_scale": 2.0,
         "btc_vol_scale": 0.5, "russell_vol_scale": 1.3}]})
    col = regime_table(m, scenario, 1)["a"]
    res = simulate(m, scenario, n_paths=200_000, horizon=1, rng=np.random.default_rng(8))
    r, b = np.log1p(res.terminal_returns[:, 0]), np.log1p(res.terminal_returns[:, 1])
    assert r.std() * ANN == pytest.approx(col["Russell vol (/yr)"], rel=0.01)
    for mask, row in ((r >= 0, "BTC beta, up days"), (r < 0, "BTC beta, down days")):
        slope, intercept = np.polyfit(r[mask], b[mask], 1)
        resid = b[mask] - (slope * r[mask] + intercept)
        se = resid.std() / (r[mask].std() * math.sqrt(mask.sum()))
        assert slope == pytest.approx(col[row], abs=4 * se)
        assert resid.std() * ANN == pytest.approx(col["BTC residual vol (/yr)"], rel=0.01)


def test_alpha_and_comovement_tables_by_hand() -> None:
    m = make_model()  # built by hand: no fit diagnostics
    a = alpha_table(m)
    assert list(a.index) == ["BTC", "AAA", "BBB"] and list(a.columns) == list(ALPHA_COLUMNS)
    assert a["alpha used (/yr)"].tolist() == pytest.approx([0.001 * 252, -0.0005 * 252, 0.0002 * 252])
    assert a["sample alpha (/yr)"].isna().all()
    c = comovement_table(m)
    assert list(c.columns) == list(COMOVEMENT_COLUMNS)
    # BTC's and each altcoin's residuals are independent of the Russell: the model beta is the loading
    assert c["beta, model"].tolist() == pytest.approx([0.8, 1.2, 1.5])
    s_r = 0.012
    sd_btc = math.hypot(0.8 * s_r, 0.03)
    assert c.loc["BTC", "corr, model"] == pytest.approx(0.8 * s_r / sd_btc)
    sd_aaa = math.sqrt((1.2 * s_r) ** 2 + (1.1 * 0.03) ** 2 + 0.04 ** 2)
    assert c.loc["AAA", "corr, model"] == pytest.approx(1.2 * s_r / sd_aaa)
    assert c["beta, history"].isna().all()


def test_alpha_and_comovement_tables_on_real_data(market_dir) -> None:
    crypto = match_coins(DEFAULT_CRYPTO, list_csv_tickers(market_dir), keep_missing=False)
    prices = load_prices(["IWM", *crypto], source="csv", data_dir=market_dir)
    model = calibrate(compute_returns(prices.closes, calendar=["IWM"]), russell="IWM", btc=crypto[0])
    a = alpha_table(model)
    assert list(a.index) == list(model.crypto)
    assert a["alpha used (/yr)"].to_numpy() == pytest.approx(
        (a["shrinkage factor"] * a["sample alpha (/yr)"]).to_numpy(), abs=1e-12)
    assert ((a["shrinkage factor"] >= 0) & (a["shrinkage factor"] <= 1)).all()
    assert (a["HAC s.e. (/yr)"] > 0).all()
    assert a["t-stat"].to_numpy() == pytest.approx((a["sample alpha (/yr)"] / a["HAC s.e. (/yr)"]).to_numpy())
    assert a.loc[model.btc, "sample alpha (/yr)"] == pytest.approx(model.alpha_sample[model.btc] * 252)
    c = comovement_table(model)
    assert (c["beta, model"] - c["beta, history"]).abs().max() <= 0.03
    assert (c["corr, model"] - c["corr, history"]).abs().max() <= 0.03
    assert c.loc[model.btc, "beta, history"] == pytest.approx(model.historical_beta[model.btc])
