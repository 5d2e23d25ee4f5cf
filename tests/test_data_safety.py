"""Bad or partial data ends in a clear message, never a crash or a silent substitute.

One test per failure found by the safety review: tz-aware timestamps, a tiny upload,
cut cache files, future download times, dd/mm vs mm/dd and epoch dates, a read-only
cache folder, a ticker failing inside a batch, rate limits and their cooldown, the
demo fallback flag. yfinance is mocked at ``download`` with frames shaped like its
1.x output; the clock and the backoff sleep are injected (no real waiting).
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yfinance.exceptions import YFRateLimitError

from core.data import (
    RATE_LIMIT_COOLDOWN_SECONDS,
    DataError,
    YahooRateLimited,
    default_cache_dir,
    load_prices,
    parse_date_column,
    parse_price_csv,
    prices_from_upload,
    read_cache,
    reset_rate_limit_cooldown,
    write_cache,
)
from core.data import _cache as cache_mod
from tests.yf_frames import (
    business_days,
    calendar_days,
    download_frame,
    failed_frame,
    history_frame,
)

#: A fixed "now" (UNIX seconds, 2027-01-15 08:00 UTC) for every cache age below.
NOW = 1_800_000_000.0
DAY = 86400.0

IWM = pd.Series(200.0 * np.exp(0.001 * np.arange(30)), index=business_days("2024-01-02", 30))
SOL = pd.Series(100.0 * np.exp(0.003 * np.arange(42)), index=calendar_days("2024-01-01", 42))


@pytest.fixture(autouse=True)
def _no_cooldown():
    """The rate-limit cooldown is process-wide: every test starts and ends without one."""
    reset_rate_limit_cooldown()
    yield
    reset_rate_limit_cooldown()


class Recorder:
    """``yfinance.download`` stand-in: answers in turn (the last one repeats), records calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, tickers, **kwargs):
        self.calls.append(tuple(tickers))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer() if callable(answer) else answer


def _clock(t: float):
    return lambda: t


# --- tz-aware timestamps -----------------------------------------------------------------------

def test_one_tz_aware_timestamp_in_a_folder_file_keeps_the_date_as_written(tmp_path):
    (tmp_path / "IWM.csv").write_text(
        "Date,Close\n2024-01-02,10\n2024-01-03 20:00:00-05:00,11\n2024-01-04,12\n"
    )
    prices = load_prices(["IWM"], source="csv", data_dir=tmp_path)
    # 20:00 New York is 01:00 UTC the next day: the session date as written (the 3rd) is kept.
    assert list(prices.closes.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))
    assert prices.closes["IWM"].tolist() == [10.0, 11.0, 12.0]
    assert "IWM.csv: 1 timestamp(s) carried a UTC offset; the date as written was kept" in prices.warnings


def test_mixed_time_zones_in_an_upload_load():
    text = ("date,IWM,BTC-USD\n2024-01-02T00:00:00+09:00,10,100\n2024-01-03 00:00:00Z,11,101\n"
            "2024-01-04 00:00:00-05:00,12,102\n2024-01-05,13,103\n")
    prices = prices_from_upload(text, "mixed.csv")
    assert list(prices.closes.index) == list(pd.date_range("2024-01-02", periods=4, freq="D"))
    assert prices.closes["BTC-USD"].tolist() == [100.0, 101.0, 102.0, 103.0]
    assert any("3 timestamp(s) carried a UTC offset" in w for w in prices.warnings)


# --- a tiny upload ----------------------------------------------------------------------------

def test_two_row_upload_is_accepted_with_a_short_history_note():
    prices = prices_from_upload("date,IWM,BTC-USD\n2024-01-02,200,40000\n2024-01-03,201,41000\n", "two.csv")
    assert prices.closes.shape == (2, 2) and prices.sources == {"IWM": "upload", "BTC-USD": "upload"}
    assert "IWM: only 2 close(s) (2024-01-02..2024-01-03); too short for most estimates (fewer than 30)" \
        in prices.warnings
    with pytest.raises(DataError, match="empty.csv: no ticker column with valid closes"):
        prices_from_upload("date,IWM\n2024-01-02,\n", "empty.csv")


# --- cache integrity ----------------------------------------------------------------------------

