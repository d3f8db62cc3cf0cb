"""The analyst's incident report (Markdown, HTML, JSON): every factual line cites the quote that supports it.

A report is first built as a small view model (`IncidentReport`: sections of `Line`s, each with citation
numbers, plus the numbered `Citation`s), then rendered. Renderers never add facts, so the three formats say
the same thing. Rules the builder keeps:

- A line is written only from a fact or a plain field of the incident; the executive summary too is assembled
  clause by clause from facts, each clause cited. Plain fields without evidence are shown, uncited, in the
  details.
- A section (or subsection) with nothing to show says `NOT_REPORTED`; no "Unknown"/"Not specified" filler.
- Citation numbers are per incident, in order of first use, deduplicated by (source, start, end).
- Modality is written in words (`MODALITY_WORDS`); merged confidence is shown when present.
- `data_not_exposed` facts appear under "Not exposed" only and never trigger recommendations.

The Markdown output is plain text: quotes are verbatim (untrusted) and must be sanitised by whatever turns it
into HTML. `render_html` is the safe view: Jinja2 with autoescape, no JavaScript, a CSP that forbids scripts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import jinja2

from .. import vocab
from ..records import FACT_LIST_FIELDS, DocumentAnalysis, Evidence, Fact, Incident, MergedIncident
from .formats import environment, thousands
from .recommend import Recommendation, recommendations

__all__ = [
    "DATA_TYPE_LABELS",
    "MODALITY_WORDS",
    "NOT_REPORTED",
    "RANSOM_LABELS",
    "RESPONSE_LABELS",
    "SECTOR_LABELS",
    "TIMELINE_LABELS",
    "VECTOR_LABELS",
    "Citation",
    "IncidentReport",
    "Line",
    "Section",
    "build_report",
    "render_html",
    "render_json",
    "render_markdown",
    "value_label",
]

NOT_REPORTED = "Not reported in the sources."

MODALITY_WORDS = {
    "confirmed": "confirmed by the company",
    "reported": "reported",
    "claimed": "claimed by the attacker",
    "suspected": "suspected",
}

DATA_TYPE_LABELS = {
    "name": "names",
    "email": "email addresses",
    "phone": "phone numbers",
    "postal_address": "postal addresses",
    "date_of_birth": "dates of birth",
    "country": "countries of residence",
    "purchase_history": "purchase histories",
    "preferences": "customer preferences",
    "spending_amount": "spending amounts",
    "payment_card": "payment card details",
    "bank_account": "bank account details",
    "password": "passwords",
    "credentials": "credentials and access tokens",
    "government_id": "government ID numbers",
    "ssn": "social security numbers",
    "health": "health information",
    "account_id": "account IDs and usernames",
    "ip_address": "IP addresses",
    "other": "unspecified personal data",
}

VECTOR_LABELS = {
    "phishing": "phishing",
    "vishing": "voice phishing",
    "social_engineering": "social engineering",
    "credential_stuffing": "credential stuffing",
    "stolen_credentials": "stolen credentials",
    "third_party": "a third party such as a supplier or service provider",
    "vulnerability_exploit": "exploitation of a vulnerability",
    "misconfiguration": "a misconfiguration",
    "malware": "malware",
    "insider": "an insider",
    "unknown": "a vector the sources say is not known",
}

RESPONSE_LABELS = {
    "law_enforcement_notified": "law enforcement notified",
    "regulator_notified": "regulator notified",
    "customers_notified": "affected customers notified",
    "external_experts_engaged": "external security experts engaged",
    "systems_secured": "systems secured",
    "credit_monitoring_offered": "credit monitoring offered",
    "services_disrupted": "services disrupted",
    "investigation": "investigation opened",
}

RANSOM_LABELS = {"demanded": "ransom demanded", "paid": "ransom paid", "refused": "ransom demand refused"}

SECTOR_LABELS = {s: s.replace("-", " ") for s in vocab.SECTORS}

TIMELINE_LABELS = {
    "incident": "incident occurred",
    "detection": "breach detected",
    "disclosure": "breach publicly disclosed",
    "notification": "affected people notified",
    "claim": "attacker claimed the breach",
    "regulator_action": "regulator acted",
}

FIELD_LABELS = {
    "victim": "Victim",
    "parent": "Parent",
    "brands": "Brands",
    "sector": "Sector",
    "victim_country": "Country",
    "disclosure_date": "Disclosure date",
    "incident_date": "Incident date",
    "records_affected": "Records affected",
    "data_exposed": "Data exposed",
    "data_not_exposed": "Not exposed",
    "threat_actors": "Threat actors",
    "campaigns": "Campaigns",
    "initial_access": "Initial access",
    "ransom": "Ransom",
    "response_actions": "Response actions",
    "iocs": "Indicators",
}


# Plain fields whose values are vocabulary ids, and the label table for each (conflicts, details).
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "data_exposed": DATA_TYPE_LABELS,
    "data_not_exposed": DATA_TYPE_LABELS,
    "initial_access": VECTOR_LABELS,
    "response_actions": RESPONSE_LABELS,
    "ransom": RANSOM_LABELS,
    "sector": SECTOR_LABELS,
}


@dataclass(frozen=True)
class Citation:
    """Numbered reference to one quote; `verified` is False when the document text disagrees with it."""

    number: int
    evidence: Evidence
    verified: bool | None = None


@dataclass(frozen=True)
class Line:
    """One statement of the report and the citation numbers of the quotes that support it."""

    text: str
    cites: tuple[int, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled part of the report; `style` is "paragraph", "list" or "numbered". Empty means `NOT_REPORTED`.

    Lines of a "paragraph" are sentences without their final period, which renderers add after the citations.
    """

    title: str
    lines: tuple[Line, ...] = ()
    subsections: tuple[Section, ...] = ()
    style: str = "list"

    @property
    def empty(self) -> bool:
        """True when neither the section nor any subsection has a line."""
        return not self.lines and all(s.empty for s in self.subsections)


