"""AppTest of the Simulator's nowcast block and the fitted-regimes scenario in the pickers (offline demo, small runs)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.calibration import calibrate
from core.fitted_scenario import nowcast_mapping, start_from_nowcast
from core.regime_fit import fit_regimes
from core.returns import compute_returns
from core.roles import assign_roles
from core.scenario import SCENARIO_DIR, load_scenario
from tests.conftest import REPO

APP = str(REPO / "streamlit_app.py")
FAST = {"paths": "2000", "scenario": "speculative_frenzy"}


def _open(params: dict[str, str], page: str = "ui/pages/simulate.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _nowcast_table(at: AppTest):
    return next(d.value for d in at.table if d.value.index.name == "fitted state")


@pytest.fixture(scope="module")
def app() -> AppTest:
    return _open(FAST)


def test_block_shows_todays_probabilities(app: AppTest) -> None:
    table = _nowcast_table(app)
    assert table.index[0] == "calm" and table.index[-1] == "turbulent"
    today = [c for c in table.columns if c.startswith("P on ")]
    assert len(today) == 1
    shares = [float(v.rstrip("%")) for v in table[today[0]]]
    assert sum(shares) == pytest.approx(100.0, abs=0.2 * len(shares))
    assert any("Markov-switching model" in c.value and "BIC" in c.value for c in app.caption)
    toggle = app.toggle(key="sim_nowcast")
    assert toggle.value is False and "nowcast" not in app.query_params


def test_toggle_starts_the_scenario_from_today_and_is_in_the_link(app: AppTest) -> None:
    app.toggle(key="sim_nowcast").set_value(True).run()
    assert not app.exception, app.exception
    assert app.query_params["nowcast"] in ("1", ["1"])
    mapping = next(d.value for d in app.table if "goes to" in d.value.columns)
    assert list(mapping.index) == list(_nowcast_table(app).index)
    assert set(mapping["goes to"]) <= {"euphoria", "crash", "calm"}
    shown = next(c.value for c in app.caption if c.value.startswith("Day 1 starts in:"))
    # the page simulates core's start_from_nowcast of the scenario, on the app's own model and data
    sel = app.session_state["_scx_selection"]
    rets = compute_returns(sel.prices.closes[sel.tickers], calendar=list(sel.equity))
    roles = assign_roles(sel.crypto_available)
    model = calibrate(rets[[sel.russell, roles.btc, *roles.alts]], russell=sel.russell, btc=roles.btc,
                      alts=list(roles.alts))
    fit = fit_regimes(rets[sel.russell].dropna())
    base = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    started = start_from_nowcast(base, nowcast_mapping(fit, base, model))
    assert sum(started.initial_probabilities) == pytest.approx(1.0)
    for name, p in zip(started.regime_names, started.initial_probabilities, strict=True):
        assert f"{name} {p:.1%}" in shown
    # off again: the parameter leaves the link
    app.toggle(key="sim_nowcast").set_value(False).run()
    assert "nowcast" not in app.query_params
    assert not any(c.value.startswith("Day 1 starts in:") for c in app.caption)


def test_link_opens_with_the_toggle_on() -> None:
    at = _open({**FAST, "nowcast": "1"})
    assert at.toggle(key="sim_nowcast").value is True
    assert any(c.value.startswith("Day 1 starts in:") for c in at.caption)
    at.session_state["sim_tab"] = "Regimes"
    at.run()
    assert not at.exception, at.exception
    assert any("starting from the probabilities p₀ = (euphoria" in c.value for c in at.caption)


def test_fitted_scenario_is_in_the_picker_and_runs() -> None:
    at = _open({"paths": "2000", "scenario": "fitted_regimes"})
    assert "fitted_regimes" in at.selectbox(key="sim.scenario").options or any(
        "Fitted regimes" in o for o in at.selectbox(key="sim.scenario").options)
    assert any("Fitted regimes" in m.value for m in at.markdown)
    assert any("already starts from these probabilities" in c.value for c in at.caption)
    assert not at.error, [e.value for e in at.error]
    names = list(_nowcast_table(at).index)
    assert names[0] == "calm" and names[-1] == "turbulent"


def test_compare_offers_the_fitted_scenario() -> None:
    at = _open({}, page="ui/pages/compare.py")
    picker = at.multiselect(key="cmp_scenarios")
    assert "Fitted regimes" in picker.options or "fitted_regimes" in picker.options
    assert not at.error, [e.value for e in at.error]


def test_fitted_scenario_with_a_named_start_regime() -> None:
    """Picking an initial regime in the sidebar replaces the fitted start probabilities (and the link says so)."""
    at = _open({"paths": "2000", "scenario": "fitted_regimes"})
    at.session_state["sim.group.transitions"] = True  # open the sidebar group that holds the field
    at.run()
    at.selectbox(key="sim.p.initial_regime").set_value("turbulent").run()
    assert not at.exception, at.exception
    ov = at.query_params["ov"]
    ov = ov[0] if isinstance(ov, list) else ov
    assert '"initial_probabilities":null' in ov and '"initial_regime":"turbulent"' in ov
    assert not at.error, [e.value for e in at.error]


def test_compare_offers_the_simulator_scenario_started_from_today() -> None:
    """With the Simulator's toggle on, Compare runs the same scenario the Simulator runs (same numbers)."""
    at = _open({"paths": "2000"})
    at.toggle(key="sim_nowcast").set_value(True).run()
    sim_median = next(m.value for m in at.metric if m.label == "Median return")  # basket, 2,000 paths, seed 1
    at.switch_page("ui/pages/compare.py").run()
    assert not at.exception, at.exception
    label = "Controlled rally (Simulator: from today's regime)"
    picker = at.multiselect(key="cmp_scenarios")
    assert label in picker.options and "Controlled rally" in picker.options
    at.select_slider(key="cmp_paths").set_value(2000).run()
    table = next(d.value for d in at.dataframe if label in d.value.columns)
    shown = table.loc["Median return"]
    assert shown[label].startswith(sim_median.replace("%", ""))  # "+11.1%" vs "+11.10% ± 1.05 pp"
    assert shown[label] != shown["Controlled rally"]  # started from today's regime, not as written
    at.switch_page("ui/pages/simulate.py").run()
    at.toggle(key="sim_nowcast").set_value(False).run()
    at.switch_page("ui/pages/compare.py").run()
    assert not any("Simulator" in o for o in at.multiselect(key="cmp_scenarios").options)


def _pct(text: str) -> float:
    """A card's "+11.1%" or a delta's "+2.3 pp" as a number (percent points)."""
    return float(text.replace("−", "-").replace("%", "").replace("pp", "").strip())


def test_with_the_toggle_on_the_deltas_compare_with_the_unedited_scenario_started_from_today() -> None:
    """The cards' deltas are the edits' effect alone: both runs start from today's regime."""
    at = _open({"paths": "2000"})
    written = next(m.value for m in at.metric if m.label == "Median return")
    at.toggle(key="sim_nowcast").set_value(True).run()
    today = next(m.value for m in at.metric if m.label == "Median return")
    assert abs(_pct(today) - _pct(written)) > 0.5  # the start matters, so the test can tell the two apart
    at.number_input(key="sim.p.russell.target_return").set_value(40.0).run()
    assert not at.exception, at.exception
    card = next(m for m in at.metric if m.label == "Median return")
    assert _pct(card.delta) == pytest.approx(_pct(card.value) - _pct(today), abs=0.11)
    # the note under the cards says where the run starts
    assert any("paths ×" in c.value and "starting from the probabilities p₀ = (" in c.value for c in at.caption)
