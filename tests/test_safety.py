"""Safe to share: no link, upload or scenario takes the app down, reads server files or spoofs its text.

AppTest drives the app through links as an attacker would (each case ends with a clear message,
the app running and the previous state kept); the CLI is driven in a subprocess.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.scenario import resolve_scenario, scenario_to_toml
from core.scenario_edits import encode_scenario_blob
from tests.conftest import REPO
from ui.common import escape_md

APP = str(REPO / "streamlit_app.py")
SIM = "ui/pages/simulate.py"
MARKET = "ui/pages/market.py"
FAST = {"paths": "2000"}


def _open(params: dict[str, str], page: str | None = SIM) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _shown(elements) -> list[str]:
    """Texts as the reader sees them (escaped markup characters shown as themselves)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _params(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


@pytest.fixture(scope="module")
def default_cards() -> dict[str, str]:
    return _cards(_open(FAST))


# --------------------------------------------------------------------------- resource bounds through links


@pytest.mark.parametrize(("ov", "named"), [
    ({"regimes.steady.jump_intensity": 20000}, ["jump_intensity", "<= 252"]),
    ({"regimes.steady.btc_vol_scale": 1e300}, ["btc_vol_scale", "<= 20"]),
    ({"regimes.steady.btc_alpha": 1e6}, ["btc_alpha", "<= 25"]),
    ({"regimes.steady.df": 1e9}, ["regimes[0].df", "<= 1000"]),
])
def test_link_with_out_of_bound_value_names_the_field_and_keeps_the_default_run(ov, named, default_cards) -> None:
    at = _open({**FAST, "ov": json.dumps(ov)})
    warnings = " ".join(_shown(at.warning))
    assert "link parameter ov ignored" in warnings
    assert all(n in warnings for n in named), warnings
    assert _cards(at) == default_cards  # the default scenario ran, nothing lost


def _many_regimes_blob(k: int) -> str:
    names = [f"r{i}" for i in range(k)]
    row = "[" + ", ".join([repr(1.0 / k)] * k) + "]"
    text = 'name = "many"\n' + "".join(f'[[regimes]]\nname = "{n}"\n' for n in names)
    text += "[transition]\n" + "".join(f"{n} = {row}\n" for n in names)
    return encode_scenario_blob(text)


def test_link_with_100_regimes_is_refused_quickly(default_cards) -> None:
    at = _open({**FAST, "scenario": "imported", "doc": _many_regimes_blob(100)})
    warnings = " ".join(_shown(at.warning))
    assert "link parameter doc ignored" in warnings and "too many regimes: at most 8" in warnings, warnings
    assert _cards(at) == default_cards


def test_link_with_30000_nested_brackets_is_a_message_not_a_crash(default_cards) -> None:
    at = _open({**FAST, "ov": "[" * 30_000})
    warnings = " ".join(_shown(at.warning))
    assert "link parameter ov" in warnings and "nest 30,000 levels" in warnings
    assert _cards(at) == default_cards


def test_link_asking_for_too_many_paths_keeps_the_default_size(default_cards) -> None:
    at = _open({"paths": "5000000", "seed": "7"})
    assert not at.exception
    assert any("paths" in w for w in _shown(at.warning) + _shown(at.error))


# --------------------------------------------------------------------------- markdown injection

VECTORS = [
    "[Session expired. Log in again](https://evil.example/login)",
    "![pixel](https://evil.example/p.png)",
    "<img src=https://evil.example/x.png onerror=alert(1)>",
    "<a href='https://evil.example'>Log in</a>",
    "<https://evil.example/autolink>",
    "Visit https://evil.example/now",
    "Visit www.evil.example",
    ":red[Urgent] :material/lock: **Session expired**",
    "$\\href{https://evil.example}{Log in}$",
]


def _live_markup(source: str) -> list[str]:
    """Markup that would be live in ``source``: what remains after removing escaped characters."""
    bare = re.sub(r"\\.", "", source)
    found = [c for c in "[]<>`*_$|~" if c in bare]
    found += re.findall(r"[a-z]+://|www\.|:[a-z]", bare)
    return found


def test_escape_md_leaves_no_live_markup_and_reads_the_same() -> None:
    for v in VECTORS:
        esc = escape_md(v)
        assert not _live_markup(esc), (v, esc)
        assert re.sub(r"\\(.)", r"\1", esc) == v  # shown as typed


@pytest.mark.parametrize("vector", VECTORS)
def test_scenario_name_and_description_from_a_link_render_as_text(vector: str) -> None:
    at = _open({**FAST, "ov": json.dumps({"name": vector, "description": vector})})
    heading = next(m.value for m in at.markdown if m.value.startswith("### "))
    assert heading.startswith("### " + escape_md(vector))
    assert not _live_markup(heading[4:].replace(" · edited", "")), heading
    description = [m.value for m in at.markdown if m.value == escape_md(vector)]
    assert description, "the description is shown, escaped"
    for text in [c.value for c in at.caption] + [m.value for m in at.markdown]:
        if "evil" in text:
            bare = re.sub(r"\\.", "", text)
            assert "](" not in bare and "<img" not in bare and "<a " not in bare and "://" not in bare, text


def test_link_tickers_and_dates_are_reported_as_text() -> None:
    at = _open({"crypto": "[x](https://evil.example)", "start": "<b>2020</b>"}, page=None)
    warnings = [w.value for w in at.warning if w.value.startswith("link parameter")]
    assert any("crypto=" in w for w in warnings) and any("start=" in w for w in warnings), warnings
    for w in warnings:
        assert not _live_markup(w), w


# --------------------------------------------------------------------------- CSV folders and allowed roots


@pytest.fixture
def secret_dir(tmp_path: Path) -> Path:
    d = tmp_path / "private"
    d.mkdir()
    (d / "creds.csv").write_text("user,password\nadmin,hunter2\n", encoding="utf-8")
    (d / "IWM.csv").write_text("date,close\n2024-01-02,1\n2024-01-03,2\n", encoding="utf-8")
    return d


def _all_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.info, *at.caption, *at.markdown)]
    return "\n".join(str(p) for p in parts)


