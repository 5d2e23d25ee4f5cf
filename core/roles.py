"""Which ticker plays which role: the one rule for BTC, ETH, the altcoins and coin files.

Every page, the CLI and the engine ask here, so "the altcoin basket" means the same
everywhere: every crypto ticker except BTC and stablecoins, ETH included.

- :func:`coin_of` -- the coin of a pair (``SOL-USDT`` -> ``SOL``).
- :func:`match_coins` -- map wanted tickers to the ones a source has (``SOL-USD`` -> ``SOL-USDT``).
- :func:`assign_roles` -- BTC, ETH and the altcoins among crypto tickers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import ExplorerError
from core.tickers import is_crypto

__all__ = ["STABLECOINS", "RoleError", "CryptoRoles", "coin_of", "match_coins", "assign_roles"]

#: Coins pegged to a fiat currency: never part of the altcoin basket.
STABLECOINS: frozenset[str] = frozenset({"USDT", "USDC", "DAI", "BUSD", "TUSD", "USDP", "FDUSD", "PYUSD", "USDE"})


class RoleError(ExplorerError):
    """The tickers cannot fill a role (no BTC, no altcoin); the message names the tickers."""


def coin_of(ticker: str) -> str:
    """The coin of a crypto pair, upper case (``"sol-usdt"`` -> ``"SOL"``); other tickers unchanged."""
    return ticker.strip().upper().split("-", 1)[0]


def match_coins(wanted: Sequence[str], available: Sequence[str], *, keep_missing: bool = True) -> list[str]:
    """Map each wanted ticker to an available one of the same coin.

    A wanted ticker that is available is kept as is. Otherwise, for a crypto pair, the
    available pair of the same coin is taken (``-USD`` quotes first, then alphabetical), so
    ``SOL-USD`` becomes ``SOL-USDT`` in a folder that has ``SOL-USDT.csv``.

    Parameters
    ----------
    wanted, available : sequence of str
        Ticker symbols (case-insensitive).
    keep_missing : bool
        Keep a wanted ticker with no match (the loader then reports it missing), or drop it.

    Returns
    -------
    list of str
        Distinct tickers in the order of ``wanted``.
    """
    have = {a.upper(): a for a in available}
    by_coin: dict[str, str] = {}
    for a in sorted(available, key=lambda t: (not t.upper().endswith("-USD"), t.upper())):
        if is_crypto(a):
            by_coin.setdefault(coin_of(a), a)
    out: dict[str, None] = {}
    for t in wanted:
        if t.upper() in have:
            out.setdefault(have[t.upper()], None)
        elif is_crypto(t) and coin_of(t) in by_coin:
            out.setdefault(by_coin[coin_of(t)], None)
        elif keep_missing:
            out.setdefault(t, None)
    return list(out)


@dataclass(frozen=True)
class CryptoRoles:
    """Roles of the crypto tickers.

    Attributes
    ----------
    btc : str
        The BTC ticker.
    eth : str or None
        The ETH ticker, when loaded (it is also in ``alts``).
    alts : tuple of str
        The altcoins: every crypto ticker except BTC and stablecoins, in the order given.
    """

    btc: str
    eth: str | None
    alts: tuple[str, ...]


def assign_roles(crypto: Sequence[str], btc: str | None = None, *, need_alts: bool = True) -> CryptoRoles:
    """BTC, ETH and the altcoins among ``crypto``.

    Parameters
    ----------
    crypto : sequence of str
        Crypto tickers (e.g. the ones with data in the selection).
    btc : str, optional
        An explicit BTC ticker (must be among ``crypto``); default: the first ``BTC-...`` pair.
    need_alts : bool
        Raise when no altcoin is left.

    Raises
    ------
    RoleError
        No BTC ticker, an explicit ``btc`` not in ``crypto``, or (with ``need_alts``) no altcoin.
    """
    crypto = list(dict.fromkeys(crypto))
    if btc is not None:
        if btc not in crypto:
            raise RoleError(f"BTC ticker {btc!r} is not among the crypto tickers {crypto}")
    else:
        btc = next((t for t in crypto if coin_of(t) == "BTC"), None)
        if btc is None:
            raise RoleError(f"no BTC ticker (BTC-USD, BTC-USDT, ...) among the crypto tickers {crypto}")
    alts = tuple(t for t in crypto if t != btc and coin_of(t) not in STABLECOINS)
    if need_alts and not alts:
        raise RoleError(f"at least one altcoin besides {btc} is needed; the crypto tickers are {crypto}")
    eth = next((t for t in alts if coin_of(t) == "ETH"), None)
    return CryptoRoles(btc=btc, eth=eth, alts=alts)