@dataclass(frozen=True)
class IncidentReport:
    """The view model of one incident's report, shared by every renderer."""

    id: str
    title: str
    sections: tuple[Section, ...]
    citations: tuple[Citation, ...]
    merged: MergedIncident

    def section(self, title: str) -> Section:
        """The section with this title (KeyError when absent)."""
        for section in self.sections:
            if section.title == title:
                return section
        raise KeyError(title)


# --------------------------------------------------------------------------------------------------- building


class _Citer:
    """Hands out citation numbers per incident, deduplicated by (source, start, end)."""

    def __init__(self, documents: dict[str, DocumentAnalysis]) -> None:
        self._documents = documents
        self._numbers: dict[tuple[str, int, int], int] = {}
        self.citations: list[Citation] = []

    def cite(self, evidence: Iterable[Evidence]) -> tuple[int, ...]:
        """Citation numbers for these quotes, sorted."""
        numbers: set[int] = set()
        for ev in evidence:
            key = (ev.source, ev.start, ev.end)
            if key not in self._numbers:
                self._numbers[key] = len(self.citations) + 1
                self.citations.append(Citation(self._numbers[key], ev, self._verify(ev)))
            numbers.add(self._numbers[key])
        return tuple(sorted(numbers))

    def _verify(self, ev: Evidence) -> bool | None:
        """Whether the quote is the document text at its offsets (None when the text is not at hand)."""
        doc = self._documents.get(ev.source)
        if doc is None or not doc.text:
            return None
        return doc.text[ev.start : ev.end] == ev.quote


def build_report(merged: MergedIncident, documents: Sequence[DocumentAnalysis] = ()) -> IncidentReport:
    """The view model of one incident's report.

    Args:
        merged: the incident across its sources.
        documents: analysed documents; matched to citations and sources by `source` for titles, dates and to
            check that each quote is the document text at its offsets.
    """
    docs = {d.source: d for d in documents}
    citer = _Citer(docs)
    inc = _supported(merged.incident)
    sections = (
        Section("Executive summary", _summary(inc, citer), style="paragraph"),
        Section("Incident details", _details(inc, citer)),
        Section("Timeline", _timeline(inc, citer)),
        Section("Attack methodology", subsections=_methodology(inc, citer)),
        Section("Impact", subsections=_impact(inc, citer)),
        Section("Indicators", tuple(_fact_line(f"{f.type or 'indicator'}: {_defang(str(f.value))}", f, citer)
                                    for f in inc.iocs)),
        Section("Response", subsections=_response(inc, citer)),
        Section("Conflicts between sources", subsections=_conflicts(merged, citer, docs)),
        Section("Recommendations", subsections=_recommendations(inc, citer)),
    )
    sources = Section("Sources", _sources(merged, citer, docs), style="numbered")
    return IncidentReport(merged.id, f"Incident report: {inc.victim}", (*sections, sources),
                          tuple(citer.citations), merged)


