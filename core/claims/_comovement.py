"""Tests of the co-movement claims: "ETH has a 0.7 correlation with the Russell 2000", "the crypto
market cap tracks the Russell 2000 closely", "crypto leads small caps / small caps lead crypto".

Correlations, rolling correlations and Granger tests come from :mod:`core.estimation`; returns
from :func:`core.returns.compute_returns` (log returns on the equity calendar).

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.claims._base import (
    CONTRADICTED,
    MIXED,
    SUPPORTED,
    Claim,
    NotTestable,
    Verdict,
    span_text,
)
from core.claims._data import crypto_roles, pick_russell
from core.data import PriceData
from core.estimation import estimate_correlation, granger_tests, rolling_correlation
from core.events import find_breakouts
from core.returns import compute_returns, sample_on_calendar

#: A correlation quoted to one decimal ("0.7") holds when the measured one rounds to it.
ROUND_CORR = 0.05
#: Fewest returns for a lead-lag verdict (about two years at each frequency): absence of a lead
#: in a shorter sample says little.
MIN_GRANGER_OBS: dict[str, int] = {"D": 500, "W": 104}
#: Circulating supplies behind the BTC+ETH market-cap proxy (coins). Both moved less than 2 %
#: over 2024-2026 (BTC about 19.6 M to 19.9 M; ETH about 120.1 M to 120.7 M), so a constant
#: supply keeps the proxy within about 1 % of the true capitalisation of the two coins, which
#: together make up roughly 70 % of the total crypto market cap.
BTC_SUPPLY, ETH_SUPPLY = 19.8e6, 120.4e6


def _returns(prices: PriceData, cols: list[str], calendar: str, freq: str) -> pd.DataFrame:
    return compute_returns(prices.closes[cols], calendar=[calendar], kind="log", freq=freq).dropna()


def judge_eth_correlation(claim: Claim, prices: PriceData, **_: object) -> Verdict:
    """ETH's correlation with the Russell 2000 is about ``level``: full-sample daily and weekly,
    how often rolling 30- and 90-session windows reach it, and in the 90 sessions after each
    breakout ("similar periods")."""
    p = claim.parameters
    level = float(p["level"])
    russell = pick_russell(prices)
    eth = crypto_roles(prices, need_eth=True).eth
    daily = _returns(prices, [russell, eth], russell, "D")
    weekly = _returns(prices, [russell, eth], russell, "W")
    if len(daily) < 90:
        raise NotTestable(f"{eth} and {russell} share only {len(daily)} daily returns")
    numbers: dict[str, object] = {"level_claimed": level}
    numbers["daily_corr"] = estimate_correlation(daily[eth], daily[russell]).pearson
    numbers["weekly_corr"] = estimate_correlation(weekly[eth], weekly[russell]).pearson
    for w in (30, 90):
        roll = rolling_correlation(daily[eth], daily[russell], w).dropna()
        numbers[f"rolling_{w}_share_at_least"] = float((roll >= level).mean())
        numbers[f"rolling_{w}_max"] = float(roll.max())
        numbers[f"rolling_{w}_median"] = float(roll.median())
        numbers[f"rolling_{w}_latest"] = float(roll.iloc[-1])
        if w == 90:
            roll90 = rolling_correlation(daily[eth], daily[russell], w)
    breakouts = find_breakouts(prices.closes[russell].dropna(), base=int(p.get("base", 250))).events["date"]
    after = []
    for d in breakouts[breakouts >= daily.index[0]]:  # a few events, those with ETH data
        pos = daily.index.searchsorted(d)
        end = pos + 89
        if pos < len(daily) and end < len(daily) and np.isfinite(roll90.iloc[end]):
            after.append(float(roll90.iloc[end]))
            numbers[f"corr_90_after_{d:%Y-%m-%d}"] = float(roll90.iloc[end])
    numbers["n_similar_periods"] = len(after)
    full = max(numbers["daily_corr"], numbers["weekly_corr"])
    share90 = numbers["rolling_90_share_at_least"]
    similar = float(np.median(after)) if after else np.nan
    if full >= level - ROUND_CORR or (after and similar >= level - ROUND_CORR):
        verdict = SUPPORTED
    elif share90 >= 0.05 or (after and max(after) >= level - ROUND_CORR):
        verdict = MIXED
    else:
        verdict = CONTRADICTED
    sim_text = (f"median {similar:.2f} in the 90 sessions after {len(after)} breakout(s)" if after
                else "no breakout with 90 sessions of ETH data")
    reason = (f"{eth} vs {russell} (log returns on the equity calendar): daily {numbers['daily_corr']:.2f}, "
              f"weekly {numbers['weekly_corr']:.2f}; rolling 90-session correlation at least {level:.1f} in "
              f"{share90:.0%} of windows (30-session: {numbers['rolling_30_share_at_least']:.0%}); {sim_text}.")
    return Verdict(claim, verdict, reason, n=len(daily), numbers=numbers, proxy=f"{eth} vs {russell}",
                   window=span_text(daily.index))


def _cap_correlations(prices: PriceData, russell: str, roles, end: pd.Timestamp, years: int) -> dict[str, object]:
    """Levels and return correlations of the BTC(+ETH) market-cap proxy with ``russell`` over the
    ``years`` years to ``end``."""
    cols = [russell, roles.btc] + ([roles.eth] if roles.eth else [])
    closes = prices.closes[cols]
    start = end - pd.DateOffset(years=years)
    if max(closes[c].first_valid_index() for c in cols) > start:
        raise NotTestable(f"{', '.join(cols)} do not all cover the {years} years to {end:%Y-%m-%d}")
    cut = closes.loc[start:end]
    cap = cut[roles.btc] * BTC_SUPPLY + (cut[roles.eth] * ETH_SUPPLY if roles.eth else 0.0)
    frame = pd.DataFrame({"cap": cap, "russell": cut[russell]})
    levels = sample_on_calendar(frame, frame["russell"].dropna().index).dropna()
    daily = compute_returns(frame, calendar=["russell"], kind="log", freq="D").dropna()
    weekly = compute_returns(frame, calendar=["russell"], kind="log", freq="W").dropna()
    return {"start": levels.index.min(), "end": levels.index.max(), "n_weeks": len(weekly),
            "levels_corr": float(levels["cap"].corr(levels["russell"])),
            "daily_returns_corr": estimate_correlation(daily["cap"], daily["russell"]).pearson,
            "weekly_returns_corr": estimate_correlation(weekly["cap"], weekly["russell"]).pearson}


def judge_market_cap(claim: Claim, prices: PriceData, **_: object) -> Verdict:
    """The crypto market cap tracked the Russell 2000 closely over the ``years`` years before the
    claim: correlation of levels (which a common trend inflates) vs of weekly returns. The
    verdict uses the weekly returns; the levels say where a headline could come from."""
    p = claim.parameters
    years, close = int(p["years"]), float(p["close"])
    roles = crypto_roles(prices)
    russell = pick_russell(prices)
    cols = [russell, roles.btc] + ([roles.eth] if roles.eth else [])
    data_end = min(prices.closes[c].last_valid_index() for c in cols)
    if data_end < claim.said_on:  # the index stops early: the ETF may reach the claim date
        russell = pick_russell(prices, latest=True)
        cols[0] = russell
        data_end = min(prices.closes[c].last_valid_index() for c in cols)
    if data_end < claim.said_on:
        raise NotTestable(f"{', '.join(cols)} end {data_end:%Y-%m-%d}, before {claim.date}: the two years "
                          "before the claim are not all loaded")
    end = claim.said_on
    cap_name = "BTC+ETH market cap" if roles.eth else "BTC market cap"
    at = _cap_correlations(prices, russell, roles, end, years)
    numbers: dict[str, object] = {
        "years": years, "close_claimed": close, "market_cap_proxy": f"{cap_name} at constant supply",
        "btc_supply": BTC_SUPPLY, "eth_supply": ETH_SUPPLY if roles.eth else None,
        "levels_corr": at["levels_corr"], "daily_returns_corr": at["daily_returns_corr"],
        "weekly_returns_corr": at["weekly_returns_corr"],
    }
    latest_russell = pick_russell(prices, latest=True)
    latest_end = min(prices.closes[c].last_valid_index() for c in [latest_russell, *cols[1:]])
    if latest_end > end:
        try:
            latest = _cap_correlations(prices, latest_russell, roles, latest_end, years)
            numbers |= {"latest_window_end": f"{latest_end:%Y-%m-%d}", "latest_proxy": latest_russell,
                        "latest_levels_corr": latest["levels_corr"],
                        "latest_weekly_returns_corr": latest["weekly_returns_corr"]}
        except NotTestable:
            pass
    lv, wk = at["levels_corr"], at["weekly_returns_corr"]
    verdict = SUPPORTED if wk >= close else (MIXED if lv >= close else CONTRADICTED)
    headline = "levels" if lv > wk else "returns"
    numbers["headline_definition"] = headline
    reason = (f"{cap_name} (constant supply) vs {russell}, {at['start']:%Y-%m-%d} to {at['end']:%Y-%m-%d}: "
              f"levels correlate {lv:.2f}, weekly returns {wk:.2f}, daily returns "
              f"{at['daily_returns_corr']:.2f}. The {headline} give the closer fit"
              + ("; levels share any common trend, so only returns show tracking."
                 if headline == "levels" else ".")
              + ("" if max(lv, wk) >= close else f" Neither reaches {close:.1f}."))
    return Verdict(claim, verdict, reason, n=int(at["n_weeks"]), numbers=numbers,
                   proxy=f"{cap_name} vs {russell}", window=f"{at['start']:%Y-%m-%d} to {at['end']:%Y-%m-%d}")


def judge_granger(claim: Claim, prices: PriceData, **_: object) -> Verdict:
    """One side's past returns help predict the other's (Granger test from
    :func:`core.estimation.granger_tests`), daily and weekly."""
    p = claim.parameters
    direction = str(p["direction"])  # "crypto_to_russell" or "russell_to_crypto"
    daily_lag, weekly_lag = int(p.get("daily_lag", 5)), int(p.get("weekly_lag", 4))
    russell = pick_russell(prices, latest=True)
    btc = crypto_roles(prices).btc
    column = "asset_to_market_p" if direction == "crypto_to_russell" else "market_to_asset_p"
    numbers: dict[str, object] = {"direction": direction}
    judged, parts, n = [], [], 0
    window = ""
    for freq, lag in (("D", daily_lag), ("W", weekly_lag)):
        rets = _returns(prices, [russell, btc], russell, freq)
        if len(rets) < MIN_GRANGER_OBS[freq]:
            raise NotTestable(f"{btc} and {russell} share {len(rets)} {'daily' if freq == 'D' else 'weekly'} "
                              f"returns, fewer than {MIN_GRANGER_OBS[freq]}: too short to judge a lead")
        result = granger_tests(rets[btc], rets[russell], max_lag=lag)
        pv = float(result.table.loc[lag, column])
        name = "daily" if freq == "D" else "weekly"
        numbers[f"{name}_p"] = pv
        numbers[f"{name}_lags"] = lag
        numbers[f"{name}_n"] = int(result.table.loc[lag, "n"])
        numbers["covariance"] = getattr(result, "cov_label", getattr(result, "cov_type", "F-test (i.i.d.)"))
        judged.append(pv < 0.05)
        parts.append(f"{name} p = {pv:.3f} ({lag} lags, n = {int(result.table.loc[lag, 'n'])})")
        if freq == "D":
            n, window = len(rets), span_text(rets.index)
    verdict = SUPPORTED if all(judged) else (MIXED if any(judged) else CONTRADICTED)
    lead, follow = (btc, russell) if direction == "crypto_to_russell" else (russell, btc)
    reason = (f"Do past {lead} returns help predict {follow}'s? {'; '.join(parts)}; "
              f"covariance {numbers['covariance']}.")
    if direction == "crypto_to_russell":
        reason += (" Crypto's daily close comes about 4 hours after the US close, so a daily lead of crypto "
                   "partly reflects news that US stocks price the next session.")
    return Verdict(claim, verdict, reason, n=n, numbers=numbers, proxy=f"{btc} vs {russell}", window=window)
