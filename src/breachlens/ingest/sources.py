"""Every way in, one function: `ingest_sources` takes files, directories, page URLs, web archives and feeds
into the store, with one summary whose counts add up.

Each way in is a stream of raw documents and one-line failures; every source in every stream is read through
`pipeline.guard`, the one place that turns an exception into that source's failure, so a bad file, page, feed
or archive fails alone and the run goes on. Files are analysed where `executor` says (this process, a process
pool, a Dask cluster); pages, feed items and archive records in this process. All of it is committed in batches
and the incidents it touches are re-resolved once, at the end (run.py).

Feeds: each is polled conditionally (a 304 means nothing new); the items not seen before (the store remembers
them) are fetched through the same guarded `Fetcher`, and a page whose bytes were already fetched in this run
(the same content under two URLs) is a duplicate. A feed's validators and its seen items are written only
after its pages are committed, so a run stopped half-way leaves the rest of the feed to be taken next time; an
item whose fetch failed for a reason that may pass (TransientFetchError) is not marked, and is tried again.

The fetcher knows nothing of the store: what it remembers about pages (ETag, Last-Modified) goes through
`page_cache(store)`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Unpack

from ..pipeline import DocumentResult, Progress, analyze_documents, analyze_raw_documents, guard
from ..records import RawDocument, SourceFailure, Validators
from ..settings import Settings
from ..store import Store
from .acquire import is_url
from .feeds import FeedFetch, FeedItem, fetch_feed
from .fetch import Fetcher, FetchKeywords, NotModified, TransientFetchError, ValidatorCache
from .run import IngestSummary, refresh_summary, store_results
from .warc import read_warc

if TYPE_CHECKING:
    from .executors import Executor

__all__ = ["ARCHIVE_SUFFIXES", "ingest_sources", "page_cache", "split_sources"]

# Sources read as web archives (by name: a WARC file has no suffix-free signature worth sniffing for here).
ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def ingest_sources(
    sources: Iterable[str],
    store: Store,
    settings: Settings,
    *,
    feeds: Iterable[str] = (),
    progress: Progress | None = None,
    executor: Executor | None = None,
    fetcher: Fetcher | None = None,
    stop: threading.Event | None = None,
    **fetch_opts: Unpack[FetchKeywords],
) -> IngestSummary:
    """Analyse and store every source and what is new in every feed; re-resolve the incidents they touch.

    Args:
        sources: files, directories, http(s) page URLs and web archives (.warc, .warc.gz, .arc, .arc.gz), told
            apart by form. Documents already stored are counted as duplicates and not analysed again.
        store: where documents go, and where fetch state (validators, seen feed items, feed outcomes) is kept.
        settings: as for every stage (`max_bytes` caps each file, page, feed and archive record).
        feeds: RSS/Atom feed URLs, polled in order (repeats ignored).
        progress: called with each source before it is analysed.
        executor: where files are analysed (executors.py); this process when None. Results come back in input
            order, so what is stored is the same as a serial run's.
        fetcher: a Fetcher to reuse (the watch loop keeps one); else one is made from `fetch_opts` and closed.
        stop: when set, no further feed page is fetched; what was fetched is still analysed and committed.
        **fetch_opts: FetchOptions fields (allow_private, respect_robots, max_items, ...).

    Returns:
        The run's IngestSummary: `seen == accounted`, failures in input order (files, pages, feeds, archives).
    """
    files, urls, archives = split_sources(sources)
    feed_urls = list(dict.fromkeys(feeds))
    summary = IngestSummary()
    if files:
        store_results(_files(files, settings, progress, executor, store.has_document), store, summary)
    if urls or feed_urls or archives:
        own = fetcher is None and bool(urls or feed_urls)
        active = fetcher or (Fetcher(settings, cache=page_cache(store), **fetch_opts) if own else None)
        polls: list[_Poll] = []
        streams: list[Iterator[RawDocument | SourceFailure]] = []
        if active is not None:
            streams.append(_pages(urls, active, summary))
            streams.append(_feed_pages(feed_urls, active, store, summary, polls, stop))
        streams.append(_archive_records(archives, settings, summary))
        try:
            raws = (item for stream in streams for item in stream)
            analysed = analyze_raw_documents(raws, settings, progress, skip=store.has_document)
            store_results(analysed, store, summary)
            for poll in polls:
                poll.remember(store)
        finally:
            if own and active is not None:
                active.close()
    refresh_summary(store, settings, summary)
    return summary


def split_sources(sources: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """(files and directories, page URLs, web archives) of `sources`, each in input order."""
    files: list[str] = []
    urls: list[str] = []
    archives: list[str] = []
    for source in sources:
        if is_url(source):
            urls.append(source)
        elif source.lower().endswith(ARCHIVE_SUFFIXES):
            archives.append(source)
        else:
            files.append(source)
    return files, urls, archives


def _files(
    files: list[str], settings: Settings, progress: Progress | None, executor: Executor | None,
    skip: Callable[[str], bool],
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 1-5 over files and directories, here or on the executor."""
    if executor is None:
        return analyze_documents(files, settings, progress, skip=skip)
    from .executors import analyze_documents_parallel

    return analyze_documents_parallel(files, settings, executor, progress, skip=skip)


# --- pages --------------------------------------------------------------------------------------------------


