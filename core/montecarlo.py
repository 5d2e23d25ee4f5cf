"""Monte Carlo engine: simulate a scenario on top of a calibrated :class:`MarketModel`.

Per trading day ``t`` and path, with regime ``s`` from a Markov chain (day 1 is in the
scenario's initial regime, or drawn per path from its ``initial_probabilities`` when it has
them; the chain moves after each day)::

    R_t   = mu_R(t) + shift(s) + sigma_R(s) z_R
    u_t   = sigma_B(s) z_B
    B_t   = a_B(s) + d_t b_B(s) R_t + u_t
    A_i,t = a_i(s) + o_i + d_t b_i(s) R_t + g_i(s) u_t + sigma_i(s) z_i + J_i,t

with ``d_t = downside_beta_scale(s)`` if ``R_t < 0`` else 1, ``o_i ~ N(0, (sel/252)^2)``
drawn once per path and token (selectivity), and ``J`` compound-Poisson jumps with
per-regime intensity and normal log sizes. All quantities are daily log returns.

Shocks ``z``:

* ``engine="parametric"``: unit-variance Student-t with the regime's ``df``. The crypto
  shocks are ``z = n * sqrt((df - 2) / (2 G))`` with ``n ~ N(0, 1)`` and
  ``G ~ Gamma(df/2)``; one ``G`` per path and day is shared by BTC and every altcoin (a
  multivariate t): a turbulent day hits them all at once, which gives the joint crashes
  seen in the data, while the shocks stay uncorrelated with unit variance so the
  model's correlations hold. The Russell's shock is an independent t with the regime's
  Russell ``df``, drawn directly in polar form (:func:`_student_t`). ``df = inf`` gives
  normal shocks. The normals ``n`` come from a vectorized Box-Muller transform
  (:func:`_standard_normals`). The altcoin shocks are correlated with the
  calibrated residual correlation ``C`` (``z_alt = cholesky(C) @ n_alt``, which
  commutes with the common t scale), so tokens share an "altcoin" factor beyond BTC.
* ``engine="bootstrap"``: whole rows of the model's standardized residuals resampled
  in stationary blocks (Politis-Romano 1994) with mean length ``model.block_length``:
  real tails, real cross-asset dependence of the residuals, volatility clustering.

Memory does not grow with the horizon: the engine walks the days in chunks and keeps
only running log levels, running maxima, maximum drawdowns, regime counts and the
fan-band quantiles at :data:`MAX_REPORT_STEPS` or fewer evenly spaced days; a second
thread draws the next chunk's random numbers while the current one is walked
(:data:`DRAW_AHEAD`; the stream is consumed in the same order, so the result is the same
with or without it). Shocks and the running state are float32 (errors ~1e-7 relative,
far below Monte Carlo noise); results are returned as float64.

The altcoin basket is buy-and-hold: weights (equal by default) are set on day 0 and
drift with prices, ``basket_t = sum_i w_i exp(L_i,t)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from core.budget import check_run_size
from core.calibration import MarketModel
from core.conventions import BASKET, TRADING_DAYS
from core.errors import ExplorerError
from core.finite import check_finite_outcomes
from core.regimes import daily_distribution, initial_distribution
from core.scenario import Scenario

Engine = Literal["parametric", "bootstrap"]
ENGINES: tuple[str, ...] = ("parametric", "bootstrap")
#: Quantile levels of the fan bands.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Most days (besides day 0) at which fan bands are recorded.
MAX_REPORT_STEPS = 64
#: Name of the basket column in frames.
#: Target number of float32 shocks generated per chunk (bounds memory, amortizes calls).
_CHUNK_ELEMENTS = 1 << 21
#: Paths processed together inside a day (sized so a block's arrays stay in cache).
_BLOCK_PATHS = 8192
_F = np.float32
#: Draw the next chunk's random numbers on a second thread while the current chunk is
#: walked (same numbers, same result; about 1.3x faster with two free cores).
DRAW_AHEAD = True


class SimulationError(ExplorerError):
    """Invalid simulation request (bad engine, path count, horizon, weights, ...)."""


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of :func:`simulate`; every return is a simple return (decimal) over the horizon.

    Attributes
    ----------
    assets : tuple of str
        ``(russell, btc, *alts)``, the column order of the per-asset arrays.
    basket_assets : tuple of str
        Altcoins in the basket.
    basket_weights : ndarray, shape (n_basket,)
        Initial basket weights (sum to 1), buy-and-hold.
    terminal_returns : ndarray, shape (n_paths, n_assets)
        ``exp(L_T) - 1`` per path and asset.
    max_drawdowns : ndarray, shape (n_paths, n_assets)
        Largest peak-to-trough fall of each path (0..1, the start counts as a peak).
    basket_terminal_return, basket_max_drawdown : ndarray, shape (n_paths,)
        The same for the basket.
    fan_steps : ndarray, shape (n_report,)
        Days at which the bands are recorded, starting at 0 and ending at ``horizon``.
    fan_bands : ndarray, shape (n_report, n_assets + 1, 5)
        Quantiles :data:`FAN_QUANTILES` of the cumulative simple return at each report
        day; the last column block (index ``n_assets``) is the basket.
    regime_names : tuple of str
        Regimes in chain order.
    regime_occupancy : ndarray, shape (n_regimes,)
        Fraction of all path-days spent in each regime (sums to 1).
    scenario : str
        Scenario name.
    engine : str
        ``"parametric"`` or ``"bootstrap"``.
    n_paths, horizon : int
        Paths and trading days simulated.
    seed : int or None
        Entropy of the generator's SeedSequence (the integer given to
        ``numpy.random.default_rng``), ``None`` when it is not a plain integer.
    block_length : float or None
        Mean bootstrap block length (bootstrap engine only).
    """

    assets: tuple[str, ...]
    basket_assets: tuple[str, ...]
    basket_weights: np.ndarray
    terminal_returns: np.ndarray
    max_drawdowns: np.ndarray
    basket_terminal_return: np.ndarray
    basket_max_drawdown: np.ndarray
    fan_steps: np.ndarray
    fan_bands: np.ndarray
    regime_names: tuple[str, ...]
    regime_occupancy: np.ndarray
    scenario: str
    engine: str
    n_paths: int
    horizon: int
    seed: int | None
    block_length: float | None

    @property
    def btc(self) -> str:
        """Name of the BTC column."""
        return self.assets[1]

    def terminal_frame(self) -> pd.DataFrame:
        """Terminal simple returns, paths x (assets + ``"basket"``)."""
        df = pd.DataFrame(self.terminal_returns, columns=list(self.assets))
        df[BASKET] = self.basket_terminal_return
        return df

    def drawdown_frame(self) -> pd.DataFrame:
        """Maximum drawdowns (0..1), paths x (assets + ``"basket"``)."""
        df = pd.DataFrame(self.max_drawdowns, columns=list(self.assets))
        df[BASKET] = self.basket_max_drawdown
        return df

    def fan_frame(self) -> pd.DataFrame:
        """Fan bands in long form: columns ``day, asset, p05, p25, p50, p75, p95``."""
        names = [*self.assets, BASKET]
        n_rep, n_cols, _ = self.fan_bands.shape
        qcols = [f"p{round(q * 100):02d}" for q in FAN_QUANTILES]
        flat = self.fan_bands.reshape(n_rep * n_cols, len(FAN_QUANTILES))
        df = pd.DataFrame(flat, columns=qcols)
        df.insert(0, "asset", np.tile(names, n_rep))
        df.insert(0, "day", np.repeat(self.fan_steps, n_cols))
        return df

    def occupancy_series(self) -> pd.Series:
        """Regime occupancy as a Series indexed by regime name."""
        return pd.Series(self.regime_occupancy, index=list(self.regime_names), name="occupancy")


