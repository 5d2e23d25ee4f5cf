"""How an asset moves with a market: betas, correlations, lead-lag and stability.

Every function takes return series (decimals, usually log returns on the equity
calendar from :func:`core.returns.compute_returns`) as pandas objects indexed by
date and returns pandas objects or frozen dataclasses. Inputs are aligned on
their index; a row counts only where both the asset and the market have a
return (pairwise complete), never by filling gaps with zeros.

What is where (import everything from ``core.estimation``; the modules are private)
-----------------------------------------------------------------------------------
``_base``         :class:`EstimationError`, :data:`MIN_OBS`, :func:`newey_west_lags`,
                  :func:`align_pair`, :func:`select_column`, :func:`compound_to_weekly`
``_ols``          :func:`estimate_beta` -> :class:`BetaEstimate` (HAC);
                  :func:`estimate_dimson_beta` -> :class:`DimsonBeta` (market lags);
                  :func:`estimate_lead_lag_beta` -> :class:`LeadLagBeta` (lag, same, next session)
``_bootstrap``    :func:`stationary_indices`, :func:`block_bootstrap_corr_ci` -> :class:`BootstrapInterval`
``_correlation``  :func:`estimate_correlation` -> :class:`CorrelationEstimate` (block-bootstrap interval);
                  :func:`correlation_matrix` -> :class:`CorrelationMatrix`
``_updown``       :func:`estimate_up_down_beta` -> :class:`UpDownBeta` (HC1, capture ratios)
``_factors``      :func:`build_factors`, :func:`estimate_factor_loadings` -> :class:`FactorLoadings`
``_rolling``      :func:`rolling_beta`, :func:`rolling_betas`, :func:`rolling_correlation`,
                  :func:`ewma_correlation`, :data:`ROLLING_WINDOWS`
``_leadlag``      :func:`cross_correlation`, :func:`granger_tests` -> :class:`GrangerResult`
                  (HAC Wald tests), :func:`granger_wald` (one direction, one lag order)
``_stability``    :func:`estimate_by_year`, :func:`estimate_by_volatility`,
                  :func:`market_volatility`, :data:`VOL_TERCILES`
``_report``       :func:`relationship_report` -> :class:`RelationshipReport`: every number the
                  Relationships page and ``python -m core estimate`` show, from one call

Inference conventions
---------------------
* Full-sample regressions use statsmodels OLS with Newey-West (HAC, Bartlett
  kernel) standard errors, the small-sample correction ``n / (n - k)`` and
  Student-t intervals with ``n - k`` degrees of freedom.
* HAC lag rule (Newey and West, 1994): ``L = floor(4 * (n / 100) ** (2 / 9))``,
  e.g. 7 lags for 1,500 daily observations, 5 for 400 weekly ones.
* Up/down-market regressions keep only market-up (or market-down) periods, so
  neighbouring rows are not neighbours in time: they use heteroskedasticity-
  robust (HC1) standard errors instead of HAC.
* Rolling estimators are O(n) running sums over a window counted in rows
  (sessions); their bands use the ordinary OLS standard error of each window.
"""

from __future__ import annotations

from core.estimation._base import (
    MIN_OBS,
    EstimationError,
    align_pair,
    compound_to_weekly,
    newey_west_lags,
    select_column,
)
from core.estimation._bootstrap import (
    CORR_BOOT_SEED,
    CORR_N_BOOT,
    BootstrapInterval,
    block_bootstrap_corr_ci,
    stationary_indices,
)
from core.estimation._correlation import (
    CI_BLOCK_BOOTSTRAP,
    CI_FISHER,
    CorrelationEstimate,
    CorrelationMatrix,
    correlation_matrix,
    estimate_correlation,
)
from core.estimation._factors import (
    FACTOR_BTC,
    FACTOR_MARKET,
    FACTOR_SPREAD,
    FactorLoadings,
    build_factors,
    estimate_factor_loadings,
)
from core.estimation._leadlag import (
    GRANGER_COV,
    GrangerResult,
    cross_correlation,
    granger_tests,
    granger_wald,
)
from core.estimation._ols import (
    BetaEstimate,
    DimsonBeta,
    LeadLagBeta,
    estimate_beta,
    estimate_dimson_beta,
    estimate_lead_lag_beta,
)
from core.estimation._report import (
    PART_BY_VOL,
    PART_BY_YEAR,
    PART_COMPARISON,
    PART_DIMSON,
    PART_EWMA,
    PART_FACTORS,
    PART_GRANGER,
    PART_LEAD_LAG_BETA,
    PART_LEADLAG,
    PART_MATRIX,
    PART_ROLLING,
    PART_UPDOWN,
    RelationshipReport,
    relationship_report,
)
from core.estimation._rolling import (
    ROLLING_WINDOWS,
    ewma_correlation,
    rolling_beta,
    rolling_betas,
    rolling_correlation,
)
from core.estimation._stability import (
    MIN_YEAR_OBS_BY_FREQ,
    VOL_TERCILES,
    VOL_WINDOW_BY_FREQ,
    estimate_by_volatility,
    estimate_by_year,
    market_volatility,
)
from core.estimation._updown import UpDownBeta, estimate_up_down_beta

__all__ = [
    "MIN_OBS",
    "ROLLING_WINDOWS",
    "FACTOR_MARKET",
    "FACTOR_SPREAD",
    "FACTOR_BTC",
    "VOL_TERCILES",
    "VOL_WINDOW_BY_FREQ",
    "MIN_YEAR_OBS_BY_FREQ",
    "PART_UPDOWN",
    "PART_DIMSON",
    "PART_LEAD_LAG_BETA",
    "PART_GRANGER",
    "PART_LEADLAG",
    "PART_BY_VOL",
    "PART_ROLLING",
    "PART_EWMA",
    "PART_BY_YEAR",
    "PART_COMPARISON",
    "PART_MATRIX",
    "PART_FACTORS",
    "EstimationError",
    "BetaEstimate",
    "CorrelationEstimate",
    "UpDownBeta",
    "DimsonBeta",
    "FactorLoadings",
    "CorrelationMatrix",
    "GrangerResult",
    "RelationshipReport",
    "newey_west_lags",
    "select_column",
    "align_pair",
    "compound_to_weekly",
    "estimate_beta",
    "estimate_dimson_beta",
    "estimate_lead_lag_beta",
    "LeadLagBeta",
    "estimate_correlation",
    "correlation_matrix",
    "estimate_up_down_beta",
    "build_factors",
    "estimate_factor_loadings",
    "rolling_beta",
    "rolling_betas",
    "rolling_correlation",
    "ewma_correlation",
    "cross_correlation",
    "granger_tests",
    "granger_wald",
    "CORR_BOOT_SEED",
    "CORR_N_BOOT",
    "BootstrapInterval",
    "block_bootstrap_corr_ci",
    "stationary_indices",
    "CI_BLOCK_BOOTSTRAP",
    "CI_FISHER",
    "GRANGER_COV",
    "estimate_by_year",
    "estimate_by_volatility",
    "market_volatility",
    "relationship_report",
]
