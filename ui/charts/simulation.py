"""Charts and table formatting of Monte Carlo outcomes (Simulator and Compare pages).

Builders are pure: frames in, ``alt.Chart`` out; they draw and format, never compute a
statistic. The frames come from ``core``: histograms and percentile markers from
:mod:`core.distributions`, exceedance curves and target probabilities from
:mod:`core.metrics`, sweeps from :mod:`core.sensitivity`. Every frame is long and has a
grouping column (``"asset"`` on the Simulator, ``"scenario"`` when comparing
scenarios), so the same builder draws either.

Returns are simple returns over the horizon, as decimals (0.2 = +20%). With
``log_axis=True`` the x (or y) values are ``log(1 + r)`` and the axis labels show
the matching simple returns, so a 5x and a -80% are equally far from zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd

#: z for the 95% Monte Carlo intervals drawn as error bars.
Z95 = 1.959963984540054

_LOG_LABELS = "format(exp(datum.value) - 1, '+.0%')"


def _color(group: str, sort: Sequence[str]) -> alt.Color:
    """Categorical colours that stay distinct for up to ten groups (the theme's default is one hue)."""
    return alt.Color(f"{group}:N", title=group.capitalize(), sort=list(sort),
                     scale=alt.Scale(scheme="tableau10", domain=list(sort)))


def _x_axis(log_axis: bool, fmt: str) -> alt.Axis:
    if log_axis:
        return alt.Axis(labelExpr=_LOG_LABELS, title=None)
    return alt.Axis(format=fmt, title=None)


def make_distribution_chart(
    hist: pd.DataFrame,
    markers: pd.DataFrame | None = None,
    *,
    group: str = "asset",
    log_axis: bool = False,
    x_title: str = "Return over the horizon",
    x_format: str = "+.0%",
    order: Sequence[str] | None = None,
) -> alt.LayerChart:
    """Density per group as step areas, with percentile rules (p05/p95 dashed, p50 solid).

    Parameters
    ----------
    hist : pd.DataFrame
        :func:`core.distributions.histogram_frame` output.
    markers : pd.DataFrame, optional
        :func:`core.distributions.percentile_markers` output (same ``group`` and ``log_axis``).
    """
    sort = list(order) if order is not None else list(dict.fromkeys(hist[group]))
    color = _color(group, sort)
    title = x_title + (" (log(1 + r) axis)" if log_axis else "")
    x = alt.X("mid:Q", title=title, axis=_x_axis(log_axis, x_format), scale=alt.Scale(zero=False, nice=False))
    area = (
        alt.Chart(hist)
        .mark_area(interpolate="step", opacity=0.28, line={"strokeWidth": 1.4})
        .encode(
            x=x,
            y=alt.Y("density:Q", title="Density", stack=None, axis=alt.Axis(labels=False, ticks=False)),
            color=color,
            tooltip=[
                alt.Tooltip(f"{group}:N", title=group.capitalize()),
                alt.Tooltip("lo:Q", title="From", format=".3f"),
                alt.Tooltip("hi:Q", title="To", format=".3f"),
                alt.Tooltip("share:Q", title="Share of paths", format=".2%"),
            ],
        )
    )
    layers: list[alt.Chart] = [area]
    if markers is not None and len(markers):
        marks = markers.copy()
        marks["dash"] = np.where(marks["label"] == "p50", "median", "5th / 95th percentile")
        marks["value_text"] = [format_pct(v) for v in marks["value"]]  # never "-0.0%" (d3's "+" keeps it)
        layers.append(
            alt.Chart(marks)
            .mark_rule(strokeWidth=1.6)
            .encode(
                x="x:Q",
                color=color,
                strokeDash=alt.StrokeDash(
                    "dash:N", title="Markers", sort=["median", "5th / 95th percentile"],
                    scale=alt.Scale(domain=["median", "5th / 95th percentile"], range=[[1, 0], [5, 4]]),
                ),
                tooltip=[
                    alt.Tooltip(f"{group}:N", title=group.capitalize()),
                    alt.Tooltip("label:N", title="Percentile"),
                    alt.Tooltip("value_text:N", title="Return"),
                ],
            )
        )
    return alt.layer(*layers).properties(height=340)


def make_fan_chart(
    fan: pd.DataFrame,
    *,
    group: str = "asset",
    log_axis: bool = False,
    order: Sequence[str] | None = None,
) -> alt.LayerChart:
    """Fan chart: 5-95% and 25-75% bands and the median of the cumulative return by day.

    Parameters
    ----------
    fan : pd.DataFrame
        Long frame ``day, <group>, p05, p25, p50, p75, p95`` (simple returns, decimals), e.g.
        :meth:`core.montecarlo.SimulationResult.fan_frame` with ``asset`` as the group.
    """
    data = fan.copy()
    qcols = ["p05", "p25", "p50", "p75", "p95"]
    if log_axis:
        data[qcols] = np.log1p(data[qcols].to_numpy(dtype=float))
    sort = list(order) if order is not None else list(dict.fromkeys(data[group]))
    color = _color(group, sort)
    y_axis = alt.Axis(labelExpr=_LOG_LABELS) if log_axis else alt.Axis(format="+.0%")
    y_title = "Cumulative return" + (" (log(1 + r) axis)" if log_axis else "")
    days = data["day"].to_numpy(dtype=float)
    x_scale = alt.Scale(domain=[float(days.min()), float(days.max())], nice=False) if len(days) else alt.Scale()
    base = alt.Chart(data).encode(x=alt.X("day:Q", title="Trading day", scale=x_scale), color=color)
    outer = base.mark_area(opacity=0.14).encode(y=alt.Y("p05:Q", title=y_title, axis=y_axis), y2="p95:Q")
    inner = base.mark_area(opacity=0.28).encode(y="p25:Q", y2="p75:Q")
    median = base.mark_line(strokeWidth=2).encode(
        y="p50:Q",
        tooltip=[alt.Tooltip("day:Q", title="Day"), alt.Tooltip(f"{group}:N", title=group.capitalize())]
        + [alt.Tooltip(f"{q}:Q", title=q, format=".3f") for q in qcols],
    )
    return alt.layer(outer, inner, median).properties(height=340)


def make_exceedance_chart(
    frame: pd.DataFrame,
    *,
    group: str = "asset",
    x_title: str = "Maximum drawdown at least",
    y_title: str = "Probability",
    x_format: str = ".0%",
    order: Sequence[str] | None = None,
) -> alt.Chart:
    """Exceedance curves ``P(X >= level)`` per group (from :func:`core.metrics.exceedance_probabilities`)."""
    sort = list(order) if order is not None else list(dict.fromkeys(frame[group]))
    return (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("level:Q", title=x_title, axis=alt.Axis(format=x_format)),
            y=alt.Y("prob:Q", title=y_title, axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            color=_color(group, sort),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=group.capitalize()),
                alt.Tooltip("level:Q", title="Level", format=x_format),
                alt.Tooltip("prob:Q", title="Probability", format=".1%"),
                alt.Tooltip("se:Q", title="MC standard error", format=".2%"),
            ],
        )
        .properties(height=320)
    )


