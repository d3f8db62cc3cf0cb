"""extract/quantities.py: counts of affected people or records, and counts that are not record counts."""

from __future__ import annotations

import pytest

from breachlens.analysis.extract.quantities import find_counts


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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Intruders copied the files of 4.2 million people.", 4_200_000),
        ("The retailer said 318,000 customers were hit.", 318_000),
        ("It exposed the data of 95 million users.", 95_000_000),
        ("Eight million accounts were put up for sale.", 8_000_000),
        ("About 2.7m members had details taken.", 2_700_000),
        ("Some 312k users were affected.", 312_000),
        ("Half a million patients were told their data leaked.", 500_000),
        ("The leaked dump has 11M unique email addresses.", 11_000_000),
        ("Some 2.2 million documents were stolen.", 2_200_000),
        ("A breach affecting 4.2 million.", 4_200_000),
        ("A further 2 million of its customers were hit.", 2_000_000),
        ("Over 1.5 million private images leaked.", 1_500_000),
        ("The file held 637k email addresses across many tables.", 637_000),
    ],
)
def test_quantities_record_count_wordings(text: str, value: int) -> None:
    assert (value, False) in counts(text)


@pytest.mark.parametrize(
    "text",
    [
        "The bank said its 12 million active online customers were safe.",
        "The attack hit up to 1,500 downstream customers of the IT supplier.",
        "The attacker then compromised 283 systems and 16 accounts.",
        "Only 50 clients of the file-sharing vendor were affected.",
        "We shut servers down to protect our more than 36,000 customers.",
        "The chain serves 9 million shoppers across 14 countries.",
    ],
)
def test_quantities_not_a_record_count(text: str) -> None:
    assert all(is_base for _value, is_base in counts(text))


@pytest.mark.parametrize(
    "text",
    [
        "The campaign exposed data of 60 million people across 2,500 organisations.",
        "Victims of the gang number a combined 40 million customers.",
    ],
)
def test_quantities_campaign_totals_are_not_one_victims_count(text: str) -> None:
    assert all(is_base for _value, is_base in counts(text))