# eq=False: equality by identity (array fields); the tables are rebuilt, never compared.
@dataclass(frozen=True, eq=False)
class RegimeParameters:
    """The per-regime daily parameters the engine simulates with, float64 (one source of truth).

    Rows of the per-asset arrays follow ``assets = (russell, btc, *alts)``; columns follow
    ``regimes``. All drifts and vols are daily, of log returns.

    Attributes
    ----------
    assets : tuple of str
    regimes : tuple of str
    alpha : ndarray, shape (n_assets, K)
        Russell: the regime's drift shift (added to :attr:`russell_drift`); BTC: ``a_B(s)``;
        altcoins: ``a_i(s)``.
    vol : ndarray, shape (n_assets, K)
        Own-shock scale: ``sigma_R(s)``, ``sigma_B(s)`` (BTC's residual ``u = sigma_B z_B``),
        ``sigma_i(s)``.
    beta : ndarray, shape (n_assets, K)
        Beta to the Russell on up days (Russell row 0).
    loading : ndarray, shape (n_assets, K)
        Loading on BTC's residual ``u``: Russell 0, BTC 1, altcoins ``g_i(s)``.
    downside : ndarray, shape (K,)
        Factor on the betas on days the Russell return is negative.
    jump_rate : ndarray, shape (K,)
        Expected jumps per day per token (annual intensity / TRADING_DAYS).
    jump_mean, jump_vol : ndarray, shape (K,)
        Mean and std dev of the log jump size.
    df, russell_df : ndarray, shape (K,)
        Student-t df of the crypto and the Russell shocks (inf = normal).
    russell_drift : ndarray, shape (horizon,)
        Russell base log drift per day (:func:`russell_drift_path`), before the regime shift.
    """

    assets: tuple[str, ...]
    regimes: tuple[str, ...]
    alpha: np.ndarray
    vol: np.ndarray
    beta: np.ndarray
    loading: np.ndarray
    downside: np.ndarray
    jump_rate: np.ndarray
    jump_mean: np.ndarray
    jump_vol: np.ndarray
    df: np.ndarray
    russell_df: np.ndarray
    russell_drift: np.ndarray


def regime_parameters(model: MarketModel, scenario: Scenario, horizon: int) -> RegimeParameters:
    """The scenario's regimes applied to the calibrated model: what :func:`simulate` uses.

    Per regime ``s``: optional overrides replace the calibrated value (annual drifts divided
    by :data:`core.conventions.TRADING_DAYS`), scales multiply it; the Russell vol is the
    scenario's ``annual_vol / sqrt(TRADING_DAYS)`` or the calibrated daily vol, times the
    regime's ``russell_vol_scale``.

    Parameters
    ----------
    model : MarketModel
    scenario : Scenario
    horizon : int
        Trading days (sets the length of :attr:`RegimeParameters.russell_drift`).
    """
    k = len(scenario.regimes)
    n_alt = len(model.alts)
    a = 2 + n_alt
    alpha = np.zeros((a, k))
    vol = np.zeros((a, k))
    beta = np.zeros((a, k))
    loading = np.zeros((a, k))
    loading[1] = 1.0
    rp = scenario.russell
    sigma_r = model.russell_sigma if rp.annual_vol is None else rp.annual_vol / math.sqrt(TRADING_DAYS)
    for i, r in enumerate(scenario.regimes):
        alpha[0, i] = r.russell_drift_shift / TRADING_DAYS
        alpha[1, i] = model.btc_alpha if r.btc_alpha is None else r.btc_alpha / TRADING_DAYS
        alpha[2:, i] = model.alt_alpha.to_numpy() if r.alt_alpha is None else r.alt_alpha / TRADING_DAYS
        vol[0, i] = sigma_r * r.russell_vol_scale
        vol[1, i] = model.btc_sigma * r.btc_vol_scale
        vol[2:, i] = model.alt_sigma.to_numpy() * r.alt_vol_scale
        beta[1, i] = (model.btc_beta if r.btc_beta is None else r.btc_beta) * r.btc_beta_scale
        beta[2:, i] = (model.alt_beta.to_numpy() if r.alt_beta is None else r.alt_beta) * r.alt_beta_scale
        loading[2:, i] = model.alt_loading.to_numpy() * r.alt_loading_scale
    regs = scenario.regimes
    russell_df = float(model.tail_df[model.russell])
    return RegimeParameters(
        assets=model.assets,
        regimes=scenario.regime_names,
        alpha=alpha,
        vol=vol,
        beta=beta,
        loading=loading,
        downside=np.array([r.downside_beta_scale for r in regs], dtype=float),
        jump_rate=np.array([r.jump_intensity / TRADING_DAYS for r in regs]),
        jump_mean=np.array([r.jump_mean for r in regs]),
        jump_vol=np.array([r.jump_vol for r in regs]),
        df=np.array([model.crypto_df if r.df is None else r.df for r in regs], dtype=float),
        russell_df=np.array([russell_df if r.russell_df is None else r.russell_df for r in regs], dtype=float),
        russell_drift=russell_drift_path(model, scenario, horizon),
    )


