"""Benchmark of `resolve`: time against the number of documents, compared with n·log n growth.

Synthetic corpus: many invented victims (about eight documents each) plus one heavily covered victim that
gets a tenth of all documents; one or two incidents per victim a year or more apart; outlets that give
differing counts, attacker claims, exposed and not-exposed data types and timeline events; and about one
document in ten is a near-verbatim republication of another. Run: `breachlens bench --resolve-only` (or
`python -m breachlens.synthetic`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from typing import Any

from breachlens.records import DocumentAnalysis, Evidence, Fact, Incident, TimelineEvent
from breachlens.resolve import resolve
from breachlens.settings import Settings

# Documents per victim on average, and the share of documents about the one heavily covered victim.
DOCS_PER_VICTIM = 8
BIG_VICTIM_SHARE = 0.1
# Share of documents that republish another document of the same incident.
COPY_SHARE = 0.1
# Words per synthetic article.
WORDS = 160
# Timed runs per size (the best is kept).
REPEATS = 3

_VOCAB = [f"w{i}" for i in range(4000)]
_DATA = ("name", "email", "phone", "postal_address", "payment_card", "password", "date_of_birth")
_ACTORS = ("Quillmoth", "Ashfall", "Graywren", "Tidecall")


def _evidence(source: str, text: str, word_index: int) -> Evidence:
    """Evidence for the word at word_index of a text of single-space-separated words."""
    words = text.split(" ")
    start = sum(len(w) + 1 for w in words[:word_index])
    return Evidence(source, words[word_index], start, start + len(words[word_index]))


def _article(rng: random.Random, source: str, victim: str, day: str, published: str) -> DocumentAnalysis:
    """One synthetic article about `victim`'s incident on `day`."""
    text = " ".join(rng.choice(_VOCAB) for _ in range(WORDS))

    def fact(value: Any, modality: str) -> Fact:
        """A fact quoting a random word of the text."""
        return Fact(value, modality, (_evidence(source, text, rng.randrange(WORDS)),))

    exposed = rng.sample(_DATA, 3)
    incident = Incident(
        victim=victim,
        incident_date=day if rng.random() < 0.8 else None,
        disclosure_date=day if rng.random() < 0.5 else None,
        sector=rng.choice(("retail", "retail", "finance")),
        records_affected=fact(
            rng.choice((400_000, 419_000, 3_100_000)), rng.choice(("confirmed", "reported", "claimed"))
        ),
        data_exposed=tuple(fact(v, rng.choice(("confirmed", "reported"))) for v in exposed[:2]),
        data_not_exposed=(fact(exposed[2], "confirmed"),),
        threat_actors=(fact(rng.choice(_ACTORS), "reported"),),
        timeline=(TimelineEvent("disclosure", published, (_evidence(source, text, 0),)),),
    )
    return DocumentAnalysis(source, None, published, (incident,), text=text)


def _copy(original: DocumentAnalysis, source: str) -> DocumentAnalysis:
    """A republication: the same text and reading under another source, one day later."""
    def moved(f: Fact) -> Fact:
        """The fact with its evidence in the copy."""
        return Fact(f.value, f.modality, tuple(Evidence(source, e.quote, e.start, e.end) for e in f.evidence))

    inc = original.incidents[0]
    copied = Incident(
        victim=inc.victim,
        incident_date=inc.incident_date,
        records_affected=moved(inc.records_affected) if inc.records_affected else None,
        data_exposed=tuple(moved(f) for f in inc.data_exposed),
        threat_actors=tuple(moved(f) for f in inc.threat_actors),
    )
    return DocumentAnalysis(source, None, original.published, (copied,), text=original.text + " syndicated")


def corpus(n: int, seed: int = 7) -> list[DocumentAnalysis]:
    """n synthetic documents (deterministic for a seed), shuffled."""
    rng = random.Random(seed)
    victims = max(1, n // DOCS_PER_VICTIM)
    docs: list[DocumentAnalysis] = []
    while len(docs) < n:
        k = len(docs)
        big = rng.random() < BIG_VICTIM_SHARE
        v = 0 if big else 1 + rng.randrange(victims)
        victim = f"Victim {v} Ltd" if rng.random() < 0.5 else f"victim {v}"
        year = 2022 + (v + rng.randrange(2)) % 4 * (1 if v % 3 else 0)
        month = 1 + (v % 12)
        day = f"{year}-{month:02d}-{1 + rng.randrange(28):02d}"
        published = f"{year}-{month:02d}-28"
        same_victim = [d for d in docs[-40:] if d.incidents[0].victim.lower().startswith(f"victim {v}")]
        if same_victim and rng.random() < COPY_SHARE:
            docs.append(_copy(rng.choice(same_victim), f"outlet{k % 50}/copy{k}"))
        else:
            docs.append(_article(rng, f"outlet{k % 50}/story{k}", victim, day, published))
    rng.shuffle(docs)
    return docs


def bench_resolve(sizes: Sequence[int] = (250, 500, 1000, 2000)) -> list[dict[str, Any]]:
    """Time resolve for each corpus size; `ratio` is time growth over n·log n growth since the first size."""
    settings = Settings.load()
    rows: list[dict[str, Any]] = []
    for n in sizes:
        docs = corpus(n)
        best = math.inf
        incidents = 0
        for _ in range(REPEATS):
            start = time.perf_counter()
            incidents = len(resolve(docs, settings))
            best = min(best, time.perf_counter() - start)
        rows.append({"n": n, "incidents": incidents, "seconds": round(best, 4)})
    first = rows[0]
    for row in rows:
        time_growth = row["seconds"] / first["seconds"]
        nlogn_growth = (row["n"] * math.log(row["n"])) / (first["n"] * math.log(first["n"]))
        row["ratio"] = round(time_growth / nlogn_growth, 3)
    return rows


if __name__ == "__main__":
    print(f"{'n':>6} {'incidents':>9} {'seconds':>8} {'time/nlogn growth':>18}")
    for row in bench_resolve():
        print(f"{row['n']:>6} {row['incidents']:>9} {row['seconds']:>8.3f} {row['ratio']:>18.3f}")
