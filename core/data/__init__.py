"""Load adjusted daily closes from Yahoo, the on-disk cache, a CSV folder or the demo.

Everything downstream receives a :class:`PriceData`: a wide frame of closes with
a tz-naive, sorted, unique ``DatetimeIndex`` named ``date``, the source that
served each ticker, and the warnings met on the way.

Fallback chain for ``source="auto"``: fresh cache -> live Yahoo -> stale cache
-> synthetic demo. The demo is used only when no ticker could be served from
real data, so real and synthetic series are never mixed.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from core.demo import generate_demo_prices
from core.errors import ExplorerError
from core.tickers import (
    DEFAULT_CRYPTO,
    DEFAULT_RUSSELL,
    DEFAULT_SP,
    DEFAULT_TICKERS,
    TickerError,
    file_stem,
    is_crypto,
    normalize_tickers,
)

__all__ = [
    "DEFAULT_CRYPTO",
    "DEFAULT_RUSSELL",
    "DEFAULT_SP",
    "DEFAULT_TICKERS",
    "DataError",
    "PriceData",
    "Source",
    "is_crypto",
    "list_csv_tickers",
    "load_prices",
    "parse_price_csv",
    "parse_uploaded_csv",
    "prices_from_upload",
]

Source = Literal["auto", "yahoo", "cache", "csv", "demo"]
SOURCES: tuple[str, ...] = ("auto", "yahoo", "cache", "csv", "demo")

#: Cached Yahoo data younger than this is served without a network call.
CACHE_FRESH_SECONDS = 12 * 3600
#: Attempts at a rate-limited Yahoo download, with exponential backoff between them.
YAHOO_ATTEMPTS = 3
YAHOO_BACKOFF_SECONDS = 1.0
#: How long the connectivity probe may take before we call the machine offline.
PROBE_TIMEOUT_SECONDS = 0.8

logger = logging.getLogger(__name__)


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
    """

    closes: pd.DataFrame
    sources: dict[str, str]
    warnings: tuple[str, ...] = ()
    detail: str = ""
    missing: tuple[str, ...] = field(default=())

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


# --------------------------------------------------------------------------- CSV


def _pick_close_column(columns: Sequence[str]) -> str:
    """Prefer the dividend-adjusted close; fall back to the close."""
    lower = {c.strip().lower().replace(" ", "_"): c for c in columns}
    for name in ("adj_close", "adjclose", "close", "price"):
        if name in lower:
            return lower[name]
    raise DataError(f"no close column (looked for 'Adj Close', 'adj_close', 'Close'); found {list(columns)}")


def _clean_series(values: pd.Series, what: str, warnings: list[str]) -> pd.Series:
    """Numeric, positive, tz-naive, sorted, unique-dated close series."""
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


