"""Walk-forward validation: estimators by hand, a synthetic market whose forecast is known, no look-ahead, bad input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.conventions import BASKET
from core.scenario import SCENARIO_DIR, resolve_scenario
from core.validation import (
    MAX_ORIGINS,
    OriginData,
    ValidationError,
    basket_log_sums,
    brier_score,
    brier_skill,
    brier_table,
    climatology,
    coverage_table,
    design_effect,
    effective_n,
    fan_table,
    forward_log_sums,
    pit_histogram,
    pit_ks,
    pit_values,
    reliability_table,
    summary_table,
    walk_forward,
    wilson_interval,
)

R, B, A1, A2 = "IWM", "BTC-USD", "ETH-USD", "SOL-USD"
MU, SIG = 0.0004, 0.012


def _market(n: int = 1000, seed: int = 3, late_alt: int | None = None) -> pd.DataFrame:
    """Normal log returns of a factor model: Russell, BTC = R + u, two altcoins."""
    rng = np.random.default_rng(seed)
    r = MU + SIG * rng.standard_normal(n)
    u = 0.03 * rng.standard_normal(n)
    b = 0.0005 + 1.0 * r + u
    a1 = 1.2 * r + 0.8 * u + 0.04 * rng.standard_normal(n)
    a2 = 1.5 * r + 0.6 * u + 0.05 * rng.standard_normal(n)
    frame = pd.DataFrame({R: r, B: b, A1: a1, A2: a2}, index=pd.bdate_range("2015-01-02", periods=n, name="date"))
    if late_alt is not None:
        frame.iloc[:late_alt, 3] = np.nan
    return frame


@pytest.fixture(scope="module")
def base():
    return resolve_scenario("historical_base", SCENARIO_DIR)


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return _market()


@pytest.fixture(scope="module")
def run(market, base):
    # every == horizon: no overlap, n_eff == n
    return walk_forward(market, russell=R, btc=B, alts=[A1, A2], scenario=base, start=market.index[300],
                        every=20, horizon=20, n_paths=4000, seed=5)


# -- estimators by hand -------------------------------------------------------------------

def test_design_effect_by_hand() -> None:
    assert design_effect(21, 63) == pytest.approx(3.0)  # 1 + 2 (2/3 + 1/3)
    assert design_effect(63, 63) == 1.0
    assert design_effect(100, 63) == 1.0
    assert design_effect(10, 25) == pytest.approx(1 + 2 * (0.6 + 0.2))
    assert effective_n(90, 21, 63) == pytest.approx(30.0)
    assert effective_n(2, 1, 63) == 1.0  # clipped at 1
    assert effective_n(0, 21, 63) == 0.0


def test_design_effect_is_the_variance_inflation_of_overlapping_sums() -> None:
    rng = np.random.default_rng(0)
    every, horizon, n_origins, reps = 5, 20, 40, 4000
    x = rng.standard_normal((reps, every * n_origins + horizon))
    c = np.concatenate([np.zeros((reps, 1)), np.cumsum(x, axis=1)], axis=1)
    starts = np.arange(n_origins) * every
    sums = (c[:, starts + horizon] - c[:, starts]) / math.sqrt(horizon)  # unit variance each
    ratio = sums.mean(axis=1).var() * n_origins  # var of the mean relative to independent outcomes
    # edge effects of a finite series make the ratio a little below D; D is the large-n value
    assert ratio == pytest.approx(design_effect(every, horizon), rel=0.1)


def test_wilson_interval_matches_the_formula() -> None:
    p, n, z = 0.8, 30.0, stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert wilson_interval(p, n) == pytest.approx((centre - half, centre + half))
    assert all(math.isnan(v) for v in wilson_interval(0.5, 0.0))


def test_pit_values_by_hand() -> None:
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    assert pit_values(x, np.array([2.5, 0.0])) == pytest.approx([0.5, 0.0])
    assert pit_values(x, np.array([2.0, 40.0]))[0] == pytest.approx((1 + 2) / 8)  # mid-rank at a tie
    assert pit_values(x, np.array([2.0, 40.0]))[1] == pytest.approx((3 + 4) / 8)
    assert np.isnan(pit_values(x, np.array([np.nan, 5.0]))[0])


def test_pit_ks_uses_the_effective_n() -> None:
    u = (np.arange(60) + 1.0) / 60 * 0.8  # evenly up to 0.8: D = 1 - 0.8
    d, p = pit_ks(u, 15.0)
    assert d == pytest.approx(0.2, abs=1e-9)
    assert p == pytest.approx(stats.kstwo.sf(0.2, 15))
    assert pit_ks(u, 60.0)[1] < p  # more effective observations, stronger evidence
    assert all(math.isnan(v) for v in pit_ks(np.array([np.nan]), 3.0))


def test_brier_by_hand() -> None:
    assert brier_score(np.array([0.2, 0.9, 0.5]), np.array([0, 1, 1])) == pytest.approx((0.04 + 0.01 + 0.25) / 3)
    assert brier_skill(0.1, 0.2) == pytest.approx(0.5)
    assert math.isnan(brier_skill(0.1, 0.0))


def test_windows_by_hand() -> None:
    x = np.array([0.1, 0.2, np.nan, 0.3, 0.4, 0.5])
    w = forward_log_sums(x, 2)[:, 0]
    # row t: rows t+1..t+2
    assert np.isnan(w[0]) and np.isnan(w[1])  # hold the NaN of row 2
    assert w[2] == pytest.approx(0.7) and w[3] == pytest.approx(0.9)
    assert np.isnan(w[4]) and np.isnan(w[5])  # past the end
    alts = np.array([[0.0, math.log(3.0)], [np.nan, 0.0]])
    assert basket_log_sums(alts)[0] == pytest.approx(math.log(2.0))
    assert np.isnan(basket_log_sums(alts)[1])
    event = np.array([True, False, True, True, False, True])
    known = np.array([True, True, False, True, True, True])
    clim = climatology(event, known, 2)
    # row 3: windows t <= 1 (rows 0, 1): 1 of 2; row 5: windows t <= 3 (0, 1, 3): 2 of 3
    assert np.isnan(clim[:2]).all()
    assert clim[2] == pytest.approx(1.0) and clim[3] == pytest.approx(0.5) and clim[5] == pytest.approx(2 / 3)


# -- a market whose forecast is known -----------------------------------------------------

def test_pit_equals_the_calibrated_normal_forecast(run, market) -> None:
    """Normal returns, no overrides: the Russell's H-day log return is ~N(H mu_hat, H sigma_hat^2)."""
    f = run.forecasts[(run.forecasts["asset"] == R) & run.forecasts["realized"].notna()]
    assert len(f) >= 20
    for row in f.itertuples():
        past = market.loc[:row.date, R]
        z = (math.log1p(row.realized) - 20 * past.mean()) / (past.std(ddof=1) * math.sqrt(20))
        assert row.pit == pytest.approx(stats.norm.cdf(z), abs=0.03)  # MC se of a PIT at 4,000 paths <= 0.008


