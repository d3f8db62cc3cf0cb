"""Ingest end to end: outlets on one incident merged, copies and recalled breaches handled, idempotent, crash-safe."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from breachlens.ingest.sources import ingest_sources
from breachlens.records import MergedIncident
from breachlens.settings import Settings
from breachlens.store import open_store

OUTLETS = Path(__file__).parent / "fixtures" / "outlets"


def _name(source: str) -> str:
    return Path(source).name


@pytest.fixture(scope="module")
def outlets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[MergedIncident, ...]]:
    db = tmp_path_factory.mktemp("ingest") / "outlets.db"
    with open_store(str(db)) as store:
        summary = ingest_sources([str(OUTLETS)], store, Settings.load())
    assert summary.failed == 0
    return db, summary.incidents


def _incident_of(incidents: tuple[MergedIncident, ...], filename: str) -> MergedIncident:
    return next(m for m in incidents if any(_name(s) == filename for s in m.sources))


def test_ingest_clusters_outlets_of_one_incident(outlets: tuple[Path, tuple[MergedIncident, ...]]) -> None:
    _db, incidents = outlets
    clusters = sorted(sorted(_name(s) for s in m.sources) for m in incidents)
    assert clusters == [
        ["a_wirefeed_morrowind_energy.txt", "b_citynews_morrowind_energy.txt", "c_republished_morrowind_energy.txt"],
        ["d_recall_morrowind_energy.txt"],
        ["f_other_victim_pellucid_water.txt"],
    ]


def test_ingest_keeps_an_older_breach_of_the_same_victim_apart(outlets: tuple[Path, tuple[MergedIncident, ...]]) -> None:
    _db, incidents = outlets
    old = _incident_of(incidents, "d_recall_morrowind_energy.txt")
    new = _incident_of(incidents, "a_wirefeed_morrowind_energy.txt")
    assert old.id != new.id
    assert old.incident.incident_date == "2021-06"
    assert new.id == "morrowind-energy-2025-09"


def test_ingest_records_differing_counts_as_a_conflict(outlets: tuple[Path, tuple[MergedIncident, ...]]) -> None:
    _db, incidents = outlets
    merged = _incident_of(incidents, "a_wirefeed_morrowind_energy.txt")
    (conflict,) = [c for c in merged.conflicts if c.field == "records_affected"]
    values = {value: sorted(_name(s) for s in sources) for value, sources in conflict.values}
    assert values == {
        400_000: ["b_citynews_morrowind_energy.txt"],
        419_000: ["a_wirefeed_morrowind_energy.txt", "c_republished_morrowind_energy.txt"],
    }


def test_ingest_republished_copy_is_not_independent(outlets: tuple[Path, tuple[MergedIncident, ...]], tmp_path: Path) -> None:
    _db, incidents = outlets
    merged = _incident_of(incidents, "a_wirefeed_morrowind_energy.txt")
    assert {(_name(c), _name(o)) for c, o in merged.duplicates} == {
        ("c_republished_morrowind_energy.txt", "a_wirefeed_morrowind_energy.txt")
    }
    assert merged.independent_sources == 2
    # the same incident without the copy has exactly the same confidences
    with open_store(str(tmp_path / "nocopy.db")) as store:
        files = [str(OUTLETS / n) for n in ("a_wirefeed_morrowind_energy.txt", "b_citynews_morrowind_energy.txt")]
        without = _incident_of(ingest_sources(files, store, Settings.load()).incidents, "a_wirefeed_morrowind_energy.txt")
    with_copy = {(n, f.value): f.confidence for n, f in merged.incident.facts()}
    without_copy = {(n, f.value): f.confidence for n, f in without.incident.facts()}
    assert with_copy == without_copy


def test_ingest_merged_evidence_cites_every_independent_source(outlets: tuple[Path, tuple[MergedIncident, ...]]) -> None:
    _db, incidents = outlets
    merged = _incident_of(incidents, "a_wirefeed_morrowind_energy.txt")
    cited = {_name(e.source) for _n, f in merged.incident.facts() for e in f.evidence}
    assert {"a_wirefeed_morrowind_energy.txt", "b_citynews_morrowind_energy.txt"} <= cited


def test_ingest_skips_a_page_about_no_breach(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        summary = ingest_sources([str(OUTLETS / "e_negative_grid_tips.txt")], store, Settings.load())
        assert (summary.new, summary.not_about_a_breach, len(summary.incidents)) == (1, 1, 0)


def _dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_ingest_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    with open_store(str(db)) as store:
        ingest_sources([str(OUTLETS)], store, Settings.load())
    before = _dump(db)
    with open_store(str(db)) as store:
        summary = ingest_sources([str(OUTLETS)], store, Settings.load())
    assert (summary.new, summary.duplicates) == (0, 6)
    assert _dump(db) == before


def test_ingest_keeps_ids_when_more_sources_arrive(tmp_path: Path) -> None:
    db = tmp_path / "ids.db"
    with open_store(str(db)) as store:
        first = ingest_sources([str(OUTLETS / "b_citynews_morrowind_energy.txt")], store, Settings.load()).incidents
        later = ingest_sources([str(OUTLETS)], store, Settings.load()).incidents
    (only,) = first
    assert only.id in {m.id for m in later}
    assert _incident_of(later, "b_citynews_morrowind_energy.txt").id == only.id


def test_ingest_killed_midway_leaves_a_consistent_database(tmp_path: Path) -> None:
    """SIGKILL during a long ingest: the database opens, passes integrity_check and keeps committed documents."""
    docs = tmp_path / "docs"
    docs.mkdir()
    body = (OUTLETS / "f_other_victim_pellucid_water.txt").read_text()
    for i in range(400):
        (docs / f"doc{i:04d}.txt").write_text(body.replace("12,500", f"{12_500 + i:,}") + f"\nRef {i}.\n")
    db = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "breachlens", "ingest", str(docs), "--db", str(db), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    try:
        deadline = time.monotonic() + 120
        committed = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            if db.exists():
                try:
                    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                    committed = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
                    conn.close()
                except sqlite3.Error:
                    continue
                if committed >= 40:
                    break
        assert proc.poll() is None, "ingest finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
    assert stored >= committed >= 40
    with open_store(str(db)) as store:  # and breachlens itself reopens it and carries on
        summary = ingest_sources([str(docs)], store, Settings.load())
        assert summary.duplicates == stored and summary.new == 400 - stored
