"""assertions.py: polarity per clause (exposed / not exposed / nothing) and modality of a sentence."""

from __future__ import annotations

import pytest

from breachlens.analysis.assertions import EXPOSED, NOT_EXPOSED, clauses, is_hypothetical, modality, polarity
from breachlens.analysis.extract.data_types import find_data_types


def read(sentence: str) -> dict[str, str | None]:
    """Data type -> polarity of its clause, for one sentence, as the attribution stage reads it."""
    out: dict[str, str | None] = {}
    for cs, ce in clauses(sentence, 0, len(sentence)):
        for hit in find_data_types(sentence, cs, ce):
            out[hit.label] = polarity(sentence[cs:ce], sentence)
    return out


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The stolen files did not include payment details, bank information or passwords.",
            {"payment_card": NOT_EXPOSED, "bank_account": NOT_EXPOSED, "password": NOT_EXPOSED},
        ),
        # dev-set convention: unspecified "financial information" is bank data
        ("No financial information or passwords were compromised.", {"bank_account": NOT_EXPOSED, "password": NOT_EXPOSED}),
        ("Card data is safe, the company said.", {"payment_card": NOT_EXPOSED}),
        ("Passwords were not believed to be affected.", {"password": NOT_EXPOSED}),
    ],
)
def test_assertions_negation_scopes_over_list(sentence: str, expected: dict[str, str | None]) -> None:
    assert read(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Customer names were stolen, but no card data was taken.", {"name": EXPOSED, "payment_card": NOT_EXPOSED}),
        (
            "Email addresses and phone numbers were exposed; passwords were not.",
            {"email": EXPOSED, "phone": EXPOSED, "password": NOT_EXPOSED},
        ),
        (
            "Attackers accessed dates of birth, however bank details were not accessed.",
            {"date_of_birth": EXPOSED, "bank_account": NOT_EXPOSED},
        ),
    ],
)
def test_assertions_polarity_split_per_clause(sentence: str, expected: dict[str, str | None]) -> None:
    assert read(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The leaked data included names, email addresses and postal addresses.", {"name": EXPOSED, "email": EXPOSED, "postal_address": EXPOSED}),
        ("Hackers stole passport numbers.", {"government_id": EXPOSED}),
        ("The records include usernames and dates of birth.", {"account_id": EXPOSED, "date_of_birth": EXPOSED}),
        # "store" the noun is not the verb of "companies store passwords"
        ("Hackers stole customer names from its online store.", {"name": EXPOSED}),
    ],
)
def test_assertions_exposed(sentence: str, expected: dict[str, str | None]) -> None:
    assert read(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Never share your password with anyone who calls you.",
        "You should change your password and watch your bank statements.",
        "Criminals could use email addresses to send convincing scams.",
        "Were any card details taken?",
        "It is not yet clear whether passwords were accessed.",
    ],
)
def test_assertions_advice_and_questions_assert_nothing(sentence: str) -> None:
    assert set(read(sentence).values()) <= {None}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The group claims it holds 3.1 million customer records.", "claimed"),
        ("On its leak site the gang says it stole 40GB of files.", "claimed"),
        ("The data is likely to include home addresses.", "suspected"),
        ("Reports suggest the attackers got in through a supplier.", "suspected"),
        ("The company confirmed that names were accessed.", "confirmed"),
        ("In a statement, the airline said card data was safe.", "confirmed"),
        ("Names and email addresses were taken.", "reported"),
    ],
)
def test_assertions_modality(sentence: str, expected: str) -> None:
    assert modality(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Never share your password.", True),
        ("If you shopped there, change your password.", True),
        ("Was anything taken?", True),
        ("Names were taken in the attack.", False),
    ],
)
def test_assertions_is_hypothetical(sentence: str, expected: bool) -> None:
    assert is_hypothetical(sentence) is expected


def test_assertions_clauses_cover_sentence() -> None:
    sentence = "Names were stolen, but no card data was taken; passwords are safe."
    parts = [sentence[s:e] for s, e in clauses(sentence, 0, len(sentence))]
    assert parts == ["Names were stolen", "no card data was taken", "passwords are safe."]


