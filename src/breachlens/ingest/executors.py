"""Where the per-document stages run: in this process, a local process pool, or a Dask cluster.

    from breachlens.ingest.executors import LocalPoolExecutor, analyze_documents_parallel
    with LocalPoolExecutor(workers=2) as executor:
        for result in analyze_documents_parallel(["news/"], settings, executor, skip=store.has_document):
            ...                                   # DocumentResult | SourceFailure | "duplicate", in input order

`analyze_documents_parallel` keeps the contract of `pipeline.analyze_documents` (same items, same order, same
one-line failures) and its output is the same, byte for byte, whichever executor runs it. How:

* This process expands and acquires the sources (stages 1-2: reading bytes and hashing them is cheap, `skip`
  needs the sha256, and a remote worker cannot read local files), then ships batches of raw documents to the
  executor, which runs stages 3-5 (clean, one `nlp.pipe` per batch, attribute) through the very functions the
  serial pipeline uses. spaCy's reading of a document does not depend on its batch-mates.
* Results come back in input order, and at most a few batches per worker are in flight, so memory stays flat
  however many documents there are: the store step consumes results while later batches are analysed.
* A batch whose worker died is re-run (the stages are pure, so a re-run gives the same result), and its result
  is used exactly once, so nothing is lost or counted twice. A batch that kills its worker every time is given
  up: each of its documents becomes a SourceFailure and the run goes on.

Executors are small: `submit` a function on a batch, get its `result` (raising `WorkerLost` when the worker
died), `recover` after a loss. Another engine (Ray and Spark were measured and rejected, see DESIGN.md) fits
behind the same four methods. Dask is imported only by `DaskExecutor`, from the optional `breachlens[dask]`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from ..closing import Closing
from ..errors import BreachlensError
from ..pipeline import NLP_BATCH, DocumentResult, Progress, _finish, _Pending, clean_within, guard
from ..records import CleanDocument, DocumentAnalysis, RawDocument, SourceFailure
from ..settings import Settings
from ..version import __version__
from .acquire import acquire, expand_sources

__all__ = [
    "Executor",
    "SerialExecutor",
    "LocalPoolExecutor",
    "DaskExecutor",
    "WorkerLost",
    "analyze_documents_parallel",
    "analyze_batch",
    "make_executor",
]

# Times a batch is run before it is given up (its worker died each time).
MAX_ATTEMPTS = 3
# Batches in flight per worker: one running, one queued so a worker never waits for this process.
IN_FLIGHT_PER_WORKER = 2
# Dask batches: fewer than 8 documents and the per-task overhead (about 1 ms scheduling plus pickling) shows; more
# than 32 and a lost worker costs a lot of re-analysis and the last batches leave workers idle.
DASK_MIN_BATCH, DASK_MAX_BATCH = 8, 32
# Seconds to wait for a Dask scheduler and its first worker.
DASK_CONNECT_TIMEOUT_S = 30

A = TypeVar("A")
R = TypeVar("R")
Outcome = tuple[CleanDocument, DocumentAnalysis] | SourceFailure


class WorkerLost(Exception):
    """The worker running a batch died (killed, out of memory, lost connection); the batch can be re-run."""


class Executor(Closing):
    """Runs a function on batches somewhere; `map_ordered` gives results in submission order.

    Use as `with LocalPoolExecutor() as executor:` to close it on the way out.
    """

    name = "executor"
    #: Documents per batch handed to one worker.
    batch_size: int = NLP_BATCH

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many batches can run at once."""

    def prepare(self, settings: Settings) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Get ready to analyse with `settings` (e.g. load the spaCy model in every worker); may be a no-op."""

    @abstractmethod
    def submit(self, fn: Callable[..., R], *args: Any) -> Any:
        """Start `fn(*args)` and return a handle for `result`."""

    @abstractmethod
    def result(self, handle: Any) -> Any:
        """Wait for a handle's value; raise WorkerLost when its worker died, the function's error otherwise."""

    def recover(self, handle: Any) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Make the executor usable again after `handle` raised WorkerLost (e.g. replace a broken pool)."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release workers and connections; safe to call twice."""

    def map_ordered(
        self, fn: Callable[[A], R], args: Iterable[A], give_up: Callable[[A, str], R],
    ) -> Iterator[tuple[A, R]]:
        """(arg, fn(arg)) for each arg, in order, with a bounded number in flight; lost batches are re-run.

        After MAX_ATTEMPTS losses of the same batch, `give_up(arg, reason)` stands for its result.
        """
        window = max(1, self.workers * IN_FLIGHT_PER_WORKER)
        pending: deque[_InFlight[A]] = deque()
        it = iter(args)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    arg = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending.append(_InFlight(arg, self.submit(fn, arg), 1))
            if not pending:
                return
            head = pending[0]
            try:
                value = self.result(head.handle)
            except WorkerLost as exc:
                self.recover(head.handle)
                if head.attempts >= MAX_ATTEMPTS:
                    pending.popleft()
                    yield head.arg, give_up(head.arg, f"its worker died {head.attempts} times: {exc}")
                else:
                    head.attempts += 1
                    head.handle = self.submit(fn, head.arg)
                continue
            pending.popleft()
            yield head.arg, value


