"""Incident queries shared by the pages and the API: filters, facet counts, sorting, paging and chart data.

Why everything goes to the store: it filters (sector, country, actor, data type, modality, dates, full text),
sorts, pages and counts facets in SQL (indexed side tables, FTS), so a list request reads one page of incidents
whatever the store holds (issue 16). Every date shown, sorted on or filtered by is the store's first date
(`Store.first_dates`), the one its `since` and `until` use, so the CLI's --since and the web's since/until agree
on every incident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from fastapi import Query

from ... import vocab
from ...dates import PARTIAL_DATE
from ...records import MergedIncident
from ...store import FACETS, INCIDENT_ORDERS, IncidentFilter, Store
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
]

SORTS = INCIDENT_ORDERS
DATE_PATTERN = PARTIAL_DATE
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
# The page parameters of every paged list (pages and API alike).
Page = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


@dataclass(frozen=True)
class IncidentQuery(IncidentFilter):
    """What the list page and `GET /api/incidents` ask for: the store's filters (`search` is the `q`
    parameter), a sort (one of SORTS) and a page; every field optional."""

    sort: str = "-date"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def q(self) -> str | None:
        """The search words as the user typed them (the `q` parameter)."""
        return self.search

    def params(self, **changes: Any) -> dict[str, str]:
        """Non-empty query parameters, with `changes` applied (for links to other pages, sorts and filters)."""
        values = {"q" if name == "search" else name: getattr(self, name) for name in self.__dataclass_fields__}
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


def _actors(m: MergedIncident) -> list[str]:
    """Canonical actor names of an incident."""
    return list(dict.fromkeys(str(f.value) for f in m.incident.threat_actors))


def query_filter(query: IncidentQuery) -> IncidentFilter:
    """The store filter of a list query: its filters, the search read as plain text (an empty or
    control-character-only search is no search) and empty values as no filter."""
    values = {name: getattr(query, name) or None for name in IncidentFilter.__dataclass_fields__}
    return IncidentFilter(**{**values, "search": (plain_text(query.search) or "").strip() or None})


def run_query(store: Store, query: IncidentQuery) -> QueryResult:
    """One page of the incidents the query selects: filtered, sorted, paged and counted in SQL, so a request
    reads and parses only the incidents it shows (a year of feeds is tens of thousands)."""
    filters = query_filter(query)
    counts = store.incident_counts(filters)
    items = store.incidents(
        **asdict(filters), order=query.sort, limit=query.per_page, offset=(query.page - 1) * query.per_page
    )
    return QueryResult(tuple(items), counts.total, query.page, query.per_page, counts.facets)


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


def monthly_counts(months: Mapping[str, int]) -> list[tuple[str, int]]:
    """Incidents per month ("YYYY-MM", as `Store.incident_months` counts them), every month from the first to
    the last present (gaps as 0)."""
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


def valid_value(facet: str, value: str) -> bool:
    """Whether a filter value is one the vocabulary knows (sector, data type, modality)."""
    allowed = {"sector": vocab.SECTORS, "data_type": vocab.DATA_TYPES, "modality": vocab.MODALITIES}
    return facet not in allowed or value in allowed[facet]
