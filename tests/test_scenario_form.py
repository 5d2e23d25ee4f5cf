"""Scenario form helpers: override encoding, scenario diffs, targets, import/export, Markov helpers."""

from __future__ import annotations

import math
import tomllib
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calibration import calibrate
from core.data import load_prices
from core.returns import compute_returns
from core.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_toml,
    with_overrides,
)
from core.tickers import DEFAULT_CRYPTO
from ui.scenario_form import (
    REGIME_FIELDS,
    SELECTIVITY,
    TARGET_RETURN,
    TargetError,
    apply_settings,
    calibrated_reference,
    decode_overrides,
    decode_scenario_blob,
    effective_regime_table,
    encode_overrides,
    encode_scenario_blob,
    expected_occupancy,
    parse_scenario_text,
    parse_targets,
    regime_ref,
    scenario_diff,
    stationary_distribution,
    sweep_patch,
)

SHIPPED = {name: load_scenario(path) for name, path in list_scenarios().items()}


# --------------------------------------------------------------------------- override encoding

_paths = st.from_regex(r"[a-z_]{1,12}(\.[a-z0-9_]{1,10}){0,3}", fullmatch=True)
_scalars = st.one_of(
    st.none(),
    st.floats(allow_nan=False),  # includes +-inf
    st.integers(-10**6, 10**6),
    st.text(max_size=12),
)
_values = st.one_of(
    _scalars,
    st.lists(st.floats(0, 1), max_size=4),
    st.lists(st.fixed_dictionaries({"days": st.integers(1, 300), "total_return": st.floats(-0.9, 3)}),
             max_size=3),
)


@given(st.dictionaries(_paths, _values, max_size=8))
def test_override_encoding_round_trips_through_a_url(overrides: dict) -> None:
    text = encode_overrides(overrides)
    assert decode_overrides(text) == overrides
    query = urlencode({"ov": text})
    assert decode_overrides(parse_qs(query).get("ov", [""])[0]) == overrides


def test_override_encoding_is_compact_and_sorted() -> None:
    assert encode_overrides({}) == ""
    assert encode_overrides({"selectivity": 0.8, "regimes.calm.df": math.inf, "russell.annual_vol": None}) == (
        '{"regimes.calm.df":Infinity,"russell.annual_vol":null,"selectivity":0.8}'
    )
    assert encode_overrides({"transition.a": (0.9, 0.1)}) == '{"transition.a":[0.9,0.1]}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"bad key!": 1}', "not a dotted field path"),
        ('{"selectivity": NaN}', "NaN"),
    ],
)
def test_override_decoding_rejects_bad_text(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_overrides(text)


# --------------------------------------------------------------------------- scenario diffs


def test_diff_of_an_unedited_scenario_is_empty() -> None:
    for scenario in SHIPPED.values():
        assert scenario_diff(scenario, scenario) == {}


def test_diff_names_exactly_the_edited_fields() -> None:
    base = SHIPPED["speculative_frenzy"]
    edited = with_overrides(base, {"selectivity": 0.3, "regimes.crash.df": None,
                                   "regimes.1.jump_mean": -0.2, "transition.calm": [0.0, 0.005, 0.995],
                                   "russell.mode": "phases", "russell.phases": [{"days": 5, "total_return": 0.1}]})
    diff = scenario_diff(base, edited)
    assert diff == {
        "selectivity": 0.3, "regimes.crash.df": None, "regimes.crash.jump_mean": -0.2,
        "transition.calm": [0.0, 0.005, 0.995], "russell.mode": "phases",
        "russell.phases": [{"days": 5, "total_return": 0.1}],
    }
    assert with_overrides(base, diff) == edited


def test_diff_ignores_float_noise_from_widgets() -> None:
    base = SHIPPED["controlled_rally"]
    noisy = with_overrides(base, {"russell.target_return": 0.07 * (1 + 1e-13)})
    assert scenario_diff(base, noisy) == {}


_regime_field = st.sampled_from(sorted(set(REGIME_FIELDS) - {"df", "russell_df"}))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    name=st.sampled_from(sorted(SHIPPED)),
    field=_regime_field,
    value=st.floats(0, 5).map(lambda v: round(v, 4)),
    selectivity=st.floats(0, 3).map(lambda v: round(v, 4)),
    df=st.one_of(st.none(), st.floats(2.01, 200).map(lambda v: round(v, 4)), st.just(math.inf)),
    target=st.floats(-0.9, 3).map(lambda v: round(v, 4)),
)
def test_diff_round_trips_any_valid_edit(name, field, value, selectivity, df, target) -> None:
    base = SHIPPED[name]
    ref = regime_ref(base, len(base.regimes) - 1)
    edited = with_overrides(base, {f"regimes.{ref}.{field}": value, "selectivity": selectivity,
                                   f"regimes.{ref}.df": df, "russell.target_return": target})
    diff = scenario_diff(base, edited)
    rebuilt = with_overrides(base, diff)
    # equal up to the documented tolerance (changes below 1e-9 relative / 1e-12 absolute are noise)
    assert scenario_diff(edited, rebuilt) == {}
    assert rebuilt == edited  # values on a 1e-4 grid (like widget steps): no noise-level edits
    assert decode_overrides(encode_overrides(diff)) == diff
    assert "horizon_days" not in diff


