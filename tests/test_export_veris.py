"""VERIS export: valid for the official VERIS 1.4.1 schema; mapped varieties, NAICS, timeline, JSON Lines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from breachlens import vocab
from breachlens.delivery.export.veris import NO_YEAR, export_veris, veris_incident, veris_map
from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, MergedIncident, TimelineEvent

HERE = Path(__file__).parent / "fixtures" / "export"
# The official VERIS Community Schema 1.4.1 (CC BY-SA 4.0, attribution in fixtures/veris/README.md).
SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "veris" / "verisc-merged.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
TODAY = date(2026, 3, 4)


def _assert_valid(record: dict[str, Any]) -> None:
    """Every schema error at once, with its path, rather than the first one."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(record)]
    assert not errors, errors


def _fixture() -> tuple[list[MergedIncident], list[DocumentAnalysis]]:
    """The invented incidents and their documents (tests/fixtures/export/make_incidents.py)."""
    data = json.loads((HERE / "incidents.json").read_text(encoding="utf-8"))
    documents = [replace(DocumentAnalysis.from_dict(d), text=d["text"]) for d in data["documents"]]
    return [MergedIncident.from_dict(m) for m in data["incidents"]], documents


INCIDENTS, DOCUMENTS = _fixture()
EV = (Evidence("x.txt", "quote", 0, 5),)


def _veris(merged: MergedIncident) -> dict[str, Any]:
    """The exported VERIS record of one incident, through the JSON text."""
    return dict(json.loads(export_veris([merged], DOCUMENTS, TODAY)))


