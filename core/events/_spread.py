"""Spread events: the k-session small-cap spread first crossing above a threshold.

Private module; import from :mod:`core.events`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.events._base import EventInputError


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
