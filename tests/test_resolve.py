"""resolve: clustering across documents, merge with provenance, conflicts, confidence and stable ids.

Every fixture is a hand-built DocumentAnalysis about invented companies; quotes are substrings of the texts.
"""

from __future__ import annotations

import itertools
import sys
import types
from typing import Any

import pytest

from breachlens.analysis.resolve import CONFIDENCE_BASE, date_span, normalise_name, resolve, slug
from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, MergedIncident, TimelineEvent
from breachlens.settings import Settings
from breachlens.vocab import MODALITY_WEIGHT

SETTINGS = Settings()

TEXT_LEDGER = (
    "Vesper Atelier confirmed that 419,000 customers had their names and email addresses exposed in a breach "
    "discovered on 2 June. The retailer said the attack was carried out by Quillmoth and that it had "
    "notified "
    "the regulator. Investigators said payment card data was also taken."
)
TEXT_HERALD = (
    "About 400,000 Vesper shoppers were affected, the Morning Herald reported. Email addresses were stolen, "
    "the company confirmed, while it insisted that no payment card data was accessed. The intrusion began on "
    "2 June, according to a notice sent to customers."
)
TEXT_WIRE = (
    "Fashion label Vesper is investigating a cyber attack. Hackers calling themselves Quillmoth say "
    "they hold "
    "3.1 million customer records and published a sample on their leak site."
)
TEXT_RECALL = (
    "In March 2022 Vesper disclosed that 12,000 loyalty accounts had been accessed by credential stuffing, "
    "exposing names and dates of birth."
)
TEXT_ORLA = (
    "Orla Group, the owner of Vesper and Maison Tarn, said hackers accessed client data at several of its "
    "houses in June. Names and phone numbers were exposed."
)
TEXT_TARN = (
    "Maison Tarn, part of Orla Group, told clients that their names and postal addresses were "
    "accessed in June."
)


def ev(source: str, text: str, quote: str) -> Evidence:
    """Evidence for the first occurrence of quote in text."""
    start = text.index(quote)
    return Evidence(source, quote, start, start + len(quote))


def fact(source: str, text: str, value: Any, quote: str, modality: str = "reported", **extra: Any) -> Fact:
    """A one-quote Fact."""
    return Fact(value, modality, (ev(source, text, quote),), **extra)


def article(
    source: str,
    text: str,
    published: str | None = "2025-06-10",
    victim: str = "Vesper",
    role: str = "main",
    facts: dict[str, Any] | None = None,
    mentioned: tuple[Incident, ...] = (),
    **plain: Any,
) -> DocumentAnalysis:
    """A document whose incident has the given plain fields and facts given as (value, quote[, modality])."""
    built: dict[str, Any] = {}
    for name, spec in (facts or {}).items():
        if name in ("records_affected", "ransom"):
            built[name] = fact(source, text, *spec)
        else:
            built[name] = tuple(fact(source, text, *s) for s in spec)
    field_evidence = ()
    if victim in text:
        field_evidence = (("victim", (ev(source, text, victim),)),)
    incident = Incident(victim=victim, role=role, field_evidence=field_evidence, **plain, **built)
    return DocumentAnalysis(source, None, published, (incident, *mentioned), text=text)


def ledger(source: str = "ledger", **kw: Any) -> DocumentAnalysis:
    """The Daily Ledger's article: 419,000 confirmed, names and emails, payment cards exposed."""
    facts = {
        "records_affected": (419_000, "419,000 customers", "confirmed"),
        "data_exposed": [("name", "names", "confirmed"), ("email", "email addresses", "confirmed"),
                         ("payment_card", "payment card data", "reported")],
        "threat_actors": [("Quillmoth", "Quillmoth", "reported")],
        "response_actions": [("regulator_notified", "notified the regulator", "confirmed")],
    }
    return article(source, kw.pop("text", TEXT_LEDGER), incident_date="2025-06-02", facts=facts, **kw)