def test_link_dir_outside_the_roots_is_ignored_and_nothing_of_it_is_shown(monkeypatch, market_dir, secret_dir) -> None:
    monkeypatch.setenv("SCX_DATA_ROOTS", str(market_dir))
    at = _open({"src": "csv", "dir": str(secret_dir)}, page=None)
    shown = " ".join(_shown(at.warning))
    assert "link parameter dir=" in shown and "outside the folders this app may read" in shown
    at.switch_page(MARKET).run()
    text = _all_text(at)
    assert "creds.csv" not in text and "password" not in text and "hunter2" not in text
    # the allowed root is used instead, and neither the page nor the link names its server path
    assert not any("Synthetic demo" in w.value for w in at.warning)
    assert str(market_dir) not in text
    assert _params(at)["dir"] == "."


def test_relative_dir_inside_a_root_works_and_the_link_stays_relative(monkeypatch, market_dir) -> None:
    monkeypatch.setenv("SCX_DATA_ROOTS", str(market_dir.parent))
    at = _open({"src": "csv", "dir": market_dir.name}, page=MARKET)
    assert not at.error and not any("Synthetic demo" in w.value for w in at.warning)
    assert _params(at)["dir"] == market_dir.name
    assert str(market_dir) not in _all_text(at)


def test_typed_folder_outside_the_roots_keeps_the_previous_data(monkeypatch, market_dir, secret_dir) -> None:
    monkeypatch.setenv("SCX_DATA_ROOTS", str(market_dir))
    at = _open({"src": "csv"}, page=MARKET)
    before = at.dataframe[0].value.copy()
    at.text_input(key="csv_dir").input(str(secret_dir)).run()
    assert not at.exception
    assert any("outside the folders" in e for e in _shown(at.error))
    assert "creds.csv" not in _all_text(at) and "password" not in _all_text(at)
    assert at.dataframe[0].value.equals(before)


def test_deployed_app_without_roots_has_no_folder_source(monkeypatch, secret_dir) -> None:
    monkeypatch.setenv("SCX_DEPLOYED", "1")
    monkeypatch.delenv("SCX_DATA_DIR", raising=False)
    monkeypatch.delenv("SCX_DATA_ROOTS", raising=False)
    at = _open({"src": "csv", "dir": str(secret_dir)}, page=MARKET)
    assert any("off on this deployment" in e for e in _shown(at.error))
    assert "creds.csv" not in _all_text(at) and "dir" not in _params(at)
    assert at.title[0].value == "Market"  # still running, on the demo
    assert any("Synthetic demo" in w.value for w in at.warning)


