"""Sensitivity sweep: one scenario field moved over a grid, every other setting fixed.

Every point is simulated from the same seed (common random numbers): path ``k`` sees the
same shocks at every point, so the differences between points are far more precise than
each point's own standard error suggests.

Values are in scenario units (decimals: 0.1 = +10%, annual drifts and vols per year), as in
the TOML files; a user interface converts its display units before calling :func:`sweep`.

Offers
------
SWEEP_FIELDS, SWEEP_METRICS, MAX_SWEEP_POINTS
    What can be swept, what is reported per point, and the bound on the grid.
sweep_patch
    Overrides that set one field to one value (in one regime or all).
current_value
    The field's value in a scenario (the calibrated one where the scenario leaves it open).
sweep -> SweepResult
    Simulate the grid and report the metrics with their Monte Carlo standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from core.budget import check_run_size
from core.calibration import MarketModel
from core.conventions import BASKET
from core.errors import ExplorerError
from core.metrics import PROBABILITIES, ScenarioMetrics, summarize
from core.model_tables import calibrated_reference
from core.montecarlo import ENGINES, SimulationResult, simulate
from core.scenario import Regime, Scenario, ScenarioError, with_overrides
from core.scenario_edits import regime_ref

__all__ = [
    "MAX_SWEEP_POINTS", "REGIME_SWEEP_FIELDS", "SWEEP_FIELDS", "SWEEP_METRICS", "SweepError", "SweepResult",
    "current_value", "sweep", "sweep_patch",
]

#: Regime fields that can be swept (every numeric field of :class:`core.scenario.Regime`).
REGIME_SWEEP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Regime) if f.name != "name")
#: Every field that can be swept: three scenario-wide fields, then the regime fields.
SWEEP_FIELDS: tuple[str, ...] = ("russell.target_return", "russell.annual_vol", "selectivity",
                                 *REGIME_SWEEP_FIELDS)
#: Metrics reported per point and asset: key -> label. ``p50`` carries the order-statistic
#: standard error of the median, the probabilities ``sqrt(p (1 - p) / n)``; ``prob_beats_btc``
#: is P(asset return > BTC return) and is not reported for BTC itself.
SWEEP_METRICS: dict[str, str] = {
    "p50": "Median return",
    **PROBABILITIES,
    "prob_beats_btc": "P(return > BTC return)",
}
#: Most points in one sweep (each is a full simulation).
MAX_SWEEP_POINTS = 25

_OPTIONAL_REFERENCE = {"btc_alpha", "btc_beta", "alt_alpha", "alt_beta", "df", "russell_df"}


class SweepError(ExplorerError):
    """A sweep that cannot run: unknown field or regime, too many points, or a value out of range."""


# eq=False: equality by identity (a frame field); two sweeps are compared by their frames.
@dataclass(frozen=True, eq=False)
class SweepResult:
    """Metrics of a scenario at each value of one field, on common random numbers.

    Attributes
    ----------
    scenario : str
        Scenario name.
    field : str
        Swept field (one of :data:`SWEEP_FIELDS`).
    regime : str or None
        Regime whose field was set; ``None``: every regime (or a scenario-wide field).
    values : tuple of float, shape (n_points,)
        Grid, scenario units, in the order given.
    frame : pandas.DataFrame
        Tidy: ``value, asset, metric, estimate, se``; one row per point, asset (model order,
        then ``"basket"``) and metric of :data:`SWEEP_METRICS` (no ``prob_beats_btc`` for BTC).
    current : float or None
        The field's value in the scenario as given (:func:`current_value`).
    n_paths, horizon, seed : int
    engine : str
    """

    scenario: str
    field: str
    regime: str | None
    values: tuple[float, ...]
    frame: pd.DataFrame
    current: float | None
    n_paths: int
    horizon: int
    seed: int
    engine: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the settings, ``points`` (the frame's rows) and ``current``."""
        return {
            "scenario": self.scenario, "field": self.field, "regime": self.regime, "values": list(self.values),
            "paths": self.n_paths, "horizon": self.horizon, "seed": self.seed, "engine": self.engine,
            "points": self.frame.to_dict(orient="records"), "current": self.current,
        }


def _check_field(scenario: Scenario, field: str, regime: str | None) -> None:
    if field not in SWEEP_FIELDS:
        raise SweepError(f"cannot sweep {field!r}; choose one of {', '.join(SWEEP_FIELDS)}")
    if regime is not None:
        if field not in REGIME_SWEEP_FIELDS:
            raise SweepError(f"{field!r} is not a regime field; sweep it without a regime (got {regime!r})")
        if regime not in scenario.regime_names:
            raise SweepError(f"regime {regime!r} is not in {scenario.name!r} "
                             f"(regimes: {', '.join(scenario.regime_names)})")


def sweep_patch(scenario: Scenario, field: str, regime: str | None, value: float) -> dict[str, Any]:
    """Overrides (for :func:`core.scenario.with_overrides`) that set ``field`` to ``value``.

    Parameters
    ----------
    scenario : Scenario
    field : str
        One of :data:`SWEEP_FIELDS`. ``"russell.target_return"`` also switches the Russell
        path to mode ``target``.
    regime : str or None
        Regime name for a regime field; ``None`` sets it in every regime.
    value : float
        Scenario units.
    """
    _check_field(scenario, field, regime)
    if field == "russell.target_return":
        return {"russell.mode": "target", "russell.target_return": value}
    if field in ("russell.annual_vol", "selectivity"):
        return {field: value}
    indices = range(len(scenario.regimes)) if regime is None else [scenario.regime_names.index(regime)]
    return {f"regimes.{regime_ref(scenario, i)}.{field}": value for i in indices}