def herald(source: str = "herald", **kw: Any) -> DocumentAnalysis:
    """The Morning Herald's article: 400,000 reported, emails exposed, payment cards not."""
    facts = {
        "records_affected": (400_000, "About 400,000 Vesper shoppers", "reported"),
        "data_exposed": [("email", "Email addresses", "confirmed")],
        "data_not_exposed": [("payment_card", "no payment card data was accessed", "confirmed")],
    }
    return article(source, TEXT_HERALD, incident_date="2025-06-02", facts=facts, **kw)


def wire(source: str = "wire", **kw: Any) -> DocumentAnalysis:
    """A wire story: the attacker claims 3.1 million records."""
    facts = {
        "records_affected": (3_100_000, "3.1 million customer records", "claimed"),
        "threat_actors": [("Quillmoth", "Quillmoth", "reported")],
    }
    return article(source, TEXT_WIRE, published="2025-06-11", facts=facts, **kw)


def republished(original: DocumentAnalysis, source: str, published: str = "2025-06-11") -> DocumentAnalysis:
    """Another site's verbatim copy of an article (offsets shift by its headline)."""
    head = "Syndicated: luxury brand breach. "
    shift = len(head)

    def moved(f: Fact) -> Fact:
        """The fact with its evidence in the copy."""
        evs = tuple(Evidence(source, e.quote, e.start + shift, e.end + shift) for e in f.evidence)
        return Fact(f.value, f.modality, evs, f.as_written, f.attack_techniques, f.type)

    inc = original.incidents[0]
    copy = Incident(
        victim=inc.victim,
        incident_date=inc.incident_date,
        records_affected=moved(inc.records_affected) if inc.records_affected else None,
        data_exposed=tuple(moved(f) for f in inc.data_exposed),
        data_not_exposed=tuple(moved(f) for f in inc.data_not_exposed),
        threat_actors=tuple(moved(f) for f in inc.threat_actors),
        response_actions=tuple(moved(f) for f in inc.response_actions),
    )
    return DocumentAnalysis(source, None, published, (copy,), text=head + original.text)


def one(result: tuple[MergedIncident, ...]) -> MergedIncident:
    """The single incident of a result."""
    assert len(result) == 1, [m.id for m in result]
    return result[0]


def value_fact(merged: MergedIncident, field_name: str, value: Any) -> Fact:
    """The merged fact of a list field with this value."""
    return next(f for f in getattr(merged.incident, field_name) if f.value == value)


def noisy_or(*modalities: str) -> float:
    """The documented confidence formula over independent sources."""
    miss = 1.0
    for m in modalities:
        miss *= 1 - MODALITY_WEIGHT[m] * CONFIDENCE_BASE
    return 1 - miss


# ------------------------------------------------------------------------------------------------ clustering


def test_resolve_outlets_on_one_breach_form_one_incident() -> None:
    merged = one(resolve([ledger(), herald(), wire()], SETTINGS))
    assert merged.sources == ("herald", "ledger", "wire")
    assert merged.independent_sources == 3
    assert merged.incident.victim == "Vesper"


def test_resolve_older_breach_of_same_company_is_a_separate_incident() -> None:
    recall = article(
        "archive",
        TEXT_RECALL,
        published="2025-06-12",
        incident_date="2022-03",
        facts={"records_affected": (12_000, "12,000 loyalty accounts", "confirmed")},
    )
    result = resolve([ledger(), herald(), recall], SETTINGS)
    assert [m.id for m in result] == ["vesper-2022-03", "vesper-2025-06"]
    assert result[0].sources == ("archive",)
    assert result[0].incident.records_affected is not None
    assert result[0].incident.records_affected.value == 12_000
    assert not result[1].conflicts or all(c.field != "incident_date" for c in result[1].conflicts)


