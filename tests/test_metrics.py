"""Outcome metrics: percentiles, probabilities with standard errors, VaR/ES, summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.metrics import (
    PROBABILITIES,
    Estimate,
    MetricsError,
    drawdown_distribution,
    fan_bands,
    mc_standard_error,
    prob_at_least,
    prob_at_most,
    prob_basket_beats_btc,
    summarize,
    summarize_outcome,
    var_es,
)
from core.montecarlo import SimulationResult, simulate
from tests.test_montecarlo import make_model, one_regime


def test_standard_error_formula() -> None:
    assert mc_standard_error(0.5, 100) == pytest.approx(0.05)
    assert mc_standard_error(0.0, 10) == 0.0
    assert mc_standard_error(1.0, 10) == 0.0
    with pytest.raises(MetricsError):
        mc_standard_error(0.5, 0)


def test_prob_at_least_hand_computed() -> None:
    r = np.array([-0.6, -0.5, 0.0, 0.2, 0.2, 1.0, 4.5, 0.19])
    est = prob_at_least(r, 0.2)
    assert est == Estimate(p=4 / 8, se=math.sqrt(0.5 * 0.5 / 8), n=8)
    assert prob_at_least(r, 1.0).p == 2 / 8
    assert prob_at_least(r, 4.0).p == 1 / 8
    assert prob_at_most(r, -0.5).p == 2 / 8
    assert prob_at_least(r, 10).p == 0.0 and prob_at_least(r, 10).se == 0.0
    with pytest.raises(MetricsError, match="target"):
        prob_at_least(r, math.nan)
    with pytest.raises(MetricsError, match="non-finite"):
        prob_at_least(np.array([0.1, np.nan]), 0.0)
    with pytest.raises(MetricsError, match="empty"):
        prob_at_least(np.array([]), 0.0)


def test_var_es_hand_computed() -> None:
    r = np.arange(-10, 10) / 10.0  # -1.0 .. 0.9, 20 values
    q = np.quantile(r, 0.05)  # linear: -1.0 + 0.95 * 0.1 = -0.905
    var, es = var_es(r)
    assert var == pytest.approx(-q) == pytest.approx(0.905)
    assert es == pytest.approx(1.0)  # only -1.0 lies at or below the 5% quantile
    var, es = var_es(r + 5)  # all gains: VaR is negative
    assert var < 0 and es < 0
    with pytest.raises(MetricsError, match="level"):
        var_es(r, 1.5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.999, 50, allow_nan=False), min_size=2, max_size=200))
def test_summary_matches_numpy(values: list[float]) -> None:
    r = np.array(values)
    dd = np.clip(np.abs(r), 0, 1)
    m = summarize_outcome(r, dd)
    assert [m.p05, m.p25, m.p50, m.p75, m.p95] == pytest.approx(np.quantile(r, [0.05, 0.25, 0.5, 0.75, 0.95]))
    assert m.mean == pytest.approx(r.mean())
    assert m.prob_ge_20pct == np.mean(r >= 0.2)
    assert m.prob_ge_2x == np.mean(r >= 1.0)
    assert m.prob_ge_5x == np.mean(r >= 4.0)
    assert m.prob_loss_50pct == np.mean(r <= -0.5)
    assert m.prob_max_dd_80pct == np.mean(dd >= 0.8)
    assert m.es95 >= m.var95 - 1e-12  # ES is the mean beyond VaR
    assert set(m.se) == set(PROBABILITIES)
    for key, se in m.se.items():
        p = getattr(m, key)
        assert se == pytest.approx(math.sqrt(p * (1 - p) / r.size))
    d = m.to_dict()
    assert list(d)[:6] == ["mean", "p05", "p25", "p50", "p75", "p95"]
    assert d["se"] == m.se


def test_summary_length_mismatch() -> None:
    with pytest.raises(MetricsError, match="3 returns but 2"):
        summarize_outcome(np.zeros(3), np.zeros(2))


def hand_result() -> SimulationResult:
    terminal = np.array([[0.1, 0.5, 1.2, 0.0], [0.0, 0.0, -0.6, 0.3], [0.2, 0.0, 5.0, -0.9]])
    dd = np.array([[0.0, 0.1, 0.2, 0.3], [0.1, 0.5, 0.85, 0.2], [0.0, 0.3, 0.1, 0.95]])
    basket = terminal[:, 2:].mean(axis=1)  # 0.6, -0.15, 2.05
    return SimulationResult(
        assets=("IWM", "BTC", "AAA", "BBB"), basket_assets=("AAA", "BBB"), basket_weights=np.array([0.5, 0.5]),
        terminal_returns=terminal, max_drawdowns=dd, basket_terminal_return=basket,
        basket_max_drawdown=np.array([0.2, 0.6, 0.9]), fan_steps=np.array([0, 1]),
        fan_bands=np.zeros((2, 5, 5)), regime_names=("a", "b"), regime_occupancy=np.array([0.75, 0.25]),
        scenario="hand", engine="parametric", n_paths=3, horizon=1, seed=1, block_length=None,
    )


def test_basket_beats_btc_and_summary_on_hand_result() -> None:
    res = hand_result()
    est = prob_basket_beats_btc(res)
    assert est.p == pytest.approx(2 / 3)  # 0.6 > 0.5, -0.15 < 0.0, 2.05 > 0.0
    assert est.se == pytest.approx(math.sqrt(2 / 9 / 3))
    m = summarize(res)
    assert list(m.assets) == ["IWM", "BTC", "AAA", "BBB"]
    assert m.assets["AAA"].prob_ge_5x == pytest.approx(1 / 3)
    assert m.assets["AAA"].prob_max_dd_80pct == pytest.approx(1 / 3)
    assert m.assets["AAA"].prob_loss_50pct == pytest.approx(1 / 3)
    assert m.basket.prob_max_dd_80pct == pytest.approx(1 / 3)
    assert m.basket.p50 == pytest.approx(0.6)
    assert m.regime_occupancy.to_dict() == {"a": 0.75, "b": 0.25}
    table = m.table()
    assert table.index.tolist() == ["IWM", "BTC", "AAA", "BBB", "basket"]
    assert table.loc["basket", "p50"] == pytest.approx(0.6)
    assert m.se_table().shape == (5, len(PROBABILITIES))
    dd = drawdown_distribution(res)
    assert dd.loc["BBB", "p50"] == pytest.approx(0.3)
    assert dd.loc["basket", "mean"] == pytest.approx((0.2 + 0.6 + 0.9) / 3)


def test_metrics_on_simulation() -> None:
    res = simulate(make_model(), one_regime(), n_paths=2000, horizon=10, rng=np.random.default_rng(0))
    m = summarize(res)
    btc = res.terminal_returns[:, 1]
    assert m.assets["BTC"].p50 == pytest.approx(np.median(btc))
    assert m.basket_beats_btc.p == pytest.approx(np.mean(res.basket_terminal_return > btc))
    assert fan_bands(res).equals(res.fan_frame())
