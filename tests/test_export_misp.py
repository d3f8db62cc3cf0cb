"""MISP export: loads back through pymisp, validates against pymisp's schema, right types, to_ids and tags."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pymisp
import pytest
from pymisp import MISPEvent

from breachlens import vocab
from breachlens.delivery.export._common import galaxy_values
from breachlens.delivery.export.misp import MISP_SECTOR_GALAXY, MISP_VICTIM_SECTOR, actor_tag, export_misp
from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, MergedIncident

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "incidents.json"
PYMISP_DATA = Path(pymisp.__file__).parent / "data"


def _fixture() -> tuple[list[MergedIncident], list[DocumentAnalysis]]:
    """The invented incidents and their documents (tests/fixtures/export/make_incidents.py)."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    documents = [replace(DocumentAnalysis.from_dict(d), text=d["text"]) for d in data["documents"]]
    return [MergedIncident.from_dict(m) for m in data["incidents"]], documents


INCIDENTS, DOCUMENTS = _fixture()
HALVARD = INCIDENTS[0]


def _event(merged: MergedIncident) -> MISPEvent:
    """The exported event of one incident, loaded back by pymisp."""
    event = MISPEvent()
    event.load(export_misp([merged], DOCUMENTS))
    return event


@pytest.fixture(scope="module")
def halvard() -> MISPEvent:
    """The Halvard event."""
    return _event(HALVARD)


def _attributes(event: MISPEvent, kind: str) -> list[Any]:
    """Event attributes of one MISP type."""
    return [a for a in event.attributes if a.type == kind]


