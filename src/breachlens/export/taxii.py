"""A read-only TAXII 2.1 server for our STIX objects, as a FastAPI router (the web app mounts it at /taxii2/).

    app.include_router(taxii_router(get_store), prefix="/taxii2")

Endpoints (TAXII 2.1, section numbers of the OASIS specification):

    GET /                                                   4.1  discovery
    GET /{api-root}/                                        4.2  API root information
    GET /{api-root}/collections/                            5.1  collections
    GET /{api-root}/collections/{id}/                       5.2  one collection
    GET /{api-root}/collections/{id}/manifest/              5.3  manifest (paged)
    GET /{api-root}/collections/{id}/objects/               5.4  objects (paged)
    GET /{api-root}/collections/{id}/objects/{object-id}/   5.6  one object
    GET /{api-root}/collections/{id}/objects/{object-id}/versions/   5.8  its versions

One API root (`API_ROOT`) holds one collection (`COLLECTION_ID`): the STIX export of every stored incident
(`stix.stix_objects`), read from the store on each request and rebuilt only when it changed. Filters:
`added_after`, `match[id]`, `match[type]`, `match[version]` (last, first, all or a timestamp),
`match[spec_version]`; paging with `limit` (at most `MAX_PAGE`) and the opaque `next` token of the previous
page. Pages are ordered by (date added, id) and `next` names the last object served, so a page boundary does
not move when objects are added meanwhile.

Responses use the TAXII media type and the TAXII error message shape (`title`, `description`, `http_status`)
rather than the web app's error shape, because TAXII clients parse it. A request whose Accept header names
neither `application/taxii+json` nor `*/*` gets 406.

Date added: the time the store last changed the object's incident (`updated_at`, written with the change log
in the resolve's own transaction; issue 16). An object belongs to the incidents whose report lists it in
`object_refs`, and takes the latest of their times, so a client polling with `added_after` gets an incident
again once a new source, a revised count or a new actor changed it. Objects no report lists fall back to their
STIX `modified`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..errors import BreachlensError
from ..records import DocumentAnalysis, MergedIncident
from ..store import Store
from ._common import stable_uuid

__all__ = [
    "API_ROOT",
    "COLLECTION_ID",
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "MEDIA_TYPE_STIX",
    "MEDIA_TYPE_TAXII",
    "taxii_router",
]

MEDIA_TYPE_TAXII = "application/taxii+json;version=2.1"
MEDIA_TYPE_STIX = "application/stix+json;version=2.1"
API_ROOT = "breachlens"
COLLECTION_ID = str(stable_uuid("taxii", "collection", "incidents"))
# Page sizes: a page of 100 objects is ~50 kB of JSON; 1000 caps one response at about half a megabyte.
DEFAULT_PAGE = 100
MAX_PAGE = 1000


class TaxiiResponse(JSONResponse):
    """JSON with the TAXII 2.1 media type."""

    media_type = MEDIA_TYPE_TAXII


def _error(status: int, title: str, description: str = "") -> TaxiiResponse:
    """A TAXII error message resource."""
    body: dict[str, Any] = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    return TaxiiResponse(body, status_code=status)


def _acceptable(request: Request) -> bool:
    """Whether the client accepts TAXII 2.1 JSON (no Accept header means anything)."""
    accept = request.headers.get("accept")
    if not accept:
        return True
    for part in accept.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json":
            versions = [p.split("=", 1)[1].strip() for p in params if p.startswith("version=")]
            if not versions or "2.1" in versions:
                return True
    return False


@dataclass(frozen=True)
class _Entry:
    """One object of the collection with its date added."""

    added: datetime
    added_text: str
    obj: dict[str, Any]

    @property
    def key(self) -> tuple[datetime, str]:
        """Paging order: date added, then id."""
        return self.added, str(self.obj["id"])


def _parse_timestamp(value: str) -> datetime:
    """A STIX/TAXII timestamp ("2025-06-02T00:00:00.000Z", fractions optional) as an aware datetime."""
    text = value.strip()
    if not text.endswith("Z") or "T" not in text:
        raise ValueError(value)
    return datetime.fromisoformat(text[:-1] + "+00:00").astimezone(UTC)


def _format_timestamp(when: datetime) -> str:
    """TAXII timestamp with milliseconds."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _build_entries(
    incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis],
    changed: Mapping[str, str] | None = None,
) -> list[_Entry]:
    """The collection: the incidents' STIX objects, in paging order, dated by `changed` (incident id -> time)."""
    from .stix import stix_objects  # deferred: stix2 takes a second to import

    objects = [json.loads(obj.serialize()) for obj in stix_objects(incidents, documents)]
    added_at: dict[str, datetime] = {}
    for data in objects:
        incident_id = _report_incident(data)
        if incident_id is None or not (changed or {}).get(incident_id):
            continue
        when = _parse_timestamp(_taxii_time((changed or {})[incident_id]))
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # TAXII's precision: `next` tokens match
        for ref in (data["id"], *data.get("object_refs", ())):
            if ref not in added_at or added_at[ref] < when:
                added_at[ref] = when
    entries = []
    for data in objects:
        added = added_at.get(data["id"])
        if added is None:
            stamp = data.get("modified") or data.get("created")
            added = _parse_timestamp(stamp) if stamp else datetime(1970, 1, 1, tzinfo=UTC)
        entries.append(_Entry(added, _format_timestamp(added), data))
    return sorted(entries, key=lambda e: e.key)