def _read_table(text: str | bytes, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
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
    close), preferring the adjusted close when present and non-empty.

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
        Empty file, no date or close column, no valid rows.
    """
    frame, cols = _read_table(text, name)
    date_col = cols.get("date") or cols.get("datetime") or cols.get("timestamp")
    if date_col is None:
        raise DataError(f"{name}: no 'Date' column; found {list(frame.columns)}")
    try:
        close_col = _pick_close_column(list(frame.columns))
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from exc
    # Some files carry an all-empty Adj Close column: fall back to Close then.
    if close_col.strip().lower().startswith("adj") and frame[close_col].isna().all():
        others = [c for c in frame.columns if c.strip().lower() == "close"]
        if others:
            close_col = others[0]
    dates = pd.to_datetime(frame[date_col], errors="coerce", utc=False, format="mixed")
    warnings: list[str] = []
    n_bad_dates = int(dates.isna().sum())
    if n_bad_dates:
        warnings.append(f"{name}: {n_bad_dates} row(s) with an unreadable date ignored")
    series = pd.Series(frame[close_col].to_numpy(), index=pd.DatetimeIndex(dates))
    series = series[series.index.notna()]
    series = _clean_series(series, name, warnings)
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


def _csv_path(folder: Path, ticker: str) -> Path | None:
    """File for a ticker: exact stem first, then a case-insensitive match."""
    stem = file_stem(ticker)
    exact = folder / f"{stem}.csv"
    if exact.is_file():
        return exact
    for path in folder.glob("*.csv"):
        if path.stem.upper() == stem:
            return path
    return None


def _load_csv_folder(tickers: Sequence[str], folder: Path) -> tuple[dict[str, pd.Series], list[str], list[str]]:
    if not folder.is_dir():
        raise DataError(f"CSV folder not found: {folder}")
    series, warnings, missing = {}, [], []
    for t in tickers:
        path = _csv_path(folder, t)
        if path is None:
            missing.append(t)
            warnings.append(f"{t}: no file {file_stem(t)}.csv in {folder}")
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
    frame, cols = _read_table(text, name)
    date_col = cols.get("date")
    if date_col is None:
        raise DataError(f"{name}: no 'date' column; found {list(frame.columns)}")
    dates = pd.DatetimeIndex(pd.to_datetime(frame[date_col], errors="coerce", format="mixed"))
    warnings: list[str] = []
    out: dict[str, pd.Series] = {}
    if "ticker" in cols:
        close_col = _pick_close_column([c for c in frame.columns if c not in (date_col, cols["ticker"])])
        for raw, grp in frame.groupby(cols["ticker"], sort=False):
            try:
                (t,) = normalize_tickers([str(raw)])
            except TickerError as exc:
                warnings.append(f"{name}: {exc}")
                continue
            s = pd.Series(grp[close_col].to_numpy(), index=dates[grp.index])
            s = _clean_series(s[s.index.notna()], f"{name}:{t}", warnings)
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
            s = _clean_series(s[s.index.notna()], f"{name}:{t}", warnings)
            if not s.empty:
                out[t] = s
    if not out:
        raise DataError(f"{name}: no ticker column with valid closes")
    return out, warnings


# ------------------------------------------------------------------------- cache


def default_cache_dir() -> Path:
    """Cache folder: ``$SCX_CACHE_DIR``, else ``~/.cache/smallcaps-crypto``, else the temp dir.

    The home cache works locally; on Streamlit Community Cloud the home folder is
    writable but ephemeral, and the temp dir is the last resort everywhere.
    """
    env = os.environ.get("SCX_CACHE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [Path.home() / ".cache" / "smallcaps-crypto", Path(tempfile.gettempdir()) / "smallcaps-crypto"]
    for c in candidates:
        try:
            c.mkdir(parents=True, exist_ok=True)
            if os.access(c, os.W_OK):
                return c
        except OSError:
            continue
    return candidates[-1]


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class CacheEntry:
    """One ticker's cached Yahoo closes.

    ``fetched_at`` is the download time (UNIX seconds); ``start`` the start date the
    download asked for (None: all history).
    """

    series: pd.Series
    fetched_at: float
    start: pd.Timestamp | None = None

    def age_seconds(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at


def write_cache(
    cache_dir: Path,
    ticker: str,
    series: pd.Series,
    fetched_at: float | None = None,
    start: pd.Timestamp | None = None,
) -> Path:
    """Store closes as ``<stem>.csv`` under a ``# fetched_at=<t> [start=<date>]`` line; atomic.

    ``start`` is the start date the download asked for, so a cache of a short
    window is never served for a longer one.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{file_stem(ticker)}.csv"
    stamp = time.time() if fetched_at is None else fetched_at
    body = series.rename("close").rename_axis("date").to_csv(date_format="%Y-%m-%d", float_format="%.10g")
    window = "" if start is None else f" start={start:%Y-%m-%d}"
    _atomic_write(path, f"# fetched_at={stamp:.3f}{window}\n{body}")
    return path


def read_cache(cache_dir: Path, ticker: str) -> CacheEntry | None:
    """Read a cached ticker, or None if absent.

    Raises
    ------
    DataError
        The file exists but is corrupt (callers report it and go on).
    """
    path = cache_dir / f"{file_stem(ticker)}.csv"
    if not path.is_file():
        return None
    try:
        raw = path.read_text(encoding="utf-8")
        first, _, body = raw.partition("\n")
        if not first.startswith("# fetched_at="):
            raise DataError("missing '# fetched_at=' header")
        stamp, _, window = first.removeprefix("# fetched_at=").partition(" start=")
        fetched_at = float(stamp)
        start = pd.Timestamp(window) if window else None
        series, _ = parse_price_csv(body, name=path.name)
    except (DataError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"corrupt cache file {path} ignored ({exc})") from exc
    return CacheEntry(series, fetched_at, start)


# ------------------------------------------------------------------------- Yahoo


