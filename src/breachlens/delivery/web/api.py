"""The REST API under /api: incidents, documents, actors, search and one-off analysis, in the contract's shapes.

Routes return `MergedIncident.as_dict()` / `DocumentAnalysis.as_dict()` unchanged (as JSONResponse), and the
pydantic models below only describe those shapes in the OpenAPI document; they are not used to re-serialise, so
a key the contract leaves out (an actor's `as_written` on a data type) stays out instead of turning into null.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ... import vocab
from . import query as q
from .security import ACTOR_PATTERN, INCIDENT_ID_PATTERN, SHA256_PATTERN, plain_text
from .service import (
    WebError,
    actor_detail,
    actor_index,
    analyze_request,
    app_state,
    require_write_token,
)

# Literals built from the vocabulary tuples at import time, so FastAPI validates against (and documents) exactly the
# values the pipeline uses; mypy only reads literals written out, hence valid-type on each.
Sector = Literal[vocab.SECTORS]  # type: ignore[valid-type]
DataType = Literal[vocab.DATA_TYPES]  # type: ignore[valid-type]
Modality = Literal[vocab.MODALITIES]  # type: ignore[valid-type]
Sort = Literal[q.SORTS]  # type: ignore[valid-type]

__all__ = ["router"]


class ErrorModel(BaseModel):
    """The one error shape."""

    ok: bool = False
    error: str
    errors: list[Any]
    status: int


class EvidenceModel(BaseModel):
    """A quote: `text[start:end]` of the document's cleaned text."""

    source: str
    quote: str
    start: int
    end: int


class FactModel(BaseModel):
    """A value with its modality and quotes (optional keys only where they apply)."""

    value: Any
    modality: str
    evidence: list[EvidenceModel]
    as_written: str | None = None
    attack_techniques: list[str] | None = None
    type: str | None = None
    confidence: float | None = None


class TimelineModel(BaseModel):
    """A dated event of an incident."""

    kind: str
    date: str
    modality: str
    evidence: list[EvidenceModel]


class ConflictValueModel(BaseModel):
    """One of the values sources disagree on, with the sources that give it."""

    value: Any
    sources: list[str]


class ConflictModel(BaseModel):
    """Sources disagree on a field."""

    field: str
    values: list[ConflictValueModel]


class IncidentModel(BaseModel):
    """The contract's Incident."""

    victim: str
    parent: str | None
    brands: list[str]
    sector: str | None
    victim_country: str | None
    disclosure_date: str | None
    incident_date: str | None
    records_affected: FactModel | None
    data_exposed: list[FactModel]
    data_not_exposed: list[FactModel]
    threat_actors: list[FactModel]
    campaigns: list[FactModel]
    initial_access: list[FactModel]
    ransom: FactModel | None
    response_actions: list[FactModel]
    iocs: list[FactModel]
    timeline: list[TimelineModel]
    field_evidence: dict[str, list[EvidenceModel]]


class DuplicateModel(BaseModel):
    """A source that republishes another."""

    copy_: str = Field(alias="copy")
    of: str


class MergedIncidentModel(IncidentModel):
    """The contract's merged incident: Incident + id, sources, conflicts."""

    id: str
    sources: list[str]
    conflicts: list[ConflictModel]
    independent_sources: int
    duplicates: list[DuplicateModel]


class DocumentIncidentModel(IncidentModel):
    """An incident as one document reads it."""

    role: str


