"""The schema as an ordered list of numbered steps, each applied in its own transaction, and the one runner.

`MIGRATIONS` is SQLite's list and `migrations_pg.MIGRATIONS` PostgreSQL's (the same numbers and names); both go
through `migrate` here, whose transactions and locking come from the backend's `Dialect`.

Why steps and not one `CREATE TABLE IF NOT EXISTS` script: a database written by an older breachlens must open
in a newer one without losing what it holds, and a database written by a newer breachlens must be refused
rather than half-understood. Each applied step is recorded in the `migrations` table; opening a database
applies the missing steps in order, each all-or-nothing, and refuses a database whose highest step is unknown
here.

Rules for adding a step: append it with the next number, never edit or reorder a released step, and keep every
statement free of `BEGIN`/`COMMIT` (the runner owns the transaction). A step is either a tuple of SQL
statements or a function of the connection, for data changes that SQL alone cannot express.

Why the tables look the way they do:

* `documents` keeps the raw bytes (so nothing acquired is ever lost and a document can be re-analysed with a
  better extractor), the cleaned text that every Evidence offset points into, and the per-document analysis as
  JSON. The sha256 of the raw bytes is the identity, so ingesting the same bytes twice is a no-op; an integer
  `id` gives insertion order and is the rowid the full-text index needs.
* `incidents` stores each resolved incident as the contract JSON (`data`), which is what every reader wants
  back, plus a few plain columns copied out of it for filtering and sorting. Values that come as lists
  (actors, exposed data types, sources) go to small side tables with a primary key that starts with the
  looked-up value, because an indexed equality join is both simpler and faster than scanning JSON with
  `json_each` on every query.
* Two FTS5 indexes: `documents_fts` is external-content over documents(title, text), kept in sync by triggers,
  so the text is not stored twice; `incidents_fts` holds names and quotes of each incident and is rewritten by
  the incident replacement, which deletes exactly the rows of the incidents it replaces.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import StoreError
from ..records import MergedIncident
from .rows import facet_rows
from .sql import Dialect

__all__ = ["Migration", "MIGRATIONS", "LATEST_VERSION", "current_version", "migrate"]

Step = tuple[str, ...] | Callable[[Any], None]


@dataclass(frozen=True)
class Migration:
    """One schema step: `number` is its position (1, 2, …), `name` says what it adds, `step` does it."""

    number: int
    name: str
    step: Step


_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"

_DOCUMENTS: tuple[str, ...] = (
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        raw BLOB NOT NULL,
        raw_text TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        title TEXT,
        published TEXT,
        fetched_title TEXT,
        fetched_published TEXT,
        dropped TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dropped)),
        analysis TEXT NOT NULL CHECK (json_valid(analysis)),
        added_at TEXT NOT NULL
    )""",
    "CREATE INDEX documents_source ON documents (source, id)",
    f"""CREATE VIRTUAL TABLE documents_fts USING fts5 (
        title, text, content = 'documents', content_rowid = 'id', {_TOKENIZE}
    )""",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
)

