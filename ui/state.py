"""The data selection made in the shared sidebar, handed to every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from core.data import PriceData

_KEY = "_scx_selection"


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: prices (already cut to the date range) and the roles of tickers."""

    prices: PriceData
    russell: str
    sp: str
    crypto: tuple[str, ...]
    start: date
    end: date

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
