"""Markov-chain facts of a scenario's regimes: long-run shares, expected occupancy, spell lengths.

The scenario's regime chain has a daily transition matrix ``P`` (K x K, rows sum to 1;
row = today, column = tomorrow). Day 1 of every path is in the scenario's initial regime, or
drawn from its ``initial_probabilities`` when it has them, and the chain moves after each
day (see :mod:`core.montecarlo`).

Offers
------
initial_distribution
    Distribution ``p0`` of day 1's regime (one-hot on the initial regime, or the scenario's
    initial probabilities).
stationary_distribution
    Long-run share of days per regime, ``pi P = pi``.
expected_occupancy
    Expected share of the first ``H`` days per regime from a start regime, ``mean_t e0 P^t``.
mean_spell_length, spell_length
    Expected run length of each regime in days, ``1 / (1 - p_ii)``.
occupancy_table, transition_table
    The two tables of the Simulator's Regimes tab.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.scenario import Scenario

__all__ = [
    "RegimeError",
    "expected_occupancy",
    "initial_distribution",
    "mean_spell_length",
    "occupancy_table",
    "spell_length",
    "stationary_distribution",
    "transition_table",
]


class RegimeError(ExplorerError):
    """A transition matrix that is not square and stochastic, or a bad start regime or horizon."""


def _matrix(transition: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    p = np.asarray(transition, dtype=float)
    if p.ndim != 2 or p.shape[0] != p.shape[1] or p.shape[0] == 0:
        raise RegimeError(f"transition matrix must be square and non-empty, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise RegimeError(f"transition rows must be probabilities summing to 1, got row sums {p.sum(axis=1)}")
    return p


def stationary_distribution(transition: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Long-run share of days per regime.

    Solves ``pi P = pi``, ``sum(pi) = 1`` by least squares on the stacked system
    ``[P^T - I; 1^T] pi = [0; 1]``; tiny negative round-off is clipped and the vector
    renormalized.

    Parameters
    ----------
    transition : array-like, shape (K, K)
        Daily transition matrix, rows sum to 1.

    Returns
    -------
    numpy.ndarray, shape (K,)
        ``pi``, non-negative, sums to 1. For a reducible chain (several closed classes) this
        is one of the stationary vectors; :func:`expected_occupancy` is exact in every case.
    """
    p = _matrix(transition)
    k = p.shape[0]
    a = np.vstack([p.T - np.eye(k), np.ones(k)])
    b = np.zeros(k + 1)
    b[-1] = 1.0
    pi, *_ = np.linalg.lstsq(a, b, rcond=None)
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def initial_distribution(scenario: Scenario) -> np.ndarray:
    """Distribution of day 1's regime, shape (K,), in the scenario's regime order.

    The scenario's ``initial_probabilities`` when it has them, else one-hot on
    ``initial_regime``.
    """
    if scenario.initial_probabilities is not None:
        return np.asarray(scenario.initial_probabilities, dtype=float)
    dist = np.zeros(len(scenario.regimes))
    dist[scenario.regime_names.index(scenario.initial_regime)] = 1.0
    return dist


def expected_occupancy(
    transition: Sequence[Sequence[float]] | np.ndarray,
    initial: int | Sequence[float] | np.ndarray,
    horizon: int,
) -> np.ndarray:
    """Expected share of the first ``horizon`` days spent in each regime, day 1 from ``initial``.

    ``occ = (1 / H) sum_{t=0}^{H-1} p0 P^t`` with ``p0`` the distribution of day 1's regime:
    the population value that the simulated regime occupancy (fraction of path-days per
    regime) estimates.

    Parameters
    ----------
    transition : array-like, shape (K, K)
        Daily transition matrix.
    initial : int or array-like, shape (K,)
        Index of the regime of day 1 (0 <= initial < K), or the probabilities ``p0`` of
        day 1's regime (non-negative, summing to 1).
    horizon : int
        Days ``H`` (>= 1).

    Returns
    -------
    numpy.ndarray, shape (K,)
        Shares summing to 1.
    """
    p = _matrix(transition)
    k = p.shape[0]
    if int(horizon) < 1:
        raise RegimeError(f"horizon must be >= 1 day, got {horizon}")
    if np.ndim(initial) == 0:
        if not 0 <= int(initial) < k:
            raise RegimeError(f"initial regime index {initial} is not in 0..{k - 1}")
        dist = np.zeros(k)
        dist[int(initial)] = 1.0
    else:
        dist = np.asarray(initial, dtype=float)
        if dist.shape != (k,) or not np.all(np.isfinite(dist)) or np.any(dist < 0) \
                or abs(dist.sum() - 1.0) > 1e-6:
            raise RegimeError(f"initial probabilities must be {k} non-negative numbers summing to 1, got {initial!r}")
    return daily_distribution(p, dist, int(horizon)).mean(axis=0)


