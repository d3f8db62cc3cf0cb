"""Golden articles: tests/fixtures/articles/NAME.txt analysed end to end against NAME.expected.json.

The articles are short texts we wrote ourselves (invented companies), each built around the traps real breach
coverage contains (DESIGN.md "Hard cases"). The expectations are what a careful analyst reads, not what the code
happened to output. An expected file is either {"incidents": []} (no incident described) or the main incident's
fields: victim, mentioned_victims, records_affected ({value, modality} or null), data_exposed, data_not_exposed,
threat_actors (canonical names), response_actions and ransom (a status or null). Lists compare as sorted lists.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from breachlens.pipeline import analyze
from breachlens.records import DocumentAnalysis, Evidence, Incident

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
PATHS = sorted(ARTICLES.glob("*.txt"))
FIELDS = (
    "victim",
    "mentioned_victims",
    "records_affected",
    "data_exposed",
    "data_not_exposed",
    "threat_actors",
    "response_actions",
    "ransom",
)


def expected(path: Path) -> dict[str, Any]:
    """The expected-JSON file beside an article."""
    data: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return data


@cache
def document(path: Path) -> DocumentAnalysis:
    """The pipeline's reading of one article (analysed once per session)."""
    analysis = analyze([str(path)])
    assert not analysis.failures, analysis.failures
    (doc,) = analysis.documents
    return doc


def actual(doc: DocumentAnalysis, field: str) -> Any:
    """One field of the document's main incident, in the expected-JSON shape."""
    main = doc.main
    assert main is not None, f"no main incident found; incidents: {[i.victim for i in doc.incidents]}"
    if field == "victim":
        return main.victim
    if field == "mentioned_victims":
        return sorted(i.victim for i in doc.incidents if i.role == "mentioned")
    if field == "records_affected":
        r = main.records_affected
        return None if r is None else {"value": r.value, "modality": r.modality}
    if field == "ransom":
        return None if main.ransom is None else main.ransom.value
    return sorted(f.value for f in getattr(main, field))


def all_evidence(incident: Incident) -> list[Evidence]:
    """Every quote behind every value of an incident."""
    out = [ev for _name, fact in incident.facts() for ev in fact.evidence]
    out += [ev for _name, evs in incident.field_evidence for ev in evs]
    out += [ev for event in incident.timeline for ev in event.evidence]
    return out


def test_fixture_articles_exist() -> None:
    assert len(PATHS) >= 8
    for path in PATHS:
        assert path.with_suffix(".expected.json").is_file(), f"{path.name} has no expected file"
        words = len(path.read_text(encoding="utf-8").split())
        assert 150 <= words <= 400, f"{path.name}: {words} words"


CASES = [
    pytest.param(path, field, id=f"{path.stem}-{field}")
    for path in PATHS
    if expected(path).get("incidents") != []
    for field in FIELDS
]


@pytest.mark.parametrize(("path", "field"), CASES)
def test_fixture_articles_field(path: Path, field: str) -> None:
    want = expected(path)[field]
    if isinstance(want, list):
        want = sorted(want)
    assert actual(document(path), field) == want


NO_INCIDENT = [pytest.param(p, id=p.stem) for p in PATHS if expected(p).get("incidents") == []]


@pytest.mark.parametrize("path", NO_INCIDENT)
def test_fixture_articles_no_incident(path: Path) -> None:
    assert [i.victim for i in document(path).incidents] == []


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in PATHS])
def test_fixture_articles_evidence_is_verbatim(path: Path) -> None:
    doc = document(path)
    source = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    for incident in doc.incidents:
        evidence = all_evidence(incident)
        assert evidence or incident.role == "mentioned", f"{incident.victim}: no evidence at all"
        for ev in evidence:
            assert ev.quote == doc.text[ev.start : ev.end], ev
            assert re.sub(r"\s+", " ", ev.quote) in source, ev
