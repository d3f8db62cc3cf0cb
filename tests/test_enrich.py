"""Tests for enrich.py: actor aliases, ATT&CK, brands, countries and sector cues.

Every fixture sentence is invented for these tests (companies such as Orla Group or Vesper are fictional).
"""

from __future__ import annotations

import pytest

from breachlens import vocab
from breachlens.analysis import enrich
from breachlens.analysis.enrich import ActorMatch


def _actors(text: str) -> list[tuple[str, str, bool]]:
    return [(m.as_written, m.canonical, m.in_galaxy) for m in enrich.find_actors(text)]


@pytest.mark.parametrize(
    "written",
    [
        "ShinyHunters", "Shiny Hunters", "shinyhunters", "Shiny-Hunters", "SHINY HUNTERS", "Sh1nyHunt3rs",
        "UNC6240",
    ],
)
def test_enrich_actor_alias_variants(written: str) -> None:
    text = f"Vesper said {written} contacted staff by phone."
    assert _actors(text) == [(written, "ShinyHunters", True)]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Scattered Spider", "Scattered Spider"),
        ("Octo Tempest", "Scattered Spider"),
        ("UNC3944", "Scattered Spider"),
        ("APT41", "APT41"),
        ("APT 41", "APT41"),
        ("Brass Typhoon", "APT41"),  # microsoft-activity-group cluster attached to the threat-actor spine
        ("Lapsus$", "LAPSUS$"),
        ("UNC6040", "UNC6040"),  # only in tidal-groups
        ("Cl0p", "Cl0p"),  # display name (CISA AA23-158A); TA505 and Lace Tempest are aliases
    ],
)
def test_enrich_actor_canonical_across_galaxies(written: str, canonical: str) -> None:
    text = f"Investigators linked the intrusion at Orla Group to {written} last spring."
    assert _actors(text) == [(written, canonical, True)]


def test_enrich_actor_match_offsets() -> None:
    text = "Orla Group blamed Shiny Hunters."
    (match,) = enrich.find_actors(text)
    assert match == ActorMatch(18, 31, "Shiny Hunters", "ShinyHunters", True)
    assert text[match.start : match.end] == match.as_written


@pytest.mark.parametrize(
    "text",
    [
        "The lead investigator said a storm knocked out power at the Vesper warehouse.",
        "Lead times grew after the storm, and the Mirage Hotel reopened its lobby.",
        "Storm damage closed the depot; a wizard of logistics took over.",
        "The app was updated by the team at Tallow Bank.",
        "Marketing staff said the new play area would lead to more visitors.",
    ],
)
def test_enrich_actor_common_words_do_not_match(text: str) -> None:
    assert enrich.find_actors(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Researchers tie the breach to LEAD, a group also tracked as BARIUM.", [("LEAD", "APT41", True),
                                                                                ("BARIUM", "APT41", True)]),
        ("The Play ransomware gang claimed the attack on Vesper.", [("Play", "Play", True)]),
    ],
)
def test_enrich_actor_common_word_alias_with_cue(text: str, expected: list[tuple[str, str, bool]]) -> None:
    assert _actors(text) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vesper was hit by a cybercrime collective calling itself Crimson Ferret in May.", "Crimson Ferret"),
        ("A hacking group known as \u201cNight Harbor\u201d leaked the files.", "Night Harbor"),
        ("Data appeared on the site of the Velvet Ledger ransomware gang on Friday.", "Velvet Ledger"),
        ("The Tin Lantern group claimed responsibility on Telegram.", "Tin Lantern"),
        ("The extortion gang Quillfeather claimed it held 40 GB.", "Quillfeather"),
    ],
)
def test_enrich_actor_unknown_group_by_pattern(text: str, name: str) -> None:
    assert _actors(text) == [(name, name, False)]


def test_enrich_actor_pattern_skips_companies() -> None:
    assert enrich.find_actors("The Kering group claimed a record quarter for Gucci.") == []


def test_enrich_actor_fused_name_is_its_own_actor() -> None:
    assert _actors("Scattered LAPSUS$ Hunters posted the list.") == [
        ("Scattered LAPSUS$ Hunters", "Scattered LAPSUS$ Hunters", False)
    ]
    assert "ShinyHunters" not in enrich.actor_aliases("Scattered LAPSUS$ Hunters")


@pytest.mark.parametrize(
    ("canonical", "alias"),
    [("ShinyHunters", "Shiny Hunters"), ("Scattered Spider", "Octo Tempest"), ("APT41", "BARIUM")],
)
def test_enrich_actor_aliases(canonical: str, alias: str) -> None:
    assert alias in enrich.actor_aliases(canonical)


def test_enrich_actor_aliases_unknown() -> None:
    assert enrich.actor_aliases("Nobody In Particular") == ()


