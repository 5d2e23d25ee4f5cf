"""Compare page: two to four scenarios on the same market model and the same random numbers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.comparison import (
    CLEAR_DIFF_SE,
    COMPARE_METRICS,
    QUANTILE_METRICS,
    binned_log_growth,
    compare_scenarios,
)
from core.conventions import BASKET, BASKET_LABEL, DEFAULT_SEED
from core.errors import ExplorerError
from core.export import run_provenance, to_safe_csv
from core.montecarlo import ENGINES
from core.scenario import ScenarioError, list_scenarios, load_scenario
from core.scenario_edits import apply_settings
from ui.charts.compare import make_median_paths_chart, make_overlay_distribution_chart
from ui.charts.simulation import format_pct, format_pp, format_table
from ui.common import escape_md, show_source_banner
from ui.fitted import FITTED_REGIMES, fitted_or_none
from ui.nowcast import simulator_starts_today, start_as_simulator
from ui.scenario_form import (
    ENGINE_ADVICE,
    ENGINE_NOTES,
    IMPORTED,
    MAX_SEED,
    get_settings,
    load_base,
)
from ui.simulation import ModelInputError, calibrated_model, run_simulation
from ui.state import get_selection

#: Choice key of the scenario as edited on the Simulator page.
SIMULATOR = "__simulator__"

sel = get_selection()
st.title("Compare scenarios")
show_source_banner(sel.prices)
st.markdown(
    "Run two to four scenarios on **the same calibrated market model and the same random numbers** "
    "(common random numbers): path *k* of every scenario sees the same shocks, so the differences "
    "below come from the scenarios, not from Monte Carlo noise."
)

files = list_scenarios()
scenarios = {}
problems = []
for stem, path in files.items():
    try:
        scenarios[stem] = load_scenario(path)
    except ScenarioError as exc:
        problems.append(str(exc))
for msg in problems:
    st.error(f"Scenario file skipped: {escape_md(msg)}")

labels = {stem: s.name for stem, s in scenarios.items()}
# The calibrated, no-override scenario is the natural baseline for differences.
stems = sorted(scenarios, key=lambda k: (k != "historical_base", k))
defaults = stems[:4]
fitted, why_not = fitted_or_none(sel)  # the fitted-regimes scenario, built from the loaded data (cached)
if fitted is not None:
    scenarios[FITTED_REGIMES], labels[FITTED_REGIMES] = fitted, fitted.name
    stems.append(FITTED_REGIMES)
else:
    st.caption(f"Fitted regimes not offered: {escape_md(why_not)}")
try:
    model = calibrated_model(sel)
except (ModelInputError, ValueError) as exc:
    st.error(f"Cannot build the market model: {escape_md(exc)}")
    st.stop()
# The scenario as the Simulator runs it (edited, imported or started from today's regime) joins the choices.
sim = get_settings()
if sim.overrides or sim.scenario == IMPORTED or simulator_starts_today():
    try:
        sim_base = load_base(sim.scenario)
        edited = apply_settings(sim_base, sim.overrides, sim_base.horizon_days)
        try:
            started = start_as_simulator(sel, model, edited, sim.scenario)
        except ExplorerError:  # the Simulator then runs it as written (and says why): so does Compare
            started = None
    except ExplorerError as exc:  # ScenarioError included
        st.warning(f"The Simulator's scenario cannot be compared: {escape_md(exc)}")
    else:
        changes = [c for c, on in (("edits", sim.overrides or sim.scenario == IMPORTED),
                                   ("from today's regime", started is not None)) if on]
        if changes:
            scenarios[SIMULATOR] = started or edited
            labels[SIMULATOR] = f"{edited.name} (Simulator{' ' if changes[0] == 'edits' else ': '}{', '.join(changes)})"
            stems.insert(1, SIMULATOR)
            defaults = stems[:4]
c1, c2 = st.columns([3, 2])
chosen = c1.multiselect(
    "Scenarios (2 to 4; the first is the baseline for differences)",
    stems, default=defaults, format_func=labels.get, max_selections=4, key="cmp_scenarios",
)
asset_opts = [BASKET, *model.assets]
asset = c2.selectbox("Asset", asset_opts, key="cmp_asset",
                     format_func=lambda a: f"{BASKET_LABEL} (equal weight)" if a == BASKET else a,
                     help="The basket holds every altcoin of the model, equal weights at the start, buy and hold.")
k1, k2, k3, k4 = st.columns(4)
n_paths = k1.select_slider("Paths", [2_000, 5_000, 10_000, 20_000, 50_000], value=20_000, key="cmp_paths",
                           help="More paths, smaller Monte Carlo error (it shrinks like 1/sqrt(paths)).")
horizon = k2.number_input("Horizon (trading days)", 5, 756, 63, step=21, key="cmp_horizon",
                          help="63 trading days is a quarter, 252 a year. Applies to every scenario.")
seed = k3.number_input("Seed", 0, MAX_SEED, DEFAULT_SEED, key="cmp_seed",
                       help="Same seed, same numbers (the Simulator starts from the same default seed).")
engine = k4.selectbox("Engine", ENGINES, key="cmp_engine",
                      help=" ".join(f"{name}: {ENGINE_NOTES[name]}" for name in ENGINES) + " " + ENGINE_ADVICE)

if len(chosen) < 2:
    st.info("Pick at least two scenarios to compare.")
    st.stop()

results = {}
try:
    for stem in chosen:
        results[labels[stem]] = run_simulation(sel, scenarios[stem], n_paths=int(n_paths), horizon=int(horizon),
                                               seed=int(seed), engine=engine)
except ValueError as exc:
    st.error(escape_md(exc))
    st.stop()
order = list(results)
asset_name = "the altcoin basket" if asset == BASKET else asset

st.subheader(f"Outcome of {escape_md(asset_name)} over {int(horizon)} trading days")
st.altair_chart(make_overlay_distribution_chart(binned_log_growth(results, asset), order), width="stretch")
st.caption(
    "Distribution of the terminal outcome per scenario on a log-growth axis: 0 is break-even, "
    "0.69 a doubling, -0.69 a halving. The extreme 0.1% on each side is folded into the edge bins."
)

table = compare_scenarios(results, asset)
#: Metrics that are returns (the rest are probabilities): signed percent, differences in percentage points.
RETURN_METRICS = {*QUANTILE_METRICS, "geometric_mean"}


def _pivot(values: str) -> pd.DataFrame:
    return table.pivot(index="metric", columns="scenario", values=values).reindex(list(COMPARE_METRICS))[order]


wide, se, diff, diff_se, clear = (_pivot(v) for v in ("value", "se", "diff", "diff_se", "clear"))


def _cell(metric: str, v: float, s: float) -> str:
    if pd.isna(v):
        return "–"
    return f"{format_pct(v, 2, signed=metric in RETURN_METRICS)} ± {format_pp(s, 2, signed=False)}"


def _dcell(v: float, s: float, flagged: bool) -> str:
    if pd.isna(v):
        return "–"
    return f"{format_pp(v, 2)} ± {format_pp(s, 2, signed=False)}{' *' if flagged else ''}"


shown = pd.DataFrame({c: [_cell(m, v, s) for m, v, s in zip(wide.index, wide[c], se[c], strict=True)]
                      for c in order}, index=wide.index)
for c in order[1:]:
    shown[f"{c} − {order[0]}"] = [_dcell(v, s, bool(f))
                                  for v, s, f in zip(diff[c], diff_se[c], clear[c], strict=True)]
shown.index = [COMPARE_METRICS[k] for k in shown.index]
st.subheader("Key metrics and differences")
st.dataframe(shown.rename_axis("Metric"), width="stretch")
st.caption(
    f"Every value ± one Monte Carlo standard error ({int(n_paths):,} paths); differences are in percentage "
    f"points (pp) against {escape_md(order[0])}, ± the paired standard error of common random numbers; * marks "
    f"a difference larger than {CLEAR_DIFF_SE:g} standard errors. The geometric mean is exp(mean log return) − 1: "
    "the mean simple return is not shown because it is infinite under Student-t shocks. 'P(beats BTC)' compares "
    "the asset's return with BTC's on the same path."
)
provenance = run_provenance(data_label=sel.prices.label, data_first=sel.prices.closes.index.min(),
                            data_last=sel.prices.closes.index.max(), model=model, overrides=None)
export = table.assign(asset=asset, engine=engine, n_paths=int(n_paths), horizon_days=int(horizon), seed=int(seed),
                      **{k: v for k, v in provenance.items() if k != "overrides"})
st.download_button("Download the comparison (CSV)", to_safe_csv(export, index=False).encode(),
                   "scenario_comparison.csv", "text/csv", key="cmp_csv",
                   help="Values, standard errors and paired differences (decimals; diff × 100 = percentage "
                        "points), with the run settings, the data source and dates and the calibration window.")

st.subheader("Median path and interquartile band")
fans = []
for name, res in results.items():
    f = res.fan_frame()
    f = f[f["asset"] == asset][["day", "p25", "p50", "p75"]]
    fans.append(f.assign(scenario=name))
st.altair_chart(make_median_paths_chart(pd.concat(fans, ignore_index=True), order), width="stretch")
st.caption("Cumulative return of the chosen asset: the line is the median path, the band the 25th to 75th percentile.")

st.subheader("Time spent in each regime")
occ = pd.concat({name: res.occupancy_series() for name, res in results.items()}, axis=1)
st.dataframe(format_table(occ, {c: (lambda v: format_pct(v, signed=False)) for c in occ.columns}).rename_axis(
    "Regime"), width="stretch")
st.caption("Share of all path-days in each named regime; – where a scenario has no such regime.")
