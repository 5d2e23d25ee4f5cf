"""On-disk cache: round trip, atomic writes, corrupt files reported and ignored."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from core.data import (
    CACHE_FRESH_SECONDS,
    DataError,
    default_cache_dir,
    load_prices,
    read_cache,
    write_cache,
)
from core.tickers import TickerError


def _closes() -> pd.Series:
    idx = pd.date_range("2024-01-01", periods=10, freq="D", name="date")
    return pd.Series(np.linspace(100, 110, 10) + 1 / 3, index=idx)


def test_round_trip(tmp_path):
    s = _closes()
    path = write_cache(tmp_path, "^RUT", s, fetched_at=1_700_000_000.0)
    assert path.name == "RUT.csv"
    entry = read_cache(tmp_path, "^RUT")
    np.testing.assert_allclose(entry.series.to_numpy(), s.to_numpy(), rtol=1e-9)
    assert entry.fetched_at == pytest.approx(1_700_000_000.0)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "no temp files left behind"


def test_overwrite_is_atomic_replacement(tmp_path):
    write_cache(tmp_path, "IWM", _closes())
    write_cache(tmp_path, "IWM", _closes() * 2)
    assert read_cache(tmp_path, "IWM").series.iloc[0] == pytest.approx(_closes().iloc[0] * 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IWM.csv"]


@pytest.mark.parametrize("content", ["garbage", "# fetched_at=abc\ndate,close\n", "# fetched_at=1\n", ""])
def test_corrupt_cache_file_raises_data_error(tmp_path, content):
    (tmp_path / "IWM.csv").write_text(content)
    with pytest.raises(DataError, match="corrupt cache file"):
        read_cache(tmp_path, "IWM")


def test_corrupt_cache_is_reported_not_fatal(tmp_path):
    (tmp_path / "IWM.csv").write_text("garbage")
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, probe=lambda: False)
    assert prices.is_demo
    assert any("corrupt cache file" in w for w in prices.warnings)


def test_cache_source_reads_offline(tmp_path):
    write_cache(tmp_path, "IWM", _closes(), fetched_at=time.time() - 10 * 86400)
    prices = load_prices(["IWM", "SPY"], source="cache", cache_dir=tmp_path)
    assert prices.sources == {"IWM": "cache"}
    assert any("SPY: not in the cache" in w for w in prices.warnings)


def test_default_cache_dir_honours_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SCX_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()


def test_cache_of_a_short_window_is_not_served_for_a_longer_one(tmp_path):
    write_cache(tmp_path, "IWM", _closes(), start=pd.Timestamp("2024-01-01"))
    entry = read_cache(tmp_path, "IWM")
    assert entry.start == pd.Timestamp("2024-01-01")
    narrow = load_prices(["IWM"], "2024-01-03", None, source="auto", cache_dir=tmp_path, probe=lambda: False)
    assert narrow.sources == {"IWM": "cache"}  # stale-cache fallback while offline is fine
    calls = []

    def download(tickers, **kwargs):
        calls.append(kwargs)
        raise ConnectionError("offline")

    load_prices(["IWM"], "2024-01-03", None, source="auto", cache_dir=tmp_path, download=download)
    load_prices(["IWM"], "2020-01-01", None, source="auto", cache_dir=tmp_path, download=download)
    assert len(calls) == 1, "only the longer window needs a download"


@pytest.mark.parametrize(("age_hours", "downloads"), [(11.9, 0), (12.1, 1)])
def test_cache_is_fresh_for_twelve_hours(tmp_path, age_hours, downloads):
    assert CACHE_FRESH_SECONDS == 12 * 3600
    write_cache(tmp_path, "IWM", _closes(), fetched_at=time.time() - age_hours * 3600)
    calls = []

    def download(tickers, **kwargs):
        calls.append(tickers)
        raise ConnectionError("offline")

    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=download)
    assert len(calls) == downloads
    assert prices.sources == {"IWM": "cache"}  # fresh, or stale served after the failed download


def test_cache_file_name_is_the_ticker_file_stem(tmp_path):
    for ticker, name in [("^RUT", "RUT.csv"), ("btc-usd", "BTC-USD.csv"), ("ES=F", "ES=F.csv")]:
        assert write_cache(tmp_path, ticker, _closes()).name == name
        assert read_cache(tmp_path, ticker) is not None
    with pytest.raises(TickerError):
        write_cache(tmp_path, "../escape", _closes())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BTC-USD.csv", "ES=F.csv", "RUT.csv"]