def _report_incident(data: dict[str, Any]) -> str | None:
    """The incident id a report object was built from (its x_breachlens_incident_id), else None."""
    if data.get("type") != "report":
        return None
    for ext in (data.get("extensions") or {}).values():
        if isinstance(ext, dict) and ext.get("x_breachlens_incident_id"):
            return str(ext["x_breachlens_incident_id"])
    return None


def _taxii_time(stored: str) -> str:
    """A stored change time ("2025-07-01T12:00:00.123456Z", or "...12:00:00.123Z" from the upgrade) as TAXII
    reads it."""
    return stored if stored.endswith("Z") else stored + "Z"


class _Cache:
    """The last collection built, reused while the stored incidents and their sources' metadata are unchanged.

    Why: building the STIX objects costs about 7 ms per incident (measured: 300 incidents, 6,213 objects,
    2.0 s), too much to repeat for every page a client asks for; reading and hashing the incidents costs less.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: int | None = None
        self.entries: list[_Entry] = []

    def entries_of(self, store: Store) -> list[_Entry]:
        """The collection of what `store` holds now."""
        incidents = store.incidents()
        documents = store.document_analyses()
        changed = {i: updated for i, (_, updated) in store.incident_times().items()}
        try:
            key = hash((
                tuple(incidents), tuple((d.source, d.title, d.published, d.sha256) for d in documents),
                tuple(sorted(changed.items())),
            ))
        except TypeError:  # a fact value that is not hashable: build without caching
            return _build_entries(incidents, documents, changed)
        with self.lock:
            if key != self.key:
                self.entries, self.key = _build_entries(incidents, documents, changed), key
            return self.entries


def _encode_next(entry: _Entry) -> str:
    """Opaque token naming the last object of a page."""
    raw = f"{entry.added_text}|{entry.obj['id']}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_next(token: str) -> tuple[datetime, str]:
    """Inverse of `_encode_next`; ValueError when the token is not ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(token) from exc
    stamp, sep, oid = raw.partition("|")
    if not sep or "--" not in oid:
        raise ValueError(token)
    return _parse_timestamp(stamp), oid


class _BadRequest(Exception):
    """A filter or paging parameter that cannot be read; becomes a 400 TAXII error."""


def _csv(request: Request, name: str) -> list[str] | None:
    """A comma-separated filter (several occurrences are united), None when absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _filter(entries: Sequence[_Entry], request: Request, object_id: str | None = None) -> list[_Entry]:
    """Apply added_after and the match[...] filters of the request."""
    params = request.query_params
    out = list(entries)
    if object_id is not None:
        out = [e for e in out if e.obj["id"] == object_id]
    if (after := params.get("added_after")) is not None:
        try:
            cutoff = _parse_timestamp(after)
        except ValueError as exc:
            raise _BadRequest(f"added_after is not a timestamp: {after!r}") from exc
        out = [e for e in out if e.added > cutoff]
    if (ids := _csv(request, "match[id]")) is not None:
        out = [e for e in out if e.obj["id"] in ids]
    if (types := _csv(request, "match[type]")) is not None:
        out = [e for e in out if e.obj["type"] in types]
    if (specs := _csv(request, "match[spec_version]")) is not None:
        out = [e for e in out if e.obj.get("spec_version", "2.1") in specs]
    versions = _csv(request, "match[version]") or ["last"]
    keywords = {"last", "first", "all"}
    stamps = []
    for v in versions:
        if v not in keywords:
            try:
                stamps.append(_parse_timestamp(v))
            except ValueError as exc:
                raise _BadRequest(f"match[version] is not last, first, all or a timestamp: {v!r}") from exc
    if not keywords & set(versions):  # every object has one version: keywords all match it
        out = [e for e in out if _version(e) in stamps]
    return out


def _version(entry: _Entry) -> datetime:
    """The object's version: its `modified` (or `created`, or its date added)."""
    stamp = entry.obj.get("modified") or entry.obj.get("created")
    return _parse_timestamp(stamp) if stamp else entry.added