class DocumentModel(BaseModel):
    """The contract's document entry (+ sha256 and, for one document, its cleaned text)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    title: str | None
    published: str | None
    incidents: list[DocumentIncidentModel]
    sha256: str | None = None
    text: str | None = None


class FailureModel(BaseModel):
    """A source that could not be analysed."""

    source: str
    reason: str


class AnalysisModel(BaseModel):
    """The analysis JSON of the contract."""

    documents: list[DocumentModel]
    incidents: list[MergedIncidentModel]
    errors: list[FailureModel]


class FacetModel(BaseModel):
    """A filter value and how many matching incidents have it."""

    value: str
    count: int


class IncidentPageModel(BaseModel):
    """A page of incidents with the total and the counts per filter value."""

    incidents: list[MergedIncidentModel]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, list[FacetModel]]


class DocumentSummaryModel(BaseModel):
    """A stored document in a list."""

    sha256: str
    source: str
    title: str | None
    published: str | None
    incidents: int


class DocumentListModel(BaseModel):
    """A page of stored documents."""

    documents: list[DocumentSummaryModel]
    total: int


class ActorSummaryModel(BaseModel):
    """A threat actor named in stored incidents."""

    name: str
    aliases: list[str]
    incidents: int


class ActorListModel(BaseModel):
    """Every actor named in stored incidents."""

    actors: list[ActorSummaryModel]


class TechniqueModel(BaseModel):
    """An ATT&CK technique used against the actor's victims."""

    id: str
    name: str | None
    incidents: int


class ActorModel(BaseModel):
    """One actor: aliases, incidents and techniques."""

    name: str
    aliases: list[str]
    incidents: list[MergedIncidentModel]
    techniques: list[TechniqueModel]
    total: int
    page: int
    per_page: int
    pages: int


class SearchHitModel(BaseModel):
    """A document whose text matches, with a snippet."""

    sha256: str
    source: str
    snippet: str


class IncidentHitModel(BaseModel):
    """An incident that matches, in short form."""

    id: str
    victim: str
    sector: str | None
    victim_country: str | None
    date: str | None
    records_affected: Any
    data_exposed: list[str]
    threat_actors: list[str]
    sources: int


class SearchModel(BaseModel):
    """Incidents and documents matching the query."""

    query: str
    incidents: list[IncidentHitModel]
    documents: list[SearchHitModel]


class AnalyzeText(BaseModel):
    """Pasted article text to analyse (at most 150,000 characters, so any encoding fits the 1 MB body limit)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=150_000)
    source: str | None = Field(default=None, max_length=500, description="A name for the text in the result")


class AnalyzeURL(BaseModel):
    """A public http(s) page to fetch (private and local addresses are refused) and analyse."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2_000)


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel, "description": text}
    for code, text in ((404, "Not found"), (422, "Invalid parameters"), (413, "Body too large"),
                       (500, "Server error"))
}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    400: {"model": ErrorModel, "description": "Body is not JSON"},
    401: {"model": ErrorModel, "description": "Token required"},
    403: {"model": ErrorModel, "description": "Wrong token or cross-site request"},
}

router = APIRouter(prefix="/api", responses=_ERRORS)

IncidentId = Annotated[str, Path(pattern=INCIDENT_ID_PATTERN, max_length=200)]
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN)]
ActorName = Annotated[str, Path(pattern=ACTOR_PATTERN, max_length=100)]


def _write_guard(request: Request) -> None:
    """Token and same-origin rules for state-changing API calls (runs before the body is validated)."""
    require_write_token(request)


def _json(data: Any, status: int = 200) -> JSONResponse:
    """A contract-shaped JSON response."""
    return JSONResponse(data, status_code=status)


@router.get("/incidents", response_model=IncidentPageModel, summary="Incidents, filtered, sorted and paged")
def list_incidents(
    request: Request,
    q_: Annotated[str | None, Query(alias="q", max_length=200, description="Words that must all appear")] = None,
    sector: Sector | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="Canonical name or as written")] = None,
    data_type: DataType | None = None,
    modality: Annotated[Modality | None, Query(description="Incidents with a fact of this modality")] = None,
    since: Annotated[str | None, Query(pattern=q.DATE_PATTERN, description="YYYY[-MM[-DD]]")] = None,
    until: Annotated[str | None, Query(pattern=q.DATE_PATTERN, description="YYYY[-MM[-DD]]")] = None,
    sort: Sort = "-date",
    page: q.Page = 1,
    per_page: q.PerPage = q.DEFAULT_PER_PAGE,
) -> JSONResponse:
    """Stored incidents matching every filter, with the total and counts per filter value over all matches."""
    query = q.IncidentQuery(sector=sector, actor=actor, data_type=data_type, since=since, until=until, search=q_,
                            country=country, modality=modality, sort=sort, page=page, per_page=per_page)
    result = q.run_query(app_state(request).store, query)
    return _json({
        "incidents": [m.as_dict() for m in result.items],
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in result.facets.items()},
    })


