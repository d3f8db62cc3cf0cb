"""The PostgreSQL schema: the same numbered steps as `migrations` (SQLite), in PostgreSQL's dialect.

Why a parallel list rather than one dialect-neutral list: the full-text parts have nothing in common (FTS5
virtual tables and triggers there, a generated `tsvector` column with a GIN index here), and the rest differs in
enough small ways (identity columns, `bytea`, `COLLATE "C"`) that translating at run time would hide more than
it saves. What is shared is the *logical* schema: the same tables, columns, keys and step numbers, so
`counts()["schema_version"]` means the same on both backends. A step added to `migrations.MIGRATIONS` gets its
PostgreSQL twin here under the same number; `tests/test_store_postgres.py` checks the two lists agree.

Choices that differ from SQLite, and why:

* Text columns that are compared or sorted (`sha256`, `source`, incident ids, dates) are `COLLATE "C"`, so
  ordering is by code point as in SQLite whatever the database's locale is; resolve reads documents in
  `source` order, and the same order gives the same incidents on both backends.
* JSON is kept as `text` (checked to parse), not `jsonb`: `jsonb` reorders keys, and the stored contract JSON
  must come back exactly as written.
* Full text uses the `simple` configuration (lower-casing, no stemming, no stop words), the closest match to
  FTS5's `unicode61` tokenizer: every word of a query must appear as written. Accents are not folded (that
  needs the `unaccent` extension, which only a superuser can create).
* `documents.search` indexes at most the first 200,000 characters of the text (`Settings.nlp.max_chars`, what the
  analysis itself reads) because a `tsvector` is limited to 1 MB.
* Concurrent migrators (two `ingest` processes opening a new database at once) are serialised by a
  transaction-level advisory lock (`LOCK_MIGRATE`, taken by `PostgresDialect.migration_step`), so each step is
  applied exactly once. The runner is `migrations.migrate`, shared with SQLite.
"""

from __future__ import annotations

from .migrations import _ALERTS, changes_and_blocks, incident_facets, numbered

__all__ = ["MIGRATIONS", "LATEST_VERSION", "LOCK_MIGRATE"]

# Advisory lock key (any bigint; this spells "blmg"), taken with pg_advisory_xact_lock.
LOCK_MIGRATE = 0x626C6D67

# What the full-text index reads of each document (see the module docstring).
FTS_MAX_CHARS = 200_000

_DOCUMENTS: tuple[str, ...] = (
    f"""CREATE TABLE documents (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sha256 TEXT COLLATE "C" NOT NULL UNIQUE CHECK (length(sha256) = 64),
        source TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        raw BYTEA NOT NULL,
        raw_text TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        title TEXT,
        published TEXT COLLATE "C",
        fetched_title TEXT,
        fetched_published TEXT,
        dropped TEXT NOT NULL DEFAULT '[]' CHECK (dropped::json IS NOT NULL),
        analysis TEXT NOT NULL CHECK (analysis::json IS NOT NULL),
        added_at TEXT NOT NULL,
        search TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('simple'::regconfig, left(text, {FTS_MAX_CHARS})), 'B')
        ) STORED
    )""",
    "CREATE INDEX documents_source ON documents (source, id)",
    "CREATE INDEX documents_search ON documents USING gin (search)",
)

_INCIDENTS: tuple[str, ...] = (
    """CREATE TABLE incidents (
        num BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        victim TEXT NOT NULL,
        sector TEXT,
        country TEXT,
        first_date TEXT COLLATE "C",
        records BIGINT,
        data TEXT NOT NULL CHECK (data::json IS NOT NULL),
        search TSVECTOR NOT NULL
    )""",
    "CREATE INDEX incidents_sector ON incidents (sector)",
    "CREATE INDEX incidents_country ON incidents (country)",
    "CREATE INDEX incidents_first_date ON incidents (first_date)",
    "CREATE INDEX incidents_search ON incidents USING gin (search)",
    """CREATE TABLE incident_sources (
        incident_id TEXT COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        source TEXT COLLATE "C" NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('main', 'mentioned')),
        PRIMARY KEY (incident_id, source)
    )""",
    "CREATE INDEX incident_sources_source ON incident_sources (source)",
    """CREATE TABLE incident_actors (
        key TEXT COLLATE "C" NOT NULL,
        incident_id TEXT COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        PRIMARY KEY (key, incident_id)
    )""",
    "CREATE INDEX incident_actors_incident ON incident_actors (incident_id)",
    """CREATE TABLE incident_data_types (
        data_type TEXT COLLATE "C" NOT NULL,
        incident_id TEXT COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        PRIMARY KEY (data_type, incident_id)
    )""",
    "CREATE INDEX incident_data_types_incident ON incident_data_types (incident_id)",
    # How many documents the stored incident set was resolved from: a replacement resolved from fewer documents
    # (a concurrent ingest that read the store earlier) must not overwrite one resolved from more.
    """CREATE TABLE incidents_state (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        resolved_documents BIGINT
    )""",
)

_FETCH_STATE: tuple[str, ...] = (
    """CREATE TABLE fetch_validators (
        url TEXT COLLATE "C" PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT,
        fetched_at TEXT NOT NULL
    )""",
    """CREATE TABLE feed_items (
        url TEXT COLLATE "C" PRIMARY KEY,
        feed_url TEXT COLLATE "C" NOT NULL,
        guid TEXT,
        seen_at TEXT NOT NULL
    )""",
    "CREATE INDEX feed_items_feed ON feed_items (feed_url)",
    """CREATE TABLE feeds (
        feed_url TEXT COLLATE "C" PRIMARY KEY,
        last_ok_at TEXT,
        last_error_at TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
    )""",
)

# See migrations._CHANGES_AND_BLOCKS; the incidents_state guard of step 2 gives way to per-block locks.
_CHANGES_AND_BLOCKS: tuple[str, ...] = (
    *changes_and_blocks(
        'TEXT COLLATE "C"', "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT",
        "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", "",
    ),
    "ALTER TABLE incidents ALTER COLUMN search SET DEFAULT ''::tsvector",  # the vector is written after the row
    "DROP TABLE incidents_state",
)

# Step 4 is written in SQL both databases read, so the SQLite statements are used as they are.
MIGRATIONS = numbered(
    _DOCUMENTS, _INCIDENTS, _FETCH_STATE, _ALERTS, _CHANGES_AND_BLOCKS, incident_facets('TEXT COLLATE "C"', "", "%s")
)
LATEST_VERSION = MIGRATIONS[-1].number
