"""The one SQL layer of both backends: every store method written once, over a small `Dialect` per database.

Why one module (issue 16): SQLite and PostgreSQL read the same tables with the same statements once placeholders,
collation, `IN` lists, full-text search and locking are set apart, so those five things are what a `Dialect`
holds and everything else (documents, incidents and their change log, incremental resolution, fetch state,
watchlists and alerts) lives here, written with `?` placeholders.

Incremental resolution (`resolve_pending`): `add_documents` queues every new document in `pending_documents`
in the same transaction. A resolve takes the queue, computes each queued document's blocking keys (victims,
parents and brands its incidents name), and grows the set of affected sources through `block_keys` (sources
sharing a key, transitively, and every source of an incident touching them) until it is closed. Only those
sources are read and handed to the resolver, and only the incidents they belonged to are rewritten, so an
ingest costs what its new documents touch, not what the store holds. Because a block is closed under every link
`resolve` can follow, the result is what a full resolve gives (tests/test_store_incremental.py checks it).
Locking: SQLite's `BEGIN IMMEDIATE` serialises the whole read-resolve-write step; PostgreSQL takes one
transaction-level advisory lock per blocking key, so ingests touching different victims run side by side.

Change tracking: each incident row has `created_at` and `updated_at`, and `incident_changes` logs what a
resolve changed (created, source added, records revised, data type added, actor attributed, conflict raised,
revised, removed), written in the resolve's own transaction; TAXII, alerts and `incidents --changed-since` read
it.
"""

from __future__ import annotations

import json
import re
import threading
from abc import abstractmethod
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from ..dates import is_partial_date
from ..errors import StoreError
from ..records import DocumentAnalysis, MergedIncident
from . import (
    FACETS,
    INCIDENT_ORDERS,
    Delivery,
    DocumentHit,
    FeedStatus,
    IncidentCounts,
    IncidentFilter,
    Store,
    StoredAlert,
    StoredDocument,
    Validators,
)
from .rows import (
    _analysis,
    _changes,
    _document_row,
    _first_ids,
    _incident_row,
    _json,
    _main_names,
    _name_key,
    _now,
    _now_precise,
    _one_line,
    _sources_of,
    _stored_document,
    _stored_incident,
    _unique_ids,
    _utc_prefix,
    facet_rows,
)

__all__ = ["CHANGE_KINDS", "Dialect", "IncidentChange", "ResolveOutcome", "SQLStore"]

T = TypeVar("T")

SNIPPET_TOKENS = 16
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WORD = re.compile(r"\S+")
# The lock every incremental resolve holds shared and a full one exclusively (no victim key has outer spaces).
_FULL_LOCK = " full resolve "
# LIMIT when only an offset is given (SQLite has no LIMIT ALL; both read a bigint).
_NO_LIMIT = 2**62

_DOC_COLUMNS = (
    "sha256, source, kind, raw, raw_text, text, title, published, fetched_title, fetched_published, dropped, "
    "analysis"
)
_INCIDENT_COLUMNS = "id, victim, sector, country, first_date, records, data"
# The latest stored version of each source (a re-fetched page with new bytes supersedes the old one).
_LATEST = "SELECT max(id) FROM documents GROUP BY source"

# What the change log records, in the order a reader meets them.
CHANGE_KINDS: tuple[str, ...] = (
    "created", "source_added", "records_revised", "data_type_added", "actor_attributed", "conflict_raised",
    "revised", "removed",
)


class IncidentChange(NamedTuple):
    """One entry of the change log: `seq` orders entries, `at` is the UTC time of the resolve that made it."""

    seq: int
    incident_id: str
    at: str
    kind: str
    detail: dict[str, Any]


@dataclass
class ResolveOutcome:
    """What one resolve wrote: incidents created or changed (with their previous versions), ids removed."""

    changed: list[MergedIncident] = field(default_factory=list)
    previous: dict[str, MergedIncident] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    documents: int = 0  # documents read for the resolve (what the run cost)
    incident_count: int = 0


Resolver = Callable[[list[DocumentAnalysis], dict[str, str], Container[str]], Sequence[MergedIncident]]
KeysOf = Callable[[DocumentAnalysis], Iterable[str]]


def fts_query(text: str) -> str:
    """Turn user words into an FTS5 query that matches all of them, with no operator or syntax interpreted."""
    # control characters (NUL above all) cannot appear inside an FTS5 string: they separate words instead
    text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return " ".join('"' + word.replace('"', '""') + '"' for word in _WORD.findall(text))


