"""HTML or plain text: the media types and the sniff shared by files (acquire), pages (fetch) and archives (warc).

A module of its own so that acquire (which hands URLs to fetch) and fetch (which sniffs like acquire) do not
import each other. The HTML sniff is the two-prefix check browsers use for documents without a suffix, which
no dependency exposes on its own.
"""

from __future__ import annotations

__all__ = ["HTML_TYPES", "TEXT_TYPES", "page_kind"]

# Media types read as HTML / as plain text (fetch refuses any other before reading the body; warc skips them).
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown")
# Suffixes read as HTML whatever the bytes look like.
HTML_SUFFIXES = (".html", ".htm")
# Prefixes (lower-cased, after a BOM and leading whitespace) that mark a document as HTML; the WHATWG sniffing
# algorithm starts with the same two.
HTML_PREFIXES = (b"<!doctype html", b"<html")
# Byte-order marks skipped before sniffing.
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def page_kind(path: str, data: bytes) -> str:
    """'html' for an .html/.htm file or bytes that start like an HTML document, else 'text'."""
    if path.lower().endswith(HTML_SUFFIXES):
        return "html"
    head = data[:512]
    for bom in BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.lstrip().lower()
    if head.startswith(HTML_PREFIXES):
        return "html"
    # UTF-16 HTML: compare with the NULs removed.
    if b"\x00" in head[:64] and head.replace(b"\x00", b"").lstrip().startswith(HTML_PREFIXES):
        return "html"
    return "text"
