"""Relationships page: how crypto moves with small caps, how stable that is, and who leads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import estimation as est
from core.roles import RoleError, assign_roles
from ui.charts.relationships import (
    make_correlation_heatmap,
    make_lead_lag_chart,
    make_rolling_beta_chart,
    make_rolling_correlation_chart,
    make_subsample_chart,
    make_up_down_chart,
)
from ui.closes import adjusted_selection
from ui.common import escape_md, get_returns, show_source_banner
from ui.state import get_selection

FREQS = {"Daily": "D", "Weekly": "W"}
#: Market lags in the Dimson beta shown on the page.
DIMSON_LAGS = 1


def _num(x: float, digits: int = 2) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.{digits}f}"


def _pval(p: float) -> str:
    return "–" if pd.isna(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


#: Display names for the subsample tables.
SUBSAMPLE_COLUMNS = {"n": "periods", "vol_min": "vol from", "vol_max": "vol to",
                     "beta_lower": "low", "beta_upper": "high"}


sel = get_selection()
st.title("Relationships")
show_source_banner(sel.prices)
# total returns: dividend-adjusted equity closes where the data has them (core.adjusted)
sel, closes_used = adjusted_selection(sel)
st.markdown(
    "How much does crypto move when US small caps move, how steady is that link, and do small "
    "caps move first? **Correlation is not causation**: a beta says how two return series moved "
    "together in the past, not that one drives the other, nor that the link will hold."
)
st.caption(
    "Clocks differ: Yahoo's crypto daily close is at 00:00 UTC while US stocks close at 16:00 "
    "New York, so a day's crypto return and a day's stock return cover different hours. That "
    "makes daily co-movement look weaker than it is. Crypto's close comes about 4 hours after "
    "the US close, so news in those hours shows up in the market's *next* session: the lead-lag "
    "beta adds the market's previous and next sessions, the Dimson beta only the previous one, "
    "and the weekly beta sidesteps the clocks. Crypto is sampled on US trading days, so weekend "
    "moves count in Monday's return."
)
st.caption(escape_md(closes_used.label(sel.equity)))

crypto = sel.crypto_available
markets = {f"Russell 2000 proxy ({sel.russell})": sel.russell, f"S&P 500 proxy ({sel.sp})": sel.sp}
markets = {k: v for k, v in markets.items() if v in sel.prices.closes.columns}
if not crypto or not markets:
    st.warning("Choose at least one crypto ticker and a market proxy with data in the sidebar.")
    st.stop()

c1, c2, c3 = st.columns([2, 3, 2])
asset = c1.selectbox("Asset", crypto, key="rel_asset")
market_label = c2.selectbox("Market", list(markets), key="rel_market")
freq_label = c3.radio("Frequency", list(FREQS), horizontal=True, key="rel_freq")
market, freq = markets[market_label], FREQS[freq_label]
unit = "session" if freq == "D" else "week"

# Screen order: headline cards, then the rolling controls; the report needs the controls' values,
# so the cards go into a container filled once the report is computed.
cards = st.container()
st.subheader("Rolling beta and correlation")
r1, r2, r3 = st.columns([3, 2, 2])
window_choice = r1.radio("Window", [*map(str, est.ROLLING_WINDOWS), "Custom"], index=2,
                         horizontal=True, key="rel_window",
                         help=f"Number of {unit}s in each estimate.")
if window_choice == "Custom":
    window = int(r2.number_input(f"Custom window ({unit}s)", min_value=10, max_value=1000,
                                 value=120, step=10, key="rel_custom_window"))
else:
    window = int(window_choice)
halflife = float(r3.number_input(f"EWMA half-life ({unit}s)", min_value=2, max_value=500,
                                 value=30, step=1, key="rel_halflife",
                                 help="After this many periods an observation counts half as much."))

returns = get_returns(sel, freq=freq)
comparison_freq = "W" if freq == "D" else "D"
try:
    btc = assign_roles(crypto, need_alts=False).btc
except RoleError:
    btc = None
both_proxies = sel.sp in returns.columns and sel.russell in returns.columns
try:
    report = est.relationship_report(
        returns, asset, market, freq=freq,
        comparison_returns=get_returns(sel, freq=comparison_freq), comparison_freq=comparison_freq,
        dimson_lags=DIMSON_LAGS, window=window, halflife=halflife,
        factor_sp=sel.sp if both_proxies else None,
        factor_russell=sel.russell if both_proxies else None,
        factor_btc=btc,
    )
except est.EstimationError as exc:
    st.error(f"{escape_md(asset)} against {escape_md(market)}: {escape_md(exc)}")
    st.stop()
notes = dict(report.notes)


def _explain(part: str) -> None:
    """Say why a part of the report is missing (too little data), if it is."""
    if part in notes:
        st.error(f"{part[0].upper()}{part[1:]}: {escape_md(notes[part])}")


beta, corr = report.beta, report.corr

# ----------------------------------------------------------------- headline cards
with cards:
    st.subheader(f"{asset} against {market}, {freq_label.lower()} log returns")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Beta", _num(beta.beta), border=True,
              help=f"OLS slope: {asset}'s return per 1.00 of {market}'s return. Newey-West (HAC) "
                   f"interval with {beta.hac_lags} lags, which allows for changing volatility and "
                   "autocorrelation.")
    k1.caption(f"{beta.level:.0%} interval: {_num(beta.beta_ci[0])} to {_num(beta.beta_ci[1])}")
    k2.metric("Correlation", _num(corr.pearson), border=True,
              help="Pearson correlation of the returns; Spearman uses ranks and resists outliers.")
    k2.caption(f"Spearman {_num(corr.spearman)}; {corr.level:.0%} interval {_num(corr.pearson_ci[0])} "
               f"to {_num(corr.pearson_ci[1])}"
               + (f" (block bootstrap; i.i.d. Fisher z would say {_num(corr.pearson_ci_fisher[0])} to "
                  f"{_num(corr.pearson_ci_fisher[1])})" if corr.ci_method == est.CI_BLOCK_BOOTSTRAP
                  else " (Fisher z: too few periods for a block bootstrap)"))
    k3.metric("R-squared", _num(beta.r2), border=True,
              help=f"Share of {asset}'s return variance that lines up with {market}'s.")
    k3.caption(f"Alpha {beta.alpha:+.4f} per {unit}")
    k4.metric("Observations", f"{beta.n:,}", border=True,
              help="Periods where both returns exist.")
    k4.caption(f"{beta.start:%Y-%m-%d} to {beta.end:%Y-%m-%d}" if beta.start is not None else "")

    d0, d1, d2, d3 = st.columns(4)
    lead = report.lead_lag
    _explain(est.PART_LEAD_LAG_BETA)
    if lead is not None:
        d0.metric("Lead-lag beta (previous, same, next)", _num(lead.beta), border=True,
                  help=f"Sum of the slopes on {market}'s previous-, same- and next-{unit} returns in "
                       "one regression, with Newey-West (HAC) errors. The next-period term catches "
                       f"news that reaches {asset} before {market} closes again.")
        parts = ", ".join(f"{'next' if k > 0 else 'previous' if k < 0 else 'same'} "
                          f"{_num(v)} ± {_num(lead.loading_se[k])}" for k, v in lead.loadings.items())
        d0.caption(f"Interval {_num(lead.beta_ci[0])} to {_num(lead.beta_ci[1])}; {parts} (HAC SE)")
    dimson = report.dimson
    _explain(est.PART_DIMSON)
    if dimson is not None:
        d1.metric(f"Dimson beta (lags 0-{dimson.lags})", _num(dimson.beta), border=True,
                  help=f"Sum of the slopes on {market}'s same-period and previous-period returns: "
                       "catches moves that show up a period late because of the different closing "
                       "times.")
        d1.caption(f"Interval {_num(dimson.beta_ci[0])} to {_num(dimson.beta_ci[1])}; "
                   f"HAC SE {_num(dimson.beta_se)}")
    _explain(est.PART_COMPARISON[comparison_freq])
    other = report.comparison
    if other is not None and comparison_freq == "W":
        d2.metric("Weekly beta", _num(other.beta), border=True,
                  help="Beta of weekly returns (last session of each week): a few hours' clock "
                       "difference matters little over a week.")
        d2.caption(f"Interval {_num(other.beta_ci[0])} to {_num(other.beta_ci[1])}; n={other.n}")
    elif other is not None:
        d2.metric("Daily beta", _num(other.beta), border=True,
                  help="Beta of daily returns, for comparison with the weekly beta above.")
        d2.caption(f"Interval {_num(other.beta_ci[0])} to {_num(other.beta_ci[1])}; n={other.n}")
    d3.metric(f"Latest {window}-{unit} beta", _num(report.rolling_beta_last), border=True,
              help="Beta over the most recent rolling window.")
    if report.n_rolling:
        d3.caption(f"Range over time: {_num(report.rolling_beta_min)} to "
                   f"{_num(report.rolling_beta_max)}")

# ----------------------------------------------------------------- rolling
_explain(est.PART_ROLLING)
_explain(est.PART_EWMA)
rolling = report.rolling
if rolling is not None:
    if report.n_rolling:
        st.altair_chart(make_rolling_beta_chart(rolling, window), width="stretch")
        st.caption(
            f"Each point is the beta over the {window} {unit}s ending that day; the shaded band "
            "is ± 1.96 standard errors of that window's estimate. A band that swings across "
            "zero means the link is too weak or unstable to pin down."
        )
        lines = pd.DataFrame({f"{window}-{unit} rolling": rolling["corr"]})
        if report.ewma is not None:
            lines[f"EWMA, half-life {halflife:g} {unit}s"] = report.ewma
        st.altair_chart(make_rolling_correlation_chart(lines), width="stretch")
        st.caption(
            "The rolling line weighs the window's periods equally; the EWMA line weighs recent "
            "periods more, so it reacts faster and never drops old data abruptly."
        )
    else:
        st.info(f"Fewer than {window} {unit}s of paired data: shorten the window or widen the dates.")

# ----------------------------------------------------------------- matrix
st.subheader("Correlation matrix")
method = st.radio("Method", ["Pearson", "Spearman"], horizontal=True, key="rel_method",
                  help="Spearman correlates ranks, so a few huge days weigh less.")
_explain(est.PART_MATRIX)
matrix = report.matrices.get(method.lower())
if matrix is not None:
    st.altair_chart(make_correlation_heatmap(matrix.corr, matrix.n), width="content")
    st.caption(
        f"{freq_label} log returns of every loaded ticker; each pair uses the periods both have "
        "(hover for the count). Red: move together; blue: move apart."
    )

# ----------------------------------------------------------------- up / down
st.subheader("Up and down markets")
_explain(est.PART_UPDOWN)
updown = report.updown
ud = report.updown_table(f"{market} up", f"{market} down")
if updown is not None and ud is not None:
    u1, u2 = st.columns([3, 2])
    u1.altair_chart(make_up_down_chart(ud), width="stretch")
    u2.metric("Up capture", _num(updown.up_capture), border=True,
              help=f"Average {asset} return on {market}-up periods divided by {market}'s average gain.")
    u2.metric("Down capture", _num(updown.down_capture), border=True,
              help=f"Average {asset} return on {market}-down periods divided by {market}'s average loss.")
    st.caption(
        f"Betas fitted separately on periods when {market} rose and when it fell (whiskers: "
        f"{updown.level:.0%} intervals). A downside beta above the upside beta means {asset} "
        "has tended to fall harder with the market than it rose with it. The capture ratios are ratios of "
        f"average returns, so they include {asset}'s own drift: a coin that rose on average lifts its "
        "down-day average and lowers its down capture even when its downside beta is the larger one."
    )

# ----------------------------------------------------------------- lead-lag
st.subheader("Do small caps lead?")
_explain(est.PART_LEADLAG)
if report.cross is not None:
    st.altair_chart(make_lead_lag_chart(report.cross), width="stretch")
    st.caption(
        f"Bar k is the correlation between {market} today and {asset} k {unit}s later: bars on "
        f"the right (k > 0) mean {market} moved first, bars on the left mean {asset} moved first. "
        "Bars inside the dashed lines are within what chance alone produces."
    )
_explain(est.PART_GRANGER)
if report.granger is not None:
    granger = report.granger
    g = granger.table.rename(columns={
        "market_to_asset_p": f"p: {market} → {asset}",
        "asset_to_market_p": f"p: {asset} → {market}",
        "market_to_asset_p_homoskedastic": f"i.i.d. p: {market} → {asset}",
        "asset_to_market_p_homoskedastic": f"i.i.d. p: {asset} → {market}",
        "n": "periods",
    })[[f"p: {market} → {asset}", f"p: {asset} → {market}", f"i.i.d. p: {market} → {asset}",
        f"i.i.d. p: {asset} → {market}", "periods"]]
    st.dataframe(g.style.format({c: _pval for c in g.columns[:4]}), width="stretch")
    st.caption(
        "Granger tests per number of lags: a small p-value (below 0.05) says past values of one "
        "series help predict the other beyond its own past. That is predictability, not cause, "
        "and with many lags tested one small p-value can appear by chance. The p-values are Wald "
        f"tests with {granger.cov_label} standard errors, which allow for the changing volatility "
        "of returns; the i.i.d. columns assume constant volatility (the textbook F-test) and are "
        "shown only to compare: they overstate the evidence when volatility clusters. "
        f"Sample: the sidebar's dates ({sel.start:%Y-%m-%d} to {sel.end:%Y-%m-%d}). The lead/lag verdicts on "
        "the first page ask the same question on each claim's longest history (daily 5 lags, weekly 4), so "
        "their p-values differ from these."
    )

# ----------------------------------------------------------------- stability
st.subheader("How stable is it?")
y1, y2 = st.columns(2)
by_year = report.by_year
_explain(est.PART_BY_YEAR)
if by_year is not None:
    with y1:
        st.markdown("**By calendar year**")
        st.altair_chart(make_subsample_chart(by_year, "Year"), width="stretch")
        st.dataframe(by_year.rename(columns=SUBSAMPLE_COLUMNS).style.format(
            {"beta": "{:.2f}", "low": "{:.2f}", "high": "{:.2f}", "corr": "{:.2f}"},
            na_rep="–"), width="stretch")
        st.caption("Beta and correlation re-estimated within each year; short years are left blank.")
by_vol = report.by_volatility
_explain(est.PART_BY_VOL)
if by_vol is not None:
    with y2:
        st.markdown(f"**By {market} volatility**")
        st.altair_chart(make_subsample_chart(by_vol, "Market volatility"), width="stretch")
        vol_table = by_vol.rename(columns=SUBSAMPLE_COLUMNS)
        vol_table.insert(1, "vol range", [f"{lo:.2%}–{hi:.2%}" for lo, hi in
                                          zip(by_vol["vol_min"], by_vol["vol_max"], strict=True)])
        st.dataframe(vol_table.drop(columns=["vol from", "vol to"]).style.format(
            {"beta": "{:.2f}", "low": "{:.2f}", "high": "{:.2f}", "corr": "{:.2f}"},
            na_rep="–"), width="stretch")
        st.caption(
            f"Periods split into thirds by {market}'s realized volatility over the previous "
            f"{report.vol_window} {unit}s (known before the period starts; vol per {unit}, not "
            "annualized). A beta that rises in the high-volatility third means the link tightens "
            "in turbulence."
        )

# ----------------------------------------------------------------- factors
st.subheader("Several factors at once")
fit = report.factors
_explain(est.PART_FACTORS)
if fit is not None:
    used_btc = report.factor_btc
    names = {"const": "constant (per period)", est.FACTOR_MARKET: f"{sel.sp} (market)",
             est.FACTOR_SPREAD: f"{sel.russell} minus {sel.sp} (small-cap spread)",
             est.FACTOR_BTC: f"{used_btc} beyond equities"}
    table = fit.to_frame().rename(index=names)
    st.dataframe(table.style.format({"loading": "{:.3f}", "se": "{:.3f}", "t": "{:.1f}",
                                     "p": _pval}), width="stretch")
    st.caption(
        f"One regression of {asset} on the S&P proxy"
        + (f", the small-cap spread and {used_btc}'s own moves (its part not explained by the two equity "
           "factors)" if used_btc else " and the small-cap spread")
        + f". R-squared {fit.r2:.2f}, n={fit.n}; t-statistics use Newey-West errors. "
        "A spread loading far from zero means small caps matter beyond the broad market."
    )
elif est.PART_FACTORS not in notes:
    st.info("Load both the Russell and the S&P proxy to see the factor loadings.")
