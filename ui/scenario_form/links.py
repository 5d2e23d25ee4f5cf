"""The Simulator's settings in the link (query parameters), read once per session and written every run.

Bad link values are reported as warnings for the page (see
:func:`ui.scenario_form.settings.pending_messages`) and the defaults kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.montecarlo import ENGINES
from core.scenario import MAX_HORIZON_DAYS, ScenarioError, scenario_to_toml, with_overrides
from core.scenario_edits import (
    decode_overrides,
    decode_scenario_blob,
    encode_overrides,
    encode_scenario_blob,
    parse_scenario_text,
    scenario_diff,
)
from ui.scenario_form.settings import (
    _IMPORTED,
    _URL_PREFIX,
    DEFAULT_PATHS,
    IMPORTED,
    MAX_PATHS_INPUT,
    MAX_SEED,
    W_ENGINE,
    W_PATHS,
    W_SCENARIO,
    W_SEED,
    ImportedScenario,
    SimSettings,
    _clear_param_widgets,
    _imported,
    _note,
    _ss,
    _store,
    get_settings,
    load_base,
)
from ui.simulation import check_size
from ui.urlstate import seed_from_url, url_errors


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
