"""Scenario definitions: TOML files in ``scenarios/`` validated into frozen dataclasses.

A scenario reshapes the calibrated market model (see :mod:`core.calibration`) for
the Monte Carlo engine (:mod:`core.montecarlo`). Per trading day ``t`` and regime
``s_t`` (a Markov chain over the named regimes)::

    R_t   = mu_R(t, s) + sigma_R(s) * z_R                                 Russell 2000
    u_t   = sigma_B(s) * z_B
    B_t   = a_B(s) + d(s, R_t) * b_B(s) * R_t + u_t                       BTC
    A_i,t = a_i(s) + o_i + d(s, R_t) * b_i(s) * R_t + g_i(s) * u_t
            + sigma_i(s) * z_i + J_i,t                                    altcoin i

where ``d(s, R) = downside_beta_scale(s)`` when ``R < 0`` and 1 otherwise, ``o_i`` is
the per-path drift offset of token ``i`` (selectivity) and ``J`` are jumps. All
returns are daily log returns (decimals); "annual" quantities use 252 trading days.

File layout (every field is listed with unit and default in :data:`FIELD_DOCS`)::

    name = "Controlled rally"
    description = "..."
    rationale = "..."
    horizon_days = 63
    initial_regime = "calm"
    selectivity = 0.4

    [russell]
    mode = "target"            # "calibrated" | "target" | "phases"
    target_return = 0.10
    annual_vol = 0.18

    [[regimes]]
    name = "calm"
    alt_beta_scale = 1.0
    ...

    [transition]               # one row per regime: P(next regime | this regime), daily
    calm = [0.99, 0.01]
    correction = [0.10, 0.90]

Loading validates every field; a :class:`ScenarioError` names the file, the field
and the bad value. :func:`scenario_to_toml` writes a scenario back to TOML that
loads to an equal :class:`Scenario`, and :func:`with_overrides` makes a modified,
re-validated copy from dotted field paths (``"regimes.frenzy.df"``).
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core.budget import MAX_HORIZON_DAYS
from core.errors import ExplorerError

#: Folder of the shipped scenario files.
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
#: Trading days per year used to turn annual quantities into daily ones.
#: Russell path modes.
RUSSELL_MODES = ("calibrated", "target", "phases")
#: Tolerance for a transition row summing to one.
ROW_SUM_TOL = 1e-6
#: Longest horizon accepted (ten years of trading days).


class ScenarioError(ExplorerError):
    """Invalid scenario: the message names the file, the field and the bad value.

    Attributes
    ----------
    source : str
        File path (or ``"<overrides>"`` / ``"<dict>"``) the scenario came from.
    field : str
        Dotted field path, e.g. ``"regimes[1].alt_vol_scale"``.
    value : object
        The offending value (``None`` when the field is missing).
    """

    def __init__(self, source: str, field: str, value: Any, problem: str) -> None:
        self.source = source
        self.field = field
        self.value = value
        shown = "<missing>" if value is _MISSING else repr(value)
        super().__init__(f"{source}: field '{field}' = {shown}: {problem}")


_MISSING: Any = object()


@dataclass(frozen=True)
class FieldDoc:
    """Documentation of one scenario field: unit, default, meaning and accepted range."""

    unit: str
    default: Any
    doc: str
    bounds: str = ""


@dataclass(frozen=True)
class Bound:
    """Accepted range of a numeric scenario field (inclusive unless ``strict_lo``).

    The bounds are generous for real use (a 500%-a-year drift, twenty times the calibrated
    volatility, a jump a day) and close the door on values that would make one run take
    the server's memory or CPU, or overflow the simulated prices.
    """

    lo: float | None
    hi: float | None
    strict_lo: bool = False
    allow_inf: bool = False

    def text(self) -> str:
        """The range in words, e.g. ``"0 to 20"`` or ``"> 2 and <= 1000, or inf"``."""
        if self.lo is not None and self.hi is not None and not self.strict_lo:
            out = f"{self.lo:g} to {self.hi:g}"
        else:
            parts = [f"> {self.lo:g}" if self.strict_lo else f">= {self.lo:g}"] if self.lo is not None else []
            parts += [f"<= {self.hi:g}"] if self.hi is not None else []
            out = " and ".join(parts)
        return out + (", or inf" if self.allow_inf else "")


#: Most regimes in a scenario (the sidebar draws K x K transition inputs; the engine loops per regime).
MAX_REGIMES: int = 8
#: Most phases of a phased Russell path.
MAX_PHASES: int = 24
#: Longest scenario or regime name (characters).
MAX_NAME_CHARS: int = 120
#: Characters a regime name may hold besides letters and digits (names become widget labels,
#: tab titles and link paths, so no markup characters).
REGIME_NAME_PUNCTUATION: str = " _-.+/&'"
#: Longest description or rationale (characters).
MAX_TEXT_CHARS: int = 4000
#: Largest annual log drift, drift shift or alpha in absolute value. Regime drifts are annualized
#: rates held for short spells: a crash of -50% in two weeks is about -17 a year, so 25 (-9.5%
#: a day) leaves room; over a long horizon the overflow guard (core.finite) names the field.
MAX_ANNUAL_DRIFT: float = 25.0
#: Largest selectivity (annual std dev of the per-token drift offset).
MAX_SELECTIVITY: float = 5.0
#: Largest volatility, beta or loading multiplier, and largest |beta|.
MAX_SCALE: float = 20.0
#: Most altcoin jumps per year per token (252 = one a trading day on average).
MAX_JUMP_INTENSITY: float = 252.0
#: Largest |jump mean| and jump volatility (log return; -5 = -99.3%).
MAX_JUMP_SIZE: float = 5.0
#: Largest finite Student-t degrees of freedom (beyond it the shocks are normal; use inf).
MAX_DF: float = 1000.0
#: Largest Russell target or phase return (simple, decimal: +1000%).
MAX_TARGET_RETURN: float = 10.0
#: Largest base Russell annual volatility (decimal).
MAX_RUSSELL_VOL: float = 3.0

_DRIFT = Bound(-MAX_ANNUAL_DRIFT, MAX_ANNUAL_DRIFT)
_SCALE = Bound(0.0, MAX_SCALE)
_SIGNED_SCALE = Bound(-MAX_SCALE, MAX_SCALE)
_DF = Bound(2.0, MAX_DF, strict_lo=True, allow_inf=True)

#: Accepted range of every numeric field (``regimes[].x`` for each regime).
FIELD_BOUNDS: dict[str, Bound] = {
    "selectivity": Bound(0.0, MAX_SELECTIVITY),
    "russell.target_return": Bound(-1.0, MAX_TARGET_RETURN, strict_lo=True),
    "russell.annual_vol": Bound(0.0, MAX_RUSSELL_VOL),
    "russell.phases[].total_return": Bound(-1.0, MAX_TARGET_RETURN, strict_lo=True),
    "regimes[].russell_drift_shift": _DRIFT,
    "regimes[].russell_vol_scale": _SCALE,
    "regimes[].btc_alpha": _DRIFT,
    "regimes[].btc_beta": _SIGNED_SCALE,
    "regimes[].btc_beta_scale": _SIGNED_SCALE,
    "regimes[].btc_vol_scale": _SCALE,
    "regimes[].alt_alpha": _DRIFT,
    "regimes[].alt_beta": _SIGNED_SCALE,
    "regimes[].alt_beta_scale": _SIGNED_SCALE,
    "regimes[].alt_loading_scale": _SIGNED_SCALE,
    "regimes[].alt_vol_scale": _SCALE,
    "regimes[].downside_beta_scale": _SCALE,
    "regimes[].jump_intensity": Bound(0.0, MAX_JUMP_INTENSITY),
    "regimes[].jump_mean": Bound(-MAX_JUMP_SIZE, MAX_JUMP_SIZE),
    "regimes[].jump_vol": Bound(0.0, MAX_JUMP_SIZE),
    "regimes[].df": _DF,
    "regimes[].russell_df": _DF,
}


#: Every scenario field: dotted path -> unit, default (``"required"`` when it has none) and meaning.
#: ``regimes[].x`` is a field of each ``[[regimes]]`` table, ``russell.phases[].x`` of each phase.
FIELD_DOCS: dict[str, FieldDoc] = {
    "name": FieldDoc("text", "required", "Scenario name shown in the app."),
    "description": FieldDoc("text", "", "One-paragraph story of the scenario."),
    "rationale": FieldDoc("text", "", "Why the numbers are what they are."),
    "horizon_days": FieldDoc("trading days", 63, "Default simulation horizon (63 = one quarter)."),
    "initial_regime": FieldDoc("regime name", "first regime", "Regime of day 1 on every path."),
    "initial_probabilities": FieldDoc(
        "probabilities, one per regime in [[regimes]] order",
        "none (day 1 in initial_regime)",
        "Distribution of day 1's regime: each path draws it from these probabilities (e.g. "
        "today's fitted regime probabilities); when given, initial_regime is only a label.",
    ),
    "selectivity": FieldDoc(
        "annual log return (decimal)",
        0.0,
        "Cross-token drift dispersion: per path each altcoin draws a drift offset "
        "o_i ~ N(0, selectivity^2) per year, so a rally lifts some tokens and leaves others.",
    ),
    "russell.mode": FieldDoc(
        "one of calibrated|target|phases",
        "calibrated",
        "How the Russell drift is set: calibrated mean, a target over the horizon, or phases.",
    ),
    "russell.target_return": FieldDoc(
        "simple return over horizon_days (decimal)",
        0.0,
        "mode=target: drift log(1+target)/horizon_days per day, so the median Russell path "
        "ends near +target after horizon_days (before regime drift shifts).",
    ),
    "russell.annual_vol": FieldDoc(
        "annualized volatility (decimal)",
        "calibrated",
        "Base Russell volatility; omitted = calibrated. Regimes scale it.",
    ),
    "russell.phases": FieldDoc(
        "list of tables",
        "[]",
        "mode=phases: consecutive phases; after the last one the calibrated drift applies.",
    ),
    "russell.phases[].days": FieldDoc("trading days", "required", "Length of the phase (>= 1)."),
    "russell.phases[].total_return": FieldDoc(
        "simple return over the phase (decimal)",
        "required",
        "Median Russell return over the phase: drift log(1+total_return)/days per day.",
    ),
    "regimes": FieldDoc("list of tables", "required", "At least one regime; names unique."),
    "regimes[].name": FieldDoc("text", "required", "Regime name (e.g. calm, frenzy, crash)."),
    "regimes[].russell_drift_shift": FieldDoc(
        "annual log return (decimal)", 0.0, "Added to the Russell path drift while in this regime."
    ),
    "regimes[].russell_vol_scale": FieldDoc(
        "multiplier (>= 0)", 1.0, "Scales the base Russell volatility."
    ),
    "regimes[].btc_alpha": FieldDoc(
        "annual log return (decimal)",
        "calibrated",
        "BTC drift not explained by the Russell (a_B); omitted = calibrated intercept.",
    ),
    "regimes[].btc_beta": FieldDoc(
        "beta (dimensionless)", "calibrated", "BTC beta to the Russell; omitted = calibrated."
    ),
    "regimes[].btc_beta_scale": FieldDoc(
        "multiplier", 1.0, "Scales the BTC beta (calibrated or overridden)."
    ),
    "regimes[].btc_vol_scale": FieldDoc(
        "multiplier (>= 0)", 1.0, "Scales BTC's residual volatility sigma_B."
    ),
    "regimes[].alt_alpha": FieldDoc(
        "annual log return (decimal)",
        "calibrated",
        "Altcoin drift a_i, the same for every token; omitted = each token's calibrated intercept.",
    ),
    "regimes[].alt_beta": FieldDoc(
        "beta (dimensionless)",
        "calibrated",
        "Altcoin beta to the Russell, the same for every token; omitted = calibrated per token.",
    ),
    "regimes[].alt_beta_scale": FieldDoc(
        "multiplier", 1.0, "Scales the altcoin betas (calibrated or overridden)."
    ),
    "regimes[].alt_loading_scale": FieldDoc(
        "multiplier", 1.0, "Scales g_i, each altcoin's loading on the BTC residual u."
    ),
    "regimes[].alt_vol_scale": FieldDoc(
        "multiplier (>= 0)", 1.0, "Scales each altcoin's residual volatility sigma_i."
    ),
    "regimes[].downside_beta_scale": FieldDoc(
        "multiplier (>= 0)",
        1.0,
        "Extra factor on the BTC and altcoin betas on days the Russell falls (downside beta).",
    ),
    "regimes[].jump_intensity": FieldDoc(
        "jumps per year per token (>= 0)", 0.0,
        "Poisson arrival rate of altcoin jumps; at most 252 a year, i.e. one per token per "
        "trading day on average, which bounds the jumps a run draws by its path-days x tokens.",
    ),
    "regimes[].jump_mean": FieldDoc(
        "log return (decimal)", 0.0, "Mean jump size (negative = crash, positive = blow-off)."
    ),
    "regimes[].jump_vol": FieldDoc("log return (decimal, >= 0)", 0.0, "Std dev of the jump size."),
    "regimes[].df": FieldDoc(
        "degrees of freedom (> 2, inf = normal)",
        "calibrated",
        "Student-t tail heaviness of the BTC and altcoin shocks in this regime; omitted = "
        "the calibrated pooled crypto df.",
    ),
    "regimes[].russell_df": FieldDoc(
        "degrees of freedom (> 2, inf = normal)",
        "calibrated",
        "Student-t tail heaviness of the Russell shocks; omitted = the Russell's calibrated df.",
    ),
    "transition": FieldDoc(
        "daily probabilities",
        "[[1.0]] for one regime",
        "One row per regime name: probabilities of tomorrow's regime, in [[regimes]] order, "
        "each row summing to 1. Required with two or more regimes.",
    ),
}

_OTHER_BOUNDS: dict[str, str] = {
    "name": f"1 to {MAX_NAME_CHARS} characters",
    "description": f"at most {MAX_TEXT_CHARS} characters",
    "rationale": f"at most {MAX_TEXT_CHARS} characters",
    "horizon_days": f"1 to {MAX_HORIZON_DAYS}",
    "russell.phases": f"at most {MAX_PHASES} phases",
    "russell.phases[].days": f"1 to {MAX_HORIZON_DAYS}",
    "regimes": f"1 to {MAX_REGIMES} regimes",
    "regimes[].name": f"1 to {MAX_NAME_CHARS} letters, digits, spaces or {REGIME_NAME_PUNCTUATION.strip()}",
    "transition": "each probability 0 to 1",
    "initial_probabilities": "each 0 to 1, one per regime, summing to 1",
}
for _path, _doc in FIELD_DOCS.items():
    _text = FIELD_BOUNDS[_path].text() if _path in FIELD_BOUNDS else _OTHER_BOUNDS.get(_path, "")
    FIELD_DOCS[_path] = FieldDoc(_doc.unit, _doc.default, _doc.doc, _text)
del _path, _doc, _text


@dataclass(frozen=True)
class Phase:
    """One phase of a phased Russell path.

    Attributes
    ----------
    days : int
        Length in trading days (>= 1).
    total_return : float
        Median simple return of the Russell over the phase (decimal, > -1); the daily
        log drift is ``log(1 + total_return) / days``.
    """

    days: int
    total_return: float


@dataclass(frozen=True)
class RussellPath:
    """How the Russell 2000 drift and volatility are set over the horizon.

    Attributes
    ----------
    mode : str
        ``"calibrated"`` (historical mean), ``"target"`` or ``"phases"``.
    target_return : float
        mode ``target``: median simple return over the scenario's ``horizon_days``
        (decimal, > -1); daily drift ``log(1 + target_return) / horizon_days``, kept
        for any simulated horizon.
    annual_vol : float or None
        Base annualized volatility (decimal, >= 0); ``None`` = calibrated.
    phases : tuple of Phase
        mode ``phases``: consecutive phases; after the last one the calibrated drift applies.
    """

    mode: str = "calibrated"
    target_return: float = 0.0
    annual_vol: float | None = None
    phases: tuple[Phase, ...] = ()


@dataclass(frozen=True)
class Regime:
    """One market regime: how it reshapes the calibrated model while the chain is in it.

    Attributes
    ----------
    name : str
        Unique regime name.
    russell_drift_shift : float
        Annual log return added to the Russell path drift (decimal; default 0).
    russell_vol_scale : float
        Multiplier on the base Russell volatility (>= 0; default 1).
    btc_alpha : float or None
        BTC's annual log drift beyond the Russell (a_B); ``None`` = calibrated.
    btc_beta : float or None
        BTC beta to the Russell; ``None`` = calibrated.
    btc_beta_scale : float
        Multiplier on the BTC beta (default 1).
    btc_vol_scale : float
        Multiplier on BTC's residual volatility (>= 0; default 1).
    alt_alpha : float or None
        Annual log drift of every altcoin; ``None`` = each token's calibrated intercept.
    alt_beta : float or None
        Beta of every altcoin to the Russell; ``None`` = calibrated per token.
    alt_beta_scale : float
        Multiplier on the altcoin betas (default 1).
    alt_loading_scale : float
        Multiplier on the altcoin loadings g_i on the BTC residual (default 1).
    alt_vol_scale : float
        Multiplier on the altcoin residual volatilities (>= 0; default 1).
    downside_beta_scale : float
        Extra factor on BTC and altcoin betas on days the Russell return is negative
        (>= 0; default 1, i.e. symmetric betas).
    jump_intensity : float
        Altcoin jump arrivals per year per token (>= 0; default 0).
    jump_mean : float
        Mean jump size as a log return (decimal; default 0).
    jump_vol : float
        Std dev of the jump size (>= 0; default 0).
    df : float or None
        Student-t degrees of freedom of the BTC and altcoin shocks (> 2; ``inf`` =
        normal); ``None`` = the model's calibrated pooled crypto df.
    russell_df : float or None
        Student-t degrees of freedom of the Russell shocks (> 2; ``inf`` = normal);
        ``None`` = the Russell's calibrated df.
    """

    name: str
    russell_drift_shift: float = 0.0
    russell_vol_scale: float = 1.0
    btc_alpha: float | None = None
    btc_beta: float | None = None
    btc_beta_scale: float = 1.0
    btc_vol_scale: float = 1.0
    alt_alpha: float | None = None
    alt_beta: float | None = None
    alt_beta_scale: float = 1.0
    alt_loading_scale: float = 1.0
    alt_vol_scale: float = 1.0
    downside_beta_scale: float = 1.0
    jump_intensity: float = 0.0
    jump_mean: float = 0.0
    jump_vol: float = 0.0
    df: float | None = None
    russell_df: float | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see the module docstring for the model and file layout).

    Attributes
    ----------
    name : str
        Display name.
    regimes : tuple of Regime
        At least one regime, unique names.
    transition : tuple of tuple of float
        K x K daily transition matrix in ``regimes`` order; rows sum to 1.
    initial_regime : str
        Regime of day 1 (when ``initial_probabilities`` is None).
    initial_probabilities : tuple of float or None
        Distribution of day 1's regime in ``regimes`` order (sums to 1); ``None`` = day 1
        in ``initial_regime`` on every path.
    description, rationale : str
        The story and the reasoning behind the numbers.
    horizon_days : int
        Default horizon in trading days.
    russell : RussellPath
        Russell drift/vol specification.
    selectivity : float
        Annualized std dev of the per-path, per-token altcoin drift offset (decimal, >= 0).
    """

    name: str
    regimes: tuple[Regime, ...]
    transition: tuple[tuple[float, ...], ...]
    initial_regime: str
    description: str = ""
    rationale: str = ""
    horizon_days: int = 63
    russell: RussellPath = field(default_factory=RussellPath)
    selectivity: float = 0.0
    initial_probabilities: tuple[float, ...] | None = None

    @property
    def regime_names(self) -> tuple[str, ...]:
        """Regime names in matrix order."""
        return tuple(r.name for r in self.regimes)

    def regime(self, name: str) -> Regime:
        """Return the regime called ``name`` (KeyError if absent)."""
        for r in self.regimes:
            if r.name == name:
                return r
        raise KeyError(name)


