"""Ticker names: validation, crypto detection and the default universe.

A ticker is validated here before it touches a file path or a network request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.errors import ExplorerError

DEFAULT_RUSSELL = "IWM"
DEFAULT_SP = "SPY"
DEFAULT_CRYPTO: tuple[str, ...] = (
    "BTC-USD",
    "ETH-USD",
    "SOL-USD",
    "LINK-USD",
    "AVAX-USD",
    "DOGE-USD",
    "XRP-USD",
    "ADA-USD",
)
#: Index alternatives to the ETF proxies (no dividends, longer history).
INDEX_PROXIES: dict[str, str] = {"IWM": "^RUT", "SPY": "^GSPC"}
DEFAULT_TICKERS: tuple[str, ...] = (DEFAULT_RUSSELL, DEFAULT_SP, *DEFAULT_CRYPTO)

# Upper-case letters, digits, and the separators Yahoo uses (BRK-B, BTC-USD, ^RUT, ES=F, 0700.HK).
_TICKER_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$")
_CRYPTO_QUOTES = ("USD", "USDT", "USDC", "BUSD", "EUR", "BTC", "ETH")
_CRYPTO_RE = re.compile(r"^[A-Z0-9]{2,10}-(?:" + "|".join(_CRYPTO_QUOTES) + r")$")


class TickerError(ExplorerError):
    """A ticker symbol that is not a plausible Yahoo ticker."""


def normalize_ticker(ticker: str) -> str:
    """Return the upper-cased, stripped ticker, or raise :class:`TickerError`.

    Parameters
    ----------
    ticker : str
        A symbol such as ``"iwm"``, ``"^RUT"`` or ``"SOL-USDT"``.

    Raises
    ------
    TickerError
        If the symbol is empty, too long, or contains characters other than
        letters, digits, ``.``, ``-``, ``=`` and a leading ``^`` (so it can never
        escape a folder or inject into a URL).
    """
    if not isinstance(ticker, str):
        raise TickerError(f"ticker must be a string, got {ticker!r}")
    clean = ticker.strip().upper()
    if not _TICKER_RE.fullmatch(clean):
        raise TickerError(
            f"invalid ticker {ticker!r}: use letters, digits, '.', '-', '=' and an optional leading '^'"
        )
    return clean


def normalize_tickers(tickers: Iterable[str]) -> list[str]:
    """Normalize each ticker and drop duplicates, keeping the first occurrence order."""
    seen: dict[str, None] = {}
    for t in tickers:
        seen.setdefault(normalize_ticker(t), None)
    return list(seen)


def is_crypto(ticker: str) -> bool:
    """True for crypto pairs such as ``BTC-USD`` or ``SOL-USDT`` (24/7 markets)."""
    return bool(_CRYPTO_RE.fullmatch(ticker.strip().upper()))


def file_stem(ticker: str) -> str:
    """File name stem for a ticker: the normalized symbol with ``^`` dropped (``^RUT`` -> ``RUT``)."""
    return normalize_ticker(ticker).lstrip("^")
