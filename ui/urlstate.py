"""Settings in the URL: read ``st.query_params`` once per session, mirror the current values back.

A copied link therefore reproduces what the sender saw. Values from the URL are
validated by the caller before they reach a widget; bad ones are reported (quoted briefly,
and shown through :func:`ui.common.escape_md` by the caller) and dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

_SEEDED = "_scx_url_seeded"
_ERRORS = "_scx_url_errors"
#: Most characters of a bad link value quoted back in the message (the message is shown escaped).
MAX_QUOTED_CHARS = 80


def seed_from_url(fields: Mapping[str, tuple[str, Callable[[str], Any]]], *, scope: str = "app") -> None:
    """On the first run of a session (per ``scope``), copy URL parameters into session state.

    Parameters
    ----------
    fields : mapping
        URL parameter -> (session-state key, parser). A parser raising
        ``ValueError`` marks the parameter as invalid; it is reported, not applied.
    scope : str
        Separate scopes let each page seed its own parameters once.
    """
    done = st.session_state.setdefault(_SEEDED, set())
    if scope in done:
        return
    done.add(scope)
    for param, (key, parse) in fields.items():
        raw = st.query_params.get(param)
        if raw is None or raw == "":
            continue
        try:
            st.session_state[key] = parse(raw)
        except (ValueError, TypeError) as exc:
            shown = raw if len(raw) <= MAX_QUOTED_CHARS else raw[:MAX_QUOTED_CHARS] + "…"
            st.session_state.setdefault(_ERRORS, []).append(f"link parameter {param}={shown!r} ignored: {exc}")


def url_errors() -> list[str]:
    """Messages about URL parameters that could not be used (cleared when read)."""
    return st.session_state.pop(_ERRORS, [])


def write_to_url(values: Mapping[str, str | None]) -> None:
    """Mirror settings into the URL; ``None`` removes a parameter. Only changed keys are written."""
    for key, value in values.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def default_unless_set(key: str, **defaults: Any) -> dict[str, Any]:
    """Widget keyword defaults, omitted when the key already holds a value (avoids Streamlit's warning)."""
    return {} if key in st.session_state else defaults