def make_occupancy_chart(frame: pd.DataFrame) -> alt.Chart:
    """Share of days per regime, bars grouped by source.

    Parameters
    ----------
    frame : pd.DataFrame
        ``regime, source, share`` (e.g. source "simulated", "expected over the horizon",
        "long run (stationary)").
    """
    sources = list(dict.fromkeys(frame["source"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("regime:N", title=None, sort=list(dict.fromkeys(frame["regime"])),
                    axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("source:N", sort=sources),
            y=alt.Y("share:Q", title="Share of days", axis=alt.Axis(format=".0%")),
            color=alt.Color("source:N", title=None, sort=sources,
                            scale=alt.Scale(scheme="tableau10", domain=sources)),
            tooltip=[
                alt.Tooltip("regime:N", title="Regime"),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("share:Q", title="Share of days", format=".2%"),
            ],
        )
        .properties(height=280)
    )


def make_sensitivity_chart(
    frame: pd.DataFrame,
    *,
    group: str = "asset",
    x_title: str = "Parameter",
    x_format: str = ".2f",
    order: Sequence[str] | None = None,
    current: float | None = None,
) -> alt.FacetChart:
    """Estimates against a swept parameter, one panel per metric, with 95% MC error bars.

    Parameters
    ----------
    frame : pd.DataFrame
        ``value`` (parameter, display units), ``<group>``, ``metric`` (panel title),
        ``estimate``, ``se``; bars span ``estimate ± 1.96 se``.
    current : float, optional
        The parameter's value in the current scenario, drawn as a dashed vertical rule.
    """
    data = frame.copy()
    data["lo"] = data["estimate"] - Z95 * data["se"]
    data["hi"] = data["estimate"] + Z95 * data["se"]
    data["estimate_text"] = [format_pct(v) for v in data["estimate"]]
    sort = list(order) if order is not None else list(dict.fromkeys(data[group]))
    color = _color(group, sort)
    x = alt.X("value:Q", title=x_title, axis=alt.Axis(format=x_format), scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip(f"{group}:N", title=group.capitalize()),
        alt.Tooltip("value:Q", title=x_title, format=x_format),
        alt.Tooltip("estimate_text:N", title="Estimate"),
        alt.Tooltip("se:Q", title="MC standard error", format=".2%"),
    ]
    base = alt.Chart().encode(x=x, color=color)
    line = base.mark_line(point=True).encode(
        y=alt.Y("estimate:Q", title=None, axis=alt.Axis(format=".0%")), tooltip=tooltip  # returns and probabilities share it
    )
    bars = base.mark_errorbar(ticks=True).encode(y="lo:Q", y2="hi:Q")
    metrics = list(dict.fromkeys(data["metric"]))
    layers: list[alt.Chart] = [bars, line]
    if current is not None and math.isfinite(current):
        layers.insert(0, alt.Chart().mark_rule(strokeDash=[4, 3], color="gray").encode(x=alt.datum(current)))
    return (
        alt.layer(*layers, data=data)
        .properties(width=300, height=260)
        .facet(column=alt.Column("metric:N", title=None, sort=metrics))
        .resolve_scale(y="independent")
    )


# --------------------------------------------------------------------------- tables

#: Shown for a missing value (NaN, None) in every table and card.
MISSING = "–"


def _scaled(value: float | None, scale: float, digits: int) -> float | None:
    """``value * scale`` rounded to ``digits``; None when missing; a rounded zero is +0.0 (never -0.0)."""
    if value is None or pd.isna(value):
        return None
    x = float(value) * scale
    if math.isinf(x):
        return x
    x = round(x, digits)
    return 0.0 if x == 0 else x


def format_pct(value: float | None, digits: int = 1, *, signed: bool = True) -> str:
    """Decimal -> percent text (``0.123 -> "+12.3%"``); a value that rounds to zero is ``"0.0%"``, never ``"-0.0%"``."""
    x = _scaled(value, 100.0, digits)
    if x is None:
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}f}%" if x == 0 or not signed else f"{x:+.{digits}f}%"


