"""``python -m core estimate``: how one asset moves with a market, as JSON."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from core import estimation as est
from core.adjusted import with_adjusted_closes
from core.commands.common import add_data_arguments, load_from_args, print_json
from core.data import DataError
from core.returns import compute_returns
from core.tickers import DEFAULT_RUSSELL, DEFAULT_SP, is_crypto, normalize_ticker


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``estimate`` subcommand."""
    p = subparsers.add_parser(
        "estimate",
        help="beta, correlation, up/down, Dimson and lead-lag betas, Granger tests and stability of an asset vs a market",
        description=(
            "Log returns on the equity calendar (crypto sampled at the market's sessions, so "
            "weekend moves fold into Monday). Beta intervals and Granger Wald tests are "
            "Newey-West (HAC) with floor(4 (n/100)^(2/9)) lags; the correlation interval is a "
            "stationary block bootstrap (seed 0). Equity closes are dividend-adjusted where the "
            "data has them (see 'closes' in the output)."
        ),
    )
    add_data_arguments(p)
    p.add_argument("--asset", required=True, help="ticker to explain, e.g. BTC-USD")
    p.add_argument("--market", default=DEFAULT_RUSSELL,
                   help=f"market ticker (default {DEFAULT_RUSSELL}; or {DEFAULT_SP}, ^RUT, ...)")
    p.add_argument("--freq", choices=("D", "W", "M"), default="D",
                   help="return frequency: D daily, W weekly, M monthly (default D)")
    p.add_argument("--dimson-lags", type=int, default=1,
                   help="market lags in the Dimson beta (default 1)")
    p.add_argument("--max-lag", type=int, default=5, help="largest Granger lag order (default 5)")
    p.add_argument("--window", type=int, default=90,
                   help="rolling window in sessions for the latest rolling beta (default 90)")
    p.add_argument("--factors", action="store_true",
                   help="also fit loadings on the S&P, the small-cap spread and (for altcoins) BTC")
    p.add_argument("--sp", default=DEFAULT_SP, help=f"S&P proxy for --factors (default {DEFAULT_SP})")
    p.add_argument("--btc", default="BTC-USD", help="BTC ticker for --factors (default BTC-USD)")
    p.add_argument("--closes", choices=("adjusted", "price"), default="adjusted",
                   help="equity closes: 'adjusted' swaps a CSV folder's price-only closes for "
                        "dividend-adjusted ones from a sibling <TICKER>_adjusted*.csv file (in the "
                        "folder or its alt/ subfolder) where one exists; 'price' uses them as "
                        "loaded (default adjusted: betas and correlations of total returns)")
    p.set_defaults(func=run)


def _table_json(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(k): row.to_dict() for k, row in table.iterrows()}


def _factor_json(report: est.RelationshipReport) -> dict[str, Any] | None:
    fit = report.factors
    if fit is None:
        return None
    return {"terms": _table_json(fit.to_frame()), "r2": fit.r2, "n": fit.n,
            "hac_lags": fit.hac_lags, "small_cap": report.factor_russell, "sp": report.factor_sp,
            "btc": report.factor_btc}


def _ci(pair: tuple[float, float] | None) -> list[float] | None:
    return list(pair) if pair is not None else None


