"""The first page's numbers: today's state of the small-cap / crypto story and every claim's verdict.

:func:`overview` answers "does a Russell breakout signal altcoin season?" from one call: the
current outperformance streak, the last breakout and the time since, today's 90-session
BTC/Russell correlation against its own history, today's altcoin season index, today's fitted
regime (:mod:`core.regime_fit`), the verdict of every claim in :mod:`core.claims`, and a short answer built from the claims that bear on
the question. The landing page renders it; ``python -m core claims`` prints it as ``today``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.altseason import AltseasonIndex, altseason_index
from core.claims import (
    CLAIMS,
    CONTRADICTED,
    NOT_TESTABLE,
    SUPPORTED,
    VERDICTS,
    Claim,
    Verdict,
    evaluate_claims,
)
from core.data import PriceData
from core.errors import ExplorerError
from core.estimation import rolling_correlation
from core.events import CurrentStreak, compute_pair_returns, find_breakouts, find_streaks
from core.regime_fit import RegimeFit, fit_regimes
from core.returns import compute_returns
from core.roles import assign_roles
from core.tickers import is_crypto

__all__ = ["QUESTION", "ANSWER_CLAIMS", "CORR_WINDOW", "BREAKOUT_BASE", "Overview", "overview", "answer"]

#: The question the app answers.
QUESTION = "Does a Russell 2000 breakout signal altcoin season?"
#: Claims whose verdicts answer the question directly: what altcoins did after small-cap events
#: (the others are about the premise: streaks, records, correlations, BTC).
ANSWER_CLAIMS: tuple[str, ...] = ("breakouts_altcoin_rallies", "spread_5pct_alt_dominance_rises")
#: Window of today's BTC/Russell correlation, sessions.
CORR_WINDOW = 90
#: Base of "the last breakout", sessions without a new high before it.
BREAKOUT_BASE = 250


@dataclass(frozen=True, eq=False)
class Overview:
    """Today's state and every claim's verdict.

    Attributes
    ----------
    russell, sp : str or None
        The Russell and S&P proxies of today's state (None when not loaded).
    last_session : pandas.Timestamp or None
        Last session of the pair.
    streak : CurrentStreak or None
        The run of sessions in which ``russell`` beat ``sp`` that includes the last session.
    last_breakout : pandas.Timestamp or None
        Last first-close-above-the-prior-high after :data:`BREAKOUT_BASE` sessions without one.
    sessions_since_breakout, days_since_breakout : int or None
        Sessions (of ``russell``) and calendar days from it to ``last_session``.
    corr_asset : str or None
        The crypto ticker of the correlation (BTC).
    corr_today : float
        Correlation of daily log returns of ``corr_asset`` and ``russell`` over the last
        :data:`CORR_WINDOW` sessions (NaN when not computable).
    corr_date : pandas.Timestamp or None
        Session it ends on.
    corr_percentile : float
        Share of all earlier and current windows with a correlation at or below today's, in [0, 1].
    corr_n_windows : int
        Windows in that history; ``corr_history_start`` the end of the first.
    corr_history_start : pandas.Timestamp or None
    altseason : AltseasonIndex or None
        The altcoin season index of the loaded coins (None without BTC and an altcoin).
    regime : RegimeFit or None
        Markov-switching fit of ``russell``'s daily log returns (:func:`core.regime_fit.fit_regimes`);
        None when not asked for or not computable.
    regime_state : str or None
        Today's most probable state (filtered probabilities on the last session).
    regime_probability : float
        Its filtered probability (NaN without a fit).
    verdicts : tuple of Verdict
        One per claim, in :data:`core.claims.CLAIMS` order.
    counts : mapping of str to int
        Verdicts per kind, every kind of :data:`core.claims.VERDICTS` present (0 allowed).
    answer : str
        The short answer to :data:`QUESTION` from the :data:`ANSWER_CLAIMS` verdicts.
    notes : tuple of str
        What could not be computed and why.
    """

    russell: str | None
    sp: str | None
    last_session: pd.Timestamp | None
    streak: CurrentStreak | None
    last_breakout: pd.Timestamp | None
    sessions_since_breakout: int | None
    days_since_breakout: int | None
    corr_asset: str | None
    corr_today: float
    corr_date: pd.Timestamp | None
    corr_percentile: float
    corr_n_windows: int
    corr_history_start: pd.Timestamp | None
    altseason: AltseasonIndex | None
    regime: RegimeFit | None
    regime_state: str | None
    regime_probability: float
    verdicts: tuple[Verdict, ...]
    counts: Mapping[str, int]
    answer: str
    notes: tuple[str, ...]

    def verdict(self, claim_id: str) -> Verdict:
        """The verdict of one claim by id (``KeyError`` naming the id when absent)."""
        for v in self.verdicts:
            if v.id == claim_id:
                return v
        raise KeyError(f"no claim {claim_id!r}; claims: {[v.id for v in self.verdicts]}")


def answer(verdicts: Sequence[Verdict]) -> str:
    """One sentence answering :data:`QUESTION` from the verdicts of :data:`ANSWER_CLAIMS`.

    Yes when at least one is supported and none contradicted; no when at least one is
    contradicted and none supported; mixed when both; "cannot tell" otherwise.
    """
    key = [v for v in verdicts if v.id in ANSWER_CLAIMS]
    kinds = {v.verdict for v in key}
    if SUPPORTED in kinds and CONTRADICTED not in kinds:
        head = "Yes, on the loaded data"
    elif CONTRADICTED in kinds and SUPPORTED not in kinds:
        head = "No: the loaded history does not show it"
    elif SUPPORTED in kinds:
        head = "Mixed: some evidence for, some against"
    else:
        head = "Cannot tell from the loaded data"
    detail = "; ".join(f"{v.claim.title}: {v.verdict.replace('_', ' ')}"
                       + (f" (n = {v.n})" if v.verdict != NOT_TESTABLE else "") for v in key)
    return f"{head}. {detail}." if detail else f"{head}."


def _streak_state(closes: pd.DataFrame, russell: str, sp: str) -> tuple[CurrentStreak, pd.Timestamp]:
    daily = compute_pair_returns(closes[russell], closes[sp])
    table = find_streaks(daily["leader"], daily["laggard"])
    return table.current, pd.Timestamp(table.last_session)


def _correlation_state(closes: pd.DataFrame, russell: str, btc: str) -> dict[str, object]:
    rets = compute_returns(closes[[russell, btc]], calendar=[russell], kind="log", freq="D")
    roll = rolling_correlation(rets[btc], rets[russell], CORR_WINDOW).dropna()
    if roll.empty:
        raise ExplorerError(f"{btc} and {russell} share fewer than {CORR_WINDOW} daily returns")
    today = float(roll.iloc[-1])
    return {"corr_today": today, "corr_date": pd.Timestamp(roll.index[-1]),
            "corr_percentile": float((roll.to_numpy() <= today).mean()), "corr_n_windows": len(roll),
            "corr_history_start": pd.Timestamp(roll.index[0])}


def today_regime(closes: pd.DataFrame, russell: str) -> dict[str, object]:
    """Today's fitted regime of ``russell``: ``{"regime": RegimeFit, "regime_state", "regime_probability"}``.

    The Markov-switching fit (:func:`core.regime_fit.fit_regimes`) of the proxy's daily log
    returns and its most probable state on the last session (filtered probability).

    Raises
    ------
    RegimeFitError
        Too little history or no fit that converged (the message says which).
    """
    returns = compute_returns(closes[[russell]], calendar=[russell], kind="log")[russell]
    fit = fit_regimes(returns)
    best = int(np.argmax(fit.last_probabilities))
    return {"regime": fit, "regime_state": fit.names[best], "regime_probability": float(fit.last_probabilities[best])}


def overview(
    prices: PriceData,
    russell: str | None = None,
    sp: str | None = None,
    *,
    claims: Sequence[Claim] = CLAIMS,
    seed: int = 0,
    n_boot: int = 2000,
    regime: bool = True,
) -> Overview:
    """Today's state on ``russell``/``sp`` and the verdict of every claim, from full-history prices.

    Parameters
    ----------
    prices : PriceData
        All history of the claims' tickers (:func:`core.claims.claim_tickers`) and of
        ``russell``, ``sp`` and the crypto tickers to show; nothing is loaded here.
    russell, sp : str, optional
        Proxies of today's state (e.g. the sidebar's); default IWM and SPY when loaded.
    claims : sequence of Claim
        The claims to judge (default all).
    seed, n_boot : int
        Seed and draws of the claims' event studies.
    regime : bool, default True
        Fit today's regime (about 10 s of CPU for 20 years of sessions).

    Returns
    -------
    Overview
        Parts that cannot be computed are None/NaN with a note; the claims always evaluate.
    """
    closes = prices.closes
    russell = russell if russell is not None else "IWM"
    sp = sp if sp is not None else "SPY"
    notes: list[str] = []
    state: dict[str, object] = {"streak": None, "last_session": None, "last_breakout": None,
                                "sessions_since_breakout": None, "days_since_breakout": None,
                                "corr_asset": None, "corr_today": np.nan, "corr_date": None,
                                "corr_percentile": np.nan, "corr_n_windows": 0, "corr_history_start": None,
                                "altseason": None, "regime": None, "regime_state": None,
                                "regime_probability": np.nan}
    have = [c for c in (russell, sp) if c in closes.columns and closes[c].notna().any()]
    if len(have) < 2:
        notes.append(f"today's streak and breakout need {russell} and {sp}; loaded: {', '.join(closes.columns)}")
    else:
        try:
            state["streak"], state["last_session"] = _streak_state(closes, russell, sp)
            series = closes[russell].dropna()
            events = find_breakouts(series, base=BREAKOUT_BASE).events
            if len(events):
                last = pd.Timestamp(events["date"].iloc[-1])
                state["last_breakout"] = last
                state["sessions_since_breakout"] = int((series.index > last).sum())
                state["days_since_breakout"] = int((series.index[-1] - last).days)
            else:
                notes.append(f"no {russell} breakout after a {BREAKOUT_BASE}-session base in the loaded data")
        except ExplorerError as exc:
            notes.append(f"streak and breakout: {exc}")
    crypto = [c for c in closes.columns if is_crypto(str(c)) and closes[c].notna().any()]
    try:
        btc = assign_roles(crypto, need_alts=False).btc
        state["corr_asset"] = btc
        if russell in have:
            state |= _correlation_state(closes, russell, btc)
    except ExplorerError as exc:
        notes.append(f"today's correlation: {exc}")
    try:
        state["altseason"] = altseason_index(closes, crypto)
    except ExplorerError as exc:
        notes.append(f"altcoin season index: {exc}")
    if regime and russell in have:
        try:
            state |= today_regime(closes, russell)
        except ExplorerError as exc:
            notes.append(f"today's regime: {exc}")
    verdicts = evaluate_claims(prices, claims, seed=seed, n_boot=n_boot)
    counts = {k: sum(v.verdict == k for v in verdicts) for k in VERDICTS}
    return Overview(russell=russell if russell in have else None, sp=sp if sp in have else None,
                    verdicts=verdicts, counts=counts, answer=answer(verdicts), notes=tuple(notes),
                    **state)  # type: ignore[arg-type]