@pytest.mark.parametrize("merged", INCIDENTS, ids=[m.id for m in INCIDENTS])
def test_misp_event_validates_against_pymisp_schema(merged: MergedIncident) -> None:
    # schema-lax.json: pymisp's strict schema.json predates MISP objects and rejects any "Object" key.
    schema = json.loads((PYMISP_DATA / "schema-lax.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(export_misp([merged], DOCUMENTS)), schema)


def test_misp_event_round_trips_without_loss(halvard: MISPEvent) -> None:
    again = MISPEvent()
    again.load(halvard.to_json())
    assert json.loads(again.to_json()) == json.loads(halvard.to_json())
    assert halvard.info == "Data breach: Halvard Outfitters (2025-06-02)"
    assert str(halvard.date) == "2025-06-02"


def test_misp_every_fact_becomes_an_attribute(halvard: MISPEvent) -> None:
    attributes = [*halvard.attributes, *(a for o in halvard.objects for a in o.attributes)]
    for name, fact in HALVARD.incident.facts():
        quote = fact.evidence[0].quote
        assert any(quote in (a.comment or "") for a in attributes), (name, fact.value)


@pytest.mark.parametrize(
    ("kind", "value", "to_ids"),
    [
        ("ip-dst", "198.51.100.7", True),
        ("domain", "halvard-helpdesk.example", True),
        ("url", "https://halvard-helpdesk.example/login?next=a'b", True),
        ("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", True),
        ("md5", "44d88612fea8a8f36de82e1278abb02f", True),
        ("vulnerability", "CVE-2024-12345", False),
        ("counter", "1200000", False),
        ("threat-actor", "ShinyHunters", False),
        ("campaign-name", "Summer Sweep", False),
        ("link", "https://news.example/2025/06/halvard-outfitters-breach", False),
    ],
)
def test_misp_attribute_types_and_to_ids(halvard: MISPEvent, kind: str, value: str, to_ids: bool) -> None:
    (attribute,) = [a for a in _attributes(halvard, kind) if a.value == value]
    assert attribute.to_ids is to_ids


def test_misp_ioc_comment_carries_modality_and_quote(halvard: MISPEvent) -> None:
    (ip,) = _attributes(halvard, "ip-dst")
    assert ip.comment == (
        "ipv4: 198.51.100.7 (reported): \u201c198.51.100.7\u201d "
        "(https://news.example/2025/06/halvard-outfitters-breach)"
    )
    assert 'breachlens:modality="reported"' in {t.name for t in ip.tags}


def test_misp_galaxy_tags_for_actor_attack_and_sector(halvard: MISPEvent) -> None:
    tags = {t.name for t in halvard.tags}
    assert 'misp-galaxy:threat-actor="ShinyHunters"' in tags
    assert 'misp-galaxy:mitre-attack-pattern="Spearphishing Voice - T1566.004"' in tags
    assert 'misp-galaxy:mitre-attack-pattern="Valid Accounts - T1078"' in tags
    assert 'misp-galaxy:sector="Retail"' in tags
    assert "tlp:clear" in tags
    (actor,) = _attributes(halvard, "threat-actor")
    assert 'misp-galaxy:threat-actor="ShinyHunters"' in {t.name for t in actor.tags}


def test_misp_galaxy_tags_name_existing_clusters(halvard: MISPEvent) -> None:
    for tag in (t.name for t in halvard.tags if t.name.startswith("misp-galaxy:")):
        galaxy, value = tag[len("misp-galaxy:") :].split("=", 1)
        assert value.strip('"') in {v["value"] for v in galaxy_values(galaxy)}, tag


def test_misp_data_type_tags(halvard: MISPEvent) -> None:
    tags = {t.name for a in _attributes(halvard, "text") for t in a.tags}
    assert {'breachlens:data-exposed="email"', 'breachlens:data-not-exposed="payment_card"'} <= tags


def test_misp_vocabulary_attributes_do_not_correlate(halvard: MISPEvent) -> None:
    assert all(a.disable_correlation for a in _attributes(halvard, "text"))
    assert not any(a.disable_correlation for a in _attributes(halvard, "ip-dst"))


def test_misp_victim_object(halvard: MISPEvent) -> None:
    (victim,) = [o for o in halvard.objects if o.name == "victim"]
    values = {a.object_relation: a.value for a in victim.attributes}
    assert values == {
        "name": "Halvard Outfitters",
        "classification": "organization",
        "regions": "GB",
        "sectors": "retail",
    }
    name = next(a for a in victim.attributes if a.object_relation == "name")
    assert "\u201cHalvard Outfitters\u201d" in name.comment


def test_misp_sector_tables_use_known_values() -> None:
    galaxy = {v["value"] for v in galaxy_values("sector")}
    assert set(MISP_SECTOR_GALAXY) == set(vocab.SECTORS)
    assert set(MISP_SECTOR_GALAXY.values()) <= galaxy
    template = json.loads(
        (PYMISP_DATA / "misp-objects" / "objects" / "victim" / "definition.json").read_text()
    )
    assert set(MISP_VICTIM_SECTOR.values()) <= set(template["attributes"]["sectors"]["sane_default"])


def test_misp_dates_keep_their_precision(halvard: MISPEvent) -> None:
    shown = {a.comment.split(":")[0]: a for a in halvard.attributes if a.type in ("datetime", "text")}
    assert shown["incident date"].type == "text" and shown["incident date"].value == "2025-05"
    assert shown["disclosure date"].type == "datetime"


def test_misp_conflicts_are_comments(halvard: MISPEvent) -> None:
    comments = [a.value for a in _attributes(halvard, "comment")]
    assert any(c.startswith("sources disagree on records_affected: 1200000") for c in comments)


def test_misp_uuids_are_deterministic() -> None:
    first, second = export_misp(INCIDENTS, DOCUMENTS), export_misp(INCIDENTS, DOCUMENTS)
    assert first == second
    events = json.loads(first)["response"]
    uuids = [events[0]["Event"]["uuid"], *(a["uuid"] for e in events for a in e["Event"]["Attribute"])]
    assert len(uuids) == len(set(uuids))


def test_misp_several_incidents_are_a_response_list() -> None:
    events = json.loads(export_misp(INCIDENTS, DOCUMENTS))["response"]
    assert [e["Event"]["info"].split(": ", 1)[1].split(" (")[0] for e in events] == [
        "Halvard Outfitters",
        "Corvane Health",
        "Qzq",
    ]


def test_misp_invalid_ioc_is_text_not_for_ids() -> None:
    ev = (Evidence("x.txt", "300.1.1.1", 0, 9),)
    merged = MergedIncident(
        "odd", Incident("Odd Co", iocs=(Fact("300.1.1.1", "reported", ev, type="ipv4"),)), ("x.txt",)
    )
    event = _event(merged)
    (attribute,) = [a for a in event.attributes if a.value == "300.1.1.1"]
    assert (attribute.type, attribute.to_ids) == ("text", False)


@pytest.mark.parametrize(
    ("name", "found"), [("ShinyHunters", True), ("shinyhunters", True), ("Nobody Group", False)]
)
def test_misp_actor_tag(name: str, found: bool) -> None:
    assert (actor_tag(name) is not None) is found


def test_misp_undated_incident_says_so() -> None:
    event = _event(INCIDENTS[2])
    assert event.info == "Data breach: Qzq (date not reported)"
