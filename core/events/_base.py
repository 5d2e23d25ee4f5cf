"""Shared pieces of the event functions: the error class, close checks, returns on common dates.

Private module; import from :mod:`core.events`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import ExplorerError


class EventInputError(ExplorerError):
    """Bad input to an event function; the message names the offending value."""


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
