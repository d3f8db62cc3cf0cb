"""One dates module: partial ISO dates, the first date of an incident, and date-range bounds."""

from __future__ import annotations

import pytest

from breachlens.dates import date_prefix, first_date, is_partial_date, on_or_after, on_or_before, parse_date
from breachlens.records import Evidence, Incident, TimelineEvent


@pytest.mark.parametrize(
    ("value", "prefix"),
    [("2025-06-02", "2025-06-02"), ("2025-06-02T10:00:00Z", "2025-06-02"), ("2025", "2025"), ("--06-02", None),
     ("", None), (None, None), ("June 2025", None)],
)
def test_dates_prefix(value: str | None, prefix: str | None) -> None:
    assert date_prefix(value) == prefix


def test_dates_is_partial_date() -> None:
    assert all(is_partial_date(v) for v in ("2025", "2025-06", "2025-06-02"))
    assert not any(is_partial_date(v) for v in ("25", "2025-6", "2025-06-02T10:00", "--06-02"))


def test_dates_first_date_prefers_incident_dates_then_published() -> None:
    ev = (Evidence("a", "q", 0, 1),)
    dated = Incident("Acme", disclosure_date="2025-06-10", timeline=(TimelineEvent("detection", "2025-05", ev),))
    assert first_date(dated, ["2024-01-01"]) == "2025-05"
    assert first_date(Incident("Acme", incident_date="--06-02"), ["2025-06-12T08:00Z", None]) == "2025-06-12"
    assert first_date(Incident("Acme")) is None


def test_dates_bounds_compare_at_the_coarser_precision() -> None:
    assert on_or_after("2025", "2025-06") and on_or_before("2025", "2025-06")
    assert on_or_after("2025-06-10", "2025-06") and not on_or_after("2025-05-31", "2025-06")
    assert on_or_before("2025-06-30", "2025-06") and not on_or_before("2025-07-01", "2025-06")
    assert not on_or_after(None, "2025") and not on_or_before(None, "2025")


def test_dates_parse_date() -> None:
    parsed = parse_date("2025-06")
    assert parsed is not None and parsed.precision == "month" and parsed.first_day.isoformat() == "2025-06-01"
    assert parse_date("--06-02") is None and parse_date("2025-02-30") is None and parse_date(None) is None
