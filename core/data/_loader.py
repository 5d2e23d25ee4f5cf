"""The loader: one entry point, :func:`load_prices`, and the fallback chain behind it.

``source="auto"`` tries, per ticker: fresh cache -> live Yahoo -> stale cache, and
only when no ticker could be served from real data, the synthetic demo (so real and
synthetic series are never mixed). Every fallback taken is recorded in
:attr:`PriceData.warnings <core.data.PriceData.warnings>`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from core.data._cache import CacheEntry, default_cache_dir, is_fresh, read_cache, write_cache
from core.data._csv import load_csv_folder
from core.data._prices import SOURCES, DataError, PriceData, Source, assemble
from core.data._yahoo import YahooUnavailable, fetch_yahoo, yahoo_reachable
from core.demo import generate_demo_prices
from core.tickers import TickerError, normalize_tickers


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
    sleep: Callable[[float], None] = time.sleep,
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
    sleep : callable, optional
        Waits out the backoff between rate-limited Yahoo attempts (seconds);
        default :func:`time.sleep`. Tests pass a recorder.

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
        series, w, missing = load_csv_folder(wanted, folder)
        warnings += w
        sources = dict.fromkeys(series, "csv")
        detail = str(folder)
    else:
        cdir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        series, sources, warnings = _load_online(wanted, t0, t1, source, cdir, download, probe, sleep)

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
    closes = assemble(series, wanted, t0, t1)
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


def _load_online(
    wanted: list[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    source: str,
    cache_dir: Path,
    download: Callable[..., pd.DataFrame] | None,
    probe: Callable[[], bool] | None,
    sleep: Callable[[float], None],
) -> tuple[dict[str, pd.Series], dict[str, str], list[str]]:
    """The ``auto``, ``yahoo`` and ``cache`` sources: series, source per ticker, warnings."""
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
        fresh = [t for t in wanted if t in cached and is_fresh(cached[t], start, end)]
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
        got, _empty, w = fetch_yahoo(to_fetch, start, end, download=download, sleep=sleep)
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
