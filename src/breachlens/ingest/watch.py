"""watch: poll feeds for as long as it runs, ingest what is new, and report each new incident and new fact.

Each run polls the feeds that are due through one long-lived `Fetcher` (one client, one robots cache, one
per-host clock) with `ingest_sources`, then compares the stored incidents with those before the run: an incident
id not seen before is a "new_incident" event, a (field, value) pair an existing incident did not have is a
"new_fact" event. A feed that fails (down, 5xx, garbage) is recorded in the store, reported as a "feed_error"
event and backed off exponentially (the poll interval times 2, 4, 8, ... up to MAX_BACKOFF_S); the other feeds
go on. Every run ends with a "run" event carrying its `RunSummary`.

Stopping: SIGINT and SIGTERM (when `watch` runs in the main thread) only set the stop event. The run in
progress fetches no further page, analyses and commits what it already fetched, and the loop returns; no batch
is left half-written (each batch is one transaction in the store anyway).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Unpack

from ..records import MergedIncident
from ..settings import Settings
from ..store import Store
from .fetch import Fetcher, FetchKeywords
from .sources import ingest_sources, page_cache

__all__ = ["WatchEvent", "RunSummary", "watch", "MAX_BACKOFF_S"]

# Longest wait before a failing feed is tried again: a feed down for a day is still retried four times a day.
MAX_BACKOFF_S = 6 * 3600.0


@dataclass(frozen=True)
class RunSummary:
    """What one poll did."""

    run: int
    feeds: int
    fetched: int
    new: int
    duplicates: int
    unchanged: int
    not_about_a_breach: int
    failed: int
    feeds_failed: int
    new_incidents: int
    new_facts: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class WatchEvent:
    """Something to tell the user: kind is "new_incident", "new_fact", "feed_error", "error" or "run"."""

    kind: str
    message: str
    source: str | None = None
    incident_id: str | None = None
    field: str | None = None
    value: Any = None
    summary: RunSummary | None = None


@dataclass
class _FeedState:
    """Backoff of one feed: failures in a row and when it may be polled again (monotonic seconds)."""

    failures: int = 0
    next_at: float = 0.0


@dataclass
class _Loop:
    """Per-watch state."""

    feeds: list[str]
    states: dict[str, _FeedState] = field(default_factory=dict)
    runs: list[RunSummary] = field(default_factory=list)


def watch(
    feed_urls: Sequence[str], store: Store, settings: Settings, every_seconds: float,
    on_event: Callable[[WatchEvent], None], stop_event: threading.Event | None = None, *,
    handle_signals: bool = True, **fetch_opts: Unpack[FetchKeywords],
) -> list[RunSummary]:
    """Poll `feed_urls` every `every_seconds` until `stop_event` is set (or SIGINT/SIGTERM); the run summaries.

    Args:
        feed_urls: the feeds to poll.
        store: where pages, incidents and fetch state go.
        settings: as for every stage.
        every_seconds: pause between the end of one run and the start of the next.
        on_event: called with each WatchEvent (new incident, new fact, feed error, end of run).
        stop_event: set it (from another thread, or by a signal) to stop after the current run's commit.
        handle_signals: install SIGINT/SIGTERM handlers that set the stop event (main thread only; the
            previous handlers are restored on return).
        **fetch_opts: FetchOptions fields (allow_private, respect_robots, min_interval, ...).
    """
    stop = stop_event or threading.Event()
    loop = _Loop(list(dict.fromkeys(feed_urls)))
    loop.states = {feed: _FeedState() for feed in loop.feeds}
    with _signals(stop, handle_signals), Fetcher(settings, cache=page_cache(store), **fetch_opts) as fetcher:
        while not stop.is_set():
            try:
                _run_once(loop, store, settings, every_seconds, fetcher, on_event, stop)
            except Exception as exc:  # noqa: BLE001 - one failed run is an error event; the watch goes on
                on_event(WatchEvent("error", f"run failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"))
            stop.wait(every_seconds)
    return loop.runs


def _run_once(loop: _Loop, store: Store, settings: Settings, every: float, fetcher: Fetcher,
              on_event: Callable[[WatchEvent], None], stop: threading.Event) -> None:
    """One poll of the due feeds, its events, and the backoff bookkeeping."""
    started = time.monotonic()
    due = [feed for feed in loop.feeds if loop.states[feed].next_at <= started]
    summary = ingest_sources((), store, settings, feeds=due, fetcher=fetcher, stop=stop)
    failed_feeds = {failure.source: failure.reason for failure in summary.feed_failures}
    now = time.monotonic()
    for feed in due:
        state = loop.states[feed]
        if feed in failed_feeds:
            state.failures += 1
            delay = min(every * 2**state.failures, MAX_BACKOFF_S)
            state.next_at = now + delay
            on_event(WatchEvent("feed_error", f"{feed}: {failed_feeds[feed]} (next try in {delay:g}s)", source=feed))
        else:
            state.failures, state.next_at = 0, 0.0
    for failure in summary.failures:
        if failure.source not in failed_feeds:
            on_event(WatchEvent("error", str(failure), source=failure.source))
    new_incidents = new_facts = 0
    for event in _changes(summary.previous, summary.incidents):  # only what this poll's resolve changed
        if event.kind == "new_incident":
            new_incidents += 1
        else:
            new_facts += 1
        on_event(event)
    run = RunSummary(
        run=len(loop.runs) + 1, feeds=len(due), fetched=summary.fetched, new=summary.new,
        duplicates=summary.duplicates, unchanged=summary.unchanged, not_about_a_breach=summary.not_about_a_breach,
        failed=summary.failed, feeds_failed=len(failed_feeds), new_incidents=new_incidents, new_facts=new_facts,
        seconds=round(now - started, 3),
    )
    loop.runs.append(run)
    on_event(WatchEvent("run", _run_line(run), summary=run))


def _changes(before: dict[str, MergedIncident], after: Sequence[MergedIncident]) -> Iterator[WatchEvent]:
    """New incidents, and new (field, value) facts of incidents that existed before."""
    for item in after:
        incident = item.incident
        old = before.get(item.id)
        if old is None:
            yield WatchEvent("new_incident", f"new incident {item.id}: {incident.victim}", incident_id=item.id)
            continue
        known = {(name, _key(fact.value)) for name, fact in old.incident.facts()}
        for name, fact in incident.facts():
            if (name, _key(fact.value)) not in known:
                yield WatchEvent(
                    "new_fact", f"{item.id} ({incident.victim}): new {name} {fact.value!r} ({fact.modality})",
                    incident_id=item.id, field=name, value=fact.value,
                )


def _key(value: Any) -> str:
    """A comparable form of a fact value."""
    return repr(value)


def _run_line(run: RunSummary) -> str:
    """One-line run summary."""
    return (
        f"run {run.run}: {run.feeds} feeds, {run.fetched} fetched, {run.new} new, {run.duplicates} duplicates, "
        f"{run.unchanged} unchanged, {run.not_about_a_breach} not about a breach, {run.failed} failed "
        f"({run.feeds_failed} feeds), {run.new_incidents} new incidents, {run.new_facts} new facts "
        f"in {run.seconds:.1f}s"
    )


@contextmanager
def _signals(stop: threading.Event, enabled: bool) -> Iterator[None]:
    """SIGINT/SIGTERM set `stop` while the block runs (main thread only); the old handlers come back after."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
