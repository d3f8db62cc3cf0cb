"""What only the PostgreSQL store has: its migration list, migrators and writers racing, big texts, URLs.

The behaviour both backends share is tested once for both in test_store.py (the `store` fixture)."""

from __future__ import annotations

import threading

import pytest

from breachlens.errors import StoreError
from breachlens.store import migrations, migrations_pg, open_store
from breachlens.store.postgres import PostgresStore, redact
from store_helpers import make_document, needs_pg, pg_schema_url


def test_store_postgres_migrations_match_sqlite_steps() -> None:
    assert [(m.number, m.name) for m in migrations_pg.MIGRATIONS] == [
        (m.number, m.name) for m in migrations.MIGRATIONS]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ana:s3cret@db.example:5432/b", "postgresql://ana:***@db.example:5432/b"),
        ("postgresql://ana@db/b", "postgresql://ana@db/b"),
        ("postgresql://db/b?sslmode=require", "postgresql://db/b?sslmode=require"),
    ],
)
def test_store_postgres_redact(url: str, shown: str) -> None:
    assert redact(url) == shown


@needs_pg
def test_store_postgres_racing_migrators_apply_each_step_once() -> None:
    with pg_schema_url() as url:
        opened: list[PostgresStore] = []
        errors: list[BaseException] = []

        def open_one() -> None:
            try:
                opened.append(open_store(url))  # type: ignore[arg-type]
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=open_one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        rows = opened[0]._conn.execute("SELECT number FROM migrations ORDER BY number").fetchall()
        assert [n for (n,) in rows] == list(range(1, migrations_pg.LATEST_VERSION + 1))
        assert {s.schema_version for s in opened} == {migrations_pg.LATEST_VERSION}
        for store in opened:
            store.close()


@needs_pg
def test_store_postgres_refuses_a_database_from_a_newer_version() -> None:
    with pg_schema_url() as url:
        with open_store(url) as store:
            store._conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO migrations (number, name, applied_at) VALUES (99, 'future', '2030-01-01')")
        with pytest.raises(StoreError, match="schema version 99 is newer than this breachlens supports"):
            open_store(url)


@needs_pg
def test_store_postgres_racing_writers_in_opposite_order_store_each_document_once() -> None:
    docs = [make_document(f"d{i}.html", f"Acme{i} lost emails of customers.", f"Acme{i}") for i in range(30)]
    with pg_schema_url() as url, open_store(url) as one, open_store(url) as two:
        new: list[int] = []
        errors: list[BaseException] = []

        def write(store: PostgresStore, batch: list) -> None:  # type: ignore[type-arg]
            try:
                for start in range(0, len(batch), 5):
                    new.append(store.add_documents(batch[start : start + 5]))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(one, docs)),
                   threading.Thread(target=write, args=(two, list(reversed(docs))))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert sum(new) == 30
        assert one.counts()["documents"] == 30


@needs_pg
def test_store_postgres_indexes_a_very_long_text() -> None:
    words = " ".join(f"w{i}" for i in range(120_000))  # far past one tsvector's 1 MB if indexed whole
    doc = make_document("long.html", "Larkspur lost data. " + words, "Larkspur")
    with pg_schema_url() as url, open_store(url) as store:
        assert store.add_documents([doc]) == 1
        assert [h.source for h in store.search_documents("larkspur w100")] == ["long.html"]
        stored = store.document("long.html")
        assert stored is not None and stored.clean.text == doc.clean.text