def _article() -> tuple[str, list[tuple[str, str]]]:
    """An invented ~10 kB article with known actor mentions, padded with prose full of traps."""
    filler = (
        "Orla Group said the lead analyst on the case had worked through a storm of enquiries from "
        "customers, and that the play-by-play of the incident would be published once the review by "
        "external experts ends. "
        "Its 12 million loyalty members were told that no payment card data was accessed. "
    )
    mentions = [
        ("Shiny Hunters", "ShinyHunters"),
        ("Scattered Spider", "Scattered Spider"),
        ("UNC6040", "UNC6040"),
        ("APT41", "APT41"),
        ("shinyhunters", "ShinyHunters"),
    ]
    parts: list[str] = []
    for written, _ in mentions:
        parts.append(filler * 7)
        parts.append(f"Analysts later attributed part of the activity to {written}. ")
    return "".join(parts), mentions


def test_enrich_find_actors_on_long_article() -> None:
    text, mentions = _article()
    assert len(text) > 10_000
    assert [(m.as_written, m.canonical) for m in enrich.find_actors(text)] == mentions


@pytest.mark.parametrize(
    ("tid", "name"),
    [
        ("T1566", "Phishing"),
        ("T1566.004", "Spearphishing Voice"),
        ("t1190", "Exploit Public-Facing Application"),
        ("T1110.004", "Credential Stuffing"),
    ],
)
def test_enrich_technique_name(tid: str, name: str) -> None:
    assert enrich.technique_name(tid) == name


def test_enrich_technique_name_unknown() -> None:
    assert enrich.technique_name("T9999") is None


@pytest.mark.parametrize("tid", sorted({t for ts in vocab.ACCESS_VECTORS.values() for t in ts}))
def test_enrich_vocab_techniques_exist_in_galaxy(tid: str) -> None:
    assert enrich.technique_name(tid) is not None


@pytest.mark.parametrize("vector", sorted(vocab.ACCESS_VECTORS))
def test_enrich_techniques_for_vector(vector: str) -> None:
    assert enrich.techniques_for_vector(vector) == vocab.ACCESS_VECTORS[vector]


def test_enrich_find_campaigns() -> None:
    text = "Mandrel Labs tracks it as UNC5120 and calls it Operation Glass Orchard; see also ArcaneDoor."
    names = [name for _, _, name in enrich.find_campaigns(text)]
    assert names == ["UNC5120", "Operation Glass Orchard", "ArcaneDoor"]


@pytest.mark.parametrize(
    ("brand", "parent"),
    [
        ("Cartier", "Richemont"),
        ("Van Cleef & Arpels", "Richemont"),
        ("Gucci", "Kering"),
        ("Balenciaga", "Kering"),
        ("alexander mcqueen", "Kering"),
        ("Dior", "LVMH"),
        ("Tiffany & Co.", "LVMH"),
        ("Tiffany and Co", "LVMH"),
        ("Sephora", "LVMH"),
        ("Ticketmaster", "Live Nation Entertainment"),
        ("Change Healthcare Inc.", "UnitedHealth Group"),
    ],
)
def test_enrich_parent_of(brand: str, parent: str) -> None:
    assert enrich.parent_of(brand) == parent


@pytest.mark.parametrize("name", ["Kering", "Marks and Spencer", "Vesper Atelier", ""])
def test_enrich_parent_of_none(name: str) -> None:
    assert enrich.parent_of(name) is None


@pytest.mark.parametrize(
    ("parent", "brand"),
    [
        ("Kering", "Gucci"),
        ("Kering Group", "Bottega Veneta"),
        ("LVMH", "Louis Vuitton"),
        ("Richemont", "Cartier"),
    ],
)
def test_enrich_brands_of(parent: str, brand: str) -> None:
    assert brand in enrich.brands_of(parent)


def test_enrich_brands_and_parents_agree() -> None:
    for parent in ("Kering", "LVMH", "Richemont", "Marriott International"):
        for brand in enrich.brands_of(parent):
            assert enrich.parent_of(brand) == parent


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("M&S", "Marks and Spencer"),
        ("Marks & Spencer", "Marks and Spencer"),
        ("Marks and Spencer Group plc", "Marks and Spencer"),
        ("the Co-op", "Co-op"),
        ("YSL", "Saint Laurent"),
        ("Hermes", "Hermès"),
        ("  Vesper Atelier ", "Vesper Atelier"),
    ],
)
def test_enrich_canonical_org(name: str, canonical: str) -> None:
    assert enrich.canonical_org(name) == canonical


def test_enrich_org_profile() -> None:
    cartier = enrich.org_profile("Cartier")
    assert cartier is not None
    assert (cartier.parent, cartier.sector, cartier.country) == ("Richemont", "luxury-fashion", "FR")
    richemont = enrich.org_profile("Richemont")
    assert richemont is not None and richemont.country == "CH" and "Cartier" in richemont.brands
    assert cartier.source
    assert enrich.org_profile("Vesper Atelier") is None