@dataclass(frozen=True)
class _Tables:
    """Per-regime parameters, float32, asset-major: ``coef`` has shape (4 * n_assets, K)."""

    coef: np.ndarray  # rows: alpha | own-shock scale | beta to R | loading on z_B (x sigma_B)
    down: np.ndarray  # (K,) downside beta factor
    jump_rate: np.ndarray  # (K,) expected jumps per day per token
    jump_mean: np.ndarray  # (K,)
    jump_vol: np.ndarray  # (K,)
    df: np.ndarray  # (K,) crypto shock df, float64, inf = normal
    russell_df: np.ndarray  # (K,) Russell shock df
    mu_path: np.ndarray  # (horizon,) Russell base drift per day


def _regime_tables(model: MarketModel, scenario: Scenario, horizon: int) -> _Tables:
    """The engine's layout of :func:`regime_parameters`.

    BTC's own shock enters through ``u = sigma_B z_B`` (its own-shock row is 0); the last row
    block is each asset's loading on ``z_B``, ``loading * sigma_B``.
    """
    prm = regime_parameters(model, scenario, horizon)
    diag = prm.vol.copy()
    diag[1] = 0.0
    gs = prm.loading * prm.vol[1]
    return _Tables(
        coef=np.vstack([prm.alpha, diag, prm.beta, gs]).astype(_F),
        down=prm.downside.astype(_F),
        jump_rate=prm.jump_rate,
        jump_mean=prm.jump_mean,
        jump_vol=prm.jump_vol,
        df=prm.df,
        russell_df=prm.russell_df,
        mu_path=prm.russell_drift,
    )


def russell_drift_path(model: MarketModel, scenario: Scenario, horizon: int) -> np.ndarray:
    """Base Russell log drift per day (before regime shifts), shape (horizon,).

    ``calibrated``: ``mu_R`` every day. ``target``: ``(log(1 + target) - m) / H - E[shift(s_t)]``
    on day t, with ``H = horizon_days``, ``E[shift(s_t)]`` the expected regime shift under the
    chain (:func:`regime_probabilities`) and ``m`` the median of the demeaned regime
    contribution over ``H`` days (:func:`_median_offset`), so the median Russell log return
    over ``H`` days is ``log(1 + target)`` whatever the regimes do. ``phases``: the same rule
    with ``log(1 + total_return) / days`` within each phase and ``H`` the phases' total days
    (one 63-day phase at +7% is the 63-day +7% target), then ``mu_R`` after the last phase.
    The regimes shape the risk around the promised path, not where its median ends.
    """
    rp = scenario.russell
    mu = np.full(horizon, model.russell_mu, dtype=float)
    if rp.mode == "calibrated":
        return mu
    sigma_r = model.russell_sigma if rp.annual_vol is None else rp.annual_vol / math.sqrt(TRADING_DAYS)
    if rp.mode == "target":
        rates = [(scenario.horizon_days, math.log1p(rp.target_return) / scenario.horizon_days)]
    else:
        rates = [(ph.days, math.log1p(ph.total_return) / ph.days) for ph in rp.phases]
    span = sum(days for days, _ in rates)
    base = np.concatenate([np.full(days, rate) for days, rate in rates])
    shift = np.array([r.russell_drift_shift for r in scenario.regimes]) / TRADING_DAYS
    expected_shift = regime_probabilities(scenario, span) @ shift
    planned = base - expected_shift - _median_offset(scenario, sigma_r, span) / span
    n = min(horizon, span) if rp.mode == "phases" else horizon
    if rp.mode == "target" and horizon > span:  # beyond the target's horizon: same rate, same offset
        tail = regime_probabilities(scenario, horizon)[span:] @ shift
        planned = np.concatenate([planned, base[-1] - tail - _median_offset(scenario, sigma_r, span) / span])
    mu[:n] = planned[:n]
    return mu


def regime_probabilities(scenario: Scenario, horizon: int) -> np.ndarray:
    """P(s_t = k) for days t = 1..horizon from the initial regime, shape (horizon, K).

    Row t is ``p0 P^(t-1)`` with ``p0`` the distribution of day 1's regime
    (:func:`core.regimes.initial_distribution`: one-hot on ``initial_regime``, or the
    scenario's ``initial_probabilities``).
    """
    return daily_distribution(np.asarray(scenario.transition, dtype=float), initial_distribution(scenario), horizon)


#: Regime chains of the pilot that solves the target's drift (a fixed, separate stream: the
#: drift depends on the scenario only, never on the run's seed).
_PILOT_PATHS, _PILOT_SEED = 20_000, 20_241_204


