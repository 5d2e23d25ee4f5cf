"""Stationary block bootstrap (Politis-Romano 1994) of a correlation, for dependent returns.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.calibration import MIN_BLOCK_OBS, choose_block_length
from core.estimation._base import EstimationError, _check_level

#: Default number of bootstrap resamples of a correlation interval, and the seed of their draws.
CORR_N_BOOT = 1000
CORR_BOOT_SEED = 0
#: Resamples drawn at once (bounds memory to about 3 arrays of ``_CHUNK * n`` values).
_CHUNK = 200


def stationary_indices(n: int, n_boot: int, mean_block: float, rng: np.random.Generator) -> np.ndarray:
    """Row indices of ``n_boot`` stationary-bootstrap resamples of a length-``n`` series.

    Each resample starts at a uniform row; at every later row a new block starts with
    probability ``1 / mean_block`` (at a uniform row), else the next row follows, wrapping
    around the end (circular). Built without a loop: the start of the block each row is in
    is a running maximum of the restart positions.

    Parameters
    ----------
    n : int
        Rows in the series, >= 1.
    n_boot : int
        Resamples, >= 1.
    mean_block : float
        Mean block length in rows, >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        Shape (n_boot, n), integers in ``[0, n)``.
    """
    if mean_block < 1.0:
        raise EstimationError(f"mean block length must be >= 1 row, got {mean_block!r}")
    pos = np.arange(n)
    restart = rng.random((n_boot, n)) < 1.0 / mean_block
    restart[:, 0] = True
    first = rng.integers(0, n, size=(n_boot, n))
    block_start = np.maximum.accumulate(np.where(restart, pos, 0), axis=1)
    rows = np.arange(n_boot)[:, None]
    return (first[rows, block_start] + pos - block_start) % n


def _rowwise_corr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    den = np.sqrt((xc * xc).sum(axis=1) * (yc * yc).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xc * yc).sum(axis=1) / den


@dataclass(frozen=True)
class BootstrapInterval:
    """A percentile interval from a stationary block bootstrap.

    Attributes
    ----------
    low, high : float
        Interval bounds at ``level``.
    level : float
    block_length : float
        Mean block length in rows (Politis-White via ``arch``, see
        :func:`core.calibration.choose_block_length`).
    n_boot : int
        Resamples with a defined statistic.
    seed : int
        Seed of ``numpy.random.default_rng`` the draws came from.
    """

    low: float
    high: float
    level: float
    block_length: float
    n_boot: int
    seed: int


def block_bootstrap_corr_ci(
    x: np.ndarray,
    y: np.ndarray,
    *,
    level: float = 0.95,
    n_boot: int = CORR_N_BOOT,
    seed: int = CORR_BOOT_SEED,
    block_length: float | None = None,
) -> BootstrapInterval:
    """Percentile interval of the Pearson correlation of paired rows, by stationary block bootstrap.

    Pairs ``(x_t, y_t)`` are resampled together in blocks, so volatility clustering and
    autocorrelation survive in each resample. The mean block length defaults to the
    Politis-White choice for the correlation's influence function
    ``psi_t = zx_t zy_t - r (zx_t^2 + zy_t^2) / 2`` (z: standardized series, r: the sample
    correlation), whose long-run variance sets the correlation's sampling variance.

    Parameters
    ----------
    x, y : numpy.ndarray
        Paired returns (decimals), shape (n,), finite, ``n >= 20``.
    level : float, default 0.95
    n_boot : int, default 1000
    seed : int, default 0
        Seed of the draws (same seed, same interval).
    block_length : float, optional
        Mean block length in rows; default as above.

    Returns
    -------
    BootstrapInterval

    Raises
    ------
    EstimationError
        Fewer than 20 rows, a constant series or bad ``level``/``n_boot``.
    """
    _check_level(level)
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 1:
        raise EstimationError(f"n_boot must be an integer >= 1, got {n_boot!r}")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n < MIN_BLOCK_OBS:
        raise EstimationError(
            f"too few observations for a block-bootstrap interval: n={n}, need at least {MIN_BLOCK_OBS}")
    if np.ptp(x) == 0.0 or np.ptp(y) == 0.0:
        raise EstimationError("a constant series has no correlation")
    if block_length is None:
        zx, zy = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
        r = float(np.mean(zx * zy))
        block_length = choose_block_length(zx * zy - r * (zx * zx + zy * zy) / 2.0)
    rng = np.random.default_rng(int(seed))
    stats_: list[np.ndarray] = []
    for lo in range(0, int(n_boot), _CHUNK):  # chunks of resamples, to bound memory
        idx = stationary_indices(n, min(_CHUNK, int(n_boot) - lo), float(block_length), rng)
        stats_.append(_rowwise_corr(x[idx], y[idx]))
    boot = np.concatenate(stats_)
    boot = boot[np.isfinite(boot)]
    alpha = 1.0 - level
    low, high = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0])
    return BootstrapInterval(low=float(low), high=float(high), level=float(level),
                             block_length=float(block_length), n_boot=int(len(boot)), seed=int(seed))
