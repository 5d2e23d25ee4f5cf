"""Compare simulated scenarios run on the same model with the same random numbers.

With common random numbers path ``k`` of every scenario uses the same shocks, so
the difference between two scenarios is estimated path by path and its Monte
Carlo standard error is that of the paired differences,
``sd(x_a - x_b) / sqrt(n)``, usually far smaller than the unpaired
``sqrt(se_a^2 + se_b^2)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.metrics import OUTCOME_EVENTS, MetricsError, beats_btc_event, mc_standard_error, outcomes
from core.montecarlo import SimulationResult

#: Metrics of the comparison table: name -> (label, kind). "prob" rows carry standard errors.
COMPARE_METRICS: dict[str, str] = {
    "p50": "Median return",
    "mean": "Mean return",
    "p05": "5th percentile",
    "p95": "95th percentile",
    "prob_ge_20pct": "P(return ≥ +20%)",
    "prob_ge_2x": "P(≥ 2x)",
    "prob_ge_5x": "P(≥ 5x)",
    "prob_loss_50pct": "P(loss ≥ 50%)",
    "prob_max_dd_80pct": "P(max drawdown ≥ 80%)",
    "prob_beats_btc": "P(beats BTC)",
}


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


def _quantile_metrics(r: np.ndarray) -> dict[str, float]:
    """Median, mean, 5th and 95th percentiles of simple returns."""
    return {"p50": float(np.median(r)), "mean": float(r.mean()), "p05": float(np.quantile(r, 0.05)),
            "p95": float(np.quantile(r, 0.95))}


def _values(result: SimulationResult, asset: str) -> dict[str, np.ndarray]:
    """Per-path values whose mean is each metric (indicators for probabilities)."""
    r, dd = asset_outcomes(result, asset)
    out = {k: f(r, dd).astype(float) for k, f in OUTCOME_EVENTS.items()}
    if asset != result.btc:  # BTC against itself is not a question: the row stays NaN
        out["prob_beats_btc"] = beats_btc_event(result, asset).astype(float)
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
        One row per (scenario, metric): columns ``scenario``, ``metric``,
        ``label``, ``value``, ``se`` (probabilities only), ``diff`` (value minus
        the first scenario's), ``diff_se`` (paired standard error of ``diff``,
        probabilities only; NaN for the first scenario) and ``clear`` (True when
        ``|diff| > CLEAR_DIFF_SE * diff_se`` with ``diff_se > 0``). ``prob_beats_btc`` is NaN
        when ``asset`` is BTC.
    """
    if len(results) < 1:
        raise ComparisonError("nothing to compare")
    names = list(results)
    n = {results[k].n_paths for k in names}
    if len(n) != 1:
        raise ComparisonError(f"results have different path counts {sorted(n)}; run them with the same size")
    base_q = _quantile_metrics(asset_outcomes(results[names[0]], asset)[0])
    base_vals = _values(results[names[0]], asset)
    rows = []
    for name in names:
        r, _ = asset_outcomes(results[name], asset)
        vals = _values(results[name], asset)
        quant = _quantile_metrics(r)
        for key, label in COMPARE_METRICS.items():
            if key == "prob_beats_btc" and key not in vals:
                value = diff = se = diff_se = np.nan
            elif key in vals:
                p = float(vals[key].mean())
                diff_vals = vals[key] - base_vals[key]
                se = mc_standard_error(p, r.size)
                diff_se = float(diff_vals.std(ddof=1) / np.sqrt(r.size)) if name != names[0] else np.nan
                value, diff = p, float(diff_vals.mean())
            else:
                value, diff = quant[key], quant[key] - base_q[key]
                se = diff_se = np.nan
            rows.append({"scenario": name, "metric": key, "label": label, "value": value, "se": se,
                         "diff": diff, "diff_se": diff_se})
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
