"""Tooltip text formatted in Python: a value that rounds to zero never reads "-0.0"."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: Text of a missing value.
MISSING = "–"


def text(values: Iterable[object], spec: str) -> list[str]:
    """Each value through ``spec`` (a ``str.format`` field such as ``"{:+.1%}"``) with negative zero
    dropped (Python's ``z`` flag, PEP 682); NaN/None -> "–".

    d3's formats in Vega-Lite keep the sign of a value that rounds to zero (``-0.0%``), so
    chart builders put these strings in a column and show that column in the tooltip.
    """
    field = spec.replace("{:", "{:z", 1) if "z" not in spec.split("}")[0] else spec
    if field.startswith("{:z+"):  # z goes after the sign: [[fill]align][sign][z][#][0]...
        field = "{:+z" + field[4:]
    out = []
    for v in values:
        if v is None or (isinstance(v, float | np.floating) and not np.isfinite(v)) or v is pd.NaT:
            out.append(MISSING)
        else:
            out.append(field.format(float(v)))
    return out


def add_text(frame: pd.DataFrame, specs: dict[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` with ``<column>_text`` for each column of ``specs`` present."""
    out = frame.copy()
    for col, spec in specs.items():
        if col in out.columns:
            out[f"{col}_text"] = text(out[col].to_numpy(), spec)
    return out
