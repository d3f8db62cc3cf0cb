"""extract/data_types.py: data-type mentions in breach prose (exposed or not is decided elsewhere)."""

from __future__ import annotations

import pytest

from breachlens.analysis.extract.data_types import find_data_types


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


def test_data_types_channel_ending_a_list_is_not_data() -> None:
    assert labels("Pellmore warned its customers via email, in-app notices, and phone to shut down their servers.") == []
    assert labels("The leaked file held full names, email and phone.") == ["name", "email", "phone"]


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intruders copied source code and internal documents.", ["other", "other"]),
        ("The leak held salaries and employee numbers of the plant's staff.", ["other", "other"]),
        ("Files with fingerprints and background investigation records were taken.", ["other", "other"]),
        ("Travel details of the airline's flyers were viewed.", ["other"]),
        ("The attackers took contact details of donors.", ["other"]),
        ("Selfies and photo IDs uploaded for verification leaked.", ["other", "government_id"]),
    ],
)
def test_data_types_other_kinds(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a generic phrase with its expansion: the expansion names the data, the generic phrase adds nothing
        ("Hackers took contact details (phone numbers and email addresses).", ["phone", "email"]),
        ("No financial data such as card numbers was taken.", ["payment_card"]),
        ("Contact information, including home addresses, was exposed.", ["postal_address"]),
    ],
)
def test_data_types_parenthesised_expansion(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Social Security and bank account numbers were taken.", ["ssn", "bank_account"]),
        ("No social security, banking, or credit card numbers were accessed.", ["ssn", "bank_account", "payment_card"]),
        ("It exposed financial and medical information.", ["bank_account", "health"]),
        ("Obscured credit and debit card details leaked.", ["payment_card", "payment_card"]),
    ],
)
def test_data_types_elided_head_noun(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They hold national insurance numbers and passports.", ["government_id", "government_id"]),
        ("Scans of driver’s licenses leaked.", ["government_id"]),
        ("The files included zip codes.", ["postal_address"]),
        ("Staff records list their address, phone number and email.", ["postal_address", "phone", "email"]),
        ("No account login details were exposed.", ["credentials"]),
        ("It leaked employee records (phones, addresses, SSNs).", ["other", "phone", "postal_address", "ssn"]),
    ],
)
def test_data_types_synonyms(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A hacker reached 90 million credit card applications.",
        "The bank's credit card business grew last year.",
        "Customers who applied for credit cards were affected.",
    ],
)
def test_data_types_card_product_is_not_card_data(text: str) -> None:
    assert "payment_card" not in labels(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Criminals got emails and travel history.", ["email", "other"]),
        ("Users were warned about phishing emails.", []),
        ("The chain has hotels across 50 countries.", []),
        ("The report lists affected store locations.", []),
        ("The dump holds names, emails and countries.", ["name", "email", "country"]),
        ("It listed countries of residence.", ["country"]),
    ],
)
def test_data_types_bare_words_need_a_list(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_data_types_username_password_pair_is_a_login() -> None:
    # dev-set convention: usernames + passwords -> password + credentials (the username stays account_id too)
    assert labels("Usernames and passwords of applicants were stolen.") == ["account_id", "credentials", "password"]
    assert labels("Usernames were listed.") == ["account_id"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intruders viewed protected health information of patients.", ["health"]),
        ("The gang leaked W-2 forms and call recordings.", ["other", "other"]),
    ],
)
def test_data_types_health_and_tax_wordings(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customers got phone calls from fraudsters.", []),
        ("It holds the names of any forums users joined.", []),
        ("Encrypted security questions and answers were taken.", ["other"]),
    ],
)
def test_data_types_channels_things_and_security_questions(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It disclosed users' emails addresses and user names.", ["email", "account_id"]),
        ("The dump also held 123k example.ru addresses.", []),
        ("Records include usernames and the user's country.", ["account_id", "country"]),
        ("Data included email addresses and the country logged in from.", ["email", "country"]),
    ],
)
def test_data_types_hibp_style_wordings(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stolen: card type and last 4 digits of the card.", ["payment_card"]),
        ("It holds the last four digits of Social Security numbers.", ["ssn"]),
        ("Hackers took government-ID images and masked bank account numbers.", ["government_id", "bank_account"]),
        ("Genetic data and medical record numbers were taken.", ["health", "health"]),
        ("Frequent flyer numbers and call and text records leaked.", ["account_id", "other"]),
    ],
)
def test_data_types_partial_cards_ids_and_loyalty_numbers(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_data_types_orders_after_and_end_a_list_to_be_data() -> None:
    assert labels("It was useful to spies, and orders to turn off sharing were soon issued.") == []
    assert labels("Hackers took full names, addresses and orders.") == ["name", "postal_address", "purchase_history"]