def _median_offset(scenario: Scenario, sigma_r: float, days: int) -> float:
    """Median of the demeaned regime part of the Russell's log return over ``days`` days.

    ``X = sum_t (shift(s_t) - E[shift(s_t)]) + sum_t sigma_R(s_t) z_t``. Given a regime path the
    second sum is taken as normal with variance ``V = sum_t sigma_R(s_t)^2`` (many unit-variance
    shocks), so ``P(X <= m) = E[Phi((m - S) / sqrt(V))]`` over regime paths, estimated on
    :data:`_PILOT_PATHS` chains and solved for 1/2. Zero with one regime (``X`` is symmetric).
    """
    if len(scenario.regimes) == 1:
        return 0.0
    return _median_offset_cached(scenario, float(sigma_r), int(days))


@lru_cache(maxsize=64)
def _median_offset_cached(scenario: Scenario, sigma_r: float, days: int) -> float:
    regs = scenario.regimes
    shift = np.array([r.russell_drift_shift for r in regs]) / TRADING_DAYS
    var = (sigma_r * np.array([r.russell_vol_scale for r in regs])) ** 2
    expected = regime_probabilities(scenario, days) @ shift
    cum_trans = _cumulative_rows(np.asarray(scenario.transition, dtype=float))
    rng = np.random.default_rng(_PILOT_SEED)
    state = _initial_states(rng, scenario, _PILOT_PATHS)
    s_sum = np.zeros(_PILOT_PATHS)
    v_sum = np.zeros(_PILOT_PATHS)
    for start in range(0, days, 256):  # chunks bound the memory at long horizons
        steps = min(256, days - start)
        regimes, state = _chunk_regimes(rng, state, steps, cum_trans)
        s_sum += shift[regimes].sum(axis=0) - expected[start:start + steps].sum()
        v_sum += var[regimes].sum(axis=0)
    sd = np.sqrt(v_sum)

    def excess(m: float) -> float:
        return float(stats.norm.cdf((m - s_sum) / sd).mean()) - 0.5

    width = float(np.abs(s_sum).max() + 10.0 * sd.max())
    return float(optimize.brentq(excess, -width, width, xtol=1e-10))


def report_steps(horizon: int, max_steps: int = MAX_REPORT_STEPS) -> np.ndarray:
    """Days at which fan bands are recorded: 0 plus at most ``max_steps`` evenly spaced days ending at ``horizon``."""
    days = np.unique(np.round(np.linspace(0, horizon, min(max_steps, horizon) + 1)).astype(int))
    return days


