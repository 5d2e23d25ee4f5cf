"""AppTest of the Compare and Methodology pages on demo data."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


def _compare() -> AppTest:
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=180)
    at.run()
    at.switch_page("ui/pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def test_compare_shows_metrics_with_differences():
    at = _compare()
    at.select_slider(key="cmp_paths").set_value(2_000).run()
    table = at.dataframe[0].value
    assert "Historical base" in table.columns
    assert any(" − Historical base" in c for c in table.columns)
    assert "P(beats BTC)" in table.index
    assert "±" in table.loc["P(≥ 2x)", "Historical base"]
    # the geometric mean, not the simple mean (infinite under Student-t shocks); every value has its SE
    assert "Geometric mean return" in table.index and "Mean return" not in table.index
    base = table["Historical base"]
    assert all("±" in v for v in base if v != "–")
    # differences of percentages are in percentage points, with their paired standard errors
    diff_col = next(c for c in table.columns if " − Historical base" in c)
    assert all(v.endswith(" pp") or v.endswith(" pp *") for v in table[diff_col] if v != "–"), table[diff_col]
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert not any(re.search(r"(^|[^\w])-0\.0+(%| pp)", c) for c in cells), cells
    assert at.number_input(key="cmp_seed").value == 1  # the default seed of every page and the CLI
    occupancy = at.dataframe[1].value
    assert "None" not in occupancy.to_numpy().ravel().tolist()


def test_changing_the_horizon_changes_the_numbers():
    at = _compare()
    at.select_slider(key="cmp_paths").set_value(2_000).run()
    before = at.dataframe[0].value.copy()
    at.number_input(key="cmp_horizon").set_value(126).run()
    assert not at.exception
    assert not at.dataframe[0].value.equals(before)


def test_fewer_than_two_scenarios_asks_for_more():
    at = _compare()
    ms = at.multiselect(key="cmp_scenarios")
    for v in list(ms.value)[1:]:
        ms.unselect(v)
    at.run()
    assert any("at least two" in i.value for i in at.info)


def test_no_btc_in_selection_is_explained():
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=180)
    at.run()
    ms = at.multiselect(key="crypto_demo")
    ms.unselect("BTC-USD").run()
    at.switch_page("ui/pages/compare.py").run()
    assert not at.exception
    assert any("no BTC ticker" in e.value for e in at.error)


def test_methodology_page_lists_every_scenario_field():
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("ui/pages/methodology.py").run()
    assert not at.exception
    assert at.title[0].value == "Methodology"
    fields = at.dataframe[0].value["field"].tolist()
    assert "regimes[].downside_beta_scale" in fields and "selectivity" in fields
    assert any("Correlation is not causation" in m.value for m in at.markdown)


def test_simulator_edits_join_the_comparison():
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=180)
    at.query_params.update({"scenario": "controlled_rally", "ov": '{"selectivity":1.5}', "paths": "2000"})
    at.run()
    at.switch_page("ui/pages/simulate.py").run()
    assert not at.exception
    at.switch_page("ui/pages/compare.py").run()
    assert not at.exception
    at.select_slider(key="cmp_paths").set_value(2_000).run()
    assert "Controlled rally (Simulator edits)" in at.dataframe[0].value.columns
