"""The resource budget of one simulation, enforced for the app and the CLI alike.

A run draws about ``n_paths x horizon x n_assets`` shocks; its arrays scale the same way.
The bounds keep one request (a link, a sidebar value, a CLI flag) from taking the machine.
"""

from __future__ import annotations

from core.errors import ExplorerError

__all__ = ["MAX_PATHS", "MAX_HORIZON_DAYS", "MAX_CELLS", "BudgetError", "check_run_size"]

#: Most paths in one run.
MAX_PATHS: int = 200_000
#: Longest horizon, trading days (ten years).
MAX_HORIZON_DAYS: int = 2520
#: Most path-days x assets in one run (100,000 paths x 252 days x 10 assets; about 20 s on 2 cores).
MAX_CELLS: int = 100_000 * 252 * 10


class BudgetError(ExplorerError):
    """A run larger than the budget; the message gives the numbers and the limit."""


def check_run_size(n_paths: int, horizon: int, n_assets: int) -> int:
    """Refuse a run above the budget; return its number of cells.

    Parameters
    ----------
    n_paths, horizon, n_assets : int
        Paths, trading days and simulated assets (Russell, BTC and altcoins).

    Returns
    -------
    int
        ``n_paths * horizon * n_assets``.

    Raises
    ------
    BudgetError
        A size below 1 or above :data:`MAX_PATHS`, :data:`MAX_HORIZON_DAYS` or :data:`MAX_CELLS`.
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
    return cells
