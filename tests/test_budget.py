"""The run budget is one rule for the app and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from core.budget import MAX_CELLS, MAX_HORIZON_DAYS, MAX_PATHS, BudgetError, check_run_size
from core.errors import ExplorerError


def test_within_budget_returns_cells() -> None:
    assert check_run_size(20_000, 63, 10) == 20_000 * 63 * 10


@pytest.mark.parametrize(
    ("paths", "horizon", "assets", "needle"),
    [
        (MAX_PATHS + 1, 10, 3, "paths"),
        (1000, MAX_HORIZON_DAYS + 1, 3, "horizon"),
        (0, 10, 3, "paths"),
        (10, 0, 3, "horizon"),
        (10, 10, 0, "assets"),
        (1.5, 10, 3, "paths"),
        (True, 10, 3, "paths"),
        (MAX_PATHS, MAX_HORIZON_DAYS, 10, f"{MAX_CELLS:,}"),
    ],
)
def test_out_of_budget_is_refused_with_the_numbers(paths, horizon, assets, needle) -> None:
    with pytest.raises(BudgetError, match=needle) as info:
        check_run_size(paths, horizon, assets)
    assert isinstance(info.value, ExplorerError)


def test_simulate_and_the_cli_enforce_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    from core.__main__ import main
    from core.montecarlo import simulate
    from core.scenario import resolve_scenario
    from tests.test_montecarlo import demo_model

    with pytest.raises(BudgetError, match="above the limit"):
        simulate(demo_model(), resolve_scenario("historical_base"), n_paths=MAX_PATHS + 1, horizon=5,
                 rng=np.random.default_rng(0))
    assert main(["simulate", "--source", "demo", "--scenario", "historical_base", "--horizon", "100000"]) == 2
    assert "horizon = 100,000 is above the limit of 2,520" in capsys.readouterr().err
    assert main(["simulate", "--source", "demo", "--scenario", "historical_base",
                 "--paths", "1000000000"]) == 2
    assert "paths = 1,000,000,000 is above the limit" in capsys.readouterr().err