def _supported(inc: Incident) -> Incident:
    """The incident without facts or timeline events that carry no quote: no line is written without one.

    (The contract gives every fact evidence; this guards the report against a stage that breaks it.)
    """
    # Any: the fact-list fields are named at run time (FACT_LIST_FIELDS); each value is a tuple of Facts
    lists: dict[str, Any] = {name: tuple(f for f in getattr(inc, name) if f.evidence) for name in FACT_LIST_FIELDS}
    records, ransom = inc.records_affected, inc.ransom
    return replace(
        inc,
        records_affected=records if records is not None and records.evidence else None,
        ransom=ransom if ransom is not None and ransom.evidence else None,
        timeline=tuple(e for e in inc.timeline if e.evidence),
        **lists,
    )


def _words(fact: Fact) -> str:
    """Modality in words, plus merged confidence when known: "reported; confidence 0.8"."""
    words = MODALITY_WORDS.get(fact.modality, fact.modality)
    if fact.confidence is not None:
        words += f"; confidence {round(fact.confidence, 2):g}"
    return words


def _fact_line(label: str, fact: Fact, citer: _Citer) -> Line:
    """`label (modality; confidence)` cited from the fact's quotes."""
    return Line(f"{label} ({_words(fact)})", citer.cite(fact.evidence))


def value_label(field_name: str, value: Any) -> str:
    """A fact's value for people, the same on pages, in exports and here: the label of a vocabulary id, a count
    with thousands separators, anything else as written."""
    table = _VALUE_LABELS.get(field_name)
    if table is not None and isinstance(value, str):
        return table.get(value, value)
    return thousands(value)


def _label(table: dict[str, str], value: Any) -> str:
    """The readable label of a vocabulary value (the value itself when it is not in the table)."""
    return table.get(value, str(value)) if isinstance(value, str) else str(value)


def _join(items: Sequence[str]) -> str:
    """English list: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _country(code: str) -> str:
    """"GB" -> "United Kingdom (GB)"; the code alone when pycountry does not know it."""
    try:
        import pycountry

        found = pycountry.countries.get(alpha_2=code.upper())
    except (ImportError, LookupError, KeyError):
        found = None
    return f"{found.name} ({code})" if found is not None else code


def _date(value: str) -> str:
    """Contract date for display: "--06-02" (year unknown) -> "06-02 (year not stated)"."""
    return f"{value[2:]} (year not stated)" if value.startswith("--") else value


def _records(fact: Fact) -> str:
    """Records affected, worded by who says it: an attacker's count is written as a claim."""
    count = thousands(fact.value)
    if fact.modality == "claimed":
        return f"{count} records, as claimed by the attacker (not confirmed)"
    return f"{count} records affected ({_words(fact)})"


def _by_modality(facts: Sequence[Fact]) -> list[tuple[str, list[Fact]]]:
    """Facts grouped by modality, in order of first appearance."""
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.modality, []).append(fact)
    return list(groups.items())


def _modal_list(facts: Sequence[Fact], table: dict[str, str]) -> str:
    """"names and email addresses (confirmed by the company), passwords (claimed by the attacker)"."""
    parts = []
    for modality, group in _by_modality(facts):
        labels = list(dict.fromkeys(_label(table, f.value) for f in group))
        parts.append(f"{_join(labels)} ({MODALITY_WORDS.get(modality, modality)})")
    return "; ".join(parts)


def _evidence_of(facts: Iterable[Fact]) -> list[Evidence]:
    """Every quote of these facts."""
    return [ev for fact in facts for ev in fact.evidence]


_RANSOM_SENTENCES = {
    "demanded": "A ransom was demanded",
    "paid": "A ransom was paid",
    "refused": "A ransom demand was refused",
}


