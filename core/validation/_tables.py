"""Tidy frames of a :class:`ValidationResult` for charts and tables (every number the Track record page shows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.metrics import OUTCOME_EVENTS
from core.validation._scores import wilson_interval
from core.validation._walk import EVENTS, QUANTILE_FIELDS, ValidationResult

__all__ = ["BEATS_BTC", "summary_table", "pit_histogram", "coverage_table", "reliability_table", "brier_table", "fan_table"]

#: Event name of P(basket beats BTC) in :func:`reliability_table` and :func:`brier_table`.
BEATS_BTC = "prob_basket_beats_btc"


def summary_table(result: ValidationResult) -> pd.DataFrame:
    """One row per asset: the scores of :meth:`ValidationResult.summary` flattened.

    Returns
    -------
    pd.DataFrame
        Index ``asset``; columns ``n, n_effective, coverage_50, coverage_50_lo, coverage_50_hi,
        coverage_90, coverage_90_lo, coverage_90_hi, pit_ks_p, skill_prob_ge_20pct,
        skill_prob_loss_50pct`` (decimals; NaN where undefined).
    """
    rows = {}
    for a, s in result.summary().items():
        row = {"n": s["n"], "n_effective": s["n_effective"]}
        for band in ("coverage_50", "coverage_90"):
            row[band], (row[f"{band}_lo"], row[f"{band}_hi"]) = s[band], s[f"{band}_ci"]
        row["pit_ks_p"] = s["pit_ks_p"]
        for ev in EVENTS:
            row[f"skill_{ev}"] = s["brier"][ev]["skill"]
        rows[a] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("asset")


def pit_histogram(result: ValidationResult, bins: int = 10) -> pd.DataFrame:
    """Counts of PIT values in ``bins`` equal bins of [0, 1] per asset.

    Returns
    -------
    pd.DataFrame
        ``asset, bin_lo, bin_hi, count, expected`` (``expected = n / bins``, the count of a
        uniform PIT), ``bins`` rows per asset in :attr:`ValidationResult.assets` order.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    frames = []
    for a in result.assets:
        u = result.scored(a)["pit"].to_numpy()
        counts, _ = np.histogram(u, bins=edges)
        frames.append(pd.DataFrame({"asset": a, "bin_lo": edges[:-1], "bin_hi": edges[1:], "count": counts,
                                    "expected": u.size / bins}))
    return pd.concat(frames, ignore_index=True)


def coverage_table(result: ValidationResult) -> pd.DataFrame:
    """Coverage of the central 50% and 90% forecast bands per asset, with 95% Wilson intervals on n_eff.

    Returns
    -------
    pd.DataFrame
        ``asset, band, nominal, rate, lo, hi, n, n_effective``.
    """
    rows = []
    for a, s in result.summary().items():
        for band, nominal in (("coverage_50", 0.5), ("coverage_90", 0.9)):
            lo, hi = s[f"{band}_ci"]
            rows.append({"asset": a, "band": f"{round(nominal * 100)}%", "nominal": nominal, "rate": s[band],
                         "lo": lo, "hi": hi, "n": s["n"], "n_effective": s["n_effective"]})
    return pd.DataFrame(rows)


def _reliability(asset: str, prob: np.ndarray, hit: np.ndarray, bins: int, result: ValidationResult) -> list[dict]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        if n == 0:
            continue
        obs = float(hit[m].mean())
        lo, hi = wilson_interval(obs, result.n_effective(n))
        rows.append({"asset": asset, "bin_lo": edges[b], "bin_hi": edges[b + 1], "forecast": float(prob[m].mean()),
                     "observed": obs, "lo": lo, "hi": hi, "n": n})
    return rows


def reliability_table(result: ValidationResult, event: str, bins: int = 5) -> pd.DataFrame:
    """Reliability diagram data: forecast probability bins against the observed frequency.

    Parameters
    ----------
    event : str
        One of :data:`EVENTS` (per asset) or :data:`BEATS_BTC` (one row set, asset ``"basket"``).
    bins : int
        Equal-width bins of the forecast probability on [0, 1].

    Returns
    -------
    pd.DataFrame
        ``asset, bin_lo, bin_hi, forecast (mean forecast in the bin), observed (event
        frequency), lo, hi (95% Wilson on the bin's effective n), n``; empty bins left out.
    """
    cols = ["asset", "bin_lo", "bin_hi", "forecast", "observed", "lo", "hi", "n"]
    rows: list[dict] = []
    if event == BEATS_BTC:
        o = result.origins[result.origins["realized_basket_beats_btc"].notna()]
        rows = _reliability("basket", o[BEATS_BTC].to_numpy(), o["realized_basket_beats_btc"].to_numpy(float),
                            bins, result)
    elif event in EVENTS:
        for a in result.assets:
            s = result.scored(a)
            hit = OUTCOME_EVENTS[event](s["realized"].to_numpy(), None).astype(float)
            rows += _reliability(a, s[event].to_numpy(), hit, bins, result)
    else:
        raise ValueError(f"event {event!r} is not one of {', '.join((*EVENTS, BEATS_BTC))}")
    return pd.DataFrame(rows, columns=cols)


def brier_table(result: ValidationResult) -> pd.DataFrame:
    """Brier scores of the model and of climatology, and the skill, per asset and event.

    Returns
    -------
    pd.DataFrame
        ``asset, event, model, climatology, skill, n`` (event :data:`BEATS_BTC` for the basket vs BTC).
    """
    rows = []
    for a, s in result.summary().items():
        for ev in EVENTS:
            b = s["brier"][ev]
            rows.append({"asset": a, "event": ev, "model": b["model"], "climatology": b["climatology"],
                         "skill": b["skill"], "n": b["n"]})
    b = result.basket_beats_btc()
    rows.append({"asset": "basket", "event": BEATS_BTC, "model": b["brier_model"],
                 "climatology": b["brier_climatology"], "skill": b["skill"], "n": b["n"]})
    return pd.DataFrame(rows)


def fan_table(result: ValidationResult, asset: str) -> pd.DataFrame:
    """Forecast percentiles at each origin beside the realized return: ``date, p05 .. p95, realized, pit``."""
    f = result.forecasts
    return f.loc[f["asset"] == asset, ["date", *QUANTILE_FIELDS, "realized", "pit"]].reset_index(drop=True)
