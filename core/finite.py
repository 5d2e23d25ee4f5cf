"""The last guard of a run: outcomes that overflow are refused, naming the scenario fields behind them.

Every scenario field is bounded (:data:`core.scenario.FIELD_BOUNDS`), but drifts, volatilities
and jumps near their bounds over a long horizon can still push a log price beyond what
float32 ``exp`` holds (about 88.7), and the basket or a terminal return becomes ``inf``.
Rather than a bare "non-finite values" from the metrics, the user gets the assets hit and the
fields most likely responsible, with their values.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from core.errors import ExplorerError
from core.scenario import FIELD_BOUNDS, Regime, Scenario

__all__ = ["NonFiniteOutcomeError", "check_finite_outcomes", "extreme_fields"]

#: Fields named in the message, most extreme first.
MAX_NAMED_FIELDS = 6


class NonFiniteOutcomeError(ExplorerError):
    """Simulated outcomes overflowed; the message names the assets and the scenario fields."""


def extreme_fields(scenario: Scenario) -> list[tuple[str, float, float]]:
    """Non-default numeric fields as ``(dotted path, value, |value| / bound)``, most extreme first.

    The ratio is the field's distance from zero as a fraction of its accepted range's far end
    (``inf`` degrees of freedom count as 0); drifts, scales and jumps near their bound rank first.
    """
    out: list[tuple[str, float, float]] = []

    def add(path: str, key: str, value: float | None, default: float | None) -> None:
        if value is None or value == default or math.isinf(value):
            return
        b = FIELD_BOUNDS[key]
        far = max(abs(b.lo or 0.0), abs(b.hi or 0.0)) or 1.0
        out.append((path, float(value), abs(float(value)) / far))

    add("selectivity", "selectivity", scenario.selectivity, 0.0)
    add("russell.target_return", "russell.target_return", scenario.russell.target_return, 0.0)
    add("russell.annual_vol", "russell.annual_vol", scenario.russell.annual_vol, None)
    for regime in scenario.regimes:
        for f in fields(Regime):
            if f.name in ("name", "df", "russell_df"):
                continue
            default = None if f.default is None else f.default
            add(f"regimes.{regime.name}.{f.name}", f"regimes[].{f.name}", getattr(regime, f.name), default)
    return sorted(out, key=lambda row: -row[2])


def check_finite_outcomes(
    assets: tuple[str, ...], arrays: dict[str, np.ndarray], scenario: Scenario, horizon: int
) -> None:
    """Raise :class:`NonFiniteOutcomeError` when any outcome array holds ``inf`` or ``NaN``.

    Parameters
    ----------
    assets : tuple of str
        Column names of the per-asset arrays, shape ``(n_paths, n_assets)``.
    arrays : dict of str to ndarray
        Outcome arrays by name; 2-D ones have one column per asset, 1-D ones are the basket.
    scenario : Scenario
        The scenario simulated (its fields are named in the message).
    horizon : int
        Trading days simulated.
    """
    hit: dict[str, int] = {}
    for arr in arrays.values():
        bad = ~np.isfinite(arr)
        if not bad.any():
            continue
        if arr.ndim == 2:
            for j in np.flatnonzero(bad.any(axis=0)):
                hit[assets[j]] = max(hit.get(assets[j], 0), int(bad[:, j].sum()))
        else:
            hit["altcoin basket"] = max(hit.get("altcoin basket", 0), int(bad.sum()))
    if not hit:
        return
    where = ", ".join(f"{name} ({n:,} paths)" for name, n in hit.items())
    named = extreme_fields(scenario)[:MAX_NAMED_FIELDS]
    culprits = "; ".join(f"{path} = {value:g}" for path, value, _ in named) or "no field set away from its default"
    raise NonFiniteOutcomeError(
        f"scenario '{scenario.name}' over {horizon:,} days drives prices beyond what the engine can "
        f"represent (non-finite outcomes for {where}); the most extreme fields: {culprits}. "
        "Lower the drifts, volatility scales or jump sizes, or shorten the horizon."
    )
