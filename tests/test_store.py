"""Tests of breachlens.store: migrations, documents, incidents, search, transactions, crash safety.

Tests taking the `store` or `store_url` fixture run once per backend (SQLite, and PostgreSQL when
BREACHLENS_TEST_PG_URL is set; see store_helpers); the others are about SQLite itself."""

from __future__ import annotations

import os
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from breachlens import store as store_module
from breachlens.errors import StoreError
from breachlens.records import MergedIncident
from breachlens.store import DocumentHit, Store, StoredDocument, open_store
from breachlens.store import sqlite as sqlite_backend
from breachlens.store.migrations import LATEST_VERSION, MIGRATIONS, Migration, current_version, migrate
from store_helpers import dump_store, make_document, make_incident, store_url  # noqa: F401, F811 - store_url: a fixture

TESTS_DIR = Path(__file__).parent


def dump(path: Path) -> list[str]:
    """Every schema statement and row of the database file, in a stable order."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database path."""
    return tmp_path / "breachlens.db"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on a fresh file or PostgreSQL schema, closed after the test."""
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[Store]:
    """An open SQLite store on a fresh file, closed after the test."""
    with open_store(str(db_path)) as opened:
        yield opened


DOC_A = make_document("a.html", "Emails of Vesper customers were taken, Vesper said on Monday.", "Vesper")
DOC_B = make_document(
    "b.html", "Names at Corvid Health leaked; Corvid Health notified the regulator.", "Corvid Health"
)
DOC_C = make_document("c.html", "Advice: never reuse a password across shops.", victim=None, published=None)


# -- opening and migrations ----------------------------------------------------------------------------------


def test_store_public_names() -> None:
    assert store_module.__all__ == ["Store", "StoredDocument", "DocumentHit", "open_store", "StoreError"]


@pytest.mark.parametrize("prefix", ["", "sqlite:///"])
def test_store_open_store_accepts_path_and_sqlite_url(tmp_path: Path, prefix: str) -> None:
    path = tmp_path / "x.db"
    with open_store(prefix + str(path)) as opened:
        assert isinstance(opened, sqlite_backend.SQLiteStore)
        opened.add_documents([DOC_A])
    assert path.exists()


def test_store_open_store_memory() -> None:
    with open_store(":memory:") as opened:
        assert opened.add_documents([DOC_A]) == 1


def test_store_open_store_refuses_other_backends() -> None:
    with pytest.raises(StoreError) as info:
        open_store("mysql://db/breaches")
    assert str(info.value) == "mysql://db/breaches: unsupported store URL scheme 'mysql' (use a path or sqlite:///)"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_store_open_store_unreachable_postgresql_is_one_line_without_password(scheme: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(f"{scheme}://ana:s3cret@127.0.0.1:1/breaches?connect_timeout=5")
    message = str(info.value)
    assert message.startswith("postgresql://ana:***@127.0.0.1:1/breaches?connect_timeout=5: cannot connect: ")
    assert "s3cret" not in message and "\n" not in message


def test_store_open_store_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        open_store(str(path))


def test_store_pragmas(sqlite_store: Store) -> None:
    conn = sqlite_store._conn  # type: ignore[attr-defined]
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_store_migrations_are_recorded(sqlite_store: Store, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        numbers = [n for (n,) in conn.execute("SELECT number FROM migrations ORDER BY number")]
    assert numbers == [m.number for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    assert sqlite_store.counts()["schema_version"] == LATEST_VERSION


def test_store_opening_an_old_database_applies_missing_steps(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        assert migrate(conn, MIGRATIONS[:1]) == 1
        conn.execute(
            "INSERT INTO documents (sha256, source, kind, raw, text, analysis, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (DOC_A.raw.sha256, "a.html", "html", DOC_A.raw.data, DOC_A.clean.text, '{"source": "a"}', "x"),
        )
    with open_store(str(db_path)) as opened:
        assert opened.counts()["schema_version"] == LATEST_VERSION
        assert opened.has_document(DOC_A.raw.sha256)
        opened.replace_incidents([make_incident("vesper-2025", "Vesper")])
        assert opened.incident("vesper-2025") is not None


def test_store_refuses_a_database_from_a_newer_version(db_path: Path) -> None:
    open_store(str(db_path)).close()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("INSERT INTO migrations (number, name, applied_at) VALUES (99, 'future', '2030-01-01')")
    with pytest.raises(StoreError, match="schema version 99 is newer than this breachlens supports"):
        open_store(str(db_path))


def test_store_failed_migration_step_leaves_nothing_behind(db_path: Path) -> None:
    steps = (
        Migration(1, "one", ("CREATE TABLE one (x)",)),
        Migration(2, "two", ("CREATE TABLE two (x)", "CREATE TABLE broken (")),
    )
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        with pytest.raises(StoreError, match="cannot migrate"):
            migrate(conn, steps)
        assert current_version(conn) == 1
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "one" in tables and "two" not in tables


def test_store_migration_step_may_be_a_function(db_path: Path) -> None:
    def seed(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO one VALUES (42)")

    steps = (Migration(1, "one", ("CREATE TABLE one (x)",)), Migration(2, "seed", seed))
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        assert migrate(conn, steps) == 2
        assert migrate(conn, steps) == 2  # idempotent
        assert conn.execute("SELECT x FROM one").fetchall() == [(42,)]


def test_store_migration_numbering_is_checked(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        with pytest.raises(StoreError, match="numbered"):
            migrate(conn, (Migration(2, "skips one", ()),))


# -- documents -----------------------------------------------------------------------------------------------


def test_store_add_documents_returns_how_many_were_new(store: Store) -> None:
    assert store.add_documents([DOC_A, DOC_B]) == 2
    assert store.add_documents([DOC_B, DOC_C, DOC_C]) == 1
    assert all(store.has_document(d.raw.sha256) for d in (DOC_A, DOC_B, DOC_C))
    assert not store.has_document("0" * 64)
    assert store.counts() == {"documents": 3, "sources": 3, "incidents": 0, "schema_version": LATEST_VERSION}


def test_store_adding_the_same_batch_twice_leaves_identical_content(store: Store) -> None:
    store.add_documents([DOC_A, DOC_B, DOC_C])
    store.replace_incidents([make_incident("vesper-2025", "Vesper")])
    before = dump_store(store)
    assert store.add_documents([DOC_A, DOC_B, DOC_C]) == 0
    assert dump_store(store) == before


def test_store_add_documents_is_all_or_nothing(store: Store) -> None:
    broken = replace(DOC_B, raw=replace(DOC_B.raw, kind=None))  # NOT NULL fails on the second insert
    with pytest.raises(StoreError, match=r"(?i)not[ -]null"):
        store.add_documents([DOC_A, broken])
    assert not store.has_document(DOC_A.raw.sha256)
    assert store.counts()["documents"] == 0
    assert store.add_documents([DOC_A]) == 1  # the store is usable afterwards


def test_store_add_documents_refuses_a_sha256_that_is_not_of_the_raw_bytes(store: Store) -> None:
    wrong = replace(DOC_A, raw=replace(DOC_A.raw, data=b"other bytes"))
    with pytest.raises(StoreError, match=r"^a.html: sha256 does not match the raw bytes"):
        store.add_documents([DOC_B, wrong])
    assert store.counts()["documents"] == 0


@pytest.mark.parametrize("key", ["sha256", "source"])
def test_store_document_round_trips(store: Store, key: str) -> None:
    store.add_documents([DOC_A, DOC_B])
    got = store.document(DOC_A.raw.sha256 if key == "sha256" else "a.html")
    expected_analysis = replace(DOC_A.analysis, text=DOC_A.clean.text, sha256=DOC_A.raw.sha256)
    assert got == StoredDocument(DOC_A.raw, DOC_A.clean, expected_analysis)
    assert got is not None and got.analysis.dropped == DOC_A.clean.dropped


def test_store_document_missing_is_none(store: Store) -> None:
    assert store.document("nowhere.html") is None
    assert store.document("f" * 64) is None


def test_store_document_analyses_give_the_latest_version_of_each_source(store: Store) -> None:
    updated = make_document("a.html", "Update: Vesper says phone numbers were taken too.", victim="Vesper")
    store.add_documents([DOC_B, DOC_A, DOC_C])
    store.add_documents([updated])
    analyses = store.document_analyses()
    assert [a.source for a in analyses] == ["a.html", "b.html", "c.html"]
    assert analyses[0] == replace(updated.analysis, text=updated.clean.text, sha256=updated.raw.sha256)
    assert [a.sha256 for a in analyses[1:]] == [DOC_B.raw.sha256, DOC_C.raw.sha256]
    assert store.document("a.html") == store.document(updated.raw.sha256)
    assert store.counts()["documents"] == 4 and store.counts()["sources"] == 3
    pages = [store.document_analyses(limit=2, offset=k) for k in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 1, 0] and [a for p in pages for a in p] == analyses


def test_store_evidence_offsets_point_into_stored_text(store: Store) -> None:
    store.add_documents([DOC_A])
    (analysis,) = store.document_analyses()
    assert analysis.main is not None
    for _, fact in analysis.main.facts():
        for ev in fact.evidence:
            assert analysis.text[ev.start : ev.end] == ev.quote


def test_store_search_documents_finds_words_with_a_snippet(store: Store) -> None:
    store.add_documents([DOC_A, DOC_B, DOC_C])
    hits = store.search_documents("corvid regulator")
    assert hits == [DocumentHit(DOC_B.raw.sha256, "b.html", hits[0].snippet)]
    assert "[Corvid]" in hits[0].snippet and "[regulator]" in hits[0].snippet
    assert [h.source for h in store.search_documents("Title of c.html")] == ["c.html"]
    assert store.search_documents("vesper corvid") == []


@pytest.mark.parametrize(
    "query", ['"', "AND", "vesper OR", "NEAR(", "*", "title:vesper", "-", "", "   ", "a\"b'c"]
)
def test_store_search_documents_survives_fts_syntax(store: Store, query: str) -> None:
    store.add_documents([DOC_A])
    assert isinstance(store.search_documents(query), list)


# -- incidents -----------------------------------------------------------------------------------------------

VESPER = make_incident("vesper-2025", "Vesper", sources=("a.html", "b.html"))
CORVID = make_incident(
    "corvid-health-2024",
    "Corvid Health",
    sector="healthcare",
    country="US",
    incident_date="2024-11",
    disclosure_date="2025-01-10",
    actors=(("Scattered Spider", "UNC3944"),),
    data=("health", "ssn"),
    records=5000,
)
LARKSPUR = make_incident(
    "larkspur-bank",
    "Larkspur Bank",
    sector="finance",
    country=None,
    disclosure_date=None,
    actors=(),
    data=("bank_account",),
    records=None,
    timeline=("2023", "--06-02"),
)
ALL = ["vesper-2025", "corvid-health-2024", "larkspur-bank"]


def test_store_incident_round_trips(store: Store) -> None:
    store.replace_incidents([VESPER, CORVID, LARKSPUR])
    for merged in (VESPER, CORVID, LARKSPUR):
        assert store.incident(merged.id) == merged
    assert store.incident("no-such-incident") is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ALL),
        ({"sector": "healthcare"}, ["corvid-health-2024"]),
        ({"actor": "shiny hunters"}, ["vesper-2025"]),
        ({"actor": "SHINYHUNTERS"}, ["vesper-2025"]),
        ({"actor": "unc3944"}, ["corvid-health-2024"]),
        ({"actor": "Nobody"}, []),
        ({"data_type": "ssn"}, ["corvid-health-2024"]),
        ({"data_type": "payment_card"}, []),
        ({"country": "gb"}, ["vesper-2025"]),
        ({"since": "2025"}, ["vesper-2025"]),
        ({"since": "2024-12"}, ["vesper-2025"]),
        ({"since": "2024-11-15"}, ["vesper-2025", "corvid-health-2024"]),
        ({"since": "2023-06"}, ALL),
        ({"search": "vesper"}, ["vesper-2025"]),
        ({"search": "Spider"}, ["corvid-health-2024"]),
        ({"search": "summer sweep", "sector": "finance"}, ["larkspur-bank"]),
        ({"search": "larkspur OR vesper"}, []),
        ({"search": "  "}, ALL),
        ({"limit": 2}, ALL[:2]),
        (
            {"sector": "retail", "since": "2025-06", "actor": "shinyhunters", "data_type": "email"},
            ["vesper-2025"],
        ),
    ],
)
def test_store_incidents_filters(store: Store, filters: dict[str, object], expected: list[str]) -> None:
    store.replace_incidents([LARKSPUR, VESPER, CORVID])
    assert [m.id for m in store.incidents(**filters)] == expected  # type: ignore[arg-type]


def test_store_incidents_search_matches_campaigns_and_quotes(store: Store) -> None:
    store.replace_incidents([LARKSPUR, VESPER, CORVID])
    assert {m.id for m in store.incidents(search="summer sweep")} == set(ALL)
    found = store.incidents(search="customers were affected", country="US")
    assert [m.id for m in found] == ["corvid-health-2024"]


def test_store_incidents_since_falls_back_to_published_date(store: Store) -> None:
    store.add_documents([make_document("x.html", "Qzq forum leak.", victim="Qzq", published="2025-03-01")])
    undated = make_incident("qzq", "Qzq", sources=("x.html",), disclosure_date=None)
    nowhere = make_incident("unknown", "Unknown", sources=("never-stored.html",), disclosure_date=None)
    store.replace_incidents([undated, nowhere])
    assert [m.id for m in store.incidents(since="2025-03")] == ["qzq"]
    assert store.incidents(since="2025-04") == []
    assert [m.id for m in store.incidents()] == ["qzq", "unknown"]


@pytest.mark.parametrize("since", ["June 2025", "2025-6", "25", "2025-06-02T00:00"])
def test_store_incidents_since_refuses_other_formats(store: Store, since: str) -> None:
    with pytest.raises(StoreError, match="since: expected YYYY, YYYY-MM or YYYY-MM-DD"):
        store.incidents(since=since)


def test_store_replace_incidents_replaces_the_whole_set(store: Store) -> None:
    store.replace_incidents([VESPER, CORVID])
    changed = replace(VESPER, sources=("a.html",), conflicts=())
    store.replace_incidents([changed, LARKSPUR])
    assert [m.id for m in store.incidents()] == ["vesper-2025", "larkspur-bank"]
    assert store.incident("vesper-2025") == changed
    assert store.incident("corvid-health-2024") is None
    assert store.incidents(actor="unc3944") == [] and store.incidents(search="corvid") == []
    conn = store._conn  # type: ignore[attr-defined]
    for table in ("incident_sources", "incident_actors", "incident_data_types"):
        ids = {i for (i,) in conn.execute(f"SELECT DISTINCT incident_id FROM {table}").fetchall()}
        assert ids <= {"vesper-2025", "larkspur-bank"}, table
    fts = "incidents_fts" if isinstance(store, sqlite_backend.SQLiteStore) else "incidents WHERE search IS NOT NULL"
    assert tuple(conn.execute(f"SELECT count(*) FROM {fts}").fetchone()) == (2,)
    store.replace_incidents([])
    assert store.counts()["incidents"] == 0


def test_store_replacing_the_same_incidents_leaves_identical_content(store: Store) -> None:
    store.add_documents([DOC_A, DOC_B])
    store.replace_incidents([VESPER, CORVID, LARKSPUR])
    before = dump_store(store)
    store.replace_incidents([LARKSPUR, CORVID, VESPER])
    assert dump_store(store) == before


def test_store_replace_incidents_is_all_or_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.replace_incidents([VESPER])
    calls: list[str] = []
    backend = sys.modules[type(store).__module__]
    real = type(store)._insert_incident
    error: type[Exception] = sqlite3.OperationalError
    if backend is not sqlite_backend:
        import psycopg

        error = psycopg.OperationalError

    def failing(self: Store, conn: sqlite3.Connection, item: MergedIncident, *args: object) -> None:
        calls.append(item.id)
        if len(calls) == 2:
            raise error("disk I/O error")
        real(self, conn, item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(type(store), "_insert_incident", failing)
    with pytest.raises(StoreError, match="disk I/O error"):
        store.replace_incidents([CORVID, LARKSPUR])
    assert [m.id for m in store.incidents()] == ["vesper-2025"]
    assert store.incidents(actor="unc3944") == []


def test_store_replace_incidents_refuses_duplicate_ids(store: Store) -> None:
    store.replace_incidents([CORVID])
    with pytest.raises(StoreError, match="duplicate incident id 'vesper-2025'"):
        store.replace_incidents([VESPER, replace(VESPER, sources=("z.html",))])
    assert [m.id for m in store.incidents()] == ["corvid-health-2024"]


def test_store_previous_ids_prefer_the_incident_a_source_is_mainly_about(store: Store) -> None:
    store.add_documents(
        [
            make_document("corvel.html", "Maison Corvel was breached, like Delphine before.", "Maison Corvel",
                          mentioned="Delphine Atelier"),
            make_document("delphine.html", "Delphine Atelier lost purchase histories.", "Delphine Atelier"),
        ]
    )
    corvel = make_incident("z-maison-corvel", "Maison Corvel", sources=("corvel.html", "wire.html"))
    delphine = make_incident("a-delphine-atelier", "Delphine Atelier", ("corvel.html", "delphine.html"))
    store.replace_incidents([corvel, delphine])
    assert store.previous_ids() == {
        "corvel.html": "z-maison-corvel",
        "delphine.html": "a-delphine-atelier",
        "wire.html": "z-maison-corvel",
    }


def test_store_previous_ids_empty_store(store: Store) -> None:
    assert store.previous_ids() == {}


# -- connection life and concurrency -------------------------------------------------------------------------


def test_store_closed_store_raises_store_error(store_url: str) -> None:
    opened = open_store(store_url)
    opened.close()
    opened.close()
    with pytest.raises(StoreError, match="the store is closed"):
        opened.has_document("0" * 64)


def test_store_second_connection_sees_committed_writes(store_url: str) -> None:
    with open_store(store_url) as writer, open_store(store_url) as reader:
        writer.add_documents([DOC_A])
        writer.replace_incidents([VESPER])
        assert reader.has_document(DOC_A.raw.sha256)
        assert reader.incident("vesper-2025") == VESPER


_CRASH_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from store_helpers import make_document
from breachlens.store import open_store

with open_store(sys.argv[2]) as store:
    for i in range(100_000):
        batch = [
            make_document(f"doc-{i}-{j}.html", f"Acme{i} lost data {j}. " + "pad " * 8000, victim=f"Acme{i}")
            for j in range(4)
        ]
        store.add_documents(batch)
        print(" ".join(d.raw.sha256 for d in batch), flush=True)
"""


