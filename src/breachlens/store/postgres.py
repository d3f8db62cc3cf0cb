"""The Store for teams: one PostgreSQL database shared by several ingest processes and web servers (psycopg 3).

Selected by a `postgresql://user[:password]@host[:port]/dbname` URL in `open_store`; the schema is
`migrations_pg` (the same tables and step numbers as SQLite's, with a `tsvector` + GIN index for full text).
Every statement lives in `store/sql.py`; this module connects, retries, and says how PostgreSQL spells
placeholders, collation, `IN` lists, full-text search and locking (`PostgresDialect`).

Why it is set up this way:

* The connection is in autocommit mode and every write method is one explicit transaction, so a method writes
  everything or nothing, as on SQLite. Hashing and JSON encoding happen before the transaction starts.
* Several processes may ingest overlapping inputs at once. Documents are inserted with
  `ON CONFLICT (sha256) DO NOTHING` in sha256 order, so two batches sharing documents wait for each other
  instead of deadlocking, and the same bytes are stored once whoever commits first.
* A resolve locks only its blocks: one transaction-level advisory lock per blocking key (victim, parent or
  brand), taken before it reads them, so two ingests about different victims resolve side by side and two about
  the same victim one after the other, the second reading what the first wrote. `resolve --full` takes an
  exclusive lock that every incremental resolve holds shared.
* Deadlocks, serialisation failures and two blocks choosing one new incident id at once, which PostgreSQL may
  raise under contention, are retried a few times (the transaction is rolled back first, so a retry starts
  clean and sees what the other committed).
* The web server's threads share the one connection under a lock, as with SQLite.
* Error messages name the database by its URL with the password left out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..errors import StoreError
from . import DocumentHit
from .migrations import migrate
from .migrations_pg import LOCK_MIGRATE, MIGRATIONS
from .sql import SNIPPET_TOKENS, Dialect, SQLStore

__all__ = ["PostgresStore", "redact"]

# Seconds to wait for the server when connecting (unless the URL says otherwise).
CONNECT_TIMEOUT_S = 10
# Attempts of one write transaction that PostgreSQL aborted as a deadlock or serialisation failure; with
# documents inserted in sha256 order these are rare, and a handful of retries with a short pause is plenty.
WRITE_ATTEMPTS = 5
RETRY_PAUSE_S = 0.05

T = TypeVar("T")


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


class PostgresDialect(Dialect):
    """PostgreSQL's spelling: `%s` placeholders, "C" collation, `= ANY(array)`, tsvector search, advisory locks."""

    name = "postgresql"
    collate = ' COLLATE "C"'
    skip_locked = " FOR UPDATE SKIP LOCKED"  # the queue pattern: another resolve's documents are its own

    def sql(self, text: str) -> str:
        """`?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
        return text.replace("%", "%%").replace("?", "%s")

    def errors(self) -> type[BaseException]:
        """psycopg's base exception class."""
        import psycopg

        return psycopg.Error

    @contextmanager
    def migration_step(self, conn: Any) -> Iterator[None]:
        """One transaction under the migration advisory lock."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
            yield

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether `name` resolves to a table in the search path."""
        row = conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()
        return row is not None and row[0] is not None

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column = ANY(?)` with the values as one array parameter."""
        return f"{column} = ANY(?)", [list(values)]

    def chunks(self, values: Iterable[Any]) -> Any:
        """One chunk: an array parameter has no length limit."""
        items = list(values)
        return iter([items] if items else [])

    def executemany(self, conn: Any, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """psycopg runs executemany on a cursor."""
        if rows:
            with conn.cursor() as cursor:
                cursor.executemany(self.sql(sql), rows)

    def lock_blocks(self, conn: Any, keys: Iterable[str], shared: bool = False) -> None:
        """One transaction-level advisory lock per key (a 64-bit hash of it), taken in sorted order."""
        ordered = sorted(set(keys))
        if not ordered:
            return
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        for key in ordered:  # one statement each: the order is the one every process takes them in
            conn.execute(f"SELECT {fn}(hashtextextended(%s, {LOCK_BLOCK_SEED}))", (key,))

    def write_incident_search(self, conn: Any, num: int, victim: str, names: str, quotes: str) -> None:
        """The incident's weighted tsvector: victim (A), other names (B), quotes (C)."""
        conn.execute(
            "UPDATE incidents SET search = setweight(to_tsvector('simple', %s), 'A') || "
            "setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'C') WHERE num = %s",
            (victim, names, quotes, num),
        )

    def delete_incident_search(self, conn: Any, num: int) -> None:
        """Nothing: the vector is a column of the row."""

    def incident_search(self, query: str) -> tuple[str, str, list[Any], str, list[Any]] | None:
        """A tsvector match ranked by ts_rank (every word must appear, no syntax read)."""
        words = query.replace("\x00", " ")
        return (
            "", "i.search @@ plainto_tsquery('simple', ?)", [words],
            "ts_rank(i.search, plainto_tsquery('simple', ?)) DESC, ", [words],
        )

    def search_documents(self, conn: Any, query: str, limit: int) -> list[DocumentHit]:
        """ts_headline snippets of the best-ranked documents."""
        options = f"StartSel=[, StopSel=], MaxWords={SNIPPET_TOKENS}, MinWords=4, MaxFragments=1, ShortWord=0"
        rows = conn.execute(
            "WITH q AS (SELECT plainto_tsquery('simple', %s) AS q) "
            "SELECT d.sha256, d.source, ts_headline('simple', coalesce(d.title, '') || E'\\n' || "
            "left(d.text, %s), q.q, %s) FROM documents AS d, q "
            "WHERE numnode(q.q) > 0 AND d.search @@ q.q ORDER BY ts_rank(d.search, q.q) DESC, d.id LIMIT %s",
            (query.replace("\x00", " "), _HEADLINE_CHARS, options, max(0, limit)),
        ).fetchall()
        return [DocumentHit(sha, source, _ellipsis(snippet)) for sha, source, snippet in rows]


class PostgresStore(SQLStore):
    """Store over a PostgreSQL database; see the module docstring for why it is set up this way."""

    dialect = PostgresDialect()

    def __init__(self, url: str) -> None:
        """Connect to `url`, bring the schema up to date; StoreError when impossible."""
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a core dependency
            raise StoreError("PostgreSQL support needs psycopg: pip install 'psycopg[binary]'") from exc
        self._psycopg = psycopg
        self.url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url, flags=re.IGNORECASE)
        self._setup(redact(self.url), psycopg.Error)
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        self._open(lambda: psycopg.connect(self.url, **kwargs), MIGRATIONS, refused="cannot connect", migrate=migrate)

    def __repr__(self) -> str:
        return f"PostgresStore({self.name!r})"

    def _write(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)` in one transaction, retried when PostgreSQL aborts it as a deadlock or conflict."""
        errors = self._psycopg.errors
        retryable = (errors.DeadlockDetected, errors.SerializationFailure, errors.UniqueViolation)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._reading() as conn, conn.transaction():
                    return work(conn)
            except StoreError as exc:
                if not isinstance(exc.__cause__, retryable) or attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(RETRY_PAUSE_S * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


# -- helpers -------------------------------------------------------------------------------------------------

# Characters of a document the search snippet is cut from (ts_headline re-parses the text it is given).
_HEADLINE_CHARS = 20_000
# Seed of the 64-bit hash turning a blocking key into an advisory lock number ("blk").
LOCK_BLOCK_SEED = 0x626C6B


def _ellipsis(snippet: str) -> str:
    """Mark the snippet as an excerpt, as SQLite's snippet() does."""
    return snippet.strip().replace("\n", " ") + "…"
