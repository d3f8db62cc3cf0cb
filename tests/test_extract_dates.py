"""extract/dates.py: explicit dates normalised to the contract's partial forms."""

from __future__ import annotations

import pytest

from breachlens.analysis.extract.dates import find_dates


def values(text: str) -> list[str]:
    """Normalised values of every date in text."""
    return [d.value for d in find_dates(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The company disclosed the breach on 2025-06-02.", ["2025-06-02"]),
        ("It disclosed the breach on June 2, 2025.", ["2025-06-02"]),
        ("It disclosed the breach on 2 June 2025.", ["2025-06-02"]),
        ("The intrusion happened in June 2025.", ["2025-06"]),
        ("The intrusion happened in 2025.", ["2025"]),
        ("Customers were told on June 2.", ["--06-02"]),
        ("The attack was spotted on 14th March 2024.", ["2024-03-14"]),
    ],
)
def test_dates_partial_forms(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Customers may be contacted by scammers.",
        "Some records may have been copied.",
        "May we suggest changing your password.",
    ],
)
def test_dates_may_as_verb_is_not_a_date(text: str) -> None:
    assert values(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The firm confirmed the attack in May.", ["--05"]),
        ("It happened on May 3, 2025.", ["2025-05-03"]),
        ("The gang struck in May 2025.", ["2025-05"]),
    ],
)
def test_dates_may_as_month(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    ["The breach affected 2025 customers.", "Call 1-800-555-0199 for help.", "Version 2.3.1 fixes it."],
)
def test_dates_numbers_are_not_dates(text: str) -> None:
    assert values(text) == []


def test_dates_offsets_cover_the_date() -> None:
    text = "Disclosed on 2 June 2025 by the firm."
    (date,) = find_dates(text)
    assert text[date.start : date.end] == "2 June 2025"