def _quantiles(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Linear-interpolation quantiles of each row of ``x``, shape (m, len(qs)); reorders ``x``.

    Only the order statistics at the interpolation points are needed: nested in-place
    partitions with one ``kth`` each (numpy's SIMD select; several ``kth`` at once, or a
    full sort, are several times slower), the next order statistic being the minimum
    of the segment above. Pass a scratch copy.
    """
    n = x.shape[1]
    pos = np.asarray(qs) * (n - 1)
    lo = np.floor(pos).astype(int)
    frac = pos - lo
    v_lo = np.empty((x.shape[0], len(qs)))
    v_hi = np.empty_like(v_lo)
    # Segments [a, b) hold order statistics a..b-1 (column b holds statistic b if b < n).
    # An explicit stack, not a recursive closure: that would be a reference cycle
    # keeping every scratch ``x`` alive until the garbage collector runs.
    pending = [(0, n, list(range(len(qs))))]
    while pending:
        a, b, idx = pending.pop()
        if not idx:
            continue
        k = int(lo[min(idx, key=lambda i: abs(lo[i] - (a + b) / 2))])  # halve the segment
        x[:, a:b].partition(k - a, axis=1)
        here = [i for i in idx if lo[i] == k]
        v_lo[:, here] = x[:, k, None]
        if k + 1 < b:
            v_hi[:, here] = x[:, k + 1:b].min(axis=1)[:, None]
        else:  # k + 1 is the segment's upper bound, placed by an outer partition
            v_hi[:, here] = x[:, min(k + 1, n - 1), None]
        pending.append((a, k, [i for i in idx if lo[i] < k]))
        pending.append((k + 1, b, [i for i in idx if lo[i] > k]))
    return v_lo * (1.0 - frac) + v_hi * frac


def _normal_scratch(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays for :func:`_standard_normals` of ``n`` values."""
    h = (n + 1) // 2
    return np.empty(h), np.empty(h, dtype=_F), np.empty(h, dtype=_F)


def _standard_normals(
    rng: np.random.Generator, out: np.ndarray, scratch: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Fill float32 ``out`` with independent N(0, 1) draws (Box-Muller), return it.

    ``(r cos t, r sin t)`` with ``r = sqrt(-2 log U)``, ``t = 2 pi V`` is an exact pair of
    independent normals; in vectorized float32 it costs about 60 % of numpy's ziggurat
    (which runs one element at a time). ``U`` is a float64 uniform in (0, 1], cast to
    float32 only before the log, so the radius keeps its tail up to ~8.6 sd (a float32
    uniform would cut it at 5.8 sd). ``scratch`` is from :func:`_normal_scratch`.
    """
    flat = out.reshape(-1)
    n = flat.size
    h = (n + 1) // 2
    u64, r, t = (a[:h] for a in scratch)
    rng.random(out=u64)
    np.subtract(1.0, u64, out=r)  # (0, 1]: log(0) cannot happen
    np.log(r, out=r)
    r *= _F(-2.0)
    np.sqrt(r, out=r)
    rng.random(dtype=_F, out=t)
    t *= _F(2.0 * math.pi)
    first = flat[:h]
    np.cos(t, out=first)
    first *= r
    np.sin(t, out=t)
    np.multiply(t[:n - h], r[:n - h], out=flat[h:])
    return out


def _initial_states(rng: np.random.Generator, scenario: Scenario, n_paths: int) -> np.ndarray:
    """Regime index of day 1 per path, shape (n_paths,).

    Every path starts in ``initial_regime`` (no random numbers drawn) unless the scenario has
    ``initial_probabilities`` ``p0`` (and more than one regime): then path ``i`` starts in the
    first ``k`` with ``u_i < cumsum(p0)[k]``, ``u_i ~ U(0, 1)``, so ``P(s_1 = k) = p0[k]``.
    """
    probs = scenario.initial_probabilities
    if probs is None or len(probs) == 1:
        return np.full(n_paths, scenario.regime_names.index(scenario.initial_regime), dtype=np.intp)
    cum = _cumulative_rows(np.asarray(probs, dtype=float)[None, :])[0]
    return np.searchsorted(cum[:-1], rng.random(n_paths), side="right").astype(np.intp)


def _cumulative_rows(transition: np.ndarray) -> np.ndarray:
    """Row-wise cumulative transition probabilities, last column forced to exactly 1."""
    cum = np.cumsum(transition, axis=1)
    cum[:, -1] = 1.0  # guard against rows summing to 1 - 1e-12
    return cum


def simulate(
    model: MarketModel,
    scenario: Scenario,
    *,
    n_paths: int,
    horizon: int | None = None,
    rng: np.random.Generator,
    engine: Engine = "parametric",
    basket_weights: Mapping[str, float] | None = None,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    """Simulate ``n_paths`` paths of ``horizon`` trading days.

    Parameters
    ----------
    model : MarketModel
        Calibrated model (assets ``(russell, btc, *alts)``).
    scenario : Scenario
        Regimes, transition matrix, Russell path, selectivity.
    n_paths : int
        Number of paths (>= 2).
    horizon : int, optional
        Trading days; default ``scenario.horizon_days``.
    rng : numpy.random.Generator
        The only source of randomness: same generator state -> same result.
    engine : {"parametric", "bootstrap"}
        Student-t shocks, or stationary block bootstrap of the model's residual rows.
    basket_weights : mapping, optional
        Altcoin -> initial weight (normalized to sum 1); default equal weights over
        ``model.alts``. Buy-and-hold.
    progress : callable, optional
        Called with the fraction of days done (0..1] after each chunk of days, for a
        progress bar; it does not affect the result.

    Returns
    -------
    SimulationResult
    """
    if engine not in ENGINES:
        raise SimulationError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < 2:
        raise SimulationError(f"n_paths must be an integer >= 2, got {n_paths!r}")
    horizon = scenario.horizon_days if horizon is None else horizon
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise SimulationError(f"horizon must be an integer >= 1 trading day, got {horizon!r}")
    n_paths, horizon = int(n_paths), int(horizon)
    if not model.alts:
        raise SimulationError("the model has no altcoins; the basket needs at least one")
    check_run_size(n_paths, horizon, 2 + len(model.alts), max(r.jump_intensity for r in scenario.regimes))
    weights = _basket_weights(model, basket_weights)
    tables = _regime_tables(model, scenario, horizon)
    n_alt = len(model.alts)
    n_assets = 2 + n_alt
    k_reg = len(scenario.regimes)
    cum_trans = _cumulative_rows(np.asarray(scenario.transition, dtype=float))
    multi = k_reg > 1

    if engine == "bootstrap":
        hist_t = np.ascontiguousarray(model.standardized_residuals.to_numpy(dtype=_F).T)
        n_hist = hist_t.shape[1]
        restart_p = 1.0 / model.block_length
        block_length: float | None = model.block_length
    else:
        block_length = None

    # selectivity: one drift offset per path and token, drawn first
    offsets = None
    if scenario.selectivity > 0:
        offsets = (rng.standard_normal((n_alt, n_paths), dtype=_F)
                   * _F(scenario.selectivity / TRADING_DAYS))

    state = _initial_states(rng, scenario, n_paths)
    occupancy = np.zeros(k_reg, dtype=np.int64)
    # Asset-major state (n_assets, n_paths): long contiguous rows keep numpy's loops fast.
    paths = _RunningPaths.start(n_assets, n_paths)
    block = min(n_paths, _BLOCK_PATHS)
    x = np.empty((n_assets, block), dtype=_F)  # today's log returns (one path block)
    buf = np.empty_like(x)
    alt_exp = np.empty((n_alt, block), dtype=_F)
    w32 = weights.astype(_F)
    # Per-path coefficients of the current regime, rows alpha | scale | beta | loading.
    # Regimes switch rarely, so only the columns of paths that switched are refreshed.
    # The selectivity offsets are folded into the per-path alpha rows.
    if multi:
        coef = np.take(tables.coef, state, axis=1)
        if offsets is not None:
            coef[2:n_assets] += offsets
        down = np.take(tables.down, state)
        prev = state.copy()
        alpha = coef[:n_assets]
    else:
        coef = tables.coef[:, :1]
        down = tables.down[0]
        alpha = coef[:n_assets] if offsets is None else np.concatenate(
            [np.broadcast_to(coef[:2], (2, n_paths)), coef[2:n_assets] + offsets])
    alt_levels = paths.level[2:].reshape(-1)  # a view: jumps are added through it

    rep_days = report_steps(horizon)
    bands = np.zeros((len(rep_days), n_assets + 1, len(FAN_QUANTILES)))
    next_rep = 1  # bands[0] is day 0 (all zero)

    chunk = max(1, min(horizon, _CHUNK_ELEMENTS // (n_paths * n_assets)))
    alt_chol = None
    if engine == "parametric":
        chol = model.alt_residual_cholesky()
        alt_chol = None if np.allclose(chol, np.eye(n_alt)) else chol.astype(_F)
        zb = np.empty((n_assets, block), dtype=_F)  # one block's shocks, altcoins correlated
    has_jumps = bool(np.any(tables.jump_rate > 0))
    has_down = bool(np.any(tables.down != 1.0))
    if engine == "bootstrap":
        pos = rng.integers(0, n_hist, n_paths)
    draws = _ChunkDraws(
        rng, engine, tables, state, cum_trans, chunk, n_assets, n_paths,
        n_hist if engine == "bootstrap" else 0, restart_p if engine == "bootstrap" else 0.0,
        has_jumps,
    )

    # A second thread draws the next chunk's random numbers (in the same order as one
    # thread would: the result is identical) while this one walks the days of the current
    # chunk; numpy releases the GIL in both. (The fan quantiles stay here: on the worker
    # they made it the bottleneck.)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="montecarlo-draws") if DRAW_AHEAD else _Inline()
    with pool as worker:
        upcoming = worker.submit(draws.next, 0)
        day = 0
        while day < horizon:
            drawn = upcoming.result()
            steps = drawn.regimes.shape[0]
            if day + steps < horizon:
                upcoming = worker.submit(draws.next, day + steps)
            regimes = drawn.regimes
            occupancy += np.bincount(regimes.ravel(), minlength=k_reg)
            for j in range(steps):
                if multi:
                    s = regimes[j]
                    changed = np.flatnonzero(s != prev)
                    if changed.size:
                        cols = tables.coef[:, s[changed]]
                        if offsets is not None:
                            cols[2:n_assets] += offsets[:, changed]
                        coef[:, changed] = cols
                        down[changed] = tables.down[s[changed]]
                    prev = s
                if engine == "parametric":
                    z = drawn.shocks[j]
                else:
                    if day + j > 0:
                        pos = np.where(drawn.restart[j], drawn.fresh[j], pos + 1)
                        pos[pos >= n_hist] = 0  # circular: the row after the last is the first
                    z = np.take(hist_t, pos, axis=1)
                if has_jumps:
                    # A jump only adds to its token's log return: add it to the level straight
                    # away (the drawdown update below sees the day's full return).
                    j_day, j_target, j_size = drawn.jumps
                    today = j_day == j
                    np.add.at(alt_levels, j_target[today], j_size[today])
                mu = _F(tables.mu_path[day + j])
                # Path blocks keep each block's temporaries in cache (the full arrays are not).
                for b0 in range(0, n_paths, _BLOCK_PATHS):
                    sl = slice(b0, min(b0 + _BLOCK_PATHS, n_paths))
                    width = sl.stop - sl.start
                    xb, tb = x[:, :width], buf[:, :width]
                    zs = z[:, sl]
                    if alt_chol is not None:  # correlated altcoin residual shocks
                        zs = zb[:, :width]
                        zs[:2] = z[:2, sl]
                        np.matmul(alt_chol, z[2:, sl], out=zs[2:])
                    _daily_returns(
                        xb, tb, zs, coef[:, sl] if multi else coef,
                        alpha if alpha.shape[1] == 1 else alpha[:, sl],
                        down[sl] if multi else down, mu, has_down,
                    )
                    paths.add(sl, xb, tb, alt_exp[:, :width], w32)
                if next_rep < len(rep_days) and day + j + 1 == rep_days[next_rep]:
                    both = np.concatenate([paths.level, paths.b_level[None, :]], axis=0)  # scratch
                    bands[next_rep] = np.expm1(_quantiles(both, FAN_QUANTILES))
                    next_rep += 1
            day += steps
            if progress is not None:
                progress(day / horizon)

    seed = _seed_of(rng)
    outcomes = {
        "terminal_returns": np.expm1(paths.level.T.astype(float)),
        "max_drawdowns": -np.expm1(paths.worst.T.astype(float)),
        "basket_terminal_return": np.expm1(paths.b_level.astype(float)),
        "basket_max_drawdown": -np.expm1(paths.b_worst.astype(float)),
    }
    check_finite_outcomes(model.assets, outcomes, scenario, horizon)  # names the fields behind an overflow
    return SimulationResult(
        assets=model.assets,
        basket_assets=model.alts,
        basket_weights=weights,
        **outcomes,
        fan_steps=rep_days,
        fan_bands=bands,
        regime_names=scenario.regime_names,
        regime_occupancy=occupancy / occupancy.sum(),
        scenario=scenario.name,
        engine=engine,
        n_paths=n_paths,
        horizon=horizon,
        seed=seed,
        block_length=block_length,
    )


class _Inline:
    """Stand-in for the draw-ahead thread pool that runs each call at once (``DRAW_AHEAD = False``)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., object], *args: object) -> Future:
        done: Future = Future()
        done.set_result(fn(*args))
        return done


