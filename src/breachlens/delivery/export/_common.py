"""What every exporter shares: deterministic ids, partial dates, timestamps, source lookups, ATT&CK data.

Why deterministic: a threat-intelligence platform (OpenCTI, MISP) recognises an object it already holds by its
id, so a re-export of the same incident must produce the same ids (an update), never new ones (a duplicate).
Every id is a UUIDv5 in `NAMESPACE` of a key built from our stable incident id and the object's role, or, for
objects that are reference data shared across incidents (an actor, an ATT&CK technique, a victim
organisation), from their name.

Why timestamps come from the incident and not from the clock: the same input must give byte-identical output,
so `created` is the incident's earliest known date and `modified` when the store last changed the incident
(`MergedIncident.updated_at`, to the millisecond: a TAXII client sees a new version exactly when the incident
changed, issue 16), else, for incidents not read from a store, its latest date (dates of the incident, its
disclosure, its timeline and its sources' publication). Reference objects carry the fixed `REFERENCE_EPOCH`.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ...dates import parse_date
from ...records import DocumentAnalysis, Evidence, Fact, MergedIncident
from ..report import value_label

# Namespace of every export id: uuid5(NAMESPACE_URL, "urn:breachlens:export"). Never change it (ids move).
NAMESPACE = uuid.UUID("9f816d6b-c0f1-57e3-b5ce-7b3ea31ec740")

# `created`/`modified` of reference objects (actors, techniques, organisations, our own identity) and of
# incidents with no known date at all: a fixed instant, so that their versions never change between exports.
REFERENCE_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

_WEB = re.compile(r"^https?://", re.IGNORECASE)


def stable_uuid(*parts: str) -> uuid.UUID:
    """UUIDv5 of the parts joined by a unit separator (which cannot occur in our ids or names)."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(parts))


def name_key(name: str) -> str:
    """Case- and space-insensitive key of a name, so "Shiny Hunters " and "shiny hunters" share an id."""
    return " ".join(name.casefold().split())


def documents_by_source(documents: Sequence[DocumentAnalysis]) -> dict[str, DocumentAnalysis]:
    """Documents keyed by source (the last one wins when a source was analysed twice)."""
    return {d.source: d for d in documents}


def incident_dates(merged: MergedIncident, docs: dict[str, DocumentAnalysis]) -> list[date]:
    """Every known day of the incident: its own dates, timeline, and its sources' publication days."""
    inc = merged.incident
    values = [inc.incident_date, inc.disclosure_date, *(t.date for t in inc.timeline)]
    values.extend(docs[s].published for s in merged.sources if s in docs)
    parsed = (parse_date(v) for v in values)
    return sorted(p.first_day for p in parsed if p is not None)


def export_times(merged: MergedIncident, docs: dict[str, DocumentAnalysis]) -> tuple[datetime, datetime]:
    """`created` and `modified` of the objects of one incident (see the module docstring)."""
    days = incident_dates(merged, docs)
    first, last = (_midnight(days[0]), _midnight(days[-1])) if days else (REFERENCE_EPOCH, REFERENCE_EPOCH)
    changed = change_time(merged.updated_at) if merged.updated_at else None
    if changed is None:
        return first, last
    return min(first, changed), changed  # `created` never after `modified` (STIX), even for a future date


def change_time(stored: str) -> datetime:
    """A stored change time ("2025-07-01T12:00:00.123456Z", or "...12:00:00.123Z" from the upgrade) as an aware
    datetime cut to the millisecond, the precision of TAXII timestamps, so versions and `next` tokens match."""
    text = stored.strip().removesuffix("Z")
    when = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def _midnight(day: date) -> datetime:
    """00:00 UTC of a day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def published_day(merged: MergedIncident, docs: dict[str, DocumentAnalysis]) -> date | None:
    """When the incident became public: its disclosure date, else its earliest source's publication."""
    disclosed = parse_date(merged.incident.disclosure_date)
    if disclosed is not None:
        return disclosed.first_day
    published = [p.first_day for s in merged.sources if s in docs if (p := parse_date(docs[s].published))]
    return min(published) if published else None


def is_web(source: str) -> bool:
    """Whether a source is an http(s) URL (files and other sources are named, not linked)."""
    return _WEB.match(source) is not None


def quote_lines(evidence: Iterable[Evidence]) -> list[str]:
    """Each quote with its source, as `"quote" (source)`, once per distinct (source, quote)."""
    seen: set[tuple[str, str]] = set()
    lines: list[str] = []
    for e in evidence:
        if (e.source, e.quote) not in seen:
            seen.add((e.source, e.quote))
            lines.append(f"\u201c{e.quote}\u201d ({e.source})")
    return lines


def mean_confidence(facts: Iterable[Fact]) -> float | None:
    """Mean merged confidence of the facts that have one, else None."""
    values = [f.confidence for f in facts if f.confidence is not None]
    return sum(values) / len(values) if values else None


