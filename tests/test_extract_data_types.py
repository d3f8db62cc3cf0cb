"""extract/data_types.py: data-type mentions in breach prose (exposed or not is decided elsewhere)."""

from __future__ import annotations

import pytest

from breachlens.extract.data_types import find_data_types


def labels(text: str) -> list[str]:
    """Vocabulary labels found in text, in order."""
    return [h.label for h in find_data_types(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The files held names, phone numbers and dates of birth.", ["name", "phone", "date_of_birth"]),
        ("Exposed fields: full names, email addresses, postal addresses.", ["name", "email", "postal_address"]),
        ("It copied passport numbers and Social Security numbers.", ["government_id", "ssn"]),
        ("Order histories and shopping preferences were viewed.", ["purchase_history", "preferences"]),
        ("Hashed passwords and account numbers leaked.", ["password", "account_id"]),
        ("They took bank account details and credit card numbers.", ["bank_account", "payment_card"]),
    ],
)
def test_data_types_lists(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "email, IP and physical addresses": one head noun shared by three modifiers
        ("Stolen data included names, email, IP and physical addresses.", ["name", "email", "ip_address", "postal_address"]),
        ("The dump holds email and postal addresses.", ["email", "postal_address"]),
    ],
)
def test_data_types_ellipsis(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Affected shoppers were contacted via email.",
        "The retailer told customers by email on Friday.",
        "Notices went out using email and post.",
    ],
)
def test_data_types_channel_is_not_data(text: str) -> None:
    assert "email" not in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "The update addresses the problem in the login page.",
        "A new statement addresses concerns raised by members.",
    ],
)
def test_data_types_addresses_as_verb(text: str) -> None:
    assert "postal_address" not in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "Some of the biggest names in the industry have been hit this year.",
        "Household names like the two grocers were targeted.",
    ],
)
def test_data_types_names_as_brands(text: str) -> None:
    assert "name" not in labels(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tool lists company names and file names.", []),
        ("Staff used a shared pin to open the door.", []),  # lower-case "pin" is a word, not the acronym
    ],
)
def test_data_types_not_personal_data(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_data_types_offsets_point_at_the_phrase() -> None:
    text = "Attackers copied email addresses."
    (hit,) = find_data_types(text)
    assert text[hit.start : hit.end] == "email addresses"
