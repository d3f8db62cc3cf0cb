"""Incident queries shared by the pages and the API: filters, facet counts, sorting, paging and chart data.

Why filters are split between SQL and Python: the store filters by sector, country, actor, data type, start
date and full text in SQL (indexed side tables and FTS5); modality and the end of a date range are not store
filters, so they are applied here to what the store returns, before counting facets and paging. Every date
shown, sorted on or filtered by is the store's first date (`Store.first_dates`), the one its `since` uses, so
the CLI's --since and the web's since/until agree on every incident.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import vocab
from ..dates import PARTIAL_DATE, on_or_before
from ..records import MergedIncident
from ..store import Store
from .security import plain_text

__all__ = [
    "FACETS",
    "SORTS",
    "IncidentQuery",
    "QueryResult",
    "incident_summaries",
    "incident_summary",
    "monthly_counts",
    "run_query",
    "top_data_types",
]

SORTS = ("-date", "date", "victim", "-victim", "-records", "records", "-sources", "sources", "-changed", "changed")
FACETS = ("sector", "country", "actor", "data_type", "modality")
DATE_PATTERN = PARTIAL_DATE
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


@dataclass(frozen=True)
class IncidentQuery:
    """What the list page and `GET /api/incidents` ask for; every field optional."""

    q: str | None = None
    sector: str | None = None
    country: str | None = None
    actor: str | None = None
    data_type: str | None = None
    modality: str | None = None
    since: str | None = None
    until: str | None = None
    sort: str = "-date"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def params(self, **changes: Any) -> dict[str, str]:
        """Non-empty query parameters, with `changes` applied (for links to other pages, sorts and filters)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        out = {k: str(v) for k, v in values.items() if v not in (None, "")}
        if out.get("sort") == "-date":
            del out["sort"]
        if out.get("page") == "1":
            del out["page"]
        if out.get("per_page") == str(DEFAULT_PER_PAGE):
            del out["per_page"]
        return out


@dataclass(frozen=True)
class QueryResult:
    """One page of incidents, the total that matched, and facet counts over everything that matched."""

    items: tuple[MergedIncident, ...]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _records(m: MergedIncident) -> int:
    """Record count for sorting (-1 when unknown, so unknowns sort below every count)."""
    count = m.incident.record_count
    return -1 if count is None else count


def _modalities(m: MergedIncident) -> set[str]:
    """Every modality any fact of the incident has."""
    return {fact.modality for _, fact in m.incident.facts()}


def _actors(m: MergedIncident) -> list[str]:
    """Canonical actor names of an incident."""
    return list(dict.fromkeys(str(f.value) for f in m.incident.threat_actors))


def _facet_values(m: MergedIncident) -> dict[str, list[str]]:
    """The values one incident contributes to each facet."""
    inc = m.incident
    return {
        "sector": [inc.sector] if inc.sector else [],
        "country": [inc.victim_country.upper()] if inc.victim_country else [],
        "actor": _actors(m),
        "data_type": list(dict.fromkeys(str(f.value) for f in inc.data_exposed)),
        "modality": sorted(_modalities(m)),
    }


def _sort_key(sort: str, changed: dict[str, tuple[str, str]] | None = None,
              dates: Mapping[str, str | None] | None = None) -> tuple[Any, bool]:
    """Key function and reverse flag for a sort name (see SORTS); `changed` holds the store's change times,
    `dates` its first dates."""
    name = sort.lstrip("-")
    reverse = sort.startswith("-")
    if name == "changed":
        times = changed or {}
        return (lambda m: (times.get(m.id, ("", ""))[1], m.id)), reverse
    if name == "victim":
        return (lambda m: (m.incident.victim.casefold(), m.id)), reverse
    if name == "records":
        return (lambda m: (_records(m), m.id)), reverse
    if name == "sources":
        return (lambda m: (len(m.sources), m.id)), reverse
    known = dates or {}
    return (lambda m: (known.get(m.id) or "", m.id)), reverse


def _store_version(store: Store) -> tuple[int, int] | None:
    """A key that changes whenever the SQLite store is written, by any connection; None for other backends.

    `PRAGMA data_version` moves on commits by other connections (a CLI ingest while serving) and
    `total_changes` on this connection's own writes. Reads the SQLite store's connection, as nothing public
    exposes a change counter; a backend without one is simply not cached.
    """
    conn = getattr(store, "_conn", None)
    lock = getattr(store, "_lock", None)
    if conn is None or lock is None or getattr(store, "_closed", True):
        return None
    with lock:
        (version,) = conn.execute("PRAGMA data_version").fetchone()
        return int(version), int(conn.total_changes)


# The unfiltered list (every incident, newest first, with facet counts) per store, kept until the store changes:
# parsing 10,000 stored incidents takes about 2.8 s, far over the list page's 200 ms budget.
_UNFILTERED: dict[int, tuple[tuple[int, int], list[MergedIncident], dict[str, list[tuple[str, int]]]]] = {}


