"""Shared axis encodings: every time axis shows the year."""

from __future__ import annotations

import altair as alt

#: Tick label of a date axis: "Jan 2024" on month starts (multi-month ranges), "08 Jan 2024"
#: otherwise (ranges of a few weeks), so a reader never has to guess the year.
DATE_LABEL_EXPR = "timeFormat(datum.value, date(datum.value) == 1 ? '%b %Y' : '%d %b %Y')"


def date_axis() -> alt.Axis:
    """An axis for a temporal field whose labels always carry the year."""
    return alt.Axis(labelExpr=DATE_LABEL_EXPR, labelOverlap=True, labelAngle=0)


def date_x(field: str = "date", title: str | None = None) -> alt.X:
    """``x`` encoding of a temporal ``field`` with :func:`date_axis`."""
    return alt.X(f"{field}:T", title=title, axis=date_axis())
