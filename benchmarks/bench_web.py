"""Benchmark (not a test): the incident list page with 10,000 incidents in the store, against an empty store.

Builds 10,000 incidents by varying one real incident (victim, id, sector, country, date, actor, data types),
stores them with `replace_incidents`, then times `GET /` in-process (httpx.ASGITransport, no network) and
reports the median of REPEATS requests and its ratio to the same page over an empty store.

Run: `.venv/bin/python benchmarks/bench_web.py [N]`.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import anyio
import httpx

from breachlens import vocab
from breachlens.delivery.web import create_app
from breachlens.records import Fact, MergedIncident
from breachlens.settings import Settings
from breachlens.store import open_store

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures" / "web_ui"
REPEATS = 15
ACTORS = ("Velvet Lynx", "ShinyHunters", "Scattered Spider", "LockBit", "Cl0p", "BlackCat")


def _incidents(template: MergedIncident, n: int, seed: int = 7) -> list[MergedIncident]:
    """n variations of one incident."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        inc = template.incident
        day = f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        actors = tuple(replace(f, value=rng.choice(ACTORS), as_written=None) for f in inc.threat_actors[:1])
        types = tuple(Fact(t, rng.choice(vocab.MODALITIES), inc.data_exposed[0].evidence)
                      for t in rng.sample(vocab.DATA_TYPES, 3)) if inc.data_exposed else ()
        new = replace(inc, victim=f"Victim {i:05d} Ltd", sector=rng.choice(vocab.SECTORS),
                      victim_country=rng.choice(("GB", "US", "DE", "FR", "IE")), disclosure_date=day,
                      timeline=(), threat_actors=actors if rng.random() < 0.4 else (), data_exposed=types)
        out.append(replace(template, id=f"victim-{i:05d}-{day[:7]}", incident=new))
    return out


async def _median_ms(app: object, url: str) -> float:
    """Median wall time of REPEATS GETs (after one warm-up)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        assert (await client.get(url)).status_code == 200
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            response = await client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return statistics.median(times)


def main(n: int = 10_000) -> None:
    """Print the medians and the ratio."""
    from breachlens.ingest.sources import ingest_sources

    settings = Settings.load()
    with tempfile.TemporaryDirectory() as tmp:
        empty = open_store(str(Path(tmp) / "empty.db"))
        full = open_store(str(Path(tmp) / "full.db"))
        ingest_sources([str(FIXTURES)], full, settings)
        template = next(m for m in full.incidents() if m.incident.threat_actors)
        full.replace_incidents(_incidents(template, n))
        empty_ms = anyio.run(_median_ms, create_app(empty, settings), "/")
        full_ms = anyio.run(_median_ms, create_app(full, settings), "/")
        filtered_ms = anyio.run(_median_ms, create_app(full, settings), "/?actor=LockBit&sort=victim")
        print(f"list page, empty store:            {empty_ms:8.1f} ms median of {REPEATS}")
        print(f"list page, {n} incidents:       {full_ms:8.1f} ms median   ratio {full_ms / empty_ms:.1f}x")
        print(f"list page, {n}, actor filter:  {filtered_ms:8.1f} ms median   ratio {filtered_ms / empty_ms:.1f}x")
        empty.close()
        full.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
