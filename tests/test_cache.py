"""On-disk cache: round trip, atomic writes, corrupt files reported and ignored."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from core.data import DataError, default_cache_dir, load_prices, read_cache, write_cache


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