def _page(entries: list[_Entry], request: Request) -> tuple[list[_Entry], bool, str | None]:
    """One page of the filtered entries: the entries, whether there are more, and the `next` token."""
    params = request.query_params
    limit = DEFAULT_PAGE
    if (raw := params.get("limit")) is not None:
        try:
            limit = int(raw)
        except ValueError as exc:
            raise _BadRequest(f"limit is not a number: {raw!r}") from exc
        if limit < 1:
            raise _BadRequest(f"limit must be positive: {raw!r}")
    limit = min(limit, MAX_PAGE)
    if (token := params.get("next")) is not None:
        try:
            after = _decode_next(token)
        except ValueError as exc:
            raise _BadRequest(f"next is not a token this server gave: {token!r}") from exc
        entries = [e for e in entries if e.key > after]
    page = entries[:limit]
    more = len(entries) > limit
    return page, more, _encode_next(page[-1]) if more and page else None


def _paged(entries: list[_Entry], request: Request, item: Callable[[_Entry], Any], key: str) -> TaxiiResponse:
    """A paged envelope (objects or manifest) with the X-TAXII-Date-Added-First/Last headers."""
    page, more, token = _page(entries, request)
    body: dict[str, Any] = {"more": more}
    if token:
        body["next"] = token
    if page:
        body[key] = [item(e) for e in page]
    headers = {}
    if page:
        headers = {
            "X-TAXII-Date-Added-First": page[0].added_text,
            "X-TAXII-Date-Added-Last": page[-1].added_text,
        }
    return TaxiiResponse(body, headers=headers)


def _manifest_item(entry: _Entry) -> dict[str, Any]:
    """A manifest record of one object."""
    return {
        "id": entry.obj["id"],
        "date_added": entry.added_text,
        "version": _format_timestamp(_version(entry)),
        "media_type": MEDIA_TYPE_STIX,
    }


def _collection_info() -> dict[str, Any]:
    """The collection resource."""
    return {
        "id": COLLECTION_ID,
        "title": "breachlens incidents",
        "description": "STIX 2.1 objects of every data-breach incident breachlens has stored, with the "
        "quotes "
        "behind each fact in notes.",
        "can_read": True,
        "can_write": False,
        "media_types": [MEDIA_TYPE_STIX],
    }


