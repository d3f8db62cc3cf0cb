"""recommend.py: advice fires only from exposed data, vectors, actors, ransom and IOCs, and keeps its reasons.

Facts belong to an invented company, Quillmere Bank, read from two invented sources.
"""

from __future__ import annotations

import pytest

from breachlens import vocab
from breachlens.delivery.recommend import Recommendations, Rule, load_rules, parse_rules, recommendations
from breachlens.errors import BreachlensError
from breachlens.records import Evidence, Fact, Incident

SRC_A = "https://daily.example/quillmere"
SRC_B = "https://forum-watch.example/quillmere-claim"
TEXT_A = (
    "Quillmere Bank said customers' email addresses and dates of birth were copied. "
    "Card numbers and passwords were not affected, the bank said. "
    "A caller posing as a staff member tricked the service desk."
)
TEXT_B = "The seller claims the Quillmere dump holds social security numbers and passport numbers."
TEXTS = {SRC_A: TEXT_A, SRC_B: TEXT_B}


def ev(source: str, quote: str) -> Evidence:
    """Evidence for a quote of an invented document, with its real offsets."""
    start = TEXTS[source].index(quote)
    return Evidence(source, quote, start, start + len(quote))


EMAIL_DOB = ev(SRC_A, "Quillmere Bank said customers' email addresses and dates of birth were copied.")
NEGATION = ev(SRC_A, "Card numbers and passwords were not affected, the bank said.")
CALLER = ev(SRC_A, "A caller posing as a staff member tricked the service desk.")
SELLER = ev(SRC_B, "The seller claims the Quillmere dump holds social security numbers and passport numbers.")

EMAIL = Fact("email", "confirmed", (EMAIL_DOB,))
DOB = Fact("date_of_birth", "confirmed", (EMAIL_DOB,))
SSN = Fact("ssn", "claimed", (SELLER,))
PASSPORT = Fact("government_id", "claimed", (SELLER,))
VISHING = Fact("vishing", "reported", (CALLER,), attack_techniques=("T1566.004",))
NOT_CARD = Fact("payment_card", "confirmed", (NEGATION,))
NOT_PASSWORD = Fact("password", "confirmed", (NEGATION,))

INCIDENT = Incident(
    victim="Quillmere Bank",
    sector="finance",
    data_exposed=(EMAIL, DOB, SSN, PASSPORT),
    data_not_exposed=(NOT_CARD, NOT_PASSWORD),
    initial_access=(VISHING,),
)


def test_recommend_every_item_cites_an_exposed_fact() -> None:
    recs = recommendations(INCIDENT)
    assert recs.peers and recs.people
    allowed = {EMAIL, DOB, SSN, PASSPORT, VISHING}
    for rec in (*recs.peers, *recs.people):
        assert rec.because and set(rec.because) <= allowed, rec.text


def test_recommend_not_exposed_types_never_trigger() -> None:
    only_negated = Incident(victim="Quillmere Bank", data_not_exposed=(NOT_CARD, NOT_PASSWORD))
    assert recommendations(only_negated) == Recommendations()
    assert not recommendations(only_negated)
    negated = ("data_exposed:payment_card", "data_exposed:password")
    negated_rules = [r for r in load_rules() if r.when in negated]
    negated_texts = {t.format(victim="Quillmere Bank") for r in negated_rules for t in (*r.peers, *r.people)}
    recs = recommendations(INCIDENT)
    assert negated_texts and not negated_texts & {r.text for r in (*recs.peers, *recs.people)}
    assert not any({NOT_CARD, NOT_PASSWORD} & set(r.because) for r in (*recs.peers, *recs.people))


def test_recommend_nothing_without_facts() -> None:
    assert recommendations(Incident(victim="Quillmere Bank")) == Recommendations()


