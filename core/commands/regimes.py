"""``python -m core regimes``: Markov-switching regimes of the Russell proxy and today's probabilities."""

from __future__ import annotations

import argparse

from core.commands.common import add_data_arguments, load_from_args, print_json
from core.data import DataError
from core.regime_fit import K_CHOICES, MAX_FIT_OBS, MIN_FIT_OBS, fit_regimes
from core.returns import compute_returns
from core.tickers import DEFAULT_RUSSELL, normalize_ticker


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``regimes`` subcommand."""
    p = subparsers.add_parser(
        "regimes",
        help="fitted calm/turbulent regimes of the Russell proxy (Markov switching) and today's probabilities",
        description=(
            "Fits a Markov-switching model with switching mean and variance to the Russell proxy's "
            f"daily log returns (at least {MIN_FIT_OBS}, at most the last {MAX_FIT_OBS}) with 2 and 3 "
            "states and keeps the lower BIC. States are ordered by volatility; 'history' holds the "
            "filtered probabilities (each date uses returns up to that date only, given the fitted "
            "parameters); 'smoothed' (with --smoothed) uses the whole sample."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--russell", default=DEFAULT_RUSSELL,
                   help=f"Russell 2000 proxy to fit (default {DEFAULT_RUSSELL}; or ^RUT)")
    p.add_argument("--k", type=int, choices=K_CHOICES, default=None,
                   help="number of states (default: 2 and 3 fitted, the lower BIC wins)")
    p.add_argument("--smoothed", action="store_true",
                   help="add the smoothed probabilities (they use later data: not a nowcast)")
    p.add_argument("--no-history", action="store_true", help="leave out the daily filtered probabilities")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print ``{"k", "states": [...], "transition", "last": {"date", "probabilities"}, "history": [...], ...}``."""
    russell = normalize_ticker(args.russell)
    prices = load_from_args(args, [russell])
    if russell not in prices.closes.columns or russell in prices.missing:
        raise DataError(f"no prices for {russell} ({prices.label}); the regime fit needs them")
    returns = compute_returns(prices.closes[[russell]], calendar=[russell])[russell]
    fit = fit_regimes(returns, k=args.k)
    out = fit.to_dict(history=not args.no_history, smoothed=args.smoothed)
    out["data"] = prices.label
    out["warnings"] = list(prices.warnings)
    print_json(out)
    return 0
