"""Yahoo Finance through yfinance: the only module in the project that talks to it.

- :func:`yahoo_reachable` -- a sub-second connectivity probe, so an offline start stays fast.
- :func:`fetch_yahoo` -- ``yfinance.download`` with backoff and retries on rate limits only.
- :func:`extract_closes` -- adjusted closes per ticker from a ``download`` frame.
- :class:`YahooUnavailable` -- offline, or still rate-limited after the retries.

yfinance facts handled here: two-level ``(Price, Ticker)`` columns; ``Close``
already adjusted (``auto_adjust=True``) and ``Adj Close`` possibly absent; an
invalid ticker yields an all-NaN column with no exception; per-ticker errors are
logged, not raised; offline gives an empty frame; ``YFRateLimitError``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence

import pandas as pd

from core.data._prices import DataError, clean_series

#: Attempts at a rate-limited Yahoo download, with exponential backoff between them.
YAHOO_ATTEMPTS = 3
YAHOO_BACKOFF_SECONDS = 1.0
#: How long the connectivity probe may take before we call the machine offline.
PROBE_TIMEOUT_SECONDS = 0.8
#: How long a negative probe answer is remembered (seconds).
PROBE_MEMORY_SECONDS = 60.0


class YahooUnavailable(DataError):
    """Yahoo could not be reached (offline, DNS failure, rate limit after retries)."""


_probe_state: dict[str, float | bool] = {}


def yahoo_reachable(timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """Quick connectivity probe (DNS + TCP) so an offline start stays fast.

    Runs in a daemon thread so a hanging DNS lookup cannot block past ``timeout``.
    A negative answer is remembered for :data:`PROBE_MEMORY_SECONDS`.
    """
    now = time.monotonic()
    if _probe_state.get("ok") is False and now - float(_probe_state.get("at", 0.0)) < PROBE_MEMORY_SECONDS:
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
        s = clean_series(s, t, [])
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

    Retries with exponential backoff only on rate limits: after failed attempt
    ``k`` (0-based) it sleeps ``YAHOO_BACKOFF_SECONDS * 2**k`` seconds, at most
    ``YAHOO_ATTEMPTS`` attempts in all. Any other failure (offline, DNS, HTTP
    error) returns at once.

    Parameters
    ----------
    tickers : sequence of str
        Validated Yahoo symbols.
    start, end : pandas.Timestamp, optional
        Inclusive bounds (Yahoo's ``end`` is exclusive; the day after is asked for).
    download : callable, optional
        Stand-in for ``yfinance.download`` (tests); default the real one.
    sleep : callable, optional
        Called with each backoff delay in seconds (default :func:`time.sleep`).

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
