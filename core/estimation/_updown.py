"""Upside and downside betas (separate regressions, HC1 errors) and up/down capture ratios.

Private module; import from :mod:`core.estimation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.estimation._base import MIN_OBS, _check_level, _fit_ols, _require_obs, align_pair


@dataclass(frozen=True)
class UpDownBeta:
    """Separate betas on market-up and market-down periods, and capture ratios.

    Attributes
    ----------
    beta_up, beta_down : float
        Slopes of ``asset = a + b * market`` fitted on periods with market > 0
        (resp. market < 0); periods with market == 0 are in neither.
    beta_up_ci, beta_down_ci : tuple[float, float]
        HC1 intervals at ``level``.
    n_up, n_down : int
        Observations in each regression.
    up_capture, down_capture : float
        ``mean(asset | market up) / mean(market | market up)`` and the same on
        down periods (ratios of mean returns; 1.0 = moves one for one).
    level : float
        Confidence level.
    """

    beta_up: float
    beta_up_ci: tuple[float, float]
    n_up: int
    beta_down: float
    beta_down_ci: tuple[float, float]
    n_down: int
    up_capture: float
    down_capture: float
    level: float


def estimate_up_down_beta(
    asset: pd.Series, market: pd.Series, *, level: float = 0.95
) -> UpDownBeta:
    """Upside and downside beta (separate regressions) and up/down capture ratios.

    Up periods have ``market > 0``, down periods ``market < 0``. Each side is
    ``asset = a + b * market + e`` fitted on its own periods with HC1 errors.

    Parameters
    ----------
    asset, market : pandas.Series
        Returns (decimals), shape (n_dates,).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    UpDownBeta

    Raises
    ------
    EstimationError
        Fewer than 3 up or 3 down periods.
    """
    _check_level(level)
    pair = align_pair(asset, market)
    x, y = pair["market"].to_numpy(), pair["asset"].to_numpy()
    out: dict[str, tuple[float, tuple[float, float], int, float]] = {}
    for side, mask in (("up", x > 0.0), ("down", x < 0.0)):
        n_side = int(mask.sum())
        _require_obs(n_side, MIN_OBS, f"a {side}-market beta")
        res = _fit_ols(y[mask], x[mask], cov_type="HC1", hac_lags=None)
        ci = res.conf_int(alpha=1.0 - level)
        capture = float(y[mask].mean() / x[mask].mean())
        out[side] = (float(res.params[1]), (float(ci[1, 0]), float(ci[1, 1])), n_side, capture)
    return UpDownBeta(
        beta_up=out["up"][0],
        beta_up_ci=out["up"][1],
        n_up=out["up"][2],
        beta_down=out["down"][0],
        beta_down_ci=out["down"][1],
        n_down=out["down"][2],
        up_capture=out["up"][3],
        down_capture=out["down"][3],
        level=level,
    )
