"""``python -m core data --json``: the output contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from core.__main__ import main
from tests.conftest import REPO


def _run(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_csv_folder_contract(capsys, market_dir):
    out = _run(capsys, "data", "--source", "csv", "--data-dir", str(market_dir),
               "--tickers", "IWM,SPY,BTC-USD,^RUT,SOL-USDT", "--json")
    assert set(out) >= {"tickers", "warnings"}
    expected = {
        "IWM": ("2000-05-26", "2026-08-21", 6598),
        "SPY": ("1993-01-29", "2026-08-21", 8448),
        "BTC-USD": ("2014-09-17", "2026-08-20", 4356),
        "^RUT": ("1987-09-10", "2026-02-23", 9686),
        "SOL-USDT": ("2020-08-11", "2026-03-13", 2041),
    }
    for t, (first, last, rows) in expected.items():
        assert out["tickers"][t] == {"source": "csv", "first": first, "last": last, "rows": rows}
        assert rows == len(pd.read_csv(market_dir / f"{t.lstrip('^')}.csv"))
    assert out["warnings"] == []
    assert out["is_demo"] is False and out["fallback"] is False


def test_demo_with_dates_and_unknown_ticker(capsys):
    out = _run(capsys, "data", "--source", "demo", "--tickers", "IWM,BTC-USD,NOPE",
               "--start", "2020-01-01", "--end", "2020-12-31", "--json")
    assert out["tickers"]["IWM"]["first"] >= "2020-01-01" and out["tickers"]["IWM"]["last"] <= "2020-12-31"
    assert out["tickers"]["BTC-USD"]["rows"] == 366
    assert any("NOPE" in w for w in out["warnings"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "csv", "--data-dir", "/definitely/not/here"], "CSV folder not found"),
        (["--source", "demo", "--tickers", "BAD/../X"], "invalid ticker"),
        (["--source", "demo", "--start", "2021-01-01", "--end", "2020-01-01"], "after end"),
        (["--source", "demo", "--start", "1000-01-01"], "start date 1000-01-01 is outside 1900-01-01..2100-12-31"),
        (["--source", "demo", "--end", "9999-12-31"], "end date 9999-12-31 is outside 1900-01-01..2100-12-31"),
        (["--source", "demo", "--end", "2020-02-30"], "end date '2020-02-30' is not a date (use YYYY-MM-DD)"),
        (["--source", "demo", "--start", "yesterday"], "start date 'yesterday' is not a date (use YYYY-MM-DD)"),
    ],
)
def test_bad_input_exits_2_with_message(capsys, argv, message):
    assert main(["data", *argv, "--json"]) == 2
    assert message in capsys.readouterr().err


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "core", "data", "--source", "demo", "--tickers", "IWM", "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tickers"]["IWM"]["source"] == "demo"


def test_out_of_range_start_exits_2_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "core", "data", "--source", "demo", "--tickers", "IWM",
                           "--start", "1000-01-01", "--json"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: start date 1000-01-01 is outside 1900-01-01..2100-12-31\n"