def _cut_last_line(text: str) -> str:
    return text[:-4]  # "...,123.4567\n" -> "...,123.45": a plausible but wrong last close


def _cut_in_half(text: str) -> str:
    return text[: len(text) // 2]


@pytest.mark.parametrize("cut", [_cut_last_line, _cut_in_half])
def test_a_cut_cache_file_is_damaged_not_fresh(tmp_path, cut):
    path = write_cache(tmp_path, "IWM", IWM, fetched_at=NOW - 3600)
    path.write_text(cut(path.read_text()))
    with pytest.raises(DataError, match=r"corrupt cache file .*IWM\.csv ignored \(damaged: checksum mismatch, "
                                        r"header promised 30 rows to 2024-02-12"):
        read_cache(tmp_path, "IWM")
    fake = Recorder(download_frame({"IWM": history_frame(IWM)}))
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, clock=_clock(NOW))
    assert fake.calls == [("IWM",)], "a damaged cache is not fresh: Yahoo is asked"
    assert prices.sources == {"IWM": "yahoo"}
    assert any(w.startswith("IWM: corrupt cache file") and "treated as not cached" in w for w in prices.warnings)
    np.testing.assert_allclose(read_cache(tmp_path, "IWM").series.to_numpy(), IWM.to_numpy(), rtol=1e-9)


def test_a_cut_cache_file_is_not_served_offline(tmp_path):
    path = write_cache(tmp_path, "IWM", IWM, fetched_at=NOW - 3 * DAY)
    path.write_text(_cut_last_line(path.read_text()))
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, probe=lambda: False, clock=_clock(NOW))
    assert prices.is_demo and prices.fallback, "the damaged file is not served as data"


def test_a_cache_fetched_in_the_future_is_stale(tmp_path):
    write_cache(tmp_path, "IWM", IWM, fetched_at=NOW + 30 * DAY)
    fake = Recorder(ConnectionError("offline"))
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, clock=_clock(NOW))
    assert fake.calls == [("IWM",)], "not fresh: Yahoo is asked"
    assert prices.sources == {"IWM": "cache"} and prices.fallback
    assert ("IWM: the cache says it was fetched at 2027-02-14 08:00 UTC, in the future; treated as stale"
            in prices.warnings)
    assert "IWM: served from the cache, dated in the future (Yahoo did not answer for it)" in prices.warnings


def test_a_cache_without_checksum_is_never_fresh(tmp_path):
    body = IWM.rename("close").rename_axis("date").to_csv(date_format="%Y-%m-%d")
    (tmp_path / "IWM.csv").write_text(f"# fetched_at={NOW - 60:.3f}\n{body}")
    assert read_cache(tmp_path, "IWM").verified is False
    fake = Recorder(download_frame({"IWM": history_frame(IWM)}))
    prices = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, clock=_clock(NOW))
    assert fake.calls and prices.sources == {"IWM": "yahoo"}
    assert read_cache(tmp_path, "IWM").verified, "the fresh download replaced it with a checked file"


# --- date formats --------------------------------------------------------------------------------

DATES = pd.date_range("2023-01-01", periods=300, freq="D")


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"])
def test_date_formats_detected_for_the_whole_column(fmt):
    text = "date,close\n" + "".join(f"{d.strftime(fmt)},{i + 1}\n" for i, d in enumerate(DATES))
    s, _ = parse_price_csv(text, "f.csv")
    assert list(s.index) == list(DATES), "no day and month swapped"
    assert s.tolist() == [float(i + 1) for i in range(300)]


def test_day_first_is_noted_with_the_deciding_row():
    _, warnings = parse_price_csv("date,close\n02/01/2024,1\n13/01/2024,2\n", "d.csv")
    assert warnings == ["d.csv: dates read as dd/mm/yyyy (row 2 ('13/01/2024') has a day above 12 first)"]


def test_ambiguous_day_month_column_is_refused_naming_rows():
    text = "date,close\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n04/02/2024,4\n"
    with pytest.raises(DataError, match=r"a\.csv: dates such as row 1 \('01/02/2024'\), row 3 \('03/02/2024'\), "
                                        r"row 4 \('04/02/2024'\) could be dd/mm/yyyy or mm/dd/yyyy"):
        parse_price_csv(text, "a.csv")