def test_csv_errors_do_not_echo_another_files_header(monkeypatch, tmp_path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "IWM.csv").write_text("user,password\nadmin,hunter2\n", encoding="utf-8")
    monkeypatch.setenv("SCX_DATA_ROOTS", str(root))
    at = _open({"src": "csv", "dir": "."}, page=MARKET)
    assert not at.exception
    assert "password" not in _all_text(at) and "hunter2" not in _all_text(at)


# --------------------------------------------------------------------------- caches


def _cache_decorators() -> list[tuple[str, ast.Call]]:
    out = []
    for path in sorted((REPO / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("cache_data", "cache_resource"):
                out.append((str(path.relative_to(REPO)), node))
    return out


def test_every_ui_cache_has_an_entry_cap_and_an_expiry() -> None:
    found = _cache_decorators()
    assert len(found) >= 5
    for where, call in found:
        kw = {k.arg for k in call.keywords}
        assert {"max_entries", "ttl"} <= kw, f"{where}:{call.lineno} needs max_entries and ttl"


def test_a_demo_fallback_is_kept_minutes_not_an_hour(monkeypatch) -> None:
    import ui.sidebar as sb
    from core.data import load_prices

    calls = []
    demo = load_prices(["IWM", "SPY", "BTC-USD"], source="demo")

    def fake(tickers, source, data_dir=None):
        calls.append(source)
        return demo  # "auto" answered with the demo: the network was down

    monkeypatch.setattr(sb, "load_prices", fake)
    sb._cached_live.clear()
    sb._fallback_store().clear()
    key = (("IWM", "SPY", "BTC-USD"), "auto", None)
    assert sb.cached_load(*key) is demo and sb.cached_load(*key) is demo
    assert calls == ["auto"]  # not retried on every rerun
    store = sb._fallback_store()
    assert store.ttl_seconds == sb.FALLBACK_TTL_SECONDS <= 300
    monkeypatch.setattr(store, "clock", lambda: 1e12)  # minutes later
    sb.cached_load(*key)
    assert calls == ["auto", "auto"]  # the source is tried again
    store.clear()


# --------------------------------------------------------------------------- CLI


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "SCX_CACHE_DIR": "/tmp/scx-safety-cache"})


def test_cli_refuses_a_scenario_file_with_jump_intensity_20000(tmp_path) -> None:
    text = scenario_to_toml(resolve_scenario("controlled_rally")).replace(
        "jump_intensity = 1.0", "jump_intensity = 20000.0", 1)
    assert "20000.0" in text
    path = tmp_path / "bomb.toml"
    path.write_text(text, encoding="utf-8")
    proc = _cli("simulate", "--scenario", str(path), "--source", "demo", "--paths", "1000", "--json")
    assert proc.returncode != 0
    assert "jump_intensity" in proc.stderr and "<= 252" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--paths", "1000000000", "above the limit"),
    ("--horizon", "100000", "above the limit of 2,520"),
])
def test_cli_refuses_oversized_runs_with_the_numbers(flag: str, value: str, words: str) -> None:
    proc = _cli("simulate", "--scenario", "controlled_rally", "--source", "demo", flag, value, "--json")
    assert proc.returncode != 0 and words in proc.stderr and "Traceback" not in proc.stderr


def test_roots_from_secrets(monkeypatch, market_dir, secret_dir) -> None:
    monkeypatch.delenv("SCX_DATA_DIR", raising=False)
    monkeypatch.delenv("SCX_DATA_ROOTS", raising=False)
    monkeypatch.setenv("SCX_DEPLOYED", "1")  # a deployment: only the secrets' root is readable
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["data_roots"] = [str(market_dir)]
    at.query_params.update({"src": "csv", "dir": "."})
    at.run()
    at.switch_page(MARKET).run()
    assert not at.exception and not at.error
    assert not any("Synthetic demo" in w.value for w in at.warning)
    at.text_input(key="csv_dir").input(str(secret_dir)).run()
    assert any("outside the folders" in e for e in _shown(at.error))
