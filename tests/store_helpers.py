"""Builders of invented records for the store tests (also imported by the crash-test subprocess), and the
`store_url` fixture that runs a test once per backend: SQLite, and PostgreSQL when BREACHLENS_TEST_PG_URL names a
server (`export BREACHLENS_TEST_PG_URL="$(scripts/pg-test-cluster.sh)"`; CI always sets it)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from breachlens.records import (
    CleanDocument,
    Conflict,
    DocumentAnalysis,
    DroppedSpan,
    Evidence,
    Fact,
    Incident,
    MergedIncident,
    RawDocument,
    TimelineEvent,
)
from breachlens.store import StoredDocument


def fact(source: str, text: str, quote: str, value: object, modality: str = "confirmed") -> Fact:
    """A Fact whose evidence is `quote` found in `text`."""
    start = text.index(quote)
    evidence = (Evidence(source, quote, start, start + len(quote)),)
    return Fact(value, modality, evidence)


def make_document(
    source: str,
    text: str,
    victim: str | None = None,
    published: str | None = "2025-06-02",
    mentioned: str | None = None,
) -> StoredDocument:
    """A stored document about `victim` (none when None) that also mentions the incident of `mentioned`."""
    raw = f"<html><body><nav>Home</nav><p>{text}</p></body></html>".encode()
    sha = hashlib.sha256(raw).hexdigest()
    incidents: list[Incident] = []
    if victim is not None:
        where = text.find(victim)
        victim_evidence = (Evidence(source, victim, where, where + len(victim)),) if where >= 0 else ()
        incidents.append(
            Incident(
                victim=victim,
                sector="retail",
                disclosure_date=published,
                data_exposed=(fact(source, text, text.split()[0], "email"),),
                field_evidence=(("victim", victim_evidence),),
            )
        )
    if mentioned is not None:
        incidents.append(Incident(victim=mentioned, role="mentioned"))
    dropped = (DroppedSpan(12, 22, "<nav>Home</nav>", "navigation"),)
    return StoredDocument(
        raw=RawDocument(source, raw, sha, "html", f"Title of {source}", published),
        clean=CleanDocument(source, sha, text, f"Title of {source}", published, dropped, raw.decode()),
        analysis=DocumentAnalysis(source, f"Title of {source}", published, tuple(incidents)),
    )


def make_incident(
    incident_id: str,
    victim: str,
    sources: tuple[str, ...] = ("a.html",),
    sector: str | None = "retail",
    country: str | None = "GB",
    disclosure_date: str | None = "2025-06-02",
    incident_date: str | None = None,
    actors: tuple[tuple[str, str], ...] = (("ShinyHunters", "Shiny Hunters"),),
    data: tuple[str, ...] = ("email", "name"),
    records: int | None = 120_000,
    timeline: tuple[str, ...] = (),
) -> MergedIncident:
    """A merged incident of an invented victim, every fact quoted from an invented sentence of sources[0]."""
    source = sources[0]
    group = actors[0][1] if actors else "a group"
    text = f"{victim} said {records} customers were affected after {group} struck."
    quote = text
    ev = (Evidence(source, quote, 0, len(quote)),)
    incident = Incident(
        victim=victim,
        brands=(f"{victim} Online",),
        parent=f"{victim} Holdings",
        sector=sector,
        victim_country=country,
        disclosure_date=disclosure_date,
        incident_date=incident_date,
        records_affected=Fact(records, "confirmed", ev, confidence=0.75) if records is not None else None,
        data_exposed=tuple(Fact(d, "confirmed", ev) for d in data),
        data_not_exposed=(Fact("payment_card", "confirmed", ev),),
        threat_actors=tuple(Fact(c, "claimed", ev, as_written=w) for c, w in actors),
        campaigns=(Fact("Summer Sweep", "reported", ev),),
        initial_access=(Fact("vishing", "reported", ev, attack_techniques=("T1566.004",)),),
        ransom=Fact("demanded", "claimed", ev),
        response_actions=(Fact("regulator_notified", "confirmed", ev),),
        iocs=(Fact("198.51.100.7", "reported", ev, type="ipv4"),),
        timeline=tuple(TimelineEvent("detection", d, ev) for d in timeline),
        field_evidence=(("victim", ev),),
    )
    conflicts = ()
    if len(sources) > 1:
        conflicts = (Conflict("records_affected", ((records, (source,)), (5, sources[1:2]))),)
    return MergedIncident(incident_id, incident, sources, conflicts, len(sources), ())


# -- one test, both backends ---------------------------------------------------------------------------------

PG_URL = os.environ.get("BREACHLENS_TEST_PG_URL", "")
# Skipped only on a developer's machine without a server; under CI (CI=true) a missing URL fails the tests.
needs_pg = pytest.mark.skipif(
    not PG_URL and not os.environ.get("CI"),
    reason="no PostgreSQL server: set BREACHLENS_TEST_PG_URL (start one with scripts/pg-test-cluster.sh)",
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_pg)]


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL of the test server whose search path is a new, empty schema, dropped afterwards."""
    import psycopg

    if not PG_URL:
        pytest.fail("CI is set but BREACHLENS_TEST_PG_URL is not: start a server with scripts/pg-test-cluster.sh")
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh, empty store lives: a SQLite file, or an empty schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "breachlens.db")
    else:
        with pg_schema_url() as url:
            yield url


def dump_store(store: Any) -> list[Any]:
    """Every row of every table (with PostgreSQL's row versions, so a rewritten row shows), in a stable order."""
    conn = store._conn
    if not hasattr(conn, "iterdump"):
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )]
        return [(t, conn.execute(f"SELECT xmin::text, ctid::text, * FROM {t} ORDER BY ctid").fetchall())
                for t in tables]
    return list(conn.iterdump())
