"""Breakouts & streaks page: check the articles' history claims on the loaded data, with n in view."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.events import (
    DEFAULT_HORIZONS,
    MIN_EVENTS_FOR_INTERVAL,
    P_EXACT,
    EventStudy,
    StreakTable,
    event_study_distribution,
    used_events,
)
from core.history_check import (
    CLAIM_LAGGARD_RETURN,
    CLAIM_LEADER_RETURN,
    CLAIM_STREAK,
    HistoryCheck,
    StudyFigure,
    event_counts,
    history_check,
)
from ui.charts.events import (
    build_event_study_frame,
    make_breakout_chart,
    make_event_study_chart,
    make_spread_chart,
    make_streak_timeline_chart,
)
from ui.closes import adjusted_selection
from ui.common import escape_md, fmt_pct, show_source_banner, show_table
from ui.state import get_selection

HORIZON_NAMES = {21: "1 month", 63: "3 months", 126: "6 months", 252: "12 months"}
#: Headers of the event-study table (core's column -> what the page shows).
STUDY_COLUMNS = {"asset": "Asset", "horizon": "Horizon", "n_dated": "Dated", "n_events": "Events used",
                 "mean_event": "Event mean", "median_event": "Event median", "hit_rate_event": "Event hit rate",
                 "interval": "Interval", "n_all": "All sessions", "mean_all": "All-sessions mean",
                 "median_all": "All-sessions median", "hit_rate_all": "All-sessions hit rate",
                 "p_value": "P-value", "p_method": "P method"}
CLOSES = {"price": "Price closes (as the claims quote them)",
          "adjusted": "Dividend-adjusted closes (total return)"}


def _d(ts: pd.Timestamp | None) -> str:
    return "–" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


@st.cache_data(show_spinner="Running the event studies…", max_entries=16, ttl=3600)
def cached_history_check(
    closes: pd.DataFrame,
    leader: str,
    laggard: str,
    crypto: tuple[str, ...],
    base: int,
    window: int,
    threshold: float,
    seed: int,
    n_boot: int,
) -> HistoryCheck:
    """:func:`core.history_check.history_check`, cached on its inputs."""
    return history_check(closes, leader, laggard, crypto=crypto, base=base, window=window,
                         threshold=threshold, seed=seed, n_boot=n_boot)


def _events_words(study: EventStudy | None, asset: str, horizon: int) -> str:
    """The individual events behind a figure, as 'date: return' pairs."""
    if study is None:
        return ""
    ev = used_events(study, horizon, asset)
    return ", ".join(f"{d:%Y-%m-%d}: {fmt_pct(r)}" for d, r in zip(ev["event_date"], ev["forward_return"],
                                                                   strict=True))


def _p_words(study: EventStudy | None, row: StudyFigure) -> str:
    if study is None:
        return f"permutation p = {row.p_value:.2f}"
    t = study.table
    hit = t[(t["asset"] == row.asset) & (t["horizon"] == row.horizon)]
    exact = len(hit) and hit["p_method"].iloc[0] == P_EXACT
    return f"{'exact ' if exact else ''}permutation p = {row.p_value:.2f}"


def _row_words(row: StudyFigure | None, study: EventStudy | None = None) -> str:
    if row is None:
        return "not available (asset missing from the selection)"
    if row.n_events == 0:
        return f"no event has a full forward window in the data (n = 0; {row.n_all} sessions in all)"
    if row.n_events < MIN_EVENTS_FOR_INTERVAL:
        listed = _events_words(study, row.asset, row.horizon)
        return (
            f"mean {fmt_pct(row.mean_event)} after **n = {row.n_events}** "
            f"event{'' if row.n_events == 1 else 's'} ({listed}); **too few events** for an interval "
            f"(fewer than {MIN_EVENTS_FOR_INTERVAL}) vs mean {fmt_pct(row.mean_all)} over all "
            f"{row.n_all} sessions (positive {row.hit_rate_all:.0%}); {_p_words(study, row)}"
        )
    return (
        f"mean {fmt_pct(row.mean_event)} after **n = {row.n_events}** "
        f"event{'' if row.n_events == 1 else 's'} "
        f"(95% bootstrap interval {fmt_pct(row.ci_low)} to {fmt_pct(row.ci_high)}; "
        f"median {fmt_pct(row.median_event)}, positive {row.hit_rate_event:.0%} of the time) vs "
        f"mean {fmt_pct(row.mean_all)} over all {row.n_all} sessions "
        f"(positive {row.hit_rate_all:.0%}); {_p_words(study, row)}"
    )


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")


def _current_streak_words(table: StreakTable, leader: str, laggard: str, unit: str) -> str:
    cur = table.current
    if cur.length == 0:
        return (
            f"{leader} did not beat {laggard} on the last {unit} ({_d(cur.last_session)}), "
            "so there is no current streak."
        )
    s = cur.streak
    text = (
        f"**{leader} has beaten {laggard} {_plural(cur.length, unit)} in a row** "
        f"({_d(s.start)} to {_d(s.end)}: {leader} {fmt_pct(s.leader_return)}, {laggard} {fmt_pct(s.laggard_return)})"
    )
    if cur.longest_since is None:
        return text + f"; the longest in the loaded data (since {_d(table.first_session)})."
    ls, longer = cur.longest_since, cur.previous_longer
    if cur.is_short:
        return text + (f"; a short run: the last longer one was {_plural(longer.length, unit)} "
                       f"({_d(longer.start)} to {_d(longer.end)}).")
    return (
        text + f"; the longest since {_d(ls.end)}, when a run of {_plural(ls.length, unit)} ended "
        f"({_d(ls.start)} to {_d(ls.end)}; the most recent earlier run at least as long)."
    )


sel = get_selection()
st.title("History check: streaks, breakouts and what crypto did next")
show_source_banner(sel.prices)
st.caption(
    "Articles say small-cap streaks and breakouts come before crypto and altcoin rallies. "
    "This page counts those events in the loaded data and puts the number of events next to every figure: "
    "two or three events prove little."
)

closes = sel.prices.closes
leader, laggard = sel.russell, sel.sp
if leader not in closes.columns or laggard not in closes.columns:
    st.error(
        f"Both the Russell proxy ({leader}) and the S&P proxy ({laggard}) need data in the chosen range."
    )
    st.stop()

c1, c2, c3, c4 = st.columns(4)
base = c1.slider(
    "Breakout base (sessions)",
    20,
    1000,
    250,
    step=10,
    key="bo_base",
    help="A breakout is the first close above every earlier close after at least this many sessions without a new high.",
)
top_k = c2.slider(
    "Streaks to list", 5, 30, 10, key="bo_top", help="Longest first; ties most recent first."
)
window = c3.slider(
    "Spread window (sessions)",
    5,
    30,
    10,
    key="bo_window",
    help="Small-cap spread = leader's compounded return minus the laggard's over this many sessions.",
)
threshold = c4.slider(
    "Spread threshold (points)",
    1.0,
    15.0,
    5.0,
    step=0.5,
    format="%.1f",
    key="bo_threshold_pts",
    help="An event fires the first session the spread rises above this many percentage points (5 = the "
    "Russell proxy ahead by 5 points) and re-arms only after it falls back to or below it.",
) / 100  # core takes decimals
c5, c6, c7 = st.columns([1, 1, 2])
closes_kind = c7.radio(
    "Equity closes", list(CLOSES), format_func=CLOSES.get, key="bo_closes", horizontal=True,
    help="Price closes: a breakout is a new high of the price level, as the charts and the articles "
    "define it. Dividend-adjusted: total returns (an ETF's price drops by its dividend on each "
    "ex-date), where the data has them.",
)
sel, closes_used = adjusted_selection(sel, adjust=closes_kind == "adjusted")
closes = sel.prices.closes
st.caption(escape_md(closes_used.label(sel.equity)))
seed = int(
    c5.number_input(
        "Random seed",
        0,
        2**31 - 1,
        0,
        key="bo_seed",
        help="Seeds the bootstrap and permutation draws.",
    )
)
n_boot = int(
    c6.select_slider(
        "Resamples",
        [500, 1000, 2000, 5000],
        2000,
        key="bo_nboot",
        help="Bootstrap resamples and random date sets per figure.",
    )
)

# ---------------------------------------------------------------- computations
both = closes[[leader, laggard]].dropna()
if len(both) < 3:
    st.error(
        f"Too little data for the history check: {escape_md(leader)} and {escape_md(laggard)} share "
        f"{len(both)} date(s) with closes in the chosen range; streaks need at least 3 (two returns). "
        "Widen the date range or load a longer file."
    )
    st.stop()
try:
    check = cached_history_check(
        closes[[leader, laggard, *sel.crypto_available]], leader, laggard, tuple(sel.crypto_available),
        base, window, threshold, seed, n_boot,
    )
except ValueError as exc:
    st.error(f"Too little data for the history check ({len(both)} common dates of "
             f"{escape_md(leader)} and {escape_md(laggard)}): {escape_md(exc)}")
    st.stop()
streaks, breakouts, spread_events, studies = (
    check.streaks, check.breakouts, check.spread_events, check.studies)

tab_claims, tab_streaks, tab_breakouts, tab_spread, tab_study = st.tabs(
    ["Claims check", "Streaks", "Breakouts", "Spread events", "Event study"]
)

# ---------------------------------------------------------------- claims check
with tab_claims:
    st.markdown(_current_streak_words(streaks, leader, laggard, "session"))
    claim = check.streak_claim
    longest, recent = claim.longest, claim.recent

    with st.container(border=True):
        st.markdown(
            f"**Claim 1.** *\u201cThe Russell 2000 beat the S&P 500 for {CLAIM_STREAK} straight sessions, "
            "the longest run since 1990.\u201d*"
        )
        if longest is not None:
            st.markdown(
                f"Longest streak of {leader} over {laggard} in the loaded data ({_d(claim.first_session)} to "
                f"{_d(claim.last_session)}, {claim.n_sessions} sessions): **{longest.length} sessions**, "
                f"{_d(longest.start)} to {_d(longest.end)}."
            )
        if recent is None:
            st.markdown(f"No streak of {CLAIM_STREAK}+ sessions in the loaded data.")
        else:
            since = (
                f"the longest since the run that ended {_d(claim.recent_longest_since)} "
                "(the most recent earlier run at least as long)"
                if claim.recent_longest_since is not None
                else f"no earlier run in the loaded data was as long (data start {_d(claim.first_session)})"
            )
            st.markdown(
                f"Most recent streak of {CLAIM_STREAK}+ sessions: **{recent.length} sessions**, "
                f"{_d(recent.start)} to {_d(recent.end)}; {since}. "
                f"Streaks of {CLAIM_STREAK}+ sessions in the data: **n = {claim.n_qualifying}**."
            )
            before = claim.previous_qualifying
            st.markdown(
                f"When it reached {CLAIM_STREAK} sessions ({_d(claim.reached_on)}), the most recent earlier run of "
                f"{CLAIM_STREAK}+ sessions "
                + (
                    f"had ended {_d(before.end)} ({before.length} sessions)."
                    if before is not None
                    else f"was not in the loaded data (it starts {_d(claim.first_session)})."
                )
            )
            st.caption(
                "Index data (^RUT vs ^GSPC, from 1987) reach further back than the ETFs (IWM from 2000): "
                "pick them as proxies in the sidebar and widen the date range to test 'since 1990'."
            )

    with st.container(border=True):
        st.markdown(
            f"**Claim 2.** *\u201cSmall caps {fmt_pct(CLAIM_LEADER_RETURN)} vs large caps "
            f"{fmt_pct(CLAIM_LAGGARD_RETURN)} over the streak.\u201d*"
        )
        if recent is None:
            st.markdown("No qualifying streak to measure.")
        else:
            st.markdown(
                f"Over the whole {recent.length}-session streak: {leader} **{fmt_pct(recent.leader_return)}**, "
                f"{laggard} **{fmt_pct(recent.laggard_return)}** (compounded daily simple returns). "
                f"Over its first {CLAIM_STREAK} sessions (to {_d(claim.reached_on)}): {leader} "
                f"**{fmt_pct(claim.first_leader_return)}**, {laggard} **{fmt_pct(claim.first_laggard_return)}**."
            )
            st.caption(
                "ETF closes may not include dividends; index levels never do. A day or two of difference in "
                "where the streak is said to start moves these numbers."
            )

    with st.container(border=True):
        spread_claim = check.spread_claim
        st.markdown(
            f"**Claim 3.** *\u201cWhen small caps outperform by more than {threshold:.0%} in a short period, "
            "altcoin dominance rises.\u201d*"
        )
        st.markdown(
            f"Spread events ({leader} ahead of {laggard} by more than {threshold:.1%} over {window} sessions, "
            f"first crossing): **n = {spread_claim.n_events}**."
        )
        if "spread events" not in studies:
            st.info("Add BTC (and some altcoins) to the crypto tickers to see what followed.")
        else:
            for h, figure in spread_claim.basket_vs_btc.items():
                st.markdown(f"- Alt basket vs BTC over the next {HORIZON_NAMES[h]}: "
                            + _row_words(figure, studies.get("spread events")))
            st.caption(
                "Altcoin dominance is the altcoins' share of total crypto market value; without market caps this page "
                "uses its closest price proxy: an equal-weight basket of the selected altcoins relative to BTC, "
                "(1 + basket) / (1 + BTC) − 1. Positive = alts beat BTC."
            )

    with st.container(border=True):
        bo_claim = check.breakout_claim
        st.markdown(
            "**Claim 4.** *\u201cThe 2016 and 2020 Russell breakouts preceded Bitcoin bull markets.\u201d* "
            "(One article warns that two samples prove little.)"
        )
        st.markdown(
            f"Breakouts of {leader} (base ≥ {base} sessions, all-time highs counted from "
            f"{_d(bo_claim.data_start)}): **n = {bo_claim.n_events}**"
            + (": " + ", ".join(_d(d) for d in bo_claim.dates) if bo_claim.n_events else "")
            + "."
        )
        if not bo_claim.named:
            st.markdown(
                "No 2016 or 2020 breakout in the loaded range; widen the date range in the sidebar."
            )
        if "breakouts" in studies:
            for named in bo_claim.named:
                parts = [
                    f"{HORIZON_NAMES[h]}: {fmt_pct(r, 0)}" if pd.notna(r) else f"{HORIZON_NAMES[h]}: no data"
                    for h, r in named.btc_forward.items()
                ]
                st.markdown(f"- {_d(named.date)}: {check.btc} over the next " + "; ".join(parts))
            st.markdown(
                f"- All breakouts, {check.btc} over the next 12 months: "
                + _row_words(bo_claim.btc_all, studies.get("breakouts"))
            )
            row = bo_claim.btc_all
            if row is not None and row.few_events:
                st.warning(
                    f"Only {row.n_events} breakout(s) with a full 12-month window. Bitcoin rose over most "
                    "12-month windows in this sample anyway (see 'positive' above), so a handful of hits cannot "
                    "separate a signal from luck: no interval is shown, and the p-value only ranks these few "
                    "events among every other way of placing as many dates.",
                    icon=":material/warning:",
                )

# ---------------------------------------------------------------- streaks
with tab_streaks:
    st.markdown(_current_streak_words(streaks, leader, laggard, "session"))
    st.caption(
        f"A session counts when {leader}'s daily simple return is strictly greater than {laggard}'s, on the dates "
        "where both have a close. A tie or a missing return ends a streak. Returns over a streak are compounded. "
        f"{streaks.n_wins} of {streaks.n_sessions} sessions were wins, in **n = {len(streaks.streaks)}** streaks."
    )
    top = streaks.top(top_k)
    show_table(
        top.rename(columns={"prev_at_least_end": "previous run as long ended"})[
            ["start", "end", "length", "leader_return", "laggard_return", "spread", "previous run as long ended"]
        ],
        {"leader_return": "{:+.2%}", "laggard_return": "{:+.2%}", "spread": "{:+.2%}"},
        hide_index=True,
    )
    st.caption("'Previous run as long ended': the most recent earlier run at least as long; '–' when there "
               "is none in the loaded data.")
    st.altair_chart(
        make_streak_timeline_chart(streaks.streaks, highlight=top_k, min_length=3), width="stretch"
    )
    st.caption(
        f"Every streak of 3+ sessions at its end date, its height the number of sessions; the {top_k} longest in red. "
        "Hover for dates and returns."
    )
    weekly = check.weekly_streaks
    st.markdown("**Weekly:** " + _current_streak_words(weekly, leader, laggard, "week"))
    wtop = weekly.top(1)
    if len(wtop):
        st.caption(
            f"Longest weekly streak: {int(wtop['length'].iloc[0])} weeks ({_d(wtop['start'].iloc[0])} to "
            f"{_d(wtop['end'].iloc[0])}), out of n = {len(weekly.streaks)} weekly streaks; weeks end on Friday."
        )

# ---------------------------------------------------------------- breakouts
with tab_breakouts:
    log_scale = st.toggle("Log scale", value=True, key="bo_log")
    st.altair_chart(
        make_breakout_chart(breakouts, ticker=leader, log_scale=log_scale),
        width="stretch",
    )
    st.markdown(
        f"**n = {len(breakouts.events)} breakouts** with a base of at least {base} sessions."
    )
    st.caption(
        "Red triangles: the first close above every earlier close after at least the chosen number of sessions "
        "without a new high. Dashed line: the running all-time high. 'All-time' means within the chosen date "
        "range, so a breakout near its start may only be a high of the sample."
    )
    show_table(
        breakouts.events,
        {"date": "{:%Y-%m-%d}", "prior_high_date": "{:%Y-%m-%d}", "close": "{:,.2f}", "prior_high": "{:,.2f}",
         "base_drawdown": "{:.1%}"},
        hide_index=True,
    )

# ---------------------------------------------------------------- spread events
with tab_spread:
    st.altair_chart(
        make_spread_chart(
            spread_events.spread, spread_events.events, threshold=threshold, window=window
        ),
        width="stretch",
    )
    st.markdown(
        f"**n = {len(spread_events.events)} spread events** ({window} sessions, above {threshold:.1%})."
    )
    st.caption(
        f"{leader}'s compounded return over the last {window} sessions minus {laggard}'s. An event (red dot) is the "
        "first session above the dashed threshold; it does not fire again until the spread has fallen back to or "
        "below it."
    )

# ---------------------------------------------------------------- event study
with tab_study:
    if not studies:
        st.info("The event study needs BTC among the crypto tickers in the sidebar.")
    else:
        which = st.radio("Events", list(studies), horizontal=True, key="bo_events")
        horizon = st.select_slider(
            "Horizon",
            options=list(DEFAULT_HORIZONS),
            value=63,
            key="bo_horizon",
            format_func=lambda h: f"{h} sessions (~{HORIZON_NAMES[h]})",
        )
        study = studies[which]
        counts = event_counts(study, horizon)
        st.markdown(
            f"**{study.n_events_input} {which}** in the range; used at this horizon: "
            + ", ".join(f"{a} n = {int(n)}" for a, n in counts.by_asset.items())
        )
        if counts.few:
            st.warning(
                f"At most {counts.most} and as few as {counts.fewest} events per figure: a single market "
                "episode can make or break these means. Read the intervals and the event-by-event rules, not the "
                "means alone.",
                icon=":material/warning:",
            )
        frame = build_event_study_frame(event_study_distribution(study, horizon))
        st.altair_chart(make_event_study_chart(frame, horizon=horizon), width="stretch")
        st.caption(
            f"Bars: forward returns over {horizon} sessions from every session (the unconditional distribution). "
            "Red rules: the returns after each event used; dashed rules: the two means. Each panel's title gives n. "
            f"Altcoins in the basket: {', '.join(check.alts) or 'none selected'}."
        )
        shown = study.table.copy()
        shown["horizon"] = [f"{h} ({HORIZON_NAMES.get(h, '')})" for h in shown["horizon"]]
        shown["interval"] = [
            "too few events" if few or n == 0 else f"{fmt_pct(lo)} to {fmt_pct(hi)}"
            for few, n, lo, hi in zip(shown["few_events"], shown["n_events"], shown["ci_low"],
                                      shown["ci_high"], strict=True)
        ]
        shown = shown[["asset", "horizon", "n_dated", "n_events", "mean_event", "median_event",
                       "hit_rate_event", "interval", "n_all", "mean_all", "median_all", "hit_rate_all",
                       "p_value", "p_method"]]
        show_table(
            shown.rename(columns=STUDY_COLUMNS),
            {c: "{:+.1%}" for c in ("Event mean", "Event median", "All-sessions mean", "All-sessions median")}
            | {"Event hit rate": "{:.0%}", "All-sessions hit rate": "{:.0%}", "P-value": "{:.3f}"},
            hide_index=True,
        )
        st.caption(
            "Dated: events with a full forward window; Events used: those kept after de-clustering (an event is "
            "dropped when it falls within the horizon of the previous kept one, so no market move is counted "
            f"twice). Interval: {study.confidence:.0%} bootstrap interval of the event mean, shown only from "
            f"{MIN_EVENTS_FOR_INTERVAL} events (a bootstrap of 2-4 values covers far less than it claims). "
            "P-value: share of placements of the same number of dates, spaced the same way, whose mean is at "
            "least as far from the all-sessions mean; 'exact' counts every possible placement, 'monte carlo' "
            f"{study.n_boot} random ones (seeded)."
        )
        few_cells = shown[study.table["few_events"].to_numpy() & (study.table["n_events"] > 0).to_numpy()]
        ev = used_events(study, horizon)
        if len(ev):
            st.markdown(f"**The events behind each figure at {horizon} sessions**"
                        + (" (too few for an interval: read them one by one)" if len(few_cells) else ""))
            st.dataframe(ev.rename(columns={"event_date": "event date", "forward_return": "forward return"})
                         .style.format({"event date": "{:%Y-%m-%d}", "forward return": "{:+.1%}"}),
                         width="stretch", hide_index=True)
        elif study.n_events_input:
            st.info(f"No event has a full {horizon}-session forward window in the chosen range: the data end "
                    f"{_d(study.forward_returns.index[-1])}. Pick a shorter horizon or widen the range.")
        else:
            st.info(f"No {which} in the chosen range.")
