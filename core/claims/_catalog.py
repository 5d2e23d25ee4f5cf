"""The claims, declared as data: what was said, by whom, when, and how it is tested.

The quotes are the ones market news and commentary made in 2025-2026 about the Russell 2000
and crypto; the outlets were not recorded with them, so ``source`` names the kind of source.

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

from core.claims._base import Claim

NEWS_JAN_2026 = "market news, January 2026"
NEWS_SEP_2025 = "market news, September 2025"
COMMENTARY = "crypto market commentary, 2025-2026"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="streak_10_longest_since_1990",
        title="10 straight sessions, longest since 1990",
        quote="The Russell 2000 beat the S&P 500 for 10 straight sessions, the longest run since 1990.",
        source=NEWS_JAN_2026, date="2026-01-15",
        asserts="A 10-session outperformance streak of the Russell 2000 over the S&P 500 ending mid-January "
                "2026 had no streak at least as long since 1990, at the date and after it ended.",
        test="streak", params=(("length", 10), ("since", 1990), ("freq", "D"), ("kind", "outperformance")),
    ),
    Claim(
        id="streak_9_longest_since_2017",
        title="9 straight sessions, longest since 2017",
        quote="Small caps outperformed for nine consecutive days, the longest such streak since 2017.",
        source=NEWS_JAN_2026, date="2026-01-14",
        asserts="A 9-session outperformance streak of the Russell 2000 over the S&P 500 in January 2026 "
                "had no streak at least as long since 2017.",
        test="streak", params=(("length", 9), ("since", 2017), ("freq", "D"), ("kind", "outperformance")),
    ),
    Claim(
        id="record_high_first_since_2021",
        title="First record high since 2021",
        quote="The Russell 2000 closed at its first record high since 2021.",
        source=NEWS_SEP_2025, date="2025-09-18",
        asserts="The Russell 2000's record close in September 2025 was its first since a 2021 high.",
        test="record_high", params=(("since", 2021),),
    ),
    Claim(
        id="weekly_gain_7_longest_since_2020",
        title="7 straight weekly gains, longest since 2020",
        quote="A seventh straight weekly gain, the longest winning streak since 2020.",
        source=NEWS_SEP_2025, date="2025-09-19",
        asserts="The Russell 2000 rose 7 weeks in a row to September 2025, with no run of weekly gains at "
                "least as long since 2020.",
        test="streak", params=(("length", 7), ("since", 2020), ("freq", "W"), ("kind", "gain")),
    ),
    Claim(
        id="up_7pct_first_15_days_2026",
        title="Up 7% in the first 15 days of 2026",
        quote="The Russell 2000 is up 7% in the first 15 days of 2026.",
        source=NEWS_JAN_2026, date="2026-01-15",
        asserts="The Russell 2000 gained at least 7% from the last 2025 close over the first 15 days of 2026 "
                "(calendar days and sessions).",
        test="start_of_year", params=(("year", 2026), ("gain", 0.07), ("days", 15), ("sessions", 15)),
    ),
    Claim(
        id="up_9pct_first_three_weeks_2026",
        title="Up 9% in the first three weeks of 2026",
        quote="The Russell 2000 is up 9% in the first three weeks of the year.",
        source=NEWS_JAN_2026, date="2026-01-22",
        asserts="The Russell 2000 gained at least 9% from the last 2025 close over the first three weeks of "
                "2026 (21 calendar days and 15 sessions).",
        test="start_of_year", params=(("year", 2026), ("gain", 0.09), ("days", 21), ("sessions", 15)),
    ),
    Claim(
        id="breakouts_2016_2020_btc_bull",
        title="2016 and 2020 breakouts, then Bitcoin bull markets",
        quote="The Russell breakouts of 2016 and 2020 were followed by Bitcoin bull markets.",
        source=COMMENTARY, date="2026-01-15",
        asserts="BTC rose at least 20% in the 12 months (252 sessions) after the 2016 and the 2020 Russell "
                "breakouts (first record close after a 250-session base).",
        test="breakout_btc", params=(("years", (2016, 2020)), ("base", 250), ("horizon", 252), ("bull", 0.20)),
    ),
    Claim(
        id="breakouts_altcoin_rallies",
        title="Breakouts preceded altcoin rallies of 20% to 5x",
        quote="Previous Russell breakouts preceded altcoin rallies of 20% to 5x.",
        source=COMMENTARY, date="2026-01-15",
        asserts="After each Russell breakout the altcoin basket peaked at least 20% (up to 5x) higher within "
                "12 months, more often than after a random session.",
        test="breakout_alts", params=(("base", 250), ("horizon", 252), ("low", 0.20), ("high", 4.0)),
    ),
    Claim(
        id="eth_russell_correlation_07",
        title="ETH correlates 0.7 with the Russell 2000",
        quote="ETH/USD has shown a 0.7 correlation with the Russell 2000 during similar periods.",
        source=COMMENTARY, date="2026-01-15",
        asserts="ETH's return correlation with the Russell 2000 is about 0.7, at least in periods like a "
                "small-cap breakout.",
        test="eth_correlation", params=(("level", 0.7), ("base", 250)),
    ),
    Claim(
        id="crypto_cap_tracks_russell",
        title="Crypto market cap tracks the Russell 2000",
        quote="The crypto market cap has tracked the Russell 2000 closely over the past two years.",
        source=COMMENTARY, date="2026-01-15",
        asserts="Over the last two years the crypto market cap and the Russell 2000 correlate at 0.7 or more.",
        test="market_cap", params=(("years", 2), ("close", 0.7)),
    ),
    Claim(
        id="spread_5pct_alt_dominance_rises",
        title="Small caps +5% ahead, altcoin dominance +2-3 points",
        quote="When small caps beat large caps by more than 5% in a short period, altcoin dominance tends "
              "to rise 2-3%.",
        source=COMMENTARY, date="2026-01-15",
        asserts="After the Russell's 10-session lead over the S&P 500 first exceeds 5 points, altcoin "
                "dominance rises 2-3 points over the next month, more than after a random session.",
        test="spread_dominance",
        params=(("window", 10), ("threshold", 0.05), ("horizon", 21), ("rise", 0.02), ("rise_high", 0.03)),
    ),
    Claim(
        id="crypto_leads_small_caps",
        title="Crypto leads small caps",
        quote="Crypto may lead small caps.",
        source=COMMENTARY, date="2026-01-15",
        asserts="Past BTC returns help predict the Russell 2000's (Granger), daily and weekly.",
        test="granger", params=(("direction", "crypto_to_russell"), ("daily_lag", 5), ("weekly_lag", 4)),
    ),
    Claim(
        id="small_caps_lead_crypto",
        title="Small caps lead crypto",
        quote="Small caps lead crypto.",
        source=COMMENTARY, date="2026-01-15",
        asserts="Past Russell 2000 returns help predict BTC's (Granger), daily and weekly.",
        test="granger", params=(("direction", "russell_to_crypto"), ("daily_lag", 5), ("weekly_lag", 4)),
    ),
)