class YahooUnavailable(DataError):
    """Yahoo could not be reached (offline, DNS failure, rate limit after retries)."""


_probe_state: dict[str, float | bool] = {}


def yahoo_reachable(timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """Quick connectivity probe (DNS + TCP) so an offline start stays fast.

    Runs in a daemon thread so a hanging DNS lookup cannot block past ``timeout``.
    A negative answer is remembered for 60 seconds.
    """
    now = time.monotonic()
    if _probe_state.get("ok") is False and now - float(_probe_state.get("at", 0.0)) < 60:
        return False
    result: list[bool] = []

    def _probe() -> None:
        try:
            with socket.create_connection(("query2.finance.yahoo.com", 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    th = threading.Thread(target=_probe, daemon=True)
    th.start()
    th.join(timeout)
    ok = bool(result and result[0])
    _probe_state.update(ok=ok, at=now)
    return ok


class _CaptureErrors(logging.Handler):
    """Collect yfinance's logged per-ticker errors (download() logs instead of raising)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _is_rate_limit(text: str) -> bool:
    t = text.lower()
    return "ratelimit" in t.replace(" ", "") or "too many requests" in t or "rate limited" in t


def extract_closes(raw: pd.DataFrame, tickers: Sequence[str]) -> dict[str, pd.Series]:
    """Adjusted closes per ticker from a ``yfinance.download`` frame.

    Handles two-level ``(Price, Ticker)`` columns (the 1.x default, even for one
    ticker), flat columns (``multi_level_index=False``), ``Close`` already
    adjusted (``auto_adjust=True``) and ``Adj Close`` when present, tz-aware
    indexes, and all-NaN columns for invalid tickers (dropped here).
    """
    out: dict[str, pd.Series] = {}
    if raw is None or raw.empty:
        return out
    if isinstance(raw.columns, pd.MultiIndex):
        level0 = set(raw.columns.get_level_values(0))
        price_level = 0 if {"Close", "Adj Close"} & level0 else 1
        prices = set(raw.columns.get_level_values(price_level))
        for t in tickers:
            for field_name in ("Adj Close", "Close"):
                if field_name not in prices:
                    continue
                key = (field_name, t) if price_level == 0 else (t, field_name)
                if key in raw.columns and raw[key].notna().any():
                    out[t] = raw[key]
                    break
    else:
        if len(tickers) == 1:
            for field_name in ("Adj Close", "Close"):
                if field_name in raw.columns and raw[field_name].notna().any():
                    out[tickers[0]] = raw[field_name]
                    break
    cleaned = {}
    for t, s in out.items():
        s = s.copy()
        if getattr(s.index, "tz", None) is not None:
            s.index = s.index.tz_localize(None)
        s = _clean_series(s, t, [])
        if not s.empty:
            cleaned[t] = s
    return cleaned


def fetch_yahoo(
    tickers: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    *,
    download: Callable[..., pd.DataFrame] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, pd.Series], list[str], list[str]]:
    """Download closes from Yahoo through ``yfinance.download``.

    Retries with exponential backoff only on rate limits; any other failure
    (offline, DNS, HTTP error) returns at once.

    Returns
    -------
    (dict, list of str, list of str)
        Ticker -> closes for tickers Yahoo answered, the tickers Yahoo answered
        empty (unknown or delisted), and warnings.

    Raises
    ------
    YahooUnavailable
        Offline, or still rate-limited after ``YAHOO_ATTEMPTS`` tries.
    """
    if download is None:
        import yfinance as yf  # imported lazily: a slow import that offline starts rarely need

        download = yf.download
    last_error = ""
    for attempt in range(YAHOO_ATTEMPTS):
        handler = _CaptureErrors()
        yf_logger = logging.getLogger("yfinance")
        yf_logger.addHandler(handler)
        try:
            raw = download(
                list(tickers),
                start=None if start is None else start.strftime("%Y-%m-%d"),
                # Yahoo's end is exclusive: ask for the day after.
                end=None if end is None else (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                auto_adjust=True,
                progress=False,
                threads=False,
                timeout=5,
            )
            errors = handler.messages
        except Exception as exc:  # yfinance raises many types; classify by name/message
            raw, errors = None, [f"{type(exc).__name__}: {exc}"]
        finally:
            yf_logger.removeHandler(handler)
        series = extract_closes(raw, tickers) if raw is not None else {}
        rate_limited = any(_is_rate_limit(e) for e in errors)
        if series or not errors:
            empty = [t for t in tickers if t not in series]
            warnings = []
            if empty:
                warnings.append(f"Yahoo returned no data for {', '.join(empty)} (unknown or delisted ticker?)")
            if rate_limited:
                warnings.append("Yahoo rate-limited part of the request; some tickers may be missing")
            return series, empty, warnings
        last_error = "; ".join(errors)[:300]
        if not rate_limited:
            break
        if attempt + 1 < YAHOO_ATTEMPTS:
            sleep(YAHOO_BACKOFF_SECONDS * 2**attempt)
    raise YahooUnavailable(f"Yahoo Finance unavailable: {last_error or 'empty answer'}")


# -------------------------------------------------------------------------- main


def _as_timestamp(value: date | datetime | str | None, name: str) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name} date {value!r} is not a date (use YYYY-MM-DD)") from exc
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _assemble(series: Mapping[str, pd.Series], order: Sequence[str], start, end) -> pd.DataFrame:
    cols = [t for t in order if t in series]
    if not cols:
        frame = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=float)
    else:
        frame = pd.concat({t: series[t] for t in cols}, axis=1).sort_index()
    frame = frame.loc[(start or frame.index.min()) : (end or frame.index.max())] if len(frame) else frame
    frame.index.name = "date"
    frame.columns.name = None
    # Drop dates on which no ticker has a close (keeps the index honest after slicing).
    return frame.dropna(how="all").astype(float)


def _demo_series(tickers: Sequence[str]) -> tuple[dict[str, pd.Series], list[str]]:
    demo = generate_demo_prices()
    found = {t: demo[t].dropna() for t in tickers if t in demo.columns}
    missing = [t for t in tickers if t not in demo.columns]
    return found, missing


def load_prices(
    tickers: Sequence[str],
    start: date | datetime | str | None = None,
    end: date | datetime | str | None = None,
    *,
    source: Source = "auto",
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    download: Callable[..., pd.DataFrame] | None = None,
    probe: Callable[[], bool] | None = None,
) -> PriceData:
    """Load daily closes for ``tickers`` between ``start`` and ``end`` (inclusive).

    Parameters
    ----------
    tickers : sequence of str
        Yahoo symbols (``IWM``, ``^RUT``, ``BTC-USD``; in CSV mode also the file
        stems such as ``SOL-USDT``). Validated before any file or network use.
    start, end : date-like, optional
        Inclusive bounds; None means all available history.
    source : {"auto", "yahoo", "cache", "csv", "demo"}
        ``auto`` tries fresh cache, Yahoo, stale cache, then the demo, and never
        raises for a network failure. ``yahoo`` raises :class:`YahooUnavailable`
        when Yahoo cannot be reached.
    data_dir : path, optional
        CSV folder, required for ``source="csv"``.
    cache_dir : path, optional
        Cache folder (default :func:`default_cache_dir`).
    download, probe : callable, optional
        Injected ``yfinance.download`` and connectivity probe (tests).

    Returns
    -------
    PriceData

    Raises
    ------
    DataError
        Invalid ticker or date, missing CSV folder, or no requested ticker found.
    """
    try:
        wanted = normalize_tickers(tickers)
    except TickerError as exc:
        raise DataError(str(exc)) from exc
    if not wanted:
        raise DataError("no tickers requested")
    if source not in SOURCES:
        raise DataError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    t0, t1 = _as_timestamp(start, "start"), _as_timestamp(end, "end")
    if t0 is not None and t1 is not None and t0 > t1:
        raise DataError(f"start {t0.date()} is after end {t1.date()}")

    series: dict[str, pd.Series] = {}
    sources: dict[str, str] = {}
    warnings: list[str] = []
    detail = ""

    if source == "demo":
        series, missing = _demo_series(wanted)
        sources = dict.fromkeys(series, "demo")
        if missing:
            warnings.append(f"no demo series for {', '.join(missing)}")
    elif source == "csv":
        if data_dir is None:
            raise DataError("source 'csv' needs a data folder (--data-dir or SCX_DATA_DIR)")
        folder = Path(data_dir).expanduser()
        series, w, missing = _load_csv_folder(wanted, folder)
        warnings += w
        sources = dict.fromkeys(series, "csv")
        detail = str(folder)
    else:
        cdir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        series, sources, warnings = _load_online(wanted, t0, t1, source, cdir, download, probe)

    missing = [t for t in wanted if t not in series]
    if not series:
        if source == "auto":
            warnings.append("no real data could be loaded: showing synthetic demo data")
            series, demo_missing = _demo_series(wanted)
            sources = dict.fromkeys(series, "demo")
            missing = demo_missing
            if demo_missing:
                warnings.append(f"no demo series for {', '.join(demo_missing)}")
        if not series:
            raise DataError(f"no data for any of {', '.join(wanted)}: " + "; ".join(warnings))
    closes = _assemble(series, wanted, t0, t1)
    empty_in_range = [t for t in closes.columns if closes[t].isna().all()]
    if empty_in_range:
        warnings.append(f"no closes between the chosen dates for {', '.join(empty_in_range)}")
        closes = closes.drop(columns=empty_in_range)
        missing += empty_in_range
    if closes.empty:
        raise DataError("no closes in the chosen date range for any ticker")
    return PriceData(
        closes=closes,
        sources={t: sources[t] for t in closes.columns},
        warnings=tuple(warnings),
        detail=detail,
        missing=tuple(missing),
    )


def _covers(entry: CacheEntry, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    """Whether the cache spans the request: fetched from ``start`` or earlier, and after ``end``."""
    if entry.start is not None and (start is None or start < entry.start):
        return False
    if end is None:
        return True
    fetched_day = pd.Timestamp(entry.fetched_at, unit="s").normalize()
    return fetched_day >= end or entry.series.index.max() >= end


def _load_online(
    wanted: list[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    source: str,
    cache_dir: Path,
    download: Callable[..., pd.DataFrame] | None,
    probe: Callable[[], bool] | None,
) -> tuple[dict[str, pd.Series], dict[str, str], list[str]]:
    series: dict[str, pd.Series] = {}
    sources: dict[str, str] = {}
    warnings: list[str] = []
    cached: dict[str, CacheEntry] = {}
    for t in wanted:
        try:
            entry = read_cache(cache_dir, t)
        except DataError as exc:
            warnings.append(str(exc))
            continue
        if entry is not None:
            cached[t] = entry

    def _serve_cache(tick: str) -> None:
        series[tick] = cached[tick].series
        sources[tick] = "cache"

    if source == "cache":
        for t in wanted:
            if t in cached:
                _serve_cache(t)
            else:
                warnings.append(f"{t}: not in the cache at {cache_dir}")
        return series, sources, warnings

    to_fetch = list(wanted)
    if source == "auto":
        fresh = [t for t in wanted if t in cached and cached[t].age_seconds() < CACHE_FRESH_SECONDS
                 and _covers(cached[t], start, end)]
        for t in fresh:
            _serve_cache(t)
        to_fetch = [t for t in wanted if t not in fresh]
    if not to_fetch:
        return series, sources, warnings

    if probe is None:
        # An injected download (tests, notebooks) skips the real-network probe.
        probe = yahoo_reachable if download is None else (lambda: True)
    try:
        if not probe():
            raise YahooUnavailable("Yahoo Finance unreachable (offline?)")
        got, _empty, w = fetch_yahoo(to_fetch, start, end, download=download)
        warnings += w
        for t, s in got.items():
            series[t] = s
            sources[t] = "yahoo"
            try:
                write_cache(cache_dir, t, s, start=start)
            except OSError as exc:
                warnings.append(f"could not write the cache for {t} ({exc})")
    except YahooUnavailable as exc:
        if source == "yahoo":
            raise
        warnings.append(str(exc))
        stale = [t for t in to_fetch if t in cached]
        for t in stale:
            _serve_cache(t)
        if stale:
            ages = max(cached[t].age_seconds() for t in stale) / 3600
            warnings.append(f"served {', '.join(stale)} from the cache (up to {ages:.0f} h old)")
    return series, sources, warnings


def prices_from_upload(text: str | bytes, name: str = "upload") -> PriceData:
    """A :class:`PriceData` from an uploaded wide or long CSV (see :func:`parse_uploaded_csv`)."""
    series, warnings = parse_uploaded_csv(text, name=name)
    closes = _assemble(series, list(series), None, None)
    return PriceData(closes=closes, sources=dict.fromkeys(closes.columns, "upload"),
                     warnings=tuple(warnings), detail=name)
