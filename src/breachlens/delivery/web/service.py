"""What the pages and the API share: the app's state, token rules, one-off analysis, actors and documents.

Routes stay thin: they validate parameters, call one function here (or in query.py) and render the result.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import Request

from ...analysis import enrich
from ...analysis.clean import clean
from ...analysis.resolve import resolve
from ...pipeline import analyze_clean, analyze_text, guard
from ...records import Analysis, DocumentAnalysis, MergedIncident, RawDocument, SourceFailure
from ...settings import Settings
from ...store import IncidentFilter, Store, StoredDocument
from .query import DEFAULT_PER_PAGE, IncidentQuery, run_query
from .security import check_token, same_origin

__all__ = [
    "AppState",
    "WebError",
    "actor_detail",
    "actor_index",
    "analyze_request",
    "app_state",
    "documents_of",
    "require_write_token",
]

Fetch = Callable[..., RawDocument]
Exporter = Callable[[str, Sequence[MergedIncident], Sequence[DocumentAnalysis]], Any]


class WebError(Exception):
    """An error a route answers with the one error shape (status, message, details)."""

    def __init__(self, status: int, error: str, errors: list[Any] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.errors = errors or []


@dataclass
class AppState:
    """Everything a request needs, kept on `app.state.breachlens`."""

    store: Store
    settings: Settings
    token: str | None = None
    require_token: bool = False
    fetch: Fetch | None = None
    exporter: Exporter | None = None
    export_formats: tuple[str, ...] = ()
    owns_store: bool = False
    # spaCy pipelines are not documented as thread-safe; one-off analyses run one at a time.
    analysis_lock: threading.Lock = field(default_factory=threading.Lock)
    # One-off analyses run in a separate process (see `_analyse`); off, they run in the request's thread.
    isolate: bool = True


def app_state(request: Request) -> AppState:
    """The AppState of the app serving `request`."""
    state: AppState = request.app.state.breachlens
    return state


def require_write_token(request: Request, form_token: str | None = None) -> None:
    """Refuse a state-changing request: cross-site (403), or without the right token when one is required."""
    state = app_state(request)
    if not same_origin(request.headers.get("origin"), request.headers.get("host")):
        raise WebError(403, "cross-site request refused")
    if not state.require_token:
        return
    authorization = request.headers.get("authorization")
    if not authorization and not form_token:
        raise WebError(401, "a token is required (Authorization: Bearer TOKEN, or the form's token field)")
    if not check_token(state.token, authorization, form_token):
        raise WebError(403, "wrong token")


def analyze_request(state: AppState, text: str | None, url: str | None, source: str | None = None) -> Analysis:
    """Analyse pasted text or one fetched URL (SSRF-guarded) into an Analysis; nothing is stored.

    As in a batch, a source that cannot be read (refused or failed fetch, undecodable page) is not an HTTP error:
    it is the Analysis's one `errors` entry, with its one-line reason.
    """
    if (text is None) == (url is None):
        raise WebError(422, "give either text or url", [{"loc": ["body"], "msg": "exactly one of text, url"}])
    name = source or "<pasted text>" if text is not None else str(url)
    # blank input is that source's failure (one line in `errors`), as in a batch, not a malformed request
    if text is not None and not text.strip():
        return Analysis((), (), (SourceFailure(name, "empty text"),))
    url = url.strip() if url is not None else None
    if url is not None and not url:
        return Analysis((), (), (SourceFailure(name, "empty URL"),))
    if text is not None:
        with state.analysis_lock:
            got = _analyse(state, _text_job, text, name, state.settings)
    else:
        assert url is not None
        if state.fetch is None:
            return Analysis((), (), (SourceFailure(name, _NO_FETCH),))
        raw = guard(name, partial(state.fetch, url, state.settings, allow_private=False))  # the one source guard
        if isinstance(raw, SourceFailure):
            return Analysis((), (), (raw,))
        with state.analysis_lock:
            got = _analyse(state, _raw_job, raw, state.settings)
    if isinstance(got, SourceFailure):
        return Analysis((), (), (SourceFailure(name, got.reason),))
    return Analysis((got,), tuple(resolve([got], state.settings)))


_NO_FETCH = "URL fetching is not available in this installation; paste the text instead"

# Seconds a one-off analysis may take beyond the per-document deadline (the worker's own timer stops it first;
# this only bounds the wait for a worker that does not answer at all).
ANALYSIS_GRACE_S = 5.0


def _analyse(state: AppState, job: Callable[..., DocumentAnalysis | SourceFailure], *args: Any) -> Any:
    """Run an analysis job in the analysis process (or in this thread when `state.isolate` is off).

    In its own process the analysis holds neither this process's GIL (other requests are answered meanwhile)
    nor its memory, and its per-document deadline is a real timer (a worker's main thread can take signals).
    """
    if not state.isolate:
        return job(*args)
    seconds = state.settings.nlp.document_seconds
    timeout = seconds + ANALYSIS_GRACE_S + _STARTUP_S if seconds > 0 else None
    pool = _pool(state.settings.nlp.model)
    try:
        return pool.submit(job, *args).result(timeout=timeout)
    except BrokenProcessPool:
        _reset_pool(pool)
        return SourceFailure("", "the analysis process ended abruptly (out of memory?); try a shorter text")
    except FuturesTimeout:
        _reset_pool(pool, kill=True)
        return SourceFailure("", f"analysis stopped at its {seconds:g} s deadline")


# Seconds a fresh analysis process may take to start and load the spaCy model (allowed on top of the deadline).
_STARTUP_S = 30.0
_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool(model: str) -> ProcessPoolExecutor:
    """The one analysis process of this server (started on first use, shared by every app in the process)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            from ...ingest.executors import _warm_worker

            context = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
            if sys.platform.startswith("linux"):
                context.set_forkserver_preload(["breachlens.ingest.executors"])
            _POOL = ProcessPoolExecutor(1, mp_context=context, initializer=_warm_worker, initargs=(model,))
        return _POOL


def _reset_pool(pool: ProcessPoolExecutor, kill: bool = False) -> None:
    """Drop a broken (or stuck) analysis process; the next analysis starts a new one."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL = None
    if kill:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _text_job(text: str, name: str, settings: Settings) -> DocumentAnalysis | SourceFailure:
    """Pasted text analysed (in the analysis process); a failure comes back as a value, not an exception."""
    return _as_value(name, lambda: analyze_text(text, name, settings))


def _raw_job(raw: RawDocument, settings: Settings) -> DocumentAnalysis | SourceFailure:
    """A fetched page cleaned and analysed (in the analysis process)."""
    return _as_value(raw.source, lambda: analyze_clean(clean(raw, settings), settings))


def _as_value(name: str, work: Callable[[], DocumentAnalysis]) -> DocumentAnalysis | SourceFailure:
    """work(), or its failure as a SourceFailure (exceptions with extra arguments do not cross processes)."""
    result = guard(name, work)
    return result


def documents_of(store: Store, sources: Sequence[str]) -> list[StoredDocument]:
    """The stored documents behind these sources (missing ones skipped), in order."""
    out = []
    for source in dict.fromkeys(sources):
        doc = store.document(source)
        if doc is not None:
            out.append(doc)
    return out


def analyses_of(docs: Sequence[StoredDocument]) -> list[DocumentAnalysis]:
    """Each stored document's analysis with its text filled in (report citations are verified against it)."""
    from dataclasses import replace

    return [replace(d.analysis, text=d.clean.text, sha256=d.raw.sha256) for d in docs]


def actor_index(store: Store) -> list[dict[str, Any]]:
    """Every actor named in stored incidents, with its aliases and how many incidents name it (counted in SQL
    from the facet table: no incident is read)."""
    counts = store.incident_counts(IncidentFilter(), ("actor",)).facets["actor"]
    return [
        {"name": name, "aliases": list(enrich.actor_aliases(name)), "incidents": n}
        for name, n in sorted(counts, key=lambda kv: (-kv[1], kv[0].casefold()))
    ]


def actor_detail(
    store: Store, name: str, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any] | None:
    """One actor: its canonical name, aliases, one page of its incidents (`result`, counted and paged in SQL) and
    its ATT&CK techniques (None when no incident names it).

    Techniques come from the incidents' initial-access facts, which only the incident JSON holds, so they are
    counted over the actor's incidents read a batch at a time (`Store.each_incident`), never all at once.
    """
    result = run_query(store, IncidentQuery(actor=name, page=page, per_page=per_page))
    if not result.total:
        return None
    canonical = name
    techniques: Counter[str] = Counter()
    for m in store.each_incident(actor=name):
        for f in m.incident.threat_actors:
            if name.casefold() in (str(f.value).casefold(), str(f.as_written or "").casefold()):
                canonical = str(f.value)
        ids: set[str] = set()
        for f in m.incident.initial_access:
            ids.update(f.attack_techniques or enrich.techniques_for_vector(str(f.value)))
        techniques.update(ids)
    return {
        "name": canonical,
        "aliases": list(enrich.actor_aliases(canonical)),
        "incidents": list(result.items),
        "result": result,
        "techniques": [
            {"id": tid, "name": enrich.technique_name(tid), "incidents": n}
            for tid, n in sorted(techniques.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
