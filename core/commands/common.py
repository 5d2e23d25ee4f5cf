"""Arguments and output shared by the command-line subcommands."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.calibration import MarketModel
from core.data import SOURCES, DataError, PriceData, list_csv_tickers, load_prices
from core.fitted_scenario import (
    FITTED_HORIZON_DAYS,
    FITTED_REGIMES,
    fitted_regimes_from_returns,
    is_fitted_regimes,
)
from core.returns import compute_returns
from core.roles import assign_roles, match_coins
from core.scenario import SCENARIO_DIR, Scenario, ScenarioError, list_scenarios, resolve_scenario
from core.tickers import DEFAULT_CRYPTO, normalize_ticker


def add_data_arguments(parser: argparse.ArgumentParser, *, start: bool = True) -> None:
    """Add ``--source --data-dir --start --end --json`` to a subcommand.

    ``start=False`` leaves ``--start`` out, for a command that gives it another meaning
    (``validate``: the first forecast origin); :func:`load_from_args` then loads all history.
    """
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default=os.environ.get("SCX_DATA_SOURCE", "auto"),
        help="where prices come from (default: auto = fresh cache, Yahoo, stale cache, then synthetic demo)",
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("SCX_DATA_DIR"),
        help="folder of per-ticker CSV files (for --source csv; default $SCX_DATA_DIR)",
    )
    if start:
        parser.add_argument("--start", default=None, help="first date, YYYY-MM-DD (default: all history)")
    parser.add_argument("--end", default=None, help="last date, YYYY-MM-DD (default: latest)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON (the default output)")


def load_from_args(args: argparse.Namespace, tickers: Sequence[str]) -> PriceData:
    """Load prices for ``tickers`` as the parsed data arguments say."""
    return load_prices(tickers, getattr(args, "data_start", getattr(args, "start", None)), args.end,
                       source=args.source, data_dir=args.data_dir)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas scalars, arrays and dates into JSON types; NaN and inf become None."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if obj is pd.NaT or obj is None:
        return None
    if isinstance(obj, (pd.Timestamp, datetime, date)):
        return obj.strftime("%Y-%m-%d")
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (strict: no NaN)."""
    json.dump(to_jsonable(obj), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def parse_tickers(text: str | None, default: Sequence[str]) -> list[str]:
    """Comma-separated tickers, or ``default`` when not given."""
    if not text:
        return list(default)
    return [t for t in (p.strip() for p in text.split(",")) if t]


def default_crypto(args: argparse.Namespace) -> list[str]:
    """The default crypto list; in a CSV folder each entry maps to a file with the same coin.

    ``SOL-USD`` is taken as is when ``SOL-USD.csv`` exists, else the first ``SOL-<quote>`` file
    (``SOL-USDT``); coins with no file are left out.
    """
    if args.source != "csv":
        return list(DEFAULT_CRYPTO)
    if not args.data_dir:
        raise DataError("--source csv needs --data-dir (or $SCX_DATA_DIR)")
    return match_coins(DEFAULT_CRYPTO, list_csv_tickers(args.data_dir), keep_missing=False)


def add_model_arguments(parser: argparse.ArgumentParser, default_russell: str) -> None:
    """Add ``--russell --tickers --btc``: which tickers the market model is built on."""
    parser.add_argument("--russell", default=default_russell,
                        help=f"Russell 2000 proxy (default {default_russell}; or ^RUT)")
    parser.add_argument("--tickers", default=None,
                        help="comma-separated crypto tickers incl. BTC (default: the app's crypto list; "
                             "in a CSV folder, the files that match it, e.g. SOL-USDT for SOL-USD)")
    parser.add_argument("--btc", default=None,
                        help="BTC ticker among the crypto tickers (default: the one named BTC-...)")


@dataclass(frozen=True)
class ModelData:
    """The daily log returns a market model is calibrated on, with the roles of their columns.

    Attributes
    ----------
    returns : pd.DataFrame
        Dates (the Russell proxy's sessions) x ``[russell, btc, *alts]``, daily log returns.
    russell, btc : str
    alts : tuple of str
        Altcoins that have prices (the basket).
    prices : PriceData
        What was loaded (for its label and warnings).
    notes : list of str
        What was left out and why.
    """

    returns: pd.DataFrame
    russell: str
    btc: str
    alts: tuple[str, ...]
    prices: PriceData
    notes: list[str]


def load_model_data(args: argparse.Namespace) -> ModelData:
    """Load prices as the data and model arguments say; returns on the Russell proxy's calendar.

    Raises
    ------
    DataError
        No prices for the Russell proxy or BTC, or no altcoin with prices.
    """
    russell = normalize_ticker(args.russell)
    crypto = [normalize_ticker(t) for t in parse_tickers(args.tickers, default_crypto(args))]
    btc = assign_roles(crypto, normalize_ticker(args.btc) if args.btc else None, need_alts=False).btc
    prices = load_from_args(args, [russell, *crypto])
    present = set(prices.closes.columns) - set(prices.missing)
    for needed in (russell, btc):
        if needed not in present:
            raise DataError(f"no prices for {needed} ({prices.label}); cannot calibrate without it")
    alts = [t for t in crypto if t != btc and t in present]
    dropped = [t for t in crypto if t != btc and t not in present]
    notes = [f"no prices for {', '.join(dropped)}: left out"] if dropped else []
    if not alts:
        raise DataError("no altcoin has prices; the basket needs at least one")
    returns = compute_returns(prices.closes[[russell, btc, *alts]], calendar=[russell])
    return ModelData(returns=returns, russell=russell, btc=btc, alts=tuple(alts), prices=prices, notes=notes)


def scenario_names() -> str:
    """The scenarios a command accepts by name: the files in scenarios/, then the fitted-regimes one."""
    return ", ".join([*(list_scenarios(SCENARIO_DIR) if SCENARIO_DIR.is_dir() else []), FITTED_REGIMES])


def scenario_before_data(name: str) -> tuple[Scenario | None, int]:
    """The scenario ``--scenario`` names and its default horizon (trading days), before any data load.

    The fitted-regimes scenario is built from the data (:func:`scenario_with_data`), so it is
    ``None`` here; its default horizon is known. Anything else is a file name in scenarios/ or a
    path to a .toml file.

    Raises
    ------
    ScenarioError
        Unknown name, unreadable or invalid file (naming it).
    """
    if is_fitted_regimes(name):
        return None, FITTED_HORIZON_DAYS
    scenario = scenario_file(name)
    return scenario, scenario.horizon_days


def scenario_file(name: str) -> Scenario:
    """The scenario of a file in scenarios/ named by stem, or of a path to a .toml file.

    Raises
    ------
    ScenarioError
        Unknown name (listing every name a command accepts, the fitted-regimes one
        included), unreadable or invalid file.
    """
    candidate = Path(name)
    if not (candidate.suffix == ".toml" or candidate.is_file()) and name not in list_scenarios(SCENARIO_DIR):
        # resolve_scenario only knows the files; the fitted-regimes scenario is a name too
        raise ScenarioError(str(SCENARIO_DIR), "<scenario>", name, f"unknown scenario (available: {scenario_names()})")
    return resolve_scenario(name, SCENARIO_DIR)


def scenario_with_data(scenario: Scenario | None, data: ModelData, model: MarketModel) -> Scenario:
    """``scenario``, or for ``None`` the fitted-regimes scenario of the loaded Russell returns on ``model``."""
    if scenario is not None:
        return scenario
    return fitted_regimes_from_returns(data.returns[data.russell], model)
