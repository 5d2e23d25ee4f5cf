"""Yahoo-format CSV files: parse one, list a folder's tickers, read a folder.

- :func:`parse_price_csv` -- one ticker's file -> a close series.
- :func:`list_csv_tickers` -- the tickers a folder offers (one per ``*.csv`` file).
- :func:`csv_path` -- the file of a ticker in a folder (the one ticker -> file rule,
  :func:`core.tickers.file_stem`, applied to both sides).
- :func:`load_csv_folder` -- many tickers from a folder, bad files reported by name.

The table helpers :func:`read_table` and :func:`pick_close_column` are shared with uploads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from core.data._dates import parse_date_column
from core.data._prices import DataError, clean_series
from core.tickers import TickerError, file_stem, normalize_tickers


def pick_close_column(columns: Sequence[str]) -> str:
    """Prefer the dividend-adjusted close; fall back to the close."""
    lower = {c.strip().lower().replace(" ", "_"): c for c in columns}
    for name in ("adj_close", "adjclose", "close", "price"):
        if name in lower:
            return lower[name]
    raise DataError(f"no close column (looked for 'Adj Close', 'adj_close', 'Close') among {len(columns)} columns")


def read_table(text: str | bytes, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read CSV text exactly (round-trip floats); return the frame and lower-case -> column names."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise DataError(f"{name}: file is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), float_precision="round_trip")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{name}: not a readable CSV ({exc})") from exc
    return frame, {c.strip().lower(): c for c in frame.columns}


def parse_price_csv(text: str | bytes, name: str = "CSV") -> tuple[pd.Series, list[str]]:
    """Parse one ticker's Yahoo-format CSV into a close series.

    Accepts ``Date,Open,High,Low,Close,Adj Close,Volume`` or lower-case
    ``date,open,high,low,close,adj_close,volume`` (any subset with a date and a
    close), preferring the adjusted close when present and non-empty. The date
    format is detected for the whole column (:func:`parse_date_column`): ISO with or
    without a UTC offset, day-first or month-first, epoch numbers.

    Parameters
    ----------
    text : str or bytes
        File contents.
    name : str
        Label used in error messages (usually the file name).

    Returns
    -------
    (pandas.Series, list of str)
        Closes indexed by tz-naive dates (sorted, unique) and warnings.

    Raises
    ------
    DataError
        Empty file, no date or close column, no valid rows, or a date column that
        reads two ways (the message names example rows).
    """
    frame, cols = read_table(text, name)
    date_col = cols.get("date") or cols.get("datetime") or cols.get("timestamp")
    if date_col is None:
        raise DataError(f"{name}: no 'Date' column among {len(frame.columns)} columns")
    try:
        close_col = pick_close_column(list(frame.columns))
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from exc
    # Some files carry an all-empty Adj Close column: fall back to Close then.
    if close_col.strip().lower().startswith("adj") and frame[close_col].isna().all():
        others = [c for c in frame.columns if c.strip().lower() == "close"]
        if others:
            close_col = others[0]
    dates, warnings = parse_date_column(frame[date_col], name)
    series = pd.Series(frame[close_col].to_numpy(), index=dates)
    series = series[series.index.notna()]
    series = clean_series(series, name, warnings)
    if series.empty:
        raise DataError(f"{name}: no valid rows (need a date and a positive close)")
    return series, warnings


def list_csv_tickers(data_dir: str | Path) -> list[str]:
    """Tickers available in a CSV folder: the ``*.csv`` file stems, sorted, invalid names skipped."""
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError(f"CSV folder not found: {folder}")
    out = []
    for path in sorted(folder.glob("*.csv")):
        try:
            out.extend(normalize_tickers([path.stem]))
        except TickerError:
            continue
    return out


def csv_path(folder: Path, ticker: str) -> Path | None:
    """The file of ``ticker`` in ``folder``, or None.

    One rule, :func:`core.tickers.file_stem`, on both sides: ``<file_stem(ticker)>.csv``
    if it exists, else the first file (by name) whose own stem has the same file stem
    (``rut.csv`` or ``^RUT.csv`` for ``^RUT``). Every ticker :func:`list_csv_tickers`
    lists therefore maps back to a file. Choosing among a coin's pairs (``SOL-USD`` vs
    ``SOL-USDT``) is not done here: callers ask :func:`core.roles.match_coins` first.
    """
    stem = file_stem(ticker)
    exact = folder / f"{stem}.csv"
    if exact.is_file():
        return exact
    for path in sorted(folder.glob("*.csv")):
        try:
            if file_stem(path.stem) == stem:
                return path
        except TickerError:
            continue
    return None


def load_csv_folder(tickers: Sequence[str], folder: Path) -> tuple[dict[str, pd.Series], list[str], list[str]]:
    """Read ``tickers`` from ``folder``.

    Returns
    -------
    (dict of str to pandas.Series, list of str, list of str)
        Ticker -> closes for the files read, warnings (one per missing or bad file,
        named), and the tickers with no usable file.

    Raises
    ------
    DataError
        The folder does not exist.
    """
    if not folder.is_dir():
        raise DataError(f"CSV folder not found: {folder}")
    series, warnings, missing = {}, [], []
    for t in tickers:
        path = csv_path(folder, t)
        if path is None:
            missing.append(t)
            warnings.append(f"{t}: no file {file_stem(t)}.csv in the folder {folder.name!r}")
            continue
        try:
            s, w = parse_price_csv(path.read_bytes(), name=path.name)
        except (DataError, OSError) as exc:
            missing.append(t)
            warnings.append(f"{t}: {exc}")
            continue
        series[t] = s
        warnings.extend(w)
    return series, warnings, missing