@dataclass(frozen=True)
class _Drawn:
    """The random numbers of one chunk of days (see :class:`_ChunkDraws`)."""

    regimes: np.ndarray  # (steps, n_paths) regime index per day and path
    shocks: np.ndarray | None  # parametric: (steps, n_assets, n_paths) float32
    restart: np.ndarray | None  # bootstrap: (steps, n_paths) bool, a new block starts
    fresh: np.ndarray | None  # bootstrap: (steps, n_paths) start row of a new block
    jumps: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (day, target, size), :func:`_jumps`


class _ChunkDraws:
    """Every random number of the day loop, drawn chunk by chunk in one fixed order.

    Per chunk: the regimes, then the shocks (parametric: Russell t, altcoin normals day by
    day, t mixing; bootstrap: block restarts and fresh rows), then the jumps. Only this
    object touches the generator once the loop starts, so drawing the next chunk on
    another thread leaves the stream, hence the result, unchanged. Two shock buffers
    alternate: chunk ``c + 1`` is written while the caller still reads chunk ``c``.
    """

    def __init__(
        self, rng: np.random.Generator, engine: str, tables: _Tables, state: np.ndarray,
        cum_trans: np.ndarray, chunk: int, n_assets: int, n_paths: int, n_hist: int,
        restart_p: float, has_jumps: bool,
    ) -> None:
        self.rng, self.engine, self.tables, self.state = rng, engine, tables, state
        self.cum_trans, self.chunk, self.n_paths = cum_trans, chunk, n_paths
        self.n_hist, self.restart_p, self.has_jumps = n_hist, restart_p, has_jumps
        self.n_alt = n_assets - 2
        self.k_reg = cum_trans.shape[0]
        self.horizon = tables.mu_path.size
        self.calls = 0
        if engine == "parametric":
            self.buffers = [np.empty((chunk, n_assets, n_paths), dtype=_F) for _ in range(2)]
            self.bm_scratch = _normal_scratch((n_assets - 1) * n_paths)

    def next(self, day: int) -> _Drawn:
        """Draw the chunk of days that starts on ``day`` (calls must come in day order)."""
        rng = self.rng
        steps = min(self.chunk, self.horizon - day)
        regimes, self.state = _chunk_regimes(rng, self.state, steps, self.cum_trans)
        cells = _regime_cells(regimes, self.k_reg) if self.k_reg > 1 or self.has_jumps else None
        shocks = restart = fresh = jumps = None
        if self.engine == "parametric":
            shocks = self.buffers[self.calls % 2][:steps]
            shocks[:, 0, :] = _student_t(rng, regimes, self.tables.russell_df, cells)
            for j in range(steps):
                _standard_normals(rng, shocks[j, 1:], self.bm_scratch)
            # (the altcoin correlation, a linear map, is applied per block by the caller:
            # it commutes with the common t scale)
            shocks[:, 1:, :] *= _mixing(rng, regimes, self.tables.df, cells)[:, None, :]
        else:
            restart = rng.random((steps, self.n_paths)) < self.restart_p
            fresh = rng.integers(0, self.n_hist, (steps, self.n_paths))
        if self.has_jumps:
            jumps = _jumps(rng, cells, self.tables, self.n_alt, self.n_paths)
        self.calls += 1
        return _Drawn(regimes, shocks, restart, fresh, jumps)


