"""Scenario parameters in the sidebar: widgets, session state, links, import and export.

The settings of the Simulator live in one non-widget session-state entry
(:class:`SimSettings`): the scenario, the overrides (a minimal dict of dotted field
paths, see :func:`core.scenario.with_overrides`), the number of paths, the horizon,
the seed and the engine. Widgets are re-seeded from it whenever Streamlit has
dropped their state (for example after a visit to another page), and an edit is
only accepted once the edited scenario validates; otherwise the error is shown and
the previous settings stay in effect.

Link format (query parameters; every value is plain text):

``scenario``
    File stem of a scenario in ``scenarios/`` (``controlled_rally``), or ``imported``.
``doc``
    With ``scenario=imported``: the scenario's TOML, zlib-compressed and base64url-encoded.
``ov``
    The overrides as compact JSON, e.g. ``{"regimes.steady.df":4.0,"selectivity":0.8}``;
    ``null`` restores the calibrated value of an optional field, ``Infinity`` is df = inf.
``paths``, ``horizon``, ``seed``, ``engine``
    Simulation size (paths, trading days), generator seed and engine.

The Simulator page adds ``asset`` (the headline asset, omitted for the altcoin
basket) and ``targets`` (the probability-table targets, omitted when default); the
shared sidebar adds the data selection (``src``, ``russell``, ``crypto``, ...).
"""

from __future__ import annotations

import base64
import json
import math
import re
import tomllib
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.calibration import TRADING_DAYS, MarketModel
from core.montecarlo import ENGINES, russell_drift_path
from core.scenario import (
    FIELD_DOCS,
    MAX_HORIZON_DAYS,
    RUSSELL_MODES,
    Phase,
    Regime,
    Scenario,
    ScenarioError,
    list_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
    scenario_to_toml,
    with_overrides,
)
from ui.simulation import check_size
from ui.urlstate import seed_from_url, url_errors, write_to_url

#: Scenario key of a scenario imported from a file or pasted text.
IMPORTED = "imported"
#: Default simulation size and seed.
DEFAULT_PATHS = 20_000
DEFAULT_SEED = 7
DEFAULT_SCENARIO = "controlled_rally"
#: Widget bounds (the hard limit on run size is :func:`ui.simulation.check_size`).
MIN_PATHS, MAX_PATHS_INPUT = 100, 5_000_000
MAX_SEED = 2**32 - 1
#: Most phases editable in the sidebar.
MAX_PHASES = 8

_SETTINGS = "_sim_settings"
_IMPORTED = "_sim_imported"
_MESSAGES = "_sim_messages"
_URL_PREFIX = "_sim_url_"
#: Prefixes of the parameter widgets (value, override toggle, normal-shocks checkbox).
_P, _O, _N = "sim.p.", "sim.o.", "sim.n."
W_SCENARIO, W_PATHS, W_HORIZON, W_SEED, W_ENGINE = (
    "sim.scenario", "sim.paths", "sim.horizon", "sim.seed", "sim.engine",
)
W_UPLOAD, W_PASTE, W_PASTE_LOAD, W_RESET = "sim.upload", "sim.paste", "sim.paste_load", "sim.reset"


# --------------------------------------------------------------------------- field specs


@dataclass(frozen=True)
class FieldSpec:
    """How one scenario field is shown: label, display scale (100 = percent), step, bounds.

    Values in the scenario stay decimals; ``scale`` only changes what the widget shows.
    """

    doc_key: str
    label: str
    scale: float = 1.0
    step: float = 0.05
    fmt: str = "%.2f"
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False
    sweep: tuple[float, float] = (0.5, 2.0)

    @property
    def unit(self) -> str:
        """Suffix of displayed values."""
        return "%" if self.scale == 100.0 else ""

    def to_display(self, value: float) -> float:
        """Scenario value (decimal) -> widget value, rounded to kill float noise (7.000000000000001)."""
        return round(float(value) * self.scale, 10)

    def from_display(self, value: float) -> float:
        """Widget value -> scenario value (decimal), 12 significant digits."""
        return float(f"{float(value) / self.scale:.12g}")

    def help(self, extra: str = "") -> str:
        """Help text from :data:`core.scenario.FIELD_DOCS` (meaning, unit, default)."""
        doc = FIELD_DOCS[self.doc_key]
        shown = " Shown in percent; stored as a decimal." if self.scale == 100.0 else ""
        text = f"{doc.doc}\n\nUnit: {doc.unit}.{shown} Default: {doc.default}."
        return f"{text}\n\n{extra}" if extra else text

    def text(self, value: float | None) -> str:
        """Display text of a scenario value (``calibrated`` for None)."""
        if value is None:
            return "calibrated"
        if math.isinf(value):
            return "∞ (normal)"
        shown = self.to_display(value)
        return f"{shown:+.1f}%" if self.scale == 100.0 else f"{shown:.3g}"


