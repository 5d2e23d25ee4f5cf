"""The shared sidebar: data source, Russell and S&P proxies, crypto tickers and date range."""

from __future__ import annotations

import dataclasses
import os
from datetime import date

import pandas as pd
import streamlit as st

from core.data import DataError, PriceData, list_csv_tickers, load_prices, prices_from_upload
from core.data_roots import DataRootError, DataRoots, data_roots
from core.roles import match_coins
from core.tickers import (
    DEFAULT_CRYPTO,
    DEFAULT_RUSSELL,
    DEFAULT_SP,
    INDEX_PROXIES,
    TickerError,
    is_crypto,
    normalize_tickers,
)
from ui.common import escape_md
from ui.result_store import ResultStore
from ui.state import Selection, peek_selection, set_selection
from ui.urlstate import default_unless_set, seed_from_url, url_errors, write_to_url

SOURCE_LABELS = {
    "auto": "Auto: Yahoo, then cache, then demo",
    "yahoo": "Yahoo Finance (live)",
    "csv": "CSV folder",
    "upload": "Upload a CSV",
    "demo": "Synthetic demo",
}
#: Default look-back for the date range (years), cut to the data available.
DEFAULT_YEARS = 8


def default_source() -> str:
    """Start-up source: a CSV folder if ``SCX_DATA_DIR`` is set, else ``SCX_DATA_SOURCE``, else auto."""
    if os.environ.get("SCX_DATA_DIR") and not os.environ.get("SCX_DATA_SOURCE"):
        return "csv"
    env = os.environ.get("SCX_DATA_SOURCE", "auto")
    return env if env in SOURCE_LABELS else "auto"


#: Expiry of loaded prices (seconds): live data is refreshed hourly.
PRICES_TTL_SECONDS = 3600
#: Expiry of a fallback (demo or stale cache served because a source failed), seconds: the
#: next load after it tries the source again, so a demo never outlives the outage by long,
#: yet a rate-limited source is not asked again on every widget change.
FALLBACK_TTL_SECONDS = 120
#: Memory kept for fallbacks, bytes (a demo frame of 12 tickers x ~3,000 days is ~0.3 MB).
FALLBACK_BUDGET_BYTES = 64 * 2**20


class _Fallback(Exception):  # noqa: N818 - control flow, never shown
    """Raised out of the hour-long price cache so a fallback is not kept there."""

    def __init__(self, prices: PriceData) -> None:
        super().__init__("fallback")
        self.prices = prices


def _is_fallback(prices: PriceData, source: str) -> bool:
    return bool(getattr(prices, "fallback", False)) or (source in ("auto", "yahoo") and prices.is_demo)


@st.cache_data(ttl=PRICES_TTL_SECONDS, show_spinner="Loading prices…", max_entries=32)
def _cached_live(tickers: tuple[str, ...], source: str, data_dir: str | None) -> PriceData:
    prices = load_prices(list(tickers), source=source, data_dir=data_dir)
    if _is_fallback(prices, source):
        raise _Fallback(prices)
    return prices


@st.cache_resource(show_spinner=False, max_entries=1, ttl=24 * 3600)
def _fallback_store() -> ResultStore[PriceData]:
    """Fallback prices of the whole server, kept :data:`FALLBACK_TTL_SECONDS`."""
    return ResultStore(budget_bytes=FALLBACK_BUDGET_BYTES, max_entries=16, ttl_seconds=FALLBACK_TTL_SECONDS)


def cached_load(tickers: tuple[str, ...], source: str, data_dir: str | None) -> PriceData:
    """All history for ``tickers`` (cut to the date range later, so moving dates never reloads).

    Real data is cached for an hour, shared by every session. A fallback (the demo or a stale
    cache served because the source failed) is kept only :data:`FALLBACK_TTL_SECONDS`, so the
    source is tried again soon after, not on every rerun.
    """
    key = (tickers, source, data_dir)
    store = _fallback_store()
    hit = store.peek(key)
    if hit is not None:
        return hit
    try:
        return _cached_live(tickers, source, data_dir)
    except _Fallback as exc:
        prices = exc.prices
        return store.get_or_compute(key, lambda: prices, lambda p: int(p.closes.memory_usage(deep=True).sum()))