def _summary(inc: Incident, citer: _Citer) -> tuple[Line, ...]:
    """Executive summary, one cited sentence per kind of fact; nothing is said that no quote supports."""
    lines: list[Line] = []
    qualifiers: list[str] = []
    qualifier_evidence: list[Evidence] = []
    if inc.sector and inc.evidence_for("sector"):
        qualifiers.append(_label(SECTOR_LABELS, inc.sector))
        qualifier_evidence.extend(inc.evidence_for("sector"))
    if inc.victim_country and inc.evidence_for("victim_country"):
        qualifiers.append(inc.victim_country)
        qualifier_evidence.extend(inc.evidence_for("victim_country"))
    subject = inc.victim + (f" ({', '.join(qualifiers)})" if qualifiers else "")
    opening = [*inc.evidence_for("victim"), *qualifier_evidence]
    if inc.data_exposed:
        exposed = _modal_list(inc.data_exposed, DATA_TYPE_LABELS)
        lines.append(Line(f"{subject} suffered a data breach exposing {exposed}",
                          citer.cite([*opening, *_evidence_of(inc.data_exposed)])))
    elif opening:
        lines.append(Line(f"{subject} suffered a data breach; the sources do not say which data was exposed",
                          citer.cite(opening)))
    if inc.disclosure_date and inc.evidence_for("disclosure_date"):
        lines.append(Line(f"The breach was disclosed on {_date(inc.disclosure_date)}",
                          citer.cite(inc.evidence_for("disclosure_date"))))
    if inc.records_affected is not None:
        records = inc.records_affected
        lines.append(Line(f"Scale: {_records(records)}", citer.cite(records.evidence)))
    if inc.data_not_exposed:
        text = _modal_list(inc.data_not_exposed, DATA_TYPE_LABELS)
        lines.append(Line(f"Not exposed: {text}", citer.cite(_evidence_of(inc.data_not_exposed))))
    if inc.threat_actors:
        names = [f"{f.value} ({_words(f)})" for f in inc.threat_actors]
        lines.append(Line(f"The attack is attributed to {_join(names)}",
                          citer.cite(_evidence_of(inc.threat_actors))))
    if inc.initial_access:
        lines.append(Line(f"Initial access was through {_modal_list(inc.initial_access, VECTOR_LABELS)}",
                          citer.cite(_evidence_of(inc.initial_access))))
    if inc.ransom is not None:
        sentence = _RANSOM_SENTENCES.get(inc.ransom.value, f"Ransom: {inc.ransom.value}")
        lines.append(Line(f"{sentence} ({_words(inc.ransom)})", citer.cite(inc.ransom.evidence)))
    if inc.response_actions:
        lines.append(Line(f"Response: {_modal_list(inc.response_actions, RESPONSE_LABELS)}",
                          citer.cite(_evidence_of(inc.response_actions))))
    return tuple(lines)


def _details(inc: Incident, citer: _Citer) -> tuple[Line, ...]:
    """Victim, parent, brands, sector, country and dates; cited when the incident holds their evidence."""
    values: list[tuple[str, str | None]] = [
        ("victim", inc.victim),
        ("parent", inc.parent),
        ("brands", ", ".join(inc.brands) or None),
        ("sector", _label(SECTOR_LABELS, inc.sector) if inc.sector else None),
        ("victim_country", _country(inc.victim_country) if inc.victim_country else None),
        ("disclosure_date", _date(inc.disclosure_date) if inc.disclosure_date else None),
        ("incident_date", _date(inc.incident_date) if inc.incident_date else None),
    ]
    return tuple(
        Line(f"{FIELD_LABELS[name]}: {value}", citer.cite(inc.evidence_for(name)))
        for name, value in values
        if value
    )


def _date_key(date: str) -> tuple[int, str]:
    """Sort dates with a known year first, in order; year-unknown ("--MM-DD") dates after them."""
    return (1, date) if date.startswith("--") else (0, date)


