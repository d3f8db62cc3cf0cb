"""VERIS 1.4 export: one VERIS incident per breachlens incident, valid for the VERIS Community Schema 1.4.1.

Where each VERIS section comes from:

* `action`, `asset`: each access vector through `data/veris_map.toml` ([vector.*]); a ransom adds
  social/Extortion; a CVE among the IOCs goes to `action.hacking.cve` when there is a hacking action. No
  vector: `action.unknown`. `action.social.target` and `asset.cloud` are "Unknown": articles do not say them.
* `actor`: named threat actors -> `actor.external.name`; the insider vector -> `actor.internal`; any other
  action -> an external actor of unknown variety; nothing -> `actor.unknown`. Motive is Financial when a
  ransom was demanded, else Unknown.
* `attribute.confidentiality`: data varieties from `vocab.VERIS_DATA_VARIETY` (the one data-type table),
  `data_total` from records affected, `data_disclosure` from the modality of the exposure facts
  ([data_disclosure]).
* `victim`: name, NAICS industry from the sector ([naics]), country; `government` "NA" outside public
  administration (NAICS 92), else "Unknown" (the level of government is not something we extract).
* `timeline.incident` from the incident date, else the disclosure date, else the first known day (timeline,
  sources' publication), else the export year (below); `timeline.discovery` in days when incident and
  detection days are known.
* `discovery_method`: "Actor disclosure" when the timeline has the attacker's claim, else unknown.
* `summary`, `reference` (the sources, "; "-separated), `notes` (every quote, one line per fact: the
  evidence), `confidence` from the mean merged confidence ([confidence]), and `plus` (ids, dates, credit
  monitoring, and `plus.timeline.incident_year`: which of the above gave the incident year).

VERIS requires `timeline.incident.year` and has no "Unknown" for it. When no source states any year, the year
is the export's (the incident happened no later than that) and the record says so: `plus.timeline.
incident_year` is "export year: no date in the sources", and a line of `notes` repeats it. Only then does the
output depend on the clock (`today`).

The output is JSON Lines, one incident per line (the form VCDB tools read); one incident is one line, which
is also a JSON document.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from ... import vocab
from ...dates import parse_date
from ...records import DocumentAnalysis, Fact, MergedIncident
from ..report import value_label
from ._common import (
    FIELD_WORDS,
    documents_by_source,
    export_times,
    incident_dates,
    normalise_ioc,
    quote_lines,
    stable_uuid,
    summary,
)

__all__ = ["export_veris", "veris_incident", "veris_map"]

# plus.timeline.incident_year when the sources give no year at all.
NO_YEAR = "export year: no date in the sources"
_MODALITY_RANK = {"confirmed": 3, "reported": 2, "suspected": 1, "claimed": 0}
_DISCLOSURE_RANK = {"Yes": 2, "Potentially": 1, "Unknown": 0}


@lru_cache(maxsize=1)
def veris_map() -> dict[str, Any]:
    """The packaged breachlens -> VERIS table (data/veris_map.toml), checked for every vector and sector."""
    with resources.files("breachlens").joinpath("data", "veris_map.toml").open("rb") as fh:
        data = tomllib.load(fh)
    missing = [v for v in vocab.ACCESS_VECTORS if v != "unknown" and v not in data["vector"]]
    missing += [s for s in vocab.SECTORS if s not in data["naics"]]
    missing += [m for m in vocab.MODALITIES if m not in data["data_disclosure"]]
    if missing:
        raise ValueError(f"veris_map.toml: no entry for {', '.join(missing)}")
    return data


def _add_action(
    actions: dict[str, dict[str, list[str]]], category: str, variety: list[str], vector: list[str]
) -> None:
    """Unite varieties and vectors of one action category, keeping first-seen order."""
    entry = actions.setdefault(category, {"variety": [], "vector": []})
    for key, values in (("variety", variety), ("vector", vector)):
        for v in values:
            if v not in entry[key]:
                entry[key].append(v)


def _drop_unknown(values: list[str]) -> list[str]:
    """ "Unknown" only when nothing else is known."""
    known = [v for v in values if v != "Unknown"]
    return known or ["Unknown"]


def _action_and_asset(merged: MergedIncident) -> tuple[dict[str, Any], dict[str, Any]]:
    """VERIS `action` and `asset` from the access vectors, the ransom and CVEs."""
    inc = merged.incident
    table = veris_map()["vector"]
    actions: dict[str, dict[str, list[str]]] = {}
    assets: list[str] = []
    for fact in inc.initial_access:
        row = table.get(fact.value)
        if row is None:
            continue
        _add_action(actions, row["category"], row["variety"], row["vector"])
        if row["asset"] not in assets:
            assets.append(row["asset"])
    if inc.ransom is not None:
        ransom = veris_map()["ransom"]
        _add_action(actions, ransom["category"], ransom["variety"], ransom["vector"])
    action: dict[str, Any] = {
        k: {"variety": _drop_unknown(v["variety"]), "vector": _drop_unknown(v["vector"])}
        for k, v in actions.items()
    }
    cves = [
        c for f in inc.iocs if (f.type or "").lower() == "cve" if (c := normalise_ioc("cve", str(f.value)))
    ]
    if cves and "hacking" in action:
        action["hacking"]["cve"] = cves[0]
    if "social" in action:
        action["social"]["target"] = ["Unknown"]
    if not action:
        action = {"unknown": {}}
    asset = {"assets": [{"variety": v} for v in _drop_unknown(assets or ["Unknown"])], "cloud": ["Unknown"]}
    return action, asset


def _actor(merged: MergedIncident, action: dict[str, Any]) -> dict[str, Any]:
    """VERIS `actor` (see the module docstring)."""
    inc = merged.incident
    motive = ["Financial"] if inc.ransom is not None else ["Unknown"]
    actor: dict[str, Any] = {}
    names = list(dict.fromkeys(str(f.value) for f in inc.threat_actors))
    insider = any(f.value == "insider" for f in inc.initial_access)
    if names or (set(action) - {"unknown", "error", "misuse"}):
        actor["external"] = {"variety": ["Unknown"], "motive": motive}
        if names:
            actor["external"]["name"] = names
    if insider:
        actor["internal"] = {"variety": ["Unknown"], "motive": ["Unknown"]}
    return actor or {"unknown": {}}


def _confidentiality(merged: MergedIncident) -> dict[str, Any] | None:
    """`attribute.confidentiality` from exposed data and records affected; None when neither is known."""
    inc = merged.incident
    records = inc.records_affected
    if not inc.data_exposed and records is None:
        return None
    varieties = list(
        dict.fromkeys(vocab.VERIS_DATA_VARIETY.get(str(f.value), "Unknown") for f in inc.data_exposed)
    )
    disclosure = "Unknown"
    for fact in (*inc.data_exposed, *([records] if records else [])):
        value = veris_map()["data_disclosure"].get(fact.modality, "Unknown")
        if _DISCLOSURE_RANK[value] > _DISCLOSURE_RANK[disclosure]:
            disclosure = value
    out: dict[str, Any] = {
        "data": [{"variety": v} for v in varieties] or [{"variety": "Unknown"}],
        "data_disclosure": disclosure,
    }
    if inc.record_count is not None:
        out["data_total"] = inc.record_count
    return out


def _ymd(value: str | None) -> dict[str, int] | None:
    """A contract date as VERIS {year, month, day} (only the known parts)."""
    parsed = parse_date(value)
    if parsed is None:
        return None
    out = {"year": parsed.year}
    if parsed.month:
        out["month"] = parsed.month
    if parsed.day:
        out["day"] = parsed.day
    return out


def _incident_year(
    merged: MergedIncident, docs: dict[str, DocumentAnalysis], today: date
) -> tuple[dict[str, int], str]:
    """`timeline.incident` and what it came from, best evidence first (see the module docstring)."""
    inc = merged.incident
    for basis, value in (("incident date", inc.incident_date), ("disclosure date", inc.disclosure_date)):
        when = _ymd(value)
        if when is not None:
            return when, basis
    days = incident_dates(merged, docs)
    if days:
        return {"year": days[0].year}, "earliest known date"
    return {"year": today.year}, NO_YEAR


def _timeline(
    merged: MergedIncident, docs: dict[str, DocumentAnalysis], today: date
) -> tuple[dict[str, Any], str]:
    """`timeline.incident` and `.discovery`, and the basis of the incident year."""
    inc = merged.incident
    when, basis = _incident_year(merged, docs, today)
    timeline: dict[str, Any] = {"incident": when}
    began = parse_date(inc.incident_date)
    detected = next((parse_date(t.date) for t in inc.timeline if t.kind == "detection"), None)
    if began and detected and began.precision == "day" and detected.precision == "day":
        gap = (detected.first_day - began.first_day).days
        if gap >= 0:
            timeline["discovery"] = {"unit": "Days", "value": gap}
    return timeline, basis


def _confidence(merged: MergedIncident) -> str | None:
    """VERIS confidence level from the mean merged confidence of the facts."""
    values = [f.confidence for _, f in merged.incident.facts() if f.confidence is not None]
    if not values:
        return None
    mean = sum(values) / len(values)
    levels: list[tuple[str, float]] = sorted(veris_map()["confidence"].items(), key=lambda kv: -kv[1])
    return next(level for level, floor in levels if mean >= floor)


def _notes(merged: MergedIncident, year_basis: str) -> str:
    """Every fact with its modality and quotes, one per line: the evidence behind the record."""
    lines = [f"timeline.incident.year: {year_basis}"] if year_basis == NO_YEAR else []
    inc = merged.incident
    for field_name, evidence in inc.field_evidence:
        value = getattr(inc, field_name, None)
        if evidence and isinstance(value, str):
            lines.append(f"{field_name.replace('_', ' ')}: {value}: {' | '.join(quote_lines(evidence))}")
    for field_name, fact in inc.facts():
        lines.append(_fact_note(field_name, fact))
    return "\n".join(lines)


def _fact_note(field_name: str, fact: Fact) -> str:
    """`data exposed: email addresses (confirmed): “quote” (source)`."""
    head = (
        f"{FIELD_WORDS.get(field_name, field_name)}: {value_label(field_name, fact.value)} ({fact.modality})"
    )
    return f"{head}: {' | '.join(quote_lines(fact.evidence))}" if fact.evidence else head


def _government(industry: str) -> list[str]:
    """`victim.government`: "NA" outside public administration (NAICS 92); there, or unsure, "Unknown"."""
    return ["Unknown"] if industry.startswith("92") or industry == "000" else ["NA"]


def _today() -> date:
    """The export's UTC day (only used for the year of an incident with no date in any source)."""
    return datetime.now(UTC).date()


