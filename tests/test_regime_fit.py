"""Markov-switching regime fit: real March 2020, recovery of known parameters, no look-ahead, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import core.regime_fit as rf
from core.data import load_prices
from core.regime_fit import MIN_FIT_OBS, RegimeFitError, filter_probabilities, fit_regimes
from core.returns import compute_returns


@pytest.fixture(scope="module")
def iwm(market_dir: Path) -> pd.Series:
    prices = load_prices(["IWM"], source="csv", data_dir=market_dir)
    return compute_returns(prices.closes[["IWM"]], calendar=["IWM"])["IWM"]


@pytest.fixture(scope="module")
def real_fit(iwm: pd.Series) -> rf.RegimeFit:
    return fit_regimes(iwm)


def two_state_series(n: int, seed: int) -> tuple[pd.Series, np.ndarray]:
    """Daily returns from a known two-state chain: calm (mean +0.05%, vol 0.8%), turbulent (-0.2%, 2.5%)."""
    rng = np.random.default_rng(seed)
    p = np.array([[0.98, 0.02], [0.05, 0.95]])
    mu, sigma = np.array([0.0005, -0.002]), np.array([0.008, 0.025])
    s = np.empty(n, dtype=int)
    s[0] = 0
    u = rng.random(n)
    for t in range(1, n):  # one short chain for a test fixture
        s[t] = int(u[t] < p[s[t - 1], 1])
    r = mu[s] + sigma[s] * rng.standard_normal(n)
    index = pd.bdate_range("2010-01-04", periods=n)
    return pd.Series(r, index=index, name="SYN"), s


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.Series, np.ndarray, rf.RegimeFit]:
    r, s = two_state_series(4000, seed=3)
    return r, s, fit_regimes(r, k=2)


def test_turbulent_state_in_march_2020(real_fit: rf.RegimeFit) -> None:
    names = real_fit.names
    assert names[0] == "calm" and names[-1] == "turbulent"
    vols = [s.vol_annual for s in real_fit.states]
    assert vols == sorted(vols)
    march = real_fit.filtered.loc["2020-03-01":"2020-03-31", "turbulent"]
    assert len(march) >= 20
    assert (march > 0.5).mean() > 0.5, march.round(2).tolist()
    # and in a quiet stretch (mid-2017: realized IWM vol about 12%/yr) it is not
    assert real_fit.filtered.loc["2017-06-01":"2017-08-31", "turbulent"].max() < 0.5


def test_real_fit_contract(real_fit: rf.RegimeFit, iwm: pd.Series) -> None:
    assert real_fit.k in (2, 3)
    assert real_fit.converged
    assert real_fit.bic[real_fit.k] == min(c.bic for c in real_fit.candidates if c.converged)
    assert "BIC" in real_fit.choice
    p = np.asarray(real_fit.transition)
    assert p.shape == (real_fit.k, real_fit.k)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    for i, s in enumerate(real_fit.states):
        assert s.expected_duration_days == pytest.approx(1.0 / (1.0 - p[i, i]))
        assert s.vol_annual == pytest.approx(s.vol_daily * math.sqrt(252))
        assert s.mean_annual == pytest.approx(s.mean_daily * 252)
    np.testing.assert_allclose(real_fit.filtered.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(real_fit.smoothed.sum(axis=1), 1.0, atol=1e-9)
    assert real_fit.last_date == iwm.dropna().index[-1]
    assert real_fit.last_probabilities == pytest.approx(real_fit.filtered.iloc[-1].tolist())
    assert real_fit.next_probabilities == pytest.approx(np.asarray(real_fit.last_probabilities) @ p)
    # the input is longer than the bound: the most recent MAX_FIT_OBS returns are fitted
    assert real_fit.truncated and real_fit.n_obs == rf.MAX_FIT_OBS == len(real_fit.filtered)
    # the fit's state moments agree with the smoothed-weighted moments of the data (EM fixed point)
    y = iwm.dropna().iloc[-rf.MAX_FIT_OBS:]
    for s in real_fit.states:
        w = real_fit.smoothed[s.name]
        mean = float((w * y).sum() / w.sum())
        vol = float(np.sqrt((w * (y - mean) ** 2).sum() / w.sum()))
        assert mean == pytest.approx(s.mean_daily, abs=2e-5)
        assert vol == pytest.approx(s.vol_daily, rel=0.02)


def test_same_data_same_fit(synthetic) -> None:
    r, _, fit = synthetic
    again = fit_regimes(r, k=2)
    np.testing.assert_array_equal(again.params, fit.params)
    assert again.transition == fit.transition


def test_known_two_state_parameters_recovered(synthetic) -> None:
    r, s, fit = synthetic
    calm, turb = fit.states
    assert calm.vol_daily == pytest.approx(0.008, rel=0.06)
    assert turb.vol_daily == pytest.approx(0.025, rel=0.08)
    # means: about 4 standard errors of a mean over the state's days
    assert calm.mean_daily == pytest.approx(0.0005, abs=4 * 0.008 / math.sqrt((s == 0).sum()))
    assert turb.mean_daily == pytest.approx(-0.002, abs=4 * 0.025 / math.sqrt((s == 1).sum()))
    p = np.asarray(fit.transition)
    assert p[0, 1] == pytest.approx(0.02, abs=0.01)
    assert p[1, 0] == pytest.approx(0.05, abs=0.02)
    assert calm.expected_duration_days == pytest.approx(50, rel=0.4)
    # the filtered state tracks the true one
    guess = fit.filtered["turbulent"].to_numpy() > 0.5
    assert (guess == (s == 1)).mean() > 0.9


def test_filtered_probabilities_have_no_look_ahead(synthetic) -> None:
    r, _, fit = synthetic
    cut = 2500
    early = filter_probabilities(fit, r.iloc[:cut])
    np.testing.assert_allclose(early.to_numpy(), fit.filtered.iloc[:cut].to_numpy(), rtol=0, atol=1e-12)
    # changing what happens after the cut changes nothing before it
    shocked = r.copy()
    shocked.iloc[cut:] *= 5.0
    again = filter_probabilities(fit, shocked)
    np.testing.assert_allclose(again.iloc[:cut].to_numpy(), fit.filtered.iloc[:cut].to_numpy(), rtol=0, atol=1e-12)
    assert not np.allclose(again.iloc[cut:].to_numpy(), fit.filtered.iloc[cut:].to_numpy())
    # the smoothed probabilities do use later data (that is why they are not the nowcast)
    assert not np.allclose(fit.smoothed.iloc[:cut].to_numpy(), fit.filtered.iloc[:cut].to_numpy(), atol=1e-3)


def test_too_little_data_names_what_is_missing() -> None:
    r, _ = two_state_series(MIN_FIT_OBS - 1, seed=1)
    with pytest.raises(RegimeFitError, match=rf"at least {MIN_FIT_OBS} daily returns of SYN.*got {MIN_FIT_OBS - 1}"):
        fit_regimes(r)
    with pytest.raises(RegimeFitError, match="at least"):
        fit_regimes(pd.Series([np.nan] * 10, index=pd.bdate_range("2020-01-01", periods=10), name="SYN"))
    with pytest.raises(RegimeFitError, match="number of states"):
        fit_regimes(r, k=4)
    flat = pd.Series(0.0, index=pd.bdate_range("2015-01-01", periods=MIN_FIT_OBS + 5), name="FLAT")
    with pytest.raises(RegimeFitError, match="FLAT do not vary"):
        fit_regimes(flat)


def test_non_convergence_is_an_error_naming_the_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    r, _ = two_state_series(MIN_FIT_OBS + 100, seed=2)
    real = rf._fit_one

    def never(y: np.ndarray, k: int):
        res, _ = real(y, k)
        return res, False

    monkeypatch.setattr(rf, "_fit_one", never)
    with pytest.raises(RegimeFitError, match=r"did not converge for 2 states \(600 returns"):
        fit_regimes(r, k=2)


def test_unconverged_candidate_is_not_chosen(monkeypatch: pytest.MonkeyPatch, synthetic) -> None:
    r, _, _ = synthetic
    real = rf._fit_one

    def three_fails(y: np.ndarray, k: int):
        res, ok = real(y, k)
        return res, ok and k != 3

    monkeypatch.setattr(rf, "_fit_one", three_fails)
    fit = fit_regimes(r)
    assert fit.k == 2
    assert "did not converge" in fit.choice
    assert {c.k: c.converged for c in fit.candidates} == {2: True, 3: False}
