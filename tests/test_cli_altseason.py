"""``python -m core altseason``, run in-process: the JSON contract and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.__main__ import main
from core.altseason import altseason_index
from core.data import list_csv_tickers, load_prices
from core.roles import match_coins
from core.tickers import DEFAULT_CRYPTO

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_csv_contract_and_numbers_equal_core(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    data = _run(capsys, ["altseason", "--source", "csv", "--data-dir", str(market_dir), "--window", "90",
                         "--n-draws", "300", "--json"])
    for key in ("window", "threshold", "coins", "series", "current", "label", "event_study"):
        assert key in data
    assert data["window"] == 90 and data["threshold"] == 75.0
    assert "BTC-USD" not in data["coins"] and data["btc"] == "BTC-USD"
    assert data["label"] == f"on {len(data['coins'])} coins, survivorship-biased (today's survivors)"
    row = data["series"][-1]
    assert set(row) == {"date", "index", "n_coins"} and DATE.match(row["date"])
    cur = data["current"]
    assert cur["label"] in {"altcoin season", "bitcoin season", "neither"}
    assert {c["coin"] for c in cur["coins"]} == set(data["coins"])
    # same numbers as core on the same data
    coins = match_coins(DEFAULT_CRYPTO, list_csv_tickers(market_dir), keep_missing=False)
    ref = altseason_index(load_prices(["IWM", "SPY", *coins], source="csv", data_dir=market_dir).closes, coins)
    assert cur["date"] == f"{ref.current.date:%Y-%m-%d}" and cur["index"] == pytest.approx(ref.current.index)
    assert cur["n_coins"] == ref.current.n_coins
    assert len(data["series"]) == len(ref.series)
    study = data["event_study"]
    assert {r["kind"] for r in study["table"]} == {"Russell streaks", "breakouts", "spread events"}
    assert study["seed"] == 0 and study["n_draws"] == 300
    assert all(DATE.match(d) for d in study["events"]["breakouts"])


def test_demo_without_study_and_series_tail(capsys: pytest.CaptureFixture[str]) -> None:
    data = _run(capsys, ["altseason", "--source", "demo", "--window", "30", "--threshold", "60",
                         "--no-study", "--series-tail", "5", "--json"])
    assert "event_study" not in data and len(data["series"]) == 5
    assert data["window"] == 30 and data["bitcoin_threshold"] == 40.0


@pytest.mark.parametrize("argv, word", [
    (["--window", "3"], "window"),
    (["--threshold", "40"], "threshold"),
    (["--min-coins", "0"], "min_coins"),
    (["--coins", "ETH-USD,SOL-USD"], "BTC"),
    (["--horizons", "a,b"], "--horizons"),
    (["--n-draws", "0"], "n_draws"),
])
def test_bad_input_exits_2_naming_the_value(capsys: pytest.CaptureFixture[str], argv: list[str], word: str) -> None:
    assert main(["altseason", "--source", "demo", *argv, "--json"]) == 2
    assert word in capsys.readouterr().err
