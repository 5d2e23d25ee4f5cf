"""Charts and tables of Monte Carlo outcomes (Simulator and Compare pages).

Builders are pure: frames in, ``alt.Chart`` out. Every frame is long and has a
grouping column (``"asset"`` on the Simulator, ``"scenario"`` when comparing
scenarios), so the same builder draws either. Samples of 20,000 paths are binned
here in numpy first: Altair refuses more than 5,000 rows and the browser would
crawl anyway.

Returns are simple returns over the horizon, as decimals (0.2 = +20%). With
``log_axis=True`` the x (or y) values are ``log(1 + r)`` and the axis labels show
the matching simple returns, so a 5x and a -80% are equally far from zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.metrics import PROBABILITIES, ScenarioMetrics, mc_standard_error
from core.montecarlo import SimulationResult

#: Percentile markers drawn on distributions.
MARKER_LEVELS: tuple[float, ...] = (0.05, 0.5, 0.95)
#: Central share of the pooled sample that sets the histogram range (tails beyond are not drawn).
DEFAULT_COVERAGE = 0.99
#: z for the 95% Monte Carlo intervals drawn as error bars.
Z95 = 1.959963984540054

_LOG_LABELS = "format(exp(datum.value) - 1, '+.0%')"


def _samples(samples: Mapping[str, np.ndarray] | pd.DataFrame) -> dict[str, np.ndarray]:
    if isinstance(samples, pd.DataFrame):
        return {str(c): samples[c].to_numpy(dtype=float) for c in samples.columns}
    return {str(k): np.asarray(v, dtype=float).ravel() for k, v in samples.items()}


def _to_axis(x: np.ndarray, log_axis: bool) -> np.ndarray:
    return np.log1p(x) if log_axis else x


def build_histogram_frame(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    *,
    group: str = "asset",
    bins: int = 60,
    log_axis: bool = False,
    value_range: tuple[float, float] | None = None,
    coverage: float = DEFAULT_COVERAGE,
) -> pd.DataFrame:
    """Bin samples per group on a common grid.

    Parameters
    ----------
    samples : mapping or DataFrame
        Group name -> 1-D sample (e.g. terminal simple returns of 20,000 paths), or a wide
        frame (one column per group).
    group : str
        Name of the grouping column of the output.
    bins : int
        Number of equal-width bins.
    log_axis : bool
        Bin ``log(1 + x)`` instead of ``x``.
    value_range : (lo, hi), optional
        Range in axis units; default the central ``coverage`` share of the pooled sample.

    Returns
    -------
    pd.DataFrame
        ``bins`` rows per group: ``group, lo, hi, mid, share, density`` where ``share`` is
        the fraction of that group's paths in the bin (over all its paths, so the shares of
        a group sum to the fraction inside the range) and ``density = share / width``.
    """
    data = {k: _to_axis(v[np.isfinite(v)], log_axis) for k, v in _samples(samples).items()}
    data = {k: v for k, v in data.items() if v.size}
    if not data:
        return pd.DataFrame(columns=[group, "lo", "hi", "mid", "share", "density"])
    if value_range is None:
        pooled = np.concatenate(list(data.values()))
        tail = (1.0 - coverage) / 2.0
        lo, hi = (float(v) for v in np.quantile(pooled, [tail, 1.0 - tail]))
    else:
        lo, hi = value_range
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    width = edges[1] - edges[0]
    frames = []
    for name, x in data.items():
        counts, _ = np.histogram(x, bins=edges)
        share = counts / x.size
        frames.append(pd.DataFrame({
            group: name, "lo": edges[:-1], "hi": edges[1:], "mid": (edges[:-1] + edges[1:]) / 2.0,
            "share": share, "density": share / width,
        }))
    return pd.concat(frames, ignore_index=True)


def build_percentile_frame(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    *,
    group: str = "asset",
    levels: Sequence[float] = MARKER_LEVELS,
    log_axis: bool = False,
) -> pd.DataFrame:
    """Percentiles per group: ``group, level, label, value`` (simple return) and ``x`` (axis units)."""
    rows = []
    for name, x in _samples(samples).items():
        x = x[np.isfinite(x)]
        if not x.size:
            continue
        for level, q in zip(levels, np.quantile(x, list(levels)), strict=True):
            rows.append({group: name, "level": level, "label": f"p{round(level * 100):02d}",
                         "value": float(q), "x": float(_to_axis(np.array([q]), log_axis)[0])})
    return pd.DataFrame(rows, columns=[group, "level", "label", "value", "x"])


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
        :func:`build_histogram_frame` output.
    markers : pd.DataFrame, optional
        :func:`build_percentile_frame` output (same ``group`` and ``log_axis``).
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
                    alt.Tooltip("value:Q", title="Return", format="+.1%"),
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


def build_exceedance_frame(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    grid: Sequence[float] | np.ndarray,
    *,
    group: str = "asset",
) -> pd.DataFrame:
    """P(sample >= level) per group on ``grid``: ``group, level, prob, se``."""
    g = np.asarray(grid, dtype=float)
    frames = []
    for name, x in _samples(samples).items():
        x = np.sort(x[np.isfinite(x)])
        if not x.size:
            continue
        prob = 1.0 - np.searchsorted(x, g, side="left") / x.size
        se = np.sqrt(prob * (1.0 - prob) / x.size)
        frames.append(pd.DataFrame({group: name, "level": g, "prob": prob, "se": se}))
    if not frames:
        return pd.DataFrame(columns=[group, "level", "prob", "se"])
    return pd.concat(frames, ignore_index=True)


def make_exceedance_chart(
    frame: pd.DataFrame,
    *,
    group: str = "asset",
    x_title: str = "Maximum drawdown at least",
    y_title: str = "Probability",
    x_format: str = ".0%",
    order: Sequence[str] | None = None,
) -> alt.Chart:
    """Exceedance curves ``P(X >= level)`` per group (from :func:`build_exceedance_frame`)."""
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
    sort = list(order) if order is not None else list(dict.fromkeys(data[group]))
    color = _color(group, sort)
    x = alt.X("value:Q", title=x_title, axis=alt.Axis(format=x_format), scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip(f"{group}:N", title=group.capitalize()),
        alt.Tooltip("value:Q", title=x_title, format=x_format),
        alt.Tooltip("estimate:Q", title="Estimate", format="+.1%"),
        alt.Tooltip("se:Q", title="MC standard error", format=".2%"),
    ]
    base = alt.Chart().encode(x=x, color=color)
    line = base.mark_line(point=True).encode(
        y=alt.Y("estimate:Q", title=None, axis=alt.Axis(format="+.0%")), tooltip=tooltip
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


def median_standard_error(x: np.ndarray) -> float:
    """Monte Carlo standard error of the sample median from order statistics.

    The ranks ``n/2 ± sqrt(n)/2`` bracket the median by one binomial standard
    deviation, so half the gap between those order statistics estimates its
    standard error without assuming a density.
    """
    s = np.sort(np.asarray(x, dtype=float).ravel())
    n = s.size
    if n < 4:
        return math.nan
    half = math.sqrt(n) / 2.0
    lo = int(max(0, math.floor(n / 2.0 - half)))
    hi = int(min(n - 1, math.ceil(n / 2.0 + half)))
    return float((s[hi] - s[lo]) / 2.0)


def build_probability_table(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    targets: Sequence[float],
    *,
    at_most: bool = False,
) -> pd.DataFrame:
    """P(return >= t) (or <= t) per target and group, long: ``target, asset, prob, se``."""
    rows = []
    for name, x in _samples(samples).items():
        n = x.size
        for t in targets:
            p = float(np.mean(x <= t)) if at_most else float(np.mean(x >= t))
            rows.append({"target": float(t), "asset": name, "prob": p, "se": mc_standard_error(p, n)})
    return pd.DataFrame(rows, columns=["target", "asset", "prob", "se"])


def format_probability_table(table: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Wide text table ``"34.2% ± 0.3"`` (percentage points) with targets as rows."""
    cells = table.assign(text=[f"{p:.1%} ± {se * 100:.1f}" for p, se in zip(table["prob"], table["se"], strict=True)])
    wide = cells.pivot(index="target", columns="asset", values="text")
    if order is not None:
        wide = wide[[c for c in order if c in wide.columns]]
    wide.index = [f"{t:+.0%}" if abs(t * 100 - round(t * 100)) < 1e-9 else f"{t:+.1%}" for t in wide.index]
    wide.index.name = "target"
    wide.columns.name = None
    return wide


