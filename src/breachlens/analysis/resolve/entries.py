"""The entries clustered into incidents (step 1 of the package doc): each main incident of a document, with its
victim, parent and brand keys and its date span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...records import DocumentAnalysis, Incident
from .names import _OrgTables
from .spans import _Span, _span

# Roles of the incidents clustered into top-level incidents ("mentioned" ones stay in their documents).
CLUSTERED_ROLES: tuple[str, ...] = ("main",)


@dataclass(frozen=True)
class _Entry:
    """One clustered incident of one document, with what clustering needs precomputed."""

    rank: int
    doc: DocumentAnalysis
    incident: Incident
    key: str
    parent_key: str | None
    brand_keys: frozenset[str]
    span: _Span | None
    weight: float = 1.0

    @property
    def source(self) -> str:
        """The document's source."""
        return self.doc.source


def _entries(documents: Sequence[DocumentAnalysis], orgs: _OrgTables) -> list[_Entry]:
    """The incidents that are clustered, in a total order independent of the input order.

    This is the hook for promoting mentioned incidents: today only roles in CLUSTERED_ROLES are taken; a
    mentioned incident could enter here with a lower `weight` (scaling its modality weight in confidence).
    """
    docs = sorted(
        documents,
        key=lambda d: (d.source, d.published or "", d.sha256, d.title or "", d.text, len(d.incidents)),
    )
    out: list[_Entry] = []
    for doc in docs:
        for incident in doc.incidents:
            if incident.role not in CLUSTERED_ROLES or not incident.victim.strip():
                continue
            parent = incident.parent or orgs.parent(incident.victim)
            key = orgs.key(incident.victim)
            parent_key = orgs.key(parent) if parent else None
            brand_keys = frozenset(orgs.key(b) for b in incident.brands) - {key}
            out.append(
                _Entry(
                    rank=len(out),
                    doc=doc,
                    incident=incident,
                    key=key,
                    parent_key=parent_key if parent_key != key else None,
                    brand_keys=brand_keys,
                    span=_entry_span(incident, doc.published),
                )
            )
    return out


_AFTERMATH = frozenset({"regulator_action"})  # timeline kinds that date the aftermath, not the breach


def _entry_span(incident: Incident, published: str | None) -> _Span | None:
    """When it happened: incident date, else disclosure date, else earliest timeline event, else published.

    A regulator's action comes months or years after the breach, and so does an article reporting only that: an
    incident dated by nothing else is undated (it joins its victim's latest incident) rather than a new one.
    """
    for value in (incident.incident_date, incident.disclosure_date):
        span = _span(value, published)
        if span is not None:
            return span
    events = [
        s for s in (_span(t.date, published) for t in incident.timeline if t.kind not in _AFTERMATH) if s is not None
    ]
    if events:
        return min(events, key=lambda s: (s.lo, s.hi))
    if any(t.kind in _AFTERMATH for t in incident.timeline):
        return None
    return _span(published)

