"""mode = "target": the median Russell path ends at the target at the scenario's horizon, whatever the regimes do."""

from __future__ import annotations

import numpy as np
import pytest

from core.montecarlo import regime_probabilities, russell_drift_path, simulate
from core.scenario import resolve_scenario, scenario_from_dict
from tests.test_montecarlo import demo_model


def _median_and_se(x: np.ndarray) -> tuple[float, float]:
    """Median of log(1 + x) and its asymptotic standard error (density from a normal fit)."""
    lx = np.log1p(x)
    return float(np.median(lx)), float(1.2533 * lx.std() / np.sqrt(lx.size))


@pytest.mark.parametrize("name", ["controlled_rally", "speculative_frenzy"])
def test_shipped_target_scenarios_deliver_their_median(name: str) -> None:
    s = resolve_scenario(name)
    res = simulate(demo_model(), s, n_paths=60_000, rng=np.random.default_rng(11))
    med, se = _median_and_se(res.terminal_returns[:, 0])
    assert abs(med - np.log1p(s.russell.target_return)) < 3.5 * se


def test_a_skewed_regime_mix_still_ends_at_the_target() -> None:
    # rare, sticky crashes with a large negative drift: the regime sum is left-skewed, so matching
    # the mean alone would put the median above the target
    s = scenario_from_dict({
        "name": "skew", "horizon_days": 63, "initial_regime": "calm",
        "russell": {"mode": "target", "target_return": 0.05, "annual_vol": 0.15},
        "regimes": [{"name": "calm", "df": 30.0, "russell_df": 30.0},
                    {"name": "crash", "russell_drift_shift": -4.0, "russell_vol_scale": 2.0,
                     "df": 30.0, "russell_df": 30.0}],
        "transition": {"calm": [0.99, 0.01], "crash": [0.05, 0.95]},
    })
    res = simulate(demo_model(), s, n_paths=80_000, rng=np.random.default_rng(5))
    lx = np.log1p(res.terminal_returns[:, 0])
    med, se = _median_and_se(res.terminal_returns[:, 0])
    assert abs(med - np.log1p(0.05)) < 3.5 * se
    assert lx.mean() < np.log1p(0.05) - 5 * lx.std() / np.sqrt(lx.size)  # the mean sits below


def test_the_drift_depends_on_the_scenario_not_on_the_seed_or_run_horizon() -> None:
    s = resolve_scenario("controlled_rally")
    a = russell_drift_path(demo_model(), s, 63)
    b = russell_drift_path(demo_model(), s, 126)
    assert np.allclose(a, b[:63])
    # the chain's expected shift is offset day by day: pullbacks become likelier after day 1
    assert a[0] < a[-1]


def test_regime_probabilities_are_rows_of_matrix_powers() -> None:
    s = resolve_scenario("speculative_frenzy")
    p = np.asarray(s.transition)
    probs = regime_probabilities(s, 40)
    e0 = np.eye(len(p))[s.regime_names.index(s.initial_regime)]
    for t in (0, 1, 7, 39):
        assert np.allclose(probs[t], e0 @ np.linalg.matrix_power(p, t))
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_phases_end_where_they_promise() -> None:
    s = resolve_scenario("russell_reversal")  # +2% over 10 days, then -14% over 53
    res = simulate(demo_model(), s, n_paths=60_000, rng=np.random.default_rng(2))
    med, se = _median_and_se(res.terminal_returns[:, 0])
    assert abs(med - np.log(1.02 * 0.86)) < 3.5 * se
