"""Web archives (WARC, and ARC via warcio's conversion): each HTML response record is a document.

Why warcio: it reads both formats, gzipped per record or not, and undoes the recorded HTTP transfer and content
encodings (`content_stream()`), which is what a crawler's archive holds. Everything else — request and
metadata records, revisits, non-200 responses, non-HTML content — is skipped and counted by reason, so
`ingest` can say what it left out. A record over `settings.input.max_bytes` is read only up to the cap and reported as
that record's failure; the rest of the archive goes on. A damaged record is that record's failure and the records
after it are read; damage the reader cannot step over ends the file with one failure (issue 13).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import SourceError
from ..records import RawDocument, SourceFailure
from ..settings import Settings
from .sniff import HTML_TYPES

__all__ = ["WarcRead", "read_warc"]

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
    limit = (settings or Settings.load()).input.max_bytes
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise SourceError(path, f"cannot open: {exc.strerror or exc}") from None
    try:
        looks_right = _looks_like_archive(handle)
    except Exception:  # noqa: BLE001 - OSError, EOFError, zlib.error: damaged from the first bytes
        looks_right = False
    if not looks_right:
        handle.close()
        raise SourceError(path, "not a WARC or ARC archive")
    read = WarcRead(path, iter(()))
    read.documents = _documents(path, handle, limit, read.skipped)
    return read


def _documents(path: str, handle: Any, limit: int, skipped: Counter[str]) -> Iterator[RawDocument | SourceFailure]:
    """The generator behind WarcRead.documents; closes the file when exhausted or closed.

    A record that cannot be read (damaged compression, a header warcio chokes on) is that record's failure and
    the records after it are read; damage the archive reader cannot step over ends the file with one failure
    naming how many records came before it. An archive in which no record could be read at all, and a record
    whose content ends before its declared length, are failures too (never a silent success).
    """
    with handle:
        archive = ArchiveIterator(handle, arc2warc=True)
        records = iter(archive)
        count = 0
        previous: Any = None
        while True:
            try:
                record = next(records)  # reads the previous record to its end first
            except StopIteration:
                if previous is not None and _cut_short(previous):
                    yield SourceFailure(path, f"the archive ends inside record {count} (truncated)")
                elif _unread_tail(handle, archive):
                    yield SourceFailure(path, f"the archive ends inside a record{_after(count)} (truncated or damaged)")
                    return
                break
            except ArchiveLoadFailed as exc:
                yield SourceFailure(path, f"not a readable WARC/ARC archive{_after(count)} ({_first_line(exc)})")
                return
            except Exception as exc:  # noqa: BLE001 - zlib, gzip, warcio's own errors: damage, for this file
                yield SourceFailure(path, f"damaged archive{_after(count)} ({type(exc).__name__}: {_first_line(exc)})")
                return
            if previous is not None and _cut_short(previous):
                yield SourceFailure(path, f"record {count} ends before its declared length (damaged archive)")
            previous = record
            count += 1
            try:
                item = _record(record, limit, skipped)
            except Exception as exc:  # noqa: BLE001 - one damaged record is its failure; the next is read
                item = SourceFailure(
                    _record_uri(record) or f"{path} (record {count})",
                    f"damaged archive record ({type(exc).__name__}: {_first_line(exc)})",
                )
            if item is not None:
                yield item
        if count == 0:
            yield SourceFailure(path, "no complete record could be read (truncated or damaged archive)")


# Record types of WARC 1.0/1.1 (ARC records come converted as warcinfo and response).
RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
)
# Bytes after the last record that may be padding (blank lines) rather than a record cut short.
TAIL_SLACK = 64


def _unread_tail(handle: Any, archive: Any) -> bool:
    """Whether bytes that are not blank padding follow the last record the reader completed."""
    end = getattr(archive, "offset", None)
    if not isinstance(end, int):
        return False
    try:
        size = os.fstat(handle.fileno()).st_size
        if size <= end:
            return False
        if size - end > TAIL_SLACK:
            return True
        handle.seek(end)
        return bool(handle.read(TAIL_SLACK).strip())
    except (OSError, ValueError):
        return False


def _cut_short(record: Any) -> bool:
    """Whether a record read to its end had fewer bytes than its header declared."""
    remaining = getattr(getattr(record, "raw_stream", None), "limit", 0)
    return isinstance(remaining, int) and remaining > 0


def _after(count: int) -> str:
    """" after N records" when some were read."""
    return f" after {count} record{'s' if count != 1 else ''}" if count else ""


def _record_uri(record: Any) -> str | None:
    """The record's target URI, when its headers can be read."""
    try:
        uri = record.rec_headers.get_header("WARC-Target-URI")
    except Exception:  # noqa: BLE001 - a damaged header block
        return None
    return uri if isinstance(uri, str) and uri.lower().startswith(("http://", "https://")) else None


def _record(record: Any, limit: int, skipped: Counter[str]) -> RawDocument | SourceFailure | None:
    """One record as a document, a failure, or None (counted in `skipped`)."""
    kind = record.rec_type
    if kind not in RECORD_TYPES:
        return SourceFailure(
            _record_uri(record) or "(unknown target)", f"damaged archive record (record type {kind!r})"
        )
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
    if _cut_short(record):
        record.raw_stream.limit = 0  # reported here, not again as the file's failure
        return SourceFailure(uri, "archive record cut short (fewer bytes than its declared length)")
    data = b"".join(chunks)
    if not data.strip():
        skipped["empty response"] += 1
        return None
    return RawDocument(uri, data, hashlib.sha256(data).hexdigest(), "html")


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
