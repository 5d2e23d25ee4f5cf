"""History checks: outperformance streaks, breakouts, spread events and an event study.

Everything here is pure pandas/numpy: series in, frozen dataclasses of labelled
frames out. Returns are decimals (0.05 = +5 %). A *session* is one row of the
input (one trading day of the equity calendar, or one week for weekly streaks).

What is where (import everything from ``core.events``; the modules are private)
-------------------------------------------------------------------------------
``_base``       :class:`EventInputError`, :func:`compute_pair_returns`, :func:`compound_returns`
``_streaks``    :func:`find_streaks`, :func:`find_weekly_streaks` -> :class:`StreakTable`
                (with :class:`Streak`, :class:`CurrentStreak`)
``_breakouts``  :func:`find_breakouts` -> :class:`BreakoutTable`
``_spread``     :func:`find_spread_events` -> :class:`SpreadEvents`
``_study``      :func:`event_study_after` (sample on a calendar, forward returns, study: the
                one pipeline of the CLI and the page), :func:`compute_forward_returns`,
                :func:`run_event_study` -> :class:`EventStudy`, :func:`event_study_distribution`, :func:`used_events`
                (histogram and means for the chart), :data:`DEFAULT_HORIZONS`; no interval
                below :data:`MIN_EVENTS_FOR_INTERVAL` events, exact permutation p-values
                when the placements can be enumerated (``p_method``)

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

from core.conventions import BASKET, BASKET_VS_BTC
from core.events._base import EventInputError, compound_returns, compute_pair_returns
from core.events._breakouts import BreakoutTable, find_breakouts
from core.events._spread import SpreadEvents, find_spread_events
from core.events._streaks import (
    CurrentStreak,
    Streak,
    StreakTable,
    find_streaks,
    find_weekly_streaks,
)
from core.events._study import (
    DEFAULT_HORIZONS,
    EXACT_MAX_PLACEMENTS,
    EXACT_MAX_PLACEMENTS_SMALL,
    MIN_EVENTS_FOR_INTERVAL,
    P_EXACT,
    P_MONTE_CARLO,
    EventStudy,
    compute_forward_returns,
    decluster_positions,
    draw_spaced_sets,
    event_study_after,
    event_study_distribution,
    run_event_study,
    used_events,
)

__all__ = [
    "DEFAULT_HORIZONS",
    "MIN_EVENTS_FOR_INTERVAL",
    "EXACT_MAX_PLACEMENTS",
    "EXACT_MAX_PLACEMENTS_SMALL",
    "P_EXACT",
    "P_MONTE_CARLO",
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
    "event_study_after",
    "event_study_distribution",
    "used_events",
    "draw_spaced_sets",
    "decluster_positions",
]
