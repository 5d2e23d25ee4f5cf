"""Arguments and output shared by the command-line subcommands."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from core.data import SOURCES, PriceData, load_prices


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--source --data-dir --start --end --json`` to a subcommand."""
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
    parser.add_argument("--start", default=None, help="first date, YYYY-MM-DD (default: all history)")
    parser.add_argument("--end", default=None, help="last date, YYYY-MM-DD (default: latest)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON (the default output)")


def load_from_args(args: argparse.Namespace, tickers: Sequence[str]) -> PriceData:
    """Load prices for ``tickers`` as the parsed data arguments say."""
    return load_prices(tickers, args.start, args.end, source=args.source, data_dir=args.data_dir)


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
