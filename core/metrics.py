"""Outcome metrics of a simulation: quantiles, target probabilities, drawdowns, VaR/ES.

All returns are simple returns over the horizon, as decimals (0.2 = +20%). Every
probability comes with its Monte Carlo standard error ``sqrt(p (1 - p) / n)``; a
quantile comes with the order-statistic standard error of :func:`quantile_standard_error`.

Which "average" exists. Under the parametric engine's Student-t log shocks the mean
*simple* return does not exist: ``E[exp(L)] = inf`` for any finite ``df``, so the sample
mean of simple returns is dominated by a handful of paths and does not settle as paths are
added. The mean *log* return ``E[log(1 + r)]`` exists for ``df > 1`` and its standard error
for ``df > 2`` (scenarios refuse ``df <= 2``), so pages show the median and the geometric
mean ``exp(E[log(1 + r)]) - 1``, each with its Monte Carlo standard error. The simple mean
stays in the JSON (``mean``) for compatibility, with ``mean_finite`` saying whether the
engine's population mean is finite (:func:`simple_mean_exists`) and ``se.mean`` null when not.

Offers
------
probability, prob_at_least, prob_at_most, mc_standard_error
    One event's probability with its standard error.
quantile_standard_error
    Monte Carlo standard error of a sample quantile (order statistics, no density needed).
target_probabilities, exceedance_probabilities
    ``P(X >= t)`` (or ``<= t``) for many targets and samples at once, with standard errors.
percentile_table
    Percentiles p01..p99 per sample.
log_growth, mean_log_return, geometric_mean_return, simple_mean_exists
    The averages that exist (mean log return, geometric mean) with standard errors.
outcomes, beats_btc_event, prob_beats_btc, prob_basket_beats_btc
    An asset's per-path outcomes; the one definition of "beats BTC".
summarize_outcome, summarize, metrics_table
    Every metric of one asset / one run; the per-asset table behind the CSV download.
var_es, drawdown_distribution, fan_bands

Sign convention for risk: VaR and ES are reported as positive loss fractions of the
starting value. ``var95 = -q_0.05(returns)``; ``es95 = -mean(returns | returns <= q_0.05)``.
A negative VaR means even the 5% worst outcome is a gain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.calibration import MarketModel
from core.errors import ExplorerError
from core.montecarlo import BASKET, FAN_QUANTILES, SimulationResult, regime_parameters
from core.scenario import Scenario

#: Percentiles reported for terminal returns (levels in [0, 1]).
PERCENTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Percentiles of the distribution table (levels in [0, 1]).
TABLE_PERCENTILES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
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


#: Floor of ``log(1 + r)``: ``log(2**-52)``, about -36.04. A path that keeps less than
#: ``2**-52`` of its value has ``r == -1`` in double precision, so its log growth is
#: unknown below this floor and counted at it (the mean log return is then an upper bound).
LOG_FLOOR: float = math.log(np.finfo(float).eps)


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


def quantile_standard_error(values: np.ndarray | pd.Series, q: float = 0.5) -> float:
    """Monte Carlo standard error of the sample ``q``-quantile, from order statistics.

    The number of draws below the ``q``-quantile is Binomial(n, q), with standard deviation
    ``s = sqrt(n q (1 - q))``; the order statistics of ranks ``floor(n q - s)`` and
    ``ceil(n q + s)`` (0-based, clipped to the sample) bracket the quantile by one such
    standard deviation, so half the gap between them estimates the quantile's standard
    error without estimating a density (for the median: ranks ``n/2 -+ sqrt(n)/2``).

    Parameters
    ----------
    values : array-like, shape (n,)
        Sample (finite).
    q : float
        Level in (0, 1).

    Returns
    -------
    float
        Standard error in the units of ``values``; NaN when ``n < 4``.
    """
    if not 0.0 < q < 1.0:
        raise MetricsError(f"quantile level must be in (0, 1), got {q!r}")
    x = _sample(values)
    n = x.size
    if n < 4:
        return math.nan
    half = math.sqrt(n * q * (1.0 - q))
    lo = int(max(0, math.floor(n * q - half)))
    hi = int(min(n - 1, math.ceil(n * q + half)))
    part = np.partition(x, [lo, hi])
    return float((part[hi] - part[lo]) / 2.0)


def log_growth(returns: np.ndarray | pd.Series) -> np.ndarray:
    """Log growth ``log(1 + r)`` of simple returns, floored at :data:`LOG_FLOOR`.

    Parameters
    ----------
    returns : array-like, shape (n,)
        Simple returns (decimals, finite, >= -1).

    Returns
    -------
    ndarray, shape (n,)
        ``log1p(max(r, exp(LOG_FLOOR) - 1))``, so never below :data:`LOG_FLOOR`.
    """
    r = _sample(returns)
    if np.any(r < -1.0):
        raise MetricsError(f"a simple return is below -100%: {float(r.min())!r}")
    return np.log1p(np.maximum(r, math.expm1(LOG_FLOOR)))


def mean_log_return(returns: np.ndarray | pd.Series) -> tuple[float, float]:
    """Mean log return ``mean(log(1 + r))`` and its Monte Carlo standard error ``sd / sqrt(n)``.

    Exists under Student-t log shocks with ``df > 1`` (its standard error with ``df > 2``), unlike
    the mean simple return.

    Returns
    -------
    (float, float)
        The mean (log units) and its standard error (ddof=1; NaN when ``n < 2``).
    """
    x = log_growth(returns)
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan
    return float(x.mean()), se


def geometric_mean_return(returns: np.ndarray | pd.Series) -> tuple[float, float]:
    """Geometric mean return ``exp(mean(log(1 + r))) - 1`` and its standard error.

    The simple-return equivalent of :func:`mean_log_return` (the typical compound growth of a
    path); the standard error is the delta method's ``exp(m) * se(m)``.
    """
    m, se = mean_log_return(returns)
    return math.expm1(m), math.exp(m) * se


def simple_mean_exists(model: MarketModel, scenario: Scenario, horizon: int, engine: str) -> bool:
    """Whether the engine's terminal simple returns have a finite mean (and variance).

    The bootstrap engine resamples bounded historical shocks and its jumps are log-normal, so
    ``E[exp(L)]`` is finite. The parametric engine's Student-t shocks give ``E[exp(L)] = inf``
    unless every regime's crypto and Russell ``df`` is infinite (normal shocks).

    Parameters
    ----------
    model : MarketModel
    scenario : Scenario
    horizon : int
        Trading days.
    engine : {"parametric", "bootstrap"}
    """
    if engine == "bootstrap":
        return True
    prm = regime_parameters(model, scenario, horizon)
    dfs = np.concatenate([np.atleast_1d(np.asarray(prm.df, dtype=float)),
                          np.atleast_1d(np.asarray(prm.russell_df, dtype=float))])
    return bool(np.all(np.isinf(dfs)))


def _tail_probabilities(sorted_x: np.ndarray, targets: np.ndarray, at_most: bool) -> np.ndarray:
    """``P(X >= t)`` (or ``P(X <= t)``) for each target, from a sorted sample."""
    n = sorted_x.size
    if at_most:
        return np.searchsorted(sorted_x, targets, side="right") / n
    return 1.0 - np.searchsorted(sorted_x, targets, side="left") / n


def _targets(values: Sequence[float] | np.ndarray, what: str = "target") -> np.ndarray:
    t = np.asarray(values, dtype=float).ravel()
    bad = t[~np.isfinite(t)]
    if bad.size:
        raise MetricsError(f"{what} must be finite numbers, got {bad[0]!r}")
    return t


def target_probabilities(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    targets: Sequence[float] | np.ndarray,
    *,
    at_most: bool = False,
    group: str = "asset",
) -> pd.DataFrame:
    """``P(X >= t)`` (or ``P(X <= t)``) for every target and sample, with standard errors.

    Parameters
    ----------
    samples : mapping of str to array-like shape (n,), or DataFrame
        Sample per name (e.g. terminal simple returns of each asset), or one column each.
    targets : array-like, shape (m,)
        Thresholds in the units of the samples (simple returns: 0.2 = +20%).
    at_most : bool
        ``P(X <= t)`` instead of ``P(X >= t)``.
    group : str
        Name of the column holding the sample names.

    Returns
    -------
    pandas.DataFrame
        Long, ``m`` rows per sample in input order: ``target, <group>, prob, se`` with
        ``se = sqrt(p (1 - p) / n)``.
    """
    t = _targets(targets)
    frames = []
    for name, x in as_samples(samples).items():
        p = _tail_probabilities(np.sort(_sample(x)), t, at_most)
        frames.append(pd.DataFrame({"target": t, group: name, "prob": p,
                                    "se": np.sqrt(np.clip(p * (1.0 - p), 0.0, None) / x.size)}))
    if not frames:
        return pd.DataFrame(columns=["target", group, "prob", "se"])
    return pd.concat(frames, ignore_index=True)


def exceedance_probabilities(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    grid: Sequence[float] | np.ndarray,
    *,
    group: str = "asset",
) -> pd.DataFrame:
    """Exceedance curve ``P(X >= level)`` per sample on ``grid``: ``<group>, level, prob, se``.

    The same numbers as :func:`target_probabilities` (``at_most=False``), laid out for a
    curve per sample (e.g. the maximum-drawdown exceedance chart).
    """
    frame = target_probabilities(samples, grid, group=group).rename(columns={"target": "level"})
    return frame[[group, "level", "prob", "se"]]


def percentile_table(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    levels: Sequence[float] = TABLE_PERCENTILES,
) -> pd.DataFrame:
    """Linear-interpolation percentiles of each sample.

    Returns
    -------
    pandas.DataFrame
        One row per sample (input order), columns ``p01 .. p99`` (one per level, named by
        the level in percent), in the units of the samples.
    """
    lv = _levels(levels)
    rows = {name: np.quantile(_sample(x), lv) for name, x in as_samples(samples).items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=[_level_name(q) for q in lv])


def _levels(levels: Sequence[float]) -> np.ndarray:
    lv = np.asarray(levels, dtype=float).ravel()
    if lv.size == 0 or np.any(~np.isfinite(lv)) or np.any(lv < 0) or np.any(lv > 1):
        raise MetricsError(f"percentile levels must be in [0, 1], got {list(levels)!r}")
    return lv


def _level_name(q: float) -> str:
    """``0.05 -> "p05"``, ``0.5 -> "p50"``, ``0.995 -> "p99.5"``."""
    pct = q * 100.0
    return f"p{round(pct):02d}" if abs(pct - round(pct)) < 1e-9 else f"p{pct:g}"


def as_samples(samples: Mapping[str, np.ndarray] | pd.DataFrame) -> dict[str, np.ndarray]:
    """Samples as a dict of 1-D float arrays (a frame gives one entry per column)."""
    if isinstance(samples, pd.DataFrame):
        return {str(c): samples[c].to_numpy(dtype=float) for c in samples.columns}
    return {str(k): np.asarray(v, dtype=float).ravel() for k, v in samples.items()}


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
        Sample mean of the simple returns. Its population value is infinite under Student-t
        shocks (see :attr:`simple_mean_finite`): kept for the JSON, never shown on a page.
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
    p50_se : float
        Standard error of the median ``p50`` (:func:`quantile_standard_error`).
    mean_log, mean_log_se : float
        Mean log return ``mean(log(1 + r))`` and its standard error (:func:`mean_log_return`).
    geometric_mean, geometric_mean_se : float
        ``exp(mean_log) - 1`` and its standard error (:func:`geometric_mean_return`).
    simple_mean_finite : bool
        Whether the population mean (and variance) of the simple return is finite under the
        engine that produced the sample (:func:`simple_mean_exists`).
    mean_se : float
        Standard error ``sd(r) / sqrt(n)`` of :attr:`mean` when :attr:`simple_mean_finite`,
        else NaN (an infinite mean has no standard error).
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
    p50_se: float = math.nan
    mean_log: float = math.nan
    mean_log_se: float = math.nan
    geometric_mean: float = math.nan
    geometric_mean_se: float = math.nan
    simple_mean_finite: bool = False
    mean_se: float = math.nan

    def to_dict(self) -> dict[str, object]:
        """Plain dict (JSON-ready) with the fields above, ``se`` nested.

        ``se`` holds the standard error of each probability and ``mean`` (NaN when the mean is
        infinite in population), ``mean_log``, ``geometric_mean`` and ``p50``; ``mean_finite``
        is :attr:`simple_mean_finite`.
        """
        keys = ("mean", "p05", "p25", "p50", "p75", "p95", "p50_se", *PROBABILITIES, "var95", "es95",
                "mean_log", "geometric_mean")
        out: dict[str, object] = {k: getattr(self, k) for k in keys}
        out["mean_finite"] = self.simple_mean_finite
        out["se"] = {**self.se, "mean": self.mean_se, "mean_log": self.mean_log_se,
                     "geometric_mean": self.geometric_mean_se, "p50": self.p50_se}
        return out


def summarize_outcome(
    returns: np.ndarray | pd.Series,
    max_drawdowns: np.ndarray | pd.Series,
    *,
    simple_mean_finite: bool = False,
) -> OutcomeMetrics:
    """Compute :class:`OutcomeMetrics` for one asset.

    Parameters
    ----------
    returns : array-like, shape (n_paths,)
        Terminal simple returns.
    max_drawdowns : array-like, shape (n_paths,)
        Maximum drawdowns in [0, 1] of the same paths.
    simple_mean_finite : bool
        Whether the simple return's population mean is finite (:func:`simple_mean_exists`);
        only then does :attr:`OutcomeMetrics.mean_se` get a value.
    """
    r = _sample(returns)
    dd = _sample(max_drawdowns, "max drawdowns")
    if dd.size != r.size:
        raise MetricsError(f"{r.size} returns but {dd.size} drawdowns")
    pct = np.quantile(r, PERCENTILES)
    probs = {k: probability(event(r, dd)) for k, event in OUTCOME_EVENTS.items()}
    var95, es95 = var_es(r, 0.95)
    mean_log, mean_log_se = mean_log_return(r)
    geo, geo_se = geometric_mean_return(r)
    mean_se = float(r.std(ddof=1) / math.sqrt(r.size)) if simple_mean_finite and r.size > 1 else math.nan
    return OutcomeMetrics(
        mean=float(r.mean()),
        p05=float(pct[0]), p25=float(pct[1]), p50=float(pct[2]), p75=float(pct[3]), p95=float(pct[4]),
        **{k: v.p for k, v in probs.items()},
        var95=var95,
        es95=es95,
        se={k: v.se for k, v in probs.items()},
        n=int(r.size),
        p50_se=quantile_standard_error(r, 0.5),
        mean_log=mean_log, mean_log_se=mean_log_se,
        geometric_mean=geo, geometric_mean_se=geo_se,
        simple_mean_finite=bool(simple_mean_finite), mean_se=mean_se,
    )


def outcomes(result: SimulationResult, asset: str) -> tuple[np.ndarray, np.ndarray]:
    """Terminal simple returns and max drawdowns of one asset (or :data:`BASKET`), each shape (n_paths,).

    Raises
    ------
    MetricsError
        ``asset`` is neither an asset of the result nor the basket.
    """
    if asset == BASKET:
        return result.basket_terminal_return, result.basket_max_drawdown
    if asset not in result.assets:
        raise MetricsError(f"asset {asset!r} is not in the simulation (assets: {', '.join(result.assets)})")
    i = result.assets.index(asset)
    return result.terminal_returns[:, i], result.max_drawdowns[:, i]


def beats_btc_event(result: SimulationResult, asset: str) -> np.ndarray:
    """Per path, whether ``asset`` (or the basket) ends the horizon above BTC, shape (n_paths,) bool.

    The one definition of "beats BTC": ``r_asset > r_BTC`` on the same path (ties lose).

    Raises
    ------
    MetricsError
        ``asset`` is BTC itself, or unknown.
    """
    if asset == result.btc:
        raise MetricsError(f"{asset!r} is BTC: it cannot beat itself")
    r, _ = outcomes(result, asset)
    return r > result.terminal_returns[:, result.assets.index(result.btc)]


def prob_beats_btc(result: SimulationResult, asset: str) -> Estimate:
    """P(asset terminal return > BTC terminal return) with its standard error (see :func:`beats_btc_event`)."""
    return probability(beats_btc_event(result, asset))


def prob_basket_beats_btc(result: SimulationResult) -> Estimate:
    """P(basket terminal return > BTC terminal return): the "altcoin season" question."""
    return prob_beats_btc(result, BASKET)


def drawdown_distribution(result: SimulationResult, levels: tuple[float, ...] = DRAWDOWN_LEVELS) -> pd.DataFrame:
    """Quantiles of the maximum drawdown with the median's and the mean's standard errors.

    Returns
    -------
    pandas.DataFrame
        Rows assets + ``"basket"``; columns one per level (``p05`` .. ``p95``), ``p50_se``
        (:func:`quantile_standard_error`), ``mean`` and ``mean_se`` (``sd / sqrt(n)``; a
        drawdown lies in [0, 1], so its mean exists). Fractions of the peak value.
    """
    dd = result.drawdown_frame()
    out = dd.quantile(list(levels)).T
    out.columns = [f"p{round(q * 100):02d}" for q in levels]
    out["p50_se"] = [quantile_standard_error(dd[c].to_numpy(), 0.5) for c in dd.columns]
    out["mean"] = dd.mean()
    out["mean_se"] = dd.std(ddof=1) / math.sqrt(len(dd))
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
    beats_btc : dict
        Asset name (altcoins, the Russell and ``"basket"``; not BTC) -> P(return > BTC return).
    """

    assets: dict[str, OutcomeMetrics]
    basket: OutcomeMetrics
    basket_beats_btc: Estimate
    regime_occupancy: pd.Series
    beats_btc: dict[str, Estimate] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per asset plus ``"basket"``; columns the scalar metrics (no SEs)."""
        rows = {name: m.to_dict() for name, m in {**self.assets, BASKET: self.basket}.items()}
        df = pd.DataFrame(rows).T.drop(columns=["se", "mean_finite"])
        return df.astype(float)

    def se_table(self) -> pd.DataFrame:
        """Standard errors of the probabilities, same rows as :meth:`table`."""
        rows = {name: m.se for name, m in {**self.assets, BASKET: self.basket}.items()}
        return pd.DataFrame(rows).T.astype(float)


def summarize(result: SimulationResult, *, simple_mean_finite: bool = False) -> ScenarioMetrics:
    """Compute :class:`ScenarioMetrics` from a :class:`SimulationResult`.

    ``simple_mean_finite`` (from :func:`simple_mean_exists`) says whether the simple mean has a
    standard error; the default assumes Student-t shocks (it does not).
    """
    finite = bool(simple_mean_finite)
    assets = {
        name: summarize_outcome(result.terminal_returns[:, i], result.max_drawdowns[:, i], simple_mean_finite=finite)
        for i, name in enumerate(result.assets)
    }
    basket = summarize_outcome(result.basket_terminal_return, result.basket_max_drawdown, simple_mean_finite=finite)
    beats = {name: prob_beats_btc(result, name) for name in (*result.assets, BASKET) if name != result.btc}
    return ScenarioMetrics(
        assets=assets,
        basket=basket,
        basket_beats_btc=beats[BASKET],
        regime_occupancy=result.occupancy_series(),
        beats_btc=beats,
    )


#: Centre and spread columns of :func:`metrics_table`, in order.
METRICS_TABLE_CENTRE: tuple[str, ...] = ("geometric_mean", "geometric_mean_se", "mean_log", "mean_log_se",
                                         "p05", "p25", "p50", "p50_se", "p75", "p95")
#: Run settings appended to :func:`metrics_table` (column -> SimulationResult attribute).
_RUN_COLUMNS: dict[str, str] = {"scenario": "scenario", "engine": "engine", "n_paths": "n_paths",
                                "horizon_days": "horizon", "seed": "seed"}


def metrics_table(result: SimulationResult, metrics: ScenarioMetrics) -> pd.DataFrame:
    """Every outcome metric with its Monte Carlo standard error, one row per asset and the basket.

    Parameters
    ----------
    result : SimulationResult
        The run (for its settings).
    metrics : ScenarioMetrics
        ``summarize(result)``.

    Returns
    -------
    pandas.DataFrame
        Index ``assets + ["basket"]``; columns ``geometric_mean, geometric_mean_se, mean_log,
        mean_log_se, p05, p25, p50, p50_se, p75, p95`` (no simple mean: it is infinite under
        Student-t shocks), the probabilities of :data:`PROBABILITIES` each followed by ``<name>_se``,
        ``prob_beats_btc`` and ``prob_beats_btc_se`` (P(asset return > BTC return); NaN for
        BTC itself), ``var95, es95``, then the run: ``scenario, engine, n_paths,
        horizon_days, seed``. Decimals throughout.
    """
    rows = []
    for name, m in {**metrics.assets, BASKET: metrics.basket}.items():
        row: dict[str, object] = {"asset": name}
        row.update({k: getattr(m, k) for k in METRICS_TABLE_CENTRE})
        for prob in PROBABILITIES:
            row[prob], row[f"{prob}_se"] = getattr(m, prob), m.se[prob]
        beats = metrics.beats_btc.get(name)
        row["prob_beats_btc"] = math.nan if beats is None else beats.p
        row["prob_beats_btc_se"] = math.nan if beats is None else beats.se
        row["var95"], row["es95"] = m.var95, m.es95
        rows.append(row)
    out = pd.DataFrame(rows).set_index("asset")
    for col, attr in _RUN_COLUMNS.items():
        out[col] = getattr(result, attr)
    return out


__all__ = [
    "DRAWDOWN_LEVELS", "FAN_QUANTILES", "LOG_FLOOR", "METRICS_TABLE_CENTRE", "OUTCOME_EVENTS", "PERCENTILES",
    "PROBABILITIES", "TABLE_PERCENTILES",
    "Estimate", "MetricsError", "OutcomeMetrics", "ScenarioMetrics", "as_samples", "beats_btc_event",
    "drawdown_distribution", "exceedance_probabilities", "fan_bands", "geometric_mean_return", "log_growth",
    "mc_standard_error", "mean_log_return", "metrics_table", "outcomes", "percentile_table", "prob_at_least",
    "prob_at_most", "prob_basket_beats_btc", "prob_beats_btc", "probability", "quantile_standard_error",
    "simple_mean_exists", "summarize", "summarize_outcome", "target_probabilities", "var_es",
]
