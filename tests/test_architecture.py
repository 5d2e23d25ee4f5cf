"""Layering rules: core/ never imports Streamlit; only core/data.py talks to yfinance."""

from __future__ import annotations

import ast

from tests.conftest import REPO


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_is_free_of_streamlit():
    files = sorted((REPO / "core").rglob("*.py"))
    assert files
    offenders = [str(p.relative_to(REPO)) for p in files if "streamlit" in _imports(p)]
    assert offenders == []


def test_only_the_data_module_imports_yfinance():
    files = sorted((REPO / "core").rglob("*.py")) + sorted((REPO / "ui").rglob("*.py"))
    users = [str(p.relative_to(REPO)) for p in files if "yfinance" in _imports(p)]
    assert users == ["core/data/__init__.py"]
