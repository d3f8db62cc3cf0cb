"""attribute.py via pipeline.analyze_text: every fact lands on the incident whose victim it is about."""

from __future__ import annotations

from typing import Any

import pytest

from breachlens.pipeline import analyze_text
from breachlens.records import DocumentAnalysis, Incident


def read(text: str) -> DocumentAnalysis:
    """One inline article, analysed."""
    return analyze_text(text)


def main_of(text: str) -> Incident:
    """The main incident of an inline article (which must have one)."""
    doc = read(text)
    assert doc.main is not None, "no main incident"
    return doc.main


def values(facts: Any) -> set[Any]:
    """Values of a tuple of facts."""
    return {f.value for f in facts}


def mentioned(doc: DocumentAnalysis, victim: str) -> Incident:
    """The mentioned incident of `victim`."""
    return next(i for i in doc.incidents if i.role == "mentioned" and i.victim == victim)


OTHER_VICTIM = (
    "Data breach at Brindle Outfitters\n"
    "Brindle Outfitters said hackers stole customer names and email addresses from its online store. "
    "No payment details were taken.\n"
    "Earlier this year Calder Home lost purchase histories and passport numbers of 2.2 million shoppers, "
    "and Calder Home paid a ransom to the attackers.\n"
)


def test_attribute_other_victims_facts_stay_with_it() -> None:
    doc = read(OTHER_VICTIM)
    main = doc.main
    assert main is not None and main.victim == "Brindle Outfitters"
    assert values(main.data_exposed) == {"name", "email"}
    assert main.records_affected is None
    assert main.ransom is None
    other = mentioned(doc, "Calder Home")
    assert {"purchase_history", "government_id"} <= values(other.data_exposed)


@pytest.mark.parametrize(
    ("headline", "victim"),
    [
        ("Brindle Outfitters confirms customer data breach", "Brindle Outfitters"),
        ("Dior discloses data breach", "Dior"),
        ("Quarry Bank data breach", "Quarry Bank"),
    ],
)
def test_attribute_headline_verb_not_in_victim_name(headline: str, victim: str) -> None:
    text = f"{headline}\n{victim} said hackers stole customer names and email addresses from its online store.\n"
    assert main_of(text).victim == victim


def test_attribute_bullet_list_of_other_breaches() -> None:
    text = (
        "Quarry Bank discloses breach of customer records\n"
        "Quarry Bank said attackers accessed names and phone numbers of customers.\n"
        "Other recent incidents:\n"
        "- Ostler Insurance: dates of birth and policy numbers were stolen.\n"
        "- Pinecrest Energy: billing addresses were leaked.\n"
    )
    doc = read(text)
    assert doc.main is not None and doc.main.victim == "Quarry Bank"
    assert values(doc.main.data_exposed) == {"name", "phone"}
    assert {i.victim for i in doc.incidents if i.role == "mentioned"} == {"Ostler Insurance", "Pinecrest Energy"}


@pytest.mark.parametrize(
    "text",
    [
        "Quarry Bank (NASDAQ: QRB) said attackers accessed names and phone numbers of customers in a breach.\n",
        "Brief Notes:\nQuarry Bank said attackers accessed names and phone numbers of customers in a breach.\n",
    ],
)
def test_attribute_ticker_or_section_label_is_no_bullet(text: str) -> None:
    """Only "Name: what happened" opening its own line is a bullet about a name: not an exchange's name before a
    ticker inside a sentence, nor a lone section label."""
    doc = read(text)
    assert doc.main is not None and doc.main.victim == "Quarry Bank"
    assert [i.victim for i in doc.incidents if i.role == "mentioned"] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Groups such as Scattered Spider target retailers with phone calls to help desks.",
        "Scattered Spider is also behind attacks on other retailers.",
        "Gangs like ShinyHunters have been linked to similar attacks in recent months.",
    ],
)
def test_attribute_generic_actor_not_attributed(sentence: str) -> None:
    text = (
        "Harrowgate Books hit by cyberattack\n"
        "Harrowgate Books confirmed a cyberattack that exposed customer email addresses. "
        f"{sentence} The bookseller has not said who was responsible.\n"
    )
    main = main_of(text)
    assert main.victim == "Harrowgate Books"
    assert main.threat_actors == ()


def test_attribute_actor_named_for_another_victim() -> None:
    text = (
        "Harrowgate Books hit by cyberattack\n"
        "Harrowgate Books confirmed a cyberattack that exposed customer email addresses.\n"
        "It follows an attack on Dunmore Sports, which ShinyHunters claimed last month.\n"
    )
    doc = read(text)
    assert doc.main is not None and doc.main.threat_actors == ()
    assert values(mentioned(doc, "Dunmore Sports").threat_actors) == {"ShinyHunters"}


def test_attribute_actor_of_main_victim() -> None:
    text = (
        "Harrowgate Books hit by cyberattack\n"
        "Harrowgate Books said the attack on its systems was carried out by Scattered Spider, "
        "which stole customer email addresses.\n"
    )
    assert values(main_of(text).threat_actors) == {"Scattered Spider"}


@pytest.mark.parametrize(
    "bystander",
    [
        "the Daily Ledger reported",
        "according to Northgate Security",
        "the Information Commissioner's Office said",
    ],
)
def test_attribute_quoted_outlet_or_authority_is_not_the_victim(bystander: str) -> None:
    text = (
        f"Hackers stole guest names and phone numbers from Talwyn Hotels, {bystander}. "
        "Talwyn Hotels confirmed the breach on Monday.\n"
    )
    doc = read(text)
    assert doc.main is not None and doc.main.victim == "Talwyn Hotels"
    assert [i.victim for i in doc.incidents if i.role == "mentioned"] == []


def test_attribute_parent_named_more_often_than_brand() -> None:
    text = (
        "Tamsin Holdings confirms breach at Brackett Travel\n"
        "Tamsin Holdings said its brand Brackett Travel suffered a data breach exposing customer names. "
        "Tamsin Holdings said the rest of Tamsin Holdings was not affected. "
        "Tamsin Holdings shares fell. A Tamsin Holdings spokesperson apologised.\n"
    )
    main = main_of(text)
    assert main.victim == "Brackett Travel"
    assert values(main.data_exposed) == {"name"}


def test_attribute_customer_base_is_not_records() -> None:
    text = (
        "Harlow Foods confirms data breach\n"
        "Harlow Foods, which serves its 30 million customers through 900 stores, said hackers stole the "
        "email addresses of some online shoppers.\n"
    )
    assert main_of(text).records_affected is None


def test_attribute_no_breach_no_incident() -> None:
    text = (
        "Northgate Security and Hollis Research agree to merge\n"
        "The two security firms said the combined company will sell threat intelligence to retailers.\n"
    )
    assert read(text).incidents == ()


def test_attribute_brands_fold_into_named_parent() -> None:
    """Several breached brands of a parent that the text names and that confirms: the parent is the victim."""
    text = (
        "LVMH confirms cyberattack on two of its houses\n"
        "LVMH said hackers breached Dior and Louis Vuitton, stealing customer names and email addresses. "
        "LVMH confirmed the attack on Tuesday.\n"
    )
    main = main_of(text)
    assert main.victim == "LVMH"
    assert set(main.brands) == {"Dior", "Louis Vuitton"}


def test_attribute_single_brand_keeps_victim_with_parent_named() -> None:
    text = (
        "Dior data breach: customer names stolen\n"
        "Dior, the fashion house owned by LVMH, said hackers stole customer names and phone numbers. "
        "Dior said it has informed the police.\n"
    )
    main = main_of(text)
    assert (main.victim, main.parent) == ("Dior", "LVMH")
