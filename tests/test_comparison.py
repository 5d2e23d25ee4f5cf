"""Scenario comparison: paired differences under common random numbers, binned densities."""

from __future__ import annotations

import numpy as np
import pytest

from core.comparison import (
    ComparisonError,
    asset_outcomes,
    binned_log_growth,
    compare_engines,
    compare_scenarios,
)
from core.metrics import summarize
from core.montecarlo import BASKET, SimulationResult


def _result(r: np.ndarray, dd: np.ndarray, btc: np.ndarray, name: str) -> SimulationResult:
    n = r.size
    return SimulationResult(
        assets=("IWM", "BTC-USD", "SOL-USD"), basket_assets=("SOL-USD",), basket_weights=np.array([1.0]),
        terminal_returns=np.column_stack([np.zeros(n), btc, r]), max_drawdowns=np.column_stack([dd, dd, dd]),
        basket_terminal_return=r, basket_max_drawdown=dd, fan_steps=np.array([0, 1]),
        fan_bands=np.zeros((2, 4, 5)), regime_names=("calm",), regime_occupancy=np.array([1.0]),
        scenario=name, engine="parametric", n_paths=n, horizon=1, seed=0, block_length=None,
    )


def test_hand_computed_metrics_and_paired_differences():
    a = _result(np.array([-0.6, 0.0, 0.3, 1.5]), np.array([0.9, 0.1, 0.0, 0.0]), np.array([0.1, 0.1, 0.1, 0.1]), "A")
    b = _result(np.array([-0.4, 0.25, 0.1, 5.0]), np.array([0.5, 0.1, 0.0, 0.0]), np.array([0.1, 0.1, 0.1, 0.1]), "B")
    t = compare_scenarios({"A": a, "B": b}, BASKET).set_index(["scenario", "metric"])
    assert t.loc[("A", "prob_ge_20pct"), "value"] == 0.5
    assert t.loc[("B", "prob_ge_20pct"), "value"] == 0.5
    # Paired indicator differences for P(>= +20%): B - A = [0, 1, -1, 0] -> mean 0, sd sqrt(2/3).
    assert t.loc[("B", "prob_ge_20pct"), "diff"] == 0.0
    assert t.loc[("B", "prob_ge_20pct"), "diff_se"] == pytest.approx(np.sqrt(2 / 3) / 2)
    assert t.loc[("A", "prob_ge_20pct"), "se"] == pytest.approx(np.sqrt(0.25 / 4))
    assert t.loc[("B", "prob_ge_5x"), "value"] == 0.25 and t.loc[("B", "prob_ge_5x"), "diff"] == 0.25
    assert t.loc[("A", "prob_loss_50pct"), "value"] == 0.25 and t.loc[("B", "prob_loss_50pct"), "value"] == 0.0
    assert t.loc[("A", "prob_max_dd_80pct"), "value"] == 0.25
    assert t.loc[("A", "p50"), "value"] == pytest.approx(np.median([-0.6, 0.0, 0.3, 1.5]))
    assert t.loc[("B", "p50"), "diff"] == pytest.approx(np.median([-0.4, 0.25, 0.1, 5.0]) - 0.15)
    assert t.loc[("A", "prob_beats_btc"), "value"] == 0.5
    assert np.isnan(t.loc[("A", "prob_ge_2x"), "diff_se"])
    # the geometric mean replaces the simple mean (infinite under Student-t shocks)
    assert "mean" not in set(t.index.get_level_values("metric"))
    ga = np.exp(np.mean(np.log1p([-0.6, 0.0, 0.3, 1.5]))) - 1
    gb = np.exp(np.mean(np.log1p([-0.4, 0.25, 0.1, 5.0]))) - 1
    assert t.loc[("A", "geometric_mean"), "value"] == pytest.approx(ga)
    assert t.loc[("B", "geometric_mean"), "diff"] == pytest.approx(gb - ga)
    logs = np.log1p([-0.6, 0.0, 0.3, 1.5])
    assert t.loc[("A", "geometric_mean"), "se"] == pytest.approx((ga + 1) * logs.std(ddof=1) / 2)
    assert t["se"].notna().all()  # every value carries its standard error


