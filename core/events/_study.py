"""Event study: crypto forward returns after event dates against all sessions.

Private module; import from :mod:`core.events`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.conventions import BASKET, BASKET_VS_BTC
from core.events._base import EventInputError
from core.returns import sample_on_calendar

#: Forward horizons in sessions: about 1, 3, 6 and 12 months of trading days.
DEFAULT_HORIZONS: tuple[int, ...] = (21, 63, 126, 252)
#: Fewest events for a bootstrap interval of the event mean: a percentile bootstrap of 2-4
#: values covers far less than its nominal level (about 50 % at n = 2, 73 % at n = 3 for a
#: "95 %" interval), so cells with fewer events get no interval.
MIN_EVENTS_FOR_INTERVAL = 5
#: Largest number of event placements enumerated for an exact permutation p-value with one
#: or two events (counted in vectorized chunks) ...
EXACT_MAX_PLACEMENTS_SMALL = 50_000_000
#: ... and with three or more events (enumerated as combinations). Beyond these the p-value is
#: a Monte Carlo permutation test with ``n_boot`` random placements from the study's seed.
EXACT_MAX_PLACEMENTS = 1_000_000
#: Names of the p-value methods in the ``p_method`` column.
P_EXACT, P_MONTE_CARLO = "exact", "monte carlo"


def compute_forward_returns(
    closes: pd.DataFrame,
    *,
    btc: str,
    eth: str | None = None,
    alts: Sequence[str] = (),
    horizons: Sequence[int] = DEFAULT_HORIZONS,
) -> pd.DataFrame:
    """Forward simple returns over h sessions for BTC, ETH, the altcoin basket and basket vs BTC.

    Parameters
    ----------
    closes : pd.DataFrame
        Closes on the session calendar of the study (one row per session, e.g.
        the equity trading days, crypto taken at those dates); NaN = no close.
    btc, eth : str
        Column names; ``eth`` may be None or absent (then skipped).
    alts : sequence of str
        Altcoin columns; those absent or all-NaN are skipped.
    horizons : sequence of int
        h >= 1 sessions.

    Returns
    -------
    pd.DataFrame
        Index = closes.index; columns MultiIndex ``(asset, horizon)``.
        ``F_t(h) = P_{t+h} / P_t - 1``; the basket is the equal-weight mean of the
        forward returns of the altcoins defined at both t and t+h (NaN if none);
        ``BASKET_VS_BTC = (1 + basket) / (1 + btc) - 1``. NaN where undefined,
        including the last h sessions.
    """
    if btc not in closes.columns:
        raise EventInputError(f"BTC column {btc!r} not in closes (columns: {list(closes.columns)})")
    hs = [int(h) for h in horizons]
    if not hs or any(h < 1 for h in hs):
        raise EventInputError(f"horizons must be integers >= 1 session, got {list(horizons)!r}")
    values = closes.astype(float)
    bad = (values <= 0).to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise EventInputError(
            f"non-positive close in {values.columns[col]!r} on {values.index[row].date()}"
        )
    alt_cols = [
        a
        for a in dict.fromkeys(alts)
        if a in values.columns and values[a].notna().any() and a != btc
    ]
    pieces: dict[tuple[str, int], pd.Series] = {}
    for h in hs:  # a handful of horizons
        fwd = values.shift(-h) / values - 1.0
        pieces[(btc, h)] = fwd[btc]
        if eth is not None and eth in values.columns:
            pieces[(eth, h)] = fwd[eth]
        if alt_cols:
            basket = fwd[alt_cols].mean(axis=1, skipna=True)
            pieces[(BASKET, h)] = basket
            pieces[(BASKET_VS_BTC, h)] = (1.0 + basket) / (1.0 + fwd[btc]) - 1.0
    panel = pd.DataFrame(pieces, index=values.index)
    panel.columns = pd.MultiIndex.from_tuples(panel.columns, names=["asset", "horizon"])
    order = [a for a in (btc, eth, BASKET, BASKET_VS_BTC) if a in panel.columns.get_level_values(0)]
    return panel.reindex(
        columns=pd.MultiIndex.from_product([order, hs], names=["asset", "horizon"])
    )


# eq=False: the fields hold pandas frames, whose ``==`` is elementwise with no truth value, so
# a generated ``__eq__`` would raise; studies are compared by identity (tests compare tables).
@dataclass(frozen=True, eq=False)
class EventStudy:
    """Forward returns after events against the unconditional distribution.

    Attributes
    ----------
    table : pd.DataFrame
        One row per (asset, horizon). Columns: ``asset, horizon`` (sessions),
        ``n_dated`` (events with a defined forward return), ``n_events`` (after
        de-clustering: the sample actually used), ``mean_event, median_event,
        hit_rate_event`` (share > 0), ``ci_low, ci_high`` (bootstrap percentile
        interval of the event mean), ``n_all, mean_all, median_all,
        hit_rate_all`` (every eligible session), ``p_value`` (two-sided
        permutation test of the event mean against random non-overlapping date
        sets of the same size; NaN when n_events is 0).
    event_returns : pd.DataFrame
        Long form: ``event_date, asset, horizon, forward_return, used`` (False
        when dropped by de-clustering).
    forward_returns : pd.DataFrame
        The unconditional panel from :func:`compute_forward_returns`.
    n_events_input : int
        Event dates given that fall inside the panel's date range.
    n_boot : int
    confidence : float
    decluster : bool
    seed : int or None
        Seed of the generator the draws came from, when :func:`event_study_after` made it
        (None when a generator was passed to :func:`run_event_study`).
    btc, eth : str or None
        Tickers of BTC and ETH in the study (set by :func:`event_study_after`; ``eth`` None
        when it has no closes).
    alts : tuple of str
        Altcoins in the basket that have closes (set by :func:`event_study_after`).
    """

    table: pd.DataFrame
    event_returns: pd.DataFrame
    forward_returns: pd.DataFrame
    n_events_input: int
    n_boot: int
    confidence: float
    decluster: bool
    seed: int | None = None
    btc: str | None = None
    eth: str | None = None
    alts: tuple[str, ...] = ()


def draw_spaced_sets(
    n_slots: int, n: int, gap: int, n_draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Uniform random sets of ``n`` positions in ``range(n_slots)`` with pairwise spacing >= ``gap``.

    Stars-and-bars: choose ``n`` distinct sorted values from
    ``range(n_slots - (n - 1) * (gap - 1))`` and add ``i * (gap - 1)`` to the i-th,
    a bijection onto the spaced sets. Returns shape (n_draws, n).
    """
    free = n_slots - (n - 1) * (gap - 1)
    if free < n:
        raise EventInputError(f"cannot place {n} events {gap} sessions apart in {n_slots} sessions")
    if n * n <= free:
        # rejection of rows with a repeated value: rare when n^2 <= free
        draws = np.sort(rng.integers(0, free, size=(n_draws, n)), axis=1)
        bad = (np.diff(draws, axis=1) == 0).any(axis=1)
        while bad.any():
            redo = np.sort(rng.integers(0, free, size=(int(bad.sum()), n)), axis=1)
            draws[bad] = redo
            bad = (np.diff(draws, axis=1) == 0).any(axis=1)
    else:
        rows = max(1, 2_000_000 // free)  # bound memory of the key matrix
        chunks = []
        for lo in range(0, n_draws, rows):
            keys = rng.random((min(rows, n_draws - lo), free))
            chunks.append(np.sort(np.argpartition(keys, n - 1, axis=1)[:, :n], axis=1))
        draws = np.concatenate(chunks, axis=0)
    return draws + np.arange(n) * (gap - 1)


def _exact_tail(vals: np.ndarray, n: int, gap: int, mu: float, dev: float) -> tuple[int, int] | None:
    """Exact count of spaced placements whose mean is at least ``dev`` from ``mu``.

    Enumerates every set of ``n`` positions in ``range(len(vals))`` with pairwise spacing
    ``>= gap`` (the null's support) and counts those with ``|mean - mu| >= dev``. Returns
    ``(count, placements)``, or None when there are more placements than the caps
    :data:`EXACT_MAX_PLACEMENTS_SMALL` (n <= 2) / :data:`EXACT_MAX_PLACEMENTS` (n >= 3).
    """
    n_slots = len(vals)
    free = n_slots - (n - 1) * (gap - 1)
    if free < n:
        return None
    total = math.comb(free, n)
    if n == 1:
        return int((np.abs(vals - mu) >= dev).sum()), total
    if n == 2:
        if total > EXACT_MAX_PLACEMENTS_SMALL:
            return None
        count = 0
        cols = np.arange(n_slots)
        rows_per = max(1, 4_000_000 // n_slots)  # bound the chunk's (rows, n_slots) matrix
        for lo in range(0, n_slots, rows_per):  # chunks of first positions
            i = np.arange(lo, min(n_slots, lo + rows_per))
            means = (vals[i][:, None] + vals[None, :]) / 2.0
            ok = cols[None, :] >= i[:, None] + gap
            count += int((ok & (np.abs(means - mu) >= dev)).sum())
        return count, total
    if total > EXACT_MAX_PLACEMENTS:
        return None
    combos = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(free), n)),
                         dtype=np.int64, count=total * n).reshape(total, n)
    means = vals[combos + np.arange(n) * (gap - 1)].mean(axis=1)
    return int((np.abs(means - mu) >= dev).sum()), total


