"""Load adjusted daily closes from Yahoo, the on-disk cache, a CSV folder, an upload or the demo.

Everything downstream receives a :class:`PriceData`: a wide frame of closes with
a tz-naive, sorted, unique ``DatetimeIndex`` named ``date``, the source that
served each ticker, and the warnings met on the way.

Fallback chain for ``source="auto"``: fresh cache -> live Yahoo -> stale cache
-> synthetic demo. The demo is used only when no ticker could be served from
real data, so real and synthetic series are never mixed.

What lives where (import everything from ``core.data``; the modules are private):

``_prices``
    :class:`PriceData`, :class:`DataError`, ``Source``/``SOURCES``, and the
    close-series contract every source meets (``clean_series``, ``assemble``).
``_dates``
    Date columns with the format detected for the whole column (ISO with or without
    a UTC offset, dd/mm vs mm/dd by a field above 12, epoch numbers by magnitude;
    ambiguous columns refused naming rows): :func:`parse_date_column`; start/end
    bounds: :func:`parse_date_bound` (``MIN_DATE``..``MAX_DATE``).
``_csv``
    Yahoo-format CSV files: :func:`parse_price_csv`, :func:`list_csv_tickers`,
    reading a folder (the file of a ticker is ``core.tickers.file_stem``'s).
``_cache``
    The on-disk cache: :func:`default_cache_dir`, :func:`write_cache` (atomic),
    :func:`read_cache` (row count, last date and SHA-256 checked: a file cut short is
    treated as missing), :class:`CacheEntry`, freshness (``CACHE_FRESH_SECONDS``; a
    ``fetched_at`` in the future is never fresh).
``_yahoo``
    Yahoo via yfinance, the only module that imports it: :func:`fetch_yahoo`
    (backoff on rate limits only, then a process-wide cooldown), :func:`extract_closes`,
    :func:`yahoo_reachable`, :class:`YahooUnavailable`, :class:`YahooRateLimited`.
``_upload``
    Uploaded wide or long tables: :func:`parse_uploaded_csv`, :func:`prices_from_upload`.
``_loader``
    :func:`load_prices`, the one entry point, and the fallback chain.

Which file holds a coin when several pairs exist (``SOL-USD`` vs ``SOL-USDT``) is
:func:`core.roles.match_coins`'s rule, applied by callers before loading.
"""

from __future__ import annotations

from core.data._cache import (
    CACHE_FRESH_SECONDS,
    CacheEntry,
    default_cache_dir,
    read_cache,
    write_cache,
)
from core.data._csv import list_csv_tickers, parse_price_csv
from core.data._dates import MAX_DATE, MIN_DATE, parse_date_bound, parse_date_column
from core.data._loader import load_prices
from core.data._prices import SOURCES, DataError, PriceData, Source
from core.data._upload import parse_uploaded_csv, prices_from_upload
from core.data._yahoo import (
    PROBE_TIMEOUT_SECONDS,
    RATE_LIMIT_COOLDOWN_SECONDS,
    YAHOO_ATTEMPTS,
    YAHOO_BACKOFF_SECONDS,
    YahooFetch,
    YahooRateLimited,
    YahooUnavailable,
    extract_closes,
    fetch_yahoo,
    rate_limit_cooldown,
    reset_rate_limit_cooldown,
    yahoo_reachable,
)
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL, DEFAULT_SP, DEFAULT_TICKERS, is_crypto

__all__ = [
    "CACHE_FRESH_SECONDS",
    "DEFAULT_CRYPTO",
    "DEFAULT_RUSSELL",
    "DEFAULT_SP",
    "DEFAULT_TICKERS",
    "MAX_DATE",
    "MIN_DATE",
    "PROBE_TIMEOUT_SECONDS",
    "RATE_LIMIT_COOLDOWN_SECONDS",
    "SOURCES",
    "YAHOO_ATTEMPTS",
    "YAHOO_BACKOFF_SECONDS",
    "CacheEntry",
    "DataError",
    "PriceData",
    "Source",
    "YahooFetch",
    "YahooRateLimited",
    "YahooUnavailable",
    "default_cache_dir",
    "extract_closes",
    "fetch_yahoo",
    "is_crypto",
    "list_csv_tickers",
    "load_prices",
    "parse_date_bound",
    "parse_date_column",
    "parse_price_csv",
    "parse_uploaded_csv",
    "prices_from_upload",
    "rate_limit_cooldown",
    "read_cache",
    "reset_rate_limit_cooldown",
    "write_cache",
    "yahoo_reachable",
]