def test_horizon_travels_outside_the_overrides() -> None:
    base = SHIPPED["controlled_rally"]
    scenario = apply_settings(base, {"selectivity": 0.2}, 126)
    assert scenario.horizon_days == 126 and scenario.selectivity == 0.2
    assert scenario_diff(base, scenario) == {"selectivity": 0.2}
    assert apply_settings(base, {}, base.horizon_days) is base


def test_regime_refs_use_names_unless_ambiguous() -> None:
    base = SHIPPED["speculative_frenzy"]
    assert [regime_ref(base, i) for i in range(3)] == ["euphoria", "crash", "calm"]
    dotted = with_overrides(base, {"regimes.1.name": "crash.v2", "transition": {
        "euphoria": [0.975, 0.025, 0.0], "crash.v2": [0.0, 0.92, 0.08], "calm": [0.02, 0.005, 0.975]}})
    assert regime_ref(dotted, 1) == "1"
    edited = with_overrides(dotted, {"regimes.1.df": 5.0, "transition": {
        "euphoria": [0.9, 0.1, 0.0], "crash.v2": [0.0, 0.92, 0.08], "calm": [0.02, 0.005, 0.975]}})
    diff = scenario_diff(dotted, edited)
    assert diff["regimes.1.df"] == 5.0 and "transition" in diff
    assert with_overrides(dotted, diff) == edited


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-50%, 0, +20%, +100%, +400%", (-0.5, 0.0, 0.2, 1.0, 4.0)),
        ("20", (0.2,)),
        ("2x; 5X, 0.5x", (-0.5, 1.0, 4.0)),
        (" +20 % , 20%,−10", (-0.1, 0.2)),
        (".5%, 150%", (0.005, 1.5)),
    ],
)
def test_targets_parse(text: str, expected: tuple[float, ...]) -> None:
    assert parse_targets(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one target"),
        (" , ;", "at least one target"),
        ("20%, lots", "'lots' is not a target"),
        ("-100%", "cannot be -100% or lower"),
        ("-150", "cannot be -100% or lower"),
        ("0x", "above 0x"),
        ("1e3", "'1e3' is not a target"),
        (",".join(str(i) for i in range(25)), "at most 20"),
    ],
)
def test_bad_targets_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        parse_targets(text)


@given(st.lists(st.floats(-99.0, 10_000.0, allow_nan=False), min_size=1, max_size=10))
def test_targets_written_as_percent_read_back(values: list[float]) -> None:
    text = ", ".join(f"{v:+.4f}%" for v in values)
    expected = sorted({float(f"{float(f'{v:.4f}') / 100:.12g}") for v in values})
    assert parse_targets(text) == pytest.approx(expected)


# --------------------------------------------------------------------------- import / export


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_exported_toml_loads_back_unchanged(name: str) -> None:
    scenario = SHIPPED[name]
    edited = apply_settings(scenario, {"selectivity": 0.77, "regimes.0.alt_beta": 1.4}, 100)
    for s in (scenario, edited):
        text = scenario_to_toml(s)
        assert parse_scenario_text(text, "x.toml") == s
        assert parse_scenario_text(text.encode("utf-8"), "x.toml") == s
        assert scenario_from_dict(tomllib.loads(text), "x.toml") == s


def test_import_errors_name_file_field_and_value() -> None:
    good = scenario_to_toml(SHIPPED["controlled_rally"])
    bad = good.replace("selectivity = 0.5", "selectivity = -2.0")
    with pytest.raises(ScenarioError, match=r"mine\.toml: field 'selectivity' = -2\.0: must be >= 0"):
        parse_scenario_text(bad, "mine.toml")
    with pytest.raises(ScenarioError, match=r"mine\.toml: field '<toml>'.*not valid TOML"):
        parse_scenario_text("name = ", "mine.toml")
    with pytest.raises(ScenarioError, match=r"mine\.toml: field '<file>'.*not UTF-8"):
        parse_scenario_text(b"name = \xff\xfe", "mine.toml")


def test_scenario_blob_round_trips_and_rejects_damage() -> None:
    text = scenario_to_toml(SHIPPED["russell_reversal"])
    blob = encode_scenario_blob(text)
    assert decode_scenario_blob(blob) == text
    assert set(blob) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(blob) < len(text)
    with pytest.raises(ValueError, match="damaged"):
        decode_scenario_blob(blob[:-10])


# --------------------------------------------------------------------------- field specs and sweeps


