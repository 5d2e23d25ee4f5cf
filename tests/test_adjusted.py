"""Dividend-adjusted closes from a sibling file: the file rule, the splice, refusals, the labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.adjusted import (
    BASIS_ADJUSTED,
    BASIS_CRYPTO,
    BASIS_PARTLY,
    BASIS_PRICE,
    BASIS_SYNTHETIC,
    find_adjusted_file,
    with_adjusted_closes,
)
from core.data import load_prices

DAYS = pd.bdate_range("2024-01-01", periods=8)
PRICE = [100.0, 101.0, 99.0, 102.0, 103.0, 101.0, 104.0, 105.0]


def _write(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def _folder(tmp_path: Path, adjusted: list[float] | None, *, n_adj: int = 6, in_alt: bool = True) -> Path:
    _write(tmp_path / "IWM.csv", pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), "close": PRICE}))
    _write(tmp_path / "BTC-USD.csv", pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"),
                                                   "close": np.linspace(40e3, 41e3, 8)}))
    if adjusted is not None:
        where = tmp_path / "alt" if in_alt else tmp_path
        _write(where / "IWM_adjusted_test.csv",
               pd.DataFrame({"date": DAYS[:n_adj].strftime("%Y-%m-%d"), "adj_close": adjusted[:n_adj]}))
    return tmp_path


def test_splice_total_return_where_covered_price_return_after(tmp_path: Path) -> None:
    # a 1 % dividend on day 3: the adjusted file scales days 0-2 down by 1/1.01... factor steps there
    factor = np.array([0.98, 0.98, 0.98, 0.99, 0.99, 0.99])
    folder = _folder(tmp_path, list(np.array(PRICE[:6]) * factor))
    assert find_adjusted_file(folder, "IWM") == folder / "alt" / "IWM_adjusted_test.csv"
    prices = load_prices(["IWM", "BTC-USD"], source="csv", data_dir=folder)
    out = with_adjusted_closes(prices, folder)
    got = out.prices.closes["IWM"].to_numpy()
    # covered days: the adjusted closes; after day 5: price returns from the last adjusted close
    expected = np.r_[np.array(PRICE[:6]) * factor, 0.99 * np.array(PRICE[6:])]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    b = out.basis["IWM"]
    assert b.kind == BASIS_PARTLY and b.adjusted is True and b.file == "alt/IWM_adjusted_test.csv"
    assert b.adjusted_through == DAYS[5] and b.adjusted_from == DAYS[0]
    assert any("IWM" in w and "price returns outside" in w for w in out.prices.warnings)
    assert out.basis["BTC-USD"].kind == BASIS_CRYPTO
    pd.testing.assert_series_equal(out.prices.closes["BTC-USD"], prices.closes["BTC-USD"])
    assert "IWM: dividend-adjusted" in out.label() and "BTC" not in out.label()
    # the input is not changed
    assert prices.closes["IWM"].tolist() == PRICE


def test_whole_range_covered_is_adjusted_and_same_folder_file_is_found(tmp_path: Path) -> None:
    folder = _folder(tmp_path, [p * 0.97 for p in PRICE], n_adj=8, in_alt=False)
    out = with_adjusted_closes(load_prices(["IWM"], source="csv", data_dir=folder), folder)
    assert out.basis["IWM"].kind == BASIS_ADJUSTED and out.basis["IWM"].file == "IWM_adjusted_test.csv"
    np.testing.assert_allclose(out.prices.closes["IWM"], np.array(PRICE) * 0.97)


def test_no_file_price_only_and_adjust_off(tmp_path: Path) -> None:
    folder = _folder(tmp_path, None)
    prices = load_prices(["IWM"], source="csv", data_dir=folder)
    out = with_adjusted_closes(prices, folder)
    assert out.basis["IWM"].kind == BASIS_PRICE and out.basis["IWM"].adjusted is False
    pd.testing.assert_frame_equal(out.prices.closes, prices.closes)
    folder2 = _folder(tmp_path / "b", [p * 0.97 for p in PRICE], n_adj=8)
    off = with_adjusted_closes(load_prices(["IWM"], source="csv", data_dir=folder2), folder2, adjust=False)
    assert off.basis["IWM"].kind == BASIS_PRICE and "price closes chosen" in off.basis["IWM"].detail
    assert off.prices.closes["IWM"].tolist() == PRICE


def test_file_with_its_own_adjusted_column_is_left_alone(tmp_path: Path) -> None:
    _write(tmp_path / "IWM.csv", pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), "close": PRICE,
                                               "adj_close": [p * 0.9 for p in PRICE]}))
    prices = load_prices(["IWM"], source="csv", data_dir=tmp_path)
    out = with_adjusted_closes(prices, tmp_path)
    assert out.basis["IWM"].kind == BASIS_ADJUSTED and out.basis["IWM"].file == "IWM.csv"
    pd.testing.assert_frame_equal(out.prices.closes, prices.closes)


def test_inconsistent_adjusted_file_is_refused(tmp_path: Path) -> None:
    bad = [p * 0.98 for p in PRICE]
    bad[3] *= 0.5  # a 50 % jump in the factor is no dividend
    folder = _folder(tmp_path, bad, n_adj=8)
    out = with_adjusted_closes(load_prices(["IWM"], source="csv", data_dir=folder), folder)
    assert out.basis["IWM"].kind == BASIS_PRICE
    assert out.prices.closes["IWM"].tolist() == PRICE
    assert any("more than a dividend" in w and "2024-01-04" in w for w in out.prices.warnings)


def test_demo_source_is_labelled_synthetic() -> None:
    out = with_adjusted_closes(load_prices(["IWM", "BTC-USD"], source="demo"), None)
    assert out.basis["IWM"].kind == BASIS_SYNTHETIC and out.basis["IWM"].adjusted is None


def test_real_iwm_spy_dividends(market_dir: Path) -> None:
    prices = load_prices(["IWM", "SPY"], source="csv", data_dir=market_dir, start="2001-01-01",
                         end="2025-12-31")
    out = with_adjusted_closes(prices, market_dir)
    for t, (lo, hi) in {"IWM": (0.008, 0.02), "SPY": (0.012, 0.025)}.items():
        assert out.basis[t].kind == BASIS_ADJUSTED
        raw, adj = prices.closes[t].dropna(), out.prices.closes[t].dropna()
        years = (raw.index[-1] - raw.index[0]).days / 365.25
        yield_per_year = (np.log(adj.iloc[-1] / adj.iloc[0]) - np.log(raw.iloc[-1] / raw.iloc[0])) / years
        assert lo < yield_per_year < hi, (t, yield_per_year)
        # the adjusted file's own closes, to the digit
        alt = pd.read_csv(market_dir / "alt" / f"{t}_adjusted_yahoo.csv", parse_dates=["date"]).set_index("date")
        assert adj.loc["2020-03-16"] == pytest.approx(alt.loc["2020-03-16", "adj_close"], rel=1e-12)
