"""``python -m core data``: fetch or read prices and report what was loaded."""

from __future__ import annotations

import argparse

from core.commands.common import add_data_arguments, load_from_args, parse_tickers, print_json
from core.tickers import DEFAULT_TICKERS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` subcommand."""
    p = subparsers.add_parser("data", help="load prices and print, per ticker, the source, range and rows")
    add_data_arguments(p)
    p.add_argument("--tickers", default=None, help="comma-separated tickers (default: the app's defaults)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print ``{"tickers": {T: {source, first, last, rows}}, "warnings": [...], ...}``.

    Also ``missing``, ``label``, ``is_demo`` and ``fallback`` (true when a stale cache or
    the demo stands in because a source failed).
    """
    prices = load_from_args(args, parse_tickers(args.tickers, DEFAULT_TICKERS))
    tickers = {}
    for t in prices.closes.columns:
        s = prices.closes[t].dropna()
        tickers[t] = {"source": prices.sources[t], "first": s.index[0], "last": s.index[-1], "rows": len(s)}
    print_json(
        {
            "tickers": tickers,
            "warnings": list(prices.warnings),
            "missing": list(prices.missing),
            "label": prices.label,
            "is_demo": prices.is_demo,
            "fallback": prices.fallback,
        }
    )
    return 0
