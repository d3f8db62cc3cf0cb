"""Analyse sources into the store: content-addressed documents, then incidents re-resolved over everything stored.

Why re-resolve over all stored analyses rather than merge each new document into the stored incidents: resolution
is cheap (n·log n, see `breachlens bench`) and a full pass gives the same incidents whatever order documents
arrived in. Ids stay stable because the store's source -> id map is handed to `resolve`.

Documents are committed in small batches, each in one transaction: a crash or a bad document mid-run loses
nothing already committed and leaves no half-written row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .pipeline import DocumentResult, Progress, analyze_documents, analyze_raw_documents
from .records import MergedIncident, RawDocument, SourceFailure
from .resolve import resolve
from .settings import Settings
from .store import Store, StoredDocument

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
    incidents: tuple[MergedIncident, ...] = ()

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
            "incidents": len(self.incidents),
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
    summary.incidents = refresh_incidents(store, settings)
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
    summary.incidents = refresh_incidents(store, settings)
    return summary


def refresh_incidents(store: Store, settings: Settings) -> tuple[MergedIncident, ...]:
    """Re-resolve every stored analysis into incidents (ids kept stable) and store them."""
    merged = resolve(store.document_analyses(), settings, store.previous_ids())
    store.replace_incidents(merged)
    return merged


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