def veris_incident(
    merged: MergedIncident, documents: Sequence[DocumentAnalysis], today: date | None = None
) -> dict[str, Any]:
    """The VERIS 1.4 incident of one breachlens incident, as a dict."""
    docs = documents_by_source(documents)
    inc = merged.incident
    action, asset = _action_and_asset(merged)
    master_id = stable_uuid(merged.id, "veris")
    created, modified = export_times(merged, docs)
    confirmed = any(f.modality == "confirmed" for _, f in inc.facts())
    industry = veris_map()["naics"].get(inc.sector or "", "000")
    timeline, year_basis = _timeline(merged, docs, today or _today())
    out: dict[str, Any] = {
        "schema_version": veris_map()["schema_version"],
        "incident_id": str(master_id).upper(),
        "source_id": "breachlens",
        "security_incident": "Confirmed" if confirmed else "Suspected",
        "summary": summary(merged),
        "reference": "; ".join(merged.sources),
        "discovery_method": (
            {"external": {"variety": ["Actor disclosure"]}}
            if any(t.kind == "claim" for t in inc.timeline)
            else {"unknown": True}
        ),
        "victim": {
            "victim_id": inc.victim,
            "industry": industry,
            "government": _government(industry),
            "country": [inc.victim_country.upper()] if inc.victim_country else ["Unknown"],
            "employee_count": "Unknown",
        },
        "timeline": timeline,
        "actor": _actor(merged, action),
        "action": action,
        "asset": asset,
        "impact": {"overall_rating": "Unknown"},
        "plus": {
            "master_id": str(master_id),
            "analysis_status": "First pass",
            "analyst": "breachlens",
            "timeline": {"incident_year": year_basis},
        },
    }
    if incident_dates(merged, docs):  # no known day: no invented dates either
        out["plus"]["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        out["plus"]["modified"] = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    confidentiality = _confidentiality(merged)
    if confidentiality is not None:
        out["attribute"] = {"confidentiality": confidentiality}
    confidence = _confidence(merged)
    if confidence is not None:
        out["confidence"] = confidence
    notes = _notes(merged, year_basis)
    if notes:
        out["notes"] = notes
    if any(f.value == "credit_monitoring_offered" for f in inc.response_actions):
        out["plus"]["credit_monitoring"] = "Yes"  # 1.4 has no credit_monitoring under plus.attribute
    notified = next((_ymd(t.date) for t in inc.timeline if t.kind == "notification"), None)
    if notified:
        out["plus"]["timeline"]["notification"] = notified
    return out


def export_veris(
    incidents: Sequence[MergedIncident], documents: Sequence[DocumentAnalysis], today: date | None = None
) -> str:
    """VERIS JSON Lines: one incident object per line, in the order given."""
    day = today or _today()
    return "\n".join(json.dumps(veris_incident(m, documents, day), ensure_ascii=False) for m in incidents)
