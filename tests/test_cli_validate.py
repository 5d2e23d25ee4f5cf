"""``python -m core validate``: the JSON contract on real CSV data, equal to the library, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from core.__main__ import main
from core.data import load_prices
from core.returns import compute_returns
from core.scenario import SCENARIO_DIR, resolve_scenario
from core.validation import walk_forward
from tests.conftest import REPO

ORIGIN_KEYS = {"date", "calibration_end", "forecast", "prob_basket_beats_btc", "realized",
               "realized_basket_beats_btc", "pit"}
FORECAST_KEYS = {"p05", "p25", "p50", "p75", "p95", "prob_ge_20pct", "prob_loss_50pct"}
SUMMARY_KEYS = {"n", "n_effective", "coverage_50", "coverage_90", "pit_ks_p", "brier"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_validate_on_real_csv_matches_the_library(capsys, market_dir) -> None:
    tickers = "BTC-USD,ETH-USD,SOL-USDT"
    code, d, err = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--scenario", "historical_base",
                        "--tickers", tickers, "--start", "2024-01-01", "--every", "63", "--horizon", "42",
                        "--paths", "800", "--seed", "3", "--json")
    assert code == 0, err
    assert {"scenario", "horizon", "every", "paths", "seed", "engine", "origins", "summary",
            "basket_beats_btc"} <= set(d)
    assert (d["scenario"], d["horizon"], d["every"], d["paths"], d["seed"], d["engine"]) == (
        "Historical base", 42, 63, 800, 3, "parametric")
    assert d["origins"][0]["date"] >= "2024-01-01"
    assert set(d["summary"]) == {"IWM", "BTC-USD", "ETH-USD", "SOL-USDT", "basket"}
    for o in d["origins"]:
        assert ORIGIN_KEYS <= set(o)
        assert o["calibration_end"] <= o["date"]
        assert all(FORECAST_KEYS == set(f) for f in o["forecast"].values())
    assert d["origins"][-1]["realized"]["IWM"] is None  # the data end before its horizon
    assert d["origins"][0]["realized"]["IWM"] is not None
    for s in d["summary"].values():
        assert SUMMARY_KEYS <= set(s)
        assert set(s["brier"]) == {"prob_ge_20pct", "prob_loss_50pct"}
        assert s["n_effective"] == pytest.approx(s["n"] / 1.0)  # every > horizon: no overlap
    assert set(d["basket_beats_btc"]) >= {"brier_model", "brier_climatology", "skill"}

    prices = load_prices(["IWM", *tickers.split(",")], None, None, source="csv", data_dir=market_dir)
    returns = compute_returns(prices.closes[["IWM", *tickers.split(",")]], calendar=["IWM"])
    lib = walk_forward(returns, russell="IWM", btc="BTC-USD", alts=["ETH-USD", "SOL-USDT"],
                       scenario=resolve_scenario("historical_base", SCENARIO_DIR), start="2024-01-01", every=63,
                       horizon=42, n_paths=800, seed=3)
    assert [o["date"] for o in d["origins"]] == [t.strftime("%Y-%m-%d") for t in lib.origins["date"]]
    assert d["summary"]["BTC-USD"]["coverage_90"] == pytest.approx(lib.summary()["BTC-USD"]["coverage_90"])
    assert d["summary"]["basket"]["pit_ks_p"] == pytest.approx(lib.summary()["basket"]["pit_ks_p"])
    first = lib.forecasts[lib.forecasts["date"] == lib.origins["date"].iloc[0]].set_index("asset")
    assert d["origins"][0]["forecast"]["SOL-USDT"]["p50"] == pytest.approx(first.at["SOL-USDT", "p50"])


def test_data_start_and_end_cut_the_data_not_the_origins(capsys, market_dir) -> None:
    code, d, err = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--scenario", "historical_base",
                        "--tickers", "BTC-USD,ETH-USD", "--data-start", "2020-01-01", "--end", "2023-12-31",
                        "--start", "2022-01-01", "--every", "126", "--horizon", "21", "--paths", "300")
    assert code == 0, err
    assert all("2022-01-01" <= o["date"] <= "2023-12-31" for o in d["origins"])
    assert d["origins"][0]["calibration_end"] >= "2022-01-01"
    assert pd.Timestamp(d["origins"][-1]["date"]) <= pd.Timestamp("2023-12-31")


@pytest.mark.parametrize(("argv", "needle"), [
    (["--start", "2026-08-10"], "no realized outcomes"),
    (["--every", "0"], "every must be a whole number >= 1"),
    (["--start", "2014-10-01"], "too little data before the first origin"),
    (["--start", "yesterday"], "start 'yesterday'"),
    (["--paths", "999999999"], "paths = 999,999,999 is above the limit"),
    (["--scenario", "no_such_scenario"], "no_such_scenario"),
    (["--scenario", "no_such_scenario"], "speculative_frenzy, fitted_regimes"),
])
def test_validate_errors_name_the_input(capsys, market_dir, argv, needle) -> None:
    base = ["--source", "csv", "--data-dir", str(market_dir), "--scenario", "historical_base",
            "--tickers", "BTC-USD,ETH-USD", "--paths", "200", "--horizon", "63", "--every", "63"]
    code, _, err = _run(capsys, *base, *argv)
    assert code == 2
    assert err.startswith("error: ") and needle in err


def test_validate_runs_as_a_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "core", "validate", "--source", "demo", "--scenario", "speculative_frenzy",
         "--start", "2024-06-01", "--every", "126", "--horizon", "21", "--paths", "200", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["scenario"] == "Speculative frenzy" and d["origins"]


def test_validate_fitted_regimes_refits_on_each_origins_past(capsys) -> None:
    """``--scenario fitted_regimes``: the regimes come from the data before each origin's year."""
    code, d, err = _run(capsys, "--source", "demo", "--scenario", "fitted_regimes", "--tickers", "BTC-USD,ETH-USD",
                        "--start", "2025-03-03", "--every", "63", "--horizon", "21", "--paths", "500", "--json")
    assert code == 0, err
    assert d["scenario"] == "Fitted regimes" and d["horizon"] == 21
    assert all(o["calibration_end"] <= o["date"] for o in d["origins"])
    assert d["summary"]["BTC-USD"]["n"] >= 2
