"""Market overview numbers: rebased performance, trailing returns and realized volatility."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.returns import PERIODS_PER_YEAR, compute_returns, equity_calendar, sample_on_calendar

#: Trailing windows as calendar offsets; "YTD" is measured from the last close of the prior year.
#: A series whose last close is more than this many calendar days behind the newest is stale.
STALE_AFTER_DAYS = 4

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
    """Simple returns over the trailing windows of :data:`TRAILING_WINDOWS`, each to its own last close.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes (n_dates, n_tickers).
    asof : pandas.Timestamp, optional
        End date (default: the last date in ``closes``). Each ticker ends at its own last
        close on or before ``asof`` (``last_date``), so a series whose data stop earlier is
        measured over its own last week, month, ... instead of showing a flat +0.0 %; the
        window start is counted back from that date, and the start close is the last one on
        or before it. :func:`staleness` flags such series.

    Returns
    -------
    pandas.DataFrame
        Index: ticker; columns ``1w, 1m, 3m, YTD, 1y`` (decimals) and ``last_date``.
        NaN when the ticker has no close at the window start (or none at all).
    """
    end = closes.index.max() if asof is None else pd.Timestamp(asof)
    rows = {}
    for t in closes.columns:  # a handful of tickers
        s = closes[t]
        last_date = s.loc[:end].last_valid_index()
        row: dict[str, float | pd.Timestamp | None] = {}
        last = _close_on_or_before(s, end)
        own_end = end if last_date is None else pd.Timestamp(last_date)
        for name, offset in TRAILING_WINDOWS.items():
            start = pd.Timestamp(year=own_end.year - 1, month=12, day=31) if offset is None else own_end - offset
            row[name] = last / _close_on_or_before(s, start) - 1.0
        row["last_date"] = last_date
        rows[t] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def staleness(closes: pd.DataFrame, *, max_lag_days: int = STALE_AFTER_DAYS) -> pd.DataFrame:
    """Which series stop before the others.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes (n_dates, n_tickers).
    max_lag_days : int
        A series is stale when its last close is more than this many calendar days before
        the newest last close of any ticker (default 4: a long weekend for equities).

    Returns
    -------
    pandas.DataFrame
        Index: ticker; ``last_close`` (date or NaT), ``days_behind`` (calendar days behind the
        newest last close; NaN without data), ``stale`` (bool; True without data).
    """
    if isinstance(max_lag_days, bool) or not isinstance(max_lag_days, int | np.integer) or max_lag_days < 0:
        raise ExplorerError(f"max_lag_days must be an integer >= 0, got {max_lag_days!r}")
    last = pd.to_datetime(closes.apply(pd.Series.last_valid_index))
    behind = (last.max() - last).dt.days
    return pd.DataFrame(
        {"last_close": last, "days_behind": behind, "stale": ~(behind <= max_lag_days)},
        index=closes.columns,
    )


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
        Index: ticker; one column per window (``"21d"``, ...) plus ``"full"``, each over
        the ticker's own last ``w`` sessions (a series that stops early is measured up to its
        last close, ``last_date``). NaN when fewer than ``w`` returns are available there.
    """
    r = compute_returns(closes, calendar=calendar, kind="log", freq="D")
    ann = np.sqrt(PERIODS_PER_YEAR["D"])
    out: dict[str, pd.Series] = {f"{w}d": pd.Series(np.nan, index=r.columns) for w in windows}
    last_dates: dict[str, pd.Timestamp | None] = {}
    for t in r.columns:  # a handful of tickers: each one's own last sessions
        last = r[t].last_valid_index()
        last_dates[t] = last
        own = r[t].loc[:last] if last is not None else r[t].iloc[:0]
        for w in windows:
            tail = own.iloc[-w:]
            if tail.notna().sum() >= w:
                out[f"{w}d"][t] = tail.std(ddof=1) * ann
    out["full"] = r.std(ddof=1) * ann
    frame = pd.DataFrame(out)
    frame["last_date"] = pd.Series(last_dates, dtype="datetime64[ns]")
    return frame


def rolling_volatility(
    closes: pd.DataFrame, window: int = 63, *, calendar: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rolling annualized volatility of daily log returns, shape (n_sessions - 1, n_tickers)."""
    r = compute_returns(closes, calendar=calendar, kind="log", freq="D")
    return r.rolling(window, min_periods=window).std(ddof=1) * np.sqrt(PERIODS_PER_YEAR["D"])
