"""Scaling benchmark: documents/s serial vs a 2-worker process pool vs a 2-worker Dask LocalCluster, and the
memory an ingest of many documents needs.

    python -m benchmarks.bench_scale                 # 1,000 documents for throughput, 20,000 for memory
    python -m benchmarks.bench_scale --docs 200 --memory-docs 2000 --json

Documents are synthetic breach articles written to a temporary directory (`write_corpus`): invented victims,
counts, data types, actors, a negation, a response and a mention of another breach in each, so every stage does
the work it does on real news. Figures are wall-clock on this machine; scaling efficiency is
serial time ÷ (2 × parallel time), 1.0 being perfect use of two workers. Pools and clusters are started and the
model loaded in every worker before the clock starts, since a long ingest pays that once. Peak memory is sampled
(resident set of this process and of its worker processes) while ingesting into a SQLite store, after each
quarter of the documents, so growth with the count shows; the resolve at the end is reported apart: it reads
every document this run stored (all of them, into an empty store) and the blocks they touch
(ingest.refresh_incidents). What an ingest into a full store costs is `bench_store` (`bench --store-growth`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from breachlens.ingest.executors import (
    DaskExecutor,
    Executor,
    LocalPoolExecutor,
    SerialExecutor,
    analyze_documents_parallel,
)
from breachlens.pipeline import DocumentResult
from breachlens.settings import Settings

__all__ = ["bench_scaling", "write_corpus"]

_VICTIMS = ("Harrow", "Velmont", "Quayside", "Ostrava", "Lindqvist", "Marbury", "Tessaly", "Corran", "Ebbwick",
            "Pellam", "Ardent", "Noventa", "Rushmere", "Calloway", "Fenwick", "Ivory Lane", "Zephyr", "Dunmore")
_KINDS = ("Bank", "Health", "Telecom", "Retail", "Airways", "Insurance", "Games", "Energy")
_DATA = ("names", "email addresses", "phone numbers", "postal addresses", "dates of birth", "passwords",
         "payment card details", "purchase histories", "bank account numbers", "passport numbers")
_ACTORS = ("ShinyHunters", "Scattered Spider", "LockBit", "Cl0p", "BlackCat", "Karakurt")
_VECTORS = ("a phishing email sent to an employee", "a vulnerability in its customer portal",
            "stolen credentials for a third-party supplier", "a misconfigured cloud storage bucket")
_OUTLETS = ("the Daily Ledger", "Harbour Times", "the Evening Courier", "Metro Wire")


def write_corpus(directory: str | Path, n: int, seed: int = 8) -> list[Path]:
    """Write n synthetic breach articles (.txt) into `directory`, deterministic for a seed; return the paths."""
    rng = random.Random(seed)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out / f"article-{i:06d}.txt"
        path.write_text(_article(rng, i), encoding="utf-8")
        paths.append(path)
    return paths


def _article(rng: random.Random, i: int) -> str:
    """One invented article about one breach that also mentions another."""
    victim = f"{rng.choice(_VICTIMS)} {rng.choice(_KINDS)}"
    other = f"{rng.choice(_VICTIMS)} {rng.choice(_KINDS)}"
    exposed = rng.sample(_DATA, 3)
    safe = rng.choice([d for d in _DATA if d not in exposed])
    count = rng.choice((12_000, 48_500, 310_000, 1_200_000, 2_700_000))
    day = 1 + rng.randrange(28)
    month = rng.choice(("January", "March", "May", "June", "September", "November"))
    actor = rng.choice(_ACTORS)
    title = f"{victim} confirms data breach affecting {count:,} customers"
    body = [
        title,
        "",
        f"{victim} said on {month} {day}, 2025 that hackers had accessed the personal data of {count:,} "
        f"customers after {rng.choice(_VECTORS)}.",
        f"The company said the stolen information included {exposed[0]}, {exposed[1]} and {exposed[2]}, "
        f"but that no {safe} were accessed.",
        f"The {actor} group claimed responsibility on its leak site and said it held "
        f"{count * 2:,} records, a figure {victim} disputes.",
        f"{victim} said it had notified the data protection regulator and informed law enforcement, and that "
        "affected customers were being contacted by email.",
        f"It engaged external cybersecurity experts to investigate, {rng.choice(_OUTLETS)} reported.",
        f"The attack follows a breach at {other} earlier this year, in which {rng.choice(_DATA)} were taken.",
        f"Customers are advised to be wary of unexpected messages. (story {i})",
    ]
    return "\n".join(body) + "\n"


def _timed(executor: Executor, paths: list[str], settings: Settings) -> float:
    """Seconds to analyse `paths` on `executor`, after a warm-up that starts workers and loads the model."""
    for _ in analyze_documents_parallel(paths[: executor.batch_size * executor.workers], settings, executor):
        pass
    start = time.perf_counter()
    count = sum(1 for r in analyze_documents_parallel(paths, settings, executor) if isinstance(r, DocumentResult))
    elapsed = time.perf_counter() - start
    if count != len(paths):
        raise RuntimeError(f"only {count} of {len(paths)} documents were analysed")
    return elapsed


def _rss_mb(pids: Callable[[], list[int]]) -> float:
    """Resident memory of this process plus the given processes, in MB (Linux /proc; 0 where unreadable)."""
    total = 0
    for pid in [os.getpid(), *pids()]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children() -> list[int]:
    """Pids of this process's children (the pool's workers)."""
    try:
        import psutil

        return [c.pid for c in psutil.Process().children(recursive=True)]
    except ImportError:  # pragma: no cover - psutil comes with the dask extra and the lock file
        return []


class _PeakSampler:
    """Samples resident memory every 50 ms in a thread; `take()` returns and resets the peak."""

    def __init__(self) -> None:
        """Start sampling."""
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        """The sampling loop."""
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb(_children))

    def take(self) -> float:
        """The peak since the last take."""
        peak, self.peak = self.peak, 0.0
        return round(max(peak, _rss_mb(_children)), 1)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def _memory(paths: list[str], settings: Settings, workers: int, db: str) -> dict[str, Any]:
    """Peak RSS while ingesting `paths` into a SQLite store with a process pool, per quarter, then the resolve."""
    from breachlens.ingest.run import IngestSummary, refresh_incidents, store_results
    from breachlens.store import open_store

    quarters: list[dict[str, Any]] = []
    sampler = _PeakSampler()
    marks = {len(paths) * q // 4 for q in (1, 2, 3, 4)}
    seen = 0

    def results(store: Any, executor: Executor) -> Iterator[Any]:
        """The pipeline's results, noting the peak after each quarter."""
        nonlocal seen
        for result in analyze_documents_parallel(paths, settings, executor, skip=store.has_document):
            yield result
            seen += 1
            if seen in marks:
                quarters.append({"documents": seen, "peak_rss_mb": sampler.take()})

    start = time.perf_counter()
    with open_store(db) as store, LocalPoolExecutor(workers) as executor:
        summary = IngestSummary()
        store_results(results(store, executor), store, summary)
        analysed = time.perf_counter() - start
        sampler.take()
        incidents = refresh_incidents(store, settings)
        resolve_peak = sampler.take()
    sampler.stop()
    return {
        "documents": len(paths), "workers": workers, "stored": summary.new, "incidents": len(incidents.changed),
        "ingest_seconds": round(analysed, 1), "resolve_seconds": round(time.perf_counter() - start - analysed, 1),
        "peak_rss_mb_by_count": quarters, "peak_rss_mb_resolve_all": resolve_peak,
    }


