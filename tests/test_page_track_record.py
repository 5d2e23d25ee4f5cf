"""AppTest of the Track record page on the offline demo (few origins, few paths: seconds)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

import ui.track_record
from core.validation import summary_table
from tests.conftest import REPO

APP = str(REPO / "streamlit_app.py")
PAGE = "ui/pages/track_record.py"


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _small(at: AppTest, seed_start: date = date(2020, 1, 2)) -> AppTest:
    at.date_input(key="tr_start").set_value(seed_start)
    at.number_input(key="tr_every").set_value(126)
    at.number_input(key="tr_horizon").set_value(21)
    at.select_slider(key="tr_paths").set_value(500)
    return at


def test_page_waits_for_the_run_button_and_names_the_scenario() -> None:
    at = _open()
    assert not at.error
    assert any("Run the track record" in i.value for i in at.info)
    assert any("Controlled rally" in c.value and "Simulator" in c.value for c in at.caption)
    assert any("Synthetic demo data" in w.value for w in at.warning)


def test_run_shows_progress_scores_and_charts_then_serves_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit

    calls: list[object] = []
    bars: list[str] = []
    real_walk, real_progress = ui.track_record.walk_forward, streamlit.progress

    def counting_walk(*args, **kwargs):
        result = real_walk(*args, **kwargs)
        calls.append(result)
        assert kwargs["progress"] is not None
        return result

    def recording_progress(value, text=None, **kwargs):
        bars.append(str(text))
        return real_progress(value, text=text, **kwargs)

    monkeypatch.setattr(ui.track_record, "walk_forward", counting_walk)
    monkeypatch.setattr(streamlit, "progress", recording_progress)
    at = _small(_open(), date(2020, 3, 2))  # a start no other test uses: not in the store yet
    at.button(key="tr_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(calls) == 1 and any("Walking forward" in b for b in bars)
    result = calls[0]
    shown = at.dataframe[0].value
    expected = summary_table(result)
    assert list(shown["Origins scored"]) == list(expected["n"])
    btc = expected.loc["BTC-USD"]
    assert shown.at["BTC-USD", "90% band"] == (
        f"{btc['coverage_90']:.0%} ({btc['coverage_90_lo']:.0%}–{btc['coverage_90_hi']:.0%})")
    assert len(at.get("vega_lite_chart")) >= 5  # PIT, coverage, reliability, Brier skill, fan
    assert any("origins from 2020-03-02" in c.value for c in at.caption)

    bars.clear()
    at.run()  # the same settings: served from the store, no new run, no progress bar
    assert not at.exception
    assert len(calls) == 1 and bars == []
    assert at.dataframe[0].value.equals(shown)


def test_a_start_without_realized_outcomes_names_what_is_missing() -> None:
    at = _small(_open(), date(2026, 10, 20))
    at.button(key="tr_run").click().run()
    assert not at.exception, at.exception
    assert any("no realized outcomes" in e.value for e in at.error)
    at.select_slider(key="tr_paths").set_value(1_000).run()  # the page keeps running
    assert not at.exception


def test_fitted_regimes_are_refitted_from_each_origins_past(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating the Simulator's fitted regimes must not reuse today's fit (that would look ahead)."""
    from core.fitted_scenario import FittedRegimesAtOrigins

    seen: list[object] = []
    real_walk = ui.track_record.walk_forward

    def spying_walk(*args, **kwargs):
        seen.append(kwargs["scenario"])
        return real_walk(*args, **kwargs)

    monkeypatch.setattr(ui.track_record, "walk_forward", spying_walk)
    from ui.scenario_form.settings import _SETTINGS, SimSettings

    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[_SETTINGS] = SimSettings(scenario="fitted_regimes", horizon=63)  # as the Simulator keeps it
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert any("Fitted regimes" in c.value for c in at.caption)
    _small(at, date(2025, 1, 2)).button(key="tr_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(seen) == 1 and isinstance(seen[0], FittedRegimesAtOrigins)
    anchors = sorted(seen[0]._fits)  # one fit per year-end before an origin's year
    assert anchors[0].date() == date(2024, 12, 31) and all(a.month == 12 for a in anchors)
