"""The on-disk cache of Yahoo downloads: where it lives, atomic writes, freshness.

One file per ticker, ``<file_stem(ticker)>.csv``, under a header line
``# fetched_at=<unix seconds> [start=<YYYY-MM-DD>] rows=<n> last=<YYYY-MM-DD> sha256=<hex>``.

Integrity rule: the header carries the row count, the last date and the SHA-256 of
the CSV body below it; :func:`read_cache` checks all three, so a file cut short (a
last line cut, half a file) is reported as damaged and treated as missing, never
served. A file without the checksum (an older version's) is readable but never
fresh. A ``fetched_at`` in the future (clock skew, a hand edit) is never fresh.

- :func:`default_cache_dir` -- ``$SCX_CACHE_DIR`` (used even when read-only), the home cache or the temp dir.
- :func:`write_cache`, :func:`read_cache` -- one ticker, written atomically (temp file, rename).
- :class:`CacheEntry` -- what was read: closes, download time, requested start, verified.
- :func:`is_fresh` -- whether an entry may be served without asking Yahoo.
- :func:`is_writable` -- whether the cache folder can be refreshed.
"""

from __future__ import annotations

import hashlib
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
#: A ``fetched_at`` more than this far ahead of the clock is "in the future" (seconds).
FUTURE_TOLERANCE_SECONDS = 300.0


def is_writable(folder: Path) -> bool:
    """Whether new downloads can be stored in ``folder`` (it exists and the process may write it)."""
    return folder.is_dir() and os.access(folder, os.W_OK)


