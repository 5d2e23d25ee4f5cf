"""The one rule for roles (BTC, ETH, altcoins) and for matching tickers to what a source has."""

from __future__ import annotations

import pytest

from core.errors import ExplorerError
from core.roles import RoleError, assign_roles, coin_of, match_coins


def test_coin_of() -> None:
    assert coin_of("sol-usdt") == "SOL"
    assert coin_of("BTC-USD") == "BTC"
    assert coin_of("^RUT") == "^RUT"


def test_match_coins_prefers_exact_then_usd_quote_then_alphabetical() -> None:
    available = ["BTC-USD", "BTC-USDT", "SOL-USDT", "SOL-EUR", "IWM"]
    assert match_coins(["BTC-USD", "SOL-USD", "XRP-USD", "IWM"], available) == [
        "BTC-USD", "SOL-EUR", "XRP-USD", "IWM",
    ]
    assert match_coins(["BTC-USDT"], available) == ["BTC-USDT"]
    assert match_coins(["SOL-USD", "XRP-USD"], available, keep_missing=False) == ["SOL-EUR"]


def test_match_coins_is_case_insensitive_and_deduplicates() -> None:
    assert match_coins(["sol-usd", "SOL-USDT"], ["SOL-USDT"]) == ["SOL-USDT"]


def test_assign_roles_basket_is_every_crypto_but_btc_and_stablecoins() -> None:
    roles = assign_roles(["ETH-USD", "BTC-USDT", "USDT-USD", "SOL-USD"])
    assert roles.btc == "BTC-USDT"
    assert roles.eth == "ETH-USD"
    assert roles.alts == ("ETH-USD", "SOL-USD")


def test_assign_roles_explicit_btc_must_be_present() -> None:
    with pytest.raises(RoleError, match="BTC-EUR"):
        assign_roles(["BTC-USD", "ETH-USD"], btc="BTC-EUR")


def test_assign_roles_errors_name_the_tickers() -> None:
    with pytest.raises(RoleError, match="ETH-USD"):
        assign_roles(["ETH-USD"])
    with pytest.raises(ExplorerError, match="altcoin"):
        assign_roles(["BTC-USD"])
    assert assign_roles(["BTC-USD"], need_alts=False).alts == ()
