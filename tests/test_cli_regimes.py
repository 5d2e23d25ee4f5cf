"""``python -m core regimes`` and ``simulate --scenario fitted_regimes``, in-process on the real CSV folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.__main__ import main
from core.data import load_prices
from core.regime_fit import fit_regimes
from core.returns import compute_returns

START = "2015-01-01"  # a shorter window keeps the fit quick; March 2020 is inside


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


@pytest.fixture(scope="module")
def regimes_json(market_dir: Path) -> dict:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["regimes", "--source", "csv", "--data-dir", str(market_dir), "--start", START,
                     "--smoothed", "--json"])
    assert code == 0
    return json.loads(buf.getvalue())


def test_contract(regimes_json: dict) -> None:
    d = regimes_json
    assert {"k", "states", "transition", "last", "history", "bic", "smoothed", "choice"} <= set(d)
    k = d["k"]
    assert k in (2, 3) and len(d["states"]) == k
    for s in d["states"]:
        assert {"name", "mean_annual", "vol_annual", "expected_duration_days"} <= set(s)
    assert d["states"][0]["name"] == "calm" and d["states"][-1]["name"] == "turbulent"
    vols = [s["vol_annual"] for s in d["states"]]
    assert vols == sorted(vols)
    p = np.array(d["transition"])
    assert p.shape == (k, k) and np.allclose(p.sum(axis=1), 1.0)
    for i, s in enumerate(d["states"]):
        assert s["expected_duration_days"] == pytest.approx(1 / (1 - p[i, i]))
    assert d["last"] == d["history"][-1]
    assert len(d["history"]) == len(d["smoothed"]) == d["n_obs"]
    assert all(len(row["probabilities"]) == k for row in d["history"])
    assert d["history"][0]["date"] >= START
    assert d["bic"][str(k)] == min(d["bic"].values())
    # the turbulent state holds March 2020
    march = [row["probabilities"][-1] for row in d["history"] if row["date"].startswith("2020-03")]
    assert np.mean(np.array(march) > 0.5) > 0.5


def test_matches_the_library(regimes_json: dict, market_dir: Path) -> None:
    prices = load_prices(["IWM"], START, None, source="csv", data_dir=market_dir)
    fit = fit_regimes(compute_returns(prices.closes[["IWM"]], calendar=["IWM"])["IWM"])
    assert regimes_json["k"] == fit.k
    assert regimes_json["last"]["probabilities"] == pytest.approx(list(fit.last_probabilities), abs=1e-12)
    assert [s["vol_annual"] for s in regimes_json["states"]] == pytest.approx([s.vol_annual for s in fit.states])


def test_k_option_and_no_history(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, d, _ = _run(capsys, "regimes", "--source", "csv", "--data-dir", str(market_dir), "--start", "2018-01-01",
                      "--k", "2", "--no-history", "--json")
    assert code == 0
    assert d["k"] == 2 and list(d["bic"]) == ["2"] and "history" not in d and "smoothed" not in d
    assert [s["name"] for s in d["states"]] == ["calm", "turbulent"]


def test_too_little_data_is_an_error(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, _, err = _run(capsys, "regimes", "--source", "csv", "--data-dir", str(market_dir),
                        "--start", "2025-01-01", "--json")
    assert code == 2
    assert "at least 500 daily returns of IWM" in err and "widen the date range" in err


def test_unknown_ticker_is_an_error(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, _, err = _run(capsys, "regimes", "--source", "csv", "--data-dir", str(market_dir), "--russell", "NOPE")
    assert code == 2 and "NOPE" in err


def test_simulate_fitted_regimes(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code, d, err = _run(capsys, "simulate", "--source", "csv", "--data-dir", str(market_dir), "--start", START,
                        "--scenario", "fitted_regimes", "--paths", "2000", "--seed", "1", "--json")
    assert code == 0, err
    assert d["scenario"] == "Fitted regimes" and d["horizon"] == 63
    names = list(d["regime_occupancy"])
    assert names[0] == "calm" and names[-1] == "turbulent"
    assert sum(d["regime_occupancy"].values()) == pytest.approx(1.0)