def report_json(report: est.RelationshipReport) -> dict[str, Any]:
    """The JSON fields of ``estimate`` computed from a report (no source, warnings or factors).

    Field names and meanings are an interface: add fields, never rename or drop one.
    """
    beta, corr, updown, dimson = report.beta, report.corr, report.updown, report.dimson
    weekly = report.comparison if report.comparison_freq == "W" else None
    granger, lead_lag, lead = report.granger, report.cross, report.lead_lag
    return {
        "asset": report.asset,
        "market": report.market,
        "freq": report.freq,
        "first": beta.start,
        "last": beta.end,
        "n": beta.n,
        "alpha": beta.alpha,
        "alpha_ci": list(beta.alpha_ci),
        "beta": beta.beta,
        "beta_se": beta.beta_se,
        "beta_ci": list(beta.beta_ci),
        "beta_p": beta.beta_p,
        "hac_lags": beta.hac_lags,
        "r2": beta.r2,
        "corr": corr.pearson,
        "corr_ci": list(corr.pearson_ci),
        "corr_ci_method": corr.ci_method,
        "corr_ci_block_length": corr.block_length,
        "corr_ci_n_boot": corr.n_boot,
        "corr_ci_seed": corr.boot_seed,
        "corr_ci_fisher_iid": list(corr.pearson_ci_fisher),
        "corr_p": corr.pearson_p,
        "spearman": corr.spearman,
        "spearman_p": corr.spearman_p,
        "beta_up": updown.beta_up if updown else None,
        "beta_up_ci": _ci(updown.beta_up_ci) if updown else None,
        "beta_down": updown.beta_down if updown else None,
        "beta_down_ci": _ci(updown.beta_down_ci) if updown else None,
        "n_up": updown.n_up if updown else None,
        "n_down": updown.n_down if updown else None,
        "up_capture": updown.up_capture if updown else None,
        "down_capture": updown.down_capture if updown else None,
        "dimson_beta": dimson.beta if dimson else None,
        "dimson_ci": _ci(dimson.beta_ci) if dimson else None,
        "dimson_lags": report.dimson_lags,
        "dimson_se": dimson.beta_se if dimson else None,
        "lead_lag_beta": lead.beta if lead else None,
        "lead_lag_beta_se": lead.beta_se if lead else None,
        "lead_lag_beta_ci": _ci(lead.beta_ci) if lead else None,
        "lead_lag_loadings": ({str(k): {"loading": v, "se": lead.loading_se[k]}
                               for k, v in lead.loadings.items()} if lead else None),
        "lead_lag_hac_lags": lead.hac_lags if lead else None,
        "weekly_beta": weekly.beta if weekly else None,
        "weekly_beta_ci": _ci(weekly.beta_ci) if weekly else None,
        "weekly_n": weekly.n if weekly else None,
        "rolling_window": report.window,
        "rolling_beta_last": report.rolling_beta_last if report.n_rolling else None,
        "rolling_beta_min": report.rolling_beta_min if report.n_rolling else None,
        "rolling_beta_max": report.rolling_beta_max if report.n_rolling else None,
        "lead_lag": ({str(k): v for k, v in lead_lag["corr"].items()} if lead_lag is not None
                     else None),
        "granger_market_to_asset_p": ({str(k): v for k, v in
                                       granger.table["market_to_asset_p"].items()}
                                      if granger else None),
        "granger_asset_to_market_p": ({str(k): v for k, v in
                                       granger.table["asset_to_market_p"].items()}
                                      if granger else None),
        "granger_cov": granger.cov_label if granger else None,
        "granger_market_to_asset_p_homoskedastic": (
            {str(k): v for k, v in granger.table["market_to_asset_p_homoskedastic"].items()}
            if granger else None),
        "granger_asset_to_market_p_homoskedastic": (
            {str(k): v for k, v in granger.table["asset_to_market_p_homoskedastic"].items()}
            if granger else None),
        "by_year": ({str(y): {"corr": row["corr"], "beta": row["beta"], "n": int(row["n"])}
                     for y, row in report.by_year.iterrows()} if report.by_year is not None
                    else None),
        "by_volatility": (_table_json(report.by_volatility) if report.by_volatility is not None
                          else None),
    }


def run(args: argparse.Namespace) -> int:
    """Print the asset-vs-market estimates as one JSON object (see ``--help``)."""
    if args.dimson_lags < 0:
        raise ValueError(f"--dimson-lags must be >= 0, got {args.dimson_lags}")
    if args.max_lag < 1:
        raise ValueError(f"--max-lag must be >= 1, got {args.max_lag}")
    if args.window < est.MIN_OBS:
        raise ValueError(f"--window must be >= {est.MIN_OBS} sessions, got {args.window}")
    asset, market = normalize_ticker(args.asset), normalize_ticker(args.market)
    if asset == market:
        raise ValueError(f"--asset and --market are both {asset!r}; choose two different tickers")
    wanted = [asset, market]
    if args.factors:
        wanted += [normalize_ticker(args.sp), DEFAULT_RUSSELL, normalize_ticker(args.btc)]
    prices = load_from_args(args, list(dict.fromkeys(wanted)))
    adjusted = with_adjusted_closes(prices, args.data_dir if args.source == "csv" else None,
                                    adjust=args.closes == "adjusted")
    prices = adjusted.prices
    for role, ticker in (("asset", asset), ("market", market)):
        if ticker not in prices.closes.columns:
            have = ", ".join(prices.closes.columns)
            raise DataError(f"unknown {role} {ticker!r}: no prices for it from {prices.label} "
                            f"(available: {have})")
    equities = [t for t in prices.closes.columns if not is_crypto(t)]
    calendar = list(dict.fromkeys([market, *equities]))
    returns = compute_returns(prices.closes, calendar=calendar, freq=args.freq)
    weekly = compute_returns(prices.closes, calendar=calendar, freq="W") if args.freq == "D" else None
    russell = market if market != normalize_ticker(args.sp) else DEFAULT_RUSSELL
    report = est.relationship_report(
        returns, asset, market, freq=args.freq,
        comparison_returns=weekly, comparison_freq="W" if weekly is not None else None,
        dimson_lags=args.dimson_lags, granger_max_lag=args.max_lag, window=args.window,
        factor_sp=normalize_ticker(args.sp) if args.factors else None,
        factor_russell=russell if args.factors else None,
        factor_btc=normalize_ticker(args.btc) if args.factors else None,
    )
    out = report_json(report)
    out = {**{k: out[k] for k in ("asset", "market", "freq")},
           "source": prices.label, "is_demo": prices.is_demo,
           **{k: v for k, v in out.items() if k not in ("asset", "market", "freq")}}
    out["closes"] = {t: adjusted.basis[t].to_json() for t in (asset, market) if t in adjusted.basis}
    out["warnings"] = [*prices.warnings, *(f"{part}: {why}" for part, why in report.notes)]
    if args.factors:
        out["factor_loadings"] = _factor_json(report)
    print_json(out)
    return 0
