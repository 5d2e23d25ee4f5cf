"""One scenario run: the simulation and its outcome metrics, computed together once.

The app caches a :class:`ScenarioRun` per parameter set and shares it across sessions;
the CLI prints the same object. Nothing a page shows from a run is recomputed per viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.calibration import MarketModel
from core.metrics import ScenarioMetrics, simple_mean_exists, summarize
from core.montecarlo import SimulationResult, simulate
from core.scenario import Scenario

__all__ = ["ScenarioRun", "run_scenario"]


# eq=False: equality by identity; comparing two runs array by array is never what is meant.
@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """A simulation and its metrics.

    Attributes
    ----------
    scenario : Scenario
        The scenario as simulated (every edit applied).
    result : SimulationResult
        Paths' terminal returns, drawdowns, fan bands and regime occupancy.
    metrics : ScenarioMetrics
        Percentiles, median and geometric mean with their standard errors, probabilities with
        Monte Carlo standard errors, VaR/ES per asset and basket; the simple mean has a standard
        error only where the engine makes it finite (:func:`core.metrics.simple_mean_exists`).
    """

    scenario: Scenario
    result: SimulationResult
    metrics: ScenarioMetrics

    @property
    def nbytes(self) -> int:
        """Memory held by the run's arrays, bytes (what a cache entry costs)."""
        r = self.result
        arrays = (r.terminal_returns, r.max_drawdowns, r.basket_terminal_return, r.basket_max_drawdown,
                  r.fan_bands, r.fan_steps, r.regime_occupancy, r.basket_weights)
        return int(sum(a.nbytes for a in arrays))


def run_scenario(
    model: MarketModel,
    scenario: Scenario,
    *,
    n_paths: int,
    horizon: int | None = None,
    seed: int,
    engine: str = "parametric",
    progress: Callable[[float], None] | None = None,
) -> ScenarioRun:
    """Simulate ``scenario`` on ``model`` from ``seed`` and summarize it.

    Parameters
    ----------
    model : MarketModel
        Calibrated market model.
    scenario : Scenario
        Validated scenario.
    n_paths : int
        Paths (bounded by :func:`core.budget.check_run_size`).
    horizon : int, optional
        Trading days; default the scenario's ``horizon_days``.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same random numbers for
        every scenario (common random numbers).
    engine : {"parametric", "bootstrap"}
    progress : callable, optional
        Called with the fraction done (0..1].
    """
    result = simulate(model, scenario, n_paths=n_paths, horizon=horizon, rng=np.random.default_rng(seed),
                      engine=engine, progress=progress)
    finite = simple_mean_exists(model, scenario, result.horizon, engine)
    return ScenarioRun(scenario=scenario, result=result, metrics=summarize(result, simple_mean_finite=finite))
