"""Charts for the Breakouts & streaks page: prices with breakout markers, streaks, event studies."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.events import BreakoutTable
from ui.charts.axes import date_x
from ui.charts.labels import add_text

#: Longest line drawn point by point; longer series keep every k-th session (markers stay exact).
MAX_LINE_ROWS = 4000


def _thin(frame: pd.DataFrame, max_rows: int = MAX_LINE_ROWS) -> pd.DataFrame:
    """Every k-th row (and the last) so a line stays under ``max_rows`` points."""
    if len(frame) <= max_rows:
        return frame
    step = int(np.ceil(len(frame) / max_rows))
    keep = np.zeros(len(frame), dtype=bool)
    keep[::step] = True
    keep[-1] = True
    return frame[keep]


def make_breakout_chart(table: BreakoutTable, *, ticker: str, log_scale: bool = True) -> alt.Chart:
    """Close with the running all-time high and breakout markers.

    Parameters
    ----------
    table : BreakoutTable
        From ``core.events.find_breakouts``: ``closes`` (NaN rows dropped), ``running_high`` and
        ``events`` (date, close, prior_high, prior_high_date, base_sessions, base_drawdown).
    """
    s, events = table.closes, table.events
    line_df = _thin(
        pd.DataFrame({"date": s.index, "close": s.to_numpy(), "high": table.running_high.to_numpy()})
    )
    y_scale = alt.Scale(type="log", nice=False) if log_scale else alt.Scale(zero=False)  # no decade padding
    y = alt.Y(
        "close:Q", title=f"{ticker} close" + (" (log scale)" if log_scale else ""), scale=y_scale
    )
    base = alt.Chart(line_df).encode(x=date_x())
    price = base.mark_line(strokeWidth=1.3, color="#4c78a8").encode(
        y=y,
        tooltip=[
            alt.Tooltip("date:T", title="Date"),
            alt.Tooltip("close:Q", title="Close", format=",.2f"),
        ],
    )
    high = base.mark_line(strokeWidth=1, strokeDash=[4, 3], color="gray", opacity=0.7).encode(
        y=alt.Y("high:Q", scale=y_scale),
        tooltip=[
            alt.Tooltip("date:T", title="Date"),
            alt.Tooltip("high:Q", title="All-time high so far", format=",.2f"),
        ],
    )
    ev = add_text(events, {"base_drawdown": "{:.1%}"})
    ev["label"] = [f"{d:%Y-%m-%d}" for d in ev["date"]]
    markers = (
        alt.Chart(ev)
        .mark_point(shape="triangle-up", size=140, filled=True, color="#e45756")
        .encode(
            x=date_x(),
            y=alt.Y("close:Q", scale=y_scale),
            tooltip=[
                alt.Tooltip("date:T", title="Breakout"),
                alt.Tooltip("close:Q", title="Close", format=",.2f"),
                alt.Tooltip("prior_high:Q", title="Prior all-time high", format=",.2f"),
                alt.Tooltip("prior_high_date:T", title="Prior high set on"),
                alt.Tooltip("base_sessions:Q", title="Base (sessions)"),
                alt.Tooltip("base_drawdown_text:N", title="Deepest fall in the base"),
            ],
        )
    )
    return (price + high + markers).properties(height=360)


def make_streak_timeline_chart(
    streaks: pd.DataFrame, *, highlight: int = 10, min_length: int = 1
) -> alt.Chart:
    """One vertical bar per streak at its end date, height = length; the ``highlight`` longest in red.

    Parameters
    ----------
    streaks : pd.DataFrame
        ``StreakTable.streaks``: start, end, length, leader_return, laggard_return, spread.
    min_length : int
        Streaks shorter than this are left out (keeps the chart readable).
    """
    data = streaks.loc[
        streaks["length"] >= min_length,
        ["start", "end", "length", "leader_return", "laggard_return"],
    ].copy()
    data = add_text(data, {"leader_return": "{:+.2%}", "laggard_return": "{:+.2%}"})
    top_idx = streaks.sort_values(["length", "end"], ascending=[False, False]).head(highlight).index
    data["rank"] = np.where(data.index.isin(top_idx), f"top {highlight}", "other")
    return (
        alt.Chart(data)
        .mark_bar(width=2)
        .encode(
            x=date_x("end", "Streak end"),
            y=alt.Y("length:Q", title="Length (sessions)"),
            color=alt.Color(
                "rank:N",
                title=None,
                scale=alt.Scale(domain=[f"top {highlight}", "other"], range=["#e45756", "#9ecae9"]),
            ),
            tooltip=[
                alt.Tooltip("start:T", title="Start"),
                alt.Tooltip("end:T", title="End"),
                alt.Tooltip("length:Q", title="Sessions"),
                alt.Tooltip("leader_return_text:N", title="Leader over the run"),
                alt.Tooltip("laggard_return_text:N", title="Laggard over the run"),
            ],
        )
        .properties(height=240)
    )


def make_spread_chart(
    spread: pd.Series, events: pd.DataFrame, *, threshold: float, window: int
) -> alt.Chart:
    """The k-session spread (leader minus laggard cumulative return) with its threshold and events."""
    s = spread.dropna()
    data = add_text(_thin(pd.DataFrame({"date": s.index, "spread": s.to_numpy()})), {"spread": "{:+.2%}"})
    events = add_text(events, {c: "{:+.2%}" for c in ("spread", "leader_return", "laggard_return")})
    line = (
        alt.Chart(data)
        .mark_line(strokeWidth=1, color="#4c78a8")
        .encode(
            x=date_x(),
            y=alt.Y("spread:Q", title=f"{window}-session spread", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("date:T", title="Date"),
                alt.Tooltip("spread_text:N", title="Spread"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [threshold]}))
        .mark_rule(color="gray", strokeDash=[4, 3])
        .encode(y="threshold:Q")
    )
    points = (
        alt.Chart(events)
        .mark_point(size=80, filled=True, color="#e45756")
        .encode(
            x=date_x(),
            y="spread:Q",
            tooltip=[
                alt.Tooltip("date:T", title="Event"),
                alt.Tooltip("spread_text:N", title="Spread"),
                alt.Tooltip("leader_return_text:N", title="Leader"),
                alt.Tooltip("laggard_return_text:N", title="Laggard"),
            ],
        )
    )
    return (line + rule + points).properties(height=240)


def build_event_study_frame(distribution: pd.DataFrame) -> pd.DataFrame:
    """Add the panel titles to ``core.events.event_study_distribution``'s long frame.

    Each row gets ``title = "<asset> (n events = <n_events>)"``; every number comes from core.
    """
    frame = distribution.copy()
    frame["title"] = [f"{a} (n events = {int(n)})" for a, n in zip(frame["asset"], frame["n_events"], strict=True)]
    return frame


def make_event_study_chart(frame: pd.DataFrame, *, horizon: int) -> alt.Chart:
    """Distribution of forward returns over all sessions (bars) vs after events (red rules), per asset.

    ``frame`` comes from :func:`build_event_study_frame`; the x axis is log growth,
    labelled as simple returns. Each panel's title carries the number of events.
    """
    pct_label = "format(exp(datum.value) - 1, '+.0%')"
    x_axis = alt.Axis(
        labelExpr=pct_label, title=f"Return over the next {horizon} sessions (log scale)"
    )
    bars = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "all sessions")
        .mark_bar(color="#9ecae9", opacity=0.8)
        .encode(
            x=alt.X("lo:Q", axis=x_axis),
            x2="hi:Q",
            # y2 at zero: with only x/x2 ranged, Vega-Lite draws a horizontal bar of fixed
            # thickness at y = density, the "floating dashes"; both ranged, each bin is a rectangle
            y=alt.Y("density:Q", title="Density (all sessions)"),
            y2=alt.Y2Datum(0.0),
            tooltip=[
                alt.Tooltip("n:Q", title="Sessions in the sample"),
                alt.Tooltip("density:Q", title="Density", format=".2f"),
            ],
        )
    )
    events = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "event")
        .mark_rule(color="#e45756", strokeWidth=2)
        .encode(
            x=alt.X("g:Q"),
            tooltip=[
                alt.Tooltip("event_date:T", title="Event"),
                alt.Tooltip("forward_return_text:N", title="Forward return"),
            ],
        )
    )
    means = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "mean")
        .mark_rule(strokeDash=[5, 3], strokeWidth=1.5)
        .encode(
            x=alt.X("g:Q"),
            color=alt.Color(
                "group:N",
                title="Mean",
                scale=alt.Scale(domain=["all sessions", "events"], range=["#1f4e79", "#b22222"]),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Mean of"),
                alt.Tooltip("forward_return_text:N", title="Mean forward return"),
                alt.Tooltip("n:Q", title="n"),
            ],
        )
    )
    return (
        alt.layer(bars, events, means, data=add_text(frame, {"forward_return": "{:+.1%}"}))
        .properties(width=300, height=170)
        .facet(facet=alt.Facet("title:N", title=None), columns=2)
        .resolve_scale(x="independent", y="independent")
    )
