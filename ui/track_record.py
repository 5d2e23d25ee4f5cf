"""Cached walk-forward validations for the Track record page.

A validation is computed once per parameter set (the returns frame's digest, the roles,
the frozen scenario, start, every, horizon, paths, seed, engine) and kept in a
process-wide :class:`ui.result_store.ResultStore` with a memory budget, shared by every
session; a run shows a progress bar fed by core's callback, a hit never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from core.fitted_scenario import FittedRegimesAtOrigins
from core.scenario import Scenario
from core.validation import ValidationResult, walk_forward
from ui.result_store import ResultStore
from ui.simulation import ModelInputs
from ui.state import frame_digest

#: Memory kept for finished validations, shared by every session of the server (bytes).
VALIDATION_BUDGET_BYTES = 64 * 2**20
#: Most validations kept, and their age limit (seconds).
VALIDATION_MAX_ENTRIES = 32
VALIDATION_TTL_SECONDS = 3600.0


@dataclass(frozen=True)
class TrackRecordRequest:
    """Everything that defines one validation besides the returns."""

    scenario: Scenario | FittedRegimesAtOrigins  # a fixed scenario, or fitted regimes refitted per origin
    start: date
    every: int
    horizon: int
    n_paths: int
    seed: int
    engine: str


@st.cache_resource(show_spinner=False, max_entries=1, ttl=24 * 3600)  # one store; its entries expire sooner
def validation_store() -> ResultStore[ValidationResult]:
    """The server's store of finished validations (one per process)."""
    return ResultStore(budget_bytes=VALIDATION_BUDGET_BYTES, max_entries=VALIDATION_MAX_ENTRIES,
                       ttl_seconds=VALIDATION_TTL_SECONDS)


def _nbytes(result: ValidationResult) -> int:
    return int(result.forecasts.memory_usage(deep=True).sum() + result.origins.memory_usage(deep=True).sum())


def _key(returns: pd.DataFrame, roles: ModelInputs, req: TrackRecordRequest) -> tuple:
    return (frame_digest(returns), roles, req)


def cached_validation(returns: pd.DataFrame, roles: ModelInputs, req: TrackRecordRequest) -> ValidationResult | None:
    """The stored validation for these inputs, or None (never computes)."""
    return validation_store().peek(_key(returns, roles, req))


def run_validation(returns: pd.DataFrame, roles: ModelInputs, req: TrackRecordRequest) -> ValidationResult:
    """Compute (or fetch) the validation, with a progress bar while it computes.

    Raises
    ------
    ExplorerError
        A bad setting, too little data or no realized outcome (the message names it).
    """
    def compute() -> ValidationResult:
        bar = st.progress(0.0, text="Walking forward: calibrating and simulating at each origin…")
        try:
            return walk_forward(
                returns, russell=roles.russell, btc=roles.btc, alts=roles.alts, scenario=req.scenario,
                start=req.start, every=req.every, horizon=req.horizon, n_paths=req.n_paths, seed=req.seed,
                engine=req.engine, progress=lambda f: bar.progress(min(max(f, 0.0), 1.0)),
            )
        finally:
            bar.empty()

    return validation_store().get_or_compute(_key(returns, roles, req), compute, _nbytes)
