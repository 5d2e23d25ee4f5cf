"""The one error base of the explorer.

Every error that ``core`` raises for bad input (an unknown ticker, a malformed CSV,
an invalid scenario field, a run too large for the budget) derives from
:class:`ExplorerError`, itself a :class:`ValueError`, so the app and the CLI catch one
class, show its message (which names the offending value) and keep running.
"""

from __future__ import annotations

__all__ = ["ExplorerError"]


class ExplorerError(ValueError):
    """Bad input to the explorer; the message names what was wrong and the bad value."""
