"""CSV folder and upload sources, read against the real files in ../shared/data/market."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import DataError, list_csv_tickers, load_prices, parse_price_csv, parse_uploaded_csv

# (ticker asked for, file, rows, first, last) from PROVENANCE.md.
REAL_FILES = [
    ("IWM", "IWM.csv", 6598, "2000-05-26", "2026-08-21"),
    ("SPY", "SPY.csv", 8448, "1993-01-29", "2026-08-21"),
    ("BTC-USD", "BTC-USD.csv", 4356, "2014-09-17", "2026-08-20"),
    ("^RUT", "RUT.csv", 9686, "1987-09-10", "2026-02-23"),
    ("SOL-USDT", "SOL-USDT.csv", 2041, "2020-08-11", "2026-03-13"),
]


@pytest.mark.parametrize(("ticker", "fname", "rows", "first", "last"), REAL_FILES)
def test_real_csv_every_row(market_dir, ticker, fname, rows, first, last):
    prices = load_prices([ticker], source="csv", data_dir=market_dir)
    s = prices.closes[ticker].dropna()
    assert len(s) == rows
    assert s.index[0] == pd.Timestamp(first) and s.index[-1] == pd.Timestamp(last)
    # Independent read: the raw file's close column, value for value.
    raw = pd.read_csv(market_dir / fname, float_precision="round_trip")
    assert (s.to_numpy() == raw["close"].to_numpy()).all()
    assert prices.sources[ticker] == "csv"


def test_adjusted_close_is_preferred(market_dir):
    closes, warnings = parse_price_csv((market_dir / "alt" / "IWM_adjusted_yahoo.csv").read_bytes(), "IWM")
    raw = pd.read_csv(market_dir / "alt" / "IWM_adjusted_yahoo.csv", float_precision="round_trip")
    assert (closes.to_numpy() == raw["adj_close"].to_numpy()).all() and not warnings


def test_yahoo_capitalized_format_with_adj_close():
    text = (
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-03,10,11,9,10.5,10.0,100\n"
        "2024-01-02,10,11,9,10.2,9.7,100\n"
    )
    s, _ = parse_price_csv(text, "X.csv")
    assert list(s.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert list(s) == [9.7, 10.0]


def _write_closes(path, first_close: float) -> None:
    path.write_text(f"date,close\n2024-01-02,{first_close}\n2024-01-03,{first_close + 1}\n")


def test_listing_is_exact_and_every_listed_ticker_loads_its_own_file(tmp_path):
    # Hand-made folder: odd cases, a bad name, a non-CSV and a sub-folder (not searched).
    files = {"IWM.csv": 1.0, "rut.csv": 2.0, "^GSPC.csv": 3.0, "SOL-USDT.csv": 4.0, "bad name.csv": 5.0}
    for name, first in files.items():
        _write_closes(tmp_path / name, first)
    (tmp_path / "notes.txt").write_text("not a price file")
    (tmp_path / "alt").mkdir()
    _write_closes(tmp_path / "alt" / "SPY.csv", 6.0)
    listed = list_csv_tickers(tmp_path)
    # One ticker per valid *.csv file, in file-name order, normalized to upper case.
    assert listed == ["IWM", "SOL-USDT", "^GSPC", "RUT"]
    prices = load_prices(listed, source="csv", data_dir=tmp_path)
    assert prices.missing == () and prices.warnings == ()
    # Each ticker was read from the file it was listed from (told apart by its first close).
    assert prices.closes.iloc[0].to_dict() == {"IWM": 1.0, "SOL-USDT": 4.0, "^GSPC": 3.0, "RUT": 2.0}


def test_caret_and_case_map_to_the_same_file(tmp_path, market_dir):
    _write_closes(tmp_path / "rut.csv", 2.0)
    prices = load_prices(["^RUT", "RUT", "rut"], source="csv", data_dir=tmp_path)
    assert list(prices.closes.columns) == ["^RUT", "RUT"]  # "rut" is "RUT" once normalized
    assert prices.closes["^RUT"].tolist() == prices.closes["RUT"].tolist() == [2.0, 3.0]
    both = load_prices(["^RUT", "RUT"], source="csv", data_dir=market_dir)
    assert (both.closes["^RUT"].dropna() == both.closes["RUT"].dropna()).all()
    assert both.closes["RUT"].count() == 9686  # RUT.csv, every row


def test_a_coin_under_another_quote_is_missing_not_guessed(tmp_path):
    """Choosing SOL-USDT for SOL-USD is core.roles.match_coins's job, not the loader's."""
    _write_closes(tmp_path / "SOL-USDT.csv", 4.0)
    _write_closes(tmp_path / "IWM.csv", 1.0)
    prices = load_prices(["IWM", "SOL-USD"], source="csv", data_dir=tmp_path)
    assert prices.missing == ("SOL-USD",)
    assert f"SOL-USD: no file SOL-USD.csv in the folder '{tmp_path.name}'" in prices.warnings


def test_real_folder_listing_loads_completely(market_dir):
    listed = list_csv_tickers(market_dir)
    assert len(listed) == 21  # the 21 *.csv files of PROVENANCE.md; alt/ is not searched
    assert {"IWM", "RUT", "GSPC", "BTC-USD", "BTC-USDT", "SOL-USDT"} <= set(listed)
    prices = load_prices(listed, source="csv", data_dir=market_dir)
    assert prices.missing == () and list(prices.closes.columns) == listed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("date,open\n2024-01-02,1\n", "no close column"),
        ("when,close\n2024-01-02,1\n", "no 'Date' column"),
        ("date,close\nnot-a-date,abc\n", "no valid rows"),
        ("\x00\x01garbage", "no .Date. column"),
    ],
)
def test_malformed_csv_messages_name_the_file(content, message):
    with pytest.raises(DataError, match=message) as err:
        parse_price_csv(content, "BAD.csv")
    assert "BAD.csv" in str(err.value)


def test_bad_file_in_folder_is_reported_and_others_load(tmp_path, market_dir):
    (tmp_path / "IWM.csv").write_text((market_dir / "IWM.csv").read_text())
    (tmp_path / "BTC-USD.csv").write_text("")
    prices = load_prices(["IWM", "BTC-USD", "ETH-USD"], source="csv", data_dir=tmp_path)
    assert list(prices.closes.columns) == ["IWM"]
    text = " ".join(prices.warnings)
    assert "BTC-USD.csv: file is empty" in text and "ETH-USD" in text
    assert prices.missing == ("BTC-USD", "ETH-USD")


def test_missing_folder_and_no_data_raise(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_prices(["IWM"], source="csv", data_dir=tmp_path / "nope")
    with pytest.raises(DataError, match="no data for any"):
        load_prices(["IWM"], source="csv", data_dir=tmp_path)


def test_duplicates_and_nonpositive_are_warned():
    s, warnings = parse_price_csv("date,close\n2024-01-02,1\n2024-01-02,2\n2024-01-03,-1\n2024-01-04,3\n", "d.csv")
    assert list(s) == [2.0, 3.0]
    assert any("duplicate" in w for w in warnings) and any("non-positive" in w for w in warnings)


def test_upload_wide_and_long_agree():
    wide = "date,IWM,BTC-USD\n2024-01-02,200,40000\n2024-01-03,201,\n2024-01-06,,41000\n"
    long = (
        "date,ticker,close\n2024-01-02,IWM,200\n2024-01-03,IWM,201\n"
        "2024-01-02,BTC-USD,40000\n2024-01-06,BTC-USD,41000\n"
    )
    a, _ = parse_uploaded_csv(wide)
    b, _ = parse_uploaded_csv(long)
    assert set(a) == set(b) == {"IWM", "BTC-USD"}
    for t in a:
        pd.testing.assert_series_equal(a[t], b[t])


def test_upload_errors():
    with pytest.raises(DataError, match="no 'date' column"):
        parse_uploaded_csv("x,y\n1,2\n")
    with pytest.raises(DataError, match="empty"):
        parse_uploaded_csv(b"")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False), min_size=1, max_size=40),
    st.sampled_from(["date,close", "Date,Close", "date,adj_close", "Date,Adj Close"]),
)
def test_parse_round_trip(values, header):
    dates = pd.date_range("2020-01-01", periods=len(values), freq="D")
    body = "\n".join(f"{d:%Y-%m-%d},{v!r}" for d, v in zip(dates, values, strict=True))
    s, warnings = parse_price_csv(f"{header}\n{body}\n", "h.csv")
    assert list(s.index) == list(dates) and list(s) == values and not warnings
