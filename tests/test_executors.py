"""Tests of breachlens.ingest.executors: same output as the serial pipeline on every executor, order and contract,
lost workers re-run without loss or double counting, the Dask version check, and ingest through Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_scale import write_corpus
from breachlens import __version__
from breachlens.analysis.resolve import resolve
from breachlens.errors import BreachlensError
from breachlens.ingest.executors import (
    MAX_ATTEMPTS,
    DaskExecutor,
    Executor,
    LocalPoolExecutor,
    SerialExecutor,
    WorkerLost,
    analyze_documents_parallel,
    check_worker_versions,
    make_executor,
)
from breachlens.ingest.run import IngestSummary, refresh_incidents, store_results
from breachlens.pipeline import DocumentResult, analyze_documents
from breachlens.records import Analysis, SourceFailure
from breachlens.settings import Settings
from breachlens.store import Store, open_store

SETTINGS = Settings.load()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> list[str]:
    """The fixture articles, a binary file, an empty file, a missing path and a same-bytes copy, in one list."""
    tmp = tmp_path_factory.mktemp("sources")
    (tmp / "junk.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (tmp / "empty.txt").write_bytes(b"")
    articles = sorted(str(p) for p in (fixtures_dir / "articles").glob("*.txt"))
    shutil.copy(articles[0], tmp / "copy-of-first.txt")
    return [*articles[:9], str(tmp / "junk.txt"), str(tmp / "missing.txt"), *articles[9:],
            str(tmp / "empty.txt"), str(tmp / "copy-of-first.txt")]


def as_json(results: Iterable[DocumentResult | SourceFailure | str]) -> str:
    """The analysis JSON (documents, resolved incidents) plus failures and duplicates, as one string."""
    documents, failures, others = [], [], []
    for result in results:
        if isinstance(result, DocumentResult):
            documents.append(result.analysis)
        elif isinstance(result, SourceFailure):
            failures.append(result)
        else:
            others.append(result)
    analysis = Analysis(tuple(documents), tuple(resolve(documents, SETTINGS)), tuple(failures))
    return json.dumps([analysis.as_dict(), [str(f) for f in failures], others], ensure_ascii=False)


@pytest.fixture(scope="module")
def serial_json(sources: list[str]) -> str:
    """What the serial pipeline makes of `sources`."""
    return as_json(analyze_documents(sources, SETTINGS))


def test_executors_serial_executor_output_is_byte_identical(sources: list[str], serial_json: str) -> None:
    assert as_json(analyze_documents_parallel(sources, SETTINGS, SerialExecutor())) == serial_json


def test_executors_process_pool_output_is_byte_identical(sources: list[str], serial_json: str) -> None:
    with LocalPoolExecutor(workers=2, batch_size=4) as executor:
        assert as_json(analyze_documents_parallel(sources, SETTINGS, executor)) == serial_json
        assert executor.workers == 2


def test_executors_keep_input_order_failures_and_progress(sources: list[str]) -> None:
    heard: list[str] = []
    results = list(analyze_documents_parallel(sources, SETTINGS, SerialExecutor(), progress=heard.append))
    serial_heard: list[str] = []
    serial = list(analyze_documents(sources, SETTINGS, progress=serial_heard.append))
    assert [type(r).__name__ for r in results] == [type(r).__name__ for r in serial]
    assert [r.source for r in results if isinstance(r, SourceFailure)] == [
        r.source for r in serial if isinstance(r, SourceFailure)]
    assert sorted(heard) == sorted(serial_heard)


def test_executors_skip_yields_duplicate_for_stored_and_repeated_bytes(sources: list[str]) -> None:
    first = sources[0]
    known = {r.raw.sha256 for r in analyze_documents([first], SETTINGS) if isinstance(r, DocumentResult)}
    results = list(analyze_documents_parallel(sources, SETTINGS, SerialExecutor(), skip=known.__contains__))
    # The first article is stored already, and its copy at the end has the same bytes.
    assert results[0] == "duplicate" and results[-1] == "duplicate"
    assert results.count("duplicate") == 2


def test_executors_make_executor_picks_by_options() -> None:
    assert isinstance(make_executor(1), SerialExecutor)
    pool = make_executor(3)
    assert isinstance(pool, LocalPoolExecutor) and pool.workers == 3
    assert make_executor().workers == (os.cpu_count() or 1)  # type: ignore[union-attr]


# -- lost workers ---------------------------------------------------------------------------------------------


class FlakyExecutor(SerialExecutor):
    """Loses the worker of the n-th batch `losses[n]` times before running it."""

    def __init__(self, losses: dict[int, int], batch_size: int = 4) -> None:
        self.losses = losses
        self.batch_size = batch_size
        self.index: dict[int, int] = {}
        self.recovered = 0

    def submit(self, fn: Any, *args: Any) -> Any:
        number = self.index.setdefault(id(args[0]), len(self.index))

        def run() -> Any:
            if self.losses.get(number, 0) > 0:
                self.losses[number] -= 1
                raise WorkerLost("killed")
            return fn(*args)

        return run

    def recover(self, handle: Any) -> None:
        self.recovered += 1


def test_executors_lost_batch_is_rerun_once_used(sources: list[str], serial_json: str) -> None:
    executor = FlakyExecutor({0: 1, 2: MAX_ATTEMPTS - 1})
    assert as_json(analyze_documents_parallel(sources, SETTINGS, executor)) == serial_json
    assert executor.recovered == MAX_ATTEMPTS


def test_executors_batch_that_always_kills_its_worker_fails_alone(sources: list[str]) -> None:
    executor = FlakyExecutor({1: MAX_ATTEMPTS})
    results = list(analyze_documents_parallel(sources, SETTINGS, executor))
    lost = [r for r in results if isinstance(r, SourceFailure) and "worker died" in r.reason]
    assert len(lost) == 4
    assert lost[0].reason == f"could not be analysed (its worker died {MAX_ATTEMPTS} times: killed)"
    assert len(results) == len(list(analyze_documents(sources, SETTINGS)))


def _die_once(marker: str, value: int) -> int:
    """In a pool worker: kill this process the first time (marker file absent), else return value."""
    if value == 3 and not os.path.exists(marker):
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return value * 10


def test_executors_process_pool_survives_a_killed_worker(tmp_path: Path) -> None:
    marker = str(tmp_path / "died")
    with LocalPoolExecutor(workers=2) as executor:
        results = list(executor.map_ordered(_Call(marker), range(8), lambda arg, reason: -1))
    assert results == [(i, i * 10) for i in range(8)]
    assert Path(marker).exists()


def test_executors_pool_broken_before_submit_is_a_lost_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool can break between two submits (a worker killed meanwhile): that batch is lost, not an error."""
    from concurrent.futures.process import BrokenProcessPool

    class _BrokenPool:
        def submit(self, fn: Any, *args: Any) -> Any:
            raise BrokenProcessPool("a child process terminated abruptly")

    executor = LocalPoolExecutor(workers=2)
    monkeypatch.setattr(executor, "_ensure_pool", lambda: _BrokenPool())
    handle = executor.submit(abs, -1)
    with pytest.raises(WorkerLost):
        executor.result(handle)


