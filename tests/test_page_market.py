"""Market page on the real CSV folder: series that stop early are measured to their own last close
and flagged; tables show readable headers and no "None"; formatters never show "-0.0"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.data import load_prices
from core.performance import staleness, trailing_returns
from tests.conftest import REPO
from ui.common import display_frame, fmt_pct, header_label


@pytest.fixture(scope="module")
def real_app(market_dir) -> AppTest:
    mp = pytest.MonkeyPatch()
    mp.delenv("SCX_DATA_SOURCE", raising=False)
    mp.setenv("SCX_DATA_DIR", str(market_dir))
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("ui/pages/market.py").run()
    mp.undo()
    assert not at.exception, at.exception
    return at


def test_stale_series_flagged_and_measured_to_their_own_last_close(real_app: AppTest, market_dir) -> None:
    table = real_app.dataframe[0].value
    tickers = list(table.index)
    closes = load_prices(tickers, source="csv", data_dir=market_dir).closes
    stale = staleness(closes)
    late = list(stale.index[stale["stale"]])
    assert "SOL-USDT" in late and "IWM" not in late  # the USDT files stop months before the equities
    # every 1w return is a real move, not the +0.0 % of a last close compared with itself
    assert (table["1w"].abs() > 0).all()
    assert table.loc["SOL-USDT", "Last date"] == trailing_returns(closes).loc["SOL-USDT", "last_date"]
    warning = " ".join(w.value for w in real_app.warning)
    assert f"{len(late)} of {len(tickers)} series end before the others" in warning and "SOL-USDT" in warning
    quality = real_app.dataframe[2].value
    assert "Ends early" in quality.columns and "Days behind" in quality.columns
    assert bool(quality.loc["SOL-USDT", "Ends early"]) and not bool(quality.loc["IWM", "Ends early"])
    # the volatility table has a number for every series (was None for the stale ones)
    assert real_app.dataframe[1].value["21d"].notna().all()
    # any cell still missing reads "–", not Streamlit's default "None"
    assert all(df.proto.placeholder == "–" for df in real_app.dataframe)


def test_fmt_pct_never_shows_a_negative_zero() -> None:
    for x in (-0.0001, -0.0004999, -0.0, 0.0, 0.0001):
        assert fmt_pct(x) == "0.0%"
    assert "-" not in fmt_pct(-0.0001) and "−" not in fmt_pct(-0.0001)
    assert fmt_pct(-0.0005) == "-0.1%" and fmt_pct(0.034) == "+3.4%" and fmt_pct(np.nan) == "–"
    assert fmt_pct(-0.00001, digits=2) == "0.00%" and fmt_pct(-0.0001, digits=2) == "-0.01%"


def test_display_frame_headers_and_missing_cells() -> None:
    df = pd.DataFrame(
        {"1w": [-0.00001, 0.05, np.nan], "last_date": [pd.Timestamp("2024-01-02"), pd.NaT, None],
         "max_abs_daily_log_return": [0.1, 0.2, 0.3], "note": ["a", None, "c"]},
        index=pd.Index(["A", "B", "C"], name="ticker"),
    )
    html = display_frame(df, {"1w": "{:+.1%}"}).to_html()
    assert "None" not in html and "nan" not in html and "NaT" not in html
    assert "-0.0%" not in html and ">0.0%<" in html and "+5.0%" in html and "2024-01-02" in html
    assert "Largest daily move (log)" in html and "Last date" in html and "Ticker" in html
    assert "last_date" not in html
    assert header_label("hit_rate_event") == "Hit rate event" and header_label("YTD") == "YTD"