def test_realized_and_climatology_by_brute_force(run, market) -> None:
    logs = market.to_numpy()
    idx = list(market.index)
    row = run.forecasts[(run.forecasts["asset"] == B)].iloc[3]
    t = idx.index(row.date)
    assert row.realized == pytest.approx(math.expm1(logs[t + 1:t + 21, 1].sum()))
    past = [math.expm1(logs[s + 1:s + 21, 1].sum()) for s in range(0, t - 20 + 1)]  # windows ended by t
    assert row.clim_prob_ge_20pct == pytest.approx(np.mean([p >= 0.2 for p in past]))
    assert row.clim_prob_loss_50pct == pytest.approx(np.mean([p <= -0.5 for p in past]))
    o = run.origins.iloc[3]
    basket = math.expm1(math.log(np.mean(np.exp(logs[t + 1:t + 21, 2:4].sum(axis=0)))))
    bsk = run.forecasts[(run.forecasts["asset"] == BASKET) & (run.forecasts["date"] == row.date)].iloc[0]
    assert bsk.realized == pytest.approx(basket)
    assert o.realized_basket_beats_btc == float(basket > row.realized)


def test_summary_recomputed_from_the_forecasts(run) -> None:
    s = run.summary()[R]
    f = run.scored(R)
    n = len(f)
    assert s["n"] == n and s["n_effective"] == n  # no overlap
    inside50 = ((f["realized"] >= f["p25"]) & (f["realized"] <= f["p75"])).mean()
    inside90 = ((f["realized"] >= f["p05"]) & (f["realized"] <= f["p95"])).mean()
    assert s["coverage_50"] == pytest.approx(inside50) and s["coverage_90"] == pytest.approx(inside90)
    assert s["coverage_90_ci"] == pytest.approx(list(wilson_interval(inside90, n)))
    # a correct model: the nominal levels sit inside the intervals, the PIT is not rejected
    assert s["coverage_50_ci"][0] <= 0.5 <= s["coverage_50_ci"][1]
    assert s["coverage_90_ci"][0] <= 0.9 <= s["coverage_90_ci"][1]
    assert s["pit_ks_p"] > 0.05
    f = run.scored(B)  # the Russell rarely gains 20% in 20 sessions: score BTC
    hit = (f["realized"] >= 0.2).astype(float)
    ok = f["clim_prob_ge_20pct"].notna()
    assert 0 < hit.mean() < 1
    model = float(((f["prob_ge_20pct"] - hit) ** 2)[ok].mean())
    clim = float(((f["clim_prob_ge_20pct"] - hit) ** 2)[ok].mean())
    b = run.summary()[B]["brier"]["prob_ge_20pct"]
    assert b["model"] == pytest.approx(model) and b["climatology"] == pytest.approx(clim)
    assert b["skill"] == pytest.approx(1 - model / clim)


