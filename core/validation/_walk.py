"""Walk-forward validation: forecasts made with only the data up to each origin, scored against what followed.

At each origin (every ``every`` sessions of the Russell proxy's calendar from ``start``)
the market model is calibrated on the returns up to and including the origin
(:func:`core.calibration.calibrate`), the scenario is simulated ``horizon`` sessions ahead
(:func:`core.montecarlo.simulate`) and the forecast is recorded: percentiles, the
probabilities of :data:`core.metrics.OUTCOME_EVENTS` for +20% and -50%, and P(basket
beats BTC) (:func:`core.metrics.prob_basket_beats_btc`). When the data reach
``origin + horizon`` the realized simple return, its PIT under the forecast and the
event outcomes are recorded; otherwise they are null.

The altcoins at an origin are those with a price on the origin and at least
``min_history`` sessions of returns up to it (tokens list at different dates); the basket
is their equal-weight, buy-and-hold portfolio, as in the simulator.

A scenario is a :class:`~core.scenario.Scenario` or a callable ``OriginData -> Scenario``
(re-fitted at every origin, on the origin's data only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from core.budget import MAX_CELLS, check_run_size
from core.calibration import MIN_OBS, MarketModel, calibrate
from core.conventions import BASKET
from core.errors import ExplorerError
from core.metrics import (
    OUTCOME_EVENTS,
    PERCENTILES,
    outcomes,
    percentile_table,
    prob_basket_beats_btc,
    probability,
)
from core.montecarlo import ENGINES, simulate
from core.scenario import Scenario
from core.validation._scores import (
    brier_score,
    brier_skill,
    effective_n,
    pit_ks,
    pit_values,
    wilson_interval,
)
from core.validation._windows import basket_log_sums, climatology, forward_log_sums

__all__ = [
    "EVENTS", "MAX_ORIGINS", "MAX_VALIDATION_CELLS", "MIN_HISTORY", "QUANTILE_FIELDS",
    "OriginData", "ScenarioSource", "ValidationError", "ValidationResult", "walk_forward",
]

#: Most origins in one validation.
MAX_ORIGINS: int = 400
#: Most simulated cells (paths x days x assets) summed over the origins: twelve times the
#: budget of one run (the default monthly validation since 2019 at 20,000 paths and 63 days
#: uses about a third of it).
MAX_VALIDATION_CELLS: int = 12 * MAX_CELLS
#: Sessions of returns an asset needs up to an origin to enter the model there (one year).
MIN_HISTORY: int = 252
#: The forecast's percentiles, named as in :class:`core.metrics.OutcomeMetrics`.
QUANTILE_FIELDS: tuple[str, ...] = tuple(f"p{round(q * 100):02d}" for q in PERCENTILES)
#: The events scored with the Brier score (names of :data:`core.metrics.OUTCOME_EVENTS`).
EVENTS: tuple[str, ...] = ("prob_ge_20pct", "prob_loss_50pct")


class ValidationError(ExplorerError):
    """A validation that cannot run (bad setting, too little data, no realized outcome); the message names it."""


@dataclass(frozen=True, eq=False)
class OriginData:
    """What a scenario built at an origin may see.

    Attributes
    ----------
    date : pd.Timestamp
        The origin.
    returns : pd.DataFrame
        Daily log returns up to and including ``date`` (columns ``[russell, btc, *alts]``).
    model : MarketModel
        The model calibrated on ``returns``.
    """

    date: pd.Timestamp
    returns: pd.DataFrame
    model: MarketModel


#: A fixed scenario, or one built at every origin from that origin's data.
ScenarioSource = Scenario | Callable[[OriginData], Scenario]


def _whole(name: str, value: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo:
        raise ValidationError(f"{name} must be a whole number >= {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise ValidationError(f"{name} = {value:,} is above the limit of {hi:,}")
    return int(value)


@dataclass(frozen=True, eq=False)
class ValidationResult:
    """Forecasts at every origin, what happened, and the scores.

    Attributes
    ----------
    scenario : str
        Scenario name (of the first origin's scenario for a callable).
    horizon, every, n_paths, seed : int
    engine : str
    min_history : int
    russell, btc : str
    assets : tuple of str
        ``(russell, btc, *alts, "basket")``: every asset forecast at some origin.
    forecasts : pd.DataFrame
        One row per origin and asset in the model there: ``date, asset, p05 .. p95,
        prob_ge_20pct, prob_loss_50pct, realized, pit, clim_prob_ge_20pct,
        clim_prob_loss_50pct`` (simple returns as decimals; ``realized``/``pit`` NaN when
        the data end before ``date + horizon``; ``clim_*`` the event's frequency over the
        windows ended by ``date``).
    origins : pd.DataFrame
        One row per origin: ``date, calibration_end, scenario, alts (tuple),
        prob_basket_beats_btc, realized_basket_beats_btc (1.0/0.0/NaN),
        clim_basket_beats_btc``.
    """

    scenario: str
    horizon: int
    every: int
    n_paths: int
    seed: int
    engine: str
    min_history: int
    russell: str
    btc: str
    assets: tuple[str, ...]
    forecasts: pd.DataFrame
    origins: pd.DataFrame
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- scores -----------------------------------------------------------------------
    def scored(self, asset: str) -> pd.DataFrame:
        """The rows of ``asset`` with a realized outcome."""
        f = self.forecasts
        return f[(f["asset"] == asset) & f["realized"].notna()]

    def n_effective(self, n: int) -> float:
        """Effective number of ``n`` outcomes at this validation's overlap (:func:`effective_n`)."""
        return effective_n(n, self.every, self.horizon)

    def asset_summary(self, asset: str) -> dict[str, Any]:
        """``n, n_effective, coverage_50(_ci), coverage_90(_ci), pit_ks_stat, pit_ks_p, mean_pit, brier``."""
        rows = self.scored(asset)
        n = len(rows)
        n_eff = self.n_effective(n)
        r = rows["realized"].to_numpy()
        out: dict[str, Any] = {"n": n, "n_effective": n_eff}
        for band, (lo, hi) in (("coverage_50", ("p25", "p75")), ("coverage_90", ("p05", "p95"))):
            rate = float(np.mean((r >= rows[lo].to_numpy()) & (r <= rows[hi].to_numpy()))) if n else math.nan
            out[band] = rate
            out[f"{band}_ci"] = list(wilson_interval(rate, n_eff))
        d, p = pit_ks(rows["pit"].to_numpy(), n_eff)
        out["pit_ks_stat"], out["pit_ks_p"] = d, p
        out["mean_pit"] = float(rows["pit"].mean()) if n else math.nan
        brier: dict[str, Any] = {}
        for ev in EVENTS:
            hit = OUTCOME_EVENTS[ev](r, None).astype(float)
            clim = rows[f"clim_{ev}"].to_numpy()
            both = np.isfinite(clim)
            bm = brier_score(rows[ev].to_numpy()[both], hit[both])
            bc = brier_score(clim[both], hit[both])
            brier[ev] = {"model": bm, "climatology": bc, "skill": brier_skill(bm, bc), "n": int(both.sum()),
                         "observed_frequency": float(hit.mean()) if n else math.nan}
        out["brier"] = brier
        return out

    def summary(self) -> dict[str, dict[str, Any]]:
        """:meth:`asset_summary` of every asset."""
        if "summary" not in self._cache:
            self._cache["summary"] = {a: self.asset_summary(a) for a in self.assets}
        return self._cache["summary"]

    def basket_beats_btc(self) -> dict[str, Any]:
        """Brier scores of P(basket beats BTC): ``brier_model, brier_climatology, skill, n, n_effective``."""
        o = self.origins
        ok = o["realized_basket_beats_btc"].notna() & o["clim_basket_beats_btc"].notna()
        hit = o.loc[ok, "realized_basket_beats_btc"].to_numpy(dtype=float)
        bm = brier_score(o.loc[ok, "prob_basket_beats_btc"].to_numpy(), hit)
        bc = brier_score(o.loc[ok, "clim_basket_beats_btc"].to_numpy(), hit)
        n = int(ok.sum())
        return {"brier_model": bm, "brier_climatology": bc, "skill": brier_skill(bm, bc), "n": n,
                "n_effective": self.n_effective(n), "observed_frequency": float(hit.mean()) if n else math.nan}

    # -- the JSON contract ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{scenario, horizon, every, paths, seed, engine, origins: [...], summary: {T: ...}, basket_beats_btc}``."""
        by_date = {d: g for d, g in self.forecasts.groupby("date", sort=False)}
        records = []
        for row in self.origins.itertuples(index=False):
            g = by_date[row.date].set_index("asset")
            rbb = row.realized_basket_beats_btc
            records.append({
                "date": row.date,
                "calibration_end": row.calibration_end,
                "scenario": row.scenario,
                "forecast": {a: {k: g.at[a, k] for k in (*QUANTILE_FIELDS, *EVENTS)} for a in g.index},
                "prob_basket_beats_btc": row.prob_basket_beats_btc,
                "realized": {a: _num(g.at[a, "realized"]) for a in g.index},
                "realized_basket_beats_btc": None if pd.isna(rbb) else bool(rbb),
                "pit": {a: _num(g.at[a, "pit"]) for a in g.index},
                "climatology": {a: {ev: _num(g.at[a, f"clim_{ev}"]) for ev in EVENTS} for a in g.index}
                | {"basket_beats_btc": _num(row.clim_basket_beats_btc)},
            })
        return {
            "scenario": self.scenario, "horizon": self.horizon, "every": self.every, "paths": self.n_paths,
            "seed": self.seed, "engine": self.engine, "min_history": self.min_history,
            "origins": records, "summary": self.summary(), "basket_beats_btc": self.basket_beats_btc(),
        }


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _origin_positions(frame: pd.DataFrame, russell: str, btc: str, start: pd.Timestamp, every: int) -> np.ndarray:
    have = frame[russell].notna().to_numpy() & frame[btc].notna().to_numpy()
    cand = np.flatnonzero(have & (frame.index >= start))
    if cand.size == 0:
        last = frame.index[have][-1].date() if have.any() else None
        raise ValidationError(f"start {start.date()}: no session on or after it with {russell} and {btc} "
                              f"returns (the data end on {last})")
    return cand[::every]


def _alts_at(counts: pd.DataFrame, frame: pd.DataFrame, pos: int, alts: Sequence[str], need: int) -> tuple[str, ...]:
    row = frame.iloc[pos]
    return tuple(a for a in alts if np.isfinite(row[a]) and counts.iloc[pos][a] >= need)


def walk_forward(
    returns: pd.DataFrame,
    *,
    russell: str,
    btc: str,
    alts: Sequence[str],
    scenario: ScenarioSource,
    start: str | date | pd.Timestamp,
    every: int,
    horizon: int,
    n_paths: int,
    seed: int,
    engine: str = "parametric",
    min_history: int = MIN_HISTORY,
    name: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> ValidationResult:
    """Walk-forward validation of ``scenario`` on ``returns``.

    Parameters
    ----------
    returns : pd.DataFrame
        Dates (the Russell proxy's sessions) x tickers, daily log returns (NaN where missing).
    russell, btc : str
        Columns of the Russell proxy and BTC.
    alts : sequence of str
        Candidate altcoin columns (each enters at the origins where it has ``min_history`` sessions).
    scenario : Scenario or callable
        A fixed scenario, or ``OriginData -> Scenario`` called at every origin.
    start : date-like
        First origin: the first session on or after it (with Russell and BTC returns).
    every : int
        Sessions between origins (>= 1).
    horizon : int
        Sessions simulated ahead and realized (>= 1; :func:`core.budget.check_run_size`).
    n_paths : int
        Paths per origin (:func:`core.budget.check_run_size`).
    seed : int
        Origin ``d`` draws from ``numpy.random.default_rng([seed, d.toordinal()])``: the same
        origin gets the same random numbers whatever ``start`` and ``every`` are.
    engine : {"parametric", "bootstrap"}
    min_history : int
        Sessions of returns an asset needs up to an origin to enter the model there
        (>= :data:`core.calibration.MIN_OBS`).
    name : str, optional
        Name reported for a callable scenario (default: the first origin's scenario name).
    progress : callable, optional
        Called with the fraction done (0..1].

    Raises
    ------
    ValidationError
        A bad setting (naming it), more than :data:`MAX_ORIGINS` origins or
        :data:`MAX_VALIDATION_CELLS` cells, too little history before the first origin
        (naming the asset and its sessions), or no origin with a realized outcome.
    """
    every = _whole("every", every, 1)
    horizon = _whole("horizon", horizon, 1)
    n_paths = _whole("paths", n_paths, 2)
    min_history = _whole("min_history", min_history, MIN_OBS)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationError(f"seed must be a whole number >= 0, got {seed!r}")
    if engine not in ENGINES:
        raise ValidationError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if not isinstance(scenario, Scenario) and not callable(scenario):
        raise ValidationError(f"scenario must be a Scenario or a callable OriginData -> Scenario, got {scenario!r}")
    alts = list(dict.fromkeys(alts))
    missing = [c for c in (russell, btc, *alts) if c not in returns.columns]
    if missing:
        raise ValidationError(f"column(s) {', '.join(map(str, missing))} not in the returns")
    if not alts:
        raise ValidationError("alts is empty: the basket needs at least one altcoin")
    try:
        start_ts = pd.Timestamp(start)
    except (ValueError, TypeError):
        raise ValidationError(f"start {start!r} is not a date (YYYY-MM-DD)") from None
    check_run_size(n_paths, horizon, 3)

    frame = returns[[russell, btc, *alts]].astype(float)
    positions = _origin_positions(frame, russell, btc, start_ts, every)
    if positions.size > MAX_ORIGINS:
        raise ValidationError(
            f"origins = {positions.size:,} (every {every} sessions from {start_ts.date()}) is above the limit of "
            f"{MAX_ORIGINS:,}: use a larger every or a later start")
    counts = frame.notna().cumsum()
    first = positions[0]
    short = [f"{c} has {int(counts.iloc[first][c])}" for c in (russell, btc) if counts.iloc[first][c] < min_history]
    if short:
        raise ValidationError(
            f"too little data before the first origin {frame.index[first].date()}: {', '.join(short)} sessions of "
            f"returns, need >= {min_history}; start later or load more history")
    alt_sets = [_alts_at(counts, frame, p, alts, min_history) for p in positions]
    for p, s in zip(positions, alt_sets, strict=True):
        if not s:
            have = ", ".join(f"{a} {int(counts.iloc[p][a])}" for a in alts)
            raise ValidationError(
                f"no altcoin has {min_history} sessions of returns up to the origin {frame.index[p].date()} "
                f"({have}); start later")
    cells = sum(n_paths * horizon * (2 + len(s)) for s in alt_sets)
    for s in alt_sets:
        check_run_size(n_paths, horizon, 2 + len(s))
    if cells > MAX_VALIDATION_CELLS:
        raise ValidationError(
            f"paths x horizon x assets summed over {positions.size} origins = {cells:,} is above the limit of "
            f"{MAX_VALIDATION_CELLS:,}: use fewer paths, fewer origins (larger every) or a shorter horizon")

    # Realized outcomes and climatology, for every session at once.
    values = frame.to_numpy()
    sums = forward_log_sums(values, horizon)
    col = {c: j for j, c in enumerate(frame.columns)}
    if not np.isfinite(sums[positions, col[russell]]).any():
        last = frame.index[-1].date()
        raise ValidationError(
            f"no realized outcomes: every origin from {frame.index[first].date()} is less than {horizon} sessions "
            f"before the end of the data ({last}); start earlier or shorten the horizon")
    clim = {(c, ev): climatology(OUTCOME_EVENTS[ev](np.expm1(sums[:, j]), None), np.isfinite(sums[:, j]), horizon)
            for c, j in col.items() for ev in EVENTS}
    baskets: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    for s in dict.fromkeys(alt_sets):
        w = basket_log_sums(sums[:, [col[a] for a in s]])
        known = np.isfinite(w) & np.isfinite(sums[:, col[btc]])
        entry = {"sum": w}
        for ev in EVENTS:
            entry[ev] = climatology(OUTCOME_EVENTS[ev](np.expm1(w), None), np.isfinite(w), horizon)
        with np.errstate(invalid="ignore"):
            entry["beats"] = climatology(w > sums[:, col[btc]], known, horizon)
        baskets[s] = entry

    rows: list[dict[str, Any]] = []
    origin_rows: list[dict[str, Any]] = []
    n_origins = positions.size
    for i, (pos, alt_set) in enumerate(zip(positions, alt_sets, strict=True)):
        when = pd.Timestamp(frame.index[pos])
        cols = [russell, btc, *alt_set]
        past = frame.iloc[: pos + 1][cols]
        model = calibrate(past, russell=russell, btc=btc, alts=list(alt_set))
        scen = scenario if isinstance(scenario, Scenario) else scenario(OriginData(when, past, model))
        if not isinstance(scen, Scenario):
            raise ValidationError(f"the scenario built at {when.date()} is {type(scen).__name__}, not a Scenario")
        sub = None if progress is None else (lambda f, i=i: progress((i + min(max(f, 0.0), 1.0)) / n_origins))
        res = simulate(model, scen, n_paths=n_paths, horizon=horizon,
                       rng=np.random.default_rng([int(seed), when.toordinal()]), engine=engine, progress=sub)
        names = [*res.assets, BASKET]
        samples = {a: outcomes(res, a) for a in names}
        pct = percentile_table({a: r for a, (r, _) in samples.items()}, PERCENTILES)
        bsk = baskets[alt_set]
        log_real = np.array([*(sums[pos, col[a]] for a in res.assets), bsk["sum"][pos]])
        realized = np.expm1(log_real)
        pit = pit_values(np.column_stack([r for r, _ in samples.values()]), realized)
        for j, a in enumerate(names):
            r, dd = samples[a]
            row = {"date": when, "asset": a, **{k: float(pct.at[a, k]) for k in QUANTILE_FIELDS}}
            for ev in EVENTS:
                row[ev] = probability(OUTCOME_EVENTS[ev](r, dd)).p
            row["realized"], row["pit"] = realized[j], pit[j]
            for ev in EVENTS:
                row[f"clim_{ev}"] = bsk[ev][pos] if a == BASKET else clim[(a, ev)][pos]
            rows.append(row)
        btc_sum = sums[pos, col[btc]]
        beat = (float(bsk["sum"][pos] > btc_sum) if np.isfinite(bsk["sum"][pos]) and np.isfinite(btc_sum)
                else math.nan)
        origin_rows.append({
            "date": when, "calibration_end": pd.Timestamp(model.end), "scenario": scen.name, "alts": alt_set,
            "prob_basket_beats_btc": prob_basket_beats_btc(res).p, "realized_basket_beats_btc": beat,
            "clim_basket_beats_btc": bsk["beats"][pos],
        })
        if progress is not None:
            progress((i + 1) / n_origins)

    all_alts = tuple(a for a in alts if any(a in s for s in alt_sets))
    return ValidationResult(
        scenario=name or origin_rows[0]["scenario"], horizon=horizon, every=every, n_paths=n_paths, seed=int(seed),
        engine=engine, min_history=min_history, russell=russell, btc=btc,
        assets=(russell, btc, *all_alts, BASKET),
        forecasts=pd.DataFrame(rows), origins=pd.DataFrame(origin_rows),
    )
