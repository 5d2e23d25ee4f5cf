"""The scenario form's display specs and the names the package keeps exporting."""

from __future__ import annotations

import math

import pytest

import ui.scenario_form as form
from core.sensitivity import SWEEP_FIELDS
from ui.scenario_form import REGIME_FIELDS, SELECTIVITY, SWEEPABLE, TARGET_RETURN


def test_display_units_round_trip() -> None:
    assert TARGET_RETURN.to_display(0.07) == 7.0
    assert TARGET_RETURN.from_display(7.0) == 0.07
    assert SELECTIVITY.from_display(SELECTIVITY.to_display(1 / 3)) == pytest.approx(1 / 3, rel=1e-11)
    assert REGIME_FIELDS["alt_beta_scale"].to_display(1.3) == 1.3
    assert TARGET_RETURN.text(-0.14) == "-14.0%"
    assert REGIME_FIELDS["df"].text(math.inf) == "∞ (normal)"
    for spec in REGIME_FIELDS.values():
        assert spec.help()  # every widget has FIELD_DOCS help


def test_every_sweepable_field_has_a_display_spec() -> None:
    assert list(SWEEPABLE) == list(SWEEP_FIELDS)
    assert SWEEPABLE["russell.target_return"] is TARGET_RETURN and SWEEPABLE["selectivity"] is SELECTIVITY
    for key, spec in SWEEPABLE.items():
        lo, hi = spec.sweep
        assert lo < hi, key
        assert spec.help()


def test_package_keeps_the_names_other_modules_import() -> None:
    from core.model_tables import regime_table
    from core.scenario_edits import decode_overrides
    from core.targets import parse_targets

    for name in ("IMPORTED", "apply_settings", "get_settings", "load_base", "decode_overrides",
                 "decode_scenario_blob", "render_scenario_form", "pending_messages", "parse_targets",
                 "TargetError", "calibrated_reference", "effective_regime_table", "sweep_patch",
                 "stationary_distribution", "expected_occupancy", "scenario_diff", "regime_ref"):
        assert hasattr(form, name), name
    assert form.decode_overrides is decode_overrides and form.parse_targets is parse_targets
    assert form.effective_regime_table is regime_table
    assert set(form.__all__) <= set(dir(form))