def _page(
    fetcher: Fetcher, url: str, item: FeedItem | None = None, transient: list[str] | None = None
) -> RawDocument | None:
    """The page, or None when the server says it has not changed since the remembered fetch (304).

    A feed item's title and date stand in for the page's own; a failure that may pass is noted in `transient`
    before it is raised (and reported by the guard).
    """
    try:
        if item is None:
            return fetcher.fetch(url)
        return fetcher.fetch(url, title=item.title, published=item.published)
    except NotModified:
        return None
    except TransientFetchError as exc:
        if transient is not None:
            transient.append(exc.reason)
        raise


def _pages(
    urls: list[str], fetcher: Fetcher, summary: IngestSummary
) -> Iterator[RawDocument | SourceFailure]:
    """Each URL fetched (conditionally) once; a 304 is counted as unchanged."""
    for url in dict.fromkeys(urls):
        got = guard(url, partial(_page, fetcher, url))
        if got is None:
            summary.unchanged += 1
            summary.seen += 1
            continue
        if isinstance(got, RawDocument):
            summary.fetched += 1
        yield got


class _StoreCache:
    """Validators from the store, but only for pages whose bytes are stored (a 304 must not hide a page that
    was fetched but never stored, e.g. because the run was killed before its batch was committed)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def validators(self, url: str) -> Validators | None:
        """The remembered validators when the document they describe is in the store."""
        known = self.store.validators(url)
        if known is None or known.sha256 is None or not self.store.has_document(known.sha256):
            return None
        return known

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember them in the store."""
        self.store.remember_validators(url, validators)


def page_cache(store: Store) -> ValidatorCache:
    """The ValidatorCache for pages going into `store` (see _StoreCache)."""
    return _StoreCache(store)


# --- feeds --------------------------------------------------------------------------------------------------


@dataclass
class _Poll:
    """One feed polled in this run: what to remember once its pages are committed."""

    fetched: FeedFetch
    taken: list[tuple[str, str | None]] = field(default_factory=list)  # (url, guid) of the items dealt with
    complete: bool = True  # every new item was dealt with: the feed's validators may be remembered

    def remember(self, store: Store) -> None:
        """Mark the items taken as seen; remember the validators when the whole feed was taken."""
        if self.taken:
            store.mark_feed_items(self.fetched.url, self.taken)
        validators = self.fetched.validators
        if self.complete and not self.fetched.not_modified and (validators.etag or validators.last_modified):
            store.remember_validators(self.fetched.url, validators)


def _poll(feed_url: str, fetcher: Fetcher, store: Store) -> FeedFetch:
    """One conditional poll of a feed, with the validators the store remembers for it."""
    return fetch_feed(feed_url, fetcher, store.validators(feed_url))


def _feed_pages(
    feed_urls: list[str], fetcher: Fetcher, store: Store, summary: IngestSummary, polls: list[_Poll],
    stop: threading.Event | None,
) -> Iterator[RawDocument | SourceFailure]:
    """The new pages of each feed; a feed that cannot be read is its failure (recorded in the store too)."""
    hashes: set[str] = set()
    taken_this_run: set[str] = set()  # items of earlier feeds in this run (marked in the store after commit)
    for feed_url in feed_urls:
        if stop is not None and stop.is_set():
            return
        polled = guard(feed_url, partial(_poll, feed_url, fetcher, store))
        if isinstance(polled, SourceFailure):
            store.record_feed_result(feed_url, polled.reason)
            summary.feed_failures.append(polled)
            yield polled
            continue
        store.record_feed_result(feed_url, None)
        poll = _Poll(polled)
        polls.append(poll)
        seen = store.seen_feed_items([item.url for item in polled.items])
        fresh = [item for item in polled.items if item.url not in seen and item.url not in taken_this_run]
        limit = fetcher.options.max_items
        if limit is not None and len(fresh) > limit:
            fresh, poll.complete = fresh[:limit], False
        for item in fresh:
            if stop is not None and stop.is_set():
                poll.complete = False
                break
            taken_this_run.add(item.url)
            transient: list[str] = []
            got = guard(item.url, partial(_page, fetcher, item.url, item, transient))
            if transient:  # not marked: tried again next poll
                poll.complete = False
            else:
                poll.taken.append((item.url, item.guid))
            if got is None:
                summary.unchanged += 1
                summary.seen += 1
            elif isinstance(got, SourceFailure):
                yield got
            elif got.sha256 in hashes:
                summary.duplicates += 1
                summary.seen += 1
            else:
                hashes.add(got.sha256)
                summary.fetched += 1
                yield got


# --- web archives -------------------------------------------------------------------------------------------


def _archive_records(
    paths: list[str], settings: Settings, summary: IngestSummary
) -> Iterator[RawDocument | SourceFailure]:
    """The HTML pages of each archive; the records left out are counted in `skipped`, by reason."""
    for path in paths:
        read = guard(path, partial(read_warc, path, settings))
        if isinstance(read, SourceFailure):
            yield read
            continue
        for item in read.documents:
            if isinstance(item, RawDocument):
                summary.fetched += 1
            yield item
        for reason, count in read.skipped.items():
            summary.skipped[reason] = summary.skipped.get(reason, 0) + count
            summary.seen += count