def test_display_units_round_trip() -> None:
    assert TARGET_RETURN.to_display(0.07) == 7.0
    assert TARGET_RETURN.from_display(7.0) == 0.07
    assert SELECTIVITY.from_display(SELECTIVITY.to_display(1 / 3)) == pytest.approx(1 / 3, rel=1e-11)
    assert REGIME_FIELDS["alt_beta_scale"].to_display(1.3) == 1.3
    assert TARGET_RETURN.text(-0.14) == "-14.0%"
    assert REGIME_FIELDS["df"].text(math.inf) == "∞ (normal)"
    for spec in REGIME_FIELDS.values():
        assert spec.help()  # every widget has FIELD_DOCS help


def test_sweep_patches() -> None:
    frenzy = SHIPPED["speculative_frenzy"]
    assert sweep_patch(frenzy, "russell.target_return", None, 0.1) == {
        "russell.mode": "target", "russell.target_return": 0.1}
    assert sweep_patch(frenzy, "selectivity", None, 0.4) == {"selectivity": 0.4}
    assert sweep_patch(frenzy, "df", None, 6.0) == {
        "regimes.euphoria.df": 6.0, "regimes.crash.df": 6.0, "regimes.calm.df": 6.0}
    assert sweep_patch(frenzy, "alt_beta_scale", "crash", 2.0) == {"regimes.crash.alt_beta_scale": 2.0}
    with pytest.raises(ValueError, match="cannot sweep"):
        sweep_patch(frenzy, "name", None, 1.0)


# --------------------------------------------------------------------------- Markov helpers


def test_stationary_distribution_of_two_states() -> None:
    p, q = 0.015, 0.10  # leave state 0 / leave state 1
    pi = stationary_distribution([[1 - p, p], [q, 1 - q]])
    assert pi == pytest.approx([q / (p + q), p / (p + q)])
    assert stationary_distribution([[1.0]]) == pytest.approx([1.0])


def test_expected_occupancy_is_the_mean_of_matrix_powers() -> None:
    m = np.array(SHIPPED["speculative_frenzy"].transition)
    horizon = 63
    brute = np.mean([np.linalg.matrix_power(m, t)[0] for t in range(horizon)], axis=0)
    assert expected_occupancy(m, 0, horizon) == pytest.approx(brute, abs=1e-12)
    assert expected_occupancy(m, 2, 1) == pytest.approx([0, 0, 1])
    assert expected_occupancy(m, 0, 20_000) == pytest.approx(stationary_distribution(m), abs=2e-3)


# --------------------------------------------------------------------------- model-derived tables


@pytest.fixture(scope="module")
def model():
    tickers = ["IWM", "SPY", *DEFAULT_CRYPTO]
    prices = load_prices(tickers, source="demo")
    returns = compute_returns(prices.closes[tickers], calendar=["IWM", "SPY"])
    return calibrate(returns, russell="IWM", btc="BTC-USD", alts=list(DEFAULT_CRYPTO[1:]))


def test_base_scenario_implies_the_calibrated_values(model) -> None:
    base = SHIPPED["historical_base"]
    table = effective_regime_table(model, base, 63)["historical"]
    ref = calibrated_reference(model)
    assert table["BTC beta, up days"] == pytest.approx(model.btc_beta)
    assert table["BTC beta, down days"] == pytest.approx(model.btc_beta)
    assert table["BTC alpha (log, /yr)"] == pytest.approx(252 * model.btc_alpha)
    assert table["Altcoin beta, up days (mean)"] == pytest.approx(model.alt_beta.mean())
    assert table["Russell vol (/yr)"] == pytest.approx(model.russell_vol_annual)
    assert table["Russell drift (log, /yr, horizon mean)"] == pytest.approx(model.russell_mu_annual)
    assert table["Crypto tail df"] == pytest.approx(ref["df"])
    assert table["Long-run share of days"] == pytest.approx(1.0)
    assert math.isinf(table["Mean spell (days)"])


def test_scenario_scales_show_up_in_the_effective_table(model) -> None:
    rev = SHIPPED["russell_reversal"]
    table = effective_regime_table(model, rev, 63)
    cap = rev.regime("capitulation")
    assert table.loc["Altcoin beta, down days (mean)", "capitulation"] == pytest.approx(
        model.alt_beta.mean() * cap.alt_beta_scale * cap.downside_beta_scale)
    assert table.loc["Russell vol (/yr)", "capitulation"] == pytest.approx(0.24 * 1.8)
    assert table.loc["Mean spell (days)", "capitulation"] == pytest.approx(1 / 0.12)
    drift = (math.log1p(0.02) * 10 / 10 + math.log1p(-0.14)) / 63 * 252
    assert table.loc["Russell drift (log, /yr, horizon mean)", "risk_off"] == pytest.approx(drift)
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["risk_off", "capitulation"]


def test_shipped_scenarios_are_all_listed() -> None:
    assert set(SHIPPED) == {p.stem for p in SCENARIO_DIR.glob("*.toml")}
