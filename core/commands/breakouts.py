"""``python -m core breakouts``: breakouts of a ticker and what crypto did after them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.adjusted import with_adjusted_closes
from core.commands.common import add_data_arguments, load_from_args, parse_tickers, print_json
from core.data import DataError, list_csv_tickers
from core.events import (
    DEFAULT_HORIZONS,
    EXACT_MAX_PLACEMENTS,
    EXACT_MAX_PLACEMENTS_SMALL,
    MIN_EVENTS_FOR_INTERVAL,
    event_study_after,
    find_breakouts,
)
from core.roles import assign_roles, match_coins
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``breakouts`` subcommand."""
    p = subparsers.add_parser(
        "breakouts",
        help="first closes above the prior all-time high after a long base, and crypto forward returns after them",
        description=(
            "A breakout is a close above every earlier close in the loaded range after at least "
            "--base sessions without a new high. The event study compares BTC, ETH, the "
            "equal-weight altcoin basket (every crypto but BTC, ETH included) and the basket relative to BTC over 21/63/126/252 "
            "sessions after each breakout with all sessions (permutation p-value, exact when every "
            "placement of the events can be enumerated; bootstrap interval only from 5 events; "
            "overlapping windows de-clustered)."
        ),
    )
    add_data_arguments(p)
    p.add_argument(
        "--ticker",
        default=DEFAULT_RUSSELL,
        help=f"ticker whose breakouts to find (default {DEFAULT_RUSSELL})",
    )
    p.add_argument(
        "--base",
        type=int,
        default=250,
        help="minimum sessions without a new high before (default 250)",
    )
    p.add_argument("--btc", default="BTC-USD", help="BTC ticker (default BTC-USD)")
    p.add_argument("--eth", default="ETH-USD", help="ETH ticker (default ETH-USD)")
    p.add_argument(
        "--alts",
        default=None,
        help="comma-separated altcoins for the basket (default: the app's altcoins; in a CSV folder "
        "a missing SOL-USD falls back to a SOL-USDT file)",
    )
    p.add_argument(
        "--horizons",
        default=None,
        help="forward horizons in sessions, comma-separated (default 21,63,126,252)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="random seed of the bootstrap and permutation draws"
    )
    p.add_argument(
        "--n-boot", type=int, default=2000, help="bootstrap / permutation draws (default 2000)"
    )
    p.add_argument("--closes", choices=("adjusted", "price"), default="price",
                   help="equity closes: 'adjusted' swaps a CSV folder's price-only closes for "
                        "dividend-adjusted ones from a sibling <TICKER>_adjusted*.csv file (in the "
                        "folder or its alt/ subfolder) where one exists; 'price' uses them as "
                        "loaded (default price: a breakout is a new high of the price level, as charts and the claims define it)")
    p.set_defaults(func=run)


def _parse_horizons(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_HORIZONS
    try:
        return tuple(int(h) for h in text.split(",") if h.strip())
    except ValueError as exc:
        raise ValueError(f"--horizons must be comma-separated integers, got {text!r}") from exc


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append(
            {
                k: (None if (v is pd.NaT or (isinstance(v, float) and np.isnan(v))) else v)
                for k, v in row.items()
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    """Print ``{"events": [...], "event_study": {"table": [...], ...}}``."""
    if args.n_boot < 1:
        raise ValueError(f"--n-boot must be >= 1, got {args.n_boot}")
    horizons = _parse_horizons(args.horizons)
    alts = parse_tickers(args.alts, [c for c in DEFAULT_CRYPTO if c not in (args.btc, args.eth)])
    crypto = [args.btc, args.eth, *alts]
    if args.source == "csv" and args.data_dir and Path(args.data_dir).is_dir():
        crypto = match_coins(crypto, list_csv_tickers(args.data_dir))
    prices = load_from_args(args, [args.ticker, *crypto])
    adjusted = with_adjusted_closes(prices, args.data_dir if args.source == "csv" else None,
                                    adjust=args.closes == "adjusted")
    prices = adjusted.prices
    closes = prices.closes
    if args.ticker not in closes.columns:
        raise DataError(f"no closes for {args.ticker!r}: " + "; ".join(prices.warnings))
    # roles from the one rule: the basket is every crypto but BTC and stablecoins, ETH included
    present = [c for c in crypto if c in closes.columns]
    roles = assign_roles(present, btc=crypto[0] if crypto[0] in present else None, need_alts=False)
    breakouts = find_breakouts(closes[args.ticker], base=args.base)
    # sessions of the study: the ticker's trading days; crypto at its last close on or before
    calendar = pd.DatetimeIndex(closes.index[closes[args.ticker].notna().to_numpy()])
    study = event_study_after(
        closes[present], breakouts.events["date"], calendar=calendar, btc=roles.btc, eth=roles.eth,
        alts=roles.alts, horizons=horizons, seed=args.seed, n_boot=args.n_boot,
    )
    print_json(
        {
            "ticker": args.ticker,
            "base": args.base,
            "first_session": calendar[0],
            "last_session": calendar[-1],
            "n_events": len(breakouts.events),
            "events": _records(breakouts.events),
            "event_study": {
                "btc": study.btc,
                "eth": study.eth,
                "alts": list(study.alts),
                "horizons": list(horizons),
                "seed": study.seed,
                "n_boot": study.n_boot,
                "confidence": study.confidence,
                "decluster": study.decluster,
                "n_events_input": study.n_events_input,
                "min_events_for_interval": MIN_EVENTS_FOR_INTERVAL,
                "exact_max_placements": {"one_or_two_events": EXACT_MAX_PLACEMENTS_SMALL,
                                         "three_or_more": EXACT_MAX_PLACEMENTS},
                "table": _records(study.table),
                "event_returns": _records(study.event_returns),
            },
            "warnings": list(prices.warnings),
            "source": prices.label,
            "closes": {t: adjusted.basis[t].to_json() for t in [args.ticker] if t in adjusted.basis},
        }
    )
    return 0
