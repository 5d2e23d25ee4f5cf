"""The regime chain started from a probability vector (``initial_probabilities``) in the engine and the Markov helpers."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from core.montecarlo import (
    _chunk_regimes,
    _cumulative_rows,
    _initial_states,
    regime_probabilities,
    simulate,
)
from core.regimes import expected_occupancy, initial_distribution, occupancy_table
from core.scenario import (
    SCENARIO_DIR,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
    with_overrides,
)
from tests.test_montecarlo import make_model

THREE = scenario_from_dict({
    "name": "three", "horizon_days": 30, "initial_regime": "a",
    "regimes": [{"name": "a"}, {"name": "b", "russell_vol_scale": 2.0, "russell_drift_shift": -0.5},
                {"name": "c", "russell_vol_scale": 0.5}],
    "transition": {"a": [0.9, 0.08, 0.02], "b": [0.1, 0.85, 0.05], "c": [0.03, 0.02, 0.95]},
    "initial_probabilities": [0.2, 0.5, 0.3],
})
P0 = np.array([0.2, 0.5, 0.3])

#: Outputs of the engine before initial_probabilities existed (commit 994a28d), make_model(), 2,000
#: paths, 40 days, seed 5: (mean terminal return over assets, mean basket return, occupancy of the
#: first regime). A scenario without initial_probabilities must still give exactly these numbers.
BEFORE = {
    ("controlled_rally", "parametric"): (0.076706767258, 0.093624019921, 0.896075000000),
    ("controlled_rally", "bootstrap"): (0.070691938896, 0.083843092576, 0.897200000000),
    ("historical_base", "parametric"): (0.072621426671, 0.094311070405, 1.000000000000),
    ("historical_base", "bootstrap"): (0.069238985794, 0.089287002015, 1.000000000000),
    ("russell_reversal", "parametric"): (-0.235457611393, -0.337354299793, 0.950075000000),
    ("russell_reversal", "bootstrap"): (-0.251486518717, -0.361187940886, 0.950687500000),
    ("speculative_frenzy", "parametric"): (0.150384496172, 0.292073289754, 0.674300000000),
    ("speculative_frenzy", "bootstrap"): (0.143256731862, 0.282961213163, 0.676862500000),
}


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_scenarios_without_start_probabilities_are_unchanged(key: tuple[str, str]) -> None:
    stem, engine = key
    scenario = load_scenario(list_scenarios(SCENARIO_DIR)[stem])
    assert scenario.initial_probabilities is None
    res = simulate(make_model(), scenario, n_paths=2000, horizon=40, rng=np.random.default_rng(5), engine=engine)
    got = (res.terminal_returns.mean(), res.basket_terminal_return.mean(), res.regime_occupancy[0])
    # a different random stream would move these by ~1e-3; float32 rounding differences by ~1e-8
    assert got == pytest.approx(BEFORE[key], abs=1e-9)


def test_no_start_probabilities_draws_no_random_numbers() -> None:
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    start = _initial_states(rng, replace(THREE, initial_probabilities=None), 10)
    assert rng.bit_generator.state == before
    assert start.tolist() == [0] * 10
    # one regime: nothing to draw either
    single = scenario_from_dict({"name": "one", "regimes": [{"name": "x"}], "initial_probabilities": [1.0]})
    _initial_states(rng, single, 10)
    assert rng.bit_generator.state == before


def test_day_one_regime_frequencies_match_the_vector() -> None:
    n = 40_000
    res = simulate(make_model(), THREE, n_paths=n, horizon=1, rng=np.random.default_rng(8))
    se = np.sqrt(P0 * (1 - P0) / n)
    assert np.all(np.abs(res.regime_occupancy - P0) < 4 * se), (res.regime_occupancy, P0)
    # zero-probability regimes are never drawn
    zero = with_overrides(THREE, {"initial_probabilities": [0.0, 1.0, 0.0]})
    assert _initial_states(np.random.default_rng(1), zero, 5000).tolist() == [1] * 5000


def test_regime_probabilities_match_the_simulated_chain() -> None:
    n, days = 20_000, 30
    probs = regime_probabilities(THREE, days)
    assert probs[0] == pytest.approx(P0)
    p = np.asarray(THREE.transition)
    assert probs[5] == pytest.approx(P0 @ np.linalg.matrix_power(p, 5))
    rng = np.random.default_rng(21)
    regimes, _ = _chunk_regimes(rng, _initial_states(rng, THREE, n), days, _cumulative_rows(p))
    freq = np.stack([np.bincount(regimes[t], minlength=3) / n for t in range(days)])
    se = np.sqrt(probs * (1 - probs) / n)
    z = np.abs(freq - probs) / se
    assert z.max() < 4.5, z.max()  # 90 binomial comparisons
    # the engine's occupancy over the horizon is the mean of those rows (days on a path are
    # dependent: a path's share of days is a mean in [0, 1], so its sd is at most 1/2)
    res = simulate(make_model(), THREE, n_paths=n, horizon=days, rng=np.random.default_rng(4))
    assert np.abs(res.regime_occupancy - probs.mean(axis=0)).max() < 4 * 0.5 / math.sqrt(n)


def test_expected_occupancy_and_tables_use_the_vector() -> None:
    assert initial_distribution(THREE) == pytest.approx(P0)
    assert initial_distribution(replace(THREE, initial_probabilities=None)) == pytest.approx([1, 0, 0])
    occ = expected_occupancy(THREE.transition, P0, 30)
    assert occ == pytest.approx(regime_probabilities(THREE, 30).mean(axis=0), abs=1e-12)
    # a vector is the mixture of the one-hot starts
    mix = sum(P0[i] * expected_occupancy(THREE.transition, i, 30) for i in range(3))
    assert occ == pytest.approx(mix, abs=1e-12)
    table = occupancy_table(THREE, 30)
    assert table["expected over the horizon"].to_numpy() == pytest.approx(occ)
    with pytest.raises(ValueError, match="initial probabilities must be 3"):
        expected_occupancy(THREE.transition, [0.5, 0.5], 30)


def test_russell_target_holds_from_a_vector() -> None:
    """mode=target: the median Russell path still ends at the target when the chain starts from a vector."""
    base = load_scenario(list_scenarios(SCENARIO_DIR)["controlled_rally"])
    started = with_overrides(base, {"initial_probabilities": [0.3, 0.7]})  # mostly in the pullback
    n = 40_000
    res = simulate(make_model(), started, n_paths=n, rng=np.random.default_rng(2))
    log_r = np.log1p(res.terminal_returns[:, 0])
    target = math.log1p(base.russell.target_return)
    density = np.mean(np.abs(log_r - np.median(log_r)) < 0.01) / 0.02
    se_median = 1.0 / (2.0 * density * math.sqrt(n))
    assert abs(np.median(log_r) - target) < 4 * se_median
    # and it differs from the run started in the named regime (the start matters)
    assert res.regime_occupancy[1] > simulate(make_model(), base, n_paths=n,
                                              rng=np.random.default_rng(2)).regime_occupancy[1] + 0.05


@pytest.mark.parametrize(("value", "message"), [
    ([0.5, 0.5], r"initial_probabilities' = \[0.5, 0.5\]: must be a list of 3 probabilities \(a, b, c\)"),
    ([0.5, 0.6, -0.1], r"initial_probabilities\[2\]' = -0.1: probability must be a number in \[0, 1\]"),
    ([0.5, 0.6, 0.1], r"initial_probabilities' = \[0.5, 0.6, 0.1\]: must sum to 1 \(sums to 1.2\)"),
    ([0.5, "x", 0.5], r"initial_probabilities\[1\]' = 'x'"),
    ([0.5, float("nan"), 0.5], r"initial_probabilities\[1\]' = nan"),
    ("0.5", r"initial_probabilities' = '0.5': must be a list"),
])
def test_bad_start_probabilities_name_the_field(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        with_overrides(THREE, {"initial_probabilities": value})


def test_start_probabilities_toml_round_trip_and_removal() -> None:
    import tomllib

    from core.scenario import scenario_to_toml

    text = scenario_to_toml(THREE)
    assert "initial_probabilities = [0.2, 0.5, 0.3]" in text
    assert scenario_from_dict(tomllib.loads(text)) == THREE
    plain = with_overrides(THREE, {"initial_probabilities": None})
    assert plain.initial_probabilities is None and "initial_probabilities" not in scenario_to_toml(plain)


def test_changing_the_initial_regime_replaces_the_start_probabilities() -> None:
    from core.scenario_edits import apply_settings, scenario_diff

    assert with_overrides(THREE, {"initial_regime": "a"}).initial_probabilities == THREE.initial_probabilities
    named = with_overrides(THREE, {"initial_regime": "b"})
    assert named.initial_regime == "b" and named.initial_probabilities is None
    both = with_overrides(THREE, {"initial_regime": "b", "initial_probabilities": [0.0, 0.0, 1.0]})
    assert both.initial_probabilities == (0.0, 0.0, 1.0)
    # the sidebar's diff/apply cycle reproduces each edit
    for edited in (named, both, with_overrides(THREE, {"initial_probabilities": [0.1, 0.1, 0.8]})):
        ov = scenario_diff(THREE, edited)
        assert apply_settings(THREE, ov, THREE.horizon_days) == edited
    assert scenario_diff(THREE, named) == {"initial_regime": "b", "initial_probabilities": None}