def build_metrics_table(result: SimulationResult, metrics: ScenarioMetrics) -> pd.DataFrame:
    """Every outcome metric with its Monte Carlo standard error, one row per asset and the basket.

    Columns: ``mean, p05, p25, p50, p50_se, p75, p95``, the probabilities of
    :data:`core.metrics.PROBABILITIES` each followed by ``<name>_se``, ``prob_beats_btc``
    and its ``_se`` (P(asset return > BTC return), blank for BTC itself), ``var95, es95``,
    then the run: ``scenario, engine, n_paths, horizon_days, seed``. Decimals throughout.
    """
    terminal = result.terminal_frame()
    btc = terminal[result.btc].to_numpy()
    table = metrics.table()
    ses = metrics.se_table()
    rows = []
    for name in table.index:
        x = terminal[name].to_numpy()
        row: dict[str, object] = {"asset": name}
        for col in ("mean", "p05", "p25", "p50"):
            row[col] = table.loc[name, col]
        row["p50_se"] = median_standard_error(x)
        for col in ("p75", "p95"):
            row[col] = table.loc[name, col]
        for prob in PROBABILITIES:
            row[prob] = table.loc[name, prob]
            row[f"{prob}_se"] = ses.loc[name, prob]
        if name == result.btc:
            row["prob_beats_btc"], row["prob_beats_btc_se"] = math.nan, math.nan
        else:
            p = float(np.mean(x > btc))
            row["prob_beats_btc"], row["prob_beats_btc_se"] = p, mc_standard_error(p, x.size)
        row["var95"], row["es95"] = table.loc[name, "var95"], table.loc[name, "es95"]
        rows.append(row)
    out = pd.DataFrame(rows).set_index("asset")
    out["scenario"] = result.scenario
    out["engine"] = result.engine
    out["n_paths"] = result.n_paths
    out["horizon_days"] = result.horizon
    out["seed"] = result.seed
    return out
