"""Yahoo source: yfinance mocked at ``download`` with frames shaped like real 1.x output."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from core.data import (
    PROBE_TIMEOUT_SECONDS,
    DataError,
    YahooRateLimited,
    YahooUnavailable,
    extract_closes,
    fetch_yahoo,
    load_prices,
    read_cache,
    reset_rate_limit_cooldown,
    write_cache,
    yahoo_reachable,
)
from core.data import _yahoo as yahoo_mod
from tests.yf_frames import (
    business_days,
    calendar_days,
    download_frame,
    failed_frame,
    history_frame,
)


@pytest.fixture(autouse=True)
def _no_cooldown():
    """The rate-limit cooldown is process-wide: every test starts and ends without one."""
    reset_rate_limit_cooldown()
    yield
    reset_rate_limit_cooldown()


def _series(index: pd.DatetimeIndex, start: float, step: float) -> pd.Series:
    return pd.Series(start * np.exp(step * np.arange(len(index))), index=index)


IWM = _series(business_days("2024-01-02", 30), 200.0, 0.001)
BTC = _series(calendar_days("2024-01-01", 42), 40000.0, 0.002)


class FakeDownload:
    """Callable stand-in for ``yfinance.download`` that records its calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple] = []

    def __call__(self, tickers, **kwargs):
        self.calls.append((tuple(tickers), kwargs))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer()
        return answer


def good_frame() -> pd.DataFrame:
    return download_frame({"IWM": history_frame(IWM), "BTC-USD": history_frame(BTC)})


@pytest.mark.parametrize("bad", [False, True])
def test_fake_frame_matches_real_download_pipeline(monkeypatch, bad):
    """Our fake frames equal what yfinance's own download() builds from Ticker.history."""
    series = {"IWM": IWM, "BTC-USD": BTC}

    class FakeTicker:
        def __init__(self, ticker):
            self.ticker = ticker
            self._price_history = None

        def history(self, **kwargs):
            if self.ticker not in series:
                raise ValueError(f"${self.ticker}: possibly delisted; no price data found")
            return history_frame(series[self.ticker])

    monkeypatch.setattr(yf.multi, "Ticker", FakeTicker)
    names = ["IWM", "BTC-USD"] + (["NOPE-XYZ"] if bad else [])
    real = yf.download(names, progress=False, threads=False)
    per = {"IWM": history_frame(IWM), "BTC-USD": history_frame(BTC)}
    if bad:
        per["NOPE-XYZ"] = failed_frame()
    expected = download_frame(per)
    pd.testing.assert_frame_equal(real, expected[real.columns])
    assert sorted(real.columns) == sorted(expected.columns)
    assert real.columns.names == ["Price", "Ticker"]


def test_extract_two_level_columns_and_weekend_nans():
    closes = extract_closes(good_frame(), ["IWM", "BTC-USD"])
    pd.testing.assert_series_equal(closes["BTC-USD"], BTC.rename_axis("date"), check_names=False, check_freq=False)
    # IWM has NaN on weekends in the union index: those rows are dropped from its series.
    assert len(closes["IWM"]) == len(IWM)
    assert closes["IWM"].index.name == "date"


def test_extract_prefers_adj_close_when_present():
    frame = good_frame()
    adj = frame[("Close", "IWM")] * 0.9
    frame[("Adj Close", "IWM")] = adj
    frame = frame.sort_index(axis=1)
    closes = extract_closes(frame, ["IWM"])
    np.testing.assert_allclose(closes["IWM"].to_numpy(), adj.dropna().to_numpy())


def test_extract_single_ticker_flat_columns_and_tz_aware_index():
    h = history_frame(IWM, tz="America/New_York")
    closes = extract_closes(h, ["IWM"])
    assert closes["IWM"].index.tz is None
    assert closes["IWM"].index[0] == pd.Timestamp("2024-01-02")


