"""Robustness grid: an event claim's effect and p-value over thresholds, windows and proxies,
with a Benjamini-Hochberg adjustment.

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from core.claims._base import ClaimError, Robustness
from core.history_check import SMALL_N

#: Most cells a grid may have (each cell is one permutation-tested event study).
MAX_GRID_CELLS = 48
#: False discovery rate of the Benjamini-Hochberg adjustment.
FDR_ALPHA = 0.05


def grid_cells(axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, as dicts, in axis order.

    Raises
    ------
    ClaimError
        More than :data:`MAX_GRID_CELLS` cells, or an empty axis.
    """
    sizes = {k: len(v) for k, v in axes.items()}
    total = int(np.prod(list(sizes.values()))) if sizes else 0
    if total == 0:
        raise ClaimError(f"a robustness grid needs at least one value per axis, got sizes {sizes}")
    if total > MAX_GRID_CELLS:
        raise ClaimError(f"robustness grid of {total} cells {sizes} exceeds the limit of {MAX_GRID_CELLS}")
    keys = list(axes)
    return [dict(zip(keys, values, strict=True)) for values in product(*(axes[k] for k in keys))]


def bh_adjust(p_values: Sequence[float], alpha: float = FDR_ALPHA) -> np.ndarray:
    """Benjamini-Hochberg q-values (statsmodels ``multipletests(method="fdr_bh")``); NaN stays NaN.

    Parameters
    ----------
    p_values : sequence of float
        Shape (m,); NaN for cells without a test (no event).

    Returns
    -------
    numpy.ndarray
        Shape (m,), the adjusted p-values of the finite entries over those entries only.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = multipletests(p[ok], alpha=alpha, method="fdr_bh")[1]
    return q


def robustness_grid(
    axes: Mapping[str, Sequence[Any]],
    run: Callable[[dict[str, Any]], tuple[int, float, float]],
    headline: Mapping[str, Any],
    *,
    direction: int = 1,
    what: str = "the effect",
    alpha: float = FDR_ALPHA,
    min_events: int = SMALL_N,
) -> Robustness:
    """Run ``run`` on every cell and judge whether the claim survives.

    Parameters
    ----------
    axes : mapping of str to sequence
        The varied parameters; at most :data:`MAX_GRID_CELLS` combinations.
    run : callable
        ``cell -> (n_events, effect, p_value)``; ``effect`` in decimals, signed so that the
        claim predicts ``direction * effect > 0``; NaN p-value for a cell without events.
    headline : mapping
        The claim's own cell (a subset of the axes' keys).
    direction : {1, -1}
        Sign of the effect the claim predicts.
    what : str
        Words for the effect in the summary.
    min_events : int, default :data:`~core.history_check.SMALL_N`
        A cell with fewer events is shown but not tested: its p-value is left out of the
        adjustment (``q_value`` NaN) and it is never significant.

    Returns
    -------
    Robustness
        ``survives`` when the headline cell is significant after the adjustment and so is at
        least half of the cells that have events.
    """
    cells = grid_cells(axes)
    rows = []
    for cell in cells:  # at most MAX_GRID_CELLS event studies
        n, effect, p = run(cell)
        rows.append({**cell, "n_events": int(n), "effect": float(effect), "p_value": float(p)})
    grid = pd.DataFrame(rows)
    grid["tested"] = grid["p_value"].notna() & (grid["n_events"] >= min_events)
    grid["q_value"] = bh_adjust(grid["p_value"].where(grid["tested"]).to_numpy(), alpha)
    grid["significant"] = (grid["q_value"] < alpha) & (direction * grid["effect"] > 0)
    match = np.ones(len(grid), dtype=bool)
    for k, v in headline.items():
        match &= (grid[k] == v).to_numpy()
    head = grid[match].iloc[0].to_dict() if match.any() else {}
    tested = grid[grid["tested"]]
    n_sig = int(tested["significant"].sum())
    survives = bool(head.get("significant", False)) and len(tested) > 0 and n_sig * 2 >= len(tested)
    if not len(tested):
        summary = (f"Not testable: no cell of the grid has {min_events} or more events "
                   f"(most: {int(grid['n_events'].max())}).")
    else:
        head_text = (f"headline cell q = {head['q_value']:.2f}" if head and np.isfinite(head["q_value"])
                     else "headline cell untested")
        summary = (f"{'Survives' if survives else 'Does not survive'}: {what} is significant in "
                   f"{n_sig} of {len(tested)} tested cells after Benjamini-Hochberg at {alpha:.0%} "
                   f"({head_text}).")
    return Robustness(grid=grid, headline=head, survives=survives, summary=summary, alpha=float(alpha))
