"""The sidebar widgets of the scenario form, one function per group; each writes its edits into a dict."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from core.calibration import MarketModel
from core.fitted_scenario import FITTED_NAME, FITTED_REGIMES
from core.model_tables import calibrated_reference
from core.montecarlo import ENGINES
from core.regimes import spell_length
from core.scenario import (
    MAX_HORIZON_DAYS,
    RUSSELL_MODES,
    Phase,
    Scenario,
    ScenarioError,
    scenario_to_toml,
)
from core.scenario_edits import regime_ref
from ui.scenario_form.callbacks import _on_new_seed, _on_paste, _on_upload
from ui.scenario_form.fields import (
    ANNUAL_VOL,
    PHASE_RETURN,
    REGIME_FIELDS,
    RUSSELL_REGIME_FIELDS,
    TARGET_RETURN,
    FieldSpec,
)
from ui.scenario_form.settings import (
    _N,
    _O,
    _P,
    ENGINE_ADVICE,
    ENGINE_NOTES,
    IMPORTED,
    MAX_PATHS_INPUT,
    MAX_PHASES,
    MAX_SEED,
    MIN_PATHS,
    W_ENGINE,
    W_HORIZON,
    W_PASTE,
    W_PASTE_LOAD,
    W_PATHS,
    W_SEED,
    W_UPLOAD,
    SimSettings,
    _imported,
    _ss,
    load_base,
)


def _calibration_note(name: str, model: MarketModel) -> str:
    if name in ("alt_alpha", "alt_beta"):
        return f"mean over {len(model.alts)} tokens; when not overridden each token keeps its own"
    if name == "df":
        return "pooled over BTC and the altcoins"
    return "from the loaded data"


def _seed(key: str, value: Any) -> None:
    if key not in _ss():
        _ss()[key] = value


def _number(box: Any, spec: FieldSpec, path: str, value: float, *, label: str | None = None,
            help_extra: str = "") -> float | None:
    """A number input for one field; returns the decimal value (None if the box was cleared)."""
    key = _P + path
    _seed(key, spec.to_display(value))
    shown = box.number_input(
        label or spec.label, min_value=spec.minimum, max_value=spec.maximum, step=spec.step,
        format=spec.fmt, key=key, help=spec.help(help_extra),
    )
    return None if shown is None else spec.from_display(shown)


def _optional(box: Any, spec: FieldSpec, path: str, value: float | None, calibrated: float,
              note: str) -> float | None:
    """Override toggle + number (+ a normal-shocks box for tail df). None = calibrated."""
    on_key = _O + path
    _seed(on_key, value is not None)
    on = box.toggle(f"Override: {spec.label}", key=on_key,
                    help=f"Off: the calibrated value {spec.text(calibrated)} ({note}).")
    if not on:
        box.caption(f"{spec.label}: calibrated {spec.text(calibrated)} ({note}).")
        return None
    is_df = spec.doc_key.endswith("df")
    if is_df:
        normal_key = _N + path
        _seed(normal_key, value is not None and math.isinf(value))
        if box.checkbox("Normal shocks (df = ∞)", key=normal_key, help="Gaussian shocks: no fat tails."):
            return math.inf
    start = calibrated if value is None or math.isinf(value) else value
    got = _number(box, spec, path, start, help_extra=f"Calibrated: {spec.text(calibrated)} ({note}).")
    return value if got is None else got


def _regime_picker(box: Any, scenario: Scenario, group: str) -> int:
    if len(scenario.regimes) == 1:
        return 0
    key = f"sim.pick.{group}"
    names = list(scenario.regime_names)
    if _ss().get(key) not in names:
        _ss().pop(key, None)
    picked = box.selectbox("Regime", names, key=key, persist_state="session",
                           help="These parameters apply while the Markov chain is in this regime.")
    return names.index(picked)


def _regime_fields(box: Any, scenario: Scenario, index: int, names: Sequence[str], model: MarketModel,
                   edits: dict[str, Any]) -> None:
    regime = scenario.regimes[index]
    ref = regime_ref(scenario, index)
    reference = calibrated_reference(model)
    for name in names:
        spec = REGIME_FIELDS[name]
        path = f"regimes.{ref}.{name}"
        value = getattr(regime, name)
        if spec.optional:
            got = _optional(box, spec, path, value, reference[name], _calibration_note(name, model))
        else:
            got = _number(box, spec, path, value)
        if got is not None or spec.optional:
            edits[path] = got


def _russell_group(scenario: Scenario, model: MarketModel, edits: dict[str, Any]) -> None:
    rp = scenario.russell
    key = _P + "russell.mode"
    _seed(key, rp.mode)
    mode = st.selectbox("Russell path", list(RUSSELL_MODES), key=key,
                        help=FieldSpec("russell.mode", "").help())
    edits["russell.mode"] = mode
    reference = calibrated_reference(model)
    if mode == "calibrated":
        st.caption(f"Calibrated drift {model.russell_mu_annual:+.1%}/yr (log) from the loaded data.")
    elif mode == "target":
        got = _number(st, TARGET_RETURN, "russell.target_return", rp.target_return,
                      help_extra="The median Russell path ends near this return after the horizon.")
        if got is not None:
            edits["russell.target_return"] = got
    else:
        _phases(scenario, model, edits)
    edits["russell.annual_vol"] = _optional(st, ANNUAL_VOL, "russell.annual_vol", rp.annual_vol,
                                            reference["annual_vol"], "from the loaded data")
    if len(scenario.regimes) > 1:
        st.markdown("**Per regime**")
    idx = _regime_picker(st, scenario, "russell")
    _regime_fields(st, scenario, idx, RUSSELL_REGIME_FIELDS, model, edits)


def _phases(scenario: Scenario, model: MarketModel, edits: dict[str, Any]) -> None:
    phases = scenario.russell.phases or (Phase(days=scenario.horizon_days,
                                               total_return=scenario.russell.target_return),)
    n_key = _P + "russell.n_phases"
    _seed(n_key, max(len(phases), 1))
    n = st.number_input("Number of phases", min_value=1, max_value=MAX_PHASES, step=1, key=n_key,
                        help=FieldSpec("russell.phases", "").help())
    rows = []
    for k in range(int(n)):
        c1, c2 = st.columns(2)
        days_key = _P + f"russell.phases.{k}.days"
        _seed(days_key, phases[k].days if k < len(phases) else 21)
        days = c1.number_input(f"Phase {k + 1} days", min_value=1, max_value=MAX_HORIZON_DAYS, step=1,
                               key=days_key, help=FieldSpec("russell.phases[].days", "").help())
        ret = _number(c2, PHASE_RETURN, f"russell.phases.{k}.total_return",
                      phases[k].total_return if k < len(phases) else 0.0, label=f"Phase {k + 1} return (%)")
        rows.append({"days": int(days), "total_return": 0.0 if ret is None else ret})
    edits["russell.phases"] = rows
    covered = sum(r["days"] for r in rows)
    st.caption(f"Phases cover {covered} trading days; after them the calibrated drift "
               f"({model.russell_mu_annual:+.1%}/yr) applies.")


def _transition_group(scenario: Scenario, edits: dict[str, Any]) -> None:
    names = scenario.regime_names
    key = _P + "initial_regime"
    _seed(key, scenario.initial_regime)
    edits["initial_regime"] = st.selectbox("Initial regime", list(names), key=key,
                                           help=FieldSpec("initial_regime", "").help())
    if len(names) == 1:
        st.caption("One regime: the chain never moves.")
        return
    st.caption("Daily probability of moving to another regime; the rest of each row is the chance of staying.")
    rows = {}
    for i, src in enumerate(names):
        row = list(scenario.transition[i])
        st.markdown(f"From **{src}**")
        new = [0.0] * len(names)
        for j, dst in enumerate(names):
            if j == i:
                continue
            wkey = _P + f"transition.{i}.{j}"
            _seed(wkey, round(row[j] * 100.0, 10))
            shown = st.number_input(
                f"→ {dst} (% per day)", min_value=0.0, max_value=100.0, step=0.1, format="%.3f", key=wkey,
                help=FieldSpec("transition", "").help(),
            )
            new[j] = row[j] if shown is None else float(f"{shown / 100.0:.12g}")
        new[i] = float(f"{1.0 - math.fsum(new):.12g}")
        stay = new[i]
        days = float(spell_length(min(max(stay, 0.0), 1.0)))
        spell = "never leaves" if math.isinf(days) else f"mean spell {days:.1f} days"
        st.caption(f"Stays in {src}: {stay:.3%} per day ({spell}).")
        rows[src] = new
    if any("." in n for n in names):
        edits["transition"] = rows
    else:
        for src, row in rows.items():
            edits[f"transition.{src}"] = row


def _sizes(settings: SimSettings, base: Scenario) -> tuple[int, int, int, str]:
    _seed(W_PATHS, settings.n_paths)
    _seed(W_HORIZON, settings.horizon)
    _seed(W_SEED, settings.seed)
    _seed(W_ENGINE, settings.engine)
    paths = st.number_input("Paths", min_value=MIN_PATHS, max_value=MAX_PATHS_INPUT, step=5_000, key=W_PATHS,
                            help="Monte Carlo paths. Standard errors shrink with 1/sqrt(paths): "
                                 "20,000 paths give about ±0.35 pp on a 50% probability.")
    horizon = st.number_input(
        "Horizon (trading days)", min_value=1, max_value=MAX_HORIZON_DAYS, step=21, key=W_HORIZON,
        help=f"Days simulated (63 = a quarter, 252 = a year). The scenario file says {base.horizon_days}; "
             "the Russell target return applies over this horizon.",
    )
    c1, c2 = st.columns(2, vertical_alignment="bottom")  # narrower, the button's label is cut off
    seed = c1.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key=W_SEED,
                           help="Same seed, same paths: runs are reproducible, and edits are compared "
                                "on the same random numbers (common random numbers).")
    c2.button("New seed", key="sim.new_seed", on_click=_on_new_seed, width="stretch",
              help="Draw another seed to see how much the figures move from Monte Carlo noise alone.")
    engine = st.segmented_control(
        "Engine", list(ENGINES), key=W_ENGINE, required=True,
        help=" ".join(f"{name}: {ENGINE_NOTES[name]}" for name in ENGINES) + " " + ENGINE_ADVICE,
    )
    return int(paths), int(horizon), int(seed), str(engine or settings.engine)


def _scenario_label(key: str) -> str:
    if key == FITTED_REGIMES:  # no fit just to draw a label (the fit runs when it is picked)
        return FITTED_NAME
    if key == IMPORTED:
        imp = _imported()
        try:
            return f"Imported: {load_base(IMPORTED).name}" if imp else "Imported"
        except ScenarioError:
            return "Imported"
    try:
        return load_base(key).name
    except ScenarioError:
        return f"{key} (invalid file)"


def _import_export(scenario: Scenario) -> None:
    st.download_button(
        "Export this scenario (TOML)", data=scenario_to_toml(scenario), file_name=f"{_slug(scenario.name)}.toml",
        mime="application/toml", key="sim.export_toml", on_click="ignore", icon=":material/download:",
        help="The scenario with every edit and the horizon applied; import it here or drop it into scenarios/.",
    )
    st.file_uploader("Import a scenario file", type=["toml"], key=W_UPLOAD, on_change=_on_upload,
                     help="A TOML scenario (same layout as the files in scenarios/). It is validated first; "
                          "an invalid file changes nothing.")
    st.text_area("…or paste TOML", key=W_PASTE, height=120, placeholder='name = "My scenario"\n...')
    st.button("Load pasted TOML", key=W_PASTE_LOAD, on_click=_on_paste)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return slug or "scenario"
