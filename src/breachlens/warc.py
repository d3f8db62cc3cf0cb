"""Web archives (WARC, and ARC via warcio's conversion): each HTML response record is a document.

Why warcio: it reads both formats, gzipped per record or not, and undoes the recorded HTTP transfer and content
encodings (`content_stream()`), which is what a crawler's archive holds. Everything else — request and
metadata records, revisits, non-200 responses, non-HTML content — is skipped and counted by reason, so
`ingest` can say what it left out. A record over `settings.max_bytes` is read only up to the cap and reported as
that record's failure; the rest of the archive goes on. A damaged archive ends with one failure for the file.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .errors import SourceError
from .fetch import HTML_TYPES, WebIngestSummary
from .ingest import ingest_raw
from .records import RawDocument, SourceFailure
from .settings import Settings
from .store import Store

__all__ = ["WarcRead", "read_warc", "ingest_warc"]

# Bytes read per step from a record's content stream.
READ_BYTES = 64 * 1024
# How a WARC record (version line) or an ARC file (its filedesc header record) begins.
ARCHIVE_STARTS = (b"WARC/", b"filedesc://")


@dataclass
class WarcRead:
    """Documents of one archive, produced lazily; `skipped` counts the records left out, by reason, as it goes."""

    path: str
    documents: Iterator[RawDocument | SourceFailure]
    skipped: Counter[str] = field(default_factory=Counter)


def read_warc(path: str, settings: Settings | None = None) -> WarcRead:
    """Open a WARC/ARC file (gzipped or not); iterate `documents` to read it.

    Each HTML response record with status 200 gives a RawDocument(kind="html") whose source is the record's
    target URI. Raises SourceError when the file cannot be opened; a record over the size limit and a damaged
    archive give a SourceFailure in `documents`.
    """
    limit = (settings or Settings()).max_bytes
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise SourceError(path, f"cannot open: {exc.strerror or exc}") from None
    try:
        looks_right = _looks_like_archive(handle)
    except (OSError, EOFError):
        looks_right = False
    if not looks_right:
        handle.close()
        raise SourceError(path, "not a WARC or ARC archive")
    read = WarcRead(path, iter(()))
    read.documents = _documents(path, handle, limit, read.skipped)
    return read


def _documents(path: str, handle: Any, limit: int, skipped: Counter[str]) -> Iterator[RawDocument | SourceFailure]:
    """The generator behind WarcRead.documents; closes the file when exhausted or closed."""
    with handle:
        try:
            for record in ArchiveIterator(handle, arc2warc=True):
                item = _record(record, limit, skipped)
                if item is not None:
                    yield item
        except ArchiveLoadFailed as exc:
            yield SourceFailure(path, f"not a readable WARC/ARC archive ({_first_line(exc)})")
        except (OSError, EOFError, ValueError) as exc:  # zlib/gzip damage surfaces as these
            yield SourceFailure(path, f"damaged archive ({type(exc).__name__}: {_first_line(exc)})")


def _record(record: Any, limit: int, skipped: Counter[str]) -> RawDocument | SourceFailure | None:
    """One record as a document, a failure, or None (counted in `skipped`)."""
    kind = record.rec_type
    if kind != "response":
        skipped[f"{kind} record"] += 1
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    if http is None:
        skipped["response without HTTP headers"] += 1
        return None
    status = http.get_statuscode()
    if status != "200":
        skipped[f"HTTP {status}"] += 1
        return None
    media_type = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media_type not in HTML_TYPES:
        skipped[f"not HTML ({media_type or 'no content type'})"] += 1
        return None
    if not uri.lower().startswith(("http://", "https://")):
        skipped["no http(s) target URI"] += 1
        return None
    stream = record.content_stream()
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(READ_BYTES)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            return SourceFailure(uri, f"over the {limit:,}-byte limit")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        skipped["empty response"] += 1
        return None
    return RawDocument(uri, data, hashlib.sha256(data).hexdigest(), "html")


def ingest_warc(paths: list[str] | tuple[str, ...], store: Store, settings: Settings,
                progress: Any = None) -> WebIngestSummary:
    """Ingest the HTML pages of each archive; `skipped` counts the records left out, by reason."""
    skipped: Counter[str] = Counter()
    fetched = 0

    def raws() -> Iterator[RawDocument | SourceFailure]:
        nonlocal fetched
        for path in paths:
            try:
                read = read_warc(path, settings)
            except SourceError as exc:
                yield SourceFailure(path, exc.reason)
                continue
            for item in read.documents:
                if isinstance(item, RawDocument):
                    fetched += 1
                yield item
            skipped.update(read.skipped)

    summary = ingest_raw(raws(), store, settings, progress)
    return WebIngestSummary.of(summary, fetched=fetched, skipped=dict(skipped))


def _looks_like_archive(handle: Any) -> bool:
    """Whether the file starts (after gzip, when gzipped) like a WARC or ARC record; the handle is rewound.

    warcio reads anything as ARC lines (printing warnings for each), so junk is refused up front.
    """
    head = handle.read(2)
    handle.seek(0)
    if head == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=handle) as unzipped:
            start = unzipped.read(16)
        handle.seek(0)
    else:
        start = handle.read(16)
        handle.seek(0)
    return start.startswith(ARCHIVE_STARTS)


def _first_line(exc: BaseException) -> str:
    """First line of an exception's message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
