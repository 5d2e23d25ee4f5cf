"""Charts for the Altcoin season page (pure: frames from core in, Altair chart out; only reshape)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts.axes import date_x
from ui.charts.labels import add_text

#: Colours of the event kinds overlaid on the index (core.altseason_study's names).
EVENT_COLORS: dict[str, str] = {"Russell streaks": "#f28e2b", "breakouts": "#e45756", "spread events": "#59a14f"}


def make_altseason_chart(
    series: pd.DataFrame,
    events: pd.DataFrame,
    *,
    threshold: float,
    bitcoin_threshold: float,
    window: int,
) -> alt.LayerChart:
    """The index over time with the season thresholds and the small-cap events as vertical rules.

    Parameters
    ----------
    series : pandas.DataFrame
        ``AltseasonIndex.series``: ``date, index, n_coins``.
    events : pandas.DataFrame
        ``AltseasonEvents.long()``: ``kind, date`` (drawn as vertical rules).
    threshold, bitcoin_threshold : float
        Percent levels of altcoin season (at or above) and Bitcoin season (below).
    window : int
        Look-back in days (for the axis title).
    """
    data = series.dropna(subset=["index"])
    lo, hi = data["date"].min(), data["date"].max()
    x = date_x().scale(domain=_span(series))  # the same span as the coverage panel below
    ev = events[(events["date"] >= lo) & (events["date"] <= hi)] if len(data) else events.iloc[:0]
    kinds = list(EVENT_COLORS)
    line = alt.Chart(data).mark_line(strokeWidth=1.1, color="#1f4e79").encode(
        x=x,
        y=alt.Y("index:Q", title=f"Altcoin season index ({window}-day)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[
            alt.Tooltip("date:T", title="Date"),
            alt.Tooltip("index:Q", title="Index", format=".0f"),
            alt.Tooltip("n_coins:Q", title="Coins counted"),
        ],
    )
    alt_label = f"altcoin season (≥ {threshold:g})"
    btc_label = f"Bitcoin season (< {bitcoin_threshold:g})"
    levels = pd.DataFrame({"y": [threshold, bitcoin_threshold], "level": [alt_label, btc_label]})
    rules = alt.Chart(levels).mark_rule(strokeDash=[5, 4], strokeWidth=1.5).encode(
        y="y:Q",
        color=alt.Color("level:N", title="Season", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=[alt_label, btc_label], range=["#b22222", "#f2a900"])),
    )
    marks = alt.Chart(ev).mark_rule(strokeWidth=1.2, opacity=0.55).encode(
        x=x,
        color=alt.Color("kind:N", title="Small-cap event", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=kinds, range=[EVENT_COLORS[k] for k in kinds])),
        tooltip=[alt.Tooltip("kind:N", title="Event"), alt.Tooltip("date:T", title="Date")],
    )
    return alt.layer(marks, line, rules).resolve_scale(color="independent").properties(height=340)


def make_coverage_chart(series: pd.DataFrame) -> alt.Chart:
    """How many coins each day's index counts (``AltseasonIndex.series``: ``date, n_coins``)."""
    data = series[series["n_coins"] > 0]
    return alt.Chart(data).mark_area(interpolate="step-after", color="#9ecae9").encode(
        x=date_x().scale(domain=_span(series)),
        y=alt.Y("n_coins:Q", title="Coins", axis=alt.Axis(tickMinStep=1, tickCount=3)),
        tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("n_coins:Q", title="Coins counted")],
    ).properties(height=120)


def _span(series: pd.DataFrame) -> list[str]:
    """First and last date with any coin counted (ISO), the shared x domain of the two panels."""
    dates = series.loc[series["n_coins"] > 0, "date"]
    if dates.empty:
        dates = series["date"]
    return [f"{pd.Timestamp(dates.min()):%Y-%m-%d}", f"{pd.Timestamp(dates.max()):%Y-%m-%d}"]


def make_drivers_chart(coins: pd.DataFrame, *, window: int, btc: str) -> alt.Chart:
    """Each counted coin's return relative to BTC over the window: who makes today's reading.

    Parameters
    ----------
    coins : pandas.DataFrame
        ``AltseasonReading.drivers``: index ``coin``; ``return``, ``vs_btc``, ``beats``.
    """
    data = add_text(coins.rename_axis("coin").reset_index(), {"return": "{:+.1%}", "vs_btc": "{:+.1%}"})
    data["beats"] = data["beats"].map({True: f"beats {btc}", False: f"trails {btc}"})
    order = list(data["coin"])
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("coin:N", title=None, sort=order),
        x=alt.X("vs_btc:Q", title=f"Return relative to {btc} over {window} days", axis=alt.Axis(format="+%")),
        color=alt.Color("beats:N", title=None, scale=alt.Scale(domain=[f"beats {btc}", f"trails {btc}"],
                                                                range=["#59a14f", "#e15759"]),
                        legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("coin:N", title="Coin"),
            alt.Tooltip("return_text:N", title="Return"),
            alt.Tooltip("vs_btc_text:N", title=f"Relative to {btc}"),
        ],
    ).properties(height=alt.Step(26))  # a fixed height collapses a nominal axis in st.altair_chart


def make_study_chart(table: pd.DataFrame) -> alt.FacetChart:
    """Share of events followed by altcoin season vs the share of all sessions, per kind and horizon.

    Parameters
    ----------
    table : pandas.DataFrame
        ``AltseasonStudy.table``: ``kind, horizon, n_events, event_rate, base_rate, ci_low,
        ci_high`` (intervals NaN under five events: no whisker is drawn then).
    """
    data = table.copy()
    data["h"] = [str(int(h)) for h in data["horizon"]]
    h_order = [str(int(h)) for h in sorted(data["horizon"].unique())]
    base = alt.Chart().encode(x=alt.X("h:N", title="Within h sessions", sort=h_order,
                                      axis=alt.Axis(labelAngle=0, labelOverlap=False)))
    tip = [
        alt.Tooltip("kind:N", title="After"),
        alt.Tooltip("h:N", title="Within (sessions)"),
        alt.Tooltip("n_events:Q", title="Events used"),
        alt.Tooltip("hits:Q", title="Followed by altcoin season"),
        alt.Tooltip("event_rate:Q", title="Share of events", format=".0%"),
        alt.Tooltip("base_rate:Q", title="Share of all sessions", format=".0%"),
        alt.Tooltip("p_perm:Q", title="p (permutation)", format=".3f"),
    ]
    whisk = base.mark_rule(color="#b22222", strokeWidth=1.5).encode(
        y=alt.Y("ci_low:Q", title="Share reaching the threshold", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        y2="ci_high:Q",
    )
    ev = base.mark_point(filled=True, size=90, color="#b22222", shape="circle").encode(
        y=alt.Y("event_rate:Q"), tooltip=tip)
    allp = base.mark_tick(color="#1f4e79", thickness=3, size=26).encode(y=alt.Y("base_rate:Q"), tooltip=tip)
    return alt.layer(whisk, allp, ev, data=data).properties(width=220, height=220).facet(
        column=alt.Column("kind:N", title=None, sort=list(EVENT_COLORS))
    )