@pytest.mark.parametrize(
    ("dates", "expected_incidents"),
    [
        (("2025-06-02", "2025-09-01"), 1),  # 91 days apart
        (("2025-01-05", "2025-12-20"), 2),  # 349 days apart
        (("2025", "2025-06-02"), 1),  # compared at year granularity
        (("2022", "2025-06-02"), 2),
        (("--06-02", "2025-06-02"), 1),  # the year comes from the published date
    ],
)
def test_resolve_splits_one_victim_by_max_gap_days(dates: tuple[str, str], expected_incidents: int) -> None:
    docs = [
        article("a", TEXT_LEDGER, incident_date=dates[0]),
        article("b", TEXT_HERALD, incident_date=dates[1]),
    ]
    assert len(resolve(docs, SETTINGS)) == expected_incidents


def test_resolve_gap_follows_settings() -> None:
    docs = [
        article("a", TEXT_LEDGER, incident_date="2025-06-02"),
        article("b", TEXT_HERALD, incident_date="2025-09-01"),
    ]
    assert len(resolve(docs, Settings.load(max_gap_days=30))) == 2


def test_resolve_near_duplicate_jaccard_follows_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import breachlens.analysis.resolve.merge as merge_module

    seen: list[float] = []

    def find(texts: Any, threshold: float) -> dict[str, str]:
        seen.append(threshold)
        return {}

    monkeypatch.setattr(merge_module, "find_duplicates", find)
    resolve([ledger(), herald()], Settings.load(near_duplicate_jaccard=0.9))
    assert seen == [0.9]


def test_resolve_undated_article_joins_the_latest_incident() -> None:
    docs = [
        article("old", TEXT_RECALL, incident_date="2022-03"),
        article("new", TEXT_LEDGER, incident_date="2025-06-02"),
        article("undated", TEXT_HERALD, published=None),
    ]
    result = resolve(docs, SETTINGS)
    expected = {"vesper-2022-03": ("old",), "vesper-2025-06": ("new", "undated")}
    assert {m.id: m.sources for m in result} == expected


def test_resolve_uses_timeline_then_published_date_when_incident_dates_are_missing() -> None:
    event = TimelineEvent("detection", "2022-03-01", (ev("t", TEXT_RECALL, "In March 2022"),))
    docs = [
        article("t", TEXT_RECALL, published="2025-06-12", timeline=(event,)),
        article("p", TEXT_LEDGER, published="2025-06-12"),
    ]
    # Two incidents; ids only use incident/disclosure dates, so both are bare slugs, numbered in date order.
    assert {m.id: m.sources for m in resolve(docs, SETTINGS)} == {"vesper": ("t",), "vesper-2": ("p",)}


def test_resolve_article_dated_only_by_a_regulators_action_joins_the_breach() -> None:
    fine = TimelineEvent("regulator_action", "2027-01-20", (ev("fine", TEXT_HERALD, "the Morning Herald reported"),))
    docs = [
        article("breach", TEXT_LEDGER, incident_date="2025-06-02"),
        article("fine", TEXT_HERALD, published="2027-01-21", timeline=(fine,)),
    ]
    assert {m.id: m.sources for m in resolve(docs, SETTINGS)} == {"vesper-2025-06": ("breach", "fine")}


def test_resolve_initials_name_the_same_victim() -> None:
    docs = [
        article("full", TEXT_LEDGER, victim="Harbour Mutual Savings Bank", incident_date="2025-06-02"),
        article("arm", TEXT_HERALD, victim="HMSB Financial Services", incident_date="2025-06"),
        article("short", TEXT_WIRE, victim="HMSB", incident_date="2025-06"),
        article("other", TEXT_WIRE, victim="Hmsb Bakery", incident_date="2025-06"),  # not written as initials
    ]
    groups = sorted(m.sources for m in resolve(docs, SETTINGS))
    assert groups == [("arm", "full", "short"), ("other",)]