def taxii_router(store_factory: Callable[..., Store]) -> APIRouter:
    """The TAXII 2.1 read-only endpoints as an APIRouter.

    Args:
        store_factory: a FastAPI dependency giving the Store to read: a plain callable returning the app's
            shared store, or a generator dependency that opens one per request and closes it after. The router
            never closes the store itself.
    """
    router = APIRouter()
    cache = _Cache()
    uses_store = Depends(store_factory)  # one dependency object, shared by the routes that read the store

    def guard(
        request: Request, api_root: str | None = None, collection_id: str | None = None
    ) -> TaxiiResponse | None:
        """406 for a client that does not accept TAXII, 404 for an unknown API root or collection."""
        if not _acceptable(request):
            return _error(406, "Not Acceptable", f"this server speaks {MEDIA_TYPE_TAXII}")
        if api_root is not None and api_root != API_ROOT:
            return _error(404, "API root not found", f"no API root {api_root!r}")
        if collection_id is not None and collection_id != COLLECTION_ID:
            return _error(404, "Collection not found", f"no collection {collection_id!r}")
        return None

    def serve(
        request: Request,
        store: Store,
        api_root: str,
        collection_id: str,
        respond: Callable[[list[_Entry]], TaxiiResponse],
    ) -> TaxiiResponse:
        """Guard, read the collection, and answer; bad parameters give 400, store failures 500."""
        refused = guard(request, api_root, collection_id)
        if refused is not None:
            return refused
        try:
            return respond(cache.entries_of(store))
        except _BadRequest as exc:
            return _error(400, "Bad Request", str(exc))
        except BreachlensError as exc:
            return _error(500, "Internal Server Error", str(exc))

    def filtered_page(
        request: Request, item: Callable[[_Entry], Any]
    ) -> Callable[[list[_Entry]], TaxiiResponse]:
        """An answer for `serve`: the page of the entries the request's filters keep, each shown by `item`."""
        return lambda entries: _paged(_filter(entries, request), request, item, "objects")

    @router.get("/", name="taxii_discovery", response_class=TaxiiResponse)
    def discovery(request: Request) -> TaxiiResponse:
        """TAXII discovery: where the API root is."""
        refused = guard(request)
        if refused is not None:
            return refused
        root = str(request.url_for("taxii_api_root", api_root=API_ROOT))
        return TaxiiResponse(
            {
                "title": "breachlens TAXII server",
                "description": "Data-breach incidents as STIX 2.1, every fact with its evidence.",
                "default": root,
                "api_roots": [root],
            }
        )

    @router.get("/{api_root}/", name="taxii_api_root", response_class=TaxiiResponse)
    def api_root_info(request: Request, api_root: str) -> TaxiiResponse:
        """API root information."""
        return guard(request, api_root) or TaxiiResponse(
            {
                "title": "breachlens",
                "description": "Read-only collections of breachlens incidents.",
                "versions": [MEDIA_TYPE_TAXII],
                "max_content_length": 0,
            }
        )

    @router.get("/{api_root}/collections/", name="taxii_collections", response_class=TaxiiResponse)
    def collections(request: Request, api_root: str) -> TaxiiResponse:
        """The collections of the API root (one)."""
        return guard(request, api_root) or TaxiiResponse({"collections": [_collection_info()]})

    @router.get(
        "/{api_root}/collections/{collection_id}/", name="taxii_collection", response_class=TaxiiResponse
    )
    def collection(request: Request, api_root: str, collection_id: str) -> TaxiiResponse:
        """One collection."""
        return guard(request, api_root, collection_id) or TaxiiResponse(_collection_info())

    @router.get(
        "/{api_root}/collections/{collection_id}/objects/", name="taxii_objects", response_class=TaxiiResponse
    )
    def objects(
        request: Request, api_root: str, collection_id: str, store: Store = uses_store
    ) -> TaxiiResponse:
        """Objects of the collection, filtered and paged."""
        return serve(request, store, api_root, collection_id, filtered_page(request, lambda e: e.obj))

    @router.get(
        "/{api_root}/collections/{collection_id}/manifest/",
        name="taxii_manifest",
        response_class=TaxiiResponse,
    )
    def manifest(
        request: Request, api_root: str, collection_id: str, store: Store = uses_store
    ) -> TaxiiResponse:
        """Manifest of the collection: ids, dates added and versions, filtered and paged."""
        return serve(request, store, api_root, collection_id, filtered_page(request, _manifest_item))

    @router.get(
        "/{api_root}/collections/{collection_id}/objects/{object_id}/",
        name="taxii_object",
        response_class=TaxiiResponse,
    )
    def one_object(
        request: Request,
        api_root: str,
        collection_id: str,
        object_id: str,
        store: Store = uses_store,
    ) -> TaxiiResponse:
        """One object (all its versions that match the filters)."""

        def respond(entries: list[_Entry]) -> TaxiiResponse:
            found = _filter(entries, request, object_id)
            if not found and not any(e.obj["id"] == object_id for e in entries):
                return _error(404, "Object not found", f"no object {object_id!r} in this collection")
            return _paged(found, request, lambda e: e.obj, "objects")

        return serve(request, store, api_root, collection_id, respond)

    @router.get(
        "/{api_root}/collections/{collection_id}/objects/{object_id}/versions/",
        name="taxii_object_versions",
        response_class=TaxiiResponse,
    )
    def versions(
        request: Request,
        api_root: str,
        collection_id: str,
        object_id: str,
        store: Store = uses_store,
    ) -> TaxiiResponse:
        """The versions of one object (one: we keep no history)."""

        def respond(entries: list[_Entry]) -> TaxiiResponse:
            found = [e for e in entries if e.obj["id"] == object_id]
            if not found:
                return _error(404, "Object not found", f"no object {object_id!r} in this collection")
            return TaxiiResponse({"more": False, "versions": [_format_timestamp(_version(e)) for e in found]})

        return serve(request, store, api_root, collection_id, respond)

    return router
