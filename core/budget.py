"""The resource budget of one simulation, enforced for the app and the CLI alike.

A run draws about ``n_paths x horizon x n_assets`` shocks (CPU); the engine streams over days,
so its memory scales with ``n_paths x n_assets`` plus a fixed chunk of days (see
:func:`estimate_run_bytes`). The bounds keep one request (a link, a sidebar value, a CLI flag)
from taking the machine; a run is refused before it starts, with the numbers.
"""

from __future__ import annotations

from core.errors import ExplorerError

__all__ = [
    "MAX_PATHS", "MAX_HORIZON_DAYS", "MAX_CELLS", "MAX_RUN_BYTES", "BudgetError", "check_run_size",
    "estimate_run_bytes",
]

#: Most paths in one run.
MAX_PATHS: int = 200_000
#: Longest horizon, trading days (ten years).
MAX_HORIZON_DAYS: int = 2520
#: Most path-days x assets in one run (100,000 paths x 252 days x 10 assets; about 20 s on 2 cores).
MAX_CELLS: int = 100_000 * 252 * 10
#: Most memory one run may use, bytes (estimated before it starts by :func:`estimate_run_bytes`).
MAX_RUN_BYTES: int = 512 * 2**20
#: Peak bytes per path and asset: float32 running levels, peaks and drawdowns, the float64
#: terminal returns and drawdowns, the metrics' sorted copies and the day-chunk buffers once
#: paths x assets pass 2**21 (tracemalloc peak 76-77 B on 20k-200k paths x 11 assets, rounded up).
BYTES_PER_PATH_ASSET: int = 96
#: Days x paths x assets the engine draws per chunk (``core.montecarlo._CHUNK_ELEMENTS``).
ENGINE_CHUNK_ELEMENTS: int = 1 << 21
#: Peak bytes per expected jump in one chunk of days (day, target and size arrays and their
#: temporaries; tracemalloc: +90 MB for 1.5M jumps per chunk at 252 jumps a year, rounded up).
BYTES_PER_JUMP: int = 80
#: Fixed scratch of a run, bytes: the day-chunk buffers of 2**21 float32 elements and their peers,
#: two chunks alive at once (one walked while the next is drawn, ``core.montecarlo.DRAW_AHEAD``);
#: tracemalloc peak 0.91 of the estimate at 20,000 paths x 3 assets with 32 MB here, so 40 MB.
RUN_FIXED_BYTES: int = 40 * 2**20


class BudgetError(ExplorerError):
    """A run larger than the budget; the message gives the numbers and the limit."""


def estimate_run_bytes(n_paths: int, n_assets: int, jump_intensity: float = 0.0) -> int:
    """Peak memory of one run, bytes.

    ``BYTES_PER_PATH_ASSET * n_paths * n_assets + RUN_FIXED_BYTES`` plus, with jumps,
    ``BYTES_PER_JUMP * (jump_intensity / 252) * max(ENGINE_CHUNK_ELEMENTS, n_paths * n_assets)``
    (the jumps of one chunk of days are drawn at once). The engine keeps per-path state and
    streams over days in chunks of a fixed size, so the horizon does not enter (it costs CPU,
    bounded by :data:`MAX_CELLS`).

    Parameters
    ----------
    n_paths, n_assets : int
        Paths and simulated assets.
    jump_intensity : float
        The largest jump intensity of the scenario's regimes (jumps per year per token).
    """
    per_chunk = max(ENGINE_CHUNK_ELEMENTS, n_paths * n_assets)
    jumps = BYTES_PER_JUMP * max(jump_intensity, 0.0) / 252.0 * per_chunk
    return int(BYTES_PER_PATH_ASSET * n_paths * n_assets + RUN_FIXED_BYTES + jumps)


def check_run_size(n_paths: int, horizon: int, n_assets: int, jump_intensity: float = 0.0) -> int:
    """Refuse a run above the budget; return its number of cells.

    Parameters
    ----------
    n_paths, horizon, n_assets : int
        Paths, trading days and simulated assets (Russell, BTC and altcoins).
    jump_intensity : float
        The scenario's largest jump intensity (jumps per year per token), for the memory estimate.

    Returns
    -------
    int
        ``n_paths * horizon * n_assets``.

    Raises
    ------
    BudgetError
        A size below 1 or above :data:`MAX_PATHS`, :data:`MAX_HORIZON_DAYS`, :data:`MAX_CELLS`,
        or an estimated memory above :data:`MAX_RUN_BYTES`.
    """
    for name, value, hi in (("paths", n_paths, MAX_PATHS), ("horizon", horizon, MAX_HORIZON_DAYS),
                            ("assets", n_assets, None)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BudgetError(f"{name} must be a whole number >= 1, got {value!r}")
        if hi is not None and value > hi:
            raise BudgetError(f"{name} = {value:,} is above the limit of {hi:,}")
    cells = n_paths * horizon * n_assets
    if cells > MAX_CELLS:
        raise BudgetError(
            f"{n_paths:,} paths x {horizon:,} days x {n_assets} assets = {cells:,} draws is above the "
            f"limit of {MAX_CELLS:,}; use fewer paths or a shorter horizon"
        )
    need = estimate_run_bytes(n_paths, n_assets, jump_intensity)
    if need > MAX_RUN_BYTES:
        raise BudgetError(
            f"{n_paths:,} paths x {n_assets} assets would need about {need / 2**20:,.0f} MiB, above the "
            f"limit of {MAX_RUN_BYTES / 2**20:,.0f} MiB per run; use fewer paths or fewer tickers"
        )
    return cells