_MULT = {"step": 0.05, "fmt": "%.2f"}
REGIME_FIELDS: dict[str, FieldSpec] = {
    "russell_drift_shift": FieldSpec("regimes[].russell_drift_shift", "Russell drift shift (%/yr)",
                                     100.0, 5.0, "%.1f", sweep=(-60.0, 30.0)),
    "russell_vol_scale": FieldSpec("regimes[].russell_vol_scale", "Russell vol ×", minimum=0.0, **_MULT),
    "btc_alpha": FieldSpec("regimes[].btc_alpha", "BTC alpha (%/yr)", 100.0, 5.0, "%.1f",
                           optional=True, sweep=(-100.0, 100.0)),
    "btc_beta": FieldSpec("regimes[].btc_beta", "BTC beta", optional=True, sweep=(0.0, 2.0), **_MULT),
    "btc_beta_scale": FieldSpec("regimes[].btc_beta_scale", "BTC beta ×", **_MULT),
    "btc_vol_scale": FieldSpec("regimes[].btc_vol_scale", "BTC residual vol ×", minimum=0.0, **_MULT),
    "alt_alpha": FieldSpec("regimes[].alt_alpha", "Altcoin alpha (%/yr)", 100.0, 5.0, "%.1f",
                           optional=True, sweep=(-100.0, 200.0)),
    "alt_beta": FieldSpec("regimes[].alt_beta", "Altcoin beta", optional=True, sweep=(0.0, 3.0), **_MULT),
    "alt_beta_scale": FieldSpec("regimes[].alt_beta_scale", "Altcoin beta ×", **_MULT),
    "alt_loading_scale": FieldSpec("regimes[].alt_loading_scale", "Altcoin loading on BTC ×", **_MULT),
    "alt_vol_scale": FieldSpec("regimes[].alt_vol_scale", "Altcoin residual vol ×", minimum=0.0, **_MULT),
    "downside_beta_scale": FieldSpec("regimes[].downside_beta_scale", "Downside beta ×", minimum=0.0,
                                     sweep=(1.0, 2.0), **_MULT),
    "jump_intensity": FieldSpec("regimes[].jump_intensity", "Jumps per year per token", 1.0, 0.5, "%.2f",
                                minimum=0.0, sweep=(0.0, 12.0)),
    "jump_mean": FieldSpec("regimes[].jump_mean", "Mean jump (log, %)", 100.0, 1.0, "%.1f",
                           sweep=(-20.0, 10.0)),
    "jump_vol": FieldSpec("regimes[].jump_vol", "Jump size std dev (%)", 100.0, 1.0, "%.1f",
                          minimum=0.0, sweep=(0.0, 15.0)),
    "df": FieldSpec("regimes[].df", "Crypto tail df", 1.0, 0.5, "%.2f", minimum=2.0,
                    optional=True, sweep=(3.0, 30.0)),
    "russell_df": FieldSpec("regimes[].russell_df", "Russell tail df", 1.0, 0.5, "%.2f", minimum=2.0,
                            optional=True, sweep=(3.0, 30.0)),
}
SELECTIVITY = FieldSpec("selectivity", "Selectivity (%/yr)", 100.0, 5.0, "%.1f", minimum=0.0,
                        sweep=(0.0, 150.0))
TARGET_RETURN = FieldSpec("russell.target_return", "Russell return over the horizon (%)", 100.0, 1.0,
                          "%.1f", minimum=-99.9, sweep=(-30.0, 30.0))
ANNUAL_VOL = FieldSpec("russell.annual_vol", "Russell volatility (%/yr)", 100.0, 1.0, "%.1f",
                       minimum=0.0, optional=True, sweep=(10.0, 40.0))
PHASE_RETURN = FieldSpec("russell.phases[].total_return", "Return (%)", 100.0, 1.0, "%.1f", minimum=-99.9)

#: Regime fields by sidebar group.
RUSSELL_REGIME_FIELDS = ("russell_drift_shift", "russell_vol_scale")
CRYPTO_FIELDS = (
    "btc_alpha", "btc_beta", "btc_beta_scale", "btc_vol_scale", "alt_alpha", "alt_beta",
    "alt_beta_scale", "alt_loading_scale", "alt_vol_scale", "downside_beta_scale",
)
TAIL_FIELDS = ("jump_intensity", "jump_mean", "jump_vol", "df", "russell_df")
_OPTIONAL_REGIME = {name for name, spec in REGIME_FIELDS.items() if spec.optional}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SimSettings:
    """Everything that defines a Simulator run (kept in session state, mirrored in the URL)."""

    scenario: str = DEFAULT_SCENARIO
    overrides: Mapping[str, Any] = field(default_factory=dict)
    n_paths: int = DEFAULT_PATHS
    horizon: int = 63
    seed: int = DEFAULT_SEED
    engine: str = "parametric"


@dataclass(frozen=True)
class ImportedScenario:
    """A scenario loaded from a file or pasted text, kept as canonical TOML."""

    source: str
    toml: str


@dataclass(frozen=True)
class FormState:
    """What the sidebar produced for this run."""

    settings: SimSettings
    base: Scenario
    scenario: Scenario
    errors: tuple[str, ...]

    @property
    def edited(self) -> bool:
        """True when any parameter differs from the scenario file (the horizon aside)."""
        return bool(self.settings.overrides)


# --------------------------------------------------------------------------- pure helpers


def regime_ref(scenario: Scenario, index: int) -> str:
    """Dotted-path reference of a regime: its name, or its index when the name would be ambiguous."""
    name = scenario.regimes[index].name
    if "." in name or name.lstrip("-").isdigit() or not name:
        return str(index)
    return name


