"""The fitted-regimes scenario and starting any scenario from today's fitted probabilities."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from core.errors import ExplorerError
from core.fitted_scenario import (
    crypto_vol_scales,
    fitted_regimes_scenario,
    nowcast_mapping,
    start_from_nowcast,
)
from core.montecarlo import regime_parameters, simulate
from core.regime_fit import filter_probabilities, fit_regimes
from core.regimes import stationary_distribution
from core.scenario import scenario_from_dict, scenario_to_toml
from core.scenario_edits import parse_scenario_text
from tests.test_montecarlo import make_model
from tests.test_regime_fit import two_state_series


@pytest.fixture(scope="module")
def setup():
    r, s = two_state_series(1500, seed=7)
    r = r.rename("IWM")
    fit = fit_regimes(r, k=2)
    # calibration residuals on the last 800 sessions: BTC's residual vol 2% calm, 5% turbulent
    rng = np.random.default_rng(1)
    idx = r.index[-800:]
    state = s[-800:]
    z = rng.standard_normal((800, 4))
    resid = pd.DataFrame({"IWM": z[:, 0] * 0.01, "BTC": z[:, 1] * np.where(state == 1, 0.05, 0.02),
                          "AAA": z[:, 2] * 0.04, "BBB": z[:, 3] * np.where(state == 1, 0.08, 0.04)}, index=idx)
    return fit, make_model(residuals=resid), state


def test_regimes_carry_the_fitted_moments(setup) -> None:
    fit, model, _ = setup
    sc = fitted_regimes_scenario(fit, model)
    assert sc.regime_names == fit.names == ("calm", "turbulent")
    assert sc.transition == fit.transition
    assert sc.initial_probabilities == pytest.approx(fit.next_probabilities)
    assert sc.initial_regime == ("calm" if fit.next_probabilities[0] > 0.5 else "turbulent")
    assert sc.russell.mode == "calibrated"
    prm = regime_parameters(model, sc, 10)
    for i, state in enumerate(fit.states):
        assert prm.vol[0, i] == pytest.approx(state.vol_daily, rel=1e-12)  # sigma_R(s)
        assert prm.russell_drift[0] + prm.alpha[0, i] == pytest.approx(state.mean_daily, abs=1e-15)
        assert math.isinf(prm.russell_df[i])


def test_crypto_vols_conditioned_on_smoothed_states(setup) -> None:
    fit, model, state = setup
    btc, alt, rows = crypto_vol_scales(fit, model)
    assert rows == 800
    w = fit.smoothed.loc[model.residuals.index].to_numpy()
    u2 = model.residuals["BTC"].to_numpy() ** 2
    by_hand = np.sqrt((w.T @ u2) / w.sum(axis=0) / u2.mean())
    assert btc == pytest.approx(by_hand, rel=1e-12)
    assert btc[1] > 1.5 * btc[0]  # 5% vs 2% residual vol by construction
    a2 = model.residuals[["AAA", "BBB"]].to_numpy() ** 2
    ratios = (w.T @ a2) / w.sum(axis=0)[:, None] / a2.mean(axis=0)
    assert alt == pytest.approx(np.sqrt(ratios.mean(axis=1)), rel=1e-12)
    # occupancy-weighted, the squared scales average to one: total residual variance kept
    share = w.mean(axis=0)
    assert share @ btc**2 == pytest.approx(1.0, rel=1e-9)


def test_no_overlap_leaves_crypto_vols_calibrated(setup) -> None:
    fit, _, _ = setup
    far = make_model()  # its residuals carry no dates of the fit
    btc, alt, rows = crypto_vol_scales(fit.__class__(**{**fit.__dict__, "ticker": "IWM"}), far)
    assert rows == 0 and btc.tolist() == [1.0, 1.0] and alt.tolist() == [1.0, 1.0]


def test_toml_round_trip_and_import(setup) -> None:
    fit, model, _ = setup
    sc = fitted_regimes_scenario(fit, model)
    text = scenario_to_toml(sc)
    assert "initial_probabilities = [" in text and "russell_df = inf" in text
    assert scenario_from_dict(tomllib.loads(text)) == sc
    assert parse_scenario_text(text, "<test>") == sc


def test_day_one_russell_variance_is_the_mixture(setup) -> None:
    fit, model, _ = setup
    sc = fitted_regimes_scenario(fit, model)
    n = 60_000
    res = simulate(model, sc, n_paths=n, horizon=1, rng=np.random.default_rng(3))
    x = np.log1p(res.terminal_returns[:, 0])
    p = np.asarray(sc.initial_probabilities)
    mu = np.array([s.mean_daily for s in fit.states])
    sd = np.array([s.vol_daily for s in fit.states])
    mean = p @ mu
    var = p @ (sd**2 + mu**2) - mean**2
    dev2 = (x - x.mean()) ** 2
    assert abs(dev2.mean() - var) < 4 * dev2.std() / math.sqrt(n)
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / n)


def test_wrong_ticker_is_refused(setup) -> None:
    fit, model, _ = setup
    other = fit.__class__(**{**fit.__dict__, "ticker": "^RUT"})
    with pytest.raises(ExplorerError, match="regime fit is of '\\^RUT'"):
        fitted_regimes_scenario(other, model)


def _three(initial: str) -> object:
    return scenario_from_dict({
        "name": "tiers", "initial_regime": initial,
        "regimes": [{"name": "a"}, {"name": "b", "russell_vol_scale": 2.0}, {"name": "c"}],
        "transition": {"a": [0.9, 0.05, 0.05], "b": [0.1, 0.8, 0.1], "c": [0.2, 0.1, 0.7]},
    })


def test_mapping_by_nearest_russell_vol(setup) -> None:
    fit, model, _ = setup  # model Russell vol 1.2%/day: a and c at 1.2%, b at 2.4%
    assert fit.states[0].vol_daily < 0.0098 < 0.018 < fit.states[1].vol_daily  # nearer 1.2% / 2.4%
    p_calm, p_turb = fit.next_probabilities
    m = nowcast_mapping(fit, _three("a"), model)
    assert np.asarray(m.matrix) == pytest.approx(np.array([[1, 0, 0], [0, 1, 0]]))
    assert m.probabilities == pytest.approx((p_calm, p_turb, 0.0))
    # the start regime is not among the nearest: they share by their long-run odds
    m = nowcast_mapping(fit, _three("b"), model)
    pi = stationary_distribution(_three("b").transition)
    assert np.asarray(m.matrix)[0] == pytest.approx([pi[0] / (pi[0] + pi[2]), 0, pi[2] / (pi[0] + pi[2])])
    assert sum(m.probabilities) == pytest.approx(1.0)
    table = m.table()
    assert list(table.index) == ["calm", "turbulent"] and table.loc["turbulent", "scenario regime"] == "b"


def test_mapping_onto_the_fitted_scenario_is_the_identity(setup) -> None:
    fit, model, _ = setup
    sc = fitted_regimes_scenario(fit, model)
    m = nowcast_mapping(fit, sc, model)
    assert np.asarray(m.matrix) == pytest.approx(np.eye(2))
    assert start_from_nowcast(sc, m) == sc


def test_start_from_nowcast(setup) -> None:
    fit, model, _ = setup
    sc = _three("a")
    m = nowcast_mapping(fit, sc, model)
    started = start_from_nowcast(sc, m)
    assert started.initial_probabilities == pytest.approx(m.probabilities)
    assert started.regimes == sc.regimes and started.transition == sc.transition
    with pytest.raises(ExplorerError, match="mapping is for regimes a, b, c"):
        start_from_nowcast(fitted_regimes_scenario(fit, model), m)


def test_walk_forward_scenario_sees_only_the_past(setup) -> None:
    """Validation's fitted regimes: parameters from data to the previous year-end, filter to the origin."""
    from types import SimpleNamespace

    from core.fitted_scenario import FittedRegimesAtOrigins

    _, model, _ = setup
    r, _ = two_state_series(1500, seed=7)
    r = r.rename("IWM")
    date = pd.Timestamp("2015-06-30")
    walk = FittedRegimesAtOrigins(overrides=(("selectivity", 0.1),))
    past = SimpleNamespace(date=date, returns=r.loc[:date].to_frame(), model=model)
    scen = walk(past)
    fit = walk.fit_at(r, date)
    assert fit.end == r.loc[:"2014-12-31"].index[-1] and fit.last_date == date
    assert len(walk._fits) == 1  # one fit per year-end, reused by every origin of the year
    assert scen.selectivity == 0.1 and scen.initial_probabilities == pytest.approx(fit.next_probabilities)
    # what happens after the origin cannot change its scenario, even when handed to it
    future = r.copy()
    future.loc[date + pd.Timedelta(days=1):] *= -5.0
    fresh = FittedRegimesAtOrigins(overrides=(("selectivity", 0.1),))
    assert fresh(SimpleNamespace(date=date, returns=future.to_frame(), model=model)) == scen
    assert fresh == walk and hash(fresh) == hash(walk)
    # the filtered probabilities equal a filter of the past alone with the year-end parameters
    alone = filter_probabilities(fit, r.loc[fit.start:date])
    assert fit.last_probabilities == pytest.approx(tuple(alone.iloc[-1]))
