"""CSV downloads: formula cells neutralized, provenance columns, a table pandas reads back."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.export import (
    FORMULA_PREFIXES,
    PROVENANCE_COLUMNS,
    metrics_csv,
    neutralize,
    run_provenance,
    safe_frame,
    to_safe_csv,
)
from core.metrics import metrics_table
from core.run import run_scenario
from core.scenario import scenario_from_dict
from tests.test_montecarlo import make_model


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_text_gets_an_apostrophe(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["BTC-USD", "Controlled rally", "", "'quoted", -0.5, 3, math.nan, None])
def test_other_values_are_left_alone(value: object) -> None:
    got = neutralize(value)
    assert got is value or (isinstance(value, float) and math.isnan(got))


@given(st.text(max_size=30))
def test_neutralized_text_never_starts_a_formula(text: str) -> None:
    out = neutralize(text)
    assert not out.startswith(FORMULA_PREFIXES)
    assert out == text or out == "'" + text


def test_safe_frame_covers_cells_index_and_headers() -> None:
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "+col": [-1.5, 2.0]},
                         index=pd.Index(["@x", "BTC-USD"], name="-idx"))
    out = safe_frame(frame)
    assert out["name"].tolist() == ["'=cmd|' /C calc'!A0", "ok"]
    assert list(out.columns) == ["name", "'+col"]
    assert out.index.tolist() == ["'@x", "BTC-USD"] and out.index.name == "'-idx"
    assert out["'+col"].tolist() == [-1.5, 2.0]  # numbers stay numbers
    back = pd.read_csv(io.StringIO(to_safe_csv(frame)), index_col=0)
    assert back["'+col"].tolist() == [-1.5, 2.0]


def test_metrics_csv_carries_provenance_and_reads_back() -> None:
    model = make_model()
    scenario = scenario_from_dict({"name": "=evil()", "horizon_days": 10, "regimes": [{"name": "only"}]})
    run = run_scenario(model, scenario, n_paths=500, horizon=10, seed=3)
    prov = run_provenance(data_label="CSV folder ../x", data_first=pd.Timestamp("2019-01-02"),
                          data_last=pd.Timestamp("2025-06-30"), model=model,
                          overrides={"selectivity": 1.5, "regimes.only.df": 4.0})
    assert list(prov) == list(PROVENANCE_COLUMNS)
    text = metrics_csv(run.result, run.metrics, prov)
    back = pd.read_csv(io.StringIO(text), index_col="asset")
    want = metrics_table(run.result, run.metrics)
    assert list(back.index) == list(want.index)
    assert list(back.columns) == [*want.columns, *PROVENANCE_COLUMNS]
    numeric = [c for c in want.columns if c not in ("scenario", "engine")]
    np.testing.assert_allclose(back[numeric].to_numpy(dtype=float), want[numeric].to_numpy(dtype=float),
                               rtol=1e-12)
    assert (back["scenario"] == "'=evil()").all()  # user text cannot run as a formula
    assert (back["data"] == "CSV folder ../x").all()
    assert (back["data_first"] == "2019-01-02").all() and (back["calibration_end"] == "2022-01-01").all()
    assert json.loads(back["overrides"].iloc[0]) == {"regimes.only.df": 4.0, "selectivity": 1.5}
    none = run_provenance(data_label="demo", data_first=None, data_last=None, model=model, overrides=None)
    assert none["overrides"] == "{}" and none["data_first"] == ""
