"""Scenario parameters in the Simulator's sidebar: widgets, session state, links, import and export.

The settings of the Simulator live in one non-widget session-state entry
(:class:`SimSettings`): the scenario, the overrides (a minimal dict of dotted field
paths, see :func:`core.scenario.with_overrides`), the number of paths, the horizon,
the seed and the engine. Widgets are re-seeded from it whenever Streamlit has
dropped their state (for example after a visit to another page), and an edit is
only accepted once the edited scenario validates; otherwise the error is shown and
the previous settings stay in effect.

One idea per module:

``fields``
    How each scenario field is displayed (label, percent scale, step, bounds, sweep range).
``settings``
    Session state: :class:`SimSettings`, the scenario catalog, messages for the next run.
``links``
    The settings in the URL (read once per session, written every run).
``callbacks``
    Scenario switch, reset, new seed, scenario import (file or pasted text).
``widgets``
    The sidebar groups (Russell path, crypto response, regimes, tails, size and seed, import/export).
``form``
    :func:`render_scenario_form`, which ties them together.

The pure pieces live in ``core`` because nothing in them needs Streamlit and the CLI and tests
use them directly: the override and scenario-blob codecs, :func:`scenario_diff` and
:func:`apply_settings` (:mod:`core.scenario_edits`), target parsing (:mod:`core.targets`), the
calibrated reference values and parameter tables (:mod:`core.model_tables`), the Markov
helpers (:mod:`core.regimes`) and the sweep patch (:mod:`core.sensitivity`). They are
re-exported here so ``from ui.scenario_form import X`` keeps working.

Link format (query parameters; every value is plain text):

``scenario``
    File stem of a scenario in ``scenarios/`` (``controlled_rally``), or ``imported``.
``doc``
    With ``scenario=imported``: the scenario's TOML, zlib-compressed and base64url-encoded.
``ov``
    The overrides as compact JSON, e.g. ``{"regimes.steady.df":4.0,"selectivity":0.8}``;
    ``null`` restores the calibrated value of an optional field, ``Infinity`` is df = inf.
``paths``, ``horizon``, ``seed``, ``engine``
    Simulation size (paths, trading days), generator seed and engine.

The Simulator page adds ``asset`` (the headline asset, omitted for the altcoin
basket) and ``targets`` (the probability-table targets, omitted when default); the
shared sidebar adds the data selection (``src``, ``russell``, ``crypto``, ...).
"""

from __future__ import annotations

from core.model_tables import calibrated_reference
from core.model_tables import regime_table as effective_regime_table
from core.regimes import expected_occupancy, stationary_distribution
from core.scenario_edits import (
    apply_settings,
    decode_overrides,
    decode_scenario_blob,
    encode_overrides,
    encode_scenario_blob,
    parse_scenario_text,
    regime_ref,
    scenario_diff,
)
from core.sensitivity import sweep_patch
from core.targets import DEFAULT_TARGETS, MAX_TARGETS, TargetError, parse_targets
from ui.scenario_form.fields import (
    ANNUAL_VOL,
    CRYPTO_FIELDS,
    PHASE_RETURN,
    REGIME_FIELDS,
    RUSSELL_REGIME_FIELDS,
    SELECTIVITY,
    SWEEPABLE,
    TAIL_FIELDS,
    TARGET_RETURN,
    FieldSpec,
)
from ui.scenario_form.form import render_scenario_form
from ui.scenario_form.links import seed_settings_from_url, settings_to_url
from ui.scenario_form.settings import (
    DEFAULT_PATHS,
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    ENGINE_ADVICE,
    ENGINE_NOTES,
    IMPORTED,
    MAX_PATHS_INPUT,
    MAX_PHASES,
    MAX_SEED,
    MIN_PATHS,
    FormState,
    ImportedScenario,
    SimSettings,
    get_settings,
    load_base,
    pending_messages,
)

__all__ = [
    "ANNUAL_VOL", "CRYPTO_FIELDS", "DEFAULT_PATHS", "DEFAULT_SCENARIO", "DEFAULT_SEED", "DEFAULT_TARGETS",
    "ENGINE_ADVICE", "ENGINE_NOTES",
    "IMPORTED", "MAX_PATHS_INPUT", "MAX_PHASES", "MAX_SEED", "MAX_TARGETS", "MIN_PATHS", "PHASE_RETURN",
    "REGIME_FIELDS", "RUSSELL_REGIME_FIELDS", "SELECTIVITY", "SWEEPABLE", "TAIL_FIELDS", "TARGET_RETURN",
    "FieldSpec", "FormState", "ImportedScenario", "SimSettings", "TargetError", "apply_settings",
    "calibrated_reference", "decode_overrides", "decode_scenario_blob", "effective_regime_table",
    "encode_overrides", "encode_scenario_blob", "expected_occupancy", "get_settings", "load_base",
    "parse_scenario_text", "parse_targets", "pending_messages", "regime_ref", "render_scenario_form",
    "scenario_diff", "seed_settings_from_url", "settings_to_url", "stationary_distribution", "sweep_patch",
]
