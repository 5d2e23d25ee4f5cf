"""Parameter tables of the market model and of a scenario's regimes, as the engine uses them.

Annual figures are daily log figures times :data:`core.conventions.TRADING_DAYS` (drifts) or
times its square root (vols). The per-regime table is read from
:func:`core.montecarlo.regime_parameters`, the very arrays the engine simulates with, so the
page can never show a formula that drifted away from the engine's.

Offers
------
calibrated_reference
    The calibrated value of each optional scenario field, in scenario units.
calibrated_table
    Per asset: annual alpha, beta to the Russell, loading on BTC's residual, residual vol, tail df.
alpha_table
    Per crypto asset: sample alpha, its HAC standard error, the shrinkage factor, the alpha used.
comovement_table
    Per crypto asset: beta and correlation with the Russell, model-implied beside historical.
mean_alt_residual_corr
    Mean pairwise correlation of the altcoin residuals.
regime_table
    Per regime: the scenario applied to the model (Russell drift and vol, betas up and down,
    alphas, vols, tails, jumps, mean spell, long-run share).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.calibration import MarketModel
from core.conventions import TRADING_DAYS
from core.montecarlo import regime_parameters
from core.regimes import mean_spell_length, stationary_distribution
from core.scenario import Scenario

__all__ = ["ALPHA_COLUMNS", "CALIBRATED_COLUMNS", "COMOVEMENT_COLUMNS", "alpha_table", "calibrated_reference",
           "calibrated_table", "comovement_table", "mean_alt_residual_corr", "regime_table"]

#: Columns of :func:`calibrated_table`.
CALIBRATED_COLUMNS: tuple[str, ...] = (
    "alpha (/yr)", "beta to Russell", "loading on BTC residual", "residual vol (/yr)", "tail df", "n obs",
)


def calibrated_reference(model: MarketModel) -> dict[str, float]:
    """Calibrated value of each optional scenario field, in scenario units.

    Returns
    -------
    dict
        ``btc_alpha`` and ``alt_alpha`` (annual log drift; the altcoin value is the mean
        over the tokens), ``btc_beta``, ``alt_beta`` (mean over the tokens), ``df`` (pooled
        crypto tail df), ``russell_df``, ``annual_vol`` (Russell, annual).
    """
    return {
        "btc_alpha": TRADING_DAYS * model.btc_alpha,
        "btc_beta": model.btc_beta,
        "alt_alpha": TRADING_DAYS * float(model.alt_alpha.mean()),
        "alt_beta": float(model.alt_beta.mean()),
        "df": model.crypto_df,
        "russell_df": float(model.tail_df[model.russell]),
        "annual_vol": model.russell_vol_annual,
    }


def calibrated_table(model: MarketModel) -> pd.DataFrame:
    """The calibrated model per asset, annualized.

    Returns
    -------
    pandas.DataFrame
        Index ``model.assets`` (Russell, BTC, altcoins); columns :data:`CALIBRATED_COLUMNS`:
        ``alpha (/yr)`` (Russell: its mean log return; others: the OLS intercept, times
        TRADING_DAYS), ``beta to Russell`` and ``loading on BTC residual`` (NaN where they do
        not apply), ``residual vol (/yr)`` (daily times sqrt(TRADING_DAYS); Russell: its vol),
        ``tail df`` and ``n obs`` (sessions with data per asset).
    """
    ann = math.sqrt(TRADING_DAYS)
    alts = list(model.alts)
    alpha = [model.russell_mu * TRADING_DAYS, model.btc_alpha * TRADING_DAYS,
             *(model.alt_alpha.reindex(alts).to_numpy() * TRADING_DAYS)]
    beta = [math.nan, model.btc_beta, *model.alt_beta.reindex(alts).to_numpy()]
    loading = [math.nan, math.nan, *model.alt_loading.reindex(alts).to_numpy()]
    vol = [model.russell_sigma * ann, model.btc_sigma * ann, *(model.alt_sigma.reindex(alts).to_numpy() * ann)]
    assets = list(model.assets)
    table = pd.DataFrame(
        {"alpha (/yr)": alpha, "beta to Russell": beta, "loading on BTC residual": loading,
         "residual vol (/yr)": vol, "tail df": model.tail_df.reindex(assets).to_numpy(dtype=float),
         "n obs": model.n_obs_per_asset.reindex(assets).to_numpy()},
        index=assets,
    )
    return table.astype({c: float for c in CALIBRATED_COLUMNS[:-1]})


#: Columns of :func:`alpha_table`.
ALPHA_COLUMNS: tuple[str, ...] = ("sample alpha (/yr)", "HAC s.e. (/yr)", "t-stat", "shrinkage factor",
                                  "alpha used (/yr)")
#: Columns of :func:`comovement_table`.
COMOVEMENT_COLUMNS: tuple[str, ...] = ("beta, history", "beta, model", "corr, history", "corr, model")


def _diagnostic(series: pd.Series | None, index: list[str]) -> np.ndarray:
    if series is None:
        return np.full(len(index), np.nan)
    return series.reindex(index).to_numpy(dtype=float)


def alpha_table(model: MarketModel) -> pd.DataFrame:
    """Sample alphas beside the shrunk ones the engine uses, annualized (log drift per year).

    Returns
    -------
    pandas.DataFrame
        Index ``model.crypto`` (BTC, altcoins); columns :data:`ALPHA_COLUMNS`: the OLS intercept
        on the calibration window and its Newey-West (HAC) standard error, both times
        TRADING_DAYS; their ratio; the empirical-Bayes factor ``k`` in [0, 1]
        (:func:`core.calibration.shrink_alphas`); and the alpha used, ``k x sample``. NaN where
        the model carries no fit diagnostics (a model built by hand).
    """
    crypto = list(model.crypto)
    sample = _diagnostic(model.alpha_sample, crypto) * TRADING_DAYS
    se = _diagnostic(model.alpha_se, crypto) * TRADING_DAYS
    used = np.array([model.btc_alpha, *model.alt_alpha.reindex(list(model.alts)).to_numpy(dtype=float)])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = sample / se
    return pd.DataFrame(
        {ALPHA_COLUMNS[0]: sample, ALPHA_COLUMNS[1]: se, ALPHA_COLUMNS[2]: t,
         ALPHA_COLUMNS[3]: _diagnostic(model.alpha_shrinkage, crypto), ALPHA_COLUMNS[4]: used * TRADING_DAYS},
        index=crypto,
    )


def comovement_table(model: MarketModel) -> pd.DataFrame:
    """How each crypto asset moves with the Russell: the model beside the history, same window.

    Returns
    -------
    pandas.DataFrame
        Index ``model.crypto``; columns :data:`COMOVEMENT_COLUMNS`: the OLS beta of the daily
        log return on the Russell's and their Pearson correlation on the calibration window
        (``historical_beta``, ``historical_corr``), and the model's ``d log T / d log R`` and
        ``corr(log T, log R)`` (:meth:`MarketModel.implied_beta`, :meth:`MarketModel.implied_corr`).
    """
    crypto = list(model.crypto)
    return pd.DataFrame(
        {COMOVEMENT_COLUMNS[0]: _diagnostic(model.historical_beta, crypto),
         COMOVEMENT_COLUMNS[1]: model.implied_beta().reindex(crypto).to_numpy(dtype=float),
         COMOVEMENT_COLUMNS[2]: _diagnostic(model.historical_corr, crypto),
         COMOVEMENT_COLUMNS[3]: model.implied_corr().reindex(crypto).to_numpy(dtype=float)},
        index=crypto,
    )


def mean_alt_residual_corr(model: MarketModel) -> float:
    """Mean off-diagonal entry of the altcoin residual correlation matrix (NaN with one altcoin).

    ``(sum(C) - trace(C)) / (n^2 - n)`` for the ``n x n`` matrix ``C``.
    """
    c = model.alt_residual_corr.to_numpy(dtype=float)
    n = c.shape[0]
    if n < 2:
        return math.nan
    return float((c.sum() - np.trace(c)) / (n * n - n))


def regime_table(model: MarketModel, scenario: Scenario, horizon: int) -> pd.DataFrame:
    """Per-regime parameters the engine uses, annualized (rows quantities, columns regimes).

    Read from :func:`core.montecarlo.regime_parameters`. Annual drifts are ``TRADING_DAYS x``
    daily log drifts and vols ``sqrt(TRADING_DAYS) x`` daily; altcoin rows average the
    tokens (each token keeps its own calibrated value unless the scenario sets one for all).
    The Russell drift is the mean over the horizon of the path's base daily drift (target,
    phases or calibrated) plus the regime's shift. Down-day betas are the up-day betas times
    the regime's downside factor.

    Parameters
    ----------
    model : MarketModel
    scenario : Scenario
    horizon : int
        Trading days simulated.

    Returns
    -------
    pandas.DataFrame
        Columns the regime names; rows, in order: Russell drift (log, /yr, horizon mean),
        Russell vol (/yr), Russell tail df, BTC alpha (log, /yr), BTC beta up/down days, BTC
        residual vol (/yr), altcoin alpha, beta up/down, loading on BTC residual, residual vol
        (means over tokens), crypto tail df, jumps per year per token, mean jump (log), jump std
        dev (log), mean spell (days), long-run share of days.
    """
    prm = regime_parameters(model, scenario, horizon)
    ann = math.sqrt(TRADING_DAYS)
    base_drift = float(np.mean(prm.russell_drift))
    alt = slice(2, None)
    rows = {
        "Russell drift (log, /yr, horizon mean)": (base_drift + prm.alpha[0]) * TRADING_DAYS,
        "Russell vol (/yr)": prm.vol[0] * ann,
        "Russell tail df": prm.russell_df,
        "BTC alpha (log, /yr)": prm.alpha[1] * TRADING_DAYS,
        "BTC beta, up days": prm.beta[1],
        "BTC beta, down days": prm.beta[1] * prm.downside,
        "BTC residual vol (/yr)": prm.vol[1] * ann,
        "Altcoin alpha (log, /yr, mean)": prm.alpha[alt].mean(axis=0) * TRADING_DAYS,
        "Altcoin beta, up days (mean)": prm.beta[alt].mean(axis=0),
        "Altcoin beta, down days (mean)": prm.beta[alt].mean(axis=0) * prm.downside,
        "Altcoin loading on BTC residual (mean)": prm.loading[alt].mean(axis=0),
        "Altcoin residual vol (/yr, mean)": prm.vol[alt].mean(axis=0) * ann,
        "Crypto tail df": prm.df,
        "Jumps per year per token": prm.jump_rate * TRADING_DAYS,
        "Mean jump (log)": prm.jump_mean,
        "Jump std dev (log)": prm.jump_vol,
        "Mean spell (days)": mean_spell_length(scenario.transition),
        "Long-run share of days": stationary_distribution(scenario.transition),
    }
    return pd.DataFrame(rows, index=list(prm.regimes)).T
