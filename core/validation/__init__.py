"""Walk-forward validation of the simulator: were its forecasts ever right?

Where things live:

``_walk``
    :func:`walk_forward` (calibrate on the data up to each origin, simulate, record the
    forecast and what followed) and :class:`ValidationResult` (its scores and JSON).
``_scores``
    The estimators: effective n under overlapping horizons, Wilson intervals, PIT and its
    KS test, Brier score and skill.
``_windows``
    Realized window returns and the climatology (event frequency over the windows ended
    by each origin).
``_tables``
    The frames the Track record page draws (PIT histogram, coverage, reliability, Brier
    skill, forecast fan against the realized returns).
"""

from core.validation._scores import (
    brier_score,
    brier_skill,
    design_effect,
    effective_n,
    pit_ks,
    pit_values,
    wilson_interval,
)
from core.validation._tables import (
    BEATS_BTC,
    brier_table,
    coverage_table,
    fan_table,
    pit_histogram,
    reliability_table,
    summary_table,
)
from core.validation._walk import (
    EVENTS,
    MAX_ORIGINS,
    MAX_VALIDATION_CELLS,
    MIN_HISTORY,
    QUANTILE_FIELDS,
    OriginData,
    ScenarioSource,
    ValidationError,
    ValidationResult,
    walk_forward,
)
from core.validation._windows import basket_log_sums, climatology, forward_log_sums

__all__ = [
    "BEATS_BTC", "EVENTS", "MAX_ORIGINS", "MAX_VALIDATION_CELLS", "MIN_HISTORY", "QUANTILE_FIELDS", "OriginData",
    "ScenarioSource", "ValidationError", "ValidationResult", "basket_log_sums", "brier_score", "brier_skill",
    "brier_table", "climatology", "coverage_table", "design_effect", "effective_n", "fan_table",
    "forward_log_sums", "pit_histogram", "pit_ks", "pit_values", "reliability_table", "summary_table",
    "walk_forward", "wilson_interval",
]
