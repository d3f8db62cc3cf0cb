"""Contract dates: "2025-06-02", "2025-06" or "2025" (ISO, as precise as the source), or "--06-02" (no year).

One pattern, one parser and one "first date of an incident" for the store, the web, the exports and the
resolver, so that a date filter means the same wherever it is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import Incident

__all__ = ["PARTIAL_DATE", "PartialDate", "date_match", "date_prefix", "first_date", "is_partial_date",
           "on_or_after", "on_or_before", "parse_date"]

# A whole "YYYY", "YYYY-MM" or "YYYY-MM-DD" (what --since / ?since= / ?until= accept; also the API's pattern).
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
# Groups: 1-3 year, month, day of an ISO date; 4-5 month and day of a date whose year was not stated.
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|--(\d{2})-(\d{2})")
_PREFIX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def date_match(value: str) -> re.Match[str] | None:
    """The whole `value` as a contract date (see the groups of _DATE), or None."""
    return _DATE.fullmatch(value)


def is_partial_date(value: str) -> bool:
    """Whether `value` is exactly YYYY, YYYY-MM or YYYY-MM-DD (a date filter's bound)."""
    return re.match(PARTIAL_DATE, value) is not None


def date_prefix(value: str | None) -> str | None:
    """The YYYY[-MM[-DD]] a date or timestamp starts with ("2025-06-02T10:00Z" -> "2025-06-02"); None for a
    date without a year ("--06-02"), which cannot be placed in time."""
    m = _PREFIX.match(value) if value else None
    return m.group(0) if m else None


def first_date(incident: Incident, published: Iterable[str | None] = ()) -> str | None:
    """Earliest known date: incident, disclosure or timeline date, else the earliest of `published` (the
    sources' publication dates). ISO strings of mixed precision sort correctly as text ("2025" < "2025-06")."""
    dates = [incident.incident_date, incident.disclosure_date, *(t.date for t in incident.timeline)]
    known = [p for d in dates if (p := date_prefix(d))]
    if not known:
        known = [p for d in published if (p := date_prefix(d))]
    return min(known) if known else None


def on_or_after(value: str | None, bound: str) -> bool:
    """`value` is not before `bound`, compared at the coarser precision of the two ("2025" is in "2025-06")."""
    size = min(len(value), len(bound)) if value else 0
    return value is not None and value[:size] >= bound[:size]


def on_or_before(value: str | None, bound: str) -> bool:
    """`value` is not after `bound`, compared at the coarser precision of the two."""
    size = min(len(value), len(bound)) if value else 0
    return value is not None and value[:size] <= bound[:size]


@dataclass(frozen=True)
class PartialDate:
    """A contract date ("2025-06-02", "2025-06", "2025") with its precision; the day is 1 when not known."""

    year: int
    month: int | None
    day: int | None

    @property
    def first_day(self) -> date:
        """The earliest day the value can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> str:
        """ "day", "month" or "year"."""
        return "day" if self.day else "month" if self.month else "year"


def parse_date(value: str | None) -> PartialDate | None:
    """A contract date, or None for None, a date without a year ("--06-02") or anything malformed."""
    m = date_match(value.strip()) if value else None
    if m is None or m[1] is None:
        return None
    year, month, day = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)
