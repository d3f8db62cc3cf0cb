"""MISP export with `pymisp`: one MISP event per incident, in MISP's own JSON (`{"Event": {...}}`).

What an incident becomes:

* a `victim` object (template shipped with pymisp): name, country (`regions`), sector, classification;
* attributes, each commented with its modality and quotes (`confirmed; “quote” (source)`) and tagged
  `breachlens:modality="…"`: records affected (`counter`), dates (`datetime`, or `text` for a month or a
  year), data exposed and not exposed (`text`, tagged `breachlens:data-exposed="email"` …), threat actors
  (`threat-actor`), campaigns (`campaign-name`), access vectors, ransom and response actions (`text`), IOCs
  with MISP types and `to_ids` (`ip-dst`, `domain`, `url`, `sha256`, `md5`, `sha1`; CVEs as `vulnerability`,
  not for IDS), the sources (`link` for URLs, `text` for files), and the sources' disagreements (`comment`);
* galaxy tags on the event and on the attributes they explain: `misp-galaxy:threat-actor="…"` (or the
  intrusion-set / tidal galaxy that knows the actor), `misp-galaxy:mitre-attack-pattern="Phishing - T1566"`,
  `misp-galaxy:sector="Retail"`; `tlp:clear` (breachlens reads public reporting).

No MISP taxonomy covers breached data types, so they are machine tags in our own `breachlens` namespace. Every
uuid is a UUIDv5 of the incident id and the attribute's role, so a re-import updates the same event. Several
incidents are written as MISP's search-result shape, `{"response": [{"Event": ...}, ...]}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from ...dates import parse_date
from ...errors import ExportError
from ...records import DocumentAnalysis, Evidence, Fact, MergedIncident
from ..report import value_label
from ._common import (
    FIELD_WORDS,
    REFERENCE_EPOCH,
    attack_galaxy_value,
    documents_by_source,
    fact_value_text,
    galaxy_values,
    is_technique_id,
    is_web,
    normalise_ioc,
    published_day,
    quote_lines,
    stable_uuid,
    summary,
)

__all__ = ["MISP_IOC_TYPES", "MISP_SECTOR_GALAXY", "MISP_VICTIM_SECTOR", "export_misp", "misp_event"]

# Our IOC types -> MISP attribute type and whether it is for detection (`to_ids`).
MISP_IOC_TYPES = {
    "ipv4": ("ip-dst", True),
    "ipv6": ("ip-dst", True),
    "domain": ("domain", True),
    "url": ("url", True),
    "email": ("email-src", True),
    "md5": ("md5", True),
    "sha1": ("sha1", True),
    "sha256": ("sha256", True),
    "sha512": ("sha512", True),
    "cve": ("vulnerability", False),
}

# Our sectors -> value of the MISP `sector` galaxy (misp-galaxy:sector="…"), checked against it in tests.
MISP_SECTOR_GALAXY = {
    "retail": "Retail",
    "luxury-fashion": "Retail",
    "healthcare": "Health",
    "finance": "Finance",
    "telecom": "Telecoms",
    "technology": "Technology",
    "government": "Government, Administration",
    "education": "Education",
    "hospitality": "Hospitality",
    "transport": "Transport",
    "energy": "Energy",
    "manufacturing": "Manufacturing",
    "media": "News - Media",
    "other": "Other",
}

# Our sectors -> a value of the `victim` object template's `sectors` list (none for "other").
MISP_VICTIM_SECTOR = {
    "retail": "retail",
    "luxury-fashion": "retail",
    "healthcare": "healthcare",
    "finance": "financial services",
    "telecom": "telecommunications",
    "technology": "technology",
    "government": "government national",
    "education": "education",
    "hospitality": "hospitality leisure",
    "transport": "transportation",
    "energy": "energy",
    "manufacturing": "manufacturing",
    "media": "information and cultural industries",
}

# Attribute types whose values are our vocabulary, counts or dates: correlating them would link every event.
_UNCORRELATED = frozenset({"text", "counter", "datetime", "comment"})

# Galaxies where a canonical actor name is looked up for its tag, in order (enrich.ACTOR_GALAXIES).
_ACTOR_GALAXIES = ("threat-actor", "mitre-intrusion-set", "microsoft-activity-group", "tidal-groups")


@lru_cache(maxsize=1)
def _actor_tags() -> dict[str, str]:
    """Actor name (or the name in "Name - G0000") -> its galaxy tag; the first galaxy that has it wins."""
    out: dict[str, str] = {}
    for galaxy in _ACTOR_GALAXIES:
        for cluster in galaxy_values(galaxy):
            value = str(cluster["value"])
            tag = f'misp-galaxy:{galaxy}="{value}"'
            out.setdefault(value.casefold(), tag)
            out.setdefault(value.rsplit(" - ", 1)[0].casefold(), tag)
    return out


def actor_tag(name: str) -> str | None:
    """The MISP galaxy tag of an actor name, None when no actor galaxy knows it."""
    return _actor_tags().get(name.casefold())


def _comment(label: str, modality: str | None, evidence: Sequence[Evidence]) -> str:
    """`label (modality): “quote” (source) | …` — the evidence travels in the attribute's comment."""
    head = f"{label} ({modality})" if modality else label
    quotes = quote_lines(evidence)
    return f"{head}: {' | '.join(quotes)}" if quotes else head