def test_paired_se_is_smaller_than_unpaired_under_common_random_numbers():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(20_000)
    a = _result(np.expm1(0.3 * z), np.zeros(z.size), np.zeros(z.size), "A")
    b = _result(np.expm1(0.3 * z + 0.02), np.zeros(z.size), np.zeros(z.size), "B")
    row = compare_scenarios({"A": a, "B": b}, BASKET).set_index(["scenario", "metric"]).loc[("B", "prob_ge_20pct")]
    unpaired = np.hypot(row["se"], row["se"])
    assert 0 < row["diff_se"] < unpaired / 2
    assert row["diff"] > 3 * row["diff_se"]


def test_errors_and_asset_lookup():
    a = _result(np.zeros(3), np.zeros(3), np.zeros(3), "A")
    b = _result(np.zeros(4), np.zeros(4), np.zeros(4), "B")
    with pytest.raises(ComparisonError, match="different path counts"):
        compare_scenarios({"A": a, "B": b}, BASKET)
    with pytest.raises(ComparisonError, match="'DOGE-USD'"):
        asset_outcomes(a, "DOGE-USD")
    np.testing.assert_array_equal(asset_outcomes(a, "BTC-USD")[0], np.zeros(3))


def test_binned_densities_integrate_to_one_on_shared_bins():
    rng = np.random.default_rng(1)
    a = _result(np.expm1(rng.normal(0, 0.5, 5000)), np.zeros(5000), np.zeros(5000), "A")
    b = _result(np.expm1(rng.normal(0.3, 0.8, 5000)), np.zeros(5000), np.zeros(5000), "B")
    binned = binned_log_growth({"A": a, "B": b}, BASKET, bins=40)
    assert len(binned) == 80
    for _, g in binned.groupby("scenario"):
        assert ((g["hi"] - g["lo"]) * g["density"]).sum() == pytest.approx(1.0)
    ga, gb = (binned[binned.scenario == k] for k in "AB")
    np.testing.assert_array_equal(ga["lo"].to_numpy(), gb["lo"].to_numpy())
    np.testing.assert_allclose(binned["return_lo"], np.expm1(binned["lo"]))


def test_compare_chart_builders_carry_the_data():
    from ui.charts.compare import make_median_paths_chart, make_overlay_distribution_chart

    rng = np.random.default_rng(2)
    a = _result(np.expm1(rng.normal(0, 0.5, 500)), np.zeros(500), np.zeros(500), "A")
    b = _result(np.expm1(rng.normal(0.2, 0.5, 500)), np.zeros(500), np.zeros(500), "B")
    binned = binned_log_growth({"A": a, "B": b}, BASKET, bins=20)
    spec = make_overlay_distribution_chart(binned, ["A", "B"]).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 40 and {"scenario", "lo", "density"} <= set(rows[0])
    fan = binned.rename(columns={"lo": "day"}).assign(p25=0.0, p50=0.1, p75=0.2)[["scenario", "day", "p25", "p50", "p75"]]
    layer = make_median_paths_chart(fan, ["A", "B"]).to_dict()
    assert len(layer["layer"]) == 2


