"""The scenario form: draw every group in the sidebar, accept only edits that validate, mirror to the URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from core.calibration import MarketModel
from core.fitted_scenario import FITTED_REGIMES
from core.scenario import ScenarioError, with_overrides
from core.scenario_edits import apply_settings, scenario_diff
from ui.scenario_form.callbacks import _on_reset, _on_scenario_change
from ui.scenario_form.fields import CRYPTO_FIELDS, SELECTIVITY, TAIL_FIELDS
from ui.scenario_form.links import seed_settings_from_url, settings_to_url
from ui.scenario_form.settings import (
    IMPORTED,
    W_GROUP,
    W_RESET,
    W_SCENARIO,
    FormState,
    SimSettings,
    _catalog,
    _clear_param_widgets,
    _imported,
    _ss,
    _store,
    get_settings,
    load_base,
)
from ui.scenario_form.widgets import (
    _import_export,
    _number,
    _regime_fields,
    _regime_picker,
    _russell_group,
    _scenario_label,
    _sizes,
    _transition_group,
)
from ui.simulation import check_size
from ui.urlstate import write_to_url


class _Group:
    """A sidebar group of the form whose fields are drawn only while it is open.

    A closed group sends nothing to the browser on a rerun (the sidebar has ~40 fields; each
    drawn field costs the browser a re-render on every edit anywhere). Opening it reruns the
    script; its fields are then seeded from the scenario in effect, so edits made before it
    was closed show again (they live in the settings, not in the widgets).

    ``draw`` is also true in the one run in which the group closes: a value typed into one of
    its fields and committed by the same click that folds the group (the field loses focus)
    arrives in that run, and is read only if the field is drawn once more.
    """

    def __init__(self, label: str, name: str, *, expanded: bool = False) -> None:
        self.expander = st.expander(label, expanded=expanded, key=W_GROUP + name, on_change="rerun")
        open_before = set(_ss().get(_OPEN_GROUPS, ()))
        self.draw = bool(self.expander.open) or name in open_before
        (open_before.add if self.expander.open else open_before.discard)(name)
        _ss()[_OPEN_GROUPS] = open_before

    def __enter__(self) -> _Group:
        self.expander.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self.expander.__exit__(*exc)


_group = _Group
#: Session-state entry: the groups that were open in the previous run.
_OPEN_GROUPS = "_sim_open_groups"


def render_scenario_form(model: MarketModel, n_assets: int, *, view_keys: Mapping[str, str]) -> FormState:
    """Draw the scenario picker (main area, where it is called) and the controls (sidebar); return the settings.

    Parameters
    ----------
    model : MarketModel
        The calibrated model (its values are shown beside the "calibrated" options).
    n_assets : int
        Assets simulated (Russell, BTC, altcoins), for the run-size limit.
    view_keys : mapping
        Extra URL parameters -> widget keys the page seeds from a link.
    """
    if not _catalog() and _imported() is None:
        st.error("No scenario files found in scenarios/: add a .toml file there (see the shipped examples).")
        st.stop()
    seed_settings_from_url(view_keys, n_assets)
    settings = get_settings()
    errors: list[str] = []
    try:
        base = load_base(settings.scenario)
    except ScenarioError as exc:
        errors.append(f"{exc}. Falling back to the first scenario.")
        key = next(iter(_catalog()))
        settings = SimSettings(scenario=key, horizon=load_base(key).horizon_days)
        _store(settings)
        _clear_param_widgets(sizes=True)
        base = load_base(key)
    try:
        current = apply_settings(base, settings.overrides, settings.horizon)
    except ScenarioError as exc:
        errors.append(f"The stored edits no longer apply ({exc}); showing the scenario as written.")
        settings = replace(settings, overrides={}, horizon=base.horizon_days)
        _store(settings)
        current = base

    options = [*_catalog(), FITTED_REGIMES]  # the files, then the scenario fitted on the loaded data
    if _imported() is not None:
        options.append(IMPORTED)
    if settings.scenario not in options:
        options.append(settings.scenario)
    if _ss().get(W_SCENARIO) not in options:
        _ss()[W_SCENARIO] = settings.scenario

    edits: dict[str, Any] = {}
    # The scenario picker sits in the page's main area, where the results are read.
    st.selectbox("Scenario", options, key=W_SCENARIO, format_func=_scenario_label,
                 on_change=_on_scenario_change,
                 help="Every .toml file in scenarios/ (add a file to add a scenario), plus an imported one. "
                      "Reshape it in the sidebar.")
    with st.sidebar:
        st.divider()
        st.subheader("Scenario")
        st.caption("The scenario picked above the results, field by field.")
        reset_slot = st.container()  # filled once this run's edits are known
        with (group := _group("Russell path", "russell", expanded=True)):
            if group.draw:
                _russell_group(current, model, edits)
        with (group := _group("Crypto response", "crypto")):
            if group.draw:
                idx = _regime_picker(st, current, "crypto")
                _regime_fields(st, current, idx, CRYPTO_FIELDS, model, edits)
        with (group := _group("Regimes and transitions", "transitions")):
            if group.draw:
                _transition_group(current, edits)
        with (group := _group("Jumps and tails", "tails")):
            if group.draw:
                idx = _regime_picker(st, current, "tails")
                _regime_fields(st, current, idx, TAIL_FIELDS, model, edits)
        with (group := _group("Selectivity", "selectivity")):
            if group.draw:
                got = _number(st, SELECTIVITY, "selectivity", current.selectivity)
                if got is not None:
                    edits["selectivity"] = got
        paths, horizon, seed, engine = settings.n_paths, settings.horizon, settings.seed, settings.engine
        with (group := _group("Simulation size and seed", "size", expanded=True)):
            if group.draw:
                paths, horizon, seed, engine = _sizes(settings, base)
        with (group := _group("Scenario file: import / export", "file")):
            if group.draw:
                _import_export(current)

    # Apply the edits: only a scenario that validates replaces the settings in effect.
    draft = {**settings.overrides, **edits}
    try:
        edited = with_overrides(base, draft)
        overrides = scenario_diff(base, edited)
    except ScenarioError as exc:
        errors.append(f"Edit not applied: {exc}. Still showing the last valid settings.")
        overrides = dict(settings.overrides)
    try:
        check_size(paths, horizon, n_assets)
    except ValueError as exc:
        errors.append(f"Run refused: {exc}. Still showing {settings.n_paths:,} paths x {settings.horizon} days.")
        paths, horizon = settings.n_paths, settings.horizon
    settings = replace(settings, overrides=overrides, n_paths=paths, horizon=horizon, seed=seed, engine=engine)
    _store(settings)
    scenario = apply_settings(base, settings.overrides, settings.horizon)
    with reset_slot:
        st.button("Reset to the scenario's values", key=W_RESET, on_click=_on_reset, width="stretch",
                  icon=":material/restart_alt:",
                  disabled=not settings.overrides and settings.horizon == base.horizon_days)
        if settings.overrides:
            st.caption(f"{len(settings.overrides)} edited field(s): "
                       + ", ".join(f"`{k}`" for k in sorted(settings.overrides)))
    write_to_url(settings_to_url(settings))
    return FormState(settings=settings, base=base, scenario=scenario, errors=tuple(errors))