class Dialect:
    """What differs between databases: placeholders, collation, `IN` lists, full-text search and locking.

    The base is SQLite's spelling; `PostgresDialect` (store/postgres.py) overrides what PostgreSQL spells
    differently.
    """

    name = "sqlite"
    collate = ""  # appended to text compared or sorted outside the C-collated columns
    in_chunk = 500  # host parameters per `IN (...)`: far under SQLite's 32,766
    skip_locked = ""  # how a resolve takes only the queued documents no other resolve is taking

    def sql(self, text: str) -> str:
        """The statement in this database's placeholder style (`?` here)."""
        return text

    def errors(self) -> type[BaseException]:
        """The driver's base exception class."""
        import sqlite3

        return sqlite3.Error

    @contextmanager
    def migration_step(self, conn: Any) -> Iterator[None]:
        """One schema step's transaction, holding the lock that keeps two migrators apart."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether a table of this name exists (in the search path)."""
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        return found is not None

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (...)` for one chunk of values (see `chunks`)."""
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def chunks(self, values: Iterable[Any]) -> Iterator[list[Any]]:
        """Values cut into chunks one `in_list` can take."""
        items = list(values)
        for start in range(0, len(items), self.in_chunk):
            yield items[start : start + self.in_chunk]

    def executemany(self, conn: Any, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Run one statement per row."""
        if rows:
            conn.executemany(self.sql(sql), rows)

    def lock_blocks(self, conn: Any, keys: Iterable[str], shared: bool = False) -> None:
        """Lock the resolve blocks of `keys` until the transaction ends (`shared`: many holders at once).

        SQLite has nothing to do: `BEGIN IMMEDIATE` already holds the one write lock of the file.
        """

    def write_incident_search(self, conn: Any, num: int, victim: str, names: str, quotes: str) -> None:
        """Index one incident's names and quotes for `incidents(search=...)`."""
        conn.execute(
            "INSERT INTO incidents_fts (rowid, victim, names, quotes) VALUES (?, ?, ?, ?)", (num, victim, names, quotes)
        )

    def delete_incident_search(self, conn: Any, num: int) -> None:
        """Remove one incident's full-text entry (before its row goes)."""
        conn.execute("DELETE FROM incidents_fts WHERE rowid = ?", (num,))

    def incident_search(self, query: str) -> tuple[str, str, list[Any], str, list[Any]] | None:
        """(join, where, its params, order prefix, its params) of a full-text filter on incidents `i`; None
        when the query holds no word (only control characters, say), which matches nothing."""
        match = fts_query(query)
        if not match:
            return None
        return (
            " JOIN incidents_fts ON incidents_fts.rowid = i.num", "incidents_fts MATCH ?", [match],
            "incidents_fts.rank, ", [],
        )

    def search_documents(self, conn: Any, query: str, limit: int) -> list[DocumentHit]:
        """Documents whose title or text hold every word of `query`, best first."""
        match = fts_query(query)
        if not match:
            return []
        rows = conn.execute(
            "SELECT d.sha256, d.source, snippet(documents_fts, -1, '[', ']', '…', ?) "
            "FROM documents_fts JOIN documents AS d ON d.id = documents_fts.rowid "
            "WHERE documents_fts MATCH ? ORDER BY documents_fts.rank, d.id LIMIT ?",
            (SNIPPET_TOKENS, match, max(0, limit)),
        ).fetchall()
        return [DocumentHit(*row) for row in rows]


@dataclass
class _Selection:
    """The FROM and WHERE of an incident query (`incidents` AS i), and the search rank to sort by when searching."""

    joins: str = ""
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    rank: str = ""
    rank_params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        """One more condition, with its parameters."""
        self.where.append(clause)
        self.params.extend(params)

    def select(self, columns: str) -> tuple[str, list[Any]]:
        """`SELECT columns` of the selected incidents, and its parameters (a copy: callers append to it)."""
        sql = f"SELECT {columns} FROM incidents AS i{self.joins}"
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        return sql, list(self.params)


def _order_by(order: str, collate: str) -> str:
    """The ORDER BY of one of INCIDENT_ORDERS, ties broken by id in the same direction."""
    if order not in INCIDENT_ORDERS:
        raise StoreError(f"order: expected one of {', '.join(INCIDENT_ORDERS)}, got {order!r}")
    if order == "-date":  # newest first, undated last
        return "i.first_date IS NULL, i.first_date DESC, i.id"
    column = {
        "date": "coalesce(i.first_date, '')",  # undated first, as the oldest
        "changed": f"i.updated_at{collate}",
        "victim": f"lower(i.victim){collate}",
        "records": "coalesce(i.records, -1)",  # unknown below every count
        "sources": "(SELECT count(*) FROM incident_sources AS s WHERE s.incident_id = i.id)",
    }[order.lstrip("-")]
    direction = " DESC" if order.startswith("-") else ""
    return f"{column}{direction}, i.id{direction}"


class SQLStore(Store):
    """Every Store method over a DB-API connection; a backend supplies the connection, `_write` and a Dialect."""

    dialect: Dialect = Dialect()
    name: str
    schema_version: int
    _conn: Any
    _db_error: type[BaseException]

    def _setup(self, name: str, db_error: type[BaseException]) -> None:
        """Shared state of a freshly connected backend."""
        self.name = name
        self._db_error = db_error
        self._lock = threading.RLock()
        self._closed = False

    def _open(
        self, connect: Callable[[], Any], steps: Sequence[Any], prepare: Callable[[Any], None] | None = None,
        refused: str = "cannot open the database", *, migrate: Callable[..., int],
    ) -> None:
        """Connect, prepare the session (pragmas) and bring the schema up to date; StoreError when impossible.

        `migrate` (migrations.py) is handed in by the backend: migrations reads this module's Dialect.
        """
        try:
            self._conn = connect()
        except self._db_error as exc:
            raise StoreError(f"{self.name}: {refused}: {_one_line(exc)}") from exc
        try:
            if prepare is not None:
                prepare(self._conn)
            self.schema_version = migrate(self._conn, steps, name=self.name, dialect=self.dialect)
        except self._db_error as exc:
            self._conn.close()
            raise StoreError(f"{self.name}: cannot open the database: {exc}") from exc
        except BaseException:
            self._conn.close()
            raise

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """The connection under the lock, with database errors turned into StoreError."""
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.name}: the store is closed")
            try:
                yield self._conn
            except self._db_error as exc:
                raise StoreError(f"{self.name}: {_one_line(exc)}") from exc

    @abstractmethod
    def _write(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)` in one all-or-nothing write transaction."""

    def _x(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """Execute one statement written with `?` placeholders."""
        return conn.execute(self.dialect.sql(sql), params)

    def _select_in(
        self, conn: Any, sql: str, column: str, values: Iterable[Any], params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows of `sql` (holding `{in}` where `column IN (...)` goes) for every value, chunk by chunk."""
        rows: list[tuple[Any, ...]] = []
        for chunk in self.dialect.chunks(dict.fromkeys(values)):
            clause, args = self.dialect.in_list(column, chunk)
            rows.extend(self._x(conn, sql.format(**{"in": clause}), [*params, *args]).fetchall())
        return rows

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    # -- documents -------------------------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        """Whether a document with these raw bytes is stored (lets acquire skip re-analysis)."""
        with self._reading() as conn:
            return self._x(conn, "SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add_documents(self, batch: Sequence[StoredDocument]) -> int:
        """Store new documents in one transaction, skip already-stored sha256s, return how many were new.

        Each new document is queued for the next resolve in the same transaction.
        """
        encoded = [_document_row(doc) for doc in batch]  # validate and encode everything before locking
        # Source order (then batch order, so a later version of a page stays the latest): two processes storing
        # overlapping batches take the row locks in one order and wait for each other instead of deadlocking.
        rows = [row for _, row in sorted(enumerate(encoded), key=lambda item: (item[1][1], item[0]))]
        added_at = _now()
        marks = ", ".join("?" * 13)

        def insert(conn: Any) -> int:
            """Insert each row unless its sha256 is stored (or being stored by another transaction)."""
            new = 0
            for row in rows:
                # Not `INSERT OR IGNORE`: it would also silently drop rows breaking NOT NULL or CHECK.
                got = self._x(
                    conn,
                    f"INSERT INTO documents ({_DOC_COLUMNS}, added_at) VALUES ({marks}) "
                    "ON CONFLICT (sha256) DO NOTHING RETURNING id",
                    (*row, added_at),
                ).fetchone()
                if got is not None:
                    new += 1
                    self._x(conn, "INSERT INTO pending_documents (document_id, source) VALUES (?, ?)", (got[0], row[1]))
            return new

        return self._write(insert)

    def document(self, key: str) -> StoredDocument | None:
        """The document with this sha256, or the latest one with this source; None when there is none."""
        with self._reading() as conn:
            row = None
            if _SHA256.match(key):
                row = self._x(conn, f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ?", (key,)).fetchone()
            if row is None:
                row = self._x(
                    conn, f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = ? ORDER BY id DESC LIMIT 1", (key,)
                ).fetchone()
        return _stored_document(row) if row is not None else None

    def document_analyses(
        self, sources: Iterable[str] | None = None, limit: int | None = None, offset: int = 0
    ) -> list[DocumentAnalysis]:
        """The latest analysis of each source (of `sources`, else of all, one page with `limit`), by source."""
        with self._reading() as conn:
            if sources is None:
                sql = (
                    "SELECT sha256, text, dropped, analysis FROM documents "
                    f"WHERE id IN ({_LATEST}) ORDER BY source{self.dialect.collate}, id"
                )
                params: list[Any] = []
                if limit is not None or offset:
                    sql += " LIMIT ? OFFSET ?"
                    params = [max(0, limit) if limit is not None else _NO_LIMIT, max(0, offset)]
                rows = self._x(conn, sql, params).fetchall()
                return [_analysis(sha, text, dropped, analysis) for sha, text, dropped, analysis in rows]
            got = self._latest(conn, sources)
        return [_analysis(sha, text, dropped, analysis) for _, _, sha, text, dropped, analysis in got]

    def _latest(self, conn: Any, sources: Iterable[str]) -> list[tuple[Any, ...]]:
        """(source, published, sha256, text, dropped, analysis) of the latest version of each source, by source."""
        ids = self._select_in(conn, "SELECT max(id) FROM documents WHERE {in} GROUP BY source", "source", sources)
        rows = self._select_in(
            conn, "SELECT source, published, sha256, text, dropped, analysis FROM documents WHERE {in}", "id",
            [i for (i,) in ids],
        )
        return sorted(rows, key=lambda r: str(r[0]))

    def search_documents(self, query: str, limit: int = 20) -> list[DocumentHit]:
        """Documents whose title or text hold every word of `query`, best first (no FTS syntax is read)."""
        if not query.strip():
            return []
        with self._reading() as conn:
            return self.dialect.search_documents(conn, query, limit)

    # -- incidents: resolving --------------------------------------------------------------------------------

    def resolve_pending(self, resolver: Resolver, keys_of: KeysOf, full: bool = False) -> ResolveOutcome:
        """Resolve the blocks that documents stored since the last resolve touch, in one transaction.

        Args:
            resolver: `(analyses, previous_ids, reserved_ids) -> merged incidents` (resolve.resolve).
            keys_of: a document's blocking keys (resolve.blocking_keys).
            full: re-resolve every stored document (after a model update), ids still kept.
        """
        return self._write(lambda conn: self._resolve(conn, resolver, keys_of, full))

    def _resolve(self, conn: Any, resolver: Resolver, keys_of: KeysOf, full: bool) -> ResolveOutcome:
        """See resolve_pending: queue -> keys -> closed block -> resolver -> diff written with its change log."""
        at = _now_precise()
        if full:
            self.dialect.lock_blocks(conn, [_FULL_LOCK])
            self._x(conn, "DELETE FROM block_keys")
            self._x(conn, "DELETE FROM pending_documents")
            self._x(
                conn, f"INSERT INTO pending_documents (document_id, source) SELECT id, source FROM documents "
                f"WHERE id IN ({_LATEST})",
            )
        else:
            self.dialect.lock_blocks(conn, [_FULL_LOCK], shared=True)
        pending = self._x(
            conn, f"SELECT document_id, source FROM pending_documents ORDER BY document_id{self.dialect.skip_locked}"
        ).fetchall()
        outcome = ResolveOutcome()
        if not pending:
            return outcome
        queued = sorted({str(source) for _, source in pending})
        latest = {str(r[0]): r for r in self._latest(conn, queued)}
        new_keys = {s: frozenset(keys_of(_analysis(*latest[s][2:]))) for s in queued if s in latest}
        seed = {k for keys in new_keys.values() for k in keys}
        seed.update(k for (k,) in self._select_in(conn, "SELECT key FROM block_keys WHERE {in}", "source", queued))
        locked = set(seed)
        self.dialect.lock_blocks(conn, sorted(locked))
        for chunk in self.dialect.chunks(queued):
            clause, args = self.dialect.in_list("source", chunk)
            self._x(conn, f"DELETE FROM block_keys WHERE {clause}", args)
        self.dialect.executemany(
            conn, "INSERT INTO block_keys (key, source) VALUES (?, ?)",
            [(k, s) for s, keys in sorted(new_keys.items()) for k in sorted(keys)],
        )
        # Close the block: sources sharing a key, and every source of an incident one of them is in.
        sources, keys = set(queued), set(seed)
        frontier_keys, frontier_sources = set(seed), set(queued)
        while frontier_keys or frontier_sources:
            found = {
                s for (s,) in self._select_in(conn, "SELECT source FROM block_keys WHERE {in}", "key", frontier_keys)
            }
            ids = self._select_in(
                conn, "SELECT DISTINCT incident_id FROM incident_sources WHERE {in}", "source", frontier_sources
            )
            found.update(
                s for (s,) in self._select_in(
                    conn, "SELECT source FROM incident_sources WHERE {in}", "incident_id", [i for (i,) in ids]
                )
            )
            frontier_sources = found - sources
            sources |= frontier_sources
            more = {
                k for (k,) in self._select_in(conn, "SELECT key FROM block_keys WHERE {in}", "source", frontier_sources)
            }
            frontier_keys = more - keys
            keys |= frontier_keys
            if frontier_keys - locked:
                self.dialect.lock_blocks(conn, sorted(frontier_keys - locked))
                locked |= frontier_keys
        rows = self._latest(conn, sources)
        analyses = [_analysis(sha, text, dropped, analysis) for _, _, sha, text, dropped, analysis in rows]
        previous = self._previous_ids(conn, sources)
        old_ids = {
            i
            for (i,) in self._select_in(conn, "SELECT incident_id FROM incident_sources WHERE {in}", "source", sources)
        }
        merged = resolver(analyses, previous, _Reserved(self, conn)) if analyses else ()
        published = {str(r[0]): r[1] for r in rows if r[1] is not None}
        self._write_incidents(conn, merged, old_ids, published, _main_names(analyses), at, outcome)
        for chunk in self.dialect.chunks(sorted({int(d) for d, _ in pending})):
            clause, args = self.dialect.in_list("document_id", chunk)
            self._x(conn, f"DELETE FROM pending_documents WHERE {clause}", args)
        outcome.documents = len(analyses)
        return outcome

    def replace_incidents(self, merged: Sequence[MergedIncident]) -> None:
        """Make `merged` the stored set of incidents in one transaction (unchanged ones are not rewritten)."""
        _unique_ids(merged, self.name)
        sources = sorted({s for m in merged for s in m.sources})

        def replace_all(conn: Any) -> None:
            """The whole replacement, every block locked."""
            self.dialect.lock_blocks(conn, [_FULL_LOCK])
            rows = self._latest(conn, sources)
            analyses = [_analysis(sha, text, dropped, analysis) for _, _, sha, text, dropped, analysis in rows]
            published = {str(r[0]): r[1] for r in rows if r[1] is not None}
            old_ids = {i for (i,) in self._x(conn, "SELECT id FROM incidents").fetchall()}
            self._write_incidents(
                conn, merged, old_ids, published, _main_names(analyses), _now_precise(), ResolveOutcome()
            )

        self._write(replace_all)

    def _write_incidents(
        self, conn: Any, merged: Sequence[MergedIncident], old_ids: set[str], published: dict[str, str],
        main_names: dict[str, set[str]], at: str, outcome: ResolveOutcome,
    ) -> None:
        """Write the incidents that differ from the stored ones, remove `old_ids` not in `merged`, log changes."""
        _unique_ids(merged, self.name)
        ids = old_ids | {m.id for m in merged}
        old: dict[str, tuple[Any, ...]] = {}
        stored = f"SELECT {_INCIDENT_COLUMNS}, num, created_at FROM incidents WHERE {{in}}"
        for row in self._select_in(conn, stored, "id", ids):
            old[str(row[0])] = row
        old_roles: dict[str, list[tuple[str, str]]] = {}
        for incident_id, source, role in self._select_in(
            conn, "SELECT incident_id, source, role FROM incident_sources WHERE {in}", "incident_id", ids
        ):
            old_roles.setdefault(str(incident_id), []).append((str(source), str(role)))
        log: list[tuple[str, str, str, str]] = []
        new_ids = {m.id for m in merged}
        for gone in sorted(set(old) - new_ids):
            self._delete_incident(conn, old[gone][7])
            heirs = sorted({m.id for m in merged for s in _sources_of(old[gone][6]) if s in m.sources})
            log.append((gone, at, "removed", _json({"into": heirs})))
            outcome.removed.append(gone)
        for item in merged:
            row = _incident_row(item, published)
            ours = {_name_key(n) for n in (item.incident.victim, *item.incident.brands)}
            roles = sorted((s, "main" if ours & main_names.get(s, set()) else "mentioned") for s in set(item.sources))
            before = old.get(item.id)
            if before is not None and tuple(before[:7]) == row and sorted(old_roles.get(item.id, [])) == roles:
                continue
            previous = MergedIncident.from_dict(json.loads(before[6])) if before is not None else None
            if before is not None:
                self._delete_incident(conn, before[7])
            created = str(before[8]) if before is not None and before[8] else at
            self._insert_incident(conn, item, row, roles, created, at)
            log.extend((item.id, at, kind, _json(detail)) for kind, detail in _changes(previous, item))
            outcome.changed.append(item)
            if previous is not None:
                outcome.previous[item.id] = previous
        self.dialect.executemany(
            conn, "INSERT INTO incident_changes (incident_id, at, kind, detail) VALUES (?, ?, ?, ?)", log
        )

    def _delete_incident(self, conn: Any, num: int) -> None:
        """Remove one incident, its side-table rows (by cascade) and its full-text entry."""
        self.dialect.delete_incident_search(conn, num)
        self._x(conn, "DELETE FROM incidents WHERE num = ?", (num,))

    def _insert_incident(
        self, conn: Any, item: MergedIncident, row: tuple[Any, ...], roles: list[tuple[str, str]], created: str,
        updated: str,
    ) -> None:
        """Write one incident: its row, side tables and full-text entry."""
        inc = item.incident
        (num,) = self._x(
            conn,
            f"INSERT INTO incidents ({_INCIDENT_COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING num",
            (*row, created, updated),
        ).fetchone()
        self.dialect.executemany(
            conn, "INSERT INTO incident_sources (incident_id, source, role) VALUES (?, ?, ?)",
            [(item.id, source, role) for source, role in roles],
        )
        actors = {str(name).casefold() for f in inc.threat_actors for name in (f.value, f.as_written) if name}
        self.dialect.executemany(
            conn, "INSERT INTO incident_actors (key, incident_id) VALUES (?, ?)", [(a, item.id) for a in sorted(actors)]
        )
        data_types = {str(f.value) for f in inc.data_exposed}
        self.dialect.executemany(
            conn, "INSERT INTO incident_data_types (data_type, incident_id) VALUES (?, ?)",
            [(d, item.id) for d in sorted(data_types)],
        )
        self.dialect.executemany(
            conn, "INSERT INTO incident_facets (facet, value, incident_id) VALUES (?, ?, ?)", facet_rows(item)
        )
        names = [inc.parent or "", *inc.brands]
        names += [str(n) for f in (*inc.threat_actors, *inc.campaigns) for n in (f.value, f.as_written) if n]
        quotes = [e.quote for _, fact in inc.facts() for e in fact.evidence]
        quotes += [e.quote for _, evidence in inc.field_evidence for e in evidence]
        self.dialect.write_incident_search(
            conn, int(num), inc.victim, "\n".join(dict.fromkeys(names)), "\n".join(dict.fromkeys(quotes))
        )

    # -- incidents: reading ----------------------------------------------------------------------------------

    def incidents(  # the filters of Store.incidents, one line per kind
        self, sector: str | None = None, actor: str | None = None, data_type: str | None = None,
        since: str | None = None, search: str | None = None, country: str | None = None,
        limit: int | None = None, changed_since: str | None = None, order: str = "-date", offset: int = 0,
        until: str | None = None, modality: str | None = None, after: tuple[str, str] | None = None,
    ) -> list[MergedIncident]:
        """Stored incidents matching every given filter, one page (`limit`, `offset` or `after`), sorted in SQL.

        See `Store.incidents`; only the page's rows are read and parsed.
        """
        selected = self._selection(
            IncidentFilter(sector, actor, data_type, since, until, search, country, changed_since, modality)
        )
        if selected is None:
            return []
        c = self.dialect.collate
        sort = _order_by(order, c)
        if after is not None:
            if order != "changed":
                raise StoreError(f"after: keyset paging is by order 'changed', not {order!r}")
            selected.where.append(f"(i.updated_at{c} > ? OR (i.updated_at{c} = ? AND i.id > ?))")
            selected.params.extend([after[0], after[0], after[1]])
        sql, params = selected.select("i.data, i.updated_at")
        if order == "-date" and selected.rank:  # searching with the default order: best match first
            sort = selected.rank + sort
            params.extend(selected.rank_params)
        sql += f" ORDER BY {sort}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([max(0, limit) if limit is not None else _NO_LIMIT, max(0, offset)])
        with self._reading() as conn:
            rows = self._x(conn, sql, params).fetchall()
        return [_stored_incident(*row) for row in rows]

    def incident_counts(self, filters: IncidentFilter, facets: Sequence[str] = FACETS) -> IncidentCounts:
        """How many incidents `filters` selects and its counts of `facets`, from `incident_facets` (no JSON read)."""
        unknown = [name for name in facets if name not in FACETS]
        if unknown:
            raise StoreError(f"facets: expected some of {', '.join(FACETS)}, got {', '.join(map(repr, unknown))}")
        selected = self._selection(filters)
        if selected is None:
            return IncidentCounts(0, {name: [] for name in facets})
        ids, params = selected.select("i.id")
        which, names = self.dialect.in_list("facet", list(facets)) if facets else ("1 = 0", [])
        # no filter: every incident is selected, so the facet rows need no join back to incidents
        scope = f" AND incident_id IN ({ids})" if selected.where else ""
        with self._reading() as conn:
            (total,) = self._x(conn, f"SELECT count(*) FROM ({ids}) AS m", params).fetchone()
            rows = self._x(
                conn, f"SELECT facet, value, count(*) FROM incident_facets WHERE {which}{scope} GROUP BY facet, value",
                [*names, *(params if scope else [])],
            ).fetchall()
        counted: dict[str, list[tuple[str, int]]] = {name: [] for name in facets}
        for name, value, count in rows:
            counted[str(name)].append((str(value), int(count)))
        return IncidentCounts(int(total), {k: sorted(v, key=lambda kv: (-kv[1], kv[0])) for k, v in counted.items()})

    def incident_months(self, filters: IncidentFilter) -> dict[str, int]:
        """Month -> incidents `filters` selects first dated in it, grouped in SQL (no JSON read)."""
        selected = self._selection(filters)
        if selected is None:
            return {}
        selected.add("length(i.first_date) >= 7")
        sql, params = selected.select("substr(i.first_date, 1, 7), count(*)")
        with self._reading() as conn:
            rows = self._x(conn, sql + " GROUP BY substr(i.first_date, 1, 7)", params).fetchall()
        return {str(month): int(n) for month, n in rows}

    def _selection(self, f: IncidentFilter) -> _Selection | None:
        """The FROM and WHERE of the incidents `f` selects; None when a search has no word (matches nothing)."""
        selected = _Selection()
        c = self.dialect.collate
        if f.sector is not None:
            selected.add("i.sector = ?", f.sector)
        if f.country is not None:
            selected.add("upper(i.country) = ?", f.country.upper())
        if f.actor is not None:
            selected.add("i.id IN (SELECT incident_id FROM incident_actors WHERE key = ?)", f.actor.casefold())
        if f.data_type is not None:
            selected.add("i.id IN (SELECT incident_id FROM incident_data_types WHERE data_type = ?)", f.data_type)
        if f.modality is not None:
            selected.add(
                "i.id IN (SELECT incident_id FROM incident_facets WHERE facet = 'modality' AND value = ?)", f.modality
            )
        for name, bound, op in (("since", f.since, ">="), ("until", f.until, "<=")):
            if bound is None:
                continue
            if not is_partial_date(bound):
                raise StoreError(f"{name}: expected YYYY, YYYY-MM or YYYY-MM-DD, got {bound!r}")
            # Compare at the coarser precision of the two, so "2025" is neither before "2025-06" nor after it.
            size = "CASE WHEN length(i.first_date) < ? THEN length(i.first_date) ELSE ? END"
            selected.add(
                f"i.first_date IS NOT NULL AND substr(i.first_date, 1, {size}) {op} substr(?, 1, {size})",
                len(bound), len(bound), bound, len(bound), len(bound),
            )
        if f.changed_since is not None:
            selected.add(f"i.updated_at{c} >= ?", _utc_prefix(f.changed_since))
        if f.search is not None and f.search.strip():
            found = self.dialect.incident_search(f.search)
            if found is None:
                return None
            selected.joins, clause, args, selected.rank, selected.rank_params = found
            selected.add(clause, *args)
        return selected

    def incident(self, incident_id: str) -> MergedIncident | None:
        """The incident with this id, or None."""
        with self._reading() as conn:
            row = self._x(conn, "SELECT data, updated_at FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return _stored_incident(*row) if row is not None else None

    def incident_times(self, ids: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """Incident id -> (created_at, updated_at), for `ids` or every incident."""
        with self._reading() as conn:
            if ids is None:
                rows = self._x(conn, "SELECT id, created_at, updated_at FROM incidents").fetchall()
            else:
                rows = self._select_in(conn, "SELECT id, created_at, updated_at FROM incidents WHERE {in}", "id", ids)
        return {str(i): (str(c), str(u)) for i, c, u in rows}

    def first_dates(self, ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """Incident id -> the stored first_date, for `ids` or every incident."""
        with self._reading() as conn:
            if ids is None:
                rows = self._x(conn, "SELECT id, first_date FROM incidents").fetchall()
            else:
                rows = self._select_in(conn, "SELECT id, first_date FROM incidents WHERE {in}", "id", ids)
        return {str(i): (None if d is None else str(d)) for i, d in rows}

    def changes(self, since: str | None = None, after_seq: int | None = None,
                incident_id: str | None = None, limit: int | None = None) -> list[IncidentChange]:
        """The change log, oldest first: entries at/after `since` (UTC time prefix), after `after_seq`, of one id."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append(f"at{self.dialect.collate} >= ?")
            params.append(_utc_prefix(since))
        if after_seq is not None:
            where.append("seq > ?")
            params.append(after_seq)
        if incident_id is not None:
            where.append("incident_id = ?")
            params.append(incident_id)
        sql = "SELECT seq, incident_id, at, kind, detail FROM incident_changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._reading() as conn:
            rows = self._x(conn, sql, params).fetchall()
        return [IncidentChange(int(s), str(i), str(a), str(k), json.loads(d)) for s, i, a, k, d in rows]

    def last_change(self) -> int:
        """The newest change-log entry's `seq` (0 when none): a cursor for `changes(after_seq=...)`."""
        with self._reading() as conn:
            (seq,) = self._x(conn, "SELECT coalesce(max(seq), 0) FROM incident_changes").fetchone()
        return int(seq)

    def previous_ids(self, sources: Iterable[str] | None = None) -> dict[str, str]:
        """Source -> id of the stored incident that source is mainly about, so the resolver keeps ids stable.

        A source usually belongs to one incident; when it belongs to several, the one whose victim is the
        document's main victim wins, then the smallest id, so the answer is deterministic.
        """
        with self._reading() as conn:
            if sources is not None:
                return self._previous_ids(conn, sources)
            rows = self._x(
                conn, "SELECT source, incident_id, role FROM incident_sources"
            ).fetchall()
        return _first_ids(rows)

    def _previous_ids(self, conn: Any, sources: Iterable[str]) -> dict[str, str]:
        """previous_ids for some sources, inside a transaction."""
        return _first_ids(
            self._select_in(
                conn, "SELECT source, incident_id, role FROM incident_sources WHERE {in}", "source", sources
            )
        )

    def counts(self) -> dict[str, int]:
        """How much is stored: documents, sources, incidents, and the schema version."""
        with self._reading() as conn:
            documents, sources = self._x(conn, "SELECT count(*), count(DISTINCT source) FROM documents").fetchone()
            (incidents,) = self._x(conn, "SELECT count(*) FROM incidents").fetchone()
        return {
            "documents": int(documents),
            "sources": int(sources),
            "incidents": int(incidents),
            "schema_version": self.schema_version,
        }

    # -- web fetching state ---------------------------------------------------------------------------------

    def validators(self, url: str) -> Validators | None:
        """The ETag / Last-Modified remembered for `url`, or None."""
        with self._reading() as conn:
            row = self._x(
                conn, "SELECT etag, last_modified, sha256 FROM fetch_validators WHERE url = ?", (url,)
            ).fetchone()
        return None if row is None else Validators(*row)

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last successful fetch of `url` (replacing older ones)."""
        self._write(lambda conn: self._x(
            conn,
            "INSERT INTO fetch_validators (url, etag, last_modified, sha256, fetched_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
            "sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
            (url, validators.etag, validators.last_modified, validators.sha256, _now()),
        ))

    def seen_feed_items(self, urls: Sequence[str]) -> set[str]:
        """Which of `urls` were already taken from a feed (any feed)."""
        with self._reading() as conn:
            return {str(u) for (u,) in self._select_in(conn, "SELECT url FROM feed_items WHERE {in}", "url", urls)}

    def mark_feed_items(self, feed_url: str, items: Sequence[tuple[str, str | None]]) -> None:
        """Record (url, guid) items of `feed_url` as taken, in one transaction; already-seen ones are kept."""
        seen_at = _now()
        first: dict[str, str | None] = {}
        for url, guid in items:
            first.setdefault(url, guid)
        self._write(lambda conn: self.dialect.executemany(  # url order: no deadlock with a concurrent poller
            conn,
            "INSERT INTO feed_items (url, feed_url, guid, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
            [(url, feed_url, first[url], seen_at) for url in sorted(first)],
        ))

    def record_feed_result(self, feed_url: str, error: str | None) -> None:
        """Record one poll of `feed_url`: success when `error` is None, else the one-line reason."""
        at = _now()
        if error is None:
            sql = (
                "INSERT INTO feeds (feed_url, last_ok_at, consecutive_failures) VALUES (?, ?, 0) "
                "ON CONFLICT (feed_url) DO UPDATE SET last_ok_at = excluded.last_ok_at, consecutive_failures = 0"
            )
            params: tuple[Any, ...] = (feed_url, at)
        else:
            sql = (
                "INSERT INTO feeds (feed_url, last_error_at, last_error, consecutive_failures) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (feed_url) DO UPDATE SET "
                "last_error_at = excluded.last_error_at, last_error = excluded.last_error, "
                "consecutive_failures = feeds.consecutive_failures + 1"
            )
            params = (feed_url, at, error)
        self._write(lambda conn: self._x(conn, sql, params))

    def feed_status(self, feed_url: str | None = None) -> list[FeedStatus]:
        """The recorded outcome of every polled feed (or just `feed_url`), by feed URL."""
        query = "SELECT feed_url, last_ok_at, last_error_at, last_error, consecutive_failures FROM feeds"
        with self._reading() as conn:
            if feed_url is None:
                rows = self._x(conn, query + " ORDER BY feed_url").fetchall()
            else:
                rows = self._x(conn, query + " WHERE feed_url = ?", (feed_url,)).fetchall()
        return [FeedStatus(*row) for row in rows]

    # -- watchlists and alerts (issue 9) ---------------------------------------------------------------------
    # The alert tables are plain TEXT in the database's default collation, so ordering and ISO-time comparisons
    # add the dialect's collation (PostgreSQL: "C", the byte order SQLite uses whatever the locale is).

    def save_watchlist(self, name: str, spec: dict[str, Any]) -> None:
        """Create or replace the watchlist `name` with its criteria (`alerts.Watchlist.as_dict`)."""
        data = _json(spec)
        at = _now()
        self._write(lambda conn: self._x(
            conn,
            "INSERT INTO watchlists (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            (name, data, at, at),
        ))

    def watchlists(self) -> dict[str, dict[str, Any]]:
        """Every watchlist's criteria, by name."""
        with self._reading() as conn:
            rows = self._x(conn, f"SELECT name, spec FROM watchlists ORDER BY name{self.dialect.collate}").fetchall()
        return {name: json.loads(spec) for name, spec in rows}

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and what it was told about (its alerts stay); False when there was none."""

        def remove(conn: Any) -> bool:
            """Both deletes in one transaction."""
            gone = self._x(conn, "DELETE FROM watchlists WHERE name = ?", (name,)).rowcount
            self._x(conn, "DELETE FROM alert_facts WHERE watchlist = ?", (name,))
            return bool(gone)

        return self._write(remove)

    def alert_fact_keys(self, watchlist: str, incident_id: str) -> set[str]:
        """Facts of `incident_id` that `watchlist` has already been alerted about (empty before a first match)."""
        with self._reading() as conn:
            rows = self._x(
                conn, "SELECT fact_key FROM alert_facts WHERE watchlist = ? AND incident_id = ?",
                (watchlist, incident_id),
            ).fetchall()
        return {key for (key,) in rows}

    def add_alerts(self, alerts: Sequence[StoredAlert], channels: Sequence[str]) -> list[str]:
        """Store alerts, record their fact keys and queue each new one for every channel, in one transaction."""
        rows = [(a.key, a.watchlist, a.incident_id, a.created_at, _json(a.data)) for a in alerts]

        def add(conn: Any) -> list[str]:
            """Insert what is new; return its keys."""
            new: list[str] = []
            for alert, row in zip(alerts, rows, strict=True):
                got = self._x(
                    conn,
                    "INSERT INTO alerts (key, watchlist, incident_id, created_at, data) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO NOTHING RETURNING key",
                    row,
                ).fetchone()
                self.dialect.executemany(
                    conn,
                    "INSERT INTO alert_facts (watchlist, incident_id, fact_key, alert_key) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (watchlist, incident_id, fact_key) DO NOTHING",
                    [(alert.watchlist, alert.incident_id, k, alert.key) for k in alert.fact_keys],
                )
                if got is None:
                    continue
                new.append(alert.key)
                self.dialect.executemany(
                    conn,
                    "INSERT INTO alert_deliveries (alert_key, channel, status, attempts, queued_at, next_attempt_at) "
                    "VALUES (?, ?, 'pending', 0, ?, ?) ON CONFLICT (alert_key, channel) DO NOTHING",
                    [(alert.key, channel, alert.created_at, alert.created_at) for channel in dict.fromkeys(channels)],
                )
            return new

        return self._write(add)

    def alerts(
        self, since: str | None = None, watchlist: str | None = None, pending: bool = False,
        limit: int | None = None,
    ) -> list[StoredAlert]:
        """Stored alerts, newest first (see `Store.alerts`)."""
        c = self.dialect.collate
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append(f"a.created_at{c} >= ?")
            params.append(since)
        if watchlist is not None:
            where.append("a.watchlist = ?")
            params.append(watchlist)
        if pending:
            where.append("a.key IN (SELECT alert_key FROM alert_deliveries WHERE status = 'pending')")
        sql = "SELECT a.key, a.watchlist, a.incident_id, a.created_at, a.data FROM alerts AS a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY a.created_at{c} DESC, a.key{c}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._reading() as conn:
            rows = self._x(conn, sql, params).fetchall()
        return [StoredAlert(key, wl, inc, at, json.loads(data)) for key, wl, inc, at, data in rows]

    def deliveries(
        self, alert_key: str | None = None, channel: str | None = None, status: str | None = None,
        due_by: str | None = None,
    ) -> list[Delivery]:
        """Queued deliveries matching every given filter, oldest first (see `Store.deliveries`)."""
        c = self.dialect.collate
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("alert_key", alert_key), ("channel", channel), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if due_by is not None:
            where.append(f"next_attempt_at{c} <= ?")
            params.append(due_by)
        sql = (
            "SELECT alert_key, channel, status, attempts, queued_at, next_attempt_at, last_error, delivered_at "
            "FROM alert_deliveries"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY queued_at{c}, alert_key{c}, channel{c}"
        with self._reading() as conn:
            return [Delivery(*row) for row in self._x(conn, sql, params).fetchall()]

    def record_delivery(
        self, alert_key: str, channel: str, at: str, error: str | None = None, retry_at: str | None = None
    ) -> None:
        """Record one attempt: delivered when `error` is None, else still pending until `retry_at`."""
        if error is None:
            sql = (
                "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, "
                "last_error = NULL WHERE alert_key = ? AND channel = ?"
            )
            params: tuple[Any, ...] = (at, alert_key, channel)
        else:
            sql = (
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE alert_key = ? AND channel = ? AND status = 'pending'"
            )
            params = (error, retry_at or at, alert_key, channel)
        self._write(lambda conn: self._x(conn, sql, params))

    def last_digest(self, channel: str) -> str | None:
        """When the last digest went out on `channel` (UTC ISO time), or None."""
        with self._reading() as conn:
            row = self._x(conn, "SELECT last_sent_at FROM alert_digests WHERE channel = ?", (channel,)).fetchone()
        return None if row is None else str(row[0])

    def record_digest(self, channel: str, at: str) -> None:
        """Remember that a digest went out on `channel` at `at`."""
        self._write(lambda conn: self._x(
            conn,
            "INSERT INTO alert_digests (channel, last_sent_at) VALUES (?, ?) "
            "ON CONFLICT (channel) DO UPDATE SET last_sent_at = excluded.last_sent_at",
            (channel, at),
        ))


class _Reserved:
    """The stored incident ids, asked one at a time (a new id must not take one; no id list is loaded)."""

    def __init__(self, store: SQLStore, conn: Any) -> None:
        self._store, self._conn = store, conn

    def __contains__(self, incident_id: object) -> bool:
        """Whether an incident has this id."""
        return self._store._x(self._conn, "SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone() is not None