def test_resolve_brand_article_joins_its_parents_incident_via_parent() -> None:
    orla = article("orla", TEXT_ORLA, victim="Orla Group", incident_date="2025-06")
    tarn = article("tarn", TEXT_TARN, victim="Maison Tarn", parent="Orla Group", incident_date="2025-06")
    merged = one(resolve([tarn, orla], SETTINGS))
    assert merged.id == "orla-2025-06"
    assert merged.incident.victim == "Orla Group"
    assert merged.incident.brands == ("Maison Tarn",)
    assert merged.incident.parent is None


def test_resolve_brand_breach_at_another_time_is_the_brands_own_incident() -> None:
    orla = article("orla", TEXT_ORLA, victim="Orla Group", incident_date="2025-06")
    tarn = article("tarn", TEXT_TARN, victim="Maison Tarn", parent="Orla Group", incident_date="2023-02")
    result = resolve([tarn, orla], SETTINGS)
    assert [(m.id, m.incident.victim, m.incident.parent) for m in result] == [
        ("maison-tarn-2023-02", "Maison Tarn", "Orla Group"),
        ("orla-2025-06", "Orla Group", None),
    ]


def test_resolve_victim_named_in_anothers_brands_joins() -> None:
    brands = ("Vesper", "Maison Tarn")
    orla = article("orla", TEXT_ORLA, victim="Orla Group", brands=brands, incident_date="2025-06")
    merged = one(resolve([ledger(), orla], SETTINGS))
    assert merged.incident.victim == "Orla Group"
    assert merged.sources == ("ledger", "orla")


def test_resolve_sibling_brands_without_a_parent_article_stay_apart() -> None:
    tarn = article("tarn", TEXT_TARN, victim="Maison Tarn", parent="Orla Group", incident_date="2025-06")
    vesper = article("v", TEXT_LEDGER, parent="Orla Group", incident_date="2025-06-02")
    assert [m.id for m in resolve([tarn, vesper], SETTINGS)] == ["maison-tarn-2025-06", "vesper-2025-06"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Vesper Atelier Ltd.", "vesper atelier"),
        ("The Vesper Group plc", "vesper"),
        ("Marks & Spencer", "marks and spencer"),
        ("Maison-Tarn S.A.", "maison tarn"),
        ("Hôtel Brise AG", "hotel brise"),
        ("The Group", "the group"),
    ],
)
def test_resolve_normalises_victim_names(written: str, expected: str) -> None:
    assert normalise_name(written) == expected


def test_resolve_spellings_of_one_victim_cluster_together() -> None:
    a = article("a", TEXT_LEDGER, victim="Vesper Ltd", incident_date="2025-06-02")
    b = article("b", TEXT_HERALD, victim="VESPER", incident_date="2025-06-02")
    c = article("c", TEXT_WIRE, victim="Vesper", incident_date="2025-06-02")
    merged = one(resolve([a, b, c], SETTINGS))
    assert merged.incident.victim == "Vesper Ltd"  # all tie; the earliest source's spelling


def test_resolve_uses_enrich_aliases_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("breachlens.analysis.enrich")
    fake.canonical_org = lambda name: {"VA": "Vesper Atelier"}.get(name, name)  # type: ignore[attr-defined]
    fake.parent_of = lambda name: {"Vesper Atelier": "Orla Group"}.get(name)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "breachlens.analysis.enrich", fake)
    a = article("a", TEXT_LEDGER, victim="VA", incident_date="2025-06-02")
    b = article("b", TEXT_HERALD, victim="Vesper Atelier", incident_date="2025-06-02")
    orla = article("orla", TEXT_ORLA, victim="Orla Group", incident_date="2025-06")
    merged = one(resolve([a, b, orla], SETTINGS))
    assert merged.incident.victim == "Orla Group"
    assert merged.incident.brands == ("Vesper Atelier",)