def _facets(found: Iterable[MergedIncident]) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet value, most frequent first."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for m in found:
        for name, values in _facet_values(m).items():
            counters[name].update(values)
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for name, c in counters.items()}


def _unfiltered(store: Store) -> tuple[list[MergedIncident], dict[str, list[tuple[str, int]]]] | None:
    """Every incident and its facets, from the cache while the store is unchanged (None: not cacheable)."""
    version = _store_version(store)
    if version is None:
        return None
    cached = _UNFILTERED.get(id(store))
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    found = store.incidents()
    facets = _facets(found)
    _UNFILTERED[id(store)] = (version, found, facets)
    return found, facets


def run_query(store: Store, query: IncidentQuery) -> QueryResult:
    """Filter, count facets, sort and page the stored incidents (see the module docstring for who filters what)."""
    plain = not any(((plain_text(query.q) or "").strip(), query.sector, query.actor, query.data_type, query.since,
                     query.country, query.modality, query.until))
    snapshot = _unfiltered(store) if plain else None
    if snapshot is not None:
        found, facets = snapshot
        if query.sort != "-date":
            key, reverse = _sort_key(query.sort, _changed(store, query, found), _dates(store, query, found))
            found = sorted(found, key=key, reverse=reverse)
        start = (query.page - 1) * query.per_page
        return QueryResult(tuple(found[start : start + query.per_page]), len(found), query.page,
                           query.per_page, facets)
    found = store.incidents(
        sector=query.sector or None,
        actor=query.actor or None,
        data_type=query.data_type or None,
        since=query.since or None,
        search=(plain_text(query.q) or "").strip() or None,
        country=query.country or None,
    )
    if query.modality:
        found = [m for m in found if query.modality in _modalities(m)]
    if query.until:
        until, dates = query.until, store.first_dates([m.id for m in found])
        found = [m for m in found if on_or_before(dates.get(m.id), until)]
    facets = _facets(found)
    if query.sort != "-date":  # the store already returns newest (or best match) first
        key, reverse = _sort_key(query.sort, _changed(store, query, found), _dates(store, query, found))
        found = sorted(found, key=key, reverse=reverse)
    start = (query.page - 1) * query.per_page
    return QueryResult(tuple(found[start : start + query.per_page]), len(found), query.page, query.per_page,
                       facets)


def _changed(store: Store, query: IncidentQuery, found: Sequence[MergedIncident]) -> dict[str, tuple[str, str]] | None:
    """The incidents' (created, last changed) times when sorting by last change (issue 16), else None."""
    if query.sort.lstrip("-") != "changed":
        return None
    return store.incident_times([m.id for m in found])


def _dates(store: Store, query: IncidentQuery, found: Sequence[MergedIncident]) -> dict[str, str | None] | None:
    """The incidents' first dates when sorting by date, else None."""
    if query.sort.lstrip("-") != "date":
        return None
    return store.first_dates([m.id for m in found])


def incident_summaries(store: Store, incidents: Sequence[MergedIncident]) -> list[dict[str, Any]]:
    """`incident_summary` of each incident, dated by the store."""
    dates = store.first_dates([m.id for m in incidents])
    return [incident_summary(m, dates.get(m.id)) for m in incidents]


def incident_summary(m: MergedIncident, date: str | None) -> dict[str, Any]:
    """The short form of an incident for lists and search hits; `date` is its first date (Store.first_dates)."""
    inc = m.incident
    return {
        "id": m.id,
        "victim": inc.victim,
        "sector": inc.sector,
        "victim_country": inc.victim_country,
        "date": date,
        "records_affected": inc.records_affected.value if inc.records_affected else None,
        "data_exposed": list(dict.fromkeys(str(f.value) for f in inc.data_exposed)),
        "threat_actors": _actors(m),
        "sources": len(m.sources),
    }


def monthly_counts(incidents: Iterable[MergedIncident], dates: Mapping[str, str | None]) -> list[tuple[str, int]]:
    """Incidents per month ("YYYY-MM") of their first `dates`, every month from the first to the last present
    (gaps as 0)."""
    months = Counter(d[:7] for m in incidents if (d := dates.get(m.id)) and len(d) >= 7)
    if not months:
        return []
    first, last = min(months), max(months)
    out = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append((key, months.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def top_data_types(incidents: Sequence[MergedIncident], limit: int = 8) -> list[tuple[str, int]]:
    """The data types exposed in most incidents, most frequent first."""
    counts: Counter[str] = Counter()
    for m in incidents:
        counts.update(list(dict.fromkeys(str(f.value) for f in m.incident.data_exposed)))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def valid_value(facet: str, value: str) -> bool:
    """Whether a filter value is one the vocabulary knows (sector, data type, modality)."""
    allowed = {"sector": vocab.SECTORS, "data_type": vocab.DATA_TYPES, "modality": vocab.MODALITIES}
    return facet not in allowed or value in allowed[facet]
