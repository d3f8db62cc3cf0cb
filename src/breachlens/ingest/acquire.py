"""Stage 1, acquire: turn a source (a file, a directory of files, later a URL) into raw bytes plus metadata.

Bytes are read as they are, addressed by their sha256, and never altered here: decoding and main-text
extraction are `clean`'s job. Every refusal is a `SourceError` subclass with a one-line reason, so a batch can
report it and go on.

Hand-written rather than borrowed: the size limit is checked with `stat` before anything is read and reading
stops at `max_bytes + 1`, so a huge or endless input (a FIFO, a growing log) can never fill memory; and the
HTML sniff is the two-prefix check browsers use for documents without a suffix, which no dependency exposes on
its own (sniff.py).

URLs are dispatched to `_fetch_url`, which hands them to `fetch.fetch` (httpx, address guard on every hop,
robots.txt, size cap while streaming; see fetch.py).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import SourceError, TooLargeError
from ..records import RawDocument, SourceFailure
from ..settings import Settings
from .sniff import page_kind

__all__ = ["acquire", "expand_sources", "is_url"]

# Schemes that make a source a URL rather than a path.
URL_SCHEMES = ("http://", "https://")


def expand_sources(sources: Iterable[str], settings: Settings) -> Iterator[str | SourceFailure]:
    """Yield every readable source named by `sources`, or a SourceFailure for one that names nothing.

    A file yields itself (whatever its suffix: it was asked for by name); a directory yields its files whose
    suffix is in `settings.input.suffixes`, recursively and sorted, skipping hidden files and directories; a URL
    yields itself.
    A missing path or a directory without matching files yields a `SourceFailure`, so the batch goes on.
    """
    for source in sources:
        if is_url(source):
            yield source
            continue
        path = Path(source)
        if path.is_dir():
            unreadable: list[SourceFailure] = []
            files = _walk(path, settings.input.suffixes, unreadable)
            yield from unreadable
            if not files and not unreadable:
                yield SourceFailure(source, f"no {'/'.join(settings.input.suffixes)} files")
            yield from files
        elif path.exists():
            yield source
        else:
            yield SourceFailure(source, "no such file or directory")


def acquire(path: str, settings: Settings) -> RawDocument:
    """Read one source into a RawDocument (bytes, sha256, kind "html" or "text").

    Raises `TooLargeError` over `settings.input.max_bytes`, and `SourceError` for a missing, unreadable, empty or
    non-regular file or a directory; a URL raises what `fetch.fetch` raises (FetchError, UnsafeURLError, ...).
    """
    if is_url(path):
        return _fetch_url(path, settings)
    data = _read_file(path, settings.input.max_bytes)
    if not data.strip():
        raise SourceError(path, "empty file")
    digest = hashlib.sha256(data).hexdigest()
    return RawDocument(source=path, data=data, sha256=digest, kind=page_kind(path, data))


def is_url(source: str) -> bool:
    """True when the source is an http(s) URL rather than a path."""
    return source.lower().startswith(URL_SCHEMES)


def _fetch_url(url: str, settings: Settings) -> RawDocument:
    """Fetch a URL with the guarded fetcher (imported here: files need neither httpx nor the fetch module)."""
    from .fetch import fetch

    return fetch(url, settings)


def _walk(root: Path, suffixes: tuple[str, ...], unreadable: list[SourceFailure] | None = None) -> list[str]:
    """Sorted files under `root` with one of `suffixes` (any case); hidden entries, symlinked dirs skipped.

    A folder that cannot be listed is added to `unreadable` as its failure (never skipped silently).
    """
    wanted = tuple(s.lower() for s in suffixes)
    found: list[str] = []

    def on_error(exc: OSError) -> None:
        if unreadable is not None:
            unreadable.append(SourceFailure(exc.filename or str(root), f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(wanted):
                full = os.path.join(dirpath, name)
                if os.path.isfile(full):
                    found.append(full)
    return sorted(found)


def _read_file(path: str, max_bytes: int) -> bytes:
    """Bytes of a regular file, refusing it before reading when it is over `max_bytes`."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(path, "not a regular file")
        if info.st_size > max_bytes:
            raise TooLargeError(path, _too_large(info.st_size, max_bytes))
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(path, "no such file or directory") from None
    except PermissionError:
        raise SourceError(path, "permission denied") from None
    except IsADirectoryError:
        raise SourceError(path, "is a directory") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise TooLargeError(path, _too_large(None, max_bytes))
    return data


def _too_large(size: int | None, max_bytes: int) -> str:
    """One-line reason for a file over the limit."""
    if size is None:
        return f"over the {max_bytes:,}-byte limit"
    return f"{size:,} bytes, over the {max_bytes:,}-byte limit"
