"""Shared fixtures: the real market data folder and an offline demo app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Real daily prices shipped beside the repository (never copied into it).
MARKET_DIR = REPO.parent / "shared" / "data" / "market"


@pytest.fixture(scope="session")
def market_dir() -> Path:
    """Folder of real Yahoo/Binance-format CSVs from ``../shared/data/market``."""
    if not MARKET_DIR.is_dir():
        pytest.fail(f"real market data not found at {MARKET_DIR}; ../shared must sit beside the repo")
    return MARKET_DIR


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep every test offline and away from the user's cache."""
    monkeypatch.setenv("SCX_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    if "SCX_DATA_SOURCE" not in os.environ:
        monkeypatch.setenv("SCX_DATA_SOURCE", "demo")
