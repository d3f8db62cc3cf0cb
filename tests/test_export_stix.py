"""STIX 2.1 export: valid for stix2, stix2-validator and stix2-patterns; deterministic; keeps the quotes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import stix2
from stix2.v21 import vocab as stix_vocab
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions, validate_string

from breachlens import vocab
from breachlens.delivery.export.stix import (
    EXTENSION_ID,
    IDENTITY_ID,
    STIX_INDUSTRY_SECTOR,
    export_stix,
    stix_objects,
    stix_pattern,
)
from breachlens.errors import ExportError
from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, MergedIncident

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "incidents.json"


def _fixture() -> tuple[list[MergedIncident], list[DocumentAnalysis]]:
    """The invented incidents and their documents (tests/fixtures/export/make_incidents.py)."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    documents = [replace(DocumentAnalysis.from_dict(d), text=d["text"]) for d in data["documents"]]
    return [MergedIncident.from_dict(m) for m in data["incidents"]], documents


INCIDENTS, DOCUMENTS = _fixture()


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    """The bundle of all fixture incidents, as JSON."""
    return dict(json.loads(export_stix(INCIDENTS, DOCUMENTS)))


def _by_type(bundle: dict[str, Any], stix_type: str) -> list[dict[str, Any]]:
    """Objects of one type."""
    return [o for o in bundle["objects"] if o["type"] == stix_type]


def test_stix_bundle_parses_and_every_object_validates(bundle: dict[str, Any]) -> None:
    parsed = stix2.parse(json.dumps(bundle), allow_custom=False)
    assert parsed.type == "bundle"
    for obj in bundle["objects"]:
        assert stix2.parse(obj, allow_custom=False).id == obj["id"]


def test_stix_bundle_passes_the_oasis_validator(bundle: dict[str, Any]) -> None:
    # uuid-check: our ids are deliberately UUIDv5 (deterministic), which the validator only warns about.
    results = validate_string(json.dumps(bundle), ValidationOptions(version="2.1", disabled=["uuid-check"]))
    assert results.is_valid, [str(e) for e in results.errors]
    # The only warning left: {302} a URL without a hash (ATT&CK pages, and articles whose bytes we lack here).
    assert {str(w).split(": ", 1)[1][:5] for w in results.warnings} <= {"{302}"}


def test_stix_ids_are_identical_across_exports() -> None:
    first, second = export_stix(INCIDENTS, DOCUMENTS), export_stix(INCIDENTS, DOCUMENTS)
    assert first == second
    reordered = export_stix(INCIDENTS[::-1], DOCUMENTS)
    assert {o["id"] for o in json.loads(reordered)["objects"]} == {
        o["id"] for o in json.loads(first)["objects"]
    }


def test_stix_modified_is_when_the_store_last_changed_the_incident() -> None:
    """Issue 16: an incident read from a store is versioned by its change time (TAXII serves it as the version),
    cut to the millisecond, deterministically; reference objects keep their fixed version."""
    changed = [replace(m, updated_at="2026-01-02T03:04:05.678901Z") for m in INCIDENTS]
    text = export_stix(changed, DOCUMENTS)
    assert text == export_stix(changed, DOCUMENTS)
    objects = json.loads(text)["objects"]
    report = next(o for o in objects if o["type"] == "report")
    assert report["modified"] == "2026-01-02T03:04:05.678Z" and report["created"] <= report["modified"]
    scoped = [o for o in objects if o.get("modified") == "2026-01-02T03:04:05.678Z"]
    assert {o["type"] for o in scoped} >= {"report", "note"}
    assert all(o["modified"] == "2025-01-01T00:00:00.000Z" for o in objects if o["type"] in ("location", "threat-actor"))
    early = [replace(m, updated_at="2020-01-01T00:00:00.000000Z") for m in INCIDENTS[:1]]  # before its first date
    for o in json.loads(export_stix(early, DOCUMENTS))["objects"]:
        assert o.get("created", "") <= o.get("modified", "")


def test_stix_single_incident_ids_match_its_ids_in_a_bundle(bundle: dict[str, Any]) -> None:
    alone = {o["id"]: o for o in json.loads(export_stix(INCIDENTS[:1], DOCUMENTS))["objects"]}
    together = {o["id"]: o for o in bundle["objects"]}
    assert set(alone) <= set(together)
    assert all(alone[i] == together[i] for i in alone)


def test_stix_ids_differ_between_incidents() -> None:
    def reports(incidents: list[MergedIncident]) -> set[str]:
        return {
            o["id"] for o in json.loads(export_stix(incidents, DOCUMENTS))["objects"] if o["type"] == "report"
        }

    assert reports(INCIDENTS[:1]).isdisjoint(reports(INCIDENTS[1:2]))


def test_stix_victim_identity_has_stix_sector(bundle: dict[str, Any]) -> None:
    victims = {o["name"]: o for o in _by_type(bundle, "identity") if o["identity_class"] == "organization"}
    assert victims["Halvard Outfitters"]["sectors"] == ["retail"]
    assert victims["Corvane Health"]["sectors"] == ["healthcare"]
    assert "sectors" not in victims["Qzq"]