def read_at(sentence: str) -> dict[str, list[str | None]]:
    """Data type -> polarities of its mentions, read per mention as the attribution stage does (polarity_at)."""
    from breachlens.analysis.assertions import polarity_at

    out: dict[str, list[str | None]] = {}
    for cs, ce in clauses(sentence, 0, len(sentence)):
        hits = find_data_types(sentence, cs, ce)
        spans = [(h.start - cs, h.end - cs) for h in hits]
        for hit in hits:
            pol = polarity_at(sentence[cs:ce], hit.start - cs, sentence, spans)
            out.setdefault(hit.label, []).append(pol)
    return out


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a qualified negation is partial: hashed passwords leaked, unprotected ones did not
        (
            "The data included hashed passwords but did not include unprotected passwords or card data.",
            {"password": [EXPOSED, None], "payment_card": [NOT_EXPOSED]},
        ),
        ("No card numbers leaked, nor did the vast majority of SSNs.", {"payment_card": [NOT_EXPOSED], "ssn": [None]}),
        # negation of telling, not of exposure
        ("The outlet chose not to publish the leaked salaries.", {"other": [EXPOSED]}),
        # the lead clause of "While ..., ..." keeps its negation to itself
        ("While no details were confirmed, a source said the leak included contracts.", {"other": [EXPOSED]}),
        # "did not access" is an exposure verb negated
        ("The intruder did not access bank account information or SSNs.", {"bank_account": [NOT_EXPOSED], "ssn": [NOT_EXPOSED]}),
        # "not stored" after a list negates the list
        ("Card data and bank details are not stored in that system.", {"payment_card": [NOT_EXPOSED], "bank_account": [NOT_EXPOSED]}),
        # an admission after a negation starts a new proposition
        (
            "It says no card data was exposed, it admits that 40,000 SSNs were compromised.",
            {"payment_card": [NOT_EXPOSED], "ssn": [EXPOSED]},
        ),
        # advice: making sure data is safe says nothing about this breach
        ("Users should take steps to ensure their passwords are safe.", {"password": [None]}),
        ("The attacker used this access to obtain a list of email addresses.", {"email": [EXPOSED]}),
    ],
)
def test_assertions_negation_scope_edges(sentence: str, expected: dict[str, list[str | None]]) -> None:
    assert read_at(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The gang told the BBC that they have customers' dates of birth.", {"date_of_birth": [EXPOSED]}),
        ("The attacker was able to get a list of email addresses.", {"email": [EXPOSED]}),
        ("“We will publish staff data (phones, addresses and SSNs),” the post said.", {"phone": [EXPOSED], "postal_address": [EXPOSED], "ssn": [EXPOSED]}),
    ],
)
def test_assertions_attacker_holds_or_threatens(sentence: str, expected: dict[str, list[str | None]]) -> None:
    assert read_at(sentence) == expected


@pytest.mark.parametrize(
    ("lead_in", "expected"),
    [
        ("The stolen data includes:", EXPOSED),
        ("Capital One says the data exposed in the breach includes:", EXPOSED),
        ("The following were not affected:", NOT_EXPOSED),
        ("Here is what we know so far:", None),
    ],
)
def test_assertions_lead_in_polarity_for_bullets(lead_in: str, expected: str | None) -> None:
    from breachlens.analysis.assertions import lead_in_polarity

    assert lead_in_polarity(lead_in) == expected


def _fact(value: str, modality: str, start: int):
    from breachlens.records import Evidence, Fact

    return Fact(value, modality, (Evidence("a.txt", "q", start, start + 1),))


@pytest.mark.parametrize(
    ("yes", "no", "winner"),
    [
        (("reported", 10), ("confirmed", 5), "not_exposed"),  # the victim's confirmation beats a report
        (("confirmed", 10), ("claimed", 50), "exposed"),  # ... and an attacker's claim
        (("reported", 10), ("reported", 50), "not_exposed"),  # same strength: the later statement wins
        (("reported", 50), ("reported", 10), "exposed"),
    ],
)
def test_assertions_settle_one_polarity_per_value(yes: tuple, no: tuple, winner: str) -> None:
    from breachlens.analysis.assertions import settle

    exposed, not_exposed, contested = settle(
        {"payment_card": _fact("payment_card", *yes), "name": _fact("name", "reported", 1)},
        {"payment_card": _fact("payment_card", *no)},
    )
    assert contested == ("payment_card",)
    assert ("payment_card" in exposed, "payment_card" in not_exposed) == (winner == "exposed", winner == "not_exposed")
    assert "name" in exposed


def test_assertions_disclosed_data_is_exposed() -> None:
    assert read_at("A rival forum breached the board, which disclosed email addresses and passwords.") == {
        "email": [EXPOSED],
        "password": [EXPOSED],
    }