def _timeline(inc: Incident, citer: _Citer) -> tuple[Line, ...]:
    """Dated events, each cited; the disclosure and incident dates join them when quoted and not yet there."""
    events = [(e.date, e.kind, e.modality, e.evidence) for e in inc.timeline]
    seen = {(date, kind) for date, kind, _, _ in events}
    for kind, date in (("disclosure", inc.disclosure_date), ("incident", inc.incident_date)):
        evidence = inc.evidence_for(f"{kind}_date")
        if date and evidence and (date, kind) not in seen:
            events.append((date, kind, "reported", evidence))
    events.sort(key=lambda e: _date_key(e[0]))
    return tuple(
        Line(f"{_date(date)} — {_label(TIMELINE_LABELS, kind)} ({MODALITY_WORDS.get(modality, modality)})",
             citer.cite(evidence))
        for date, kind, modality, evidence in events
    )


def _vector_line(fact: Fact, citer: _Citer) -> Line:
    """Access vector with its ATT&CK technique ids (from the fact, else from the vocabulary)."""
    techniques = fact.attack_techniques
    if techniques is None:
        techniques = vocab.ACCESS_VECTORS.get(fact.value, ()) if isinstance(fact.value, str) else ()
    attack = f" — ATT&CK {', '.join(techniques)}" if techniques else ""
    return _fact_line(f"{_label(VECTOR_LABELS, fact.value)}{attack}", fact, citer)


def _actor_line(fact: Fact, citer: _Citer) -> Line:
    """Canonical actor name, with the spelling the source used when it differs."""
    written = f'written "{fact.as_written}"; ' if fact.as_written and fact.as_written != fact.value else ""
    return Line(f"{fact.value} ({written}{_words(fact)})", citer.cite(fact.evidence))


def _methodology(inc: Incident, citer: _Citer) -> tuple[Section, ...]:
    """Threat actors, campaigns and initial access vectors."""
    return (
        Section("Threat actors", tuple(_actor_line(f, citer) for f in inc.threat_actors)),
        Section("Campaigns", tuple(_fact_line(str(f.value), f, citer) for f in inc.campaigns)),
        Section("Initial access", tuple(_vector_line(f, citer) for f in inc.initial_access)),
    )


def _impact(inc: Incident, citer: _Citer) -> tuple[Section, ...]:
    """Data exposed, data not exposed, records affected: each with its modality in words."""
    records = () if inc.records_affected is None else (
        Line(_records(inc.records_affected), citer.cite(inc.records_affected.evidence)),
    )
    return (
        Section("Data exposed", tuple(_fact_line(_label(DATA_TYPE_LABELS, f.value), f, citer)
                                      for f in inc.data_exposed)),
        Section("Not exposed", tuple(_fact_line(_label(DATA_TYPE_LABELS, f.value), f, citer)
                                     for f in inc.data_not_exposed)),
        Section("Records affected", records),
    )


def _response(inc: Incident, citer: _Citer) -> tuple[Section, ...]:
    """Response actions and ransom status."""
    ransom: tuple[Line, ...] = ()
    if inc.ransom is not None:
        ransom = (_fact_line(_label(RANSOM_LABELS, inc.ransom.value), inc.ransom, citer),)
    return (
        Section("Actions", tuple(_fact_line(_label(RESPONSE_LABELS, f.value), f, citer)
                                 for f in inc.response_actions)),
        Section("Ransom", ransom),
    )


