"""Where documents and resolved incidents are kept: a `Store` interface and `open_store` to pick a backend.

Why a thin interface: the per-document stages never touch the store, and only `resolve`, the CLI and the web
layer do, through the methods below. SQLite (standard library, one file, WAL) is the default; PostgreSQL for
teams (`store/postgres.py`, chosen by a `postgresql://` URL) implements the same methods, so no caller changes.

    with open_store("breachlens.db") as store:
        new = store.add_documents(batch)            # one transaction, already-stored sha256s are skipped
        ingest.refresh_incidents(store, settings)   # resolves only the blocks the new documents touch
        for incident in store.incidents(sector="retail", since="2025-06"):
            ...

Both backends are `store/sql.py`'s `SQLStore`: the statements are written once, and each backend adds its
connection and a small `Dialect` (placeholders, collation, `IN` lists, full-text search, locking).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..closing import Closing
from ..errors import StoreError
from ..records import CleanDocument, DocumentAnalysis, MergedIncident, RawDocument
from ..records import Validators as Validators  # a record (the fetcher needs no store), still read here

if TYPE_CHECKING:
    from .sql import IncidentChange, KeysOf, ResolveOutcome, Resolver

# Validators and FeedStatus (web fetching state) are importable from here too; the public list is kept as the store
# tests pin it.
__all__ = ["Store", "StoredDocument", "DocumentHit", "open_store", "StoreError"]


@dataclass(frozen=True)
class StoredDocument:
    """One document as the store keeps it: the bytes acquired, the cleaned text, and what was read from it."""

    raw: RawDocument
    clean: CleanDocument
    analysis: DocumentAnalysis


class DocumentHit(NamedTuple):
    """A full-text match: which document, and a snippet of its text with the matched terms in [brackets]."""

    sha256: str
    source: str
    snippet: str


class FeedStatus(NamedTuple):
    """The last outcome of polling one feed: when it last worked, its last error, failures in a row."""

    feed_url: str
    last_ok_at: str | None
    last_error_at: str | None
    last_error: str | None
    consecutive_failures: int


class StoredAlert(NamedTuple):
    """An alert as the store keeps it (issue 9).

    `key` is stable (the same change for the same watchlist and incident always gives the same key), `data` is
    the alert's JSON (`alerts.Alert.as_dict`), and `fact_keys` are every fact of the incident the watchlist has
    now been told about (recorded with the alert, so the same facts never raise another alert).
    """

    key: str
    watchlist: str
    incident_id: str
    created_at: str
    data: dict[str, Any]
    fact_keys: tuple[str, ...] = ()


class Delivery(NamedTuple):
    """One alert queued for one notifier channel: "pending" until delivered, with its attempts and last error."""

    alert_key: str
    channel: str
    status: str
    attempts: int
    queued_at: str
    next_attempt_at: str
    last_error: str | None
    delivered_at: str | None


# What the incident list counts and filters by besides the plain columns (`incident_facets`, `IncidentCounts`).
FACETS = ("sector", "country", "actor", "data_type", "modality")
# How `Store.incidents` can sort: a name, descending with a leading "-" (ties broken by id, the same way).
INCIDENT_ORDERS = (
    "-date", "date", "victim", "-victim", "-records", "records", "-sources", "sources", "-changed", "changed"
)


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents `Store.incidents` and `Store.incident_counts` select: every given field must hold.

    sector: exact sector (vocab.SECTORS). actor: threat actor, canonical name or as written, case-insensitive.
    data_type: a value of `data_exposed`. since / until: "YYYY", "YYYY-MM" or "YYYY-MM-DD", compared with the
    incident's earliest known date (incident, disclosure or timeline date, else its sources' published date) at
    the coarser of the two precisions, so an incident dated only "2025" is kept for since="2025-06"; undated
    incidents are left out. search: words that must all appear in the victim, brand, parent, actor or campaign
    names or in the quotes (FTS syntax is not interpreted). country: ISO alpha-2, case-insensitive.
    changed_since: created or updated at or after this UTC date or time (the change log's times). modality: with
    a fact of this modality.
    """

    sector: str | None = None
    actor: str | None = None
    data_type: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None
    country: str | None = None
    changed_since: str | None = None
    modality: str | None = None


class IncidentCounts(NamedTuple):
    """How many incidents a filter selects, and per facet (sector, country, actor, data type, modality) how many
    of them have each value, most frequent first."""

    total: int
    facets: dict[str, list[tuple[str, int]]]


