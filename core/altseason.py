"""Altcoin season index: the share of altcoins that beat BTC over the last ``window`` days.

At date d, on the crypto calendar (every calendar day),

    index_d = 100 * #{i : r_i(d) > r_BTC(d)} / n_d,   r_x(d) = P_x(d) / P_x(d - window) - 1,

over the ``n_d`` altcoins that have a close on both d and d - window (and BTC has both too).
The altcoins are every loaded crypto ticker except BTC and stablecoins
(:func:`core.roles.assign_roles`, the one rule, ETH included). An index at or above
``threshold`` (default 75) is "altcoin season", strictly below ``100 - threshold`` (25) is
"Bitcoin season", anything between is "neither".

The index is computed only on the coins loaded, which are today's survivors: coins that died
or were delisted are missing, so history is survivorship-biased (towards altcoins that did
well). Every result says so in :attr:`AltseasonIndex.label`.

- :func:`altseason_index` -> :class:`AltseasonIndex` (``series``, ``current``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import ExplorerError
from core.roles import assign_roles
from core.tickers import is_crypto

__all__ = [
    "DEFAULT_WINDOW",
    "DEFAULT_THRESHOLD",
    "WINDOW_BOUNDS",
    "THRESHOLD_BOUNDS",
    "ALTCOIN_SEASON",
    "BITCOIN_SEASON",
    "NEITHER",
    "AltseasonError",
    "AltseasonReading",
    "AltseasonIndex",
    "season_of",
    "altseason_index",
]

#: Look-back of each return, calendar days (the index of blockchaincenter.net uses 90).
DEFAULT_WINDOW = 90
#: Index at or above which it is "altcoin season" (percent of altcoins beating BTC).
DEFAULT_THRESHOLD = 75.0
#: Allowed look-backs, calendar days (inclusive).
WINDOW_BOUNDS: tuple[int, int] = (7, 730)
#: Allowed thresholds, percent (inclusive): 50 keeps the two seasons apart.
THRESHOLD_BOUNDS: tuple[float, float] = (50.0, 100.0)

ALTCOIN_SEASON = "altcoin season"
BITCOIN_SEASON = "bitcoin season"
NEITHER = "neither"


class AltseasonError(ExplorerError):
    """Bad input to the altcoin season index; the message names the value."""


@dataclass(frozen=True, eq=False)
class AltseasonReading:
    """The index on one date and the coins behind it.

    Attributes
    ----------
    date : pandas.Timestamp
        The reading's date (the last date with at least ``min_coins`` coins).
    index : float
        Percent of the ``n_coins`` altcoins whose return beat BTC's, in [0, 100].
    n_coins : int
        Altcoins with a close on both ``date`` and ``date - window``.
    season : str
        :data:`ALTCOIN_SEASON`, :data:`BITCOIN_SEASON` or :data:`NEITHER`.
    btc_return : float
        BTC's simple return over the window ending on ``date`` (decimal).
    coins : pandas.DataFrame
        One row per altcoin (index ``coin``), columns ``return`` (simple, decimal; NaN
        without both closes), ``vs_btc`` (``(1 + r) / (1 + r_BTC) - 1``), ``beats``
        (bool), ``included`` (bool: counted in ``n_coins``), ``last_close`` (the coin's
        last date with a close); ordered by ``vs_btc`` descending, excluded coins last.
    last_data_date : pandas.Timestamp
        Last date on which any loaded crypto ticker has a close (>= ``date``).
    """

    date: pd.Timestamp
    index: float
    n_coins: int
    season: str
    btc_return: float
    coins: pd.DataFrame
    last_data_date: pd.Timestamp

    @property
    def lag_days(self) -> int:
        """Calendar days between the reading and the last close loaded (0 when up to date)."""
        return int((self.last_data_date - self.date).days)

    @property
    def drivers(self) -> pd.DataFrame:
        """The included coins only, best relative return first."""
        return self.coins[self.coins["included"]]


@dataclass(frozen=True, eq=False)
class AltseasonIndex:
    """The altcoin season index over time.

    Attributes
    ----------
    window : int
        Look-back, calendar days.
    threshold : float
        Altcoin-season threshold, percent; Bitcoin season is below ``100 - threshold``.
    min_coins : int
        Fewest coins for a date to get an index (fewer: NaN).
    btc : str
        The BTC ticker.
    coins : tuple of str
        The altcoins (every loaded crypto but BTC and stablecoins).
    series : pandas.DataFrame
        One row per calendar day from the first to the last crypto close: ``date``,
        ``index`` (percent, NaN when ``n_coins < min_coins``), ``n_coins`` (int).
    current : AltseasonReading or None
        The last date with an index; None when no date has one.
    """

    window: int
    threshold: float
    min_coins: int
    btc: str
    coins: tuple[str, ...]
    series: pd.DataFrame
    current: AltseasonReading | None

    @property
    def bitcoin_threshold(self) -> float:
        """Index strictly below which it is Bitcoin season (``100 - threshold``)."""
        return 100.0 - self.threshold

    @property
    def label(self) -> str:
        """What the index stands on: ``"on N coins, survivorship-biased (today's survivors)"``."""
        return f"on {len(self.coins)} coins, survivorship-biased (today's survivors)"


def season_of(index: float, threshold: float = DEFAULT_THRESHOLD) -> str:
    """Season of an index value: >= ``threshold`` altcoin, < ``100 - threshold`` Bitcoin, else neither."""
    if index is None or not math.isfinite(index):
        raise AltseasonError(f"index must be a finite percent, got {index!r}")
    if index >= threshold:
        return ALTCOIN_SEASON
    if index < 100.0 - threshold:
        return BITCOIN_SEASON
    return NEITHER


def _check_window(window: int) -> int:
    lo, hi = WINDOW_BOUNDS
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or not lo <= window <= hi:
        raise AltseasonError(f"window must be an integer number of calendar days in [{lo}, {hi}], got {window!r}")
    return int(window)


def _check_threshold(threshold: float) -> float:
    lo, hi = THRESHOLD_BOUNDS
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.number):
        raise AltseasonError(f"threshold must be a percent in [{lo:g}, {hi:g}], got {threshold!r}")
    if not (math.isfinite(threshold) and lo <= threshold <= hi):
        raise AltseasonError(f"threshold must be a percent in [{lo:g}, {hi:g}], got {threshold!r}")
    return float(threshold)


def _daily_closes(closes: pd.DataFrame, tickers: list[str]) -> pd.DataFrame:
    """The tickers' closes on every calendar day from the first to the last close (no filling)."""
    frame = closes[tickers].astype(float)
    frame.index = pd.DatetimeIndex(frame.index).normalize()
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    frame = frame.dropna(how="all")
    if frame.empty:
        raise AltseasonError(f"no closes for any of {tickers}")
    bad = (frame <= 0).to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise AltseasonError(f"non-positive close {frame.iat[row, col]!r} in {frame.columns[col]!r} on "
                             f"{frame.index[row].date()}")
    days = pd.date_range(frame.index[0], frame.index[-1], freq="D", name="date")
    return frame.reindex(days)


