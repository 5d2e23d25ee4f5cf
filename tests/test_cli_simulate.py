"""``python -m core simulate`` run in-process on the demo and on the real CSV folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.__main__ import main
from core.calibration import calibrate
from core.data import load_prices
from core.metrics import summarize
from core.montecarlo import simulate
from core.returns import compute_returns
from core.scenario import SCENARIO_DIR, load_scenario

TOP_KEYS = {"scenario", "paths", "horizon", "seed", "engine", "assets", "basket",
            "prob_basket_beats_btc", "prob_basket_beats_btc_se", "regime_occupancy"}
METRIC_KEYS = {"mean", "p05", "p25", "p50", "p75", "p95", "prob_ge_20pct", "prob_ge_2x", "prob_ge_5x",
               "prob_loss_50pct", "prob_max_dd_80pct", "var95", "es95", "se",
               "p50_se", "mean_log", "geometric_mean", "mean_finite"}
PROB_KEYS = {"prob_ge_20pct", "prob_ge_2x", "prob_ge_5x", "prob_loss_50pct", "prob_max_dd_80pct"}
#: Standard errors of the centre statistics in each ``se`` block besides the probabilities'.
CENTRE_SE_KEYS = {"mean", "mean_log", "geometric_mean", "p50"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["simulate", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def _check_contract(d: dict, paths: int) -> None:
    assert TOP_KEYS <= set(d)
    assert d["paths"] == paths
    for m in [*d["assets"].values(), d["basket"]]:
        assert METRIC_KEYS <= set(m)
        assert set(m["se"]) == PROB_KEYS | CENTRE_SE_KEYS
        assert m["se"]["p50"] == m["p50_se"] > 0
        assert m["geometric_mean"] == pytest.approx(np.expm1(m["mean_log"]))
        assert m["se"]["geometric_mean"] == pytest.approx(np.exp(m["mean_log"]) * m["se"]["mean_log"])
        assert m["mean_log"] <= np.log1p(m["mean"]) + 1e-12  # Jensen, on the sample
        # the simple mean has a standard error only where the engine makes it finite
        assert m["mean_finite"] == (d["engine"] == "bootstrap")
        assert (m["se"]["mean"] is None) == (not m["mean_finite"])
        for key in PROB_KEYS:
            p = m[key]
            assert 0 <= p <= 1
            assert m["se"][key] == pytest.approx(np.sqrt(p * (1 - p) / paths))
        assert m["p05"] <= m["p25"] <= m["p50"] <= m["p75"] <= m["p95"]
        assert m["p05"] > -1
        assert m["es95"] >= m["var95"]
    p = d["prob_basket_beats_btc"]
    assert d["prob_basket_beats_btc_se"] == pytest.approx(np.sqrt(p * (1 - p) / paths))
    assert sum(d["regime_occupancy"].values()) == pytest.approx(1.0)


def test_simulate_demo_matches_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = _run(capsys, "--source", "demo", "--scenario", "speculative_frenzy",
                      "--paths", "2000", "--horizon", "21", "--seed", "5", "--json")
    assert code == 0
    _check_contract(d, 2000)
    assert d["scenario"] == "Speculative frenzy" and d["horizon"] == 21 and d["seed"] == 5
    assert d["engine"] == "parametric"
    assert list(d["assets"]) == ["IWM", "BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "AVAX-USD",
                                 "DOGE-USD", "XRP-USD", "ADA-USD"]
    assert set(d["regime_occupancy"]) == {"euphoria", "crash", "calm"}
    # the same pipeline through the library gives the same numbers
    tickers = list(d["assets"])
    prices = load_prices(tickers, source="demo")
    model = calibrate(compute_returns(prices.closes, calendar=["IWM"]), russell="IWM", btc="BTC-USD")
    res = simulate(model, load_scenario(SCENARIO_DIR / "speculative_frenzy.toml"), n_paths=2000,
                   horizon=21, rng=np.random.default_rng(5))
    m = summarize(res)
    assert d["basket"]["p50"] == pytest.approx(m.basket.p50, rel=1e-12)
    assert d["basket"]["mean_log"] == pytest.approx(np.log1p(res.basket_terminal_return).mean(), rel=1e-12)
    assert d["assets"]["SOL-USD"]["prob_ge_2x"] == m.assets["SOL-USD"].prob_ge_2x
    assert d["prob_basket_beats_btc"] == m.basket_beats_btc.p
    # same seed, same output
    code, again, _ = _run(capsys, "--source", "demo", "--scenario", "speculative_frenzy",
                          "--paths", "2000", "--horizon", "21", "--seed", "5")
    assert again == d


def test_simulate_csv_folder_uses_present_tickers(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, d, _ = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--scenario",
                      "russell_reversal", "--paths", "1500", "--seed", "2", "--engine", "bootstrap")
    assert code == 0
    _check_contract(d, 1500)
    assert d["engine"] == "bootstrap" and d["horizon"] == 63
    assets = list(d["assets"])
    assert assets[:3] == ["IWM", "BTC-USD", "ETH-USD"]
    assert "SOL-USDT" in assets and "ADA-USDT" in assets  # Binance files stand in for SOL-USD etc.
    # russell reversal: the Russell loses over the quarter in the median path
    assert d["assets"]["IWM"]["p50"] < 0
    cal = d["calibration"]
    # one window for every equation: the latest listing (SOL, AVAX, DOGE files) sets it
    crypto = assets[1:]
    assert {tuple(cal["window"][t]) for t in crypto} == {(cal["start"], cal["end"])}
    assert cal["start"] >= "2020-09-01" and set(cal["limited_by"]) <= set(crypto)
    for t in crypto:  # the model moves with the Russell as history did on that window
        assert abs(cal["implied_beta"][t] - cal["historical_beta"][t]) <= 0.03, t
        assert abs(cal["implied_corr"][t] - cal["historical_corr"][t]) <= 0.03, t
        assert 0.0 <= cal["alpha_shrinkage"][t] <= 1.0
        assert cal["alpha_used_annual"][t] == pytest.approx(
            cal["alpha_shrinkage"][t] * cal["alpha_sample_annual"][t], abs=1e-12)
    # the historical link is not understated: ETH's beta on the common window is above 1.1
    assert cal["implied_beta"]["ETH-USD"] > 1.1


def test_simulate_ticker_overrides(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, d, _ = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--scenario",
                      "historical_base", "--paths", "500", "--tickers", "BTC-USDT,SOL-USDT,XRP-USDT",
                      "--russell", "^RUT")
    assert code == 0
    assert list(d["assets"]) == ["^RUT", "BTC-USDT", "SOL-USDT", "XRP-USDT"]
    assert d["calibration"]["btc"] == "BTC-USDT"


def test_scenario_file_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "Mine"\n[[regimes]]\nname = "only"\nalt_vol_scale = 0.5\n', encoding="utf-8")
    code, d, _ = _run(capsys, "--source", "demo", "--scenario", str(path), "--paths", "300", "--horizon", "5")
    assert code == 0 and d["scenario"] == "Mine" and d["regime_occupancy"] == {"only": 1.0}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--scenario", "moonshot"], "moonshot"),
        (["--scenario", "missing_file.toml"], "missing_file.toml"),
        (["--scenario", "historical_base", "--tickers", "ETH-USD,SOL-USD"], "BTC"),
        (["--scenario", "historical_base", "--engine", "parametric", "--paths", "1"], "n_paths"),
    ],
)
def test_bad_input_exits_2_with_message(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, _, err = _run(capsys, "--source", "demo", *argv)
    assert code == 2
    assert err.startswith("error:") and needle in err


def test_an_unknown_scenario_lists_every_name_the_command_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    """The fitted-regimes scenario is a name, not a file: the list of names must show it too."""
    code, _, err = _run(capsys, "--source", "demo", "--scenario", "moonshot")
    assert code == 2
    available = err.split("available: ")[1]
    assert "fitted_regimes" in available and "controlled_rally" in available


def test_bad_scenario_file_names_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('name = "B"\n[[regimes]]\nname = "x"\nalt_vol_scale = -2\n', encoding="utf-8")
    code, _, err = _run(capsys, "--source", "demo", "--scenario", str(path))
    assert code == 2
    assert str(path) in err and "regimes[0].alt_vol_scale" in err and "-2" in err


@pytest.mark.parametrize("field", ["df = 2.0", "df = 1.5", "russell_df = 2"])
def test_df_at_or_below_two_is_refused_naming_the_field(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       field: str) -> None:
    """df <= 2 makes the shocks' variance (and the mean log return's standard error) infinite."""
    path = tmp_path / "heavy.toml"
    path.write_text(f'name = "Heavy"\n[[regimes]]\nname = "x"\n{field}\n', encoding="utf-8")
    code, _, err = _run(capsys, "--source", "demo", "--scenario", str(path), "--paths", "300")
    assert code == 2
    name = field.split(" =")[0]
    assert f"regimes[0].{name}" in err and field.split("= ")[1] in err


def _basket_median(capsys: pytest.CaptureFixture[str], scenario: str, *data: str) -> float:
    code, d, err = _run(capsys, *data, "--scenario", scenario, "--paths", "5000", "--seed", "1")
    assert code == 0, err
    return d["basket"]["p50"]


@pytest.mark.parametrize("source", ["csv", "demo"])
def test_scenarios_order_as_their_stories_say(capsys: pytest.CaptureFixture[str], market_dir: Path,
                                              source: str) -> None:
    """Basket median: Russell reversal < historical base (no view) < controlled rally, on real and demo data."""
    data = ("--source", "csv", "--data-dir", str(market_dir)) if source == "csv" else ("--source", "demo")
    medians = {s: _basket_median(capsys, s, *data) for s in ("russell_reversal", "historical_base",
                                                             "controlled_rally")}
    assert medians["russell_reversal"] < medians["historical_base"] < medians["controlled_rally"], medians
