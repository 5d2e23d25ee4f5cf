"""Which loaded series a claim uses: the Russell / S&P proxies, BTC, ETH and the altcoins.

The claims use the longest real history loaded, whatever window a page shows: the price
indices ^RUT/^GSPC (from 1987) before the ETFs IWM/SPY (from 2000/1993). Synthetic demo
series never judge a claim about market history.

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from core.claims._base import NotTestable
from core.data import PriceData
from core.roles import CryptoRoles, RoleError, assign_roles, match_coins
from core.tickers import DEFAULT_CRYPTO, is_crypto

#: Column names the Russell 2000 and S&P 500 indices may have (``^RUT`` from Yahoo, ``RUT``
#: as a CSV file stem) and their ETFs.
RUSSELL_INDEX: tuple[str, ...] = ("^RUT", "RUT")
SP_INDEX: tuple[str, ...] = ("^GSPC", "GSPC")
RUSSELL_ETF: tuple[str, ...] = ("IWM",)
SP_ETF: tuple[str, ...] = ("SPY",)

#: Tickers the claims need: load these (full history) before :func:`core.claims.evaluate_claims`.
CLAIM_TICKERS: tuple[str, ...] = ("^RUT", "^GSPC", "IWM", "SPY", *DEFAULT_CRYPTO)


def claim_tickers(available: Sequence[str] | None = None) -> list[str]:
    """The tickers to load for the claims.

    Parameters
    ----------
    available : sequence of str, optional
        Tickers a source offers (e.g. the files of a CSV folder). Crypto tickers are then
        matched to the pair the source has (``SOL-USD`` -> ``SOL-USDT``) and those it lacks
        dropped; equity tickers are always kept (a CSV folder serves ``^RUT`` from ``RUT.csv``).

    Returns
    -------
    list of str
    """
    equities = [t for t in CLAIM_TICKERS if not is_crypto(t)]
    crypto = [t for t in CLAIM_TICKERS if is_crypto(t)]
    if available is not None:
        crypto = match_coins(crypto, list(available), keep_missing=False)
    return equities + crypto


def real_columns(prices: PriceData) -> list[str]:
    """Columns with at least one close that are not synthetic demo data."""
    closes = prices.closes
    return [c for c in closes.columns
            if prices.sources.get(c) != "demo" and closes[c].notna().any()]


def first_present(prices: PriceData, names: Sequence[str]) -> str | None:
    """The first of ``names`` that is a real (non-demo) column with data, or None."""
    have = set(real_columns(prices))
    return next((n for n in names if n in have), None)


@dataclass(frozen=True)
class Pair:
    """A small-cap proxy and its large-cap counterpart of the same kind (indices or ETFs)."""

    leader: str
    laggard: str
    kind: str  # "index" or "ETF"

    @property
    def label(self) -> str:
        """``"^RUT/^GSPC"``."""
        return f"{self.leader}/{self.laggard}"


def equity_pairs(prices: PriceData) -> list[Pair]:
    """The Russell/S&P pairs with real data, longest history first (indices, then ETFs)."""
    out = []
    for kind, small, large in (("index", RUSSELL_INDEX, SP_INDEX), ("ETF", RUSSELL_ETF, SP_ETF)):
        a, b = first_present(prices, small), first_present(prices, large)
        if a is not None and b is not None:
            out.append(Pair(a, b, kind))
    return out


def pick_pair(prices: PriceData, *, latest: bool = False) -> Pair:
    """The pair a claim uses: the longest history, or (``latest``) the one whose data end last.

    Raises
    ------
    NotTestable
        Neither ^RUT with ^GSPC nor IWM with SPY has real data.
    """
    pairs = equity_pairs(prices)
    if not pairs:
        raise NotTestable(_missing_equity_text(prices, "a Russell 2000 / S&P 500 pair (^RUT with ^GSPC, "
                                                       "or IWM with SPY)"))
    if latest:
        closes = prices.closes
        return max(pairs, key=lambda p: min(closes[p.leader].last_valid_index(),
                                            closes[p.laggard].last_valid_index()))
    return pairs[0]


def pick_russell(prices: PriceData, *, latest: bool = False) -> str:
    """The Russell 2000 series: ^RUT (longest) or IWM; with ``latest`` the one that ends last.

    Raises
    ------
    NotTestable
        Neither ^RUT nor IWM has real data.
    """
    found = [t for t in (first_present(prices, RUSSELL_INDEX), first_present(prices, RUSSELL_ETF)) if t is not None]
    if not found:
        raise NotTestable(_missing_equity_text(prices, "a Russell 2000 series (^RUT or IWM)"))
    if latest:
        return max(found, key=lambda t: prices.closes[t].last_valid_index())
    return found[0]


def other_pair(prices: PriceData, used: Pair) -> Pair | None:
    """The other kind of pair (ETFs when ``used`` are indices), for a cross-check; None if absent."""
    return next((p for p in equity_pairs(prices) if p.kind != used.kind), None)


def crypto_roles(prices: PriceData, *, need_eth: bool = False, need_alts: bool = False) -> CryptoRoles:
    """BTC, ETH and the altcoins among the real crypto columns.

    Raises
    ------
    NotTestable
        No BTC (or no ETH / altcoin when asked for).
    """
    crypto = [c for c in real_columns(prices) if is_crypto(c)]
    try:
        roles = assign_roles(crypto, need_alts=need_alts)
    except RoleError as exc:
        raise NotTestable(_synthetic_note(prices, f"needs BTC{' and altcoins' if need_alts else ''}: {exc}")) from None
    if need_eth and roles.eth is None:
        raise NotTestable(_synthetic_note(prices, f"needs ETH, and no ETH series is loaded (crypto: {crypto})"))
    return roles


def _synthetic_note(prices: PriceData, text: str) -> str:
    demo = sorted(c for c in prices.closes.columns if prices.sources.get(c) == "demo")
    if demo:
        return (f"{text}; synthetic demo series ({', '.join(demo)}) cannot judge a claim about market "
                "history")
    return text


def _missing_equity_text(prices: PriceData, what: str) -> str:
    have = real_columns(prices)
    return _synthetic_note(prices, f"needs {what}; loaded real series: {', '.join(have) or 'none'}")


def require_covers(series: pd.Series | pd.DataFrame, when: pd.Timestamp, what: str) -> None:
    """Raise :class:`NotTestable` unless the data run through ``when``."""
    index = series.dropna(how="all").index if isinstance(series, pd.DataFrame) else series.dropna().index
    if len(index) == 0 or index.max() < when or index.min() > when:
        span = f"{index.min():%Y-%m-%d} to {index.max():%Y-%m-%d}" if len(index) else "no data"
        raise NotTestable(f"{what} ({span}) do not cover {when:%Y-%m-%d}, the date of the claim")
