"""Watchlists: what a user cares about, and whether a merged incident touches it.

A watchlist combines criteria; each criterion given must hold (AND), and within one criterion any value will do
(OR). So `--sector luxury-fashion --data payment_card --min-records 10000` means a luxury-fashion incident that
exposed card data of at least 10,000 records, while `--org Salesforce --org Snowflake` means either supplier.

How each criterion matches (every match keeps the quotes that support it, so an alert can cite them):

* organisations (`orgs`, `domains`): the incident's victim, its brands and its parent (the incident's own
  `parent`, else `enrich.parent_of`) against the watched names, their canonical spelling and curated aliases
  (`enrich.canonical_org` via `resolve.victim_key`, the resolver's own key). A watch on a parent group therefore
  fires for a breach of one of its brands (Kering for Gucci), and a watch on a brand fires when an incident
  names the brand. A watched domain matches a victim written as that domain or named like its first label
  ("loomfield.example" for "Loomfield").
* actors: the watched name, the canonical actor it is an alias of, and all galaxy aliases of that actor
  (`enrich.find_actors`, `enrich.actor_aliases`), compared without case, spaces or hyphens, against each
  threat actor of the incident (value and spelling as written).
* sectors, countries (ISO alpha-2), data types (`data_exposed` only), min_records (the merged count).
* min_modality: facts (data types, actors, record counts) weaker than this modality are ignored, e.g.
  "confirmed" leaves out what was only reported or claimed (`vocab.MODALITY_WEIGHT` orders them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ... import vocab
from ...errors import BreachlensError
from ...records import Evidence, Fact, MergedIncident

__all__ = ["Watchlist", "WatchlistError", "MatchReason", "match", "qualifies", "load_supplier_list", "actor_key"]

_NAME = re.compile(r"^[\w][\w .:-]{0,63}$")
_NON_ALNUM = re.compile(r"[\W_]+")
_CSV_NAME_COLUMNS = ("name", "organisation", "organization", "company", "supplier", "vendor")


# The values of one criterion: an incident meets the criterion when it matches any of them, and meets the
# watchlist when it meets every criterion given (an empty one is not applied).
AnyOf = tuple[str, ...]


class WatchlistError(BreachlensError):
    """A watchlist or a supplier list that cannot be used (the message names it and says why)."""


@dataclass(frozen=True)
class Watchlist:
    """What one user watches; empty criteria are not applied, and at least one must be given.

    Attributes:
        name: short identifier ("vendors", "luxury"): letters, digits, space, ".", ":", "-", "_".
        orgs: organisation names (a parent group covers its brands).
        domains: organisation domains ("veldra.example").
        sectors: vocab.SECTORS values.
        countries: ISO alpha-2 codes of the victim's country.
        actors: threat-actor names, any alias.
        data_types: vocab.DATA_TYPES values that must be among the exposed data.
        min_records: the incident's record count must be known and at least this.
        min_modality: ignore facts weaker than this (vocab.MODALITIES), None for every fact.
    """

    name: str
    orgs: AnyOf = ()
    domains: AnyOf = ()
    sectors: AnyOf = ()
    countries: AnyOf = ()
    actors: AnyOf = ()
    data_types: AnyOf = ()
    min_records: int | None = None
    min_modality: str | None = None

    def __post_init__(self) -> None:
        """Refuse a watchlist that could never be used (unknown vocabulary, no criterion, bad name)."""
        if not _NAME.match(self.name):
            raise WatchlistError(f"{self.name!r}: a watchlist name is 1-64 letters, digits, space, '.', ':', '-'")
        where = f"watchlist {self.name}"
        unknown_sectors = sorted(set(self.sectors) - set(vocab.SECTORS))
        if unknown_sectors:
            raise WatchlistError(f"{where}: unknown sector(s) {', '.join(unknown_sectors)}")
        unknown_types = sorted(set(self.data_types) - set(vocab.DATA_TYPES))
        if unknown_types:
            raise WatchlistError(f"{where}: unknown data type(s) {', '.join(unknown_types)}")
        bad_countries = sorted(c for c in self.countries if not re.fullmatch(r"[A-Za-z]{2}", c))
        if bad_countries:
            raise WatchlistError(f"{where}: countries are ISO alpha-2 codes, got {', '.join(bad_countries)}")
        if self.min_modality is not None and self.min_modality not in vocab.MODALITY_WEIGHT:
            raise WatchlistError(
                f"{where}: unknown modality {self.min_modality!r} (one of {', '.join(vocab.MODALITIES)})"
            )
        if self.min_records is not None and self.min_records < 0:
            raise WatchlistError(f"{where}: min_records must not be negative")
        if not (self.orgs or self.domains or self.sectors or self.countries or self.actors or self.data_types
                or self.min_records is not None):
            raise WatchlistError(f"{where}: give at least one criterion (org, domain, sector, country, actor, "
                                 "data type or minimum records)")

    def as_dict(self) -> dict[str, Any]:
        """JSON shape, as stored."""
        return {
            "name": self.name, "orgs": list(self.orgs), "domains": list(self.domains),
            "sectors": list(self.sectors), "countries": list(self.countries), "actors": list(self.actors),
            "data_types": list(self.data_types), "min_records": self.min_records, "min_modality": self.min_modality,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Watchlist:
        """Inverse of `as_dict`."""
        return cls(
            name=data["name"], orgs=tuple(data.get("orgs", ())), domains=tuple(data.get("domains", ())),
            sectors=tuple(data.get("sectors", ())), countries=tuple(data.get("countries", ())),
            actors=tuple(data.get("actors", ())), data_types=tuple(data.get("data_types", ())),
            min_records=data.get("min_records"), min_modality=data.get("min_modality"),
        )

    def describe(self) -> str:
        """One line saying what is watched."""
        parts = [f"{label}: {', '.join(values)}" for label, values in (
            ("orgs", self.orgs), ("domains", self.domains), ("sectors", self.sectors),
            ("countries", self.countries), ("actors", self.actors), ("data", self.data_types)) if values]
        if self.min_records is not None:
            parts.append(f"min records: {self.min_records:,}")
        if self.min_modality is not None:
            parts.append(f"only {self.min_modality} facts or stronger")
        return "; ".join(parts)


@dataclass(frozen=True)
class MatchReason:
    """Why an incident matches one criterion: which criterion, the incident's value, and the quotes behind it."""

    criterion: str
    value: str
    evidence: tuple[Evidence, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"criterion": self.criterion, "value": self.value, "evidence": [e.as_dict() for e in self.evidence]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchReason:
        """Inverse of `as_dict`."""
        return cls(data["criterion"], data["value"], tuple(Evidence.from_dict(e) for e in data.get("evidence", [])))


def qualifies(fact: Fact, watchlist: Watchlist) -> bool:
    """Whether a fact is strong enough for the watchlist's modality threshold."""
    if watchlist.min_modality is None:
        return True
    weight = vocab.MODALITY_WEIGHT.get(fact.modality, 0.0)
    return weight >= vocab.MODALITY_WEIGHT[watchlist.min_modality]


def match(watchlist: Watchlist, merged: MergedIncident) -> tuple[MatchReason, ...] | None:
    """The reasons `merged` matches every criterion of `watchlist`, or None when one criterion fails."""
    reasons: list[MatchReason] = []
    for check in (_match_org, _match_sector, _match_country, _match_actor, _match_data, _match_records):
        found = check(watchlist, merged)
        if found is None:
            continue  # criterion not used by this watchlist
        if not found:
            return None
        reasons.extend(found)
    return tuple(reasons)


# -- criteria: each returns None when unused, [] when it fails, else its reasons ------------------------------


def _match_org(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """Victim, brands or parent against the watched names and domains."""
    if not (wl.orgs or wl.domains):
        return None
    from ...analysis.enrich import parent_of

    inc = merged.incident
    candidates: list[tuple[str, str, tuple[Evidence, ...]]] = [("victim", inc.victim, inc.evidence_for("victim"))]
    candidates += [("brand", b, inc.evidence_for("brands") or inc.evidence_for("victim")) for b in inc.brands]
    parent = inc.parent or parent_of(inc.victim)
    if parent:
        candidates.append(("parent", parent, inc.evidence_for("parent") or inc.evidence_for("victim")))
    watched = _watched_org_keys(wl.orgs, wl.domains)
    reasons = []
    for role, name, evidence in candidates:
        hit = watched.get(_org_key(name))
        if hit is None:
            continue
        if role == "victim":
            label = name
        elif role == "parent":
            label = f"{inc.victim}, a brand of {name}"
        else:
            label = f"{name}, a brand named in the {inc.victim} incident"
        if _org_key(hit) != _org_key(name):
            label += f" (watched as {hit})"
        reasons.append(MatchReason("organisation", label, evidence))
    return reasons


def _watched_org_keys(orgs: Iterable[str], domains: Iterable[str]) -> dict[str, str]:
    """Key -> watched entry, for every watched name, its canonical form, aliases and domain labels."""
    from ...analysis.enrich import org_profile

    out: dict[str, str] = {}
    for name in orgs:
        profile = org_profile(name)
        names = [name] + ([profile.name, *profile.aliases] if profile else [])
        for n in names:
            out.setdefault(_org_key(n), name)
    for domain in domains:
        host = re.sub(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?", "", domain.strip().lower()).split("/")[0]
        for n in (host, host.split(".")[0]):
            if n:
                out.setdefault(_org_key(n), domain)
    out.pop("", None)
    return out


def _org_key(name: str) -> str:
    """The resolver's victim key (canonical organisation, case, accents and legal suffixes ignored)."""
    from ...analysis.resolve import victim_key

    return victim_key(name)


def _match_sector(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """The incident's sector among the watched ones."""
    if not wl.sectors:
        return None
    inc = merged.incident
    if inc.sector in wl.sectors:
        return [MatchReason("sector", inc.sector, inc.evidence_for("sector"))]
    return []


def _match_country(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """The victim's country among the watched ones."""
    if not wl.countries:
        return None
    inc = merged.incident
    if inc.victim_country and inc.victim_country.upper() in {c.upper() for c in wl.countries}:
        return [MatchReason("country", inc.victim_country.upper(), inc.evidence_for("victim_country"))]
    return []


def _match_actor(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """A threat actor of the incident is a watched actor under any alias."""
    if not wl.actors:
        return None
    watched: dict[str, str] = {}
    for name in wl.actors:
        for key in actor_names(name):
            watched.setdefault(key, name)
    reasons = []
    for fact in merged.incident.threat_actors:
        if not qualifies(fact, wl):
            continue
        names = {actor_key(str(n)) for n in (fact.value, fact.as_written) if n}
        hit = next((watched[k] for k in sorted(names) if k in watched), None)
        if hit is None:
            continue
        label = str(fact.value)
        if fact.as_written and fact.as_written != fact.value:
            label += f" (written {fact.as_written!r})"
        if actor_key(hit) not in names:
            label += f" (watched as {hit})"
        reasons.append(MatchReason("actor", label, fact.evidence))
    return reasons


def actor_key(name: str) -> str:
    """An actor name compared without case, spaces, hyphens or punctuation ("Shiny-Hunters" == "shinyhunters")."""
    return _NON_ALNUM.sub("", name.casefold())


@lru_cache(maxsize=256)
def actor_names(name: str) -> frozenset[str]:
    """Keys of every name of the actor `name` may be: itself, its canonical actor, and their galaxy aliases."""
    from ...analysis.enrich import actor_aliases, find_actors

    canon = {name}
    canon.update(m.canonical for m in find_actors(name) if m.start == 0 and m.end == len(name))
    names = set(canon)
    for c in canon:
        names.update(actor_aliases(c))
    return frozenset(k for k in (actor_key(n) for n in names) if k)


def _match_data(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """An exposed data type among the watched ones."""
    if not wl.data_types:
        return None
    return [
        MatchReason("data", str(f.value), f.evidence)
        for f in merged.incident.data_exposed
        if f.value in wl.data_types and qualifies(f, wl)
    ]


def _match_records(wl: Watchlist, merged: MergedIncident) -> list[MatchReason] | None:
    """The merged record count is known, strong enough, and at least the minimum."""
    if wl.min_records is None:
        return None
    fact = merged.incident.records_affected
    count = merged.incident.record_count
    if fact is None or count is None or count < wl.min_records or not qualifies(fact, wl):
        return []
    return [MatchReason("records", f"{count:,}", fact.evidence)]


# -- supplier lists -----------------------------------------------------------------------------------------


def load_supplier_list(path: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Organisation names and domains from a supplier list: a CSV with a name column (and optionally a domain
    column), or one name per line (blank lines and # comments skipped). WatchlistError when nothing is in it."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read the supplier list: {exc}") from exc
    names, domains = _parse_supplier_text(text)
    if not names and not domains:
        raise WatchlistError(f"{path}: no organisation names in it")
    return names, domains


def _parse_supplier_text(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSV when the first line has a known name column, else one name per line."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return (), ()
    header = [h.strip().casefold() for h in next(csv.reader([lines[0]]))]
    name_col = next((header.index(c) for c in _CSV_NAME_COLUMNS if c in header), None)
    if name_col is None:
        return tuple(dict.fromkeys(ln.strip() for ln in lines)), ()
    domain_col = next((header.index(c) for c in ("domain", "website", "url") if c in header), None)
    names: list[str] = []
    domains: list[str] = []
    for row in csv.reader(io.StringIO("\n".join(lines[1:]))):
        if name_col < len(row) and row[name_col].strip():
            names.append(row[name_col].strip())
        if domain_col is not None and domain_col < len(row) and row[domain_col].strip():
            domains.append(row[domain_col].strip())
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(domains))