def test_store_crash_mid_ingest_keeps_every_committed_document(db_path: Path) -> None:
    lines: queue.Queue[str | None] = queue.Queue()
    with subprocess.Popen(
        [sys.executable, "-c", _CRASH_SCRIPT, str(TESTS_DIR), str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None

        def read() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reported: list[str] = []
        try:
            while len(reported) < 5:
                line = lines.get(timeout=120)
                assert line is not None, proc.stderr.read() if proc.stderr else "subprocess ended early"
                reported.append(line)
        finally:
            proc.kill()  # SIGKILL on POSIX: no cleanup, no rollback, mid-transaction more often than not
            proc.wait()
            reader.join(timeout=30)
        while (line := lines.get(timeout=30)) is not None:
            reported.append(line)
        assert proc.returncode == -9 if os.name == "posix" else proc.returncode != 0

    committed = [sha for line in reported if line.endswith("\n") for sha in line.split()]
    assert len(committed) >= 20
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with open_store(str(db_path)) as reopened:
        assert all(reopened.has_document(sha) for sha in committed)
        stored = reopened.counts()["documents"]
        # At most one batch more: committed, then killed before it was printed.
        assert stored in (len(committed), len(committed) + 4)
        assert len(reopened.document_analyses()) == stored
        assert reopened.search_documents("Acme0")[0].source.startswith("doc-0-")


def test_store_search_ignores_control_characters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from breachlens.store import open_store

    with open_store(str(tmp_path / "ctl.db")) as store:
        assert store.search_documents("\xa0\x000\x05") == []
        assert store.incidents(search="a\x00b") == []


@pytest.mark.parametrize("query", ["\x00", "\x01", "a\x00b", "\x00\x7f"])
def test_store_search_with_control_characters_matches_nothing_and_raises_nothing(store: Store, query: str) -> None:
    """`q=%00` in the web search answered 500 naming the database file: FTS5 got an empty phrase."""
    store.replace_incidents([VESPER])
    assert store.incidents(search=query) == [] or query == "a\x00b"
    assert isinstance(store.search_documents(query), list)