def test_bad_ticker_is_reported_by_name(tmp_path):
    frame = download_frame({"IWM": history_frame(IWM), "NOPE-XYZ": failed_frame()})
    # A failed ticker brings its own all-NaN columns, 'Adj Close' included, as in yfinance.
    assert ("Adj Close", "NOPE-XYZ") in frame.columns and ("Adj Close", "IWM") not in frame.columns
    fake = FakeDownload(frame)
    prices = load_prices(["IWM", "NOPE-XYZ"], source="yahoo", cache_dir=tmp_path, download=fake)
    assert list(prices.closes.columns) == ["IWM"]
    assert prices.sources == {"IWM": "yahoo"}
    assert any("NOPE-XYZ" in w for w in prices.warnings)
    assert prices.missing == ("NOPE-XYZ",)


def test_offline_empty_frame_falls_back_to_demo_in_auto(tmp_path):
    offline = download_frame({"IWM": failed_frame(), "BTC-USD": failed_frame()})
    assert offline.shape == (0, 12)

    def noisy():
        logging.getLogger("yfinance").error("['IWM', 'BTC-USD']: DNSError('Could not resolve host')")
        return offline

    fake = FakeDownload(noisy)
    sleeps: list[float] = []
    prices = load_prices(["IWM", "BTC-USD"], source="auto", cache_dir=tmp_path, download=fake, sleep=sleeps.append)
    assert prices.is_demo and prices.label == "synthetic demo data"
    assert len(fake.calls) == 1, "a network failure that is not a rate limit is not retried"
    assert sleeps == [], "and not waited for"
    assert any("unavailable" in w.lower() for w in prices.warnings)


def test_yahoo_source_raises_when_offline(tmp_path):
    sleeps: list[float] = []
    fake = FakeDownload(ConnectionError("no route"))
    with pytest.raises(YahooUnavailable, match="Yahoo Finance unavailable: ConnectionError: no route"):
        load_prices(["IWM"], source="yahoo", cache_dir=tmp_path, download=fake, sleep=sleeps.append)
    assert len(fake.calls) == 1 and sleeps == []


def test_yahoo_source_rate_limited_throughout_backs_off_then_raises(tmp_path):
    sleeps: list[float] = []
    fake = FakeDownload(YFRateLimitError())
    with pytest.raises(YahooRateLimited, match="YFRateLimitError"):
        load_prices(["IWM"], source="yahoo", cache_dir=tmp_path, download=fake, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0], "load_prices hands its sleep to the backoff"
    assert len(fake.calls) == 3


def test_rate_limit_is_retried_with_backoff_then_succeeds():
    sleeps: list[float] = []
    fake = FakeDownload(YFRateLimitError(), YFRateLimitError(), good_frame())
    got, empty, warnings, limited = fetch_yahoo(["IWM", "BTC-USD"], None, None, download=fake, sleep=sleeps.append)
    assert set(got) == {"IWM", "BTC-USD"} and not empty and not limited and not warnings
    assert sleeps == [1.0, 2.0]
    assert len(fake.calls) == 3


def test_rate_limit_logged_by_download_counts_too():
    def limited():
        logging.getLogger("yfinance").error("['IWM']: YFRateLimitError('Too Many Requests. Rate limited.')")
        return download_frame({"IWM": failed_frame()})

    sleeps: list[float] = []
    with pytest.raises(YahooUnavailable, match="Too Many Requests"):
        fetch_yahoo(["IWM"], None, None, download=FakeDownload(limited), sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]


def test_rate_limit_in_auto_serves_stale_cache(tmp_path):
    write_cache(tmp_path, "IWM", IWM, fetched_at=time.time() - 3 * 86400)
    fake = FakeDownload(YFRateLimitError())
    sleeps: list[float] = []
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0], "backed off 1 s then 2 s between the three attempts"
    assert len(fake.calls) == 3
    assert prices.sources == {"IWM": "cache"}
    assert not prices.is_demo
    assert "IWM: served from the cache, 3.0 days old (Yahoo did not answer for it)" in prices.warnings
    assert prices.fallback
    np.testing.assert_allclose(prices.closes["IWM"].dropna().to_numpy(), IWM.to_numpy(), rtol=1e-9)


