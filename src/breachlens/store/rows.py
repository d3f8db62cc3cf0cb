"""Rows <-> records for the SQL layer (`store/sql.py`): encoding documents and incidents as columns, decoding
them back, the change-log diff of an incident, and the time formats the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..dates import first_date, is_partial_date
from ..errors import StoreError
from ..records import CleanDocument, DocumentAnalysis, DroppedSpan, MergedIncident, RawDocument
from . import StoredDocument


def _now() -> str:
    """The current UTC time as stored (ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _now_precise() -> str:
    """The current UTC time of a change ("2025-07-01T12:00:00.123456Z": sorts as text, TAXII's precision)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc_prefix(value: str) -> str:
    """A user's date or time compared with stored change times: "2025-07-01", or a time converted to UTC."""
    text = value.strip()
    if is_partial_date(text):
        return text
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise StoreError(f"changed since: expected an ISO date or time, got {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _one_line(exc: BaseException) -> str:
    """A database error's first line (psycopg adds DETAIL/HINT lines)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _json(value: Any) -> str:
    """Compact, deterministic JSON (key order is the records' own contract order)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _unique_ids(merged: Sequence[MergedIncident], name: str) -> None:
    """Refuse two incidents with one id."""
    seen: set[str] = set()
    for item in merged:
        if item.id in seen:
            raise StoreError(f"{name}: duplicate incident id {item.id!r} in one replacement")
        seen.add(item.id)


def _first_ids(rows: Iterable[tuple[Any, ...]]) -> dict[str, str]:
    """Source -> its main incident's id (then the smallest id), from (source, incident_id, role) rows."""
    out: dict[str, tuple[bool, str]] = {}
    for source, incident_id, role in rows:
        rank = (role != "main", str(incident_id))
        if str(source) not in out or rank < out[str(source)]:
            out[str(source)] = rank
    return {source: rank[1] for source, rank in sorted(out.items())}


def _sources_of(data: str) -> list[str]:
    """The sources of a stored incident's JSON."""
    return [str(s) for s in json.loads(data).get("sources", [])]


def _document_row(doc: StoredDocument) -> tuple[Any, ...]:
    """Validate one document and encode it as the documents columns (all but added_at)."""
    raw, clean = doc.raw, doc.clean
    digest = hashlib.sha256(raw.data).hexdigest()
    if raw.sha256 != digest or clean.sha256 != digest:
        raise StoreError(f"{raw.source}: sha256 does not match the raw bytes (expected {digest})")
    dropped = [{"start": d.start, "end": d.end, "text": d.text, "reason": d.reason} for d in clean.dropped]
    try:
        analysis = _json(doc.analysis.as_dict())
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{raw.source}: analysis cannot be stored as JSON: {exc}") from exc
    return (
        digest, raw.source, raw.kind, raw.data, clean.raw_text, clean.text, clean.title, clean.published,
        raw.fetched_title, raw.fetched_published, _json(dropped), analysis,
    )


def _dropped(data: str) -> tuple[DroppedSpan, ...]:
    """Decode the dropped-spans column."""
    return tuple(DroppedSpan(d["start"], d["end"], d["text"], d["reason"]) for d in json.loads(data))


def _analysis(sha256: str, text: str, dropped: str, analysis: str) -> DocumentAnalysis:
    """A stored analysis with the fields its JSON leaves out (text, sha256, dropped spans) filled back in."""
    return replace(
        DocumentAnalysis.from_dict(json.loads(analysis)), text=text, sha256=sha256, dropped=_dropped(dropped)
    )


def _stored_document(row: tuple[Any, ...]) -> StoredDocument:
    """Rebuild the three records of a documents row."""
    sha, source, kind, raw, raw_text, text, title, published, f_title, f_published, dropped, analysis = row
    spans = _dropped(dropped)
    return StoredDocument(
        raw=RawDocument(source, bytes(raw), sha, kind, f_title, f_published),
        clean=CleanDocument(source, sha, text, title, published, spans, raw_text),
        analysis=_analysis(sha, text, dropped, analysis),
    )


def facet_values(m: MergedIncident) -> dict[str, list[str]]:
    """The values one incident contributes to each facet (each once)."""
    inc = m.incident
    return {
        "sector": [inc.sector] if inc.sector else [],
        "country": [inc.victim_country.upper()] if inc.victim_country else [],
        "actor": list(dict.fromkeys(str(f.value) for f in inc.threat_actors)),
        "data_type": list(dict.fromkeys(str(f.value) for f in inc.data_exposed)),
        "modality": sorted({fact.modality for _, fact in inc.facts()}),
    }


def facet_rows(m: MergedIncident) -> list[tuple[str, str, str]]:
    """(facet, value, incident id) rows of one incident for `incident_facets`."""
    return [(name, value, m.id) for name, values in facet_values(m).items() for value in values]


def _stored_incident(data: str, updated_at: str | None) -> MergedIncident:
    """An incident as read back, with the time the store last changed it (what exports date it by)."""
    return replace(MergedIncident.from_dict(json.loads(data)), updated_at=str(updated_at) if updated_at else None)


def _incident_row(item: MergedIncident, published: dict[str, str]) -> tuple[Any, ...]:
    """The incidents columns of one merged incident, in _INCIDENT_COLUMNS order."""
    inc = item.incident
    try:
        data = _json(item.as_dict())
    except (TypeError, ValueError) as exc:
        raise StoreError(f"incident {item.id}: cannot be stored as JSON: {exc}") from exc
    return (
        item.id, inc.victim, inc.sector, inc.victim_country, first_date(inc, (published.get(s) for s in item.sources)),
        inc.record_count, data,
    )


def _name_key(name: str) -> str:
    """Victim names compared without case, spacing or punctuation ("Orla Group" == "orla-group")."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _main_names(analyses: Iterable[DocumentAnalysis]) -> dict[str, set[str]]:
    """Source -> name keys (victim and brands) of the main incident its analysis found."""
    out: dict[str, set[str]] = {}
    for doc in analyses:
        for inc in doc.incidents:
            if inc.role == "main":
                out.setdefault(doc.source, set()).update(_name_key(str(n)) for n in (inc.victim, *inc.brands) if n)
    return out


def _changes(before: MergedIncident | None, after: MergedIncident) -> list[tuple[str, dict[str, Any]]]:
    """The change-log entries of one incident rewritten by a resolve (see CHANGE_KINDS)."""
    inc = after.incident
    if before is None:
        return [("created", {"victim": inc.victim, "sources": list(after.sources)})]
    old = before.incident
    out: list[tuple[str, dict[str, Any]]] = []
    added = sorted(set(after.sources) - set(before.sources))
    if added:
        out.append(("source_added", {"sources": added}))
    old_records = old.records_affected.value if old.records_affected else None
    new_records = inc.records_affected.value if inc.records_affected else None
    if old_records != new_records:
        out.append(("records_revised", {"from": old_records, "to": new_records}))
    types = sorted({str(f.value) for f in inc.data_exposed} - {str(f.value) for f in old.data_exposed})
    if types:
        out.append(("data_type_added", {"data_types": types}))
    actors = sorted({str(f.value) for f in inc.threat_actors} - {str(f.value) for f in old.threat_actors})
    if actors:
        out.append(("actor_attributed", {"actors": actors}))
    known = {_json(c.as_dict()) for c in before.conflicts}
    raised = [c.field for c in after.conflicts if _json(c.as_dict()) not in known]
    if raised:
        out.append(("conflict_raised", {"fields": sorted(set(raised))}))
    if not out:
        out.append(("revised", {}))
    return out
