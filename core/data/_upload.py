"""Uploaded tables of closes (wide or long) -> :class:`~core.data.PriceData`.

- :func:`parse_uploaded_csv` -- the table -> ticker -> closes, bad columns warned by name.
- :func:`prices_from_upload` -- the same, as a :class:`~core.data.PriceData` labelled "uploaded CSV".
"""

from __future__ import annotations

import pandas as pd

from core.data._csv import pick_close_column, read_table
from core.data._dates import parse_date_column
from core.data._prices import DataError, PriceData, assemble, clean_series, short_history_warnings
from core.tickers import TickerError, normalize_tickers


def parse_uploaded_csv(text: str | bytes, name: str = "upload") -> tuple[dict[str, pd.Series], list[str]]:
    """Parse an uploaded table of closes, wide or long.

    Wide: ``date`` then one column per ticker. Long: ``date,ticker,close``
    (``adj_close`` preferred if present).

    Returns
    -------
    (dict of str to pandas.Series, list of str)
        Ticker -> closes, and warnings.

    Raises
    ------
    DataError
        Empty or unreadable file, no date column, no usable ticker column.
    """
    frame, cols = read_table(text, name)
    date_col = cols.get("date")
    if date_col is None:
        raise DataError(f"{name}: no 'date' column; found {list(frame.columns)}")
    dates, warnings = parse_date_column(frame[date_col], name)
    out: dict[str, pd.Series] = {}
    if "ticker" in cols:
        close_col = pick_close_column([c for c in frame.columns if c not in (date_col, cols["ticker"])])
        for raw, grp in frame.groupby(cols["ticker"], sort=False):
            try:
                (t,) = normalize_tickers([str(raw)])
            except TickerError as exc:
                warnings.append(f"{name}: {exc}")
                continue
            s = pd.Series(grp[close_col].to_numpy(), index=dates[grp.index])
            s = clean_series(s[s.index.notna()], f"{name}:{t}", warnings)
            if not s.empty:
                out[t] = s
    else:
        for col in frame.columns:
            if col == date_col:
                continue
            try:
                (t,) = normalize_tickers([str(col)])
            except TickerError as exc:
                warnings.append(f"{name}: column skipped: {exc}")
                continue
            s = pd.Series(frame[col].to_numpy(), index=dates)
            s = clean_series(s[s.index.notna()], f"{name}:{t}", warnings)
            if not s.empty:
                out[t] = s
    if not out:
        raise DataError(f"{name}: no ticker column with valid closes")
    return out, warnings


def prices_from_upload(text: str | bytes, name: str = "upload") -> PriceData:
    """A :class:`~core.data.PriceData` from an uploaded wide or long CSV (see :func:`parse_uploaded_csv`).

    Any number of rows (one or more valid closes) is accepted; a ticker with fewer
    than ``SHORT_HISTORY_CLOSES`` closes gets a warning naming its span.
    """
    series, warnings = parse_uploaded_csv(text, name=name)
    closes = assemble(series, list(series), None, None)
    warnings += short_history_warnings(closes)
    return PriceData(closes=closes, sources=dict.fromkeys(closes.columns, "upload"),
                     warnings=tuple(warnings), detail=name)
