"""AppTest of the landing page: the default page, its cards equal core's verdicts, missing files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.claims import CLAIMS, NOT_TESTABLE, VERDICT_LABELS, claim_tickers
from core.data import list_csv_tickers, load_prices
from core.overview import QUESTION, overview
from core.regime_fit import STATE_NAMES
from tests.conftest import REPO

BADGE = re.compile(r"^:\w+-badge\[:material/\w+: (.+)\]$")


def _open(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> AppTest:
    if folder is not None:
        monkeypatch.delenv("SCX_DATA_SOURCE", raising=False)
        monkeypatch.setenv("SCX_DATA_DIR", str(folder))
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _badges(at: AppTest) -> list[str]:
    return [m.group(1) for m in (BADGE.match(md.value) for md in at.markdown) if m]


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_default_page_answers_with_core_verdicts(monkeypatch: pytest.MonkeyPatch, market_dir: Path) -> None:
    at = _open(monkeypatch, market_dir)
    assert at.title[0].value == QUESTION  # the landing page is the default
    assert not at.error
    prices = load_prices(["IWM", "SPY", *claim_tickers(list_csv_tickers(market_dir))], source="csv",
                         data_dir=str(market_dir))
    o = overview(prices, "IWM", "SPY", regime=False)
    # the cards are laid out in three columns; each card shows its verdict and n
    shown = _badges(at)
    assert sorted(shown) == sorted(VERDICT_LABELS[v.verdict] for v in o.verdicts)
    captions = " | ".join(_captions(at))
    for v in o.verdicts:
        assert f"n = {v.n} · " in captions, v.id
    info = " ".join(x.value for x in [*at.info, *at.warning])
    assert "Short answer." in info and o.answer.split(".")[0] in info
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Last breakout"] == "2025-09-18"
    assert metrics["BTC/IWM corr., 90d"] == f"{o.corr_today:.2f}"
    assert metrics["IWM > SPY, sessions"] == str(o.streak.length)
    assert metrics["Altcoin season index"] == f"{o.altseason.current.index:.0f} / 100"
    assert metrics["Regime (fitted)"] in STATE_NAMES[2] + STATE_NAMES[3]


def test_missing_files_show_not_testable_and_the_other_verdicts(
    monkeypatch: pytest.MonkeyPatch, market_dir: Path, tmp_path: Path
) -> None:
    for name in ("IWM.csv", "SPY.csv", "BTC-USD.csv"):  # no ^RUT, ^GSPC or ETH files
        (tmp_path / name).symlink_to(market_dir / name)
    at = _open(monkeypatch, tmp_path)
    assert not at.error
    shown = _badges(at)
    assert len(shown) == len(CLAIMS)
    assert "Not testable" in shown and {"Supported", "Contradicted"} & set(shown)
    text = " ".join(md.value for md in at.markdown)
    assert "needs ETH" in text


def test_demo_data_judges_no_claim_and_market_is_still_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(monkeypatch, None)  # conftest: the offline demo
    assert at.title[0].value == QUESTION
    assert set(_badges(at)) == {VERDICT_LABELS[NOT_TESTABLE]}
    assert any("synthetic" in w.value.lower() for w in at.warning)
    at.switch_page("ui/pages/market.py").run()
    assert not at.exception and at.title[0].value == "Market"