def test_veris_schema_fixture_is_the_official_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert {"actor", "action", "asset", "timeline", "victim"} <= set(SCHEMA["properties"])
    assert (
        (HERE.parent / "veris" / "LICENSE.txt")
        .read_text(encoding="utf-8")
        .startswith("Creative Commons Attribution-ShareAlike 4.0")
    )
    assert "CC BY-SA 4.0" in (HERE.parent / "veris" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("merged", INCIDENTS, ids=[m.id for m in INCIDENTS])
def test_veris_validates_against_official_schema(merged: MergedIncident) -> None:
    _assert_valid(_veris(merged))


def test_veris_schema_version_is_the_schemas() -> None:
    assert _veris(INCIDENTS[0])["schema_version"] == SCHEMA["properties"]["schema_version"]["default"]


def test_veris_required_fields_of_halvard() -> None:
    record = _veris(INCIDENTS[0])
    assert record["security_incident"] == "Confirmed"
    assert record["reference"] == (
        "https://news.example/2025/06/halvard-outfitters-breach; /data/articles/ledger-halvard.txt"
    )
    assert record["summary"].startswith("Data breach at Halvard Outfitters disclosed on 2025-06-02.")
    assert record["timeline"] == {"incident": {"year": 2025, "month": 5}}
    assert record["plus"]["timeline"] == {"incident_year": "incident date"}
    assert record["discovery_method"] == {"unknown": True}
    assert record["asset"]["cloud"] == ["Unknown"]


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
    assert halvard["social"] == {
        "variety": ["Phishing", "Extortion"],
        "vector": ["Phone"],
        "target": ["Unknown"],
    }
    assert halvard["hacking"] == {
        "variety": ["Use of stolen creds"],
        "vector": ["Unknown"],
        "cve": "CVE-2024-12345",
    }
    assert corvane["hacking"] == {"variety": ["Exploit vuln"], "vector": ["Web application"]}
    assert corvane["social"] == {
        "variety": ["Phishing", "Extortion"],
        "vector": ["Email"],
        "target": ["Unknown"],
    }


def test_veris_actor_names_and_motive() -> None:
    assert _veris(INCIDENTS[0])["actor"] == {
        "external": {"variety": ["Unknown"], "motive": ["Financial"], "name": ["ShinyHunters"]}
    }
    assert _veris(INCIDENTS[2])["actor"] == {"unknown": {}}
    assert _veris(INCIDENTS[2])["action"] == {"unknown": {}}


def test_veris_victim_industry_and_country() -> None:
    assert _veris(INCIDENTS[0])["victim"] == {
        "victim_id": "Halvard Outfitters",
        "industry": "44",
        "government": ["NA"],
        "country": ["GB"],
        "employee_count": "Unknown",
    }
    assert _veris(INCIDENTS[1])["victim"]["industry"] == "62"
    assert _veris(INCIDENTS[2])["victim"]["industry"] == "000"
    assert _veris(INCIDENTS[2])["victim"]["government"] == ["Unknown"]
    assert _veris(INCIDENTS[2])["victim"]["country"] == ["Unknown"]


def test_veris_notes_carry_every_quote() -> None:
    notes = _veris(INCIDENTS[0])["notes"]
    for _, fact in INCIDENTS[0].incident.facts():
        for evidence in fact.evidence:
            assert f"\u201c{evidence.quote}\u201d ({evidence.source})" in notes


def test_veris_undated_incident_says_its_year_is_the_export_year() -> None:
    record = _veris(INCIDENTS[2])
    assert record["timeline"] == {"incident": {"year": 2026}}  # VERIS requires a year and has no Unknown
    assert record["plus"]["timeline"] == {"incident_year": NO_YEAR}
    assert record["notes"].splitlines()[0] == f"timeline.incident.year: {NO_YEAR}"
    assert "created" not in record["plus"] and "modified" not in record["plus"]


def test_veris_government_level_is_unknown_for_public_administration() -> None:
    inc = Incident("Town Council", sector="government")
    record = veris_incident(MergedIncident("council", inc, ("x.txt",)), [], TODAY)
    _assert_valid(record)
    assert record["victim"]["industry"] == "92" and record["victim"]["government"] == ["Unknown"]


def test_veris_discovery_days_and_actor_disclosure() -> None:
    inc = Incident(
        "Dated Co",
        incident_date="2025-04-01",
        timeline=(TimelineEvent("detection", "2025-04-11", EV), TimelineEvent("claim", "2025-04-20", EV)),
        initial_access=(Fact("insider", "reported", EV, attack_techniques=("T1078",)),),
        response_actions=(Fact("credit_monitoring_offered", "confirmed", EV),),
    )
    record = veris_incident(MergedIncident("dated", inc, ("x.txt",)), [], TODAY)
    _assert_valid(record)
    assert record["timeline"] == {
        "incident": {"year": 2025, "month": 4, "day": 1},
        "discovery": {"unit": "Days", "value": 10},
    }
    assert record["discovery_method"] == {"external": {"variety": ["Actor disclosure"]}}
    assert record["actor"] == {"internal": {"variety": ["Unknown"], "motive": ["Unknown"]}}
    assert record["plus"]["credit_monitoring"] == "Yes"


@pytest.mark.parametrize("vector", [v for v in vocab.ACCESS_VECTORS if v != "unknown"])
def test_veris_every_vector_maps_to_valid_action(vector: str) -> None:
    inc = Incident("Vector Co", initial_access=(Fact(vector, "reported", EV),))
    record = veris_incident(MergedIncident(f"v-{vector}", inc, ("x.txt",)), [], TODAY)
    _assert_valid(record)
    assert set(record["action"]) == {veris_map()["vector"][vector]["category"]}


def test_veris_map_covers_sectors_and_data_types() -> None:
    assert set(veris_map()["naics"]) == set(vocab.SECTORS)
    assert set(vocab.VERIS_DATA_VARIETY) == set(vocab.DATA_TYPES)


@pytest.mark.parametrize("sector", vocab.SECTORS)
def test_veris_every_sector_and_data_type_is_valid(sector: str) -> None:
    exposed = tuple(Fact(t, "reported", EV) for t in vocab.DATA_TYPES)
    inc = Incident("Sector Co", sector=sector, data_exposed=exposed)
    _assert_valid(veris_incident(MergedIncident(f"s-{sector}", inc, ("x.txt",)), [], TODAY))


def test_veris_ids_are_deterministic_and_several_make_json_lines() -> None:
    first, second = export_veris(INCIDENTS, DOCUMENTS, TODAY), export_veris(INCIDENTS, DOCUMENTS, TODAY)
    assert first == second
    lines = first.split("\n")
    records = [json.loads(line) for line in lines]
    assert len(lines) == 3 and len({r["incident_id"] for r in records}) == 3
    assert records[0]["plus"]["master_id"] == records[0]["incident_id"].lower()
    for record in records:
        _assert_valid(record)


def test_veris_no_incidents_is_no_line() -> None:
    assert export_veris([], DOCUMENTS, TODAY) == ""
