"""The analysis pipeline: sources in, per-document readings and resolved incidents out.

Stage order (each a function of its input plus reference data):

1. expand    paths and directories -> one source per file (ingest/acquire.expand_sources)
2. acquire   bytes + sha256, size limit (ingest/acquire.acquire)
3. clean     decode, HTML -> main text, page chrome dropped and kept for audit (analysis/clean.clean)
4. segment   paragraphs, list items, sentences with offsets (analysis/segment.segment, spaCy)
5. attribute mentions -> facts with polarity and modality -> main / mentioned incidents (analysis/attribute.attribute)
6. resolve   across documents: cluster, merge with provenance, conflicts, confidence (analysis/resolve.resolve)

Stages 2-5 run per document and never see another document, so a bad input fails alone: its one-line reason is
collected as a SourceFailure and the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from .analysis.attribute import attribute
from .analysis.clean import clean
from .analysis.nlp import load_nlp, parse_texts
from .analysis.resolve import resolve
from .analysis.scorers import Scorers
from .analysis.segment import Segmented, segment, segment_parsed
from .budget import DeadlineExceeded, deadline
from .errors import BreachlensError, SourceError
from .ingest.acquire import acquire, expand_sources
from .records import Analysis, CleanDocument, DocumentAnalysis, RawDocument, SourceFailure
from .settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DocumentResult:
    """One analysed document with the raw and clean forms the store keeps."""

    raw: RawDocument
    clean: CleanDocument
    analysis: DocumentAnalysis


def analyze_clean(doc: CleanDocument, settings: Settings) -> DocumentAnalysis:
    """Stages 4-5 for one cleaned document."""
    with deadline(settings.nlp.document_seconds, doc.source):
        seg = segment(
            doc.text, load_nlp(settings.nlp.model), settings.nlp.max_chars, settings.nlp.max_sentence_chars,
            settings.nlp.nlp_window_tokens,
        )
        return document_analysis(doc, seg)


def document_analysis(doc: CleanDocument, seg: Segmented, scorers: Scorers | None = None) -> DocumentAnalysis:
    """Stage 5 and the record of one document (`scorers`: the shipped ones unless given, e.g. by `eval`)."""
    incidents = attribute(doc.source, seg, doc.title, scorers)
    return DocumentAnalysis(
        source=doc.source,
        title=doc.title,
        published=doc.published,
        incidents=incidents,
        text=doc.text,
        sha256=doc.sha256,
        dropped=doc.dropped,
    )


def analyze_text(text: str, source: str = "<text>", settings: Settings | None = None) -> DocumentAnalysis:
    """Analyse a string as if it were a plain-text file (for the Python API and tests)."""
    settings = settings or Settings.load()
    data = text.encode("utf-8")
    raw = RawDocument(source, data, hashlib.sha256(data).hexdigest(), "text")
    return analyze_clean(clean(raw, settings), settings)


R = TypeVar("R")

# Documents handed to spaCy together: batching is what makes `nlp.pipe` fast, and 16 keeps memory flat.
NLP_BATCH = 16

_Pending = tuple[str, RawDocument, CleanDocument]


def analyze_documents(
    sources: Iterable[str],
    settings: Settings,
    progress: Progress | None = None,
    skip: Callable[[str], bool] | None = None,
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 1-5 over sources, yielding each document's result or its failure, in input order.

    `skip(sha256)` true means the document is already known: "duplicate" is yielded instead of re-analysing it.
    """

    def pending() -> Iterator[_Pending | SourceFailure | str]:
        for item in expand_sources(sources, settings):
            if isinstance(item, SourceFailure):
                yield item
                continue
            if progress:
                progress(item)
            raw = guard(item, partial(acquire, item, settings))
            if isinstance(raw, SourceFailure):
                yield raw
            elif skip is not None and skip(raw.sha256):
                yield "duplicate"
            else:
                yield _cleaned(item, raw, settings)

    yield from _in_batches(pending(), settings)


