"""Server-rendered pages: incident list, incident, document (quote highlighted), actor, sector, one-off analysis.

Every page works without JavaScript. Untrusted text (titles, quotes, names, whole documents) only ever reaches
HTML through Jinja2 with autoescape on, or through `highlight`, which escapes each piece itself; the one piece of
markup we add around a quote is a `<mark>`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from ... import vocab
from ...dates import is_partial_date
from ...errors import ExportError
from ...records import Fact, MergedIncident
from ...store import IncidentFilter, StoredDocument
from .. import formats, report
from . import query as q
from .security import ACTOR_PATTERN, INCIDENT_ID_PATTERN, SHA256_PATTERN, valid_actor
from .service import (
    WebError,
    actor_detail,
    actor_index,
    analyses_of,
    analyze_request,
    app_state,
    documents_of,
    require_write_token,
)

__all__ = ["router", "render_error", "highlight", "bar_chart"]

router = APIRouter()

IncidentId = Annotated[str, Path(pattern=INCIDENT_ID_PATTERN, max_length=200)]
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN)]
ActorName = Annotated[str, Path(pattern=ACTOR_PATTERN, max_length=100)]
OptStr = Annotated[str | None, Query(max_length=200)]

_MEDIA = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "stix": ("application/json", "stix.json"),
    "misp": ("application/json", "misp.json"),
    "veris": ("application/json", "veris.json"),
    "navigator": ("application/json", "navigator.json"),
}
EXPORT_LABELS = {"md": "Markdown report", "json": "JSON (contract)", "stix": "STIX 2.1 bundle",
                 "misp": "MISP event", "veris": "VERIS", "navigator": "ATT&CK Navigator layer"}

FACET_LABELS = {"sector": "Sector", "country": "Country", "actor": "Threat actor", "data_type": "Data exposed",
                "modality": "Modality"}
SORT_LABELS = {"date": "Date", "victim": "Victim", "records": "Records", "sources": "Sources"}


# --------------------------------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment (formats.environment) with the pages' globals and filters."""
    env = formats.environment()
    env.globals.update(
        MODALITY_WORDS=report.MODALITY_WORDS,
        NOT_REPORTED=report.NOT_REPORTED,
        FACET_LABELS=FACET_LABELS,
        EXPORT_LABELS=EXPORT_LABELS,
        value_label=report.value_label,
        urlencode=urlencode,
    )
    env.filters["outlet"] = outlet
    env.filters["zip"] = lambda a, b: list(zip(a, b, strict=False))
    return env


