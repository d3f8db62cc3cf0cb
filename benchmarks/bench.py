"""`breachlens bench`: throughput of our analysis against a bare spaCy pass, and resolve's growth with n.

Numbers are reported as ratios measured in one run, because machines here are noisy: the analyse/spaCy ratio
compares our per-document pipeline (clean, segment, extract, attribute; batched through `nlp.pipe` exactly as
`analyze` runs it) with `nlp.pipe` alone over the same cleaned texts with the same model, so the extraction's own
cost shows as (ratio - 1). The median / p95 figures are single-document latencies (no batching).
"""

from __future__ import annotations

import resource
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from breachlens.analysis.clean import clean
from breachlens.analysis.nlp import load_nlp
from breachlens.ingest.acquire import acquire, expand_sources
from breachlens.pipeline import NLP_BATCH, _finish, analyze_clean
from breachlens.records import CleanDocument, SourceFailure
from breachlens.settings import Settings

from .synthetic import bench_resolve


@dataclass
class BenchResult:
    """Figures of one benchmark run."""

    documents: int = 0
    seconds: float = 0.0
    per_doc_ms: list[float] = field(default_factory=list)
    spacy_seconds: float = 0.0
    peak_mb: float = 0.0
    resolve: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable figures."""
        out: dict[str, Any] = {"documents": self.documents}
        if self.documents:
            ms = sorted(self.per_doc_ms)
            out.update(
                {
                    "seconds": round(self.seconds, 3),
                    "documents_per_second": round(self.documents / self.seconds, 2) if self.seconds else None,
                    "single_doc_ms_median": round(statistics.median(ms), 2),
                    "single_doc_ms_p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
                    "spacy_seconds": round(self.spacy_seconds, 3),
                    "ratio_to_spacy": round(self.seconds / self.spacy_seconds, 3)
                    if self.spacy_seconds
                    else None,
                    "peak_python_heap_mb": round(self.peak_mb, 1),
                    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                }
            )
        if self.resolve:
            out["resolve"] = self.resolve
        return out


def _load(sources: Sequence[str], settings: Settings) -> list[tuple[Any, CleanDocument]]:
    """Read every source once up front, so disk reads are in neither timing."""
    docs = []
    for item in expand_sources(sources, settings):
        if isinstance(item, SourceFailure):
            continue
        raw = acquire(item, settings)
        docs.append((raw, clean(raw, settings)))
    return docs


def _pipeline_pass(docs: Sequence[tuple[Any, CleanDocument]], settings: Settings) -> None:
    """Stages 3-5 exactly as `analyze` runs them: clean, then batches through `nlp.pipe`, segment, attribute."""
    batch: list[Any] = []
    for raw, _c in docs:
        batch.append((raw.source, raw, clean(raw, settings)))
        if len(batch) >= NLP_BATCH:
            for _result in _finish(batch, settings):
                pass
            batch = []
    for _result in _finish(batch, settings):
        pass


def run_bench(
    sources: Sequence[str],
    settings: Settings,
    repeats: int = 1,
    resolve_sizes: Sequence[int] = (250, 500, 1000, 2000),
) -> BenchResult:
    """Time analysis of `sources` (ours vs bare spaCy) and resolve over synthetic corpora."""
    result = BenchResult()
    if sources:
        docs = _load(sources, settings)
        nlp = load_nlp(settings.nlp.model)
        warm = docs[0][1] if docs else None
        if warm is not None:
            analyze_clean(warm, settings)  # load models and reference data outside the timing
        result.documents = len(docs)
        texts = [c.text[: settings.nlp.max_chars] for _raw, c in docs]
        spacy_best = ours_best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            for _doc in nlp.pipe(texts):
                pass
            spacy_best = min(spacy_best, time.perf_counter() - start)
            start = time.perf_counter()
            _pipeline_pass(docs, settings)
            ours_best = min(ours_best, time.perf_counter() - start)
        result.seconds, result.spacy_seconds = ours_best, spacy_best
        # latency of one document on its own (no batching), for the median / p95 figures
        for raw, _c in docs:
            t0 = time.perf_counter()
            analyze_clean(clean(raw, settings), settings)
            result.per_doc_ms.append((time.perf_counter() - t0) * 1000)
        tracemalloc.start()
        for raw, _c in docs[:50]:
            analyze_clean(clean(raw, settings), settings)
        result.peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    if resolve_sizes:
        result.resolve = bench_resolve(resolve_sizes)
    return result


__all__ = ["BenchResult", "run_bench"]