def test_resolve_mentioned_incidents_are_not_clustered() -> None:
    mentioned = Incident(victim="Maison Tarn", role="mentioned", incident_date="2025-05")
    merged = one(resolve([ledger(mentioned=(mentioned,))], SETTINGS))
    assert merged.incident.victim == "Vesper"


def test_resolve_documents_without_incidents_give_nothing() -> None:
    advice = DocumentAnalysis("advice", None, None, (), text="Never share your password.")
    assert resolve([advice], SETTINGS) == ()


# ----------------------------------------------------------------------------------------------------- merge


def test_resolve_counts_that_differ_between_outlets_conflict() -> None:
    a = article("a", TEXT_LEDGER, incident_date="2025-06-02",
                facts={"records_affected": (419_000, "419,000 customers", "reported")})
    b = herald("b")
    merged = one(resolve([b, a], SETTINGS))
    conflict = next(c for c in merged.conflicts if c.field == "records_affected")
    assert conflict.values == ((419_000, ("a",)), (400_000, ("b",)))
    assert merged.incident.records_affected is not None
    assert merged.incident.records_affected.value == 419_000


def test_resolve_counts_within_one_percent_are_one_value() -> None:
    text = "Vesper said 419,312 customers were affected."
    a = article("a", TEXT_LEDGER, incident_date="2025-06-02",
                facts={"records_affected": (419_000, "419,000 customers", "confirmed")})
    b = article("b", text, incident_date="2025-06-02",
                facts={"records_affected": (419_312, "419,312 customers", "reported")})
    merged = one(resolve([a, b], SETTINGS))
    records = merged.incident.records_affected
    assert records is not None
    assert records.value == 419_000 and records.modality == "confirmed"
    assert [e.source for e in records.evidence] == ["a", "b"]
    assert not [c for c in merged.conflicts if c.field == "records_affected"]


def test_resolve_claimed_and_confirmed_counts_do_not_conflict() -> None:
    merged = one(resolve([ledger(), wire()], SETTINGS))
    records = merged.incident.records_affected
    assert records is not None
    assert (records.value, records.modality) == (419_000, "confirmed")
    assert not [c for c in merged.conflicts if c.field == "records_affected"]
    claims = [t for t in merged.incident.timeline if t.kind == "claim"]
    assert [(t.date, t.modality, [e.quote for e in t.evidence]) for t in claims] == [
        ("2025-06-11", "claimed", ["3.1 million customer records"])
    ]


def test_resolve_only_claims_give_a_claimed_count() -> None:
    merged = one(resolve([wire()], SETTINGS))
    records = merged.incident.records_affected
    assert records is not None
    assert (records.value, records.modality) == (3_100_000, "claimed")
    assert not [t for t in merged.incident.timeline if t.kind == "claim"]


def test_resolve_different_claims_conflict() -> None:
    text = "Quillmoth now says it holds 2 million records."
    other = article("forum", text, facts={"records_affected": (2_000_000, "2 million records", "claimed")})
    merged = one(resolve([wire(), other], SETTINGS))
    conflict = next(c for c in merged.conflicts if c.field == "records_affected")
    assert {v for v, _ in conflict.values} == {2_000_000, 3_100_000}


def test_resolve_exposed_vs_not_exposed_is_a_conflict_kept_in_both_lists() -> None:
    merged = one(resolve([ledger(), herald()], SETTINGS))
    conflict = next(c for c in merged.conflicts if c.field == "data_exposed")
    assert conflict.values == (
        ("payment_card: exposed", ("ledger",)),
        ("payment_card: not exposed", ("herald",)),
    )
    assert "payment_card" in [f.value for f in merged.incident.data_exposed]
    assert "payment_card" in [f.value for f in merged.incident.data_not_exposed]


