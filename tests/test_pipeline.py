"""pipeline.py: a batch goes on past bad inputs, and Analysis.as_dict() has the contract's shape (DESIGN.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from breachlens.pipeline import analyze, analyze_text
from breachlens.records import Analysis

ARTICLE = Path(__file__).parent / "fixtures" / "articles" / "harlow_foods_negation_bullets.txt"

DOCUMENT_KEYS = {"source", "title", "published", "incidents"}
INCIDENT_KEYS = {
    "victim", "parent", "brands", "sector", "victim_country", "disclosure_date", "incident_date", "records_affected",
    "data_exposed", "data_not_exposed", "threat_actors", "campaigns", "initial_access", "ransom", "response_actions",
    "iocs",
}
FACT_KEYS = {"value", "modality", "evidence"}
EVIDENCE_KEYS = {"source", "quote", "start", "end"}
MODALITIES = {"confirmed", "reported", "claimed", "suspected"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis]:
    """A directory with one good article, a binary file and an empty file, plus a missing path."""
    folder = tmp_path_factory.mktemp("batch")
    shutil.copy(ARTICLE, folder / "good.txt")
    (folder / "junk.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00 not text \x00\x00")
    (folder / "empty.txt").write_bytes(b"")
    return folder, analyze([str(folder), str(folder / "missing.txt")])


def test_pipeline_good_file_analysed_despite_bad_ones(batch: tuple[Path, Analysis]) -> None:
    folder, analysis = batch
    assert [d.source for d in analysis.documents] == [str(folder / "good.txt")]
    assert analysis.documents[0].main is not None


@pytest.mark.parametrize("name", ["junk.txt", "empty.txt", "missing.txt"])
def test_pipeline_bad_input_listed_with_one_line_reason(batch: tuple[Path, Analysis], name: str) -> None:
    folder, analysis = batch
    reasons = {f.source: f.reason for f in analysis.failures}
    reason = reasons[str(folder / name)]
    assert reason and "\n" not in reason and len(reason) < 200


def test_pipeline_failures_only_for_bad_inputs(batch: tuple[Path, Analysis]) -> None:
    folder, analysis = batch
    assert sorted(Path(f.source).name for f in analysis.failures) == ["empty.txt", "junk.txt", "missing.txt"]


def test_pipeline_failure_str_names_source(batch: tuple[Path, Analysis]) -> None:
    _folder, analysis = batch
    for failure in analysis.failures:
        assert str(failure).startswith(f"{failure.source}: ")


def test_pipeline_as_dict_contract_keys(batch: tuple[Path, Analysis]) -> None:
    _folder, analysis = batch
    data = json.loads(json.dumps(analysis.as_dict()))  # JSON-serialisable as is
    assert {"documents", "incidents"} <= set(data)
    for doc in data["documents"]:
        assert DOCUMENT_KEYS <= set(doc)
        for inc in doc["incidents"]:
            assert INCIDENT_KEYS | {"role"} <= set(inc)
            assert inc["role"] in ("main", "mentioned")
    for inc in data["incidents"]:
        assert INCIDENT_KEYS | {"id", "sources", "conflicts"} <= set(inc)
        assert isinstance(inc["id"], str) and inc["id"]
        assert inc["sources"]


def test_pipeline_as_dict_fact_shape(batch: tuple[Path, Analysis]) -> None:
    _folder, analysis = batch
    (doc,) = analysis.as_dict()["documents"]
    main = next(i for i in doc["incidents"] if i["role"] == "main")
    facts = [main["records_affected"]] + main["data_exposed"] + main["data_not_exposed"] + main["response_actions"]
    assert all(f is not None for f in facts)
    for fact in facts:
        assert FACT_KEYS <= set(fact)
        assert fact["modality"] in MODALITIES
        assert fact["evidence"]
        for ev in fact["evidence"]:
            assert EVIDENCE_KEYS <= set(ev)


def test_pipeline_as_dict_date_forms() -> None:
    doc = analyze_text(
        "Quarry Bank data breach\nQuarry Bank disclosed on 2025-06-02 that hackers stole customer names.\n"
    )
    data = doc.as_dict()
    for inc in data["incidents"]:
        for key in ("disclosure_date", "incident_date"):
            value = inc[key]
            assert value is None or len(value) in (4, 7, 10) or value.startswith("--")


def test_pipeline_no_incident_document_has_empty_list() -> None:
    doc = analyze_text("How to choose a strong password\nUse a long passphrase and a password manager.\n")
    assert doc.as_dict()["incidents"] == []


def test_pipeline_analyze_text_evidence_offsets() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    doc = analyze_text(text)
    for inc in doc.incidents:
        for _name, fact in inc.facts():
            for ev in fact.evidence:
                assert doc.text[ev.start : ev.end] == ev.quote


def test_pipeline_deterministic() -> None:
    first = analyze([str(ARTICLE)]).as_dict()
    second = analyze([str(ARTICLE)]).as_dict()
    assert first == second
