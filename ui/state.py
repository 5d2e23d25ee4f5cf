"""The data selection made in the shared sidebar, handed to every page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pandas as pd
import streamlit as st

from core.data import PriceData

_KEY = "_scx_selection"


def frame_digest(frame: pd.DataFrame | pd.Series, extra: object = ()) -> str:
    """A 128-bit digest of a frame's values, index and columns (and of ``repr(extra)``): a cache key's data part."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else [frame.name]
    digest.update(repr((columns, extra)).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: prices (already cut to the date range) and the roles of tickers."""

    prices: PriceData
    russell: str
    sp: str
    crypto: tuple[str, ...]
    start: date
    end: date

    @cached_property
    def digest(self) -> str:
        """Digest of everything the pages derive from the selection: the closes and the roles.

        Computed once per selection (the sidebar builds one per rerun). The caches of returns,
        the market model, the regime fit and the runs key on it and leave their frames unhashed:
        Streamlit's ``cache_data`` would otherwise hash every frame argument on every call,
        several times per rerun.
        """
        return frame_digest(self.prices.closes, extra=(self.russell, self.sp, self.crypto))

    @property
    def tickers(self) -> list[str]:
        """Russell proxy, S&P proxy and crypto tickers that have data, in that order."""
        wanted = [self.russell, self.sp, *self.crypto]
        return [t for t in dict.fromkeys(wanted) if t in self.prices.closes.columns]

    @property
    def equity(self) -> list[str]:
        """The equity tickers (they define the trading calendar)."""
        return [t for t in (self.russell, self.sp) if t in self.prices.closes.columns]

    @property
    def crypto_available(self) -> list[str]:
        """Crypto tickers that have data in the range."""
        return [t for t in self.crypto if t in self.prices.closes.columns]


def set_selection(selection: Selection) -> None:
    """Store the selection for the page about to run."""
    st.session_state[_KEY] = selection


def peek_selection() -> Selection | None:
    """The stored selection, or None before the sidebar has made one."""
    return st.session_state.get(_KEY)


def get_selection() -> Selection:
    """The selection made by the shared sidebar (``streamlit_app.py`` builds it before each page)."""
    sel = st.session_state.get(_KEY)
    if sel is None:
        st.error("No data selection yet: open the app through streamlit_app.py.")
        st.stop()
    return sel
