"""Distribution frames for drawing: histogram bins and percentile markers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.distributions import MAX_BINS, DistributionError, histogram_frame, percentile_markers
from core.errors import ExplorerError


@pytest.fixture(scope="module")
def samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {"basket": np.expm1(rng.standard_t(4, 20_000) * 0.3), "BTC": np.expm1(rng.standard_normal(20_000) * 0.2)}


def test_histogram_frame_exact_case() -> None:
    frame = histogram_frame({"a": np.array([0.1, 0.2, 0.2, 0.9, 5.0])}, bins=4, value_range=(0.0, 1.0))
    assert list(frame.columns) == ["asset", "lo", "hi", "mid", "share", "density"]
    assert frame["lo"].tolist() == pytest.approx([0, 0.25, 0.5, 0.75])
    assert frame["mid"].tolist() == pytest.approx([0.125, 0.375, 0.625, 0.875])
    assert frame["share"].tolist() == pytest.approx([0.6, 0.0, 0.0, 0.2])  # 5.0 lies outside
    assert frame["density"].tolist() == pytest.approx([2.4, 0, 0, 0.8])


def test_histogram_of_many_paths_is_small_and_matches_numpy(samples) -> None:
    for log_axis in (False, True):
        frame = histogram_frame(samples, group="scenario", bins=50, log_axis=log_axis)
        assert len(frame) == 100 and set(frame["scenario"]) == {"basket", "BTC"}
        pooled = np.concatenate([np.log1p(v) if log_axis else v for v in samples.values()])
        lo, hi = np.quantile(pooled, [0.005, 0.995])
        assert frame["lo"].iloc[0] == pytest.approx(lo) and frame["hi"].iloc[49] == pytest.approx(hi)
        x = np.log1p(samples["BTC"]) if log_axis else samples["BTC"]
        counts, _ = np.histogram(x, bins=np.linspace(lo, hi, 51))
        assert frame[frame["scenario"] == "BTC"]["share"].to_numpy() == pytest.approx(counts / x.size)
        inside = frame.groupby("scenario")["share"].sum()
        assert (inside > 0.97).all() and (inside <= 1.0).all()
    assert len(histogram_frame(pd.DataFrame(samples), bins=10)) == 20


def test_percentile_markers_match_numpy(samples) -> None:
    x = samples["basket"]
    frame = percentile_markers({"basket": x}, log_axis=True)
    assert frame["label"].tolist() == ["p05", "p50", "p95"]
    assert frame["value"].tolist() == pytest.approx(np.quantile(x, [0.05, 0.5, 0.95]).tolist())
    assert frame["x"].tolist() == pytest.approx(np.log1p(frame["value"]).tolist())
    plain = percentile_markers(samples, group="scenario", levels=(0.25,))
    assert plain["x"].tolist() == plain["value"].tolist() == pytest.approx(
        [np.quantile(samples["basket"], 0.25), np.quantile(samples["BTC"], 0.25)])


def test_bad_requests_name_the_value() -> None:
    assert issubclass(DistributionError, ExplorerError)
    with pytest.raises(DistributionError, match="got 0"):
        histogram_frame({"a": np.ones(3)}, bins=0)
    with pytest.raises(DistributionError, match=str(MAX_BINS)):
        histogram_frame({"a": np.ones(3)}, bins=MAX_BINS + 1)
    with pytest.raises(DistributionError, match="-1.5"):
        histogram_frame({"a": np.array([-1.5, 0.2])}, log_axis=True)
    with pytest.raises(ExplorerError, match="non-finite"):
        histogram_frame({"a": np.array([np.nan, 0.2])})
    assert histogram_frame({}).empty and percentile_markers({}).empty