@st.cache_data(show_spinner=False, max_entries=4, ttl=PRICES_TTL_SECONDS)
def cached_upload(content: bytes, name: str) -> PriceData:
    """Parse an uploaded CSV once per distinct file (uploads are at most server.maxUploadSize MB)."""
    return prices_from_upload(content, name=name)


def _secret_roots() -> list[str]:
    """``data_roots`` from ``.streamlit/secrets.toml`` (a string or a list), or nothing."""
    try:
        value = st.secrets.get("data_roots")
    except Exception:  # no secrets file, or an unreadable one: no extra roots
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def allowed_roots() -> DataRoots:
    """The folders the CSV source may read (environment and secrets; see :mod:`core.data_roots`)."""
    return data_roots(extra=_secret_roots())


def selected_csv_folder() -> str:
    """The CSV folder typed in the sidebar, resolved inside the allowed roots.

    Raises
    ------
    DataRootError
        The folder is outside every allowed root (or the folder source is off here).
    """
    return str(allowed_roots().resolve(str(st.session_state.get("csv_dir", "")).strip()))


def _csv_defaults(options: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Russell, S&P and crypto choices from the files present (``-USD`` preferred over ``-USDT``)."""
    equities = [t for t in options if not is_crypto(t)]
    cryptos = [t for t in options if is_crypto(t)]
    return equities, cryptos, match_coins(DEFAULT_CRYPTO, cryptos, keep_missing=False)


def _pick(options: list[str], preferred: list[str]) -> int:
    for p in preferred:
        if p in options:
            return options.index(p)
    return 0


def _choose_tickers(kind: str, csv_dir: str | None, uploaded: PriceData | None) -> tuple[str, str, list[str]]:
    """Ticker widgets; options depend on the source (files present in CSV mode)."""
    if kind == "csv" and csv_dir:
        options = list_csv_tickers(csv_dir)
        equities, cryptos, crypto_default = _csv_defaults(options)
        russell_opts = sp_opts = equities or options
        russell_pref, sp_pref = ["IWM", "RUT"], ["SPY", "GSPC"]
        crypto_opts, accept_new = cryptos, False
    elif kind == "upload" and uploaded is not None:
        cols = list(uploaded.closes.columns)
        equities, cryptos, crypto_default = _csv_defaults(cols)
        russell_opts = sp_opts = equities or cols
        russell_pref, sp_pref = ["IWM", "^RUT", "RUT"], ["SPY", "^GSPC", "GSPC"]
        crypto_opts, accept_new = cryptos, False
    else:
        russell_opts = [DEFAULT_RUSSELL, INDEX_PROXIES[DEFAULT_RUSSELL]]
        sp_opts = [DEFAULT_SP, INDEX_PROXIES[DEFAULT_SP]]
        russell_pref, sp_pref = [DEFAULT_RUSSELL], [DEFAULT_SP]
        crypto_opts, crypto_default, accept_new = list(DEFAULT_CRYPTO), list(DEFAULT_CRYPTO), kind != "demo"
    _drop_invalid(f"russell_{kind}", russell_opts)
    _drop_invalid(f"sp_{kind}", sp_opts)
    crypto_key = f"crypto_{kind}"
    if crypto_key in st.session_state:
        chosen = list(st.session_state[crypto_key])
        if accept_new:  # typed tickers (e.g. from a shared link) join the options
            crypto_opts = crypto_opts + [t for t in chosen if t not in crypto_opts]
        kept = [t for t in chosen if t in crypto_opts]
        if kept != chosen:
            st.warning(f"Not available here, dropped: {escape_md(', '.join(t for t in chosen if t not in kept))}")
            st.session_state[crypto_key] = kept
    russell = st.selectbox(
        "Russell 2000 proxy", russell_opts, key=f"russell_{kind}",
        help="Small caps: IWM (ETF, dividend-adjusted) or ^RUT (index, price only).",
        **default_unless_set(f"russell_{kind}", index=_pick(russell_opts, russell_pref)),
    )
    sp = st.selectbox(
        "S&P 500 proxy", sp_opts, key=f"sp_{kind}",
        help="Large caps: SPY (ETF) or ^GSPC (index).",
        **default_unless_set(f"sp_{kind}", index=_pick(sp_opts, sp_pref)),
    )
    crypto = st.multiselect(
        "Crypto tickers", crypto_opts, key=crypto_key,
        accept_new_options=accept_new,
        help="BTC and ETH first, then altcoins. With Yahoo you can type any symbol such as ARB-USD.",
        **default_unless_set(crypto_key, default=crypto_default),
    )
    return russell, sp, crypto


def _drop_invalid(key: str, options: list[str]) -> None:
    """Forget a stored choice (e.g. from a link) that is not among the options, with a note."""
    if key in st.session_state and st.session_state[key] not in options:
        st.warning(f"{escape_md(repr(st.session_state[key]))} is not available here; using the default.")
        del st.session_state[key]


def render_data_sidebar() -> Selection | None:
    """Draw the data controls, load prices, store and return the :class:`Selection`.

    On a loading error the message is shown and the last good selection is kept,
    so nothing the user had is lost.
    """
    _seed_data_settings()
    with st.sidebar:
        st.subheader("Data")
        for msg in url_errors():
            st.warning(escape_md(msg))
        kinds = list(SOURCE_LABELS)
        if st.session_state.get("data_source") not in (None, *kinds):
            del st.session_state["data_source"]
        kind = st.selectbox(
            "Source", kinds, format_func=SOURCE_LABELS.get, key="data_source",
            help="Auto tries live Yahoo Finance, then the on-disk cache, then a synthetic demo.",
            **default_unless_set("data_source", index=kinds.index(default_source())),
        )
        csv_dir, uploaded, shown_dir = None, None, None
        try:
            if kind == "csv":
                roots = allowed_roots()
                typed = st.text_input(
                    "CSV folder", key="csv_dir",
                    help="One file per ticker (IWM.csv, BTC-USD.csv, RUT.csv for ^RUT) in Yahoo format. "
                    "On a server, a path relative to the allowed folder ('.' is the folder itself).",
                    disabled=not roots.enabled,
                    **default_unless_set("csv_dir", value="." if roots.roots else ""),
                ).strip()
                st.caption(roots.describe())
                csv_dir = str(roots.resolve(typed))
                shown_dir = roots.link_value(csv_dir) if roots.roots else csv_dir
            if kind == "upload":
                f = st.file_uploader(
                    "CSV of closes", type=["csv"], key="upload_file",
                    help="Wide (date + one column per ticker) or long (date,ticker,close).",
                )
                if f is None:
                    raise DataError("upload a CSV file to use this source")
                uploaded = cached_upload(f.getvalue(), f.name)
            russell, sp, crypto = _choose_tickers(kind, csv_dir, uploaded)
            wanted = normalize_tickers([russell, sp, *crypto])
            if uploaded is not None:
                prices = uploaded
            else:
                prices = cached_load(tuple(wanted), kind, csv_dir)
                if kind == "csv":  # the banner names the folder as typed/linked, never the server path
                    prices = dataclasses.replace(prices, detail=shown_dir or "")
        except (DataError, TickerError, DataRootError) as exc:
            st.error(escape_md(exc))
            if kind == "csv":  # a refused folder does not stay in the link
                write_to_url({"dir": allowed_roots().link_value(csv_dir) if csv_dir else None})
            return _keep_previous()
        selection = _choose_dates(prices, russell, sp, crypto)
    if selection is not None:
        set_selection(selection)
        write_to_url(
            {
                "src": kind,
                "dir": allowed_roots().link_value(csv_dir) if csv_dir else None,
                "russell": selection.russell,
                "sp": selection.sp,
                "crypto": ",".join(selection.crypto),
                "start": selection.start.isoformat(),
                "end": selection.end.isoformat(),
            }
        )
    return selection or _keep_previous()


def _parse_date(text: str) -> date:
    return date.fromisoformat(text)


def _seed_data_settings() -> None:
    """Apply data settings from a shared link on the session's first run."""
    kind = st.query_params.get("src")
    kind = kind if kind in SOURCE_LABELS else default_source()
    seed_from_url(
        {
            "src": ("data_source", lambda v: v if v in SOURCE_LABELS else _bad(f"unknown source {v!r}")),
            "dir": ("csv_dir", _link_dir),
            "russell": (f"russell_{kind}", lambda v: normalize_tickers([v])[0]),
            "sp": (f"sp_{kind}", lambda v: normalize_tickers([v])[0]),
            "crypto": (f"crypto_{kind}", lambda v: normalize_tickers([t for t in v.split(",") if t])),
            "start": ("_url_start", _parse_date),
            "end": ("_url_end", _parse_date),
        },
        scope="data",
    )


def _bad(message: str):
    raise ValueError(message)


def _link_dir(text: str) -> str:
    """A link's ``dir``: used only when it lies inside an allowed root (else ignored with a message)."""
    roots = allowed_roots()
    if not roots.roots:
        raise DataRootError("this app reads folders named in links only inside folders its operator allows")
    roots.resolve(text)  # DataRootError (a ValueError) when outside: reported, not applied
    return text


def _choose_dates(prices: PriceData, russell: str, sp: str, crypto: list[str]) -> Selection | None:
    first, last = prices.closes.index.min().date(), prices.closes.index.max().date()
    default_start = max(first, (pd.Timestamp(last) - pd.DateOffset(years=DEFAULT_YEARS)).date())
    if "_url_start" in st.session_state or "_url_end" in st.session_state:
        url_start = st.session_state.pop("_url_start", default_start)
        url_end = st.session_state.pop("_url_end", last)
        st.session_state["date_range"] = (url_start, url_end)
    stored = st.session_state.get("date_range")
    if isinstance(stored, tuple) and len(stored) == 2:
        # Keep a stored range inside the data (a new source may cover fewer years).
        lo, hi = (min(max(d, first), last) for d in stored)
        st.session_state["date_range"] = (lo, hi) if lo <= hi else (default_start, last)
    picked = st.date_input(
        "Date range", min_value=first, max_value=last, key="date_range",
        help="Every estimate and chart uses only this window.",
        **default_unless_set("date_range", value=(default_start, last)),
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info("Pick an end date to finish the range.")
        return None
    start, end = picked
    closes = prices.closes.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    closes = closes.dropna(axis=1, how="all")
    if closes.empty:
        st.error(f"No prices between {escape_md(start)} and {escape_md(end)}.")
        return None
    cut = PriceData(closes=closes, sources={t: prices.sources[t] for t in closes.columns},
                    warnings=prices.warnings, detail=prices.detail, missing=prices.missing)
    return Selection(cut, russell, sp, tuple(c for c in crypto if c != russell and c != sp),
                     _as_date(start), _as_date(end))


def _as_date(d: date) -> date:
    return d if isinstance(d, date) else pd.Timestamp(d).date()


def _keep_previous() -> Selection | None:
    """The last good selection if there is one, else the demo (the app always has data)."""
    prev = peek_selection()
    if prev is not None:
        st.sidebar.caption("Still showing the previous data.")
        return prev
    prices = cached_load((DEFAULT_RUSSELL, DEFAULT_SP, *DEFAULT_CRYPTO), "demo", None)
    first, last = prices.closes.index.min().date(), prices.closes.index.max().date()
    sel = Selection(prices, DEFAULT_RUSSELL, DEFAULT_SP, DEFAULT_CRYPTO, first, last)
    set_selection(sel)
    return sel
