"""Returns aligned on the equity calendar, and a data-quality summary.

Crypto trades every day and equities do not. Sampling crypto at the equity
trading days (last close on or before each session) folds weekend and holiday
moves into the next session's return, so every row compares like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from core.conventions import TRADING_DAYS
from core.errors import ExplorerError
from core.tickers import is_crypto

Kind = Literal["log", "simple"]
Freq = Literal["D", "W", "M"]
#: Sessions per year for annualizing daily / weekly / monthly statistics.
PERIODS_PER_YEAR: dict[str, float] = {"D": float(TRADING_DAYS), "W": 52.0, "M": 12.0}


class ReturnsError(ExplorerError):
    """Bad arguments to a returns computation (unknown kind, frequency or ticker)."""


def equity_calendar(closes: pd.DataFrame, calendar: Sequence[str] | None = None) -> pd.DatetimeIndex:
    """Trading dates: the dates on which any ``calendar`` ticker has a close.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes, shape (n_dates, n_tickers).
    calendar : sequence of str, optional
        Tickers whose trading days define the calendar. Default: every
        non-crypto column; if there is none, every date in ``closes``.

    Returns
    -------
    pandas.DatetimeIndex
    """
    if calendar is None:
        calendar = [c for c in closes.columns if not is_crypto(str(c))]
    unknown = [c for c in calendar if c not in closes.columns]
    if unknown:
        raise ReturnsError(f"calendar ticker(s) not in the data: {', '.join(map(str, unknown))}")
    if not calendar:
        return pd.DatetimeIndex(closes.index)
    mask = closes[list(calendar)].notna().any(axis=1)
    return pd.DatetimeIndex(closes.index[mask.to_numpy()])


def sample_on_calendar(closes: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Each column's last close on or before each date (no look-ahead).

    A ticker with no close yet at a date, or past its last close, stays NaN
    there. Within a ticker's history the last close carries forward, so a date
    that ticker did not trade repeats the previous close (zero return).
    """
    ordered = closes.sort_index()
    sampled = ordered.reindex(ordered.index.union(dates)).ffill().reindex(dates)
    # Past its last close a ticker has no price: don't carry the last one forward.
    last = ordered.apply(pd.Series.last_valid_index).to_numpy(dtype="datetime64[ns]")
    return sampled.mask(dates.to_numpy()[:, None] > last[None, :])


def compute_returns(
    closes: pd.DataFrame,
    *,
    calendar: Sequence[str] | None = None,
    kind: Kind = "log",
    freq: Freq = "D",
) -> pd.DataFrame:
    """Returns on the equity calendar.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes, shape (n_dates, n_tickers), tz-naive DatetimeIndex.
    calendar : sequence of str, optional
        Tickers that define trading days (see :func:`equity_calendar`).
    kind : {"log", "simple"}
        ``log``: ln(P_t / P_{t-1}); ``simple``: P_t / P_{t-1} - 1 (decimals).
    freq : {"D", "W", "M"}
        Daily (each session), weekly (last session of each week ending Friday)
        or monthly (last session of each calendar month).

    Returns
    -------
    pandas.DataFrame
        Shape (n_periods - 1, n_tickers); index: the period's last session
        date. NaN where a ticker has no close at either end; never filled with 0.
    """
    if kind not in ("log", "simple"):
        raise ReturnsError(f"unknown return kind {kind!r}; use 'log' or 'simple'")
    if freq not in PERIODS_PER_YEAR:
        raise ReturnsError(f"unknown frequency {freq!r}; use 'D', 'W' or 'M'")
    dates = equity_calendar(closes, calendar)
    sampled = sample_on_calendar(closes, dates)
    if freq != "D":
        rule = {"W": "W-FRI", "M": "ME"}[freq]
        last_dates = pd.Series(sampled.index, index=sampled.index).resample(rule).last().dropna()
        sampled = sampled.loc[pd.DatetimeIndex(last_dates.to_numpy())]
    values = sampled.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
    out = np.log(ratio) if kind == "log" else ratio - 1.0
    frame = pd.DataFrame(out, index=sampled.index[1:], columns=sampled.columns)
    frame.index.name = "date"
    return frame


def summarize_quality(closes: pd.DataFrame, *, gap_days: int | None = None, stale_run: int = 5) -> pd.DataFrame:
    """Per-ticker data-quality table.

    Parameters
    ----------
    closes : pandas.DataFrame
        Wide closes (n_dates, n_tickers).
    gap_days : int, optional
        A gap is a run of more than this many calendar days between closes.
        Default: 1 for crypto (trades daily), 4 for other tickers (weekends and
        long holiday weekends are normal).
    stale_run : int
        A stale run is at least this many consecutive identical closes.

    Returns
    -------
    pandas.DataFrame
        Index: ticker. Columns: ``first``, ``last`` (dates), ``rows`` (dates with
        a close), ``gaps`` (count), ``largest_gap_days``, ``stale_runs`` (count),
        ``max_abs_daily_log_return``.
    """
    rows = []
    for ticker in closes.columns:
        s = closes[ticker].dropna()
        if s.empty:
            rows.append({"ticker": ticker, "rows": 0})
            continue
        limit = gap_days if gap_days is not None else (1 if is_crypto(str(ticker)) else 4)
        day_steps = np.diff(s.index.to_numpy()).astype("timedelta64[D]").astype(int)
        gaps = day_steps[day_steps > limit]
        vals = s.to_numpy()
        # Label runs of identical closes; a stale run is one at least `stale_run` long.
        run_id = np.cumsum(np.r_[True, vals[1:] != vals[:-1]])
        runs = int((np.bincount(run_id) >= stale_run).sum())
        lr = np.abs(np.diff(np.log(s.to_numpy())))
        rows.append(
            {
                "ticker": ticker,
                "first": s.index[0].date(),
                "last": s.index[-1].date(),
                "rows": int(len(s)),
                "gaps": int(len(gaps)),
                "largest_gap_days": int(day_steps.max()) if len(day_steps) else 0,
                "stale_runs": runs,
                "max_abs_daily_log_return": float(lr.max()) if len(lr) else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("ticker")
