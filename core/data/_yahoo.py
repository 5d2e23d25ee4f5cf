"""Yahoo Finance through yfinance: the only module in the project that talks to it.

- :func:`yahoo_reachable` -- a sub-second connectivity probe, so an offline start stays fast.
- :func:`fetch_yahoo` -- ``yfinance.download`` with backoff and retries on rate limits only,
  every failed ticker classified (rate limited, unknown/delisted, other error).
- :func:`extract_closes` -- adjusted closes per ticker from a ``download`` frame.
- :class:`YahooUnavailable` -- offline, or nothing came back; :class:`YahooRateLimited`
  -- Yahoo answered HTTP 429 (still after the retries, or within the cooldown).
- The rate-limit cooldown: after Yahoo rate-limits this process it is not asked again
  for :data:`RATE_LIMIT_COOLDOWN_SECONDS` (process-wide, so every session and rerun
  shares it; the clock is injectable).

yfinance facts handled here: two-level ``(Price, Ticker)`` columns; ``Close``
already adjusted (``auto_adjust=True``) and ``Adj Close`` possibly absent; an
invalid ticker yields an all-NaN column with no exception; per-ticker errors are
logged, not raised, as ``['IWM', 'SPY']: YFRateLimitError('Too Many Requests. Rate
limited. Try after a while.')``; offline gives an empty frame; ``YFRateLimitError``
(HTTP 429) may also be raised.
"""

from __future__ import annotations

import ast
import logging
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import pandas as pd

from core.data._prices import DataError, clean_series

#: Attempts at a rate-limited Yahoo download, with exponential backoff between them.
YAHOO_ATTEMPTS = 3
YAHOO_BACKOFF_SECONDS = 1.0
#: How long the connectivity probe may take before we call the machine offline.
PROBE_TIMEOUT_SECONDS = 0.8
#: How long a negative probe answer is remembered (seconds).
PROBE_MEMORY_SECONDS = 60.0
#: After a rate limit, Yahoo is not asked again by this process for this long (seconds).
RATE_LIMIT_COOLDOWN_SECONDS = 300.0


class YahooUnavailable(DataError):
    """Yahoo could not be reached (offline, DNS failure, rate limit after retries)."""


class YahooRateLimited(YahooUnavailable):
    """Yahoo answered HTTP 429 Too Many Requests (after the retries, or within the cooldown)."""


class YahooFetch(NamedTuple):
    """What one :func:`fetch_yahoo` call got.

    Attributes
    ----------
    series : dict of str to pandas.Series
        Ticker -> closes, for the tickers Yahoo answered.
    empty : list of str
        Requested tickers with no data (any reason), in request order.
    warnings : list of str
        One line per kind of failure, naming the tickers.
    rate_limited : list of str
        The subset of ``empty`` that Yahoo rate-limited (not unknown, not delisted).
    """

    series: dict[str, pd.Series]
    empty: list[str]
    warnings: list[str]
    rate_limited: list[str]


_cooldown_lock = threading.Lock()
_cooldown: dict[str, float] = {}


def rate_limit_cooldown(now: float | None = None) -> float:
    """Seconds left before Yahoo may be asked again after a rate limit (0 when not cooling down).

    ``now`` is UNIX seconds (default the wall clock).
    """
    now = time.time() if now is None else now
    with _cooldown_lock:
        until = _cooldown.get("until", 0.0)
        start = _cooldown.get("at", 0.0)
    if now < start:  # the clock went backwards: forget the cooldown rather than extend it
        return 0.0
    return max(until - now, 0.0)


def raise_if_cooling_down(now: float | None = None) -> None:
    """Raise :class:`YahooRateLimited` while the rate-limit cooldown runs (``now``: UNIX seconds)."""
    wait = rate_limit_cooldown(now)
    if wait > 0:
        raise YahooRateLimited(
            "Yahoo Finance rate-limited this server recently (HTTP 429 Too Many Requests); "
            f"not asked again for another {math.ceil(wait / 60):.0f} min"
        )


def note_rate_limit(now: float | None = None) -> None:
    """Start (or restart) the process-wide cooldown at ``now`` (UNIX seconds)."""
    now = time.time() if now is None else now
    with _cooldown_lock:
        _cooldown.update(at=now, until=now + RATE_LIMIT_COOLDOWN_SECONDS)


