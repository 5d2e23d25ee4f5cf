"""The ticker guard: every symbol is validated here before it reaches a file path or a URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.errors import ExplorerError
from core.tickers import TickerError, file_stem, is_crypto, normalize_ticker, normalize_tickers

STEM_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-=]*$")


@pytest.mark.parametrize(
    ("raw", "ticker", "stem"),
    [
        ("IWM", "IWM", "IWM"),
        ("^RUT", "^RUT", "RUT"),
        ("BTC-USD", "BTC-USD", "BTC-USD"),
        ("BRK-B", "BRK-B", "BRK-B"),
        ("ES=F", "ES=F", "ES=F"),
        ("0700.HK", "0700.HK", "0700.HK"),
        ("sol-usdt", "SOL-USDT", "SOL-USDT"),
        ("  ^gspc\n", "^GSPC", "GSPC"),
        ("A" * 20, "A" * 20, "A" * 20),  # the longest accepted
    ],
)
def test_valid_symbols_are_normalized(raw: str, ticker: str, stem: str) -> None:
    assert normalize_ticker(raw) == ticker
    assert file_stem(raw) == stem


@pytest.mark.parametrize(
    "raw",
    [
        "../etc/passwd",
        "a/b",
        "..",
        ".",
        "",
        "   ",
        "A" * 21,
        "IWM\x00",
        "IWM\x00.csv",
        "..\\windows",
        "a\\b",
        "%2e%2e",
        "%2E%2E%2Fetc",
        "^",
        "^^RUT",
        "RUT^",
        "-USD",
        "IWM SPY",
        "I\nWM",
        "BTC/USD",
        "BTC:USD",
        "~root",
        "$HOME",
    ],
)
def test_unsafe_or_malformed_symbols_are_rejected(raw: str) -> None:
    with pytest.raises(TickerError, match="invalid ticker") as err:
        normalize_ticker(raw)
    assert repr(raw) in str(err.value), "the message names the bad value"
    with pytest.raises(TickerError):
        file_stem(raw)


@pytest.mark.parametrize("raw", [None, 123, 1.5, b"IWM", ["IWM"], Path("IWM")])
def test_non_strings_are_rejected(raw: object) -> None:
    with pytest.raises(TickerError, match="must be a string"):
        normalize_ticker(raw)  # type: ignore[arg-type]


def test_ticker_error_is_a_project_error() -> None:
    assert issubclass(TickerError, ExplorerError) and issubclass(TickerError, ValueError)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
@example("../../etc/passwd")
@example("^..")
@example("A/../B")
@example("ß")  # upper-cases to "SS": a valid symbol, still a plain stem
def test_file_stem_is_never_a_path(text: str) -> None:
    try:
        stem = file_stem(text)
    except TickerError:
        return
    assert STEM_RE.fullmatch(stem), stem
    folder = Path("/cache")
    path = folder / f"{stem}.csv"
    assert path.parent == folder and path.name == f"{stem}.csv"


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\^?[A-Za-z0-9][A-Za-z0-9.\-=]{0,19}", fullmatch=True))
def test_every_yahoo_shaped_symbol_is_accepted(text: str) -> None:
    assert normalize_ticker(text) == text.upper()
    assert file_stem(text) == text.upper().lstrip("^")


@pytest.mark.parametrize(
    ("ticker", "crypto"),
    [
        ("BTC-USD", True),
        ("eth-usd", True),
        (" SOL-USDT ", True),
        ("DOGE-EUR", True),
        ("ETH-BTC", True),
        ("LINK-USDC", True),
        ("IWM", False),
        ("^RUT", False),
        ("BRK-B", False),
        ("ES=F", False),
        ("0700.HK", False),
        ("BTC-USDX", False),
        ("B-USD", False),  # a coin needs at least two characters
        ("BTCUSD", False),
    ],
)
def test_is_crypto(ticker: str, crypto: bool) -> None:
    assert is_crypto(ticker) is crypto


def test_normalize_tickers_dedups_keeping_first_order() -> None:
    assert normalize_tickers(["iwm", "BTC-USD", "IWM", " btc-usd ", "^rut", "SPY"]) == ["IWM", "BTC-USD", "^RUT", "SPY"]
    assert normalize_tickers([]) == []
    # ^RUT and RUT are distinct symbols (same file stem, different Yahoo series)
    assert normalize_tickers(["^RUT", "RUT"]) == ["^RUT", "RUT"]


def test_normalize_tickers_rejects_the_whole_list_naming_the_bad_one() -> None:
    with pytest.raises(TickerError, match=r"'\.\./x'"):
        normalize_tickers(["IWM", "../x", "SPY"])
