"""extract/quantities.py: counts of affected people or records, and counts that are not record counts."""

from __future__ import annotations

import pytest

from breachlens.extract.quantities import find_counts


def counts(text: str) -> list[tuple[int, bool]]:
    """(value, is_base) of every count in text."""
    return [(c.value, c.is_base) for c in find_counts(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The breach affected approximately 12,000 individuals.", 12_000),
        ("Data on 7.4 million customers was taken.", 7_400_000),
        ("Records of 2.7m users were put online.", 2_700_000),
        ("About 312k accounts were reset.", 312_000),
        ("Nearly half a million customers were told.", 500_000),
        ("The files cover eight million people.", 8_000_000),
        ("The dump holds 11M unique email addresses.", 11_000_000),
        ("Some 2.2 million documents were copied.", 2_200_000),
        ("The gang says it holds 3.1 million records.", 3_100_000),
    ],
)
def test_quantities_counts(text: str, value: int) -> None:
    assert counts(text) == [(value, False)]


@pytest.mark.parametrize(
    "text",
    [
        "The regulator fined it $10,000 for the lapse.",
        "The attack cost the firm £4.5 million.",
        "The intrusion began in 2024 and ended in 2025.",
        "The chain runs 1,200 stores across Europe.",
        "Shares fell 12% after the disclosure.",
        "The company was founded 40 years ago.",
    ],
)
def test_quantities_not_counts(text: str) -> None:
    assert counts(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The retailer said its 12 million active customers can keep shopping.",
        "The airline serves more than 30 million passengers a year.",
        "The platform has 45 million users worldwide.",
    ],
)
def test_quantities_customer_base_flagged(text: str) -> None:
    found = find_counts(text)
    assert found and all(c.is_base for c in found)


def test_quantities_noun_reported() -> None:
    (count,) = find_counts("Around 5,000 patients were affected.")
    assert count.noun == "patients"


def test_quantities_offsets_cover_the_count() -> None:
    text = "In total 7.4 million customers were hit."
    (count,) = find_counts(text)
    assert text[count.start : count.end] == "7.4 million customers"
