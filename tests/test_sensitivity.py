"""Sensitivity sweep: patches, current values, common random numbers, bounds, and the ``sweep`` CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from core.__main__ import main
from core.calibration import calibrate
from core.conventions import BASKET
from core.data import load_prices
from core.errors import ExplorerError
from core.metrics import summarize
from core.model_tables import calibrated_reference
from core.montecarlo import simulate
from core.returns import compute_returns
from core.scenario import list_scenarios, load_scenario, with_overrides
from core.sensitivity import (
    MAX_SWEEP_POINTS,
    SWEEP_FIELDS,
    SWEEP_METRICS,
    SweepError,
    current_value,
    sweep,
    sweep_patch,
)
from tests.conftest import REPO
from tests.test_montecarlo import make_model

SHIPPED = {name: load_scenario(path) for name, path in list_scenarios().items()}
FRENZY = SHIPPED["speculative_frenzy"]


def test_sweep_patches() -> None:
    assert sweep_patch(FRENZY, "russell.target_return", None, 0.1) == {
        "russell.mode": "target", "russell.target_return": 0.1}
    assert sweep_patch(FRENZY, "selectivity", None, 0.4) == {"selectivity": 0.4}
    assert sweep_patch(FRENZY, "df", None, 6.0) == {
        "regimes.euphoria.df": 6.0, "regimes.crash.df": 6.0, "regimes.calm.df": 6.0}
    assert sweep_patch(FRENZY, "alt_beta_scale", "crash", 2.0) == {"regimes.crash.alt_beta_scale": 2.0}
    with pytest.raises(SweepError, match="cannot sweep 'name'"):
        sweep_patch(FRENZY, "name", None, 1.0)
    with pytest.raises(SweepError, match="'moon'"):
        sweep_patch(FRENZY, "df", "moon", 4.0)
    with pytest.raises(SweepError, match="not a regime field"):
        sweep_patch(FRENZY, "selectivity", "crash", 0.4)


def test_current_values() -> None:
    m = make_model()
    ref = calibrated_reference(m)
    assert current_value(m, FRENZY, "selectivity") == FRENZY.selectivity
    assert current_value(m, SHIPPED["controlled_rally"], "russell.target_return") == pytest.approx(0.07)
    assert current_value(m, SHIPPED["historical_base"], "russell.target_return") is None  # calibrated path
    assert current_value(m, SHIPPED["historical_base"], "russell.annual_vol") == pytest.approx(ref["annual_vol"])
    crash = FRENZY.regime("crash")
    assert current_value(m, FRENZY, "alt_beta_scale", "crash") == crash.alt_beta_scale
    scales = {r.alt_beta_scale for r in FRENZY.regimes}
    assert current_value(m, FRENZY, "alt_beta_scale") == (scales.pop() if len(scales) == 1 else None)
    base = SHIPPED["historical_base"]
    assert current_value(m, base, "btc_beta") == pytest.approx(0.8)  # left to the calibration
    assert current_value(m, base, "df") == pytest.approx(m.crypto_df)


def test_sweep_equals_direct_simulations_on_the_same_seed() -> None:
    m = make_model()
    now = FRENZY.regime("crash").alt_beta_scale
    values = [0.5, now, 2.5]
    calls: list[float] = []
    res = sweep(m, FRENZY, "alt_beta_scale", values, regime="crash", n_paths=2000, horizon=20, seed=9,
                progress=calls.append)
    assert calls == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert res.values == (0.5, now, 2.5) and res.regime == "crash" and res.horizon == 20
    assert res.current == now
    frame = res.frame
    assert list(frame.columns) == ["value", "asset", "metric", "estimate", "se"]
    n_assets = len(m.assets) + 1
    assert len(frame) == len(values) * (n_assets * len(SWEEP_METRICS) - 1)  # no "BTC beats BTC"
    for v in values:
        point = with_overrides(FRENZY, {"regimes.crash.alt_beta_scale": v})
        direct = summarize(simulate(m, point, n_paths=2000, horizon=20, rng=np.random.default_rng(9)))
        got = frame[frame["value"] == v].set_index(["asset", "metric"])
        assert got.loc[(BASKET, "p50"), "estimate"] == direct.basket.p50
        assert got.loc[(BASKET, "p50"), "se"] == direct.basket.p50_se
        assert got.loc[("AAA", "prob_ge_2x"), "estimate"] == direct.assets["AAA"].prob_ge_2x
        assert got.loc[("AAA", "prob_ge_2x"), "se"] == direct.assets["AAA"].se["prob_ge_2x"]
        assert got.loc[(BASKET, "prob_beats_btc"), "estimate"] == direct.basket_beats_btc.p
        assert ("BTC", "prob_beats_btc") not in got.index
    # at the current value the sweep reproduces the unedited scenario: common random numbers
    plain = summarize(simulate(m, FRENZY, n_paths=2000, horizon=20, rng=np.random.default_rng(9)))
    at_now = frame[frame["value"] == now].set_index(["asset", "metric"])
    assert at_now.loc[(BASKET, "p50"), "estimate"] == plain.basket.p50
    assert at_now.loc[("BBB", "prob_loss_50pct"), "estimate"] == plain.assets["BBB"].prob_loss_50pct
    # the app's cached runner replaces the direct simulation
    seen = []
    sweep(m, FRENZY, "selectivity", [0.1, 0.2], n_paths=500, horizon=5, seed=1,
          runner=lambda s: seen.append(s.selectivity) or simulate(m, s, n_paths=500, horizon=5,
                                                                   rng=np.random.default_rng(1)))
    assert seen == [0.1, 0.2]


def test_target_sweep_moves_the_russell_median_to_the_target() -> None:
    m = make_model()
    one = SHIPPED["historical_base"]  # one regime: the median Russell path ends at the target
    res = sweep(m, one, "russell.target_return", [-0.1, 0.2], n_paths=4000, horizon=one.horizon_days, seed=3)
    med = res.frame[(res.frame["asset"] == "IWM") & (res.frame["metric"] == "p50")].set_index("value")
    for target in (-0.1, 0.2):
        assert med.loc[target, "estimate"] == pytest.approx(target, abs=4 * med.loc[target, "se"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"field": "df", "values": [1.5, 4.0]}, r"df = 1\.5 is out of range.*must be > 2"),
        ({"field": "jump_intensity", "values": [-1.0], "regime": "crash"}, r"jump_intensity = -1\.0 in regime 'crash'"),
        ({"field": "selectivity", "values": [float("nan")]}, "nan"),
        ({"field": "selectivity", "values": list(range(MAX_SWEEP_POINTS + 1))}, f"1 to {MAX_SWEEP_POINTS} values"),
        ({"field": "selectivity", "values": []}, "got 0"),
        ({"field": "volatility", "values": [1.0]}, "cannot sweep 'volatility'"),
        ({"field": "selectivity", "values": [0.1], "engine": "quantum"}, "quantum"),
    ],
)
def test_bad_sweeps_are_refused_naming_the_value(kwargs: dict, message: str) -> None:
    ran = []
    with pytest.raises(SweepError, match=message):
        sweep(make_model(), FRENZY, n_paths=100, horizon=5, seed=1, runner=ran.append, **kwargs)
    assert ran == []  # refused before anything runs
    assert issubclass(SweepError, ExplorerError)


def test_every_field_is_sweepable_on_every_shipped_scenario() -> None:
    m = make_model()
    for scenario in SHIPPED.values():
        for f in SWEEP_FIELDS:
            current = current_value(m, scenario, f)
            value = 0.05 if current is None or math.isinf(current) else current
            if f in ("df", "russell_df") and not value > 2:
                value = 5.0
            with_overrides(scenario, sweep_patch(scenario, f, None, value))


# --------------------------------------------------------------------------- CLI


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["sweep", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_sweep_cli_on_the_demo_matches_simulate(capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = _cli(capsys, "--source", "demo", "--scenario", "speculative_frenzy", "--field", "alt_beta_scale",
                      "--regime", "crash", "--values", "1,2", "--paths", "2000", "--horizon", "21", "--seed", "5",
                      "--json")
    assert code == 0
    assert {"scenario", "field", "regime", "values", "paths", "horizon", "seed", "engine", "points",
            "current"} <= set(d)
    assert d["scenario"] == "Speculative frenzy" and d["field"] == "alt_beta_scale" and d["regime"] == "crash"
    assert d["values"] == [1.0, 2.0] and d["paths"] == 2000 and d["horizon"] == 21 and d["seed"] == 5
    assert d["current"] == FRENZY.regime("crash").alt_beta_scale
    assert set(d["points"][0]) == {"value", "asset", "metric", "estimate", "se"}
    # the same pipeline as `simulate` through the library, one simulation per value
    tickers = ["IWM", "BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "AVAX-USD", "DOGE-USD", "XRP-USD", "ADA-USD"]
    prices = load_prices(tickers, source="demo")
    model = calibrate(compute_returns(prices.closes, calendar=["IWM"]), russell="IWM", btc="BTC-USD")
    for v in (1.0, 2.0):
        point = with_overrides(FRENZY, {"regimes.crash.alt_beta_scale": v})
        m = summarize(simulate(model, point, n_paths=2000, horizon=21, rng=np.random.default_rng(5)))
        got = {(p["asset"], p["metric"]): p for p in d["points"] if p["value"] == v}
        assert got[(BASKET, "p50")]["estimate"] == pytest.approx(m.basket.p50, rel=1e-12)
        assert got[("SOL-USD", "prob_ge_2x")]["estimate"] == m.assets["SOL-USD"].prob_ge_2x
        assert got[("SOL-USD", "prob_ge_2x")]["se"] == pytest.approx(m.assets["SOL-USD"].se["prob_ge_2x"])
        assert got[(BASKET, "prob_beats_btc")]["estimate"] == m.basket_beats_btc.p


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--field", "df", "--values", "1.5"], "df = 1.5"),
        (["--field", "df", "--values", "4,abc"], "'abc' is not a number"),
        (["--field", "selectivity", "--values", ",".join(["0.1"] * 26)], "1 to 25 values"),
        (["--field", "df", "--regime", "moon", "--values", "4"], "'moon'"),
    ],
)
def test_sweep_cli_refuses_bad_values(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, _, err = _cli(capsys, "--source", "demo", "--scenario", "speculative_frenzy", "--paths", "200", *argv)
    assert code == 2
    assert err.startswith("error:") and needle in err


def test_sweep_cli_takes_the_fitted_regimes_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """Built from the loaded data as 'simulate' builds it; its fitted regimes can be named with --regime."""
    code, d, _ = _cli(capsys, "--source", "demo", "--scenario", "fitted_regimes", "--field", "df",
                      "--regime", "calm", "--values", "4,8", "--paths", "500", "--horizon", "10", "--json")
    assert code == 0
    assert d["scenario"] == "Fitted regimes" and d["regime"] == "calm" and d["values"] == [4.0, 8.0]
    code = main(["simulate", "--source", "demo", "--scenario", "fitted_regimes", "--paths", "500",
                 "--horizon", "10", "--json"])
    plain = json.loads(capsys.readouterr().out)
    assert code == 0 and plain["scenario"] == d["scenario"]
    code, _, err = _cli(capsys, "--source", "demo", "--scenario", "fitted_regimes", "--field", "df",
                        "--regime", "nope", "--values", "4", "--paths", "500")
    assert code == 2 and "'nope'" in err and "calm" in err  # the fitted regimes are named in the message


def test_sweep_cli_runs_as_a_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "core", "sweep", "--source", "demo", "--scenario", "controlled_rally", "--field",
         "selectivity", "--values", "0,0.5", "--paths", "300", "--horizon", "5", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )
    d = json.loads(out.stdout)
    assert d["values"] == [0.0, 0.5] and {p["value"] for p in d["points"]} == {0.0, 0.5}