def bench_scaling(docs: int = 1000, memory_docs: int = 20_000, workers: int = 2, dask: bool = True,
                  settings: Settings | None = None) -> dict[str, Any]:
    """Documents/s serial vs `workers` processes vs a Dask LocalCluster of `workers`, and ingest peak memory.

    `memory_docs=0` skips the memory run; `dask=False` skips Dask (not installed, or not wanted).
    """
    settings = settings or Settings.load()
    out: dict[str, Any] = {"documents": docs, "workers": workers, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="breachlens-bench-") as tmp:
        paths = [str(p) for p in write_corpus(Path(tmp) / "docs", docs)]
        serial = _timed(SerialExecutor(), paths, settings)
        timings = [("serial", serial)]
        with LocalPoolExecutor(workers) as pool:
            timings.append((f"local pool, {workers} workers", _timed(pool, paths, settings)))
        if dask:
            with DaskExecutor("local", workers=workers) as cluster:
                timings.append((f"dask LocalCluster, {workers} workers", _timed(cluster, paths, settings)))
        rows: list[dict[str, str | float]] = []
        for executor, seconds in timings:
            row: dict[str, str | float] = {
                "executor": executor, "seconds": round(seconds, 2), "documents_per_second": round(docs / seconds, 1)
            }
            if executor != "serial":
                row["scaling_efficiency"] = round(serial / (workers * seconds), 3)
            rows.append(row)
        out["throughput"] = rows
        if memory_docs:
            mem_paths = [str(p) for p in write_corpus(Path(tmp) / "memory", memory_docs, seed=9)]
            out["memory"] = _memory(mem_paths, settings, workers, str(Path(tmp) / "bench.db"))
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line: print the figures (a table, or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--memory-docs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = bench_scaling(args.docs, args.memory_docs, args.workers, not args.no_dask)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['documents']} documents, {result['cores']} cores")
    for row in result["throughput"]:
        eff = row.get("scaling_efficiency")
        print(f"  {row['executor']:<32} {row['seconds']:>8.2f} s {row['documents_per_second']:>8.1f} docs/s"
              + (f"   efficiency {eff:.2f}" if eff is not None else ""))
    if "memory" in result:
        mem = result["memory"]
        print(f"ingest of {mem['documents']} documents ({mem['workers']} workers): {mem['ingest_seconds']} s, "
              f"then resolve {mem['resolve_seconds']} s")
        for q in mem["peak_rss_mb_by_count"]:
            print(f"  peak RSS after {q['documents']:>6} documents: {q['peak_rss_mb']:>8.1f} MB")
        print(f"  peak RSS of the final re-resolve over everything stored: {mem['peak_rss_mb_resolve_all']} MB")


if __name__ == "__main__":
    main()
