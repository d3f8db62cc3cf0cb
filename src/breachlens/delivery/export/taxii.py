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

One API root (`API_ROOT`) holds one collection (`COLLECTION_ID`): the STIX export of the stored incidents
(`stix.stix_objects`). Filters: `added_after`, `match[id]`, `match[type]`, `match[version]` (last, first, all
or a timestamp), `match[spec_version]`; paging with `limit` (at most `MAX_PAGE`) and the opaque `next` token of
the previous page.

Order and paging (issue 16): the collection is our identity and extension definition, then each incident's
objects in order of the incident's last change (`updated_at`, then id), an incident's objects by id. A page is
filled by reading incidents from the store a batch at a time in that order (keyset paging, `added_after` as a
`changed_since` in SQL), so a request reads the incidents it serves, not the whole store; `next` names the last
object served with its incident's change time, so a page boundary does not move when incidents change meanwhile
(a changed incident moves to the end and is served again there). A reference object several incidents share
(a victim organisation, an actor, a country) comes with each of them, once per page.

Responses use the TAXII media type and the TAXII error message shape (`title`, `description`, `http_status`)
rather than the web app's error shape, because TAXII clients parse it. A request whose Accept header names
neither `application/taxii+json` nor `*/*` gets 406.

Date added and version: every object of an incident is dated by the time the store last changed the incident
(`updated_at`, written with the change log in the resolve's own transaction), and that time, to the
millisecond, is also the STIX `modified` of the incident's own objects, so the manifest's `version` is the
object's `modified` as TAXII 2.1 requires: a client polling with `added_after` gets an incident again, with a
newer version, once a new source, a revised count or a new actor changed it. Reference objects keep their
fixed version.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ...errors import BreachlensError
from ...records import MergedIncident
from ...store import Store
from ._common import REFERENCE_EPOCH, change_time, stable_uuid

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
# Incidents read from the store per query while filling a page (a page of `limit` objects needs at most `limit`).
MAX_BATCH = 50


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
    """One object of the collection as served in its incident's group, dated by the incident's last change."""

    added: datetime
    obj: dict[str, Any]
    stamp: str = ""  # the incident's updated_at as stored ("" for the preamble)
    incident: str = ""  # the incident's id ("" for the preamble)

    @property
    def added_text(self) -> str:
        """The date added as TAXII writes it."""
        return _format_timestamp(self.added)

    @property
    def cursor(self) -> tuple[str, str, str]:
        """Paging position: the incident's change time and id, then the object id."""
        return self.stamp, self.incident, str(self.obj["id"])


def _parse_timestamp(value: str) -> datetime:
    """A STIX/TAXII timestamp ("2025-06-02T00:00:00.000Z", fractions optional) as an aware datetime."""
    text = value.strip()
    if not text.endswith("Z") or "T" not in text:
        raise ValueError(value)
    return datetime.fromisoformat(text[:-1] + "+00:00").astimezone(UTC)


def _format_timestamp(when: datetime) -> str:
    """TAXII timestamp with milliseconds."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _as_dicts(objects: Sequence[Any], skip: Container[str] = ()) -> list[dict[str, Any]]:
    """stix2 objects as JSON dicts, by id, leaving out the ids in `skip`."""
    found = [json.loads(o.serialize()) for o in objects]
    return sorted((d for d in found if d["id"] not in skip), key=lambda d: str(d["id"]))


@lru_cache(maxsize=1)
def _preamble() -> tuple[dict[str, Any], ...]:
    """The objects every export starts with (our identity, the extension definition): the collection's first."""
    from .stix import stix_objects  # deferred: stix2 takes a second to import

    return tuple(_as_dicts(stix_objects([], [])))


class _Groups:
    """Each incident's objects, built once per version of the incident and kept for the next pages.

    Why: building the STIX objects costs about 7 ms per incident (measured: 300 incidents, 6,213 objects, 2.0 s),
    too much to repeat for every page a client asks for; keyed by (id, updated_at), a changed incident is rebuilt.
    At most `size` groups are kept (the least recently served go first), so memory does not grow with the store.
    """

    def __init__(self, size: int = 4096) -> None:
        self.lock = threading.Lock()
        self.size = size
        self.built: OrderedDict[tuple[str, str], tuple[dict[str, Any], ...]] = OrderedDict()

    def entries(self, store: Store, merged: MergedIncident) -> list[_Entry]:
        """The incident's objects (by id; shared reference objects too), each dated by its last change."""
        from .stix import stix_objects  # deferred: stix2 takes a second to import

        stamp = merged.updated_at or ""
        key = (merged.id, stamp)
        with self.lock:
            objects = self.built.get(key)
            if objects is not None:
                self.built.move_to_end(key)
        if objects is None:
            documents = store.document_analyses(merged.sources)
            preamble = {str(o["id"]) for o in _preamble()}
            objects = tuple(_as_dicts(stix_objects([merged], documents), preamble))
            with self.lock:
                self.built[key] = objects
                while len(self.built) > self.size:
                    self.built.popitem(last=False)
        added = change_time(stamp) if stamp else REFERENCE_EPOCH
        return [_Entry(added, obj, stamp, merged.id) for obj in objects]


def _scan(
    store: Store, groups: _Groups, since: str | None, start: tuple[str, str, str] | None, batch: int
) -> Iterator[_Entry]:
    """The collection in paging order from just after `start` (a `next` cursor), read lazily.

    Order: the preamble, then the incidents by (last change, id), each incident's objects by id. Incidents come
    from the store `batch` at a time (keyset paging on its change time), so a page reads only the incidents it
    serves, plus one batch at most; `since` (a UTC time) leaves out incidents that did not change since.
    """
    cursor: tuple[str, str] | None = None
    if start is None or not start[1]:
        after_id = start[2] if start else ""
        yield from (_Entry(REFERENCE_EPOCH, obj) for obj in _preamble() if obj["id"] > after_id)
    else:
        stamp, incident_id, after_id = start
        current = store.incident(incident_id)
        if current is not None and current.updated_at == stamp:  # else it changed: served again further on
            yield from (e for e in groups.entries(store, current) if e.obj["id"] > after_id)
        cursor = (stamp, incident_id)
    for merged in store.each_incident(batch, after=cursor, changed_since=since):
        yield from groups.entries(store, merged)


def _encode_next(entry: _Entry) -> str:
    """Opaque token naming the last object of a page (with its incident's change time and id)."""
    raw = json.dumps(list(entry.cursor)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_next(token: str) -> tuple[str, str, str]:
    """Inverse of `_encode_next`; ValueError when the token is not ours."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(token) from exc
    if not (isinstance(cursor, list) and len(cursor) == 3 and all(isinstance(p, str) for p in cursor)):
        raise ValueError(token)
    if "--" not in cursor[2]:
        raise ValueError(token)
    return cursor[0], cursor[1], cursor[2]


class _BadRequest(Exception):
    """A filter or paging parameter that cannot be read; becomes a 400 TAXII error."""


class _ObjectNotFound(Exception):
    """No object with the requested id in the collection; becomes a 404 TAXII error, the same for every route
    that names one object."""


def _csv(request: Request, name: str) -> list[str] | None:
    """A comma-separated filter (several occurrences are united), None when absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@dataclass(frozen=True)
class _Filters:
    """The request's added_after and match[...] filters, read once (a bad value is a 400 before any work)."""

    added_after: datetime | None = None
    ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    specs: frozenset[str] | None = None
    versions: frozenset[datetime] | None = None  # None: last, first or all (every object has one version)

    @property
    def since(self) -> str | None:
        """The store's `changed_since` for added_after: a date added (to the millisecond) after it."""
        if self.added_after is None:
            return None
        return (self.added_after + timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def match(self, entry: _Entry) -> bool:
        """Whether the entry passes every filter."""
        obj = entry.obj
        return (
            (self.added_after is None or entry.added > self.added_after)
            and (self.ids is None or obj["id"] in self.ids)
            and (self.types is None or obj["type"] in self.types)
            and (self.specs is None or obj.get("spec_version", "2.1") in self.specs)
            and (self.versions is None or _version(entry) in self.versions)
        )


_Value = TypeVar("_Value")


def _parsed(name: str, raw: str, parse: Callable[[str], _Value], what: str) -> _Value:
    """`parse(raw)`; a value it refuses is the client's error (400), saying what the parameter should be."""
    try:
        return parse(raw)
    except ValueError as exc:
        raise _BadRequest(f"{name} is not {what}: {raw!r}") from exc


def _query(request: Request, name: str, parse: Callable[[str], _Value], what: str) -> _Value | None:
    """The query parameter `name`, parsed (see `_parsed`); None when the request does not give it."""
    raw = request.query_params.get(name)
    return None if raw is None else _parsed(name, raw, parse, what)


def _filters(request: Request) -> _Filters:
    """Read added_after and the match[...] filters of the request."""
    added_after = _query(request, "added_after", _parse_timestamp, "a timestamp")
    versions = _csv(request, "match[version]") or ["last"]
    keywords = {"last", "first", "all"}
    stamps = {_parsed("match[version]", v, _parse_timestamp, "last, first, all or a timestamp") for v in versions
              if v not in keywords}
    sets = {name: _csv(request, f"match[{name}]") for name in ("id", "type", "spec_version")}
    ids, types, specs = (frozenset(v) if v is not None else None for v in sets.values())
    return _Filters(added_after, ids, types, specs, None if keywords & set(versions) else frozenset(stamps))


def _version(entry: _Entry) -> datetime:
    """The object's version: its `modified` (an incident's objects: its last change), or `created`, or the
    date it was added."""
    stamp = entry.obj.get("modified") or entry.obj.get("created")
    return _parse_timestamp(stamp) if stamp else entry.added


def _limit(request: Request) -> int:
    """The page size asked for, at most MAX_PAGE."""
    limit = _query(request, "limit", int, "a number")
    if limit is None:
        return min(DEFAULT_PAGE, MAX_PAGE)
    if limit < 1:
        raise _BadRequest(f"limit must be positive: {request.query_params['limit']!r}")
    return min(limit, MAX_PAGE)


def _page(store: Store, groups: _Groups, request: Request) -> tuple[list[_Entry], bool]:
    """One page of the filtered collection (an object shared by incidents once per page), and whether there
    are more."""
    limit, filters = _limit(request), _filters(request)
    start = _query(request, "next", _decode_next, "a token this server gave")
    page: list[_Entry] = []
    seen: set[str] = set()
    for entry in _scan(store, groups, filters.since, start, min(limit + 1, MAX_BATCH)):
        if entry.obj["id"] in seen or not filters.match(entry):
            continue
        if len(page) == limit:
            return page, True
        page.append(entry)
        seen.add(entry.obj["id"])
    return page, False


def _envelope(page: Sequence[_Entry], more: bool, item: Callable[[_Entry], Any], key: str) -> TaxiiResponse:
    """A paged envelope (objects or manifest) with `next` and the X-TAXII-Date-Added-First/Last headers."""
    body: dict[str, Any] = {"more": more}
    if more and page:
        body["next"] = _encode_next(page[-1])
    headers = {}
    if page:
        body[key] = [item(e) for e in page]
        headers = {
            "X-TAXII-Date-Added-First": page[0].added_text,
            "X-TAXII-Date-Added-Last": page[-1].added_text,
        }
    return TaxiiResponse(body, headers=headers)


def _object_entries(store: Store, groups: _Groups, object_id: str) -> list[_Entry]:
    """The entries of one object (once per version): a scan of the whole collection, page by page; raises
    _ObjectNotFound when there are none.

    Why a scan: object ids are hashes of an incident's id and role, so no index leads from one back to its
    incident; the built groups are kept, so a client reading objects one by one does not rebuild them.
    """
    found: dict[datetime, _Entry] = {}
    for entry in _scan(store, groups, None, None, MAX_BATCH):
        if entry.obj["id"] == object_id:
            found.setdefault(_version(entry), entry)
    if not found:
        raise _ObjectNotFound(f"no object {object_id!r} in this collection")
    return list(found.values())


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
    groups = _Groups()
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
        respond: Callable[[], TaxiiResponse],
    ) -> TaxiiResponse:
        """Guard, read the collection, and answer; bad parameters give 400, an unknown object 404, store
        failures 500."""
        refused = guard(request, api_root, collection_id)
        if refused is not None:
            return refused
        try:
            return respond()
        except _BadRequest as exc:
            return _error(400, "Bad Request", str(exc))
        except _ObjectNotFound as exc:
            return _error(404, "Object not found", str(exc))
        except BreachlensError as exc:
            return _error(500, "Internal Server Error", str(exc))

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
        refused = guard(request, api_root)
        if refused is not None:
            return refused
        return TaxiiResponse(
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
        refused = guard(request, api_root)
        if refused is not None:
            return refused
        return TaxiiResponse({"collections": [_collection_info()]})

    @router.get(
        "/{api_root}/collections/{collection_id}/", name="taxii_collection", response_class=TaxiiResponse
    )
    def collection(request: Request, api_root: str, collection_id: str) -> TaxiiResponse:
        """One collection."""
        refused = guard(request, api_root, collection_id)
        return refused or TaxiiResponse(_collection_info())

    @router.get(
        "/{api_root}/collections/{collection_id}/objects/", name="taxii_objects", response_class=TaxiiResponse
    )
    def objects(
        request: Request, api_root: str, collection_id: str, store: Store = uses_store
    ) -> TaxiiResponse:
        """Objects of the collection, filtered and paged."""
        return serve(
            request, store, api_root, collection_id,
            lambda: _envelope(*_page(store, groups, request), lambda e: e.obj, "objects"),
        )

    @router.get(
        "/{api_root}/collections/{collection_id}/manifest/",
        name="taxii_manifest",
        response_class=TaxiiResponse,
    )
    def manifest(
        request: Request, api_root: str, collection_id: str, store: Store = uses_store
    ) -> TaxiiResponse:
        """Manifest of the collection: ids, dates added and versions, filtered and paged."""
        return serve(
            request, store, api_root, collection_id,
            lambda: _envelope(*_page(store, groups, request), _manifest_item, "objects"),
        )

    def one_object(request: Request, store: Store, object_id: str) -> TaxiiResponse:
        """One object (all its versions that match the filters)."""
        filters, limit = _filters(request), _limit(request)
        found = [e for e in _object_entries(store, groups, object_id) if filters.match(e)]
        return _envelope(found[:limit], len(found) > limit, lambda e: e.obj, "objects")

    def versions(request: Request, store: Store, object_id: str) -> TaxiiResponse:
        """The versions of one object (one: we keep no history)."""
        found = _object_entries(store, groups, object_id)
        return TaxiiResponse({"more": False, "versions": [_format_timestamp(_version(e)) for e in found]})

    def object_route(answer: Callable[[Request, Store, str], TaxiiResponse]) -> Callable[..., TaxiiResponse]:
        """The endpoint of a route about one object: `serve` guards the collection, then `answer` reads it."""

        def endpoint(
            request: Request, api_root: str, collection_id: str, object_id: str, store: Store = uses_store
        ) -> TaxiiResponse:
            """One object's answer, with the errors `serve` maps to TAXII statuses."""
            return serve(request, store, api_root, collection_id, lambda: answer(request, store, object_id))

        return endpoint

    # The routes below one object share their path parameters and the guard; each answers in its own way.
    for below, name, answer in (("", "taxii_object", one_object), ("versions/", "taxii_object_versions", versions)):
        router.add_api_route(
            f"/{{api_root}}/collections/{{collection_id}}/objects/{{object_id}}/{below}",
            object_route(answer),
            name=name,
            response_class=TaxiiResponse,
            methods=["GET"],
        )

    return router
