"""``python -m core streaks`` and ``breakouts``, run in-process; the JSON contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.__main__ import main

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_streaks_csv_contract(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    data = _run(
        capsys,
        [
            "streaks",
            "--source",
            "csv",
            "--data-dir",
            str(market_dir),
            "--leader",
            "IWM",
            "--laggard",
            "SPY",
            "--top",
            "5",
            "--json",
        ],
    )
    streaks = data["streaks"]
    assert len(streaks) == 5
    for s in streaks:
        assert set(s) == {"start", "end", "length", "leader_return", "laggard_return"}
        assert DATE.match(s["start"]) and DATE.match(s["end"]) and s["start"] <= s["end"]
        # decimals, and the leader won every session so it compounds to more
        assert s["leader_return"] > s["laggard_return"] and abs(s["leader_return"]) < 1
    lengths = [s["length"] for s in streaks]
    assert lengths == sorted(lengths, reverse=True)
    for a, b in zip(streaks, streaks[1:], strict=False):
        if a["length"] == b["length"]:
            assert a["end"] > b["end"]  # ties: most recent first
    assert streaks[0] == {
        "start": "2026-01-02",
        "end": "2026-01-22",
        "length": 14,
        "leader_return": pytest.approx(0.095994, abs=1e-6),
        "laggard_return": pytest.approx(0.010353, abs=1e-6),
    }
    cur = data["current"]
    assert {"length", "start", "end", "leader_return", "laggard_return", "longest_since"} <= set(
        cur
    )
    assert cur["last_session"] == "2026-08-21" == data["last_session"]
    assert data["n_wins"] <= data["n_sessions"]


def test_streaks_dates_and_weekly(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    data = _run(
        capsys,
        [
            "streaks",
            "--source",
            "csv",
            "--data-dir",
            str(market_dir),
            "--leader",
            "RUT",
            "--laggard",
            "GSPC",
            "--start",
            "2025-01-01",
            "--end",
            "2025-12-31",
            "--top",
            "3",
            "--weekly",
        ],
    )
    assert data["frequency"] == "W"
    assert all("2025-01-01" <= s["start"] <= s["end"] <= "2025-12-31" for s in data["streaks"])


def test_streaks_demo(capsys: pytest.CaptureFixture[str]) -> None:
    data = _run(
        capsys, ["streaks", "--source", "demo", "--leader", "IWM", "--laggard", "SPY", "--json"]
    )
    assert len(data["streaks"]) == 10
    cur = data["current"]
    if cur["length"]:  # a current streak runs to the last session
        assert cur["end"] == data["last_session"] and cur["start"] <= cur["end"]
    else:
        assert cur["start"] is None and cur["end"] is None
    assert data["streaks"][0]["length"] >= cur["length"]
    assert "synthetic" in data["source"]


def test_streaks_errors_exit_2(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    assert main(["streaks", "--source", "demo", "--top", "0"]) == 2
    assert "--top" in capsys.readouterr().err
    assert (
        main(["streaks", "--source", "csv", "--data-dir", str(market_dir), "--leader", "NOPE"]) == 2
    )
    assert "NOPE" in capsys.readouterr().err


def test_breakouts_csv_contract(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    def argv(base: int = 250, seed: int = 3, n_boot: int = 300) -> list[str]:
        return [
            "breakouts",
            "--source",
            "csv",
            "--data-dir",
            str(market_dir),
            "--ticker",
            "IWM",
            "--base",
            str(base),
            "--seed",
            str(seed),
            "--n-boot",
            str(n_boot),
            "--json",
        ]

    data = _run(capsys, argv())
    dates = [e["date"] for e in data["events"]]
    assert "2016-11-14" in dates and "2020-11-13" in dates
    assert data["n_events"] == len(dates)
    for e in data["events"]:
        assert (
            e["close"] > e["prior_high"] and e["base_sessions"] >= 250 and e["base_drawdown"] <= 0
        )
    study = data["event_study"]
    # the basket is every crypto but BTC (core.roles): ETH-USD has a file, the others fall back to -USDT
    assert study["eth"] == "ETH-USD" and study["alts"][0] == "ETH-USD"
    assert len(study["alts"]) > 1 and all(a.endswith("-USDT") for a in study["alts"][1:])
    table = study["table"]
    assets = {r["asset"] for r in table}
    assert assets == {"BTC-USD", "ETH-USD", "basket", "basket vs BTC"}
    assert {r["horizon"] for r in table} == {21, 63, 126, 252}
    for r in table:
        assert 0 <= r["n_events"] <= r["n_dated"] <= len(dates)
        if r["n_events"]:
            assert 0 < r["p_value"] <= 1 and r["p_method"] in ("exact", "monte carlo")
        else:
            assert r["p_value"] is None and r["p_method"] is None
        # no "95 %" interval from fewer than 5 events: null in the JSON
        if r["n_events"] < 5:
            assert r["ci_low"] is None and r["ci_high"] is None and r["few_events"] is True
        else:
            assert r["ci_low"] <= r["ci_high"] and r["few_events"] is False
    # same seed, same numbers; another seed moves the random parts only
    again = _run(capsys, argv())
    assert again["event_study"]["table"] == table
    other = _run(capsys, argv(seed=4))
    assert [r["mean_event"] for r in other["event_study"]["table"]] == [
        r["mean_event"] for r in table
    ]
    # a shorter base finds at least as many breakouts
    short = _run(capsys, argv(base=60, n_boot=50))
    assert short["n_events"] >= data["n_events"]


def test_breakouts_demo(capsys: pytest.CaptureFixture[str]) -> None:
    data = _run(
        capsys,
        ["breakouts", "--source", "demo", "--ticker", "IWM", "--base", "60", "--n-boot", "100"],
    )
    assert data["event_study"]["btc"] == "BTC-USD"
    assert len(data["event_study"]["table"]) == 16
    assert all(DATE.match(e["date"]) for e in data["events"])


def test_breakouts_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["breakouts", "--source", "demo", "--base", "0", "--n-boot", "10"]) == 2
    assert "base" in capsys.readouterr().err
    assert main(["breakouts", "--source", "demo", "--horizons", "21,x"]) == 2
    assert "21,x" in capsys.readouterr().err

