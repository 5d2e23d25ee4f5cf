"""The on-disk cache of Yahoo downloads: where it lives, atomic writes, freshness.

One file per ticker, ``<file_stem(ticker)>.csv``, under a header line
``# fetched_at=<unix seconds> [start=<YYYY-MM-DD>]``.

- :func:`default_cache_dir` -- ``$SCX_CACHE_DIR``, the home cache or the temp dir.
- :func:`write_cache`, :func:`read_cache` -- one ticker, written atomically (temp file, rename).
- :class:`CacheEntry` -- what was read: closes, download time, requested start.
- :func:`is_fresh` -- whether an entry may be served without asking Yahoo.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.data._csv import parse_price_csv
from core.data._prices import DataError
from core.tickers import file_stem

#: Cached Yahoo data younger than this is served without a network call.
CACHE_FRESH_SECONDS = 12 * 3600


def default_cache_dir() -> Path:
    """Cache folder: ``$SCX_CACHE_DIR``, else ``~/.cache/smallcaps-crypto``, else the temp dir.

    The home cache works locally; on Streamlit Community Cloud the home folder is
    writable but ephemeral, and the temp dir is the last resort everywhere.
    """
    env = os.environ.get("SCX_CACHE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [Path.home() / ".cache" / "smallcaps-crypto", Path(tempfile.gettempdir()) / "smallcaps-crypto"]
    for c in candidates:
        try:
            c.mkdir(parents=True, exist_ok=True)
            if os.access(c, os.W_OK):
                return c
        except OSError:
            continue
    return candidates[-1]


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class CacheEntry:
    """One ticker's cached Yahoo closes.

    ``fetched_at`` is the download time (UNIX seconds); ``start`` the start date the
    download asked for (None: all history).
    """

    series: pd.Series
    fetched_at: float
    start: pd.Timestamp | None = None

    def age_seconds(self, now: float | None = None) -> float:
        """Seconds since the download (``now`` defaults to the wall clock)."""
        return (time.time() if now is None else now) - self.fetched_at


def _cache_path(cache_dir: Path, ticker: str) -> Path:
    return cache_dir / f"{file_stem(ticker)}.csv"


def write_cache(
    cache_dir: Path,
    ticker: str,
    series: pd.Series,
    fetched_at: float | None = None,
    start: pd.Timestamp | None = None,
) -> Path:
    """Store closes as ``<stem>.csv`` under a ``# fetched_at=<t> [start=<date>]`` line; atomic.

    ``start`` is the start date the download asked for, so a cache of a short
    window is never served for a longer one.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _cache_path(cache_dir, ticker)
    stamp = time.time() if fetched_at is None else fetched_at
    body = series.rename("close").rename_axis("date").to_csv(date_format="%Y-%m-%d", float_format="%.10g")
    window = "" if start is None else f" start={start:%Y-%m-%d}"
    _atomic_write(path, f"# fetched_at={stamp:.3f}{window}\n{body}")
    return path


def read_cache(cache_dir: Path, ticker: str) -> CacheEntry | None:
    """Read a cached ticker, or None if absent.

    Raises
    ------
    DataError
        The file exists but is corrupt (callers report it and go on).
    """
    path = _cache_path(cache_dir, ticker)
    if not path.is_file():
        return None
    try:
        raw = path.read_text(encoding="utf-8")
        first, _, body = raw.partition("\n")
        if not first.startswith("# fetched_at="):
            raise DataError("missing '# fetched_at=' header")
        stamp, _, window = first.removeprefix("# fetched_at=").partition(" start=")
        fetched_at = float(stamp)
        start = pd.Timestamp(window) if window else None
        series, _ = parse_price_csv(body, name=path.name)
    except (DataError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"corrupt cache file {path} ignored ({exc})") from exc
    return CacheEntry(series, fetched_at, start)


def covers(entry: CacheEntry, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    """Whether the cache spans the request: fetched from ``start`` or earlier, and after ``end``."""
    if entry.start is not None and (start is None or start < entry.start):
        return False
    if end is None:
        return True
    fetched_day = pd.Timestamp(entry.fetched_at, unit="s").normalize()
    return fetched_day >= end or entry.series.index.max() >= end


def is_fresh(entry: CacheEntry, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    """Servable without a download: younger than :data:`CACHE_FRESH_SECONDS` and :func:`covers` the request."""
    return entry.age_seconds() < CACHE_FRESH_SECONDS and covers(entry, start, end)
