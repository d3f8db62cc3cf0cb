"""TAXII 2.1 router: discovery, collections, objects and manifest paging, filters, errors, and a real client.

Requests go in process through httpx.ASGITransport (starlette's TestClient warns that it wants httpx2
instead); taxii2-client, a real TAXII client, talks to the same app through a requests adapter that forwards
to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
from fastapi import FastAPI
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import ApiRoot, Server, as_pages

from breachlens.delivery.export.stix import export_stix
from breachlens.delivery.export.taxii import (
    API_ROOT,
    COLLECTION_ID,
    MEDIA_TYPE_STIX,
    MEDIA_TYPE_TAXII,
    taxii_router,
)
from breachlens.records import CleanDocument, DocumentAnalysis, MergedIncident, RawDocument
from breachlens.store import Store, StoredDocument, open_store

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "incidents.json"
BASE = "http://127.0.0.1"
ROOT = f"/taxii2/{API_ROOT}/"
OBJECTS = f"{ROOT}collections/{COLLECTION_ID}/objects/"
MANIFEST = f"{ROOT}collections/{COLLECTION_ID}/manifest/"
ACCEPT = {"Accept": MEDIA_TYPE_TAXII}
T = TypeVar("T")
# When each fixture incident last changed (date_added of its objects).
CHANGED = {
    "halvard-outfitters-2025-06": "2025-06-10T08:00:00.000000Z",
    "corvane-health-2025-03": "2025-03-14T08:00:00.000000Z",
    "qzq-forum": "2025-05-01T08:00:00.000000Z",
}


def _added(objects: list[dict[str, Any]]) -> dict[str, str]:
    """Object id -> the date_added it should have: the latest change of an incident whose report lists it."""
    out: dict[str, str] = {}
    for o in objects:
        if o["type"] != "report":
            continue
        incident_id = next(
            e["x_breachlens_incident_id"] for e in o["extensions"].values() if "x_breachlens_incident_id" in e
        )
        at = CHANGED[incident_id].replace("000000Z", "000Z")
        for ref in (o["id"], *o["object_refs"]):
            out[ref] = max(out.get(ref, at), at)
    for o in objects:
        out.setdefault(o["id"], o["modified"])
    return out


def _fixture() -> tuple[list[MergedIncident], list[StoredDocument]]:
    """The invented incidents, and their documents as the store keeps them."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    stored = []
    for d in data["documents"]:
        raw = d["text"].encode()
        sha = hashlib.sha256(raw).hexdigest()
        analysis = replace(DocumentAnalysis.from_dict(d), text=d["text"], sha256=sha)
        stored.append(
            StoredDocument(
                RawDocument(d["source"], raw, sha, "text", d["title"], d["published"]),
                CleanDocument(d["source"], sha, d["text"], d["title"], d["published"], (), d["text"]),
                analysis,
            )
        )
    return [MergedIncident.from_dict(m) for m in data["incidents"]], stored


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A temporary SQLite store holding the fixture documents and incidents."""
    incidents, documents = _fixture()
    with open_store(str(tmp_path_factory.mktemp("taxii") / "taxii.db")) as opened:
        opened.add_documents(documents)
        opened.replace_incidents(incidents)
        # Known change times, so date_added (the incident's last change) can be asserted exactly.
        for incident_id, at in CHANGED.items():
            opened._conn.execute(  # type: ignore[attr-defined]
                "UPDATE incidents SET updated_at = ? WHERE id = ?", (at, incident_id)
            )
        yield opened


@pytest.fixture(scope="module")
def app(store: Store) -> FastAPI:
    """An app with the router mounted where the web app will mount it."""
    application = FastAPI()
    application.include_router(taxii_router(lambda: store), prefix="/taxii2")
    return application


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh loop in a worker thread (safe even if some earlier test left
    an event loop running in this thread, as browser tests do)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _get(app: FastAPI, path: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
    """One GET through the ASGI transport."""

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            return await client.get(path, headers=ACCEPT if headers is None else headers, params=params)

    return _run(go())


@pytest.fixture(scope="module")
def everything(app: FastAPI) -> list[dict[str, Any]]:
    """Every object of the collection, in one page."""
    objects: list[dict[str, Any]] = _get(app, OBJECTS, limit=1000).json()["objects"]
    return objects


def _walk(app: FastAPI, path: str, limit: int, **params: Any) -> list[httpx.Response]:
    """Every page of a paged endpoint, following `next`."""
    pages = [_get(app, path, limit=limit, **params)]
    while pages[-1].json()["more"]:
        assert len(pages) < 100, "paging does not end"
        pages.append(_get(app, path, limit=limit, next=pages[-1].json()["next"], **params))
    return pages


def test_taxii_discovery(app: FastAPI) -> None:
    response = _get(app, "/taxii2/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/taxii+json;version=2.1"
    body = response.json()
    assert body["api_roots"] == [f"{BASE}{ROOT}"] and body["default"] == f"{BASE}{ROOT}"


def test_taxii_api_root(app: FastAPI) -> None:
    body = _get(app, ROOT).json()
    assert body["versions"] == [MEDIA_TYPE_TAXII]


def test_taxii_collections(app: FastAPI) -> None:
    response = _get(app, f"{ROOT}collections/")
    assert response.headers["content-type"] == MEDIA_TYPE_TAXII
    (collection,) = response.json()["collections"]
    assert collection["id"] == COLLECTION_ID
    assert (collection["can_read"], collection["can_write"]) == (True, False)
    assert collection["media_types"] == [MEDIA_TYPE_STIX]
    assert _get(app, f"{ROOT}collections/{COLLECTION_ID}/").json() == collection


@pytest.mark.parametrize(
    "path",
    [
        f"{ROOT}collections/not-a-collection/",
        f"{ROOT}collections/not-a-collection/objects/",
        f"{ROOT}collections/not-a-collection/manifest/",
        "/taxii2/other-root/collections/",
        f"{OBJECTS}indicator--00000000-0000-5000-8000-000000000000/",
    ],
)
def test_taxii_unknown_resources_are_404_taxii_errors(app: FastAPI, path: str) -> None:
    response = _get(app, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA_TYPE_TAXII
    assert response.json()["http_status"] == "404"


def test_taxii_objects_are_the_stix_export_of_the_store(
    store: Store, everything: list[dict[str, Any]]
) -> None:
    exported = json.loads(export_stix(store.incidents(), store.document_analyses()))["objects"]
    assert sorted(everything, key=lambda o: o["id"]) == sorted(exported, key=lambda o: o["id"])


def test_taxii_objects_pagination_with_next(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    pages = _walk(app, OBJECTS, limit=7)
    assert len(pages) == -(-len(everything) // 7)
    ids = [o["id"] for page in pages for o in page.json()["objects"]]
    assert len(ids) == len(set(ids)) and set(ids) == {o["id"] for o in everything}
    for page in pages:
        assert page.headers["content-type"] == MEDIA_TYPE_TAXII
        assert page.headers["X-TAXII-Date-Added-First"] <= page.headers["X-TAXII-Date-Added-Last"]
    assert "next" not in pages[-1].json()


def test_taxii_added_after_filters_by_date_added(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    cutoff = "2025-03-14T12:00:00.000Z"
    newer = _get(app, OBJECTS, added_after=cutoff, limit=1000).json()["objects"]
    added = _added(everything)
    expected = {o["id"] for o in everything if added[o["id"]] > cutoff}
    assert {o["id"] for o in newer} == expected
    assert expected and len(expected) < len(everything)
    assert all("Corvane" not in o.get("name", "") for o in newer if o["type"] == "report")


def test_taxii_match_type_and_id(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    found = _get(app, OBJECTS, **{"match[type]": "indicator,report"}).json()["objects"]
    assert {o["type"] for o in found} == {"indicator", "report"}
    assert len(found) == sum(o["type"] in ("indicator", "report") for o in everything)
    one = everything[5]["id"]
    assert [o["id"] for o in _get(app, OBJECTS, **{"match[id]": one}).json()["objects"]] == [one]


def test_taxii_match_version_and_spec_version(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    report = next(o for o in everything if o["type"] == "report")
    stamp = report["modified"]
    found = _get(app, OBJECTS, **{"match[id]": report["id"], "match[version]": stamp}).json()
    assert [o["id"] for o in found["objects"]] == [report["id"]]
    assert (
        "objects"
        not in _get(
            app, OBJECTS, **{"match[id]": report["id"], "match[version]": "2000-01-01T00:00:00Z"}
        ).json()
    )
    assert "objects" not in _get(app, OBJECTS, **{"match[spec_version]": "2.0"}).json()


def test_taxii_manifest(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    pages = _walk(app, MANIFEST, limit=10)
    records = [r for page in pages for r in page.json()["objects"]]
    assert {r["id"] for r in records} == {o["id"] for o in everything}
    by_id = {o["id"]: o for o in everything}
    for record in records:
        assert record["media_type"] == MEDIA_TYPE_STIX
        assert record["version"] == by_id[record["id"]]["modified"]
        assert record["date_added"] == _added(everything)[record["id"]]  # the incident's last change


def test_taxii_one_object_and_its_versions(app: FastAPI, everything: list[dict[str, Any]]) -> None:
    target = everything[3]
    body = _get(app, f"{OBJECTS}{target['id']}/").json()
    assert body["objects"] == [target] and body["more"] is False
    versions = _get(app, f"{OBJECTS}{target['id']}/versions/").json()
    assert versions == {"more": False, "versions": [target["modified"]]}


@pytest.mark.parametrize(
    "params",
    [
        {"added_after": "yesterday"},
        {"limit": "0"},
        {"limit": "many"},
        {"next": "bm90LW91cnM"},
        {"match[version]": "newest"},
    ],
)
def test_taxii_bad_parameters_are_400(app: FastAPI, params: dict[str, str]) -> None:
    response = _get(app, OBJECTS, **params)
    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/xml", 406),
        ("application/taxii+json;version=2.0", 406),
        ("application/taxii+json", 200),
        ("*/*", 200),
        ("", 200),
    ],
)
def test_taxii_content_negotiation(app: FastAPI, accept: str, status: int) -> None:
    response = _get(app, "/taxii2/", headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    assert response.headers["content-type"] == MEDIA_TYPE_TAXII


class _ASGIAdapter(BaseAdapter):
    """A requests transport adapter that hands each request to an ASGI app in process."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """Forward the request and wrap the answer as a requests.Response."""

        async def go() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url=BASE
            ) as client:
                return await client.request(
                    str(request.method), str(request.url), headers=dict(request.headers), content=request.body
                )

        answer = _run(go())
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release."""


