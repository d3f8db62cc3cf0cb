"""Analyse sources into the store: content-addressed documents, then the incidents they touch re-resolved.

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
from typing import TYPE_CHECKING

from ..pipeline import DocumentResult, Progress, analyze_documents, analyze_raw_documents
from ..records import DocumentAnalysis, MergedIncident, RawDocument, SourceFailure
from ..analysis.resolve import blocking_keys, resolve
from ..settings import Settings
from ..store import Store, StoredDocument
from ..store.sql import ResolveOutcome

if TYPE_CHECKING:
    from .executors import Executor

# Documents per transaction: small enough that a crash loses at most this many analyses (they are re-done on the
# next run), large enough that fsync per commit does not dominate (measured: 20 docs/commit ~ 3% of ingest time).
BATCH_SIZE = 20


@dataclass
class IngestSummary:
    """What one ingest run did."""

    new: int = 0
    duplicates: int = 0
    not_about_a_breach: int = 0
    failures: list[SourceFailure] = field(default_factory=list)
    incidents: tuple[MergedIncident, ...] = ()  # incidents created or changed by this run
    previous: dict[str, MergedIncident] = field(default_factory=dict)  # their versions before it
    removed: tuple[str, ...] = ()  # ids of incidents merged into others
    incident_count: int = 0  # incidents stored after the run

    @property
    def failed(self) -> int:
        """How many sources could not be read."""
        return len(self.failures)

    def as_dict(self) -> dict[str, object]:
        """Machine-readable summary."""
        return {
            "new": self.new,
            "duplicates": self.duplicates,
            "not_about_a_breach": self.not_about_a_breach,
            "failed": self.failed,
            "errors": [{"source": f.source, "reason": f.reason} for f in self.failures],
            "incidents": self.incident_count,
            "incidents_changed": len(self.incidents),
        }


def ingest(
    sources: Iterable[str], store: Store, settings: Settings, progress: Progress | None = None,
    executor: Executor | None = None,
) -> IngestSummary:
    """Analyse files/directories and store them; re-resolve incidents. Already-stored documents are skipped.

    `executor` runs the per-document stages elsewhere (a process pool or a Dask cluster, executors.py); results
    come back in input order, so what is stored is the same as a serial run's.
    """
    summary = IngestSummary()
    if executor is None:
        results: Iterable[DocumentResult | SourceFailure | str] = analyze_documents(
            sources, settings, progress, skip=store.has_document
        )
    else:
        from .executors import analyze_documents_parallel

        results = analyze_documents_parallel(sources, settings, executor, progress, skip=store.has_document)
    _store_results(results, store, summary)
    _refresh(store, settings, summary)
    return summary


def ingest_raw(
    raws: Iterable[RawDocument | SourceFailure],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
) -> IngestSummary:
    """Store already-acquired documents (from a fetcher, a feed or a web archive) and re-resolve incidents."""
    summary = IngestSummary()
    _store_results(analyze_raw_documents(raws, settings, progress, skip=store.has_document), store, summary)
    _refresh(store, settings, summary)
    return summary


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


def _refresh(store: Store, settings: Settings, summary: IngestSummary) -> None:
    """Resolve what the run stored and note what changed in the summary."""
    outcome = refresh_incidents(store, settings)
    summary.incidents = tuple(outcome.changed)
    summary.previous = outcome.previous
    summary.removed = tuple(outcome.removed)
    summary.incident_count = store.counts()["incidents"]


def _store_results(
    results: Iterable[DocumentResult | SourceFailure | str],
    store: Store,
    summary: IngestSummary,
) -> None:
    """Commit analysed documents in batches; count duplicates, failures and non-breach pages."""
    batch: list[StoredDocument] = []
    for result in results:
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
            summary.new += store.add_documents(batch)
            batch = []
    if batch:
        summary.new += store.add_documents(batch)
