"""Scenarios from the fitted regimes: the "fitted regimes" scenario and starting any scenario from today.

The fitted-regimes scenario (:func:`fitted_regimes_scenario`) turns a :class:`core.regime_fit.RegimeFit`
into a :class:`core.scenario.Scenario` on a calibrated :class:`core.calibration.MarketModel`:

* one regime per fitted state, same name, Russell path ``mode = "calibrated"``;
* Russell: ``russell_vol_scale = sigma(s) / sigma_R`` and
  ``russell_drift_shift = 252 (mu(s) - mu_R)``, so while in state ``s`` the simulated Russell
  has the state's fitted daily mean and volatility; ``russell_df = inf`` because the fitted
  model's shocks are normal within a state (its fat tails come from the switching);
* crypto: BTC's residual volatility and the altcoins' are conditioned on the state, weighting
  the calibration window's residuals by the smoothed state probabilities ``w_ts``::

      btc_vol_scale(s) = sqrt(sum_t w_ts u_t^2 / sum_t w_ts) / sqrt(mean_t u_t^2)

  (the same for each altcoin's residual; the altcoins share one scale, the square root of
  their mean variance ratio). Betas, loadings, alphas and tails stay calibrated;
* transition: the fitted matrix; day 1's regime is drawn from the fit's probabilities for
  the next session (today's filtered probabilities moved one day by the fitted matrix),
  not from one named state.

Any other scenario can start from today's probabilities too (:func:`nowcast_mapping`,
:func:`start_from_nowcast`): each fitted state's probability goes to the scenario regime
whose Russell volatility is nearest to the state's (on a log scale); regimes with the same
Russell volatility share it in proportion to the scenario's own day-1 distribution (so
``initial_regime`` keeps it when it is among them), else to its long-run shares.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from core.calibration import MarketModel
from core.conventions import TRADING_DAYS
from core.errors import ExplorerError
from core.regime_fit import RegimeFit, filter_probabilities, fit_regimes
from core.regimes import initial_distribution, stationary_distribution
from core.scenario import Regime, RussellPath, Scenario, with_overrides
from core.scenario_edits import apply_settings

__all__ = [
    "FITTED_REGIMES",
    "MIN_CONDITIONING_ROWS",
    "NowcastMapping",
    "fitted_regimes_from_returns",
    "fitted_regimes_scenario",
    "is_fitted_regimes",
    "nowcast_mapping",
    "start_from_nowcast",
]

#: Scenario key of the fitted-regimes scenario (beside the file stems of ``scenarios/``).
FITTED_REGIMES = "fitted_regimes"
#: Display name of the fitted-regimes scenario.
FITTED_NAME = "Fitted regimes"
#: Default horizon of the fitted-regimes scenario (one quarter).
FITTED_HORIZON_DAYS = 63
#: Fewest calibration rows inside the fit's window needed to condition crypto vols on the states;
#: below it (or for a state with less weight than this many sessions) the scale stays 1.
MIN_CONDITIONING_ROWS = 60


def is_fitted_regimes(key: str) -> bool:
    """Whether a scenario key names the fitted-regimes scenario."""
    return key == FITTED_REGIMES


def _weighted_scales(resid: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Per state (rows) and residual column: sqrt(weighted mean square / mean square)."""
    sq = resid.to_numpy() ** 2  # (n, a)
    w = weights.to_numpy()  # (n, k)
    weighted = (w.T @ sq) / w.sum(axis=0)[:, None]
    return pd.DataFrame(np.sqrt(weighted / sq.mean(axis=0)), index=weights.columns, columns=resid.columns)


def crypto_vol_scales(fit: RegimeFit, model: MarketModel) -> tuple[np.ndarray, np.ndarray, int]:
    """BTC and altcoin residual-vol multipliers per fitted state (see the module docstring).

    Returns
    -------
    btc, alt : numpy.ndarray, shape (k,)
        Multipliers (1 where the data are too few to condition on).
    rows : int
        Calibration rows inside the fit's window (the weights' support).
    """
    k = fit.k
    common = model.residuals.index.intersection(fit.smoothed.index)
    if len(common) < MIN_CONDITIONING_ROWS:
        return np.ones(k), np.ones(k), len(common)
    weights = fit.smoothed.loc[common]
    scales = _weighted_scales(model.residuals.loc[common, [model.btc, *model.alts]], weights)
    btc = scales[model.btc].to_numpy()
    alt = np.sqrt((scales[list(model.alts)].to_numpy() ** 2).mean(axis=1)) if model.alts else np.ones(k)
    thin = weights.sum(axis=0).to_numpy() < MIN_CONDITIONING_ROWS  # a state barely seen on the window
    btc = np.where(thin, 1.0, btc)
    alt = np.where(thin, 1.0, alt)
    return btc, alt, len(common)