@pytest.fixture(scope="module")
def api_root(app: FastAPI) -> ApiRoot:
    """taxii2-client's view of our API root, found by discovery, every connection through the adapter."""
    connection = _HTTPConnection(version="2.1")
    connection.session.mount(BASE, _ASGIAdapter(app))
    server = Server(f"{BASE}/taxii2/", conn=connection)
    (root,) = server.api_roots
    # The client opens a new connection for each API root it discovers instead of reusing ours: route it too.
    root._conn.session.mount(BASE, _ASGIAdapter(app))
    return root


def test_taxii2_client_lists_collections(api_root: ApiRoot) -> None:
    assert api_root.url == f"{BASE}{ROOT}"
    assert api_root.versions == [MEDIA_TYPE_TAXII]
    (collection,) = api_root.collections
    assert collection.id == COLLECTION_ID and collection.can_read and not collection.can_write


def test_taxii2_client_pages_objects_with_added_after(
    api_root: ApiRoot, everything: list[dict[str, Any]]
) -> None:
    collection = api_root.collections[0]
    envelopes = list(as_pages(collection.get_objects, per_request=9))
    ids = [o["id"] for e in envelopes for o in e.get("objects", [])]
    assert len(envelopes) > 1 and sorted(ids) == sorted(o["id"] for o in everything)
    cutoff = "2025-03-14T12:00:00.000Z"
    newer = [
        o
        for e in as_pages(collection.get_objects, per_request=9, added_after=cutoff)
        for o in e.get("objects", [])
    ]
    added = _added(everything)
    assert {o["id"] for o in newer} == {o["id"] for o in everything if added[o["id"]] > cutoff}


