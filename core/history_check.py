"""The articles' history claims measured on the loaded data: streaks, spread events, breakouts.

Numbers only, no verdicts: each ``check_*`` function takes the results of :mod:`core.events`
and returns a frozen dataclass of the figures a reader needs to judge one claim, with the
number of events next to every figure. :func:`history_check` runs the whole pipeline
(returns, streaks, breakouts, spread events, the two event studies) once, for the Breakouts
page; a later verdict layer can build on the same pieces.

- :func:`check_streak_claim` -- claims 1 and 2: a streak of ``CLAIM_STREAK`` sessions,
  "the longest since", and the leader/laggard returns over it.
- :func:`check_spread_claim` -- claim 3: what the altcoin basket did relative to BTC after
  the small-cap spread crossed a threshold.
- :func:`check_breakout_claim` -- claim 4: BTC after the 2016 and 2020 breakouts, and after
  all breakouts.
- :func:`study_figure` -- one (asset, horizon) row of an event study as named fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.conventions import BASKET_VS_BTC
from core.events import (
    DEFAULT_HORIZONS,
    BreakoutTable,
    EventInputError,
    EventStudy,
    SpreadEvents,
    Streak,
    StreakTable,
    compound_returns,
    compute_pair_returns,
    event_study_after,
    find_breakouts,
    find_spread_events,
    find_streaks,
    find_weekly_streaks,
)
from core.roles import RoleError, assign_roles

__all__ = [
    "CLAIM_STREAK",
    "CLAIM_LEADER_RETURN",
    "CLAIM_LAGGARD_RETURN",
    "CLAIM_BREAKOUT_YEARS",
    "SPREAD_HORIZONS",
    "BREAKOUT_HORIZONS",
    "SMALL_N",
    "StudyFigure",
    "StreakClaim",
    "SpreadClaim",
    "NamedBreakout",
    "BreakoutClaim",
    "HistoryCheck",
    "EventCounts",
    "study_figure",
    "event_counts",
    "check_streak_claim",
    "check_spread_claim",
    "check_breakout_claim",
    "history_check",
]

#: Streak length quoted by the articles ("10 straight sessions"), in sessions.
CLAIM_STREAK = 10
#: Returns quoted over that streak: small caps +7.5 %, large caps +1.3 % (decimals).
CLAIM_LEADER_RETURN, CLAIM_LAGGARD_RETURN = 0.075, 0.013
#: Years of the breakouts said to have preceded Bitcoin bull markets.
CLAIM_BREAKOUT_YEARS: tuple[int, ...] = (2016, 2020)
#: Horizons (sessions) read for the spread claim (about 1 and 3 months) ...
SPREAD_HORIZONS: tuple[int, ...] = (21, 63)
#: ... and for the breakout claim (about 6 and 12 months); the last one for "all breakouts".
BREAKOUT_HORIZONS: tuple[int, ...] = (126, 252)
#: Fewer events than this and a mean, interval or p-value is anecdote, not evidence.
SMALL_N = 5


@dataclass(frozen=True)
class StudyFigure:
    """One (asset, horizon) row of an :class:`~core.events.EventStudy` table.

    Returns are simple, in decimals, over ``horizon`` sessions; ``n_events`` is the number of
    (de-clustered) events behind ``mean_event``, ``ci_low``/``ci_high`` (bootstrap interval
    at the study's confidence) and ``p_value`` (NaN when ``n_events`` is 0); ``n_all`` the
    sessions behind ``mean_all``.
    """

    asset: str
    horizon: int
    n_events: int
    n_all: int
    mean_event: float
    median_event: float
    hit_rate_event: float
    ci_low: float
    ci_high: float
    mean_all: float
    hit_rate_all: float
    p_value: float

    @property
    def few_events(self) -> bool:
        """True when fewer than :data:`SMALL_N` events stand behind the figure."""
        return self.n_events < SMALL_N


def study_figure(study: EventStudy, asset: str, horizon: int) -> StudyFigure | None:
    """The row of ``study`` for ``asset`` at ``horizon`` sessions, or None if the study has none."""
    t = study.table
    hit = t[(t["asset"] == asset) & (t["horizon"] == horizon)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return StudyFigure(
        asset=str(asset), horizon=int(horizon), n_events=int(row["n_events"]), n_all=int(row["n_all"]),
        mean_event=float(row["mean_event"]), median_event=float(row["median_event"]),
        hit_rate_event=float(row["hit_rate_event"]), ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]), mean_all=float(row["mean_all"]),
        hit_rate_all=float(row["hit_rate_all"]), p_value=float(row["p_value"]),
    )


@dataclass(frozen=True, eq=False)
class EventCounts:
    """How many events stand behind each asset's figures at one horizon.

    Attributes
    ----------
    horizon : int
        Sessions.
    by_asset : pandas.Series
        Used (de-clustered) events per asset, int, indexed by asset in the study's order.
    fewest, most : int
        Smallest and largest count (0 when the study has no asset).
    few : bool
        True when some figure rests on fewer than :data:`SMALL_N` events.
    """

    horizon: int
    by_asset: pd.Series
    fewest: int
    most: int
    few: bool


def event_counts(study: EventStudy, horizon: int) -> EventCounts:
    """Number of used events per asset at ``horizon`` sessions in ``study``."""
    t = study.table
    rows = t[t["horizon"] == horizon]
    counts = pd.Series(rows["n_events"].to_numpy(dtype=np.int64), index=pd.Index(rows["asset"], name="asset"),
                       name="n_events")
    fewest = int(counts.min()) if len(counts) else 0
    most = int(counts.max()) if len(counts) else 0
    return EventCounts(horizon=int(horizon), by_asset=counts, fewest=fewest, most=most,
                       few=bool(len(counts)) and fewest < SMALL_N)


@dataclass(frozen=True)
class StreakClaim:
    """Claims 1-2: a streak of ``min_length`` sessions, how rare it is, and the returns over it.

    Attributes
    ----------
    leader, laggard : str
    min_length : int
        Streak length the claim quotes (sessions).
    first_session, last_session : pandas.Timestamp
        Span of the daily returns examined; ``n_sessions`` of them.
    n_sessions : int
    longest : Streak or None
        Longest streak in the data (ties: the most recent); None without any win.
    n_qualifying : int
        Streaks of at least ``min_length`` sessions.
    recent : Streak or None
        The most recent of those (None when there is none).
    recent_longest_since : pandas.Timestamp or None
        End of the most recent earlier streak at least as long as ``recent`` ("the longest
        since"); None when no earlier streak in the data is as long.
    reached_on : pandas.Timestamp or None
        Session on which ``recent`` reached ``min_length`` sessions.
    previous_qualifying : Streak or None
        The most recent qualifying streak that ended before ``recent`` started.
    first_leader_return, first_laggard_return : float
        Compounded simple returns (decimals) over the first ``min_length`` sessions of
        ``recent`` (NaN without ``recent``), ending on ``reached_on``.
    """

    leader: str
    laggard: str
    min_length: int
    first_session: pd.Timestamp
    last_session: pd.Timestamp
    n_sessions: int
    longest: Streak | None
    n_qualifying: int
    recent: Streak | None
    recent_longest_since: pd.Timestamp | None
    reached_on: pd.Timestamp | None
    previous_qualifying: Streak | None
    first_leader_return: float
    first_laggard_return: float


def _streak(row: pd.Series) -> Streak:
    return Streak(start=pd.Timestamp(row["start"]), end=pd.Timestamp(row["end"]), length=int(row["length"]),
                  leader_return=float(row["leader_return"]), laggard_return=float(row["laggard_return"]))


def check_streak_claim(
    table: StreakTable,
    daily: pd.DataFrame,
    *,
    leader: str,
    laggard: str,
    min_length: int = CLAIM_STREAK,
    as_of: pd.Timestamp | None = None,
) -> StreakClaim:
    """Measure the streak claims on ``table`` (from :func:`core.events.find_streaks`).

    Parameters
    ----------
    table : StreakTable
        Streaks of the leader over the laggard on ``daily``.
    daily : pandas.DataFrame
        The daily simple returns the streaks were found on, columns ``leader, laggard``
        (from :func:`core.events.compute_pair_returns`).
    leader, laggard : str
        Ticker names (for labels).
    min_length : int, default :data:`CLAIM_STREAK`
        Streak length the claim quotes, >= 1.
    as_of : pandas.Timestamp, optional
        Judge the claim as it stood then: only streaks that started on or before ``as_of``
        count as ``recent`` (a claim made in January 2026 is about the streak running then,
        not a later one). Default: every streak in the data.

    Returns
    -------
    StreakClaim
    """
    if isinstance(min_length, bool) or int(min_length) != min_length or min_length < 1:
        raise EventInputError(f"min_length must be an integer >= 1 session, got {min_length!r}")
    s = table.streaks
    longest = _streak(table.top(1).iloc[0]) if len(s) else None
    qualifying = s[s["length"] >= min_length]
    if as_of is not None:
        qualifying = qualifying[qualifying["start"] <= pd.Timestamp(as_of)]
    recent = since = reached = previous = None
    first_lead = first_lag = np.nan
    if len(qualifying):
        last = qualifying.iloc[-1]
        recent = _streak(last)
        since = pd.Timestamp(last["prev_at_least_end"]) if pd.notna(last["prev_at_least_end"]) else None
        before = qualifying[qualifying["end"] < last["start"]]
        previous = _streak(before.iloc[-1]) if len(before) else None
        first_n = compound_returns(daily, last["start"], n_sessions=int(min_length))
        reached = pd.Timestamp(first_n.attrs["end"])
        first_lead, first_lag = float(first_n["leader"]), float(first_n["laggard"])
    return StreakClaim(
        leader=leader, laggard=laggard, min_length=int(min_length),
        first_session=table.first_session, last_session=table.last_session,
        n_sessions=table.n_sessions, longest=longest, n_qualifying=len(qualifying), recent=recent,
        recent_longest_since=since, reached_on=reached, previous_qualifying=previous,
        first_leader_return=first_lead, first_laggard_return=first_lag,
    )


@dataclass(frozen=True, eq=False)
class SpreadClaim:
    """Claim 3: the altcoin basket relative to BTC after spread events.

    Attributes
    ----------
    window : int
        Sessions over which the spread is compounded.
    threshold : float
        Spread (decimal) whose crossing is an event.
    n_events : int
        Spread events in the data.
    basket_vs_btc : mapping of int to StudyFigure or None
        Per horizon in :data:`SPREAD_HORIZONS`: ``(1 + basket) / (1 + BTC) - 1`` after the
        events vs all sessions; None when there is no study (no BTC) or no basket.
    """

    window: int
    threshold: float
    n_events: int
    basket_vs_btc: Mapping[int, StudyFigure | None]


def check_spread_claim(
    events: SpreadEvents, study: EventStudy | None, *, horizons: Sequence[int] = SPREAD_HORIZONS
) -> SpreadClaim:
    """Measure the spread claim from :func:`core.events.find_spread_events` and its event study."""
    figures = {int(h): (study_figure(study, BASKET_VS_BTC, int(h)) if study is not None else None)
               for h in horizons}
    return SpreadClaim(window=events.window, threshold=events.threshold, n_events=len(events.events),
                       basket_vs_btc=figures)


@dataclass(frozen=True, eq=False)
class NamedBreakout:
    """A breakout in one of the claim's years and BTC's forward returns after it.

    ``btc_forward`` maps horizon (sessions) to BTC's simple return from the breakout session
    (decimal); NaN when the data end before the horizon.
    """

    date: pd.Timestamp
    btc_forward: Mapping[int, float]


@dataclass(frozen=True, eq=False)
class BreakoutClaim:
    """Claim 4: BTC after the named years' breakouts and after all breakouts.

    Attributes
    ----------
    base : int
        Minimum base in sessions.
    data_start : pandas.Timestamp or None
        First close from which all-time highs are counted.
    dates : tuple of pandas.Timestamp
        Every breakout (``n_events = len(dates)``).
    n_events : int
    named : tuple of NamedBreakout
        Breakouts in :data:`CLAIM_BREAKOUT_YEARS` (empty when none is in the data), with BTC's
        returns at :data:`BREAKOUT_HORIZONS`; empty figures without a study.
    btc_all : StudyFigure or None
        BTC after all breakouts at the last of :data:`BREAKOUT_HORIZONS`; None without a study.
    """

    base: int
    data_start: pd.Timestamp | None
    dates: tuple[pd.Timestamp, ...]
    n_events: int
    named: tuple[NamedBreakout, ...]
    btc_all: StudyFigure | None


def check_breakout_claim(
    breakouts: BreakoutTable,
    study: EventStudy | None,
    *,
    years: Sequence[int] = CLAIM_BREAKOUT_YEARS,
    horizons: Sequence[int] = BREAKOUT_HORIZONS,
) -> BreakoutClaim:
    """Measure the breakout claim from :func:`core.events.find_breakouts` and its event study."""
    ev = breakouts.events
    dates = tuple(pd.Timestamp(d) for d in ev["date"])
    named_dates = [d for d in dates if d.year in set(years)]
    named: list[NamedBreakout] = []
    btc_all = None
    btc = study.btc if study is not None else None
    if study is not None and btc is not None:
        er = study.event_returns
        for d in named_dates:
            forward: dict[int, float] = {}
            for h in horizons:
                hit = er[(er["asset"] == btc) & (er["horizon"] == h) & (er["event_date"] == d)]
                forward[int(h)] = float(hit["forward_return"].iloc[0]) if len(hit) else np.nan
            named.append(NamedBreakout(date=d, btc_forward=forward))
        btc_all = study_figure(study, btc, int(horizons[-1]))
    else:
        named = [NamedBreakout(date=d, btc_forward={}) for d in named_dates]
    start = pd.Timestamp(breakouts.closes.index[0]) if len(breakouts.closes) else None
    return BreakoutClaim(base=breakouts.base, data_start=start, dates=dates, n_events=len(dates),
                         named=tuple(named), btc_all=btc_all)


# eq=False: the fields hold pandas frames (through the tables and studies), whose ``==`` is
# elementwise with no truth value; a check is compared by identity.
@dataclass(frozen=True, eq=False)
class HistoryCheck:
    """Everything the Breakouts & streaks page shows, computed once.

    Attributes
    ----------
    leader, laggard : str
    daily : pandas.DataFrame
        Daily simple returns on common dates, columns ``leader, laggard``.
    streaks, weekly_streaks : StreakTable
        Daily and weekly (Friday-ending weeks) streaks of the leader over the laggard.
    breakouts : BreakoutTable
    spread_events : SpreadEvents
    btc, eth : str or None
        Roles from :func:`core.roles.assign_roles` (``btc`` None without a BTC ticker).
    alts : tuple of str
        The altcoin basket (every crypto but BTC and stablecoins, ETH included).
    studies : mapping of str to EventStudy
        ``"breakouts"`` and ``"spread events"`` event studies (empty without BTC).
    streak_claim, spread_claim, breakout_claim
        The claims' figures.
    """

    leader: str
    laggard: str
    daily: pd.DataFrame
    streaks: StreakTable
    weekly_streaks: StreakTable
    breakouts: BreakoutTable
    spread_events: SpreadEvents
    btc: str | None
    eth: str | None
    alts: tuple[str, ...]
    studies: Mapping[str, EventStudy]
    streak_claim: StreakClaim
    spread_claim: SpreadClaim
    breakout_claim: BreakoutClaim


def history_check(
    closes: pd.DataFrame,
    leader: str,
    laggard: str,
    *,
    crypto: Sequence[str] = (),
    base: int = 250,
    window: int = 10,
    threshold: float = 0.05,
    seed: int = 0,
    n_boot: int = 2000,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
) -> HistoryCheck:
    """Streaks, breakouts, spread events, the event studies after them and the claims' figures.

    Parameters
    ----------
    closes : pandas.DataFrame
        Closes (price units) with columns ``leader``, ``laggard`` and the ``crypto`` tickers.
    leader, laggard : str
        Small-cap and large-cap tickers (e.g. IWM and SPY).
    crypto : sequence of str
        Crypto tickers with data; roles come from :func:`core.roles.assign_roles`.
    base : int
        Breakout base in sessions (:func:`core.events.find_breakouts`).
    window, threshold : int, float
        Spread window (sessions) and threshold (decimal) for
        :func:`core.events.find_spread_events`.
    seed, n_boot : int
        Seed and number of bootstrap / permutation draws of the event studies.
    horizons : sequence of int
        Forward horizons in sessions; must include :data:`SPREAD_HORIZONS` and
        :data:`BREAKOUT_HORIZONS` for the claims' figures to be filled.

    Returns
    -------
    HistoryCheck

    Raises
    ------
    EventInputError
        Bad closes or parameters (from :mod:`core.events`).
    """
    daily = compute_pair_returns(closes[leader], closes[laggard])
    streaks = find_streaks(daily["leader"], daily["laggard"])
    weekly = find_weekly_streaks(closes[leader], closes[laggard])
    breakouts = find_breakouts(closes[leader], base=base)
    spread = find_spread_events(daily["leader"], daily["laggard"], window=window, threshold=threshold)
    try:
        roles = assign_roles(list(crypto), need_alts=False)
        btc, eth, alts = roles.btc, roles.eth, roles.alts
    except RoleError:
        btc, eth, alts = None, None, ()
    studies: dict[str, EventStudy] = {}
    if btc is not None:
        calendar = pd.DatetimeIndex(closes.index[closes[leader].notna().to_numpy()])
        for name, dates in (("breakouts", breakouts.events["date"]),
                            ("spread events", spread.events["date"])):
            studies[name] = event_study_after(
                closes[[btc, *alts]], pd.DatetimeIndex(dates), calendar=calendar, btc=btc, eth=eth,
                alts=alts, horizons=horizons, seed=seed, n_boot=n_boot,
            )
    return HistoryCheck(
        leader=leader, laggard=laggard, daily=daily, streaks=streaks, weekly_streaks=weekly,
        breakouts=breakouts, spread_events=spread, btc=btc, eth=eth, alts=tuple(alts),
        studies=studies,
        streak_claim=check_streak_claim(streaks, daily, leader=leader, laggard=laggard),
        spread_claim=check_spread_claim(spread, studies.get("spread events")),
        breakout_claim=check_breakout_claim(breakouts, studies.get("breakouts")),
    )
