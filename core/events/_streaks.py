"""Outperformance streaks: runs of sessions in which a leader's return beats a laggard's.

Private module; import from :mod:`core.events`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.events._base import EventInputError, compute_pair_returns


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


#: Runs shorter than this are described by the last longer run rather than as "the longest since".
SHORT_RUN = 3


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
    def is_short(self) -> bool:
        """A run of fewer than :data:`SHORT_RUN` sessions with a longer one before it: "longest since"
        says little about it, the last longer run says more."""
        return 0 < self.length < SHORT_RUN and self.previous_longer is not None

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
        raise EventInputError(
            "no sessions to compare: both return series are empty (streaks need closes of both "
            "tickers on at least 2 common dates)"
        )
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


def find_weekly_streaks(leader_closes: pd.Series, laggard_closes: pd.Series) -> StreakTable:
    """Streaks of consecutive weeks in which the leader's weekly return beats the laggard's.

    Weekly returns come from :func:`compute_pair_returns` with ``freq="W"``
    (last common close of each Friday-ending week); a session here is a week.
    """
    weekly = compute_pair_returns(leader_closes, laggard_closes, freq="W")
    if weekly.empty:
        both = pd.concat([leader_closes, laggard_closes], axis=1).dropna()
        span = (f" ({both.index[0]:%Y-%m-%d} to {both.index[-1]:%Y-%m-%d})"
                if len(both) and isinstance(both.index, pd.DatetimeIndex) else "")
        raise EventInputError(
            f"weekly streaks need common closes in at least 2 calendar weeks; the data have "
            f"{len(both)} common date(s){span}: widen the date range"
        )
    return find_streaks(weekly["leader"], weekly["laggard"])
