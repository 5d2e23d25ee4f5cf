"""Chart builders and result tables of the Simulator (pure: no Streamlit)."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core.calibration import calibrate
from core.data import load_prices
from core.metrics import PROBABILITIES, summarize
from core.montecarlo import BASKET, simulate
from core.returns import compute_returns
from core.scenario import SCENARIO_DIR, load_scenario
from core.tickers import DEFAULT_CRYPTO
from ui.charts.simulation import (
    build_exceedance_frame,
    build_histogram_frame,
    build_metrics_table,
    build_percentile_frame,
    build_probability_table,
    format_probability_table,
    make_distribution_chart,
    make_exceedance_chart,
    make_fan_chart,
    make_occupancy_chart,
    make_sensitivity_chart,
    median_standard_error,
)

ALTAIR_MAX_ROWS = 5000


def _rows(chart: alt.TopLevelMixin) -> list[int]:
    spec = chart.to_dict()
    return [len(v) for v in spec.get("datasets", {}).values()]


@pytest.fixture(scope="module")
def result():
    tickers = ["IWM", "SPY", *DEFAULT_CRYPTO]
    prices = load_prices(tickers, source="demo")
    returns = compute_returns(prices.closes[tickers], calendar=["IWM", "SPY"])
    model = calibrate(returns, russell="IWM", btc="BTC-USD", alts=list(DEFAULT_CRYPTO[1:]))
    scenario = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    return simulate(model, scenario, n_paths=20_000, rng=np.random.default_rng(3))


def test_histogram_frame_exact_case() -> None:
    frame = build_histogram_frame({"a": np.array([0.1, 0.2, 0.2, 0.9, 5.0])}, bins=4, value_range=(0.0, 1.0))
    assert list(frame.columns) == ["asset", "lo", "hi", "mid", "share", "density"]
    assert frame["lo"].tolist() == pytest.approx([0, 0.25, 0.5, 0.75])
    assert frame["share"].tolist() == pytest.approx([0.6, 0.0, 0.0, 0.2])  # 5.0 lies outside
    assert frame["density"].tolist() == pytest.approx([2.4, 0, 0, 0.8])


def test_histogram_frame_of_many_paths_is_small_and_shares_add_up(result) -> None:
    samples = {"basket": result.basket_terminal_return, "BTC": result.terminal_returns[:, 1]}
    for log_axis in (False, True):
        frame = build_histogram_frame(samples, group="scenario", bins=50, log_axis=log_axis)
        assert len(frame) == 100 and set(frame["scenario"]) == {"basket", "BTC"}
        inside = frame.groupby("scenario")["share"].sum()
        assert (inside > 0.97).all() and (inside <= 1.0).all()
        widths = frame["hi"] - frame["lo"]
        assert float((frame["density"] * widths).sum()) == pytest.approx(inside.sum())
    wide = build_histogram_frame(pd.DataFrame(samples), bins=10)
    assert len(wide) == 20


def test_percentile_frame_matches_numpy(result) -> None:
    x = result.basket_terminal_return
    frame = build_percentile_frame({"basket": x}, log_axis=True)
    assert frame["label"].tolist() == ["p05", "p50", "p95"]
    assert frame["value"].tolist() == pytest.approx(np.quantile(x, [0.05, 0.5, 0.95]).tolist())
    assert frame["x"].tolist() == pytest.approx(np.log1p(frame["value"]).tolist())


def test_distribution_chart_is_aggregated(result) -> None:
    samples = {a: result.terminal_returns[:, i] for i, a in enumerate(result.assets)}
    samples[BASKET] = result.basket_terminal_return
    for log_axis in (False, True):
        hist = build_histogram_frame(samples, log_axis=log_axis)
        marks = build_percentile_frame(samples, log_axis=log_axis)
        chart = make_distribution_chart(hist, marks, log_axis=log_axis)
        assert isinstance(chart, alt.LayerChart)
        rows = _rows(chart)
        assert sorted(rows) == sorted([len(hist), len(marks)])
        assert max(rows) <= ALTAIR_MAX_ROWS
    by_scenario = build_histogram_frame({"A": samples[BASKET], "B": samples["BTC-USD"]}, group="scenario")
    make_distribution_chart(by_scenario, group="scenario").to_dict()


def test_fan_chart_from_result_frames(result) -> None:
    fan = result.fan_frame()
    chart = make_fan_chart(fan[fan["asset"].isin([BASKET, "BTC-USD"])], log_axis=True)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 2 * len(result.fan_steps)
    assert {"day", "asset", "p05", "p25", "p50", "p75", "p95"} <= set(data[0])
    basket0 = [row for row in data if row["asset"] == BASKET and row["day"] == 0][0]
    assert basket0["p50"] == 0.0  # log1p(0)
    renamed = fan.rename(columns={"asset": "scenario"})
    make_fan_chart(renamed, group="scenario").to_dict()


def test_exceedance_frame_exact_case_and_chart() -> None:
    frame = build_exceedance_frame({"a": np.array([0.1, 0.5, 0.5, 0.9])}, [0.0, 0.5, 0.6, 1.0])
    assert frame["prob"].tolist() == pytest.approx([1.0, 0.75, 0.25, 0.0])
    assert frame["se"].tolist() == pytest.approx([0.0, math.sqrt(0.75 * 0.25 / 4), math.sqrt(0.25 * 0.75 / 4), 0])
    chart = make_exceedance_chart(frame)
    assert _rows(chart) == [4]


def test_occupancy_and_sensitivity_charts() -> None:
    occ = pd.DataFrame({"regime": ["a", "b"] * 2, "source": ["simulated"] * 2 + ["stationary"] * 2,
                        "share": [0.7, 0.3, 0.6, 0.4]})
    assert _rows(make_occupancy_chart(occ)) == [4]
    sweep = pd.DataFrame({
        "value": [-30.0, 0.0, 30.0] * 4,
        "asset": (["basket"] * 3 + ["BTC"] * 3) * 2,
        "metric": ["Median return"] * 6 + ["P(return ≥ 2x)"] * 6,
        "estimate": np.linspace(-0.2, 0.3, 12), "se": np.full(12, 0.01),
    })
    chart = make_sensitivity_chart(sweep, x_title="Russell return (%)")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 12
    assert data[0]["lo"] == pytest.approx(data[0]["estimate"] - 1.959963984540054 * 0.01)
    marked = make_sensitivity_chart(sweep, current=7.0).to_dict()
    rules = [layer for layer in marked["spec"]["layer"] if layer["mark"].get("type") == "rule"]
    assert rules and rules[0]["encoding"]["x"]["datum"] == 7.0


def test_median_standard_error_matches_theory() -> None:
    rng = np.random.default_rng(11)
    n = 20_000
    # asymptotic s.e. of the median of N(0, 1): sqrt(pi / 2) / sqrt(n)
    theory = math.sqrt(math.pi / 2) / math.sqrt(n)
    estimates = [median_standard_error(rng.standard_normal(n)) for _ in range(20)]
    assert np.mean(estimates) == pytest.approx(theory, rel=0.08)
    # and it matches the spread of medians across independent samples
    medians = [np.median(rng.standard_normal(n)) for _ in range(400)]
    assert np.std(medians, ddof=1) == pytest.approx(theory, rel=0.15)
    assert math.isnan(median_standard_error(np.array([1.0, 2.0])))


def test_probability_table_counts_and_formats() -> None:
    x = np.array([-0.6, -0.1, 0.0, 0.3, 1.5])
    table = build_probability_table({"A": x}, [-0.5, 0.0, 1.0])
    assert table["prob"].tolist() == pytest.approx([0.8, 0.6, 0.2])
    assert table["se"].tolist() == pytest.approx([math.sqrt(p * (1 - p) / 5) for p in (0.8, 0.6, 0.2)])
    at_most = build_probability_table({"A": x}, [-0.5], at_most=True)
    assert at_most["prob"].tolist() == pytest.approx([0.2])
    wide = format_probability_table(table)
    assert list(wide.index) == ["-50%", "+0%", "+100%"]
    assert wide.loc["+0%", "A"] == "60.0% ± 21.9"
    assert list(format_probability_table(build_probability_table({"B": x, "A": x}, [0.05]), ["A", "B"]).columns) == [
        "A", "B"]
    assert format_probability_table(build_probability_table({"A": x}, [0.055])).index[0] == "+5.5%"


def test_metrics_table_has_every_metric_with_its_standard_error(result) -> None:
    metrics = summarize(result)
    table = build_metrics_table(result, metrics)
    assert list(table.index) == [*result.assets, BASKET]
    for prob in PROBABILITIES:
        assert prob in table.columns and f"{prob}_se" in table.columns
    assert table.loc[BASKET, "prob_beats_btc"] == pytest.approx(metrics.basket_beats_btc.p)
    assert table.loc[BASKET, "prob_beats_btc_se"] == pytest.approx(metrics.basket_beats_btc.se)
    assert math.isnan(table.loc["BTC-USD", "prob_beats_btc"])
    assert table.loc[BASKET, "p50"] == pytest.approx(np.median(result.basket_terminal_return))
    assert (table["p50_se"] > 0).all()
    assert (table["n_paths"] == 20_000).all() and (table["engine"] == "parametric").all()
    csv = table.to_csv(index_label="asset")
    assert csv.splitlines()[0].startswith("asset,mean,p05,p25,p50,p50_se")
