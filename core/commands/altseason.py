"""``python -m core altseason``: the altcoin season index and what it did after small-cap events."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.altseason import DEFAULT_THRESHOLD, DEFAULT_WINDOW, AltseasonIndex, altseason_index
from core.altseason_study import (
    DEFAULT_STREAK_LENGTH,
    DEFAULT_STUDY_HORIZONS,
    AltseasonStudy,
    altseason_event_study,
    altseason_events,
)
from core.commands.common import add_data_arguments, load_from_args, parse_tickers, print_json
from core.data import DataError, list_csv_tickers
from core.roles import match_coins
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL, DEFAULT_SP, is_crypto


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``altseason`` subcommand."""
    p = subparsers.add_parser(
        "altseason",
        help="altcoin season index (share of altcoins beating BTC over a window) and an event study of it",
        description=(
            "At each calendar day, 100 x the share of altcoins (every loaded crypto but BTC and "
            "stablecoins) whose return over the last --window days beats BTC's, among those with "
            "both closes. At or above --threshold: altcoin season; below 100 - threshold: Bitcoin "
            "season. Survivorship-biased: only today's coins are loaded. The event study asks "
            "whether the index reaches the threshold within h sessions after small-cap streaks, "
            "breakouts and spread events more often than after random sessions."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--coins", default=None,
                   help="comma-separated crypto tickers, BTC among them (default: the app's crypto list; "
                   "in a CSV folder a missing SOL-USD falls back to a SOL-USDT file)")
    p.add_argument("--window", type=int, default=DEFAULT_WINDOW,
                   help=f"look-back in calendar days, 7-730 (default {DEFAULT_WINDOW})")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"altcoin-season threshold in percent, 50-100 (default {DEFAULT_THRESHOLD:g})")
    p.add_argument("--min-coins", type=int, default=None,
                   help="fewest coins with both closes for a date to get an index (default: half the altcoins)")
    p.add_argument("--leader", default=DEFAULT_RUSSELL, help=f"small-cap ticker (default {DEFAULT_RUSSELL})")
    p.add_argument("--laggard", default=DEFAULT_SP, help=f"large-cap ticker (default {DEFAULT_SP})")
    p.add_argument("--streak", type=int, default=DEFAULT_STREAK_LENGTH,
                   help=f"streak length (sessions) that makes an event (default {DEFAULT_STREAK_LENGTH})")
    p.add_argument("--base", type=int, default=250, help="breakout base in sessions (default 250)")
    p.add_argument("--horizons", default=None,
                   help="study horizons in sessions, comma-separated (default 21,63,126)")
    p.add_argument("--seed", type=int, default=0, help="seed of the permutation draws (default 0)")
    p.add_argument("--n-draws", type=int, default=2000, help="permutation draws (default 2000)")
    p.add_argument("--no-study", action="store_true", help="skip the event study (no equity data needed)")
    p.add_argument("--series-tail", type=int, default=None,
                   help="print only the last N dates of the series (default: all)")
    p.set_defaults(func=run)


def index_json(result: AltseasonIndex, *, tail: int | None = None) -> dict[str, Any]:
    """The index as the JSON contract: window, threshold, coins, series, current, label."""
    series = result.series if tail is None else result.series.tail(tail)
    cur = result.current
    current: dict[str, Any] | None = None
    if cur is not None:
        current = {
            "date": cur.date, "index": cur.index, "n_coins": cur.n_coins, "label": cur.season,
            "btc_return": cur.btc_return, "last_data_date": cur.last_data_date, "lag_days": cur.lag_days,
            "coins": [
                {"coin": coin, "return": row["return"], "vs_btc": row["vs_btc"], "beats": bool(row["beats"]),
                 "included": bool(row["included"]), "last_close": row["last_close"]}
                for coin, row in cur.coins.iterrows()
            ],
        }
    return {
        "window": result.window,
        "threshold": result.threshold,
        "bitcoin_threshold": result.bitcoin_threshold,
        "min_coins": result.min_coins,
        "btc": result.btc,
        "coins": list(result.coins),
        "label": result.label,
        "series": [{"date": d, "index": i, "n_coins": n}
                   for d, i, n in zip(series["date"], series["index"], series["n_coins"], strict=True)],
        "current": current,
    }


def study_json(study: AltseasonStudy) -> dict[str, Any]:
    """The event study's table and settings."""
    return {
        "threshold": study.threshold,
        "horizons": list(study.horizons),
        "seed": study.seed,
        "n_draws": study.n_draws,
        "table": study.table.to_dict(orient="records"),
    }


def run(args: argparse.Namespace) -> int:
    """Print the index JSON, with ``event_study`` unless ``--no-study``."""
    if args.series_tail is not None and args.series_tail < 1:
        raise ValueError(f"--series-tail must be >= 1, got {args.series_tail}")
    try:
        horizons = (tuple(int(h) for h in args.horizons.split(",") if h.strip())
                    if args.horizons else DEFAULT_STUDY_HORIZONS)
    except ValueError as exc:
        raise ValueError(f"--horizons must be comma-separated integers, got {args.horizons!r}") from exc
    coins = parse_tickers(args.coins, DEFAULT_CRYPTO)
    if args.source == "csv" and args.data_dir and Path(args.data_dir).is_dir():
        coins = match_coins(coins, list_csv_tickers(args.data_dir), keep_missing=args.coins is not None)
    equities = [] if args.no_study else [args.leader, args.laggard]
    prices = load_from_args(args, [*equities, *coins])
    closes = prices.closes
    present = [c for c in coins if c in closes.columns and is_crypto(c)]
    result = altseason_index(closes, present, window=args.window, threshold=args.threshold,
                             min_coins=args.min_coins)
    out = index_json(result, tail=args.series_tail)
    if not args.no_study:
        for t in equities:
            if t not in closes.columns:
                raise DataError(f"no closes for {t!r} (use --no-study to skip the event study): "
                                + "; ".join(prices.warnings))
        events = altseason_events(closes, args.leader, args.laggard, streak_length=args.streak, base=args.base)
        study = altseason_event_study(result, events, horizons=horizons, seed=args.seed, n_draws=args.n_draws)
        out["event_study"] = study_json(study) | {
            "leader": args.leader, "laggard": args.laggard, "streak_length": events.streak_length,
            "base": events.base, "spread_window": events.spread_window,
            "spread_threshold": events.spread_threshold,
            "events": {k: list(v) for k, v in events.dates.items()},
        }
    out["warnings"] = list(prices.warnings)
    out["source"] = prices.label
    print_json(out)
    return 0
