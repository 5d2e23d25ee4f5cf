"""Conventions shared by every module: the trading year and the names of derived series.

One definition each, so an annualized number on one page means the same on every other.
"""

from __future__ import annotations

__all__ = ["TRADING_DAYS", "BASKET", "BASKET_LABEL", "BASKET_VS_BTC", "DEFAULT_SEED"]

#: US equity sessions per year: annualizes daily drifts (x 252) and vols (x sqrt(252)).
TRADING_DAYS: int = 252

#: Column label of the altcoin basket: the equal-weight, buy-and-hold portfolio of every
#: crypto ticker except BTC (ETH included), in the simulator, the event study and the CLI.
BASKET: str = "basket"
#: How the basket is named on screen.
BASKET_LABEL: str = "Altcoin basket"
#: Column label of the basket's return relative to BTC, ``(1 + basket) / (1 + btc) - 1``.
BASKET_VS_BTC: str = "basket vs BTC"

#: Seed of a Monte Carlo run when none is given: the Simulator, Compare and ``python -m core
#: simulate`` all start from it, so the same scenario shows the same numbers everywhere.
DEFAULT_SEED: int = 1