def decluster_positions(positions: np.ndarray, gap: int) -> np.ndarray:
    """Greedy: keep an event only if it is at least ``gap`` positions after the last kept one."""
    keep = np.zeros(len(positions), dtype=bool)
    last = None
    for i, p in enumerate(positions):  # loops over events (few)
        if last is None or p - last >= gap:
            keep[i] = True
            last = p
    return keep


def run_event_study(
    forward_returns: pd.DataFrame,
    event_dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    rng: np.random.Generator,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    decluster: bool = True,
) -> EventStudy:
    """Compare forward returns after event dates with those after all dates.

    Parameters
    ----------
    forward_returns : pd.DataFrame
        Panel from :func:`compute_forward_returns` (columns ``(asset, horizon)``).
    event_dates : sequence of dates
        Each is mapped to the first session on or after it; dates before the
        first session or after the last one are ignored.
    rng : numpy.random.Generator
        Source of all randomness (bootstrap and permutation draws).
    n_boot : int
        Number of bootstrap resamples and of random date sets.
    confidence : float
        Level of the bootstrap percentile interval, in (0, 1).
    decluster : bool
        Overlap handling. For horizon h, forward windows of events less than h
        eligible sessions apart overlap and would count one market move several
        times. With ``decluster=True`` events are kept greedily in time order
        only when at least h eligible sessions after the last kept one, so the
        windows used do not overlap; the null draws random date sets with the
        same spacing (uniformly among all such sets), so both sides of the
        comparison have non-overlapping windows. With False every event is
        used and the null draws distinct dates with no spacing (overlap makes
        the test anti-conservative then).

    Returns
    -------
    EventStudy
        The p-value compares the event mean m with the means m_b of other placements
        of the same number of events (same spacing), mu being the mean over all
        eligible sessions. Exact when every placement can be enumerated (always for one
        event; for two while there are at most 50 million placements; for more while at
        most 1 million): ``p = #{b : |m_b - mu| >= |m - mu|} / #placements`` (the
        events' own placement is one of them). Otherwise Monte Carlo with ``n_boot``
        random placements: ``p = (1 + #{b : ...}) / (1 + n_boot)``. The interval
        resamples the used event returns with replacement (percentile method), only
        when there are at least :data:`MIN_EVENTS_FOR_INTERVAL` events.
    """
    if not isinstance(rng, np.random.Generator):
        raise EventInputError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise EventInputError(f"n_boot must be an integer >= 1, got {n_boot!r}")
    if not 0.0 < confidence < 1.0:
        raise EventInputError(f"confidence must be in (0, 1), got {confidence!r}")
    if not isinstance(forward_returns.columns, pd.MultiIndex):
        raise EventInputError("forward_returns must have (asset, horizon) MultiIndex columns")
    index = forward_returns.index
    dates = pd.DatetimeIndex(pd.to_datetime(list(event_dates))).sort_values().unique()
    session_pos = index.searchsorted(dates, side="left")
    in_range = (
        (session_pos < len(index)) & (dates >= index[0])
        if len(index)
        else np.zeros(len(dates), bool)
    )
    session_pos = np.unique(session_pos[in_range])
    alpha = 1.0 - confidence
    rows: list[dict[str, object]] = []
    long_parts: list[pd.DataFrame] = []
    for asset, horizon in forward_returns.columns:  # a few (asset, horizon) cells
        col = forward_returns[(asset, horizon)].to_numpy(dtype=float)
        eligible = np.flatnonzero(np.isfinite(col))
        vals = col[eligible]
        ev = np.searchsorted(eligible, session_pos)
        defined = (
            (ev < len(eligible)) & (eligible[np.minimum(ev, len(eligible) - 1)] == session_pos)
            if len(eligible)
            else np.zeros(len(session_pos), bool)
        )
        ev = ev[defined]
        gap = int(horizon) if decluster else 1
        used = decluster_positions(ev, gap) if decluster else np.ones(len(ev), dtype=bool)
        cond = vals[ev[used]]
        n = len(cond)
        row: dict[str, object] = {
            "asset": asset,
            "horizon": int(horizon),
            "n_dated": int(len(ev)),
            "n_events": n,
            "mean_event": float(cond.mean()) if n else np.nan,
            "median_event": float(np.median(cond)) if n else np.nan,
            "hit_rate_event": float((cond > 0).mean()) if n else np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n_all": int(len(vals)),
            "mean_all": float(vals.mean()) if len(vals) else np.nan,
            "median_all": float(np.median(vals)) if len(vals) else np.nan,
            "hit_rate_all": float((vals > 0).mean()) if len(vals) else np.nan,
            "p_value": np.nan,
            "p_method": None,
            "n_placements": 0,
            "few_events": n < MIN_EVENTS_FOR_INTERVAL,
        }
        if n >= MIN_EVENTS_FOR_INTERVAL:
            boot = cond[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
            row["ci_low"], row["ci_high"] = (
                float(q) for q in np.quantile(boot, [alpha / 2, 1 - alpha / 2])
            )
        if n:
            mu = vals.mean()
            # tolerance so that a placement equal to the event set counts as extreme
            dev = np.abs(cond.mean() - mu) - 1e-12
            exact = _exact_tail(vals, n, gap, mu, dev)
            if exact is not None:
                row["p_value"] = exact[0] / exact[1]
                row["p_method"], row["n_placements"] = P_EXACT, exact[1]
            else:
                null = vals[draw_spaced_sets(len(vals), n, gap, n_boot, rng)].mean(axis=1)
                extreme = np.abs(null - mu) >= dev
                row["p_value"] = float((1 + extreme.sum()) / (1 + n_boot))
                row["p_method"], row["n_placements"] = P_MONTE_CARLO, int(n_boot)
        rows.append(row)
        long_parts.append(
            pd.DataFrame(
                {
                    "event_date": index[eligible[ev]],
                    "asset": asset,
                    "horizon": int(horizon),
                    "forward_return": vals[ev],
                    "used": used,
                }
            )
        )
    table = pd.DataFrame(rows)
    event_returns = (
        pd.concat(long_parts, ignore_index=True)
        if long_parts
        else pd.DataFrame(columns=["event_date", "asset", "horizon", "forward_return", "used"])
    )
    return EventStudy(
        table=table,
        event_returns=event_returns,
        forward_returns=forward_returns,
        n_events_input=int(len(session_pos)),
        n_boot=int(n_boot),
        confidence=float(confidence),
        decluster=bool(decluster),
    )


def event_study_after(
    closes: pd.DataFrame,
    event_dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    *,
    calendar: pd.DatetimeIndex,
    btc: str,
    eth: str | None = None,
    alts: Sequence[str] = (),
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    seed: int = 0,
    n_boot: int = 2000,
    confidence: float = 0.95,
    decluster: bool = True,
) -> EventStudy:
    """What BTC, ETH, the altcoin basket and basket-vs-BTC did after event dates.

    The one pipeline behind ``python -m core breakouts`` and the Breakouts page: each crypto
    column is sampled at its last close on or before every session of ``calendar``
    (:func:`core.returns.sample_on_calendar`), forward returns over ``horizons`` sessions are
    taken on that calendar (:func:`compute_forward_returns`) and compared with all sessions
    (:func:`run_event_study`, draws from ``numpy.random.default_rng(seed)``).

    Parameters
    ----------
    closes : pd.DataFrame
        Crypto closes (price units), shape (n_dates, n_tickers), any daily calendar.
    event_dates : sequence of dates
        Event dates; each maps to the first session on or after it.
    calendar : pd.DatetimeIndex
        Sessions of the study (e.g. the trading days of the ticker whose events these are).
    btc, eth, alts : str, str or None, sequence of str
        Roles, from :func:`core.roles.assign_roles` (the basket is ``alts``: every crypto
        except BTC and stablecoins, ETH included).
    horizons : sequence of int
        Forward horizons in sessions (>= 1).
    seed : int
        Seed of the bootstrap and permutation draws; stored in the result.
    n_boot, confidence, decluster
        As in :func:`run_event_study`.

    Returns
    -------
    EventStudy
        With ``seed``, ``btc``, ``eth`` (None without closes) and ``alts`` (those with closes).

    Raises
    ------
    EventInputError
        BTC absent from ``closes``, bad horizons, ``n_boot`` or ``confidence``.
    """
    if btc not in closes.columns:
        raise EventInputError(f"BTC column {btc!r} not in closes (columns: {list(closes.columns)})")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise EventInputError(f"seed must be an integer >= 0, got {seed!r}")
    wanted = [c for c in dict.fromkeys([btc, eth, *alts]) if c is not None and c in closes.columns]
    sampled = sample_on_calendar(closes[wanted], pd.DatetimeIndex(calendar))
    forward = compute_forward_returns(sampled, btc=btc, eth=eth, alts=alts, horizons=horizons)
    study = run_event_study(forward, event_dates, np.random.default_rng(int(seed)), n_boot=n_boot,
                            confidence=confidence, decluster=decluster)
    has = {c for c in sampled.columns if sampled[c].notna().any()}
    return replace(
        study,
        seed=int(seed),
        btc=btc,
        eth=eth if eth is not None and eth in closes.columns else None,
        alts=tuple(a for a in dict.fromkeys(alts) if a in has and a != btc),
    )


def used_events(study: EventStudy, horizon: int, asset: str | None = None) -> pd.DataFrame:
    """The individual events behind a study's figures at ``horizon`` sessions.

    Parameters
    ----------
    study : EventStudy
    horizon : int
        One of the study's horizons (sessions).
    asset : str, optional
        Keep one asset's events (default: every asset).

    Returns
    -------
    pandas.DataFrame
        Columns ``asset, event_date, forward_return`` (simple return over ``horizon``
        sessions, decimal), one row per event used (kept by de-clustering), in the study's
        asset order then by date.
    """
    ev = study.event_returns
    keep = (ev["horizon"] == int(horizon)) & ev["used"].astype(bool)
    if asset is not None:
        keep &= ev["asset"] == asset
    return ev.loc[keep, ["asset", "event_date", "forward_return"]].reset_index(drop=True)


def event_study_distribution(study: EventStudy, horizon: int, *, bins: int = 40) -> pd.DataFrame:
    """Histogram of all sessions' forward returns, the event returns and both means, per asset.

    Forward returns ``F`` are binned on the log-growth scale ``g = ln(1 + F)`` (altcoin
    returns span -90 % to +4000 %), ``bins`` equal-width bins between each asset's extremes.

    Parameters
    ----------
    study : EventStudy
    horizon : int
        One of the study's horizons (sessions).
    bins : int, default 40
        Number of histogram bins per asset.

    Returns
    -------
    pd.DataFrame
        Long frame, one block per asset with forward returns at ``horizon``:

        - ``kind == "all sessions"``: ``lo, hi`` (bin edges in g), ``density`` (share of
          sessions per unit of g; integrates to 1), ``n`` (sessions);
        - ``kind == "event"``: ``g, forward_return, event_date`` of each *used* event, ``n``;
        - ``kind == "mean"``: ``group`` ("all sessions" or "events"), ``forward_return`` (the
          mean simple return), ``g = ln(1 + mean)``, ``n``.

        Every row carries ``asset`` and ``n_events`` (used events of that asset).
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise EventInputError(f"bins must be an integer >= 1, got {bins!r}")
    forward, event_returns = study.forward_returns, study.event_returns
    parts = []
    used = event_returns[(event_returns["horizon"] == horizon) & event_returns["used"].astype(bool)]
    for asset in forward.columns.get_level_values(0).unique():
        if (asset, horizon) not in forward.columns:
            continue
        values = forward[(asset, horizon)].dropna().to_numpy()
        if len(values) == 0:
            continue
        g = np.log1p(values)
        counts, edges = np.histogram(g, bins=int(bins))
        width = np.diff(edges)
        ev = used[used["asset"] == asset]
        n_ev = len(ev)
        parts.append(pd.DataFrame({
            "asset": asset, "kind": "all sessions", "lo": edges[:-1], "hi": edges[1:],
            "density": counts / (counts.sum() * width), "n": len(values), "n_events": n_ev,
        }))
        parts.append(pd.DataFrame({
            "asset": asset, "kind": "event", "g": np.log1p(ev["forward_return"].to_numpy(dtype=float)),
            "forward_return": ev["forward_return"].to_numpy(dtype=float),
            "event_date": ev["event_date"].to_numpy(), "n": n_ev, "n_events": n_ev,
        }))
        means = [("all sessions", float(values.mean()), len(values))]
        if n_ev:
            means.append(("events", float(ev["forward_return"].mean()), n_ev))
        parts.append(pd.DataFrame({
            "asset": asset, "kind": "mean", "group": [m[0] for m in means],
            "g": np.log1p([m[1] for m in means]), "forward_return": [m[1] for m in means],
            "n": [m[2] for m in means], "n_events": n_ev,
        }))
    if not parts:
        return pd.DataFrame(columns=["asset", "kind", "n_events"])
    return pd.concat(parts, ignore_index=True)
