"""What every source hands on: :class:`PriceData`, its error, and the close-series contract.

- :class:`DataError` -- input data that cannot be used.
- :class:`PriceData` -- a wide frame of closes, the source of each ticker, the warnings.
- :func:`clean_series` -- one close series in the shape :class:`PriceData` promises.
- :func:`assemble` -- series -> the wide frame, cut to a date range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from core.errors import ExplorerError

Source = Literal["auto", "yahoo", "cache", "csv", "demo"]
SOURCES: tuple[str, ...] = ("auto", "yahoo", "cache", "csv", "demo")


class DataError(ExplorerError):
    """Input data that cannot be used (bad file, unknown ticker, empty result)."""


@dataclass(frozen=True)
class PriceData:
    """Daily closes and where they came from.

    Attributes
    ----------
    closes : pandas.DataFrame
        Shape (n_dates, n_tickers). Adjusted closes in the quote currency;
        tz-naive ``DatetimeIndex`` named ``date``, sorted and unique. NaN where a
        ticker has no close that day (equities at weekends, coins before listing).
    sources : dict of str to str
        Ticker -> ``"yahoo"``, ``"cache"``, ``"csv"``, ``"upload"`` or ``"demo"``.
    warnings : tuple of str
        Human-readable notes: fallbacks taken and why, unknown tickers, bad files.
    detail : str
        Extra words for the source label (e.g. the CSV folder).
    missing : tuple of str
        Requested tickers that got no data, in request order.
    fallback : bool
        True when what is shown is not what was asked for because a source failed:
        the synthetic demo in place of real data, or a stale cache served after Yahoo
        failed. Such a result must not be kept (cached) as if it were the data; load
        again soon. False for an explicit ``source="demo"``.
    """

    closes: pd.DataFrame
    sources: dict[str, str]
    warnings: tuple[str, ...] = ()
    detail: str = ""
    missing: tuple[str, ...] = field(default=())
    fallback: bool = False

    @property
    def tickers(self) -> list[str]:
        """Tickers that have data, in column order."""
        return list(self.closes.columns)

    @property
    def is_demo(self) -> bool:
        """True when any series shown is synthetic."""
        return "demo" in set(self.sources.values())

    @property
    def label(self) -> str:
        """Plain-words name of the data source, for the banner on every page."""
        names = {
            "yahoo": "live Yahoo Finance data",
            "cache": "cached Yahoo Finance data (on disk)",
            "csv": "CSV folder",
            "upload": "uploaded CSV",
            "demo": "synthetic demo data",
        }
        kinds = sorted(set(self.sources.values()), key=list(names).index)
        text = " + ".join(names[k] for k in kinds) or "no data"
        return f"{text} ({self.detail})" if self.detail else text


def clean_series(values: pd.Series, what: str, warnings: list[str]) -> pd.Series:
    """Numeric, positive, tz-naive, sorted, unique-dated close series.

    Parameters
    ----------
    values : pandas.Series
        Raw closes indexed by dates (any tz, any order, duplicates allowed).
    what : str
        Label for the warnings (file name or ticker).
    warnings : list of str
        Appended to: non-numeric, non-positive and duplicate-date rows dropped.

    Returns
    -------
    pandas.Series
        Float closes on a normalized, tz-naive ``DatetimeIndex`` named ``date``;
        for duplicate dates the last value is kept.
    """
    s = pd.to_numeric(values, errors="coerce")
    bad = int(s.isna().sum() - values.isna().sum())
    if bad:
        warnings.append(f"{what}: {bad} non-numeric close value(s) ignored")
    nonpos = int((s <= 0).sum())
    if nonpos:
        warnings.append(f"{what}: {nonpos} non-positive close value(s) ignored")
        s = s.where(s > 0)
    s = s.dropna()
    idx = s.index
    if getattr(idx, "tz", None) is not None:
        s.index = idx.tz_localize(None)
    s.index = pd.DatetimeIndex(s.index).normalize()
    s = s.sort_index()
    dup = s.index.duplicated(keep="last")
    if dup.any():
        warnings.append(f"{what}: {int(dup.sum())} duplicate date(s); kept the last value")
        s = s[~dup]
    s.index.name = "date"
    return s.astype(float)


#: Fewer closes than this per ticker gets a warning: too short for most estimates.
SHORT_HISTORY_CLOSES = 30


def short_history_warnings(closes: pd.DataFrame) -> list[str]:
    """One warning per ticker with fewer than :data:`SHORT_HISTORY_CLOSES` closes, naming its span.

    The data is still returned: which page needs how many rows is the page's concern.
    """
    out = []
    for t in closes.columns:
        s = closes[t].dropna()
        if len(s) < SHORT_HISTORY_CLOSES:
            span = f"{s.index[0]:%Y-%m-%d}..{s.index[-1]:%Y-%m-%d}" if len(s) else "none"
            out.append(f"{t}: only {len(s)} close(s) ({span}); too short for most estimates "
                       f"(fewer than {SHORT_HISTORY_CLOSES})")
    return out


def assemble(
    series: Mapping[str, pd.Series],
    order: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> pd.DataFrame:
    """Wide frame of the ``series`` in ``order`` (absent tickers skipped), cut to ``[start, end]``.

    Dates on which no ticker has a close are dropped, so the index stays honest after slicing.
    """
    cols = [t for t in order if t in series]
    if not cols:
        frame = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=float)
    else:
        frame = pd.concat({t: series[t] for t in cols}, axis=1).sort_index()
    frame = frame.loc[(start or frame.index.min()) : (end or frame.index.max())] if len(frame) else frame
    frame.index.name = "date"
    frame.columns.name = None
    return frame.dropna(how="all").astype(float)
