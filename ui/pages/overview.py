"""Landing page: the question, the short answer, today's state and every claim's verdict."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.claims import (
    CONTRADICTED,
    MIXED,
    NOT_TESTABLE,
    SUPPORTED,
    TOO_FEW,
    VERDICT_LABELS,
    VERDICTS,
    Verdict,
    claim_tickers,
)
from core.data import PriceData, list_csv_tickers
from core.errors import ExplorerError
from core.overview import CORR_WINDOW, QUESTION, Overview, overview, today_regime
from core.roles import coin_of
from ui.common import escape_md, show_source_banner, show_table
from ui.sidebar import cached_load, default_source, selected_csv_folder
from ui.state import Selection, get_selection

#: Verdict -> (badge colour, icon); the words are core's VERDICT_LABELS.
BADGES: dict[str, tuple[str, str]] = {
    SUPPORTED: ("green", ":material/check_circle:"),
    CONTRADICTED: ("red", ":material/cancel:"),
    MIXED: ("orange", ":material/contrast:"),
    TOO_FEW: ("gray", ":material/help:"),
    NOT_TESTABLE: ("gray", ":material/block:"),
}
#: Where the evidence for each kind of test lives.
EVIDENCE: dict[str, tuple[str, str]] = {
    "streak": ("ui/pages/breakouts.py", "Breakouts & streaks"),
    "record_high": ("ui/pages/breakouts.py", "Breakouts & streaks"),
    "start_of_year": ("ui/pages/market.py", "Market"),
    "breakout_btc": ("ui/pages/breakouts.py", "Breakouts & streaks"),
    "breakout_alts": ("ui/pages/breakouts.py", "Breakouts & streaks"),
    "spread_dominance": ("ui/pages/altseason.py", "Altcoin season index"),
    "eth_correlation": ("ui/pages/relationships.py", "Relationships"),
    "market_cap": ("ui/pages/relationships.py", "Relationships"),
    "granger": ("ui/pages/relationships.py", "Relationships"),
}


def _claims_prices(sel: Selection) -> tuple[PriceData, str | None]:
    """All history of the claims' tickers (and the sidebar's) from the sidebar's source.

    Returns the prices and a note when only the sidebar's own data could be used.
    """
    kind = st.session_state.get("data_source", default_source())
    if kind == "upload":
        return sel.prices, "An uploaded file is judged as uploaded, within the sidebar's date range."
    try:
        csv_dir, available = None, None
        if kind == "csv":
            csv_dir = selected_csv_folder()
            available = list_csv_tickers(csv_dir)
        tickers = tuple(dict.fromkeys([sel.russell, sel.sp, *sel.crypto, *claim_tickers(available)]))
        prices = cached_load(tickers, kind, csv_dir)
    except (ValueError, OSError) as exc:
        return sel.prices, f"Could not load the claims' full history ({exc}); judged on the sidebar's data."
    # the banner names the folder as the sidebar shows it, never a server path
    return dataclasses.replace(prices, detail=sel.prices.detail), None


@st.cache_data(show_spinner="Judging the claims…", max_entries=8, ttl=3600)
def cached_overview(closes: pd.DataFrame, sources: tuple[tuple[str, str], ...], russell: str, sp: str) -> Overview:
    """:func:`core.overview.overview` without the regime fit, once per loaded data and proxies."""
    return overview(PriceData(closes=closes, sources=dict(sources)), russell, sp, regime=False)


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def cached_regime(closes: pd.DataFrame, russell: str) -> dict[str, object]:
    """:func:`core.overview.today_regime` (seconds of CPU on 20 years: drawn after everything else)."""
    return today_regime(closes, russell)


def _d(ts: object) -> str:
    return "–" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def _today(o: Overview) -> DeltaGenerator:
    """Draw today's cards; returns the regime card's slot, filled by :func:`_regime` last."""
    c1, c2, c3, c4, c5 = st.columns(5)
    s = o.streak
    if s is None:
        c1.metric("Current streak", "–", help="Needs the Russell and S&P proxies.")
    else:
        longer = s.previous_longer
        since = ("longest in the data" if s.is_longest_in_data else
                 f"short run; last longer: {longer.length} to {_d(longer.end)}" if s.is_short
                 else f"longest since {_d(s.longest_since.end)}" if s.longest_since else "")
        c1.metric(f"{o.russell} > {o.sp}, sessions", f"{s.length}", delta=since or None, delta_color="off", delta_arrow="off",
                  help=f"Consecutive sessions to {_d(s.last_session)} in which the Russell proxy's daily "
                       "return beat the S&P proxy's.")
    if o.last_breakout is None:
        c2.metric("Last breakout", "none", help="First close above every earlier close after a 250-session base.")
    else:
        c2.metric("Last breakout", _d(o.last_breakout),
                  delta=f"{o.sessions_since_breakout} sessions ({o.days_since_breakout} days) ago", delta_color="off", delta_arrow="off",
                  help=f"{o.russell}'s first close above every earlier close after at least 250 sessions without one.")
    if pd.isna(o.corr_today):
        c3.metric(f"{CORR_WINDOW}-session correlation", "–")
    else:
        c3.metric(f"{coin_of(o.corr_asset)}/{o.russell} corr., {CORR_WINDOW}d", f"{o.corr_today:.2f}",
                  delta=f"{o.corr_percentile:.0%} of history at or below", delta_color="off", delta_arrow="off",
                  help=f"Correlation of {o.corr_asset}'s and {o.russell}'s daily log returns on the equity "
                       f"calendar over the {CORR_WINDOW} sessions ending {_d(o.corr_date)}; compared "
                       f"with all {o.corr_n_windows} windows since {_d(o.corr_history_start)}.")
    alt = o.altseason.current if o.altseason is not None else None
    if alt is None:
        c4.metric("Altcoin season index", "–", help="Needs BTC and altcoins.")
    else:
        stale = f", {alt.lag_days} days before the last close" if alt.lag_days > 7 else ""
        c4.metric("Altcoin season index", f"{alt.index:.0f} / 100", delta=f"{alt.season}, {_d(alt.date)}{stale}",
                  delta_color="off", delta_arrow="off",
                  help=f"Share of altcoins beating BTC over {o.altseason.window} days "
                       f"({o.altseason.label}); altcoin season at {o.altseason.threshold:.0f} or more.")
    slot = c5.empty()
    slot.metric("Regime (fitted)", "…", help="Fitting a Markov-switching model of the Russell proxy…")
    for note in o.notes:
        st.caption(escape_md(note))
    return slot


def _regime(slot: DeltaGenerator, closes: pd.DataFrame, russell: str | None) -> None:
    """Fill the regime card: the fit is the slowest number on the page, so it comes last."""
    o = None
    if russell is not None:
        try:
            o = SimpleNamespace(**cached_regime(closes, russell))
        except ExplorerError as exc:
            slot.metric("Regime", "–", help=escape_md(f"Markov-switching fit of {russell}: {exc}"))
            return
    if o is None:
        slot.metric("Regime", "–", help="Markov-switching fit of the Russell proxy; not available here.")
    else:
        slot.metric("Regime (fitted)", o.regime_state, delta=f"{o.regime_probability:.0%}, {_d(o.regime.last_date)}",
                  delta_color="off", delta_arrow="off",
                  help=f"Most probable state of a {o.regime.k}-state Markov-switching fit of {o.regime.ticker}'s "
                       "daily log returns (filtered probability on the last session).")


def _card(v: Verdict) -> None:
    colour, icon = BADGES[v.verdict]
    with st.container(border=True):
        st.badge(VERDICT_LABELS[v.verdict], color=colour, icon=icon)
        st.markdown(f"**{escape_md(v.claim.title)}**  \n{escape_md(v.reason)}")
        facts = [f"n = {v.n}"] if v.verdict != NOT_TESTABLE else []
        facts += [escape_md(x) for x in (v.proxy, v.window) if x]
        if facts:
            st.caption(" · ".join(facts))
        if v.robustness is not None:
            st.caption(f"Robustness: {escape_md(v.robustness.summary)}")
        with st.expander("Quote and numbers"):
            st.markdown(f"*“{escape_md(v.claim.quote)}”*")
            st.caption(f"{escape_md(v.claim.source)}, {escape_md(v.claim.date)}. Tested: "
                       f"{escape_md(v.claim.asserts)}")
            if v.numbers:
                table = pd.DataFrame({"figure": [k.replace("_", " ") for k in v.numbers],
                                      "value": [_fmt(x) for x in v.numbers.values()]})
                st.dataframe(table, hide_index=True, width="stretch")
                if v.robustness is not None:
                    show_table(v.robustness.grid, hide_index=True)
        page, words = EVIDENCE.get(v.claim.test, ("ui/pages/methodology.py", "Methodology"))
        st.page_link(page, label=f"Evidence: {words}", icon=":material/arrow_forward:")


def _fmt(x: object) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


sel = get_selection()
st.title(QUESTION)
prices, load_note = _claims_prices(sel)
show_source_banner(prices)
if load_note:
    st.warning(escape_md(load_note))
st.caption(
    "News says the Russell 2000's record streak and breakout mean altcoin season is next. Below, today's "
    "state, then each claim from the articles judged on the longest real history loaded (^RUT and ^GSPC "
    "from 1987 when present), whatever the sidebar's date range. Synthetic demo data never judges a claim."
)
try:
    o = cached_overview(prices.closes, tuple(sorted(prices.sources.items())), sel.russell, sel.sp)
except ValueError as exc:
    st.error(escape_md(exc))
    st.stop()

counts = o.counts
box = st.warning if counts[CONTRADICTED] and not counts[SUPPORTED] else st.info
box(f"**Short answer.** {escape_md(o.answer)}", icon=":material/campaign:")

st.subheader("Today")
regime_slot = _today(o)

st.subheader("The claims, judged")
st.caption(" · ".join(f"{counts[k]} {VERDICT_LABELS[k].lower()}" for k in VERDICTS if counts[k])
           + ". Verdict rules, proxies and the robustness grid: Methodology, *Claims and verdicts*.")
cols = st.columns(3)
for i, v in enumerate(o.verdicts):
    with cols[i % 3]:
        _card(v)
st.page_link("ui/pages/methodology.py", label="How each claim is tested", icon=":material/menu_book:")
_regime(regime_slot, prices.closes, o.russell)