@dataclass
class _InFlight(Generic[A]):
    """A submitted batch: its argument (to re-run it), its handle and how many times it was started."""

    arg: A
    handle: Any
    attempts: int


class SerialExecutor(Executor):
    """Everything in this process, one batch after another (`--workers 1`)."""

    name = "serial"

    @property
    def workers(self) -> int:
        """One."""
        return 1

    def submit(self, fn: Callable[..., R], *args: Any) -> Any:
        """Run now; the handle is a thunk so errors surface in `result`, as with the other executors."""
        return lambda: fn(*args)

    def result(self, handle: Any) -> Any:
        """Run the thunk."""
        return handle()


class LocalPoolExecutor(Executor):
    """A `concurrent.futures` process pool on this machine (the default; `--workers N`).

    Workers are started by a fork server (a clean process that imported breachlens and spaCy once), not forked
    from this one: forking a process that runs threads (a progress bar, a web server, Dask's event loop) can
    deadlock the child. Each worker loads the spaCy model once, when it starts.
    """

    name = "local"

    def __init__(self, workers: int | None = None, batch_size: int = NLP_BATCH) -> None:
        """`workers` processes (default: the number of cores), `batch_size` documents per batch."""
        self._workers = max(1, workers or os.cpu_count() or 1)
        self.batch_size = batch_size
        self._model: str | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0

    @property
    def workers(self) -> int:
        """The number of worker processes."""
        return self._workers

    def prepare(self, settings: Settings) -> None:
        """Remember the model so workers load it as they start."""
        if self._model != settings.nlp.model:
            self.close()
            self._model = settings.nlp.model

    def _ensure_pool(self) -> ProcessPoolExecutor:
        """The pool, started on first use."""
        if self._pool is None:
            if sys.platform.startswith("linux"):
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["breachlens.ingest.executors"])
            else:
                context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=_warm_worker, initargs=(self._model,)
            )
            self._generation += 1
        return self._pool

    def submit(self, fn: Callable[..., R], *args: Any) -> Any:
        """Queue on the pool; the handle remembers which pool it went to.

        A pool can break between two calls (a worker killed while others run): the batch then gets a handle that
        fails as a lost one, so `map_ordered` replaces the pool and re-runs it like any other lost batch.
        """
        pool = self._ensure_pool()
        try:
            future: Future[Any] = pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            future = Future()
            future.set_exception(exc)
        return (self._generation, future)

    def result(self, handle: Any) -> Any:
        """The batch's value; a broken pool (a worker died) is WorkerLost."""
        _generation, future = handle
        assert isinstance(future, Future)
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(f"a worker process ended abruptly ({exc})") from exc

    def recover(self, handle: Any) -> None:
        """Replace the pool the lost handle ran on, unless that was already done."""
        generation, _future = handle
        if generation == self._generation and self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# Documents per Dask task. Measured on a 2-core LocalCluster, 600 synthetic articles: batches of 16 gave a scaling
# efficiency of 0.72, batches of 32 gave 0.79 (fewer tasks for the scheduler, which shares this process's GIL).
DASK_DEFAULT_BATCH = 32


