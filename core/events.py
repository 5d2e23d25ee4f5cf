"""History checks: outperformance streaks, breakouts, spread events and an event study.

Everything here is pure pandas/numpy: series in, frozen dataclasses of labelled
frames out. Returns are decimals (0.05 = +5 %). A *session* is one row of the
input (one trading day of the equity calendar, or one week for weekly streaks).

Conventions shared by the functions below

- A session *wins* when the leader's return is strictly greater than the
  laggard's. A tie is not a win, and a session where either return is NaN or
  where either series has no row at all (the two inputs are aligned on the
  union of their dates) is not a win either: both end the streak.
- Cumulative returns over a run are compounded simple returns,
  ``prod(1 + r) - 1`` over the run's sessions.
- "All-time high" means the highest close *in the loaded data*: a breakout
  soon after the first date may only be a high of the sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.conventions import BASKET, BASKET_VS_BTC
from core.errors import ExplorerError

__all__ = [
    "DEFAULT_HORIZONS",
    "BASKET",
    "BASKET_VS_BTC",
    "EventInputError",
    "Streak",
    "CurrentStreak",
    "StreakTable",
    "BreakoutTable",
    "SpreadEvents",
    "EventStudy",
    "compute_pair_returns",
    "compound_returns",
    "find_streaks",
    "find_weekly_streaks",
    "find_breakouts",
    "find_spread_events",
    "compute_forward_returns",
    "run_event_study",
]

#: Forward horizons in sessions: about 1, 3, 6 and 12 months of trading days.
DEFAULT_HORIZONS: tuple[int, ...] = (21, 63, 126, 252)


class EventInputError(ExplorerError):
    """Bad input to an event function; the message names the offending value."""


# ---------------------------------------------------------------------------
# returns on common dates
# ---------------------------------------------------------------------------


def _check_closes(closes: pd.Series, name: str) -> pd.Series:
    if not isinstance(closes, pd.Series):
        raise EventInputError(f"{name} must be a pandas Series, got {type(closes).__name__}")
    if not isinstance(closes.index, pd.DatetimeIndex):
        raise EventInputError(
            f"{name} must have a DatetimeIndex, got {type(closes.index).__name__}"
        )
    values = pd.to_numeric(closes, errors="raise").astype(float)
    bad = values[(values <= 0) | np.isinf(values)]
    if len(bad):
        raise EventInputError(
            f"{name} has a non-positive or infinite close {bad.iloc[0]!r} on {bad.index[0].date()}"
        )
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        raise EventInputError(f"{name} has a duplicate date {dup.date()}")
    return values.sort_index()


def compute_pair_returns(
    leader_closes: pd.Series, laggard_closes: pd.Series, *, freq: str = "D"
) -> pd.DataFrame:
    """Simple returns of two price series on the dates where both have a close.

    Parameters
    ----------
    leader_closes, laggard_closes : pd.Series
        Adjusted closes (price units, > 0) indexed by date; NaN = no close that day.
    freq : {"D", "W"}
        "D": one return per common date. "W": the last common date of each
        calendar week (weeks end on Friday), labelled by that actual date.

    Returns
    -------
    pd.DataFrame
        Shape (n_common - 1, 2), columns ``["leader", "laggard"]``, index named
        "date"; ``r_t = P_t / P_{t-1} - 1`` between consecutive common dates,
        so a date on which only one series traded is skipped, not a break.
    """
    if freq not in ("D", "W"):
        raise EventInputError(f"freq must be 'D' or 'W', got {freq!r}")
    lead = _check_closes(leader_closes, "leader closes")
    lag = _check_closes(laggard_closes, "laggard closes")
    both = pd.concat({"leader": lead, "laggard": lag}, axis=1).dropna()
    if freq == "W":
        weeks = both.index.to_period("W-FRI")
        both = both.groupby(weeks).tail(1)
    returns = both.pct_change().iloc[1:]
    returns.index.name = "date"
    return returns


# ---------------------------------------------------------------------------
# streaks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    """One run of consecutive winning sessions.

    ``leader_return`` / ``laggard_return`` are compounded over the run's sessions
    (decimals); ``length`` counts sessions; ``start``/``end`` are the first and
    last winning sessions (inclusive).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    length: int
    leader_return: float
    laggard_return: float

    @property
    def spread(self) -> float:
        """Leader minus laggard cumulative return over the run (decimal)."""
        return self.leader_return - self.laggard_return


