"""Outcome metrics: percentiles, probabilities with standard errors, VaR/ES, summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conventions import BASKET
from core.metrics import (
    LOG_FLOOR,
    PROBABILITIES,
    Estimate,
    MetricsError,
    drawdown_distribution,
    exceedance_probabilities,
    fan_bands,
    geometric_mean_return,
    log_growth,
    mc_standard_error,
    mean_log_return,
    metrics_table,
    percentile_table,
    prob_at_least,
    prob_at_most,
    prob_basket_beats_btc,
    prob_beats_btc,
    quantile_standard_error,
    simple_mean_exists,
    summarize,
    summarize_outcome,
    target_probabilities,
    var_es,
)
from core.montecarlo import SimulationResult, simulate
from core.run import run_scenario
from tests.test_montecarlo import NORMAL, make_model, one_regime


def test_standard_error_formula() -> None:
    assert mc_standard_error(0.5, 100) == pytest.approx(0.05)
    assert mc_standard_error(0.0, 10) == 0.0
    assert mc_standard_error(1.0, 10) == 0.0
    with pytest.raises(MetricsError):
        mc_standard_error(0.5, 0)


def test_prob_at_least_hand_computed() -> None:
    r = np.array([-0.6, -0.5, 0.0, 0.2, 0.2, 1.0, 4.5, 0.19])
    est = prob_at_least(r, 0.2)
    assert est == Estimate(p=4 / 8, se=math.sqrt(0.5 * 0.5 / 8), n=8)
    assert prob_at_least(r, 1.0).p == 2 / 8
    assert prob_at_least(r, 4.0).p == 1 / 8
    assert prob_at_most(r, -0.5).p == 2 / 8
    assert prob_at_least(r, 10).p == 0.0 and prob_at_least(r, 10).se == 0.0
    with pytest.raises(MetricsError, match="target"):
        prob_at_least(r, math.nan)
    with pytest.raises(MetricsError, match="non-finite"):
        prob_at_least(np.array([0.1, np.nan]), 0.0)
    with pytest.raises(MetricsError, match="empty"):
        prob_at_least(np.array([]), 0.0)


def test_var_es_hand_computed() -> None:
    r = np.arange(-10, 10) / 10.0  # -1.0 .. 0.9, 20 values
    q = np.quantile(r, 0.05)  # linear: -1.0 + 0.95 * 0.1 = -0.905
    var, es = var_es(r)
    assert var == pytest.approx(-q) == pytest.approx(0.905)
    assert es == pytest.approx(1.0)  # only -1.0 lies at or below the 5% quantile
    var, es = var_es(r + 5)  # all gains: VaR is negative
    assert var < 0 and es < 0
    with pytest.raises(MetricsError, match="level"):
        var_es(r, 1.5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.999, 50, allow_nan=False), min_size=2, max_size=200))
def test_summary_matches_numpy(values: list[float]) -> None:
    r = np.array(values)
    dd = np.clip(np.abs(r), 0, 1)
    m = summarize_outcome(r, dd)
    assert [m.p05, m.p25, m.p50, m.p75, m.p95] == pytest.approx(np.quantile(r, [0.05, 0.25, 0.5, 0.75, 0.95]))
    assert m.mean == pytest.approx(r.mean())
    assert m.prob_ge_20pct == np.mean(r >= 0.2)
    assert m.prob_ge_2x == np.mean(r >= 1.0)
    assert m.prob_ge_5x == np.mean(r >= 4.0)
    assert m.prob_loss_50pct == np.mean(r <= -0.5)
    assert m.prob_max_dd_80pct == np.mean(dd >= 0.8)
    assert m.es95 >= m.var95 - 1e-12  # ES is the mean beyond VaR
    assert set(m.se) == set(PROBABILITIES)
    for key, se in m.se.items():
        p = getattr(m, key)
        assert se == pytest.approx(math.sqrt(p * (1 - p) / r.size))
    logs = np.log1p(r)
    assert m.mean_log == pytest.approx(logs.mean())
    assert m.mean_log_se == pytest.approx(logs.std(ddof=1) / math.sqrt(r.size), nan_ok=True)
    assert m.geometric_mean == pytest.approx(np.exp(logs.mean()) - 1)
    assert math.isnan(m.mean_se)  # Student-t by default: the simple mean has no standard error
    d = m.to_dict()
    assert list(d)[:6] == ["mean", "p05", "p25", "p50", "p75", "p95"]
    assert {k: d["se"][k] for k in m.se} == m.se
    assert d["se"]["mean_log"] is m.mean_log_se and d["se"]["geometric_mean"] is m.geometric_mean_se
    assert d["se"]["p50"] is m.p50_se and d["mean_finite"] is False


def test_summary_length_mismatch() -> None:
    with pytest.raises(MetricsError, match="3 returns but 2"):
        summarize_outcome(np.zeros(3), np.zeros(2))


def hand_result() -> SimulationResult:
    terminal = np.array([[0.1, 0.5, 1.2, 0.0], [0.0, 0.0, -0.6, 0.3], [0.2, 0.0, 5.0, -0.9]])
    dd = np.array([[0.0, 0.1, 0.2, 0.3], [0.1, 0.5, 0.85, 0.2], [0.0, 0.3, 0.1, 0.95]])
    basket = terminal[:, 2:].mean(axis=1)  # 0.6, -0.15, 2.05
    return SimulationResult(
        assets=("IWM", "BTC", "AAA", "BBB"), basket_assets=("AAA", "BBB"), basket_weights=np.array([0.5, 0.5]),
        terminal_returns=terminal, max_drawdowns=dd, basket_terminal_return=basket,
        basket_max_drawdown=np.array([0.2, 0.6, 0.9]), fan_steps=np.array([0, 1]),
        fan_bands=np.zeros((2, 5, 5)), regime_names=("a", "b"), regime_occupancy=np.array([0.75, 0.25]),
        scenario="hand", engine="parametric", n_paths=3, horizon=1, seed=1, block_length=None,
    )


def test_basket_beats_btc_and_summary_on_hand_result() -> None:
    res = hand_result()
    est = prob_basket_beats_btc(res)
    assert est.p == pytest.approx(2 / 3)  # 0.6 > 0.5, -0.15 < 0.0, 2.05 > 0.0
    assert est.se == pytest.approx(math.sqrt(2 / 9 / 3))
    m = summarize(res)
    assert list(m.assets) == ["IWM", "BTC", "AAA", "BBB"]
    assert m.assets["AAA"].prob_ge_5x == pytest.approx(1 / 3)
    assert m.assets["AAA"].prob_max_dd_80pct == pytest.approx(1 / 3)
    assert m.assets["AAA"].prob_loss_50pct == pytest.approx(1 / 3)
    assert m.basket.prob_max_dd_80pct == pytest.approx(1 / 3)
    assert m.basket.p50 == pytest.approx(0.6)
    assert m.regime_occupancy.to_dict() == {"a": 0.75, "b": 0.25}
    table = m.table()
    assert table.index.tolist() == ["IWM", "BTC", "AAA", "BBB", "basket"]
    assert table.loc["basket", "p50"] == pytest.approx(0.6)
    assert m.se_table().shape == (5, len(PROBABILITIES))
    dd = drawdown_distribution(res)
    assert dd.loc["BBB", "p50"] == pytest.approx(0.3)
    assert dd.loc["basket", "mean"] == pytest.approx((0.2 + 0.6 + 0.9) / 3)


def test_metrics_on_simulation() -> None:
    res = simulate(make_model(), one_regime(), n_paths=2000, horizon=10, rng=np.random.default_rng(0))
    m = summarize(res)
    btc = res.terminal_returns[:, 1]
    assert m.assets["BTC"].p50 == pytest.approx(np.median(btc))
    assert m.basket_beats_btc.p == pytest.approx(np.mean(res.basket_terminal_return > btc))
    # the fan bands: long form, one row per (report day, asset); on the last day they are the
    # quantiles of the terminal returns (numpy), on day 0 all zero
    fan = fan_bands(res)
    assert list(fan.columns) == ["day", "asset", "p05", "p25", "p50", "p75", "p95"]
    assert set(fan["asset"]) == {*res.assets, BASKET}
    last = fan[fan["day"] == 10].set_index("asset")
    for i, name in enumerate(res.assets):
        want = np.quantile(res.terminal_returns[:, i], [0.05, 0.25, 0.5, 0.75, 0.95])
        assert last.loc[name, ["p05", "p25", "p50", "p75", "p95"]].to_numpy(dtype=float) == pytest.approx(
            want, rel=1e-4, abs=1e-5)
    want = np.quantile(res.basket_terminal_return, [0.05, 0.5, 0.95])
    assert last.loc[BASKET, ["p05", "p50", "p95"]].to_numpy(dtype=float) == pytest.approx(want, rel=1e-4, abs=1e-5)
    assert (fan.loc[fan["day"] == 0, ["p05", "p50", "p95"]].to_numpy() == 0).all()


# --------------------------------------------------------------------------- quantile standard errors


def test_quantile_standard_error_by_hand() -> None:
    x = np.arange(16.0) ** 2  # order statistics 0, 1, 4, ..., 225
    # median: n q = 8, s = sqrt(16 / 4) = 2 -> ranks 6 and 10 -> (100 - 36) / 2
    assert quantile_standard_error(x, 0.5) == pytest.approx(32.0)
    # q = 0.25: n q = 4, s = sqrt(3) -> ranks floor(2.27) = 2 and ceil(5.73) = 6 -> (36 - 4) / 2
    assert quantile_standard_error(x[::-1], 0.25) == pytest.approx(16.0)
    assert math.isnan(quantile_standard_error(np.array([1.0, 2.0]), 0.5))
    with pytest.raises(MetricsError, match="level"):
        quantile_standard_error(x, 1.0)


@pytest.mark.parametrize("q", [0.05, 0.5, 0.95])
def test_quantile_standard_error_matches_the_spread_across_seeds(q: float) -> None:
    rng = np.random.default_rng(11)
    n, reps = 5_000, 400
    draws = rng.standard_t(4, (reps, n))  # fat tails, as the simulated returns
    spread = np.quantile(draws, q, axis=1).std(ddof=1)
    estimates = [quantile_standard_error(row, q) for row in draws[:40]]
    assert np.mean(estimates) == pytest.approx(spread, rel=0.15)
    # and the median's against its asymptotic value for N(0, 1): sqrt(pi / 2 / n)
    if q == 0.5:
        normal = [quantile_standard_error(rng.standard_normal(n), 0.5) for _ in range(40)]
        assert np.mean(normal) == pytest.approx(math.sqrt(math.pi / 2 / n), rel=0.08)


# --------------------------------------------------------------------------- tables of probabilities


def test_target_probabilities_by_hand_and_against_numpy() -> None:
    x = np.array([-0.6, -0.1, 0.0, 0.3, 1.5])
    table = target_probabilities({"A": x}, [-0.5, 0.0, 1.0])
    assert list(table.columns) == ["target", "asset", "prob", "se"]
    assert table["prob"].tolist() == pytest.approx([0.8, 0.6, 0.2])
    assert table["se"].tolist() == pytest.approx([math.sqrt(p * (1 - p) / 5) for p in (0.8, 0.6, 0.2)])
    assert target_probabilities({"A": x}, [-0.5, 0.0], at_most=True)["prob"].tolist() == pytest.approx([0.2, 0.6])
    rng = np.random.default_rng(2)
    y = np.round(rng.standard_normal(3_000), 1)  # many ties at the targets
    grid = np.linspace(-3, 3, 61)
    got = target_probabilities({"y": y, "z": -y}, grid, group="scenario")
    assert got["scenario"].tolist() == ["y"] * 61 + ["z"] * 61
    assert got["prob"][:61].to_numpy() == pytest.approx([np.mean(y >= t) for t in grid])
    assert got["prob"][61:].to_numpy() == pytest.approx([np.mean(-y >= t) for t in grid])
    le = target_probabilities({"y": y}, grid, at_most=True)
    assert le["prob"].to_numpy() == pytest.approx([np.mean(y <= t) for t in grid])
    with pytest.raises(MetricsError, match="finite"):
        target_probabilities({"A": x}, [math.inf])


def test_exceedance_probabilities_exact_case() -> None:
    frame = exceedance_probabilities({"a": np.array([0.1, 0.5, 0.5, 0.9])}, [0.0, 0.5, 0.6, 1.0])
    assert list(frame.columns) == ["asset", "level", "prob", "se"]
    assert frame["prob"].tolist() == pytest.approx([1.0, 0.75, 0.25, 0.0])
    assert frame["se"].tolist() == pytest.approx([0.0, math.sqrt(0.75 * 0.25 / 4), math.sqrt(0.25 * 0.75 / 4), 0])


def test_percentile_table_matches_numpy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(999), rng.exponential(size=500)
    table = percentile_table({"a": a, "b": b})
    assert list(table.columns) == ["p01", "p05", "p25", "p50", "p75", "p95", "p99"]
    assert list(table.index) == ["a", "b"]
    assert table.loc["b"].to_numpy() == pytest.approx(np.quantile(b, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]))
    assert list(percentile_table({"a": a}, (0.1, 0.995)).columns) == ["p10", "p99.5"]
    with pytest.raises(MetricsError, match="levels"):
        percentile_table({"a": a}, (1.5,))


# --------------------------------------------------------------------------- beats BTC, the metrics table


def test_beats_btc_has_one_definition() -> None:
    res = hand_result()  # BTC column: 0.5, 0.0, 0.0
    assert prob_beats_btc(res, "AAA").p == pytest.approx(2 / 3)  # 1.2 > 0.5, -0.6 < 0, 5.0 > 0
    assert prob_beats_btc(res, "IWM").p == pytest.approx(1 / 3)  # 0.1 < 0.5, 0.0 = 0.0 (a tie loses), 0.2 > 0
    # the basket (0.6, -0.15, 2.05) against BTC (0.5, 0.0, 0.0), by hand: 2 of 3 paths
    assert prob_beats_btc(res, BASKET).p == pytest.approx(2 / 3)
    assert prob_beats_btc(res, BASKET).se == pytest.approx(math.sqrt(2 / 9 / 3))
    tie = hand_result()
    tie.basket_terminal_return[:] = tie.terminal_returns[:, 1]  # the basket ties BTC on every path
    assert prob_basket_beats_btc(tie).p == 0.0
    with pytest.raises(MetricsError, match="cannot beat itself"):
        prob_beats_btc(res, "BTC")
    with pytest.raises(MetricsError, match="'XYZ'"):
        prob_beats_btc(res, "XYZ")
    m = summarize(res)
    assert set(m.beats_btc) == {"IWM", "AAA", "BBB", BASKET}
    assert m.beats_btc["BBB"].p == pytest.approx(1 / 3)  # 0.0 < 0.5, 0.3 > 0, -0.9 < 0
    assert m.basket_beats_btc == m.beats_btc[BASKET]


def test_metrics_table_has_every_metric_with_its_standard_error() -> None:
    res = simulate(make_model(), one_regime(), n_paths=4000, horizon=10, rng=np.random.default_rng(0))
    m = summarize(res)
    table = metrics_table(res, m)
    assert list(table.index) == [*res.assets, BASKET]
    assert list(table.columns[:10]) == ["geometric_mean", "geometric_mean_se", "mean_log", "mean_log_se",
                                        "p05", "p25", "p50", "p50_se", "p75", "p95"]
    assert "mean" not in table.columns  # infinite under Student-t shocks: never shown
    for prob in PROBABILITIES:
        assert prob in table.columns and f"{prob}_se" in table.columns
    btc = res.terminal_returns[:, 1]
    for i, name in enumerate(res.assets):
        x = res.terminal_returns[:, i]
        assert table.loc[name, "p50"] == pytest.approx(np.median(x))
        assert table.loc[name, "p50_se"] == pytest.approx(quantile_standard_error(x, 0.5))
        if name != "BTC":
            p = np.mean(x > btc)
            assert table.loc[name, "prob_beats_btc"] == pytest.approx(p)
            assert table.loc[name, "prob_beats_btc_se"] == pytest.approx(math.sqrt(p * (1 - p) / 4000))
    assert math.isnan(table.loc["BTC", "prob_beats_btc"])
    assert table.loc[BASKET, "prob_beats_btc"] == pytest.approx(np.mean(res.basket_terminal_return > btc))
    assert (table["n_paths"] == 4000).all() and (table["horizon_days"] == 10).all()
    logs = np.log1p(res.basket_terminal_return)
    assert table.loc[BASKET, "mean_log"] == pytest.approx(logs.mean())
    assert table.loc[BASKET, "mean_log_se"] == pytest.approx(logs.std(ddof=1) / math.sqrt(4000))
    assert table.loc[BASKET, "geometric_mean"] == pytest.approx(math.expm1(logs.mean()))


# --------------------------------------------------------------------------- averages that exist


def test_mean_log_and_geometric_mean_by_hand() -> None:
    r = np.array([1.0, -0.5, 0.0, 3.0])  # log growth: log 2, -log 2, 0, log 4 = 2 log 2
    m, se = mean_log_return(r)
    logs = np.array([1.0, -1.0, 0.0, 2.0]) * math.log(2)
    assert m == pytest.approx(math.log(2) / 2)
    assert se == pytest.approx(logs.std(ddof=1) / 2)
    geo, geo_se = geometric_mean_return(r)
    assert geo == pytest.approx(math.sqrt(2) - 1)  # (2 * 0.5 * 1 * 4) ** (1/4) - 1
    assert geo_se == pytest.approx(math.sqrt(2) * se)  # delta method
    # a path that loses everything (in double precision) counts at the floor, not at -inf
    assert log_growth(np.array([-1.0, 0.0])).tolist() == pytest.approx([LOG_FLOOR, 0.0])
    assert LOG_FLOOR == pytest.approx(-36.04, abs=0.01)
    with pytest.raises(MetricsError, match="below -100%"):
        log_growth(np.array([-1.5]))


def test_simple_mean_exists_only_without_student_t_shocks() -> None:
    model = make_model()
    assert not simple_mean_exists(model, one_regime(), 20, "parametric")  # calibrated df 4
    assert not simple_mean_exists(model, one_regime(df=math.inf), 20, "parametric")  # the Russell's t remains
    assert simple_mean_exists(model, one_regime(**NORMAL), 20, "parametric")
    assert simple_mean_exists(model, one_regime(), 20, "bootstrap")
    run = run_scenario(model, one_regime(), n_paths=500, horizon=5, seed=1)
    assert math.isnan(run.metrics.basket.mean_se) and run.metrics.basket.to_dict()["mean_finite"] is False
    run = run_scenario(model, one_regime(), n_paths=500, horizon=5, seed=1, engine="bootstrap")
    r = run.result.basket_terminal_return
    assert run.metrics.basket.mean_se == pytest.approx(r.std(ddof=1) / math.sqrt(500))


def test_mean_log_and_simple_mean_match_closed_form_under_normal_shocks() -> None:
    """Normal log shocks: log growth ~ N(h (a + b mu), h (b^2 s_R^2 + s^2)); both means exist."""
    model = make_model()
    horizon, n = 20, 20_000
    run = run_scenario(model, one_regime(**NORMAL), n_paths=n, horizon=horizon, seed=5)
    m = run.metrics.assets["BTC"]
    mu = horizon * (model.btc_alpha + model.btc_beta * model.russell_mu)
    var = horizon * (model.btc_beta ** 2 * model.russell_sigma ** 2 + model.btc_sigma ** 2)
    assert abs(m.mean_log - mu) < 4 * m.mean_log_se
    assert m.mean_log_se == pytest.approx(math.sqrt(var / n), rel=0.05)
    assert abs(m.geometric_mean - math.expm1(mu)) < 4 * m.geometric_mean_se
    assert m.simple_mean_finite and abs(m.mean - math.expm1(mu + var / 2)) < 4 * m.mean_se
    assert abs(m.p50 - math.expm1(mu)) < 4 * m.p50_se  # the median of a log-normal is exp(mu) - 1


def test_displayed_statistics_spread_across_seeds_matches_their_standard_errors() -> None:
    """Twelve seeds of a Student-t (df 4) run: the spread of each shown statistic is its SE's size."""
    model, scenario = make_model(), one_regime()
    shown = {
        "p50": lambda m: (m.p50, m.p50_se),
        "mean_log": lambda m: (m.mean_log, m.mean_log_se),
        "geometric_mean": lambda m: (m.geometric_mean, m.geometric_mean_se),
        "prob_ge_20pct": lambda m: (m.prob_ge_20pct, m.se["prob_ge_20pct"]),
    }
    values: dict[tuple[str, str], list[float]] = {}
    ses: dict[tuple[str, str], list[float]] = {}
    for seed in range(12):
        run = run_scenario(model, scenario, n_paths=3_000, horizon=20, seed=100 + seed)
        for asset, m in (("BTC", run.metrics.assets["BTC"]), (BASKET, run.metrics.basket)):
            for name, get in shown.items():
                v, se = get(m)
                values.setdefault((asset, name), []).append(v)
                ses.setdefault((asset, name), []).append(se)
        beats = run.metrics.basket_beats_btc
        values.setdefault((BASKET, "beats_btc"), []).append(beats.p)
        ses.setdefault((BASKET, "beats_btc"), []).append(beats.se)
    for key, v in values.items():
        ratio = np.std(v, ddof=1) / np.mean(ses[key])
        assert 0.5 <= ratio <= 2.0, (key, ratio)