def test_resolve_list_value_keeps_strongest_modality_and_all_evidence() -> None:
    text = "Vesper customers' email addresses may have been exposed, reports suggest."
    facts = {"data_exposed": [("email", "email addresses", "suspected")]}
    a = article("a", text, incident_date="2025-06-02", facts=facts)
    merged = one(resolve([a, herald("b")], SETTINGS))
    email = value_fact(merged, "data_exposed", "email")
    assert email.modality == "confirmed"
    assert [(e.source, e.quote) for e in email.evidence] == [
        ("a", "email addresses"),
        ("b", "Email addresses"),
    ]
    assert email.confidence == pytest.approx(noisy_or("suspected", "confirmed"))


def test_resolve_evidence_is_deduplicated_by_source_and_offsets() -> None:
    doc = ledger()
    twice = Incident(victim="Vesper", incident_date="2025-06-02", data_exposed=doc.incidents[0].data_exposed)
    doc2 = DocumentAnalysis("ledger", None, "2025-06-10", (doc.incidents[0], twice), text=TEXT_LEDGER)
    merged = one(resolve([doc2], SETTINGS))
    assert len(value_fact(merged, "data_exposed", "email").evidence) == 1


def test_resolve_single_source_confidence_follows_modality() -> None:
    merged = one(resolve([ledger()], SETTINGS))
    assert value_fact(merged, "data_exposed", "email").confidence == pytest.approx(CONFIDENCE_BASE)
    card = value_fact(merged, "data_exposed", "payment_card")
    assert card.confidence == pytest.approx(noisy_or("reported"))


def test_resolve_republished_copy_does_not_raise_confidence() -> None:
    without = one(resolve([ledger(), herald()], SETTINGS))
    copy = republished(ledger(), "mirror")
    with_copy = one(resolve([ledger(), herald(), copy], SETTINGS))
    assert with_copy.sources == ("herald", "ledger", "mirror")
    assert with_copy.independent_sources == 2
    assert with_copy.duplicates == (("mirror", "ledger"),)
    for (name, before), (_, after) in zip(without.incident.facts(), with_copy.incident.facts(), strict=True):
        assert after.confidence == pytest.approx(before.confidence), name
    email = value_fact(with_copy, "data_exposed", "email")
    assert {e.source for e in email.evidence} == {"herald", "ledger", "mirror"}


def test_resolve_independent_source_raises_confidence() -> None:
    alone = one(resolve([ledger()], SETTINGS))
    text = "Vesper told customers that names were exposed."
    facts = {"data_exposed": [("name", "names", "confirmed")]}
    other = article("other", text, incident_date="2025-06-02", facts=facts)
    both = one(resolve([ledger(), other], SETTINGS))
    two = value_fact(both, "data_exposed", "name").confidence
    assert two == pytest.approx(noisy_or("confirmed", "confirmed"))
    assert two > (value_fact(alone, "data_exposed", "name").confidence or 0.0)


@pytest.mark.parametrize(
    ("named", "conflict"),
    [
        ({"a": ["Quillmoth"], "b": ["Quillmoth"]}, None),
        ({"a": ["Quillmoth"], "b": ["Ashfall"]}, {"Quillmoth", "Ashfall"}),
        ({"a": ["Quillmoth"], "b": ["Ashfall"], "c": ["Quillmoth", "Ashfall"]}, None),
        ({"a": ["Quillmoth"], "b": ["quill moth"]}, None),  # one actor, two spellings
    ],
)
def test_resolve_threat_actors_conflict_only_when_no_source_names_both(
    named: dict[str, list[str]], conflict: set[str] | None
) -> None:
    docs = []
    for source, actors in named.items():
        text = f"Vesper was attacked; {' and '.join(actors)} are blamed."
        facts = {"threat_actors": [(a, a) for a in actors]}
        docs.append(article(source, text, incident_date="2025-06-02", facts=facts))
    merged = one(resolve(docs, SETTINGS))
    found = [c for c in merged.conflicts if c.field == "threat_actors"]
    assert ({v for v, _ in found[0].values} if found else None) == conflict


