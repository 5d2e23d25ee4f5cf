"""Fitted market regimes: a Markov-switching model of the Russell proxy's daily log returns.

Model (Hamilton 1989; statsmodels ``MarkovRegression`` with a switching mean and a
switching variance), per session ``t`` with a hidden state ``s_t`` in ``0..K-1``::

    r_t = mu(s_t) + sigma(s_t) * e_t,   e_t ~ N(0, 1)
    P(s_t = j | s_{t-1} = i) = P[i, j]                        (rows sum to 1)

fitted by maximum likelihood for ``K = 2`` and ``K = 3``; the number of states is the one
with the lower BIC (``-2 llf + n_params log n``) among the fits that converged, and the
result says so (:attr:`RegimeFit.choice`). States are ordered by volatility and named from
it: ``calm``/``turbulent`` (``calm``/``choppy``/``turbulent`` for three).

Why the Russell alone: the scenario engine's regimes act on the Russell path (drift shift,
vol scale) and the crypto assets load on it, so the states that matter for the scenarios are
the Russell's; its history is 25 years against BTC's 12, and a joint fit would let crypto's
own booms and winters (unrelated to equities) define the states. Crypto enters afterwards:
:mod:`core.fitted_scenario` conditions BTC's and the altcoins' residual volatility on the
fitted states.

Two kinds of state probabilities:

``filtered``
    ``P(s_t | r_1..r_t)`` (Hamilton filter): what was knowable at the close of day ``t``
    given the fitted parameters. Truncating the data leaves the earlier filtered
    probabilities unchanged (:func:`filter_probabilities`); the parameters themselves are
    estimated on the whole window.
``smoothed``
    ``P(s_t | r_1..r_n)`` (Kim smoother): uses later data too, the best estimate of the
    past state; used to weight history (conditional crypto vols), never as a nowcast.

Numerics: returns are multiplied by :data:`SCALE` (percent) for the optimizer and converted
back. The random start-value search uses :data:`SEARCH_REPS` draws from a local generator with
a fixed seed, so the same data give the same fit. Input is bounded: at most :data:`MAX_FIT_OBS` returns (the most
recent), at least :data:`MIN_FIT_OBS`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from core.conventions import TRADING_DAYS
from core.errors import ExplorerError
from core.regimes import spell_length, stationary_distribution

__all__ = [
    "MAX_FIT_OBS",
    "MIN_FIT_OBS",
    "STATE_NAMES",
    "CandidateFit",
    "FittedState",
    "RegimeFit",
    "RegimeFitError",
    "filter_probabilities",
    "fit_regimes",
]

#: Fewest daily returns accepted: about two years of sessions, so both calm and turbulent
#: stretches are in the sample (a shorter window rarely holds a turbulent spell).
MIN_FIT_OBS: int = 500
#: Most daily returns used (twenty years of sessions); longer input keeps the most recent.
#: Bounds the fit's time (about 10 s for both K on this machine).
MAX_FIT_OBS: int = 5040
#: Numbers of states tried.
K_CHOICES: tuple[int, ...] = (2, 3)
#: State names by number of states, in increasing volatility.
STATE_NAMES: dict[int, tuple[str, ...]] = {2: ("calm", "turbulent"), 3: ("calm", "choppy", "turbulent")}
#: Returns are fitted in percent (x 100) for the optimizer's numerical stability.
SCALE: float = 100.0
#: Random start-value search: draws, EM steps per draw, seed (fixed: same data, same fit).
SEARCH_REPS, SEARCH_ITER, SEARCH_SEED = 10, 10, 20_261_204
#: Most quasi-Newton iterations of the likelihood maximization.
MAX_ITER: int = 500
#: A state whose daily volatility falls below this (in percent) is a degenerate fit.
_MIN_SIGMA_PCT = 1e-4



class RegimeFitError(ExplorerError):
    """The regime fit cannot be made: too little data, or no fit converged."""


@dataclass(frozen=True)
class FittedState:
    """One fitted state (daily log returns, decimals).

    Attributes
    ----------
    name : str
        ``calm``, ``choppy`` or ``turbulent`` (by volatility rank).
    mean_daily, vol_daily : float
        ``mu(s)`` and ``sigma(s)`` per session.
    mean_annual, vol_annual : float
        ``mu * 252`` and ``sigma * sqrt(252)``.
    expected_duration_days : float
        Expected length of a stay, ``1 / (1 - p_ss)`` sessions.
    long_run_share : float
        Share of sessions in the state under the fitted chain (stationary distribution).
    """

    name: str
    mean_daily: float
    vol_daily: float
    mean_annual: float
    vol_annual: float
    expected_duration_days: float
    long_run_share: float


@dataclass(frozen=True)
class CandidateFit:
    """One of the fits compared by BIC: ``K``, log-likelihood, BIC, parameters, convergence."""

    k: int
    llf: float
    bic: float
    n_params: int
    converged: bool


# eq=False: equality by identity (frames inside); results are rebuilt, never compared.
@dataclass(frozen=True, eq=False)
class RegimeFit:
    """A fitted Markov-switching model of one return series, states ordered by volatility.

    Attributes
    ----------
    ticker : str
        The series fitted (the Russell proxy).
    k : int
        Number of states chosen.
    choice : str
        How ``k`` was chosen, in words (BIC of each candidate).
    states : tuple of FittedState
        In increasing volatility.
    transition : tuple of tuple of float
        K x K daily transition matrix in state order (row today, column tomorrow; rows sum to 1).
    filtered, smoothed : pandas.DataFrame
        Dates x state names: filtered ``P(s_t | r_1..r_t)`` and smoothed ``P(s_t | r_1..r_n)``.
    last_date : pandas.Timestamp
        Last session fitted ("today").
    last_probabilities : tuple of float
        Filtered probabilities on ``last_date``.
    next_probabilities : tuple of float
        One session ahead, ``last_probabilities @ P``: the distribution of the next
        session's state, where a simulation's day 1 starts.
    candidates : tuple of CandidateFit
        Every ``K`` tried.
    n_obs : int
        Returns fitted.
    start, end : pandas.Timestamp
        First and last date fitted.
    truncated : bool
        True when the input was longer than :data:`MAX_FIT_OBS` and only its most recent
        part was fitted.
    params : numpy.ndarray
        statsmodels parameter vector of the chosen fit (returns in percent, statsmodels'
        own state order); :func:`filter_probabilities` re-runs the filter with it.
    order : tuple of int
        statsmodels state index of each state here (``states[i]`` is statsmodels' ``order[i]``).
    """

    ticker: str
    k: int
    choice: str
    states: tuple[FittedState, ...]
    transition: tuple[tuple[float, ...], ...]
    filtered: pd.DataFrame
    smoothed: pd.DataFrame
    last_date: pd.Timestamp
    last_probabilities: tuple[float, ...]
    next_probabilities: tuple[float, ...]
    candidates: tuple[CandidateFit, ...]
    n_obs: int
    start: pd.Timestamp
    end: pd.Timestamp
    truncated: bool
    params: np.ndarray
    order: tuple[int, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """State names in order."""
        return tuple(s.name for s in self.states)

    @property
    def bic(self) -> dict[int, float]:
        """BIC per number of states tried."""
        return {c.k: c.bic for c in self.candidates}

    @property
    def converged(self) -> bool:
        """Whether the chosen fit's optimizer reported convergence (always True: others are refused)."""
        return next(c.converged for c in self.candidates if c.k == self.k)

    def to_dict(self, *, history: bool = True, smoothed: bool = False) -> dict[str, Any]:
        """The ``python -m core regimes`` JSON document (dates as ``YYYY-MM-DD``)."""
        out: dict[str, Any] = {
            "ticker": self.ticker,
            "k": self.k,
            "choice": self.choice,
            "bic": {str(c.k): c.bic for c in self.candidates},
            "converged": {str(c.k): c.converged for c in self.candidates},
            "n_obs": self.n_obs,
            "start": self.start.strftime("%Y-%m-%d"),
            "end": self.end.strftime("%Y-%m-%d"),
            "truncated": self.truncated,
            "states": [
                {"name": s.name, "mean_annual": s.mean_annual, "vol_annual": s.vol_annual,
                 "expected_duration_days": s.expected_duration_days, "mean_daily": s.mean_daily,
                 "vol_daily": s.vol_daily, "long_run_share": s.long_run_share}
                for s in self.states
            ],
            "transition": [list(row) for row in self.transition],
            "last": {"date": self.last_date.strftime("%Y-%m-%d"), "probabilities": list(self.last_probabilities)},
            "next": {"probabilities": list(self.next_probabilities)},
        }
        if history:
            out["history"] = _rows(self.filtered)
        if smoothed:
            out["smoothed"] = _rows(self.smoothed)
        return out


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    values = frame.to_numpy().tolist()
    return [{"date": d.strftime("%Y-%m-%d"), "probabilities": v} for d, v in zip(frame.index, values, strict=True)]


def _clean(returns: pd.Series) -> tuple[pd.Series, bool]:
    """Drop missing values, check the length and the values, keep the most recent MAX_FIT_OBS."""
    name = str(returns.name) if returns.name is not None else "the series"
    y = returns.dropna().astype(float)
    if not np.all(np.isfinite(y.to_numpy())):
        raise RegimeFitError(f"daily returns of {name} contain infinite values")
    if len(y) < MIN_FIT_OBS:
        window = f" ({y.index[0]:%Y-%m-%d} to {y.index[-1]:%Y-%m-%d})" if len(y) else ""
        raise RegimeFitError(
            f"the regime fit needs at least {MIN_FIT_OBS} daily returns of {name} (about two years); "
            f"got {len(y)}{window}: widen the date range"
        )
    if float(y.std()) == 0.0:
        raise RegimeFitError(f"daily returns of {name} do not vary; nothing to fit")
    truncated = len(y) > MAX_FIT_OBS
    return (y.iloc[-MAX_FIT_OBS:] if truncated else y), truncated


def _model(y_pct: np.ndarray, k: int) -> MarkovRegression:
    return MarkovRegression(y_pct, k_regimes=k, trend="c", switching_variance=True)


def _search_start(mod: MarkovRegression) -> np.ndarray:
    """Start values: the best of statsmodels' default and :data:`SEARCH_REPS` random perturbations.

    As statsmodels' own ``search_reps`` (uniform(-1/2, 1/2) perturbations of the untransformed
    default, each improved by :data:`SEARCH_ITER` EM steps, the highest likelihood kept), but
    drawn from a local generator seeded with :data:`SEARCH_SEED`, so the fit is reproducible
    and no global random state is touched. Returns transformed parameters.
    """
    rng = np.random.default_rng(SEARCH_SEED)
    best = np.asarray(mod.start_params, dtype=float)
    best_llf = mod.loglike(best)
    base = mod.untransform_params(best)
    for _ in range(SEARCH_REPS):
        proposal = base + rng.uniform(-0.5, 0.5, base.size)
        try:
            cand = mod.fit(start_params=proposal, transformed=False, em_iter=SEARCH_ITER, maxiter=1,
                           disp=False, return_params=True)
            llf = mod.loglike(cand)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):  # a proposal the filter cannot take
            continue
        if np.isfinite(llf) and llf > best_llf:
            best, best_llf = np.asarray(cand, dtype=float), llf
    return best