def _pct(x: float) -> str:
    return f"{x * 100:+.1f}%" if x < 0 or x > 0 else "0.0%"


def fitted_regimes_scenario(fit: RegimeFit, model: MarketModel, *, horizon_days: int = FITTED_HORIZON_DAYS) -> Scenario:
    """The fitted-regimes scenario: regimes, transition and start from the fit (module docstring).

    Parameters
    ----------
    fit : RegimeFit
        Markov-switching fit of the model's Russell proxy.
    model : MarketModel
        The calibrated model the scenario reshapes (``russell_mu``, ``russell_sigma``, residuals).
    horizon_days : int
        Default horizon in trading days.

    Returns
    -------
    Scenario
        Validated (built through :func:`core.scenario.with_overrides`), so it exports to TOML
        and loads back equal.
    """
    if fit.ticker != model.russell:
        raise ExplorerError(f"the regime fit is of {fit.ticker!r}, the model's Russell proxy is {model.russell!r}")
    btc_scale, alt_scale, rows = crypto_vol_scales(fit, model)
    regimes = []
    for i, s in enumerate(fit.states):
        regimes.append(Regime(
            name=s.name,
            russell_drift_shift=(s.mean_daily - model.russell_mu) * TRADING_DAYS,
            russell_vol_scale=s.vol_daily / model.russell_sigma,
            btc_vol_scale=float(btc_scale[i]),
            alt_vol_scale=float(alt_scale[i]),
            russell_df=math.inf,
        ))
    start = np.asarray(fit.next_probabilities)
    states = "; ".join(
        f"{s.name}: {_pct(s.mean_annual)}/yr drift, {s.vol_annual:.0%}/yr vol, stays {s.expected_duration_days:.0f} "
        f"sessions on average, BTC residual vol x{btc_scale[i]:.2f}, altcoins x{alt_scale[i]:.2f}"
        for i, s in enumerate(fit.states)
    )
    today = ", ".join(f"{n} {p:.0%}" for n, p in zip(fit.names, fit.last_probabilities, strict=True))
    description = (
        f"Regimes fitted to {fit.ticker}'s daily returns ({fit.start:%Y-%m-%d} to {fit.end:%Y-%m-%d}) by a "
        f"Markov-switching model with switching mean and variance; {fit.choice}. The chain starts from the "
        f"fitted probabilities of the next session after {fit.last_date:%Y-%m-%d} (filtered that day: {today})."
    )
    rationale = (
        f"{states}. While in a state the Russell has the state's fitted mean and volatility (normal shocks, "
        f"as in the fit); the calibrated Russell drift is {_pct(model.russell_mu_annual)}/yr and vol "
        f"{model.russell_vol_annual:.0%}/yr. Crypto residual vols are their averages over the calibration window "
        f"({rows} sessions in the fit's window) weighted by the smoothed state probabilities; betas, loadings, "
        "alphas and crypto tails stay calibrated. Transition probabilities are the fitted daily ones."
    )
    scenario = Scenario(
        name=FITTED_NAME, description=description, rationale=rationale, horizon_days=int(horizon_days),
        regimes=tuple(regimes), transition=fit.transition, initial_regime=fit.names[int(np.argmax(start))],
        russell=RussellPath(mode="calibrated"), selectivity=0.0,
        initial_probabilities=tuple(float(v) for v in start),
    )
    return with_overrides(scenario, {})  # validated like a file (names the field if a value is out of range)


def fitted_regimes_from_returns(russell_returns: pd.Series, model: MarketModel) -> Scenario:
    """Fit the regimes of the model's Russell proxy (:func:`core.regime_fit.fit_regimes`) and build the scenario.

    Parameters
    ----------
    russell_returns : pandas.Series
        Daily log returns of ``model.russell`` (its longest history available; the fit keeps
        the most recent :data:`core.regime_fit.MAX_FIT_OBS`).
    model : MarketModel
    """
    return fitted_regimes_scenario(fit_regimes(russell_returns.rename(model.russell)), model)