def format_pp(value: float | None, digits: int = 1, *, signed: bool = True) -> str:
    """Decimal difference of two percentages -> percentage points (``0.023 -> "+2.3 pp"``), never ``-0.0``."""
    x = _scaled(value, 100.0, digits)
    if x is None:
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}f} pp" if x == 0 or not signed else f"{x:+.{digits}f} pp"


def format_number(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    """A plain number (betas, factors, log returns), never ``-0.00``; NaN as an en dash, inf as ∞."""
    x = _scaled(value, 1.0, digits)
    if x is None:
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:+.{digits}f}" if signed and x != 0 else f"{x:.{digits}f}"


def format_table(table: pd.DataFrame, formats: dict[str, Callable[[float], str]],
               headers: dict[str, str] | None = None) -> pd.DataFrame:
    """Format a numeric table as text, column by column, with readable headers.

    Parameters
    ----------
    table : pd.DataFrame
        Numbers (NaN shown as an en dash by the formatters).
    formats : dict
        Column -> formatter (e.g. :func:`format_pct`); a column without one is shown with ``str``
        (None as an en dash).
    headers : dict, optional
        Column -> header shown; columns not named keep their name.
    """
    out = pd.DataFrame(index=table.index)
    for col in table.columns:
        f = formats.get(col)
        values = table[col]
        if f is None:
            out[col] = [MISSING if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
        else:
            out[col] = [f(v) for v in values]
    if headers:
        out = out.rename(columns=headers)
    return out



def format_probability_table(table: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Text table ``"34.2% ± 0.3 pp"``, one row per asset (in ``order``), one column per target (``"+20%"``).

    Assets as rows: a selection of ten coins stays as wide as the few targets, not as the coins.
    """
    cells = table.assign(text=[f"{format_pct(p, signed=False)} ± {format_pp(se, signed=False)}"
                               for p, se in zip(table["prob"], table["se"], strict=True)])
    wide = cells.pivot(index="asset", columns="target", values="text")
    if order is not None:
        wide = wide.loc[[a for a in order if a in wide.index]]
    wide.columns = [format_pct(t, 0 if abs(t * 100 - round(t * 100)) < 1e-9 else 1) for t in wide.columns]
    wide.index.name = None
    return wide


