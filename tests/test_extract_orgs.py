"""extract/orgs.py: organisation candidates (proper-noun runs) and the role cues around them."""

from __future__ import annotations

from typing import Any

import pytest

from breachlens.analysis.extract.orgs import OrgMention, coordinated_groups, find_orgs, org_key, role_cue


def orgs(nlp: Any, text: str) -> list[OrgMention]:
    """Candidate organisations of a one-sentence text."""
    return find_orgs(nlp(text)[:], 0)


def names(nlp: Any, text: str) -> list[str]:
    """Candidate names of a one-sentence text."""
    return [m.name for m in orgs(nlp, text)]


def cue_of(nlp: Any, text: str, name: str) -> Any:
    """The role cue of the mention called `name`."""
    mention = next(m for m in orgs(nlp, text) if m.name.removeprefix("The ") == name)
    return role_cue(text, mention, 0, len(text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Marks & Spencer confirmed the attack on Monday.", "Marks & Spencer"),
        ("Shoppers at Victoria's Secret were told to reset passwords.", "Victoria's Secret"),
        ("The Co-op said it was investigating the incident.", "Co-op"),
        ("Customers of Brindle Outfitters received a letter.", "Brindle Outfitters"),
        ("Records from Fenmore Savings Bank were posted online.", "Fenmore Savings Bank"),
        ("Four million flyQuill passengers were told on Monday. FlyQuill said sorry.", "flyQuill"),
        ("Halden Institute for Network Security found the flaw.", "Halden Institute for Network Security"),
    ],
)
def test_orgs_proper_noun_runs(nlp: Any, text: str, name: str) -> None:
    assert name in names(nlp, text)


def test_orgs_offsets_point_at_the_name(nlp: Any) -> None:
    text = "Yesterday Marks & Spencer confirmed the attack."
    (m,) = [m for m in orgs(nlp, text) if "Spencer" in m.name]
    assert text[m.start : m.end] == "Marks & Spencer"


def test_orgs_offset_is_added(nlp: Any) -> None:
    text = "Quillon was hacked."
    (m,) = find_orgs(nlp(text)[:], 100)
    assert (m.start, m.end) == (100, 107)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Marks & Spencer", "Marks and Spencer"),
        ("Brindle Outfitters Ltd", "Brindle Outfitters"),
        ("Victoria’s Secret", "Victoria's Secret"),
        ("Quillon Inc.", "QUILLON"),
    ],
)
def test_orgs_key_ignores_spelling(a: str, b: str) -> None:
    assert org_key(a) == org_key(b)


@pytest.mark.parametrize(
    ("text", "name", "victim"),
    [
        ("Talwyn Hotels confirmed a data breach on Tuesday.", "Talwyn Hotels", "subject"),
        ("Fenmore Bank's systems were hit by ransomware.", "Fenmore Bank", "possessive"),
        ("Hackers breached Oskar Logistics last week.", "Oskar Logistics", "object"),
        ("It follows attacks on Harlow Foods and others.", "Harlow Foods", "object"),
        ("The gang has hit retailers such as Calder Home in recent months.", "Calder Home", "list"),
        ("Nine million Tallow Air passengers had their travel details accessed.", "Tallow Air", "possessive"),
        ("Grayling, Ostrava Air and Quillon were reportedly all impacted.", "Quillon", "subject"),
        ("Among the apps implicated in the leak are Pellmore and Quillon.", "Pellmore", "object"),
        ("Other victims include the Harbour Trust and Quillon.", "Harbour Trust", "object"),
        ("Among the first names posted are grocery chain Pellmore and Quillon.", "Pellmore", "object"),
        ("The gang said it had stolen 40 gigabytes of files from Ostrava Air.", "Ostrava Air", "object"),
        ("Thousands of staff at Pellmore and Quillon may have had their details stolen.", "Pellmore", "object"),
        ("The gang's victims have also included health vendor Quillon in recent weeks.", "Quillon", "object"),
        ("Last month Harlow Foods had its IT systems infiltrated by ransomware.", "Harlow Foods", "subject"),
        ("It said Pellmore Hale law firm had been attacked by the gang.", "Pellmore Hale", "subject"),
        ("The government of Quillon in Canada was also hit.", "Quillon", "subject"),
        ("Ostrava Bank has informed some customers that a breach occurred.", "Ostrava Bank", "subject"),
        ("Ostrava Air confirmed on Friday that files were accessed by an outsider.", "Ostrava Air", "subject"),
    ],
)
def test_orgs_victim_cues(nlp: Any, text: str, name: str, victim: str) -> None:
    assert cue_of(nlp, text, name).victim == victim


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hollis Research discovered that the public map showed the bases.", "Hollis Research"),
        ("The Daily Ledger confirmed the veracity of the claims.", "Daily Ledger"),
        ("Pellmore announced it planned to buy the rival chain.", "Pellmore"),
        ("The Daily Ledger confirmed the claims and said the breached files were real.", "Daily Ledger"),
        ("The Quillon Government has confirmed that there will be no ransom payment.", "Quillon Government"),
    ],
)
def test_orgs_reporting_verb_without_a_breach_is_no_victim_cue(nlp: Any, text: str, name: str) -> None:
    """Disclosing, confirming or discovering makes the subject a victim only when what it reports is a breach."""
    assert cue_of(nlp, text, name).victim is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Customer data was stolen, according to Northgate Security.", "Northgate Security"),
        ("The Daily Ledger reported the figure first.", "Daily Ledger"),
        ("Mara Quint, an analyst at Hollis Research, called it serious.", "Hollis Research"),
        ("The intrusion was spotted by Veltra, a cybersecurity firm based in Oslo.", "Veltra"),
    ],
)
def test_orgs_bystander_cues(nlp: Any, text: str, name: str) -> None:
    assert cue_of(nlp, text, name).bystander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It follows attacks on Harlow Foods, Pennick Stores and the Co-op.", ["Harlow Foods", "Pennick Stores", "Co-op"]),
        ("Grayling, Ostrava Air and Quillon were all hit.", ["Grayling", "Ostrava Air", "Quillon"]),
        (
            "Pennick Stores, Harlow Foods law firm, and the state of Quillon were reportedly all impacted.",
            ["Pennick Stores", "Harlow Foods", "Quillon"],
        ),
    ],
)
def test_orgs_coordinated_list(nlp: Any, text: str, expected: list[str]) -> None:
    found = orgs(nlp, text)
    groups = [[found[i].name for i in g] for g in coordinated_groups(text, found)]
    assert expected in groups


