"""Charts for the Compare page: overlaid outcome distributions and median paths.

Tooltip numbers are formatted in Python (:func:`ui.charts.simulation.format_pct`) so a value that
rounds to zero never shows as "-0.0%".
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts.simulation import format_pct

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
    binned = binned.assign(return_lo_text=[format_pct(v, 0) for v in binned["return_lo"]],
                           return_hi_text=[format_pct(v, 0) for v in binned["return_hi"]])
    return (
        alt.Chart(binned)
        .mark_area(opacity=0.35, interpolate="step", line={"strokeWidth": 1.5})
        .encode(
            x=alt.X("lo:Q", title="Log growth over the horizon, log(1 + return)"),
            y=alt.Y("density:Q", title="Density", stack=None),
            color=color,
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("return_lo_text:N", title="Return from"),
                alt.Tooltip("return_hi_text:N", title="Return to"),
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
    fan = fan.assign(**{f"{q}_text": [format_pct(v) for v in fan[q]] for q in ("p25", "p50", "p75")})
    base = alt.Chart(fan).encode(x=alt.X("day:Q", title="Trading day"), color=color)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("p25:Q", title="Cumulative return", axis=alt.Axis(format="%")),
                                              y2="p75:Q")
    line = base.mark_line(strokeWidth=2).encode(
        y="p50:Q",
        tooltip=[
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("day:Q", title="Day"),
            alt.Tooltip("p50_text:N", title="Median"),
            alt.Tooltip("p25_text:N", title="25th pct"),
            alt.Tooltip("p75_text:N", title="75th pct"),
        ],
    )
    return (band + line).properties(height=300)
