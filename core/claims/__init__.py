"""The articles' claims as verdicts: each claim a declared object, judged on the loaded data.

A :class:`Claim` (quote, who said it and when, what it asserts, the test and its parameters)
is evaluated by :func:`evaluate_claim` on a :class:`~core.data.PriceData` into a frozen
:class:`Verdict`: ``supported``, ``contradicted``, ``mixed``, ``too_few_cases`` or
``not_testable`` (with the reason), the numbers behind it, n, and the proxy and window used.

Claims use the longest real history loaded, whatever window a page shows: the caller loads
:func:`claim_tickers` (all history) and hands the full prices over; nothing here loads data.
A claim whose data are missing (no ^RUT and no IWM, no ETH) is ``not_testable`` and the
others still evaluate; synthetic demo series never judge a claim.

What is where (import everything from ``core.claims``; the modules are private)
-------------------------------------------------------------------------------
``_base``        :class:`Claim`, :class:`Verdict`, :class:`Robustness`, :data:`VERDICTS`,
                 :class:`ClaimError`, :class:`NotTestable`
``_data``        :data:`CLAIM_TICKERS`, :func:`claim_tickers`, which series a claim uses
``_catalog``     :data:`CLAIMS`, the claims themselves
``_history``     streak, record-high and start-of-year tests
``_events``      breakout and spread-event tests (event studies), :func:`basket_peaks`,
                 :func:`dominance_panel`
``_comovement``  ETH correlation, market-cap tracking, Granger lead-lag
``_robustness``  :func:`robustness_grid`, :func:`bh_adjust`, :data:`MAX_GRID_CELLS`
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.claims._base import (
    CONTRADICTED,
    MIXED,
    NOT_TESTABLE,
    SUPPORTED,
    TOO_FEW,
    VERDICT_LABELS,
    VERDICTS,
    Claim,
    ClaimError,
    NotTestable,
    Robustness,
    Verdict,
)
from core.claims._catalog import CLAIMS
from core.claims._comovement import (
    BTC_SUPPLY,
    ETH_SUPPLY,
    judge_eth_correlation,
    judge_granger,
    judge_market_cap,
)
from core.claims._data import CLAIM_TICKERS, claim_tickers
from core.claims._events import (
    DOMINANCE,
    basket_peaks,
    dominance_panel,
    judge_breakout_alts,
    judge_breakout_btc,
    judge_spread_dominance,
)
from core.claims._history import judge_record_high, judge_start_of_year, judge_streak
from core.claims._robustness import FDR_ALPHA, MAX_GRID_CELLS, bh_adjust, robustness_grid
from core.data import PriceData
from core.errors import ExplorerError

__all__ = [
    "VERDICTS", "VERDICT_LABELS", "SUPPORTED", "CONTRADICTED", "MIXED", "TOO_FEW", "NOT_TESTABLE",
    "Claim", "Verdict", "Robustness", "ClaimError", "NotTestable",
    "CLAIMS", "CLAIM_TICKERS", "TESTS", "N_BOOT_BOUNDS", "MAX_GRID_CELLS", "FDR_ALPHA", "DOMINANCE", "BTC_SUPPLY", "ETH_SUPPLY",
    "claim_tickers", "evaluate_claim", "evaluate_claims", "robustness_grid", "bh_adjust", "basket_peaks",
    "dominance_panel",
]

#: Bounds of the draws per event study (permutation and bootstrap), for the app and the CLI.
N_BOOT_BOUNDS: tuple[int, int] = (100, 10_000)

#: Test name -> function ``(claim, prices, *, seed, n_boot) -> Verdict``.
TESTS: dict[str, Callable[..., Verdict]] = {
    "streak": lambda c, p, **_: judge_streak(c, p),
    "record_high": lambda c, p, **_: judge_record_high(c, p),
    "start_of_year": lambda c, p, **_: judge_start_of_year(c, p),
    "breakout_btc": judge_breakout_btc,
    "breakout_alts": judge_breakout_alts,
    "spread_dominance": judge_spread_dominance,
    "eth_correlation": judge_eth_correlation,
    "market_cap": judge_market_cap,
    "granger": judge_granger,
}


def evaluate_claim(claim: Claim, prices: PriceData, *, seed: int = 0, n_boot: int = 2000) -> Verdict:
    """Judge one claim on ``prices`` (all history; see :func:`claim_tickers`).

    Parameters
    ----------
    claim : Claim
    prices : PriceData
        Full-history closes; nothing is loaded here.
    seed : int
        Seed of the bootstrap and permutation draws of the event studies.
    n_boot : int
        Draws per event study, within :data:`N_BOOT_BOUNDS` (the robustness grid uses 1,000 per
        cell).

    Returns
    -------
    Verdict
        ``not_testable`` with the reason when the data cannot judge the claim (missing or
        synthetic series, too short a history, too few observations for an estimator).

    Raises
    ------
    ClaimError
        The claim names an unknown test; ``n_boot`` or ``seed`` out of bounds.
    """
    lo, hi = N_BOOT_BOUNDS
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or not lo <= n_boot <= hi:
        raise ClaimError(f"n_boot must be an integer between {lo} and {hi}, got {n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ClaimError(f"seed must be an integer >= 0, got {seed!r}")
    if claim.test not in TESTS:
        raise ClaimError(f"claim {claim.id!r} names an unknown test {claim.test!r}; known: {sorted(TESTS)}")
    try:
        return TESTS[claim.test](claim, prices, seed=seed, n_boot=n_boot)
    except NotTestable as exc:
        return Verdict(claim, NOT_TESTABLE, str(exc))
    except ClaimError:
        raise
    except ExplorerError as exc:  # an estimator's or event function's complaint about the data
        return Verdict(claim, NOT_TESTABLE, f"the data cannot support this test: {exc}")


def evaluate_claims(
    prices: PriceData, claims: Sequence[Claim] = CLAIMS, *, seed: int = 0, n_boot: int = 2000
) -> tuple[Verdict, ...]:
    """Judge every claim on ``prices``; one claim's missing data never stops the others.

    Raises
    ------
    ClaimError
        As :func:`evaluate_claim` (bad ``n_boot`` or ``seed``), before any claim is judged.
    """
    return tuple(evaluate_claim(c, prices, seed=seed, n_boot=n_boot) for c in claims)