# ---------------------------------------------------------------------------
# validation helpers


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _get_float(
    data: Mapping[str, Any],
    key: str,
    path: str,
    src: str,
    *,
    default: Any = _MISSING,
    minimum: float | None = None,
    strict_min: bool = False,
    maximum: float | None = None,
    allow_inf: bool = False,
) -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise ScenarioError(src, path, _MISSING, "required field is missing")
        return default
    if not _is_number(value):
        raise ScenarioError(src, path, value, f"must be a number, not {type(value).__name__}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ScenarioError(src, path, value, "must be a finite number")
    if minimum is not None:
        if strict_min and not value > minimum:
            raise ScenarioError(src, path, value, f"must be > {minimum:g}")
        if not strict_min and value < minimum:
            raise ScenarioError(src, path, value, f"must be >= {minimum:g}")
    if maximum is not None and value > maximum:
        raise ScenarioError(src, path, value, f"must be <= {maximum:g}")
    return value


def _get_bounded(data: Mapping[str, Any], key: str, path: str, src: str, doc_key: str, *,
                 default: Any = _MISSING) -> Any:
    """A number checked against ``FIELD_BOUNDS[doc_key]`` (the message names the field and range)."""
    b = FIELD_BOUNDS[doc_key]
    value = _get_float(data, key, path, src, default=default, allow_inf=b.allow_inf)
    if value is None or value is default:
        return value
    if math.isinf(value):
        if value > 0:
            return value
        raise ScenarioError(src, path, value, f"must be {b.text()}")
    if b.lo is not None and (value <= b.lo if b.strict_lo else value < b.lo):
        sign = ">" if b.strict_lo else ">="
        raise ScenarioError(src, path, value, f"must be {sign} {b.lo:g} (accepted: {b.text()})")
    if b.hi is not None and value > b.hi:
        raise ScenarioError(src, path, value, f"must be <= {b.hi:g} (accepted: {b.text()})")
    return value


def _get_text(data: Mapping[str, Any], key: str, path: str, src: str, limit: int, **kw: Any) -> str:
    value = _get_str(data, key, path, src, **kw)
    if len(value) > limit:
        raise ScenarioError(src, path, value[:40] + "…", f"is {len(value):,} characters; at most {limit:,}")
    return value


def _get_int(
    data: Mapping[str, Any], key: str, path: str, src: str, *, default: Any = _MISSING,
    minimum: int = 1, maximum: int | None = None,
) -> int:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise ScenarioError(src, path, _MISSING, "required field is missing")
        return int(default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScenarioError(src, path, value, f"must be an integer, not {type(value).__name__}")
    if value < minimum:
        raise ScenarioError(src, path, value, f"must be >= {minimum}")
    if maximum is not None and value > maximum:
        raise ScenarioError(src, path, value, f"must be <= {maximum}")
    return value


def _get_str(
    data: Mapping[str, Any], key: str, path: str, src: str, *, default: Any = _MISSING,
    nonempty: bool = False,
) -> str:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise ScenarioError(src, path, _MISSING, "required field is missing")
        return default
    if not isinstance(value, str):
        raise ScenarioError(src, path, value, f"must be a string, not {type(value).__name__}")
    if nonempty and not value.strip():
        raise ScenarioError(src, path, value, "must not be empty")
    return value


def _get_table(data: Mapping[str, Any], key: str, path: str, src: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(src, path, value, f"must be a table, not {type(value).__name__}")
    return value


def _reject_unknown(data: Mapping[str, Any], allowed: set[str], prefix: str, src: str) -> None:
    for key in data:
        if key not in allowed:
            raise ScenarioError(
                src, f"{prefix}{key}", data[key], f"unknown field (allowed: {', '.join(sorted(allowed))})"
            )


_TOP_KEYS = {
    "name", "description", "rationale", "horizon_days", "initial_regime", "selectivity",
    "russell", "regimes", "transition", "initial_probabilities",
}
_RUSSELL_KEYS = {"mode", "target_return", "annual_vol", "phases"}
_PHASE_KEYS = {"days", "total_return"}
_REGIME_KEYS = {f.name for f in fields(Regime)}
#: Regime fields that may be omitted (meaning: calibrated).
_OPTIONAL_REGIME = {"btc_alpha", "btc_beta", "alt_alpha", "alt_beta", "df", "russell_df"}


def _parse_regime(data: Any, index: int, src: str) -> Regime:
    prefix = f"regimes[{index}]"
    if not isinstance(data, Mapping):
        raise ScenarioError(src, prefix, data, f"must be a table, not {type(data).__name__}")
    _reject_unknown(data, _REGIME_KEYS, prefix + ".", src)
    name = _get_text(data, "name", f"{prefix}.name", src, MAX_NAME_CHARS, nonempty=True)
    odd = sorted({c for c in name if not (c.isalnum() or c in REGIME_NAME_PUNCTUATION)})
    if odd:
        raise ScenarioError(src, f"{prefix}.name", name, f"may hold letters, digits, spaces and "
                            f"{REGIME_NAME_PUNCTUATION.strip()!r} only, not {''.join(odd)!r}")
    values: dict[str, Any] = {"name": name}
    for f in fields(Regime):
        if f.name == "name":
            continue
        path = f"{prefix}.{f.name}"
        default = None if f.name in _OPTIONAL_REGIME else f.default
        values[f.name] = _get_bounded(data, f.name, path, src, f"regimes[].{f.name}", default=default)
    return Regime(**values)


def _parse_russell(data: Mapping[str, Any], src: str) -> RussellPath:
    _reject_unknown(data, _RUSSELL_KEYS, "russell.", src)
    mode = _get_str(data, "mode", "russell.mode", src, default="calibrated")
    if mode not in RUSSELL_MODES:
        raise ScenarioError(src, "russell.mode", mode, f"must be one of {', '.join(RUSSELL_MODES)}")
    target = _get_bounded(data, "target_return", "russell.target_return", src, "russell.target_return",
                          default=0.0)
    vol = _get_bounded(data, "annual_vol", "russell.annual_vol", src, "russell.annual_vol", default=None)
    raw_phases = data.get("phases", [])
    if not isinstance(raw_phases, list):
        raise ScenarioError(src, "russell.phases", raw_phases, "must be a list of tables")
    if len(raw_phases) > MAX_PHASES:
        raise ScenarioError(src, "russell.phases", f"{len(raw_phases)} phases",
                            f"too many phases: at most {MAX_PHASES}")
    phases = []
    for i, p in enumerate(raw_phases):
        path = f"russell.phases[{i}]"
        if not isinstance(p, Mapping):
            raise ScenarioError(src, path, p, "must be a table with days and total_return")
        _reject_unknown(p, _PHASE_KEYS, path + ".", src)
        days = _get_int(p, "days", f"{path}.days", src, maximum=MAX_HORIZON_DAYS)
        ret = _get_bounded(p, "total_return", f"{path}.total_return", src, "russell.phases[].total_return")
        phases.append(Phase(days=days, total_return=ret))
    if mode == "phases" and not phases:
        raise ScenarioError(src, "russell.phases", raw_phases, "mode 'phases' needs at least one phase")
    return RussellPath(mode=mode, target_return=target, annual_vol=vol, phases=tuple(phases))


def _parse_transition(
    data: Any, names: tuple[str, ...], src: str
) -> tuple[tuple[float, ...], ...]:
    k = len(names)
    if data is _MISSING:
        if k == 1:
            return ((1.0,),)
        raise ScenarioError(src, "transition", _MISSING, f"required with {k} regimes")
    if not isinstance(data, Mapping):
        raise ScenarioError(src, "transition", data, "must be a table of rows keyed by regime name")
    for key in data:
        if key not in names:
            raise ScenarioError(
                src, f"transition.{key}", data[key], f"unknown regime (regimes: {', '.join(names)})"
            )
    rows = []
    for name in names:
        path = f"transition.{name}"
        row = data.get(name, _MISSING)
        if row is _MISSING:
            raise ScenarioError(src, path, _MISSING, "required row is missing")
        if not isinstance(row, list) or len(row) != k:
            raise ScenarioError(src, path, row, f"must be a list of {k} probabilities")
        probs = []
        for j, p in enumerate(row):
            if not _is_number(p) or math.isnan(float(p)):
                raise ScenarioError(src, f"{path}[{j}]", p, "must be a number")
            p = float(p)
            if not 0.0 <= p <= 1.0:
                raise ScenarioError(src, f"{path}[{j}]", p, "probability must be in [0, 1]")
            probs.append(p)
        total = math.fsum(probs)
        if abs(total - 1.0) > ROW_SUM_TOL:
            raise ScenarioError(src, path, row, f"row must sum to 1 (sums to {total:.6g})")
        rows.append(tuple(probs))
    return tuple(rows)


def _parse_initial_probabilities(data: Any, names: tuple[str, ...], src: str) -> tuple[float, ...] | None:
    """``initial_probabilities``: absent -> None, else one probability per regime summing to 1."""
    path, k = "initial_probabilities", len(names)
    if data is _MISSING:
        return None
    if not isinstance(data, list | tuple) or len(data) != k:
        raise ScenarioError(src, path, data, f"must be a list of {k} probabilities ({', '.join(names)})")
    probs = []
    for j, p in enumerate(data):
        if not _is_number(p) or not 0.0 <= float(p) <= 1.0:
            raise ScenarioError(src, f"{path}[{j}]", p, "probability must be a number in [0, 1]")
        probs.append(float(p))
    total = math.fsum(probs)
    if abs(total - 1.0) > ROW_SUM_TOL:
        raise ScenarioError(src, path, list(data), f"must sum to 1 (sums to {total:.6g})")
    return tuple(probs)


def scenario_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a parsed TOML document into a :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        The document as returned by :func:`tomllib.loads`.
    source : str
        Name used in error messages (the file path when loading a file).

    Raises
    ------
    ScenarioError
        Naming ``source``, the dotted field and the bad value.
    """
    src = source
    if not isinstance(data, Mapping):
        raise ScenarioError(src, "<document>", data, "must be a table")
    _reject_unknown(data, _TOP_KEYS, "", src)
    name = _get_text(data, "name", "name", src, MAX_NAME_CHARS, nonempty=True)
    description = _get_text(data, "description", "description", src, MAX_TEXT_CHARS, default="")
    rationale = _get_text(data, "rationale", "rationale", src, MAX_TEXT_CHARS, default="")
    horizon = _get_int(data, "horizon_days", "horizon_days", src, default=63, maximum=MAX_HORIZON_DAYS)
    selectivity = _get_bounded(data, "selectivity", "selectivity", src, "selectivity", default=0.0)
    russell = _parse_russell(_get_table(data, "russell", "russell", src), src)

    raw_regimes = data.get("regimes", _MISSING)
    if raw_regimes is _MISSING:
        raise ScenarioError(src, "regimes", _MISSING, "required field is missing")
    if not isinstance(raw_regimes, list) or not raw_regimes:
        raise ScenarioError(src, "regimes", raw_regimes, "must be a non-empty list of [[regimes]] tables")
    if len(raw_regimes) > MAX_REGIMES:
        raise ScenarioError(src, "regimes", f"{len(raw_regimes)} regimes",
                            f"too many regimes: at most {MAX_REGIMES}")
    regimes = tuple(_parse_regime(r, i, src) for i, r in enumerate(raw_regimes))
    names = tuple(r.name for r in regimes)
    for i, n in enumerate(names):
        if n in names[:i]:
            raise ScenarioError(src, f"regimes[{i}].name", n, "duplicate regime name")

    initial = _get_str(data, "initial_regime", "initial_regime", src, default=names[0])
    if initial not in names:
        raise ScenarioError(src, "initial_regime", initial, f"unknown regime (regimes: {', '.join(names)})")
    transition = _parse_transition(data.get("transition", _MISSING), names, src)
    initial_probs = _parse_initial_probabilities(data.get("initial_probabilities", _MISSING), names, src)
    return Scenario(
        name=name, description=description, rationale=rationale, horizon_days=horizon,
        regimes=regimes, transition=transition, initial_regime=initial, russell=russell,
        selectivity=selectivity, initial_probabilities=initial_probs,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario TOML file.

    Raises
    ------
    ScenarioError
        If the file is missing, not valid TOML, or any field is invalid.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(p), "<file>", str(p), f"cannot read scenario file ({exc.strerror})") from exc
    return _parse_scenario_file(text, str(p))


@functools.lru_cache(maxsize=64)
def _parse_scenario_file(text: str, source: str) -> Scenario:
    """The validated scenario of one file's text (kept: the app lists the catalog on every rerun)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "<toml>", str(exc), "not valid TOML") from exc
    except RecursionError as exc:
        raise ScenarioError(source, "<toml>", f"{len(text):,} characters", "arrays or tables nest too deeply") from exc
    return scenario_from_dict(data, source)


def list_scenarios(directory: str | Path = SCENARIO_DIR) -> dict[str, Path]:
    """Every ``*.toml`` in ``directory``, keyed by file stem, sorted by stem.

    Files are not parsed here; call :func:`load_scenario` on the one you need so a
    broken file does not hide the others.
    """
    d = Path(directory)
    if not d.is_dir():
        raise ScenarioError(str(d), "<directory>", str(d), "scenario folder not found")
    return {p.stem: p for p in sorted(d.glob("*.toml"))}


def resolve_scenario(name_or_path: str, directory: str | Path = SCENARIO_DIR) -> Scenario:
    """Load a scenario by stem (``"controlled_rally"``) from ``directory`` or by file path.

    Raises
    ------
    ScenarioError
        Naming the unknown scenario and the available ones.
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        return load_scenario(candidate)
    available = list_scenarios(directory)
    if name_or_path not in available:
        raise ScenarioError(
            str(directory), "<scenario>", name_or_path,
            f"unknown scenario (available: {', '.join(available) or 'none'})",
        )
    return load_scenario(available[name_or_path])


# ---------------------------------------------------------------------------
# serialization and editing


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The TOML document of ``scenario`` as plain dicts/lists (``None`` fields omitted)."""
    russell: dict[str, Any] = {"mode": scenario.russell.mode,
                               "target_return": scenario.russell.target_return}
    if scenario.russell.annual_vol is not None:
        russell["annual_vol"] = scenario.russell.annual_vol
    if scenario.russell.phases:
        russell["phases"] = [
            {"days": p.days, "total_return": p.total_return} for p in scenario.russell.phases
        ]
    regimes = []
    for r in scenario.regimes:
        row: dict[str, Any] = {}
        for f in fields(Regime):
            value = getattr(r, f.name)
            if value is not None:
                row[f.name] = value
        regimes.append(row)
    doc: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "rationale": scenario.rationale,
        "horizon_days": scenario.horizon_days,
        "initial_regime": scenario.initial_regime,
        "selectivity": scenario.selectivity,
        "russell": russell,
        "regimes": regimes,
        "transition": {
            name: list(row) for name, row in zip(scenario.regime_names, scenario.transition, strict=True)
        },
    }
    if scenario.initial_probabilities is not None:
        doc["initial_probabilities"] = list(scenario.initial_probabilities)
    return doc


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            # control characters (and lone surrogates, not valid in UTF-8) must be escaped
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest repr round-trips exactly and is valid TOML
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return _toml_string(key)


def scenario_to_toml(scenario: Scenario) -> str:
    """Write ``scenario`` as TOML text that :func:`load_scenario` reads back to an equal object.

    Floats are written with Python's shortest round-trip ``repr``; ``inf`` stays ``inf``.
    """
    doc = scenario_to_dict(scenario)
    lines = []
    for key in ("name", "description", "rationale", "horizon_days", "initial_regime", "selectivity",
                "initial_probabilities"):
        if key in doc:
            lines.append(f"{key} = {_toml_value(doc[key])}")
    lines.append("")
    lines.append("[russell]")
    for key in ("mode", "target_return", "annual_vol"):
        if key in doc["russell"]:
            lines.append(f"{key} = {_toml_value(doc['russell'][key])}")
    for phase in doc["russell"].get("phases", []):
        lines.append("")
        lines.append("[[russell.phases]]")
        lines.append(f"days = {_toml_value(phase['days'])}")
        lines.append(f"total_return = {_toml_value(phase['total_return'])}")
    for regime in doc["regimes"]:
        lines.append("")
        lines.append("[[regimes]]")
        for key, value in regime.items():
            lines.append(f"{key} = {_toml_value(value)}")
    lines.append("")
    lines.append("[transition]")
    for name, row in doc["transition"].items():
        lines.append(f"{_toml_key(name)} = {_toml_value(row)}")
    return "\n".join(lines) + "\n"


def _set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target: Any = doc
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        if isinstance(target, list):
            target = target[_list_index(target, part, path, value)]
        elif isinstance(target, dict):
            if part not in target:
                if part in ("russell", "transition"):
                    target[part] = {}
                else:
                    raise ScenarioError("<overrides>", path, value, f"no such field '{here}'")
            target = target[part]
        else:
            raise ScenarioError("<overrides>", path, value, f"'{here}' is not a table")
    last = parts[-1]
    if isinstance(target, list):
        index = _list_index(target, last, path, value)
        target[index] = value
    elif isinstance(target, dict):
        if value is None:
            target.pop(last, None)  # None = back to the default / calibrated value
        else:
            target[last] = value
    else:
        raise ScenarioError("<overrides>", path, value, "parent is not a table")


def _list_index(items: list[Any], part: str, path: str, value: Any) -> int:
    if part.lstrip("-").isdigit():
        index = int(part)
        if -len(items) <= index < len(items):
            return index % len(items)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    raise ScenarioError(
        "<overrides>", path, value, f"no list item {part!r} (use an index or a regime name)"
    )


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Return a re-validated copy of ``scenario`` with dotted-path fields replaced.

    Paths follow the TOML layout; regimes and phases are addressed by name or index::

        with_overrides(s, {"selectivity": 0.5,
                           "russell.target_return": 0.2,
                           "regimes.frenzy.df": 4.0,
                           "regimes.0.alt_vol_scale": 1.2,
                           "russell.phases.1.total_return": -0.1,
                           "transition.calm": [0.97, 0.02, 0.01],
                           "transition.calm.1": 0.02})

    A value of ``None`` removes the field (back to its default or the calibrated value).
    Single transition entries can be set, but the row must still sum to 1. Changing
    ``initial_regime`` (without setting ``initial_probabilities``) drops the start
    probabilities: a named start regime replaces a start distribution.

    Raises
    ------
    ScenarioError
        Unknown path (source ``"<overrides>"``) or an invalid resulting value.
    """
    doc = scenario_to_dict(scenario)
    if overrides.get("initial_regime", scenario.initial_regime) != scenario.initial_regime \
            and "initial_probabilities" not in overrides:
        doc.pop("initial_probabilities", None)
    for path, value in overrides.items():
        if isinstance(value, tuple):
            value = list(value)
        _set_path(doc, path, value)
    return scenario_from_dict(doc, "<overrides>")
