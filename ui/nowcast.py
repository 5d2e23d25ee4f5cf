"""The Simulator's nowcast block: today's fitted regime probabilities, and starting any scenario from them.

The numbers come from :mod:`core.regime_fit` (the fit, cached in :mod:`ui.fitted`) and
:mod:`core.fitted_scenario` (the mapping onto the scenario's regimes); this module only lays
them out and keeps the toggle in the session and the URL (``nowcast=1``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.calibration import MarketModel
from core.errors import ExplorerError
from core.fitted_scenario import is_fitted_regimes, nowcast_mapping, start_from_nowcast
from core.regime_fit import RegimeFit
from core.scenario import Scenario
from ui.common import escape_md
from ui.fitted import regime_fit
from ui.state import Selection
from ui.urlstate import default_unless_set, seed_from_url, write_to_url

#: Session key of the "start from today's regime" toggle; URL parameter ``nowcast``.
K_NOWCAST = "sim_nowcast"
URL_PARAM = "nowcast"


def _flag(raw: str) -> bool:
    if raw not in ("0", "1"):
        raise ValueError("expected 0 or 1")
    return raw == "1"


def start_text(scenario: Scenario) -> str:
    """Where the scenario's chain starts, in words: a named regime or the start probabilities."""
    if scenario.initial_probabilities is None:
        return f"starting in {scenario.initial_regime}"
    shares = ", ".join(f"{n} {p:.1%}" for n, p in zip(scenario.regime_names, scenario.initial_probabilities,
                                                        strict=True))
    return f"starting from the probabilities p₀ = ({shares})"


def simulator_starts_today() -> bool:
    """Whether the Simulator's "start from today's regime" toggle is on in this session."""
    return bool(st.session_state.get(K_NOWCAST, False))


def start_as_simulator(selection: Selection, model: MarketModel, scenario: Scenario, key: str) -> Scenario | None:
    """``scenario`` started from today's regime as the Simulator starts it, or None if it runs as written.

    None when the Simulator's toggle is off, when ``key`` is the fitted-regimes scenario (it
    already starts from today) or when the scenario has one regime; the same rule as
    :func:`render_nowcast`, without drawing anything (for the Compare page).

    Raises
    ------
    ExplorerError
        The regimes cannot be fitted, or mapped onto the scenario's.
    """
    if not simulator_starts_today() or is_fitted_regimes(key) or len(scenario.regimes) == 1:
        return None
    return start_from_nowcast(scenario, nowcast_mapping(regime_fit(selection), scenario, model))


def _state_table(fit: RegimeFit) -> pd.DataFrame:
    """Per fitted state: today's filtered probability, the next session's, the state's Russell moments."""
    return pd.DataFrame({
        f"P on {fit.last_date:%Y-%m-%d}": [f"{p:.1%}" for p in fit.last_probabilities],
        "P next session": [f"{p:.1%}" for p in fit.next_probabilities],
        "Russell drift (/yr)": [f"{s.mean_annual * 100:+.0f}%" for s in fit.states],
        "Russell vol (/yr)": [f"{s.vol_annual:.0%}" for s in fit.states],
        "mean stay (sessions)": [f"{s.expected_duration_days:.0f}" for s in fit.states],
    }, index=pd.Index(fit.names, name="fitted state"))


def _caption(fit: RegimeFit) -> str:
    return (f"Markov-switching model (switching mean and variance) of {fit.ticker}'s daily log returns, "
            f"{fit.start:%Y-%m-%d} to {fit.end:%Y-%m-%d} ({fit.n_obs:,} sessions): {fit.choice}. "
            f"P on {fit.last_date:%Y-%m-%d} is the filtered probability (data up to that day only); the next "
            "session's is that moved one day by the fitted transition matrix, where a simulation's day 1 starts.")


def _mapping_table(fit: RegimeFit, scenario: Scenario, model: MarketModel) -> pd.DataFrame:
    table = nowcast_mapping(fit, scenario, model).table()
    return pd.DataFrame({
        "Russell vol (/yr)": [f"{v:.0%}" for v in table["Russell vol (/yr)"]],
        "P(next session)": [f"{p:.1%}" for p in table["probability"]],
        "goes to": table["scenario regime"],
    }, index=table.index)


def render_nowcast(selection: Selection, model: MarketModel, scenario: Scenario, key: str) -> Scenario:
    """Show today's regime probabilities; return ``scenario``, started from them when the toggle is on.

    Parameters
    ----------
    selection : Selection
        The data the regimes are fitted on.
    model : MarketModel
        Gives the calibrated Russell vol for the mapping.
    scenario : Scenario
        The scenario as edited in the sidebar.
    key : str
        Its key in the scenario picker (the fitted-regimes scenario already starts from today).
    """
    seed_from_url({URL_PARAM: (K_NOWCAST, _flag)}, scope="nowcast")
    try:
        fit = regime_fit(selection)
    except ExplorerError as exc:
        st.info(f"Today's regime is not available: {escape_md(exc)}")
        write_to_url({URL_PARAM: None})
        return scenario
    with st.container(border=True):
        st.markdown("**Today's market regime** (fitted on the Russell proxy)")
        st.table(_state_table(fit))
        st.caption(escape_md(_caption(fit)))
        if is_fitted_regimes(key):
            st.caption("The fitted-regimes scenario already starts from these probabilities (moved one session "
                       "ahead by the fitted transition matrix).")
            write_to_url({URL_PARAM: None})
            return scenario
        if len(scenario.regimes) == 1:
            st.caption("This scenario has one regime: there is no regime to start from.")
            write_to_url({URL_PARAM: None})
            return scenario
        on = st.toggle("Start this scenario from today's regime probabilities", key=K_NOWCAST,
                       persist_state="session", **default_unless_set(K_NOWCAST, value=False),
                       help="Day 1's regime is drawn per path from today's fitted probabilities (one session "
                            "ahead), mapped onto this scenario's regimes by Russell volatility, instead of the "
                            "scenario's initial regime.")
        write_to_url({URL_PARAM: "1" if on else None})
        if not on:
            return scenario
        try:
            mapping = nowcast_mapping(fit, scenario, model)
            started = start_from_nowcast(scenario, mapping)
        except ExplorerError as exc:
            st.error(f"Cannot start from today's regime: {escape_md(exc)}")
            return scenario
        st.table(_mapping_table(fit, scenario, model))
        day1 = ", ".join(f"{n} {p:.1%}" for n, p in zip(mapping.regimes, mapping.probabilities, strict=True))
        st.caption(escape_md(f"Day 1 starts in: {day1}. Mapping: {mapping.rule}."))
        return started
