"""Store-growth benchmark (issue 16): what ingesting 100 new documents costs as the store grows.

For each size (1,000 / 10,000 / 100,000 documents), a fresh SQLite store is filled directly with synthetic
analyses (`synthetic._article`: invented victims, about eight documents each, one or two incidents per victim,
no NLP pass) and resolved once. Then a fresh process opens it and ingests 100 new synthetic documents the way
`ingest` stores them (batches of `ingest.BATCH_SIZE`, then one incremental resolve): half about victims already
in the store (so their blocks are re-resolved), half about new ones. That process reports its wall time for the
100 and its peak RSS (VmHWM), so the fill's own memory is not counted; each size is measured REPEATS times on
fresh copies of the filled store (median time, largest peak), written to disk (`os.sync`) before the run starts,
since the measured commits fsync and would otherwise wait for the copy's writeback.

Run: `breachlens bench --store-growth [--json]`; not a timed test (timings depend on the machine).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from breachlens.records import CleanDocument, DocumentAnalysis, RawDocument
from breachlens.settings import Settings
from breachlens.store import StoredDocument, open_store

# Store sizes measured, and documents ingested into each.
SIZES: tuple[int, ...] = (1_000, 10_000, 100_000)
NEW_DOCUMENTS = 100
# Measured runs per size, each in a fresh process on a fresh copy of the filled store: the median time and the
# largest peak are reported (a 2-core machine shared with other work moves single timings by ±30%).
REPEATS = 3
# Documents stored per transaction while filling (fewer fsyncs; the fill is not what is measured).
FILL_BATCH = 2_000
# Documents per victim on average (as synthetic.DOCS_PER_VICTIM, without its one heavily covered victim: a
# victim with a tenth of all documents is one block, re-resolved whole whenever it gets news).
DOCS_PER_VICTIM = 8


def _document(rng: random.Random, source: str, victim_no: int) -> StoredDocument:
    """One synthetic document about victim `victim_no`, stored as ingest would store it."""
    from .synthetic import _article

    year = 2022 + victim_no % 4
    month = 1 + victim_no % 12
    day = f"{year}-{month:02d}-{1 + rng.randrange(28):02d}"
    analysis = _article(rng, source, f"Victim {victim_no} Ltd", day, f"{year}-{month:02d}-28")
    raw = f"<p>{analysis.text}</p><!-- {source} -->".encode()
    import hashlib

    sha = hashlib.sha256(raw).hexdigest()
    return StoredDocument(
        raw=RawDocument(source, raw, sha, "html", None, analysis.published),
        clean=CleanDocument(source, sha, analysis.text, None, analysis.published, (), raw.decode()),
        analysis=DocumentAnalysis(source, None, analysis.published, analysis.incidents),
    )


def fill(db: str, n: int, seed: int = 11) -> None:
    """A store of n synthetic documents, resolved (in batches, as a year of ingests would have left it)."""
    from breachlens.ingest.run import refresh_incidents

    rng = random.Random(seed)
    victims = max(1, n // DOCS_PER_VICTIM)
    settings = Settings.load()
    with open_store(db) as store:
        for start in range(0, n, FILL_BATCH):
            batch = [_document(rng, f"outlet{i % 50}/story{i}", rng.randrange(victims))
                     for i in range(start, min(n, start + FILL_BATCH))]
            store.add_documents(batch)
            refresh_incidents(store, settings)


def ingest_new(db: str, n: int, seed: int = 12) -> dict[str, Any]:
    """Ingest NEW_DOCUMENTS new documents into the filled store at `db`; time and peak RSS of this process."""
    from breachlens.ingest.run import BATCH_SIZE, refresh_incidents

    rng = random.Random(seed)
    victims = max(1, n // DOCS_PER_VICTIM)
    settings = Settings.load()
    docs = [
        _document(rng, f"new/story{i}", rng.randrange(victims) if i % 2 else victims + i)
        for i in range(NEW_DOCUMENTS)
    ]
    with open_store(db) as store:
        started = time.perf_counter()
        for start in range(0, len(docs), BATCH_SIZE):
            store.add_documents(docs[start : start + BATCH_SIZE])
        outcome = refresh_incidents(store, settings)
        seconds = time.perf_counter() - started
        stored = store.counts()
    peak_kb = _peak_rss_kb()
    return {
        "store_documents": n,
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "documents_resolved": outcome.documents,
        "incidents_changed": len(outcome.changed),
        "incidents": stored["incidents"],
    }


def _peak_rss_kb() -> int:
    """This process's peak resident memory: VmHWM (ru_maxrss also counts the parent's image before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench_store_growth(sizes: Sequence[int] = SIZES, workdir: str | None = None) -> list[dict[str, Any]]:
    """One row per size: {"store_documents", "seconds", "peak_rss_mb", ...} for ingesting 100 new documents."""
    rows = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for n in sizes:
            filled = Path(tmp) / f"store-{n}.db"
            fill(str(filled), n)
            runs = []
            for _ in range(REPEATS):
                db = Path(tmp) / f"run-{n}.db"
                shutil.copyfile(filled, db)
                os.sync()  # the copy's writeback would otherwise land on the measured commits' fsyncs
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.bench_store", str(db), str(n)],
                    check=True, capture_output=True, text=True,
                    cwd=Path(__file__).resolve().parent.parent,  # where `benchmarks` is importable from
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                for path in Path(tmp).glob(f"run-{n}.db*"):
                    path.unlink()
            row = dict(runs[0])
            row["seconds"] = statistics.median(r["seconds"] for r in runs)
            row["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
            row["seconds_runs"] = [r["seconds"] for r in runs]
            rows.append(row)
            filled.unlink()
    return rows


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.bench_store DB N`: the measured half, in a process of its own."""
    args = sys.argv[1:] if argv is None else argv
    print(json.dumps(ingest_new(args[0], int(args[1]))))


if __name__ == "__main__":
    main()
