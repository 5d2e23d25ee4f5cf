"""Scenario files: shipped scenarios, validation messages, TOML round trip, overrides."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.scenario import (
    FIELD_DOCS,
    SCENARIO_DIR,
    Phase,
    Regime,
    RussellPath,
    Scenario,
    ScenarioError,
    list_scenarios,
    load_scenario,
    resolve_scenario,
    scenario_from_dict,
    scenario_to_toml,
    with_overrides,
)

SHIPPED = ("controlled_rally", "historical_base", "russell_reversal", "speculative_frenzy")

VALID = """
name = "Test"
description = "d"
rationale = "r"
horizon_days = 21
initial_regime = "calm"
selectivity = 0.3

[russell]
mode = "target"
target_return = 0.05
annual_vol = 0.2

[[regimes]]
name = "calm"
alt_vol_scale = 0.9

[[regimes]]
name = "crash"
jump_intensity = 4
df = 3.5

[transition]
calm = [0.95, 0.05]
crash = [0.2, 0.8]
"""


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_scenario_loads_with_story() -> None:
    found = list_scenarios(SCENARIO_DIR)
    assert set(SHIPPED) <= set(found)
    for stem in SHIPPED:
        s = load_scenario(found[stem])
        assert s.name and len(s.description) > 80 and len(s.rationale) > 80
        assert s.initial_regime in s.regime_names
        for row in s.transition:
            assert math.fsum(row) == pytest.approx(1.0)
    base = load_scenario(found["historical_base"])
    assert base.russell.mode == "calibrated" and len(base.regimes) == 1
    assert base.regimes[0] == Regime(name=base.regimes[0].name)  # no overrides at all
    assert load_scenario(found["russell_reversal"]).russell.mode == "phases"


def test_valid_file_parses_every_field(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, VALID, "ok.toml"))
    assert s.horizon_days == 21 and s.selectivity == 0.3
    assert s.russell == RussellPath(mode="target", target_return=0.05, annual_vol=0.2)
    assert s.regime("crash").jump_intensity == 4.0 and isinstance(s.regime("crash").jump_intensity, float)
    assert s.regime("crash").df == 3.5 and s.regime("calm").df is None
    assert s.transition == ((0.95, 0.05), (0.2, 0.8))


def test_field_docs_cover_every_field() -> None:
    regime_fields = {f"regimes[].{f.name}" for f in dataclasses.fields(Regime)}
    top = {f.name for f in dataclasses.fields(Scenario)} - {"russell", "regimes", "transition"}
    russell = {f"russell.{f.name}" for f in dataclasses.fields(RussellPath)}
    phase = {f"russell.phases[].{f.name}" for f in dataclasses.fields(Phase)}
    needed = regime_fields | top | russell | phase | {"regimes", "transition"}
    assert needed <= set(FIELD_DOCS), needed - set(FIELD_DOCS)
    for doc in FIELD_DOCS.values():
        assert doc.unit and doc.doc


def test_new_file_in_folder_is_listed(tmp_path: Path) -> None:
    write(tmp_path, VALID, "my_story.toml")
    write(tmp_path, "not toml", "notes.txt")
    assert list(list_scenarios(tmp_path)) == ["my_story"]
    assert resolve_scenario("my_story", tmp_path).name == "Test"
    assert resolve_scenario(str(tmp_path / "my_story.toml")).name == "Test"
    with pytest.raises(ScenarioError, match="'nope'.*my_story"):
        resolve_scenario("nope", tmp_path)
    with pytest.raises(ScenarioError, match="folder not found"):
        list_scenarios(tmp_path / "missing")


BAD_CASES = [
    # (replace this, with that, field in message, value in message)
    ('name = "Test"\n', "", "name", "<missing>"),
    ("selectivity = 0.3", 'selectivity = "high"', "selectivity", "'high'"),
    ("alt_vol_scale = 0.9", "alt_vol_scale = -0.5", "regimes[0].alt_vol_scale", "-0.5"),
    ("annual_vol = 0.2", "annual_vol = -0.1", "russell.annual_vol", "-0.1"),
    ("calm = [0.95, 0.05]", "calm = [1.2, -0.2]", "transition.calm[0]", "1.2"),
    ("crash = [0.2, 0.8]", "crash = [0.2, 0.7]", "transition.crash", "[0.2, 0.7]"),
    ('initial_regime = "calm"', 'initial_regime = "boom"', "initial_regime", "'boom'"),
    ("crash = [0.2, 0.8]", "crash = [0.2, 0.8]\nboom = [0.5, 0.5]", "transition.boom", "[0.5, 0.5]"),
    ("df = 3.5", "df = 2.0", "regimes[1].df", "2.0"),
    ("jump_intensity = 4", "jump_intensity = -1", "regimes[1].jump_intensity", "-1.0"),
    ("horizon_days = 21", "horizon_days = 2.5", "horizon_days", "2.5"),
    ("horizon_days = 21", "horizon_days = 0", "horizon_days", "0"),
    ('mode = "target"', 'mode = "moon"', "russell.mode", "'moon'"),
    ('mode = "target"', 'mode = "phases"', "russell.phases", "[]"),
    ("alt_vol_scale = 0.9", "alt_vol_scale = 0.9\nalt_vol = 1.0", "regimes[0].alt_vol", "1.0"),
    ("crash = [0.2, 0.8]\n", "", "transition.crash", "<missing>"),
    ('name = "crash"', 'name = "calm"', "regimes[1].name", "'calm'"),
    ("target_return = 0.05", "target_return = -1.0", "russell.target_return", "-1.0"),
    ("df = 3.5", "df = nan", "regimes[1].df", "nan"),
    ("alt_vol_scale = 0.9", 'alt_vol_scale = true', "regimes[0].alt_vol_scale", "True"),
]


@pytest.mark.parametrize(("old", "new", "field", "value"), BAD_CASES)
def test_bad_file_message_names_file_field_and_value(
    tmp_path: Path, old: str, new: str, field: str, value: str
) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message
    assert f"'{field}'" in message
    assert value in message
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "absent.toml")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, "name = \n"))
    with pytest.raises(ScenarioError, match="'regimes'.*<missing>"):
        load_scenario(write(tmp_path, 'name = "x"\n'))


def test_single_regime_needs_no_transition() -> None:
    s = scenario_from_dict({"name": "one", "regimes": [{"name": "only"}]})
    assert s.transition == ((1.0,),) and s.initial_regime == "only"
    with pytest.raises(ScenarioError, match="'transition'"):
        scenario_from_dict({"name": "two", "regimes": [{"name": "a"}, {"name": "b"}]})


@pytest.mark.parametrize("stem", SHIPPED)
def test_shipped_round_trip(stem: str) -> None:
    s = load_scenario(SCENARIO_DIR / f"{stem}.toml")
    text = scenario_to_toml(s)
    assert scenario_from_dict(tomllib.loads(text)) == s
    assert scenario_to_toml(scenario_from_dict(tomllib.loads(text))) == text


# inside every field's bounds (core.scenario.FIELD_BOUNDS; tests/test_scenario_bounds.py tests the edges)
finite = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
nonneg = st.floats(min_value=0, max_value=3, allow_nan=False, allow_infinity=False)
names = st.text(alphabet=st.characters(categories=("L", "N")) | st.sampled_from(" _-.+/&'"),
                min_size=1, max_size=12).filter(lambda t: t.strip() != "")


@st.composite
def regimes(draw: st.DrawFn, name: str) -> Regime:
    optional = st.one_of(st.none(), finite)
    dfs = st.one_of(st.none(), st.just(math.inf), st.floats(min_value=2.01, max_value=1000))
    return Regime(
        name=name,
        russell_drift_shift=draw(finite), russell_vol_scale=draw(nonneg),
        btc_alpha=draw(optional), btc_beta=draw(optional), btc_beta_scale=draw(finite),
        btc_vol_scale=draw(nonneg), alt_alpha=draw(optional), alt_beta=draw(optional),
        alt_beta_scale=draw(finite), alt_loading_scale=draw(finite), alt_vol_scale=draw(nonneg),
        downside_beta_scale=draw(nonneg), jump_intensity=draw(nonneg), jump_mean=draw(finite),
        jump_vol=draw(nonneg), df=draw(dfs), russell_df=draw(dfs),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    regime_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    regs = tuple(draw(regimes(n)) for n in regime_names)
    k = len(regs)
    rows = []
    for _ in range(k):
        weights = draw(st.lists(st.integers(0, 20), min_size=k, max_size=k).filter(lambda w: sum(w) > 0))
        rows.append(tuple(w / sum(weights) for w in weights))
    mode = draw(st.sampled_from(["calibrated", "target", "phases"]))
    phases = tuple(
        Phase(days=draw(st.integers(1, 300)), total_return=draw(st.floats(-0.99, 10)))
        for _ in range(draw(st.integers(1 if mode == "phases" else 0, 3)))
    )
    russell = RussellPath(
        mode=mode, target_return=draw(st.floats(-0.99, 10)),
        annual_vol=draw(st.one_of(st.none(), nonneg)), phases=phases,
    )
    return Scenario(
        name=draw(names), description=draw(st.text(max_size=60)), rationale=draw(st.text(max_size=60)),
        horizon_days=draw(st.integers(1, 2520)), regimes=regs, transition=tuple(rows),
        initial_regime=draw(st.sampled_from(regime_names)), russell=russell, selectivity=draw(nonneg),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_round_trip_property(s: Scenario) -> None:
    # rows of integer weights divided by their sum add to 1 within float rounding
    back = scenario_from_dict(tomllib.loads(scenario_to_toml(s)))
    assert back == s


def test_with_overrides_edits_fields_and_revalidates() -> None:
    s = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    t = with_overrides(s, {
        "selectivity": 0.5,
        "russell.target_return": 0.2,
        "regimes.crash.df": 4,
        "regimes.0.alt_vol_scale": 1.2,
        "transition.calm": [0.1, 0.1, 0.8],
        "horizon_days": 126,
    })
    assert t.selectivity == 0.5 and t.russell.target_return == 0.2 and t.horizon_days == 126
    assert t.regime("crash").df == 4.0
    assert t.regimes[0].alt_vol_scale == 1.2
    assert t.transition[2] == (0.1, 0.1, 0.8)
    assert s.selectivity == 1.2  # original untouched
    assert with_overrides(t, {"regimes.crash.df": None}).regime("crash").df is None
    # a single entry can be changed when the row still sums to 1
    u = with_overrides(s, {"transition.euphoria.0": 0.9, "transition.euphoria.1": 0.1})
    assert u.transition[0] == (0.9, 0.1, 0.0)
    r = load_scenario(SCENARIO_DIR / "russell_reversal.toml")
    assert with_overrides(r, {"russell.phases.1.total_return": -0.3}).russell.phases[1].total_return == -0.3
    assert dataclasses.replace(s, selectivity=0.1).selectivity == 0.1


def test_with_overrides_errors() -> None:
    s = load_scenario(SCENARIO_DIR / "controlled_rally.toml")
    with pytest.raises(ScenarioError, match="'regimes.boom.df'"):
        with_overrides(s, {"regimes.boom.df": 4})
    with pytest.raises(ScenarioError, match=r"'regimes\[0\].alt_vol_scale' = -1.0"):
        with_overrides(s, {"regimes.steady.alt_vol_scale": -1.0})
    with pytest.raises(ScenarioError, match="'transition.steady'"):
        with_overrides(s, {"transition.steady.0": 0.5})
    with pytest.raises(ScenarioError, match="'colour'"):
        with_overrides(s, {"colour": "red"})
    with pytest.raises(ScenarioError, match="<overrides>"):
        with_overrides(s, {"selectivity": -1})
