"""The selection with dividend-adjusted equity closes swapped in (core.adjusted), cached."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.adjusted import AdjustedPrices, with_adjusted_closes
from core.data import PriceData
from core.data_roots import DataRootError
from ui.sidebar import selected_csv_folder
from ui.state import Selection


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def _cached_adjusted(
    digest: str,
    sources: tuple[tuple[str, str], ...],
    warnings: tuple[str, ...],
    detail: str,
    folder: str | None,
    adjust: bool,
    _closes: pd.DataFrame,
) -> AdjustedPrices:
    # keyed by the selection's digest; ``_closes`` (the selection's) is not hashed again
    prices = PriceData(closes=_closes, sources=dict(sources), warnings=warnings, detail=detail)
    return with_adjusted_closes(prices, folder, adjust=adjust)


def adjusted_selection(sel: Selection, *, adjust: bool = True) -> tuple[Selection, AdjustedPrices]:
    """The selection with :func:`core.adjusted.with_adjusted_closes` applied, and what it did.

    The CSV folder is the one the sidebar read the prices from (its ``csv_dir`` resolved inside
    the allowed roots, as the sidebar does) when every ticker came from a folder; other
    sources are only described.
    """
    prices = sel.prices
    folder = None
    if prices.sources and set(prices.sources.values()) == {"csv"}:
        try:
            folder = selected_csv_folder()
        except DataRootError:
            folder = None
    out = _cached_adjusted(sel.digest, tuple(prices.sources.items()), tuple(prices.warnings),
                           prices.detail, folder, bool(adjust), prices.closes)
    return replace(sel, prices=replace(out.prices, missing=prices.missing)), out
