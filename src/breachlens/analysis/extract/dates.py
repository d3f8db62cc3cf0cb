"""Explicit dates in text, normalised to the contract's partial-date forms.

DESIGN.md's Date is "2025-06-02", "2025-06", "2025" or "--06-02" (day known, year not). We find candidate spans
ourselves (dateparser's search over whole articles matched "may" and "now" as dates) and normalise the explicit
forms here directly, which keeps the granularity the text gives; relative phrases ("last week") are left alone
because resolving them needs a publication date we often do not have.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_FORMS = (
    re.compile(rf"\b{_YEAR}-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"),
    # A month alone is only a date with a year ("March 2015"); "in May" is kept too, as a month without year.
    re.compile(rf"\b(?:(?:early|mid|late)[-\s])?{_MONTH}(?:,?\s+{_YEAR})?\b"),
    re.compile(rf"\b(?i:in|since|during|from|of|early|late|mid-?|by|until|throughout)\s+{_YEAR}\b"),
)
# "may" is a month only when capitalised and not used as a verb ("May 2025", "in May", "on May 3").
_MAY_AS_MONTH = re.compile(
    r"(?:\b(?:in|on|since|during|early|late|mid|of|by|until|from|last|this|next)\s+|-)$", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMention:
    """An explicit date: `value` in the contract's partial form (year-less months are "--MM")."""

    start: int
    end: int
    value: str


# Days in each month of a leap year (for a day and month without a year).
_MAX_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _normalise(match: re.Match[str]) -> str | None:
    """Contract form of a date match, or None when it is not a valid date."""
    parts = match.groupdict()
    year = parts.get("year")
    if parts.get("m2"):
        month, day = int(parts["m2"]), int(parts["d2"])
    else:
        month = _MONTHS[parts["month"].lower().rstrip(".")] if parts.get("month") else 0
        day = int(parts["day"]) if parts.get("day") else 0
    if not 0 <= month <= 12 or not 0 <= day <= 31:
        return None
    if month and day and day > (calendar.monthrange(int(year), month)[1] if year else _MAX_DAYS[month]):
        return None  # "31 February 2025" is no date
    if year and month and day:
        return f"{year}-{month:02d}-{day:02d}"
    if year and month:
        return f"{year}-{month:02d}"
    if year:
        return year
    if month and day:
        return f"--{month:02d}-{day:02d}"
    if month:
        return f"--{month:02d}"
    return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Non-overlapping explicit dates in text[start:end], longest first."""
    end = len(text) if end is None else end
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for rx in _FORMS:
        for m in rx.finditer(text, start, end):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            month = m.groupdict().get("month")
            if (
                month
                and month.lower() == "may"
                and (
                    month != "May"
                    or not _MAY_AS_MONTH.search(text[max(0, m.start() - 8) : m.start()])
                    and not m.groupdict().get("day")
                    and not m.groupdict().get("year")
                )
            ):
                continue
            if month and month[0].islower():
                continue
            value = _normalise(m)
            if value is None:
                continue
            s = m.start()
            found.append(DateMention(s, m.end(), value))
            taken.append((s, m.end()))
    return sorted(found, key=lambda d: d.start)