def fact_value_text(value: Any) -> str:
    """A fact value as the text used in keys and labels (ints without separators, others as given)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


# ------------------------------------------------------------------------------------------------------------
# ATT&CK reference data beyond the technique name (kill-chain phases), read from the same MISP galaxy as
# enrich.technique_name.


def _galaxy_dir() -> Path:
    """Where pymispgalaxies keeps its cluster JSON (found without importing the package)."""
    spec = find_spec("pymispgalaxies")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pymispgalaxies is required for ATT&CK and MISP galaxy reference data")
    return Path(spec.origin).parent / "data" / "misp-galaxy" / "clusters"


@lru_cache(maxsize=8)
def galaxy_values(name: str) -> tuple[dict[str, Any], ...]:
    """Cluster values of one MISP galaxy (e.g. "mitre-attack-pattern", "threat-actor", "sector")."""
    with (_galaxy_dir() / f"{name}.json").open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["values"])


@lru_cache(maxsize=1)
def _attack_clusters() -> dict[str, dict[str, Any]]:
    """ATT&CK id -> its mitre-attack-pattern galaxy cluster (the first one wins, as in enrich)."""
    out: dict[str, dict[str, Any]] = {}
    for v in galaxy_values("mitre-attack-pattern"):
        tid = v.get("meta", {}).get("external_id")
        if tid:
            out.setdefault(str(tid).upper(), v)
    return out


def attack_galaxy_value(tid: str) -> str | None:
    """The galaxy's cluster value of a technique ("Phishing - T1566"), used in MISP galaxy tags."""
    cluster = _attack_clusters().get(tid.upper())
    return str(cluster["value"]) if cluster else None


def attack_tactics(tid: str) -> tuple[str, ...]:
    """Enterprise ATT&CK tactics (kill-chain phases) of a technique, e.g. ("initial-access",)."""
    cluster = _attack_clusters().get(tid.upper())
    if cluster is None:
        return ()
    # The galaxy writes enterprise phases per platform: "attack-Windows:initial-access", "attack-SaaS:…".
    phases = cluster.get("meta", {}).get("kill_chain", [])
    return tuple(dict.fromkeys(p.split(":", 1)[1] for p in phases if p.startswith("attack-") and ":" in p))


def attack_url(tid: str) -> str:
    """The technique's page on attack.mitre.org (sub-techniques as /T1566/004/)."""
    return "https://attack.mitre.org/techniques/" + tid.upper().replace(".", "/") + "/"


_TECHNIQUE_ID = re.compile(r"^T\d{4}(?:\.\d{3})?$")


def is_technique_id(tid: str) -> bool:
    """Whether a string is an ATT&CK technique or sub-technique id ("T1566", "T1566.004")."""
    return _TECHNIQUE_ID.match(tid) is not None


# ------------------------------------------------------------------------------------------------------------
# Words: labels and a one-paragraph summary, built only from facts (no line without a fact behind it).

FIELD_WORDS = {
    "records_affected": "records affected",
    "data_exposed": "data exposed",
    "data_not_exposed": "data not exposed",
    "threat_actors": "threat actor",
    "campaigns": "campaign",
    "initial_access": "initial access",
    "ransom": "ransom",
    "response_actions": "response",
    "iocs": "indicator",
}


def fact_label(field_name: str, fact: Fact) -> str:
    """`"data exposed: email addresses (confirmed)"`: field, value and modality of one fact."""
    return (
        f"{FIELD_WORDS.get(field_name, field_name)}: {value_label(field_name, fact.value)} ({fact.modality})"
    )


def _listing(field_name: str, facts: Sequence[Fact]) -> str:
    """`"names, email addresses (confirmed); passwords (claimed)"`: grouped by modality, in order."""
    groups: dict[str, list[str]] = {}
    for f in facts:
        label = value_label(field_name, f.value)
        if label not in groups.setdefault(f.modality, []):
            groups[f.modality].append(label)
    return "; ".join(f"{', '.join(labels)} ({modality})" for modality, labels in groups.items())


def summary(merged: MergedIncident) -> str:
    """One paragraph on the incident, one sentence per field that has facts."""
    inc = merged.incident
    when = f" disclosed on {inc.disclosure_date}" if inc.disclosure_date else ""
    parts = [f"Data breach at {inc.victim}{when}."]
    if inc.records_affected is not None:
        parts.append(f"Records affected: {_listing('records_affected', (inc.records_affected,))}.")
    for name in ("data_exposed", "data_not_exposed", "threat_actors", "initial_access"):
        facts = getattr(inc, name)
        if facts:
            parts.append(f"{FIELD_WORDS[name].capitalize()}: {_listing(name, facts)}.")
    if inc.ransom is not None:
        parts.append(f"Ransom: {_listing('ransom', (inc.ransom,))}.")
    count = len(merged.sources)
    parts.append(f"From {count} source{'s' if count != 1 else ''} (breachlens incident {merged.id}).")
    return " ".join(parts)


# ------------------------------------------------------------------------------------------------------------
# IOCs: a value is exported as an indicator only when it is valid for its type.

_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s/?#]+\S*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


def normalise_ioc(ioc_type: str, value: str) -> str | None:
    """The canonical form of an IOC (hashes and domains lower-cased, CVEs upper-cased), None when invalid."""
    value = value.strip()
    if ioc_type in ("ipv4", "ipv6"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
        return str(address) if address.version == int(ioc_type[-1]) else None
    if ioc_type in _HEX_LENGTH:
        ok = len(value) == _HEX_LENGTH[ioc_type] and all(c in "0123456789abcdefABCDEF" for c in value)
        return value.lower() if ok else None
    if ioc_type == "domain":
        return value.lower() if _DOMAIN.match(value.lower()) else None
    checks = {"url": _URL, "email": _EMAIL, "cve": _CVE}
    if ioc_type in checks and checks[ioc_type].match(value):
        return value.upper() if ioc_type == "cve" else value
    return None
