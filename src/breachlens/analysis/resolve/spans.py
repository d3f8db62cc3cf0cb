"""Dates as spans (step 3 of the package doc): a partial date ("2025", "2025-06") covers all its days, so dates
compare at the granularity both have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...dates import date_match


@dataclass(frozen=True)
class _Span:
    """A date as the closed range of days it may mean (proleptic ordinals) and its precision."""

    lo: int
    hi: int
    precision: str  # "year" | "month" | "day"


def date_span(value: str | None, published: str | None = None) -> tuple[int, int, str] | None:
    """(first day, last day, precision) of a contract date ("--MM-DD" takes the published year), else None."""
    span = _span(value, published)
    return None if span is None else (span.lo, span.hi, span.precision)


def _span(value: str | None, published: str | None = None) -> _Span | None:
    """See date_span."""
    full = _full_date(value, published)
    if full is None:
        return None
    m = date_match(full)
    if m is None or m.group(1) is None:
        return None
    year = int(m.group(1))
    try:
        if m.group(3):
            day = dt.date(year, int(m.group(2)), int(m.group(3))).toordinal()
            return _Span(day, day, "day")
        if m.group(2):
            month = int(m.group(2))
            first = dt.date(year, month, 1)
            last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            return _Span(first.toordinal(), last.toordinal(), "month")
        return _Span(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal(), "year")
    except ValueError:
        return None


def _full_date(value: str | None, published: str | None) -> str | None:
    """Date with a year: "--06-02" published 2025-06-10 -> "2025-06-02" (the year before if that is later)."""
    if not value:
        return None
    m = date_match(value)
    if m is None or m.group(4) is None:
        return value
    pub = _span(published)
    if pub is None:
        return value
    year = dt.date.fromordinal(pub.hi).year
    candidate = f"{year:04d}-{m.group(4)}-{m.group(5)}"
    got = _span(candidate)
    if got is not None and got.lo > pub.hi:
        candidate = f"{year - 1:04d}-{m.group(4)}-{m.group(5)}"
    return candidate


def _compatible(a: _Span | None, b: _Span | None) -> bool:
    """Two dates may mean the same day (their spans overlap); unusable dates are compatible only if equal."""
    if a is None or b is None:
        return False
    return a.lo <= b.hi and b.lo <= a.hi
