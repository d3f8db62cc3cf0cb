"""ATT&CK Navigator layer: format and domain, scores by incident count, incidents in comments."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from breachlens.delivery.export._common import galaxy_values
from breachlens.delivery.export.navigator import export_navigator, navigator_layer
from breachlens.records import Evidence, Fact, Incident, MergedIncident

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "incidents.json"
INCIDENTS = [
    MergedIncident.from_dict(m) for m in json.loads(FIXTURE.read_text(encoding="utf-8"))["incidents"]
]
EV = (Evidence("x.txt", "quote", 0, 5),)
# Keys a layer 4.5 file must have for the Navigator to load it (layer format 4.5 documentation).
REQUIRED = {"name", "versions", "domain", "techniques"}


def _phished(incident_id: str, modality: str = "reported", tid: str = "T1566") -> MergedIncident:
    """An incident whose only vector is phishing."""
    fact = Fact("phishing", modality, EV, attack_techniques=(tid,))
    return MergedIncident(incident_id, Incident(f"Victim {incident_id}", initial_access=(fact,)), ("x.txt",))


def _techniques(layer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Layer techniques by id."""
    return {t["techniqueID"]: t for t in layer["techniques"]}


def test_navigator_layer_format_and_domain() -> None:
    layer = json.loads(export_navigator(INCIDENTS, []))
    assert REQUIRED <= set(layer)
    assert layer["versions"] == {"navigator": "5.1.0", "layer": "4.5"}
    assert layer["domain"] == "enterprise-attack"


def test_navigator_technique_ids_are_valid_and_known() -> None:
    known = {
        v["meta"]["external_id"]
        for v in galaxy_values("mitre-attack-pattern")
        if "external_id" in v.get("meta", {})
    }
    for tid in _techniques(navigator_layer(INCIDENTS)):
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", tid) and tid in known


def test_navigator_scores_count_incidents_once_each() -> None:
    twice = _phished("b")
    twice = MergedIncident(
        "b", Incident("Victim b", initial_access=twice.incident.initial_access * 2), ("x.txt",)
    )
    layer = navigator_layer([_phished("a"), twice, _phished("c", tid="T1190")])
    techniques = _techniques(layer)
    assert techniques["T1566"]["score"] == 2
    assert techniques["T1190"]["score"] == 1
    assert layer["gradient"]["minValue"] == 0 and layer["gradient"]["maxValue"] == 2


def test_navigator_comment_and_metadata_list_incidents() -> None:
    technique = _techniques(navigator_layer([_phished("a", "suspected"), _phished("b")]))["T1566"]
    assert (
        technique["comment"]
        == "T1566 Phishing: used in 2 incident(s): a (Victim a, suspected); b (Victim b, reported)"
    )
    assert technique["metadata"] == [{"name": "incident", "value": "a"}, {"name": "incident", "value": "b"}]
    assert technique["tactic"] == "initial-access"


def test_navigator_sub_technique_opens_its_parent() -> None:
    techniques = _techniques(navigator_layer(INCIDENTS))
    assert techniques["T1566.004"]["score"] == 1
    assert techniques["T1566"]["showSubtechniques"] is True


def test_navigator_unscored_parent_is_listed_for_a_lone_sub_technique() -> None:
    techniques = _techniques(navigator_layer([_phished("a", tid="T1566.004")]))
    assert "score" not in techniques["T1566"] and techniques["T1566"]["showSubtechniques"] is True


def test_navigator_no_incidents_gives_an_empty_layer() -> None:
    layer = navigator_layer([])
    assert layer["techniques"] == [] and layer["gradient"]["maxValue"] == 1


def test_navigator_ignores_malformed_technique_ids() -> None:
    assert _techniques(navigator_layer([_phished("a", tid="phishing")])) == {}