def _daily_returns(
    x: np.ndarray, tmp: np.ndarray, z: np.ndarray, coef: np.ndarray, alpha: np.ndarray,
    down: np.ndarray | np.float32, mu: np.float32, has_down: bool,
) -> None:
    """Write one day's log returns of a block of paths into ``x`` (n_assets, width), without jumps.

    ``coef`` rows: alpha | own-shock scale | beta to R | loading on z_B (times sigma_B),
    per path (or one column broadcast); ``alpha`` is the alpha rows plus the selectivity
    offsets; ``tmp`` is scratch of the same shape as ``x``.
    """
    a = x.shape[0]
    np.multiply(z, coef[a:2 * a], out=x)
    x += alpha
    x[0] += mu
    r = np.where(x[0] < 0, x[0] * down, x[0]) if has_down else x[0]
    # rows from 1: the Russell row has no beta and no BTC loading
    np.multiply(coef[2 * a + 1:3 * a], r, out=tmp[1:])
    x[1:] += tmp[1:]
    np.multiply(coef[3 * a + 1:], z[1], out=tmp[1:])
    x[1:] += tmp[1:]


@dataclass(frozen=True)
class _RunningPaths:
    """Running state per path (float32, updated in place): log levels, peaks, worst drawdowns."""

    level: np.ndarray  # (n_assets, n_paths) cumulative log return
    peak: np.ndarray  # running max of level (>= 0: the start is a peak)
    worst: np.ndarray  # running min of level - peak (<= 0)
    b_level: np.ndarray  # (n_paths,) log value of the buy-and-hold basket
    b_peak: np.ndarray
    b_worst: np.ndarray

    @classmethod
    def start(cls, n_assets: int, n_paths: int) -> _RunningPaths:
        def zeros(*shape: int) -> np.ndarray:
            return np.zeros(shape, dtype=_F)

        return cls(zeros(n_assets, n_paths), zeros(n_assets, n_paths), zeros(n_assets, n_paths),
                   zeros(n_paths), zeros(n_paths), zeros(n_paths))

    def add(self, sl: slice, x: np.ndarray, tmp: np.ndarray, alt_exp: np.ndarray, weights: np.ndarray) -> None:
        """Add one day's log returns ``x`` of the paths ``sl``; ``tmp``/``alt_exp`` are scratch."""
        lv, pk, wo = self.level[:, sl], self.peak[:, sl], self.worst[:, sl]
        lv += x
        np.maximum(pk, lv, out=pk)
        np.subtract(lv, pk, out=tmp)
        np.minimum(wo, tmp, out=wo)
        np.exp(lv[2:], out=alt_exp)
        bl, bp, bw = self.b_level[sl], self.b_peak[sl], self.b_worst[sl]
        np.log(weights @ alt_exp, out=bl)
        np.maximum(bp, bl, out=bp)
        np.subtract(bl, bp, out=tmp[0])
        np.minimum(bw, tmp[0], out=bw)


def _basket_weights(model: MarketModel, weights: Mapping[str, float] | None) -> np.ndarray:
    if weights is None:
        return np.full(len(model.alts), 1.0 / len(model.alts))
    unknown = [k for k in weights if k not in model.alts]
    if unknown:
        raise SimulationError(f"basket weight for {unknown[0]!r}, which is not an altcoin of the model")
    w = np.array([float(weights.get(a, 0.0)) for a in model.alts])
    if np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise SimulationError(f"basket weights must be >= 0 with a positive sum, got {dict(weights)}")
    return w / w.sum()