class _Event:
    """Builds the MISP event of one incident."""

    def __init__(self, merged: MergedIncident, docs: dict[str, DocumentAnalysis]) -> None:
        from pymisp import MISPEvent  # deferred: pymisp takes over a second to import

        self.merged = merged
        self.docs = docs
        self.event = MISPEvent()
        self.event.uuid = str(stable_uuid(merged.id, "misp", "event"))
        self.tags: list[str] = ["tlp:clear"]

    def uuid(self, *role: str) -> str:
        """Deterministic uuid of a part of this event."""
        return str(stable_uuid(self.merged.id, "misp", *role))

    def attribute(
        self,
        kind: str,
        value: Any,
        role: tuple[str, ...],
        comment: str,
        tags: Sequence[str] = (),
        to_ids: bool | None = None,
    ) -> None:
        """Add one attribute with a deterministic uuid, its comment and tags."""
        kwargs: dict[str, Any] = {"uuid": self.uuid("attribute", *role), "comment": comment}
        if kind in _UNCORRELATED:
            kwargs["disable_correlation"] = True
        if to_ids is not None:
            kwargs["to_ids"] = to_ids
        attr = self.event.add_attribute(kind, value, **kwargs)
        for tag in dict.fromkeys(tags):
            attr.add_tag(tag)  # type: ignore[union-attr]  # one value in, one MISPAttribute out (a list only for lists)

    def fact(
        self,
        kind: str,
        field_name: str,
        fact: Fact,
        tags: Sequence[str] = (),
        to_ids: bool | None = None,
        value: Any = None,
        label: str | None = None,
    ) -> None:
        """An attribute for one fact: value, modality tag, and the quotes in the comment."""
        text = fact_value_text(fact.value)
        label = label or f"{FIELD_WORDS.get(field_name, field_name)}: {value_label(field_name, fact.value)}"
        modality_tag = f'breachlens:modality="{fact.modality}"'
        self.attribute(
            kind,
            text if value is None else value,
            (field_name, text),
            _comment(label, fact.modality, fact.evidence),
            (*tags, modality_tag),
            to_ids,
        )

    def build(self) -> dict[str, Any]:
        """The event as MISP JSON."""
        merged, inc, event = self.merged, self.merged.incident, self.event
        day = published_day(merged, self.docs) or _first_day(inc.incident_date)
        when = f" ({inc.disclosure_date})" if inc.disclosure_date else "" if day else " (date not reported)"
        event.info = f"Data breach: {inc.victim}{when}"
        # MISP requires a date: an undated incident gets the fixed REFERENCE_EPOCH, flagged in `info` above.
        day = day or REFERENCE_EPOCH.date()
        event.set_date(day)
        event.threat_level_id = 4  # undefined: a news report says nothing of the threat to the reader
        event.analysis = 0  # initial: machine-read from public reporting, not reviewed by an analyst
        self.victim()
        self.dates()
        if inc.records_affected is not None:
            self.fact(
                "counter",
                "records_affected",
                inc.records_affected,
                label=f"records affected: {value_label('records_affected', inc.records_affected.value)}",
            )
        for name in ("data_exposed", "data_not_exposed"):
            predicate = name.replace("_", "-")
            for fact in getattr(inc, name):
                self.fact("text", name, fact, [f'breachlens:{predicate}="{fact.value}"'])
        self.actors()
        for fact in inc.campaigns:
            self.fact("campaign-name", "campaigns", fact)
        self.vectors()
        if inc.ransom is not None:
            self.fact("text", "ransom", inc.ransom, [f'breachlens:ransom="{inc.ransom.value}"'])
        for fact in inc.response_actions:
            self.fact("text", "response_actions", fact, [f'breachlens:response="{fact.value}"'])
        self.iocs()
        self.sources()
        self.conflicts()
        self.attribute(
            "comment", summary(merged), ("summary",), "summary written by breachlens from the facts"
        )
        for tag in dict.fromkeys(self.tags):
            event.add_tag(tag)
        return {"Event": json.loads(event.to_json())}

    def victim(self) -> None:
        """The `victim` object: name, country, sector, with the quotes behind each."""
        from pymisp import MISPObject

        inc = self.merged.incident
        obj = MISPObject("victim", standalone=False)
        obj.uuid = self.uuid("object", "victim")
        obj.add_attribute(
            "name",
            value=inc.victim,
            uuid=self.uuid("victim", "name"),
            comment=_comment("victim", None, inc.evidence_for("victim")),
        )
        obj.add_attribute("classification", value="organization", uuid=self.uuid("victim", "classification"))
        if inc.victim_country:
            obj.add_attribute(
                "regions",
                value=inc.victim_country.upper(),
                uuid=self.uuid("victim", "regions"),
                comment=_comment("country", None, inc.evidence_for("victim_country")),
            )
        if inc.sector in MISP_VICTIM_SECTOR:
            obj.add_attribute(
                "sectors",
                value=MISP_VICTIM_SECTOR[inc.sector],
                uuid=self.uuid("victim", "sectors"),
                comment=_comment(f"sector: {inc.sector}", None, inc.evidence_for("sector")),
            )
        if inc.sector in MISP_SECTOR_GALAXY:
            self.tags.append(f'misp-galaxy:sector="{MISP_SECTOR_GALAXY[inc.sector]}"')
        described = [
            f"Brand of {inc.parent}." if inc.parent else "",
            f"Brands: {', '.join(inc.brands)}." if inc.brands else "",
        ]
        if any(described):
            obj.add_attribute(
                "description",
                value=" ".join(d for d in described if d),
                uuid=self.uuid("victim", "description"),
            )
        self.event.add_object(obj)

    def dates(self) -> None:
        """Incident, disclosure and timeline dates: `datetime` for a day, `text` for a month or year."""
        inc = self.merged.incident
        dated = [
            ("incident date", inc.incident_date, inc.evidence_for("incident_date")),
            ("disclosure date", inc.disclosure_date, inc.evidence_for("disclosure_date")),
        ]
        dated.extend((f"timeline: {t.kind}", t.date, t.evidence) for t in inc.timeline)
        for label, value, evidence in dated:
            parsed = parse_date(value)
            if value is None:
                continue
            if parsed is not None and parsed.precision == "day":
                kind, shown = "datetime", parsed.first_day.isoformat() + "T00:00:00+00:00"
            else:
                kind, shown = "text", value
            self.attribute(kind, shown, ("date", label, value), _comment(label, None, evidence))

    def actors(self) -> None:
        """`threat-actor` attributes, with galaxy tags on them and on the event."""
        for fact in self.merged.incident.threat_actors:
            tag = actor_tag(str(fact.value))
            tags = [tag] if tag else []
            self.tags.extend(tags)
            label = f"threat actor: {fact.value}" + (
                f" (written {fact.as_written!r})" if fact.as_written and fact.as_written != fact.value else ""
            )
            self.fact("threat-actor", "threat_actors", fact, tags, label=label)

    def vectors(self) -> None:
        """Access vectors as `text`, tagged with their ATT&CK galaxy clusters."""
        for fact in self.merged.incident.initial_access:
            tags = []
            for tid in fact.attack_techniques or ():
                cluster = attack_galaxy_value(tid) if is_technique_id(tid.strip().upper()) else None
                if cluster:
                    tags.append(f'misp-galaxy:mitre-attack-pattern="{cluster}"')
            self.tags.extend(tags)
            self.fact("text", "initial_access", fact, [*tags, f'breachlens:initial-access="{fact.value}"'])

    def iocs(self) -> None:
        """IOCs with their MISP type and `to_ids`; a value invalid for its type is `text`, not for IDS."""
        for fact in self.merged.incident.iocs:
            kind = (fact.type or "").lower()
            normal = normalise_ioc(kind, str(fact.value))
            misp_type, to_ids = MISP_IOC_TYPES.get(kind, ("text", False))
            if normal is None:
                misp_type, to_ids, normal = "text", False, str(fact.value)
            self.fact(
                misp_type, "iocs", fact, to_ids=to_ids, value=normal, label=f"{kind or 'indicator'}: {normal}"
            )

    def sources(self) -> None:
        """Each source as a `link` (a URL) or `text` (a file), commented with its title and date."""
        for source in self.merged.sources:
            doc = self.docs.get(source)
            about = [
                p
                for p in (
                    doc.title if doc else None,
                    f"published {doc.published}" if doc and doc.published else None,
                )
                if p
            ]
            comment = "source" + (f": {'; '.join(about)}" if about else "")
            self.attribute("link" if is_web(source) else "text", source, ("source", source), comment)

    def conflicts(self) -> None:
        """Where sources disagree, one `comment` attribute per field."""
        for conflict in self.merged.conflicts:
            values = "; ".join(f"{fact_value_text(v)} ({', '.join(s)})" for v, s in conflict.values)
            self.attribute(
                "comment",
                f"sources disagree on {conflict.field}: {values}",
                ("conflict", conflict.field),
                "conflict between sources",
            )


def _first_day(value: str | None) -> date | None:
    """First day of a contract date, None when unknown."""
    parsed = parse_date(value)
    return parsed.first_day if parsed else None


def misp_event(merged: MergedIncident, documents: Sequence[DocumentAnalysis]) -> dict[str, Any]:
    """The MISP event of one incident as a dict (`{"Event": {...}}`).

    Raises:
        ExportError: pymisp refused a value (naming the incident).
    """
    from pymisp.exceptions import PyMISPError

    try:
        return _Event(merged, documents_by_source(documents)).build()
    except (PyMISPError, ValueError) as exc:
        raise ExportError(f"{merged.id}: cannot be exported as MISP: {exc}") from exc


def export_misp(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
    """MISP JSON: one event (`{"Event": ...}`) for one incident, `{"response": [...]}` for several."""
    events = [misp_event(m, documents) for m in incidents]
    payload: dict[str, Any] = events[0] if len(events) == 1 else {"response": events}
    return json.dumps(payload, indent=1, ensure_ascii=False, default=str)