@dataclass(frozen=True)
class CurrentStreak:
    """The run that includes the last session (length 0 if that session is not a win).

    ``longest_since`` is the most recent *earlier* streak at least as long as the
    current one (``length >=``): every streak between it and now is strictly
    shorter, so "the longest since ``longest_since.end``". ``previous_longer`` is
    the most recent earlier streak strictly longer. Both are None when no such
    streak exists in the loaded data (then the current run is the longest in it).
    """

    length: int
    last_session: pd.Timestamp
    streak: Streak | None
    longest_since: Streak | None
    previous_longer: Streak | None

    @property
    def is_longest_in_data(self) -> bool:
        """True when no earlier streak in the data is at least as long (and length > 0)."""
        return self.length > 0 and self.longest_since is None


@dataclass(frozen=True)
class StreakTable:
    """All winning streaks of a leader against a laggard.

    Attributes
    ----------
    streaks : pd.DataFrame
        One row per streak, chronological; columns ``start, end, length,
        leader_return, laggard_return, spread, prev_at_least_start,
        prev_at_least_end`` (the most recent earlier streak with length >= this
        one; NaT if none).
    current : CurrentStreak
    n_sessions : int
        Number of sessions (rows) examined, including NaN sessions.
    n_wins : int
        Number of winning sessions; equals ``streaks["length"].sum()``.
    first_session, last_session : pd.Timestamp
    """

    streaks: pd.DataFrame
    current: CurrentStreak
    n_sessions: int
    n_wins: int
    first_session: pd.Timestamp
    last_session: pd.Timestamp

    def top(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` longest streaks, longest first; ties broken by the most recent first."""
        if k < 1:
            raise EventInputError(f"top k must be >= 1, got {k!r}")
        return self.streaks.sort_values(["length", "end"], ascending=[False, False]).head(k)


def _row_to_streak(row: pd.Series) -> Streak:
    return Streak(
        start=pd.Timestamp(row["start"]),
        end=pd.Timestamp(row["end"]),
        length=int(row["length"]),
        leader_return=float(row["leader_return"]),
        laggard_return=float(row["laggard_return"]),
    )


def _previous_at_least(lengths: np.ndarray, strict: bool = False) -> np.ndarray:
    """Index of the most recent earlier run with length >= (or >) each run's; -1 if none.

    Vectorized in O(m * max_length): for each threshold v, a running maximum of
    the positions whose length reaches v.
    """
    m = len(lengths)
    if m == 0:
        return np.empty(0, dtype=np.int64)
    max_len = int(lengths.max())
    positions = np.arange(m)
    thresholds = np.arange(1, max_len + 2)[:, None]  # rows: v = 1 .. max_len + 1
    reach = np.where(lengths[None, :] >= thresholds, positions[None, :], -1)
    last_reach = np.maximum.accumulate(reach, axis=1)  # (max_len + 1, m)
    # shift one run to the right: only strictly earlier runs count
    earlier = np.concatenate([np.full((len(thresholds), 1), -1), last_reach[:, :-1]], axis=1)
    need = lengths + (1 if strict else 0)  # threshold value to look up
    return earlier[need - 1, positions]


def find_streaks(leader_returns: pd.Series, laggard_returns: pd.Series) -> StreakTable:
    """Runs of consecutive sessions in which the leader's return beats the laggard's.

    Parameters
    ----------
    leader_returns, laggard_returns : pd.Series
        Simple returns (decimals, > -1) indexed by date. They are aligned on the
        union of their dates; a date missing from either, a NaN in either, or a
        tie (equal returns) is a non-winning session and ends the streak.

    Returns
    -------
    StreakTable
        Streak ``i`` covers sessions ``s..e`` with ``win_t = r^L_t > r^G_t`` for
        all t in ``s..e`` and not at ``s-1`` or ``e+1``. Its cumulative returns
        are ``prod_{t=s..e}(1 + r_t) - 1``.
    """
    for name, series in (("leader returns", leader_returns), ("laggard returns", laggard_returns)):
        if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
            raise EventInputError(f"{name} must be a pandas Series with a DatetimeIndex")
    frame = pd.concat(
        {"leader": leader_returns.astype(float), "laggard": laggard_returns.astype(float)}, axis=1
    ).sort_index()
    if len(frame) == 0:
        raise EventInputError("no sessions: both return series are empty")
    values = frame.to_numpy()
    too_low = np.isfinite(values) & (values <= -1.0)
    if too_low.any():
        row, col = np.argwhere(too_low)[0]
        raise EventInputError(
            f"{frame.columns[col]} return {values[row, col]!r} on {frame.index[row].date()} is <= -1"
        )
    lead, lag = values[:, 0], values[:, 1]
    win = lead > lag  # NaN compares False: missing sessions break streaks
    edges = np.diff(np.concatenate([[0], win.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    lengths = ends - starts + 1

    def compound(r: np.ndarray) -> np.ndarray:
        # log-sum over winning sessions only (finite there by construction)
        cum = np.concatenate([[0.0], np.cumsum(np.log1p(np.where(win, r, 0.0)))])
        return np.expm1(cum[ends + 1] - cum[starts])

    dates = frame.index
    prev = _previous_at_least(lengths)
    streaks = pd.DataFrame(
        {
            "start": dates[starts],
            "end": dates[ends],
            "length": lengths.astype(np.int64),
            "leader_return": compound(lead),
            "laggard_return": compound(lag),
        }
    )
    streaks["spread"] = streaks["leader_return"] - streaks["laggard_return"]
    streaks["prev_at_least_start"] = _dates_or_nat(dates, starts, prev)
    streaks["prev_at_least_end"] = _dates_or_nat(dates, ends, prev)

    last_session = dates[-1]
    if len(lengths) and win[-1]:
        i = len(lengths) - 1
        current_run = _row_to_streak(streaks.iloc[i])
        longer = _previous_at_least(lengths, strict=True)[i]
        current = CurrentStreak(
            length=int(lengths[i]),
            last_session=last_session,
            streak=current_run,
            longest_since=_row_to_streak(streaks.iloc[prev[i]]) if prev[i] >= 0 else None,
            previous_longer=_row_to_streak(streaks.iloc[longer]) if longer >= 0 else None,
        )
    else:
        current = CurrentStreak(
            length=0,
            last_session=last_session,
            streak=None,
            longest_since=None,
            previous_longer=None,
        )
    return StreakTable(
        streaks=streaks,
        current=current,
        n_sessions=len(frame),
        n_wins=int(win.sum()),
        first_session=dates[0],
        last_session=last_session,
    )


def _dates_or_nat(
    dates: pd.DatetimeIndex, run_positions: np.ndarray, prev: np.ndarray
) -> pd.Series:
    """Dates of runs ``prev`` (session positions ``run_positions[prev]``), NaT where prev < 0."""
    if len(prev) == 0:
        return pd.Series([], dtype="datetime64[ns]")
    picked = pd.Series(dates[run_positions[np.maximum(prev, 0)]])
    return picked.where(prev >= 0)


def compound_returns(
    returns: pd.DataFrame,
    start: pd.Timestamp,
    *,
    n_sessions: int | None = None,
    end: pd.Timestamp | None = None,
) -> pd.Series:
    """Compounded return of each column over a window of sessions.

    Parameters
    ----------
    returns : pd.DataFrame
        Simple returns (decimals), one row per session, DatetimeIndex.
    start : Timestamp
        First session of the window (the return *on* that session is included).
    n_sessions : int, optional
        Window length in sessions from ``start``; or give ``end`` (inclusive).

    Returns
    -------
    pd.Series
        ``prod(1 + r) - 1`` per column over the window; NaN if a return in it is NaN.
        The window's last session is in ``.attrs["end"]``, its length in ``.attrs["n_sessions"]``.
    """
    if (n_sessions is None) == (end is None):
        raise EventInputError("give exactly one of n_sessions and end")
    window = returns.loc[pd.Timestamp(start) :]
    if n_sessions is not None:
        if n_sessions < 1:
            raise EventInputError(f"n_sessions must be >= 1, got {n_sessions!r}")
        window = window.iloc[:n_sessions]
    else:
        window = window.loc[: pd.Timestamp(end)]
    if window.empty:
        raise EventInputError(f"no sessions from {pd.Timestamp(start).date()} in the returns")
    out = (1.0 + window).prod(skipna=False) - 1.0
    out.attrs["end"] = window.index[-1]
    out.attrs["n_sessions"] = len(window)
    return out


def find_weekly_streaks(leader_closes: pd.Series, laggard_closes: pd.Series) -> StreakTable:
    """Streaks of consecutive weeks in which the leader's weekly return beats the laggard's.

    Weekly returns come from :func:`compute_pair_returns` with ``freq="W"``
    (last common close of each Friday-ending week); a session here is a week.
    """
    weekly = compute_pair_returns(leader_closes, laggard_closes, freq="W")
    return find_streaks(weekly["leader"], weekly["laggard"])


# ---------------------------------------------------------------------------
# breakouts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakoutTable:
    """Breakouts: first close above the prior all-time high after a long base.

    Attributes
    ----------
    events : pd.DataFrame
        One row per breakout, chronological; columns ``date, close, prior_high,
        prior_high_date, base_sessions, base_drawdown`` where ``base_sessions``
        is the number of sessions strictly between the prior high and the
        breakout (none of them a new high) and ``base_drawdown`` is
        ``min(close during the base) / prior_high - 1`` (decimal, <= 0).
    new_highs : pd.DatetimeIndex
        Every session whose close exceeds all earlier closes (the first session
        is not counted: it has nothing before it).
    closes : pd.Series
        The closes used (NaN rows dropped).
    base : int
        Minimum base length N in sessions.
    """

    events: pd.DataFrame
    new_highs: pd.DatetimeIndex
    closes: pd.Series
    base: int


def find_breakouts(closes: pd.Series, base: int = 250) -> BreakoutTable:
    """First closes above the running all-time high after a base of at least ``base`` sessions.

    Parameters
    ----------
    closes : pd.Series
        Closes (> 0) indexed by date; NaN rows are dropped (they are not sessions).
    base : int
        N >= 1. Session t is a breakout when ``close_t > max(close_0 .. close_{t-1})``
        and the previous new high (or the first close) was at session ``p`` with
        ``t - p - 1 >= N``: at least N sessions without a new high in between.

    Returns
    -------
    BreakoutTable
    """
    if isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1:
        raise EventInputError(f"base must be an integer >= 1 session, got {base!r}")
    x_series = _check_closes(closes, "closes").dropna()
    x = x_series.to_numpy()
    n = len(x)
    dates = x_series.index
    columns = ["date", "close", "prior_high", "prior_high_date", "base_sessions", "base_drawdown"]
    if n < 2:
        empty = pd.DataFrame(columns=columns)
        return BreakoutTable(empty, pd.DatetimeIndex([], name="date"), x_series, int(base))
    prior_max = np.maximum.accumulate(x)[:-1]  # prior_max[t-1] = max(x[:t])
    new_high = np.concatenate([[False], x[1:] > prior_max])
    pos = np.arange(n)
    marks = np.where(new_high | (pos == 0), pos, -1)
    last_high = np.maximum.accumulate(marks)  # last high position at or before t
    prev_high = np.concatenate([[-1], last_high[:-1]])  # strictly before t
    base_sessions = pos - prev_high - 1
    is_breakout = new_high & (base_sessions >= base)
    t = np.flatnonzero(is_breakout)
    p = prev_high[t]
    if len(t):
        # min over each base segment [p + 1, t): interleaved reduceat indices
        bounds = np.column_stack([p + 1, t]).ravel()
        base_min = np.minimum.reduceat(x, bounds)[::2]
    else:
        base_min = np.empty(0)
    events = pd.DataFrame(
        {
            "date": dates[t],
            "close": x[t],
            "prior_high": x[p],
            "prior_high_date": dates[p],
            "base_sessions": base_sessions[t].astype(np.int64),
            "base_drawdown": base_min / x[p] - 1.0,
        },
        columns=columns,
    )
    return BreakoutTable(events, dates[new_high].rename("date"), x_series, int(base))


# ---------------------------------------------------------------------------
# spread events
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadEvents:
    """Sessions where the k-session small-cap spread first crosses above a threshold.

    Attributes
    ----------
    events : pd.DataFrame
        Columns ``date, spread, leader_return, laggard_return`` (k-session
        compounded returns and their difference at the event, decimals).
    spread : pd.Series
        ``S_t = prod_{k}(1 + r^L) - prod_{k}(1 + r^G)`` over the k sessions ending
        at t; NaN until k returns are available or when any of them is NaN.
    window, threshold, cooldown : the parameters used.
    """

    events: pd.DataFrame
    spread: pd.Series
    window: int
    threshold: float
    cooldown: int


def find_spread_events(
    leader_returns: pd.Series,
    laggard_returns: pd.Series,
    *,
    window: int = 10,
    threshold: float = 0.05,
    cooldown: int = 0,
) -> SpreadEvents:
    """Events where the leader's k-session outperformance first exceeds a threshold.

    Parameters
    ----------
    leader_returns, laggard_returns : pd.Series
        Daily simple returns (decimals), aligned on the union of their dates.
    window : int
        k >= 1 sessions.
    threshold : float
        Decimal spread, e.g. 0.05 = leader ahead by 5 percentage points.
    cooldown : int
        Extra sessions after an event during which no new event fires, even if
        the spread dips below and crosses again (0 = hysteresis only).

    Notes
    -----
    An event fires at session t when ``S_t > threshold`` and the last defined
    spread before t was ``<= threshold`` (crossing from below). It does not
    re-trigger while the spread stays above; it re-arms once the spread is back
    at or below the threshold. NaN spreads neither fire nor re-arm. A spread
    already above the threshold at the first defined session is not an event
    (the crossing is not observed).
    """
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise EventInputError(f"window must be an integer >= 1 session, got {window!r}")
    if isinstance(cooldown, bool) or not isinstance(cooldown, int | np.integer) or cooldown < 0:
        raise EventInputError(f"cooldown must be an integer >= 0 sessions, got {cooldown!r}")
    if not np.isfinite(threshold):
        raise EventInputError(f"threshold must be a finite decimal, got {threshold!r}")
    frame = pd.concat(
        {"leader": leader_returns.astype(float), "laggard": laggard_returns.astype(float)}, axis=1
    ).sort_index()
    low = frame[(frame <= -1.0).any(axis=1)]
    if len(low):
        raise EventInputError(
            f"a return is <= -1 on {low.index[0].date()}: {low.iloc[0].to_dict()}"
        )
    # O(n) rolling sums of log returns; a NaN inside the window leaves the sum NaN
    cum = np.expm1(np.log1p(frame).rolling(window, min_periods=window).sum())
    spread = (cum["leader"] - cum["laggard"]).rename("spread")
    state = pd.Series(
        np.where(spread.isna(), np.nan, (spread > threshold).astype(float)), index=spread.index
    )
    before = state.ffill().shift(1)
    candidates = np.flatnonzero(((state == 1.0) & (before == 0.0)).to_numpy())
    kept: list[int] = []
    for c in candidates:  # loops over events (few), not sessions
        if not kept or c - kept[-1] > cooldown:
            kept.append(int(c))
    idx = np.asarray(kept, dtype=np.int64)
    events = pd.DataFrame(
        {
            "date": spread.index[idx],
            "spread": spread.to_numpy()[idx],
            "leader_return": cum["leader"].to_numpy()[idx],
            "laggard_return": cum["laggard"].to_numpy()[idx],
        }
    )
    return SpreadEvents(events, spread, int(window), float(threshold), int(cooldown))


# ---------------------------------------------------------------------------
# event study
# ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
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
    """

    table: pd.DataFrame
    event_returns: pd.DataFrame
    forward_returns: pd.DataFrame
    n_events_input: int
    n_boot: int
    confidence: float
    decluster: bool


def _draw_spaced_sets(
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


def _decluster(positions: np.ndarray, gap: int) -> np.ndarray:
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
        ``p_value = (1 + #{b : |m_b - mu| >= |m - mu|}) / (1 + n_boot)`` where m
        is the event mean, mu the mean over all eligible sessions and m_b the
        mean of random set b. The interval resamples the used event returns with
        replacement (percentile method).
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
        used = _decluster(ev, gap) if decluster else np.ones(len(ev), dtype=bool)
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
        }
        if n:
            boot = cond[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
            row["ci_low"], row["ci_high"] = (
                float(q) for q in np.quantile(boot, [alpha / 2, 1 - alpha / 2])
            )
            null = vals[_draw_spaced_sets(len(vals), n, gap, n_boot, rng)].mean(axis=1)
            mu = vals.mean()
            # tolerance so that a random set equal to the event set counts as extreme
            extreme = np.abs(null - mu) >= np.abs(cond.mean() - mu) - 1e-12
            row["p_value"] = float((1 + extreme.sum()) / (1 + n_boot))
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