def test_orgs_small_letter_product_is_no_name(nlp: Any) -> None:
    assert names(nlp, "The hack of their vBulletin forum exposed accounts.") == []


def test_orgs_number_word_is_no_name(nlp: Any) -> None:
    assert "Nine" not in names(nlp, "Nine million Tallow Air passengers were told.")


def test_orgs_no_run_for_plain_words(nlp: Any) -> None:
    assert names(nlp, "The company said customers were notified on Monday.") == []


def test_orgs_and_inside_one_bank_name(nlp: Any) -> None:
    assert "Industrial and Commercial Bank of China" in names(
        nlp, "A ransomware attack hit the Industrial and Commercial Bank of China on Thursday."
    )


def test_orgs_attack_targeting_a_name_is_no_tool_frame(nlp: Any) -> None:
    text = "LockBit ransomware attack targeting Tallow Savings Bank"
    cue = cue_of(nlp, text, "Tallow Savings Bank")
    assert cue.victim == "object" and not cue.bystander


@pytest.mark.parametrize(
    ("text", "not_a_name"),
    [
        ("The stolen file holds NHS numbers of patients.", "NHS"),
        ("They linked it to the $30M Pellmore Exchange hack.", "M Pellmore Exchange"),
        ("Clop exploited CVE-2023-0669 in the transfer tool.", "CVE-2023-0669"),
        ("The AG’s office said victims were notified by mail.", "AG"),
    ],
)
def test_orgs_identifier_kind_and_amount_unit_are_no_names(nlp: Any, text: str, not_a_name: str) -> None:
    assert not_a_name not in names(nlp, text)


def test_orgs_subject_set_off_by_commas_must_be_the_verbs_subject() -> None:
    """"between two trusts and Synlab, a lab firm, is notifying": the comma phrase after Synlab does not make it
    the subject of "is notifying"."""
    from breachlens.analysis.attribute import read_mentions
    from breachlens.analysis.nlp import load_nlp
    from breachlens.analysis.segment import segment_parsed
    from breachlens.settings import Settings

    text = (
        "Pathlore, the partnership between two Wexcombe Trusts and Quillon, a provider of lab tests, is notifying "
        "patients of a data breach.\n"
    )
    nlp = load_nlp(Settings.load().nlp.model)
    reading = read_mentions("t", segment_parsed(text, nlp(text)))
    cues = {c.name: [kind for kind, _ in c.cues] for c in reading.candidates.values()}
    assert cues.get("Quillon") == [] and cues.get("Wexcombe Trusts") == []


def test_orgs_a_place_after_a_list_item_keeps_the_list(nlp: Any) -> None:
    text = "Named are fuel giant Pellmore, the University of Quillon in the US, and investment fund Harlow."
    found = orgs(nlp, text)
    groups = [[found[i].name for i in g] for g in coordinated_groups(text, found)]
    assert any({"Pellmore", "Harlow"} <= set(g) for g in groups)


def test_orgs_whom_a_vendor_serves_is_not_named_as_an_organisation(nlp: Any) -> None:
    """"Pellmore vendor Quillon": Quillon is the vendor; the name before the noun only says whom it serves."""
    assert names(nlp, "The gang's victims included Pellmore vendor Quillon.") == ["Quillon"]
