"""Outcomes over windows of ``horizon`` sessions: what happened after an origin, and how often before it.

Every function works on arrays indexed by session (rows of a daily log-return frame on
the equity calendar). The window *after* row ``t`` holds rows ``t+1 .. t+H``; its simple
return is ``exp(sum of log returns) - 1``. A window is known at origin row ``t0`` when it
ends at or before it (``t + H <= t0``): the climatology at an origin uses only those.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forward_log_sums", "basket_log_sums", "climatology"]


def forward_log_sums(log_returns: np.ndarray, horizon: int) -> np.ndarray:
    """Sum of the log returns of rows ``t+1 .. t+horizon`` for every row ``t``.

    Parameters
    ----------
    log_returns : ndarray, shape (n, k)
        Daily log returns (NaN where missing).
    horizon : int
        Sessions per window (>= 1).

    Returns
    -------
    ndarray, shape (n, k)
        The window's log return; NaN when the window runs past the last row or holds a NaN.
    """
    x = np.asarray(log_returns, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n, k = x.shape
    ok = np.isfinite(x)
    level = np.vstack([np.zeros((1, k)), np.cumsum(np.where(ok, x, 0.0), axis=0)])
    gaps = np.vstack([np.zeros((1, k), dtype=np.int64), np.cumsum(~ok, axis=0)])
    out = np.full((n, k), np.nan)
    m = n - horizon  # rows with a full window after them: 0 .. m-1
    if m > 0:
        # rows t+1 .. t+H are level[t+H+1] - level[t+1]
        s = level[horizon + 1:n + 1] - level[1:m + 1]
        holes = gaps[horizon + 1:n + 1] - gaps[1:m + 1]
        out[:m] = np.where(holes == 0, s, np.nan)
    return out


def basket_log_sums(alt_log_sums: np.ndarray) -> np.ndarray:
    """Log return of the equal-weight, buy-and-hold basket over each window.

    ``log(mean_i exp(W_i))`` from the members' window log returns ``W`` (shape (n, k)); NaN
    when any member's window is unknown (the basket's composition never changes mid-window).
    """
    w = np.asarray(alt_log_sums, dtype=float)
    with np.errstate(invalid="ignore"):
        top = np.max(w, axis=1, keepdims=True)
        out = np.log(np.mean(np.exp(w - top), axis=1)) + top[:, 0]
    return np.where(np.all(np.isfinite(w), axis=1), out, np.nan)


def climatology(event: np.ndarray, known: np.ndarray, horizon: int) -> np.ndarray:
    """Frequency of an event over every window known at each row.

    Parameters
    ----------
    event : ndarray of bool, shape (n,)
        Whether the window after row ``t`` had the event (ignored where not ``known``).
    known : ndarray of bool, shape (n,)
        Whether the window after row ``t`` has an outcome.
    horizon : int
        Sessions per window.

    Returns
    -------
    ndarray, shape (n,)
        At row ``t0``: the fraction of windows with ``t + horizon <= t0`` that had the event
        (the windows ended by ``t0``, none of them reaching past it); NaN with no such window.
    """
    e = np.asarray(event, dtype=bool) & np.asarray(known, dtype=bool)
    v = np.asarray(known, dtype=bool)
    n = e.size
    out = np.full(n, np.nan)
    if n > horizon:
        hits = np.cumsum(e)[: n - horizon]
        seen = np.cumsum(v)[: n - horizon]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[horizon:] = np.where(seen > 0, hits / np.maximum(seen, 1), np.nan)
    return out
