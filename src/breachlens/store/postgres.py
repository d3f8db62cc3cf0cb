"""The Store for teams: one PostgreSQL database shared by several ingest processes and web servers (psycopg 3).

Selected by a `postgresql://user[:password]@host[:port]/dbname` URL in `open_store`; the schema is
`migrations_pg` (the same tables and step numbers as SQLite's, with a `tsvector` + GIN index for full text).

Why it is set up this way:

* The connection is in autocommit mode and every write method is one explicit transaction, so a method writes
  everything or nothing, as on SQLite. Hashing and JSON encoding happen before the transaction starts.
* Several processes may ingest overlapping inputs at once. Documents are inserted with
  `ON CONFLICT (sha256) DO NOTHING` in sha256 order, so two batches sharing documents wait for each other
  instead of deadlocking, and the same bytes are stored once whoever commits first. Replacing the incident set
  takes a transaction-level advisory lock, so two replacements never interleave, and a replacement resolved
  from fewer documents than the stored one (a process that read the store before another committed more) is
  dropped rather than written over the newer set: the incidents always reflect the largest set of documents any
  finished ingest has seen, and once every ingest has finished, all of them.
* Deadlocks and serialisation failures, which PostgreSQL may still raise under contention, are retried a few
  times (the transaction is rolled back first, so a retry starts clean).
* The web server's threads share the one connection under a lock, as with SQLite.
* Error messages name the database by its URL with the password left out.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..errors import StoreError
from ..records import DocumentAnalysis, MergedIncident
from . import Delivery, DocumentHit, FeedStatus, Store, StoredAlert, StoredDocument, Validators
from .migrations_pg import LOCK_INCIDENTS, migrate
from .sqlite import (
    _INCIDENT_COLUMNS,
    _SHA256,
    _SINCE,
    SNIPPET_TOKENS,
    _analysis,
    _document_row,
    _incident_row,
    _json,
    _name_key,
    _now,
    _stored_document,
)

__all__ = ["PostgresStore", "redact"]

# Seconds to wait for the server when connecting (unless the URL says otherwise).
CONNECT_TIMEOUT_S = 10
# Attempts of one write transaction that PostgreSQL aborted as a deadlock or serialisation failure; with
# documents inserted in sha256 order these are rare, and a handful of retries with a short pause is plenty.
WRITE_ATTEMPTS = 5
RETRY_PAUSE_S = 0.05

_DOC_COLUMNS = (
    "sha256, source, kind, raw, raw_text, text, title, published, fetched_title, fetched_published, dropped, "
    "analysis"
)
_LATEST = "SELECT max(id) FROM documents GROUP BY source"

T = TypeVar("T")


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


class PostgresStore(Store):
    """Store over a PostgreSQL database; see the module docstring for why it is set up this way."""

    def __init__(self, url: str) -> None:
        """Connect to `url`, bring the schema up to date; StoreError when impossible."""
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a core dependency
            raise StoreError("PostgreSQL support needs psycopg: pip install 'psycopg[binary]'") from exc
        self._psycopg = psycopg
        self.url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url, flags=re.IGNORECASE)
        self.name = redact(self.url)
        self._lock = threading.RLock()
        # How many documents the last `document_analyses()` read (see replace_incidents); None when unknown.
        self._analysed_count: int | None = None
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        try:
            self._conn = psycopg.connect(self.url, **kwargs)
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: cannot connect: {_one_line(exc)}") from exc
        try:
            self.schema_version = migrate(self._conn, name=self.name)
        except BaseException:
            self._conn.close()
            raise
        self._closed = False

    def __repr__(self) -> str:
        return f"PostgresStore({self.name!r})"

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """The connection under the lock, with psycopg errors turned into StoreError."""
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.name}: the store is closed")
            try:
                yield self._conn
            except self._psycopg.Error as exc:
                raise StoreError(f"{self.name}: {_one_line(exc)}") from exc

    def _write(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)` in one transaction, retried when PostgreSQL aborts it as a deadlock or conflict."""
        errors = self._psycopg.errors
        retryable = (errors.DeadlockDetected, errors.SerializationFailure)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._reading() as conn, conn.transaction():
                    return work(conn)
            except StoreError as exc:
                if not isinstance(exc.__cause__, retryable) or attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(RETRY_PAUSE_S * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- documents -------------------------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        """Whether a document with these raw bytes is stored (lets acquire skip re-analysis)."""
        with self._reading() as conn:
            return conn.execute("SELECT 1 FROM documents WHERE sha256 = %s", (sha256,)).fetchone() is not None

    def add_documents(self, batch: Sequence[StoredDocument]) -> int:
        """Store new documents in one transaction, skip already-stored sha256s, return how many were new."""
        rows = sorted((_document_row(doc) for doc in batch), key=lambda row: row[0])  # sha256 order: no deadlock
        added_at = _now()
        marks = ", ".join(["%s"] * 13)

        def insert(conn: Any) -> int:
            """Insert each row unless its sha256 is stored (or being stored by another transaction)."""
            new = 0
            for row in rows:
                cursor = conn.execute(
                    f"INSERT INTO documents ({_DOC_COLUMNS}, added_at) VALUES ({marks}) "
                    "ON CONFLICT (sha256) DO NOTHING",
                    (*row, added_at),
                )
                new += cursor.rowcount
            return new

        return self._write(insert)

    def document(self, key: str) -> StoredDocument | None:
        """The document with this sha256, or the latest one with this source; None when there is none."""
        with self._reading() as conn:
            row = None
            if _SHA256.match(key):
                row = conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = %s", (key,)).fetchone()
            if row is None:
                row = conn.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = %s ORDER BY id DESC LIMIT 1", (key,)
                ).fetchone()
        return _stored_document(row) if row is not None else None

    def document_analyses(self) -> list[DocumentAnalysis]:
        """The latest analysis of each source, by source, with text and sha256 filled in (for resolve)."""
        with self._reading() as conn, conn.transaction():
            # One snapshot for both reads: the count says exactly which documents the analyses came from.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            (count,) = conn.execute("SELECT count(*) FROM documents").fetchone()
            rows = conn.execute(
                "SELECT sha256, text, dropped, analysis FROM documents "
                f"WHERE id IN ({_LATEST}) ORDER BY source"
            ).fetchall()
        self._analysed_count = int(count)
        return [_analysis(sha, text, dropped, analysis) for sha, text, dropped, analysis in rows]

    def search_documents(self, query: str, limit: int = 20) -> list[DocumentHit]:
        """Documents whose title or text hold every word of `query`, best first (no FTS syntax is read)."""
        if not query.strip():
            return []
        options = f"StartSel=[, StopSel=], MaxWords={SNIPPET_TOKENS}, MinWords=4, MaxFragments=1, ShortWord=0"
        with self._reading() as conn:
            rows = conn.execute(
                "WITH q AS (SELECT plainto_tsquery('simple', %s) AS q) "
                "SELECT d.sha256, d.source, ts_headline('simple', coalesce(d.title, '') || E'\\n' || "
                "left(d.text, %s), q.q, %s) FROM documents AS d, q "
                "WHERE numnode(q.q) > 0 AND d.search @@ q.q ORDER BY ts_rank(d.search, q.q) DESC, d.id LIMIT %s",
                (query, _HEADLINE_CHARS, options, max(0, limit)),
            ).fetchall()
        return [DocumentHit(sha, source, _ellipsis(snippet)) for sha, source, snippet in rows]

    # -- incidents -------------------------------------------------------------------------------------------

    def replace_incidents(self, merged: Sequence[MergedIncident]) -> None:
        """Make `merged` the stored set of incidents in one transaction (unchanged ones are not rewritten).

        When this store's last `document_analyses()` read fewer documents than the stored set was resolved
        from (another process stored more and resolved them first), the older resolution is not written.
        """
        seen: set[str] = set()
        for item in merged:
            if item.id in seen:
                raise StoreError(f"{self.name}: duplicate incident id {item.id!r} in one replacement")
            seen.add(item.id)
        resolved_from, self._analysed_count = self._analysed_count, None

        def replace(conn: Any) -> None:
            """The whole replacement, under the incidents lock."""
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_INCIDENTS,))
            state = conn.execute("SELECT resolved_documents FROM incidents_state").fetchone()
            if resolved_from is not None and state is not None and state[0] is not None and state[0] > resolved_from:
                return
            conn.execute(
                "INSERT INTO incidents_state (singleton, resolved_documents) VALUES (TRUE, %s) "
                "ON CONFLICT (singleton) DO UPDATE SET resolved_documents = excluded.resolved_documents "
                "WHERE incidents_state.resolved_documents IS DISTINCT FROM excluded.resolved_documents",
                (resolved_from,),
            )
            published = _published_by_source(conn)
            main_names = _main_names(conn)
            old = {row[0]: row for row in conn.execute(f"SELECT {_INCIDENT_COLUMNS} FROM incidents")}
            old_roles: dict[str, list[tuple[str, str]]] = {}
            for incident_id, source, role in conn.execute(
                "SELECT incident_id, source, role FROM incident_sources ORDER BY incident_id, source"
            ):
                old_roles.setdefault(incident_id, []).append((source, role))
            gone = sorted(set(old) - seen)
            if gone:
                conn.execute("DELETE FROM incidents WHERE id = ANY(%s)", (gone,))
            for item in merged:
                row = _incident_row(item, published)
                ours = {_name_key(n) for n in (item.incident.victim, *item.incident.brands)}
                roles = sorted(
                    (s, "main" if ours & main_names.get(s, set()) else "mentioned") for s in set(item.sources)
                )
                if old.get(item.id) == row and old_roles.get(item.id, []) == roles:
                    continue
                if item.id in old:
                    conn.execute("DELETE FROM incidents WHERE id = %s", (item.id,))
                _insert_incident(conn, item, row, roles)

        self._write(replace)

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
        ctes = ""
        order = "i.first_date IS NULL, i.first_date DESC, i.id"
        if search is not None and search.strip():
            ctes = "WITH q AS (SELECT plainto_tsquery('simple', %s) AS q) "
            params.append(search)
        if sector is not None:
            where.append("i.sector = %s")
            params.append(sector)
        if country is not None:
            where.append("upper(i.country) = %s")
            params.append(country.upper())
        if actor is not None:
            where.append("i.id IN (SELECT incident_id FROM incident_actors WHERE key = %s)")
            params.append(actor.casefold())
        if data_type is not None:
            where.append("i.id IN (SELECT incident_id FROM incident_data_types WHERE data_type = %s)")
            params.append(data_type)
        if since is not None:
            if not _SINCE.match(since):
                raise StoreError(f"since: expected YYYY, YYYY-MM or YYYY-MM-DD, got {since!r}")
            # Compare at the coarser precision of the two, so "2025" is not before "2025-06".
            where.append(
                "i.first_date IS NOT NULL AND left(i.first_date, least(length(i.first_date), %s)) "
                ">= left(%s, least(length(i.first_date), %s))"
            )
            params.extend([len(since), since, len(since)])
        sql = f"{ctes}SELECT i.data FROM incidents AS i"
        if ctes:
            sql += ", q"
            where.append("numnode(q.q) > 0 AND i.search @@ q.q")
            order = "ts_rank(i.search, q.q) DESC, " + order
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(max(0, limit))
        with self._reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [MergedIncident.from_dict(json.loads(data)) for (data,) in rows]

    def incident(self, incident_id: str) -> MergedIncident | None:
        """The incident with this id, or None."""
        with self._reading() as conn:
            row = conn.execute("SELECT data FROM incidents WHERE id = %s", (incident_id,)).fetchone()
        return MergedIncident.from_dict(json.loads(row[0])) if row is not None else None

    def previous_ids(self) -> dict[str, str]:
        """Source -> id of the stored incident that source is mainly about, so the resolver keeps ids stable."""
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
            "documents": int(documents),
            "sources": int(sources),
            "incidents": int(incidents),
            "schema_version": self.schema_version,
        }

    # -- web fetching state ---------------------------------------------------------------------------------

    def validators(self, url: str) -> Validators | None:
        """The ETag / Last-Modified remembered for `url`, or None."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT etag, last_modified, sha256 FROM fetch_validators WHERE url = %s", (url,)
            ).fetchone()
        return None if row is None else Validators(*row)

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last successful fetch of `url` (replacing older ones)."""
        self._write(lambda conn: conn.execute(
            "INSERT INTO fetch_validators (url, etag, last_modified, sha256, fetched_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
            (url, validators.etag, validators.last_modified, validators.sha256, _now()),
        ))

    def seen_feed_items(self, urls: Sequence[str]) -> set[str]:
        """Which of `urls` were already taken from a feed (any feed)."""
        unique = list(dict.fromkeys(urls))
        if not unique:
            return set()
        with self._reading() as conn:
            rows = conn.execute("SELECT url FROM feed_items WHERE url = ANY(%s)", (unique,)).fetchall()
        return {url for (url,) in rows}

    def mark_feed_items(self, feed_url: str, items: Sequence[tuple[str, str | None]]) -> None:
        """Record (url, guid) items of `feed_url` as taken, in one transaction; already-seen ones are kept."""
        seen_at = _now()
        first: dict[str, str | None] = {}
        for url, guid in items:
            first.setdefault(url, guid)

        def mark(conn: Any) -> None:
            """One insert per item, in url order (no deadlock with a concurrent poller)."""
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO feed_items (url, feed_url, guid, seen_at) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (url) DO NOTHING",
                    [(url, feed_url, first[url], seen_at) for url in sorted(first)],
                )

        self._write(mark)

    def record_feed_result(self, feed_url: str, error: str | None) -> None:
        """Record one poll of `feed_url`: success when `error` is None, else the one-line reason."""
        at = _now()
        if error is None:
            sql = (
                "INSERT INTO feeds (feed_url, last_ok_at, consecutive_failures) VALUES (%s, %s, 0) "
                "ON CONFLICT (feed_url) DO UPDATE SET last_ok_at = excluded.last_ok_at, consecutive_failures = 0"
            )
            params: tuple[Any, ...] = (feed_url, at)
        else:
            sql = (
                "INSERT INTO feeds (feed_url, last_error_at, last_error, consecutive_failures) "
                "VALUES (%s, %s, %s, 1) ON CONFLICT (feed_url) DO UPDATE SET "
                "last_error_at = excluded.last_error_at, last_error = excluded.last_error, "
                "consecutive_failures = feeds.consecutive_failures + 1"
            )
            params = (feed_url, at, error)
        self._write(lambda conn: conn.execute(sql, params))

    def feed_status(self, feed_url: str | None = None) -> list[FeedStatus]:
        """The recorded outcome of every polled feed (or just `feed_url`), by feed URL."""
        query = "SELECT feed_url, last_ok_at, last_error_at, last_error, consecutive_failures FROM feeds"
        with self._reading() as conn:
            if feed_url is None:
                rows = conn.execute(query + " ORDER BY feed_url").fetchall()
            else:
                rows = conn.execute(query + " WHERE feed_url = %s", (feed_url,)).fetchall()
        return [FeedStatus(*row) for row in rows]

    # -- watchlists and alerts (issue 9) ---------------------------------------------------------------------
    # The alert tables (migration step 4) are plain TEXT in the database's default collation, so every ORDER BY
    # and every comparison of ISO times says COLLATE "C": the same byte order SQLite uses, whatever the locale.

    def save_watchlist(self, name: str, spec: dict[str, Any]) -> None:
        """Create or replace the watchlist `name` with its criteria (`alerts.Watchlist.as_dict`)."""
        data = _json(spec)
        at = _now()
        self._write(lambda conn: conn.execute(
            "INSERT INTO watchlists (name, spec, created_at, updated_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            (name, data, at, at),
        ))

    def watchlists(self) -> dict[str, dict[str, Any]]:
        """Every watchlist's criteria, by name."""
        with self._reading() as conn:
            rows = conn.execute('SELECT name, spec FROM watchlists ORDER BY name COLLATE "C"').fetchall()
        return {name: json.loads(spec) for name, spec in rows}

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and what it was told about (its alerts stay); False when there was none."""

        def remove(conn: Any) -> bool:
            """Both deletes in one transaction."""
            gone = conn.execute("DELETE FROM watchlists WHERE name = %s", (name,)).rowcount
            conn.execute("DELETE FROM alert_facts WHERE watchlist = %s", (name,))
            return bool(gone)

        return self._write(remove)

    def alert_fact_keys(self, watchlist: str, incident_id: str) -> set[str]:
        """Facts of `incident_id` that `watchlist` has already been alerted about (empty before a first match)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT fact_key FROM alert_facts WHERE watchlist = %s AND incident_id = %s", (watchlist, incident_id)
            ).fetchall()
        return {key for (key,) in rows}

    def add_alerts(self, alerts: Sequence[StoredAlert], channels: Sequence[str]) -> list[str]:
        """Store alerts, record their fact keys and queue each new one for every channel, in one transaction."""
        rows = [(a.key, a.watchlist, a.incident_id, a.created_at, _json(a.data)) for a in alerts]
        unique_channels = list(dict.fromkeys(channels))

        def add(conn: Any) -> list[str]:
            """Each alert unless its key is stored, its facts, and (when new) its deliveries."""
            new: list[str] = []
            with conn.cursor() as cursor:
                for alert, row in zip(alerts, rows):
                    cursor.execute(
                        "INSERT INTO alerts (key, watchlist, incident_id, created_at, data) "
                        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                        row,
                    )
                    inserted = cursor.rowcount == 1
                    cursor.executemany(
                        "INSERT INTO alert_facts (watchlist, incident_id, fact_key, alert_key) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (watchlist, incident_id, fact_key) DO NOTHING",
                        [(alert.watchlist, alert.incident_id, k, alert.key) for k in alert.fact_keys],
                    )
                    if not inserted:
                        continue
                    new.append(alert.key)
                    cursor.executemany(
                        "INSERT INTO alert_deliveries "
                        "(alert_key, channel, status, attempts, queued_at, next_attempt_at) "
                        "VALUES (%s, %s, 'pending', 0, %s, %s) ON CONFLICT (alert_key, channel) DO NOTHING",
                        [(alert.key, channel, alert.created_at, alert.created_at) for channel in unique_channels],
                    )
            return new

        return self._write(add)

    def alerts(
        self, since: str | None = None, watchlist: str | None = None, pending: bool = False,
        limit: int | None = None,
    ) -> list[StoredAlert]:
        """Stored alerts, newest first (see `Store.alerts`)."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append('a.created_at COLLATE "C" >= %s')
            params.append(since)
        if watchlist is not None:
            where.append("a.watchlist = %s")
            params.append(watchlist)
        if pending:
            where.append("a.key IN (SELECT alert_key FROM alert_deliveries WHERE status = 'pending')")
        sql = "SELECT a.key, a.watchlist, a.incident_id, a.created_at, a.data FROM alerts AS a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY a.created_at COLLATE "C" DESC, a.key COLLATE "C"'
        if limit is not None:
            sql += " LIMIT %s"
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
                where.append(f"{column} = %s")
                params.append(value)
        if due_by is not None:
            where.append('next_attempt_at COLLATE "C" <= %s')
            params.append(due_by)
        sql = (
            "SELECT alert_key, channel, status, attempts, queued_at, next_attempt_at, last_error, delivered_at "
            "FROM alert_deliveries"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY queued_at COLLATE "C", alert_key COLLATE "C", channel COLLATE "C"'
        with self._reading() as conn:
            return [Delivery(*row) for row in conn.execute(sql, params).fetchall()]

    def record_delivery(
        self, alert_key: str, channel: str, at: str, error: str | None = None, retry_at: str | None = None
    ) -> None:
        """Record one attempt: delivered when `error` is None, else still pending until `retry_at`."""
        if error is None:
            sql = (
                "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = %s, "
                "last_error = NULL WHERE alert_key = %s AND channel = %s"
            )
            params: tuple[Any, ...] = (at, alert_key, channel)
        else:
            sql = (
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = %s, next_attempt_at = %s "
                "WHERE alert_key = %s AND channel = %s AND status = 'pending'"
            )
            params = (error, retry_at or at, alert_key, channel)
        self._write(lambda conn: conn.execute(sql, params))

    def last_digest(self, channel: str) -> str | None:
        """When the last digest went out on `channel` (UTC ISO time), or None."""
        with self._reading() as conn:
            row = conn.execute("SELECT last_sent_at FROM alert_digests WHERE channel = %s", (channel,)).fetchone()
        return None if row is None else str(row[0])

    def record_digest(self, channel: str, at: str) -> None:
        """Remember that a digest went out on `channel` at `at`."""
        self._write(lambda conn: conn.execute(
            "INSERT INTO alert_digests (channel, last_sent_at) VALUES (%s, %s) "
            "ON CONFLICT (channel) DO UPDATE SET last_sent_at = excluded.last_sent_at",
            (channel, at),
        ))

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()


# -- helpers -------------------------------------------------------------------------------------------------

# Characters of a document the search snippet is cut from (ts_headline re-parses the text it is given).
_HEADLINE_CHARS = 20_000


def _one_line(exc: BaseException) -> str:
    """psycopg's message without its DETAIL/HINT lines."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _ellipsis(snippet: str) -> str:
    """Mark the snippet as an excerpt, as SQLite's snippet() does."""
    return snippet.strip().replace("\n", " ") + "…"