def _format_value(field_name: str, value: Any) -> str:
    """A conflicting value as a reader wants it: labels for vocabulary ids, separators for counts."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_format_value(field_name, v) for v in value) or "none"
    if value is None:
        return "no value"
    if field_name == "victim_country" and isinstance(value, str):
        return _country(value)
    if field_name in _VALUE_LABELS:
        return _label(_VALUE_LABELS[field_name], value)
    return thousands(value)


def _conflict_support(
    merged: MergedIncident,
    field_name: str,
    value: Any,
    sources: Sequence[str],
    docs: dict[str, DocumentAnalysis],
) -> tuple[list[Evidence], str | None]:
    """Quotes (and modality) behind one conflicting value: from the merged incident, else from each source's
    own reading of the incident (the merged record keeps only the winning value's quotes)."""
    candidates = [merged.incident]
    for source in sources:
        doc = docs.get(source)
        if doc is not None:
            same = [i for i in doc.incidents if i.victim == merged.incident.victim]
            candidates.extend(same or ([doc.main] if doc.main is not None else []))
    for inc in candidates:
        for name, fact in inc.facts():
            if name == field_name and fact.value == value:
                found = [ev for ev in fact.evidence if ev.source in sources]
                if found:
                    return found, fact.modality
        if getattr(inc, field_name, None) == value:
            found = [ev for ev in inc.evidence_for(field_name) if ev.source in sources]
            if found:
                return found, None
    return [], None


def _conflicts(
    merged: MergedIncident, citer: _Citer, docs: dict[str, DocumentAnalysis]
) -> tuple[Section, ...]:
    """One subsection per conflicting field, one line per value with its sources, cited from their quotes."""
    sections = []
    for conflict in merged.conflicts:
        lines = []
        for value, sources in conflict.values:
            found, modality = _conflict_support(merged, conflict.field, value, sources, docs)
            words = f" ({MODALITY_WORDS.get(modality, modality)})" if modality else ""
            said_by = _join(list(sources)) if sources else "no source named"
            text = f"{_format_value(conflict.field, value)}{words} — according to {said_by}"
            lines.append(Line(text, citer.cite(found)))
        sections.append(Section(FIELD_LABELS.get(conflict.field, conflict.field), tuple(lines)))
    return tuple(sections)


def _reason(field_name: str, fact: Fact) -> str:
    """Why a recommendation fired, in words: "email addresses exposed (reported)"."""
    words = MODALITY_WORDS.get(fact.modality, fact.modality)
    if field_name == "data_exposed":
        return f"{_label(DATA_TYPE_LABELS, fact.value)} exposed ({words})"
    if field_name == "initial_access":
        return f"initial access through {_label(VECTOR_LABELS, fact.value)} ({words})"
    if field_name == "threat_actors":
        return f"threat actor {fact.value} named ({words})"
    if field_name == "ransom":
        return f"{_label(RANSOM_LABELS, fact.value)} ({words})"
    if field_name == "iocs":
        return "indicators of compromise listed"
    return f"{fact.value} ({words})"


def _recommendation_line(rec: Recommendation, fields: dict[int, str], citer: _Citer) -> Line:
    """Advice text followed by the facts that triggered it, cited."""
    reasons = list(dict.fromkeys(_reason(fields.get(id(f), ""), f) for f in rec.because))
    return Line(f"{rec.text} — because: {'; '.join(reasons)}", citer.cite(_evidence_of(rec.because)))


def _recommendations(inc: Incident, citer: _Citer) -> tuple[Section, ...]:
    """Rule-derived advice for peers and for affected people (see recommend.py)."""
    recs = recommendations(inc)
    fields = {id(f): name for name, f in inc.facts() if name != "data_not_exposed"}
    return (
        Section(f"For peers (organisations in the same sector, and those that use {inc.victim} as a "
                "supplier)",
                tuple(_recommendation_line(r, fields, citer) for r in recs.peers)),
        Section("For people whose data was exposed",
                tuple(_recommendation_line(r, fields, citer) for r in recs.people)),
    )


def _sources(merged: MergedIncident, citer: _Citer, docs: dict[str, DocumentAnalysis]) -> tuple[Line, ...]:
    """Numbered sources with title, publication date, and whether each is a near-duplicate copy."""
    order = list(dict.fromkeys([*merged.sources, *(c.evidence.source for c in citer.citations)]))
    copies = dict(merged.duplicates)
    lines = []
    for source in order:
        parts = [source]
        doc = docs.get(source)
        if doc is not None and doc.title:
            parts.append(f'"{" ".join(doc.title.split())}"')
        if doc is not None and doc.published:
            parts.append(f"published {doc.published}")
        if source in copies:
            original = copies[source]
            number = f" (source {order.index(original) + 1})" if original in order else ""
            parts.append(f"near-duplicate copy of {original}{number}")
        lines.append(Line(" — ".join(parts)))
    return tuple(lines)


_DEFANG = (
    (re.compile(r"^http", re.IGNORECASE), "hxxp"),
    (re.compile(r"\.(?=[^.\s/]+(?:[/:]|$))"), "[.]"),
)


def _defang(value: str) -> str:
    """Indicators are written defanged (hxxp, [.]) so that no reader clicks or auto-links them."""
    for pattern, replacement in _DEFANG:
        value = pattern.sub(replacement, value)
    return value


# -------------------------------------------------------------------------------------------------- rendering


def _reports(
    incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]
) -> list[IncidentReport]:
    """One view model per incident."""
    return [build_report(m, documents) for m in incidents]