def default_cache_dir() -> Path:
    """Cache folder: ``$SCX_CACHE_DIR``, else ``~/.cache/smallcaps-crypto``, else the temp dir.

    A configured ``$SCX_CACHE_DIR`` that exists is used even when it is read-only
    (the operator's data is read; the loader warns that it cannot be refreshed);
    only a configured folder that does not exist and cannot be created falls through.
    The home cache works locally; on Streamlit Community Cloud the home folder is
    writable but ephemeral, and the temp dir is the last resort everywhere.
    """
    env = os.environ.get("SCX_CACHE_DIR")
    if env:
        configured = Path(env).expanduser()
        try:
            configured.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        if configured.is_dir():
            return configured
    candidates = [Path.home() / ".cache" / "smallcaps-crypto", Path(tempfile.gettempdir()) / "smallcaps-crypto"]
    for c in candidates:
        try:
            c.mkdir(parents=True, exist_ok=True)
            if is_writable(c):
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
    download asked for (None: all history); ``verified`` whether the file carried a
    checksum that matched (False for an older version's file: readable, never fresh).
    """

    series: pd.Series
    fetched_at: float
    start: pd.Timestamp | None = None
    verified: bool = True

    def age_seconds(self, now: float | None = None) -> float:
        """Seconds since the download (``now`` defaults to the wall clock); negative if in the future."""
        return (time.time() if now is None else now) - self.fetched_at

    def in_future(self, now: float | None = None) -> bool:
        """Whether ``fetched_at`` lies more than :data:`FUTURE_TOLERANCE_SECONDS` after ``now``."""
        return self.age_seconds(now) < -FUTURE_TOLERANCE_SECONDS

    def describe_age(self, now: float | None = None) -> str:
        """The age in words: ``"40 min old"``, ``"5 h old"``, ``"3.0 days old"`` or ``"dated in the future"``."""
        age = self.age_seconds(now)
        if age < -FUTURE_TOLERANCE_SECONDS:
            return "dated in the future"
        hours = max(age, 0.0) / 3600
        if hours < 1:
            return f"{hours * 60:.0f} min old"
        return f"{hours / 24:.1f} days old" if hours >= 48 else f"{hours:.0f} h old"


def _cache_path(cache_dir: Path, ticker: str) -> Path:
    return cache_dir / f"{file_stem(ticker)}.csv"


def write_cache(
    cache_dir: Path,
    ticker: str,
    series: pd.Series,
    fetched_at: float | None = None,
    start: pd.Timestamp | None = None,
) -> Path:
    """Store closes as ``<stem>.csv`` under a header line; atomic.

    The header is ``# fetched_at=<t> [start=<date>] rows=<n> last=<date> sha256=<hex>``:
    ``start`` is the start date the download asked for, so a cache of a short
    window is never served for a longer one; the row count, last date and SHA-256
    of the body let :func:`read_cache` detect a file cut short.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _cache_path(cache_dir, ticker)
    stamp = time.time() if fetched_at is None else fetched_at
    body = series.rename("close").rename_axis("date").to_csv(date_format="%Y-%m-%d", float_format="%.10g")
    window = "" if start is None else f" start={start:%Y-%m-%d}"
    last = f"{series.index.max():%Y-%m-%d}" if len(series) else "none"
    check = f" rows={len(series)} last={last} sha256={_digest(body)}"
    _atomic_write(path, f"# fetched_at={stamp:.3f}{window}{check}\n{body}")
    return path


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _parse_header(first: str) -> dict[str, str]:
    """``# fetched_at=1 start=2024-01-01 rows=3 ...`` -> ``{"fetched_at": "1", ...}``."""
    if not first.startswith("# fetched_at="):
        raise DataError("missing '# fetched_at=' header")
    fields = {}
    for token in first.removeprefix("# ").split():
        key, eq, value = token.partition("=")
        if not eq:
            raise DataError(f"unreadable header field {token!r}")
        fields[key] = value
    return fields


def _check_integrity(fields: dict[str, str], body: str, series: pd.Series | None) -> None:
    """Raise :class:`DataError` saying how the body differs from what the header promised."""
    if fields["sha256"] == _digest(body):
        return
    promised = f"{fields.get('rows', '?')} rows to {fields.get('last', '?')}"
    found = "no readable rows" if series is None or series.empty else (
        f"{len(series)} rows to {series.index.max():%Y-%m-%d}, last close {series.iloc[-1]:.10g}")
    raise DataError(f"damaged: checksum mismatch, header promised {promised}, file holds {found}")


def read_cache(cache_dir: Path, ticker: str) -> CacheEntry | None:
    """Read a cached ticker, or None if absent.

    The body is checked against the header's SHA-256 (and row count, last date);
    a file without a checksum is returned with ``verified=False``.

    Raises
    ------
    DataError
        The file exists but is corrupt or cut short (callers report it, treat the
        ticker as not cached and go on); the message names the file and what differs.
    """
    path = _cache_path(cache_dir, ticker)
    if not path.is_file():
        return None
    try:
        raw = path.read_text(encoding="utf-8")
        first, _, body = raw.partition("\n")
        fields = _parse_header(first)
        fetched_at = float(fields["fetched_at"])
        start = pd.Timestamp(fields["start"]) if "start" in fields else None
        try:
            series, _ = parse_price_csv(body, name=path.name)
        except DataError:
            if "sha256" in fields:
                _check_integrity(fields, body, None)
            raise
        verified = "sha256" in fields
        if verified:
            _check_integrity(fields, body, series)
    except (DataError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"corrupt cache file {path} ignored ({exc})") from exc
    return CacheEntry(series, fetched_at, start, verified)


def covers(entry: CacheEntry, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    """Whether the cache spans the request: fetched from ``start`` or earlier, and after ``end``."""
    if entry.start is not None and (start is None or start < entry.start):
        return False
    if end is None:
        return True
    fetched_day = pd.Timestamp(entry.fetched_at, unit="s").normalize()
    return fetched_day >= end or entry.series.index.max() >= end


def is_fresh(
    entry: CacheEntry, start: pd.Timestamp | None, end: pd.Timestamp | None, now: float | None = None
) -> bool:
    """Servable without a download.

    Verified by its checksum, not dated in the future, younger than
    :data:`CACHE_FRESH_SECONDS` at ``now`` (UNIX seconds; default the wall clock),
    and :func:`covers` the request.
    """
    if not entry.verified or entry.in_future(now):
        return False
    return entry.age_seconds(now) < CACHE_FRESH_SECONDS and covers(entry, start, end)
