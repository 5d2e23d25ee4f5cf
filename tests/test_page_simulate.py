"""AppTest of the Scenario simulator page on the offline demo (small path counts keep it fast)."""

from __future__ import annotations

import re
import tomllib
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from core.scenario import load_scenario, scenario_from_dict, with_overrides
from tests.conftest import REPO
from ui.scenario_form import decode_overrides, decode_scenario_blob

APP = str(REPO / "streamlit_app.py")
PAGE = "ui/pages/simulate.py"
FAST = {"paths": "2000"}


def _open(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (FAST if params is None else params).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _params(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def _errors(at: AppTest) -> list[str]:
    """Error texts as the user reads them (user text is markdown-escaped: ``\\[`` shows as ``[``)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def _charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def _tab(at: AppTest, name: str) -> AppTest:
    at.session_state["sim_tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


GROUPS = ("russell", "crypto", "transitions", "tails", "selectivity", "size", "file")


def _open_groups(at: AppTest, *names: str) -> AppTest:
    """Open sidebar groups of the scenario form (a closed group draws no fields), as a click does."""
    for name in names or GROUPS:
        at.session_state[f"sim.group.{name}"] = True
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def app() -> AppTest:
    return _open()


def test_page_renders_headline_cards_with_standard_errors(app: AppTest) -> None:
    assert not _errors(app)
    assert any("Synthetic demo data" in w.value for w in app.warning)
    assert list(_cards(app)) == [
        "Median return", "Geometric mean", "P(return ≥ +20%)", "P(return ≥ 5x)", "P(drawdown ≥ 80%)",
        "P(basket beats BTC)",
    ]
    se_captions = [c.value for c in app.caption if c.value.endswith("pp (MC s.e.)")]
    assert len(se_captions) == 6  # the median and the geometric mean carry their standard errors too
    assert "infinite" in next(m.help for m in app.metric if m.label == "Geometric mean")
    assert all("Monte Carlo standard error" in m.help for m in app.metric)
    assert any("2,000 paths × 63 trading days" in c.value for c in app.caption)
    run_caption = next(c.value for c in app.caption if "2,000 paths" in c.value)
    assert "Equity closes: IWM:" in run_caption  # the page says which closes the model was calibrated on
    assert _charts(app) == 1  # the distribution tab is open by default
    params = _params(app)
    assert params["scenario"] == "controlled_rally" and params["paths"] == "2000"
    assert params["horizon"] == "63" and params["engine"] == "parametric" and "ov" not in params
    assert app.number_input(key="sim.seed").value == 1  # core.conventions.DEFAULT_SEED, as on Compare and the CLI
    # the scenario picker is in the main area, beside the results, not only in the sidebar
    assert "sim.scenario" in {w.key for w in app.main.selectbox}
    assert "sim.scenario" not in {w.key for w in app.sidebar.selectbox}


def test_no_simple_mean_no_negative_zero_readable_headers(app: AppTest) -> None:
    for tab in ("Distribution", "Drawdowns", "Probabilities", "Model"):
        at = _tab(app, tab)
        for frame in at.dataframe:
            table = frame.value
            cells = [str(v) for v in table.to_numpy().ravel()] + [str(v) for v in table.index]
            assert not any(re.search(r"(^|[^\w])-0\.0+(%| pp|$)", c) for c in cells), (tab, cells)
            assert not any(c in ("None", "nan") for c in cells), (tab, cells)
            headers = [str(c) for c in table.columns]
            assert not any("_" in h for h in headers), (tab, headers)  # no snake_case headers
            assert "mean" not in headers and "Mean return" not in headers  # the simple mean is never shown
    dist = _tab(app, "Distribution").dataframe[0].value
    assert {"Median", "Median s.e.", "Geometric mean", "Geometric mean s.e."} <= set(dist.columns)


def test_every_parameter_group_is_in_the_sidebar() -> None:
    app = _open()
    closed = {w.key for w in app.sidebar.number_input} | {w.key for w in app.sidebar.toggle}
    assert "sim.p.russell.target_return" in closed and "sim.seed" in closed  # open by default
    assert not any(k.startswith(("sim.p.regimes.steady.alt", "sim.p.transition", "sim.p.selectivity"))
                   for k in closed)  # the collapsed groups draw nothing until opened
    _open_groups(app)
    keys = {w.key for w in app.sidebar.number_input} | {w.key for w in app.sidebar.toggle}
    for field in ("alt_beta_scale", "alt_loading_scale", "downside_beta_scale", "btc_vol_scale",
                  "jump_intensity", "jump_mean", "jump_vol", "russell_drift_shift"):
        assert f"sim.p.regimes.steady.{field}" in keys, field
    for field in ("btc_alpha", "btc_beta", "alt_alpha", "alt_beta", "df", "russell_df"):
        assert f"sim.o.regimes.steady.{field}" in keys, field  # optional: override toggle
    assert {"sim.p.russell.target_return", "sim.o.russell.annual_vol", "sim.p.selectivity",
            "sim.p.transition.0.1", "sim.p.transition.1.0", "sim.paths", "sim.horizon", "sim.seed"} <= keys
    assert all(w.help for w in app.sidebar.number_input)


@pytest.mark.parametrize("tab", ["Paths", "Drawdowns", "Probabilities", "Regimes", "Model"])
def test_every_tab_renders(tab: str) -> None:
    at = _tab(_open(), tab)
    assert not _errors(at)
    if tab in ("Paths", "Drawdowns", "Regimes"):
        assert _charts(at) == 1
    if tab == "Probabilities":
        table = at.dataframe[0].value
        assert list(table.columns) == ["-50%", "0%", "+20%", "+100%", "+400%"]
        assert list(table.index)[:2] == ["Altcoin basket", "BTC-USD"]
        assert all("±" in v for v in table.loc["Altcoin basket"])
    if tab == "Model":
        text = "\n".join(m.value for m in at.markdown)
        assert "synthetic demo data" in text and "n = " in text and "one window for every equation" in text
        alphas = next(f.value for f in at.dataframe if "Shrinkage factor k" in f.value.columns)
        assert {"Sample alpha (log, /yr)", "Newey-West s.e. (/yr)", "Alpha used (/yr)"} <= set(alphas.columns)
        assert list(alphas.index)[0] == "BTC-USD"
        comove = next(f.value for f in at.dataframe if "Beta, model" in f.value.columns)
        assert {"Beta, history", "Correlation, history", "Correlation, model"} <= set(comove.columns)
        for asset in comove.index:  # the model moves with the Russell as history did on the window
            assert abs(float(comove.loc[asset, "Beta, model"]) - float(comove.loc[asset, "Beta, history"])) <= 0.03


def test_moving_a_control_changes_the_cards_and_reset_restores_them() -> None:
    at = _open()
    before = _cards(at)
    at.number_input(key="sim.p.russell.target_return").set_value(40.0).run()
    assert not at.exception and not _errors(at)
    after = _cards(at)
    assert after["Median return"] != before["Median return"]
    assert all(m.delta for m in at.metric)  # deltas against the unedited scenario
    assert decode_overrides(_params(at)["ov"]) == {"russell.target_return": 0.4}
    at.button(key="sim.reset").click().run()
    assert not at.exception
    assert _cards(at) == before
    assert "ov" not in _params(at)
    assert at.number_input(key="sim.p.russell.target_return").value == pytest.approx(7.0)


def test_an_edit_stays_applied_while_its_group_is_closed_and_shows_again_when_reopened() -> None:
    at = _open_groups(_open(), "crypto")
    at.number_input(key="sim.p.regimes.steady.alt_beta_scale").set_value(1.6).run()
    edited, ov = _cards(at), _params(at)["ov"]
    at.session_state["sim.group.crypto"] = False  # the user folds the group
    at.run().run()  # (the run in which it folds still draws its fields once)
    assert not at.exception and not _errors(at)
    assert "sim.p.regimes.steady.alt_beta_scale" not in {w.key for w in at.sidebar.number_input}
    assert _cards(at) == edited and _params(at)["ov"] == ov  # still simulated with the edit
    _open_groups(at, "crypto")
    assert at.number_input(key="sim.p.regimes.steady.alt_beta_scale").value == pytest.approx(1.6)
    assert _cards(at) == edited


def test_invalid_edit_shows_the_error_and_keeps_the_previous_run() -> None:
    at = _open_groups(_open(), "selectivity", "tails")
    at.number_input(key="sim.p.selectivity").set_value(80.0).run()
    good = _cards(at)
    at.number_input(key="sim.p.regimes.steady.df").set_value(2.0).run()  # df must be > 2
    assert not at.exception
    errors = _errors(at)
    assert any("regimes[0].df" in e and "2.0" in e and "must be > 2" in e for e in errors), errors
    assert _cards(at) == good
    assert decode_overrides(_params(at)["ov"]) == {"selectivity": 0.8}


def test_invalid_import_shows_file_field_and_value_and_keeps_the_run() -> None:
    at = _open_groups(_open(), "file")
    before = _cards(at)
    bad = b'name = "Broken"\nhorizon_days = 63\n[[regimes]]\nname = "calm"\ndf = 1.5\n'
    at.file_uploader(key="sim.upload").set_value(("broken.toml", bad, "application/toml")).run()
    assert not at.exception
    errors = _errors(at)
    assert any("broken.toml" in e and "regimes[0].df" in e and "1.5" in e for e in errors), errors
    assert _cards(at) == before
    assert _params(at)["scenario"] == "controlled_rally"
    # pasted text goes through the same validation
    at.text_area(key="sim.paste").input("name = [unclosed").run()
    at.button(key="sim.paste_load").click().run()
    assert any("<pasted text>" in e and "not valid TOML" in e for e in _errors(at))
    assert _cards(at) == before


def test_import_of_an_exported_scenario_reproduces_the_run_and_travels_in_the_link() -> None:
    at = _open_groups(_open(), "crypto", "file")
    at.number_input(key="sim.p.regimes.steady.alt_beta_scale").set_value(1.6).run()
    edited = _cards(at)
    base = load_scenario(REPO / "scenarios" / "controlled_rally.toml")
    exported = with_overrides(base, {"regimes.steady.alt_beta_scale": 1.6})
    from core.scenario import scenario_to_toml

    at.file_uploader(key="sim.upload").set_value(
        ("rally_edit.toml", scenario_to_toml(exported).encode(), "application/toml")
    ).run()
    assert not at.exception and not _errors(at)
    assert any("Imported" in s.value for s in at.success)
    params = _params(at)
    assert params["scenario"] == "imported" and "ov" not in params
    assert scenario_from_dict(tomllib.loads(decode_scenario_blob(params["doc"]))) == exported
    assert _cards(at) == edited  # same scenario, same seed: same numbers
    fresh = _open(params)
    assert not _errors(fresh)
    assert _cards(fresh) == edited


def test_url_parameters_round_trip() -> None:
    at = _open()
    at.selectbox(key="sim.scenario").set_value("speculative_frenzy").run()
    _open_groups(at, "selectivity", "crypto", "transitions")
    at.number_input(key="sim.p.selectivity").set_value(60.0).run()
    at.selectbox(key="sim.pick.crypto").set_value("crash").run()
    at.number_input(key="sim.p.regimes.crash.alt_beta_scale").set_value(2.5).run()
    at.toggle(key="sim.o.regimes.crash.btc_beta").set_value(True).run()
    at.number_input(key="sim.p.transition.0.1").set_value(5.0).run()
    at.number_input(key="sim.seed").set_value(123).run()
    at.number_input(key="sim.horizon").set_value(42).run()
    at.segmented_control(key="sim.engine").set_value("bootstrap").run()
    at.selectbox(key="sim_asset").set_value("SOL-USD").run()
    assert not at.exception and not _errors(at)
    cards = _cards(at)
    params = _params(at)
    assert params["scenario"] == "speculative_frenzy" and params["seed"] == "123"
    assert params["engine"] == "bootstrap" and params["horizon"] == "42" and params["asset"] == "SOL-USD"
    ov = decode_overrides(params["ov"])
    assert ov["selectivity"] == 0.6 and ov["regimes.crash.alt_beta_scale"] == 2.5
    assert ov["transition.euphoria"] == pytest.approx([0.95, 0.05, 0.0])
    assert "regimes.crash.btc_beta" in ov  # toggled on: the calibrated value, now fixed

    link = at.code[0].value  # the "Share this run" link carries the same parameters
    assert dict(parse_qsl(urlsplit(link).query)) == params

    fresh = _open(params)
    assert not _errors(fresh)
    assert _cards(fresh) == cards
    _open_groups(fresh, "selectivity")  # the field shows the linked value once its group is opened
    assert fresh.number_input(key="sim.p.selectivity").value == pytest.approx(60.0)
    assert fresh.selectbox(key="sim_asset").value == "SOL-USD"
    assert _params(fresh)["ov"] == params["ov"]


def test_bad_link_parameters_are_reported_and_ignored() -> None:
    at = _open({"paths": "2000", "ov": '{"regimes.nope.df": 4}', "engine": "quantum", "scenario": "missing"})
    warnings = " ".join(w.value for w in at.warning)
    assert "engine" in warnings and "regimes.nope.df" in warnings and "missing" in warnings
    assert _params(at)["scenario"] == "controlled_rally" and "ov" not in _params(at)


def test_settings_survive_a_visit_to_another_page() -> None:
    at = _open()
    at.selectbox(key="sim.scenario").set_value("russell_reversal").run()
    at.number_input(key="sim.p.russell.phases.1.total_return").set_value(-25.0).run()
    at.number_input(key="sim.seed").set_value(99).run()
    cards = _cards(at)
    at.switch_page("ui/pages/market.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception and not _errors(at)
    assert _cards(at) == cards
    assert at.number_input(key="sim.p.russell.phases.1.total_return").value == pytest.approx(-25.0)
    assert at.number_input(key="sim.seed").value == 99
    assert at.selectbox(key="sim.scenario").value == "russell_reversal"


def test_too_large_a_run_is_refused_with_the_limit() -> None:
    at = _open()
    before = _cards(at)
    at.number_input(key="sim.paths").set_value(4_000_000).run()
    assert not at.exception
    assert any("paths = 4,000,000 is above the limit of 200,000" in e for e in _errors(at)), _errors(at)
    assert _cards(at) == before
    assert _params(at)["paths"] == "2000"


def test_bad_targets_explain_themselves() -> None:
    at = _tab(_open(), "Probabilities")
    at.text_input(key="sim_targets").input("-50%, lots, 2x").run()
    assert any("'lots' is not a target" in e for e in _errors(at))
    at.text_input(key="sim_targets").input("2x, 5x").run()
    assert not _errors(at)
    assert list(at.dataframe[0].value.columns) == ["+100%", "+400%"]
    assert _params(at)["targets"] == "2x, 5x"


def test_sensitivity_sweep_runs() -> None:
    at = _tab(_open(), "Sensitivity")
    at.selectbox(key="sim_sens_paths").set_value(2_000).run()
    at.slider(key="sim_sens_points").set_value(3).run()
    assert not at.exception and not _errors(at)
    assert _charts(at) == 1
    table = at.dataframe[0].value
    assert len(table) == 3 and any("Median return" in c for c in table.columns)
    at.selectbox(key="sim_sens_param").set_value("alt_beta_scale").run()
    assert not at.exception and not _errors(at)
    assert _charts(at) == 1
    # a grid the scenario rejects stops before running and names the value
    at.selectbox(key="sim_sens_param").set_value("df").run()
    at.number_input(key="sim_sens_lo.df").set_value(1.0).run()
    assert not at.exception
    assert any("df = 1.0 is out of range" in e and "must be > 2" in e for e in _errors(at)), _errors(at)


def test_sensitivity_points_match_the_simulator_and_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.run

    at = _tab(_open(), "Sensitivity")
    at.selectbox(key="sim_sens_paths").set_value(2_000).run()
    at.slider(key="sim_sens_points").set_value(3).run()
    at.selectbox(key="sim_sens_param").set_value("selectivity").run()
    table = at.dataframe[0].value
    # the default grid in display units (percent); every point goes through the app's run store
    assert list(table.index) == pytest.approx([0.0, 75.0, 150.0])
    calls: list[int] = []
    real = core.run.simulate
    monkeypatch.setattr(core.run, "simulate", lambda *a, **k: calls.append(1) or real(*a, **k))
    at.run()
    assert not at.exception and not _errors(at)
    assert calls == []  # revisiting the sweep recomputes nothing
    assert at.dataframe[0].value.equals(table)


def test_page_without_btc_explains_instead_of_failing() -> None:
    at = _open()
    at.multiselect(key="crypto_demo").set_value(["ETH-USD", "SOL-USD"]).run()
    assert not at.exception
    assert any("BTC" in e for e in _errors(at))


def test_large_run_shows_progress_and_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    # above PROGRESS_CELLS (20,000 x 252 x 10): a progress bar while the engine runs, then a stored run
    import streamlit

    import core.run

    engine_calls: list[bool] = []
    bars: list[str] = []
    real_simulate, real_progress = core.run.simulate, streamlit.progress

    def counting_simulate(*args, **kwargs):
        engine_calls.append(kwargs.get("progress") is not None)
        return real_simulate(*args, **kwargs)

    def recording_progress(value, text=None, **kwargs):
        bars.append(str(text))
        return real_progress(value, text=text, **kwargs)

    monkeypatch.setattr(core.run, "simulate", counting_simulate)
    monkeypatch.setattr(streamlit, "progress", recording_progress)
    at = _open({"paths": "101000", "seed": "424242"})  # a seed no other test uses: not in the run store yet
    assert not _errors(at)
    assert engine_calls == [True]  # one engine run, reporting its progress
    assert any("Simulating 101,000 paths" in b for b in bars), bars
    cards = _cards(at)
    bars.clear()
    at.run()
    assert not at.exception
    assert engine_calls == [True]  # the identical rerun is served from the store: the engine is not called
    assert bars == []  # and no progress bar is drawn for it
    assert _cards(at) == cards


def test_switching_the_russell_path_to_phases_starts_from_the_target() -> None:
    at = _open()
    before = _cards(at)
    at.selectbox(key="sim.p.russell.mode").set_value("phases").run()
    assert not at.exception and not _errors(at)
    ov = decode_overrides(_params(at)["ov"])
    assert ov == {"russell.mode": "phases", "russell.phases": [{"days": 63, "total_return": 0.07}]}
    # one phase of 63 days at +7% is the same drift as the +7% target: same paths, same numbers
    assert _cards(at) == before
    at.number_input(key="sim.p.russell.n_phases").set_value(2).run()
    at.number_input(key="sim.p.russell.phases.1.total_return").set_value(-20.0).run()
    assert not _errors(at)
    assert decode_overrides(_params(at)["ov"])["russell.phases"] == [
        {"days": 63, "total_return": 0.07}, {"days": 21, "total_return": -0.2}]


def test_the_other_engine_runs_beside_this_one_on_request() -> None:
    at = _open()
    assert any("which to read when they disagree" in e.label for e in at.expander)
    assert not any("never a day worse" in m.value for m in at.markdown)  # drawn only once opened
    at.session_state["sim_engines"] = True
    at.run()
    assert any("never a day worse" in m.value for m in at.markdown)  # what the bootstrap assumes
    at.toggle(key="sim_both_engines").set_value(True).run()
    assert not at.exception and not _errors(at)
    table = next(f.value for f in at.dataframe if "bootstrap − parametric" in f.value.columns)
    assert {"parametric", "bootstrap"} <= set(table.columns)
    assert "Altcoin basket: Median return" in table.index and "Altcoin basket: P(basket beats BTC)" in table.index
    assert all("±" in v for v in table["bootstrap"]) and all(" pp" in v for v in table["bootstrap − parametric"])
    assert _cards(at)["Median return"] == table.loc["Altcoin basket: Median return", "parametric"].split(" ±")[0]


def test_a_value_committed_by_the_click_that_folds_its_group_is_applied() -> None:
    # In the browser, typing a value and clicking the group's header blurs the field (which
    # commits the value) and folds the group in one rerun: the value must still be applied.
    at = _open_groups(_open(), "crypto")
    before = _cards(at)
    at.number_input(key="sim.p.regimes.steady.alt_beta_scale").set_value(1.6)
    at.session_state["sim.group.crypto"] = False  # same rerun as the commit
    at.run()
    assert not at.exception and not _errors(at)
    assert decode_overrides(_params(at)["ov"]) == {"regimes.steady.alt_beta_scale": 1.6}
    assert _cards(at) != before
    at.run()  # the next rerun no longer draws the folded group's fields, and keeps the edit
    assert "sim.p.regimes.steady.alt_beta_scale" not in {w.key for w in at.sidebar.number_input}
    assert decode_overrides(_params(at)["ov"]) == {"regimes.steady.alt_beta_scale": 1.6}


def test_a_failed_run_shows_its_message_without_an_empty_headline_above_it(monkeypatch) -> None:
    """No asset picker over empty card places: the message names the failure; the next run recovers."""
    import ui.simulation
    from core.errors import ExplorerError

    at = _open()

    def overflow(*args, **kwargs):
        raise ExplorerError("terminal_returns of SOL-USD overflowed (test)")

    monkeypatch.setattr(ui.simulation, "run_scenario", overflow)
    at.number_input(key="sim.seed").set_value(4321).run()  # a new seed: not a kept run
    assert not at.exception, at.exception
    assert any("Simulation failed" in e and "SOL-USD overflowed" in e for e in _errors(at))
    assert not at.metric and "sim_asset" not in {w.key for w in at.selectbox}
    monkeypatch.undo()
    at.number_input(key="sim.seed").set_value(4322).run()
    assert not _errors(at) and len(at.metric) == 6 and "sim_asset" in {w.key for w in at.selectbox}


def test_when_only_the_unedited_run_fails_the_cards_show_without_deltas(monkeypatch) -> None:
    """The deltas' baseline is a second run; if it fails the edited run still shows, without deltas."""
    import core.run
    import ui.simulation
    from core.errors import ExplorerError

    at = _open()
    at.number_input(key="sim.p.russell.target_return").set_value(30.0).run()
    calls = []

    def edited_only(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise ExplorerError("the unedited run overflowed (test)")
        return core.run.run_scenario(*args, **kwargs)

    monkeypatch.setattr(ui.simulation, "run_scenario", edited_only)
    at.number_input(key="sim.seed").set_value(9876).run()  # new seed: edited, then unedited, both computed
    assert not at.exception, at.exception
    assert len(calls) == 2 and not _errors(at)
    assert len(at.metric) == 6 and not any(m.delta for m in at.metric)