def _md_cites(cites: Sequence[int]) -> str:
    """" [1][2]" (empty when there is nothing to cite)."""
    return (" " + "".join(f"[{n}]" for n in cites)) if cites else ""


def _md_section(section: Section, level: int) -> list[str]:
    """Markdown of one section at heading `level`."""
    out = [f"{'#' * level} {section.title}", ""]
    if section.empty:
        return [*out, NOT_REPORTED, ""]
    if section.style == "paragraph":
        out.append(" ".join(f"{line.text}{_md_cites(line.cites)}." for line in section.lines))
    else:
        for index, line in enumerate(section.lines, 1):
            bullet = f"{index}." if section.style == "numbered" else "-"
            out.append(f"{bullet} {line.text}{_md_cites(line.cites)}")
    if section.lines:
        out.append("")
    for sub in section.subsections:
        out.extend(_md_section(sub, level + 1))
    return out


def _citation_suffix(citation: Citation) -> str:
    """Warning appended to a citation whose quote is not the document text at its offsets."""
    if citation.verified is False:
        return " (warning: the quote is not the source text at these offsets)"
    return ""


def render_markdown(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
    """An analyst's incident report in Markdown, one part per incident, each ending with its citations.

    Args:
        incidents: merged incidents to report on.
        documents: the analysed documents (titles, publication dates and texts, matched by `source`).

    Returns:
        Markdown text; quotes are verbatim and untrusted (sanitise before rendering it as HTML).
    """
    if not incidents:
        return "# Incident report\n\nNo incident was found in the sources.\n"
    parts = []
    for report in _reports(incidents, documents):
        out = [f"# {report.title}", "", f"Incident id: {report.id}", ""]
        for section in report.sections:
            out.extend(_md_section(section, 2))
        out.extend(["## Citations", ""])
        out.extend(f'- [{c.number}] "{c.evidence.quote}" — {c.evidence.source}{_citation_suffix(c)}'
                   for c in report.citations)
        if not report.citations:
            out.append(NOT_REPORTED)
        parts.append("\n".join(out).rstrip() + "\n")
    return "\n---\n\n".join(parts)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The one Jinja2 environment (formats.environment) with the report's filters."""
    env = environment()
    env.globals["NOT_REPORTED"] = NOT_REPORTED
    env.filters["web_link"] = _web_link
    env.filters["citation_suffix"] = _citation_suffix
    return env


def _web_link(source: str) -> str | None:
    """The source as a link target when it is an http(s) URL (never javascript:, data: or a local path)."""
    return source if re.match(r"https?://[^\s\"'<>]+$", source, re.IGNORECASE) else None


def render_html(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
    """The same report as a self-contained HTML page: every value escaped, no JavaScript, CSP forbids scripts.

    Args:
        incidents: merged incidents to report on.
        documents: the analysed documents (untrusted text: titles, quotes and names are escaped).
    """
    template = _environment().get_template("report.html.j2")
    return template.render(reports=_reports(incidents, documents))


def render_json(incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis]) -> str:
    """Each incident's contract JSON (`MergedIncident.as_dict`) plus numbered citations and recommendations.

    Args:
        incidents: merged incidents to report on.
        documents: the analysed documents, used to number citations as the Markdown and HTML reports do.
    """
    out = []
    for report in _reports(incidents, documents):
        entry = report.merged.as_dict()
        entry["citations"] = [
            {"number": c.number, **c.evidence.as_dict(),
             **({"verified": c.verified} if c.verified is not None else {})}
            for c in report.citations
        ]
        numbers = {(c.evidence.source, c.evidence.start, c.evidence.end): c.number for c in report.citations}
        recs = recommendations(_supported(report.merged.incident))
        entry["recommendations"] = {
            audience: [
                {"text": r.text, "citations": sorted({numbers[(e.source, e.start, e.end)]
                                                      for e in _evidence_of(r.because)})}
                for r in getattr(recs, audience)
            ]
            for audience in ("peers", "people")
        }
        out.append(entry)
    return json.dumps({"incidents": out}, ensure_ascii=False, indent=2) + "\n"
