"""Incremental resolution (issue 16): ingesting in any order and any batch sizes gives the incidents one full
resolve gives, with the same ids; the change log; per-block locking; and the SQLite stale-write regression of
issue 13 (finding 7)."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from breachlens.ingest import run as ingest_module
from breachlens.ingest.run import refresh_incidents, resolve_all
from breachlens.records import CleanDocument, DocumentAnalysis, Evidence, Fact, Incident, RawDocument
from breachlens.settings import Settings
from breachlens.store import Store, StoredDocument, open_store
from store_helpers import BACKENDS, pg_schema_url

SETTINGS = Settings.load()

# Victims with links: Vesper and Larkspur are brands of Orla Group; Corvid Online is Corvid's brand; Tidewell has
# no link; TMS Finance and Tidewell Marine Savings share initials. Dates spread over years so one victim has
# several incidents (the time split).
_VICTIMS: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("Orla Group", None, ("Vesper",)),
    ("Vesper", "Orla Group", ()),
    ("Larkspur", "Orla Group", ()),
    ("Corvid", None, ("Corvid Online",)),
    ("Corvid Online", None, ()),
    ("Tidewell", None, ()),
    ("Halden Entertainment", None, ()),
    ("Tidewell Marine Savings", None, ()),
    ("TMS Finance", None, ()),  # linked to Tidewell Marine Savings only by its initials
]
_DATA = ("email", "name", "phone", "password", "payment_card")
_ACTORS = ("ShinyHunters", "Scattered Spider", "Graywren")
_DAYS = ("2023-03-04", "2023-03-20", "2024-06-02", "2024-06", "2025", "2025-06-10", None)


def _document(rng: random.Random, source: str, version: int) -> StoredDocument:
    """A random document about one victim (sometimes none, sometimes mentioning another)."""
    victim, parent, brands = rng.choice(_VICTIMS)
    text = f"{victim} said {rng.randrange(1, 9)}00,000 customers lost data to {rng.choice(_ACTORS)} (v{version})."
    ev = (Evidence(source, victim, 0, len(victim)),)
    published = rng.choice(("2023-03-28", "2024-06-20", "2025-06-28"))
    incidents: list[Incident] = []
    if rng.random() < 0.9:
        incidents.append(Incident(
            victim=victim,
            parent=parent if rng.random() < 0.7 else None,
            brands=brands if rng.random() < 0.7 else (),
            sector=rng.choice(("retail", "luxury-fashion", None)),
            disclosure_date=rng.choice(_DAYS),
            incident_date=rng.choice(_DAYS),
            records_affected=Fact(rng.choice((400_000, 419_000, 3_100_000)), rng.choice(("confirmed", "claimed")), ev),
            data_exposed=tuple(Fact(d, "reported", ev) for d in rng.sample(_DATA, 2)),
            threat_actors=(Fact(rng.choice(_ACTORS), "reported", ev),) if rng.random() < 0.6 else (),
            field_evidence=(("victim", ev),),
        ))
    if rng.random() < 0.3:
        other = rng.choice(_VICTIMS)[0]
        incidents.append(Incident(victim=other, role="mentioned"))
    raw = f"<p>{text}</p><!-- {source} {version} -->".encode()
    sha = hashlib.sha256(raw).hexdigest()
    return StoredDocument(
        raw=RawDocument(source, raw, sha, "html", None, published),
        clean=CleanDocument(source, sha, text, None, published, (), raw.decode()),
        analysis=DocumentAnalysis(source, None, published, tuple(incidents)),
    )


def _corpus(seed: int, n: int = 28) -> list[StoredDocument]:
    """n documents; a few sources come again with new bytes (a re-fetched page), always after their first."""
    rng = random.Random(seed)
    docs = [_document(rng, f"outlet{i % 5}/story{i}", 1) for i in range(n)]
    for i in rng.sample(range(n), 4):
        docs.append(_document(rng, f"outlet{i % 5}/story{i}", 2))
    return docs


def _shuffled(docs: list[StoredDocument], rng: random.Random) -> list[StoredDocument]:
    """A random order that keeps each source's versions in their order (the later one stays the latest)."""
    keys = {id(d): rng.random() for d in docs}
    order = sorted(docs, key=lambda d: keys[id(d)])
    versions: dict[str, list[StoredDocument]] = {}
    for d in docs:
        versions.setdefault(d.raw.source, []).append(d)
    out, taken = [], {s: 0 for s in versions}
    for d in order:
        s = d.raw.source
        out.append(versions[s][taken[s]])
        taken[s] += 1
    return out


def _incidents(store: Store) -> dict[str, str]:
    """id -> the incident's JSON without its id."""
    out = {}
    for m in store.incidents():
        data: dict[str, Any] = m.as_dict()
        data.pop("id")
        out[m.id] = json.dumps(data, sort_keys=True)
    return out


