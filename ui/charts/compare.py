"""Charts for the Compare page: overlaid outcome distributions and median paths."""

from __future__ import annotations

import altair as alt
import pandas as pd

#: Four clearly different hues (Streamlit's default palette pairs light and dark shades).
SCENARIO_COLORS = ["#4f46e5", "#dc2626", "#16a34a", "#f59e0b"]


def _scenario_color(order: list[str] | None) -> alt.Color:
    return alt.Color("scenario:N", title="Scenario", sort=order, scale=alt.Scale(range=SCENARIO_COLORS))


def make_overlay_distribution_chart(binned: pd.DataFrame, order: list[str] | None = None) -> alt.Chart:
    """Overlaid histograms of log growth per scenario.

    ``binned`` has columns ``scenario, lo, hi, return_lo, return_hi, density``
    (see :func:`core.comparison.binned_log_growth`). The x axis is log growth
    ``log(1 + r)``, so a doubling and a halving sit at equal distances from 0;
    tooltips give the simple-return range.
    """
    color = _scenario_color(order)
    return (
        alt.Chart(binned)
        .mark_area(opacity=0.35, interpolate="step", line={"strokeWidth": 1.5})
        .encode(
            x=alt.X("lo:Q", title="Log growth over the horizon, log(1 + return)"),
            y=alt.Y("density:Q", title="Density", stack=None),
            color=color,
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("return_lo:Q", title="Return from", format="+.0%"),
                alt.Tooltip("return_hi:Q", title="Return to", format="+.0%"),
                alt.Tooltip("density:Q", title="Density", format=".3f"),
            ],
        )
        .properties(height=320)
    )


def make_median_paths_chart(fan: pd.DataFrame, order: list[str] | None = None) -> alt.LayerChart:
    """Median path and 25-75% band per scenario.

    ``fan`` has columns ``scenario, day, p25, p50, p75`` (cumulative simple returns).
    """
    color = _scenario_color(order)
    base = alt.Chart(fan).encode(x=alt.X("day:Q", title="Trading day"), color=color)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("p25:Q", title="Cumulative return", axis=alt.Axis(format="%")),
                                              y2="p75:Q")
    line = base.mark_line(strokeWidth=2).encode(
        y="p50:Q",
        tooltip=[
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("day:Q", title="Day"),
            alt.Tooltip("p50:Q", title="Median", format="+.1%"),
            alt.Tooltip("p25:Q", title="25th pct", format="+.1%"),
            alt.Tooltip("p75:Q", title="75th pct", format="+.1%"),
        ],
    )
    return (band + line).properties(height=300)