@dataclass(frozen=True)
class NowcastMapping:
    """How today's fitted state probabilities start a scenario's regime chain.

    Attributes
    ----------
    date : pandas.Timestamp
        The fit's last session; the probabilities are for the session after it.
    states : tuple of str
        Fitted states (increasing volatility).
    state_vol_annual : tuple of float
        Each state's fitted Russell volatility (annualized).
    state_probabilities : tuple of float
        The fit's probabilities for the next session, per state.
    regimes : tuple of str
        The scenario's regimes.
    regime_vol_annual : tuple of float
        Each regime's Russell volatility in the scenario (annualized; base vol x scale).
    matrix : tuple of tuple of float
        k x K: share of state ``i``'s probability given to regime ``j`` (rows sum to 1).
    probabilities : tuple of float
        Day-1 distribution over the scenario's regimes, ``state_probabilities @ matrix``.
    rule : str
        The mapping rule in words.
    """

    date: pd.Timestamp
    states: tuple[str, ...]
    state_vol_annual: tuple[float, ...]
    state_probabilities: tuple[float, ...]
    regimes: tuple[str, ...]
    regime_vol_annual: tuple[float, ...]
    matrix: tuple[tuple[float, ...], ...]
    probabilities: tuple[float, ...]
    rule: str

    def table(self) -> pd.DataFrame:
        """Fitted states as rows: vol, probability and the regime(s) each one maps to."""
        m = np.asarray(self.matrix)
        targets = [", ".join(f"{self.regimes[j]} {m[i, j]:.0%}" if m[i, j] < 1 else self.regimes[j]
                             for j in np.flatnonzero(m[i] > 0)) for i in range(len(self.states))]
        return pd.DataFrame({"Russell vol (/yr)": self.state_vol_annual, "probability": self.state_probabilities,
                             "scenario regime": targets}, index=pd.Index(self.states, name="fitted state"))


#: Log-volatility distance below which two regimes count as equally near a state.
_TIE = 1e-9


def nowcast_mapping(fit: RegimeFit, scenario: Scenario, model: MarketModel) -> NowcastMapping:
    """Map the fit's next-session state probabilities onto ``scenario``'s regimes by Russell volatility.

    State ``i`` (fitted daily vol ``v_i``) goes to the regimes ``j`` minimizing
    ``|log v_i - log w_j|``, with ``w_j`` the regime's Russell vol (the scenario's base vol, or
    the calibrated ``sigma_R``, times ``russell_vol_scale``). Several nearest regimes (same
    vol) share it in proportion to the scenario's day-1 distribution over them, else to their
    long-run (stationary) shares, else equally.

    Parameters
    ----------
    fit : RegimeFit
    scenario : Scenario
    model : MarketModel
        Gives the calibrated Russell vol when the scenario does not set one.
    """
    base = (model.russell_sigma if scenario.russell.annual_vol is None
            else scenario.russell.annual_vol / math.sqrt(TRADING_DAYS))
    tiny = 1e-12
    w = np.array([max(base * r.russell_vol_scale, tiny) for r in scenario.regimes])
    v = np.array([max(s.vol_daily, tiny) for s in fit.states])
    start = initial_distribution(scenario)
    longrun = stationary_distribution(scenario.transition)
    matrix = np.zeros((len(v), len(w)))
    for i, vi in enumerate(v):
        dist = np.abs(np.log(vi) - np.log(w))
        near = dist <= dist.min() + _TIE
        for prior in (start, longrun, np.ones(len(w))):
            share = np.where(near, prior, 0.0)
            if share.sum() > 0:
                matrix[i] = share / share.sum()
                break
    probs = np.asarray(fit.next_probabilities) @ matrix
    probs = probs / probs.sum()
    return NowcastMapping(
        date=fit.last_date, states=fit.names,
        state_vol_annual=tuple(float(s.vol_annual) for s in fit.states),
        state_probabilities=tuple(float(p) for p in fit.next_probabilities),
        regimes=scenario.regime_names,
        regime_vol_annual=tuple(float(x * math.sqrt(TRADING_DAYS)) for x in w),
        matrix=tuple(tuple(float(x) for x in row) for row in matrix),
        probabilities=tuple(float(p) for p in probs),
        rule=("each fitted state's probability goes to the scenario regime with the nearest Russell "
              "volatility; regimes with the same volatility share it by the scenario's own start "
              "(else its long-run shares)"),
    )


