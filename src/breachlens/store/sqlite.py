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
  the first insert, no trigger fires), and a resolve rewrites only incidents whose stored row differs, so
  repeating an ingest leaves every table, including the FTS shadow tables, as it was.
* A resolve reads, resolves and writes inside one `BEGIN IMMEDIATE` transaction, so two processes ingesting
  into one file never write a resolution made from a stale read (issue 13, finding 7): the second waits.
* One connection is shared by the threads of the web server under a lock; sqlite3 itself serialises nothing.

Every statement lives in `store/sql.py` (shared with PostgreSQL); this module only connects and says how
SQLite spells full-text search (`Dialect`, whose defaults are SQLite's).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from .migrations import MIGRATIONS, migrate
from .sql import Dialect, SQLStore, fts_query

__all__ = ["SQLiteStore", "fts_query"]

T = TypeVar("T")

# Seconds a writer waits for another process's lock before giving up; an ingest batch commits in far less.
BUSY_TIMEOUT_S = 30.0


def _pragmas(conn: sqlite3.Connection) -> None:
    """Wait for other writers, WAL journal, fsync at each commit, foreign keys (see the module docstring)."""
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


class SQLiteStore(SQLStore):
    """Store over one SQLite file (or ":memory:"); see the module docstring for why it is set up this way."""

    dialect = Dialect()

    def __init__(self, path: str) -> None:
        """Open `path`, set the pragmas and bring the schema up to date; StoreError when impossible."""
        self.path = path
        self._setup(path, sqlite3.Error)
        self._open(
            lambda: sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False),
            MIGRATIONS, _pragmas, migrate=migrate,
        )

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def _write(self, work: Callable[[Any], T]) -> T:
        """One all-or-nothing transaction: committed when `work` returns, rolled back if anything raises."""
        with self._reading() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:  # some errors (disk full, I/O) have already rolled back
                    conn.execute("ROLLBACK")
                raise
