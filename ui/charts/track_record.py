"""Charts for the Track record page; they only reshape frames computed in :mod:`core.validation`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts.axes import date_x
from ui.charts.labels import add_text


def make_pit_histogram_chart(hist: pd.DataFrame) -> alt.FacetChart:
    """PIT histogram per asset with the count a uniform PIT would give.

    ``hist``: ``asset, bin_lo, bin_hi, count, expected`` (:func:`core.validation.pit_histogram`).
    """
    base = alt.Chart(hist)
    bars = base.mark_bar(opacity=0.8).encode(
        x=alt.X("bin_lo:Q", bin="binned", title="PIT",
                scale=alt.Scale(domain=[0, 1])),
        x2="bin_hi:Q",
        y=alt.Y("count:Q", title="Origins"),
        tooltip=[alt.Tooltip("bin_lo:Q", title="From", format=".1f"), alt.Tooltip("bin_hi:Q", title="To", format=".1f"),
                 alt.Tooltip("count:Q", title="Origins")],
    )
    rule = base.mark_rule(color="#dc2626", strokeDash=[4, 3]).encode(y="expected:Q")
    return (bars + rule).properties(width=200, height=140).facet(
        facet=alt.Facet("asset:N", title=None, sort=list(dict.fromkeys(hist["asset"]))), columns=4)


def make_coverage_chart(cov: pd.DataFrame) -> alt.LayerChart:
    """Observed coverage of the 50% and 90% bands with intervals, against the nominal levels.

    ``cov``: ``asset, band, nominal, rate, lo, hi, n, n_effective`` (:func:`core.validation.coverage_table`).
    """
    order = list(dict.fromkeys(cov["asset"]))
    base = alt.Chart(cov).encode(
        y=alt.Y("asset:N", sort=order, title=None),
        color=alt.Color("band:N", title="Band", scale=alt.Scale(range=["#4f46e5", "#16a34a"])),
        yOffset="band:N",
    )
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("lo:Q", title="Share of realized returns inside the band",
                                                        scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
                                                x2="hi:Q")
    dots = base.mark_point(filled=True, size=70).encode(
        x="rate:Q",
        tooltip=[alt.Tooltip("asset:N"), alt.Tooltip("band:N"), alt.Tooltip("rate:Q", title="Coverage", format=".0%"),
                 alt.Tooltip("lo:Q", title="95% from", format=".0%"), alt.Tooltip("hi:Q", title="95% to", format=".0%"),
                 alt.Tooltip("n:Q", title="Origins"), alt.Tooltip("n_effective:Q", title="Effective n", format=".1f")],
    )
    nominal = alt.Chart(cov).mark_rule(strokeDash=[4, 3]).encode(x="nominal:Q", color="band:N")
    return (nominal + bars + dots).properties(height=max(160, 44 * len(order)))


def make_reliability_chart(rel: pd.DataFrame) -> alt.LayerChart:
    """Reliability diagram: mean forecast probability per bin against the observed frequency, with intervals.

    ``rel``: ``forecast, observed, lo, hi, n`` (:func:`core.validation.reliability_table`, one asset).
    """
    diag = alt.Chart(pd.DataFrame({"p": [0.0, 1.0]})).mark_line(color="#9ca3af", strokeDash=[4, 3]).encode(
        x=alt.X("p:Q", title="Forecast probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("p:Q", title="Observed frequency", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    )
    base = alt.Chart(rel).encode(x="forecast:Q")
    bars = base.mark_rule(color="#4f46e5").encode(y="lo:Q", y2="hi:Q")
    dots = base.mark_point(filled=True, color="#4f46e5").encode(
        y="observed:Q", size=alt.Size("n:Q", title="Origins"),
        tooltip=[alt.Tooltip("forecast:Q", title="Mean forecast", format=".0%"),
                 alt.Tooltip("observed:Q", title="Observed", format=".0%"),
                 alt.Tooltip("lo:Q", title="95% from", format=".0%"), alt.Tooltip("hi:Q", title="95% to", format=".0%"),
                 alt.Tooltip("n:Q", title="Origins")],
    )
    return (diag + bars + dots).properties(height=320)


def make_brier_skill_chart(brier: pd.DataFrame) -> alt.Chart:
    """Brier skill against climatology per asset and event (0 = no better than the past frequency).

    ``brier``: ``asset, event, model, climatology, skill, n`` (:func:`core.validation.brier_table`),
    with an added display column ``event_label``.
    """
    order = list(dict.fromkeys(brier["asset"]))
    shown = add_text(brier.dropna(subset=["skill"]), {"skill": "{:+.2f}"})
    return alt.Chart(shown).mark_bar().encode(
        y=alt.Y("asset:N", sort=order, title=None),
        yOffset="event_label:N",
        x=alt.X("skill:Q", title="Brier skill vs climatology (1 − model / climatology)"),
        color=alt.Color("event_label:N", title="Event"),
        tooltip=[alt.Tooltip("asset:N"), alt.Tooltip("event_label:N", title="Event"),
                 alt.Tooltip("skill_text:N", title="Skill"),
                 alt.Tooltip("model:Q", title="Brier (model)", format=".4f"),
                 alt.Tooltip("climatology:Q", title="Brier (climatology)", format=".4f"),
                 alt.Tooltip("n:Q", title="Origins")],
    ).properties(height=max(160, 44 * len(order)))


def make_fan_vs_realized_chart(fan: pd.DataFrame) -> alt.LayerChart:
    """Forecast bands at each origin (5-95%, 25-75%, median) and the return that followed.

    ``fan``: ``date, p05, p25, p50, p75, p95, realized`` (:func:`core.validation.fan_table`).
    """
    fan = add_text(fan, {c: "{:+.1%}" for c in ("realized", "p05", "p50", "p95")})
    base = alt.Chart(fan).encode(x=date_x("date", title="Forecast origin"))
    outer = base.mark_area(opacity=0.15, color="#4f46e5").encode(
        y=alt.Y("p05:Q", title="Return over the horizon", axis=alt.Axis(format="%")), y2="p95:Q")
    inner = base.mark_area(opacity=0.3, color="#4f46e5").encode(y="p25:Q", y2="p75:Q")
    median = base.mark_line(color="#4f46e5").encode(y="p50:Q")
    real = base.mark_point(filled=True, color="#dc2626", size=28).encode(
        y="realized:Q",
        tooltip=[alt.Tooltip("date:T", title="Origin"), alt.Tooltip("realized_text:N", title="Realized"),
                 alt.Tooltip("p05_text:N", title="5th pct"), alt.Tooltip("p50_text:N", title="Median"),
                 alt.Tooltip("p95_text:N", title="95th pct"), alt.Tooltip("pit:Q", title="PIT", format=".2f")],
    )
    return (outer + inner + median + real).properties(height=340)