def test_taxii2_client_reads_the_manifest(api_root: ApiRoot, everything: list[dict[str, Any]]) -> None:
    collection = api_root.collections[0]
    records = [r for e in as_pages(collection.get_manifest, per_request=25) for r in e.get("objects", [])]
    assert len(records) == len(everything)


def test_taxii_collection_follows_store_changes(tmp_path: Path) -> None:
    incidents, documents = _fixture()
    with open_store(str(tmp_path / "changing.db")) as store:
        store.add_documents(documents)
        store.replace_incidents(incidents[:1])
        application = FastAPI()
        application.include_router(taxii_router(lambda: store), prefix="/taxii2")

        def reports() -> set[str]:
            found = _get(application, OBJECTS, **{"match[type]": "report"}).json().get("objects", [])
            return {o["name"] for o in found}

        assert reports() == {"Data breach: Halvard Outfitters (2025-06-02)"}
        assert reports() == {"Data breach: Halvard Outfitters (2025-06-02)"}  # served again, from the cache
        store.replace_incidents(incidents)
        assert reports() == {
            "Data breach: Halvard Outfitters (2025-06-02)",
            "Data breach: Corvane Health (2025-03-14)",
            "Data breach: Qzq",
        }


def test_taxii2_client_added_after_returns_an_updated_incident_again(tmp_path: Path) -> None:
    """Issue 16: a poller that saw an incident gets it again, with added_after before its update, once a new
    source changed it, with a newer version in the manifest: the incident's change time, which is also its
    STIX `modified` (TAXII 2.1: the version is the object's `modified`)."""
    from breachlens.ingest.run import refresh_incidents
    from breachlens.settings import Settings
    from store_helpers import make_document

    with open_store(str(tmp_path / "polled.db")) as store:
        store.add_documents([make_document("https://a.example/vesper", "Vesper lost emails in June.", "Vesper")])
        refresh_incidents(store, Settings.load())
        application = FastAPI()
        application.include_router(taxii_router(lambda: store), prefix="/taxii2")
        connection = _HTTPConnection(version="2.1")
        connection.session.mount(BASE, _ASGIAdapter(application))
        (root,) = Server(f"{BASE}/taxii2/", conn=connection).api_roots
        root._conn.session.mount(BASE, _ASGIAdapter(application))
        collection = root.collections[0]

        def reports(**filters: str) -> list[dict[str, Any]]:
            """Every report object the client gets."""
            got = [o for e in as_pages(collection.get_objects, per_request=50, **filters) for o in e.get("objects", [])]
            return [o for o in got if o["type"] == "report"]

        (first,) = reports()
        (incident_id,) = [m.id for m in store.incidents()]
        poll_time = _manifest_time(collection)
        before = _manifest(collection)[first["id"]]
        assert before["version"] == first["modified"] == before["date_added"]  # the incident's change time
        assert reports(added_after=poll_time) == []  # nothing new since the last poll
        later = make_document("https://b.example/vesper", "Vesper emails leaked, the outlet says.", "Vesper")
        store.add_documents([later])
        refresh_incidents(store, Settings.load())
        assert [c.kind for c in store.changes(incident_id=incident_id)][-1] == "source_added"
        (again,) = reports(added_after=poll_time)
        assert again["id"] == first["id"] and again["modified"] > first["modified"]
        (_, updated), = store.incident_times([incident_id]).values()
        assert again["modified"] == updated[:23] + "Z"  # STIX modified is the incident's updated_at
        record = _manifest(collection, added_after=poll_time)[first["id"]]
        assert record["version"] == again["modified"] == record["date_added"] > before["version"]
        versions = collection.get_object(first["id"])["objects"]
        assert [o["modified"] for o in versions] == [record["version"]]
        found = collection.get_objects(id=first["id"], version=record["version"])
        assert [o["id"] for o in found["objects"]] == [first["id"]]
        assert "objects" not in collection.get_objects(id=first["id"], version=before["version"])


def _manifest(collection: Any, **filters: str) -> dict[str, dict[str, Any]]:
    """Object id -> its manifest record, every page."""
    pages = as_pages(collection.get_manifest, per_request=50, **filters)
    return {r["id"]: r for e in pages for r in e.get("objects", [])}


def _manifest_time(collection: Any) -> str:
    """The latest date_added the manifest shows (what a poller remembers as its cursor)."""
    return max(r["date_added"] for r in _manifest(collection).values())
