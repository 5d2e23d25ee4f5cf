"""Outcome metrics of a simulation: quantiles, target probabilities, drawdowns, VaR/ES.

All returns are simple returns over the horizon, as decimals (0.2 = +20%). Every
probability comes with its Monte Carlo standard error ``sqrt(p (1 - p) / n)``.

Sign convention for risk: VaR and ES are reported as positive loss fractions of the
starting value. ``var95 = -q_0.05(returns)``; ``es95 = -mean(returns | returns <= q_0.05)``.
A negative VaR means even the 5% worst outcome is a gain.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.montecarlo import BASKET, FAN_QUANTILES, SimulationResult

#: Percentiles reported for terminal returns (levels in [0, 1]).
PERCENTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Levels of the drawdown distribution summary.
DRAWDOWN_LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Names of the probabilities in :class:`OutcomeMetrics`, with their definitions.
PROBABILITIES: dict[str, str] = {
    "prob_ge_20pct": "P(return >= +20%)",
    "prob_ge_2x": "P(return >= +100%, i.e. value doubles)",
    "prob_ge_5x": "P(return >= +400%, i.e. value x5)",
    "prob_loss_50pct": "P(return <= -50%)",
    "prob_max_dd_80pct": "P(max drawdown >= 80%)",
}

#: The event behind each probability, from terminal simple returns ``r`` and max drawdowns ``dd``
#: (arrays of shape (n_paths,)); the one place the thresholds are defined.
OUTCOME_EVENTS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "prob_ge_20pct": lambda r, dd: r >= 0.2,
    "prob_ge_2x": lambda r, dd: r >= 1.0,
    "prob_ge_5x": lambda r, dd: r >= 4.0,
    "prob_loss_50pct": lambda r, dd: r <= -0.5,
    "prob_max_dd_80pct": lambda r, dd: dd >= 0.8,
}


class MetricsError(ExplorerError):
    """Bad input to a metric (empty sample, NaN, bad level)."""


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo probability estimate.

    Attributes
    ----------
    p : float
        Fraction of paths where the event happens.
    se : float
        Standard error ``sqrt(p (1 - p) / n)``.
    n : int
        Number of paths.
    """

    p: float
    se: float
    n: int


def mc_standard_error(p: float, n: int) -> float:
    """Monte Carlo standard error of a probability, ``sqrt(p (1 - p) / n)``."""
    if n < 1:
        raise MetricsError(f"n must be >= 1, got {n}")
    return math.sqrt(max(p * (1.0 - p), 0.0) / n)


def _sample(values: np.ndarray | pd.Series, what: str = "returns") -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise MetricsError(f"{what} is empty")
    if not np.all(np.isfinite(x)):
        raise MetricsError(f"{what} contain {int(np.sum(~np.isfinite(x)))} non-finite values")
    return x


def probability(event: np.ndarray) -> Estimate:
    """Fraction of True values in a boolean array, with its standard error."""
    e = np.asarray(event, dtype=bool).ravel()
    if e.size == 0:
        raise MetricsError("event array is empty")
    p = float(e.mean())
    return Estimate(p=p, se=mc_standard_error(p, e.size), n=int(e.size))


def prob_at_least(returns: np.ndarray | pd.Series, target: float) -> Estimate:
    """P(simple return >= ``target``) with its standard error.

    Parameters
    ----------
    returns : array-like, shape (n_paths,)
        Terminal simple returns (decimals).
    target : float
        Threshold as a simple return (0.2 = +20%, 1.0 = doubling, -0.5 = half lost).
    """
    if not math.isfinite(target):
        raise MetricsError(f"target must be a finite number, got {target!r}")
    return probability(_sample(returns) >= target)


def prob_at_most(returns: np.ndarray | pd.Series, target: float) -> Estimate:
    """P(simple return <= ``target``) with its standard error."""
    if not math.isfinite(target):
        raise MetricsError(f"target must be a finite number, got {target!r}")
    return probability(_sample(returns) <= target)


def var_es(returns: np.ndarray | pd.Series, level: float = 0.95) -> tuple[float, float]:
    """Value at risk and expected shortfall as positive loss fractions.

    ``VaR = -q_(1-level)``, ``ES = -mean(r | r <= q_(1-level))`` with ``q`` the
    linear-interpolation quantile of the simple returns ``r``.
    """
    if not 0.0 < level < 1.0:
        raise MetricsError(f"level must be in (0, 1), got {level!r}")
    x = _sample(returns)
    q = float(np.quantile(x, 1.0 - level))
    return -q, -float(x[x <= q].mean())