def reset_rate_limit_cooldown() -> None:
    """Forget any rate limit (tests; an operator who knows the limit is lifted)."""
    with _cooldown_lock:
        _cooldown.clear()


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
    """yfinance's ``YFRateLimitError``, an HTTP 429 or "Too Many Requests", by name or message."""
    t = text.lower()
    return ("ratelimit" in t.replace(" ", "") or "too many requests" in t or "rate limited" in t
            or re.search(r"\b429\b", t) is not None)


_LOGGED = re.compile(r"^\s*\[(?P<tickers>[^\]]*)\]:\s*(?P<error>.*)$", re.S)


def _errors_by_ticker(errors: Sequence[str], tickers: Sequence[str]) -> dict[str, str]:
    """Ticker -> error text from yfinance's log lines ``['A', 'B']: Error(...)``.

    A line that names no ticker (an exception raised by ``download`` itself) applies to
    every ticker.
    """
    out: dict[str, str] = {}
    for line in errors:
        m = _LOGGED.match(line)
        named: list[str] = []
        if m:
            try:
                named = [str(t).strip() for t in ast.literal_eval(f"[{m['tickers']}]")]
            except (ValueError, SyntaxError):
                named = []
        if named:
            for t in named:
                if t in tickers:
                    out[t] = m["error"].strip()
        elif line.strip() and not re.match(r"^\s*\d+ failed download", line, re.I):
            for t in tickers:
                out.setdefault(t, line.strip())
    return out


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
    clock: Callable[[], float] = time.time,
) -> YahooFetch:
    """Download closes from Yahoo through ``yfinance.download``.

    Retries with exponential backoff only when the whole request is rate-limited:
    after failed attempt ``k`` (0-based) it sleeps ``YAHOO_BACKOFF_SECONDS * 2**k``
    seconds, at most ``YAHOO_ATTEMPTS`` attempts in all. Any other failure
    (offline, DNS, HTTP error) returns at once. Any rate limit (whole or partial)
    starts the process-wide cooldown; within it Yahoo is not called at all.

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
    clock : callable, optional
        UNIX seconds now, for the rate-limit cooldown (default :func:`time.time`).

    Returns
    -------
    YahooFetch
        Closes per answered ticker, the empty tickers, warnings naming each kind of
        failure (rate limited; unknown or delisted; other errors), the rate-limited ones.

    Raises
    ------
    YahooRateLimited
        Still rate-limited after ``YAHOO_ATTEMPTS`` tries, or within the cooldown.
    YahooUnavailable
        Offline or nothing came back.
    """
    raise_if_cooling_down(clock())
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
            return _classify(tickers, series, errors, clock)
        last_error = "; ".join(errors)[:300]
        if not rate_limited:
            break
        if attempt + 1 < YAHOO_ATTEMPTS:
            sleep(YAHOO_BACKOFF_SECONDS * 2**attempt)
    else:
        note_rate_limit(clock())
        raise YahooRateLimited(
            f"Yahoo Finance rate limited the request for {', '.join(tickers)} (HTTP 429 Too Many Requests: "
            f"{last_error}) after {YAHOO_ATTEMPTS} attempts; not asked again for "
            f"{RATE_LIMIT_COOLDOWN_SECONDS / 60:.0f} min"
        )
    raise YahooUnavailable(f"Yahoo Finance unavailable: {last_error or 'empty answer'}")


def _classify(
    tickers: Sequence[str], series: dict[str, pd.Series], errors: Sequence[str], clock: Callable[[], float]
) -> YahooFetch:
    """Name why each empty ticker is empty: rate limited, unknown/delisted, or another error."""
    empty = [t for t in tickers if t not in series]
    by_ticker = _errors_by_ticker(errors, empty)
    limited = [t for t in empty if _is_rate_limit(by_ticker.get(t, ""))]
    failed = {t: by_ticker[t] for t in empty if t in by_ticker and t not in limited
              and "delisted" not in by_ticker[t].lower() and "no price data" not in by_ticker[t].lower()}
    unknown = [t for t in empty if t not in limited and t not in failed]
    warnings = []
    if limited:
        note_rate_limit(clock())
        warnings.append(f"Yahoo rate limited {', '.join(limited)} (HTTP 429 Too Many Requests); "
                        f"not asked again for {RATE_LIMIT_COOLDOWN_SECONDS / 60:.0f} min")
    if unknown:
        warnings.append(f"Yahoo returned no data for {', '.join(unknown)} (unknown or delisted ticker?)")
    for t, err in failed.items():
        warnings.append(f"Yahoo failed for {t}: {err[:200]}")
    return YahooFetch(series, empty, warnings, limited)
