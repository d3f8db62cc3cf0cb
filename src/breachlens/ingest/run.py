"""Analysed documents into the store, counted, then the incidents they touch re-resolved (`sources.ingest_sources`
hands every way in to here).

Why only the blocks new documents touch (issue 16): re-resolving every stored analysis on every ingest made a
watch poll cost what the whole store holds (963 MB at 20,000 documents). The store queues new documents, finds
the documents they can cluster with (`resolve.blocking_keys`, transitively) and hands only those to the same
`resolve`, so the result is the one a full pass gives whatever order documents arrived in, at the cost of the
new documents. Ids stay stable because the store's source -> id map is handed to `resolve`. `resolve_all`
(`breachlens resolve --full`) re-resolves everything, after a model update.

Documents are committed in small batches, each in one transaction: a crash or a bad document mid-run loses
nothing already committed and leaves no half-written row.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from ..analysis.resolve import blocking_keys, resolve
from ..pipeline import DocumentResult
from ..records import DocumentAnalysis, MergedIncident, SourceFailure
from ..settings import Settings
from ..store import Store, StoredDocument
from ..store.sql import ResolveOutcome

# Documents per transaction: small enough that a crash loses at most this many analyses (they are re-done on the
# next run), large enough that fsync per commit does not dominate (measured: 20 docs/commit ~ 3% of ingest time).
BATCH_SIZE = 20


@dataclass
class IngestSummary:
    """What one ingest run did. Every source, page, feed item and archive record it met is counted once in
    `seen` and once in exactly one outcome, so `seen == accounted` (new, duplicates, unchanged, failed, skipped);
    `not_about_a_breach` counts the analysed documents that report no breach."""

    new: int = 0
    duplicates: int = 0
    not_about_a_breach: int = 0
    failures: list[SourceFailure] = field(default_factory=list)
    fetched: int = 0  # pages and archive records read (of URLs, feed items and archives)
    unchanged: int = 0  # pages the server said had not changed (304)
    skipped: dict[str, int] = field(default_factory=dict)  # archive records left out, by reason
    feed_failures: list[SourceFailure] = field(default_factory=list)  # feeds not read (in failures too)
    seen: int = 0
    incidents: tuple[MergedIncident, ...] = ()  # incidents created or changed by this run
    previous: dict[str, MergedIncident] = field(default_factory=dict)  # their versions before it
    removed: tuple[str, ...] = ()  # ids of incidents merged into others
    incident_count: int = 0  # incidents stored after the run

    @property
    def failed(self) -> int:
        """How many sources could not be read."""
        return len(self.failures)

    @property
    def accounted(self) -> int:
        """The outcomes added up: equal to `seen` when nothing was lost or counted twice."""
        return self.new + self.duplicates + self.unchanged + self.failed + sum(self.skipped.values())

    def as_dict(self) -> dict[str, object]:
        """Machine-readable summary."""
        return {
            "new": self.new,
            "duplicates": self.duplicates,
            "not_about_a_breach": self.not_about_a_breach,
            "failed": self.failed,
            "errors": [{"source": f.source, "reason": f.reason} for f in self.failures],
            "fetched": self.fetched,
            "unchanged": self.unchanged,
            "skipped": dict(self.skipped),
            "feed_errors": [{"source": f.source, "reason": f.reason} for f in self.feed_failures],
            "seen": self.seen,
            "incidents": self.incident_count,
            "incidents_changed": len(self.incidents),
        }


def refresh_incidents(store: Store, settings: Settings, full: bool = False) -> ResolveOutcome:
    """Resolve the blocks that documents stored since the last resolve touch (every block when `full`).

    Incident ids stay stable; the store writes the changed incidents and their change log in one transaction.
    """

    def resolver(
        documents: list[DocumentAnalysis], previous: dict[str, str], reserved: Container[str]
    ) -> tuple[MergedIncident, ...]:
        """The same `resolve` a full pass runs, on the affected documents only."""
        return resolve(documents, settings, previous, reserved)

    return store.resolve_pending(resolver, blocking_keys, full=full)


def resolve_all(store: Store, settings: Settings) -> ResolveOutcome:
    """Re-resolve every stored document (after a model update); ids are kept."""
    return refresh_incidents(store, settings, full=True)


def refresh_summary(store: Store, settings: Settings, summary: IngestSummary) -> None:
    """Resolve what the run stored and note what changed in the summary."""
    outcome = refresh_incidents(store, settings)
    summary.incidents = tuple(outcome.changed)
    summary.previous = outcome.previous
    summary.removed = tuple(outcome.removed)
    summary.incident_count = store.counts()["incidents"]


def store_results(
    results: Iterable[DocumentResult | SourceFailure | str],
    store: Store,
    summary: IngestSummary,
) -> None:
    """Commit analysed documents in batches; count duplicates, failures and non-breach pages.

    A document the store already had when its batch was committed (the same bytes twice in one run, or stored
    meanwhile by another process) is a duplicate, not new.
    """
    batch: list[StoredDocument] = []
    for result in results:
        summary.seen += 1
        if result == "duplicate":
            summary.duplicates += 1
            continue
        if isinstance(result, SourceFailure):
            summary.failures.append(result)
            continue
        assert isinstance(result, DocumentResult)
        if result.analysis.main is None:
            summary.not_about_a_breach += 1
        batch.append(StoredDocument(result.raw, result.clean, result.analysis))
        if len(batch) >= BATCH_SIZE:
            _commit(batch, store, summary)
            batch = []
    if batch:
        _commit(batch, store, summary)


def _commit(batch: list[StoredDocument], store: Store, summary: IngestSummary) -> None:
    """Store one batch; what the store already held counts as duplicates."""
    added = store.add_documents(batch)
    summary.new += added
    summary.duplicates += len(batch) - added