class DaskExecutor(Executor):
    """Batches on a Dask cluster (`--dask ADDRESS`, or `--dask local` for a LocalCluster on this machine).

    Needs the optional extra: `pip install 'breachlens[dask]'` here and on every worker. On connecting, every
    worker is asked for its breachlens version, and a cluster whose workers run another version is refused
    with a message naming them. A local cluster (scheduler and workers in subprocesses) listens on 127.0.0.1 only,
    dashboard included.
    """

    name = "dask"

    def __init__(
        self, address: Any = "local", workers: int | None = None, batch_size: int = DASK_DEFAULT_BATCH
    ) -> None:
        """Connect to the scheduler at `address` ("local" starts a LocalCluster of `workers` processes; a
        `distributed.Client` is used as it is and left open), then check the workers' breachlens version."""
        try:
            import distributed
        except ImportError as exc:
            raise BreachlensError(
                "Dask support is not installed: pip install 'breachlens[dask]'"
            ) from exc
        self._distributed = distributed
        self.batch_size = min(DASK_MAX_BATCH, max(DASK_MIN_BATCH, batch_size))
        self._cluster: Any = None
        self._owns_client = True
        self._expected = (workers or os.cpu_count() or 1) if address == "local" else 1
        if isinstance(address, distributed.Client):
            self._client, self._owns_client = address, False
            self.address = str(address.scheduler.address) if address.scheduler else "client"
        elif address == "local":
            # The scheduler runs in its own process (SubprocessCluster), not in this one: measured on 2 cores,
            # 600 documents, scaling efficiency 0.79 with LocalCluster's in-process scheduler (it competes with
            # this process for the GIL) against 0.92 with the scheduler in a subprocess.
            from distributed.deploy.subprocess import SubprocessCluster

            self._cluster = SubprocessCluster(
                host="127.0.0.1", dashboard_address="127.0.0.1:0",
                n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
            )
            self._client = distributed.Client(self._cluster)
            self.address = self._cluster.scheduler_address
        else:
            self.address = str(address)
            try:
                self._client = distributed.Client(self.address, timeout=DASK_CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                raise BreachlensError(f"cannot connect to the Dask scheduler at {self.address}: {exc}") from exc
        try:
            try:
                # a cluster we start is ready when all its workers have joined; a remote one when any has
                self._client.wait_for_workers(self._expected, timeout=DASK_CONNECT_TIMEOUT_S)
            except TimeoutError as exc:
                raise BreachlensError(
                    f"no Dask worker joined the scheduler at {self.address} within {DASK_CONNECT_TIMEOUT_S} s"
                ) from exc
            check_worker_versions(self._client.run(_worker_version, on_error="return"))
        except BaseException:
            self.close()
            raise

    @property
    def dashboard_link(self) -> str | None:
        """The dashboard URL, when the cluster serves one (needs bokeh)."""
        return getattr(self._client, "dashboard_link", None)

    @property
    def workers(self) -> int:
        """Worker threads in the cluster now."""
        threads: dict[str, int] = self._client.nthreads()  # worker address -> its threads
        return max(1, sum(threads.values()))

    def prepare(self, settings: Settings) -> None:
        """Load the spaCy model on every worker now, so the first batches do not all wait for it."""
        self._client.run(_warm_worker, settings.nlp.model)

    def submit(self, fn: Callable[..., R], *args: Any) -> Any:
        """A task with a unique key (pure=False: a re-submitted batch is a new task, not the lost one)."""
        return self._client.submit(fn, *args, pure=False)

    def result(self, handle: Any) -> Any:
        """The batch's value; a task whose workers kept dying (KilledWorker) or was lost is WorkerLost."""
        from concurrent.futures import CancelledError

        try:
            return handle.result()
        except self._distributed.KilledWorker as exc:
            raise WorkerLost(str(exc)) from exc
        except CancelledError as exc:
            raise WorkerLost(f"the task was cancelled ({exc})") from exc
        finally:
            handle.release()

    def close(self) -> None:
        """Close the client and the LocalCluster this executor started (not a Client it was given)."""
        if self._owns_client and getattr(self, "_client", None) is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def check_worker_versions(versions: dict[str, Any]) -> None:
    """Refuse a cluster whose workers run another breachlens (or none); `versions` is worker -> version/error."""
    wrong = {worker: v for worker, v in sorted(versions.items()) if v != __version__}
    if not wrong:
        return
    described = "; ".join(
        f"{worker} has {'no breachlens' if not isinstance(v, str) else 'breachlens ' + v}"
        for worker, v in wrong.items()
    )
    raise BreachlensError(
        f"Dask workers run a different breachlens than this one ({__version__}): {described}. "
        f"Install breachlens {__version__} on every worker (pip install 'breachlens[dask]=={__version__}')"
    )


def make_executor(workers: int | None = None, dask: str | None = None) -> Executor:
    """The executor the CLI options ask for: `--dask ADDRESS|local`, else `--workers N` (1 = serial)."""
    if dask:
        return DaskExecutor(dask, workers=workers)
    if workers == 1:
        return SerialExecutor()
    return LocalPoolExecutor(workers)


# -- the work itself -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Expanded:
    """A failure of stage 1 (reported without calling progress, as the serial pipeline does)."""

    failure: SourceFailure


@dataclass(frozen=True)
class _Duplicate:
    """A source whose bytes are already stored (or already met in this run)."""

    source: str


_Doc = tuple[str, RawDocument]
_Entry = _Doc | SourceFailure | _Expanded | _Duplicate


def analyze_documents_parallel(
    sources: Iterable[str], settings: Settings, executor: Executor | None = None,
    progress: Progress | None = None, skip: Callable[[str], bool] | None = None,
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 1-5 over sources on `executor`, yielding each document's result or failure, in input order.

    The same contract as `pipeline.analyze_documents`: `skip(sha256)` true yields "duplicate" instead of
    analysing the document (and so do the same bytes met again in this run, when `skip` is given);
    `progress(source)` is called as each source's result is yielded. The executor is not closed.
    """
    executor = executor or SerialExecutor()
    executor.prepare(settings)
    chunks = _chunks(_entries(sources, settings, skip), executor.batch_size)
    for chunk, outcomes in executor.map_ordered(_BatchCall(settings), chunks, _give_up):
        results = iter(outcomes)
        for entry in chunk:
            if isinstance(entry, _Expanded):
                yield entry.failure
                continue
            out: DocumentResult | SourceFailure | str
            if isinstance(entry, _Duplicate):
                item, out = entry.source, "duplicate"
            elif isinstance(entry, SourceFailure):
                item, out = entry.source, entry
            else:
                item, raw = entry
                outcome = next(results)
                out = outcome if isinstance(outcome, SourceFailure) else DocumentResult(raw, *outcome)
            if progress:
                progress(item)
            yield out


@dataclass(frozen=True)
class _BatchCall:
    """`analyze_batch` bound to the settings, picklable for worker processes."""

    settings: Settings

    def __call__(self, chunk: list[_Entry]) -> list[Outcome]:
        """Analyse the documents of one chunk."""
        return analyze_batch([e for e in chunk if isinstance(e, tuple)], self.settings)


def _give_up(chunk: list[_Entry], reason: str) -> list[Outcome]:
    """Every document of a batch that kept killing its worker fails alone, with the reason."""
    return [SourceFailure(e[0], f"could not be analysed ({reason})") for e in chunk if isinstance(e, tuple)]


def analyze_batch(documents: Sequence[_Doc], settings: Settings) -> list[Outcome]:
    """Stages 3-5 for a batch of acquired documents (runs in a worker): (clean, analysis) or the failure.

    The same functions and error handling as the serial pipeline, so the outcome is the same wherever it runs.
    """
    if not documents:
        return []
    batch: list[_Pending | SourceFailure | str] = []
    for item, raw in documents:
        batch.append(clean_within(item, raw, settings))
    out: list[Outcome] = []
    for result in _finish(batch, settings):
        if isinstance(result, DocumentResult):
            out.append((result.clean, result.analysis))
        elif isinstance(result, SourceFailure):
            out.append(result)
    return out


def _entries(sources: Iterable[str], settings: Settings, skip: Callable[[str], bool] | None) -> Iterator[_Entry]:
    """Stages 1-2 in this process: a document to analyse, a failure, or a duplicate."""
    seen: set[str] = set()
    for item in expand_sources(sources, settings):
        if isinstance(item, SourceFailure):
            yield _Expanded(item)
            continue
        raw = guard(item, partial(acquire, item, settings))
        if isinstance(raw, SourceFailure):
            yield raw
        elif skip is not None and (raw.sha256 in seen or skip(raw.sha256)):
            yield _Duplicate(item)
        else:
            if skip is not None:
                seen.add(raw.sha256)
            yield (item, raw)


def _chunks(entries: Iterable[_Entry], size: int) -> Iterator[list[_Entry]]:
    """Entries grouped so that each group holds `size` documents (failures and duplicates ride along)."""
    chunk: list[_Entry] = []
    docs = 0
    for entry in entries:
        chunk.append(entry)
        if isinstance(entry, tuple):
            docs += 1
            if docs >= size:
                yield chunk
                chunk, docs = [], 0
    if chunk:
        yield chunk


def _warm_worker(model: str | None) -> None:
    """Load the spaCy model in a worker before its first batch (cached per process by load_nlp)."""
    if model:
        from ..analysis.nlp import load_nlp

        load_nlp(model)


def _worker_version() -> str:
    """This worker's breachlens version (asked by DaskExecutor on connecting)."""
    from breachlens.version import __version__ as version

    return version
