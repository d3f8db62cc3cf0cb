"""The default Store: one SQLite file through the standard library's sqlite3, with FTS5 for search.

Why it is set up this way:

* The connection is in autocommit mode and every write method runs inside an explicit `BEGIN IMMEDIATE …
  COMMIT`, so a method either writes everything or nothing, and takes the write lock up front instead of
  failing half-way on a lock upgrade. Everything that can fail on bad input (hashing, JSON encoding) is done
  before `BEGIN`.
* WAL journal with `synchronous=FULL`: readers (the web UI) never block the ingest, and a committed batch
  survives both a killed process and a power cut. An fsync per batch costs little next to analysing the batch.
* `busy_timeout` lets a second process (a CLI ingest while `serve` runs) wait for the lock instead of failing.
* Foreign keys are on, so removing an incident removes its side-table rows.
* Re-ingesting the same bytes changes nothing (`ON CONFLICT (sha256) DO NOTHING`, `added_at` written only on
  the first insert, no trigger fires), and `replace_incidents` rewrites only incidents whose stored row
  differs, so repeating an ingest leaves every table, including the FTS shadow tables, as it was.
* One connection is shared by the threads of the web server under a lock; sqlite3 itself serialises nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from ..errors import StoreError
from ..records import CleanDocument, DocumentAnalysis, DroppedSpan, Incident, MergedIncident, RawDocument
from . import Delivery, DocumentHit, FeedStatus, Store, StoredAlert, StoredDocument, Validators
from .migrations import migrate

__all__ = ["SQLiteStore", "fts_query"]

# Seconds a writer waits for another process's lock before giving up; an ingest batch commits in far less.
BUSY_TIMEOUT_S = 30.0
SNIPPET_TOKENS = 16
_SINCE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WORD = re.compile(r"\S+")

_DOC_COLUMNS = (
    "sha256, source, kind, raw, raw_text, text, title, published, fetched_title, fetched_published, dropped, "
    "analysis"
)
# The latest stored version of each source (a re-fetched page with new bytes supersedes the old one).
_LATEST = "SELECT max(id) FROM documents GROUP BY source"


def fts_query(text: str) -> str:
    """Turn user words into an FTS5 query that matches all of them, with no operator or syntax interpreted."""
    # control characters (NUL above all) cannot appear inside an FTS5 string: they separate words instead
    text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return " ".join('"' + word.replace('"', '""') + '"' for word in _WORD.findall(text))


class SQLiteStore(Store):
    """Store over one SQLite file (or ":memory:"); see the module docstring for why it is set up this way."""

    def __init__(self, path: str) -> None:
        """Open `path`, set the pragmas and bring the schema up to date; StoreError when impossible."""
        self.path = path
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the database: {exc}") from exc
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self.schema_version = migrate(self._conn, name=path)
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(f"{path}: cannot open the database: {exc}") from exc
        except BaseException:
            self._conn.close()
            raise
        self._closed = False

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, with sqlite3 errors turned into StoreError."""
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing transaction: committed when the block ends, rolled back if anything raises."""
        with self._reading() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # some errors (disk full, I/O) have already rolled back
                    conn.execute("ROLLBACK")
                raise

    # -- documents -------------------------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        """Whether a document with these raw bytes is stored (lets acquire skip re-analysis)."""
        with self._reading() as conn:
            return conn.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add_documents(self, batch: Sequence[StoredDocument]) -> int:
        """Store new documents in one transaction, skip already-stored sha256s, return how many were new."""
        rows = [_document_row(doc) for doc in batch]  # validate and encode everything before taking the lock
        added_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        new = 0
        with self._writing() as conn:
            for row in rows:
                # Not `INSERT OR IGNORE`: it would also silently drop rows breaking NOT NULL or CHECK.
                cursor = conn.execute(
                    f"INSERT INTO documents ({_DOC_COLUMNS}, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                    (*row, added_at),
                )
                new += cursor.rowcount
        return new

    def document(self, key: str) -> StoredDocument | None:
        """The document with this sha256, or the latest one with this source; None when there is none."""
        with self._reading() as conn:
            row = None
            if _SHA256.match(key):
                row = conn.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ?", (key,)
                ).fetchone()
            if row is None:
                row = conn.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = ? ORDER BY id DESC LIMIT 1", (key,)
                ).fetchone()
        return _stored_document(row) if row is not None else None

    def document_analyses(self) -> list[DocumentAnalysis]:
        """The latest analysis of each source, by source, with text and sha256 filled in (for resolve)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT sha256, text, dropped, analysis FROM documents "
                f"WHERE id IN ({_LATEST}) ORDER BY source"
            ).fetchall()
        return [_analysis(sha, text, dropped, analysis) for sha, text, dropped, analysis in rows]

    def search_documents(self, query: str, limit: int = 20) -> list[DocumentHit]:
        """Documents whose title or text hold every word of `query`, best first (no FTS syntax is read)."""
        match = fts_query(query)
        if not match:
            return []
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT d.sha256, d.source, snippet(documents_fts, -1, '[', ']', '…', ?) "
                "FROM documents_fts JOIN documents AS d ON d.id = documents_fts.rowid "
                "WHERE documents_fts MATCH ? ORDER BY documents_fts.rank, d.id LIMIT ?",
                (SNIPPET_TOKENS, match, limit),
            ).fetchall()
        return [DocumentHit(*row) for row in rows]

    # -- incidents -------------------------------------------------------------------------------------------

    def replace_incidents(self, merged: Sequence[MergedIncident]) -> None:
        """Make `merged` the stored set of incidents in one transaction (unchanged ones are not rewritten)."""
        seen: set[str] = set()
        for item in merged:
            if item.id in seen:
                raise StoreError(f"{self.path}: duplicate incident id {item.id!r} in one replacement")
            seen.add(item.id)
        with self._writing() as conn:
            published = _published_by_source(conn)
            main_names = _main_names(conn)
            old = {row[0]: row for row in conn.execute(f"SELECT {_INCIDENT_COLUMNS} FROM incidents")}
            old_roles: dict[str, list[tuple[str, str]]] = {}
            for incident_id, source, role in conn.execute(
                "SELECT incident_id, source, role FROM incident_sources ORDER BY incident_id, source"
            ):
                old_roles.setdefault(incident_id, []).append((source, role))
            for gone in sorted(set(old) - seen):
                _delete_incident(conn, gone)
            for item in merged:
                row = _incident_row(item, published)
                ours = {_name_key(n) for n in (item.incident.victim, *item.incident.brands)}
                roles = sorted(
                    (s, "main" if ours & main_names.get(s, set()) else "mentioned") for s in set(item.sources)
                )
                if old.get(item.id) == row and old_roles.get(item.id, []) == roles:
                    continue
                if item.id in old:
                    _delete_incident(conn, item.id)
                _insert_incident(conn, item, row, roles)

    def incidents(
        self,
        sector: str | None = None,
        actor: str | None = None,
        data_type: str | None = None,
        since: str | None = None,
        search: str | None = None,
        country: str | None = None,
        limit: int | None = None,
    ) -> list[MergedIncident]:
        """Stored incidents matching every given filter, newest first (best match first when searching).

        See `Store.incidents` for what each filter means.
        """
        where: list[str] = []
        params: list[Any] = []
        joins = ""
        order = "i.first_date IS NULL, i.first_date DESC, i.id"
        if sector is not None:
            where.append("i.sector = ?")
            params.append(sector)
        if country is not None:
            where.append("upper(i.country) = ?")
            params.append(country.upper())
        if actor is not None:
            where.append("i.id IN (SELECT incident_id FROM incident_actors WHERE key = ?)")
            params.append(actor.casefold())
        if data_type is not None:
            where.append("i.id IN (SELECT incident_id FROM incident_data_types WHERE data_type = ?)")
            params.append(data_type)
        if since is not None:
            if not _SINCE.match(since):
                raise StoreError(f"since: expected YYYY, YYYY-MM or YYYY-MM-DD, got {since!r}")
            # Compare at the coarser precision of the two, so "2025" is not before "2025-06".
            where.append(
                "i.first_date IS NOT NULL AND substr(i.first_date, 1, min(length(i.first_date), ?)) "
                ">= substr(?, 1, min(length(i.first_date), ?))"
            )
            params.extend([len(since), since, len(since)])
        if search is not None and search.strip():
            joins = " JOIN incidents_fts ON incidents_fts.rowid = i.num"
            where.append("incidents_fts MATCH ?")
            params.append(fts_query(search))
            order = "incidents_fts.rank, " + order
        sql = f"SELECT i.data FROM incidents AS i{joins}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [MergedIncident.from_dict(json.loads(data)) for (data,) in rows]

    def incident(self, incident_id: str) -> MergedIncident | None:
        """The incident with this id, or None."""
        with self._reading() as conn:
            row = conn.execute("SELECT data FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return MergedIncident.from_dict(json.loads(row[0])) if row is not None else None

    def previous_ids(self) -> dict[str, str]:
        """Source -> id of the stored incident that source is mainly about, so the resolver keeps ids stable.

        A source usually belongs to several incidents (its main one and those it mentions); the one whose
        victim is the document's main victim wins, then the smallest id, so the answer is deterministic.
        """
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT source, incident_id FROM incident_sources "
                "ORDER BY source, role = 'main' DESC, incident_id"
            ).fetchall()
        out: dict[str, str] = {}
        for source, incident_id in rows:
            out.setdefault(source, incident_id)
        return out

    def counts(self) -> dict[str, int]:
        """How much is stored: documents, sources, incidents, and the schema version."""
        with self._reading() as conn:
            documents, sources = conn.execute(
                "SELECT count(*), count(DISTINCT source) FROM documents"
            ).fetchone()
            (incidents,) = conn.execute("SELECT count(*) FROM incidents").fetchone()
        return {
            "documents": documents,
            "sources": sources,
            "incidents": incidents,
            "schema_version": self.schema_version,
        }

    # -- web fetching state ---------------------------------------------------------------------------------

    def validators(self, url: str) -> Validators | None:
        """The ETag / Last-Modified remembered for `url`, or None."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT etag, last_modified, sha256 FROM fetch_validators WHERE url = ?", (url,)
            ).fetchone()
        return None if row is None else Validators(*row)

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last successful fetch of `url` (replacing older ones)."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO fetch_validators (url, etag, last_modified, sha256, fetched_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
                (url, validators.etag, validators.last_modified, validators.sha256, _now()),
            )

    def seen_feed_items(self, urls: Sequence[str]) -> set[str]:
        """Which of `urls` were already taken from a feed (any feed)."""
        seen: set[str] = set()
        unique = list(dict.fromkeys(urls))
        with self._reading() as conn:
            for start in range(0, len(unique), _IN_CHUNK):
                chunk = unique[start : start + _IN_CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(f"SELECT url FROM feed_items WHERE url IN ({marks})", chunk)
                seen.update(url for (url,) in rows)
        return seen

    def mark_feed_items(self, feed_url: str, items: Sequence[tuple[str, str | None]]) -> None:
        """Record (url, guid) items of `feed_url` as taken, in one transaction; already-seen ones are kept."""
        seen_at = _now()
        with self._writing() as conn:
            conn.executemany(
                "INSERT INTO feed_items (url, feed_url, guid, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO NOTHING",
                [(url, feed_url, guid, seen_at) for url, guid in items],
            )

    def record_feed_result(self, feed_url: str, error: str | None) -> None:
        """Record one poll of `feed_url`: success when `error` is None, else the one-line reason."""
        at = _now()
        with self._writing() as conn:
            if error is None:
                conn.execute(
                    "INSERT INTO feeds (feed_url, last_ok_at, consecutive_failures) VALUES (?, ?, 0) "
                    "ON CONFLICT (feed_url) DO UPDATE SET last_ok_at = excluded.last_ok_at, "
                    "consecutive_failures = 0",
                    (feed_url, at),
                )
            else:
                conn.execute(
                    "INSERT INTO feeds (feed_url, last_error_at, last_error, consecutive_failures) "
                    "VALUES (?, ?, ?, 1) ON CONFLICT (feed_url) DO UPDATE SET "
                    "last_error_at = excluded.last_error_at, last_error = excluded.last_error, "
                    "consecutive_failures = consecutive_failures + 1",
                    (feed_url, at, error),
                )

    def feed_status(self, feed_url: str | None = None) -> list[FeedStatus]:
        """The recorded outcome of every polled feed (or just `feed_url`), by feed URL."""
        query = "SELECT feed_url, last_ok_at, last_error_at, last_error, consecutive_failures FROM feeds"
        with self._reading() as conn:
            if feed_url is None:
                rows = conn.execute(query + " ORDER BY feed_url").fetchall()
            else:
                rows = conn.execute(query + " WHERE feed_url = ?", (feed_url,)).fetchall()
        return [FeedStatus(*row) for row in rows]

    # -- watchlists and alerts (issue 9) ---------------------------------------------------------------------

    def save_watchlist(self, name: str, spec: dict[str, Any]) -> None:
        """Create or replace the watchlist `name` with its criteria (`alerts.Watchlist.as_dict`)."""
        data = _json(spec)
        at = _now()
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO watchlists (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
                (name, data, at, at),
            )

    def watchlists(self) -> dict[str, dict[str, Any]]:
        """Every watchlist's criteria, by name."""
        with self._reading() as conn:
            rows = conn.execute("SELECT name, spec FROM watchlists ORDER BY name").fetchall()
        return {name: json.loads(spec) for name, spec in rows}

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and what it was told about (its alerts stay); False when there was none."""
        with self._writing() as conn:
            gone = conn.execute("DELETE FROM watchlists WHERE name = ?", (name,)).rowcount
            conn.execute("DELETE FROM alert_facts WHERE watchlist = ?", (name,))
        return bool(gone)

    def alert_fact_keys(self, watchlist: str, incident_id: str) -> set[str]:
        """Facts of `incident_id` that `watchlist` has already been alerted about (empty before a first match)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT fact_key FROM alert_facts WHERE watchlist = ? AND incident_id = ?", (watchlist, incident_id)
            )
            return {key for (key,) in rows}

    def add_alerts(self, alerts: Sequence[StoredAlert], channels: Sequence[str]) -> list[str]:
        """Store alerts, record their fact keys and queue each new one for every channel, in one transaction."""
        rows = [(a.key, a.watchlist, a.incident_id, a.created_at, _json(a.data)) for a in alerts]
        new: list[str] = []
        with self._writing() as conn:
            for alert, row in zip(alerts, rows):
                cursor = conn.execute(
                    "INSERT INTO alerts (key, watchlist, incident_id, created_at, data) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    row,
                )
                conn.executemany(
                    "INSERT INTO alert_facts (watchlist, incident_id, fact_key, alert_key) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (watchlist, incident_id, fact_key) DO NOTHING",
                    [(alert.watchlist, alert.incident_id, k, alert.key) for k in alert.fact_keys],
                )
                if cursor.rowcount != 1:
                    continue
                new.append(alert.key)
                conn.executemany(
                    "INSERT INTO alert_deliveries (alert_key, channel, status, attempts, queued_at, next_attempt_at) "
                    "VALUES (?, ?, 'pending', 0, ?, ?) ON CONFLICT (alert_key, channel) DO NOTHING",
                    [(alert.key, channel, alert.created_at, alert.created_at) for channel in dict.fromkeys(channels)],
                )
        return new

    def alerts(
        self, since: str | None = None, watchlist: str | None = None, pending: bool = False,
        limit: int | None = None,
    ) -> list[StoredAlert]:
        """Stored alerts, newest first (see `Store.alerts`)."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("a.created_at >= ?")
            params.append(since)
        if watchlist is not None:
            where.append("a.watchlist = ?")
            params.append(watchlist)
        if pending:
            where.append("a.key IN (SELECT alert_key FROM alert_deliveries WHERE status = 'pending')")
        sql = "SELECT a.key, a.watchlist, a.incident_id, a.created_at, a.data FROM alerts AS a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.created_at DESC, a.key"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [StoredAlert(key, wl, inc, at, json.loads(data)) for key, wl, inc, at, data in rows]

    def deliveries(
        self, alert_key: str | None = None, channel: str | None = None, status: str | None = None,
        due_by: str | None = None,
    ) -> list[Delivery]:
        """Queued deliveries matching every given filter, oldest first (see `Store.deliveries`)."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("alert_key", alert_key), ("channel", channel), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if due_by is not None:
            where.append("next_attempt_at <= ?")
            params.append(due_by)
        sql = (
            "SELECT alert_key, channel, status, attempts, queued_at, next_attempt_at, last_error, delivered_at "
            "FROM alert_deliveries"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY queued_at, alert_key, channel"
        with self._reading() as conn:
            return [Delivery(*row) for row in conn.execute(sql, params).fetchall()]

    def record_delivery(
        self, alert_key: str, channel: str, at: str, error: str | None = None, retry_at: str | None = None
    ) -> None:
        """Record one attempt: delivered when `error` is None, else still pending until `retry_at`."""
        with self._writing() as conn:
            if error is None:
                conn.execute(
                    "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, "
                    "last_error = NULL WHERE alert_key = ? AND channel = ?",
                    (at, alert_key, channel),
                )
            else:
                conn.execute(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                    "WHERE alert_key = ? AND channel = ? AND status = 'pending'",
                    (error, retry_at or at, alert_key, channel),
                )

    def last_digest(self, channel: str) -> str | None:
        """When the last digest went out on `channel` (UTC ISO time), or None."""
        with self._reading() as conn:
            row = conn.execute("SELECT last_sent_at FROM alert_digests WHERE channel = ?", (channel,)).fetchone()
        return None if row is None else str(row[0])

    def record_digest(self, channel: str, at: str) -> None:
        """Remember that a digest went out on `channel` at `at`."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO alert_digests (channel, last_sent_at) VALUES (?, ?) "
                "ON CONFLICT (channel) DO UPDATE SET last_sent_at = excluded.last_sent_at",
                (channel, at),
            )

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()


# -- rows <-> records ----------------------------------------------------------------------------------------

# Host parameters per `IN (...)` query: under SQLite's default limit of 32,766 with a wide margin.
_IN_CHUNK = 500


def _now() -> str:
    """The current UTC time as stored (ISO 8601, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_INCIDENT_COLUMNS = "id, victim, sector, country, first_date, records, data"


def _json(value: Any) -> str:
    """Compact, deterministic JSON (key order is the records' own contract order)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _document_row(doc: StoredDocument) -> tuple[Any, ...]:
    """Validate one document and encode it as the documents columns (all but added_at)."""
    raw, clean = doc.raw, doc.clean
    digest = hashlib.sha256(raw.data).hexdigest()
    if raw.sha256 != digest or clean.sha256 != digest:
        raise StoreError(f"{raw.source}: sha256 does not match the raw bytes (expected {digest})")
    dropped = [{"start": d.start, "end": d.end, "text": d.text, "reason": d.reason} for d in clean.dropped]
    try:
        analysis = _json(doc.analysis.as_dict())
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{raw.source}: analysis cannot be stored as JSON: {exc}") from exc
    return (
        digest,
        raw.source,
        raw.kind,
        raw.data,
        clean.raw_text,
        clean.text,
        clean.title,
        clean.published,
        raw.fetched_title,
        raw.fetched_published,
        _json(dropped),
        analysis,
    )


def _dropped(data: str) -> tuple[DroppedSpan, ...]:
    """Decode the dropped-spans column."""
    return tuple(DroppedSpan(d["start"], d["end"], d["text"], d["reason"]) for d in json.loads(data))


def _analysis(sha256: str, text: str, dropped: str, analysis: str) -> DocumentAnalysis:
    """A stored analysis with the fields its JSON leaves out (text, sha256, dropped spans) filled back in."""
    return replace(
        DocumentAnalysis.from_dict(json.loads(analysis)), text=text, sha256=sha256, dropped=_dropped(dropped)
    )


def _stored_document(row: tuple[Any, ...]) -> StoredDocument:
    """Rebuild the three records of a documents row."""
    sha, source, kind, raw, raw_text, text, title, published, f_title, f_published, dropped, analysis = row
    spans = _dropped(dropped)
    return StoredDocument(
        raw=RawDocument(source, bytes(raw), sha, kind, f_title, f_published),
        clean=CleanDocument(source, sha, text, title, published, spans, raw_text),
        analysis=_analysis(sha, text, dropped, analysis),
    )


def _published_by_source(conn: sqlite3.Connection) -> dict[str, str]:
    """Published date of the latest version of each source that has one."""
    rows = conn.execute(
        f"SELECT source, published FROM documents WHERE id IN ({_LATEST}) AND published IS NOT NULL"
    )
    return {source: published for source, published in rows}


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def _first_date(incident: Incident, sources: Sequence[str], published: dict[str, str]) -> str | None:
    """Earliest known date: incident, disclosure or timeline date, else the sources' earliest published date.

    Dates with an unknown year ("--06-02") cannot be placed and are skipped; ISO strings of mixed precision
    sort correctly as text ("2025" < "2025-06" < "2025-06-02").
    """
    dates = [incident.incident_date, incident.disclosure_date, *(t.date for t in incident.timeline)]
    known = [m.group(0) for d in dates if d and (m := _DATE.match(d))]
    if not known:
        known = [m.group(0) for s in sources if (p := published.get(s)) and (m := _DATE.match(p))]
    return min(known) if known else None


def _records(incident: Incident) -> int | None:
    """The record count as an integer, when there is one."""
    fact = incident.records_affected
    if fact is None or isinstance(fact.value, bool):
        return None
    try:
        return int(fact.value)
    except (TypeError, ValueError):
        return None


def _incident_row(item: MergedIncident, published: dict[str, str]) -> tuple[Any, ...]:
    """The incidents columns of one merged incident, in _INCIDENT_COLUMNS order."""
    inc = item.incident
    try:
        data = _json(item.as_dict())
    except (TypeError, ValueError) as exc:
        raise StoreError(f"incident {item.id}: cannot be stored as JSON: {exc}") from exc
    return (
        item.id,
        inc.victim,
        inc.sector,
        inc.victim_country,
        _first_date(inc, item.sources, published),
        _records(inc),
        data,
    )


def _name_key(name: str) -> str:
    """Victim names compared without case, spacing or punctuation ("Orla Group" == "orla-group")."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _main_names(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Source -> name keys (victim and brands) of the main incident its latest analysis found, read in SQL."""
    rows = conn.execute(
        "SELECT d.source, json_extract(i.value, '$.victim'), json_extract(i.value, '$.brands') "
        f"FROM documents AS d, json_each(d.analysis, '$.incidents') AS i WHERE d.id IN ({_LATEST}) "
        "AND json_extract(i.value, '$.role') = 'main'"
    )
    out: dict[str, set[str]] = {}
    for source, victim, brands in rows:
        names = [victim, *json.loads(brands or "[]")]
        out.setdefault(source, set()).update(_name_key(str(n)) for n in names if n)
    return out


def _delete_incident(conn: sqlite3.Connection, incident_id: str) -> None:
    """Remove one incident, its side-table rows (by cascade) and its full-text row."""
    row = conn.execute("SELECT num FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is not None:
        conn.execute("DELETE FROM incidents_fts WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM incidents WHERE num = ?", (row[0],))


def _insert_incident(
    conn: sqlite3.Connection, item: MergedIncident, row: tuple[Any, ...], roles: list[tuple[str, str]]
) -> None:
    """Write one incident: its row, side tables and full-text entry."""
    inc = item.incident
    cursor = conn.execute(f"INSERT INTO incidents ({_INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    conn.executemany(
        "INSERT INTO incident_sources (incident_id, source, role) VALUES (?, ?, ?)",
        [(item.id, source, role) for source, role in roles],
    )
    actors = {str(name).casefold() for f in inc.threat_actors for name in (f.value, f.as_written) if name}
    conn.executemany(
        "INSERT INTO incident_actors (key, incident_id) VALUES (?, ?)", [(a, item.id) for a in sorted(actors)]
    )
    data_types = {str(f.value) for f in inc.data_exposed}
    conn.executemany(
        "INSERT INTO incident_data_types (data_type, incident_id) VALUES (?, ?)",
        [(d, item.id) for d in sorted(data_types)],
    )
    names = [inc.parent or "", *inc.brands]
    names += [str(n) for f in (*inc.threat_actors, *inc.campaigns) for n in (f.value, f.as_written) if n]
    quotes = [e.quote for _, fact in inc.facts() for e in fact.evidence]
    quotes += [e.quote for _, evidence in inc.field_evidence for e in evidence]
    conn.execute(
        "INSERT INTO incidents_fts (rowid, victim, names, quotes) VALUES (?, ?, ?, ?)",
        (cursor.lastrowid, inc.victim, "\n".join(dict.fromkeys(names)), "\n".join(dict.fromkeys(quotes))),
    )
