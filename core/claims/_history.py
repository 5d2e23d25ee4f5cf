"""Tests of the record claims: "N straight sessions, the longest since Y", "first record high
since Y", "up X% in the first D days of the year".

Each test takes a :class:`~core.claims.Claim` and the loaded :class:`~core.data.PriceData` and
returns a :class:`~core.claims.Verdict`; it raises :class:`~core.claims.NotTestable` when the
data cannot judge the claim. Streaks and breakouts come from :mod:`core.events` and
:func:`core.history_check.check_streak_claim` (the Breakouts page's own figures).

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

import pandas as pd

from core.claims._base import (
    CONTRADICTED,
    SUPPORTED,
    Claim,
    NotTestable,
    Verdict,
    combine,
    date_text,
    span_text,
)
from core.claims._data import (
    RUSSELL_INDEX,
    Pair,
    other_pair,
    pick_pair,
    pick_russell,
    require_covers,
)
from core.data import PriceData
from core.events import Streak, compute_pair_returns, find_breakouts, find_streaks
from core.history_check import StreakClaim, check_streak_claim

#: A figure quoted as a whole percent ("up 7%") holds when the measured one rounds to at least it.
ROUNDING = 0.005


def _pair_returns(prices: PriceData, pair: Pair, kind: str, freq: str) -> pd.DataFrame:
    """Returns of the pair's leader and laggard (``kind="outperformance"``), or of the leader
    against zero (``kind="gain"``: a streak of up sessions)."""
    closes = prices.closes
    if kind == "outperformance":
        return compute_pair_returns(closes[pair.leader], closes[pair.laggard], freq=freq)
    own = compute_pair_returns(closes[pair.leader], closes[pair.leader], freq=freq)
    return own.assign(laggard=0.0)


def _since_verdict(since: pd.Timestamp | None, since_year: int, first: pd.Timestamp) -> str | None:
    """Judge "the longest since ``since_year``" given the end of the last streak at least as long.

    None when the data cannot tell (no earlier streak as long, but the data start after the year).
    """
    if since is None:
        return SUPPORTED if first.year <= since_year else None
    return SUPPORTED if since.year <= since_year else CONTRADICTED


def _streak_numbers(sc: StreakClaim, prefix: str = "") -> dict[str, object]:
    recent: Streak | None = sc.recent
    return {
        f"{prefix}streak_start": date_text(recent.start) if recent else None,
        f"{prefix}streak_end": date_text(recent.end) if recent else None,
        f"{prefix}streak_length": recent.length if recent else None,
        f"{prefix}reached_on": date_text(sc.reached_on),
        f"{prefix}longest_since_at_date": date_text(sc.previous_qualifying.end) if sc.previous_qualifying else None,
        f"{prefix}longest_since_after_end": date_text(sc.recent_longest_since),
        f"{prefix}leader_return_first_n": sc.first_leader_return,
        f"{prefix}laggard_return_first_n": sc.first_laggard_return,
        f"{prefix}longest_in_data": sc.longest.length if sc.longest else None,
        f"{prefix}longest_in_data_end": date_text(sc.longest.end) if sc.longest else None,
    }


def _measure_streak(prices: PriceData, pair: Pair, claim: Claim) -> tuple[StreakClaim, pd.DataFrame]:
    p = claim.parameters
    returns = _pair_returns(prices, pair, p.get("kind", "outperformance"), p.get("freq", "D"))
    table = find_streaks(returns["leader"], returns["laggard"])
    tolerance = pd.Timedelta(days=int(p.get("near_days", 10)))
    sc = check_streak_claim(table, returns, leader=pair.leader, laggard=pair.laggard,
                            min_length=int(p["length"]), as_of=claim.said_on + tolerance)
    return sc, returns


def judge_streak(claim: Claim, prices: PriceData) -> Verdict:
    """A streak of ``length`` sessions (or weeks) near the claim date, "the longest since ``since``".

    Judged twice: at the session the streak reached ``length`` (the last earlier streak at
    least that long) and after it ended (the last earlier streak at least as long as the
    whole run). Both supported -> supported; both contradicted -> contradicted; else mixed.
    """
    p = claim.parameters
    length, since_year = int(p["length"]), int(p["since"])
    unit = "week" if p.get("freq", "D") == "W" else "session"
    what = "gain" if p.get("kind") == "gain" else "outperformance"
    if what == "gain":
        russell = pick_russell(prices)
        pair = Pair(russell, russell, "index" if russell in RUSSELL_INDEX else "ETF")
    else:
        pair = pick_pair(prices)
    closes = prices.closes
    require_covers(closes[[pair.leader, pair.laggard]].dropna(), claim.said_on, pair.label)
    sc, returns = _measure_streak(prices, pair, claim)
    tolerance = pd.Timedelta(days=int(p.get("near_days", 10)))
    numbers: dict[str, object] = {"length_claimed": length, "since_claimed": since_year,
                                  **_streak_numbers(sc)}
    proxy = pair.label if what == "outperformance" else pair.leader
    window = span_text(returns.index)
    if sc.recent is None or abs(sc.reached_on - claim.said_on) > tolerance:
        if int((returns.index < claim.said_on - tolerance).sum()) < length:
            raise NotTestable(f"{proxy} starts {returns.index[0]:%Y-%m-%d}: too late to see whether a streak of "
                              f"{length} {unit}s ran up to {claim.date}")
        return Verdict(claim, CONTRADICTED,
                       f"No {what} streak of {length} {unit}s reached within {tolerance.days} days of "
                       f"{claim.date} on {proxy}.", n=len(returns), numbers=numbers, proxy=proxy,
                       window=window)
    first = pd.Timestamp(returns.index[0])
    at_date = _since_verdict(sc.previous_qualifying.end if sc.previous_qualifying else None, since_year, first)
    after = _since_verdict(sc.recent_longest_since, since_year, first)
    if at_date is None or after is None:
        raise NotTestable(f"{proxy} starts {first:%Y-%m-%d}, after {since_year}: no history to say "
                          f"whether the streak was the longest since {since_year}")
    verdict = combine([at_date, after])
    since_at = numbers["longest_since_at_date"] or f"the data start ({first:%Y-%m-%d})"
    since_after = numbers["longest_since_after_end"] or f"the data start ({first:%Y-%m-%d})"
    reason = (f"On {proxy} the {what} streak reached {length} {unit}s on {date_text(sc.reached_on)}: "
              f"the longest since {since_at} ({at_date} at the date); it ended at {sc.recent.length} "
              f"{unit}s on {date_text(sc.recent.end)}, the longest since {since_after} ({after} after it ended).")
    alt = other_pair(prices, pair)
    if alt is not None and what == "outperformance":
        try:
            alt_sc, _ = _measure_streak(prices, alt, claim)
            numbers |= {"cross_check_proxy": alt.label, **_streak_numbers(alt_sc, prefix="cross_check_")}
        except ValueError:
            numbers["cross_check_proxy"] = alt.label
    return Verdict(claim, verdict, reason, n=len(returns), numbers=numbers, proxy=proxy, window=window)


def judge_record_high(claim: Claim, prices: PriceData) -> Verdict:
    """The first close above every earlier close near the claim date came after a high in ``since``."""
    p = claim.parameters
    since_year, near = int(p["since"]), pd.Timedelta(days=int(p.get("near_days", 31)))
    russell = pick_russell(prices)
    series = prices.closes[russell].dropna()
    require_covers(series, claim.said_on, russell)
    table = find_breakouts(series, base=1)
    ev = table.events
    near_ev = ev[(ev["date"] >= claim.said_on - near) & (ev["date"] <= claim.said_on + near)]
    window = span_text(series.index)
    if near_ev.empty:
        return Verdict(claim, CONTRADICTED, f"{russell} made no record close within {near.days} days of "
                       f"{claim.date}.", n=len(series), numbers={"since_claimed": since_year},
                       proxy=russell, window=window)
    first = near_ev.iloc[0]
    prior = pd.Timestamp(first["prior_high_date"])
    if series.index[0].year > since_year or prior == series.index[0]:
        raise NotTestable(f"{russell} starts {series.index[0]:%Y-%m-%d}: too late to know the record before "
                          f"{date_text(first['date'])}")
    verdict = SUPPORTED if prior.year <= since_year else CONTRADICTED
    numbers = {"since_claimed": since_year, "record_date": date_text(first["date"]),
               "record_close": float(first["close"]), "prior_high_date": date_text(prior),
               "prior_high": float(first["prior_high"]), "sessions_without_record": int(first["base_sessions"]),
               "drawdown_in_between": float(first["base_drawdown"])}
    reason = (f"{russell} closed at a record {date_text(first['date'])}, the first since the high of "
              f"{date_text(prior)} ({int(first['base_sessions'])} sessions without a record, "
              f"{first['base_drawdown']:.0%} at the low in between).")
    return Verdict(claim, verdict, reason, n=len(series), numbers=numbers, proxy=russell, window=window)


def judge_start_of_year(claim: Claim, prices: PriceData) -> Verdict:
    """Return from the last close of the prior year over the first ``days`` calendar days and the
    first ``sessions`` sessions; each definition supports when it rounds to at least ``gain``."""
    p = claim.parameters
    year, gain = int(p["year"]), float(p["gain"])
    days, sessions = int(p["days"]), int(p["sessions"])
    russell = pick_russell(prices)
    series = prices.closes[russell].dropna()
    base_part = series.loc[: pd.Timestamp(year - 1, 12, 31)]
    this_year = series.loc[pd.Timestamp(year, 1, 1):]
    if base_part.empty or len(this_year) < sessions:
        raise NotTestable(f"{russell} ({span_text(series.index)}) lacks the last close of {year - 1} "
                          f"or {sessions} sessions of {year}")
    base = float(base_part.iloc[-1])
    by_days = this_year.loc[: pd.Timestamp(year, 1, 1) + pd.Timedelta(days=days - 1)]
    r_days = float(by_days.iloc[-1] / base - 1.0)
    r_sessions = float(this_year.iloc[sessions - 1] / base - 1.0)
    peak = float(this_year.iloc[:sessions].max() / base - 1.0)
    judged = [SUPPORTED if r >= gain - ROUNDING else CONTRADICTED for r in (r_days, r_sessions)]
    verdict = combine(judged)
    numbers = {"gain_claimed": gain, "base_date": date_text(base_part.index[-1]),
               f"return_first_{days}_days": r_days, "first_days_end": date_text(by_days.index[-1]),
               f"return_first_{sessions}_sessions": r_sessions,
               "first_sessions_end": date_text(this_year.index[sessions - 1]),
               "highest_close_return": peak}
    reason = (f"{russell} from the {date_text(base_part.index[-1])} close: {r_days:+.1%} over the first "
              f"{days} calendar days (to {date_text(by_days.index[-1])}), {r_sessions:+.1%} over the first "
              f"{sessions} sessions (to {date_text(this_year.index[sessions - 1])}); claimed {gain:+.0%}.")
    return Verdict(claim, verdict, reason, n=sessions, numbers=numbers, proxy=russell, window=span_text(this_year.index[:sessions]))
