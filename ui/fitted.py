"""The regime fit and the fitted-regimes scenario of the current data selection (cached).

The fit (:func:`core.regime_fit.fit_regimes`) runs once per Russell return series and is kept
with ``st.cache_data``; the scenario (:func:`core.fitted_scenario.fitted_regimes_scenario`) is
rebuilt from it and the cached market model, which costs a few weighted sums. The Simulator's
scenario picker, the Compare page and the nowcast block all read them from here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import ExplorerError
from core.fitted_scenario import FITTED_REGIMES, fitted_regimes_scenario
from core.regime_fit import RegimeFit, fit_regimes
from core.scenario import Scenario, ScenarioError
from ui.common import get_returns
from ui.simulation import RUN_TTL_SECONDS, calibrated_model
from ui.state import Selection, peek_selection

__all__ = ["FITTED_REGIMES", "fitted_base", "fitted_or_none", "fitted_scenario", "regime_fit"]


@st.cache_data(show_spinner="Fitting the market regimes (Markov switching)…", max_entries=8, ttl=RUN_TTL_SECONDS)
def _cached_fit(digest: str, russell: str, _returns: pd.Series) -> RegimeFit:
    # keyed by the selection's digest and the proxy; ``_returns`` (derived from both) is not hashed
    return fit_regimes(_returns)


def regime_fit(selection: Selection) -> RegimeFit:
    """The Markov-switching fit of the selection's Russell proxy (daily log returns, cached).

    Raises
    ------
    ExplorerError
        No Russell data, too few returns or no fit that converged (the message says which).
    """
    returns = get_returns(selection, kind="log", freq="D")
    if selection.russell not in returns.columns:
        raise ExplorerError(f"no data for the Russell proxy {selection.russell}")
    return _cached_fit(selection.digest, selection.russell, returns[selection.russell].dropna())


def fitted_scenario(selection: Selection) -> Scenario:
    """The fitted-regimes scenario on the selection's calibrated model.

    Raises
    ------
    ExplorerError
        The model cannot be calibrated or the regimes cannot be fitted.
    """
    return fitted_regimes_scenario(regime_fit(selection), calibrated_model(selection))


def fitted_base() -> Scenario:
    """The fitted-regimes scenario of the current session's selection, for the scenario picker.

    Raises
    ------
    ScenarioError
        Naming what is missing (no selection yet, the model or the fit not possible), so the
        picker treats it like a broken scenario file and keeps the others.
    """
    selection = peek_selection()
    if selection is None:
        raise ScenarioError("<fitted regimes>", "data", FITTED_REGIMES, "no data selection yet")
    try:
        return fitted_scenario(selection)
    except ExplorerError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError("<fitted regimes>", "data", selection.russell, str(exc)) from exc


def fitted_or_none(selection: Selection) -> tuple[Scenario | None, str | None]:
    """``(scenario, None)``, or ``(None, why)`` when the fitted-regimes scenario cannot be built."""
    try:
        return fitted_scenario(selection), None
    except ExplorerError as exc:
        return None, str(exc)
