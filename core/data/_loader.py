"""The loader: one entry point, :func:`load_prices`, and the fallback chain behind it.

``source="auto"`` tries, per ticker: fresh cache -> live Yahoo -> stale cache, and
only when no ticker could be served from real data, the synthetic demo (so real and
synthetic series are never mixed). Every fallback taken is recorded in
:attr:`PriceData.warnings <core.data.PriceData.warnings>` (a stale ticker with its
age), and flagged by :attr:`PriceData.fallback <core.data.PriceData.fallback>`.

A ticker that fails inside a batch (rate limited, unknown, any error) is served from
the cache when the cache has it. Within the rate-limit cooldown Yahoo is not called:
the cache, or the demo, is served with a message saying so. A damaged cache file is
reported and treated as missing; one dated in the future is never fresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from core.data._cache import (
    CacheEntry,
    default_cache_dir,
    is_fresh,
    is_writable,
    read_cache,
    write_cache,
)
from core.data._csv import load_csv_folder
from core.data._dates import parse_date_bound
from core.data._prices import SOURCES, DataError, PriceData, Source, assemble
from core.data._yahoo import YahooUnavailable, fetch_yahoo, raise_if_cooling_down, yahoo_reachable
from core.demo import generate_demo_prices
from core.tickers import TickerError, normalize_tickers


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
    clock: Callable[[], float] = time.time,
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
    clock : callable, optional
        UNIX seconds now (default :func:`time.time`): cache ages, dates in the
        future, the rate-limit cooldown. Tests pass a fixed clock.

    Returns
    -------
    PriceData

    Raises
    ------
    DataError
        Invalid ticker or date (not ``YYYY-MM-DD``, outside 1900-01-01..2100-12-31,
        start after end), missing CSV folder, or no requested ticker found.
    """
    try:
        wanted = normalize_tickers(tickers)
    except TickerError as exc:
        raise DataError(str(exc)) from exc
    if not wanted:
        raise DataError("no tickers requested")
    if source not in SOURCES:
        raise DataError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    t0, t1 = parse_date_bound(start, "start"), parse_date_bound(end, "end")
    if t0 is not None and t1 is not None and t0 > t1:
        raise DataError(f"start {t0.date()} is after end {t1.date()}")

    series: dict[str, pd.Series] = {}
    sources: dict[str, str] = {}
    warnings: list[str] = []
    detail = ""
    fallback = False

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
        series, sources, warnings, fallback = _load_online(
            wanted, t0, t1, source, cdir, download, probe, sleep, clock
        )

    missing = [t for t in wanted if t not in series]
    if not series:
        if source == "auto":
            warnings.append("no real data could be loaded: showing synthetic demo data")
            fallback = True
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
        fallback=fallback,
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
    clock: Callable[[], float],
) -> tuple[dict[str, pd.Series], dict[str, str], list[str], bool]:
    """The ``auto``, ``yahoo`` and ``cache`` sources: series, source per ticker, warnings, fallback taken."""
    series: dict[str, pd.Series] = {}
    sources: dict[str, str] = {}
    warnings: list[str] = []
    now = clock()
    cached = _read_cached(wanted, cache_dir, now, warnings)
    writable = is_writable(cache_dir)

    def _serve_cache(tick: str) -> None:
        series[tick] = cached[tick].series
        sources[tick] = "cache"

    if source == "cache":
        for t in wanted:
            if t in cached:
                _serve_cache(t)
            else:
                warnings.append(f"{t}: not in the cache at {cache_dir}")
        if series and not writable:
            warnings.append(f"the cache folder {cache_dir} is read-only: its data is shown but can't be refreshed")
        return series, sources, warnings, False

    to_fetch = list(wanted)
    if source == "auto":
        fresh = [t for t in wanted if t in cached and is_fresh(cached[t], start, end, now)]
        for t in fresh:
            _serve_cache(t)
        to_fetch = [t for t in wanted if t not in fresh]
    if not to_fetch:
        if not writable:
            warnings.append(f"the cache folder {cache_dir} is read-only: its data is shown but can't be refreshed")
        return series, sources, warnings, False

    if probe is None:
        # An injected download (tests, notebooks) skips the real-network probe.
        probe = yahoo_reachable if download is None else (lambda: True)
    failed = list(to_fetch)
    try:
        raise_if_cooling_down(now)  # before the probe: in the cooldown nothing goes out
        if not probe():
            raise YahooUnavailable("Yahoo Finance unreachable (offline?)")
        got = fetch_yahoo(to_fetch, start, end, download=download, sleep=sleep, clock=clock)
        warnings += got.warnings
        unwritten = []
        for t, s in got.series.items():
            series[t] = s
            sources[t] = "yahoo"
            try:
                write_cache(cache_dir, t, s, fetched_at=clock(), start=start)
            except OSError:
                unwritten.append(t)
        if unwritten:
            why = "is read-only" if not writable else "could not be written"
            warnings.append(f"the cache folder {cache_dir} {why}: {', '.join(unwritten)} not stored, "
                            "so the next start asks Yahoo again")
        failed = list(got.empty)
    except YahooUnavailable as exc:
        if source == "yahoo":
            raise
        warnings.append(str(exc))
    if source == "yahoo":
        return series, sources, warnings, False
    stale = [t for t in failed if t in cached]
    for t in stale:
        _serve_cache(t)
        warnings.append(f"{t}: served from the cache, {cached[t].describe_age(now)} (Yahoo did not answer for it)")
    if stale and not writable:
        warnings.append(f"the cache folder {cache_dir} is read-only: its data is shown but can't be refreshed")
    return series, sources, warnings, bool(stale)


def _read_cached(wanted: list[str], cache_dir: Path, now: float, warnings: list[str]) -> dict[str, CacheEntry]:
    """Cache entries of ``wanted``; damaged files, unverifiable ones and future dates warned by name."""
    cached: dict[str, CacheEntry] = {}
    for t in wanted:
        try:
            entry = read_cache(cache_dir, t)
        except DataError as exc:
            warnings.append(f"{t}: {exc}; treated as not cached")
            continue
        if entry is None:
            continue
        if entry.in_future(now):
            stamp = pd.Timestamp(entry.fetched_at, unit="s")
            warnings.append(f"{t}: the cache says it was fetched at {stamp:%Y-%m-%d %H:%M} UTC, in the future; "
                            "treated as stale")
        if not entry.verified:
            warnings.append(f"{t}: the cache file has no checksum (older format); treated as stale")
        cached[t] = entry
    return cached
