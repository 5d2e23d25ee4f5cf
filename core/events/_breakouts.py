"""Breakouts: the first close above the prior all-time high after a long base.

Private module; import from :mod:`core.events`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.events._base import EventInputError, _check_closes


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

    @property
    def running_high(self) -> pd.Series:
        """All-time high so far at each session, ``max(close_0 .. close_t)`` (price units)."""
        return self.closes.cummax().rename("high")


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
