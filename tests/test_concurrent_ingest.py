"""Two ingest processes at once on overlapping inputs into one PostgreSQL database: no duplicate documents, facts
or incidents, and the same incidents as one ingest of everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.bench_scale import write_corpus
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import Store, open_store
from store_helpers import needs_pg, pg_schema_url

pytestmark = needs_pg

# Each process loads spaCy first, then waits for the go file, so both ingest at the same moment.
_INGEST = """
import json, os, sys, time
from breachlens.ingest.sources import ingest_sources
from breachlens.analysis.nlp import load_nlp
from breachlens.settings import Settings
from breachlens.store import open_store

url, go, sources = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
settings = Settings.load()
load_nlp(settings.nlp.model)
with open_store(url) as store:
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    summary = ingest_sources(sources, store, settings)
print(json.dumps(summary.as_dict()), flush=True)
"""


def incidents_without_ids(store: Store) -> list[str]:
    """Stored incidents as JSON without their ids (which depend on the order resolutions happened in)."""
    out = []
    for merged in store.incidents():
        data: dict[str, Any] = merged.as_dict()
        data.pop("id")
        out.append(json.dumps(data, sort_keys=True))
    return sorted(out)


def test_concurrent_ingest_overlapping_inputs_leave_no_duplicates(tmp_path: Path, fixtures_dir: Path) -> None:
    corpus = [str(p) for p in write_corpus(tmp_path / "corpus", 48)]
    corpus += sorted(str(p) for p in (fixtures_dir / "articles").glob("*.txt"))
    half = len(corpus) // 2
    first = corpus[: half + 15]
    second = list(reversed(corpus[half - 15 :]))  # overlapping, met in the opposite order
    go = tmp_path / "go"
    with pg_schema_url() as url:
        open_store(url).close()  # the schema exists before either starts (they also race to create it below)
        procs = [
            subprocess.Popen([sys.executable, "-c", _INGEST, url, str(go), json.dumps(part)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for part in (first, second)
        ]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
        go.write_text("go")
        summaries = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            summaries.append(json.loads(out.strip().splitlines()[-1]))

        with open_store(url) as store:
            conn = store._conn  # type: ignore[attr-defined]
            assert store.counts()["documents"] == store.counts()["sources"] == len(corpus)
            assert conn.execute("SELECT count(DISTINCT sha256) FROM documents").fetchone()[0] == len(corpus)
            # Every document was stored by exactly one of the two.
            assert summaries[0]["new"] + summaries[1]["new"] == len(corpus)
            together = incidents_without_ids(store)
            for merged in store.incidents():
                for _field, fact in merged.incident.facts():
                    quotes = [(e.source, e.start, e.end) for e in fact.evidence]
                    assert len(quotes) == len(set(quotes)), (merged.id, _field)
                for field in ("data_exposed", "data_not_exposed", "threat_actors", "response_actions"):
                    values = [json.dumps(f.value) for f in getattr(merged.incident, field)]
                    assert len(values) == len(set(values)), (merged.id, field)
            ids = [m.id for m in store.incidents()]
            assert len(ids) == len(set(ids))

    # No incident twice, none missing: the same incidents as one ingest of everything.
    with pg_schema_url() as url, open_store(url) as alone:
        ingest_sources(corpus, alone, Settings.load())
        assert incidents_without_ids(alone) == together
