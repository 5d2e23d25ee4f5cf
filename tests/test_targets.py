"""Return targets typed by a user, read into decimals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ExplorerError
from core.targets import DEFAULT_TARGETS, MAX_TARGET_TEXT, TargetError, parse_targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-50%, 0, +20%, +100%, +400%", (-0.5, 0.0, 0.2, 1.0, 4.0)),
        ("20", (0.2,)),
        ("2x; 5X, 0.5x", (-0.5, 1.0, 4.0)),
        (" +20 % , 20%,−10", (-0.1, 0.2)),
        (".5%, 150%", (0.005, 1.5)),
    ],
)
def test_targets_parse(text: str, expected: tuple[float, ...]) -> None:
    assert parse_targets(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one target"),
        (" , ;", "at least one target"),
        ("20%, lots", "'lots' is not a target"),
        ("-100%", "cannot be -100% or lower"),
        ("-150", "cannot be -100% or lower"),
        ("0x", "above 0x"),
        ("1e3", "'1e3' is not a target"),
        (",".join(str(i) for i in range(25)), "at most 20"),
    ],
)
def test_bad_targets_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        parse_targets(text)


@given(st.lists(st.floats(-99.0, 10_000.0, allow_nan=False), min_size=1, max_size=10))
def test_targets_written_as_percent_read_back(values: list[float]) -> None:
    text = ", ".join(f"{v:+.4f}%" for v in values)
    expected = sorted({float(f"{float(f'{v:.4f}') / 100:.12g}") for v in values})
    assert parse_targets(text) == pytest.approx(expected)


def test_default_targets_and_bounds() -> None:
    assert parse_targets(DEFAULT_TARGETS) == pytest.approx((-0.5, 0.0, 0.2, 1.0, 4.0))
    assert issubclass(TargetError, ExplorerError)
    with pytest.raises(TargetError, match="at most 1,000"):
        parse_targets("1," * MAX_TARGET_TEXT)
