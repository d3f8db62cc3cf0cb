"""Domain helpers on the records: one rule each, used by the store, the web, the alerts and the exports."""

from __future__ import annotations

from typing import Any

import pytest

from breachlens.records import Fact, Incident, as_count


@pytest.mark.parametrize(
    ("value", "count"),
    [(419_000, 419_000), (3.0, 3), ("12000", 12_000), (True, None), ("3.1 million", None), (None, None),
     (float("inf"), None)],
)
def test_records_as_count(value: Any, count: int | None) -> None:
    assert as_count(value) == count
    assert Fact(value, "reported", ()).count == count


def test_records_incident_record_count() -> None:
    assert Incident("Acme").record_count is None
    assert Incident("Acme", records_affected=Fact(5_000, "claimed", ())).record_count == 5_000
    assert Incident("Acme", records_affected=Fact("many", "claimed", ())).record_count is None
