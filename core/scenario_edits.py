"""Edits of a scenario as data: minimal override diffs, their text codec, scenario blobs and imports.

These are pure functions of :class:`core.scenario.Scenario` values and strings, with no
Streamlit in them, so they live in ``core``: the app's sidebar uses them to keep its settings
minimal and to put them in a link, the sensitivity sweep uses :func:`regime_ref` to address a
regime, and a headless caller can rebuild a linked scenario exactly as the app does.

Override text (the ``ov`` link parameter) is compact JSON of dotted field paths, e.g.
``{"regimes.steady.df":4.0,"selectivity":0.8}``; ``null`` restores the calibrated value of an
optional field, ``Infinity`` is df = inf. A scenario blob (the ``doc`` link parameter) is the
scenario's TOML, zlib-compressed and base64url-encoded without padding.

Offers
------
regime_ref, scenario_diff, apply_settings
    Address a regime; the minimal overrides between two scenarios; apply overrides and a horizon.
encode_overrides, decode_overrides
    Overrides <-> compact JSON text.
encode_scenario_blob, decode_scenario_blob
    Scenario TOML <-> URL-safe text.
parse_scenario_text
    Validate uploaded or pasted TOML into a Scenario.
"""

from __future__ import annotations

import base64
import json
import math
import re
import tomllib
import zlib
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from core.errors import ExplorerError
from core.scenario import (
    Regime,
    Scenario,
    ScenarioError,
    scenario_from_dict,
    scenario_to_dict,
    with_overrides,
)

__all__ = [
    "LinkError", "apply_settings", "decode_overrides", "decode_scenario_blob", "encode_overrides",
    "encode_scenario_blob", "parse_scenario_text", "regime_ref", "scenario_diff",
]

#: Longest override text or scenario blob accepted (characters), well above any real scenario.
MAX_LINK_TEXT = 64_000
#: Largest scenario TOML a blob may inflate to (bytes).
MAX_SCENARIO_BYTES = 1_000_000


class LinkError(ExplorerError):
    """Override text or a scenario blob that cannot be read; the message names the problem."""


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
    if not _same(a.get("initial_probabilities"), b.get("initial_probabilities")):
        out["initial_probabilities"] = b.get("initial_probabilities")
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
        raise LinkError("NaN is not a valid override value")
    return float(token)


#: Deepest bracket nesting accepted in override text (a transition row is 2 levels deep).
MAX_NESTING = 8


def _nesting_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting outside JSON strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_PATH_RE = re.compile(r"^[A-Za-z_][\w-]*(\.[^.\s][^.]*)*$")


def decode_overrides(text: str) -> dict[str, Any]:
    """Parse :func:`encode_overrides` output back into a dict of dotted paths.

    Raises
    ------
    LinkError
        Too long, not JSON, not an object, a key that is not a dotted path, or NaN.
    """
    if not text:
        return {}
    if len(text) > MAX_LINK_TEXT:
        raise LinkError(f"overrides are {len(text):,} characters long; at most {MAX_LINK_TEXT:,}")
    depth = _nesting_depth(text)
    if depth > MAX_NESTING:
        raise LinkError(f"overrides nest {depth:,} levels of brackets deep; at most {MAX_NESTING}")
    try:
        data = json.loads(text, parse_constant=_reject_nan)
    except json.JSONDecodeError as exc:
        raise LinkError(f"overrides are not valid JSON ({exc.msg} at character {exc.pos})") from exc
    except RecursionError as exc:  # unreachable after the depth check; kept as a last line
        raise LinkError("overrides nest brackets too deeply") from exc
    if not isinstance(data, dict):
        raise LinkError(f"overrides must be a JSON object of dotted paths, got {type(data).__name__}")
    for key in data:
        if not _PATH_RE.match(key):
            raise LinkError(f"override key {key!r} is not a dotted field path")
    return data


def encode_scenario_blob(toml_text: str) -> str:
    """Scenario TOML -> short URL-safe text (zlib + base64url, no padding)."""
    return base64.urlsafe_b64encode(zlib.compress(toml_text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decode_scenario_blob(blob: str) -> str:
    """Inverse of :func:`encode_scenario_blob` (raises :class:`LinkError` on damaged or too long text)."""
    if len(blob) > MAX_LINK_TEXT:
        raise LinkError(f"the embedded scenario is {len(blob):,} characters long; at most {MAX_LINK_TEXT:,}")
    try:
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        inflate = zlib.decompressobj()
        data = inflate.decompress(raw, MAX_SCENARIO_BYTES)
        if inflate.unconsumed_tail:  # a zip bomb, not a scenario
            raise LinkError(f"the embedded scenario inflates beyond {MAX_SCENARIO_BYTES:,} bytes")
        if not inflate.eof:
            raise LinkError("the embedded scenario is damaged (truncated)")
        return data.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError) as exc:
        if isinstance(exc, LinkError):
            raise
        raise LinkError(f"the embedded scenario is damaged ({exc})") from exc


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
    except RecursionError as exc:
        raise ScenarioError(source, "<toml>", f"{len(text):,} characters", "arrays or tables nest too deeply") from exc
    return scenario_from_dict(data, source)
