"""Market overview numbers: rebased performance, trailing returns and realized volatility."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.returns import PERIODS_PER_YEAR, compute_returns, equity_calendar, sample_on_calendar

#: Trailing windows as calendar offsets; "YTD" is measured from the last close of the prior year.
TRAILING_WINDOWS: dict[str, pd.DateOffset | None] = {
    "1w": pd.DateOffset(weeks=1),
    "1m": pd.DateOffset(months=1),
    "3m": pd.DateOffset(months=3),
    "YTD": None,
    "1y": pd.DateOffset(years=1),
}


def rebase(closes: pd.DataFrame, *, calendar: Sequence[str] | None = None, base: float = 100.0) -> pd.DataFrame:
    """Prices on the equity calendar, each rebased to ``base`` at its first close in the frame.

    Returns
    -------
    pandas.DataFrame
        Shape (n_sessions, n_tickers); growth of ``base`` invested at each
        ticker's first available session.
    """
    sampled = sample_on_calendar(closes, equity_calendar(closes, calendar))
    first = sampled.apply(lambda s: s.loc[s.first_valid_index()] if s.first_valid_index() is not None else np.nan)
    return sampled / first * base


def _close_on_or_before(s: pd.Series, when: pd.Timestamp) -> float:
    s = s.loc[:when].dropna()
    return float(s.iloc[-1]) if len(s) else np.nan


def trailing_returns(closes: pd.DataFrame, asof: pd.Timestamp | None = None) -> pd.DataFrame:
    """Simple returns over the trailing windows of :data:`TRAILING_WINDOWS`.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes (n_dates, n_tickers).
    asof : pandas.Timestamp, optional
        End date (default: the last date in ``closes``). Each ticker uses its
        last close on or before ``asof`` and on or before the window start.

    Returns
    -------
    pandas.DataFrame
        Index: ticker; columns ``1w, 1m, 3m, YTD, 1y`` (decimals) and ``last_date``.
        NaN when the ticker has no close at the window start.
    """
    end = closes.index.max() if asof is None else pd.Timestamp(asof)
    rows = {}
    for t in closes.columns:
        s = closes[t]
        last = _close_on_or_before(s, end)
        last_date = s.loc[:end].last_valid_index()
        row: dict[str, float | pd.Timestamp | None] = {}
        for name, offset in TRAILING_WINDOWS.items():
            start = pd.Timestamp(year=end.year - 1, month=12, day=31) if offset is None else end - offset
            row[name] = last / _close_on_or_before(s, start) - 1.0
        row["last_date"] = last_date
        rows[t] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def realized_volatility(
    closes: pd.DataFrame,
    *,
    windows: Sequence[int] = (21, 63, 252),
    calendar: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Annualized realized volatility of daily log returns over the last ``w`` sessions.

    sigma_w = std(r_{T-w+1..T}, ddof=1) * sqrt(252), on the equity calendar (so
    crypto weekend moves fold into Monday, as in every other estimate here).

    Returns
    -------
    pandas.DataFrame
        Index: ticker; one column per window (``"21d"``, ...) plus ``"full"``.
        NaN when fewer than ``w`` returns are available.
    """
    r = compute_returns(closes, calendar=calendar, kind="log", freq="D")
    ann = np.sqrt(PERIODS_PER_YEAR["D"])
    out = {}
    for w in windows:
        tail = r.iloc[-w:]
        vol = tail.std(ddof=1) * ann
        out[f"{w}d"] = vol.where(tail.notna().sum() >= w)
    out["full"] = r.std(ddof=1) * ann
    return pd.DataFrame(out)


def rolling_volatility(
    closes: pd.DataFrame, window: int = 63, *, calendar: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rolling annualized volatility of daily log returns, shape (n_sessions - 1, n_tickers)."""
    r = compute_returns(closes, calendar=calendar, kind="log", freq="D")
    return r.rolling(window, min_periods=window).std(ddof=1) * np.sqrt(PERIODS_PER_YEAR["D"])
