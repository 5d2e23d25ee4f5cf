"""Widget callbacks of the scenario form: scenario switch, reset, new seed, scenario import."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.scenario import ScenarioError, scenario_to_toml
from core.scenario_edits import parse_scenario_text
from ui.scenario_form.settings import (
    _IMPORTED,
    IMPORTED,
    W_PASTE,
    W_SCENARIO,
    W_SEED,
    W_UPLOAD,
    ImportedScenario,
    _clear_param_widgets,
    _note,
    _ss,
    _store,
    get_settings,
    load_base,
)


def _on_scenario_change() -> None:
    settings = get_settings()
    new = _ss().get(W_SCENARIO, settings.scenario)
    try:
        base = load_base(new)
    except ScenarioError as exc:
        _note("error", f"Cannot open that scenario: {exc}. Still showing {settings.scenario}.")
        _ss()[W_SCENARIO] = settings.scenario
        return
    _store(replace(settings, scenario=new, overrides={}, horizon=base.horizon_days))
    _clear_param_widgets(sizes=True)


def _on_reset() -> None:
    settings = get_settings()
    try:
        horizon = load_base(settings.scenario).horizon_days
    except ScenarioError:
        horizon = settings.horizon
    _store(replace(settings, overrides={}, horizon=horizon))
    _clear_param_widgets(sizes=True)


def _import(text: str | bytes, source: str) -> None:
    try:
        scenario = parse_scenario_text(text, source)
    except ScenarioError as exc:
        _note("error", f"Import failed, nothing changed: {exc}")
        return
    _ss()[_IMPORTED] = ImportedScenario(source, scenario_to_toml(scenario))
    _store(replace(get_settings(), scenario=IMPORTED, overrides={}, horizon=scenario.horizon_days))
    _ss()[W_SCENARIO] = IMPORTED
    _clear_param_widgets(sizes=True)
    _note("success", f"Imported “{scenario.name}” from {source}.")


def _on_upload() -> None:
    f = _ss().get(W_UPLOAD)
    if f is not None:
        _import(f.getvalue(), f.name)


def _on_paste() -> None:
    text = _ss().get(W_PASTE) or ""
    if not text.strip():
        _note("error", "Import failed, nothing changed: paste the TOML text of a scenario first.")
        return
    _import(text, "<pasted text>")


def _on_new_seed() -> None:
    seed = int(np.random.default_rng().integers(0, 1_000_000))
    _ss()[W_SEED] = seed
    _store(replace(get_settings(), seed=seed))
