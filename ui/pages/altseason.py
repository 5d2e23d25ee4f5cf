"""Altcoin season index page: today's reading, its history with small-cap events, and an event study."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.altseason import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    THRESHOLD_BOUNDS,
    WINDOW_BOUNDS,
    AltseasonIndex,
    altseason_index,
)
from core.altseason_study import (
    SMALL_N,
    AltseasonEvents,
    AltseasonStudy,
    altseason_event_study,
    altseason_events,
)
from core.errors import ExplorerError
from ui.charts.altseason import (
    make_altseason_chart,
    make_coverage_chart,
    make_drivers_chart,
    make_study_chart,
)
from ui.common import escape_md, fmt_pct, show_source_banner, show_table
from ui.state import get_selection

SEASON_TEXT = {"altcoin season": "Altcoin season", "bitcoin season": "Bitcoin season", "neither": "Neither season"}


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _index(closes: pd.DataFrame, crypto: tuple[str, ...], window: int, threshold: float) -> AltseasonIndex:
    return altseason_index(closes, list(crypto), window=window, threshold=threshold)


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _study(closes: pd.DataFrame, crypto: tuple[str, ...], window: int, threshold: float, leader: str,
           laggard: str) -> tuple[AltseasonEvents, AltseasonStudy]:
    events = altseason_events(closes, leader, laggard)
    return events, altseason_event_study(_index(closes, crypto, window, threshold), events)


sel = get_selection()
st.title("Altcoin season index")
show_source_banner(sel.prices)
st.markdown(
    "Is it altcoin season? The index is the share of the loaded altcoins whose return over the last "
    "*window* days beats Bitcoin's. At or above the threshold it is altcoin season; below 100 minus "
    "the threshold, Bitcoin season."
)
c1, c2 = st.columns(2)
window = c1.slider("Window (calendar days)", min_value=WINDOW_BOUNDS[0], max_value=365, value=DEFAULT_WINDOW,
                   step=1, key="alt_window", help=f"Look-back of each return; core accepts {WINDOW_BOUNDS[0]} to "
                   f"{WINDOW_BOUNDS[1]} days.")
threshold = c2.slider("Altcoin-season threshold (%)", min_value=int(THRESHOLD_BOUNDS[0]),
                      max_value=int(THRESHOLD_BOUNDS[1]), value=int(DEFAULT_THRESHOLD), step=1,
                      key="alt_threshold")

crypto = tuple(sel.crypto_available)
closes = sel.prices.closes[sel.tickers]
try:
    result = _index(closes, crypto, int(window), float(threshold))
except ExplorerError as exc:
    st.error(f"No altcoin season index on this selection: {escape_md(exc)}")
    st.stop()

cur = result.current
if cur is None:
    st.warning(f"No date has at least {result.min_coins} altcoins with closes {window} days apart in this range.")
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric(f"Index on {cur.date:%Y-%m-%d}", f"{cur.index:.0f}", border=True,
          help=f"{cur.n_coins} coins counted: those with a close on {cur.date:%Y-%m-%d} and {window} days before.")
m2.metric("Reading", SEASON_TEXT[cur.season], border=True,
          help=f"At or above {result.threshold:g}: altcoin season; below {result.bitcoin_threshold:g}: "
          "Bitcoin season.")
m3.metric(f"BTC over {window} days", fmt_pct(cur.btc_return), border=True)
st.caption(f"Index {result.label}: coins that died or were delisted are not in the data, so the history "
           "leans towards altcoins that did well.")
if cur.lag_days > 0:
    st.warning(
        f"This reading is from {cur.date:%Y-%m-%d}, {cur.lag_days} days before the last close loaded "
        f"({cur.last_data_date:%Y-%m-%d}): after it fewer than {result.min_coins} of the {len(result.coins)} "
        "altcoins have closes (their files stop earlier).",
        icon=":material/schedule:",
    )

st.subheader("History")
events: AltseasonEvents | None = None
study: AltseasonStudy | None = None
if len(sel.equity) == 2:
    try:
        events, study = _study(closes, crypto, int(window), float(threshold), sel.russell, sel.sp)
    except ExplorerError as exc:
        st.error(f"No small-cap events on this selection: {escape_md(exc)}")
event_frame = events.long() if events is not None else pd.DataFrame({"kind": [], "date": pd.to_datetime([])})
st.altair_chart(make_altseason_chart(result.series, event_frame, threshold=result.threshold,
                                     bitcoin_threshold=result.bitcoin_threshold, window=result.window),
                width="stretch")
st.altair_chart(make_coverage_chart(result.series), width="stretch")
st.caption(
    f"Daily, on the crypto calendar. Vertical lines: {sel.russell} over {sel.sp} streaks reaching "
    f"{events.streak_length if events else '–'} sessions, breakouts to a new high after a "
    f"{events.base if events else '–'}-session base, and the {events.spread_window if events else '–'}-session "
    f"spread crossing {fmt_pct(events.spread_threshold, 0) if events else '–'}. Lower panel: how many coins "
    f"each day's index counts (no index below {result.min_coins})."
)

st.subheader("Which coins drive today's reading")
left, right = st.columns([3, 2])
left.altair_chart(make_drivers_chart(cur.drivers, window=result.window, btc=result.btc), width="stretch")
with right:
    show_table(cur.coins, {"return": "{:+.1%}", "vs_btc": "{:+.1%}"})
right.caption(f"Coins not counted on {cur.date:%Y-%m-%d} lack a close on that day or {window} days before "
              "(see Last close).")

st.subheader("Does altcoin season follow small-cap events?")
if study is None:
    st.info("The event study needs both the Russell and the S&P proxy in the selection.")
else:
    st.markdown(
        f"Share of events after which the index reached **{result.threshold:g}** within *h* sessions "
        "(red dots, 95% exact interval from five events on), against the share of all sessions "
        "(blue ticks). Events closer than *h* sessions to an earlier one are dropped; the permutation "
        f"p-value compares with random session sets of the same size and spacing (seed {study.seed}, "
        f"{study.n_draws} draws)."
    )
    st.altair_chart(make_study_chart(study.table), width="content")
    shown = study.table.drop(columns=["few_events"])
    show_table(shown.set_index(["kind", "horizon"]),
               {c: "{:.0%}" for c in ("event_rate", "base_rate", "in_season_at_event", "ci_low", "ci_high")}
               | {"p_perm": "{:.3f}", "p_exact": "{:.3f}", "p_binom": "{:.3f}"})
    few = study.table[study.table["few_events"]]
    if len(few):
        kinds = ", ".join(sorted(set(few["kind"])))
        st.warning(
            f"Fewer than {SMALL_N} events behind some rows ({kinds}): no interval is shown; "
            "p (every placement) counts all ways of placing as few dates, but a handful of dates "
            "is an anecdote, not evidence.",
            icon=":material/warning:",
        )
    st.caption("p (exact binomial) assumes independent events with the all-sessions rate; the permutation "
               "p keeps the data's own clustering of seasons. Both are one-sided (more often than at random).")