@pytest.mark.parametrize(
    ("dates", "chosen", "conflict"),
    [
        (("2025-06", "2025-06-02"), "2025-06-02", False),
        (("2025-06-02", "2025-06-02", "2025-06-09"), "2025-06-02", True),
        (("--06-04", "2025-06-04"), "2025-06-04", False),
    ],
)
def test_resolve_disclosure_dates_merge_at_common_granularity(
    dates: tuple[str, ...], chosen: str, conflict: bool
) -> None:
    texts = [TEXT_LEDGER, TEXT_HERALD, TEXT_WIRE]
    docs = [article(f"s{i}", texts[i], disclosure_date=d) for i, d in enumerate(dates)]
    merged = one(resolve(docs, SETTINGS))
    assert merged.incident.disclosure_date == chosen
    assert any(c.field == "disclosure_date" for c in merged.conflicts) == conflict


def test_resolve_plain_fields_take_the_majority_and_record_disagreement() -> None:
    docs = [
        article("a", TEXT_LEDGER, incident_date="2025-06-02", sector="retail", victim_country="FR"),
        article("b", TEXT_HERALD, incident_date="2025-06-02", sector="luxury-fashion", victim_country="FR"),
        article("c", TEXT_WIRE, incident_date="2025-06-02", sector="luxury-fashion"),
    ]
    merged = one(resolve(docs, SETTINGS))
    assert (merged.incident.sector, merged.incident.victim_country) == ("luxury-fashion", "FR")
    sector = next(c for c in merged.conflicts if c.field == "sector")
    assert sector.values == (("luxury-fashion", ("b", "c")), ("retail", ("a",)))
    assert not [c for c in merged.conflicts if c.field == "victim_country"]


def test_resolve_merges_field_evidence_of_the_chosen_value() -> None:
    merged = one(resolve([ledger(), herald()], SETTINGS))
    assert [e.source for e in merged.incident.evidence_for("victim")] == ["herald", "ledger"]


@pytest.mark.parametrize(
    ("statuses", "chosen", "conflict"),
    [
        (("demanded", "paid"), "paid", False),
        (("paid", "refused"), None, True),
    ],
)
def test_resolve_ransom_status(statuses: tuple[str, str], chosen: str | None, conflict: bool) -> None:
    docs = []
    for i, status in enumerate(statuses):
        text = f"Vesper ransom status: {status}."
        docs.append(article(f"s{i}", text, incident_date="2025-06-02", facts={"ransom": (status, status)}))
    merged = one(resolve(docs, SETTINGS))
    assert merged.incident.ransom is not None
    if chosen:
        assert merged.incident.ransom.value == chosen
    assert any(c.field == "ransom" for c in merged.conflicts) == conflict


def test_resolve_timeline_merges_same_kind_and_date_and_sorts() -> None:
    a = article("a", TEXT_LEDGER, timeline=(
        TimelineEvent("detection", "2025-06-02", (ev("a", TEXT_LEDGER, "discovered on 2 June"),)),
        TimelineEvent("disclosure", "2025-06-09", (ev("a", TEXT_LEDGER, "confirmed"),), "confirmed"),
    ))
    b = article("b", TEXT_HERALD, timeline=(
        TimelineEvent("detection", "--06-02", (ev("b", TEXT_HERALD, "began on 2 June"),)),
        TimelineEvent("incident", "2025-05", (ev("b", TEXT_HERALD, "intrusion"),)),
    ))
    merged = one(resolve([b, a], SETTINGS))
    timeline = merged.incident.timeline
    assert [(t.kind, t.date) for t in timeline] == [
        ("incident", "2025-05"),
        ("detection", "2025-06-02"),
        ("disclosure", "2025-06-09"),
    ]
    assert [e.source for e in timeline[1].evidence] == ["a", "b"]


# ------------------------------------------------------------------------------------------------------- ids