def altseason_index(
    closes: pd.DataFrame,
    crypto: Sequence[str] | None = None,
    *,
    window: int = DEFAULT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD,
    min_coins: int | None = None,
    btc: str | None = None,
) -> AltseasonIndex:
    """Altcoin season index of the loaded coins on every calendar day.

    Parameters
    ----------
    closes : pandas.DataFrame
        Closes (price units, > 0), shape (n_dates, n_tickers), indexed by date; other
        columns (equities) are ignored. NaN = no close that day.
    crypto : sequence of str, optional
        The crypto tickers to use (default: every column that looks like a crypto pair).
        Roles from :func:`core.roles.assign_roles`: BTC, and as altcoins every other
        crypto ticker except stablecoins.
    window : int, default 90
        Look-back in calendar days, within :data:`WINDOW_BOUNDS`.
    threshold : float, default 75
        Altcoin-season threshold in percent, within :data:`THRESHOLD_BOUNDS`.
    min_coins : int, optional
        Fewest altcoins with both closes for a date to get an index, in [1, number of
        altcoins]. Default: a majority, ``ceil(n_alts / 2)``, so that coin files that stop
        early do not leave a reading on one or two coins.
    btc : str, optional
        Explicit BTC ticker (default: the first ``BTC-...`` pair).

    Returns
    -------
    AltseasonIndex

    Raises
    ------
    AltseasonError
        Out-of-bounds window, threshold or min_coins, non-positive closes, no closes.
    RoleError
        No BTC ticker or no altcoin among ``crypto``.

    Notes
    -----
    ``r_i(d) = P_i(d) / P_i(d - window) - 1`` uses the closes of exactly those two calendar
    days; a coin missing either (not yet listed, file ended, a gap) is not counted that day.
    A tie with BTC does not beat it. Vectorized: one shift of the daily frame.
    """
    window = _check_window(window)
    threshold = _check_threshold(threshold)
    if crypto is None:
        crypto = [c for c in closes.columns if is_crypto(str(c))]
    missing = [c for c in crypto if c not in closes.columns]
    if missing:
        raise AltseasonError(f"crypto tickers {missing} are not columns of the closes ({list(closes.columns)})")
    roles = assign_roles(list(crypto), btc)
    alts = list(roles.alts)
    if min_coins is None:
        min_coins = math.ceil(len(alts) / 2)
    if isinstance(min_coins, bool) or not isinstance(min_coins, int | np.integer) or not 1 <= min_coins <= len(alts):
        raise AltseasonError(f"min_coins must be an integer in [1, {len(alts)}] (the altcoins loaded), "
                             f"got {min_coins!r}")
    daily = _daily_closes(closes, [roles.btc, *alts])
    ret = daily / daily.shift(window) - 1.0  # NaN unless both closes exist
    r_btc = ret[roles.btc].to_numpy()
    r_alt = ret[alts].to_numpy()
    valid = np.isfinite(r_alt) & np.isfinite(r_btc)[:, None]
    beats = valid & (r_alt > r_btc[:, None])
    n = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(n >= min_coins, 100.0 * beats.sum(axis=1) / np.maximum(n, 1), np.nan)
    series = pd.DataFrame({"date": daily.index, "index": index, "n_coins": n.astype(np.int64)})
    defined = np.flatnonzero(np.isfinite(index))
    current = None
    if len(defined):
        i = int(defined[-1])
        last_close = daily[alts].apply(pd.Series.last_valid_index)
        coins = pd.DataFrame(
            {
                "return": r_alt[i],
                "vs_btc": (1.0 + r_alt[i]) / (1.0 + r_btc[i]) - 1.0,
                "beats": beats[i],
                "included": valid[i],
                "last_close": pd.to_datetime(last_close.to_numpy()),
            },
            index=pd.Index(alts, name="coin"),
        ).sort_values(["included", "vs_btc"], ascending=[False, False], na_position="last")
        current = AltseasonReading(
            date=pd.Timestamp(daily.index[i]), index=float(index[i]), n_coins=int(n[i]),
            season=season_of(float(index[i]), threshold), btc_return=float(r_btc[i]), coins=coins,
            last_data_date=pd.Timestamp(daily.index[-1]),
        )
    return AltseasonIndex(window=window, threshold=threshold, min_coins=int(min_coins), btc=roles.btc,
                          coins=tuple(alts), series=series, current=current)
