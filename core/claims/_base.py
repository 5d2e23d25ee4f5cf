"""What a claim is, what a verdict is, and the rules shared by every test.

Private module; import from :mod:`core.claims`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.errors import ExplorerError

#: The five verdicts, in the order a reader weighs them.
SUPPORTED, CONTRADICTED, MIXED, TOO_FEW, NOT_TESTABLE = (
    "supported", "contradicted", "mixed", "too_few_cases", "not_testable")
VERDICTS: tuple[str, ...] = (SUPPORTED, CONTRADICTED, MIXED, TOO_FEW, NOT_TESTABLE)
#: How each verdict is named on screen.
VERDICT_LABELS: dict[str, str] = {SUPPORTED: "Supported", CONTRADICTED: "Contradicted", MIXED: "Mixed",
                                  TOO_FEW: "Too few cases", NOT_TESTABLE: "Not testable"}


class ClaimError(ExplorerError):
    """A claim that cannot be evaluated as written (unknown test, bad parameter); names the value."""


class NotTestable(ExplorerError):
    """Raised inside a test when the loaded data cannot judge the claim; the message is the reason."""


@dataclass(frozen=True)
class Claim:
    """One quoted claim, declared as data.

    Attributes
    ----------
    id : str
        Stable identifier (``snake_case``), the key in the CLI's JSON.
    title : str
        A few words naming the claim (a card's heading).
    quote : str
        The words as reported.
    source : str
        Who said it (as far as the record goes).
    date : str
        When it was said, ``YYYY-MM-DD`` (the session the quoted figure refers to when the
        exact day is not recorded).
    asserts : str
        What the claim asserts, in testable words.
    test : str
        Name of the test in :data:`core.claims.TESTS` that judges it.
    params : tuple of (str, value) pairs
        The test's parameters (hashable, so the claim is).
    """

    id: str
    title: str
    quote: str
    source: str
    date: str
    asserts: str
    test: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def parameters(self) -> dict[str, Any]:
        """``params`` as a dict."""
        return dict(self.params)

    @property
    def said_on(self) -> pd.Timestamp:
        """``date`` as a timestamp."""
        return pd.Timestamp(self.date)


# eq=False: the grid is a frame, whose ``==`` has no truth value.
@dataclass(frozen=True, eq=False)
class Robustness:
    """The claim's effect and p-value over a grid of thresholds, windows and proxies.

    Attributes
    ----------
    grid : pandas.DataFrame
        One row per cell: the varied parameters (``proxy`` and the test's own), ``n_events``,
        ``effect`` (events mean minus all-sessions mean, decimals), ``p_value`` (permutation,
        two-sided), ``tested`` (enough events), ``q_value`` (Benjamini-Hochberg over the tested
        cells) and ``significant`` (``q_value < alpha`` and ``effect`` in the claimed direction).
    headline : dict
        The cell with the claim's own parameters (empty when the grid has no such cell).
    survives : bool
        The headline cell is significant and so is at least half of the tested cells.
    summary : str
        The one-line verdict on robustness.
    alpha : float
        False discovery rate of the adjustment.
    """

    grid: pd.DataFrame
    headline: Mapping[str, Any]
    survives: bool
    summary: str
    alpha: float


@dataclass(frozen=True, eq=False)
class Verdict:
    """A claim judged on the loaded data.

    Attributes
    ----------
    claim : Claim
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        Why, in one or two sentences with the deciding numbers.
    n : int
        Cases behind the verdict (events, sessions, windows; what the reason counts).
    numbers : mapping of str to float, int, str or None
        The figures behind the verdict (returns and correlations in decimals, dates as
        ``YYYY-MM-DD``).
    proxy : str
        The series used (e.g. ``"^RUT/^GSPC"``); empty when nothing could be used.
    window : str
        The dates used, ``"YYYY-MM-DD to YYYY-MM-DD"``; empty when none.
    robustness : Robustness or None
        Only for the event-based claims.
    """

    claim: Claim
    verdict: str
    reason: str
    n: int = 0
    numbers: Mapping[str, Any] = field(default_factory=dict)
    proxy: str = ""
    window: str = ""
    robustness: Robustness | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ClaimError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    @property
    def id(self) -> str:
        """The claim's id."""
        return self.claim.id


def combine(verdicts: list[str]) -> str:
    """One verdict from several judgements of the same claim (definitions, dates, proxies).

    All agree -> that verdict; a mix of supported and contradicted -> ``mixed``.
    """
    distinct = set(verdicts)
    if len(distinct) == 1:
        return verdicts[0]
    return MIXED


def date_text(ts: Any) -> str | None:
    """``YYYY-MM-DD`` or None."""
    return None if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def span_text(index: pd.Index) -> str:
    """``"first to last"`` of a date index (empty for an empty one)."""
    if len(index) == 0:
        return ""
    return f"{date_text(index.min())} to {date_text(index.max())}"
