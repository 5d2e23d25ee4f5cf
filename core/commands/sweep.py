"""``python -m core sweep``: move one scenario field over a grid and print the metrics per point."""

from __future__ import annotations

import argparse

from core.budget import check_run_size
from core.calibration import calibrate
from core.commands.common import (
    add_data_arguments,
    add_model_arguments,
    load_model_data,
    print_json,
    scenario_before_data,
    scenario_names,
    scenario_with_data,
)
from core.conventions import DEFAULT_SEED
from core.montecarlo import ENGINES
from core.sensitivity import MAX_SWEEP_POINTS, SWEEP_FIELDS, SweepError, sweep
from core.tickers import DEFAULT_RUSSELL

DEFAULT_PATHS = 5_000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    names = scenario_names()
    p = subparsers.add_parser(
        "sweep",
        help="sensitivity of the outcome metrics to one scenario field, on common random numbers, as JSON",
        description=(
            "Calibrates the factor model as 'simulate' does, then simulates the scenario once per value "
            "of --field from the same seed (common random numbers) and prints, per value, asset and "
            "metric, the estimate and its Monte Carlo standard error. Values are in scenario units "
            "(decimals: 0.1 = +10%; annual drifts and vols per year)."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--scenario", required=True,
                   help=f"scenario name in scenarios/ ({names}) or a path to a .toml file")
    p.add_argument("--field", required=True, choices=SWEEP_FIELDS, metavar="FIELD",
                   help=f"field to sweep: {', '.join(SWEEP_FIELDS)}")
    p.add_argument("--values", required=True,
                   help=f"comma-separated values in scenario units, 1 to {MAX_SWEEP_POINTS} (e.g. -0.1,0,0.1)")
    p.add_argument("--regime", default=None,
                   help="for a regime field: the regime to change (default: every regime)")
    p.add_argument("--paths", type=int, default=DEFAULT_PATHS, help=f"paths per value (default {DEFAULT_PATHS})")
    p.add_argument("--horizon", type=int, default=None,
                   help="trading days (default: the scenario's horizon_days)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed, the same for every value (default {DEFAULT_SEED})")
    p.add_argument("--engine", choices=ENGINES, default="parametric",
                   help="parametric Student-t shocks or stationary block bootstrap of residuals")
    add_model_arguments(p, DEFAULT_RUSSELL)
    p.set_defaults(func=run)


def parse_values(text: str) -> list[float]:
    """``"-0.1, 0, 0.1"`` -> ``[-0.1, 0.0, 0.1]``; a piece that is not a number names itself."""
    out = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        try:
            out.append(float(piece))
        except ValueError:
            raise SweepError(f"--values: {piece!r} is not a number") from None
    if not out:
        raise SweepError("--values: give at least one value, e.g. -0.1,0,0.1")
    return out


def run(args: argparse.Namespace) -> int:
    """Print ``{scenario, field, regime, values, paths, horizon, seed, engine, points: [...], current, ...}``."""
    scenario, default_horizon = scenario_before_data(args.scenario)  # the fitted one: built once data are loaded
    values = parse_values(args.values)
    horizon = default_horizon if args.horizon is None else args.horizon
    check_run_size(args.paths, horizon, 3)  # before any download; the asset count is checked again later
    if len(values) > MAX_SWEEP_POINTS:
        raise SweepError(f"a sweep takes 1 to {MAX_SWEEP_POINTS} values, got {len(values)}")
    data = load_model_data(args)
    model = calibrate(data.returns, russell=data.russell, btc=data.btc, alts=list(data.alts))
    prices, notes = data.prices, list(data.notes)
    scenario = scenario_with_data(scenario, data, model)
    result = sweep(model, scenario, args.field, values, regime=args.regime, n_paths=args.paths,
                   horizon=horizon, seed=args.seed, engine=args.engine)
    out = result.to_dict()
    out["metrics"] = {"p50": "median simple return over the horizon (se: order statistics)",
                      "prob_*": "probabilities as in 'simulate' (se: sqrt(p (1 - p) / paths))",
                      "prob_beats_btc": "P(asset return > BTC return) on the same path"}
    out["data"] = prices.label
    out["warnings"] = list(prices.warnings)
    out["notes"] = notes
    print_json(out)
    return 0