def _same(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 relative (widget round trips must not count as edits)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        if math.isinf(a) or math.isinf(b):
            return a == b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def scenario_diff(base: Scenario, edited: Scenario) -> dict[str, Any]:
    """Minimal overrides that turn ``base`` into ``edited`` (``horizon_days`` left out).

    ``with_overrides(base, scenario_diff(base, edited))`` equals ``edited`` up to float
    noise below 1e-9 relative, with ``horizon_days`` taken from ``base``.
    """
    out: dict[str, Any] = {}
    a, b = scenario_to_dict(base), scenario_to_dict(edited)
    for key in ("name", "description", "rationale", "selectivity", "initial_regime"):
        if not _same(a[key], b[key]):
            out[key] = b[key]
    ra, rb = a["russell"], b["russell"]
    for key in ("mode", "target_return", "annual_vol"):
        if not _same(ra.get(key), rb.get(key)):
            out[f"russell.{key}"] = rb.get(key)
    if not _same(ra.get("phases", []), rb.get("phases", [])):
        out["russell.phases"] = rb.get("phases", [])
    if base.regime_names != edited.regime_names:
        out["regimes"] = b["regimes"]
        out["transition"] = b["transition"]
        return out
    for i, (ga, gb) in enumerate(zip(a["regimes"], b["regimes"], strict=True)):
        ref = regime_ref(base, i)
        for f in fields(Regime):
            if f.name != "name" and not _same(ga.get(f.name), gb.get(f.name)):
                out[f"regimes.{ref}.{f.name}"] = gb.get(f.name)
    changed = [n for n in base.regime_names if not _same(a["transition"][n], b["transition"][n])]
    if changed:
        if any("." in n for n in base.regime_names):
            out["transition"] = b["transition"]
        else:
            for n in changed:
                out[f"transition.{n}"] = b["transition"][n]
    return out


def apply_settings(base: Scenario, overrides: Mapping[str, Any], horizon: int) -> Scenario:
    """``base`` with the overrides and the horizon applied (raises :class:`ScenarioError`)."""
    ov = dict(overrides)
    if horizon != base.horizon_days:
        ov["horizon_days"] = horizon
    return with_overrides(base, ov) if ov else base


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def encode_overrides(overrides: Mapping[str, Any]) -> str:
    """Compact JSON of the overrides (sorted keys; ``Infinity`` for df = inf); ``""`` when empty."""
    if not overrides:
        return ""
    return json.dumps(_json_value(dict(overrides)), separators=(",", ":"), sort_keys=True)


def _reject_nan(token: str) -> float:
    if token == "NaN":
        raise ValueError("NaN is not a valid override value")
    return float(token)


_PATH_RE = re.compile(r"^[A-Za-z_][\w-]*(\.[^.\s][^.]*)*$")


def decode_overrides(text: str) -> dict[str, Any]:
    """Parse :func:`encode_overrides` output back into a dict of dotted paths.

    Raises
    ------
    ValueError
        Not JSON, not an object, a key that is not a dotted path, or NaN.
    """
    if not text:
        return {}
    try:
        data = json.loads(text, parse_constant=_reject_nan)
    except json.JSONDecodeError as exc:
        raise ValueError(f"overrides are not valid JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"overrides must be a JSON object of dotted paths, got {type(data).__name__}")
    for key in data:
        if not _PATH_RE.match(key):
            raise ValueError(f"override key {key!r} is not a dotted field path")
    return data


def encode_scenario_blob(toml_text: str) -> str:
    """Scenario TOML -> short URL-safe text (zlib + base64url, no padding)."""
    return base64.urlsafe_b64encode(zlib.compress(toml_text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decode_scenario_blob(blob: str) -> str:
    """Inverse of :func:`encode_scenario_blob` (raises ValueError on damaged text)."""
    try:
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        return zlib.decompress(raw).decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"the embedded scenario is damaged ({exc})") from exc


def parse_scenario_text(text: str | bytes, source: str) -> Scenario:
    """Validate scenario TOML text (an uploaded or pasted file) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming ``source``, the field and the bad value (or the TOML syntax error).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(source, "<file>", f"byte {exc.start}", "not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "<toml>", str(exc), "not valid TOML") from exc
    return scenario_from_dict(data, source)


# --------------------------------------------------------------------------- targets


class TargetError(ValueError):
    """Target text that cannot be read; the message names the bad piece."""


#: Default targets of the probability table.
DEFAULT_TARGETS = "-50%, 0, +20%, +100%, +400%"
MAX_TARGETS = 20
_TARGET_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|x|×)?$", re.IGNORECASE)


def parse_targets(text: str) -> tuple[float, ...]:
    """Read return targets such as ``"-50%, 0, +20%, 2x"`` into sorted, unique decimals.

    Numbers are percent (``20`` and ``20%`` are +20%); a trailing ``x`` is a multiple of
    the starting value (``2x`` = +100%, ``0.5x`` = -50%). Separators: commas or semicolons.

    Raises
    ------
    TargetError
        Empty text, an unreadable piece, a target at or below -100%, or too many targets.
    """
    pieces = [p.strip().replace("−", "-").replace(" ", "") for p in re.split(r"[,;]", text)]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise TargetError("type at least one target, e.g. -50%, 0, +20%, 2x")
    out = []
    for p in pieces:
        m = _TARGET_RE.match(p)
        if not m:
            raise TargetError(f"{p!r} is not a target: write a percent (20%, -50) or a multiple (2x)")
        number, unit = float(m.group(1)), (m.group(2) or "%").lower()
        if unit in ("x", "×"):
            if number <= 0:
                raise TargetError(f"{p!r}: a multiple must be above 0x")
            value = number - 1.0
        else:
            value = number / 100.0
        if value <= -1.0:
            raise TargetError(f"{p!r}: a return cannot be -100% or lower")
        out.append(float(f"{value:.12g}"))
    unique = tuple(sorted(set(out)))
    if len(unique) > MAX_TARGETS:
        raise TargetError(f"{len(unique)} targets; at most {MAX_TARGETS}")
    return unique


# --------------------------------------------------------------------------- model-derived values


def calibrated_reference(model: MarketModel) -> dict[str, float]:
    """Calibrated value of each optional field, in scenario units (annual drifts, decimals)."""
    return {
        "btc_alpha": TRADING_DAYS * model.btc_alpha,
        "btc_beta": model.btc_beta,
        "alt_alpha": TRADING_DAYS * float(model.alt_alpha.mean()),
        "alt_beta": float(model.alt_beta.mean()),
        "df": model.crypto_df,
        "russell_df": float(model.tail_df[model.russell]),
        "annual_vol": model.russell_vol_annual,
    }


def _calibration_note(name: str, model: MarketModel) -> str:
    if name in ("alt_alpha", "alt_beta"):
        return f"mean over {len(model.alts)} tokens; when not overridden each token keeps its own"
    if name == "df":
        return "pooled over BTC and the altcoins"
    return "from the loaded data"


def stationary_distribution(transition: Sequence[Sequence[float]]) -> np.ndarray:
    """Long-run share of days per regime: ``pi P = pi``, ``sum(pi) = 1`` (least squares).

    For a reducible chain (several closed classes) this is one of the stationary
    vectors; the occupancy over a finite horizon (:func:`expected_occupancy`) is exact.
    """
    p = np.asarray(transition, dtype=float)
    k = p.shape[0]
    a = np.vstack([p.T - np.eye(k), np.ones(k)])
    b = np.zeros(k + 1)
    b[-1] = 1.0
    pi, *_ = np.linalg.lstsq(a, b, rcond=None)
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def expected_occupancy(transition: Sequence[Sequence[float]], initial: int, horizon: int) -> np.ndarray:
    """Expected share of the ``horizon`` days spent in each regime, day 1 in ``initial``.

    ``mean_{t=0..H-1} e_initial P^t``: what the simulated occupancy estimates.
    """
    p = np.asarray(transition, dtype=float)
    dist = np.zeros(p.shape[0])
    dist[initial] = 1.0
    total = np.zeros_like(dist)
    for _ in range(horizon):
        total += dist
        dist = dist @ p
    return total / horizon


def effective_regime_table(model: MarketModel, scenario: Scenario, horizon: int) -> pd.DataFrame:
    """Per-regime parameters the engine uses (rows quantities, columns regimes).

    Annual drifts are ``252 x`` daily log drifts; vols are ``sqrt(252) x`` daily; altcoin
    rows are averages over the tokens (each token keeps its own calibrated value).
    """
    ann = math.sqrt(TRADING_DAYS)
    base_vol = model.russell_sigma * ann if scenario.russell.annual_vol is None else scenario.russell.annual_vol
    base_drift = float(np.mean(russell_drift_path(model, scenario, horizon))) * TRADING_DAYS
    pi = stationary_distribution(scenario.transition)
    cols = {}
    for i, r in enumerate(scenario.regimes):
        btc_beta = (model.btc_beta if r.btc_beta is None else r.btc_beta) * r.btc_beta_scale
        alt_beta = (float(model.alt_beta.mean()) if r.alt_beta is None else r.alt_beta) * r.alt_beta_scale
        stay = scenario.transition[i][i]
        cols[r.name] = {
            "Russell drift (log, /yr, horizon mean)": base_drift + r.russell_drift_shift,
            "Russell vol (/yr)": base_vol * r.russell_vol_scale,
            "Russell tail df": float(model.tail_df[model.russell]) if r.russell_df is None else r.russell_df,
            "BTC alpha (log, /yr)": TRADING_DAYS * model.btc_alpha if r.btc_alpha is None else r.btc_alpha,
            "BTC beta, up days": btc_beta,
            "BTC beta, down days": btc_beta * r.downside_beta_scale,
            "BTC residual vol (/yr)": model.btc_sigma * ann * r.btc_vol_scale,
            "Altcoin alpha (log, /yr, mean)": (TRADING_DAYS * float(model.alt_alpha.mean())
                                               if r.alt_alpha is None else r.alt_alpha),
            "Altcoin beta, up days (mean)": alt_beta,
            "Altcoin beta, down days (mean)": alt_beta * r.downside_beta_scale,
            "Altcoin loading on BTC residual (mean)": float(model.alt_loading.mean()) * r.alt_loading_scale,
            "Altcoin residual vol (/yr, mean)": float(model.alt_sigma.mean()) * ann * r.alt_vol_scale,
            "Crypto tail df": model.crypto_df if r.df is None else r.df,
            "Jumps per year per token": r.jump_intensity,
            "Mean jump (log)": r.jump_mean,
            "Jump std dev (log)": r.jump_vol,
            "Mean spell (days)": math.inf if stay >= 1.0 else 1.0 / (1.0 - stay),
            "Long-run share of days": float(pi[i]),
        }
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------- state


def _ss() -> Any:
    return st.session_state


def _catalog() -> dict[str, Path]:
    try:
        return list_scenarios()
    except ScenarioError:
        return {}


def _imported() -> ImportedScenario | None:
    return _ss().get(_IMPORTED)


def load_base(key: str) -> Scenario:
    """The unedited scenario behind ``key`` (a file stem or :data:`IMPORTED`)."""
    if key == IMPORTED:
        imp = _imported()
        if imp is None:
            raise ScenarioError("<session>", "scenario", key, "no scenario has been imported")
        return parse_scenario_text(imp.toml, imp.source)
    catalog = _catalog()
    if key not in catalog:
        raise ScenarioError("scenarios/", "scenario", key, f"unknown scenario (available: {', '.join(catalog)})")
    return load_scenario(catalog[key])


def _note(kind: str, text: str) -> None:
    _ss().setdefault(_MESSAGES, []).append((kind, text))


def _clear_param_widgets(*, sizes: bool = False) -> None:
    prefixes = (_P, _O, _N) + ((W_HORIZON,) if sizes else ())
    for key in [k for k in _ss().keys() if isinstance(k, str) and k.startswith(prefixes)]:
        del _ss()[key]


def get_settings() -> SimSettings:
    """Current settings (defaults on the first visit)."""
    settings = _ss().get(_SETTINGS)
    if settings is None:
        catalog = _catalog()
        key = DEFAULT_SCENARIO if DEFAULT_SCENARIO in catalog else next(iter(catalog), DEFAULT_SCENARIO)
        try:
            horizon = load_base(key).horizon_days
        except ScenarioError:
            horizon = 63
        settings = SimSettings(scenario=key, horizon=horizon)
        _ss()[_SETTINGS] = settings
    return settings


def _store(settings: SimSettings) -> None:
    _ss()[_SETTINGS] = settings


def _parse_int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo:,} and {hi:,}")
        return value

    return parse


def _parse_engine(text: str) -> str:
    if text not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
    return text


def seed_settings_from_url(view_keys: Mapping[str, str], n_assets: int) -> None:
    """On the page's first run in a session, take the settings from the link.

    ``view_keys`` maps further URL parameters (e.g. ``asset``) to the widget keys they seed.
    Bad values are reported (see :func:`pending_messages`) and the defaults kept.
    """
    fields_ = {
        "scenario": (_URL_PREFIX + "scenario", str),
        "doc": (_URL_PREFIX + "doc", str),
        "ov": (_URL_PREFIX + "ov", decode_overrides),
        "paths": (_URL_PREFIX + "paths", _parse_int(2, MAX_PATHS_INPUT)),
        "horizon": (_URL_PREFIX + "horizon", _parse_int(1, MAX_HORIZON_DAYS)),
        "seed": (_URL_PREFIX + "seed", _parse_int(0, MAX_SEED)),
        "engine": (_URL_PREFIX + "engine", _parse_engine),
    }
    fields_.update({param: (key, str) for param, key in view_keys.items()})
    seed_from_url(fields_, scope="simulate")
    for msg in url_errors():
        _note("warning", msg)
    got = {k[len(_URL_PREFIX):]: _ss().pop(k) for k in list(_ss().keys())
           if isinstance(k, str) and k.startswith(_URL_PREFIX)}
    if not got:
        return
    settings = get_settings()
    key = got.get("scenario", settings.scenario)
    if key == IMPORTED:
        if "doc" not in got:
            _note("warning", "link parameter scenario=imported ignored: the link carries no scenario (doc)")
            key = settings.scenario
        else:
            try:
                imported = parse_scenario_text(decode_scenario_blob(got["doc"]), "<link>")
                _ss()[_IMPORTED] = ImportedScenario("<link>", scenario_to_toml(imported))
            except ValueError as exc:
                _note("warning", f"link parameter doc ignored: {exc}")
                key = settings.scenario
    try:
        base = load_base(key)
    except ScenarioError as exc:
        _note("warning", f"link parameter scenario={key!r} ignored: {exc}")
        key, base = settings.scenario, load_base(settings.scenario)
    horizon = got.get("horizon", base.horizon_days)
    overrides = dict(got.get("ov", {}))
    if "horizon_days" in overrides and "horizon" not in got:
        horizon = overrides["horizon_days"]
    overrides.pop("horizon_days", None)
    try:
        edited = with_overrides(base, overrides)
        overrides = scenario_diff(base, edited)
    except ScenarioError as exc:
        _note("warning", f"link parameter ov ignored: {exc}")
        overrides = {}
    n_paths = got.get("paths", settings.n_paths)
    try:
        check_size(n_paths, horizon, n_assets)
    except ValueError as exc:
        _note("error", f"The link asks for a run that is too large: {exc}. Using the default size.")
        n_paths, horizon = DEFAULT_PATHS, base.horizon_days
    _store(SimSettings(scenario=key, overrides=overrides, n_paths=n_paths, horizon=int(horizon),
                       seed=got.get("seed", settings.seed), engine=got.get("engine", settings.engine)))
    _clear_param_widgets(sizes=True)
    for k in (W_SCENARIO, W_PATHS, W_SEED, W_ENGINE):
        _ss().pop(k, None)


def settings_to_url(settings: SimSettings) -> dict[str, str | None]:
    """URL parameters of ``settings`` (``None`` removes a parameter)."""
    imp = _imported()
    doc = encode_scenario_blob(imp.toml) if settings.scenario == IMPORTED and imp is not None else None
    return {
        "scenario": settings.scenario,
        "doc": doc,
        "ov": encode_overrides(settings.overrides) or None,
        "paths": str(settings.n_paths),
        "horizon": str(settings.horizon),
        "seed": str(settings.seed),
        "engine": settings.engine,
    }


def pending_messages() -> list[tuple[str, str]]:
    """Messages left by callbacks and link parsing (``("error"|"warning"|"success", text)``); cleared."""
    return _ss().pop(_MESSAGES, [])


# --------------------------------------------------------------------------- callbacks


def _on_scenario_change() -> None:
    settings = get_settings()
    new = _ss().get(W_SCENARIO, settings.scenario)
    try:
        base = load_base(new)
    except ScenarioError as exc:
        _note("error", f"Cannot open that scenario: {exc}. Still showing {settings.scenario}.")
        _ss()[W_SCENARIO] = settings.scenario
        return
    _store(replace(settings, scenario=new, overrides={}, horizon=base.horizon_days))
    _clear_param_widgets(sizes=True)


def _on_reset() -> None:
    settings = get_settings()
    try:
        horizon = load_base(settings.scenario).horizon_days
    except ScenarioError:
        horizon = settings.horizon
    _store(replace(settings, overrides={}, horizon=horizon))
    _clear_param_widgets(sizes=True)


def _import(text: str | bytes, source: str) -> None:
    try:
        scenario = parse_scenario_text(text, source)
    except ScenarioError as exc:
        _note("error", f"Import failed, nothing changed: {exc}")
        return
    _ss()[_IMPORTED] = ImportedScenario(source, scenario_to_toml(scenario))
    _store(replace(get_settings(), scenario=IMPORTED, overrides={}, horizon=scenario.horizon_days))
    _ss()[W_SCENARIO] = IMPORTED
    _clear_param_widgets(sizes=True)
    _note("success", f"Imported “{scenario.name}” from {source}.")


def _on_upload() -> None:
    f = _ss().get(W_UPLOAD)
    if f is not None:
        _import(f.getvalue(), f.name)


def _on_paste() -> None:
    text = _ss().get(W_PASTE) or ""
    if not text.strip():
        _note("error", "Import failed, nothing changed: paste the TOML text of a scenario first.")
        return
    _import(text, "<pasted text>")


def _on_new_seed() -> None:
    seed = int(np.random.default_rng().integers(0, 1_000_000))
    _ss()[W_SEED] = seed
    _store(replace(get_settings(), seed=seed))


# --------------------------------------------------------------------------- widgets


def _seed(key: str, value: Any) -> None:
    if key not in _ss():
        _ss()[key] = value


def _number(box: Any, spec: FieldSpec, path: str, value: float, *, label: str | None = None,
            help_extra: str = "") -> float | None:
    """A number input for one field; returns the decimal value (None if the box was cleared)."""
    key = _P + path
    _seed(key, spec.to_display(value))
    shown = box.number_input(
        label or spec.label, min_value=spec.minimum, max_value=spec.maximum, step=spec.step,
        format=spec.fmt, key=key, help=spec.help(help_extra),
    )
    return None if shown is None else spec.from_display(shown)


def _optional(box: Any, spec: FieldSpec, path: str, value: float | None, calibrated: float,
              note: str) -> float | None:
    """Override toggle + number (+ a normal-shocks box for tail df). None = calibrated."""
    on_key = _O + path
    _seed(on_key, value is not None)
    on = box.toggle(f"Override: {spec.label}", key=on_key,
                    help=f"Off: the calibrated value {spec.text(calibrated)} ({note}).")
    if not on:
        box.caption(f"{spec.label}: calibrated {spec.text(calibrated)} ({note}).")
        return None
    is_df = spec.doc_key.endswith("df")
    if is_df:
        normal_key = _N + path
        _seed(normal_key, value is not None and math.isinf(value))
        if box.checkbox("Normal shocks (df = ∞)", key=normal_key, help="Gaussian shocks: no fat tails."):
            return math.inf
    start = calibrated if value is None or math.isinf(value) else value
    got = _number(box, spec, path, start, help_extra=f"Calibrated: {spec.text(calibrated)} ({note}).")
    return value if got is None else got


def _regime_picker(box: Any, scenario: Scenario, group: str) -> int:
    if len(scenario.regimes) == 1:
        return 0
    key = f"sim.pick.{group}"
    names = list(scenario.regime_names)
    if _ss().get(key) not in names:
        _ss().pop(key, None)
    picked = box.selectbox("Regime", names, key=key, persist_state="session",
                           help="These parameters apply while the Markov chain is in this regime.")
    return names.index(picked)


def _regime_fields(box: Any, scenario: Scenario, index: int, names: Sequence[str], model: MarketModel,
                   edits: dict[str, Any]) -> None:
    regime = scenario.regimes[index]
    ref = regime_ref(scenario, index)
    reference = calibrated_reference(model)
    for name in names:
        spec = REGIME_FIELDS[name]
        path = f"regimes.{ref}.{name}"
        value = getattr(regime, name)
        if spec.optional:
            got = _optional(box, spec, path, value, reference[name], _calibration_note(name, model))
        else:
            got = _number(box, spec, path, value)
        if got is not None or spec.optional:
            edits[path] = got


def _russell_group(scenario: Scenario, model: MarketModel, edits: dict[str, Any]) -> None:
    rp = scenario.russell
    key = _P + "russell.mode"
    _seed(key, rp.mode)
    mode = st.selectbox("Russell path", list(RUSSELL_MODES), key=key,
                        help=FieldSpec("russell.mode", "").help())
    edits["russell.mode"] = mode
    reference = calibrated_reference(model)
    if mode == "calibrated":
        st.caption(f"Calibrated drift {model.russell_mu_annual:+.1%}/yr (log) from the loaded data.")
    elif mode == "target":
        got = _number(st, TARGET_RETURN, "russell.target_return", rp.target_return,
                      help_extra="The median Russell path ends near this return after the horizon.")
        if got is not None:
            edits["russell.target_return"] = got
    else:
        _phases(scenario, model, edits)
    edits["russell.annual_vol"] = _optional(st, ANNUAL_VOL, "russell.annual_vol", rp.annual_vol,
                                            reference["annual_vol"], "from the loaded data")
    if len(scenario.regimes) > 1:
        st.markdown("**Per regime**")
    idx = _regime_picker(st, scenario, "russell")
    _regime_fields(st, scenario, idx, RUSSELL_REGIME_FIELDS, model, edits)


def _phases(scenario: Scenario, model: MarketModel, edits: dict[str, Any]) -> None:
    phases = scenario.russell.phases or (Phase(days=scenario.horizon_days,
                                               total_return=scenario.russell.target_return),)
    n_key = _P + "russell.n_phases"
    _seed(n_key, max(len(phases), 1))
    n = st.number_input("Number of phases", min_value=1, max_value=MAX_PHASES, step=1, key=n_key,
                        help=FieldSpec("russell.phases", "").help())
    rows = []
    for k in range(int(n)):
        c1, c2 = st.columns(2)
        days_key = _P + f"russell.phases.{k}.days"
        _seed(days_key, phases[k].days if k < len(phases) else 21)
        days = c1.number_input(f"Phase {k + 1} days", min_value=1, max_value=MAX_HORIZON_DAYS, step=1,
                               key=days_key, help=FieldSpec("russell.phases[].days", "").help())
        ret = _number(c2, PHASE_RETURN, f"russell.phases.{k}.total_return",
                      phases[k].total_return if k < len(phases) else 0.0, label=f"Phase {k + 1} return (%)")
        rows.append({"days": int(days), "total_return": 0.0 if ret is None else ret})
    edits["russell.phases"] = rows
    covered = sum(r["days"] for r in rows)
    st.caption(f"Phases cover {covered} trading days; after them the calibrated drift "
               f"({model.russell_mu_annual:+.1%}/yr) applies.")


def _transition_group(scenario: Scenario, edits: dict[str, Any]) -> None:
    names = scenario.regime_names
    key = _P + "initial_regime"
    _seed(key, scenario.initial_regime)
    edits["initial_regime"] = st.selectbox("Initial regime", list(names), key=key,
                                           help=FieldSpec("initial_regime", "").help())
    if len(names) == 1:
        st.caption("One regime: the chain never moves.")
        return
    st.caption("Daily probability of moving to another regime; the rest of each row is the chance of staying.")
    rows = {}
    for i, src in enumerate(names):
        row = list(scenario.transition[i])
        st.markdown(f"From **{src}**")
        new = [0.0] * len(names)
        for j, dst in enumerate(names):
            if j == i:
                continue
            wkey = _P + f"transition.{i}.{j}"
            _seed(wkey, round(row[j] * 100.0, 10))
            shown = st.number_input(
                f"→ {dst} (% per day)", min_value=0.0, max_value=100.0, step=0.1, format="%.3f", key=wkey,
                help=FieldSpec("transition", "").help(),
            )
            new[j] = row[j] if shown is None else float(f"{shown / 100.0:.12g}")
        new[i] = float(f"{1.0 - math.fsum(new):.12g}")
        stay = new[i]
        spell = "never leaves" if stay >= 1.0 else f"mean spell {1.0 / (1.0 - stay):.1f} days"
        st.caption(f"Stays in {src}: {stay:.3%} per day ({spell}).")
        rows[src] = new
    if any("." in n for n in names):
        edits["transition"] = rows
    else:
        for src, row in rows.items():
            edits[f"transition.{src}"] = row


def _sizes(settings: SimSettings, base: Scenario) -> tuple[int, int, int, str]:
    _seed(W_PATHS, settings.n_paths)
    _seed(W_HORIZON, settings.horizon)
    _seed(W_SEED, settings.seed)
    _seed(W_ENGINE, settings.engine)
    paths = st.number_input("Paths", min_value=MIN_PATHS, max_value=MAX_PATHS_INPUT, step=5_000, key=W_PATHS,
                            help="Monte Carlo paths. Standard errors shrink with 1/sqrt(paths): "
                                 "20,000 paths give about ±0.35 pp on a 50% probability.")
    horizon = st.number_input(
        "Horizon (trading days)", min_value=1, max_value=MAX_HORIZON_DAYS, step=21, key=W_HORIZON,
        help=f"Days simulated (63 = a quarter, 252 = a year). The scenario file says {base.horizon_days}; "
             "the Russell target return applies over this horizon.",
    )
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    seed = c1.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key=W_SEED,
                           help="Same seed, same paths: runs are reproducible, and edits are compared "
                                "on the same random numbers (common random numbers).")
    c2.button("New seed", key="sim.new_seed", on_click=_on_new_seed,
              help="Draw another seed to see how much the figures move from Monte Carlo noise alone.")
    engine = st.segmented_control(
        "Engine", list(ENGINES), key=W_ENGINE, required=True,
        help="parametric: Student-t shocks with the calibrated residual correlations. "
             "bootstrap: historical residual rows resampled in stationary blocks (real tails and clustering).",
    )
    return int(paths), int(horizon), int(seed), str(engine or settings.engine)


def _scenario_label(key: str) -> str:
    if key == IMPORTED:
        imp = _imported()
        try:
            return f"Imported: {load_base(IMPORTED).name}" if imp else "Imported"
        except ScenarioError:
            return "Imported"
    try:
        return load_base(key).name
    except ScenarioError:
        return f"{key} (invalid file)"


def render_scenario_form(model: MarketModel, n_assets: int, *, view_keys: Mapping[str, str]) -> FormState:
    """Draw the scenario controls in the sidebar and return the settings in effect.

    Parameters
    ----------
    model : MarketModel
        The calibrated model (its values are shown beside the "calibrated" options).
    n_assets : int
        Assets simulated (Russell, BTC, altcoins), for the run-size limit.
    view_keys : mapping
        Extra URL parameters -> widget keys the page seeds from a link.
    """
    if not _catalog() and _imported() is None:
        st.error("No scenario files found in scenarios/: add a .toml file there (see the shipped examples).")
        st.stop()
    seed_settings_from_url(view_keys, n_assets)
    settings = get_settings()
    errors: list[str] = []
    try:
        base = load_base(settings.scenario)
    except ScenarioError as exc:
        errors.append(f"{exc}. Falling back to the first scenario.")
        key = next(iter(_catalog()))
        settings = SimSettings(scenario=key, horizon=load_base(key).horizon_days)
        _store(settings)
        _clear_param_widgets(sizes=True)
        base = load_base(key)
    try:
        current = apply_settings(base, settings.overrides, settings.horizon)
    except ScenarioError as exc:
        errors.append(f"The stored edits no longer apply ({exc}); showing the scenario as written.")
        settings = replace(settings, overrides={}, horizon=base.horizon_days)
        _store(settings)
        current = base

    options = list(_catalog())
    if _imported() is not None:
        options.append(IMPORTED)
    if settings.scenario not in options:
        options.append(settings.scenario)
    if _ss().get(W_SCENARIO) not in options:
        _ss()[W_SCENARIO] = settings.scenario

    edits: dict[str, Any] = {}
    with st.sidebar:
        st.divider()
        st.subheader("Scenario")
        st.selectbox("Scenario", options, key=W_SCENARIO, format_func=_scenario_label,
                     on_change=_on_scenario_change, label_visibility="collapsed",
                     help="Every .toml file in scenarios/ (add a file to add a scenario), plus an imported one.")
        reset_slot = st.container()  # filled once this run's edits are known
        with st.expander("Russell path", expanded=True):
            _russell_group(current, model, edits)
        with st.expander("Crypto response"):
            idx = _regime_picker(st, current, "crypto")
            _regime_fields(st, current, idx, CRYPTO_FIELDS, model, edits)
        with st.expander("Regimes and transitions"):
            _transition_group(current, edits)
        with st.expander("Jumps and tails"):
            idx = _regime_picker(st, current, "tails")
            _regime_fields(st, current, idx, TAIL_FIELDS, model, edits)
        with st.expander("Selectivity"):
            got = _number(st, SELECTIVITY, "selectivity", current.selectivity)
            if got is not None:
                edits["selectivity"] = got
        with st.expander("Simulation size and seed", expanded=True):
            paths, horizon, seed, engine = _sizes(settings, base)
        with st.expander("Scenario file: import / export"):
            _import_export(current)

    # Apply the edits: only a scenario that validates replaces the settings in effect.
    draft = {**settings.overrides, **edits}
    try:
        edited = with_overrides(base, draft)
        overrides = scenario_diff(base, edited)
    except ScenarioError as exc:
        errors.append(f"Edit not applied: {exc}. Still showing the last valid settings.")
        overrides = dict(settings.overrides)
    try:
        check_size(paths, horizon, n_assets)
    except ValueError as exc:
        errors.append(f"Run refused: {exc}. Still showing {settings.n_paths:,} paths x {settings.horizon} days.")
        paths, horizon = settings.n_paths, settings.horizon
    settings = replace(settings, overrides=overrides, n_paths=paths, horizon=horizon, seed=seed, engine=engine)
    _store(settings)
    scenario = apply_settings(base, settings.overrides, settings.horizon)
    with reset_slot:
        st.button("Reset to the scenario's values", key=W_RESET, on_click=_on_reset, width="stretch",
                  icon=":material/restart_alt:",
                  disabled=not settings.overrides and settings.horizon == base.horizon_days)
        if settings.overrides:
            st.caption(f"{len(settings.overrides)} edited field(s): "
                       + ", ".join(f"`{k}`" for k in sorted(settings.overrides)))
    write_to_url(settings_to_url(settings))
    return FormState(settings=settings, base=base, scenario=scenario, errors=tuple(errors))


def _import_export(scenario: Scenario) -> None:
    st.download_button(
        "Export this scenario (TOML)", data=scenario_to_toml(scenario), file_name=f"{_slug(scenario.name)}.toml",
        mime="application/toml", key="sim.export_toml", on_click="ignore", icon=":material/download:",
        help="The scenario with every edit and the horizon applied; import it here or drop it into scenarios/.",
    )
    st.file_uploader("Import a scenario file", type=["toml"], key=W_UPLOAD, on_change=_on_upload,
                     help="A TOML scenario (same layout as the files in scenarios/). It is validated first; "
                          "an invalid file changes nothing.")
    st.text_area("…or paste TOML", key=W_PASTE, height=120, placeholder='name = "My scenario"\n...')
    st.button("Load pasted TOML", key=W_PASTE_LOAD, on_click=_on_paste)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return slug or "scenario"


def sweep_patch(scenario: Scenario, parameter: str, regime: str | None, value: float) -> dict[str, Any]:
    """Overrides that set one swept parameter to ``value`` (decimal).

    ``parameter`` is ``"russell.target_return"`` (switches the path to mode ``target``),
    ``"russell.annual_vol"``, ``"selectivity"`` or a regime field name; ``regime`` is a
    regime name, or None for every regime.
    """
    if parameter == "russell.target_return":
        return {"russell.mode": "target", "russell.target_return": value}
    if parameter in ("russell.annual_vol", "selectivity"):
        return {parameter: value}
    if parameter not in REGIME_FIELDS:
        raise ValueError(f"cannot sweep {parameter!r}")
    indices = range(len(scenario.regimes)) if regime is None else [scenario.regime_names.index(regime)]
    return {f"regimes.{regime_ref(scenario, i)}.{parameter}": value for i in indices}


#: Parameters offered by the sensitivity sweep: key -> spec.
SWEEPABLE: dict[str, FieldSpec] = {
    "russell.target_return": TARGET_RETURN,
    "russell.annual_vol": ANNUAL_VOL,
    "selectivity": SELECTIVITY,
    **REGIME_FIELDS,
}
