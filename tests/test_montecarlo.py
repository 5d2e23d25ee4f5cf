"""Monte Carlo engine: closed-form moments, correlations, tails, regimes, bootstrap, seeds."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest

from core.calibration import MarketModel, calibrate
from core.montecarlo import (
    FAN_QUANTILES,
    SimulationError,
    _mixing,
    report_steps,
    russell_drift_path,
    simulate,
)
from core.scenario import SCENARIO_DIR, Scenario, load_scenario, scenario_from_dict, with_overrides

INF = math.inf


def make_model(residuals: pd.DataFrame | None = None, tail_df: float = 4.0, alt_corr: float = 0.4) -> MarketModel:
    """A model with known parameters: IWM, BTC and two altcoins (daily units)."""
    assets = ["IWM", "BTC", "AAA", "BBB"]
    alts = pd.Index(["AAA", "BBB"])
    if residuals is None:
        rng = np.random.default_rng(0)
        residuals = pd.DataFrame(rng.standard_normal((500, 4)) * [0.012, 0.03, 0.04, 0.05], columns=assets)
    return MarketModel(
        russell="IWM", btc="BTC", alts=("AAA", "BBB"),
        russell_mu=0.0004, russell_sigma=0.012,
        btc_alpha=0.001, btc_beta=0.8, btc_sigma=0.03,
        alt_alpha=pd.Series([-0.0005, 0.0002], index=alts),
        alt_beta=pd.Series([1.2, 1.5], index=alts),
        alt_loading=pd.Series([1.1, 0.7], index=alts),
        alt_sigma=pd.Series([0.04, 0.05], index=alts),
        alt_residual_corr=pd.DataFrame([[1.0, alt_corr], [alt_corr, 1.0]], index=alts, columns=alts),
        tail_df=pd.Series([tail_df] * 4, index=assets), crypto_df=tail_df,
        residuals=residuals, block_length=5.0,
        start=pd.Timestamp("2020-01-01"), end=pd.Timestamp("2022-01-01"),
        n_obs=len(residuals), n_obs_per_asset=pd.Series([len(residuals)] * 4, index=assets),
    )


def one_regime(**regime: float) -> Scenario:
    return scenario_from_dict({"name": "test", "horizon_days": 20, "regimes": [{"name": "only", **regime}]})


NORMAL = {"df": INF, "russell_df": INF}


def test_normal_terminal_log_moments_match_closed_form() -> None:
    model = make_model()
    horizon, n = 20, 40_000
    res = simulate(model, one_regime(**NORMAL), n_paths=n, horizon=horizon, rng=np.random.default_rng(1))
    logs = np.log1p(res.terminal_returns)
    mu_r = model.russell_mu
    means = np.array([
        mu_r,
        model.btc_alpha + model.btc_beta * mu_r,
        *(model.alt_alpha + model.alt_beta * mu_r),
    ]) * horizon
    var = np.diag(model.implied_covariance().to_numpy()) * horizon
    for i in range(4):
        se_mean = math.sqrt(var[i] / n)
        assert abs(logs[:, i].mean() - means[i]) < 4 * se_mean, model.assets[i]
        se_var = var[i] * math.sqrt(2.0 / (n - 1))  # normal: Var(s^2) = 2 sigma^4 / (n - 1)
        assert abs(logs[:, i].var(ddof=1) - var[i]) < 4 * se_var, model.assets[i]
    assert res.regime_occupancy.tolist() == [1.0]


def test_daily_correlation_matches_model() -> None:
    model = make_model()
    res = simulate(model, one_regime(**NORMAL), n_paths=60_000, horizon=1, rng=np.random.default_rng(2))
    sim = np.corrcoef(np.log1p(res.terminal_returns), rowvar=False)
    implied = model.implied_correlation().to_numpy()
    # se of a correlation ~ (1 - rho^2) / sqrt(n) <= 0.004
    assert np.abs(sim - implied).max() < 0.02
    assert implied[1, 2] > 0.5  # the test can fail: the alts load on BTC
    # and their residuals are correlated (C = 0.4) beyond BTC
    no_c = make_model(alt_corr=0.0).implied_correlation().to_numpy()
    assert implied[2, 3] - no_c[2, 3] > 0.1


def test_student_t_mixing_has_unit_variance_and_fat_tails() -> None:
    rng = np.random.default_rng(3)
    regimes = np.zeros((4, 250_000), dtype=np.intp)
    w = _mixing(rng, regimes, np.array([6.0]))
    z = rng.standard_normal(w.shape) * w
    # df = 6: kurtosis 6, so se of the variance ~ sqrt((6 - 1) / n)
    assert abs(z.var() - 1.0) < 4 * math.sqrt(5 / z.size)
    excess = ((z - z.mean()) ** 4).mean() / z.var() ** 2 - 3
    assert excess > 1.5  # theory: 6 / (df - 4) = 3
    # several regimes with different df, one of them normal
    regimes = np.tile(np.arange(3), (2, 200_000))
    w = _mixing(rng, regimes, np.array([5.0, INF, 8.0]))
    assert np.all(w[regimes == 1] == 1.0)
    z = rng.standard_normal(w.shape) * w
    for k in (0, 2):
        assert abs(z[regimes == k].var() - 1.0) < 0.03


def test_simulated_student_t_daily_variance() -> None:
    model = make_model()
    res = simulate(model, one_regime(df=8.0, russell_df=8.0), n_paths=100_000, horizon=1,
                   rng=np.random.default_rng(4))
    daily = np.log1p(res.terminal_returns)
    var = np.diag(model.implied_covariance().to_numpy())
    # kurtosis of a t(8) is 3 + 6 / (8 - 4) = 4.5, so Var(s^2) ~ (4.5 - 1) sigma^4 / n
    se = var * math.sqrt(3.5 / 100_000)
    assert np.all(np.abs(daily.var(axis=0) - var) < 4 * se)


def test_regime_occupancy_matches_stationary_distribution() -> None:
    s = scenario_from_dict({
        "name": "chain", "regimes": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
        "transition": {"a": [0.9, 0.08, 0.02], "b": [0.1, 0.8, 0.1], "c": [0.3, 0.2, 0.5]},
    })
    p = np.array(s.transition)
    vals, vecs = np.linalg.eig(p.T)
    pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    pi /= pi.sum()
    res = simulate(make_model(), s, n_paths=2000, horizon=1500, rng=np.random.default_rng(5))
    # 3 million path-days with mixing time ~ 5 days: se ~ 0.0005
    assert np.abs(res.regime_occupancy - pi).max() < 0.004
    assert res.occupancy_series().index.tolist() == ["a", "b", "c"]


def test_initial_regime_is_day_one() -> None:
    s = scenario_from_dict({
        "name": "absorbing", "initial_regime": "b", "regimes": [{"name": "a"}, {"name": "b"}],
        "transition": {"a": [1.0, 0.0], "b": [1.0, 0.0]},
    })
    res = simulate(make_model(), s, n_paths=100, horizon=10, rng=np.random.default_rng(0))
    assert res.regime_occupancy.tolist() == pytest.approx([0.9, 0.1])


def correlated_residuals(n: int = 2000, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(n)
    z = rng.standard_normal((n, 4))
    z[:, 2] = 0.8 * common + 0.6 * z[:, 2]
    z[:, 3] = -0.7 * common + math.sqrt(1 - 0.49) * z[:, 3]
    return pd.DataFrame(z * [0.012, 0.03, 0.04, 0.05], columns=["IWM", "BTC", "AAA", "BBB"])


def test_bootstrap_keeps_residual_cross_correlation() -> None:
    resid = correlated_residuals()
    model = make_model(resid, alt_corr=0.0)  # the bootstrap ignores C: it resamples real rows
    res = simulate(model, one_regime(), n_paths=50_000, horizon=1, rng=np.random.default_rng(6),
                   engine="bootstrap")
    daily = np.log1p(res.terminal_returns)
    # the historical rows pushed through the model equations
    z = model.standardized_residuals.to_numpy()
    r = model.russell_mu + model.russell_sigma * z[:, 0]
    u = model.btc_sigma * z[:, 1]
    hist = np.column_stack([
        r,
        model.btc_alpha + model.btc_beta * r + u,
        *[model.alt_alpha.iloc[i] + model.alt_beta.iloc[i] * r + model.alt_loading.iloc[i] * u
          + model.alt_sigma.iloc[i] * z[:, 2 + i] for i in range(2)],
    ])
    target = np.corrcoef(hist, rowvar=False)
    sim = np.corrcoef(daily, rowvar=False)
    assert np.abs(sim - target).max() < 0.03
    # a model with independent alt residuals implies a visibly different correlation
    assert abs(target[2, 3] - model.implied_correlation().iloc[2, 3]) > 0.2
    # resampled values are historical rows: the Russell's daily returns take only those values
    grid = np.sort(r)
    at = np.clip(np.searchsorted(grid, daily[:, 0]), 1, len(grid) - 1)
    gap = np.minimum(np.abs(daily[:, 0] - grid[at - 1]), np.abs(daily[:, 0] - grid[at]))
    assert gap.max() < 1e-6


def test_bootstrap_blocks_keep_serial_dependence() -> None:
    # a slowly varying residual series: consecutive rows are close, so blocks show up as
    # small day-to-day changes in the simulated shocks
    n = 1000
    t = np.arange(n)
    resid = pd.DataFrame({"IWM": np.sin(t / 30.0), "BTC": np.cos(t / 30.0),
                          "AAA": np.sin(t / 7.0), "BBB": np.cos(t / 11.0)})
    model = make_model(resid.astype(float))
    model = MarketModel(**{**model.__dict__, "block_length": 20.0})
    s = one_regime(russell_vol_scale=1.0)
    res = simulate(model, s, n_paths=4000, horizon=2, rng=np.random.default_rng(0), engine="bootstrap")
    assert res.block_length == 20.0
    # two-day return = sum of two rows; within a block they are neighbours (nearly equal),
    # so |2-day| is close to 2 |1-day| far more often than with independent rows
    one = simulate(model, s, n_paths=4000, horizon=1, rng=np.random.default_rng(0), engine="bootstrap")
    ratio = np.abs(res.terminal_returns[:, 0]).mean() / np.abs(one.terminal_returns[:, 0]).mean()
    iid_model = MarketModel(**{**model.__dict__, "block_length": 1.0})  # every day a fresh row
    iid = simulate(iid_model, s, n_paths=4000, horizon=2, rng=np.random.default_rng(0), engine="bootstrap")
    iid_ratio = np.abs(iid.terminal_returns[:, 0]).mean() / np.abs(one.terminal_returns[:, 0]).mean()
    # within a block the 2-day move is nearly twice the 1-day one (blocks break with prob 1/20 a day);
    # independent rows add like random signs
    assert ratio > 1.9 and iid_ratio < 1.6, (ratio, iid_ratio)


@pytest.mark.parametrize("engine", ["parametric", "bootstrap"])
def test_same_seed_same_result_different_seed_differs(engine: str) -> None:
    model = make_model()
    s = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    a = simulate(model, s, n_paths=500, horizon=30, rng=np.random.default_rng(42), engine=engine)
    b = simulate(model, s, n_paths=500, horizon=30, rng=np.random.default_rng(42), engine=engine)
    c = simulate(model, s, n_paths=500, horizon=30, rng=np.random.default_rng(43), engine=engine)
    for name in ("terminal_returns", "max_drawdowns", "basket_terminal_return", "fan_bands",
                 "regime_occupancy"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.terminal_returns, c.terminal_returns)
    assert a.seed == 42 and c.seed == 43 and a.engine == engine


@pytest.mark.parametrize("engine", ["parametric", "bootstrap"])
def test_drawing_ahead_on_a_second_thread_gives_the_same_result(engine: str, monkeypatch) -> None:
    """The next chunk's numbers are drawn while the current one is walked: same stream, same result.

    20,000 paths of 4 assets make 26-day chunks, so 80 days are 4 chunks and both shock
    buffers are reused while the other is being read.
    """
    import core.montecarlo as mc

    model = make_model()
    s = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")

    def run() -> object:
        return simulate(model, s, n_paths=20_000, horizon=80, rng=np.random.default_rng(5), engine=engine)

    ahead = run()
    monkeypatch.setattr(mc, "DRAW_AHEAD", False)
    inline = run()
    for name in ("terminal_returns", "max_drawdowns", "basket_terminal_return", "basket_max_drawdown",
                 "fan_bands", "regime_occupancy"):
        assert np.array_equal(getattr(ahead, name), getattr(inline, name)), name


def test_outputs_shapes_and_invariants() -> None:
    model = make_model()
    s = load_scenario(SCENARIO_DIR / "russell_reversal.toml")
    res = simulate(model, s, n_paths=3000, rng=np.random.default_rng(7))
    assert res.horizon == 63 and res.n_paths == 3000
    assert res.terminal_returns.shape == (3000, 4) == res.max_drawdowns.shape
    assert res.basket_terminal_return.shape == (3000,)
    assert np.all((res.max_drawdowns >= 0) & (res.max_drawdowns <= 1))
    assert np.all(res.terminal_returns > -1)
    # the start is a peak: a loss is at most the maximum drawdown
    assert np.all(res.max_drawdowns >= -np.minimum(res.terminal_returns, 0) - 1e-5)
    assert np.all(res.basket_max_drawdown >= -np.minimum(res.basket_terminal_return, 0) - 1e-5)
    assert res.fan_steps[0] == 0 and res.fan_steps[-1] == 63
    assert res.fan_bands.shape == (len(res.fan_steps), 5, len(FAN_QUANTILES))
    assert np.all(res.fan_bands[0] == 0)
    assert np.all(np.diff(res.fan_bands, axis=2) >= 0)
    last = np.column_stack([res.terminal_returns, res.basket_terminal_return])
    assert np.allclose(res.fan_bands[-1], np.quantile(last, FAN_QUANTILES, axis=0).T, rtol=1e-4, atol=1e-5)
    frame = res.fan_frame()
    assert list(frame.columns) == ["day", "asset", "p05", "p25", "p50", "p75", "p95"]
    assert len(frame) == len(res.fan_steps) * 5
    assert res.terminal_frame().columns.tolist() == ["IWM", "BTC", "AAA", "BBB", "basket"]
    assert res.regime_occupancy.sum() == pytest.approx(1.0)
    # buy-and-hold basket of equal weights
    assert np.allclose(res.basket_weights, [0.5, 0.5])
    assert np.allclose(res.basket_terminal_return, res.terminal_returns[:, 2:].mean(axis=1), atol=1e-5)


def test_report_steps_bounded() -> None:
    assert report_steps(10).tolist() == list(range(11))
    steps = report_steps(1260)
    assert len(steps) == 65 and steps[0] == 0 and steps[-1] == 1260
    assert np.all(np.diff(steps) > 0)


def test_russell_target_and_phases_are_exact_without_vol() -> None:
    model = make_model()
    target = scenario_from_dict({"name": "t", "horizon_days": 40,
                                 "russell": {"mode": "target", "target_return": 0.1, "annual_vol": 0.0},
                                 "regimes": [{"name": "x"}]})
    res = simulate(model, target, n_paths=10, rng=np.random.default_rng(0))
    assert np.allclose(res.terminal_returns[:, 0], 0.1, atol=1e-5)
    phases = scenario_from_dict({"name": "p", "horizon_days": 30,
                                 "russell": {"mode": "phases", "annual_vol": 0.0,
                                             "phases": [{"days": 10, "total_return": 0.05},
                                                        {"days": 10, "total_return": -0.2}]},
                                 "regimes": [{"name": "x"}]})
    res = simulate(model, phases, n_paths=10, rng=np.random.default_rng(0))
    expected = 1.05 * 0.8 * math.exp(10 * model.russell_mu) - 1  # calibrated drift after the phases
    assert np.allclose(res.terminal_returns[:, 0], expected, atol=1e-5)
    assert np.allclose(res.max_drawdowns[:, 0], 1 - 0.8, atol=1e-5)
    mu = russell_drift_path(model, phases, 35)
    assert mu[:10] == pytest.approx([math.log(1.05) / 10] * 10)
    assert mu[20:] == pytest.approx([model.russell_mu] * 15)


def test_downside_beta_applies_on_down_days_only() -> None:
    model = make_model()
    s = one_regime(btc_vol_scale=0.0, downside_beta_scale=2.0, **NORMAL)
    res = simulate(model, s, n_paths=2000, horizon=1, rng=np.random.default_rng(8))
    r = np.log1p(res.terminal_returns[:, 0])
    b = np.log1p(res.terminal_returns[:, 1])
    factor = np.where(r < 0, 2.0, 1.0)
    assert np.allclose(b, model.btc_alpha + model.btc_beta * factor * r, atol=2e-6)


def test_overrides_alpha_beta_vol_per_regime() -> None:
    model = make_model()
    s = one_regime(btc_alpha=0.252, btc_beta=2.0, btc_beta_scale=0.5, btc_vol_scale=0.0,
                   alt_alpha=-0.252, alt_beta=0.0, alt_loading_scale=0.0, alt_vol_scale=0.0,
                   russell_drift_shift=0.0, **NORMAL)
    res = simulate(model, s, n_paths=1000, horizon=5, rng=np.random.default_rng(9))
    logs = np.log1p(res.terminal_returns)
    assert np.allclose(logs[:, 1], 5 * 0.001 + 1.0 * logs[:, 0], atol=1e-5)
    assert np.allclose(logs[:, 2:], -5 * 0.001, atol=1e-5)


def test_jumps_and_selectivity_shift_moments() -> None:
    model = make_model()
    horizon, n = 20, 40_000
    base = simulate(model, one_regime(**NORMAL), n_paths=n, horizon=horizon, rng=np.random.default_rng(10))
    jumpy = simulate(model, one_regime(jump_intensity=25.2, jump_mean=-0.1, jump_vol=0.0, **NORMAL),
                     n_paths=n, horizon=horizon, rng=np.random.default_rng(10))
    la = np.log1p(base.terminal_returns[:, 2])
    lj = np.log1p(jumpy.terminal_returns[:, 2])
    lam = 25.2 / 252 * horizon  # expected jumps per path
    expected_shift = lam * -0.1
    se = math.sqrt((la.var() + lam * 0.01) / n + la.var() / n)
    assert abs((lj.mean() - la.mean()) - expected_shift) < 4 * se
    # compound Poisson with fixed size: variance grows by lam * size^2
    assert lj.var() - la.var() == pytest.approx(lam * 0.01, rel=0.15)
    sel = simulate(model, scenario_from_dict({"name": "s", "selectivity": 1.0, "horizon_days": horizon,
                                              "regimes": [{"name": "x", **NORMAL}]}),
                   n_paths=n, rng=np.random.default_rng(11))
    ls = np.log1p(sel.terminal_returns[:, 2])
    extra = (horizon * 1.0 / 252) ** 2
    assert ls.var() - la.var() == pytest.approx(extra, rel=0.25)
    # BTC and the Russell have no selectivity offset
    assert np.log1p(sel.terminal_returns[:, 1]).var() == pytest.approx(np.log1p(base.terminal_returns[:, 1]).var(), rel=0.05)


def test_basket_weights_and_errors() -> None:
    model = make_model()
    s = one_regime()
    res = simulate(model, s, n_paths=200, horizon=5, rng=np.random.default_rng(0), basket_weights={"AAA": 3, "BBB": 1})
    assert np.allclose(res.basket_weights, [0.75, 0.25])
    assert np.allclose(res.basket_terminal_return, res.terminal_returns[:, 2:] @ [0.75, 0.25], atol=1e-5)
    with pytest.raises(SimulationError, match="'ZZZ'"):
        simulate(model, s, n_paths=10, rng=np.random.default_rng(0), basket_weights={"ZZZ": 1})
    with pytest.raises(SimulationError, match="'magic'"):
        simulate(model, s, n_paths=10, rng=np.random.default_rng(0), engine="magic")  # type: ignore[arg-type]
    with pytest.raises(SimulationError, match="n_paths"):
        simulate(model, s, n_paths=1, rng=np.random.default_rng(0))
    with pytest.raises(SimulationError, match="horizon"):
        simulate(model, s, n_paths=10, horizon=0, rng=np.random.default_rng(0))


@cache
def demo_model() -> MarketModel:
    from core.data import load_prices
    from core.returns import compute_returns

    tickers = ["IWM", "BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "AVAX-USD", "DOGE-USD", "XRP-USD", "ADA-USD"]
    prices = load_prices(tickers, source="demo")
    return calibrate(compute_returns(prices.closes, calendar=["IWM"]), russell="IWM", btc="BTC-USD")


def run(stem: str, n: int = 6000):
    from core.metrics import summarize

    s = load_scenario(SCENARIO_DIR / f"{stem}.toml")
    return summarize(simulate(demo_model(), s, n_paths=n, rng=np.random.default_rng(2024)))


def test_scenario_stories_show_in_outcomes() -> None:
    rally, frenzy, reversal, base = (run(s) for s in
                                     ("controlled_rally", "speculative_frenzy", "russell_reversal", "historical_base"))
    # frenzy: fatter right tail and more wipe-outs than the controlled rally
    assert frenzy.basket.p95 > rally.basket.p95 + 0.2
    assert frenzy.basket.prob_ge_2x > rally.basket.prob_ge_2x + 3 * frenzy.basket.se["prob_ge_2x"]
    alts = [a for a in rally.assets if a not in ("IWM", "BTC-USD")]
    for a in alts:
        assert frenzy.assets[a].prob_max_dd_80pct >= rally.assets[a].prob_max_dd_80pct
    assert frenzy.basket.prob_max_dd_80pct > rally.basket.prob_max_dd_80pct
    # reversal: lower median altcoin and Russell returns than the rally
    assert reversal.basket.p50 < rally.basket.p50 - 0.1
    assert all(reversal.assets[a].p50 < rally.assets[a].p50 for a in alts)
    assert reversal.assets["IWM"].p50 < 0 < rally.assets["IWM"].p50
    # controlled rally: the Russell median sits near its +7% target
    assert rally.assets["IWM"].p50 == pytest.approx(0.07, abs=0.03)
    assert set(base.regime_occupancy.index) == {"historical"}


def test_alternative_scenario_via_overrides_changes_outcome() -> None:
    s = load_scenario(SCENARIO_DIR / "controlled_rally.toml")
    calmer = with_overrides(s, {"regimes.steady.alt_vol_scale": 0.3, "regimes.pullback.alt_vol_scale": 0.3})
    wide = simulate(demo_model(), s, n_paths=3000, rng=np.random.default_rng(1))
    narrow = simulate(demo_model(), calmer, n_paths=3000, rng=np.random.default_rng(1))
    assert np.log1p(narrow.basket_terminal_return).std() < np.log1p(wide.basket_terminal_return).std()


def test_progress_callback_reports_fractions_and_keeps_result():
    from core.montecarlo import simulate as _simulate

    model = make_model()
    scenario = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    seen: list[float] = []
    a = _simulate(model, scenario, n_paths=3000, horizon=40, rng=np.random.default_rng(5), progress=seen.append)
    b = _simulate(model, scenario, n_paths=3000, horizon=40, rng=np.random.default_rng(5))
    assert seen and seen[-1] == 1.0 and all(0 < x <= 1 for x in seen) and seen == sorted(seen)
    np.testing.assert_array_equal(a.terminal_returns, b.terminal_returns)


def test_box_muller_normals_match_scipy():
    from scipy import stats

    from core.montecarlo import _normal_scratch, _standard_normals

    out = np.empty(400_001, dtype=np.float32)  # odd size: the last pair is cut in half
    z = _standard_normals(np.random.default_rng(3), out, _normal_scratch(out.size)).astype(float)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 4 / np.sqrt(z.size) and abs(z.var() - 1) < 4 * np.sqrt(2 / z.size)
    # consecutive halves are independent: correlation of the cos and sin parts ~ 0
    h = (z.size + 1) // 2
    assert abs(np.corrcoef(z[: z.size - h], z[h:])[0, 1]) < 4 / np.sqrt(h)


@pytest.mark.parametrize("df", [3.0, 5.0, 12.0, math.inf])
def test_polar_student_t_matches_scipy(df):
    from scipy import stats

    from core.montecarlo import _student_t

    regimes = np.zeros((50, 6000), dtype=np.intp)
    z = _student_t(np.random.default_rng(4), regimes, np.array([df])).ravel().astype(float)
    scale = 1.0 if math.isinf(df) else math.sqrt((df - 2) / df)
    ref = stats.norm() if math.isinf(df) else stats.t(df, scale=scale)
    assert stats.kstest(z, ref.cdf).pvalue > 1e-3
    # two regimes with different df: each regime's cells follow its own law
    mixed = np.zeros((50, 6000), dtype=np.intp)
    mixed[:, ::2] = 1
    zz = _student_t(np.random.default_rng(5), mixed, np.array([df, 4.0]))
    assert stats.kstest(zz[:, 1::2].ravel().astype(float), ref.cdf).pvalue > 1e-3
    assert stats.kstest(zz[:, ::2].ravel().astype(float), stats.t(4.0, scale=math.sqrt(0.5)).cdf).pvalue > 1e-3


@pytest.mark.parametrize("n", [2, 3, 10, 257, 5000])
def test_fan_quantiles_equal_numpy(n):
    from core.montecarlo import FAN_QUANTILES, _quantiles

    rng = np.random.default_rng(n)
    x = rng.standard_normal((4, n)).astype(np.float32)
    x[1] = np.round(x[1])  # ties
    expected = np.quantile(x.astype(float), FAN_QUANTILES, axis=1).T
    got = _quantiles(x.copy(), FAN_QUANTILES)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
