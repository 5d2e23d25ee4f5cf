"""Chart builders and table formatting of the Simulator (pure: no Streamlit); numbers come from core."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core.calibration import calibrate
from core.data import load_prices
from core.distributions import histogram_frame, percentile_markers
from core.metrics import exceedance_probabilities, target_probabilities
from core.montecarlo import BASKET, simulate
from core.returns import compute_returns
from core.scenario import SCENARIO_DIR, load_scenario
from core.tickers import DEFAULT_CRYPTO
from ui.charts.simulation import (
    MISSING,
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

ALTAIR_MAX_ROWS = 5000


def _rows(chart: alt.TopLevelMixin) -> list[int]:
    spec = chart.to_dict()
    return [len(v) for v in spec.get("datasets", {}).values()]


@pytest.fixture(scope="module")
def result():
    tickers = ["IWM", "SPY", *DEFAULT_CRYPTO]
    prices = load_prices(tickers, source="demo")
    returns = compute_returns(prices.closes[tickers], calendar=["IWM", "SPY"])
    model = calibrate(returns, russell="IWM", btc="BTC-USD", alts=list(DEFAULT_CRYPTO[1:]))
    scenario = load_scenario(SCENARIO_DIR / "speculative_frenzy.toml")
    return simulate(model, scenario, n_paths=20_000, rng=np.random.default_rng(3))





def test_distribution_chart_is_aggregated(result) -> None:
    samples = {a: result.terminal_returns[:, i] for i, a in enumerate(result.assets)}
    samples[BASKET] = result.basket_terminal_return
    for log_axis in (False, True):
        hist = histogram_frame(samples, log_axis=log_axis)
        marks = percentile_markers(samples, log_axis=log_axis)
        chart = make_distribution_chart(hist, marks, log_axis=log_axis)
        assert isinstance(chart, alt.LayerChart)
        rows = _rows(chart)
        assert sorted(rows) == sorted([len(hist), len(marks)])
        assert max(rows) <= ALTAIR_MAX_ROWS
    by_scenario = histogram_frame({"A": samples[BASKET], "B": samples["BTC-USD"]}, group="scenario")
    make_distribution_chart(by_scenario, group="scenario").to_dict()


def test_fan_chart_from_result_frames(result) -> None:
    fan = result.fan_frame()
    chart = make_fan_chart(fan[fan["asset"].isin([BASKET, "BTC-USD"])], log_axis=True)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 2 * len(result.fan_steps)
    assert {"day", "asset", "p05", "p25", "p50", "p75", "p95"} <= set(data[0])
    basket0 = [row for row in data if row["asset"] == BASKET and row["day"] == 0][0]
    assert basket0["p50"] == 0.0  # log1p(0)
    renamed = fan.rename(columns={"asset": "scenario"})
    make_fan_chart(renamed, group="scenario").to_dict()


def test_exceedance_chart_carries_the_frame() -> None:
    frame = exceedance_probabilities({"a": np.array([0.1, 0.5, 0.5, 0.9])}, [0.0, 0.5, 0.6, 1.0])
    chart = make_exceedance_chart(frame)
    assert _rows(chart) == [4]


def test_occupancy_and_sensitivity_charts() -> None:
    occ = pd.DataFrame({"regime": ["a", "b"] * 2, "source": ["simulated"] * 2 + ["stationary"] * 2,
                        "share": [0.7, 0.3, 0.6, 0.4]})
    assert _rows(make_occupancy_chart(occ)) == [4]
    sweep = pd.DataFrame({
        "value": [-30.0, 0.0, 30.0] * 4,
        "asset": (["basket"] * 3 + ["BTC"] * 3) * 2,
        "metric": ["Median return"] * 6 + ["P(return ≥ 2x)"] * 6,
        "estimate": np.linspace(-0.2, 0.3, 12), "se": np.full(12, 0.01),
    })
    chart = make_sensitivity_chart(sweep, x_title="Russell return (%)")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 12
    assert data[0]["lo"] == pytest.approx(data[0]["estimate"] - 1.959963984540054 * 0.01)
    marked = make_sensitivity_chart(sweep, current=7.0).to_dict()
    rules = [layer for layer in marked["spec"]["layer"] if layer["mark"].get("type") == "rule"]
    assert rules and rules[0]["encoding"]["x"]["datum"] == 7.0



def test_probability_table_formats() -> None:
    x = np.array([-0.6, -0.1, 0.0, 0.3, 1.5])
    table = target_probabilities({"A": x}, [-0.5, 0.0, 1.0])
    wide = format_probability_table(table)
    assert list(wide.columns) == ["-50%", "0%", "+100%"]  # targets across, in order
    assert wide.loc["A", "0%"] == "60.0% ± 21.9 pp"
    assert list(format_probability_table(target_probabilities({"B": x, "A": x}, [0.05]), ["A", "B"]).index) == [
        "A", "B"]
    assert format_probability_table(target_probabilities({"A": x}, [0.055])).columns[0] == "+5.5%"


@pytest.mark.parametrize(
    ("value", "pct", "pp", "num"),
    [
        (0.1234, "+12.3%", "+12.3 pp", "0.12"),
        (-0.00004, "0.0%", "0.0 pp", "0.00"),  # rounds to zero: never "-0.0"
        (-0.0, "0.0%", "0.0 pp", "0.00"),
        (-0.25, "-25.0%", "-25.0 pp", "-0.25"),
        (math.nan, "–", "–", "–"),
        (None, "–", "–", "–"),
        (math.inf, "∞", "∞", "∞"),
    ],
)
def test_formatters_never_show_negative_zero(value, pct, pp, num) -> None:
    assert format_pct(value) == pct
    assert format_pp(value) == pp
    assert format_number(value) == num
    assert format_pct(0.5, 0, signed=False) == "50%"
    assert format_number(-0.001, 2, signed=True) == "0.00" and format_number(0.5, 1, signed=True) == "+0.5"


def test_format_table_headers_and_missing_cells() -> None:
    table = pd.DataFrame({"p50": [0.1, -0.0001], "tail_df": [3.5, math.nan], "source": ["CSV", None]},
                         index=["BTC", "IWM"])
    out = format_table(table, {"p50": format_pct, "tail_df": lambda v: format_number(v, 1)},
                       {"p50": "Median", "tail_df": "Tail df"})
    assert list(out.columns) == ["Median", "Tail df", "source"]
    assert out.loc["IWM"].tolist() == ["0.0%", MISSING, MISSING]
    assert out.loc["BTC"].tolist() == ["+10.0%", "3.5", "CSV"]


def test_pages_and_charts_only_render() -> None:
    """Numbers live in core: no statistic or annualization is computed in the Simulator/Compare UI."""
    import inspect
    import re

    import ui.charts.simulation as charts
    from tests.conftest import REPO

    public = [n for n, f in inspect.getmembers(charts, inspect.isfunction)
              if f.__module__ == charts.__name__ and not n.startswith("_")]
    assert public and all(n.startswith(("make_", "format_")) for n in public), public
    pattern = re.compile(r"np\.(quantile|percentile|mean|std|sqrt|cov|corrcoef|var)\b|[*/] *252\b"
                         r"|\b252(\.0)? *[*/]|sqrt\(252|np\.median|np\.histogram")
    files = [REPO / "ui/pages/simulate.py", REPO / "ui/pages/compare.py", REPO / "ui/charts/simulation.py",
             REPO / "ui/charts/compare.py", *sorted((REPO / "ui/scenario_form").glob("*.py"))]
    hits = [f"{f.relative_to(REPO)}:{i}" for f in files
            for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []


def test_tooltips_never_show_negative_zero() -> None:
    """d3's "+" format keeps the sign of a negative value that rounds to zero: tooltips are text from Python."""
    from ui.charts.compare import make_median_paths_chart
    from ui.charts.simulation import make_sensitivity_chart

    fan = pd.DataFrame({"scenario": ["A", "A"], "day": [0, 1], "p25": [-0.2, -0.3], "p50": [0.0, -0.00004],
                        "p75": [0.1, 0.2]})
    rows = next(iter(make_median_paths_chart(fan, ["A"]).to_dict()["datasets"].values()))
    assert [r["p50_text"] for r in rows] == ["0.0%", "0.0%"] and rows[1]["p25_text"] == "-30.0%"
    sweep = pd.DataFrame({"value": [1.0, 2.0], "asset": ["x", "x"], "metric": ["m", "m"],
                          "estimate": [-0.0004, 0.25], "se": [0.01, 0.01]})
    rows = next(iter(make_sensitivity_chart(sweep).to_dict()["datasets"].values()))
    assert [r["estimate_text"] for r in rows] == ["0.0%", "+25.0%"]
