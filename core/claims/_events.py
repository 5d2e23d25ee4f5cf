"""Tests of the event claims: what BTC, the altcoins and altcoin dominance did after Russell
breakouts and small-cap spread events, each with a robustness grid.

Events come from :mod:`core.events` (:func:`~core.events.find_breakouts`,
:func:`~core.events.find_spread_events`), forward returns and permutation tests from its event
study (:func:`~core.events.compute_forward_returns`, :func:`~core.events.run_event_study`),
the named-breakout figures from :func:`core.history_check.check_breakout_claim`.

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.claims._base import (
    CONTRADICTED,
    MIXED,
    SUPPORTED,
    TOO_FEW,
    Claim,
    NotTestable,
    Robustness,
    Verdict,
    combine,
    date_text,
    span_text,
)
from core.claims._data import (
    RUSSELL_ETF,
    RUSSELL_INDEX,
    Pair,
    crypto_roles,
    equity_pairs,
    first_present,
    pick_pair,
    pick_russell,
)
from core.claims._robustness import robustness_grid
from core.conventions import BASKET
from core.data import PriceData
from core.events import (
    compute_forward_returns,
    compute_pair_returns,
    event_study_after,
    find_breakouts,
    find_spread_events,
    run_event_study,
)
from core.history_check import SMALL_N, check_breakout_claim
from core.returns import sample_on_calendar
from core.roles import CryptoRoles

#: Name of the altcoin-dominance column in the event-study panel.
DOMINANCE = "alt dominance"
#: Permutation draws per robustness cell (the headline figures use the caller's ``n_boot``).
GRID_BOOT = 1000
#: Significance level of the headline tests.
ALPHA = 0.05


def _russell_series(prices: PriceData) -> list[str]:
    """The Russell series with real data (^RUT first, then IWM): the grid's proxy axis."""
    return [t for t in (first_present(prices, RUSSELL_INDEX), first_present(prices, RUSSELL_ETF)) if t is not None]


