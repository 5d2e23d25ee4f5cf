"""Layering rules: core/ never imports Streamlit; only core/data/_yahoo.py talks to the network."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO

#: Modules that open connections (``urllib.parse`` is fine: it only builds strings).
NETWORK = {"yfinance", "socket", "requests", "curl_cffi", "http", "urllib.request", "urllib3"}


def _imports(path) -> set[str]:
    """Every absolute module a file imports, with its parents (``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        else:
            continue
        for m in modules:
            parts = m.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def _python_files() -> list:
    return sorted((REPO / "core").rglob("*.py")) + sorted((REPO / "ui").rglob("*.py")) + [REPO / "streamlit_app.py"]


def test_import_scanner_sees_lazy_and_dotted_imports(tmp_path):
    probe = tmp_path / "m.py"
    probe.write_text("def f():\n    import yfinance as yf\n\nfrom urllib.request import urlopen\nfrom . import x\n")
    assert _imports(probe) == {"yfinance", "urllib", "urllib.request"}


def test_core_is_free_of_streamlit():
    files = sorted((REPO / "core").rglob("*.py"))
    assert REPO / "core" / "data" / "_loader.py" in files
    offenders = [str(p.relative_to(REPO)) for p in files if "streamlit" in _imports(p)]
    assert offenders == []


def test_only_the_yahoo_module_talks_to_the_network():
    users = {str(p.relative_to(REPO)): sorted(_imports(p) & NETWORK) for p in _python_files()}
    assert {k: v for k, v in users.items() if v} == {"core/data/_yahoo.py": ["socket", "yfinance"]}


#: What computing a statistic looks like in source: inference libraries, numpy reducers,
#: pandas window/moment methods and annualization by a literal trading year.
STATISTICS = re.compile(
    r"np\.(quantile|percentile|mean|nanmean|std|nanstd|sqrt|cov|corrcoef|var|median|histogram)\b"
    r"|\.(rolling|ewm|expanding|corr|cov|std|var|quantile|pct_change|median|mean)\("
    r"|[*/] *252\b|\b252(\.0)? *[*/]"
)
INFERENCE = {"scipy", "statsmodels", "arch", "sklearn"}


def test_statistic_scanner_sees_reducers_and_annualization(tmp_path):
    hits = [line for line in ("x = np.quantile(a, .5)", "r.rolling(21).std()", "v * 252", "s.mean()",
                              "st.caption('252 sessions')", "np.log1p(x)") if STATISTICS.search(line)]
    assert hits == ["x = np.quantile(a, .5)", "r.rolling(21).std()", "v * 252", "s.mean()"]


def test_no_statistic_is_computed_under_ui():
    """Numbers live in core: ui/ formats and renders what core computed."""
    files = sorted((REPO / "ui").rglob("*.py")) + [REPO / "streamlit_app.py"]
    assert REPO / "ui" / "pages" / "simulate.py" in files
    imports = {str(p.relative_to(REPO)): sorted(_imports(p) & INFERENCE) for p in files}
    assert {k: v for k, v in imports.items() if v} == {}
    hits = [f"{p.relative_to(REPO)}:{i}: {line.strip()}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if STATISTICS.search(line.split("#")[0])]
    assert hits == []
