"""Dividend-adjusted (total-return) equity closes where the data has them, and which closes are used.

Yahoo (``auto_adjust=True``, the default of the live source and the cache) already serves
dividend- and split-adjusted closes. A CSV file with an ``Adj Close``/``adj_close`` column is
read adjusted by :mod:`core.data`. A CSV file with a plain ``close`` only (an ETF's price
series) is *not* adjusted: a fund's price drops by the dividend on each ex-date, so its
returns miss about 1.2-1.5 % a year for IWM/SPY and an ex-date can end an outperformance
streak that the investor's total return would have continued.

This module finds a sibling file with adjusted closes for such a ticker and swaps them in:

File rule
    For ticker ``T`` (file stem ``S`` = :func:`core.tickers.file_stem`, e.g. ``IWM``), the
    first of ``S_adjusted*.csv`` in the CSV folder, then in its ``alt/`` subfolder (sorted by
    name), e.g. ``alt/IWM_adjusted_yahoo.csv``. It is read with
    :func:`core.data.parse_price_csv` (its adjusted close column is preferred).

Splice
    The adjustment factor ``f_t = adjusted_t / close_t`` is taken on the dates both files
    have and carried to the other dates of the loaded closes (forward after the adjusted file
    ends, backward before it starts), and the closes become ``close_t * f_t``. So returns are
    total returns where the adjusted file covers them and price returns outside it (no
    dividend information there); a warning names the dates. A factor that moves by more than
    :data:`MAX_DAILY_FACTOR_STEP` in a day is not a dividend: the file is refused with a
    warning and the price closes are kept.

Everything here is pure: :class:`~core.data.PriceData` and a folder in, a new
:class:`~core.data.PriceData` and a per-ticker description out.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from core.data import DataError, PriceData, parse_price_csv
from core.tickers import TickerError, file_stem, is_crypto

__all__ = [
    "ADJUSTED_SUFFIX",
    "ALT_FOLDER",
    "MAX_DAILY_FACTOR_STEP",
    "BASIS_ADJUSTED",
    "BASIS_PARTLY",
    "BASIS_PRICE",
    "BASIS_CRYPTO",
    "BASIS_SYNTHETIC",
    "BASIS_UNKNOWN",
    "CloseBasis",
    "AdjustedPrices",
    "find_adjusted_file",
    "with_adjusted_closes",
]

#: Stem suffix of a sibling file with adjusted closes (``IWM_adjusted*.csv``) ...
ADJUSTED_SUFFIX = "_adjusted"
#: ... looked for in the CSV folder, then in this subfolder of it.
ALT_FOLDER = "alt"
#: Largest daily change of log(adjusted / close) accepted as a dividend (a 10 % dividend).
MAX_DAILY_FACTOR_STEP = 0.10

#: Kinds of close, as in :attr:`CloseBasis.kind`.
BASIS_ADJUSTED = "dividend-adjusted"
BASIS_PARTLY = "partly dividend-adjusted"
BASIS_PRICE = "price only"
BASIS_CRYPTO = "crypto (no dividends)"
BASIS_SYNTHETIC = "synthetic"
BASIS_UNKNOWN = "as uploaded"


@dataclass(frozen=True)
class CloseBasis:
    """Which closes one ticker's returns are computed from.

    Attributes
    ----------
    kind : str
        :data:`BASIS_ADJUSTED` (total return throughout), :data:`BASIS_PARTLY` (total return
        from ``adjusted_from`` to ``adjusted_through``, price return outside),
        :data:`BASIS_PRICE` (price return: dividends left out), :data:`BASIS_CRYPTO`,
        :data:`BASIS_SYNTHETIC` (demo) or :data:`BASIS_UNKNOWN` (an upload).
    detail : str
        Plain words for a page or a warning (where the adjustment comes from).
    file : str or None
        Adjusted file used, relative to the CSV folder.
    adjusted_from, adjusted_through : pandas.Timestamp or None
        Dates the adjusted file covers within the loaded closes.
    """

    kind: str
    detail: str
    file: str | None = None
    adjusted_from: pd.Timestamp | None = None
    adjusted_through: pd.Timestamp | None = None

    @property
    def adjusted(self) -> bool | None:
        """True if dividends are in the returns (at least partly), False if not, None if unknown."""
        if self.kind in (BASIS_ADJUSTED, BASIS_PARTLY):
            return True
        if self.kind == BASIS_PRICE:
            return False
        return None

    def to_json(self) -> dict[str, object]:
        """JSON fields: ``adjusted, kind, detail, file, adjusted_from, adjusted_through``."""
        return {"adjusted": self.adjusted, "kind": self.kind, "detail": self.detail, "file": self.file,
                "adjusted_from": self.adjusted_from, "adjusted_through": self.adjusted_through}


@dataclass(frozen=True, eq=False)
class AdjustedPrices:
    """Prices with adjusted closes swapped in, and what each ticker's closes are.

    Attributes
    ----------
    prices : PriceData
        Same tickers, dates and sources as the input; adjusted closes where a file was found;
        a warning per splice or refused file added to ``warnings``.
    basis : dict of str to CloseBasis
        Per ticker of ``prices.closes``.
    """

    prices: PriceData
    basis: dict[str, CloseBasis]

    def label(self, tickers: list[str] | None = None) -> str:
        """One sentence naming the closes of the equity tickers (all, or those given)."""
        wanted = tickers if tickers is not None else list(self.basis)
        parts = [f"{t}: {self.basis[t].detail}" for t in wanted
                 if t in self.basis and self.basis[t].kind != BASIS_CRYPTO]
        return "Equity closes: " + "; ".join(parts) + "." if parts else "No equity closes."


def find_adjusted_file(folder: str | Path, ticker: str) -> Path | None:
    """The sibling file with adjusted closes of ``ticker`` in ``folder`` (see the module rule).

    Parameters
    ----------
    folder : str or pathlib.Path
        The CSV folder the closes came from.
    ticker : str

    Returns
    -------
    pathlib.Path or None
    """
    try:
        stem = file_stem(ticker)
    except TickerError:
        return None
    base = Path(folder)
    pattern = glob.escape(stem) + ADJUSTED_SUFFIX + "*.csv"
    for where in (base, base / ALT_FOLDER):
        if where.is_dir():
            found = sorted(p for p in where.glob(pattern) if p.is_file())
            if found:
                return found[0]
    return None


def _file_has_adjusted_column(path: Path) -> bool:
    try:
        head = pd.read_csv(path, nrows=50)
    except (OSError, ValueError):
        return False
    cols = [c for c in head.columns if c.strip().lower().replace(" ", "_") in ("adj_close", "adjclose")]
    return bool(cols) and head[cols[0]].notna().any()


def _splice(close: pd.Series, adjusted: pd.Series) -> tuple[pd.Series, pd.Timestamp, pd.Timestamp]:
    """``close * f`` with ``f = adjusted / close`` on common dates, carried to the others."""
    common = close.index.intersection(adjusted.index)
    factor = (adjusted.loc[common] / close.loc[common]).reindex(close.index).ffill().bfill()
    return close * factor, common[0], common[-1]


def _basis_online(source: str, ticker: str) -> CloseBasis:
    if is_crypto(ticker):
        return CloseBasis(BASIS_CRYPTO, "crypto (no dividends)")
    if source in ("yahoo", "cache"):
        return CloseBasis(BASIS_ADJUSTED, "dividend-adjusted by Yahoo (total return)")
    if source == "demo":
        return CloseBasis(BASIS_SYNTHETIC, "synthetic demo series (no dividends modelled)")
    return CloseBasis(BASIS_UNKNOWN, "as uploaded (not known whether dividend-adjusted)")


def with_adjusted_closes(
    prices: PriceData, folder: str | Path | None, *, adjust: bool = True
) -> AdjustedPrices:
    """Swap in dividend-adjusted closes for equity tickers read from a CSV folder without them.

    Parameters
    ----------
    prices : PriceData
        As loaded (any source; only tickers whose source is "csv" are changed).
    folder : str or pathlib.Path or None
        The CSV folder ``prices`` was read from (``--data-dir``); None when the source is not
        a folder.
    adjust : bool, default True
        False keeps the closes as loaded and only describes them.

    Returns
    -------
    AdjustedPrices
        Closes of shape ``prices.closes.shape`` (same index and columns).
    """
    closes = prices.closes.copy()
    basis: dict[str, CloseBasis] = {}
    warnings = list(prices.warnings)
    base = Path(folder) if folder is not None else None
    for ticker in closes.columns:  # a handful of tickers
        source = prices.sources.get(ticker, "")
        if source != "csv" or is_crypto(ticker) or base is None:
            basis[ticker] = _basis_online(source, ticker)
            continue
        try:
            main = base / f"{file_stem(ticker)}.csv"
        except TickerError:
            main = None
        if main is not None and _file_has_adjusted_column(main):
            basis[ticker] = CloseBasis(BASIS_ADJUSTED, f"dividend-adjusted ({main.name}'s adjusted close)",
                                       file=main.name)
            continue
        path = find_adjusted_file(base, ticker) if adjust else None
        price_only = CloseBasis(BASIS_PRICE, "price only: dividends not included"
                                + ("" if adjust else " (price closes chosen)"))
        if path is None:
            basis[ticker] = price_only
            continue
        rel = path.relative_to(base).as_posix()
        close = closes[ticker].dropna()
        try:
            adjusted, _ = parse_price_csv(path.read_bytes(), rel)
        except (OSError, DataError) as exc:
            warnings.append(f"{ticker}: adjusted file {rel} not used ({exc}); price closes kept")
            basis[ticker] = price_only
            continue
        common = close.index.intersection(adjusted.index)
        if len(common) < 2:
            warnings.append(f"{ticker}: adjusted file {rel} shares fewer than 2 dates with the closes; "
                            "price closes kept")
            basis[ticker] = price_only
            continue
        step = np.abs(np.diff(np.log(adjusted.loc[common].to_numpy() / close.loc[common].to_numpy())))
        if step.size and step.max() > MAX_DAILY_FACTOR_STEP:
            bad = common[1:][int(np.argmax(step))]
            warnings.append(f"{ticker}: adjusted file {rel} differs from the closes by more than a dividend "
                            f"on {bad.date()} ({step.max():.1%}); price closes kept")
            basis[ticker] = price_only
            continue
        spliced, first, last = _splice(close, adjusted)
        closes.loc[spliced.index, ticker] = spliced
        whole = first <= close.index[0] and last >= close.index[-1]
        span = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        if whole:
            basis[ticker] = CloseBasis(BASIS_ADJUSTED, f"dividend-adjusted (total return) from {rel}",
                                       file=rel, adjusted_from=first, adjusted_through=last)
        else:
            detail = (f"dividend-adjusted (total return) from {rel} for {span}; price returns outside "
                      "those dates (no dividend data)")
            basis[ticker] = CloseBasis(BASIS_PARTLY, detail, file=rel, adjusted_from=first,
                                       adjusted_through=last)
            warnings.append(f"{ticker}: {detail}")
    return AdjustedPrices(prices=replace(prices, closes=closes, warnings=tuple(warnings)), basis=basis)
