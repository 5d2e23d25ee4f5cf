"""Charts for the Market page."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts.axes import date_x


def _long(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    out = frame.rename_axis("date").reset_index().melt("date", var_name="ticker", value_name=value)
    return out.dropna(subset=[value])


def make_performance_chart(rebased: pd.DataFrame, *, log_scale: bool = False) -> alt.LayerChart:
    """Growth of 100 per ticker (wide frame: dates x tickers), with a hover rule and tooltips."""
    data = _long(rebased, "value")
    legend_pick = alt.selection_point(fields=["ticker"], bind="legend")
    hover = alt.selection_point(fields=["date"], nearest=True, on="pointerover", empty=False, clear="pointerout")
    y = alt.Y("value:Q", title="Growth of 100" + (" (log scale)" if log_scale else ""),
              scale=alt.Scale(type="log") if log_scale else alt.Scale(zero=False))
    order = list(rebased.columns)
    base = alt.Chart(data).encode(x=date_x(),
                                  color=alt.Color("ticker:N", title="Ticker", sort=order))
    lines = base.mark_line(strokeWidth=1.6).encode(
        y=y, opacity=alt.condition(legend_pick, alt.value(1.0), alt.value(0.15))
    ).add_params(legend_pick)
    points = base.mark_point(size=30, filled=True).encode(
        y=y,
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)),
        tooltip=[
            alt.Tooltip("date:T", title="Date"),
            alt.Tooltip("ticker:N", title="Ticker"),
            alt.Tooltip("value:Q", title="Growth of 100", format=",.1f"),
        ],
    ).add_params(hover)
    rule = alt.Chart(data).mark_rule(color="gray", opacity=0.5).encode(x=date_x()).transform_filter(hover)
    return (lines + points + rule).properties(height=380)


def make_volatility_chart(rolling_vol: pd.DataFrame, window: int) -> alt.Chart:
    """Rolling annualized volatility per ticker (wide frame: dates x tickers, decimals)."""
    data = _long(rolling_vol, "vol")
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=1.3)
        .encode(
            x=date_x(),
            y=alt.Y("vol:Q", title=f"{window}-session realized vol (annualized)", axis=alt.Axis(format="%")),
            color=alt.Color("ticker:N", title="Ticker", sort=list(rolling_vol.columns)),
            tooltip=[
                alt.Tooltip("date:T", title="Date"),
                alt.Tooltip("ticker:N", title="Ticker"),
                alt.Tooltip("vol:Q", title="Volatility", format=".1%"),
            ],
        )
        .properties(height=260)
    )
