"""Every scenario field has a stated bound, enforced at parse time for TOML, dicts, overrides and links."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from core.budget import (
    BYTES_PER_PATH_ASSET,
    MAX_HORIZON_DAYS,
    MAX_RUN_BYTES,
    RUN_FIXED_BYTES,
    BudgetError,
    check_run_size,
    estimate_run_bytes,
)
from core.finite import NonFiniteOutcomeError, extreme_fields
from core.scenario import (
    FIELD_BOUNDS,
    FIELD_DOCS,
    MAX_NAME_CHARS,
    MAX_PHASES,
    MAX_REGIMES,
    MAX_TEXT_CHARS,
    ScenarioError,
    load_scenario,
    resolve_scenario,
    scenario_from_dict,
    scenario_to_dict,
    with_overrides,
)
from core.scenario_edits import LinkError, decode_overrides, parse_scenario_text

BASE = resolve_scenario("speculative_frenzy")  # three regimes: euphoria, crash, calm


def _path(doc_key: str) -> str:
    """Override path of a FIELD_BOUNDS key (regime fields on the first regime, phases on a phase)."""
    if doc_key.startswith("regimes[]."):
        return "regimes.euphoria." + doc_key.split(".", 1)[1]
    if doc_key.startswith("russell.phases[]."):
        return "russell.phases.0." + doc_key.rsplit(".", 1)[1]
    return doc_key


def _base_for(doc_key: str):
    if doc_key.startswith("russell.phases"):
        return resolve_scenario("russell_reversal")  # mode = phases
    return BASE


@pytest.mark.parametrize("doc_key", sorted(FIELD_BOUNDS))
def test_each_bound_is_inclusive_and_the_next_value_is_refused_naming_field_and_range(doc_key: str) -> None:
    b = FIELD_BOUNDS[doc_key]
    base, path = _base_for(doc_key), _path(doc_key)
    leaf = path.rsplit(".", 1)[-1]
    if b.hi is not None:
        assert math.isclose(_value(with_overrides(base, {path: b.hi}), path), b.hi)
        with pytest.raises(ScenarioError) as err:
            with_overrides(base, {path: b.hi * 1.001 + 1e-9})
        assert leaf in str(err.value) and f"<= {b.hi:g}" in str(err.value) and b.text() in str(err.value)
    if b.lo is not None:
        below = b.lo if b.strict_lo else b.lo - max(abs(b.lo) * 0.001, 1e-9)
        with pytest.raises(ScenarioError) as err:
            with_overrides(base, {path: below})
        assert leaf in str(err.value) and b.text() in str(err.value)
        if not b.strict_lo:
            assert math.isclose(_value(with_overrides(base, {path: b.lo}), path), b.lo, abs_tol=1e-12)


def _value(scenario, path: str) -> float:
    parts = path.split(".")
    if parts[0] == "regimes":
        return getattr(scenario.regime(parts[1]), parts[2])
    if parts[:2] == ["russell", "phases"]:
        return getattr(scenario.russell.phases[int(parts[2])], parts[3])
    obj = scenario
    for p in parts:
        obj = getattr(obj, p)
    return obj


def test_the_bounds_a_careful_quant_would_set() -> None:
    """The numbers themselves (changing one is a product decision, so a test pins it)."""
    assert FIELD_BOUNDS["regimes[].jump_intensity"].hi == 252  # one jump per token per trading day
    assert FIELD_BOUNDS["regimes[].alt_vol_scale"].hi == 20
    assert FIELD_BOUNDS["regimes[].alt_alpha"].lo == -25 and FIELD_BOUNDS["regimes[].alt_alpha"].hi == 25
    df = FIELD_BOUNDS["regimes[].df"]
    assert (df.lo, df.strict_lo, df.hi, df.allow_inf) == (2, True, 1000, True)
    assert MAX_REGIMES == 8


def test_the_field_reference_states_every_bound() -> None:
    for key, b in FIELD_BOUNDS.items():
        assert FIELD_DOCS[key].bounds == b.text()
    for key in ("name", "horizon_days", "regimes", "russell.phases", "regimes[].name"):
        assert FIELD_DOCS[key].bounds, key
    assert str(MAX_HORIZON_DAYS) in FIELD_DOCS["horizon_days"].bounds
    assert "252" in FIELD_DOCS["regimes[].jump_intensity"].bounds
    assert FIELD_DOCS["regimes[].df"].bounds == "> 2 and <= 1000, or inf"


def test_df_accepts_inf_and_refuses_minus_inf() -> None:
    assert with_overrides(BASE, {"regimes.crash.df": math.inf}).regime("crash").df == math.inf
    with pytest.raises(ScenarioError, match=r"regimes\[1\]\.df"):
        with_overrides(BASE, {"regimes.crash.df": -math.inf})


def test_the_issue_link_jump_intensity_20000_is_refused_at_parse_time() -> None:
    ov = decode_overrides('{"regimes.euphoria.jump_intensity":20000}')
    with pytest.raises(ScenarioError, match=r"jump_intensity' = 20000\.0: must be <= 252"):
        with_overrides(BASE, ov)


def _regimes_doc(k: int) -> dict:
    doc = scenario_to_dict(resolve_scenario("historical_base"))
    names = [f"r{i}" for i in range(k)]
    doc["regimes"] = [{"name": n} for n in names]
    doc["initial_regime"] = names[0]
    doc["transition"] = {n: [1.0 / k] * k for n in names}
    return doc


def test_at_most_eight_regimes() -> None:
    assert len(scenario_from_dict(_regimes_doc(MAX_REGIMES)).regimes) == MAX_REGIMES
    with pytest.raises(ScenarioError, match=r"field 'regimes' = '100 regimes': too many regimes: at most 8"):
        scenario_from_dict(_regimes_doc(100))


def test_at_most_24_phases() -> None:
    base = resolve_scenario("russell_reversal")
    phases = [{"days": 2, "total_return": 0.01}]
    assert len(with_overrides(base, {"russell.phases": phases * MAX_PHASES}).russell.phases) == MAX_PHASES
    with pytest.raises(ScenarioError, match="at most 24"):
        with_overrides(base, {"russell.phases": phases * (MAX_PHASES + 1)})


def test_text_lengths_and_regime_name_characters() -> None:
    with_overrides(BASE, {"name": "x" * MAX_NAME_CHARS, "description": "y" * MAX_TEXT_CHARS})
    with pytest.raises(ScenarioError, match=r"field 'name' .* at most 120"):
        with_overrides(BASE, {"name": "x" * (MAX_NAME_CHARS + 1)})
    with pytest.raises(ScenarioError, match=r"field 'description' .* at most 4,000"):
        with_overrides(BASE, {"description": "y" * (MAX_TEXT_CHARS + 1)})
    def renamed(name: str):
        doc = scenario_to_dict(BASE)
        doc["regimes"][2]["name"] = name
        doc["transition"] = {name if k == "calm" else k: v for k, v in doc["transition"].items()}
        doc["initial_regime"] = "euphoria"
        return scenario_from_dict(doc)

    assert renamed("calm v2.1 after-Q3 & co/ok").regimes[2].name == "calm v2.1 after-Q3 & co/ok"
    for bad in ("[click](https://x.y)", "<b>", "a*b", "a:b", "x`y"):
        with pytest.raises(ScenarioError, match=r"regimes\[2\]\.name"):
            renamed(bad)


def test_horizon_bound() -> None:
    with pytest.raises(ScenarioError, match=r"horizon_days' = 2521: must be <= 2520"):
        with_overrides(BASE, {"horizon_days": MAX_HORIZON_DAYS + 1})


def test_toml_file_goes_through_the_same_bounds(tmp_path) -> None:
    text = (tmp_path / "x.toml")
    text.write_text('name = "x"\n[[regimes]]\nname = "a"\nalt_vol_scale = 1e300\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"x\.toml: field 'regimes\[0\]\.alt_vol_scale' = 1e\+300: must be <= 20"):
        load_scenario(text)


# --------------------------------------------------------------------------- nesting (RecursionError)


def test_30000_nested_brackets_in_ov_are_a_clear_message_not_a_recursion_error() -> None:
    with pytest.raises(LinkError, match=r"nest 30,000 levels .* at most 8"):
        decode_overrides("[" * 30_000)
    with pytest.raises(LinkError, match="nest"):
        decode_overrides('{"transition":' + "[" * 5000 + "]" * 5000 + "}")
    # brackets inside strings do not count; real overrides (2 levels) pass
    assert decode_overrides('{"name":"[[[[[[[[[[[["}') == {"name": "[[[[[[[[[[[["}
    assert decode_overrides('{"transition.calm":[0.9,0.1]}') == {"transition.calm": [0.9, 0.1]}


def test_over_nested_toml_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="nest too deeply"):
        parse_scenario_text("a = " + "[" * 30_000, "<link>")


# --------------------------------------------------------------------------- memory budget


def test_memory_estimate_formula_and_refusal_with_the_numbers() -> None:
    assert estimate_run_bytes(1000, 10) == BYTES_PER_PATH_ASSET * 10_000 + RUN_FIXED_BYTES
    check_run_size(200_000, 1, 12)  # the app's largest ordinary run fits
    with pytest.raises(BudgetError, match=r"200,000 paths x 40 assets would need about 772 MiB, above the limit of 512 MiB"):
        check_run_size(200_000, 1, 40)  # 8M cells is under MAX_CELLS: only memory refuses it
    assert estimate_run_bytes(200_000, 40) > MAX_RUN_BYTES


@pytest.fixture(scope="module")
def demo_model():
    from core.calibration import calibrate
    from core.demo import generate_demo_prices
    from core.returns import compute_returns

    closes = generate_demo_prices()[["IWM", "SPY", "BTC-USD", "ETH-USD", "SOL-USD", "DOGE-USD"]]
    rets = compute_returns(closes, calendar=["IWM", "SPY"], kind="log", freq="D")
    return calibrate(rets, russell="IWM", btc="BTC-USD", alts=["ETH-USD", "SOL-USD", "DOGE-USD"])


def test_the_estimate_bounds_the_measured_peak(demo_model) -> None:
    from core.run import run_scenario

    n_paths, n_assets = 40_000, 2 + len(demo_model.alts)
    tracemalloc.start()
    try:
        run_scenario(demo_model, BASE, n_paths=n_paths, horizon=21, seed=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = estimate_run_bytes(n_paths, n_assets)
    assert peak <= estimate
    assert peak >= 0.25 * estimate  # and is not absurdly loose


# --------------------------------------------------------------------------- non-finite outcomes


def test_values_that_overflow_name_the_fields(demo_model) -> None:
    from core.run import run_scenario

    extreme = with_overrides(resolve_scenario("historical_base"), {
        "regimes.historical.alt_alpha": 5.0, "regimes.historical.alt_vol_scale": 20.0,
        "regimes.historical.jump_intensity": 252.0, "regimes.historical.jump_mean": 5.0,
    })
    with np.errstate(all="ignore"), pytest.raises(NonFiniteOutcomeError) as err:
        run_scenario(demo_model, extreme, n_paths=200, horizon=MAX_HORIZON_DAYS, seed=1)
    msg = str(err.value)
    for field in ("alt_alpha = 5", "alt_vol_scale = 20", "jump_intensity = 252", "jump_mean = 5"):
        assert f"regimes.historical.{field}" in msg
    assert "altcoin basket" in msg and "2,520 days" in msg


def test_extreme_fields_rank_by_distance_to_the_bound() -> None:
    s = with_overrides(BASE, {"regimes.calm.btc_vol_scale": 19.0, "regimes.crash.alt_alpha": -5.0})
    ranked = extreme_fields(s)
    assert ranked[0][0] == "regimes.calm.btc_vol_scale" and ranked[0][2] == pytest.approx(19 / 20)
    assert ("regimes.crash.alt_alpha", -5.0, pytest.approx(5 / 25)) in ranked


def test_the_estimate_bounds_the_peak_with_a_jump_a_day(demo_model) -> None:
    from core import montecarlo
    from core.budget import ENGINE_CHUNK_ELEMENTS
    from core.run import run_scenario

    assert ENGINE_CHUNK_ELEMENTS == montecarlo._CHUNK_ELEMENTS  # the estimate follows the engine's chunking
    jumpy = with_overrides(BASE, {f"regimes.{r}.jump_intensity": 252.0 for r in BASE.regime_names})
    n_paths, n_assets = 20_000, 2 + len(demo_model.alts)
    tracemalloc.start()
    try:
        run_scenario(demo_model, jumpy, n_paths=n_paths, horizon=42, seed=5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert estimate_run_bytes(n_paths, n_assets) < peak <= estimate_run_bytes(n_paths, n_assets, 252.0)
