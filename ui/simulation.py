"""Cached calibration and scenario runs for the Simulator and Compare pages.

The model is cached per returns frame; each run (simulation plus metrics, a
:class:`core.run.ScenarioRun`) is kept once per parameter set in a process-wide
:class:`ui.result_store.ResultStore` with a memory budget and an expiry, so every
session asking for the same run gets the same object without recomputing anything.
The frozen :class:`core.scenario.Scenario` is part of the key as is (it is hashable).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.budget import check_run_size
from core.calibration import MarketModel, calibrate
from core.conventions import TRADING_DAYS
from core.errors import ExplorerError
from core.montecarlo import SimulationResult
from core.roles import RoleError, assign_roles
from core.run import ScenarioRun, run_scenario
from core.scenario import Scenario
from ui.common import get_returns
from ui.result_store import ResultStore
from ui.state import Selection

#: Runs above this many cells (paths x days x assets) show a progress bar while they compute:
#: 20,000 paths over a trading year of ten assets.
PROGRESS_CELLS = 20_000 * TRADING_DAYS * 10
#: Memory kept for finished runs, shared by every session of the server (bytes).
RUN_BUDGET_BYTES = 768 * 2**20
#: Age after which a kept run is recomputed (seconds).
RUN_TTL_SECONDS = 3600.0
#: Most runs kept.
RUN_MAX_ENTRIES = 256

check_size = check_run_size  # the sidebar checks sizes before a run with the same rule


class ModelInputError(ExplorerError):
    """The selection cannot be calibrated (no BTC, no altcoin, too little data)."""


@dataclass(frozen=True)
class ModelInputs:
    """Which columns of the selection play which role in the market model."""

    russell: str
    btc: str
    alts: tuple[str, ...]


def model_inputs(selection: Selection) -> ModelInputs:
    """Russell proxy, the BTC ticker and the altcoins of the selection (:func:`core.roles.assign_roles`).

    Raises
    ------
    ModelInputError
        No BTC ticker (``BTC-USD``, ``BTC-USDT``, ...) or no altcoin among the crypto tickers.
    """
    try:
        roles = assign_roles(selection.crypto_available)
    except RoleError as exc:
        raise ModelInputError(f"the scenario model: {exc}") from exc
    if selection.russell not in selection.prices.closes.columns:
        raise ModelInputError(f"no data for the Russell proxy {selection.russell}")
    return ModelInputs(selection.russell, roles.btc, roles.alts)


@st.cache_data(show_spinner="Calibrating the market model…", max_entries=16, ttl=RUN_TTL_SECONDS)
def _cached_model(digest: str, russell: str, btc: str, alts: tuple[str, ...], _returns: pd.DataFrame) -> MarketModel:
    # keyed by the selection's digest and the roles; ``_returns`` (derived from both) is not hashed
    return calibrate(_returns, russell=russell, btc=btc, alts=list(alts))


def _model_returns(selection: Selection, roles: ModelInputs) -> pd.DataFrame:
    returns = get_returns(selection, kind="log", freq="D")
    return returns[[roles.russell, roles.btc, *roles.alts]]


def calibrated_model(selection: Selection) -> MarketModel:
    """The market model calibrated on the selection's daily log returns (cached)."""
    roles = model_inputs(selection)
    return _cached_model(selection.digest, roles.russell, roles.btc, roles.alts, _model_returns(selection, roles))


@st.cache_resource(show_spinner=False, max_entries=1, ttl=24 * 3600)  # one store; its entries expire sooner
def run_store() -> ResultStore[ScenarioRun]:
    """The server's store of finished runs (one per process, shared by all sessions)."""
    return ResultStore(budget_bytes=RUN_BUDGET_BYTES, max_entries=RUN_MAX_ENTRIES, ttl_seconds=RUN_TTL_SECONDS)


def scenario_run(
    selection: Selection,
    scenario: Scenario,
    *,
    n_paths: int,
    horizon: int,
    seed: int,
    engine: str,
) -> ScenarioRun:
    """Simulate and summarize ``scenario`` on the selection's calibrated model, once per parameter set.

    The same seed gives the same random numbers for every scenario (common random
    numbers), so differences between scenarios are not Monte Carlo noise. A run above
    :data:`PROGRESS_CELLS` shows a progress bar while it computes (never on a hit).

    Raises
    ------
    ExplorerError
        The selection cannot be calibrated, or the run is above the budget
        (:func:`core.budget.check_run_size`).
    """
    roles = model_inputs(selection)
    cells = check_run_size(n_paths, horizon, 2 + len(roles.alts))
    key = (selection.digest, roles, scenario, n_paths, horizon, seed, engine)
    store = run_store()
    hit = store.peek(key)
    if hit is not None:
        return hit
    model = calibrated_model(selection)

    def compute() -> ScenarioRun:
        if cells <= PROGRESS_CELLS:
            return run_scenario(model, scenario, n_paths=n_paths, horizon=horizon, seed=seed, engine=engine)
        bar = st.progress(0.0, text=f"Simulating {n_paths:,} paths x {horizon} days…")
        try:
            return run_scenario(model, scenario, n_paths=n_paths, horizon=horizon, seed=seed, engine=engine,
                                progress=lambda f: bar.progress(min(max(f, 0.0), 1.0)))
        finally:
            bar.empty()

    return store.get_or_compute(key, compute, lambda run: run.nbytes)


def run_simulation(
    selection: Selection,
    scenario: Scenario,
    *,
    n_paths: int,
    horizon: int,
    seed: int,
    engine: str,
) -> SimulationResult:
    """The :class:`SimulationResult` of :func:`scenario_run` (same cache)."""
    return scenario_run(selection, scenario, n_paths=n_paths, horizon=horizon, seed=seed, engine=engine).result