def daily_distribution(transition: np.ndarray, initial: np.ndarray, horizon: int) -> np.ndarray:
    """``P(s_t = k)`` for days ``t = 1..horizon``: row ``t`` is ``p0 P^(t-1)``, shape (horizon, K).

    Parameters
    ----------
    transition : numpy.ndarray, shape (K, K)
        Daily, row-stochastic transition matrix (validated by the caller).
    initial : numpy.ndarray, shape (K,)
        Distribution ``p0`` of day 1's regime.
    horizon : int
        Days (>= 1; bounded by the scenario schema's horizon limit).
    """
    out = np.empty((int(horizon), len(initial)))
    dist = np.asarray(initial, dtype=float)
    for t in range(int(horizon)):  # a K-vector per day: negligible next to the paths
        out[t] = dist
        dist = dist @ transition
    return out


def mean_spell_length(transition: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Expected length in days of a stay in each regime, ``1 / (1 - p_ii)``.

    A spell's length is geometric with success probability ``1 - p_ii``; a regime that is
    never left (``p_ii = 1``) has an infinite mean spell.

    Parameters
    ----------
    transition : array-like, shape (K, K)

    Returns
    -------
    numpy.ndarray, shape (K,)
        Days (>= 1), ``inf`` where ``p_ii = 1``.
    """
    return spell_length(np.diag(_matrix(transition)))


def spell_length(stay: float | np.ndarray) -> np.ndarray:
    """Expected spell length in days from the daily probability of staying, ``1 / (1 - stay)``.

    Parameters
    ----------
    stay : float or array-like, shape (K,)
        ``p_ii`` in [0, 1].

    Returns
    -------
    numpy.ndarray, shape of ``stay``
        Days (>= 1); ``inf`` where ``stay >= 1``.
    """
    p = np.asarray(stay, dtype=float)
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1 + 1e-9):
        raise RegimeError(f"probability of staying must be in [0, 1], got {stay!r}")
    leave = 1.0 - p
    return np.where(leave <= 0.0, np.inf, 1.0 / np.where(leave <= 0.0, 1.0, leave))


def occupancy_table(scenario: Scenario, horizon: int, simulated: np.ndarray | None = None) -> pd.DataFrame:
    """Share of days per regime: simulated, expected over the horizon, and long run.

    Parameters
    ----------
    scenario : Scenario
        Regimes, transition matrix and initial regime (or initial probabilities).
    horizon : int
        Days simulated.
    simulated : array-like, shape (K,), optional
        Simulated occupancy (:attr:`core.montecarlo.SimulationResult.regime_occupancy`);
        the column is left out when not given.

    Returns
    -------
    pandas.DataFrame
        Index the regime names; columns ``simulated`` (when given), ``expected over the
        horizon`` (:func:`expected_occupancy`) and ``long run (stationary)``
        (:func:`stationary_distribution`). Each column sums to 1.
    """
    names = list(scenario.regime_names)
    cols: dict[str, np.ndarray] = {}
    if simulated is not None:
        sim = np.asarray(simulated, dtype=float)
        if sim.shape != (len(names),):
            raise RegimeError(f"simulated occupancy has shape {sim.shape}, expected ({len(names)},)")
        cols["simulated"] = sim
    cols["expected over the horizon"] = expected_occupancy(scenario.transition, initial_distribution(scenario),
                                                           horizon)
    cols["long run (stationary)"] = stationary_distribution(scenario.transition)
    return pd.DataFrame(cols, index=pd.Index(names, name="regime"))


def transition_table(scenario: Scenario) -> pd.DataFrame:
    """The daily transition matrix (row today, column tomorrow) with a ``mean spell (days)`` column."""
    names = list(scenario.regime_names)
    table = pd.DataFrame(np.asarray(scenario.transition, dtype=float), index=names, columns=names)
    table["mean spell (days)"] = mean_spell_length(scenario.transition)
    return table