def test_btc_against_itself_is_blank_and_clear_differences_are_flagged():
    a = _result(np.array([-0.6, 0.0, 0.3, 1.5]), np.zeros(4), np.array([0.1, 0.1, 0.1, 0.1]), "A")
    b = _result(np.array([-0.4, 0.25, 0.1, 5.0]), np.zeros(4), np.array([0.1, 0.1, 0.1, 0.1]), "B")
    t = compare_scenarios({"A": a, "B": b}, "BTC-USD").set_index(["scenario", "metric"])
    assert np.isnan(t.loc[("A", "prob_beats_btc"), "value"]) and np.isnan(t.loc[("B", "prob_beats_btc"), "diff"])
    assert t.loc[("A", "prob_ge_20pct"), "value"] == 0.0  # BTC ends at +10% on every path
    assert not t["clear"].any()  # BTC is the same in both: no difference at all
    rng = np.random.default_rng(0)
    z = rng.standard_normal(20_000)
    up = _result(np.expm1(0.3 * z), np.zeros(z.size), np.zeros(z.size), "A")
    upper = _result(np.expm1(0.3 * z + 0.02), np.zeros(z.size), np.zeros(z.size), "B")
    t = compare_scenarios({"A": up, "B": upper}, BASKET).set_index(["scenario", "metric"])
    row = t.loc[("B", "prob_ge_20pct")]
    assert row["clear"] == (abs(row["diff"]) > 2 * row["diff_se"]) and row["clear"]
    assert not t.loc["A", "clear"].any()  # the baseline has no difference


@pytest.mark.parametrize("metric", ["p50", "p05", "p95", "geometric_mean", "prob_ge_20pct"])
def test_paired_standard_errors_match_the_spread_of_paired_differences(metric: str):
    """Across 300 replications the paired difference's sd equals its estimated standard error."""
    rng = np.random.default_rng(4)
    n, reps = 2_000, 300
    diffs, ses, unpaired = [], [], []
    for _ in range(reps):
        z = rng.standard_t(4, n) * 0.25
        e = rng.standard_normal(n) * 0.1
        a = _result(np.expm1(z), np.zeros(n), np.zeros(n), "A")
        b = _result(np.expm1(1.2 * z + e + 0.03), np.zeros(n), np.zeros(n), "B")
        row = compare_scenarios({"A": a, "B": b}, BASKET).set_index(["scenario", "metric"])
        diffs.append(row.loc[("B", metric), "diff"])
        ses.append(row.loc[("B", metric), "diff_se"])
        unpaired.append(np.hypot(row.loc[("A", metric), "se"], row.loc[("B", metric), "se"]))
    spread = np.std(diffs, ddof=1)
    assert np.mean(ses) == pytest.approx(spread, rel=0.25)  # measured: 1.02 to 1.17
    assert np.mean(ses) < 0.8 * np.mean(unpaired)  # pairing pays


def test_compare_engines_side_by_side_with_unpaired_errors():
    a = _result(np.array([-0.6, 0.0, 0.3, 1.5, 0.2]), np.zeros(5), np.full(5, 0.1), "A")
    b = _result(np.array([-0.4, 0.25, 0.1, 5.0, 0.0]), np.zeros(5), np.full(5, 0.1), "A")
    ma, mb = summarize(a), summarize(b)
    t = compare_engines({"parametric": ma, "bootstrap": mb}, [BASKET, "BTC-USD"]).set_index(["asset", "metric"])
    assert list(t.index) == [(BASKET, "Median return"), (BASKET, "Geometric mean"), ("BTC-USD", "Median return"),
                             ("BTC-USD", "Geometric mean"), (BASKET, "P(basket beats BTC)")]
    row = t.loc[(BASKET, "Median return")]
    assert row["parametric value"] == pytest.approx(0.2) and row["bootstrap value"] == pytest.approx(0.1)
    assert row["diff"] == pytest.approx(-0.1)
    assert row["diff_se"] == pytest.approx(np.hypot(ma.basket.p50_se, mb.basket.p50_se))
    beats = t.loc[(BASKET, "P(basket beats BTC)")]
    assert beats["parametric value"] == pytest.approx(0.6) and beats["bootstrap value"] == pytest.approx(0.4)
    assert t.loc[("BTC-USD", "Median return"), "diff"] == pytest.approx(0.0)
    with pytest.raises(ComparisonError, match="two engines"):
        compare_engines({"parametric": ma}, [BASKET])
    with pytest.raises(ComparisonError, match="'DOGE-USD'"):
        compare_engines({"parametric": ma, "bootstrap": mb}, ["DOGE-USD"])