def test_overlap_shrinks_n_effective(market, base) -> None:
    v = walk_forward(market, russell=R, btc=B, alts=[A1], scenario=base, start=market.index[600],
                     every=5, horizon=20, n_paths=500, seed=1)
    s = v.summary()[B]
    assert s["n_effective"] == pytest.approx(s["n"] / design_effect(5, 20))
    lo, hi = s["coverage_90_ci"]
    assert (lo, hi) == pytest.approx(wilson_interval(s["coverage_90"], s["n"] / design_effect(5, 20)))


def test_tables_for_the_page(run) -> None:
    hist = pit_histogram(run, bins=10)
    assert hist.groupby("asset")["count"].sum().to_dict() == {a: run.summary()[a]["n"] for a in run.assets}
    cov = coverage_table(run)
    assert set(cov["band"]) == {"50%", "90%"} and len(cov) == 2 * len(run.assets)
    rel = reliability_table(run, "prob_ge_20pct")
    for a, g in rel.groupby("asset"):
        assert g["n"].sum() == run.summary()[a]["n"]
    beats = reliability_table(run, "prob_basket_beats_btc")
    assert beats["n"].sum() == run.basket_beats_btc()["n"]
    br = brier_table(run)
    assert br.loc[br["event"] == "prob_basket_beats_btc", "skill"].item() == pytest.approx(
        run.basket_beats_btc()["skill"], nan_ok=True)
    fan = fan_table(run, B)
    assert list(fan.columns) == ["date", "p05", "p25", "p50", "p75", "p95", "realized", "pit"]
    assert (fan["p05"] <= fan["p50"]).all() and (fan["p50"] <= fan["p95"]).all()
    with pytest.raises(ValueError, match="nope"):
        reliability_table(run, "nope")
    table = summary_table(run)
    assert list(table.index) == list(run.assets)
    s = run.summary()[B]
    assert table.at[B, "coverage_90_lo"] == s["coverage_90_ci"][0] and table.at[B, "pit_ks_p"] == s["pit_ks_p"]
    assert table.at[B, "skill_prob_ge_20pct"] == s["brier"]["prob_ge_20pct"]["skill"]


# -- contract and no look-ahead -----------------------------------------------------------

def test_json_contract_and_calibration_end(run) -> None:
    d = run.to_dict()
    assert {"scenario", "horizon", "every", "paths", "seed", "engine", "origins", "summary",
            "basket_beats_btc"} <= set(d)
    assert set(d["basket_beats_btc"]) >= {"brier_model", "brier_climatology", "skill"}
    for o in d["origins"]:
        assert pd.Timestamp(o["calibration_end"]) <= pd.Timestamp(o["date"])
        assert set(o["forecast"]) == {R, B, A1, A2, BASKET}
        for q in o["forecast"].values():
            assert set(q) == {"p05", "p25", "p50", "p75", "p95", "prob_ge_20pct", "prob_loss_50pct"}
        assert set(o["realized"]) == set(o["pit"]) == set(o["forecast"])
    for s in d["summary"].values():
        assert {"n", "n_effective", "coverage_50", "coverage_90", "pit_ks_p", "brier"} <= set(s)
        assert set(s["brier"]["prob_ge_20pct"]) >= {"model", "climatology", "skill"}


def test_null_realized_at_the_end(run, market) -> None:
    d = run.to_dict()
    last = d["origins"][-1]
    assert market.index.get_loc(last["date"]) + 20 > len(market) - 1
    assert all(v is None for v in last["realized"].values())
    assert all(v is None for v in last["pit"].values())
    assert last["realized_basket_beats_btc"] is None
    assert d["origins"][0]["realized"][R] is not None


def test_changing_data_after_an_origin_does_not_change_its_forecast(market, base) -> None:
    kwargs = dict(russell=R, btc=B, alts=[A1, A2], scenario=base, start=market.index[400], every=50, horizon=20,
                  n_paths=1000, seed=2)
    before = walk_forward(market, **kwargs)
    origin = before.origins["date"].iloc[1]
    changed = market.copy()
    changed.loc[changed.index > origin] *= 3.0  # the future, tripled
    after = walk_forward(changed, **kwargs)
    cols = ["p05", "p25", "p50", "p75", "p95", "prob_ge_20pct", "prob_loss_50pct", "clim_prob_ge_20pct"]
    f0 = before.forecasts[before.forecasts["date"] <= origin]
    f1 = after.forecasts[after.forecasts["date"] <= origin]
    pd.testing.assert_frame_equal(f0[cols], f1[cols])
    assert (before.origins["prob_basket_beats_btc"].iloc[:2] == after.origins["prob_basket_beats_btc"].iloc[:2]).all()
    assert not np.allclose(f0["realized"], f1["realized"])  # what happened after did change