class Store(Closing):
    """Documents and resolved incidents; every write method is all-or-nothing.

    Use as `with open_store(path) as store:` to close it on the way out, whatever happened.
    """

    @abstractmethod
    def has_document(self, sha256: str) -> bool:
        """Whether a document with these raw bytes is stored (lets acquire skip re-analysis)."""

    @abstractmethod
    def add_documents(self, batch: Sequence[StoredDocument]) -> int:
        """Store new documents in one transaction, skip already-stored sha256s, return how many were new."""

    @abstractmethod
    def document(self, key: str) -> StoredDocument | None:
        """The document with this sha256, or the latest one with this source; None when there is none."""

    @abstractmethod
    def document_analyses(
        self, sources: Iterable[str] | None = None, limit: int | None = None, offset: int = 0
    ) -> list[DocumentAnalysis]:
        """The latest analysis of each source (of `sources`, else all), by source, text and sha256 filled in;
        without `sources`, `limit` and `offset` page through them in SQL (`counts()["sources"]` is the total)."""

    @abstractmethod
    def search_documents(self, query: str, limit: int = 20) -> list[DocumentHit]:
        """Documents whose title or text hold every word of `query`, best first (no FTS syntax is read)."""

    @abstractmethod
    def replace_incidents(self, merged: Sequence[MergedIncident]) -> None:
        """Make `merged` the stored set of incidents in one transaction (unchanged ones are not rewritten)."""

    @abstractmethod
    def incidents(
        self,
        sector: str | None = None,
        actor: str | None = None,
        data_type: str | None = None,
        since: str | None = None,
        search: str | None = None,
        country: str | None = None,
        limit: int | None = None,
        changed_since: str | None = None,
        order: str = "-date",
        offset: int = 0,
        until: str | None = None,
        modality: str | None = None,
        after: tuple[str, str] | None = None,
    ) -> list[MergedIncident]:
        """Stored incidents matching every given filter (see `IncidentFilter`), one page, sorted in SQL.

        Args:
            limit: at most this many incidents.
            order: one of INCIDENT_ORDERS; "-date" (the default) is the earliest date, newest first, and puts the
                best match first when searching; "-changed" is last change first.
            offset: skip this many (pages of `limit`).
            after: keyset paging for order "changed": only incidents whose (updated_at, id) sorts after this
                pair, so a page boundary does not move when incidents change meanwhile (TAXII's `next`).
        """

    @abstractmethod
    def incident_counts(self, filters: IncidentFilter, facets: Sequence[str] = FACETS) -> IncidentCounts:
        """How many incidents `filters` selects, and its counts of each of `facets`, counted in SQL (no incident
        is read): `incident_counts(IncidentFilter(), ("actor",))` is every actor with its number of incidents."""

    @abstractmethod
    def incident_months(self, filters: IncidentFilter) -> dict[str, int]:
        """Month ("YYYY-MM") -> how many of the incidents `filters` selects have their first date in it (incidents
        dated only by year are left out), counted in SQL."""

    def each_incident(
        self, batch: int = 500, after: tuple[str, str] | None = None, **filters: Any
    ) -> Iterator[MergedIncident]:
        """Every incident `filters` (those of `incidents`) select, read `batch` at a time by last change then id
        (keyset paging, from after `after`), so a pass over the whole store holds one batch, not the store."""
        while True:
            found = self.incidents(order="changed", after=after, limit=batch, **filters)
            yield from found
            if len(found) < batch:
                return
            after = (found[-1].updated_at or "", found[-1].id)

    @abstractmethod
    def incident(self, incident_id: str) -> MergedIncident | None:
        """The incident with this id, or None."""

    @abstractmethod
    def previous_ids(self, sources: Iterable[str] | None = None) -> dict[str, str]:
        """Source -> id of the stored incident the source is mainly about (so the resolver keeps ids)."""

    @abstractmethod
    def resolve_pending(self, resolver: Resolver, keys_of: KeysOf, full: bool = False) -> ResolveOutcome:
        """Resolve the blocks documents stored since the last resolve touch, with their change log, atomically."""

    @abstractmethod
    def changes(self, since: str | None = None, after_seq: int | None = None,
                incident_id: str | None = None, limit: int | None = None) -> list[IncidentChange]:
        """The incident change log, oldest first (at/after `since`, after `after_seq`, of one incident)."""

    @abstractmethod
    def last_change(self) -> int:
        """The newest change-log entry's sequence number (0 when none)."""

    @abstractmethod
    def incident_times(self, ids: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """Incident id -> (created_at, updated_at)."""

    @abstractmethod
    def first_dates(self, ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """Incident id -> its earliest known date (`dates.first_date`, with the sources' published dates), the
        date `incidents(since=...)` filters and sorts on: the web shows, sorts and filters by the same one."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How much is stored: documents, sources, incidents, and the schema version."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; safe to call twice."""

    # -- web fetching state -----------------------------------------------------------------------------------

    @abstractmethod
    def validators(self, url: str) -> Validators | None:
        """The ETag / Last-Modified remembered for `url`, or None."""

    @abstractmethod
    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last successful fetch of `url` (replacing older ones)."""

    @abstractmethod
    def seen_feed_items(self, urls: Sequence[str]) -> set[str]:
        """Which of `urls` were already taken from a feed (any feed)."""

    @abstractmethod
    def mark_feed_items(self, feed_url: str, items: Sequence[tuple[str, str | None]]) -> None:
        """Record (url, guid) items of `feed_url` as taken, in one transaction; already-seen ones are kept."""

    @abstractmethod
    def record_feed_result(self, feed_url: str, error: str | None) -> None:
        """Record one poll of `feed_url`: success when `error` is None, else the one-line reason."""

    @abstractmethod
    def feed_status(self, feed_url: str | None = None) -> list[FeedStatus]:
        """The recorded outcome of every polled feed (or just `feed_url`), by feed URL."""

    # -- watchlists and alerts (issue 9) ---------------------------------------------------------------------

    @abstractmethod
    def save_watchlist(self, name: str, spec: dict[str, Any]) -> None:
        """Create or replace the watchlist `name` with its criteria (`alerts.Watchlist.as_dict`)."""

    @abstractmethod
    def watchlists(self) -> dict[str, dict[str, Any]]:
        """Every watchlist's criteria, by name."""

    @abstractmethod
    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and what it was told about (its alerts stay); False when there was none."""

    @abstractmethod
    def alert_fact_keys(self, watchlist: str, incident_id: str) -> set[str]:
        """Facts of `incident_id` that `watchlist` has already been alerted about (empty before a first match)."""

    @abstractmethod
    def add_alerts(self, alerts: Sequence[StoredAlert], channels: Sequence[str]) -> list[str]:
        """Store alerts, record their fact keys and queue each new one for every channel, in one transaction.

        An alert whose key is already stored is skipped; returns the keys that were new.
        """

    @abstractmethod
    def alerts(
        self, since: str | None = None, watchlist: str | None = None, pending: bool = False,
        limit: int | None = None,
    ) -> list[StoredAlert]:
        """Stored alerts, newest first: created on/after `since` (an ISO date or time prefix), of one watchlist,
        or only those with a delivery still pending."""

    @abstractmethod
    def deliveries(
        self, alert_key: str | None = None, channel: str | None = None, status: str | None = None,
        due_by: str | None = None,
    ) -> list[Delivery]:
        """Queued deliveries matching every given filter (`due_by`: next attempt at or before this UTC time)."""

    @abstractmethod
    def record_delivery(
        self, alert_key: str, channel: str, at: str, error: str | None = None, retry_at: str | None = None
    ) -> None:
        """Record one attempt: delivered when `error` is None, else still pending until `retry_at`."""

    @abstractmethod
    def last_digest(self, channel: str) -> str | None:
        """When the last digest went out on `channel` (UTC ISO time), or None."""

    @abstractmethod
    def record_digest(self, channel: str, at: str) -> None:
        """Remember that a digest went out on `channel` at `at`."""



_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)


def open_store(url_or_path: str) -> Store:
    """Open (creating and migrating as needed) the store at a path or URL.

    Args:
        url_or_path: a file path, ":memory:", or `sqlite:///relative/path` / `sqlite:////absolute/path`
            (SQLAlchemy's convention), or `postgresql://user[:password]@host[:port]/dbname` (also
            `postgres://` and `postgresql+psycopg://`) for a PostgreSQL database shared by a team.

    Raises:
        StoreError: unknown scheme, a PostgreSQL server that cannot be reached, or a file that cannot be opened
            as a breachlens database.
    """
    match = _URL.match(url_or_path)
    if match is None:
        path = url_or_path
    else:
        scheme = match["scheme"].lower()
        if scheme == "sqlite":
            path = match["rest"][1:] if match["rest"].startswith("/") else match["rest"]
            path = path or ":memory:"
        elif scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
            from .postgres import PostgresStore  # deferred: psycopg is imported only for PostgreSQL URLs

            return PostgresStore(url_or_path)
        else:
            raise StoreError(
                f"{url_or_path}: unsupported store URL scheme {scheme!r} (use a path or sqlite:///)"
            )
    if not path:
        raise StoreError("empty store path")
    from .sqlite import SQLiteStore  # deferred: keeps `import breachlens.store` light for type-only users

    return SQLiteStore(path)
