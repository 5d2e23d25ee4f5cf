"""The selection's digest keys the shared caches: equal data hits, any change in the data misses."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import streamlit as st

import ui.simulation as simulation
from core.data import PriceData, load_prices
from core.tickers import DEFAULT_CRYPTO, DEFAULT_RUSSELL, DEFAULT_SP
from ui.common import get_returns
from ui.state import Selection


def _selection(closes: pd.DataFrame, russell: str = DEFAULT_RUSSELL) -> Selection:
    prices = PriceData(closes=closes, sources={t: "demo" for t in closes.columns})
    return Selection(prices, russell, DEFAULT_SP, DEFAULT_CRYPTO, closes.index[0].date(), closes.index[-1].date())


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    return load_prices([DEFAULT_RUSSELL, DEFAULT_SP, *DEFAULT_CRYPTO], source="demo").closes.iloc[-800:]


def test_digest_follows_values_dates_columns_and_roles(closes: pd.DataFrame) -> None:
    base = _selection(closes)
    assert _selection(closes.copy()).digest == base.digest  # equal content, another object
    bumped = closes.copy()
    bumped.iloc[-1, 2] *= 1.0001
    shifted = closes.copy()
    shifted.index = shifted.index + pd.Timedelta(days=1)
    renamed = closes.rename(columns={closes.columns[-1]: "OTHER-USD"})
    others = [_selection(bumped), _selection(shifted), _selection(renamed),
              _selection(closes, russell=DEFAULT_SP), _selection(closes.iloc[1:])]
    digests = {base.digest, *(s.digest for s in others)}
    assert len(digests) == 1 + len(others)


def test_digest_is_computed_once_per_selection(closes: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.state as state

    calls = []
    real = state.frame_digest
    monkeypatch.setattr(state, "frame_digest", lambda *a, **k: calls.append(1) or real(*a, **k))
    sel = _selection(closes)
    assert sel.digest == sel.digest == sel.digest
    assert len(calls) == 1


def test_returns_and_model_are_shared_by_equal_data_and_recomputed_for_changed_data(
    closes: pd.DataFrame, monkeypatch: pytest.MonkeyPatch,
) -> None:
    st.cache_data.clear()
    fits = []
    real = simulation.calibrate
    monkeypatch.setattr(simulation, "calibrate", lambda *a, **k: fits.append(1) or real(*a, **k))
    btc = "BTC-USD"
    first = simulation.calibrated_model(_selection(closes))
    again = simulation.calibrated_model(_selection(closes.copy()))
    assert len(fits) == 1
    assert again.assets == first.assets

    bumped = closes.copy()
    bumped.loc[bumped.index[-1], btc] *= 1.5  # one close: the last BTC return grows by log(1.5)
    changed = _selection(bumped)
    r0, r1 = get_returns(_selection(closes)), get_returns(changed)
    assert r1[btc].iloc[-1] - r0[btc].iloc[-1] == pytest.approx(math.log(1.5))
    model = simulation.calibrated_model(changed)
    assert len(fits) == 2
    assert model.btc_sigma != pytest.approx(first.btc_sigma)


def test_a_run_is_keyed_by_the_selection_not_its_object(closes: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.scenario import resolve_scenario

    st.cache_data.clear()
    simulation.run_store().clear()
    runs = []
    real = simulation.run_scenario
    monkeypatch.setattr(simulation, "run_scenario", lambda *a, **k: runs.append(1) or real(*a, **k))
    scenario = resolve_scenario("controlled_rally")
    kw = dict(n_paths=500, horizon=10, seed=3, engine="parametric")
    a = simulation.scenario_run(_selection(closes), scenario, **kw)
    b = simulation.scenario_run(_selection(closes.copy()), scenario, **kw)
    assert b is a and len(runs) == 1
    bumped = closes.copy()
    bumped.iloc[-1, 0] *= 0.9
    simulation.scenario_run(_selection(bumped), scenario, **kw)
    assert len(runs) == 2