_INCIDENTS: tuple[str, ...] = (
    """CREATE TABLE incidents (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        victim TEXT NOT NULL,
        sector TEXT,
        country TEXT,
        first_date TEXT,
        records INTEGER,
        data TEXT NOT NULL CHECK (json_valid(data))
    )""",
    "CREATE INDEX incidents_sector ON incidents (sector)",
    "CREATE INDEX incidents_country ON incidents (country)",
    "CREATE INDEX incidents_first_date ON incidents (first_date)",
    """CREATE TABLE incident_sources (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('main', 'mentioned')),
        PRIMARY KEY (incident_id, source)
    ) WITHOUT ROWID""",
    "CREATE INDEX incident_sources_source ON incident_sources (source)",
    """CREATE TABLE incident_actors (
        key TEXT NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        PRIMARY KEY (key, incident_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX incident_actors_incident ON incident_actors (incident_id)",
    """CREATE TABLE incident_data_types (
        data_type TEXT NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        PRIMARY KEY (data_type, incident_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX incident_data_types_incident ON incident_data_types (incident_id)",
    f"CREATE VIRTUAL TABLE incidents_fts USING fts5 (victim, names, quotes, {_TOKENIZE})",
)

# Web fetching state (issue 5): the validators a server gave for each URL (for conditional requests), the feed
# items already taken (so a poll fetches only what is new), and each feed's last outcome (errors are kept per
# feed, so a feed that is down is visible and the others go on).
_FETCH_STATE: tuple[str, ...] = (
    """CREATE TABLE fetch_validators (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT,
        fetched_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE feed_items (
        url TEXT PRIMARY KEY,
        feed_url TEXT NOT NULL,
        guid TEXT,
        seen_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX feed_items_feed ON feed_items (feed_url)",
    """CREATE TABLE feeds (
        feed_url TEXT PRIMARY KEY,
        last_ok_at TEXT,
        last_error_at TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
)

# Watchlists and alerts (issue 9): the watchlists themselves (their criteria as JSON), every alert raised (its
# stable key makes a second raise of the same change a no-op), the facts each watchlist has already been told
# about per incident (so a republished copy or a re-ingest raises nothing), and the delivery queue: one row per
# alert and notifier channel, pending until delivered, retried with backoff, so no alert is lost while a notifier
# is down. Plain SQL types and no WITHOUT ROWID / json_valid, so the same tables can be created in PostgreSQL.
_ALERTS: tuple[str, ...] = (
    """CREATE TABLE watchlists (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE alerts (
        key TEXT PRIMARY KEY,
        watchlist TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX alerts_created ON alerts (created_at)",
    "CREATE INDEX alerts_watchlist ON alerts (watchlist, incident_id)",
    """CREATE TABLE alert_facts (
        watchlist TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        fact_key TEXT NOT NULL,
        alert_key TEXT NOT NULL,
        PRIMARY KEY (watchlist, incident_id, fact_key)
    )""",
    """CREATE TABLE alert_deliveries (
        alert_key TEXT NOT NULL REFERENCES alerts (key) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_key, channel)
    )""",
    "CREATE INDEX alert_deliveries_due ON alert_deliveries (status, channel, next_attempt_at)",
    """CREATE TABLE alert_digests (
        channel TEXT PRIMARY KEY,
        last_sent_at TEXT NOT NULL
    )""",
)

# Incremental resolution and change tracking (issue 16): when each incident was created and last changed, the
# log of what each resolve changed, the blocking keys of each source's latest document (victims, parents and
# brands its incidents name: which documents a new one can be clustered with), and the queue of documents stored
# but not yet resolved (filled in the transaction that stores them, emptied by the resolve that reads them).
# Existing documents are queued, so the first resolve after the upgrade builds the keys of everything once.
def changes_and_blocks(text_c: str, serial: str, big: str, now: str, without_rowid: str) -> tuple[str, ...]:
    """Step 5 in one database's spelling: compared text type, auto-increment key, integer type, current time."""
    return (
        f"ALTER TABLE incidents ADD COLUMN created_at {text_c}",
        f"ALTER TABLE incidents ADD COLUMN updated_at {text_c}",
        f"UPDATE incidents SET created_at = {now}, updated_at = {now}",
        "CREATE INDEX incidents_updated ON incidents (updated_at)",
        f"""CREATE TABLE incident_changes (
            seq {serial},
            incident_id {text_c} NOT NULL,
            at {text_c} NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{{}}'
        )""",
        "CREATE INDEX incident_changes_at ON incident_changes (at)",
        "CREATE INDEX incident_changes_incident ON incident_changes (incident_id, seq)",
        f"CREATE TABLE block_keys (key {text_c} NOT NULL, source {text_c} NOT NULL, PRIMARY KEY (key, source))"
        + without_rowid,
        "CREATE INDEX block_keys_source ON block_keys (source)",
        f"CREATE TABLE pending_documents (document_id {big} PRIMARY KEY, source {text_c} NOT NULL)",
        "INSERT INTO pending_documents (document_id, source) SELECT id, source FROM documents "
        "WHERE id IN (SELECT max(id) FROM documents GROUP BY source)",
    )


_CHANGES_AND_BLOCKS = changes_and_blocks(
    "TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", " WITHOUT ROWID"
)

# The incident list's facet values (issue 16): the web counts and filters by sector, country, actor, data type and
# modality in SQL, one page at a time, instead of reading every incident per request. Filled from the stored
# incidents here; every later incident write keeps it in step.
def incident_facets(text_c: str, without_rowid: str, mark: str) -> Callable[[Any], None]:
    """Step 6 in one database's spelling (compared text type, table suffix, placeholder)."""

    def step(conn: Any) -> None:
        """Create the table and index, then fill it from every stored incident."""
        conn.execute(
            f"""CREATE TABLE incident_facets (
                facet {text_c} NOT NULL,
                value {text_c} NOT NULL,
                incident_id {text_c} NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
                PRIMARY KEY (facet, value, incident_id)
            ){without_rowid}"""
        )
        conn.execute("CREATE INDEX incident_facets_incident ON incident_facets (incident_id)")
        rows = [
            row for (data,) in conn.execute("SELECT data FROM incidents").fetchall()
            for row in facet_rows(MergedIncident.from_dict(json.loads(data)))
        ]
        if rows:
            conn.cursor().executemany(
                f"INSERT INTO incident_facets (facet, value, incident_id) VALUES ({mark}, {mark}, {mark})", rows
            )

    return step


# What each step adds: the same step numbers and names on both backends (`numbered` pairs them with the SQL).
STEP_NAMES: tuple[str, ...] = (
    "documents: raw and cleaned text, per-document analysis, full-text index",
    "incidents: resolved incidents, sources, actors, data types, full-text index",
    "fetch state: per-URL validators, seen feed items, per-feed outcome",
    "alerts: watchlists, raised alerts, facts already alerted on, delivery queue",
    "incremental resolve and change tracking: incident times, change log, block keys, queue",
    "incident facets: sector, country, actor, data type and modality values the list counts and filters by",
)


def numbered(*steps: Step) -> tuple[Migration, ...]:
    """One backend's steps, numbered 1, 2, ... and named from STEP_NAMES."""
    if len(steps) != len(STEP_NAMES):
        raise StoreError(f"expected {len(STEP_NAMES)} migration steps, got {len(steps)}")
    named = zip(STEP_NAMES, steps, strict=True)
    return tuple(Migration(n, name, step) for n, (name, step) in enumerate(named, start=1))


MIGRATIONS = numbered(
    _DOCUMENTS, _INCIDENTS, _FETCH_STATE, _ALERTS, _CHANGES_AND_BLOCKS, incident_facets("TEXT", " WITHOUT ROWID", "?")
)
LATEST_VERSION = MIGRATIONS[-1].number

_CREATE_LEDGER = """CREATE TABLE IF NOT EXISTS migrations (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


def current_version(conn: Any, dialect: Dialect | None = None) -> int:
    """Highest applied step (0 for a database without a `migrations` table)."""
    if not (dialect or Dialect()).has_table(conn, "migrations"):
        return 0
    row = conn.execute("SELECT coalesce(max(number), 0) FROM migrations").fetchone()
    return int(row[0])


def migrate(
    conn: Any, steps: Sequence[Migration] = MIGRATIONS, *, name: str = "database", dialect: Dialect | None = None
) -> int:
    """Apply the missing steps, one transaction each, and return the resulting version (both backends).

    `conn` must be in autocommit mode, since each step opens its own transaction (`Dialect.migration_step`,
    which also keeps two processes migrating one database from applying a step twice). Raises StoreError when
    the database was written by a newer breachlens or a step fails (the failed step leaves nothing behind; the
    steps before it stay applied).
    """
    dialect = dialect or Dialect()
    _check_numbering(steps)
    latest = steps[-1].number if steps else 0
    try:
        with dialect.migration_step(conn):
            conn.execute(_CREATE_LEDGER)
        for migration in steps:
            with dialect.migration_step(conn):
                # Re-read the version under the lock: another process may have applied this step meanwhile.
                version = current_version(conn, dialect)
                if version > latest:
                    raise _too_new(name, version, latest)
                if migration.number <= version:
                    continue
                if callable(migration.step):
                    migration.step(conn)
                else:
                    for statement in migration.step:
                        conn.execute(statement)
                applied_at = datetime.now(UTC).isoformat(timespec="seconds")
                conn.execute(
                    dialect.sql("INSERT INTO migrations (number, name, applied_at) VALUES (?, ?, ?)"),
                    (migration.number, migration.name, applied_at),
                )
        version = current_version(conn, dialect)
    except dialect.errors() as exc:
        raise StoreError(f"{name}: cannot migrate the schema: {str(exc).strip().splitlines()[0]}") from exc
    if version > latest:
        raise _too_new(name, version, latest)
    return version


def _too_new(name: str, version: int, latest: int) -> StoreError:
    """The error for a database written by a newer breachlens."""
    return StoreError(
        f"{name}: schema version {version} is newer than this breachlens supports ({latest}); "
        "upgrade breachlens to open it"
    )


def _check_numbering(steps: Sequence[Migration]) -> None:
    """Refuse steps not numbered 1, 2, 3, … (a programming error, caught before touching the file)."""
    numbers = [m.number for m in steps]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migration steps must be numbered 1..{len(numbers)} in order, got {numbers}")