def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """A page from its template."""
    state = app_state(request)
    html = environment().get_template(name).render(
        path=request.url.path, require_token=state.require_token, fetch_available=state.fetch is not None,
        recent_alerts=_recent_alert_count(state.store), **context,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def render_error(request: Request, body: dict[str, Any], headers: dict[str, str]) -> Response:
    """The HTML error page for a browser, from the one error body."""
    html = environment().get_template("error.html").render(path=request.url.path, require_token=False, recent_alerts=0,
                                                           fetch_available=False, body=body,
                                                           title=f"Error {body['status']}")
    return HTMLResponse(html, status_code=body["status"], headers=headers)


def outlet(source: str) -> str:
    """Who published a source: the web host without "www.", or "local file" for a path."""
    if re.match(r"^https?://", source, re.IGNORECASE):
        host = urlsplit(source).hostname or source
        return host[4:] if host.startswith("www.") else host
    return "local file"


def highlight(text: str, start: int | None, end: int | None) -> Markup:
    """The text escaped, with [start, end) wrapped in `<mark id="quote">` (no mark when no span is given)."""
    if start is None or end is None:
        return escape(text)
    return Markup("").join([
        escape(text[:start]),
        Markup('<mark id="quote" tabindex="-1">'),
        escape(text[start:end]),
        Markup("</mark>"),
        escape(text[end:]),
    ])


def bar_chart(data: Sequence[tuple[str, int]], width: int = 640, height: int = 180,
              horizontal: bool = False) -> dict[str, Any]:
    """Geometry of a server-rendered SVG bar chart; labels stay text and are escaped by the template."""
    top = max((n for _, n in data), default=0) or 1
    bars = []
    if horizontal:
        row = 22
        label_w = 200
        height = max(row * len(data) + 10, 40)
        for i, (label, n) in enumerate(data):
            w = round((width - label_w - 50) * n / top)
            bars.append({"label": label, "count": n, "x": label_w, "y": 5 + i * row, "w": max(w, 1), "h": row - 6,
                         "lx": label_w - 6, "ly": 5 + i * row + row / 2 + 4, "cx": label_w + w + 6,
                         "cy": 5 + i * row + row / 2 + 4})
    else:
        base = height - 30
        slot = (width - 20) / max(len(data), 1)
        for i, (label, n) in enumerate(data):
            h = round((base - 20) * n / top)
            x = 10 + i * slot
            bars.append({"label": label, "count": n, "x": round(x + slot * 0.15, 1), "y": base - h,
                         "w": round(max(slot * 0.7, 1), 1), "h": h, "lx": round(x + slot / 2, 1),
                         "ly": height - 12, "cx": round(x + slot / 2, 1), "cy": base - h - 4})
    step = max(1, len(bars) // 12)
    return {"width": width, "height": height, "bars": bars, "horizontal": horizontal, "label_step": step}


def _blank(value: str | None) -> str | None:
    """Empty form fields mean "no filter"."""
    return value.strip() if value and value.strip() else None


def _query(raw: dict[str, str | None], page: int, per_page: int) -> q.IncidentQuery:
    """An IncidentQuery from list-page parameters, refusing values no incident can have (422)."""
    values = {k: _blank(v) for k, v in raw.items()}
    errors = []
    for facet in ("sector", "data_type", "modality"):
        value = values[facet]
        if value is not None and not q.valid_value(facet, value):
            errors.append({"loc": ["query", facet], "msg": f"unknown {facet} {value!r}"})
    for name in ("since", "until"):
        value = values[name]
        if value is not None and not is_partial_date(value):
            errors.append({"loc": ["query", name], "msg": "expected YYYY, YYYY-MM or YYYY-MM-DD"})
    country = values["country"]
    if country is not None and not re.match(r"^[A-Za-z]{2}$", country):
        errors.append({"loc": ["query", "country"], "msg": "expected an ISO alpha-2 country code"})
    sort = values["sort"] or "-date"
    if sort not in q.SORTS:
        errors.append({"loc": ["query", "sort"], "msg": f"sort is one of {', '.join(q.SORTS)}"})
    if errors:
        raise WebError(422, "invalid filter", errors)
    return q.IncidentQuery(sector=values["sector"], actor=values["actor"], data_type=values["data_type"],
                           since=values["since"], until=values["until"], search=values["q"], country=country,
                           modality=values["modality"], sort=sort, page=page, per_page=per_page)


# ----------------------------------------------------------------------------------------------------- pages


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def incident_list(
    request: Request, q_: Annotated[str | None, Query(alias="q", max_length=200)] = None,
    sector: OptStr = None, country: OptStr = None, actor: OptStr = None, data_type: OptStr = None,
    modality: OptStr = None, since: OptStr = None, until: OptStr = None, sort: OptStr = None,
    page: q.Page = 1, per_page: q.PerPage = q.DEFAULT_PER_PAGE,
) -> HTMLResponse:
    """Incidents with search, filters (and counts per value), sortable columns and pages."""
    query = _query({"q": q_, "sector": sector, "country": country, "actor": actor, "data_type": data_type,
                    "modality": modality, "since": since, "until": until, "sort": sort}, page, per_page)
    result = q.run_query(app_state(request).store, query)
    rows = q.incident_summaries(app_state(request).store, result.items)
    sort_next = {key: key if query.sort == f"-{key}" else f"-{key}" for key in SORT_LABELS}
    return render(request, "incidents.html", query=query, result=result, rows=rows, sort_next=sort_next,
                  sectors=vocab.SECTORS, data_types=vocab.DATA_TYPES, modalities=vocab.MODALITIES,
                  labels=report.DATA_TYPE_LABELS, title="Incidents")


def _fact_rows(merged: MergedIncident, numbers: dict[tuple[str, int, int], int]) -> list[dict[str, Any]]:
    """Each fact of the incident with its field, readable value, modality and citation numbers."""
    rows = []
    for field_name, fact in merged.incident.facts():
        rows.append({
            "field": report.FIELD_LABELS.get(field_name, field_name),
            "value": _fact_value(field_name, fact),
            "modality": fact.modality,
            "confidence": fact.confidence,
            "cites": sorted({numbers[(e.source, e.start, e.end)] for e in fact.evidence
                             if (e.source, e.start, e.end) in numbers}),
        })
    return rows


def _fact_value(field_name: str, fact: Fact) -> str:
    """The value shown for a fact (actors with their spelling in the text when it differs)."""
    text = report.value_label(field_name, fact.value)
    if fact.as_written and fact.as_written != fact.value:
        text += f' (written "{fact.as_written}")'
    if fact.attack_techniques:
        text += f" — ATT&CK {', '.join(fact.attack_techniques)}"
    return text


@router.get("/incidents/{incident_id}", response_class=HTMLResponse, include_in_schema=False)
def incident_page(request: Request, incident_id: IncidentId) -> HTMLResponse:
    """The report with each fact's modality, quotes one click away, sources, conflicts, timeline, downloads."""
    state = app_state(request)
    merged = state.store.incident(incident_id)
    if merged is None:
        raise WebError(404, f"no incident {incident_id}")
    docs = documents_of(state.store, [*merged.sources, *(e.source for _, f in merged.incident.facts()
                                                         for e in f.evidence)])
    built = report.build_report(merged, analyses_of(docs))
    sha = {d.clean.source: d.raw.sha256 for d in docs}
    numbers = {(c.evidence.source, c.evidence.start, c.evidence.end): c.number for c in built.citations}
    citations = {
        c.number: {"citation": c, "sha": sha.get(c.evidence.source),
                   "href": _quote_href(sha.get(c.evidence.source), c.evidence.start, c.evidence.end, merged.id)}
        for c in built.citations
    }
    by_source = {d.clean.source: d for d in docs}
    copies = dict(merged.duplicates)
    sources = [_source_info(s, by_source.get(s), copies.get(s)) for s in merged.sources]
    conflict_section = built.section("Conflicts between sources")
    conflicts = list(zip(merged.conflicts, conflict_section.subsections, strict=False))
    sections = [s for s in built.sections if s.title not in ("Conflicts between sources", "Sources", "Timeline")]
    return render(request, "incident.html", merged=merged, inc=merged.incident, report=built,
                  sections=sections, timeline=built.section("Timeline"), citations=citations,
                  facts=_fact_rows(merged, numbers), sources=sources, conflicts=conflicts,
                  exports=["md", "json", *state.export_formats], title=built.title)


def _quote_href(sha: str | None, start: int, end: int, incident_id: str) -> str | None:
    """Link to the document page with [start, end) highlighted (None when the document is not stored)."""
    if sha is None:
        return None
    return f"/documents/{sha}?{urlencode({'start': start, 'end': end, 'incident': incident_id})}#quote"


def _source_info(source: str, doc: StoredDocument | None, copy_of: str | None) -> dict[str, Any]:
    """A source with its title, publication date, outlet and stored sha256."""
    return {
        "source": source,
        "sha": doc.raw.sha256 if doc else None,
        "title": doc.clean.title if doc else None,
        "published": doc.clean.published if doc else None,
        "outlet": outlet(source),
        "link": source if re.match(r"^https?://[^\s\"'<>]+$", source, re.IGNORECASE) else None,
        "copy_of": copy_of,
    }


@router.get("/incidents/{incident_id}/download/{fmt}", include_in_schema=False)
def download(request: Request, incident_id: IncidentId,
             fmt: Annotated[str, Path(pattern=r"^[a-z]{2,12}$")]) -> Response:
    """The incident as a file: Markdown report, contract JSON, or an export format when exporters are installed."""
    state = app_state(request)
    if fmt not in ("md", "json", *state.export_formats):
        raise WebError(404, f"no export format {fmt}")
    merged = state.store.incident(incident_id)
    if merged is None:
        raise WebError(404, f"no incident {incident_id}")
    analyses = analyses_of(documents_of(state.store, merged.sources))
    if fmt == "md":
        body: str | bytes = report.render_markdown([merged], analyses)
    elif fmt == "json":
        body = report.render_json([merged], analyses)
    else:
        assert state.exporter is not None
        try:
            out = state.exporter(fmt, [merged], analyses)
        except ExportError as exc:
            raise WebError(422, str(exc)) from exc
        body = out if isinstance(out, (str, bytes)) else str(out)
    media, ext = _MEDIA.get(fmt, ("application/octet-stream", fmt))
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{incident_id}.{ext}"'})


@router.get("/documents/{sha256}", response_class=HTMLResponse, include_in_schema=False)
def document_page(
    request: Request, sha256: Sha256,
    start: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    end: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    incident: Annotated[str | None, Query(pattern=INCIDENT_ID_PATTERN, max_length=200)] = None,
    partial: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    """A stored document's cleaned text, escaped, with the quote at [start, end) marked."""
    doc = app_state(request).store.document(sha256)
    if doc is None:
        raise WebError(404, f"no document {sha256}")
    text = doc.clean.text
    if (start is None) != (end is None) or (start is not None and end is not None
                                            and not start <= end <= len(text)):
        raise WebError(422, "start and end must be given together, with start <= end <= length of the text")
    info = _source_info(doc.clean.source, doc, None)
    context: dict[str, Any] = {
        "doc": doc, "info": info, "body": highlight(text, start, end), "marked": start is not None,
        "incident": incident, "title": doc.clean.title or doc.clean.source,
    }
    if partial:
        return render(request, "_source_text.html", **context)
    return render(request, "document.html", **context)


# The sector and actor pages chart this many data types.
TOP_DATA_TYPES = 8


def _trend_context(store: Any, filters: IncidentFilter, result: q.QueryResult) -> dict[str, Any]:
    """Charts (incidents per month, top data types) and one page of rows for an actor or sector page: the
    charts are counted in SQL over every incident `filters` selects, the rows are `result`'s page."""
    months = q.monthly_counts(store.incident_months(filters))
    types = [(report.DATA_TYPE_LABELS.get(t, t), n) for t, n in result.facets.get("data_type", [])[:TOP_DATA_TYPES]]
    return {
        "months_chart": bar_chart(months) if months else None,
        "types_chart": bar_chart(types, horizontal=True) if types else None,
        "rows": q.incident_summaries(store, result.items),
        "result": result,
        "query": q.IncidentQuery(page=result.page, per_page=result.per_page),  # the page links' parameters
    }


# The nav badge counts alerts raised in this many days.
ALERT_BADGE_DAYS = 7


def _recent_alert_count(store: Any) -> int:
    """Alerts raised in the last ALERT_BADGE_DAYS days (0 for a store that keeps no alerts)."""
    since = (datetime.now(UTC) - timedelta(days=ALERT_BADGE_DAYS)).date().isoformat()
    try:
        return len(store.alerts(since=since))
    except NotImplementedError:
        return 0


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request) -> HTMLResponse:
    """Watchlist alerts, newest first: what matched, what changed, the quotes behind it and delivery status."""
    store = app_state(request).store
    try:
        stored = store.alerts(limit=200)
        pending = {d.alert_key for d in store.deliveries(status="pending")}
    except NotImplementedError:
        stored, pending = [], set()
    rows = [{"alert": a.data, "pending": a.key in pending} for a in stored]
    return render(request, "alerts.html", rows=rows, title="Alerts", badge_days=ALERT_BADGE_DAYS)


@router.get("/actors", response_class=HTMLResponse, include_in_schema=False)
def actors_page(request: Request) -> HTMLResponse:
    """Every actor named in stored incidents."""
    return render(request, "actors.html", actors=actor_index(app_state(request).store), title="Threat actors")


@router.get("/actors/{name}", response_class=HTMLResponse, include_in_schema=False)
def actor_page(
    request: Request, name: ActorName, page: q.Page = 1, per_page: q.PerPage = q.DEFAULT_PER_PAGE
) -> HTMLResponse:
    """An actor: aliases from the galaxy, techniques, incidents over time, top data types, one page of incidents."""
    store = app_state(request).store
    detail = actor_detail(store, name, page, per_page)
    if detail is None:
        raise WebError(404, f"no incident names actor {name}")
    return render(request, "actor.html", actor=detail, title=f"Threat actor: {detail['name']}",
                  **_trend_context(store, IncidentFilter(actor=name), detail["result"]))


@router.get("/sectors", response_class=HTMLResponse, include_in_schema=False)
def sectors_page(request: Request) -> HTMLResponse:
    """Every sector with its number of incidents."""
    result = q.run_query(app_state(request).store, q.IncidentQuery(per_page=1))
    counts = dict(result.facets.get("sector", []))
    return render(request, "sectors.html", sectors=[(s, counts.get(s, 0)) for s in vocab.SECTORS],
                  labels=report.SECTOR_LABELS, title="Sectors")


@router.get("/sectors/{sector}", response_class=HTMLResponse, include_in_schema=False)
def sector_page(
    request: Request, sector: Annotated[str, Path(pattern=r"^[a-z][a-z-]{0,39}$")], page: q.Page = 1,
    per_page: q.PerPage = q.DEFAULT_PER_PAGE,
) -> HTMLResponse:
    """A sector: its incidents over time, the data types exposed most, one page of its incidents."""
    if sector not in vocab.SECTORS:
        raise WebError(404, f"no sector {sector}")
    store = app_state(request).store
    result = q.run_query(store, q.IncidentQuery(sector=sector, page=page, per_page=per_page))
    return render(request, "sector.html", sector=sector, label=report.SECTOR_LABELS[sector],
                  title=f"Sector: {report.SECTOR_LABELS[sector]}",
                  **_trend_context(store, IncidentFilter(sector=sector), result))


@router.get("/analyze", response_class=HTMLResponse, include_in_schema=False)
def analyze_form(request: Request) -> HTMLResponse:
    """Paste text or give a URL for a one-off analysis (nothing is stored)."""
    return render(request, "analyze.html", title="Analyse an article", results=None, text="", url="")


@router.post("/analyze", response_class=HTMLResponse, include_in_schema=False)
def analyze_submit(
    request: Request,
    text: Annotated[str, Form(max_length=150_000)] = "",
    url: Annotated[str, Form(max_length=2_000)] = "",
    token: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """Run the analysis and show each incident's report with its quotes."""
    require_write_token(request, token or None)
    state = app_state(request)
    # a form posts both fields; the one left blank is not given
    analysis = analyze_request(state, text if text.strip() else None, url if url.strip() else None)
    reports = []
    for merged in analysis.incidents:
        built = report.build_report(merged, analysis.documents)
        reports.append({"report": built, "facts": _fact_rows(
            merged, {(c.evidence.source, c.evidence.start, c.evidence.end): c.number for c in built.citations})})
    return render(request, "analyze.html", title="Analysis", results=reports, analysis=analysis,
                  text=text, url=url)


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The API described from its own OpenAPI document, server-rendered (no external script, strict CSP)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "description": p.get("description", "")} for p in op.get("parameters", [])]
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "params": params,
                               "body": "requestBody" in op, "responses": sorted(op.get("responses", {}))})
    return render(request, "api_docs.html", operations=operations, info=spec.get("info", {}),
                  title="REST API", valid_actor=valid_actor)
