"""Cached calibration and simulation for the Simulator and Compare pages.

Everything is keyed on hashable inputs (the returns frame, ticker names, the
scenario as canonical TOML text, sizes, seed, engine), so an unchanged input is
never recomputed and two pages asking for the same run share one result.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.calibration import MarketModel, calibrate
from core.errors import ExplorerError
from core.montecarlo import SimulationResult, simulate
from core.roles import RoleError, assign_roles
from core.scenario import Scenario, scenario_from_dict, scenario_to_toml
from ui.common import get_returns
from ui.state import Selection

#: Largest n_paths x horizon x assets accepted in the app (about 20 s on a 2-core machine).
MAX_CELLS = 100_000 * 252 * 10
#: Runs above this many cells show a progress bar.
PROGRESS_CELLS = 20_000 * 252 * 10


class ModelInputError(ExplorerError):
    """The selection cannot be calibrated (no BTC, no altcoin, too little data)."""


@dataclass(frozen=True)
class ModelInputs:
    """Which columns of the selection play which role in the market model."""

    russell: str
    btc: str
    alts: tuple[str, ...]


def model_inputs(selection: Selection) -> ModelInputs:
    """Russell proxy, the BTC ticker and the altcoins of the selection.

    Raises
    ------
    ModelInputError
        No BTC ticker (``BTC-USD``, ``BTC-USDT``, ...) or no altcoin among the crypto tickers.
    """
    try:
        roles = assign_roles(selection.crypto_available)
    except RoleError as exc:
        raise ModelInputError(f"the scenario model: {exc}") from exc
    btc, alts = roles.btc, roles.alts
    if selection.russell not in selection.prices.closes.columns:
        raise ModelInputError(f"no data for the Russell proxy {selection.russell}")
    return ModelInputs(selection.russell, btc, alts)


@st.cache_data(show_spinner="Calibrating the market model…", max_entries=16)
def _cached_model(returns: pd.DataFrame, russell: str, btc: str, alts: tuple[str, ...]) -> MarketModel:
    return calibrate(returns, russell=russell, btc=btc, alts=list(alts))


def calibrated_model(selection: Selection) -> MarketModel:
    """The market model calibrated on the selection's daily log returns (cached)."""
    roles = model_inputs(selection)
    returns = get_returns(selection, kind="log", freq="D")
    return _cached_model(returns[[roles.russell, roles.btc, *roles.alts]], roles.russell, roles.btc, roles.alts)


def check_size(n_paths: int, horizon: int, n_assets: int) -> None:
    """Refuse a run too large for the machine, with the limit in the message."""
    cells = n_paths * horizon * n_assets
    if cells > MAX_CELLS:
        raise ValueError(
            f"{n_paths:,} paths x {horizon} days x {n_assets} assets = {cells:,} draws is above the "
            f"limit of {MAX_CELLS:,}; use fewer paths or a shorter horizon"
        )


def _simulate(
    returns: pd.DataFrame,
    roles: ModelInputs,
    scenario_toml: str,
    n_paths: int,
    horizon: int,
    seed: int,
    engine: str,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    model = _cached_model(returns, roles.russell, roles.btc, roles.alts)
    scenario = scenario_from_dict(tomllib.loads(scenario_toml), "<app>")
    return simulate(model, scenario, n_paths=n_paths, horizon=horizon, rng=np.random.default_rng(seed),
                    engine=engine, progress=progress)


@st.cache_data(show_spinner=False, max_entries=48)
def _cached_run(
    returns: pd.DataFrame,
    roles: ModelInputs,
    scenario_toml: str,
    n_paths: int,
    horizon: int,
    seed: int,
    engine: str,
) -> SimulationResult:
    return _simulate(returns, roles, scenario_toml, n_paths, horizon, seed, engine)


#: Large runs kept in memory (each holds n_paths x assets floats twice; a few are enough).
LARGE_RUNS_KEPT = 4


@st.cache_resource(show_spinner=False)
def _large_run_store() -> tuple[OrderedDict[tuple, SimulationResult], threading.Lock]:
    """Process-wide LRU of large runs (no Streamlit element is created inside, so nothing is replayed)."""
    return OrderedDict(), threading.Lock()


def _frame_digest(frame: pd.DataFrame) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr(list(frame.columns)).encode())
    return digest.hexdigest()


def _large_run(
    returns: pd.DataFrame, roles: ModelInputs, scenario_toml: str, n_paths: int, horizon: int, seed: int,
    engine: str,
) -> SimulationResult:
    """A large run with a progress bar, cached in :func:`_large_run_store`.

    ``st.cache_data`` replays the elements a cached function touched, and a progress bar
    created outside the function cannot be replayed, so large runs keep their own cache.
    """
    store, lock = _large_run_store()
    key = (_frame_digest(returns), roles, scenario_toml, n_paths, horizon, seed, engine)
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    bar = st.progress(0.0, text=f"Simulating {n_paths:,} paths x {horizon} days…")
    try:
        result = _simulate(returns, roles, scenario_toml, n_paths, horizon, seed, engine,
                           progress=lambda f: bar.progress(min(max(f, 0.0), 1.0)))
    finally:
        bar.empty()
    with lock:
        store[key] = result
        while len(store) > LARGE_RUNS_KEPT:
            store.popitem(last=False)
    return result


def run_simulation(
    selection: Selection,
    scenario: Scenario,
    *,
    n_paths: int,
    horizon: int,
    seed: int,
    engine: str,
) -> SimulationResult:
    """Simulate ``scenario`` on the selection's calibrated model (cached; progress bar for large runs).

    The same seed gives the same random numbers for every scenario (common random
    numbers), so differences between scenarios are not Monte Carlo noise.
    """
    roles = model_inputs(selection)
    check_size(n_paths, horizon, 2 + len(roles.alts))
    returns = get_returns(selection, kind="log", freq="D")[[roles.russell, roles.btc, *roles.alts]]
    toml_text = scenario_to_toml(scenario)
    cells = n_paths * horizon * (2 + len(roles.alts))
    if cells <= PROGRESS_CELLS:
        return _cached_run(returns, roles, toml_text, n_paths, horizon, seed, engine)
    return _large_run(returns, roles, toml_text, n_paths, horizon, seed, engine)