def _url(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A fresh store location of the backend."""
    if backend == "sqlite":
        yield str(tmp_path / f"{name}.db")
    else:
        with pg_schema_url() as url:
            yield url


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", range(6))
def test_store_incremental_equals_full_resolve(backend: str, seed: int, tmp_path: Path) -> None:
    rng = random.Random(1000 + seed)
    docs = _corpus(seed)
    order = _shuffled(docs, rng)
    for url_a in _url(backend, tmp_path, "a"):
        with open_store(url_a) as a:
            at = 0
            while at < len(order):
                size = rng.choice((1, 1, 2, 3, 5, 8))
                a.add_documents(order[at : at + size])
                refresh_incidents(a, SETTINGS)
                at += size
            incremental = _incidents(a)
            ids_before = a.previous_ids()
            log_before = a.last_change()
            resolve_all(a, SETTINGS)  # a full resolve of the same store: same incidents, same ids, same facts
            assert _incidents(a) == incremental
            assert a.previous_ids() == ids_before
            assert a.last_change() == log_before  # nothing was rewritten
    for url_b in _url(backend, tmp_path, "b"):
        with open_store(url_b) as b:  # everything in one batch, in the canonical order
            b.add_documents(docs)
            resolve_all(b, SETTINGS)
            assert sorted(_incidents(b).values()) == sorted(incremental.values())


def test_store_incremental_reads_only_the_touched_blocks(tmp_path: Path) -> None:
    rng = random.Random(5)
    with open_store(str(tmp_path / "s.db")) as store:
        docs = [_document(rng, f"s{i}", 1) for i in range(20)]
        store.add_documents(docs)
        first = refresh_incidents(store, SETTINGS)
        assert first.documents == 20
        lone = _document(random.Random(0), "new/one", 1)
        lone = StoredDocument(lone.raw, lone.clean, DocumentAnalysis(
            "new/one", None, "2025-06-28", (Incident(victim="Quillmoth Bank", disclosure_date="2025-06"),)
        ))
        store.add_documents([lone])
        outcome = refresh_incidents(store, SETTINGS)
        assert outcome.documents == 1  # no other document names Quillmoth Bank
        assert [m.id for m in outcome.changed] == ["quillmoth-bank-2025-06"]
        assert refresh_incidents(store, SETTINGS).documents == 0  # nothing queued, nothing read


def test_store_change_log_and_times(tmp_path: Path) -> None:
    base = _document(random.Random(0), "a", 1)
    ev = (Evidence("a", "x", 0, 1),)

    def doc(source: str, data: tuple[str, ...], actor: str | None) -> StoredDocument:
        """A document about Vesper's June 2025 breach."""
        raw = f"{source} {data} {actor}".encode()
        sha = hashlib.sha256(raw).hexdigest()
        inc = Incident(
            victim="Vesper", disclosure_date="2025-06-02",
            data_exposed=tuple(Fact(d, "reported", ev) for d in data),
            threat_actors=(Fact(actor, "claimed", ev),) if actor else (),
        )
        return StoredDocument(
            RawDocument(source, raw, sha, "html", None, "2025-06-03"),
            CleanDocument(source, sha, "x" * 10, None, "2025-06-03", (), ""),
            DocumentAnalysis(source, None, "2025-06-03", (inc,)),
        )

    assert base.raw.source == "a"
    with open_store(str(tmp_path / "s.db")) as store:
        store.add_documents([doc("a", ("email",), None)])
        refresh_incidents(store, SETTINGS)
        (created,) = store.changes()
        assert (created.incident_id, created.kind) == ("vesper-2025-06", "created")
        cursor = store.last_change()
        time.sleep(0.01)
        store.add_documents([doc("b", ("email", "phone"), "ShinyHunters")])
        refresh_incidents(store, SETTINGS)
        kinds = {c.kind: c.detail for c in store.changes(after_seq=cursor)}
        assert kinds["source_added"] == {"sources": ["b"]}
        assert kinds["data_type_added"] == {"data_types": ["phone"]}
        assert kinds["actor_attributed"] == {"actors": ["ShinyHunters"]}
        made, updated = store.incident_times()["vesper-2025-06"]
        assert made == created.at < updated
        assert [m.id for m in store.incidents(changed_since=updated)] == ["vesper-2025-06"]
        assert store.incidents(changed_since="2999-01-01") == []
        assert [m.id for m in store.incidents(order="-changed", limit=1, offset=0)] == ["vesper-2025-06"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_issue13_concurrent_resolves_never_write_a_stale_read(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, finding 7: ingest A reads, ingest B stores and resolves, A writes. A's write must not drop B's
    document. Replayed step by step: B runs while A is inside `resolve`."""
    rng = random.Random(3)
    a_doc = _document(rng, "a.html", 1)
    b_doc = _document(rng, "b.html", 1)
    a_doc = StoredDocument(a_doc.raw, a_doc.clean, DocumentAnalysis(
        "a.html", None, "2025-06-28", (Incident(victim="Vesper", disclosure_date="2025-06"),)))
    b_doc = StoredDocument(b_doc.raw, b_doc.clean, DocumentAnalysis(
        "b.html", None, "2025-06-28", (Incident(victim="Vesper", disclosure_date="2025-06-02"),)))
    real = ingest_module.resolve
    for url in _url(backend, tmp_path, "race"):
        with open_store(url) as first, open_store(url) as second:
            done = threading.Event()

            def other_ingest() -> None:
                """Ingest B from another connection (another process, as far as the database knows)."""
                second.add_documents([b_doc])
                refresh_incidents(second, SETTINGS)
                done.set()

            calls: list[int] = []

            def resolve_then_let_b_run(*args: Any, **kwargs: Any) -> Any:
                """A's resolve: start B and give it time to finish before A writes."""
                result = real(*args, **kwargs)
                if not calls:
                    calls.append(1)
                    worker = threading.Thread(target=other_ingest)
                    threads.append(worker)
                    worker.start()
                    done.wait(1.0)
                return result

            threads: list[threading.Thread] = []
            monkeypatch.setattr(ingest_module, "resolve", resolve_then_let_b_run)
            first.add_documents([a_doc])
            refresh_incidents(first, SETTINGS)
            for t in threads:
                t.join(30)
            assert done.is_set()
            (merged,) = first.incidents()
            assert merged.sources == ("a.html", "b.html")


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_resolves_of_different_blocks_do_not_wait_for_each_other(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-block locks on PostgreSQL: B (another victim) finishes while A is still inside its resolve. SQLite
    has one write lock per file, so there B waits for A."""
    rng = random.Random(4)
    a_doc, b_doc = _document(rng, "a.html", 1), _document(rng, "b.html", 1)
    a_doc = StoredDocument(a_doc.raw, a_doc.clean, DocumentAnalysis(
        "a.html", None, "2025-06-28", (Incident(victim="Vesper", disclosure_date="2025-06"),)))
    b_doc = StoredDocument(b_doc.raw, b_doc.clean, DocumentAnalysis(
        "b.html", None, "2025-06-28", (Incident(victim="Tidewell", disclosure_date="2025-06"),)))
    real = ingest_module.resolve
    for url in _url(backend, tmp_path, "blocks"):
        with open_store(url) as first, open_store(url) as second:
            finished_during_a: list[bool] = []
            b_done = threading.Event()

            def b_resolve() -> None:
                """B stores and resolves from its own connection (another process, as far as the database knows)."""
                second.add_documents([b_doc])
                refresh_incidents(second, SETTINGS)
                b_done.set()

            def slow(*args: Any, **kwargs: Any) -> Any:
                """A's resolve, holding its block while B runs."""
                result = real(*args, **kwargs)
                if not waiting:
                    worker = threading.Thread(target=b_resolve)
                    waiting.append(worker)
                    worker.start()
                    finished_during_a.append(b_done.wait(1.5))
                return result

            waiting: list[threading.Thread] = []
            monkeypatch.setattr(ingest_module, "resolve", slow)
            first.add_documents([a_doc])
            refresh_incidents(first, SETTINGS)
            for t in waiting:
                t.join(30)
            assert b_done.is_set()
            assert finished_during_a == [backend == "postgresql"]
            assert sorted(m.incident.victim for m in first.incidents()) == ["Tidewell", "Vesper"]


# A `watch` in miniature: one process, several polls, each an ingest (store, then incremental resolve).
_POLLS = """
import json, sys
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import open_store

db, polls = sys.argv[1], json.loads(sys.argv[2])
settings = Settings.load()
with open_store(db) as store:
    for poll in polls:
        ingest_sources(poll, store, settings)
print("done", flush=True)
"""


def test_store_watch_while_serve_reads_one_sqlite_file(tmp_path: Path) -> None:
    """Polls ingest into a SQLite file while the web app reads it: every read answers, and the incidents end as
    one serial ingest of everything leaves them."""
    import subprocess
    import sys

    from benchmarks.bench_scale import write_corpus
    from breachlens.delivery.web import create_app
    from breachlens.ingest.sources import ingest_sources
    from test_web import asgi_client

    corpus = [str(p) for p in write_corpus(tmp_path / "corpus", 30)]
    polls = [corpus[i::3] for i in range(3)]
    db = str(tmp_path / "live.db")
    open_store(db).close()
    proc = subprocess.Popen([sys.executable, "-c", _POLLS, db, json.dumps(polls)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    statuses: list[int] = []
    with asgi_client(create_app(db)) as client:
        while proc.poll() is None or not statuses:
            statuses.append(client.get("/api/incidents").status_code)
            statuses.append(client.get("/?sort=-changed").status_code)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "done" in out, err
    assert set(statuses) == {200}
    with open_store(db) as live:
        watched = sorted(_incidents(live).values())
        resolve_all(live, SETTINGS)
        assert sorted(_incidents(live).values()) == watched
    with open_store(str(tmp_path / "serial.db")) as serial:
        ingest_sources(corpus, serial, SETTINGS)
        assert sorted(_incidents(serial).values()) == watched