def test_resolve_ids_are_readable_slugs_with_year_and_month() -> None:
    docs = [
        article("a", TEXT_LEDGER, victim="Vesper Atelier Ltd", disclosure_date="2025-06-09",
                incident_date="2025-05-28"),
        article("b", TEXT_ORLA, victim="Orla Group", disclosure_date="2024"),
        article("c", TEXT_TARN, victim="Maison Tarn", published=None),
    ]
    assert [m.id for m in resolve(docs, SETTINGS)] == ["maison-tarn", "orla-2024", "vesper-atelier-2025-05"]


def test_resolve_previous_ids_are_kept_when_sources_arrive() -> None:
    first = one(resolve([herald()], SETTINGS))
    assert first.id == "vesper-2025-06"
    earlier = article("early", TEXT_WIRE, incident_date="2025-05-30")
    later = one(resolve([herald(), ledger(), earlier], SETTINGS, previous_ids={"herald": first.id}))
    assert later.id == first.id
    assert one(resolve([herald(), ledger(), earlier], SETTINGS)).id == "vesper-2025-05"


def test_resolve_new_ids_never_reuse_a_previous_id() -> None:
    merged = one(resolve([ledger()], SETTINGS, previous_ids={"gone": "vesper-2025-06"}))
    assert merged.id == "vesper-2025-06-2"


def test_resolve_ids_are_made_unique_in_date_order() -> None:
    docs = [
        article("b", TEXT_HERALD, incident_date="2025-06-30"),
        article("a", TEXT_LEDGER, incident_date="2025-06-01"),
    ]
    result = resolve(docs, Settings.load(max_gap_days=10))
    assert {m.id: m.sources for m in result} == {"vesper-2025-06": ("a",), "vesper-2025-06-2": ("b",)}


def test_resolve_contested_previous_id_goes_to_the_incident_with_most_of_its_sources() -> None:
    docs = [
        article("a", TEXT_LEDGER, incident_date="2025-06-01"),
        article("b", TEXT_HERALD, incident_date="2025-06-02"),
        article("c", TEXT_WIRE, incident_date="2026-06-01"),
    ]
    previous = {"a": "vesper-x", "b": "vesper-x", "c": "vesper-x"}
    result = resolve(docs, SETTINGS, previous_ids=previous)
    assert {m.id: m.sources for m in result} == {"vesper-x": ("a", "b"), "vesper-2026-06": ("c",)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("marks and spencer", "marks-and-spencer"), ("héloïse", "heloise"), ("東京", "incident")],
)
def test_resolve_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("value", "published", "days", "precision"),
    [("2025", None, 365, "year"), ("2024-02", None, 29, "month"), ("2025-06-02", None, 1, "day"),
     ("--06-02", "2025-06-10", 1, "day"), ("--06-02", None, None, None), ("June", None, None, None)],
)
def test_resolve_date_span(
    value: str, published: str | None, days: int | None, precision: str | None
) -> None:
    span = date_span(value, published)
    assert (span[1] - span[0] + 1 if span else None, span[2] if span else None) == (days, precision)


# ----------------------------------------------------------------------------------------------- determinism


def test_resolve_is_independent_of_input_order() -> None:
    orla = article("orla", TEXT_ORLA, victim="Orla Group", incident_date="2025-06")
    tarn = article("tarn", TEXT_TARN, victim="Maison Tarn", parent="Orla Group", incident_date="2025-06")
    recall = article("archive", TEXT_RECALL, incident_date="2022-03")
    docs = [ledger(), herald(), wire(), republished(ledger(), "mirror"), orla, tarn, recall]
    expected = [m.as_dict() for m in resolve(docs, SETTINGS)]
    for perm in itertools.islice(itertools.permutations(docs), 0, 5040, 97):
        assert [m.as_dict() for m in resolve(list(perm), SETTINGS)] == expected