def current_value(model: MarketModel, scenario: Scenario, field: str, regime: str | None = None) -> float | None:
    """The field's value in ``scenario``, in scenario units.

    A field the scenario leaves to the calibration (``None``) reports the calibrated value
    (:func:`core.model_tables.calibrated_reference`). ``None`` when there is no single value:
    the Russell target outside mode ``target``, or a regime field that differs between
    regimes when ``regime`` is ``None``.
    """
    _check_field(scenario, field, regime)
    reference = calibrated_reference(model)
    if field == "russell.target_return":
        return scenario.russell.target_return if scenario.russell.mode == "target" else None
    if field == "russell.annual_vol":
        vol = scenario.russell.annual_vol
        return reference["annual_vol"] if vol is None else vol
    if field == "selectivity":
        return scenario.selectivity
    regimes = scenario.regimes if regime is None else [scenario.regime(regime)]
    values = set()
    for r in regimes:
        v = getattr(r, field)
        values.add(reference[field] if v is None and field in _OPTIONAL_REFERENCE else v)
    return float(values.pop()) if len(values) == 1 and None not in values else None


def _points(scenario: Scenario, field: str, values: Sequence[float], regime: str | None) -> list[Scenario]:
    """The scenario at each value, validated before anything is simulated."""
    grid = list(values)
    if not 1 <= len(grid) <= MAX_SWEEP_POINTS:
        raise SweepError(f"a sweep takes 1 to {MAX_SWEEP_POINTS} values, got {len(grid)}")
    where = f" in regime {regime!r}" if regime is not None else ""
    out = []
    for v in grid:
        if not isinstance(v, (int, float, np.number)) or isinstance(v, bool) or math.isnan(float(v)):
            raise SweepError(f"{field} = {v!r}{where}: not a number")
        try:
            out.append(with_overrides(scenario, sweep_patch(scenario, field, regime, float(v))))
        except ScenarioError as exc:
            raise SweepError(f"{field} = {float(v)!r}{where} is out of range: {exc}") from exc
    return out


def _rows(value: float, result: SimulationResult, metrics: ScenarioMetrics) -> list[dict[str, Any]]:
    rows = []
    for asset, m in {**metrics.assets, BASKET: metrics.basket}.items():
        for key in SWEEP_METRICS:
            if key == "p50":
                estimate, se = m.p50, m.p50_se
            elif key == "prob_beats_btc":
                beats = metrics.beats_btc.get(asset)
                if beats is None:  # BTC itself
                    continue
                estimate, se = beats.p, beats.se
            else:
                estimate, se = getattr(m, key), m.se[key]
            rows.append({"value": value, "asset": asset, "metric": key, "estimate": float(estimate),
                         "se": float(se)})
    return rows


def sweep(
    model: MarketModel,
    scenario: Scenario,
    field: str,
    values: Sequence[float],
    *,
    regime: str | None = None,
    n_paths: int,
    horizon: int | None = None,
    seed: int,
    engine: str = "parametric",
    progress: Callable[[float], None] | None = None,
    runner: Callable[[Scenario], SimulationResult] | None = None,
) -> SweepResult:
    """Simulate ``scenario`` with ``field`` set to each of ``values`` on common random numbers.

    Parameters
    ----------
    model : MarketModel
        Calibrated market model.
    scenario : Scenario
        The scenario every other setting comes from.
    field : str
        One of :data:`SWEEP_FIELDS`.
    values : sequence of float, length 1..MAX_SWEEP_POINTS
        Grid in scenario units. Every value is validated (by the scenario schema) before
        anything runs.
    regime : str, optional
        For a regime field: the one regime to change; default every regime.
    n_paths : int
        Paths per point (bounded by :func:`core.budget.check_run_size`).
    horizon : int, optional
        Trading days; default ``scenario.horizon_days``.
    seed : int
        Seed of every point's ``numpy.random.default_rng``.
    engine : {"parametric", "bootstrap"}
    progress : callable, optional
        Called with the fraction of points done, after each point.
    runner : callable, optional
        ``runner(point_scenario) -> SimulationResult`` replaces the direct simulation (the
        app passes its cached run with the same ``n_paths``, ``horizon``, ``seed`` and
        ``engine``, so revisiting a sweep costs nothing).

    Raises
    ------
    SweepError
        Unknown field or regime, no values or more than :data:`MAX_SWEEP_POINTS`, a value the
        scenario rejects (the message names it).
    """
    if engine not in ENGINES:
        raise SweepError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    _check_field(scenario, field, regime)
    days = scenario.horizon_days if horizon is None else int(horizon)
    check_run_size(n_paths, days, len(model.assets))
    points = _points(scenario, field, values, regime)

    def direct(point: Scenario) -> SimulationResult:
        return simulate(model, point, n_paths=n_paths, horizon=days, rng=np.random.default_rng(seed),
                        engine=engine)  # type: ignore[arg-type]

    run = runner or direct
    rows: list[dict[str, Any]] = []
    for i, (v, point) in enumerate(zip(values, points, strict=True)):  # one full simulation per point
        result = run(point)
        rows.extend(_rows(float(v), result, summarize(result)))
        if progress is not None:
            progress((i + 1) / len(points))
    return SweepResult(
        scenario=scenario.name, field=field, regime=regime, values=tuple(float(v) for v in values),
        frame=pd.DataFrame(rows, columns=["value", "asset", "metric", "estimate", "se"]),
        current=current_value(model, scenario, field, regime), n_paths=int(n_paths), horizon=days,
        seed=int(seed), engine=engine,
    )