def _fit_one(y_pct: np.ndarray, k: int) -> tuple[Any, bool]:
    """Maximum-likelihood fit with ``k`` states; returns (statsmodels results, converged)."""
    mod = _model(y_pct, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and overflow warnings: judged below
        start = _search_start(mod)
        res = mod.fit(start_params=start, maxiter=MAX_ITER, disp=False)
    params = np.asarray(res.params, dtype=float)
    sigma2 = _sigma2(mod, params)
    ok = (bool(res.mle_retvals.get("converged", False)) and np.all(np.isfinite(params))
          and np.isfinite(res.llf) and bool(np.all(np.sqrt(sigma2) > _MIN_SIGMA_PCT)))
    return res, ok


def _named(mod: MarkovRegression, params: np.ndarray, prefix: str) -> np.ndarray:
    names = list(mod.param_names)
    return np.array([params[names.index(f"{prefix}[{i}]")] for i in range(mod.k_regimes)])


def _sigma2(mod: MarkovRegression, params: np.ndarray) -> np.ndarray:
    return _named(mod, params, "sigma2")


def _transition(mod: MarkovRegression, params: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Row-stochastic transition matrix (row today, column tomorrow) in ``order``."""
    left = mod.regime_transition_matrix(params)[:, :, 0]  # [i, j] = P(s_t = i | s_{t-1} = j)
    p = left.T[np.ix_(order, order)]
    return p / p.sum(axis=1, keepdims=True)


def fit_regimes(returns: pd.Series, *, k: int | None = None) -> RegimeFit:
    """Fit the Markov-switching model to daily log returns and order the states by volatility.

    Parameters
    ----------
    returns : pandas.Series
        Daily log returns (decimals) indexed by date, named by the ticker; NaN are dropped.
        At least :data:`MIN_FIT_OBS`; beyond :data:`MAX_FIT_OBS` only the most recent are used.
    k : int, optional
        Number of states (2 or 3); default: both fitted, the lower BIC wins.

    Returns
    -------
    RegimeFit

    Raises
    ------
    RegimeFitError
        Too few returns (the message names the series, the count and the minimum), a ``k``
        other than 2 or 3, or no fit that converged.
    """
    if k is not None and k not in K_CHOICES:
        raise RegimeFitError(f"number of states must be one of {K_CHOICES}, got {k!r}")
    name = str(returns.name) if returns.name is not None else "returns"
    y, truncated = _clean(returns)
    y_pct = y.to_numpy() * SCALE
    tried: list[CandidateFit] = []
    fits: dict[int, Any] = {}
    for kk in (K_CHOICES if k is None else (k,)):
        res, ok = _fit_one(y_pct, kk)
        n_params = len(res.params)
        tried.append(CandidateFit(k=kk, llf=float(res.llf), bic=float(res.bic), n_params=n_params, converged=ok))
        if ok:
            fits[kk] = res
    if not fits:
        raise RegimeFitError(
            f"the Markov-switching fit of {name} did not converge for {' or '.join(str(c.k) for c in tried)} states "
            f"({len(y)} returns, {y.index[0]:%Y-%m-%d} to {y.index[-1]:%Y-%m-%d}): try a longer or different window"
        )
    chosen = min(fits, key=lambda kk: next(c.bic for c in tried if c.k == kk))
    res = fits[chosen]
    mod = res.model
    params = np.asarray(res.params, dtype=float)
    sigma2 = _sigma2(mod, params)
    order = np.argsort(sigma2, kind="stable")
    mu = _named(mod, params, "const")[order] / SCALE
    vol = np.sqrt(sigma2[order]) / SCALE
    p = _transition(mod, params, order)
    names = STATE_NAMES[chosen]
    durations = spell_length(np.diag(p))
    share = stationary_distribution(p)
    states = tuple(
        FittedState(name=names[i], mean_daily=float(mu[i]), vol_daily=float(vol[i]),
                    mean_annual=float(mu[i] * TRADING_DAYS), vol_annual=float(vol[i] * math.sqrt(TRADING_DAYS)),
                    expected_duration_days=float(durations[i]), long_run_share=float(share[i]))
        for i in range(chosen)
    )
    filtered = pd.DataFrame(np.asarray(res.filtered_marginal_probabilities)[:, order], index=y.index,
                            columns=list(names))
    smoothed = pd.DataFrame(np.asarray(res.smoothed_marginal_probabilities)[:, order], index=y.index,
                            columns=list(names))
    last = filtered.iloc[-1].to_numpy()
    nxt = last @ p
    parts = [f"{c.k} states: BIC {c.bic:,.1f}" + ("" if c.converged else " (did not converge, not eligible)")
             for c in tried]
    choice = (f"{chosen} states, the lower BIC ({'; '.join(parts)})" if k is None
              else f"{chosen} states, as asked ({parts[0]})")
    return RegimeFit(
        ticker=name, k=chosen, choice=choice, states=states,
        transition=tuple(tuple(float(v) for v in row) for row in p),
        filtered=filtered, smoothed=smoothed, last_date=pd.Timestamp(y.index[-1]),
        last_probabilities=tuple(float(v) for v in last), next_probabilities=tuple(float(v) for v in nxt / nxt.sum()),
        candidates=tuple(tried), n_obs=len(y), start=pd.Timestamp(y.index[0]), end=pd.Timestamp(y.index[-1]),
        truncated=truncated, params=params, order=tuple(int(i) for i in order),
    )


def filter_probabilities(fit: RegimeFit, returns: pd.Series) -> pd.DataFrame:
    """Filtered state probabilities of ``returns`` under the fitted parameters (no refit).

    ``P(s_t | r_1..r_t)`` by the Hamilton filter started from the chain's stationary
    distribution, so each row depends only on the returns up to its date: the probabilities of
    a truncated series equal the first rows of the full one.

    Parameters
    ----------
    fit : RegimeFit
    returns : pandas.Series
        Daily log returns (decimals); NaN dropped; at least one.

    Returns
    -------
    pandas.DataFrame
        Dates x state names (the fit's order), rows sum to 1.
    """
    y = returns.dropna().astype(float)
    if y.empty or not np.all(np.isfinite(y.to_numpy())):
        raise RegimeFitError(f"filtering needs finite daily returns, got {len(y)} usable values")
    mod = _model(y.to_numpy() * SCALE, fit.k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mod.filter(fit.params)
    probs = np.asarray(res.filtered_marginal_probabilities)[:, list(fit.order)]
    return pd.DataFrame(probs, index=y.index, columns=list(fit.names))