def test_stix_sector_table_covers_our_sectors_with_stix_vocabulary() -> None:
    assert set(STIX_INDUSTRY_SECTOR) == set(vocab.SECTORS) - {"other"}
    assert set(STIX_INDUSTRY_SECTOR.values()) <= set(stix_vocab.INDUSTRY_SECTOR)


def test_stix_actor_is_intrusion_set_attributed_to_threat_actor_with_aliases(bundle: dict[str, Any]) -> None:
    (intrusion_set,) = _by_type(bundle, "intrusion-set")
    (actor,) = _by_type(bundle, "threat-actor")
    assert intrusion_set["name"] == actor["name"] == "ShinyHunters"
    assert "Shiny Hunters" in intrusion_set["aliases"]
    relations = {
        (r["source_ref"], r["relationship_type"], r["target_ref"]) for r in _by_type(bundle, "relationship")
    }
    assert (intrusion_set["id"], "attributed-to", actor["id"]) in relations


def test_stix_relationships_targets_and_uses(bundle: dict[str, Any]) -> None:
    ids = {o["id"]: o for o in bundle["objects"]}
    triples = {
        (ids[r["source_ref"]].get("name"), r["relationship_type"], ids[r["target_ref"]].get("name"))
        for r in _by_type(bundle, "relationship")
    }
    assert ("ShinyHunters", "targets", "Halvard Outfitters") in triples
    assert ("ShinyHunters", "uses", "Spearphishing Voice") in triples
    assert ("Exploit Public-Facing Application", "targets", "Corvane Health") in triples
    assert ("Summer Sweep", "attributed-to", "ShinyHunters") in triples


def test_stix_attack_patterns_reference_attack(bundle: dict[str, Any]) -> None:
    patterns = {p["external_references"][0]["external_id"]: p for p in _by_type(bundle, "attack-pattern")}
    assert set(patterns) == {"T1566.004", "T1078", "T1190", "T1566"}
    voice = patterns["T1566.004"]
    assert voice["name"] == "Spearphishing Voice"
    assert voice["external_references"][0] == {
        "source_name": "mitre-attack",
        "external_id": "T1566.004",
        "url": "https://attack.mitre.org/techniques/T1566/004/",
    }
    assert {"kill_chain_name": "mitre-attack", "phase_name": "initial-access"} in voice["kill_chain_phases"]


def test_stix_indicator_patterns_are_valid(bundle: dict[str, Any]) -> None:
    indicators = _by_type(bundle, "indicator")
    assert len(indicators) == 6  # every IOC of the fixtures but the CVE
    for indicator in indicators:
        assert run_validator(indicator["pattern"], stix_version="2.1") == [], indicator["pattern"]
    patterns = {i["pattern"] for i in indicators}
    assert "[ipv4-addr:value = '198.51.100.7']" in patterns
    assert "[url:value = 'https://halvard-helpdesk.example/login?next=a\\'b']" in patterns
    assert "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']" in patterns


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ipv4", "198.51.100.7", "[ipv4-addr:value = '198.51.100.7']"),
        ("ipv4", "999.1.1.1", None),
        ("ipv4", "2001:db8::1", None),
        ("ipv6", "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
        ("domain", "Evil.Example", "[domain-name:value = 'evil.example']"),
        ("domain", "not a domain", None),
        ("url", "http://x.example/a\\b", "[url:value = 'http://x.example/a\\\\b']"),
        ("url", "x.example/path", None),
        ("sha256", "A" * 64, "[file:hashes.'SHA-256' = '" + "a" * 64 + "']"),
        ("sha256", "a" * 63, None),
        (
            "sha1",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
        ),
        ("md5", "zz" * 16, None),
        ("email", "a@b.example", "[email-addr:value = 'a@b.example']"),
        ("cve", "CVE-2024-12345", None),
        ("phone", "+44 20 7946 0000", None),
    ],
)
def test_stix_pattern(kind: str, value: str, expected: str | None) -> None:
    pattern = stix_pattern(kind, value)
    assert pattern == expected
    if pattern is not None:
        assert run_validator(pattern, stix_version="2.1") == []


def test_stix_notes_contain_every_quote(bundle: dict[str, Any]) -> None:
    contents = "\n".join(n["content"] for n in _by_type(bundle, "note"))
    for merged in INCIDENTS:
        for _, fact in merged.incident.facts():
            for evidence in fact.evidence:
                assert f"\u201c{evidence.quote}\u201d ({evidence.source})" in contents


def test_stix_note_extension_carries_evidence_offsets(bundle: dict[str, Any]) -> None:
    texts = {d.source: d.text for d in DOCUMENTS}
    notes = _by_type(bundle, "note")
    assert notes
    for note in notes:
        ext = note["extensions"][EXTENSION_ID]
        assert ext["extension_type"] == "property-extension"
        for e in ext["x_breachlens_evidence"]:
            assert texts[e["source"]][e["start"] : e["end"]] == e["quote"]