def _sampled(prices: PriceData, roles: CryptoRoles, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    cols = [c for c in dict.fromkeys([roles.btc, *roles.alts])]
    return sample_on_calendar(prices.closes[cols], calendar)


def _cell(forward: pd.DataFrame, column: tuple[str, int], dates: Sequence[pd.Timestamp], seed: int,
          n_boot: int) -> tuple[int, float, float, dict]:
    """(n_events, events mean minus all-sessions mean, p-value, table row) of one study column."""
    if column not in forward.columns:
        return 0, np.nan, np.nan, {}
    study = run_event_study(forward[[column]], pd.DatetimeIndex(dates), np.random.default_rng(seed),
                            n_boot=n_boot)
    row = study.table.iloc[0].to_dict()
    return int(row["n_events"]), float(row["mean_event"] - row["mean_all"]), float(row["p_value"]), row


def judge_breakout_btc(claim: Claim, prices: PriceData, *, seed: int = 0, n_boot: int = 2000) -> Verdict:
    """Each named year's Russell breakout was followed by a BTC bull market (BTC up at least
    ``bull`` over ``horizon`` sessions). Judged on those events; the base rate says how often a
    random session was followed by as much."""
    p = claim.parameters
    years, base, horizon, bull = tuple(p["years"]), int(p["base"]), int(p["horizon"]), float(p["bull"])
    russell = pick_russell(prices)
    roles = crypto_roles(prices)
    series = prices.closes[russell].dropna()
    table = find_breakouts(series, base=base)
    horizons = (int(p.get("short_horizon", 126)), horizon)
    study = event_study_after(prices.closes[[roles.btc]], table.events["date"], calendar=series.index,
                              btc=roles.btc, horizons=horizons, seed=seed, n_boot=n_boot)
    fig = check_breakout_claim(table, study, years=years, horizons=horizons)
    by_year = {d.date.year: d for d in fig.named}
    all_fwd = study.forward_returns[(roles.btc, horizon)].dropna()
    base_rate = float((all_fwd >= bull).mean()) if len(all_fwd) else np.nan
    judged, parts = [], []
    numbers: dict[str, object] = {"bull_threshold": bull, "horizon_sessions": horizon, "base_sessions": base}
    for y in years:
        named = by_year.get(y)
        if series.index[0] > pd.Timestamp(y, 1, 1) - pd.DateOffset(years=1) or series.index[-1] < pd.Timestamp(y, 12, 31):
            raise NotTestable(f"{russell} ({span_text(series.index)}) does not cover {y} and the year before it")
        if named is None:
            judged.append(CONTRADICTED)
            parts.append(f"no {base}-session breakout in {y}")
            continue
        fwd = named.btc_forward.get(horizon, np.nan)
        if not np.isfinite(fwd):
            raise NotTestable(f"{roles.btc} has no close {horizon} sessions after the {date_text(named.date)} "
                              "breakout")
        judged.append(SUPPORTED if fwd >= bull else CONTRADICTED)
        parts.append(f"{date_text(named.date)}: BTC {fwd:+.0%}")
        numbers[f"breakout_{y}"] = date_text(named.date)
        numbers[f"btc_return_after_{y}"] = fwd
    numbers |= {"base_rate": base_rate, "chance_all_by_luck": base_rate ** len(years),
                "n_breakouts": fig.n_events}
    if fig.btc_all is not None:
        numbers |= {"all_breakouts_mean": fig.btc_all.mean_event, "all_breakouts_n": fig.btc_all.n_events,
                    "all_sessions_mean": fig.btc_all.mean_all, "all_breakouts_p": fig.btc_all.p_value}
    reason = (f"{russell} breakouts after a {base}-session base, BTC over the next {horizon} sessions: "
              f"{'; '.join(parts)} (bull = at least {bull:+.0%}). A random session was followed by as much "
              f"{base_rate:.0%} of the time, so {len(years)} of {len(years)} happens by luck "
              f"{base_rate ** len(years):.0%} of the time.")
    robust = _breakout_grid(prices, roles, column=roles.btc, base=base, horizon=horizon, seed=seed,
                            what="BTC's excess return after breakouts")
    return Verdict(claim, combine(judged), reason, n=len(years), numbers=numbers, proxy=f"{russell}, {roles.btc}",
                   window=span_text(series.index), robustness=robust)


def _breakout_grid(prices: PriceData, roles: CryptoRoles, *, column: str, base: int, horizon: int, seed: int,
                   what: str) -> Robustness:
    """A breakout claim over Russell series, bases and horizons (12 cells)."""
    panels: dict[str, tuple[pd.DataFrame, pd.Series]] = {}
    bases, horizons = (125, 250, 500), (126, 252)
    for r in _russell_series(prices):
        series = prices.closes[r].dropna()
        fwd = compute_forward_returns(_sampled(prices, roles, series.index), btc=roles.btc, alts=roles.alts,
                                      horizons=horizons)
        panels[r] = (fwd, series)

    def run(cell: dict) -> tuple[int, float, float]:
        fwd, series = panels[cell["proxy"]]
        dates = find_breakouts(series, base=int(cell["base"])).events["date"]
        n, effect, pv, _ = _cell(fwd, (column, int(cell["horizon"])), dates, seed, GRID_BOOT)
        return n, effect, pv

    head = {"proxy": next(iter(panels)), "base": base, "horizon": horizon}
    return robustness_grid({"proxy": list(panels), "base": bases, "horizon": horizons}, run, head, what=what)


def basket_peaks(sampled: pd.DataFrame, alts: Sequence[str], horizon: int) -> pd.DataFrame:
    """Peak return of the equal-weight altcoin basket within ``horizon`` sessions of each session.

    From session t, the basket holds equal value in every altcoin with a close at t and at
    ``t + horizon`` (buy and hold); its value at ``t + k`` is ``mean_i P_i(t+k) / P_i(t)``.

    Parameters
    ----------
    sampled : pandas.DataFrame
        Closes on the session calendar, shape (n_sessions, n_tickers).
    alts : sequence of str
        The basket's columns.
    horizon : int
        Sessions, >= 1.

    Returns
    -------
    pandas.DataFrame
        Index = sessions; ``peak`` (``max_k value(t+k) - 1`` for k = 1..horizon, decimals),
        ``best_coin_peak`` (the largest single-coin peak) and ``n_coins``; NaN where fewer
        than ``horizon`` sessions follow or no altcoin qualifies.
    """
    values = sampled[list(alts)].to_numpy(dtype=float)
    n, _ = values.shape
    ok = np.zeros_like(values, dtype=bool)
    if n > horizon:
        ok[:-horizon] = np.isfinite(values[:-horizon]) & np.isfinite(values[horizon:])
    n_coins = ok.sum(axis=1)
    best_basket = np.full(n, -np.inf)
    best_coin = np.full(n, -np.inf)
    counts = np.maximum(n_coins, 1)
    for k in range(1, horizon + 1):  # horizon steps, each vectorized over sessions and coins
        later = np.full_like(values, np.nan)
        later[:-k] = values[k:]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(ok, later / values, np.nan)
        basket = np.where(ok, ratio, 0.0).sum(axis=1) / counts
        best_basket = np.fmax(best_basket, basket)
        best_coin = np.fmax(best_coin, np.where(ok, ratio, -np.inf).max(axis=1))
    valid = n_coins > 0
    return pd.DataFrame({"peak": np.where(valid, best_basket - 1.0, np.nan),
                         "best_coin_peak": np.where(valid, best_coin - 1.0, np.nan),
                         "n_coins": n_coins}, index=sampled.index)


def judge_breakout_alts(claim: Claim, prices: PriceData, *, seed: int = 0, n_boot: int = 2000) -> Verdict:
    """Russell breakouts were followed by altcoin rallies of ``low`` to ``high`` (peak of the
    equal-weight basket within ``horizon`` sessions). A general claim: fewer than
    :data:`~core.history_check.SMALL_N` breakouts with altcoin data is too few to judge."""
    p = claim.parameters
    base, horizon, low, high = int(p["base"]), int(p["horizon"]), float(p["low"]), float(p["high"])
    russell = pick_russell(prices)
    roles = crypto_roles(prices, need_alts=True)
    series = prices.closes[russell].dropna()
    events = find_breakouts(series, base=base).events["date"]
    sampled = _sampled(prices, roles, series.index)
    peaks = basket_peaks(sampled, roles.alts, horizon)
    at_events = peaks.reindex(pd.DatetimeIndex(events)).dropna(subset=["peak"])
    n = len(at_events)
    all_peaks = peaks["peak"].dropna()
    base_rate = float((all_peaks >= low).mean()) if len(all_peaks) else np.nan
    numbers: dict[str, object] = {"low_claimed": low, "high_claimed": high, "horizon_sessions": horizon,
                                  "base_sessions": base, "n_breakouts": len(events),
                                  "n_with_altcoin_data": n, "base_rate": base_rate}
    parts = []
    for d, row in at_events.iterrows():
        numbers[f"peak_after_{d:%Y-%m-%d}"] = float(row["peak"])
        numbers[f"best_coin_peak_after_{d:%Y-%m-%d}"] = float(row["best_coin_peak"])
        parts.append(f"{d:%Y-%m-%d}: basket peak {row['peak']:+.0%}, best coin {row['best_coin_peak']:+.0%}")
    window = span_text(sampled[list(roles.alts)].dropna(how="all").index)
    proxy = f"{russell}, basket of {len(roles.alts)} altcoins"
    if n == 0:
        raise NotTestable(f"no {russell} breakout has {horizon} sessions of altcoin closes after it "
                          f"(breakouts: {', '.join(f'{d:%Y-%m-%d}' for d in events) or 'none'})")
    share = float((at_events["peak"] >= low).mean())
    numbers["share_with_rally"] = share
    fwd = compute_forward_returns(sampled, btc=roles.btc, alts=roles.alts, horizons=(horizon,))
    _, _, pv, row = _cell(fwd, (BASKET, horizon), events, seed, n_boot)
    numbers |= {"basket_return_mean_after": row.get("mean_event"), "basket_return_mean_all": row.get("mean_all"),
                "p_value": pv}
    detail = (f"{'; '.join(parts)}. A random session was followed by a {low:+.0%} basket peak "
              f"{base_rate:.0%} of the time.")
    if n < SMALL_N:
        verdict, reason = TOO_FEW, (f"Only {n} {russell} breakout(s) with {horizon} sessions of altcoin data "
                                    f"(fewer than {SMALL_N}): {detail}")
    elif share >= 0.8 and pv < ALPHA:
        verdict, reason = SUPPORTED, f"{share:.0%} of {n} breakouts were followed by a rally; p = {pv:.2f}. {detail}"
    elif share <= base_rate or pv >= ALPHA:
        verdict, reason = CONTRADICTED, (f"{share:.0%} of {n} breakouts were followed by a rally, no more than "
                                         f"chance (p = {pv:.2f}). {detail}")
    else:
        verdict, reason = MIXED, f"{share:.0%} of {n} breakouts were followed by a rally; p = {pv:.2f}. {detail}"
    robust = _breakout_grid(prices, roles, column=BASKET, base=base, horizon=horizon, seed=seed,
                            what="the basket's excess return after breakouts")
    return Verdict(claim, verdict, reason, n=n, numbers=numbers, proxy=proxy, window=window, robustness=robust)


def dominance_panel(sampled: pd.DataFrame, btc: str, alts: Sequence[str], horizons: Sequence[int]) -> pd.DataFrame:
    """Change in the altcoin-dominance proxy over each horizon, from every session.

    The proxy: 1 - BTC's share of a basket that holds equal value in BTC and in each of the
    N altcoins with closes at t and t+h (price indices rebased to 1 at t), so it starts at
    ``s0 = N / (N + 1)``. With ``a`` the mean altcoin price ratio and ``b`` BTC's over h
    sessions, the change is ``s0 a / (s0 a + (1 - s0) b) - s0`` (decimal, 0.02 = 2 points).

    Returns
    -------
    pandas.DataFrame
        Index = sessions; columns ``(DOMINANCE, h)``; NaN where undefined.
    """
    values = sampled.astype(float)
    pieces = {}
    for h in horizons:  # a handful of horizons
        ratio = values.shift(-h) / values
        alt_ratio = ratio[list(alts)]
        n_alts = alt_ratio.notna().sum(axis=1)
        a = alt_ratio.mean(axis=1, skipna=True)
        b = ratio[btc]
        s0 = n_alts / (n_alts + 1.0)
        delta = s0 * a / (s0 * a + (1.0 - s0) * b) - s0
        pieces[(DOMINANCE, int(h))] = delta.where((n_alts > 0) & b.notna())
    panel = pd.DataFrame(pieces, index=values.index)
    panel.columns = pd.MultiIndex.from_tuples(panel.columns, names=["asset", "horizon"])
    return panel


def judge_spread_dominance(claim: Claim, prices: PriceData, *, seed: int = 0, n_boot: int = 2000) -> Verdict:
    """After the small-cap spread first rises above ``threshold`` over ``window`` sessions, the
    altcoin-dominance proxy rises by ``rise`` within ``horizon`` sessions, more than after a
    random session."""
    p = claim.parameters
    window, threshold, horizon = int(p["window"]), float(p["threshold"]), int(p["horizon"])
    rise = float(p["rise"])
    pairs = equity_pairs(prices)
    pair = pick_pair(prices)
    roles = crypto_roles(prices, need_alts=True)
    panels: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for pr in pairs:
        daily = compute_pair_returns(prices.closes[pr.leader], prices.closes[pr.laggard])
        sampled = _sampled(prices, roles, daily.index)
        panels[pr.label] = (dominance_panel(sampled, roles.btc, roles.alts, (21, 63)), daily)
    panel, daily = panels[pair.label]
    if horizon not in (21, 63):
        panel = dominance_panel(_sampled(prices, roles, daily.index), roles.btc, roles.alts, (horizon,))
    events = find_spread_events(daily["leader"], daily["laggard"], window=window, threshold=threshold)
    n, effect, pv, row = _cell(panel, (DOMINANCE, horizon), events.events["date"], seed, n_boot)
    defined = panel[(DOMINANCE, horizon)].dropna()
    numbers: dict[str, object] = {
        "threshold": threshold, "window_sessions": window, "horizon_sessions": horizon, "rise_claimed": rise,
        "n_spread_events": len(events.events), "n_events_used": n,
        "mean_change_after": row.get("mean_event"), "median_change_after": row.get("median_event"),
        "mean_change_all": row.get("mean_all"), "share_rising_after": row.get("hit_rate_event"),
        "share_rising_all": row.get("hit_rate_all"), "p_value": pv,
        "ci_low": row.get("ci_low"), "ci_high": row.get("ci_high"),
        "dominance_proxy": f"1 - BTC share of an equal-value basket of {roles.btc} and {len(roles.alts)} altcoins, "
                           "rebased at each event",
    }
    proxy = f"{pair.label}, {roles.btc} + {len(roles.alts)} altcoins"
    win = span_text(defined.index)
    if n < SMALL_N:
        verdict = TOO_FEW
        reason = (f"Only {n} spread event(s) (> {threshold:.0%} over {window} sessions on {pair.label}) with "
                  f"{horizon} sessions of crypto data after them, fewer than {SMALL_N}.")
    else:
        mean_after = float(row["mean_event"])
        rises = effect > 0 and pv < ALPHA
        big = mean_after >= rise - ROUND_POINTS
        verdict = SUPPORTED if rises and big else (CONTRADICTED if not rises and not big else MIXED)
        reason = (f"After {n} spread events on {pair.label} the altcoin-dominance proxy changed by "
                  f"{mean_after * 100:+.1f} points on average over {horizon} sessions, vs "
                  f"{row['mean_all'] * 100:+.1f} after a random session (p = {pv:.2f}); claimed "
                  f"+{rise * 100:.0f} to +{float(p.get('rise_high', rise)) * 100:.0f} points.")
    robust = _spread_grid(panels, pairs, pair=pair, window=window, threshold=threshold,
                          horizon=horizon, seed=seed)
    return Verdict(claim, verdict, reason, n=n, numbers=numbers, proxy=proxy, window=win, robustness=robust)


#: A change quoted in whole points ("2-3%") holds when the measured one rounds to it.
ROUND_POINTS = 0.005


def _spread_grid(panels: dict[str, tuple[pd.DataFrame, pd.DataFrame]], pairs: list[Pair], *, pair: Pair,
                 window: int, threshold: float, horizon: int, seed: int) -> Robustness:
    """The spread claim over proxies, thresholds, windows and horizons (36 cells)."""
    def run(cell: dict) -> tuple[int, float, float]:
        panel, daily = panels[cell["proxy"]]
        ev = find_spread_events(daily["leader"], daily["laggard"], window=int(cell["window"]),
                                threshold=float(cell["threshold"]))
        n, effect, pv, _ = _cell(panel, (DOMINANCE, int(cell["horizon"])), ev.events["date"], seed, GRID_BOOT)
        return n, effect, pv

    axes = {"proxy": [pr.label for pr in pairs], "threshold": (0.03, 0.05, 0.07), "window": (5, 10, 20),
            "horizon": (21, 63)}
    head = {"proxy": pair.label, "threshold": threshold, "window": window, "horizon": horizon}
    return robustness_grid(axes, run, head, what="the rise in altcoin dominance after spread events")
