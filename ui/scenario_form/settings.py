"""The Simulator's settings in session state: defaults, the scenario catalog, messages for the next run.

The settings live in one non-widget session-state entry (:class:`SimSettings`); widgets are
re-seeded from it whenever Streamlit has dropped their state (after a visit to another page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from core.conventions import DEFAULT_SEED
from core.fitted_scenario import FITTED_REGIMES
from core.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from core.scenario_edits import parse_scenario_text

#: Scenario key of a scenario imported from a file or pasted text.
IMPORTED = "imported"
#: Default simulation size (the default seed is :data:`core.conventions.DEFAULT_SEED`, as on every page).
DEFAULT_PATHS = 20_000
DEFAULT_SCENARIO = "controlled_rally"
#: What each engine assumes (shown beside the engine choice on the Simulator and Compare pages).
ENGINE_NOTES: dict[str, str] = {
    "parametric": "Student-t shocks (the calibrated tail df) with the calibrated correlations, independent "
                  "from day to day: no volatility clustering, but tails beyond anything in the data are possible.",
    "bootstrap": "whole days of historical standardized residuals resampled in blocks: the window's real tails, "
                 "cross-asset dependence and volatility clustering, but never a day worse than the worst "
                 "day of the calibration window.",
}
#: Which engine to trust when the two disagree.
ENGINE_ADVICE = (
    "Both engines share the calibrated betas, volatilities and drifts; they differ only in the shape of the "
    "daily shocks. When their medians or P(basket beats BTC) differ by more than a few standard errors, the "
    "answer depends on that shape: read the bootstrap for typical outcomes within the range history has "
    "seen, the parametric engine for tail events beyond it (5x, losses of 50% or more, 80% drawdowns), and "
    "quote the range between them rather than either alone."
)
#: Widget bounds (the hard limit on run size is :func:`ui.simulation.check_size`).
MIN_PATHS, MAX_PATHS_INPUT = 100, 5_000_000
MAX_SEED = 2**32 - 1
#: Most phases editable in the sidebar.
MAX_PHASES = 8


_SETTINGS = "_sim_settings"
_IMPORTED = "_sim_imported"
_MESSAGES = "_sim_messages"
_URL_PREFIX = "_sim_url_"
#: Prefixes of the parameter widgets (value, override toggle, normal-shocks checkbox).
_P, _O, _N = "sim.p.", "sim.o.", "sim.n."
W_SCENARIO, W_PATHS, W_HORIZON, W_SEED, W_ENGINE = (
    "sim.scenario", "sim.paths", "sim.horizon", "sim.seed", "sim.engine",
)
W_UPLOAD, W_PASTE, W_PASTE_LOAD, W_RESET = "sim.upload", "sim.paste", "sim.paste_load", "sim.reset"
#: Key prefix of the form's groups (expanders); the group is open while ``session_state[key]`` is True.
W_GROUP = "sim.group."


@dataclass(frozen=True)
class SimSettings:
    """Everything that defines a Simulator run (kept in session state, mirrored in the URL)."""

    scenario: str = DEFAULT_SCENARIO
    overrides: Mapping[str, Any] = field(default_factory=dict)
    n_paths: int = DEFAULT_PATHS
    horizon: int = 63
    seed: int = DEFAULT_SEED
    engine: str = "parametric"


@dataclass(frozen=True)
class ImportedScenario:
    """A scenario loaded from a file or pasted text, kept as canonical TOML."""

    source: str
    toml: str


@dataclass(frozen=True)
class FormState:
    """What the sidebar produced for this run."""

    settings: SimSettings
    base: Scenario
    scenario: Scenario
    errors: tuple[str, ...]

    @property
    def edited(self) -> bool:
        """True when any parameter differs from the scenario file (the horizon aside)."""
        return bool(self.settings.overrides)


def _ss() -> Any:
    return st.session_state


def _catalog() -> dict[str, Path]:
    try:
        return list_scenarios()
    except ScenarioError:
        return {}


def _imported() -> ImportedScenario | None:
    return _ss().get(_IMPORTED)


def load_base(key: str) -> Scenario:
    """The unedited scenario behind ``key`` (a file stem, :data:`IMPORTED` or the fitted-regimes key)."""
    if key == FITTED_REGIMES:  # built from the loaded data (cached), not from a file
        from ui.fitted import fitted_base

        return fitted_base()
    if key == IMPORTED:
        imp = _imported()
        if imp is None:
            raise ScenarioError("<session>", "scenario", key, "no scenario has been imported")
        return parse_scenario_text(imp.toml, imp.source)
    catalog = _catalog()
    if key not in catalog:
        raise ScenarioError("scenarios/", "scenario", key, f"unknown scenario (available: {', '.join(catalog)})")
    return load_scenario(catalog[key])


def _note(kind: str, text: str) -> None:
    _ss().setdefault(_MESSAGES, []).append((kind, text))


def _clear_param_widgets(*, sizes: bool = False) -> None:
    prefixes = (_P, _O, _N) + ((W_HORIZON,) if sizes else ())
    for key in [k for k in _ss().keys() if isinstance(k, str) and k.startswith(prefixes)]:
        del _ss()[key]


def get_settings() -> SimSettings:
    """Current settings (defaults on the first visit)."""
    settings = _ss().get(_SETTINGS)
    if settings is None:
        catalog = _catalog()
        key = DEFAULT_SCENARIO if DEFAULT_SCENARIO in catalog else next(iter(catalog), DEFAULT_SCENARIO)
        try:
            horizon = load_base(key).horizon_days
        except ScenarioError:
            horizon = 63
        settings = SimSettings(scenario=key, horizon=horizon)
        _ss()[_SETTINGS] = settings
    return settings


def _store(settings: SimSettings) -> None:
    _ss()[_SETTINGS] = settings


def pending_messages() -> list[tuple[str, str]]:
    """Messages left by callbacks and link parsing (``("error"|"warning"|"success", text)``); cleared."""
    return _ss().pop(_MESSAGES, [])