class _Call:
    """Picklable wrapper of _die_once."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __call__(self, value: int) -> int:
        return _die_once(self.marker, value)


# -- Dask ---------------------------------------------------------------------------------------------------


def test_executors_dask_version_mismatch_is_refused_clearly() -> None:
    check_worker_versions({"tcp://127.0.0.1:1": __version__})
    with pytest.raises(BreachlensError) as info:
        check_worker_versions({"tcp://10.0.0.2:4001": "0.0.9", "tcp://10.0.0.3:4001": ModuleNotFoundError("x"),
                               "tcp://10.0.0.4:4001": __version__})
    assert str(info.value) == (
        f"Dask workers run a different breachlens than this one ({__version__}): tcp://10.0.0.2:4001 has "
        "breachlens 0.0.9; tcp://10.0.0.3:4001 has no breachlens. "
        f"Install breachlens {__version__} on every worker (pip install 'breachlens[dask]=={__version__}')"
    )


def test_executors_dask_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(BreachlensError, match=r"^Dask support is not installed: pip install 'breachlens\[dask\]'$"):
        DaskExecutor("tcp://127.0.0.1:1")


def test_executors_dask_is_imported_only_when_asked() -> None:
    import subprocess

    code = ("import sys, breachlens.ingest.executors, breachlens.pipeline, breachlens.ingest.run; "
            "print('distributed' in sys.modules or 'dask' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def ingest_with(sources: list[str], store: Store, executor: Executor | None) -> IngestSummary:
    """ingest.ingest with the executor (what `breachlens ingest --workers/--dask` does)."""
    summary = IngestSummary()
    results = (analyze_documents_parallel(sources, SETTINGS, executor, skip=store.has_document) if executor
               else analyze_documents(sources, SETTINGS, skip=store.has_document))
    store_results(results, store, summary)
    summary.incidents = tuple(refresh_incidents(store, SETTINGS).changed)
    return summary


def stored(store: Store) -> list[dict[str, Any]]:
    """Every stored incident as its contract JSON."""
    return [m.as_dict() for m in store.incidents()]


@pytest.fixture(scope="module")
def serial_store(tmp_path_factory: pytest.TempPathFactory, sources: list[str]) -> Iterator[tuple[Store, IngestSummary]]:
    """A store the serial pipeline ingested `sources` into."""
    with open_store(str(tmp_path_factory.mktemp("serial") / "s.db")) as store:
        yield store, ingest_with(sources, store, None)


def test_executors_dask_in_process_client_ingest_equals_serial(
    tmp_path: Path, sources: list[str], serial_store: tuple[Store, IngestSummary]
) -> None:
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client, \
            DaskExecutor(client) as executor, open_store(str(tmp_path / "d.db")) as store:
        summary = ingest_with(sources, store, executor)
        assert stored(store) == stored(serial_store[0])
        got, want = summary.as_dict(), serial_store[1].as_dict()
        assert (got["new"], got["failed"], got["errors"]) == (want["new"], want["failed"], want["errors"])
        # The same bytes met twice in one run: a duplicate here; the serial pipeline analyses the copy again (its
        # store check runs before the first copy is committed) and add_documents then skips it.
        assert (got["duplicates"], got["not_about_a_breach"]) == (1, want["not_about_a_breach"] - 1)
    assert client.status == "closed"


def test_executors_dask_local_cluster_ingest_equals_serial_and_survives_a_killed_worker(
    tmp_path: Path, sources: list[str], serial_store: tuple[Store, IngestSummary]
) -> None:
    with DaskExecutor("local", workers=2, batch_size=8) as executor:
        assert executor.batch_size == 8 and executor.workers == 2
        assert executor.address.startswith("tcp://127.0.0.1:")
        with open_store(str(tmp_path / "d.db")) as store:
            ingest_with(sources, store, executor)
            assert stored(store) == stored(serial_store[0])

        # A worker killed while batches are in flight: every document comes back exactly once, as serial.
        corpus = [str(p) for p in write_corpus(tmp_path / "corpus", 64)]
        expected = as_json(analyze_documents(corpus, SETTINGS))
        pids = executor._client.run(os.getpid)
        killed: list[int] = []

        def kill_one(_source: str) -> None:
            if not killed:
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        assert as_json(analyze_documents_parallel(corpus, SETTINGS, executor, progress=kill_one)) == expected
        assert killed


def test_executors_dask_batches_are_8_to_32() -> None:
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        assert DaskExecutor(client, batch_size=2).batch_size == 8
        assert DaskExecutor(client, batch_size=100).batch_size == 32
