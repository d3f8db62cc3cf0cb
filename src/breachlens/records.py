"""The records every stage passes along: small frozen dataclasses.

`as_dict` / `from_dict` produce and read exactly the analysis JSON of ../shared/DESIGN.md ("the contract"), plus a
few additive keys the contract leaves room for (`field_evidence`, `timeline`, `confidence`, `errors`).
Tuples, not lists, so that records are hashable and cannot be changed behind a stage's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

__all__ = [
    "FACT_LIST_FIELDS",
    "Evidence",
    "Fact",
    "TimelineEvent",
    "Incident",
    "Conflict",
    "MergedIncident",
    "DroppedSpan",
    "RawDocument",
    "CleanDocument",
    "DocumentAnalysis",
    "SourceFailure",
    "Analysis",
]


@dataclass(frozen=True)
class Evidence:
    """Where a value was read: `quote == text[start:end]` of the document's cleaned text."""

    source: str
    quote: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        """Contract shape."""
        return {"source": self.source, "quote": self.quote, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Inverse of `as_dict`."""
        return cls(data["source"], data["quote"], int(data["start"]), int(data["end"]))


def as_count(value: Any) -> int | None:
    """A fact value as a whole count (records, a conflict's value), None when it is not one: True is no count."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Fact:
    """One value with its modality and the quotes behind it.

    `as_written` is set for threat actors (the spelling in the text), `attack_techniques` for access vectors and
    `type` for IOCs; `confidence` only once sources are merged (0..1).
    """

    value: Any
    modality: str
    evidence: tuple[Evidence, ...]
    as_written: str | None = None
    attack_techniques: tuple[str, ...] | None = None
    type: str | None = None
    confidence: float | None = None

    @property
    def count(self) -> int | None:
        """The value as a whole count (see `as_count`)."""
        return as_count(self.value)

    def as_dict(self) -> dict[str, Any]:
        """Contract shape; optional keys only when they apply."""
        out: dict[str, Any] = {
            "value": self.value,
            "modality": self.modality,
            "evidence": [e.as_dict() for e in self.evidence],
        }
        if self.as_written is not None:
            out["as_written"] = self.as_written
        if self.attack_techniques is not None:
            out["attack_techniques"] = list(self.attack_techniques)
        if self.type is not None:
            out["type"] = self.type
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        """Inverse of `as_dict`."""
        techniques = data.get("attack_techniques")
        return cls(
            value=data["value"],
            modality=data["modality"],
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", [])),
            as_written=data.get("as_written"),
            attack_techniques=tuple(techniques) if techniques is not None else None,
            type=data.get("type"),
            confidence=data.get("confidence"),
        )


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event of an incident: kind is one of vocab.TIMELINE_KINDS."""

    kind: str
    date: str
    evidence: tuple[Evidence, ...]
    modality: str = "reported"

    def as_dict(self) -> dict[str, Any]:
        """JSON shape (additive to the contract)."""
        return {
            "kind": self.kind,
            "date": self.date,
            "modality": self.modality,
            "evidence": [e.as_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEvent:
        """Inverse of `as_dict`."""
        return cls(
            data["kind"],
            data["date"],
            tuple(Evidence.from_dict(e) for e in data.get("evidence", [])),
            data.get("modality", "reported"),
        )


# The contract's list-of-Fact fields, in contract order (one definition: report, resolve and exports read it).
FACT_LIST_FIELDS = (
    "data_exposed",
    "data_not_exposed",
    "threat_actors",
    "campaigns",
    "initial_access",
    "response_actions",
    "iocs",
)


@dataclass(frozen=True)
class Incident:
    """What one document (or, merged, many) says about one breach of one victim.

    `field_evidence` maps the plain-valued fields of the contract (victim, parent, sector, victim_country,
    disclosure_date, incident_date) to the quotes that support them, so that no value is without evidence.
    """

    victim: str
    role: str = "main"
    parent: str | None = None
    brands: tuple[str, ...] = ()
    sector: str | None = None
    victim_country: str | None = None
    disclosure_date: str | None = None
    incident_date: str | None = None
    records_affected: Fact | None = None
    data_exposed: tuple[Fact, ...] = ()
    data_not_exposed: tuple[Fact, ...] = ()
    threat_actors: tuple[Fact, ...] = ()
    campaigns: tuple[Fact, ...] = ()
    initial_access: tuple[Fact, ...] = ()
    ransom: Fact | None = None
    response_actions: tuple[Fact, ...] = ()
    iocs: tuple[Fact, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    field_evidence: tuple[tuple[str, tuple[Evidence, ...]], ...] = ()

    @property
    def record_count(self) -> int | None:
        """Records affected as an integer, when known (for filters, sorts, alerts and exports)."""
        return None if self.records_affected is None else self.records_affected.count

    def evidence_for(self, field_name: str) -> tuple[Evidence, ...]:
        """Quotes behind a plain-valued field (empty when none)."""
        return dict(self.field_evidence).get(field_name, ())

    def facts(self) -> list[tuple[str, Fact]]:
        """Every Fact with its field name, in contract order."""
        out: list[tuple[str, Fact]] = []
        if self.records_affected is not None:
            out.append(("records_affected", self.records_affected))
        for name in FACT_LIST_FIELDS[:5]:
            out.extend((name, f) for f in getattr(self, name))
        if self.ransom is not None:
            out.append(("ransom", self.ransom))
        out.extend(("response_actions", f) for f in self.response_actions)
        out.extend(("iocs", f) for f in self.iocs)
        return out

    def as_dict(self, with_role: bool = True) -> dict[str, Any]:
        """Contract shape of an Incident (with `role` for per-document incidents)."""
        out: dict[str, Any] = {"victim": self.victim}
        if with_role:
            out["role"] = self.role
        out.update(
            {
                "parent": self.parent,
                "brands": list(self.brands),
                "sector": self.sector,
                "victim_country": self.victim_country,
                "disclosure_date": self.disclosure_date,
                "incident_date": self.incident_date,
                "records_affected": self.records_affected.as_dict() if self.records_affected else None,
            }
        )
        for name in FACT_LIST_FIELDS[:5]:
            out[name] = [f.as_dict() for f in getattr(self, name)]
        out["ransom"] = self.ransom.as_dict() if self.ransom else None
        out["response_actions"] = [f.as_dict() for f in self.response_actions]
        out["iocs"] = [f.as_dict() for f in self.iocs]
        out["timeline"] = [t.as_dict() for t in self.timeline]
        out["field_evidence"] = {k: [e.as_dict() for e in v] for k, v in self.field_evidence}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incident:
        """Inverse of `as_dict`."""
        records = data.get("records_affected")
        ransom = data.get("ransom")
        return cls(
            victim=data["victim"],
            role=data.get("role", "main"),
            parent=data.get("parent"),
            brands=tuple(data.get("brands", [])),
            sector=data.get("sector"),
            victim_country=data.get("victim_country"),
            disclosure_date=data.get("disclosure_date"),
            incident_date=data.get("incident_date"),
            records_affected=Fact.from_dict(records) if records else None,
            ransom=Fact.from_dict(ransom) if ransom else None,
            timeline=tuple(TimelineEvent.from_dict(t) for t in data.get("timeline", [])),
            field_evidence=tuple(
                (k, tuple(Evidence.from_dict(e) for e in v)) for k, v in (data.get("field_evidence") or {}).items()
            ),
            **{name: tuple(Fact.from_dict(f) for f in data.get(name, [])) for name in FACT_LIST_FIELDS},
        )

    def with_role(self, role: str) -> Incident:
        """The same incident with another role."""
        return replace(self, role=role)


@dataclass(frozen=True)
class Conflict:
    """Sources disagree on a field: each value with the sources that give it."""

    field: str
    values: tuple[tuple[Any, tuple[str, ...]], ...]

    def as_dict(self) -> dict[str, Any]:
        """Contract shape."""
        return {"field": self.field, "values": [{"value": v, "sources": list(s)} for v, s in self.values]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conflict:
        """Inverse of `as_dict`."""
        return cls(data["field"], tuple((v["value"], tuple(v["sources"])) for v in data["values"]))


@dataclass(frozen=True)
class MergedIncident:
    """One incident across sources: the merged Incident plus its stable id, sources and conflicts.

    `independent_sources` counts sources after near-duplicate copies are folded into their original;
    `duplicates` maps each copy to the source it republishes. `updated_at` is when the store last changed the
    incident (UTC, "2025-07-01T12:00:00.123456Z"), set by the store when it reads one back and None otherwise:
    exports date their objects by it (STIX `modified`, the TAXII version), so it is not part of the contract
    shape nor of equality.
    """

    id: str
    incident: Incident
    sources: tuple[str, ...]
    conflicts: tuple[Conflict, ...] = ()
    independent_sources: int = 1
    duplicates: tuple[tuple[str, str], ...] = ()
    updated_at: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Contract shape: Incident + id, sources, conflicts."""
        out: dict[str, Any] = {"id": self.id}
        out.update(self.incident.as_dict(with_role=False))
        out["sources"] = list(self.sources)
        out["conflicts"] = [c.as_dict() for c in self.conflicts]
        out["independent_sources"] = self.independent_sources
        out["duplicates"] = [{"copy": c, "of": o} for c, o in self.duplicates]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MergedIncident:
        """Inverse of `as_dict`."""
        return cls(
            id=data["id"],
            incident=Incident.from_dict({**data, "role": "main"}),
            sources=tuple(data.get("sources", [])),
            conflicts=tuple(Conflict.from_dict(c) for c in data.get("conflicts", [])),
            independent_sources=int(data.get("independent_sources", 1)),
            duplicates=tuple((d["copy"], d["of"]) for d in data.get("duplicates", [])),
        )


@dataclass(frozen=True)
class RawDocument:
    """Bytes as acquired, content-addressed by sha256. `kind` is "html" or "text"."""

    source: str
    data: bytes
    sha256: str
    kind: str
    fetched_title: str | None = None
    fetched_published: str | None = None


@dataclass(frozen=True)
class DroppedSpan:
    """Page chrome removed by `clean`, kept for audit (offsets into the decoded original text)."""

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class CleanDocument:
    """Main text of a document; every Evidence offset points into `text`."""

    source: str
    sha256: str
    text: str
    title: str | None = None
    published: str | None = None
    dropped: tuple[DroppedSpan, ...] = ()
    raw_text: str = ""


@dataclass(frozen=True)
class DocumentAnalysis:
    """Everything read from one document: its main and mentioned incidents."""

    source: str
    title: str | None
    published: str | None
    incidents: tuple[Incident, ...]
    text: str = ""
    sha256: str = ""
    dropped: tuple[DroppedSpan, ...] = field(default=(), compare=False)

    @property
    def main(self) -> Incident | None:
        """The incident the document is about, if any."""
        return next((i for i in self.incidents if i.role == "main"), None)

    def as_dict(self, show_dropped: bool = False) -> dict[str, Any]:
        """Contract shape of a document entry."""
        out: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "published": self.published,
            "incidents": [i.as_dict() for i in self.incidents],
        }
        if show_dropped:
            out["dropped"] = [
                {"start": d.start, "end": d.end, "text": d.text, "reason": d.reason} for d in self.dropped
            ]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentAnalysis:
        """Inverse of `as_dict` (the cleaned text is not part of the JSON)."""
        return cls(
            source=data["source"],
            title=data.get("title"),
            published=data.get("published"),
            incidents=tuple(Incident.from_dict(i) for i in data.get("incidents", [])),
        )


class Validators(NamedTuple):
    """What a server said about a URL's content, sent back to ask "changed since?" (HTTP conditional request).

    A record here, not in the store, so that the fetcher can use it without knowing the store (the store keeps them).
    """

    etag: str | None
    last_modified: str | None
    sha256: str | None = None


@dataclass(frozen=True)
class SourceFailure:
    """A source that could not be analysed, and why (one line)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class Analysis:
    """The result of `breachlens.analyze`: per-document readings and the incidents they resolve to."""

    documents: tuple[DocumentAnalysis, ...]
    incidents: tuple[MergedIncident, ...]
    failures: tuple[SourceFailure, ...] = ()

    def as_dict(self, show_dropped: bool = False) -> dict[str, Any]:
        """The analysis JSON of the contract (plus `errors`)."""
        return {
            "documents": [d.as_dict(show_dropped) for d in self.documents],
            "incidents": [i.as_dict() for i in self.incidents],
            "errors": [{"source": f.source, "reason": f.reason} for f in self.failures],
        }
