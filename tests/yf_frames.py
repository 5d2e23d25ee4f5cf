"""Frames shaped exactly like ``yfinance.download`` 1.x output, for offline tests.

``download`` builds one frame per ticker (``Ticker.history``: columns Open, High,
Low, Close, Volume with ``auto_adjust=True``; an empty frame with an extra
``Adj Close`` column for a failed ticker), concatenates them with keys
``names=["Ticker", "Price"]``, swaps to ``(Price, Ticker)`` and sorts the columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

PRICE_FIELDS = ["Open", "High", "Low", "Close", "Volume"]


def history_frame(closes: pd.Series, tz: str | None = None) -> pd.DataFrame:
    """One ticker's ``Ticker.history`` frame (auto-adjusted OHLCV) from closes."""
    idx = pd.DatetimeIndex(closes.index, name="Date")
    if tz is not None:
        idx = idx.tz_localize(tz)
    c = closes.to_numpy(dtype=float)
    return pd.DataFrame(
        {"Open": c * 0.995, "High": c * 1.01, "Low": c * 0.99, "Close": c, "Volume": np.full(len(c), 1e6)},
        index=idx,
    )


def failed_frame() -> pd.DataFrame:
    """What yfinance stores for a ticker that failed (``utils.empty_df``)."""
    frame = pd.DataFrame(
        index=[], data={"Open": np.nan, "High": np.nan, "Low": np.nan, "Close": np.nan,
                        "Adj Close": np.nan, "Volume": np.nan}
    )
    frame.index.name = "Date"
    return frame


def download_frame(per_ticker: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Combine per-ticker frames the way ``yfinance.multi._download_impl`` does (daily, ignore_tz)."""
    dfs = {}
    for t, df in per_ticker.items():
        df = df.copy()
        if not df.empty and df.index.tz is not None:
            df.index = df.index.tz_localize(None)
        dfs[t] = df
    idx = None
    for df in dfs.values():
        if not df.empty:
            idx = df.index if idx is None else idx.union(df.index)
    if idx is None:
        idx = pd.DatetimeIndex([])
    dfs = {k: v.reindex(idx) for k, v in dfs.items()}
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    data = data.sort_index(level=0, axis=1)
    return data


def business_days(start: str, periods: int) -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=periods)


def calendar_days(start: str, periods: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=periods, freq="D")
