"""``python -m core simulate``: calibrate on the loaded data, run a scenario, print outcome metrics."""

from __future__ import annotations

import argparse
from typing import Any

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
from core.conventions import DEFAULT_SEED, TRADING_DAYS
from core.montecarlo import ENGINES
from core.run import run_scenario
from core.tickers import DEFAULT_RUSSELL

DEFAULT_PATHS = 20_000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand."""
    names = scenario_names()
    p = subparsers.add_parser(
        "simulate",
        help="Monte Carlo outcomes of a scenario (quantiles, target probabilities, VaR/ES) as JSON",
        description=(
            "Calibrates the factor model on daily log returns (crypto sampled on the Russell "
            "proxy's sessions), simulates the scenario and prints simple returns over the "
            "horizon as decimals, every probability with its Monte Carlo standard error. Each asset's "
            "block has the median (se.p50), the mean log return and geometric mean exp(mean log) - 1 "
            "(se.mean_log, se.geometric_mean); 'mean' is the sample mean simple return, infinite in "
            "population under Student-t shocks (mean_finite false, se.mean null): read the median or "
            "the geometric mean instead."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--scenario", required=True,
                   help=f"scenario name in scenarios/ ({names}) or a path to a .toml file")
    p.add_argument("--paths", type=int, default=DEFAULT_PATHS, help=f"paths (default {DEFAULT_PATHS})")
    p.add_argument("--horizon", type=int, default=None,
                   help="trading days (default: the scenario's horizon_days)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--engine", choices=ENGINES, default="parametric",
                   help="parametric Student-t shocks or stationary block bootstrap of residuals")
    add_model_arguments(p, DEFAULT_RUSSELL)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print ``{scenario, paths, horizon, seed, engine, assets: {T: M}, basket: M, prob_basket_beats_btc, ...}``."""
    scenario, default_horizon = scenario_before_data(args.scenario)  # the fitted one: built once data are loaded
    horizon = default_horizon if args.horizon is None else args.horizon
    check_run_size(args.paths, horizon, 3)  # before any download; the asset count is checked again later
    data = load_model_data(args)
    prices, notes = data.prices, list(data.notes)
    model = calibrate(data.returns, russell=data.russell, btc=data.btc, alts=list(data.alts))
    scenario = scenario_with_data(scenario, data, model)
    run = run_scenario(model, scenario, n_paths=args.paths, horizon=horizon, seed=args.seed, engine=args.engine)
    result, metrics = run.result, run.metrics
    out: dict[str, Any] = {
        "scenario": scenario.name,
        "paths": result.n_paths,
        "horizon": result.horizon,
        "seed": args.seed,
        "engine": result.engine,
        "assets": {name: m.to_dict() for name, m in metrics.assets.items()},
        "basket": metrics.basket.to_dict(),
        "basket_assets": list(result.basket_assets),
        "prob_basket_beats_btc": metrics.basket_beats_btc.p,
        "prob_basket_beats_btc_se": metrics.basket_beats_btc.se,
        "regime_occupancy": metrics.regime_occupancy.to_dict(),
        "calibration": {
            "russell": model.russell,
            "btc": model.btc,
            "start": model.start,
            "end": model.end,
            "n_obs": model.n_obs,
            "n_complete_rows": len(model.residuals),
            "russell_vol_annual": model.russell_vol_annual,
            "btc_beta": model.btc_beta,
            "alt_beta": model.alt_beta.to_dict(),
            "crypto_df": model.crypto_df,
            "block_length": model.block_length,
            # one window for every equation; model-implied co-movement with the Russell
            # (d log T / d log R and corr of daily log returns) beside the history on it
            "window": {t: [model.start, model.end] for t in model.crypto},
            "limited_by": list(model.limited_by),
            "implied_beta": model.implied_beta().to_dict(),
            "implied_corr": model.implied_corr().to_dict(),
            "historical_beta": model.historical_beta.to_dict(),
            "historical_corr": model.historical_corr.to_dict(),
            "alpha_sample_annual": (model.alpha_sample * TRADING_DAYS).to_dict(),
            "alpha_se_annual": (model.alpha_se * TRADING_DAYS).to_dict(),
            "alpha_shrinkage": model.alpha_shrinkage.to_dict(),
            "alpha_used_annual": {model.btc: model.btc_alpha * TRADING_DAYS,
                                  **(model.alt_alpha * TRADING_DAYS).to_dict()},
        },
        "data": prices.label,
        "warnings": list(prices.warnings),
        "notes": notes,
    }
    print_json(out)
    return 0