def analyze_raw_documents(
    raws: Iterable[RawDocument | SourceFailure],
    settings: Settings,
    progress: Progress | None = None,
    skip: Callable[[str], bool] | None = None,
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 3-5 over documents acquired elsewhere (a fetcher, a feed, a web archive), like `analyze_documents`."""

    def pending() -> Iterator[_Pending | SourceFailure | str]:
        for raw in raws:
            if isinstance(raw, SourceFailure):
                yield raw
            elif skip is not None and skip(raw.sha256):
                yield "duplicate"
            else:
                if progress:
                    progress(raw.source)
                yield _cleaned(raw.source, raw, settings)

    yield from _in_batches(pending(), settings)


def guard(item: str, work: Callable[[], R]) -> R | SourceFailure:
    """work(), or the one-line failure of `item` it raised: a bad input fails alone, the batch goes on."""
    try:
        return work()
    except SourceError as exc:
        return SourceFailure(item, exc.reason)
    except BreachlensError as exc:
        return SourceFailure(item, str(exc))
    except (ValueError, UnicodeError, RecursionError, MemoryError, OverflowError) as exc:
        # A parser choking on hostile input is that document's failure, not the batch's.
        return SourceFailure(item, f"could not be analysed ({type(exc).__name__}: {_short(exc)})")
    except Exception as exc:  # noqa: BLE001 - any other error is this source's, reported; the run goes on
        return SourceFailure(
            item, f"internal error while analysing ({type(exc).__name__}: {_short(exc)}); please report it"
        )


def _short(exc: BaseException, limit: int = 200) -> str:
    """An exception's message on one line, at most `limit` characters."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "…"


def clean_within(item: str, raw: RawDocument, settings: Settings) -> _Pending | SourceFailure:
    """Stage 3 for one document within its deadline, or its failure."""

    started = time.monotonic()

    def work() -> CleanDocument:
        with deadline(settings.nlp.document_seconds, item):
            return clean(raw, settings)

    cleaned = guard(item, work)
    if isinstance(cleaned, SourceFailure):
        return cleaned
    _CLEAN_SECONDS[id(cleaned)] = time.monotonic() - started
    return (item, raw, cleaned)


# Seconds each cleaned document spent in clean (id of its CleanDocument -> seconds), so that its parse and
# attribution get what is left of the one per-document budget (time spent waiting for its batch does not
# count); popped by _finish.
_CLEAN_SECONDS: dict[int, float] = {}


def _left(cleaned: CleanDocument, settings: Settings) -> float:
    """Seconds left of a document's budget (at least a millisecond, so an overrun shows as a deadline)."""
    if settings.nlp.document_seconds <= 0:
        return 0
    spent = _CLEAN_SECONDS.pop(id(cleaned), 0.0)
    return max(1e-3, settings.nlp.document_seconds - spent)


_cleaned = clean_within


def _in_batches(
    entries: Iterable[_Pending | SourceFailure | str], settings: Settings
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 4-5 over a stream, NLP_BATCH documents at a time, order kept."""
    batch: list[_Pending | SourceFailure | str] = []
    for entry in entries:
        batch.append(entry)
        if sum(1 for b in batch if isinstance(b, tuple)) >= NLP_BATCH:
            yield from _finish(batch, settings)
            batch = []
    yield from _finish(batch, settings)


def _parser(settings: Settings, pending: list[_Pending]) -> Iterator[Any]:
    """Parses of the pending documents' texts, in order (windows and groups bounded by the settings)."""
    nlp = load_nlp(settings.nlp.model)
    texts = (c.text[: settings.nlp.max_chars] for _i, _r, c in pending)
    return parse_texts(nlp, texts, settings.nlp.nlp_window_tokens, settings.nlp.nlp_batch_tokens)


def _finish(
    batch: list[_Pending | SourceFailure | str], settings: Settings
) -> Iterator[DocumentResult | SourceFailure | str]:
    """Stages 4-5 for a batch: `nlp.pipe` over the cleaned texts in bounded groups, then attribution.

    Each document's parse and attribution run within `settings.nlp.document_seconds`; a document that overruns
    (or raises) becomes its one error line, and the parse goes on with the documents after it.
    """
    pending = [b for b in batch if isinstance(b, tuple)]
    parsed = _parser(settings, pending) if pending else iter(())
    k = 0  # index in `pending` of the next document to parse
    for entry in batch:
        if not isinstance(entry, tuple):
            yield entry
            continue
        item, raw, cleaned = entry
        k += 1
        try:
            with deadline(_left(cleaned, settings), item, total=settings.nlp.document_seconds):
                seg = segment_parsed(cleaned.text, next(parsed), settings.nlp.max_sentence_chars)
                result: DocumentResult | SourceFailure = DocumentResult(raw, cleaned, document_analysis(cleaned, seg))
        except DeadlineExceeded as exc:
            result = SourceFailure(item, exc.reason)
        except Exception as exc:  # noqa: BLE001 - a bug must not lose the rest of the batch; it is reported
            result = SourceFailure(
                item, f"internal error while analysing ({type(exc).__name__}: {_short(exc)}); please report it"
            )
        if isinstance(result, SourceFailure):
            # the parse generator may have died with the error: go on with the documents after this one
            parsed = _parser(settings, pending[k:])
        yield result


def analyze(
    sources: Iterable[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
    previous_ids: Mapping[str, str] | None = None,
) -> Analysis:
    """Analyse files and directories into an Analysis (documents + resolved incidents + failures)."""
    settings = settings or Settings.load()
    documents: list[DocumentAnalysis] = []
    failures: list[SourceFailure] = []
    for result in analyze_documents(sources, settings, progress):
        if isinstance(result, SourceFailure):
            failures.append(result)
        elif isinstance(result, DocumentResult):
            documents.append(result.analysis)
    incidents = resolve(documents, settings, previous_ids)
    return Analysis(tuple(documents), tuple(incidents), tuple(failures))