@dataclass(frozen=True)
class OutcomeMetrics:
    """Summary of one asset's (or the basket's) terminal returns and drawdowns.

    Attributes
    ----------
    mean : float
        Mean simple return.
    p05, p25, p50, p75, p95 : float
        Percentiles of the simple return (linear interpolation).
    prob_ge_20pct, prob_ge_2x, prob_ge_5x, prob_loss_50pct, prob_max_dd_80pct : float
        Probabilities (see :data:`PROBABILITIES`).
    var95, es95 : float
        95% VaR and ES as positive loss fractions.
    se : dict
        Standard error of each probability, keyed like the probability fields.
    n : int
        Paths.
    """

    mean: float
    p05: float
    p25: float
    p50: float
    p75: float
    p95: float
    prob_ge_20pct: float
    prob_ge_2x: float
    prob_ge_5x: float
    prob_loss_50pct: float
    prob_max_dd_80pct: float
    var95: float
    es95: float
    se: dict[str, float] = field(default_factory=dict)
    n: int = 0

    def to_dict(self) -> dict[str, object]:
        """Plain dict (JSON-ready) with the fields above, ``se`` nested."""
        keys = ("mean", "p05", "p25", "p50", "p75", "p95", *PROBABILITIES, "var95", "es95")
        out: dict[str, object] = {k: getattr(self, k) for k in keys}
        out["se"] = dict(self.se)
        return out


def summarize_outcome(returns: np.ndarray | pd.Series, max_drawdowns: np.ndarray | pd.Series) -> OutcomeMetrics:
    """Compute :class:`OutcomeMetrics` for one asset.

    Parameters
    ----------
    returns : array-like, shape (n_paths,)
        Terminal simple returns.
    max_drawdowns : array-like, shape (n_paths,)
        Maximum drawdowns in [0, 1] of the same paths.
    """
    r = _sample(returns)
    dd = _sample(max_drawdowns, "max drawdowns")
    if dd.size != r.size:
        raise MetricsError(f"{r.size} returns but {dd.size} drawdowns")
    pct = np.quantile(r, PERCENTILES)
    probs = {k: probability(event(r, dd)) for k, event in OUTCOME_EVENTS.items()}
    var95, es95 = var_es(r, 0.95)
    return OutcomeMetrics(
        mean=float(r.mean()),
        p05=float(pct[0]), p25=float(pct[1]), p50=float(pct[2]), p75=float(pct[3]), p95=float(pct[4]),
        **{k: v.p for k, v in probs.items()},
        var95=var95,
        es95=es95,
        se={k: v.se for k, v in probs.items()},
        n=int(r.size),
    )


def prob_basket_beats_btc(result: SimulationResult) -> Estimate:
    """P(basket terminal return > BTC terminal return): the "altcoin season" question."""
    btc = result.terminal_returns[:, result.assets.index(result.btc)]
    return probability(result.basket_terminal_return > btc)


def drawdown_distribution(result: SimulationResult, levels: tuple[float, ...] = DRAWDOWN_LEVELS) -> pd.DataFrame:
    """Quantiles of the maximum drawdown, rows assets + ``"basket"``, columns ``levels``, plus ``mean``."""
    dd = result.drawdown_frame()
    out = dd.quantile(list(levels)).T
    out.columns = [f"p{round(q * 100):02d}" for q in levels]
    out["mean"] = dd.mean()
    return out


def fan_bands(result: SimulationResult) -> pd.DataFrame:
    """Fan-chart bands in long form (``day, asset, p05..p95``); see :meth:`SimulationResult.fan_frame`."""
    return result.fan_frame()


@dataclass(frozen=True)
class ScenarioMetrics:
    """Every outcome metric of one simulation.

    Attributes
    ----------
    assets : dict
        Asset name -> :class:`OutcomeMetrics` (Russell, BTC, altcoins, in model order).
    basket : OutcomeMetrics
        The altcoin basket.
    basket_beats_btc : Estimate
        P(basket return > BTC return).
    regime_occupancy : pd.Series
        Fraction of path-days per regime.
    """

    assets: dict[str, OutcomeMetrics]
    basket: OutcomeMetrics
    basket_beats_btc: Estimate
    regime_occupancy: pd.Series

    def table(self) -> pd.DataFrame:
        """One row per asset plus ``"basket"``; columns the scalar metrics (no SEs)."""
        rows = {name: m.to_dict() for name, m in {**self.assets, BASKET: self.basket}.items()}
        df = pd.DataFrame(rows).T.drop(columns="se")
        return df.astype(float)

    def se_table(self) -> pd.DataFrame:
        """Standard errors of the probabilities, same rows as :meth:`table`."""
        rows = {name: m.se for name, m in {**self.assets, BASKET: self.basket}.items()}
        return pd.DataFrame(rows).T.astype(float)


def summarize(result: SimulationResult) -> ScenarioMetrics:
    """Compute :class:`ScenarioMetrics` from a :class:`SimulationResult`."""
    assets = {
        name: summarize_outcome(result.terminal_returns[:, i], result.max_drawdowns[:, i])
        for i, name in enumerate(result.assets)
    }
    basket = summarize_outcome(result.basket_terminal_return, result.basket_max_drawdown)
    return ScenarioMetrics(
        assets=assets,
        basket=basket,
        basket_beats_btc=prob_basket_beats_btc(result),
        regime_occupancy=result.occupancy_series(),
    )


__all__ = [
    "DRAWDOWN_LEVELS", "FAN_QUANTILES", "PERCENTILES", "PROBABILITIES", "Estimate", "MetricsError",
    "OutcomeMetrics", "ScenarioMetrics", "drawdown_distribution", "fan_bands", "mc_standard_error",
    "prob_at_least", "prob_at_most", "prob_basket_beats_btc", "probability", "summarize",
    "summarize_outcome", "var_es",
]
