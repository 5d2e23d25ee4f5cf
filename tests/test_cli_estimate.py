"""``python -m core estimate`` run in-process on the real CSV folder and on the demo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.__main__ import main
from core.data import load_prices

CONTRACT_KEYS = {"asset", "market", "freq", "n", "alpha", "beta", "beta_ci", "r2", "corr",
                 "spearman", "beta_up", "beta_down", "dimson_beta", "by_year"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["estimate", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def _aligned_log_returns(closes: dict[str, pd.Series], market: str) -> pd.DataFrame:
    """Each series' last close on or before each market session, then log returns (by hand)."""
    sessions = pd.DataFrame({"date": closes[market].dropna().index})
    for name, s in closes.items():
        sessions = pd.merge_asof(sessions, s.dropna().rename(name).reset_index(), on="date")
    return np.log(sessions.set_index("date")).diff().iloc[1:]


def _check_against(d: dict, r: pd.DataFrame, asset: str, market: str) -> None:
    ok = r[[asset, market]].dropna()
    x, y = ok[market].to_numpy(), ok[asset].to_numpy()
    cov = np.cov(x, y)
    beta = cov[0, 1] / cov[0, 0]
    assert d["n"] == len(ok)
    assert d["beta"] == pytest.approx(beta, rel=1e-9)
    assert d["alpha"] == pytest.approx(y.mean() - beta * x.mean(), abs=1e-12)
    assert d["corr"] == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-10)
    assert d["r2"] == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, abs=1e-10)
    assert d["spearman"] == pytest.approx(ok.rank().corr().iloc[0, 1], abs=1e-10)
    lo, hi = d["beta_ci"]
    assert lo < d["beta"] < hi
    up, down = x > 0, x < 0
    assert d["beta_up"] == pytest.approx(np.polyfit(x[up], y[up], 1)[0], rel=1e-9)
    assert d["beta_down"] == pytest.approx(np.polyfit(x[down], y[down], 1)[0], rel=1e-9)
    years = ok.index.year
    for year, row in d["by_year"].items():
        sl = years == int(year)
        assert row["n"] == int(sl.sum())
        if row["n"] >= 20:
            assert row["corr"] == pytest.approx(np.corrcoef(x[sl], y[sl])[0, 1], abs=1e-10)
            assert row["beta"] == pytest.approx(np.polyfit(x[sl], y[sl], 1)[0], rel=1e-9)
    # Dimson with one lag: regress on x_t and x_{t-1} (rows where the lag exists), sum slopes.
    lagged = r[market].shift(1).reindex(ok.index)
    has = lagged.notna().to_numpy()
    design = np.column_stack([np.ones(has.sum()), x[has], lagged.to_numpy()[has]])
    coef = np.linalg.lstsq(design, y[has], rcond=None)[0]
    assert d["dimson_beta"] == pytest.approx(coef[1] + coef[2], rel=1e-9)


def test_estimate_on_real_csv(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--asset",
                      "BTC-USD", "--market", "IWM", "--start", "2019-01-01", "--end", "2024-12-31",
                      "--json")
    assert code == 0
    assert CONTRACT_KEYS <= set(d)
    assert (d["asset"], d["market"], d["freq"]) == ("BTC-USD", "IWM", "D")
    assert d["is_demo"] is False and "CSV" in d["source"]
    assert set(d["by_year"]) == {str(y) for y in range(2019, 2025)}
    closes = {name: pd.read_csv(market_dir / f"{name}.csv", parse_dates=["date"])
              .set_index("date")["close"].loc["2019-01-01":"2024-12-31"]
              for name in ("IWM", "BTC-USD")}
    # IWM.csv has price closes only: the estimate uses the dividend-adjusted alt/ file's closes
    adj = pd.read_csv(market_dir / "alt" / "IWM_adjusted_yahoo.csv", parse_dates=["date"]).set_index("date")
    assert d["closes"]["IWM"]["adjusted"] is True
    assert d["closes"]["IWM"]["file"] == "alt/IWM_adjusted_yahoo.csv"
    assert d["closes"]["BTC-USD"]["kind"] == "crypto (no dividends)"
    r = _aligned_log_returns({**closes, "IWM": adj["adj_close"].reindex(closes["IWM"].index)}, "IWM")
    _check_against(d, r, "BTC-USD", "IWM")
    # --closes price: the file's closes as they are
    code, raw, _ = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--asset", "BTC-USD",
                        "--market", "IWM", "--start", "2019-01-01", "--end", "2024-12-31", "--closes",
                        "price", "--json")
    assert code == 0 and raw["closes"]["IWM"]["adjusted"] is False
    _check_against(raw, _aligned_log_returns(closes, "IWM"), "BTC-USD", "IWM")
    # robust inference fields
    assert d["granger_cov"].startswith("HAC(Newey-West, maxlags=")
    assert set(d["granger_asset_to_market_p_homoskedastic"]) == {"1", "2", "3", "4", "5"}
    assert d["corr_ci_method"] == "stationary block bootstrap" and d["corr_ci_block_length"] >= 1
    lo, hi = d["corr_ci"]
    flo, fhi = d["corr_ci_fisher_iid"]
    assert lo < d["corr"] < hi and flo < d["corr"] < fhi and hi - lo > fhi - flo
    assert d["lead_lag_beta_ci"][0] < d["lead_lag_beta"] < d["lead_lag_beta_ci"][1]
    assert set(d["lead_lag_loadings"]) == {"-1", "0", "1"}
    assert d["lead_lag_beta"] == pytest.approx(sum(v["loading"] for v in d["lead_lag_loadings"].values()))
    assert d["first"] == r.index[0].strftime("%Y-%m-%d")
    assert set(d["lead_lag"]) == {str(k) for k in range(-10, 11)}
    assert all(0 <= p <= 1 for p in d["granger_market_to_asset_p"].values())
    assert d["weekly_beta"] is not None and d["weekly_n"] > 250


def test_estimate_on_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = _run(capsys, "--source", "demo", "--asset", "ETH-USD", "--market", "SPY",
                      "--json")
    assert code == 0 and CONTRACT_KEYS <= set(d)
    assert d["is_demo"] is True and "demo" in d["source"]
    prices = load_prices(["ETH-USD", "SPY"], source="demo")
    closes = {t: prices.closes[t] for t in ("SPY", "ETH-USD")}
    _check_against(d, _aligned_log_returns(closes, "SPY"), "ETH-USD", "SPY")


def test_weekly_frequency_and_factors(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = _run(capsys, "--source", "csv", "--data-dir", str(market_dir), "--asset",
                      "SOL-USDT", "--freq", "W", "--factors", "--json")
    assert code == 0 and d["freq"] == "W"
    assert d["weekly_beta"] is None  # the main beta already is weekly
    f = d["factor_loadings"]
    assert set(f["terms"]) == {"const", "market", "small_cap_spread", "btc_specific"}
    assert f["terms"]["btc_specific"]["t"] > 5


def test_unknown_asset_exits_2(market_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--source", "csv", "--data-dir", str(market_dir),
                        "--asset", "NOPE-USD", "--json")
    assert code == 2
    assert "error:" in err and "NOPE-USD" in err
    code, _, err = _run(capsys, "--source", "demo", "--asset", "BTC-USD", "--market", "BTC-USD")
    assert code == 2 and "BTC-USD" in err
    code, _, err = _run(capsys, "--source", "demo", "--asset", "BTC-USD", "--window", "2")
    assert code == 2 and "--window" in err and "2" in err