@router.get("/incidents/{incident_id}", response_model=MergedIncidentModel, summary="One incident")
def get_incident(request: Request, incident_id: IncidentId) -> JSONResponse:
    """One merged incident in the contract's shape."""
    merged = app_state(request).store.incident(incident_id)
    if merged is None:
        raise WebError(404, f"no incident {incident_id}")
    return _json(merged.as_dict())


@router.get("/documents", response_model=DocumentListModel, summary="Stored documents")
def list_documents(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> JSONResponse:
    """The latest version of each stored source, by source (one page read from the store)."""
    store = app_state(request).store
    page = store.document_analyses(limit=limit, offset=offset)
    return _json({
        "documents": [
            {"sha256": d.sha256, "source": d.source, "title": d.title, "published": d.published,
             "incidents": len(d.incidents)}
            for d in page
        ],
        "total": store.counts()["sources"],
    })


@router.get("/documents/{sha256}", response_model=DocumentModel, summary="One document with its cleaned text")
def get_document(request: Request, sha256: Sha256) -> JSONResponse:
    """A stored document: what was read from it, and the cleaned text every quote's offsets point into."""
    doc = app_state(request).store.document(sha256)
    if doc is None:
        raise WebError(404, f"no document {sha256}")
    return _json({**doc.analysis.as_dict(), "sha256": doc.raw.sha256, "text": doc.clean.text})


@router.get("/actors", response_model=ActorListModel, summary="Threat actors named in stored incidents")
def list_actors(request: Request) -> JSONResponse:
    """Every actor with its aliases (MISP galaxy and curated) and its number of incidents."""
    return _json({"actors": actor_index(app_state(request).store)})


@router.get("/actors/{name}", response_model=ActorModel, summary="One threat actor")
def get_actor(
    request: Request, name: ActorName,
    page: q.Page = 1,
    per_page: q.PerPage = q.DEFAULT_PER_PAGE,
) -> JSONResponse:
    """An actor's aliases, one page of its incidents (newest first, with the total) and the ATT&CK techniques
    seen in all of them."""
    detail = actor_detail(app_state(request).store, name, page, per_page)
    if detail is None:
        raise WebError(404, f"no incident names actor {name}")
    result = detail.pop("result")
    return _json({**detail, "incidents": [m.as_dict() for m in detail["incidents"]], "total": result.total,
                  "page": result.page, "per_page": result.per_page, "pages": result.pages})


@router.get("/search", response_model=SearchModel, summary="Full-text search over incidents and documents")
def search(
    request: Request,
    q_: Annotated[str, Query(alias="q", min_length=1, max_length=200, description="Words that must all appear")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSONResponse:
    """Incidents (names and quotes) and documents (title and text) holding every word of `q`."""
    store = app_state(request).store
    words = (plain_text(q_) or "").strip()  # control characters read as spaces (a NUL reached FTS5 once)
    incidents = store.incidents(search=words, limit=limit) if words else []
    hits = store.search_documents(words, limit=limit) if words else []
    return _json({
        "query": q_,
        "incidents": q.incident_summaries(store, incidents),
        "documents": [{"sha256": h.sha256, "source": h.source, "snippet": h.snippet} for h in hits],
    })


@router.post("/analyze", response_model=AnalysisModel, responses=_WRITE_ERRORS,
             summary="Analyse pasted text or one public URL (nothing is stored)",
             dependencies=[Depends(_write_guard)])
def analyze(request: Request, body: AnalyzeText | AnalyzeURL) -> JSONResponse:
    """One-off analysis in the contract's shape; a page that cannot be fetched is the result's `errors` entry.

    Needs `Authorization: Bearer TOKEN` when the server requires a token.
    """
    if isinstance(body, AnalyzeText):
        analysis = analyze_request(app_state(request), body.text, None, body.source)
    else:
        analysis = analyze_request(app_state(request), None, body.url)
    return _json(analysis.as_dict())
