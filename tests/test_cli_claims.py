"""``python -m core claims``, run in-process: the JSON contract, core's verdicts, missing files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.__main__ import main
from core.claims import CLAIMS, NOT_TESTABLE, VERDICTS, claim_tickers
from core.commands.common import to_jsonable
from core.data import list_csv_tickers, load_prices
from core.overview import QUESTION, overview

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIELDS = {"id", "quote", "source", "date", "verdict", "reason", "n", "numbers", "proxy", "window"}


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.fixture(scope="module")
def real_json(market_dir: Path) -> dict:
    from io import StringIO
    from unittest.mock import patch

    buf = StringIO()
    with patch("sys.stdout", buf):
        code = main(["claims", "--source", "csv", "--data-dir", str(market_dir), "--n-boot", "500", "--json"])
    assert code == 0
    return json.loads(buf.getvalue())


def test_claims_contract(real_json: dict) -> None:
    assert real_json["question"] == QUESTION
    claims = real_json["claims"]
    assert [c["id"] for c in claims] == [c.id for c in CLAIMS]
    for c in claims:
        assert FIELDS <= set(c)
        assert c["verdict"] in VERDICTS and c["reason"]
        assert DATE.match(c["date"]) and isinstance(c["n"], int) and isinstance(c["numbers"], dict)
    assert real_json["counts"] == {k: sum(c["verdict"] == k for c in claims) for k in VERDICTS}
    event = {c["id"]: c for c in claims if "robustness" in c}
    assert set(event) == {"breakouts_2016_2020_btc_bull", "breakouts_altcoin_rallies",
                          "spread_5pct_alt_dominance_rises"}
    grid = event["spread_5pct_alt_dominance_rises"]["robustness"]["grid"]
    assert len(grid) == 36 and {"proxy", "threshold", "window", "horizon", "n_events", "effect", "p_value",
                                "q_value", "significant"} <= set(grid[0])


def test_claims_json_equals_core(real_json: dict, market_dir: Path) -> None:
    prices = load_prices(["IWM", "SPY", *claim_tickers(list_csv_tickers(market_dir))], source="csv",
                         data_dir=str(market_dir))
    o = overview(prices, "IWM", "SPY", n_boot=500, regime=False)
    by_id = {c["id"]: c for c in real_json["claims"]}
    for v in o.verdicts:
        c = by_id[v.id]
        assert (c["verdict"], c["reason"], c["n"], c["proxy"], c["window"]) == (
            v.verdict, v.reason, v.n, v.proxy, v.window)
        assert c["numbers"] == to_jsonable(dict(v.numbers))
    assert by_id["streak_10_longest_since_1990"]["numbers"]["reached_on"] == "2026-01-15"
    today = real_json["today"]
    assert today["russell"] == "IWM" and today["last_breakout"] == "2025-09-18"
    assert today["correlation"]["value"] == pytest.approx(o.corr_today)
    assert 0 <= today["correlation"]["percentile"] <= 1 and today["correlation"]["asset"] == "BTC-USD"
    assert today["altseason"]["label"].endswith("survivorship-biased (today's survivors)")
    regime = today["regime"]
    assert regime["ticker"] == "IWM" and regime["date"] == "2026-08-21"
    assert regime["state"] in regime["probabilities"]
    assert regime["probability"] == pytest.approx(max(regime["probabilities"].values()))
    assert sum(regime["probabilities"].values()) == pytest.approx(1.0)


def test_missing_files_make_claims_not_testable_and_the_rest_run(
    capsys: pytest.CaptureFixture[str], market_dir: Path, tmp_path: Path
) -> None:
    for name in ("IWM.csv", "SPY.csv", "BTC-USD.csv"):  # no RUT.csv, no GSPC.csv, no ETH
        (tmp_path / name).symlink_to(market_dir / name)
    data = _run(capsys, ["claims", "--source", "csv", "--data-dir", str(tmp_path), "--n-boot", "200",
                         "--no-grid", "--no-regime", "--json"])
    by_id = {c["id"]: c for c in data["claims"]}
    assert len(by_id) == len(CLAIMS)
    eth = by_id["eth_russell_correlation_07"]
    assert eth["verdict"] == NOT_TESTABLE and "ETH" in eth["reason"]
    ten = by_id["streak_10_longest_since_1990"]  # IWM/SPY start in 2000/1993: cannot say "since 1990"
    assert ten["verdict"] == NOT_TESTABLE and "after 1990" in ten["reason"]
    nine = by_id["streak_9_longest_since_2017"]
    assert nine["verdict"] != NOT_TESTABLE and nine["proxy"] == "IWM/SPY"
    assert by_id["breakouts_altcoin_rallies"]["verdict"] == NOT_TESTABLE
    assert by_id["small_caps_lead_crypto"]["verdict"] != NOT_TESTABLE
    assert all("grid" not in c.get("robustness", {}) for c in data["claims"])
    assert data["today"]["regime"] is None


def test_bad_n_boot_exits_2_naming_the_value(capsys: pytest.CaptureFixture[str], market_dir: Path) -> None:
    code = main(["claims", "--source", "csv", "--data-dir", str(market_dir), "--n-boot", "5"])
    err = capsys.readouterr().err
    assert code == 2 and "--n-boot" in err and "5" in err