def test_fresh_cache_is_served_without_network(tmp_path):
    write_cache(tmp_path, "IWM", IWM)
    fake = FakeDownload(AssertionError("network must not be called"))
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake)
    assert prices.sources == {"IWM": "cache"} and not fake.calls


def test_successful_download_is_cached_and_dates_forwarded(tmp_path):
    fake = FakeDownload(good_frame())
    prices = load_prices(["IWM", "BTC-USD"], "2024-01-01", "2024-02-11", source="yahoo",
                         cache_dir=tmp_path, download=fake)
    assert prices.sources == {"IWM": "yahoo", "BTC-USD": "yahoo"}
    _, kwargs = fake.calls[0]
    assert kwargs["start"] == "2024-01-01" and kwargs["end"] == "2024-02-12"  # Yahoo's end is exclusive
    assert kwargs["auto_adjust"] is True
    entry = read_cache(tmp_path, "BTC-USD")
    np.testing.assert_allclose(entry.series.to_numpy(), BTC.to_numpy(), rtol=1e-9)


def test_offline_probe_skips_download(tmp_path):
    fake = FakeDownload(AssertionError("must not be called"))
    probes: list[None] = []

    def offline() -> bool:
        probes.append(None)
        return False

    sleeps: list[float] = []
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, probe=offline,
                         sleep=sleeps.append)
    assert prices.is_demo and not fake.calls and sleeps == []
    assert len(probes) == 1
    assert "Yahoo Finance unreachable (offline?)" in prices.warnings


def test_real_offline_start_is_fast(tmp_path, monkeypatch):
    """With no network: one connection attempt bounded by the probe timeout, no download, no
    backoff, the demo served; the negative answer is remembered, so the next load tries nothing."""
    monkeypatch.setattr(yahoo_mod, "_probe_state", {})
    attempts: list[tuple] = []

    def unreachable(address, timeout=None, *args, **kwargs):
        attempts.append((address, timeout))
        raise OSError("network unreachable")

    def no_download(*args, **kwargs):
        raise AssertionError("yfinance.download must not be called when the probe says offline")

    monkeypatch.setattr(yahoo_mod.socket, "create_connection", unreachable)
    monkeypatch.setattr(yf, "download", no_download)
    sleeps: list[float] = []
    prices = load_prices(["IWM", "BTC-USD"], source="auto", cache_dir=tmp_path, sleep=sleeps.append)
    assert prices.is_demo and sleeps == []
    assert attempts == [(("query2.finance.yahoo.com", 443), PROBE_TIMEOUT_SECONDS)]
    assert PROBE_TIMEOUT_SECONDS < 1.0
    load_prices(["IWM"], source="auto", cache_dir=tmp_path, sleep=sleeps.append)
    assert len(attempts) == 1, "a negative probe is remembered"


def test_probe_gives_up_on_a_hanging_connection(monkeypatch):
    """A connection that never answers is abandoned after ``timeout``: the probe says offline."""
    monkeypatch.setattr(yahoo_mod, "_probe_state", {})
    release = threading.Event()
    seen: list[float] = []

    def hang(address, timeout=None, *args, **kwargs):
        seen.append(timeout)
        release.wait(5.0)  # a DNS lookup that hangs
        raise OSError("too late")

    monkeypatch.setattr(yahoo_mod.socket, "create_connection", hang)
    try:
        assert yahoo_reachable(timeout=0.05) is False
        assert seen == [0.05]
        assert yahoo_mod._probe_state["ok"] is False
    finally:
        release.set()


def test_invalid_ticker_rejected_before_any_request(tmp_path):
    fake = FakeDownload(AssertionError("must not be called"))
    with pytest.raises(DataError, match=r"\.\./etc"):
        load_prices(["../etc/passwd"], source="yahoo", cache_dir=tmp_path, download=fake)
    assert not fake.calls
