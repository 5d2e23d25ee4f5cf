"""CSV downloads: tables that say where their numbers came from and cannot run as formulas.

A spreadsheet opening a CSV runs any cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
some read a leading tab or carriage return the same way) as a formula. Scenario names,
tickers and edits can come from users (an imported scenario file, a link), so every text
cell, index label and header that starts with one of :data:`FORMULA_PREFIXES` is written
with a leading apostrophe, which spreadsheets show as text. Numbers are left as numbers.

The provenance of a run (data source, the loaded data's first and last dates, the
calibration window, the scenario's overrides and the run settings) travels as columns
repeated on every row, so the file stays one rectangular table that ``pandas.read_csv``
reads back as is.

Offers
------
neutralize
    One cell made safe for a spreadsheet.
safe_frame, to_safe_csv
    A whole table (cells, index, headers) made safe, and written as CSV text.
run_provenance, metrics_csv
    The metrics CSV of the Simulator: every metric with its standard error plus provenance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from core.calibration import MarketModel
from core.metrics import ScenarioMetrics, metrics_table
from core.montecarlo import SimulationResult

__all__ = ["FORMULA_PREFIXES", "PROVENANCE_COLUMNS", "metrics_csv", "neutralize", "run_provenance", "safe_frame",
           "to_safe_csv"]

#: Leading characters that make a spreadsheet evaluate a cell.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Provenance columns added by :func:`run_provenance`, in order.
PROVENANCE_COLUMNS: tuple[str, ...] = ("data", "data_first", "data_last", "calibration_start", "calibration_end",
                                       "overrides")


def neutralize(value: Any) -> Any:
    """``value`` with a leading apostrophe if it is text starting with a formula character.

    Non-text values (numbers, dates, NaN) are returned unchanged.

    Examples
    --------
    >>> neutralize("=HYPERLINK(\\"x\\")")
    '\\'=HYPERLINK("x")'
    >>> neutralize("BTC-USD"), neutralize(-0.5)
    ('BTC-USD', -0.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, index labels and column names are :func:`neutralize` d."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralize)
    out.index = out.index.map(neutralize)
    out.index.name = neutralize(out.index.name)
    out.columns = [neutralize(c) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, *, index: bool = True, index_label: str | None = None) -> str:
    """``frame`` as CSV text after :func:`safe_frame` (decimals written in full precision)."""
    return safe_frame(frame).to_csv(index=index, index_label=index_label)


def run_provenance(
    *,
    data_label: str,
    data_first: pd.Timestamp | None,
    data_last: pd.Timestamp | None,
    model: MarketModel,
    overrides: Mapping[str, Any] | None,
) -> dict[str, str]:
    """Provenance columns of a run: :data:`PROVENANCE_COLUMNS` as text.

    Parameters
    ----------
    data_label : str
        Where the prices came from (:attr:`core.data.PriceData.label`).
    data_first, data_last : Timestamp or None
        First and last date of the loaded prices.
    model : MarketModel
        The calibrated model (its window).
    overrides : mapping or None
        The scenario's edits, dotted field -> value; written as sorted JSON (``{}`` when none).
    """
    def day(t: pd.Timestamp | None) -> str:
        return "" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%Y-%m-%d}"

    return {
        "data": data_label,
        "data_first": day(data_first),
        "data_last": day(data_last),
        "calibration_start": day(model.start),
        "calibration_end": day(model.end),
        "overrides": json.dumps(dict(overrides or {}), sort_keys=True, default=str),
    }


def metrics_csv(result: SimulationResult, metrics: ScenarioMetrics, provenance: Mapping[str, str]) -> str:
    """The Simulator's metrics download.

    Parameters
    ----------
    result, metrics : SimulationResult, ScenarioMetrics
        The run and ``summarize(result)``.
    provenance : mapping
        :func:`run_provenance` of the run.

    Returns
    -------
    str
        CSV text: first column ``asset``, then the columns of :func:`core.metrics.metrics_table`
        (decimals; ``*_se`` Monte Carlo standard errors; the run settings), then the
        provenance columns, each repeated on every row; text cells neutralized.
    """
    table = metrics_table(result, metrics)
    for col, value in provenance.items():
        table[col] = value
    return to_safe_csv(table, index_label="asset")