def start_from_nowcast(scenario: Scenario, mapping: NowcastMapping) -> Scenario:
    """``scenario`` with day 1's regime drawn from ``mapping.probabilities`` (validated copy)."""
    if mapping.regimes != scenario.regime_names:
        raise ExplorerError(
            f"the nowcast mapping is for regimes {', '.join(mapping.regimes)}, the scenario has "
            f"{', '.join(scenario.regime_names)}"
        )
    return with_overrides(scenario, {"initial_probabilities": list(mapping.probabilities)})


@dataclass(frozen=True, eq=False)
class FittedRegimesAtOrigins:
    """The fitted-regimes scenario as a walk-forward validation sees it: no look-ahead.

    Called at each origin with what that origin may see (``date``, ``returns`` up to it and the
    ``model`` calibrated on them: a :class:`core.validation.OriginData`). The Markov-switching
    parameters are re-estimated once a year, on the Russell returns up to the last session of
    the calendar year before the origin; the state probabilities are then filtered with those
    parameters up to the origin itself, and the chain starts one session after it. So a
    forecast uses only data up to its origin, and the same origin date gives the same scenario
    whatever the first origin or the spacing of the walk (fits are kept per year-end).

    Parameters
    ----------
    overrides : tuple of (str, value) pairs
        Scenario edits applied at every origin (:func:`core.scenario_edits.apply_settings`).
    horizon_days : int
        The scenario's default horizon in sessions.
    """

    overrides: tuple[tuple[str, object], ...] = ()
    horizon_days: int = FITTED_HORIZON_DAYS
    _fits: dict[pd.Timestamp, RegimeFit] = field(default_factory=dict, repr=False)

    def __eq__(self, other: object) -> bool:  # the cache of fits is not part of the value
        return (isinstance(other, FittedRegimesAtOrigins) and self.overrides == other.overrides
                and self.horizon_days == other.horizon_days)

    def __hash__(self) -> int:
        return hash((FittedRegimesAtOrigins, self.overrides, self.horizon_days))

    def fit_at(self, russell_returns: pd.Series, date: pd.Timestamp) -> RegimeFit:
        """The yearly fit an origin on ``date`` uses, with probabilities filtered up to ``date``.

        Raises
        ------
        RegimeFitError
            Too little history before the year-end (the message names the series and counts).
        """
        r = russell_returns.dropna().loc[:date]
        before = r.index[r.index.year < pd.Timestamp(date).year]
        anchor = pd.Timestamp(before[-1]) if len(before) else pd.Timestamp(r.index[-1])
        if anchor not in self._fits:
            self._fits[anchor] = fit_regimes(r.loc[:anchor])
        fit = self._fits[anchor]
        filtered = filter_probabilities(fit, r.loc[fit.start:])
        last = filtered.iloc[-1].to_numpy()
        nxt = last @ np.asarray(fit.transition)
        return replace(fit, filtered=filtered, last_date=pd.Timestamp(filtered.index[-1]),
                       last_probabilities=tuple(float(v) for v in last),
                       next_probabilities=tuple(float(v) for v in nxt / nxt.sum()))

    def __call__(self, origin: Any) -> Scenario:
        """The scenario at one origin (``origin.date``, ``origin.returns``, ``origin.model``)."""
        model = origin.model
        fit = self.fit_at(origin.returns[model.russell].rename(model.russell), origin.date)
        base = fitted_regimes_scenario(fit, model, horizon_days=self.horizon_days)
        return apply_settings(base, json.loads(json.dumps(dict(self.overrides))), self.horizon_days)

    @classmethod
    def with_edits(cls, overrides: Mapping[str, Any], horizon_days: int = FITTED_HORIZON_DAYS) -> FittedRegimesAtOrigins:
        """From a mapping of scenario edits (lists become tuples, so the value can key a cache)."""
        def freeze(v: Any) -> Any:
            return tuple(freeze(x) for x in v) if isinstance(v, (list, tuple)) else v

        return cls(overrides=tuple(sorted((str(k), freeze(v)) for k, v in overrides.items())),
                   horizon_days=int(horizon_days))
