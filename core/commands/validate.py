"""``python -m core validate``: walk-forward validation of a scenario (forecasts from past data only, scored)."""

from __future__ import annotations

import argparse
from typing import Any

from core.budget import check_run_size
from core.commands.common import (
    add_data_arguments,
    add_model_arguments,
    load_model_data,
    print_json,
    scenario_file,
)
from core.fitted_scenario import FITTED_REGIMES, FittedRegimesAtOrigins, is_fitted_regimes
from core.montecarlo import ENGINES
from core.scenario import SCENARIO_DIR, Scenario, list_scenarios
from core.tickers import DEFAULT_RUSSELL
from core.validation import MIN_HISTORY, design_effect, walk_forward

DEFAULT_PATHS = 20_000
DEFAULT_SEED = 1
DEFAULT_EVERY = 21
DEFAULT_START = "2019-01-01"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    names = ", ".join(list_scenarios(SCENARIO_DIR)) if SCENARIO_DIR.is_dir() else ""
    p = subparsers.add_parser(
        "validate",
        help="walk-forward track record of a scenario: coverage, PIT, Brier skill against climatology, as JSON",
        description=(
            "At every origin (every N sessions of the Russell proxy from --start) calibrates the model on the "
            "returns up to and including the origin only, simulates the scenario H sessions ahead and records "
            "the forecast (percentiles, P(>= +20%), P(<= -50%), P(basket beats BTC)), the realized simple "
            "return when the data reach origin + H (null otherwise) and its PIT. The summary scores the "
            "forecasts with an effective n for the overlapping horizons."
        ),
    )
    add_data_arguments(p, start=False)
    p.add_argument("--scenario", required=True,
                   help=f"scenario name in scenarios/ ({names}), {FITTED_REGIMES} (Markov-switching regimes "
                        "re-estimated each year on the data before the origin's year, state probabilities "
                        "filtered to the origin) or a path to a .toml file")
    p.add_argument("--start", default=DEFAULT_START,
                   help=f"first forecast origin, YYYY-MM-DD (default {DEFAULT_START}); the model still "
                        "calibrates on all history before it")
    p.add_argument("--data-start", default=None,
                   help="first date of data loaded, YYYY-MM-DD (default: all history)")
    p.add_argument("--every", type=int, default=DEFAULT_EVERY,
                   help=f"sessions between origins (default {DEFAULT_EVERY}, about monthly)")
    p.add_argument("--horizon", type=int, default=None,
                   help="sessions ahead (default: the scenario's horizon_days)")
    p.add_argument("--paths", type=int, default=DEFAULT_PATHS, help=f"paths per origin (default {DEFAULT_PATHS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--engine", choices=ENGINES, default="parametric",
                   help="parametric Student-t shocks or stationary block bootstrap of residuals")
    p.add_argument("--min-history", type=int, default=MIN_HISTORY,
                   help=f"sessions of returns an asset needs before an origin to enter the model (default {MIN_HISTORY})")
    add_model_arguments(p, DEFAULT_RUSSELL)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print ``{scenario, horizon, every, paths, seed, engine, origins: [...], summary: {T: ...}, basket_beats_btc}``."""
    scenario: Scenario | FittedRegimesAtOrigins
    if is_fitted_regimes(args.scenario):  # refitted from each origin's own past (no look-ahead)
        scenario = FittedRegimesAtOrigins()
    else:
        scenario = scenario_file(args.scenario)
    horizon = scenario.horizon_days if args.horizon is None else args.horizon
    check_run_size(args.paths, horizon, 3)  # before any download; the full budget is checked in core
    data = load_model_data(args)
    result = walk_forward(data.returns, russell=data.russell, btc=data.btc, alts=data.alts, scenario=scenario,
                          start=args.start, every=args.every, horizon=horizon, n_paths=args.paths, seed=args.seed,
                          engine=args.engine, min_history=args.min_history)
    out: dict[str, Any] = result.to_dict()
    out["start"] = args.start
    out["methodology"] = {
        "n_effective": "n / D with D = 1 + 2 sum_{k=1}^{m} (1 - k every / horizon), m = ceil(horizon / every) - 1 "
                       f"(here D = {design_effect(result.every, result.horizon):.3g}), clipped to [1, n]",
        "coverage_ci": "95% Wilson interval with n_effective trials",
        "pit": "share of simulated paths below the realized return (mid-rank); pit_ks_p: KS test against "
               "U(0, 1), p-value from the exact Kolmogorov distribution with round(n_effective) observations",
        "climatology": "frequency of the event over every horizon-long window of the asset ended by the origin",
        "skill": "1 - brier_model / brier_climatology (null when the climatology's score is 0)",
    }
    out["data"] = data.prices.label
    out["warnings"] = list(data.prices.warnings)
    out["notes"] = list(data.notes)
    print_json(out)
    return 0