@pytest.mark.parametrize(
    ("fact", "audience", "cue"),
    [
        (Fact("email", "reported", (EMAIL_DOB,)), "people", "targeted phishing"),
        (Fact("email", "reported", (EMAIL_DOB,)), "peers", "lookalike domains"),
        (Fact("phone", "reported", (EMAIL_DOB,)), "people", "sim-swap"),
        (Fact("phone", "reported", (EMAIL_DOB,)), "people", "vishing"),
        (Fact("postal_address", "reported", (EMAIL_DOB,)), "people", "post"),
        (Fact("password", "reported", (EMAIL_DOB,)), "people", "change the password"),
        (Fact("password", "reported", (EMAIL_DOB,)), "peers", "credential stuffing"),
        (Fact("payment_card", "reported", (EMAIL_DOB,)), "people", "card statements"),
        (Fact("payment_card", "reported", (EMAIL_DOB,)), "people", "reissue"),
        (Fact("spending_amount", "reported", (EMAIL_DOB,)), "peers", "high-value customers"),
        (Fact("purchase_history", "reported", (EMAIL_DOB,)), "peers", "high-value customers"),
        (Fact("government_id", "reported", (EMAIL_DOB,)), "people", "credit freeze"),
        (Fact("ssn", "reported", (EMAIL_DOB,)), "people", "credit monitoring"),
        (Fact("health", "reported", (EMAIL_DOB,)), "people", "medical identity theft"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.value,
)
def test_recommend_exposed_data_type_triggers_advice(fact: Fact, audience: str, cue: str) -> None:
    recs = recommendations(Incident(victim="Quillmere Bank", data_exposed=(fact,)))
    matching = [r for r in getattr(recs, audience) if cue in r.text.lower()]
    assert matching, [r.text for r in getattr(recs, audience)]
    assert all(r.because == (fact,) for r in matching)


@pytest.mark.parametrize(
    ("vector", "cue"),
    [
        ("vishing", "help desk"),
        ("vishing", "phishing-resistant mfa"),
        ("social_engineering", "help desk"),
        ("third_party", "vendors"),
        ("third_party", "saas"),
        ("credential_stuffing", "mfa"),
        ("credential_stuffing", "breached-password"),
    ],
)
def test_recommend_access_vector_triggers_peer_advice(vector: str, cue: str) -> None:
    fact = Fact(vector, "reported", (CALLER,), attack_techniques=vocab.ACCESS_VECTORS[vector])
    recs = recommendations(Incident(victim="Quillmere Bank", initial_access=(fact,)))
    matching = [r for r in recs.peers if cue in r.text.lower()]
    assert matching and all(r.because == (fact,) for r in matching)


def test_recommend_identical_texts_merge_their_reasons() -> None:
    recs = recommendations(INCIDENT)
    freeze = [r for r in recs.people if "credit freeze" in r.text]
    assert len(freeze) == 1
    assert set(freeze[0].because) == {SSN, PASSPORT}
    all_texts = [r.text for r in recs.people] + [r.text for r in recs.peers]
    assert len(all_texts) == len(set(all_texts))
    # vishing and social engineering share the help-desk advice: one item citing both facts.
    social = Fact("social_engineering", "suspected", (CALLER,))
    both = recommendations(Incident(victim="Quillmere Bank", initial_access=(VISHING, social)))
    help_desk = [r for r in both.peers if "help desk" in r.text]
    assert len(help_desk) == 1 and help_desk[0].because == (VISHING, social)


def test_recommend_actor_and_ransom_trigger() -> None:
    claim = SELLER
    actor = Fact("Brackenwolf", "claimed", (claim,), as_written="Bracken Wolf")
    ransom = Fact("demanded", "claimed", (claim,))
    recs = recommendations(Incident(victim="Quillmere Bank", threat_actors=(actor,), ransom=ransom))
    assert any(r.because == (actor,) for r in recs.peers)
    assert any(r.because == (ransom,) and "extortion" in r.text for r in recs.peers)


def test_recommend_victim_name_fills_placeholder() -> None:
    recs = recommendations(Incident(victim="Quillmere {Bank}", data_exposed=(EMAIL,)))
    assert any("Quillmere {Bank}" in r.text for r in recs.people)
    assert all("{victim}" not in r.text for r in (*recs.peers, *recs.people))


def test_recommend_packaged_rules_cover_the_brief() -> None:
    triggers = {rule.when for rule in load_rules()}
    for data_type in ("email", "phone", "postal_address", "password", "payment_card", "spending_amount",
                      "purchase_history", "government_id", "ssn", "health"):
        assert f"data_exposed:{data_type}" in triggers
    for vector in ("vishing", "social_engineering", "third_party", "credential_stuffing"):
        assert f"initial_access:{vector}" in triggers
    assert "threat_actor:any" in triggers
    assert not any(t.startswith("data_not_exposed") for t in triggers)


def test_recommend_custom_rules_are_used() -> None:
    rules = (Rule("data_exposed:date_of_birth", people=("Guard your birthday, {victim} customers.",)),)
    recs = recommendations(INCIDENT, rules)
    assert recs.peers == ()
    expected = [("Guard your birthday, Quillmere Bank customers.", (DOB,))]
    assert [(r.text, r.because) for r in recs.people] == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "no [[rule]] entries"),
        ({"rule": [{"when": "data_not_exposed:email", "people": ["x"]}]}, "unknown trigger"),
        ({"rule": [{"when": "data_exposed:emails", "people": ["x"]}]}, "unknown trigger"),
        ({"rule": [{"when": "data_exposed:email"}]}, "no text for peers or people"),
        ({"rule": [{"when": "data_exposed:email", "people": [""]}]}, "non-empty strings"),
        ({"rule": [{"when": "data_exposed:email", "people": ["call {company}"]}]}, "unknown placeholder"),
        ({"rule": [{"when": "data_exposed:email", "people": ["x"], "peer": ["y"]}]}, "unknown keys peer"),
    ],
)
def test_recommend_bad_rules_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(BreachlensError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rules(data, "rules.toml")


def test_recommend_load_rules_from_file(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "rules.toml"
    path.write_text('[[rule]]\nwhen = "ransom:paid"\npeers = ["Paying funds the next attack."]\n')
    assert load_rules(path) == (Rule("ransom:paid", peers=("Paying funds the next attack.",)),)
    path.write_text("[[rule]\n")
    with pytest.raises(BreachlensError, match="cannot read recommendation rules"):
        load_rules(path)
