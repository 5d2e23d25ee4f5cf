"""Market page: how small caps, large caps and crypto have moved over the chosen window."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.performance import (
    STALE_AFTER_DAYS,
    realized_volatility,
    rebase,
    rolling_volatility,
    staleness,
    trailing_returns,
)
from core.returns import summarize_quality
from ui.charts.market import make_performance_chart, make_volatility_chart
from ui.common import fmt_pct, show_source_banner, show_table
from ui.state import get_selection

sel = get_selection()
st.title("Market")
show_source_banner(sel.prices)
closes = sel.prices.closes[sel.tickers]
calendar = sel.equity or None

trailing = trailing_returns(closes)
stale = staleness(closes)
late = stale[stale["stale"]]
if len(late):
    st.warning(
        f"{len(late)} of {len(stale)} series end before the others: "
        + ", ".join(f"{t} ({d:%Y-%m-%d}, {int(n)} days behind)" if pd.notna(d) else f"{t} (no data)"
                    for t, d, n in zip(late.index, late["last_close"], late["days_behind"], strict=True))
        + ". Their returns and volatilities run to their own last close; see Data quality.",
        icon=":material/schedule:",
    )
cards = st.columns(min(4, len(closes.columns)))
for col, ticker in zip(cards, closes.columns[:4], strict=False):
    row = trailing.loc[ticker]
    col.metric(f"{ticker} · 1y", fmt_pct(row["1y"]), delta=f"{fmt_pct(row['1m'])} 1m", delta_color="normal",
               help=f"Simple return over the year to {row['last_date']:%Y-%m-%d}; the small figure is the last month.")

st.subheader("Performance")
log_scale = st.toggle("Log scale", value=True, key="market_log",
                      help="Equal vertical distances are equal percentage moves: fair when crypto rises 100x.")
st.altair_chart(make_performance_chart(rebase(closes, calendar=calendar), log_scale=log_scale), width="stretch")
st.caption(
    "Growth of 100 invested at each ticker's first close in the window, sampled on US equity trading days "
    "(crypto's weekend moves appear on Monday). Click a legend entry to highlight it."
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Trailing returns")
    table = trailing
    pct_cols = ["1w", "1m", "3m", "YTD", "1y"]
    show_table(table, {c: "{:+.1%}" for c in pct_cols})
    st.caption("Simple returns to each ticker's own last close (Last date); YTD from the last close of the "
               "prior year.")
with right:
    st.subheader("Realized volatility")
    vol = realized_volatility(closes, calendar=calendar)
    show_table(vol, {c: "{:.0%}" for c in vol.columns if c != "last_date"})
    st.caption("Annualized standard deviation of daily log returns over each ticker's own last 21, 63 and "
               "252 sessions.")

window = st.select_slider("Rolling window (sessions)", options=[21, 63, 126, 252], value=63, key="market_vol_window")
st.altair_chart(make_volatility_chart(rolling_volatility(closes, window, calendar=calendar), window),
                width="stretch")

with st.expander("Data quality"):
    quality = summarize_quality(closes).join(stale[["days_behind", "stale"]])
    show_table(quality, {"max_abs_daily_log_return": "{:.3f}", "days_behind": "{:.0f}"})
    st.caption(
        "Rows: dates with a close. Gaps: breaks longer than 1 day for crypto or 4 days for equities. "
        "Stale runs: 5 or more identical closes in a row. Days behind: calendar days between the series' "
        f"last close and the newest one; more than {STALE_AFTER_DAYS} and the series ends early. "
        "Large single-day moves deserve a look."
    )
