"""Return targets typed by a user (``"-50%, 0, +20%, 2x"``) read into decimals.

The Simulator's probability table takes its targets from a text box and from the link's
``targets`` parameter; the parser is pure, so it lives in ``core`` and is tested there.
"""

from __future__ import annotations

import re

from core.errors import ExplorerError

__all__ = ["DEFAULT_TARGETS", "MAX_TARGETS", "TargetError", "parse_targets"]


class TargetError(ExplorerError):
    """Target text that cannot be read; the message names the bad piece."""


#: Default targets of the probability table.
DEFAULT_TARGETS = "-50%, 0, +20%, +100%, +400%"
#: Most targets in one table.
MAX_TARGETS = 20
#: Longest target text read (characters).
MAX_TARGET_TEXT = 1_000
_TARGET_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|x|×)?$", re.IGNORECASE)


def parse_targets(text: str) -> tuple[float, ...]:
    """Read return targets such as ``"-50%, 0, +20%, 2x"`` into sorted, unique decimals.

    Numbers are percent (``20`` and ``20%`` are +20%); a trailing ``x`` is a multiple of
    the starting value (``2x`` = +100%, ``0.5x`` = -50%). Separators: commas or semicolons.

    Raises
    ------
    TargetError
        Empty or too long text, an unreadable piece, a target at or below -100%, or too many targets.
    """
    if len(text) > MAX_TARGET_TEXT:
        raise TargetError(f"the targets are {len(text):,} characters long; at most {MAX_TARGET_TEXT:,}")
    pieces = [p.strip().replace("−", "-").replace(" ", "") for p in re.split(r"[,;]", text)]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise TargetError("type at least one target, e.g. -50%, 0, +20%, 2x")
    out = []
    for p in pieces:
        m = _TARGET_RE.match(p)
        if not m:
            raise TargetError(f"{p!r} is not a target: write a percent (20%, -50) or a multiple (2x)")
        number, unit = float(m.group(1)), (m.group(2) or "%").lower()
        if unit in ("x", "×"):
            if number <= 0:
                raise TargetError(f"{p!r}: a multiple must be above 0x")
            value = number - 1.0
        else:
            value = number / 100.0
        if value <= -1.0:
            raise TargetError(f"{p!r}: a return cannot be -100% or lower")
        out.append(float(f"{value:.12g}"))
    unique = tuple(sorted(set(out)))
    if len(unique) > MAX_TARGETS:
        raise TargetError(f"{len(unique)} targets; at most {MAX_TARGETS}")
    return unique
