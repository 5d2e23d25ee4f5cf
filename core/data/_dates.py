"""Dates in price files and on the command line: detected, never guessed.

- :func:`parse_date_column` -- a file's date column -> tz-naive dates. The format is
  detected for the whole column: ISO ``YYYY-MM-DD`` (with or without a time and a
  UTC offset), ``dd/mm/yyyy`` vs ``mm/dd/yyyy`` (decided by a field above 12, the
  same way for every row), UNIX epoch seconds/milliseconds/microseconds/nanoseconds
  (by magnitude) and ``yyyymmdd`` integers. A column that could be read two ways is
  refused with example rows named.
- :func:`parse_date_bound` -- a ``--start``/``--end`` style bound, checked to lie in
  :data:`MIN_DATE` .. :data:`MAX_DATE`.

Timestamps that carry a UTC offset keep the calendar date **as written** (the
session date of the exchange that wrote it), so ``2024-01-03 20:00-05:00`` is the
3 January session, not 4 January in UTC; the offset is dropped, never applied.
Epoch numbers are UTC by definition and give the UTC date.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from core.data._prices import DataError

#: Earliest and latest date accepted anywhere (file rows, ``--start``, ``--end``).
MIN_DATE = pd.Timestamp("1900-01-01")
MAX_DATE = pd.Timestamp("2100-12-31")

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_OFFSET = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
_ISO = re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}{_OFFSET}$")
_SLASHED = re.compile(rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}}){_TIME}{_OFFSET}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_TRAILING_OFFSET = re.compile(r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$")

#: Epoch units by magnitude: [low, high) of the absolute value -> pandas unit.
_EPOCH_BANDS: tuple[tuple[float, float, str], ...] = (
    (1e8, 1e11, "s"),
    (1e11, 1e14, "ms"),
    (1e14, 1e17, "us"),
    (1e17, 1e19, "ns"),
)
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
               "yyyymmdd": "yyyymmdd"}


def _row(i: int, value: object) -> str:
    return f"row {i + 1} ({str(value).strip()!r})"


def _from_fields(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> pd.DatetimeIndex:
    """Dates from integer year, month, day arrays; impossible dates (31 Feb) become NaT."""
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.DatetimeIndex(pd.to_datetime(frame, errors="coerce"))


def _two_digit_years(y: np.ndarray) -> np.ndarray:
    """``%y`` rule: 69-99 -> 1900s, 00-68 -> 2000s; four-digit years unchanged."""
    return np.where(y < 100, np.where(y < 69, 2000 + y, 1900 + y), y)


def _numbers(values: np.ndarray, raw: pd.Series, name: str) -> tuple[pd.DatetimeIndex, str]:
    """Numeric dates: one epoch unit (by magnitude) or ``yyyymmdd`` for the whole column."""
    out = pd.DatetimeIndex(np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]"))
    ok = np.isfinite(values)
    if not ok.any():
        return out, ""
    mag = np.abs(values)
    unit = np.full(len(values), "", dtype=object)
    ymd = (mag >= 1e7) & (mag < 1e8) & (values == np.floor(values))
    unit[ymd & ok] = "yyyymmdd"
    for low, high, u in _EPOCH_BANDS:
        unit[ok & (mag >= low) & (mag < high)] = u
    idx = np.flatnonzero(ok)
    bad = idx[unit[idx] == ""]
    if len(bad):
        i = int(bad[0])
        raise DataError(
            f"{name}: date {_row(i, raw.iloc[i])} is a number that is neither UNIX epoch seconds or "
            "milliseconds nor yyyymmdd; write dates as YYYY-MM-DD"
        )
    kinds = pd.unique(unit[idx])
    if len(kinds) > 1:
        first = {k: int(idx[unit[idx] == k][0]) for k in kinds}
        a, b = list(first.items())[:2]
        raise DataError(
            f"{name}: the date column mixes number formats: {_row(a[1], raw.iloc[a[1]])} reads as "
            f"{_UNIT_WORDS[a[0]]} but {_row(b[1], raw.iloc[b[1]])} as {_UNIT_WORDS[b[0]]}; "
            "write dates as YYYY-MM-DD"
        )
    kind = str(kinds[0])
    if kind == "yyyymmdd":
        v = values[ok].astype(np.int64)
        parsed = _from_fields(v // 10000, v // 100 % 100, v % 100)
    else:
        parsed = pd.DatetimeIndex(pd.to_datetime(values[ok], unit=kind, errors="coerce"))
    out = out.to_numpy().copy()
    out[ok] = parsed.to_numpy()
    return pd.DatetimeIndex(out), kind


def _slashed(match: pd.DataFrame, raw: pd.Series, name: str, notes: list[str]) -> pd.DatetimeIndex:
    """``a/b/yyyy`` rows: day-first or month-first, decided once for the whole column (noted)."""
    a = match["a"].astype(int).to_numpy()
    b = match["b"].astype(int).to_numpy()
    y = _two_digit_years(match["y"].astype(int).to_numpy())
    rows = match.index.to_numpy()
    a_big, b_big = a > 12, b > 12
    if a_big.any() and b_big.any():
        i, j = int(rows[np.argmax(a_big)]), int(rows[np.argmax(b_big)])
        raise DataError(
            f"{name}: the date column mixes day-first and month-first dates: {_row(i, raw.iloc[i])} has a "
            f"day first, {_row(j, raw.iloc[j])} a month first; write dates as YYYY-MM-DD"
        )
    if not a_big.any() and not b_big.any() and (a != b).any():
        ex = [int(r) for r in rows[a != b][:3]]
        examples = ", ".join(_row(i, raw.iloc[i]) for i in ex)
        raise DataError(
            f"{name}: dates such as {examples} could be dd/mm/yyyy or mm/dd/yyyy and no day above 12 "
            "settles it; write dates as YYYY-MM-DD"
        )
    day_first = bool(a_big.any())
    if a_big.any() or b_big.any():
        i = int(rows[np.argmax(a_big | b_big)])
        order = "dd/mm/yyyy" if day_first else "mm/dd/yyyy"
        notes.append(f"{name}: dates read as {order} ({_row(i, raw.iloc[i])} has a day above 12 "
                     f"{'first' if day_first else 'second'})")
    return _from_fields(y, b if day_first else a, a if day_first else b)


def _plain_iso(text: pd.Series, present: pd.Series) -> pd.DatetimeIndex | None:
    """Fast path: every present value is exactly ``YYYY-MM-DD`` (the common case); else None."""
    try:
        parsed = pd.to_datetime(text.where(present), format="%Y-%m-%d", errors="raise")
    except (ValueError, TypeError):
        return None
    return pd.DatetimeIndex(parsed)


def parse_date_column(values: pd.Series, name: str) -> tuple[pd.DatetimeIndex, list[str]]:
    """Read a date column with one format detected for the whole column.

    Parameters
    ----------
    values : pandas.Series
        The raw column as ``pandas.read_csv`` gives it (strings or numbers), length n.
    name : str
        File name for the messages.

    Returns
    -------
    (pandas.DatetimeIndex, list of str)
        Length-n tz-naive dates (NaT where a row has no readable date, or one outside
        :data:`MIN_DATE` .. :data:`MAX_DATE`), and warnings: rows ignored (the first
        named), offsets dropped, the epoch unit used.

    Raises
    ------
    DataError
        A column that can be read two ways: ``a/b/yyyy`` dates with no field above 12
        (ambiguous), with fields above 12 on both sides (mixed), numbers of different
        epoch units, or numbers that are no date format; the message names example rows.
    """
    raw = values.reset_index(drop=True)
    warnings: list[str] = []
    if pd.api.types.is_bool_dtype(raw):
        raise DataError(f"{name}: the date column holds true/false values, not dates")
    text = raw.astype("string").str.strip()
    present = text.notna() & (text != "")
    numeric = pd.api.types.is_numeric_dtype(raw) or (
        present.any() and bool(text[present].str.fullmatch(_NUMBER.pattern).all())
    )
    if numeric:
        nums = pd.to_numeric(text.where(present), errors="coerce").to_numpy(dtype=float)
        dates, kind = _numbers(nums, raw, name)
        if kind and kind != "yyyymmdd":
            warnings.append(f"{name}: dates read as UNIX epoch {_UNIT_WORDS[kind]} (UTC dates)")
    elif (fast := _plain_iso(text, present)) is not None:
        dates = fast
    else:
        out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        iso = text.str.extract(_ISO)
        is_iso = iso["y"].notna()
        if is_iso.any():
            sub = iso[is_iso]
            out[is_iso] = _from_fields(sub["y"].astype(int).to_numpy(), sub["m"].astype(int).to_numpy(),
                                       sub["d"].astype(int).to_numpy()).to_numpy()
        sl = text.str.extract(_SLASHED)
        is_sl = sl["a"].notna() & ~is_iso
        if is_sl.any():
            out[is_sl] = _slashed(sl[is_sl], raw, name, warnings).to_numpy()
        other = present & ~is_iso & ~is_sl
        if other.any():
            cleaned = text[other].str.replace(_TRAILING_OFFSET, "", regex=True)
            out[other] = pd.to_datetime(cleaned, errors="coerce", format="mixed").to_numpy()
        n_tz = int(iso["tz"].notna().sum() + sl["tz"][is_sl].notna().sum()
                   + text[other].str.contains(_TRAILING_OFFSET).sum())
        if n_tz:
            warnings.append(f"{name}: {n_tz} timestamp(s) carried a UTC offset; the date as written was kept")
        dates = pd.DatetimeIndex(out)
    outside = dates.notna() & ((dates < MIN_DATE) | (dates > MAX_DATE))
    if outside.any():
        i = int(np.argmax(outside))
        warnings.append(f"{name}: {int(outside.sum())} date(s) outside {MIN_DATE:%Y-%m-%d}..{MAX_DATE:%Y-%m-%d} "
                        f"ignored, first {_row(i, raw.iloc[i])}")
        dates = dates.where(~outside)
    unread = present.to_numpy() & dates.isna() & ~outside
    if unread.any():
        i = int(np.argmax(unread))
        warnings.append(f"{name}: {int(unread.sum())} row(s) with an unreadable date ignored, "
                        f"first {_row(i, raw.iloc[i])}")
    return pd.DatetimeIndex(dates), warnings


def parse_date_bound(value: date | datetime | str | None, name: str) -> pd.Timestamp | None:
    """A start or end date: ``YYYY-MM-DD`` text or a date, within :data:`MIN_DATE` .. :data:`MAX_DATE`.

    Parameters
    ----------
    value : date, datetime, str or None
        None or ``""`` means no bound.
    name : str
        ``"start"`` or ``"end"``, for the message.

    Returns
    -------
    pandas.Timestamp or None
        Midnight of that day, tz-naive (a tz-aware datetime keeps its own calendar date).

    Raises
    ------
    DataError
        Not a date, or outside the accepted range; the message names the value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value)
        if m is None:
            raise DataError(f"{name} date {value!r} is not a date (use YYYY-MM-DD)")
        try:
            ts = pd.Timestamp(datetime(int(m[1]), int(m[2]), int(m[3])))
        except (ValueError, OverflowError) as exc:
            raise DataError(f"{name} date {value!r} is not a date (use YYYY-MM-DD)") from exc
    elif isinstance(value, (date, datetime, pd.Timestamp)):
        ts = pd.Timestamp(datetime(value.year, value.month, value.day))
    else:
        raise DataError(f"{name} date {value!r} is not a date (use YYYY-MM-DD)")
    if not MIN_DATE <= ts <= MAX_DATE:
        raise DataError(f"{name} date {value!s} is outside {MIN_DATE:%Y-%m-%d}..{MAX_DATE:%Y-%m-%d}")
    return ts
