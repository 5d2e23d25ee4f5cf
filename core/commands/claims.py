"""``python -m core claims``: every claim of the articles judged on the loaded data, and today's state."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from core.claims import N_BOOT_BOUNDS, Verdict, claim_tickers
from core.commands.common import add_data_arguments, load_from_args, print_json
from core.data import list_csv_tickers
from core.overview import QUESTION, Overview, overview
from core.tickers import DEFAULT_RUSSELL, DEFAULT_SP


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``claims`` subcommand."""
    p = subparsers.add_parser(
        "claims",
        help="the articles' claims as verdicts (supported, contradicted, mixed, too few cases, not testable)",
        description=(
            "Loads the claims' tickers (^RUT, ^GSPC, IWM, SPY, BTC, ETH and the altcoins; in a CSV "
            "folder the pairs present) with all their history and judges each claim on the longest "
            "real history available. Event claims carry a robustness grid (thresholds, windows, "
            "proxies) with Benjamini-Hochberg adjusted p-values. 'today' is the current streak, the "
            "last breakout, today's 90-session BTC correlation, the altcoin season index and today's fitted "
            "regime."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--russell", default=DEFAULT_RUSSELL,
                   help=f"Russell proxy of today's state (default {DEFAULT_RUSSELL})")
    p.add_argument("--sp", default=DEFAULT_SP, help=f"S&P proxy of today's state (default {DEFAULT_SP})")
    p.add_argument("--seed", type=int, default=0, help="seed of the event studies' draws (default 0)")
    p.add_argument("--n-boot", type=int, default=2000,
                   help=f"draws per event study, {N_BOOT_BOUNDS[0]}-{N_BOOT_BOUNDS[1]} (default 2000)")
    p.add_argument("--no-grid", action="store_true", help="leave the robustness grids out of the output")
    p.add_argument("--no-regime", action="store_true",
                   help="skip today's fitted regime (a Markov-switching fit, about 10 s)")
    p.set_defaults(func=run)


def _date(ts: Any) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def verdict_json(v: Verdict, *, grid: bool = True) -> dict[str, Any]:
    """One claim's verdict as the CLI prints it."""
    c = v.claim
    out: dict[str, Any] = {
        "id": c.id, "title": c.title, "quote": c.quote, "source": c.source, "date": c.date,
        "asserts": c.asserts, "test": c.test, "params": {k: list(x) if isinstance(x, tuple) else x
                                                          for k, x in c.params},
        "verdict": v.verdict, "reason": v.reason, "n": v.n, "numbers": dict(v.numbers),
        "proxy": v.proxy, "window": v.window,
    }
    if v.robustness is not None:
        r = v.robustness
        out["robustness"] = {"survives": r.survives, "summary": r.summary, "alpha": r.alpha,
                             "headline": dict(r.headline)}
        if grid:
            out["robustness"]["grid"] = r.grid.to_dict(orient="records")
    return out


def today_json(o: Overview) -> dict[str, Any]:
    """Today's state as the CLI prints it."""
    s = o.streak
    streak = None if s is None else {
        "length": s.length, "start": _date(s.streak.start) if s.streak else None,
        "last_session": _date(s.last_session),
        "longest_since": _date(s.longest_since.end) if s.longest_since else None,
        "longest_in_data": s.is_longest_in_data,
    }
    alt = o.altseason.current if o.altseason is not None else None
    return {
        "russell": o.russell, "sp": o.sp, "last_session": _date(o.last_session), "streak": streak,
        "last_breakout": _date(o.last_breakout), "sessions_since_breakout": o.sessions_since_breakout,
        "days_since_breakout": o.days_since_breakout,
        "correlation": {"asset": o.corr_asset, "market": o.russell, "window": 90, "value": o.corr_today,
                        "date": _date(o.corr_date), "percentile": o.corr_percentile,
                        "n_windows": o.corr_n_windows, "history_start": _date(o.corr_history_start)},
        "altseason": None if alt is None else {
            "index": alt.index, "date": _date(alt.date), "n_coins": alt.n_coins, "season": alt.season,
            "window": o.altseason.window, "threshold": o.altseason.threshold, "label": o.altseason.label},
        "regime": None if o.regime is None else {
            "ticker": o.regime.ticker, "date": _date(o.regime.last_date), "state": o.regime_state,
            "probability": o.regime_probability,
            "probabilities": dict(zip(o.regime.names, o.regime.last_probabilities, strict=True)),
            "k": o.regime.k},
        "notes": list(o.notes),
    }


def run(args: argparse.Namespace) -> int:
    """Print ``{"question", "answer", "counts", "claims": [...], "today": {...}, "source", "warnings"}``."""
    lo, hi = N_BOOT_BOUNDS
    if not lo <= args.n_boot <= hi:
        raise ValueError(f"--n-boot must be between {lo} and {hi}, got {args.n_boot}")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    available = list_csv_tickers(args.data_dir) if args.source == "csv" and args.data_dir else None
    tickers = list(dict.fromkeys([args.russell, args.sp, *claim_tickers(available)]))
    prices = load_from_args(args, tickers)
    o = overview(prices, args.russell, args.sp, seed=args.seed, n_boot=args.n_boot, regime=not args.no_regime)
    print_json({
        "question": QUESTION,
        "answer": o.answer,
        "counts": dict(o.counts),
        "claims": [verdict_json(v, grid=not args.no_grid) for v in o.verdicts],
        "today": today_json(o),
        "source": prices.label,
        "warnings": list(prices.warnings),
    })
    return 0