def test_stix_note_of_a_claim_keeps_its_modality(bundle: dict[str, Any]) -> None:
    (note,) = [n for n in _by_type(bundle, "note") if n["abstract"].startswith("data exposed: passwords")]
    ext = note["extensions"][EXTENSION_ID]
    assert ext["x_breachlens_modality"] == "claimed"
    assert note["confidence"] == 40


def test_stix_extensions_are_declared_by_the_extension_definition(bundle: dict[str, Any]) -> None:
    (definition,) = _by_type(bundle, "extension-definition")
    assert definition["id"] == EXTENSION_ID
    assert definition["extension_types"] == ["property-extension"]
    assert definition["created_by_ref"] == IDENTITY_ID
    for obj in bundle["objects"]:
        for key, ext in obj.get("extensions", {}).items():
            assert key == EXTENSION_ID
            assert all(k == "extension_type" or k.startswith("x_breachlens_") for k in ext)


def test_stix_report_ties_objects_and_cites_sources(bundle: dict[str, Any]) -> None:
    ids = {o["id"] for o in bundle["objects"]}
    reports = {
        r["extensions"][EXTENSION_ID]["x_breachlens_incident_id"]: r for r in _by_type(bundle, "report")
    }
    assert set(reports) == {m.id for m in INCIDENTS}
    halvard = reports["halvard-outfitters-2025-06"]
    assert set(halvard["object_refs"]) <= ids
    urls = {ref.get("url") for ref in halvard["external_references"]}
    assert "https://news.example/2025/06/halvard-outfitters-breach" in urls
    files = {ref.get("external_id") for ref in halvard["external_references"]}
    assert {"/data/articles/ledger-halvard.txt", "halvard-outfitters-2025-06"} <= files
    assert halvard["published"].startswith("2025-06-02T00:00:00")
    ext = halvard["extensions"][EXTENSION_ID]
    assert [d["value"] for d in ext["x_breachlens_data_exposed"]] == ["name", "email", "phone", "password"]
    assert ext["x_breachlens_records_affected"] == {
        "value": 1_200_000,
        "modality": "confirmed",
        "confidence": 0.9,
    }
    assert ext["x_breachlens_conflicts"][0]["field"] == "records_affected"


def test_stix_every_reference_resolves_within_the_bundle(bundle: dict[str, Any]) -> None:
    ids = {o["id"] for o in bundle["objects"]}
    for obj in bundle["objects"]:
        refs = [
            obj.get("created_by_ref"),
            obj.get("source_ref"),
            obj.get("target_ref"),
            *obj.get("object_refs", []),
        ]
        assert {r for r in refs if r} <= ids, obj["id"]


def test_stix_confidence_is_scaled_to_100(bundle: dict[str, Any]) -> None:
    values = [o["confidence"] for o in bundle["objects"] if "confidence" in o]
    assert values and all(isinstance(v, int) and 0 <= v <= 100 for v in values)
    (indicator,) = [i for i in _by_type(bundle, "indicator") if "198.51.100.7" in i["pattern"]]
    assert indicator["confidence"] == 50


def test_stix_cve_becomes_vulnerability_not_indicator(bundle: dict[str, Any]) -> None:
    (vulnerability,) = _by_type(bundle, "vulnerability")
    assert vulnerability["name"] == "CVE-2024-12345"
    assert vulnerability["external_references"] == [{"source_name": "cve", "external_id": "CVE-2024-12345"}]


def test_stix_invalid_ioc_gets_a_note_but_no_indicator() -> None:
    quote = "999.300.1.1"
    ev = (Evidence("x.txt", quote, 0, len(quote)),)
    merged = MergedIncident(
        "bad-ioc", Incident("Bad Ioc Ltd", iocs=(Fact(quote, "reported", ev, type="ipv4"),)), ("x.txt",)
    )
    objects = json.loads(export_stix([merged], []))["objects"]
    assert not [o for o in objects if o["type"] == "indicator"]
    assert any(o["type"] == "note" and quote in o["content"] for o in objects)


def test_stix_incident_without_dates_or_documents_exports() -> None:
    merged = MergedIncident("bare", Incident("Bare Co"), ("bare.txt",))
    objects = stix_objects([merged], [])
    assert {o.type for o in objects} == {"identity", "extension-definition", "report"}


def test_stix_export_error_names_the_incident() -> None:
    ev = (Evidence("x.txt", "q", 0, 1),)
    merged = MergedIncident(
        "bad-confidence",
        Incident("Odd Co", data_exposed=(Fact("email", "reported", ev, confidence=float("nan")),)),
        ("x.txt",),
    )
    with pytest.raises(ExportError, match="^bad-confidence: cannot be exported as STIX"):
        export_stix([merged], [])


def test_stix_empty_export_is_an_empty_valid_bundle() -> None:
    data = json.loads(export_stix([], []))
    assert data["type"] == "bundle"
    assert {o["type"] for o in data["objects"]} == {"identity", "extension-definition"}
