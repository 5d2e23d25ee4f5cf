"""Distribution frames for drawing: binned samples and percentile markers, in axis units.

A run has 20,000 or more paths per asset; a chart gets a histogram of them, never the paths
(Altair refuses frames above 5,000 rows and the browser would crawl anyway). The binning and
the percentiles are numbers shown on screen, so they are computed here, in ``core``; the
chart builders in ``ui/charts`` only draw these frames.

With ``log_axis=True`` values are mapped to ``log(1 + x)`` before binning (simple returns:
a 5x and a -80% sit equally far from zero); the ``value`` column of the markers stays in
the sample's own units.

Offers
------
histogram_frame
    Shares and densities of each sample on a common grid of equal-width bins.
percentile_markers
    A few percentiles per sample, in sample and axis units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.metrics import _level_name, _levels, _sample, as_samples

__all__ = ["DEFAULT_COVERAGE", "MARKER_LEVELS", "DistributionError", "histogram_frame", "percentile_markers"]

#: Percentile markers drawn on distributions.
MARKER_LEVELS: tuple[float, ...] = (0.05, 0.5, 0.95)
#: Central share of the pooled sample that sets the histogram range (tails beyond are not drawn).
DEFAULT_COVERAGE = 0.99
#: Most bins of a histogram (bins x groups must stay far below Altair's 5,000 rows).
MAX_BINS = 400


class DistributionError(ExplorerError):
    """Bad binning request (bin count, range, coverage)."""


def _to_axis(x: np.ndarray, log_axis: bool) -> np.ndarray:
    if log_axis:
        if np.any(x <= -1.0):
            raise DistributionError(f"log axis needs values above -1 (simple returns), got {float(x.min())!r}")
        return np.log1p(x)
    return x


def histogram_frame(
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
        Group name -> 1-D sample, shape (n,) (e.g. terminal simple returns of 20,000 paths),
        or a wide frame (one column per group). Values must be finite.
    group : str
        Name of the grouping column of the output.
    bins : int
        Number of equal-width bins (1..:data:`MAX_BINS`).
    log_axis : bool
        Bin ``log(1 + x)`` instead of ``x``.
    value_range : (lo, hi), optional
        Range in axis units; default the central ``coverage`` share of the pooled sample
        (quantiles ``(1 - coverage) / 2`` and ``(1 + coverage) / 2``).
    coverage : float
        In (0, 1].

    Returns
    -------
    pandas.DataFrame
        ``bins`` rows per group: ``<group>, lo, hi, mid`` (axis units), ``share`` (fraction of
        that group's paths in the bin, over all its paths, so the shares of a group sum to the
        fraction inside the range) and ``density = share / width``.
    """
    if not 1 <= int(bins) <= MAX_BINS:
        raise DistributionError(f"bins must be between 1 and {MAX_BINS}, got {bins}")
    if not 0.0 < coverage <= 1.0:
        raise DistributionError(f"coverage must be in (0, 1], got {coverage!r}")
    data = {k: _to_axis(_sample(v, f"sample {k!r}"), log_axis) for k, v in as_samples(samples).items()}
    if not data:
        return pd.DataFrame(columns=[group, "lo", "hi", "mid", "share", "density"])
    if value_range is None:
        pooled = np.concatenate(list(data.values()))
        tail = (1.0 - coverage) / 2.0
        lo, hi = (float(v) for v in np.quantile(pooled, [tail, 1.0 - tail]))
    else:
        lo, hi = (float(v) for v in value_range)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise DistributionError(f"value range must be finite, got {value_range!r}")
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, int(bins) + 1)
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


def percentile_markers(
    samples: Mapping[str, np.ndarray] | pd.DataFrame,
    *,
    group: str = "asset",
    levels: Sequence[float] = MARKER_LEVELS,
    log_axis: bool = False,
) -> pd.DataFrame:
    """Linear-interpolation percentiles per group, for marker rules on a distribution chart.

    Returns
    -------
    pandas.DataFrame
        One row per (group, level): ``<group>, level, label`` (``"p05"``), ``value`` (in the
        sample's units) and ``x`` (axis units: ``log(1 + value)`` when ``log_axis``).
    """
    lv = _levels(levels)
    frames = []
    for name, x in as_samples(samples).items():
        q = np.quantile(_sample(x, f"sample {name!r}"), lv)
        frames.append(pd.DataFrame({group: name, "level": lv, "label": [_level_name(v) for v in lv],
                                    "value": q, "x": _to_axis(q, log_axis)}))
    if not frames:
        return pd.DataFrame(columns=[group, "level", "label", "value", "x"])
    return pd.concat(frames, ignore_index=True)
