"""Markov-chain facts of the regimes: hand-computed two-state cases and brute-force matrix powers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ExplorerError
from core.regimes import (
    RegimeError,
    expected_occupancy,
    mean_spell_length,
    occupancy_table,
    spell_length,
    stationary_distribution,
    transition_table,
)
from core.scenario import list_scenarios, load_scenario

FRENZY = load_scenario(list_scenarios()["speculative_frenzy"])


def test_stationary_distribution_of_two_states() -> None:
    p, q = 0.015, 0.10  # leave state 0 / leave state 1
    pi = stationary_distribution([[1 - p, p], [q, 1 - q]])
    assert pi == pytest.approx([q / (p + q), p / (p + q)])  # 0.8696, 0.1304
    assert stationary_distribution([[1.0]]) == pytest.approx([1.0])


def test_stationary_distribution_is_a_left_eigenvector_of_every_shipped_chain() -> None:
    for path in list_scenarios().values():
        p = np.array(load_scenario(path).transition)
        pi = stationary_distribution(p)
        assert pi @ p == pytest.approx(pi, abs=1e-12)
        assert pi.sum() == pytest.approx(1.0) and (pi >= 0).all()


def test_expected_occupancy_two_states_by_hand() -> None:
    p, q = 0.2, 0.5
    m = [[1 - p, p], [q, 1 - q]]
    # day 1 in state 0; day 2: (0.8, 0.2); day 3: (0.8*0.8 + 0.2*0.5, 0.8*0.2 + 0.2*0.5) = (0.74, 0.26)
    assert expected_occupancy(m, 0, 1) == pytest.approx([1.0, 0.0])
    assert expected_occupancy(m, 0, 2) == pytest.approx([0.9, 0.1])
    assert expected_occupancy(m, 0, 3) == pytest.approx([(1 + 0.8 + 0.74) / 3, (0 + 0.2 + 0.26) / 3])
    assert expected_occupancy(m, 1, 2) == pytest.approx([0.25, 0.75])


def test_expected_occupancy_is_the_mean_of_matrix_powers() -> None:
    m = np.array(FRENZY.transition)
    for start in range(3):
        for horizon in (1, 5, 63, 252):
            brute = np.mean([np.linalg.matrix_power(m, t)[start] for t in range(horizon)], axis=0)
            assert expected_occupancy(m, start, horizon) == pytest.approx(brute, abs=1e-12)
    assert expected_occupancy(m, 0, 20_000) == pytest.approx(stationary_distribution(m), abs=2e-3)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2), st.integers(1, 40))
def test_expected_occupancy_sums_to_one(leave: list[float], horizon: int) -> None:
    m = [[1 - leave[0], leave[0]], [leave[1], 1 - leave[1]]]
    occ = expected_occupancy(m, 0, horizon)
    assert occ.sum() == pytest.approx(1.0) and (occ >= 0).all()


def test_mean_spell_length() -> None:
    assert mean_spell_length([[0.9, 0.1], [0.0, 1.0]]) == pytest.approx([10.0, math.inf])
    assert mean_spell_length([[0.0, 1.0], [0.5, 0.5]]) == pytest.approx([1.0, 2.0])
    assert float(spell_length(0.975)) == pytest.approx(40.0)
    # the mean of geometric spells: simulate leaving with probability 0.1 per day
    rng = np.random.default_rng(4)
    assert rng.geometric(0.1, 200_000).mean() == pytest.approx(mean_spell_length([[0.9, 0.1], [1, 0]])[0], rel=0.01)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stationary_distribution([[0.5, 0.5]]), "square"),
        (lambda: stationary_distribution([[0.5, 0.6], [0.5, 0.5]]), "sum"),
        (lambda: expected_occupancy([[1.0]], 1, 5), "initial regime index 1"),
        (lambda: expected_occupancy([[1.0]], 0, 0), "horizon"),
        (lambda: spell_length(1.5), "1.5"),
    ],
)
def test_bad_input_is_refused(call, message: str) -> None:
    with pytest.raises(RegimeError, match=message):
        call()
    assert issubclass(RegimeError, ExplorerError)


def test_tables_of_a_scenario() -> None:
    sim = np.array([0.6, 0.1, 0.3])
    table = occupancy_table(FRENZY, 63, sim)
    assert list(table.index) == list(FRENZY.regime_names)
    assert list(table.columns) == ["simulated", "expected over the horizon", "long run (stationary)"]
    assert table["simulated"].tolist() == sim.tolist()
    initial = FRENZY.regime_names.index(FRENZY.initial_regime)
    assert table["expected over the horizon"].to_numpy() == pytest.approx(
        expected_occupancy(FRENZY.transition, initial, 63))
    assert list(occupancy_table(FRENZY, 63).columns) == ["expected over the horizon", "long run (stationary)"]
    with pytest.raises(RegimeError, match="shape"):
        occupancy_table(FRENZY, 63, np.ones(2))
    tt = transition_table(FRENZY)
    stay = np.diag(np.array(FRENZY.transition))
    assert tt["mean spell (days)"].to_numpy() == pytest.approx(1 / (1 - stay))
    assert tt[list(FRENZY.regime_names)].to_numpy() == pytest.approx(np.array(FRENZY.transition))
