"""VERIS export: required sections, mapped varieties, NAICS, timeline, and the schema subset."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from breachlens import vocab
from breachlens.export.veris import export_veris, veris_incident, veris_map
from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, MergedIncident, TimelineEvent

HERE = Path(__file__).parent / "fixtures" / "export"
SCHEMA = json.loads((HERE / "veris_subset.schema.json").read_text(encoding="utf-8"))


def _fixture() -> tuple[list[MergedIncident], list[DocumentAnalysis]]:
    """The invented incidents and their documents (tests/fixtures/export/make_incidents.py)."""
    data = json.loads((HERE / "incidents.json").read_text(encoding="utf-8"))
    documents = [replace(DocumentAnalysis.from_dict(d), text=d["text"]) for d in data["documents"]]
    return [MergedIncident.from_dict(m) for m in data["incidents"]], documents


INCIDENTS, DOCUMENTS = _fixture()
EV = (Evidence("x.txt", "quote", 0, 5),)


def _veris(merged: MergedIncident) -> dict[str, Any]:
    """The exported VERIS record of one incident, through the JSON text."""
    return dict(json.loads(export_veris([merged], DOCUMENTS)))


@pytest.mark.parametrize("merged", INCIDENTS, ids=[m.id for m in INCIDENTS])
def test_veris_validates_against_schema_subset(merged: MergedIncident) -> None:
    jsonschema.validate(_veris(merged), SCHEMA)


def test_veris_required_fields_of_halvard() -> None:
    record = _veris(INCIDENTS[0])
    assert record["schema_version"].startswith("1.3.")
    assert record["security_incident"] == "Confirmed"
    assert record["reference"] == (
        "https://news.example/2025/06/halvard-outfitters-breach; /data/articles/ledger-halvard.txt"
    )
    assert record["summary"].startswith("Data breach at Halvard Outfitters disclosed on 2025-06-02.")
    assert record["timeline"] == {"incident": {"year": 2025, "month": 5}}
    assert record["discovery_method"] == {"unknown": True}


def test_veris_data_varieties_and_total_from_vocab() -> None:
    confidentiality = _veris(INCIDENTS[0])["attribute"]["confidentiality"]
    assert confidentiality == {
        "data": [{"variety": "Personal"}, {"variety": "Credentials"}],
        "data_disclosure": "Yes",
        "data_total": 1_200_000,
    }
    corvane = _veris(INCIDENTS[1])["attribute"]["confidentiality"]
    assert corvane["data"] == [{"variety": "Medical"}, {"variety": "Personal"}]


def test_veris_actions_from_vectors_and_ransom() -> None:
    halvard, corvane = _veris(INCIDENTS[0])["action"], _veris(INCIDENTS[1])["action"]
    assert halvard["social"] == {"variety": ["Phishing", "Extortion"], "vector": ["Phone"]}
    assert halvard["hacking"] == {
        "variety": ["Use of stolen creds"],
        "vector": ["Unknown"],
        "cve": "CVE-2024-12345",
    }
    assert corvane["hacking"] == {"variety": ["Exploit vuln"], "vector": ["Web application"]}
    assert corvane["social"] == {"variety": ["Phishing", "Extortion"], "vector": ["Email"]}


def test_veris_actor_names_and_motive() -> None:
    assert _veris(INCIDENTS[0])["actor"] == {
        "external": {"variety": ["Unknown"], "motive": ["Financial"], "name": ["ShinyHunters"]}
    }
    assert _veris(INCIDENTS[2])["actor"] == {"Unknown": {}}


def test_veris_victim_industry_and_country() -> None:
    assert _veris(INCIDENTS[0])["victim"] == {
        "victim_id": "Halvard Outfitters",
        "industry": "44",
        "country": ["GB"],
        "employee_count": "Unknown",
    }
    assert _veris(INCIDENTS[1])["victim"]["industry"] == "62"
    assert _veris(INCIDENTS[2])["victim"]["industry"] == "000"
    assert _veris(INCIDENTS[2])["victim"]["country"] == ["Unknown"]


def test_veris_notes_carry_every_quote() -> None:
    notes = _veris(INCIDENTS[0])["notes"]
    for _, fact in INCIDENTS[0].incident.facts():
        for evidence in fact.evidence:
            assert f"\u201c{evidence.quote}\u201d ({evidence.source})" in notes


def test_veris_undated_incident_has_no_invented_dates() -> None:
    record = _veris(INCIDENTS[2])
    assert "timeline" not in record
    assert "created" not in record["plus"] and "modified" not in record["plus"]


def test_veris_discovery_days_and_actor_disclosure() -> None:
    inc = Incident(
        "Dated Co",
        incident_date="2025-04-01",
        timeline=(TimelineEvent("detection", "2025-04-11", EV), TimelineEvent("claim", "2025-04-20", EV)),
        initial_access=(Fact("insider", "reported", EV, attack_techniques=("T1078",)),),
        response_actions=(Fact("credit_monitoring_offered", "confirmed", EV),),
    )
    record = veris_incident(MergedIncident("dated", inc, ("x.txt",)), [])
    jsonschema.validate(record, SCHEMA)
    assert record["timeline"] == {
        "incident": {"year": 2025, "month": 4, "day": 1},
        "discovery": {"unit": "Days", "value": 10},
    }
    assert record["discovery_method"] == {"external": {"variety": ["Actor disclosure"]}}
    assert record["actor"] == {"internal": {"variety": ["Unknown"], "motive": ["Unknown"]}}
    assert record["plus"]["attribute"] == {"confidentiality": {"credit_monitoring": "Yes"}}


@pytest.mark.parametrize("vector", [v for v in vocab.ACCESS_VECTORS if v != "unknown"])
def test_veris_every_vector_maps_to_valid_action(vector: str) -> None:
    inc = Incident("Vector Co", initial_access=(Fact(vector, "reported", EV),))
    record = veris_incident(MergedIncident(f"v-{vector}", inc, ("x.txt",)), [])
    jsonschema.validate(record, SCHEMA)
    assert set(record["action"]) == {veris_map()["vector"][vector]["category"]}


def test_veris_map_covers_sectors_and_data_types() -> None:
    assert set(veris_map()["naics"]) == set(vocab.SECTORS)
    assert set(vocab.VERIS_DATA_VARIETY) == set(vocab.DATA_TYPES)


def test_veris_ids_are_deterministic_and_several_make_an_array() -> None:
    first, second = export_veris(INCIDENTS, DOCUMENTS), export_veris(INCIDENTS, DOCUMENTS)
    assert first == second
    records = json.loads(first)
    assert isinstance(records, list) and len({r["incident_id"] for r in records}) == 3
    assert records[0]["plus"]["master_id"] == records[0]["incident_id"].lower()
