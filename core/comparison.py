"""Compare simulated scenarios run on the same model with the same random numbers.

With common random numbers path ``k`` of every scenario uses the same shocks, so
the difference between two scenarios is estimated path by path and its Monte
Carlo standard error is that of the paired differences,
``sd(x_a - x_b) / sqrt(n)``, usually far smaller than the unpaired
``sqrt(se_a^2 + se_b^2)``.

Every metric is a mean of per-path values or has one to first order (its influence
function), so one rule gives every standard error:

* a probability: the indicator of the event, ``se = sqrt(p (1 - p) / n)``;
* the geometric mean ``g = exp(m) - 1`` with ``m = mean(log(1 + r))``: influence
  ``exp(m) (log(1 + r) - m)`` (delta method);
* a quantile ``Q`` at level ``q`` (median, 5th, 95th percentile): the Bahadur
  representation, influence ``(q - 1{r <= Q}) / f(Q)``, with ``1 / f(Q)`` read off the
  order-statistic standard error (:func:`core.metrics.quantile_standard_error`,
  ``se = sqrt(q (1 - q) / n) / f``), so no density is estimated.

The paired standard error of a difference is ``sd(psi_a - psi_b) / sqrt(n)`` with ``psi``
the per-path influence values. The simple mean is not compared: under Student-t shocks
its population value is infinite (:mod:`core.metrics`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.metrics import (
    OUTCOME_EVENTS,
    MetricsError,
    ScenarioMetrics,
    beats_btc_event,
    log_growth,
    mc_standard_error,
    outcomes,
    quantile_standard_error,
)
from core.montecarlo import BASKET, SimulationResult

#: Metrics of the comparison table: key -> label. Every row carries its standard error.
COMPARE_METRICS: dict[str, str] = {
    "p50": "Median return",
    "geometric_mean": "Geometric mean return",
    "p05": "5th percentile",
    "p95": "95th percentile",
    "prob_ge_20pct": "P(return ≥ +20%)",
    "prob_ge_2x": "P(≥ 2x)",
    "prob_ge_5x": "P(≥ 5x)",
    "prob_loss_50pct": "P(loss ≥ 50%)",
    "prob_max_dd_80pct": "P(max drawdown ≥ 80%)",
    "prob_beats_btc": "P(beats BTC)",
}
#: Quantile metrics of the table and their levels.
QUANTILE_METRICS: dict[str, float] = {"p50": 0.5, "p05": 0.05, "p95": 0.95}


class ComparisonError(ExplorerError):
    """Results that cannot be compared (different paths, missing asset)."""


#: How many paired standard errors a difference must exceed to be flagged as clear of noise.
CLEAR_DIFF_SE = 2.0


def asset_outcomes(result: SimulationResult, asset: str) -> tuple[np.ndarray, np.ndarray]:
    """Terminal simple returns and max drawdowns of one asset (or ``"basket"``), shape (n_paths,).

    :func:`core.metrics.outcomes`, with an unknown asset reported as a :class:`ComparisonError`.
    """
    try:
        return outcomes(result, asset)
    except MetricsError as exc:
        raise ComparisonError(str(exc)) from exc


def _quantile_influence(r: np.ndarray, q: float) -> tuple[float, float, np.ndarray]:
    """Sample ``q``-quantile, its standard error and per-path influence values (Bahadur)."""
    value = float(np.quantile(r, q))
    se = quantile_standard_error(r, q)
    inv_density = se * math.sqrt(r.size / (q * (1.0 - q))) if math.isfinite(se) else math.nan
    return value, se, (q - (r <= value).astype(float)) * inv_density


def _influences(result: SimulationResult, asset: str) -> dict[str, tuple[float, float, np.ndarray]]:
    """Per metric: value, standard error and per-path influence values, shape (n_paths,).

    The metric's standard error is ``sd(influence) / sqrt(n)`` up to the exact formulas used
    for the value's own ``se`` (binomial for probabilities, order statistics for quantiles).
    """
    r, dd = asset_outcomes(result, asset)
    n = r.size
    out: dict[str, tuple[float, float, np.ndarray]] = {}
    for key, q in QUANTILE_METRICS.items():
        out[key] = _quantile_influence(r, q)
    logs = log_growth(r)
    m = float(logs.mean())
    growth = math.exp(m)
    se_log = float(logs.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    out["geometric_mean"] = (math.expm1(m), growth * se_log, growth * (logs - m))
    events = {k: f(r, dd) for k, f in OUTCOME_EVENTS.items()}
    if asset != result.btc:  # BTC against itself is not a question: the row stays NaN
        events["prob_beats_btc"] = beats_btc_event(result, asset)
    for key, event in events.items():
        x = event.astype(float)
        p = float(x.mean())
        out[key] = (p, mc_standard_error(p, n), x - p)
    return out


def compare_scenarios(results: Mapping[str, SimulationResult], asset: str) -> pd.DataFrame:
    """Key metrics of ``asset`` per scenario, with paired differences against the first.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Scenario label -> result, all with the same number of paths (and, for the
        paired standard errors to mean anything, the same seed).
    asset : str
        An asset of the results, or ``"basket"``.

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, metric), metrics in :data:`COMPARE_METRICS` order: columns
        ``scenario``, ``metric``, ``label``, ``value``, ``se`` (Monte Carlo standard error),
        ``diff`` (value minus the first scenario's; a difference of two returns or of two
        probabilities, so ``100 * diff`` is in percentage points), ``diff_se`` (paired
        standard error of ``diff`` from the per-path influence values; NaN for the first
        scenario) and ``clear`` (True when ``|diff| > CLEAR_DIFF_SE * diff_se`` with
        ``diff_se > 0``). ``prob_beats_btc`` is NaN when ``asset`` is BTC. All decimals.
    """
    if len(results) < 1:
        raise ComparisonError("nothing to compare")
    names = list(results)
    n = {results[k].n_paths for k in names}
    if len(n) != 1:
        raise ComparisonError(f"results have different path counts {sorted(n)}; run them with the same size")
    base = _influences(results[names[0]], asset)
    rows = []
    for name in names:
        got = base if name == names[0] else _influences(results[name], asset)
        for key, label in COMPARE_METRICS.items():
            if key not in got:
                value = se = diff = diff_se = np.nan
            else:
                value, se, psi = got[key]
                diff = value - base[key][0]
                if name == names[0]:
                    diff_se = np.nan
                else:
                    delta = psi - base[key][2]
                    diff_se = float(delta.std(ddof=1) / math.sqrt(delta.size)) if delta.size > 1 else np.nan
            rows.append({"scenario": name, "metric": key, "label": label, "value": value, "se": se,
                         "diff": diff, "diff_se": diff_se})
    out = pd.DataFrame(rows)
    out["clear"] = (out["diff_se"] > 0) & (out["diff"].abs() > CLEAR_DIFF_SE * out["diff_se"])
    return out


#: Rows of :func:`compare_engines`: label -> (value attribute, standard-error attribute) of OutcomeMetrics.
ENGINE_METRICS: dict[str, tuple[str, str]] = {
    "Median return": ("p50", "p50_se"),
    "Geometric mean": ("geometric_mean", "geometric_mean_se"),
}


def compare_engines(runs: Mapping[str, ScenarioMetrics], assets: Sequence[str]) -> pd.DataFrame:
    """The headline statistics of one scenario under two engines, side by side.

    The engines draw different shocks, so the difference has the unpaired standard error
    ``sqrt(se_1^2 + se_2^2)``.

    Parameters
    ----------
    runs : mapping of str to ScenarioMetrics
        Exactly two: engine name -> the metrics of the same scenario, paths, horizon and seed.
    assets : sequence of str
        Assets (or ``"basket"``) whose median and geometric mean are compared.

    Returns
    -------
    pandas.DataFrame
        One row per (asset, metric) of :data:`ENGINE_METRICS`, then ``("basket", "P(basket beats
        BTC)")``; columns ``asset``, ``metric``, ``<engine> value`` and ``<engine> se`` for each
        engine in input order, ``diff`` (second minus first), ``diff_se`` and ``clear``
        (``|diff| > CLEAR_DIFF_SE * diff_se``). Decimals.
    """
    if len(runs) != 2:
        raise ComparisonError(f"compare two engines, got {len(runs)}: {', '.join(runs)}")
    (first, a), (second, b) = runs.items()
    rows = []

    def add(asset: str, label: str, va: tuple[float, float], vb: tuple[float, float]) -> None:
        rows.append({"asset": asset, "metric": label, f"{first} value": va[0], f"{first} se": va[1],
                     f"{second} value": vb[0], f"{second} se": vb[1], "diff": vb[0] - va[0],
                     "diff_se": math.hypot(va[1], vb[1])})

    for asset in assets:
        try:
            ma = a.basket if asset == BASKET else a.assets[asset]
            mb = b.basket if asset == BASKET else b.assets[asset]
        except KeyError as exc:
            raise ComparisonError(f"asset {asset!r} is not in both runs") from exc
        for label, (value, se) in ENGINE_METRICS.items():
            add(asset, label, (getattr(ma, value), getattr(ma, se)), (getattr(mb, value), getattr(mb, se)))
    add(BASKET, "P(basket beats BTC)", (a.basket_beats_btc.p, a.basket_beats_btc.se),
        (b.basket_beats_btc.p, b.basket_beats_btc.se))
    out = pd.DataFrame(rows)
    out["clear"] = (out["diff_se"] > 0) & (out["diff"].abs() > CLEAR_DIFF_SE * out["diff_se"])
    return out


def binned_log_growth(
    results: Mapping[str, SimulationResult], asset: str, *, bins: int = 60
) -> pd.DataFrame:
    """Histogram densities of ``log(1 + r)`` per scenario on shared bins (for overlaid charts).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario``, ``lo``, ``hi`` (bin edges in log growth),
        ``return_lo``, ``return_hi`` (the same edges as simple returns) and
        ``density`` (share of paths per unit of log growth); ``bins`` rows per scenario.
        The range spans the pooled 0.1%-99.9% quantiles; paths beyond it are counted
        in the edge bins so every path is shown.
    """
    logs = {k: np.log1p(asset_outcomes(res, asset)[0]) for k, res in results.items()}
    pooled = np.concatenate(list(logs.values()))
    lo, hi = np.quantile(pooled, [0.001, 0.999])
    if not np.isfinite(lo) or hi <= lo:
        lo, hi = float(pooled.min()) - 0.5, float(pooled.max()) + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    frames = []
    for k, x in logs.items():
        dens, _ = np.histogram(np.clip(x, lo, hi), bins=edges, density=True)
        frames.append(pd.DataFrame({"scenario": k, "lo": edges[:-1], "hi": edges[1:], "density": dens}))
    out = pd.concat(frames, ignore_index=True)
    out["return_lo"] = np.expm1(out["lo"])
    out["return_hi"] = np.expm1(out["hi"])
    return out