def test_mixed_day_first_and_month_first_is_refused():
    with pytest.raises(DataError, match=r"m\.csv: the date column mixes day-first and month-first dates: "
                                        r"row 2 \('13/01/2024'\) has a day first, row 3 \('01/14/2024'\)"):
        parse_price_csv("date,close\n01/01/2024,1\n13/01/2024,2\n01/14/2024,3\n", "m.csv")


_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=80, deadline=None)
@given(st.lists(_days, min_size=1, max_size=25, unique=True), st.sampled_from(["%d/%m/%Y", "%m/%d/%Y"]))
def test_day_month_order_is_read_back_or_refused(days, fmt):
    """Any set of dates in either order is read back exactly when a day above 12 settles the
    order, or every date has day == month; otherwise it is refused, never swapped."""
    column = pd.Series([d.strftime(fmt) for d in days])
    settled = any(d.day > 12 for d in days) or all(d.day == d.month for d in days)
    if settled:
        parsed, _ = parse_date_column(column, "h.csv")
        assert list(parsed) == [pd.Timestamp(d) for d in days]
    else:
        with pytest.raises(DataError, match="could be dd/mm/yyyy or mm/dd/yyyy"):
            parse_date_column(column, "h.csv")


@pytest.mark.parametrize(("scale", "unit"), [(1, "seconds"), (1000, "milliseconds")])
def test_epoch_dates_are_read_by_magnitude(scale, unit):
    stamps = (DATES - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1) * scale
    text = "date,close\n" + "".join(f"{t},{i + 1}\n" for i, t in enumerate(stamps))
    s, warnings = parse_price_csv(text, "e.csv")
    assert list(s.index) == list(DATES) and len(s) == 300
    assert warnings == [f"e.csv: dates read as UNIX epoch {unit} (UTC dates)"]
    assert not any("duplicate" in w for w in warnings)


def test_yyyymmdd_numbers_are_dates():
    s, _ = parse_price_csv("date,close\n20240102,1\n20240103,2\n", "n.csv")
    assert list(s.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03"]))


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("45292\n45293\n", r"row 1 \('45292'\) is a number that is neither UNIX epoch seconds or milliseconds "
                           r"nor yyyymmdd"),
        ("1704153600\n1704240000000\n", r"mixes number formats: row 1 \('1704153600'\) reads as seconds but "
                                        r"row 2 \('1704240000000'\) as milliseconds"),
    ],
)
def test_numbers_that_are_no_date_format_are_refused(column, message):
    with pytest.raises(DataError, match=message):
        parse_date_column(pd.Series([int(v) for v in column.split()]), "x.csv")


# --- a read-only configured cache -------------------------------------------------------------

def test_read_only_configured_cache_is_still_read(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    write_cache(ro, "IWM", IWM, fetched_at=NOW - 3 * DAY)
    monkeypatch.setenv("SCX_CACHE_DIR", str(ro))
    real_access = cache_mod.os.access
    monkeypatch.setattr(cache_mod.os, "access", lambda p, mode: False if str(p) == str(ro) else real_access(p, mode))
    assert default_cache_dir() == ro, "the configured cache is used although it is read-only"
    prices = load_prices(["IWM"], source="auto", probe=lambda: False, clock=_clock(NOW))
    assert prices.sources == {"IWM": "cache"} and not prices.is_demo
    assert f"the cache folder {ro} is read-only: its data is shown but can't be refreshed" in prices.warnings

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache_mod, "_atomic_write", refuse)
    fake = Recorder(download_frame({"IWM": history_frame(IWM)}))
    fresh = load_prices(["IWM"], source="auto", download=fake, clock=_clock(NOW))
    assert fresh.sources == {"IWM": "yahoo"}
    assert (f"the cache folder {ro} is read-only: IWM not stored, so the next start asks Yahoo again"
            in fresh.warnings)


# --- partial failures, rate limits ------------------------------------------------------------

def _batch_with(failed: str, error: str):
    def answer():
        logging.getLogger("yfinance").error("\n1 Failed download:")
        logging.getLogger("yfinance").error(f"['{failed}']: {error}")
        return download_frame({"IWM": history_frame(IWM), failed: failed_frame()})
    return answer


RATE_LIMIT = "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"