def test_enrich_org_profiles_use_vocabulary() -> None:
    for parent in ("Kering", "Inditex", "BT Group", "Accor", "Alphabet"):
        for name in (parent, *enrich.brands_of(parent)):
            profile = enrich.org_profile(name)
            assert profile is not None and profile.source
            assert profile.sector in vocab.SECTORS


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("UK", "GB"), ("Britain", "GB"), ("British", "GB"), ("England", "GB"), ("US", "US"), ("U.S.", "US"),
        ("USA", "US"), ("America", "US"), ("American", "US"), ("Russia", "RU"), ("Russian", "RU"),
        ("French", "FR"), ("Parisian", "FR"), ("Ivory Coast", "CI"), ("German", "DE"), ("Italian", "IT"),
        ("Spanish", "ES"), ("Swiss", "CH"), ("Dutch", "NL"), ("Japanese", "JP"), ("Chinese", "CN"),
        ("Korean", "KR"), ("South Korea", "KR"), ("North Korea", "KP"), ("Indian", "IN"),
        ("Australian", "AU"),
        ("Canadian", "CA"), ("Brazilian", "BR"), ("Irish", "IE"), ("France", "FR"), ("germany", "DE"),
        ("Türkiye", "TR"), ("Turkey", "TR"), ("the Netherlands", "NL"), ("FR", "FR"), ("DEU", "DE"),
    ],
)
def test_enrich_country_code(word: str, code: str) -> None:
    assert enrich.country_code(word) == code


@pytest.mark.parametrize("word", ["us", "it", "", "Narnia", "EU"])
def test_enrich_country_code_none(word: str) -> None:
    assert enrich.country_code(word) is None


def test_enrich_find_countries() -> None:
    text = (
        "The British retailer told us that U.S. and French shoppers, a clinic in New Jersey and a supplier "
        "in Georgia were affected, as was its Ivory Coast office; the EU regulator was informed."
    )
    found = [(code, written) for _, _, code, written in enrich.find_countries(text)]
    assert found == [("GB", "British"), ("US", "U.S."), ("FR", "French"), ("CI", "Ivory Coast")]
    for start, end, _, written in enrich.find_countries(text):
        assert text[start:end] == written


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("Vesper, the Paris fashion house, said", "luxury-fashion"),
        ("the jeweller's online boutique", "luxury-fashion"),
        ("Brightwater, a regional health insurer, said", "healthcare"),
        ("patients of three hospitals", "healthcare"),
        ("a credit union in Ohio", "finance"),
        ("the fintech lender", "finance"),
        ("the supermarket chain", "retail"),
        ("Tallow Mobile, a mobile operator,", "telecom"),
        ("a school district in Texas", "education"),
        ("the casino operator", "hospitality"),
        ("the airline's loyalty scheme", "transport"),
        ("the ministry of transport", "government"),
        ("the streaming service", "media"),
        ("a SaaS vendor", "technology"),
        ("the web-hosting company", "technology"),
    ],
)
def test_enrich_sector_cues(text: str, sector: str) -> None:
    assert sector in {s for _, _, s in enrich.sector_cues(text)}


def test_enrich_sector_cues_respect_case_of_acronyms() -> None:
    assert enrich.sector_cues("it services were down") == []
    assert [s for _, _, s in enrich.sector_cues("an IT services firm")] == ["technology"]


@pytest.mark.parametrize(
    "text",
    [
        "Vesper was hacked in March by Royal, which then posted its files.",  # the agent of an attack verb
        "Vesper blamed Royal, one of several Russian-speaking extortion gangs.",  # apposition
        "Royal is a ransomware-as-a-service operation that hit Vesper.",  # copula
        "Royal Ransomeware hit Vesper.",  # the outlet's spelling of "ransomware"
    ],
)
def test_enrich_family_name_in_a_group_phrase_is_an_actor(text: str) -> None:
    assert [m.canonical for m in enrich.find_actors(text)] == ["Royal"]


def test_enrich_family_name_once_named_a_group_is_that_group_throughout() -> None:
    text = "The Royal ransomware gang hit Vesper. Vesper restored its systems without Royal’s help."
    assert [(m.as_written, m.start) for m in enrich.find_actors(text)] == [("Royal", 4), ("Royal", 74)]


def test_enrich_family_name_alone_is_no_actor() -> None:
    assert enrich.find_actors("Vesper restored its systems without Royal’s help. The Royal Mail van came.") == []


def test_enrich_possessive_keeps_the_name() -> None:
    assert [m.canonical for m in enrich.find_actors("Investigators traced ShinyHunters’ and APT41's tools.")] == [
        "ShinyHunters",
        "APT41",
    ]


def test_enrich_quoted_group_name_before_an_attackers_verb() -> None:
    assert _actors("Online group ‘Lantern Fox’ said it had infiltrated the Vesper network.") == [
        ("Lantern Fox", "Lantern Fox", False)
    ]
