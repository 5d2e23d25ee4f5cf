"""Scenario edits as data: override codec, minimal diffs, scenario blobs, TOML import."""

from __future__ import annotations

import math
import tomllib
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ExplorerError
from core.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_toml,
    with_overrides,
)
from core.scenario_edits import (
    MAX_LINK_TEXT,
    LinkError,
    apply_settings,
    decode_overrides,
    decode_scenario_blob,
    encode_overrides,
    encode_scenario_blob,
    parse_scenario_text,
    regime_ref,
    scenario_diff,
)
from core.sensitivity import REGIME_SWEEP_FIELDS

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
    with pytest.raises(LinkError, match=message):
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


_regime_field = st.sampled_from(sorted(set(REGIME_SWEEP_FIELDS) - {"df", "russell_df"}))


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


def test_link_text_is_bounded() -> None:
    assert issubclass(LinkError, ExplorerError)
    with pytest.raises(LinkError, match="at most"):
        decode_overrides('{"a":' + " " * MAX_LINK_TEXT + "1}")
    with pytest.raises(LinkError, match="at most"):
        decode_scenario_blob("A" * (MAX_LINK_TEXT + 1))
    bomb = encode_scenario_blob("#" * 3_000_000)  # a few kB of text that inflates to 3 MB
    assert len(bomb) < MAX_LINK_TEXT
    with pytest.raises(LinkError, match="inflates beyond"):
        decode_scenario_blob(bomb)


def test_shipped_scenarios_are_all_listed() -> None:
    assert set(SHIPPED) == {p.stem for p in SCENARIO_DIR.glob("*.toml")}
