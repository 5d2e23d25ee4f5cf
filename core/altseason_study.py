"""Does altcoin season follow small-cap events? The index after Russell streaks, breakouts, spread events.

For each event kind (a small-cap outperformance streak reaching ``streak_length`` sessions, a
breakout of the small-cap proxy after a long base, the k-session small-cap spread crossing its
threshold; all from :mod:`core.events`) and horizon h (equity sessions), the outcome at
session t is

    Y_t(h) = 1  if the altcoin season index is >= threshold on some calendar day in (t, t_h],

where t_h is the h-th session after t, and 0 otherwise (defined only when the index is
defined on every day of that span). The event rate (share of events with Y = 1) is compared
with the base rate over every eligible session. Events closer than h sessions to an earlier
kept one are dropped (their windows would overlap); the null draws random sets of sessions
of the same size with the same spacing (permutation p-value, one-sided: "more often than on
random dates", fixed seed). An exact binomial p-value against the base rate is given too; it
assumes independent events. With fewer than :data:`SMALL_N` events the table says so and
shows no interval.

- :func:`altseason_events` -> :class:`AltseasonEvents` (the event dates and streak spans).
- :func:`altseason_event_study` -> :class:`AltseasonStudy` (one row per kind and horizon).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from core.altseason import AltseasonError, AltseasonIndex
from core.events import (
    EventInputError,
    compute_pair_returns,
    decluster_positions,
    draw_spaced_sets,
    find_breakouts,
    find_spread_events,
    find_streaks,
)

__all__ = [
    "STREAK_EVENTS",
    "BREAKOUT_EVENTS",
    "SPREAD_EVENTS",
    "DEFAULT_STUDY_HORIZONS",
    "DEFAULT_STREAK_LENGTH",
    "SMALL_N",
    "MAX_DRAWS",
    "AltseasonEvents",
    "AltseasonStudy",
    "altseason_events",
    "altseason_event_study",
]

STREAK_EVENTS = "Russell streaks"
BREAKOUT_EVENTS = "breakouts"
SPREAD_EVENTS = "spread events"
#: Horizons of the study in equity sessions (about 1, 3 and 6 months).
DEFAULT_STUDY_HORIZONS: tuple[int, ...] = (21, 63, 126)
#: Streak length (sessions) whose reaching is an event: 6 gives a dozen events since 2018.
DEFAULT_STREAK_LENGTH = 6
#: Fewer events than this: no interval, and the page says the result is anecdote.
SMALL_N = 5
#: Most permutation draws allowed.
MAX_DRAWS = 100_000


@dataclass(frozen=True, eq=False)
class AltseasonEvents:
    """Small-cap event dates on the leader's sessions.

    Attributes
    ----------
    dates : mapping of str to pandas.DatetimeIndex
        :data:`STREAK_EVENTS` (the session each qualifying streak reached ``streak_length``),
        :data:`BREAKOUT_EVENTS`, :data:`SPREAD_EVENTS`.
    streaks : pandas.DataFrame
        Qualifying streaks: ``start, end, length`` (for shading a chart).
    calendar : pandas.DatetimeIndex
        The sessions (days with both a leader and a laggard return).
    leader, laggard : str
    streak_length, base, spread_window : int
    spread_threshold : float
    """

    dates: Mapping[str, pd.DatetimeIndex]
    streaks: pd.DataFrame
    calendar: pd.DatetimeIndex
    leader: str
    laggard: str
    streak_length: int
    base: int
    spread_window: int
    spread_threshold: float

    def long(self) -> pd.DataFrame:
        """One row per event: ``kind, date``, chronological within kind."""
        parts = [pd.DataFrame({"kind": k, "date": d}) for k, d in self.dates.items()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["kind", "date"])


def altseason_events(
    closes: pd.DataFrame,
    leader: str,
    laggard: str,
    *,
    streak_length: int = DEFAULT_STREAK_LENGTH,
    base: int = 250,
    spread_window: int = 10,
    spread_threshold: float = 0.05,
) -> AltseasonEvents:
    """Streak, breakout and spread-event dates of ``leader`` over ``laggard`` (from :mod:`core.events`).

    Parameters
    ----------
    closes : pandas.DataFrame
        Closes with columns ``leader`` and ``laggard`` (price units).
    streak_length : int
        A streak is an event on the session it reaches this many sessions (>= 1).
    base : int
        Breakout base in sessions (:func:`core.events.find_breakouts`).
    spread_window, spread_threshold : int, float
        Window (sessions) and threshold (decimal) of :func:`core.events.find_spread_events`.

    Raises
    ------
    AltseasonError
        A ticker missing or a bad ``streak_length``; :class:`core.events.EventInputError` for
        the other parameters.
    """
    for t in (leader, laggard):
        if t not in closes.columns:
            raise AltseasonError(f"no closes for {t!r} (columns: {list(closes.columns)})")
    if isinstance(streak_length, bool) or not isinstance(streak_length, int | np.integer) or streak_length < 1:
        raise AltseasonError(f"streak_length must be an integer >= 1 session, got {streak_length!r}")
    daily = compute_pair_returns(closes[leader], closes[laggard])
    table = find_streaks(daily["leader"], daily["laggard"]).streaks
    long = table[table["length"] >= streak_length]
    start_pos = daily.index.get_indexer(pd.DatetimeIndex(long["start"]))
    reached = pd.DatetimeIndex(daily.index[start_pos + int(streak_length) - 1], name="date")
    breakouts = find_breakouts(closes[leader], base=base).events["date"]
    spread = find_spread_events(daily["leader"], daily["laggard"], window=spread_window,
                                threshold=spread_threshold).events["date"]
    dates = {
        STREAK_EVENTS: reached,
        BREAKOUT_EVENTS: pd.DatetimeIndex(breakouts, name="date"),
        SPREAD_EVENTS: pd.DatetimeIndex(spread, name="date"),
    }
    return AltseasonEvents(
        dates=dates, streaks=long[["start", "end", "length"]].reset_index(drop=True),
        calendar=pd.DatetimeIndex(daily.index, name="date"), leader=leader, laggard=laggard,
        streak_length=int(streak_length), base=int(base), spread_window=int(spread_window),
        spread_threshold=float(spread_threshold),
    )


@dataclass(frozen=True, eq=False)
class AltseasonStudy:
    """The index after events against random sessions.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (kind, horizon): ``kind``, ``horizon`` (sessions), ``n_input`` (events
        inside the index's span), ``n_events`` (used: outcome defined and de-clustered),
        ``hits`` (events after which the index reached the threshold), ``event_rate``
        (hits / n_events), ``in_season_at_event`` (share of used events with the index
        already at or above the threshold on the event day), ``n_sessions`` (eligible
        sessions), ``base_rate`` (share of them with Y = 1), ``p_perm`` (one-sided
        permutation p-value), ``p_exact`` (the same tail counted over every placement, when
        ``n_events < SMALL_N``; NaN otherwise), ``p_binom`` (one-sided exact binomial p-value against
        ``base_rate``), ``ci_low``/``ci_high`` (Clopper-Pearson 95 % interval of the event
        rate; NaN when ``n_events < SMALL_N``), ``few_events`` (bool).
    event_outcomes : pandas.DataFrame
        Long: ``kind, horizon, date`` (session), ``reached`` (bool), ``used`` (bool).
    threshold : float
    horizons : tuple of int
    seed, n_draws : int
    """

    table: pd.DataFrame
    event_outcomes: pd.DataFrame
    threshold: float
    horizons: tuple[int, ...]
    seed: int
    n_draws: int


def _outcomes(index: AltseasonIndex, calendar: pd.DatetimeIndex, h: int) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray]:
    """Per session: Y_t(h) (bool), defined (bool), index >= threshold on the session day (bool)."""
    days = pd.DatetimeIndex(index.series["date"])
    values = index.series["index"].to_numpy(dtype=float)
    hit = np.concatenate([[0], np.cumsum(values >= index.threshold)])
    ok = np.concatenate([[0], np.cumsum(np.isfinite(values))])
    m = len(calendar)
    end = np.arange(m) + h
    inside = end < m
    a = days.searchsorted(calendar, side="right")  # first day after t
    b = days.searchsorted(calendar[np.minimum(end, m - 1)], side="right")  # one past t_h
    span = b - a
    defined = inside & (calendar >= days[0]) & (span > 0) & (ok[b] - ok[a] == span)
    reached = defined & (hit[b] - hit[a] > 0)
    at = days.get_indexer(calendar)
    now = np.where(at >= 0, values[np.maximum(at, 0)], np.nan) >= index.threshold
    return reached, defined, now


def _spaced_sets(n_slots: int, n: int, gap: int, n_draws: int, rng: np.random.Generator) -> np.ndarray | None:
    """:func:`core.events.draw_spaced_sets`, or None when ``n`` sets cannot be placed."""
    if n < 1:
        return None
    try:
        return draw_spaced_sets(n_slots, n, gap, n_draws, rng)
    except EventInputError:
        return None


def _exact_tail(y: np.ndarray, n: int, gap: int, hits: int) -> float:
    """Exact P(hits_b >= hits) over *all* sets of ``n`` positions of ``y`` pairwise >= ``gap`` apart.

    Counts by dynamic programming over the set size and its hits s, vectorized over the last
    position j: ``G[m, s, j] = sum_{i <= j - gap} G[m - 1, s - y_j, i]``. NaN when no set fits.
    """
    y = y.astype(bool)
    size = len(y)
    # g[s, j]: sets of the current size with s hits whose last position is j (float64: exact < 2**53)
    g = np.zeros((n + 1, size))
    g[0, ~y] = 1.0
    g[1, y] = 1.0
    for _ in range(1, n):  # set sizes 2..n (n < SMALL_N)
        cum = np.cumsum(g, axis=1)
        before = np.zeros_like(cum)
        if gap < size:
            before[:, gap:] = cum[:, : size - gap]  # sets ending at or before j - gap
        shifted = np.vstack([np.zeros((1, size)), before[:-1]])  # one more hit
        g = np.where(y[None, :], shifted, before)
    total = g.sum()
    if total == 0:
        return float("nan")
    return float(g[hits:].sum() / total)


def altseason_event_study(
    index: AltseasonIndex,
    events: AltseasonEvents,
    *,
    horizons: Sequence[int] = DEFAULT_STUDY_HORIZONS,
    seed: int = 0,
    n_draws: int = 2000,
) -> AltseasonStudy:
    """How often the index reaches its threshold within h sessions after events vs after any session.

    Parameters
    ----------
    index : AltseasonIndex
        From :func:`core.altseason.altseason_index`.
    events : AltseasonEvents
        From :func:`altseason_events`; its ``calendar`` gives the sessions.
    horizons : sequence of int
        Horizons in sessions, each in [1, 504].
    seed : int
        Seed of ``numpy.random.default_rng`` for the permutation draws (>= 0).
    n_draws : int
        Random session sets per (kind, horizon), in [1, :data:`MAX_DRAWS`].

    Returns
    -------
    AltseasonStudy
        ``p_perm = (1 + #{b : hits_b >= hits}) / (1 + n_draws)``, hits_b the hits of random
        set b (same size, same spacing, drawn among eligible sessions).
    """
    hs = [int(h) for h in horizons] if len(horizons) else []
    if not hs or any(isinstance(h, bool) or not 1 <= h <= 504 for h in horizons):
        raise AltseasonError(f"horizons must be integers in [1, 504] sessions, got {list(horizons)!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise AltseasonError(f"seed must be an integer >= 0, got {seed!r}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or not 1 <= n_draws <= MAX_DRAWS:
        raise AltseasonError(f"n_draws must be an integer in [1, {MAX_DRAWS}], got {n_draws!r}")
    rng = np.random.default_rng(int(seed))
    calendar = events.calendar
    rows: list[dict[str, object]] = []
    outcome_parts: list[pd.DataFrame] = []
    for h in hs:  # a few horizons
        reached, defined, now = _outcomes(index, calendar, h)
        eligible = np.flatnonzero(defined)
        y = reached[eligible]
        base_rate = float(y.mean()) if len(y) else np.nan
        for kind, dates in events.dates.items():  # three kinds
            pos = np.unique(calendar.searchsorted(pd.DatetimeIndex(dates), side="left"))
            pos = pos[pos < len(calendar)]
            in_span = pos[(calendar[pos] >= index.series["date"].iloc[0])
                          & (calendar[pos] <= index.series["date"].iloc[-1])] if len(pos) else pos
            ev = np.searchsorted(eligible, in_span)
            ok = (ev < len(eligible)) & (eligible[np.minimum(ev, max(len(eligible) - 1, 0))] == in_span) \
                if len(eligible) else np.zeros(len(in_span), bool)
            ev = ev[ok]
            used = decluster_positions(ev, h)
            k_used = ev[used]
            n = len(k_used)
            hits = int(y[k_used].sum()) if n else 0
            row: dict[str, object] = {
                "kind": kind, "horizon": h, "n_input": int(len(in_span)), "n_events": n, "hits": hits,
                "event_rate": hits / n if n else np.nan,
                "in_season_at_event": float(now[eligible[k_used]].mean()) if n else np.nan,
                "n_sessions": int(len(eligible)), "base_rate": base_rate,
                "p_perm": np.nan, "p_exact": np.nan, "p_binom": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "few_events": n < SMALL_N,
            }
            if n:
                draws = _spaced_sets(len(eligible), n, h, int(n_draws), rng)
                if draws is not None:
                    null_hits = y[draws].sum(axis=1)
                    row["p_perm"] = float((1 + (null_hits >= hits).sum()) / (1 + n_draws))
                if n < SMALL_N:  # few events: every placement counted, no sampling error
                    row["p_exact"] = _exact_tail(y, n, h, hits)
                if 0.0 < base_rate < 1.0:
                    row["p_binom"] = float(stats.binomtest(hits, n, base_rate, alternative="greater").pvalue)
                if n >= SMALL_N:
                    ci = stats.binomtest(hits, n).proportion_ci(0.95, method="exact")
                    row["ci_low"], row["ci_high"] = float(ci.low), float(ci.high)
            rows.append(row)
            outcome_parts.append(pd.DataFrame({
                "kind": kind, "horizon": h, "date": calendar[eligible[ev]],
                "reached": y[ev].astype(bool), "used": used,
            }))
    outcomes = pd.concat(outcome_parts, ignore_index=True) if outcome_parts else pd.DataFrame(
        columns=["kind", "horizon", "date", "reached", "used"])
    return AltseasonStudy(table=pd.DataFrame(rows), event_outcomes=outcomes, threshold=index.threshold,
                          horizons=tuple(hs), seed=int(seed), n_draws=int(n_draws))
