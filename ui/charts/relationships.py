"""Charts for the Relationships page (pure: pandas in, Altair chart out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts.axes import date_x
from ui.charts.labels import text as label_text

Chart = alt.Chart | alt.LayerChart

#: Heatmap cells with fewer common periods than this are faded (short windows, weekly data).
FEW_PERIODS = 20


def _reset(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.rename_axis(name).reset_index()


def make_rolling_beta_chart(rolling: pd.DataFrame, window: int, level: float = 0.95) -> Chart:
    """Rolling beta with its confidence band.

    Parameters
    ----------
    rolling : pandas.DataFrame
        Indexed by date, columns ``beta``, ``beta_lower``, ``beta_upper``, ``n``
        (as from ``core.estimation.rolling_beta``).
    window : int
        Window length in periods (for titles).
    level : float
        Band level (for the legend text).
    """
    data = _reset(rolling[["beta", "beta_lower", "beta_upper", "n"]], "date").dropna(subset=["beta"])
    base = alt.Chart(data).encode(x=date_x())
    tooltip = [
        alt.Tooltip("date:T", title="Window ends"),
        alt.Tooltip("beta:Q", title="Beta", format=".2f"),
        alt.Tooltip("beta_lower:Q", title=f"{level:.0%} band low", format=".2f"),
        alt.Tooltip("beta_upper:Q", title=f"{level:.0%} band high", format=".2f"),
        alt.Tooltip("n:Q", title="Pairs in window", format=".0f"),
    ]
    band = base.mark_area(opacity=0.25, color="#4c78a8").encode(
        y=alt.Y("beta_lower:Q", title=f"{window}-period beta"), y2="beta_upper:Q"
    )
    line = base.mark_line(color="#1f4e79", strokeWidth=1.5).encode(y="beta:Q", tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="gray", strokeDash=[4, 4]).encode(
        y="y:Q")
    return (band + line + zero).properties(height=280)


def make_rolling_correlation_chart(corr: pd.DataFrame) -> Chart:
    """Rolling and EWMA correlation lines.

    Parameters
    ----------
    corr : pandas.DataFrame
        Indexed by date, one column per line (e.g. "90-period rolling",
        "EWMA, half-life 30"), values in [-1, 1].
    """
    data = _reset(corr, "date").melt("date", var_name="measure", value_name="corr").dropna()
    lines = alt.Chart(data).mark_line(strokeWidth=1.4).encode(
        x=date_x(),
        y=alt.Y("corr:Q", title="Correlation", scale=alt.Scale(domain=[-1, 1])),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(range=["#1f4e79", "#f28e2b"])),
        tooltip=[
            alt.Tooltip("date:T", title="Date"),
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("corr:Q", title="Correlation", format=".2f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="gray", strokeDash=[4, 4]).encode(
        y="y:Q")
    return (lines + zero).properties(height=240)


def make_correlation_heatmap(corr: pd.DataFrame, counts: pd.DataFrame | None = None) -> Chart:
    """Correlation matrix as a heatmap with the values written in the cells.

    Parameters
    ----------
    corr : pandas.DataFrame
        Square correlation matrix (tickers x tickers).
    counts : pandas.DataFrame, optional
        Pairwise observation counts, same shape (shown in the tooltip; cells with fewer than
        :data:`FEW_PERIODS` are faded).

    A pair without a correlation (no common period in a short window, a series that ended
    before it) is a grey cell marked "–" instead of an empty square or "NaN".
    """
    order = [str(c) for c in corr.columns]
    data = corr.rename_axis(index="row", columns="col").stack(future_stack=True).rename("corr")
    data = data.reset_index()
    data["row"], data["col"] = data["row"].astype(str), data["col"].astype(str)
    if counts is not None:
        n = counts.rename_axis(index="row", columns="col").stack(future_stack=True).rename("n")
        n = n.reset_index().astype({"row": str, "col": str})
        data = data.merge(n, on=["row", "col"], how="left")
    else:
        data["n"] = pd.NA
    data["n"] = pd.to_numeric(data["n"], errors="coerce")
    # short windows: a pair with no common period has no correlation (grey cell, "–"), and one
    # with fewer than FEW_PERIODS common periods is faded: its number is mostly noise
    data["label"] = label_text(data["corr"].to_numpy(dtype=float), "{:.2f}")  # never "-0.00"
    data["few"] = data["n"].notna() & (data["n"] < FEW_PERIODS)
    base = alt.Chart(data).encode(
        x=alt.X("col:N", title=None, sort=order),
        y=alt.Y("row:N", title=None, sort=order),
    )
    tooltip = [
        alt.Tooltip("row:N", title="Ticker"),
        alt.Tooltip("col:N", title="with"),
        alt.Tooltip("label:N", title="Correlation"),
        alt.Tooltip("n:Q", title="Common periods", format=".0f"),
    ]
    missing = base.transform_filter("!isValid(datum.corr)").mark_rect(color="#e6e6e6").encode(tooltip=tooltip)
    cells = base.transform_filter("isValid(datum.corr)").mark_rect().encode(
        color=alt.Color("corr:Q", title="Correlation",
                        scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True)),
        opacity=alt.condition("datum.few", alt.value(0.35), alt.value(1.0)),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("label:N"),
        color=alt.condition("isValid(datum.corr) && abs(datum.corr) > 0.6 && !datum.few",
                            alt.value("white"), alt.value("black")),
        tooltip=tooltip,
    )
    side = max(220, 44 * len(order))
    return (missing + cells + text).properties(width=side, height=side)


def make_up_down_chart(table: pd.DataFrame) -> Chart:
    """Upside vs downside beta bars with interval whiskers.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: side labels (e.g. "Market up", "Market down"); columns ``beta``,
        ``lower``, ``upper``, ``capture``, ``n``.
    """
    data = _reset(table, "side")
    order = list(data["side"])
    base = alt.Chart(data).encode(
        x=alt.X("side:N", title=None, sort=order, axis=alt.Axis(labelAngle=0)))
    tooltip = [
        alt.Tooltip("side:N", title="Periods"),
        alt.Tooltip("beta:Q", title="Beta", format=".2f"),
        alt.Tooltip("lower:Q", title="Interval low", format=".2f"),
        alt.Tooltip("upper:Q", title="Interval high", format=".2f"),
        alt.Tooltip("capture:Q", title="Capture ratio", format=".2f"),
        alt.Tooltip("n:Q", title="Periods used", format=".0f"),
    ]
    bars = base.mark_bar(size=48).encode(
        y=alt.Y("beta:Q", title="Beta"),
        color=alt.Color("side:N", legend=None, sort=order,
                        scale=alt.Scale(range=["#59a14f", "#e15759"])),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(strokeWidth=2, color="black").encode(y="lower:Q", y2="upper:Q")
    return (bars + whiskers).properties(height=260)


def make_lead_lag_chart(cross: pd.DataFrame) -> Chart:
    """Cross-correlation bars by lag with the approximate 95 % no-correlation band.

    Parameters
    ----------
    cross : pandas.DataFrame
        Indexed by lag (positive = market leads), columns ``corr``, ``n``, ``band``.
    """
    data = _reset(cross, "lag")
    data["who"] = pd.Series(pd.cut(data["lag"], [-1e9, -0.5, 0.5, 1e9],
                                   labels=["asset leads", "same period", "market leads"]),
                            dtype=str)
    band = float(data["band"].max())
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("lag:O", title="Lag k in periods: corr(market today, asset k periods later)",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("corr:Q", title="Correlation"),
        color=alt.Color("who:N", title=None, legend=alt.Legend(orient="top"),
                        sort=["asset leads", "same period", "market leads"],
                        scale=alt.Scale(range=["#f28e2b", "#4c78a8", "#59a14f"])),
        tooltip=[
            alt.Tooltip("lag:O", title="Lag"),
            alt.Tooltip("who:N", title="Reading"),
            alt.Tooltip("corr:Q", title="Correlation", format=".3f"),
            alt.Tooltip("n:Q", title="Pairs", format=".0f"),
            alt.Tooltip("band:Q", title="95% noise band ±", format=".3f"),
        ],
    )
    rules = alt.Chart(pd.DataFrame({"y": [-band, band]})).mark_rule(
        color="gray", strokeDash=[4, 4]).encode(y="y:Q")
    return (bars + rules).properties(height=260)


def make_subsample_chart(table: pd.DataFrame, label: str) -> Chart:
    """Beta per subsample (year or volatility tercile) as points with interval whiskers.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: subsample labels; columns ``beta``, ``beta_lower``, ``beta_upper``,
        ``corr``, ``n``.
    label : str
        Axis title for the subsample labels.
    """
    data = _reset(table[["beta", "beta_lower", "beta_upper", "corr", "n"]], "group")
    data["group"] = data["group"].astype(str)
    data = data.dropna(subset=["beta"])
    order = list(data["group"])
    base = alt.Chart(data).encode(
        x=alt.X("group:N", title=label, sort=order, axis=alt.Axis(labelAngle=0)))
    tooltip = [
        alt.Tooltip("group:N", title=label),
        alt.Tooltip("beta:Q", title="Beta", format=".2f"),
        alt.Tooltip("beta_lower:Q", title="Interval low", format=".2f"),
        alt.Tooltip("beta_upper:Q", title="Interval high", format=".2f"),
        alt.Tooltip("corr:Q", title="Correlation", format=".2f"),
        alt.Tooltip("n:Q", title="Periods", format=".0f"),
    ]
    whiskers = base.mark_rule(strokeWidth=2, color="#4c78a8").encode(
        y=alt.Y("beta_lower:Q", title="Beta"), y2="beta_upper:Q")
    points = base.mark_circle(size=70, color="#1f4e79").encode(y="beta:Q", tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="gray", strokeDash=[4, 4]).encode(
        y="y:Q")
    return (whiskers + points + zero).properties(height=240)