def test_an_origin_draws_the_same_numbers_whatever_the_schedule(market, base) -> None:
    kw = dict(russell=R, btc=B, alts=[A1], scenario=base, horizon=20, n_paths=500, seed=9)
    a = walk_forward(market, start=market.index[400], every=10, **kw)
    b = walk_forward(market, start=market.index[420], every=30, **kw)
    d = market.index[420]
    fa = a.forecasts[a.forecasts["date"] == d].reset_index(drop=True)
    fb = b.forecasts[b.forecasts["date"] == d].reset_index(drop=True)
    pd.testing.assert_frame_equal(fa, fb)


def test_a_callable_scenario_is_built_per_origin_from_past_data(market, base) -> None:
    seen: list[OriginData] = []

    def build(data: OriginData):
        seen.append(data)
        return replace(base, name="refit")

    v = walk_forward(market, russell=R, btc=B, alts=[A1], scenario=build, start=market.index[500], every=100,
                     horizon=20, n_paths=500, seed=1)
    assert [d.date for d in seen] == list(v.origins["date"])
    for d in seen:
        assert d.returns.index[-1] == d.date and d.model.end <= d.date
    assert v.scenario == "refit" and set(v.origins["scenario"]) == {"refit"}
    fixed = walk_forward(market, russell=R, btc=B, alts=[A1], scenario=base, start=market.index[500], every=100,
                         horizon=20, n_paths=500, seed=1)
    pd.testing.assert_frame_equal(v.forecasts, fixed.forecasts)
    with pytest.raises(ValidationError, match="not a Scenario"):
        walk_forward(market, russell=R, btc=B, alts=[A1], scenario=lambda d: "x", start=market.index[500],
                     every=100, horizon=20, n_paths=500, seed=1)


def test_a_late_altcoin_joins_once_it_has_history(base) -> None:
    m = _market(late_alt=500)
    v = walk_forward(m, russell=R, btc=B, alts=[A1, A2], scenario=base, start=m.index[300], every=100,
                     horizon=20, n_paths=500, seed=1)
    entered = [A2 in s for s in v.origins["alts"]]
    first = v.origins["date"][entered.index(True)]
    assert m.loc[:first, A2].notna().sum() >= 252
    assert not entered[0] and entered[-1]
    assert v.assets == (R, B, A1, A2, BASKET)


# -- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize(("kw", "needle"), [
    ({"every": 0}, "every must be"),
    ({"horizon": 0}, "horizon must be"),
    ({"n_paths": 1}, "paths must be"),
    ({"engine": "magic"}, "engine 'magic'"),
    ({"seed": -1}, "seed must be"),
    ({"start": "not a date"}, "start 'not a date'"),
    ({"start": "2030-01-01"}, "no session on or after"),
    ({"start": "2015-03-02"}, r"too little data before the first origin 2015-03-02: IWM has \d+"),
    ({"every": 1, "start": "2015-12-31"}, "origins = .* above the limit of"),
    ({"n_paths": 200_000, "horizon": 200, "every": 5}, "summed over .* origins .* above the limit"),
    ({"alts": ["DOGE-USD"]}, "DOGE-USD"),
    ({"alts": []}, "alts is empty"),
])
def test_bad_input_names_the_field(market, base, kw, needle) -> None:
    args = dict(russell=R, btc=B, alts=[A1], scenario=base, start=market.index[300], every=20, horizon=20,
                n_paths=100, seed=1)
    args.update(kw)
    with pytest.raises(ValueError, match=needle):
        walk_forward(market, **args)


def test_no_realized_outcome_says_what_is_missing(market, base) -> None:
    with pytest.raises(ValidationError, match=r"no realized outcomes: .* less than 20 sessions before the end"):
        walk_forward(market, russell=R, btc=B, alts=[A1], scenario=base, start=market.index[-15], every=5,
                     horizon=20, n_paths=100, seed=1)


def test_no_altcoin_with_history_names_them(base) -> None:
    m = _market(late_alt=900)
    m.iloc[:900, 2] = np.nan
    with pytest.raises(ValidationError, match=r"no altcoin has 252 sessions .*\(ETH-USD \d+, SOL-USD \d+\)"):
        walk_forward(m, russell=R, btc=B, alts=[A1, A2], scenario=base, start=m.index[400], every=100,
                     horizon=20, n_paths=100, seed=1)
    assert MAX_ORIGINS >= 100