def test_a_rate_limited_ticker_in_a_batch_is_served_from_the_stale_cache(tmp_path):
    write_cache(tmp_path, "SOL-USD", SOL, fetched_at=NOW - 3 * DAY)
    fake = Recorder(_batch_with("SOL-USD", RATE_LIMIT))
    sleeps: list[float] = []
    prices = load_prices(["IWM", "SOL-USD"], source="auto", cache_dir=tmp_path, download=fake,
                         sleep=sleeps.append, clock=_clock(NOW))
    assert prices.sources == {"IWM": "yahoo", "SOL-USD": "cache"} and prices.fallback
    assert "SOL-USD: served from the cache, 3.0 days old (Yahoo did not answer for it)" in prices.warnings
    assert "Yahoo rate limited SOL-USD (HTTP 429 Too Many Requests); not asked again for 5 min" in prices.warnings
    assert not any("delisted" in w for w in prices.warnings), "a rate limit is not 'unknown or delisted'"
    np.testing.assert_allclose(prices.closes["SOL-USD"].dropna().to_numpy(), SOL.to_numpy(), rtol=1e-9)
    assert sleeps == [], "a partial answer is not retried"


def test_an_unknown_ticker_in_a_batch_is_still_called_unknown(tmp_path):
    fake = Recorder(_batch_with("NOPE-XYZ", "YFPricesMissingError('possibly delisted; no price data found')"))
    prices = load_prices(["IWM", "NOPE-XYZ"], source="auto", cache_dir=tmp_path, download=fake, clock=_clock(NOW))
    assert "Yahoo returned no data for NOPE-XYZ (unknown or delisted ticker?)" in prices.warnings
    assert not any("rate limited" in w for w in prices.warnings) and not prices.fallback


def test_rate_limit_cooldown_spares_yahoo_on_reruns(tmp_path):
    write_cache(tmp_path, "IWM", IWM, fetched_at=NOW - 3 * DAY)
    fake = Recorder(YFRateLimitError())
    sleeps: list[float] = []

    def load(at: float, source: str = "auto"):
        return load_prices(["IWM"], source=source, cache_dir=tmp_path, download=fake, sleep=sleeps.append,
                           clock=_clock(at))

    first = load(NOW)
    assert len(fake.calls) == 3 and sleeps == [1.0, 2.0]
    assert first.sources == {"IWM": "cache"} and first.fallback
    assert any("rate limited the request for IWM (HTTP 429 Too Many Requests" in w for w in first.warnings)
    probes: list[float] = []

    def probe() -> bool:
        probes.append(1.0)
        return True

    rerun = load_prices(["IWM"], source="auto", cache_dir=tmp_path, download=fake, probe=probe,
                        sleep=sleeps.append, clock=_clock(NOW + 60))
    assert probes == [], "nor probed"
    assert len(fake.calls) == 3, "within the cooldown Yahoo is not called"
    assert rerun.sources == {"IWM": "cache"}
    assert any("rate-limited this server recently" in w and "another 4 min" in w for w in rerun.warnings)
    with pytest.raises(YahooRateLimited, match="not asked again for another 4 min"):
        load(NOW + 90, source="yahoo")
    with pytest.raises(YahooRateLimited, match="not asked again for another 1 min"):
        load(NOW + RATE_LIMIT_COOLDOWN_SECONDS - 10, source="yahoo")
    assert len(fake.calls) == 3 and sleeps == [1.0, 2.0]
    load(NOW + RATE_LIMIT_COOLDOWN_SECONDS + 1)
    assert len(fake.calls) == 6, "after the cooldown Yahoo is asked again"


def test_a_demo_fallback_says_so_and_an_asked_for_demo_does_not(tmp_path):
    fallback = load_prices(["IWM"], source="auto", cache_dir=tmp_path, probe=lambda: False, clock=_clock(NOW))
    assert fallback.is_demo and fallback.fallback
    asked = load_prices(["IWM"], source="demo")
    assert asked.is_demo and not asked.fallback
    write_cache(tmp_path, "IWM", IWM, fetched_at=NOW - 60)
    fresh = load_prices(["IWM"], source="auto", cache_dir=tmp_path, probe=lambda: False, clock=_clock(NOW))
    assert fresh.sources == {"IWM": "cache"} and not fresh.fallback