def _published_by_source(conn: Any) -> dict[str, str]:
    """Published date of the latest version of each source that has one."""
    rows = conn.execute(
        f"SELECT source, published FROM documents WHERE id IN ({_LATEST}) AND published IS NOT NULL"
    )
    return {source: published for source, published in rows}


def _main_names(conn: Any) -> dict[str, set[str]]:
    """Source -> name keys (victim and brands) of the main incident its latest analysis found, read in SQL."""
    rows = conn.execute(
        "SELECT d.source, i.value ->> 'victim', i.value -> 'brands' "
        "FROM documents AS d, jsonb_array_elements(d.analysis::jsonb -> 'incidents') AS i "
        f"WHERE d.id IN ({_LATEST}) AND i.value ->> 'role' = 'main'"
    )
    out: dict[str, set[str]] = {}
    for source, victim, brands in rows:
        names = [victim, *(brands or [])]
        out.setdefault(source, set()).update(_name_key(str(n)) for n in names if n)
    return out


def _insert_incident(conn: Any, item: MergedIncident, row: tuple[Any, ...], roles: list[tuple[str, str]]) -> None:
    """Write one incident: its row with its full-text vector, and its side tables."""
    inc = item.incident
    names = [inc.parent or "", *inc.brands]
    names += [str(n) for f in (*inc.threat_actors, *inc.campaigns) for n in (f.value, f.as_written) if n]
    quotes = [e.quote for _, fact in inc.facts() for e in fact.evidence]
    quotes += [e.quote for _, evidence in inc.field_evidence for e in evidence]
    conn.execute(
        f"INSERT INTO incidents ({_INCIDENT_COLUMNS}, search) VALUES (%s, %s, %s, %s, %s, %s, %s, "
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
        "|| setweight(to_tsvector('simple', %s), 'C'))",
        (*row, inc.victim, "\n".join(dict.fromkeys(names)), "\n".join(dict.fromkeys(quotes))),
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO incident_sources (incident_id, source, role) VALUES (%s, %s, %s)",
            [(item.id, source, role) for source, role in roles],
        )
        actors = {str(name).casefold() for f in inc.threat_actors for name in (f.value, f.as_written) if name}
        cursor.executemany(
            "INSERT INTO incident_actors (key, incident_id) VALUES (%s, %s)", [(a, item.id) for a in sorted(actors)]
        )
        data_types = {str(f.value) for f in inc.data_exposed}
        cursor.executemany(
            "INSERT INTO incident_data_types (data_type, incident_id) VALUES (%s, %s)",
            [(d, item.id) for d in sorted(data_types)],
        )
