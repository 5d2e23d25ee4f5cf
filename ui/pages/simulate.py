"""Scenario simulator: reshape a scenario from the sidebar and watch the altcoin outcomes move."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.calibration import CalibrationError, MarketModel
from core.comparison import compare_engines
from core.conventions import BASKET, BASKET_LABEL
from core.distributions import histogram_frame, percentile_markers
from core.errors import ExplorerError
from core.export import metrics_csv, run_provenance, to_safe_csv
from core.metrics import (
    PROBABILITIES,
    ScenarioMetrics,
    drawdown_distribution,
    exceedance_probabilities,
    metrics_table,
    outcomes,
    percentile_table,
    target_probabilities,
)
from core.model_tables import (
    alpha_table,
    calibrated_table,
    comovement_table,
    mean_alt_residual_corr,
    regime_table,
)
from core.montecarlo import ENGINES, SimulationResult
from core.regimes import occupancy_table, transition_table
from core.scenario import Scenario, scenario_to_toml
from core.scenario_edits import apply_settings
from core.sensitivity import REGIME_SWEEP_FIELDS, SWEEP_METRICS, sweep
from core.targets import DEFAULT_TARGETS, TargetError, parse_targets
from ui.charts.simulation import (
    format_number,
    format_pct,
    format_pp,
    format_probability_table,
    format_table,
    make_distribution_chart,
    make_exceedance_chart,
    make_fan_chart,
    make_occupancy_chart,
    make_sensitivity_chart,
)
from ui.closes import adjusted_selection
from ui.common import escape_md, show_source_banner
from ui.nowcast import render_nowcast, start_as_simulator, start_text
from ui.scenario_form import (
    ENGINE_ADVICE,
    ENGINE_NOTES,
    IMPORTED,
    SWEEPABLE,
    pending_messages,
    render_scenario_form,
)
from ui.simulation import (
    PROGRESS_CELLS,
    ModelInputError,
    calibrated_model,
    model_inputs,
    run_simulation,
    scenario_run,
)
from ui.state import get_selection
from ui.urlstate import default_unless_set, write_to_url

#: Widget keys of the page's view settings (URL parameter -> key).
K_ASSET, K_TARGETS = "sim_asset", "sim_targets"
VIEW_KEYS = {"asset": K_ASSET, "targets": K_TARGETS}
TABS = ["Distribution", "Paths", "Drawdowns", "Probabilities", "Regimes", "Model", "Sensitivity"]
SWEEP_PATHS = (2_000, 5_000, 10_000, 20_000)
#: Drawdown levels of the exceedance chart: 0%, 1%, ..., 100%.
DRAWDOWN_GRID = tuple(i / 100 for i in range(101))
#: Probabilities offered by the sweep (metric keys of :data:`core.sensitivity.SWEEP_METRICS`).
SWEEP_PROBS = {"prob_ge_20pct": "P(return ≥ +20%)", "prob_ge_2x": "P(return ≥ 2x)",
               "prob_ge_5x": "P(return ≥ 5x)", "prob_loss_50pct": "P(loss ≥ 50%)"}


def _label(asset: str) -> str:
    return BASKET_LABEL if asset == BASKET else asset


def _pp(se: float) -> str:
    return f"± {format_pp(se, signed=False)}"


#: Readable headers of the percentile and metrics tables (column -> header).
PCT_HEADERS = {"p01": "1st pct", "p05": "5th pct", "p25": "25th pct", "p50": "Median", "p75": "75th pct",
               "p95": "95th pct", "p99": "99th pct"}
METRIC_HEADERS = {
    **PCT_HEADERS,
    "p50_se": "Median s.e.",
    "geometric_mean": "Geometric mean", "geometric_mean_se": "Geometric mean s.e.",
    "mean_log": "Mean log return", "mean_log_se": "Mean log return s.e.",
    "prob_ge_20pct": "P(≥ +20%)", "prob_ge_2x": "P(≥ 2x)", "prob_ge_5x": "P(≥ 5x)",
    "prob_loss_50pct": "P(loss ≥ 50%)", "prob_max_dd_80pct": "P(max drawdown ≥ 80%)",
    "prob_beats_btc": "P(beats BTC)", "var95": "VaR 95%", "es95": "ES 95%",
}
METRIC_HEADERS.update({f"{k}_se": f"{METRIC_HEADERS[k]} s.e." for k in (*PROBABILITIES, "prob_beats_btc")})


def _valid_choice(key: str, options: list[str]) -> None:
    """Drop a stored (or linked) choice that is not among the options."""
    if key in st.session_state and st.session_state[key] not in options:
        st.warning(f"{escape_md(repr(st.session_state[key]))} is not simulated here; showing the altcoin basket.")
        del st.session_state[key]


def _show(table: pd.DataFrame, fmt: str | dict[str, str], headers: dict[str, str] | None = None) -> None:
    """Show a numeric table as text (NaN as an en dash, inf as ∞, never -0.0), tall enough for every row.

    ``fmt`` is one format spec for every column or one per column: ``"pct"`` (signed percent),
    ``"share"`` (unsigned percent), ``"pp"`` (percentage points) or a ``str.format`` spec.
    """
    def formatter(spec: str | None):
        if spec is None:
            return None
        if spec in ("pct", "share", "pp"):
            return {"pct": format_pct, "share": lambda v: format_pct(v, signed=False),
                    "pp": lambda v: format_pp(v, 2, signed=False)}[spec]
        return lambda v: "–" if pd.isna(v) else "∞" if np.isinf(v) else spec.format(v + 0.0)

    specs = {c: formatter(fmt if isinstance(fmt, str) else fmt.get(c)) for c in table.columns}
    out = format_table(table, {c: f for c, f in specs.items() if f is not None}, headers)
    st.dataframe(out, width="stretch", height=min(35 * (len(out) + 1) + 3, 800))


def _share_link() -> str:
    """Link to this page with the current query parameters (origin from the browser's URL when known)."""
    query = urlencode(st.query_params.to_dict(), quote_via=quote, safe=",")
    url = st.context.url or ""
    parts = urlsplit(url)
    if not parts.scheme:
        return f"simulate?{query}"
    path = parts.path.rsplit("/", 1)[0] + "/simulate"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _sample(result: SimulationResult, asset: str) -> np.ndarray:
    return outcomes(result, asset)[0]


def _drawdowns(result: SimulationResult, asset: str) -> np.ndarray:
    return outcomes(result, asset)[1]


def _headline(metrics: ScenarioMetrics, asset: str) -> dict[str, tuple[float, float]]:
    m = metrics.basket if asset == BASKET else metrics.assets[asset]
    beats = metrics.basket_beats_btc
    return {
        "Median return": (m.p50, m.p50_se),
        "Geometric mean": (m.geometric_mean, m.geometric_mean_se),
        "P(return ≥ +20%)": (m.prob_ge_20pct, m.se["prob_ge_20pct"]),
        "P(return ≥ 5x)": (m.prob_ge_5x, m.se["prob_ge_5x"]),
        "P(drawdown ≥ 80%)": (m.prob_max_dd_80pct, m.se["prob_max_dd_80pct"]),
        "P(basket beats BTC)": (beats.p, beats.se),
    }


_CARD_HELP = {
    "Median return": "Half the paths end above this simple return over the horizon.",
    "Geometric mean": "exp(mean log return) − 1: the compound growth of the average path in log terms. Shown "
                      "instead of the mean simple return, which is infinite under Student-t shocks (a few "
                      "extreme paths would decide it; see Methodology).",
    "P(return ≥ +20%)": "Share of paths ending at least 20% up.",
    "P(return ≥ 5x)": "Share of paths ending at five times the starting value or more (return ≥ +400%).",
    "P(drawdown ≥ 80%)": "Share of paths that fall at least 80% from a peak at some point within the horizon.",
    "P(basket beats BTC)": "Share of paths where the equal-weight, buy-and-hold altcoin basket ends above BTC: "
                           "the 'altcoin season' question. Independent of the asset picked.",
}


_RETURN_CARDS = ("Median return", "Geometric mean")


def _card_slots() -> list[DeltaGenerator]:
    """The six cards' columns, two rows of three (six in one row truncate their labels).

    Laid out before the simulation runs, so that once the numbers exist only the cards
    themselves travel to the browser: the headline paints first instead of queueing behind
    layout blocks.
    """
    per_row = 3
    return [c for _ in range(0, len(_CARD_HELP), per_row) for c in st.columns(per_row)]


def _cards(cols: list[DeltaGenerator], result: SimulationResult, metrics: ScenarioMetrics, asset: str,
           baseline: tuple[SimulationResult, ScenarioMetrics] | None) -> None:
    now = _headline(metrics, asset)
    before = _headline(baseline[1], asset) if baseline is not None else None
    for col, (name, (value, se)) in zip(cols, now.items(), strict=False):
        shown = format_pct(value) if name in _RETURN_CARDS else format_pct(value, signed=False)
        delta = None
        if before is not None:
            delta = format_pp(value - before[name][0])
        col.metric(
            name, shown, delta=delta, delta_color="inverse" if "drawdown" in name else "normal",
            delta_description="vs unedited" if delta else None, border=True,
            help=f"{_CARD_HELP[name]} Monte Carlo standard error {_pp(se)} "
                 f"({result.n_paths:,} paths; 95% interval ± {format_pp(1.96 * se, signed=False)}).",
        )
        col.caption(f"{_pp(se)} (MC s.e.)")


def _run_caption(result: SimulationResult, model: MarketModel, scenario: Scenario, source: str) -> str:
    return (
        f"{escape_md(scenario.name)}: {result.n_paths:,} paths × {result.horizon} trading days, {result.engine} engine, "
        f"seed {result.seed}, {escape_md(start_text(scenario))}. Model calibrated on {model.russell}, {model.btc} and {len(model.alts)} altcoins "
        f"({', '.join(model.alts)}), {model.start:%Y-%m-%d} to {model.end:%Y-%m-%d}, n = {model.n_obs:,} sessions; "
        f"data: {source}. Basket: equal weights, buy and hold."
    )


def _distribution_tab(result: SimulationResult, metrics: ScenarioMetrics, chosen: list[str], log_axis: bool) -> None:
    samples = {_label(a): _sample(result, a) for a in chosen}
    hist = histogram_frame(samples, log_axis=log_axis)
    marks = percentile_markers(samples, log_axis=log_axis)
    st.altair_chart(make_distribution_chart(hist, marks, log_axis=log_axis), width="stretch")
    inside = hist.groupby("asset")["share"].sum()
    st.caption(
        f"Terminal simple return over {result.horizon} trading days; lines mark the 5th, 50th and 95th "
        f"percentiles. The x range holds the central 99% of the pooled paths ({', '.join(f'{k}: {v:.1%}' for k, v in inside.items())} "
        "of each asset's paths); the rest lie in the tails beyond."
    )
    table = percentile_table(samples)
    picked = [metrics.basket if a == BASKET else metrics.assets[a] for a in chosen]
    table["p50_se"] = [m.p50_se for m in picked]
    table["geometric_mean"] = [m.geometric_mean for m in picked]
    table["geometric_mean_se"] = [m.geometric_mean_se for m in picked]
    _show(table, {**{c: "pct" for c in table.columns}, "p50_se": "pp", "geometric_mean_se": "pp"}, METRIC_HEADERS)
    st.caption("Geometric mean = exp(mean log return) − 1; no mean simple return is shown because under "
               "Student-t shocks it is infinite in population. s.e.: Monte Carlo standard errors in "
               "percentage points.")


def _paths_tab(result: SimulationResult, chosen: list[str], log_axis: bool) -> None:
    fan = result.fan_frame()
    fan = fan[fan["asset"].isin(chosen)].copy()
    fan["asset"] = fan["asset"].map(_label)
    st.altair_chart(make_fan_chart(fan, log_axis=log_axis, order=[_label(a) for a in chosen]), width="stretch")
    st.caption(
        "Cumulative simple return by trading day: the line is the median path quantile, the dark band 25–75%, "
        "the light band 5–95% (quantiles taken across paths each day, so the median line is not one path)."
    )


def _drawdown_tab(result: SimulationResult, chosen: list[str], order: list[str]) -> None:
    samples = {_label(a): _drawdowns(result, a) for a in chosen}
    frame = exceedance_probabilities(samples, DRAWDOWN_GRID)
    st.altair_chart(make_exceedance_chart(frame, order=[_label(a) for a in chosen]), width="stretch")
    st.caption("Probability that the largest peak-to-trough fall within the horizon reaches at least the level "
               "on the x axis (the start counts as a peak).")
    table = drawdown_distribution(result).reindex(order)
    table.index = [_label(a) for a in table.index]
    _show(table, {**{c: "share" for c in table.columns}, "p50_se": "pp", "mean_se": "pp"},
          {**PCT_HEADERS, "p50_se": "Median s.e.", "mean": "Mean", "mean_se": "Mean s.e."})
    st.caption("Maximum drawdown percentiles and mean, every asset, with Monte Carlo standard errors "
               "(a drawdown lies between 0 and 100%, so its mean exists).")


def _probabilities_tab(result: SimulationResult, metrics: ScenarioMetrics, order: list[str]) -> None:
    c1, c2 = st.columns([3, 1])
    text = c1.text_input(
        "Targets", key=K_TARGETS, persist_state="session", **default_unless_set(K_TARGETS, value=DEFAULT_TARGETS),
        help="Returns over the horizon, comma separated: percent (20%, -50, 0) or multiples (2x = +100%).",
    )
    direction = c2.radio("Event", ["return ≥ target", "return ≤ target"], key="sim_target_dir",
                         persist_state="session", help="≤ with a negative target is a loss probability.")
    try:
        targets = parse_targets(text)
    except TargetError as exc:
        st.error(f"Cannot read the targets: {escape_md(exc)}")
        targets = ()
    samples = {_label(a): _sample(result, a) for a in order}
    if targets:
        table = target_probabilities(samples, targets, at_most=direction.startswith("return ≤"))
        st.dataframe(format_probability_table(table, [_label(a) for a in order]), width="stretch")
        st.caption(f"P({direction}) per asset over {result.horizon} trading days, ± one Monte Carlo standard "
                   f"error in percentage points ({result.n_paths:,} paths).")
        st.download_button("Download these probabilities (CSV)", to_safe_csv(table, index=False),
                           file_name="target_probabilities.csv", mime="text/csv", key="sim_dl_targets",
                           on_click="ignore", icon=":material/download:")
    st.subheader("All metrics")
    full = metrics_table(result, metrics).reindex(order)
    full.index = [_label(a) for a in full.index]
    numeric = full.drop(columns=["scenario", "engine", "n_paths", "horizon_days", "seed"])
    spec = {c: ("pp" if c.endswith("_se") else "share") for c in numeric.columns}
    spec.update({c: "pct" for c in ("geometric_mean", "p05", "p25", "p50", "p75", "p95")})
    spec.update({"mean_log": "{:+.4f}", "mean_log_se": "{:.4f}", "var95": "pct", "es95": "pct"})
    _show(numeric, spec, METRIC_HEADERS)
    st.caption("s.e. columns are Monte Carlo standard errors (percentage points; the mean log return's in log "
               "units). VaR/ES 95% are value at risk and expected shortfall as loss fractions (negative: even "
               "the worst 5% gain). P(beats BTC) is P(asset return > BTC return) on the same path.")


def _regimes_tab(result: SimulationResult, scenario: Scenario) -> None:
    names = list(scenario.regime_names)
    if len(names) == 1:
        st.info(f"This scenario has one regime ({names[0]}): every day is spent in it.")
        return
    table = occupancy_table(scenario, result.horizon, result.regime_occupancy)
    frame = table.reset_index().melt(id_vars="regime", var_name="source", value_name="share")
    st.altair_chart(make_occupancy_chart(frame), width="stretch")
    n_days = result.n_paths * result.horizon
    _show(table, "{:.2%}")
    st.caption(
        f"Share of the {n_days:,} simulated path-days in each regime, the exact expectation over "
        f"{result.horizon} days {start_text(scenario)} (mean of p₀Pᵗ), and the chain's "
        "long-run share. Simulated and expected differ only by Monte Carlo noise (days on a path are dependent, "
        "so the noise is larger than for independent days)."
    )
    st.markdown("**Daily transition matrix** (row: today, column: tomorrow)")
    _show(transition_table(scenario), {**{n: "{:.2%}" for n in names}, "mean spell (days)": "{:.1f}"})


def _model_tab(model: MarketModel, scenario: Scenario, horizon: int, source_label: str,
               sources: dict[str, str]) -> None:
    limited = f", set by {', '.join(model.limited_by)} (the latest listing or earliest end)" if model.limited_by else ""
    st.markdown(
        f"Calibrated on **{escape_md(source_label)}** over one window for every equation, "
        f"**{model.start:%Y-%m-%d} to {model.end:%Y-%m-%d}**{escape_md(limited)} "
        f"(n = {model.n_obs:,} sessions with every asset; daily log returns on the US equity calendar, crypto "
        f"weekends folded into Monday)."
    )
    table = calibrated_table(model)
    table["source"] = [sources.get(t) for t in table.index]
    _show(table, {"alpha (/yr)": "pct", "beta to Russell": "{:.2f}", "loading on BTC residual": "{:.2f}",
                  "residual vol (/yr)": "share", "tail df": "{:.1f}", "n obs": "{:,.0f}"},
          {"alpha (/yr)": "Drift or alpha used (log, /yr)", "beta to Russell": "Beta to Russell",
           "loading on BTC residual": "Loading on BTC residual", "residual vol (/yr)": "Residual vol (/yr)",
           "tail df": "Tail df", "n obs": "Sessions", "source": "Data source"})
    mu_window = model.russell_mu_window
    mu_text = (f" over {mu_window[0]:%Y-%m-%d} to {mu_window[1]:%Y-%m-%d} (its longest history)"
               if mu_window is not None else "")
    st.caption(
        f"Russell row: its drift, the mean{mu_text}, and the volatility of its daily log return, annualized; "
        "crypto rows: the shrunk alpha (below). Pooled crypto tail df "
        f"{model.crypto_df:.2f} (Student-t, fitted on standardized residuals, clipped to 3–50); bootstrap mean "
        f"block length {model.block_length:.1f} days on {len(model.residuals):,} complete rows; mean altcoin "
        f"residual correlation {format_number(mean_alt_residual_corr(model))}."
    )

    st.markdown("**Alphas: the sample estimate and the shrunk value the engine uses**")
    _show(alpha_table(model), {"sample alpha (/yr)": "pct", "HAC s.e. (/yr)": "share", "t-stat": "{:+.2f}",
                               "shrinkage factor": "{:.2f}", "alpha used (/yr)": "pct"},
          {"sample alpha (/yr)": "Sample alpha (log, /yr)", "HAC s.e. (/yr)": "Newey-West s.e. (/yr)",
           "t-stat": "t-stat", "shrinkage factor": "Shrinkage factor k", "alpha used (/yr)": "Alpha used (/yr)"})
    st.caption(
        "Each crypto asset's intercept over the window with its Newey-West (HAC) standard error. A bull or "
        "bear window leaves large sample alphas whose errors are about as large, so the engine uses "
        "empirical-Bayes shrunk alphas: k = τ² / (τ² + s.e.²) with τ² = max(0, mean(alpha² − s.e.²)) across "
        "the assets; k = 0 means the cross-section shows no alpha beyond noise. A scenario's own alpha "
        "overrides this."
    )
    st.markdown(f"**How each coin moves with {escape_md(model.russell)}: the model beside the history**")
    _show(comovement_table(model), "{:.2f}",
          {"beta, history": "Beta, history", "beta, model": "Beta, model", "corr, history": "Correlation, history",
           "corr, model": "Correlation, model"})
    st.caption(
        f"Daily log returns on the window above. History: OLS beta on {model.russell} and the Pearson "
        "correlation. Model: d log T / d log R and corr(log T, log R) implied by the calibrated loadings, "
        "volatilities and residual correlations (calibrated so the two agree)."
    )

    st.markdown(f"**What {escape_md(scenario.name)} does to it** (per regime, as the engine uses it)")
    eff = regime_table(model, scenario, horizon)
    signed = ("drift", "alpha", "Mean jump")
    rows = {}
    for r in eff.index:
        if "/yr" in r or "(log)" in r or "share" in r:
            fmt = format_pct if any(k in r for k in signed) else (lambda v: format_pct(v, signed=False))
        else:
            fmt = format_number
        rows[r] = [fmt(v) for v in eff.loc[r]]
    shown = pd.DataFrame(rows, index=eff.columns).T
    st.dataframe(shown, width="stretch", height=min(35 * (len(shown) + 1) + 3, 800))
    st.caption("Altcoin rows average the tokens; each token keeps its own calibrated value unless the scenario "
               "sets one for all. The Russell drift is the mean over the horizon of the path's daily drift "
               "(target, phases or calibrated) plus the regime's shift.")


def _engine_block(sel, scenario: Scenario, settings, metrics: ScenarioMetrics, asset: str) -> None:
    """What each engine assumes; on request, the other engine's answer beside this one."""
    # drawn only while open: its toggle may run a second simulation, not worth doing unseen
    with (box := st.expander("Engines: what each assumes, and which to read when they disagree",
                             icon=":material/compare_arrows:", key="sim_engines", on_change="rerun")):
        if not box.open:
            return
        for name in ENGINES:
            st.markdown(f"**{name}**{' (this run)' if name == settings.engine else ''}: {ENGINE_NOTES[name]}")
        st.caption(ENGINE_ADVICE)
        if not st.toggle("Run the other engine too (same scenario, paths, horizon and seed)",
                         key="sim_both_engines", persist_state="session"):
            return
        other = next(e for e in ENGINES if e != settings.engine)
        try:
            other_run = scenario_run(sel, scenario, n_paths=settings.n_paths, horizon=settings.horizon,
                                     seed=settings.seed, engine=other)
        except ValueError as exc:
            st.error(f"The {other} engine could not run: {escape_md(exc)}")
            return
        assets = list(dict.fromkeys([asset, BASKET]))
        table = compare_engines({settings.engine: metrics, other: other_run.metrics}, assets)
        table["asset"] = table["asset"].map(_label)
        rows = table.set_index(["asset", "metric"])
        shown = pd.DataFrame({
            e: [f"{format_pct(v, signed=not m.startswith('P('))} ± {format_pp(se, signed=False)}"
                for m, v, se in zip(rows.index.get_level_values("metric"), rows[f"{e} value"], rows[f"{e} se"],
                                    strict=True)]
            for e in (settings.engine, other)
        }, index=[f"{a}: {m}" for a, m in rows.index])
        shown[f"{other} − {settings.engine}"] = [
            f"{format_pp(d)} ± {format_pp(se, signed=False)}{' *' if c else ''}"
            for d, se, c in zip(rows["diff"], rows["diff_se"], rows["clear"], strict=True)]
        st.dataframe(shown, width="stretch")
        st.caption("± one Monte Carlo standard error. The engines draw different shocks, so the difference's "
                   "standard error is the unpaired sqrt(s.e.₁² + s.e.₂²); * marks a difference above "
                   "two standard errors: there the shape of the shocks, not noise, moves the answer.")


def _sensitivity_tab(sel, scenario: Scenario, model: MarketModel, settings) -> None:
    st.caption(
        "Sweep one parameter of the current scenario, every other setting fixed. Every point uses the same "
        "seed (common random numbers), so the differences between points are much more precise than each "
        "point's own error bar suggests."
    )
    params = list(SWEEPABLE)
    key = "sim_sens_param"
    if st.session_state.get(key) not in params:
        st.session_state.pop(key, None)
    c1, c2, c3 = st.columns([2, 1, 1])
    param = c1.selectbox("Parameter", params, key=key, persist_state="session",
                         format_func=lambda p: SWEEPABLE[p].label
                         + (" (per regime)" if p in REGIME_SWEEP_FIELDS else ""))
    spec = SWEEPABLE[param]
    regime = None
    if param in REGIME_SWEEP_FIELDS and len(scenario.regimes) > 1:
        choices = ["all regimes", *scenario.regime_names]
        rkey = "sim_sens_regime"
        if st.session_state.get(rkey) not in choices:
            st.session_state.pop(rkey, None)
        picked = c2.selectbox("Regime", choices, key=rkey, persist_state="session")
        regime = None if picked == "all regimes" else picked
    n_points = c3.slider("Points", 3, 9, key="sim_sens_points", persist_state="session",
                         **default_unless_set("sim_sens_points", value=5))
    d1, d2, d3, d4 = st.columns(4)
    lo_key, hi_key = f"sim_sens_lo.{param}", f"sim_sens_hi.{param}"
    lo = d1.number_input(f"From{' (%)' if spec.unit else ''}", step=spec.step, key=lo_key, persist_state="session",
                         **default_unless_set(lo_key, value=float(spec.sweep[0])))
    hi = d2.number_input(f"To{' (%)' if spec.unit else ''}", step=spec.step, key=hi_key, persist_state="session",
                         **default_unless_set(hi_key, value=float(spec.sweep[1])))
    n_paths = d3.selectbox("Paths per point", SWEEP_PATHS, key="sim_sens_paths", persist_state="session",
                           format_func=lambda n: f"{n:,}", **default_unless_set("sim_sens_paths", index=1))
    prob = d4.selectbox("Probability", list(SWEEP_PROBS), key="sim_sens_prob", persist_state="session",
                        format_func=SWEEP_PROBS.get, **default_unless_set("sim_sens_prob", index=1))
    if not hi > lo:
        st.error(f"'To' ({hi:g}) must be above 'From' ({lo:g}).")
        return
    # the grid in display units, evenly spaced; the sweep takes scenario units
    shown = [float(v) for v in np.linspace(lo, hi, n_points)]
    values = [spec.from_display(v) for v in shown]

    def runner(point: Scenario) -> SimulationResult:  # the app's cached run: revisiting costs nothing
        return run_simulation(sel, point, n_paths=n_paths, horizon=settings.horizon, seed=settings.seed,
                              engine=settings.engine)

    bar = st.progress(0.0, text="Running the sweep…")
    try:
        result = sweep(model, scenario, param, values, regime=regime, n_paths=n_paths, horizon=settings.horizon,
                       seed=settings.seed, engine=settings.engine, runner=runner,
                       progress=lambda f: bar.progress(f, text=f"Point {round(f * n_points)} of {n_points}"))
    except ValueError as exc:  # SweepError naming the value, or the run budget
        st.error(f"Sweep stopped: {escape_md(exc)}")
        return
    finally:
        bar.empty()
    labels = {"p50": SWEEP_METRICS["p50"], prob: SWEEP_PROBS[prob]}
    frame = result.frame[result.frame["asset"].isin([BASKET, model.btc]) & result.frame["metric"].isin(labels)]
    frame = frame.assign(value=frame["value"].map(dict(zip(values, shown, strict=True))),
                         asset=frame["asset"].map(_label), metric=frame["metric"].map(labels))
    x_title = spec.label + (f" ({regime})" if regime else "")
    now = result.current
    st.altair_chart(make_sensitivity_chart(frame, x_title=x_title, x_format=".1f" if spec.unit else ".2f",
                                           order=[_label(BASKET), _label(model.btc)],  # the other tabs' colours
                                           current=None if now is None else spec.to_display(now)),
                    width="stretch")
    st.caption(f"Error bars: 95% Monte Carlo intervals (± 1.96 s.e.), {n_paths:,} paths per point, seed "
               f"{settings.seed}, horizon {settings.horizon} days."
               + (" Sweeping the Russell return switches the path to mode 'target'." if param ==
                  "russell.target_return" else ""))
    wide = frame.pivot_table(index="value", columns=["metric", "asset"], values=["estimate", "se"])
    wide.columns = [f"{m} · {a} · {stat}" for stat, m, a in wide.columns]
    _show(wide, "{:.2%}")


# --------------------------------------------------------------------------- page

sel = get_selection()
st.title("Scenario simulator")
show_source_banner(sel.prices)
st.caption(
    "Pick a scenario, reshape it in the sidebar, and watch the distribution of altcoin outcomes move. "
    "Every probability carries its Monte Carlo standard error; the link in the address bar reproduces the run."
)

try:
    roles = model_inputs(sel)
    model = calibrated_model(sel)
except (ModelInputError, CalibrationError) as exc:
    st.error(f"The scenario model cannot be calibrated on this selection: {escape_md(exc)}")
    st.info("Pick a BTC ticker and at least one altcoin in the sidebar, and a date range with a few months "
            "of data.")
    st.stop()

n_assets = 2 + len(roles.alts)
form = render_scenario_form(model, n_assets, view_keys=VIEW_KEYS)
for kind, message in pending_messages():
    {"error": st.error, "warning": st.warning, "success": st.success}.get(kind, st.info)(escape_md(message))
for message in form.errors:
    st.error(escape_md(message))
settings, scenario = form.settings, form.scenario

st.markdown(f"### {escape_md(scenario.name)}" + (" · edited" if form.edited else "")
            + (" · imported" if settings.scenario == IMPORTED else ""))
if scenario.description:
    st.markdown(escape_md(scenario.description))
if scenario.rationale:
    with st.expander("Why these numbers (the scenario's rationale)"):
        st.markdown(escape_md(scenario.rationale))
as_written = scenario
scenario = render_nowcast(sel, model, scenario, settings.scenario)  # today's regime; optionally start from it
starts_today = scenario is not as_written

order = [BASKET, model.btc, *model.alts, model.russell]
_valid_choice(K_ASSET, order)
headline = st.empty()  # the picker and the cards' places; cleared if the run fails
with headline.container():
    asset = st.selectbox("Headline asset", order, key=K_ASSET, format_func=_label, persist_state="session",
                         help="The cards show this asset; the altcoin basket is the equal-weight, buy-and-hold "
                              "portfolio of every altcoin in the selection.")
    card_slots = _card_slots()
try:
    run = scenario_run(sel, scenario, n_paths=settings.n_paths, horizon=settings.horizon,
                       seed=settings.seed, engine=settings.engine)
except ExplorerError as exc:
    headline.empty()  # no picker over empty cards above the message
    st.error(f"Simulation failed: {escape_md(exc)}")
    st.stop()
result, metrics = run.result, run.metrics

baseline = None
cells = settings.n_paths * settings.horizon * n_assets
if form.edited and cells <= PROGRESS_CELLS:
    base_scenario: Scenario | None = apply_settings(form.base, {}, settings.horizon)
    if starts_today:  # the unedited one starts from today's regime too: the deltas are the edits' alone
        try:
            base_scenario = start_as_simulator(sel, model, base_scenario, settings.scenario) or base_scenario
        except ExplorerError:
            base_scenario = None  # it cannot start from today: no like-for-like comparison, no deltas
    if base_scenario is not None:
        try:
            base_run = scenario_run(sel, base_scenario, n_paths=settings.n_paths, horizon=settings.horizon,
                                    seed=settings.seed, engine=settings.engine)
            baseline = (base_run.result, base_run.metrics)
        except ExplorerError:  # the edited run stands on its own; only the deltas are lost
            baseline = None

_cards(card_slots, result, metrics, asset, baseline)
_, basis = adjusted_selection(sel, adjust=False)  # which closes the model was calibrated on (described, not changed)
st.caption(_run_caption(result, model, scenario, sel.prices.label)
           + (" Deltas compare with the unedited scenario on the same random numbers." if baseline else "")
           + " " + escape_md(basis.label([model.russell])))
_engine_block(sel, scenario, settings, metrics, asset)

provenance = run_provenance(data_label=sel.prices.label, data_first=sel.prices.closes.index.min(),
                            data_last=sel.prices.closes.index.max(), model=model, overrides=settings.overrides)
d1, d2, _ = st.columns([1, 1, 2])
d1.download_button("Metrics (CSV)", metrics_csv(result, metrics, provenance),
                   file_name=f"simulation_{settings.scenario}_{settings.seed}.csv", mime="text/csv",
                   key="sim_dl_metrics", on_click="ignore", icon=":material/download:",
                   help="Every metric with its Monte Carlo standard error, per asset, plus the run settings, the "
                        "data source and dates, the calibration window and the scenario's edits.")
d2.download_button("Scenario (TOML)", scenario_to_toml(scenario), file_name=f"{settings.scenario}_edited.toml"
                   if form.edited else f"{settings.scenario}.toml", mime="application/toml", key="sim_dl_toml",
                   on_click="ignore", icon=":material/download:",
                   help="This scenario with every edit applied; import it in the sidebar to get the same run.")

write_view = {"asset": None if asset == BASKET else asset}
targets_text = st.session_state.get(K_TARGETS, DEFAULT_TARGETS)
write_view["targets"] = None if targets_text == DEFAULT_TARGETS else targets_text

c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
chart_key = "sim_chart_assets"
if chart_key in st.session_state:
    st.session_state[chart_key] = [a for a in st.session_state[chart_key] if a in order]
chosen = c1.multiselect("Assets in the charts", order, key=chart_key, format_func=_label, persist_state="session",
                        **default_unless_set(chart_key, default=[BASKET, model.btc]))
log_axis = c2.toggle("Log axis, log(1 + r)", key="sim_log", persist_state="session",
                     **default_unless_set("sim_log", value=True),
                     help="Equal distances are equal percentage moves: a 5x and a -80% sit as far from zero.")
chosen = chosen or [asset]

tabs = st.tabs(TABS, key="sim_tab", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        _distribution_tab(result, metrics, chosen, log_axis)
with tabs[1]:
    if tabs[1].open:
        _paths_tab(result, chosen, log_axis)
with tabs[2]:
    if tabs[2].open:
        _drawdown_tab(result, chosen, order)
with tabs[3]:
    if tabs[3].open:
        _probabilities_tab(result, metrics, order)
with tabs[4]:
    if tabs[4].open:
        _regimes_tab(result, scenario)
with tabs[5]:
    if tabs[5].open:
        _model_tab(model, scenario, settings.horizon, sel.prices.label, dict(sel.prices.sources))
with tabs[6]:
    if tabs[6].open:
        _sensitivity_tab(sel, scenario, model, settings)

write_to_url(write_view)
with st.expander("Share this run", icon=":material/link:"):
    st.code(_share_link(), language=None, wrap_lines=True)
    st.caption("The link carries the data selection, the scenario (an imported one travels inside the link), "
               "every edit, the number of paths, the horizon, the seed and the engine: whoever opens it gets "
               "the same numbers on the same data. The address bar holds the same link.")
