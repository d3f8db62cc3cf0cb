"""breachlens's exceptions, one tree, each naming the source it is about.

    BreachlensError
    ├── SourceError          an input could not be read (str(e) is "<source>: <reason>")
    │   ├── FetchError       a URL could not be fetched
    │   ├── UnsafeURLError   a URL points somewhere we refuse to go (private address, bad scheme)
    │   ├── DecodeError      bytes that are not text we can decode (binary, unknown encoding)
    │   └── TooLargeError    over the configured size limit
    ├── StoreError           the database could not be read or written
    └── ExportError          an incident could not be exported in the asked format
"""

from __future__ import annotations


class BreachlensError(Exception):
    """Root of everything breachlens raises on purpose."""


class SourceError(BreachlensError):
    """An input could not be read; `source` says which and `reason` says why in one line."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FetchError(SourceError):
    """A URL could not be fetched."""


class UnsafeURLError(SourceError):
    """A URL is refused: private or reserved address, or a scheme other than http(s)."""


class DecodeError(SourceError):
    """The bytes are not decodable text (binary data, unknown encoding)."""


class TooLargeError(SourceError):
    """The input is over the configured size limit."""


class StoreError(BreachlensError):
    """The store could not be opened, read or written."""


class ExportError(BreachlensError):
    """An incident could not be exported."""