def _chunk_regimes(
    rng: np.random.Generator, state: np.ndarray, steps: int, cum_trans: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Regimes of the next ``steps`` days, shape (steps, n_paths), and the state after them.

    Row ``j`` is the regime of the ``j``-th day; the chain moves after each day. With a
    single regime no random numbers are drawn.
    """
    regimes = np.empty((steps, state.size), dtype=np.intp)
    if cum_trans.shape[0] == 1:
        regimes[:] = 0
        return regimes, state
    u = rng.random((steps, state.size))
    for j in range(steps):
        regimes[j] = state
        state = _next_regime(state, u[j], cum_trans)
    return regimes, state


def _next_regime(state: np.ndarray, u: np.ndarray, cum_trans: np.ndarray) -> np.ndarray:
    """Tomorrow's regime: the first ``k`` with ``u < cumsum(P[state])[k]``, vectorized over paths."""
    nxt = np.zeros_like(state)
    for k in range(cum_trans.shape[1] - 1):
        nxt += u >= np.take(cum_trans[:, k], state)
    return nxt


def _mixing(
    rng: np.random.Generator, regimes: np.ndarray, df: np.ndarray,
    cells: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Student-t scale ``sqrt((df - 2) / (2 G))``, G ~ Gamma(df/2), per (day, path); 1 where df = inf.

    ``n * scale`` with ``n ~ N(0, 1)`` is a unit-variance Student-t (``2 G / df`` is
    chi-square / df); drawing ``G`` with numpy's gamma sampler is faster than ``standard_t``.
    With several regimes the gammas are drawn regime by regime with a scalar shape (an
    array of shapes is slower) and scattered to that regime's cells: ``cells[k]`` are the
    flat indices of the cells in regime ``k`` (computed here when not given).
    """
    finite = np.isfinite(df)
    if not finite.any():
        return np.ones(regimes.shape, dtype=_F)
    if np.all(df == df[0]):
        g = rng.standard_gamma(df[0] / 2.0, regimes.shape, dtype=_F)
        return np.sqrt(_F((df[0] - 2.0) / 2.0) / g)
    if cells is None:
        cells = _regime_cells(regimes, len(df))
    w = np.empty(regimes.shape, dtype=_F)
    flat = w.reshape(-1)
    for k, idx in enumerate(cells):
        if not finite[k]:
            flat[idx] = 1.0
        elif idx.size:
            g = rng.standard_gamma(df[k] / 2.0, idx.size, dtype=_F)
            flat[idx] = np.sqrt(np.divide(_F((df[k] - 2.0) / 2.0), g, out=g), out=g)
    return w


def _student_t(
    rng: np.random.Generator, regimes: np.ndarray, df: np.ndarray,
    cells: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Independent unit-variance Student-t draws with the regime's ``df``, float32, shape of ``regimes``.

    Polar form (as in Bailey's 1994 method): with ``W, V ~ U(0, 1)``,
    ``sqrt(df (W^(-2/df) - 1))`` is the radius of a bivariate t (``P(R > r) =
    (1 + r^2/df)^(-df/2)``) and ``cos(2 pi V)`` its direction, so
    ``sqrt((df - 2) (W^(-2/df) - 1)) cos(2 pi V)`` is a unit-variance t(df) (``df = inf``:
    ``sqrt(-2 log W) cos(2 pi V)``, Box-Muller). Two uniforms, a log, an exp and a cos,
    vectorized: about half the cost of a normal times a gamma-based scale, for the same
    distribution. ``cells`` as in :func:`_mixing`.
    """
    if np.all(df == df[0]):
        return _t_values(rng, regimes.size, float(df[0])).reshape(regimes.shape)
    if cells is None:
        cells = _regime_cells(regimes, len(df))
    out = np.empty(regimes.shape, dtype=_F)
    flat = out.reshape(-1)
    for k, idx in enumerate(cells):
        if idx.size:
            flat[idx] = _t_values(rng, idx.size, float(df[k]))
    return out


def _t_values(rng: np.random.Generator, m: int, df: float) -> np.ndarray:
    """``m`` unit-variance t(df) draws (see :func:`_student_t`), float32."""
    r = np.empty(m, dtype=_F)
    np.subtract(1.0, rng.random(m), out=r)  # W in (0, 1], float64 before the cast: full tail
    np.log(r, out=r)
    if math.isinf(df):
        r *= _F(-2.0)
    else:
        r *= _F(-2.0 / df)
        np.exp(r, out=r)
        r -= _F(1.0)
        np.maximum(r, _F(0.0), out=r)  # exp(x >= 0) >= 1, guarded against rounding
        r *= _F(df - 2.0)
    np.sqrt(r, out=r)
    c = rng.random(m, dtype=_F)
    c *= _F(2.0 * math.pi)
    np.cos(c, out=c)
    r *= c
    return r


def _regime_cells(regimes: np.ndarray, k_reg: int) -> list[np.ndarray]:
    """Flat indices (``day * n_paths + path``) of the cells of ``regimes`` in each regime."""
    flat = regimes.reshape(-1)
    return [np.flatnonzero(flat == k) for k in range(k_reg)]


def _jumps(
    rng: np.random.Generator, cells: list[np.ndarray], tables: _Tables, n_alt: int, n_paths: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compound-Poisson altcoin jumps of a chunk of days, as sparse events.

    ``cells[k]``: flat indices (``day * n_paths + path``) of the chunk's cells in regime
    ``k``. In regime ``k`` a Poisson(``rate_k * n_cells * n_alt``) number of jumps falls
    uniformly on its (cell, token) pairs: exactly Poisson(``rate_k``) per pair, and no
    draws at all for regimes without jumps. Returns ``(day, target, size)`` per jump,
    ``target = token * n_paths + path`` (a flat index into the altcoin rows of the levels).
    """
    days, targets, sizes = [], [], []
    for k, idx in enumerate(cells):
        rate = float(tables.jump_rate[k])
        if rate <= 0.0 or idx.size == 0:
            continue
        m = int(rng.poisson(rate * idx.size * n_alt))
        if m == 0:
            continue
        pick = rng.integers(0, idx.size * n_alt, m)
        cell = idx[pick // n_alt]
        days.append(cell // n_paths)
        targets.append((pick % n_alt) * n_paths + cell % n_paths)
        sizes.append((tables.jump_mean[k] + tables.jump_vol[k] * rng.standard_normal(m)).astype(_F))
    if not days:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0, dtype=_F)
    return np.concatenate(days), np.concatenate(targets), np.concatenate(sizes)


def _seed_of(rng: np.random.Generator) -> int | None:
    seq = getattr(rng.bit_generator, "seed_seq", None)
    entropy = getattr(seq, "entropy", None)
    return int(entropy) if isinstance(entropy, int) else None