def test_drawdown_distribution_standard_errors() -> None:
    res = hand_result()
    dd = drawdown_distribution(res)
    assert list(dd.columns) == ["p05", "p25", "p50", "p75", "p95", "p50_se", "mean", "mean_se"]
    x = res.max_drawdowns[:, 2]  # AAA: 0.2, 0.85, 0.1
    assert dd.loc["AAA", "mean_se"] == pytest.approx(x.std(ddof=1) / math.sqrt(3))
    assert math.isnan(dd.loc["AAA", "p50_se"])  # three paths: too few for the order-statistic error
    sim = simulate(make_model(), one_regime(), n_paths=2000, horizon=10, rng=np.random.default_rng(0))
    table = drawdown_distribution(sim)
    assert table.loc["BTC", "p50_se"] == pytest.approx(quantile_standard_error(sim.max_drawdowns[:, 1], 0.5))


def test_shown_statistics_are_stable_on_the_demo_frenzy_where_the_simple_mean_is_not() -> None:
    """Speculative frenzy on the demo (calibrated df ~3.7): 12 seeds x 2,000 paths.

    The median, the geometric mean and P(basket beats BTC) vary across seeds as their standard errors
    say; the simple mean (infinite in population, never shown) is not summarized by any such error.
    """
    from core.calibration import calibrate
    from core.data import load_prices
    from core.returns import compute_returns
    from core.scenario import SCENARIO_DIR, load_scenario
    from core.tickers import DEFAULT_CRYPTO

    prices = load_prices(["IWM", *DEFAULT_CRYPTO], source="demo")
    model = calibrate(compute_returns(prices.closes, calendar=["IWM"]), russell="IWM", btc="BTC-USD")
    scenario = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    values: dict[str, list[float]] = {}
    ses: dict[str, list[float]] = {}
    for seed in range(12):
        run = run_scenario(model, scenario, n_paths=2_000, seed=seed)
        b, beats = run.metrics.basket, run.metrics.basket_beats_btc
        for name, (v, se) in {"p50": (b.p50, b.p50_se), "geometric_mean": (b.geometric_mean, b.geometric_mean_se),
                              "beats_btc": (beats.p, beats.se)}.items():
            values.setdefault(name, []).append(v)
            ses.setdefault(name, []).append(se)
        assert math.isnan(b.mean_se) and not b.simple_mean_finite
    for name, v in values.items():
        ratio = np.std(v, ddof=1) / np.mean(ses[name])
        assert 0.5 <= ratio <= 2.0, (name, ratio)  # measured: 0.76, 0.83, 0.90
