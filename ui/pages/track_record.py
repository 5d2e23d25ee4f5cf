"""Track record page: walk-forward validation of the scenario chosen in the Simulator."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core.conventions import BASKET, BASKET_LABEL
from core.errors import ExplorerError
from core.fitted_scenario import FITTED_REGIMES, FittedRegimesAtOrigins
from core.scenario import Scenario, ScenarioError
from core.scenario_edits import apply_settings
from core.validation import (
    BEATS_BTC,
    EVENTS,
    MAX_ORIGINS,
    brier_table,
    coverage_table,
    design_effect,
    fan_table,
    pit_histogram,
    reliability_table,
    summary_table,
)
from ui.charts.labels import text as label_text
from ui.charts.track_record import (
    make_brier_skill_chart,
    make_coverage_chart,
    make_fan_vs_realized_chart,
    make_pit_histogram_chart,
    make_reliability_chart,
)
from ui.common import escape_md, get_returns, show_source_banner
from ui.scenario_form import get_settings, load_base
from ui.simulation import ModelInputError, model_inputs
from ui.state import get_selection
from ui.track_record import TrackRecordRequest, cached_validation, run_validation

EVENT_LABELS = {"prob_ge_20pct": "P(≥ +20%)", "prob_loss_50pct": "P(≤ −50%)", BEATS_BTC: "P(basket beats BTC)"}
PATH_CHOICES = [500, 1_000, 2_000, 5_000, 10_000, 20_000]


def _asset_label(a: str) -> str:
    return BASKET_LABEL if a == BASKET else a


def _num(v: float, spec: str) -> str:
    """A number from core as text; missing or undefined as an en dash."""
    return "–" if v is None or math.isnan(v) else label_text([v], spec)[0].replace("-", "−")  # never "−0.00"


def _band(rate: float, lo: float, hi: float) -> str:
    """Coverage with its interval: ``"46% (30–63%)"``."""
    if math.isnan(rate):
        return "–"
    return f"{rate:.0%} ({lo:.0%}–{hi:.0%})"


sel = get_selection()
st.title("Track record")
show_source_banner(sel.prices)
st.markdown(
    "Were the simulator's probabilities ever right? At each **origin** (every *N* sessions from the start "
    "date) the model is calibrated on the data **up to that day only**, the scenario is simulated *H* "
    "sessions ahead, and the forecast is set against what happened next. A well-calibrated forecast puts "
    "half the outcomes inside its 50% band, nine in ten inside its 90% band, and spreads the PIT values "
    "(where each outcome fell in its forecast distribution) evenly over 0–1."
)

settings = get_settings()
try:
    base = load_base(settings.scenario)
    scenario = apply_settings(base, settings.overrides, base.horizon_days)
    if settings.scenario == FITTED_REGIMES:  # refitted from each origin's own past, never today's fit
        source: Scenario | FittedRegimesAtOrigins = FittedRegimesAtOrigins.with_edits(settings.overrides,
                                                                                      base.horizon_days)
    else:
        source = scenario
except ScenarioError as exc:
    st.error(f"The Simulator's scenario cannot be validated: {escape_md(exc)}")
    st.stop()
edited = " (with the Simulator's edits)" if settings.overrides else ""
st.caption(f"Scenario: **{escape_md(scenario.name)}**{edited}, as chosen in the Simulator; engine "
           f"{settings.engine}, seed {settings.seed}.")

try:
    roles = model_inputs(sel)
except ModelInputError as exc:
    st.error(f"Cannot build the market model: {escape_md(exc)}")
    st.stop()
returns = get_returns(sel, kind="log", freq="D")[[roles.russell, roles.btc, *roles.alts]]
if returns.empty:
    st.error("No returns in the selected date range.")
    st.stop()
first, last = returns.index[0].date(), returns.index[-1].date()
default_start = min(max(date(2019, 1, 1), first + timedelta(days=730)), last)

c1, c2, c3, c4 = st.columns(4)
start = c1.date_input("First origin", value=default_start, min_value=first, max_value=last, key="tr_start",
                      help="The model still calibrates on all the data before each origin.")
every = c2.number_input("Every (sessions)", 1, 252, 21, key="tr_every",
                        help=f"Sessions between origins (21 ≈ monthly); at most {MAX_ORIGINS} origins.")
horizon = c3.number_input("Horizon (sessions)", 5, 252, int(min(max(settings.horizon, 5), 252)), key="tr_horizon",
                          help="Sessions simulated ahead and compared with what happened (63 = a quarter).")
n_paths = c4.select_slider("Paths per origin", PATH_CHOICES, value=2_000, key="tr_paths",
                           help="More paths, less Monte Carlo noise in each forecast.")
req = TrackRecordRequest(scenario=source, start=start, every=int(every), horizon=int(horizon),
                         n_paths=int(n_paths), seed=int(settings.seed), engine=settings.engine)

result = cached_validation(returns, roles, req)
if st.button("Run the track record", type="primary", key="tr_run") and result is None:
    try:
        result = run_validation(returns, roles, req)
    except ExplorerError as exc:
        st.error(escape_md(exc))
        st.stop()
if result is None:
    st.info("Set the origins and press **Run the track record** (each origin is one calibration and one "
            "simulation; results are kept for the next visit).")
    st.stop()

summary = result.summary()
n_origins = len(result.origins)
scored = summary[result.russell]["n"]
st.caption(
    f"{n_origins} origins from {result.origins['date'].iloc[0]:%Y-%m-%d} to "
    f"{result.origins['date'].iloc[-1]:%Y-%m-%d}, {scored} with a realized outcome; {result.n_paths:,} paths × "
    f"{result.horizon} sessions each. "
    + (f"Overlapping horizons make neighbouring outcomes dependent: every interval and test uses an "
       f"effective n = n / {design_effect(result.every, result.horizon):.2g}."
       if design_effect(result.every, result.horizon) > 1 else
       "The horizons do not overlap, so every interval and test uses the number of scored origins.")
    + " A Brier skill far below zero for a rare event (P(≤ −50%)) comes from a climatology that almost "
      "never saw it: a tiny denominator, not necessarily a bad forecast."
)

table = summary_table(result)
shown = pd.DataFrame({
    "Asset": [_asset_label(a) for a in table.index],
    "Origins scored": table["n"].to_numpy(),
    "Effective n": [_num(v, "{:.1f}") for v in table["n_effective"]],
    "50% band": [_band(*v) for v in table[["coverage_50", "coverage_50_lo", "coverage_50_hi"]].to_numpy()],
    "90% band": [_band(*v) for v in table[["coverage_90", "coverage_90_lo", "coverage_90_hi"]].to_numpy()],
    "PIT KS p": [_num(v, "{:.2f}") for v in table["pit_ks_p"]],
    **{f"Skill {EVENT_LABELS[ev]}": [_num(v, "{:+.2f}") for v in table[f"skill_{ev}"]] for ev in EVENTS},
}).set_index("Asset")
st.dataframe(shown, width="stretch")
bb = result.basket_beats_btc()
st.caption(
    "Coverage: share of realized returns inside the forecast's 25–75% (50) and 5–95% (90) bands, with 95% "
    "Wilson intervals on the effective n. PIT KS p: a small value says the outcomes do not look like draws "
    "from the forecasts. Skill: 1 − Brier(model) / Brier(climatology), where climatology is the event's "
    f"frequency before each origin; above 0 beats it. P(basket beats BTC): skill "
    f"{_num(bb['skill'], '{:+.2f}')} over {bb['n']} origins."
)

tabs = st.tabs(["PIT", "Coverage", "Reliability", "Brier skill", "Forecast vs realized"])
with tabs[0]:
    hist = pit_histogram(result)
    hist["asset"] = hist["asset"].map(_asset_label)
    st.altair_chart(make_pit_histogram_chart(hist))
    st.caption("Where each realized return fell in its forecast distribution. Flat (the dashed line) is right; "
               "a U shape means the bands were too narrow, a hump too wide, a slope a biased centre.")
with tabs[1]:
    cov = coverage_table(result)
    cov["asset"] = cov["asset"].map(_asset_label)
    st.altair_chart(make_coverage_chart(cov), width="stretch")
    st.caption("Dots: observed coverage; lines: 95% intervals on the effective n; dashed: the nominal 50% and 90%.")
with tabs[2]:
    r1, r2 = st.columns(2)
    event = r1.selectbox("Event", [EVENTS[0], BEATS_BTC], format_func=EVENT_LABELS.get, key="tr_rel_event")
    rel = reliability_table(result, event)
    if event != BEATS_BTC:
        asset = r2.selectbox("Asset", list(result.assets), format_func=_asset_label, key="tr_rel_asset")
        rel = rel[rel["asset"] == asset]
    if rel.empty:
        st.info("No scored origin for this choice.")
    else:
        st.altair_chart(make_reliability_chart(rel), width="stretch")
    st.caption("Forecast probabilities in five bins against how often the event happened. On the diagonal is "
               "right; vertical lines are 95% intervals on each bin's effective n.")
with tabs[3]:
    brier = brier_table(result)
    brier["asset"] = brier["asset"].map(_asset_label)
    brier["event_label"] = brier["event"].map(EVENT_LABELS)
    st.altair_chart(make_brier_skill_chart(brier), width="stretch")
    st.dataframe(pd.DataFrame({
        "Asset": brier["asset"], "Event": brier["event_label"],
        "Brier (model)": [_num(v, "{:.4f}") for v in brier["model"]],
        "Brier (climatology)": [_num(v, "{:.4f}") for v in brier["climatology"]],
        "Skill": [_num(v, "{:+.2f}") for v in brier["skill"]], "Origins": brier["n"],
    }), width="stretch", hide_index=True)
    st.caption("Skill is undefined (–) when the event never happened before or during the test and climatology "
               "scores a perfect 0.")
with tabs[4]:
    fan_asset = st.selectbox("Asset", list(result.assets), format_func=_asset_label, key="tr_fan_asset")
    st.altair_chart(make_fan_vs_realized_chart(fan_table(result, fan_asset)), width="stretch")
    st.caption("Bands: the forecast's 5–95% and 25–75% ranges made at each origin for the next "
               f"{result.horizon} sessions; dots: what happened (none where the data end first).")

st.download_button("Download every forecast (CSV)", result.forecasts.to_csv(index=False).encode(),
                   "track_record.csv", "text/csv", key="tr_csv")
