"""``python -m core streaks``: outperformance streaks of a leader over a laggard."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from core.adjusted import with_adjusted_closes
from core.commands.common import add_data_arguments, load_from_args, print_json
from core.data import DataError
from core.events import Streak, compute_pair_returns, find_streaks
from core.tickers import DEFAULT_RUSSELL, DEFAULT_SP


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``streaks`` subcommand."""
    p = subparsers.add_parser(
        "streaks",
        help="runs of consecutive sessions in which the leader's daily return beats the laggard's",
        description=(
            "Daily (or weekly) simple returns of adjusted closes on the dates where both tickers "
            "have a close; a tie or a missing return ends a streak. Streaks are listed longest "
            "first, ties most recent first."
        ),
    )
    add_data_arguments(p)
    p.add_argument(
        "--leader",
        default=DEFAULT_RUSSELL,
        help=f"ticker expected to lead (default {DEFAULT_RUSSELL})",
    )
    p.add_argument("--laggard", default=DEFAULT_SP, help=f"ticker to beat (default {DEFAULT_SP})")
    p.add_argument("--top", type=int, default=10, help="how many streaks to list (default 10)")
    p.add_argument(
        "--weekly", action="store_true", help="weekly returns (last common close of each week)"
    )
    p.add_argument("--closes", choices=("adjusted", "price"), default="price",
                   help="equity closes: 'adjusted' swaps a CSV folder's price-only closes for "
                        "dividend-adjusted ones from a sibling <TICKER>_adjusted*.csv file (in the "
                        "folder or its alt/ subfolder) where one exists; 'price' uses them as "
                        "loaded (default price: the claims quote index price returns)")
    p.set_defaults(func=run)


def _date(ts: Any) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _streak_json(s: Streak | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "start": _date(s.start),
        "end": _date(s.end),
        "length": s.length,
        "leader_return": s.leader_return,
        "laggard_return": s.laggard_return,
    }


def run(args: argparse.Namespace) -> int:
    """Print ``{"streaks": [{start, end, length, leader_return, laggard_return}], "current": {...}}``."""
    if args.top < 1:
        raise ValueError(f"--top must be >= 1, got {args.top}")
    if args.leader == args.laggard:
        raise ValueError(f"--leader and --laggard are the same ticker {args.leader!r}")
    prices = load_from_args(args, [args.leader, args.laggard])
    adjusted = with_adjusted_closes(prices, args.data_dir if args.source == "csv" else None,
                                    adjust=args.closes == "adjusted")
    prices = adjusted.prices
    for t in (args.leader, args.laggard):
        if t not in prices.closes.columns:
            raise DataError(f"no closes for {t!r}: " + "; ".join(prices.warnings))
    closes = prices.closes
    returns = compute_pair_returns(
        closes[args.leader], closes[args.laggard], freq="W" if args.weekly else "D"
    )
    if returns.empty:
        raise DataError(f"{args.leader} and {args.laggard} share fewer than two dates with closes")
    table = find_streaks(returns["leader"], returns["laggard"])
    top = table.top(args.top)
    cur = table.current
    current: dict[str, Any] = {
        "length": cur.length,
        "start": _date(cur.streak.start) if cur.streak else None,
        "end": _date(cur.streak.end) if cur.streak else None,
        "leader_return": cur.streak.leader_return if cur.streak else None,
        "laggard_return": cur.streak.laggard_return if cur.streak else None,
        "last_session": _date(cur.last_session),
        # end of the most recent earlier streak at least as long (">="): "the longest since"
        "longest_since": _date(cur.longest_since.end) if cur.longest_since else None,
        "longest_since_streak": _streak_json(cur.longest_since),
        "previous_longer_streak": _streak_json(cur.previous_longer),
        "longest_in_data": cur.is_longest_in_data,
    }
    print_json(
        {
            "leader": args.leader,
            "laggard": args.laggard,
            "frequency": "W" if args.weekly else "D",
            "first_session": _date(table.first_session),
            "last_session": _date(table.last_session),
            "n_sessions": table.n_sessions,
            "n_wins": table.n_wins,
            "n_streaks": len(table.streaks),
            "streaks": [
                {
                    "start": _date(r.start),
                    "end": _date(r.end),
                    "length": int(r.length),
                    "leader_return": float(r.leader_return),
                    "laggard_return": float(r.laggard_return),
                }
                for r in top.itertuples()
            ],
            "current": current,
            "source": prices.label,
            "warnings": list(prices.warnings),
            "closes": {t: adjusted.basis[t].to_json() for t in [args.leader, args.laggard] if t in adjusted.basis},
        }
    )
    return 0
