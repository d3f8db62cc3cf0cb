"""Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom parsed safely, and fetched conditionally (`fetch_feed`).

Parsing goes through defusedxml: a feed declaring entities (billion laughs, quadratic blowup) or external
references is refused with a one-line reason instead of being expanded. Items are reduced to
`FeedItem(url, title, published, guid)`: links resolved against the feed's URL, fragments dropped, only
http(s) links kept, and an item whose URL was already listed is dropped (first one wins).

What is new in a feed, and what is done with it, is `sources.ingest_sources`'s business.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from ..errors import DecodeError
from ..records import Validators
from .fetch import Fetcher, NotModified

__all__ = ["FeedItem", "FeedFetch", "parse_feed", "fetch_feed", "FEED_TYPES"]

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.1"
)
# Content types a feed may come as. Servers often send feeds as text/html or text/plain, so those pass too; the
# parser decides. Anything else (images, archives, PDFs) is refused before the body is read.
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
    "application/x-rss+xml", "application/feed+xml", "text/html", "text/plain", "application/octet-stream",
)

_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT_NS = ("", "{http://backend.userland.com/rss2}")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: the page it links to, its title, its date (YYYY-MM-DD) and its id, when given."""

    url: str
    title: str | None
    published: str | None
    guid: str | None


@dataclass(frozen=True)
class FeedFetch:
    """One poll of a feed: its items (empty when not modified) and the validators to remember after use."""

    url: str
    items: tuple[FeedItem, ...]
    validators: Validators
    not_modified: bool = False


def parse_feed(data: bytes, base_url: str) -> list[FeedItem]:
    """The items of an RSS 2.0, RSS 1.0 or Atom document, in feed order, deduplicated by URL.

    Raises `DecodeError` (naming `base_url`) for XML that is malformed, declares entities or external
    references, or is not one of the three feed formats.
    """
    root = _parse_xml(data, base_url)
    tag = root.tag
    if tag == "rss" or tag.endswith("}rss"):
        channel = _child(root, "channel")
        entries = list(channel.iter("item")) if channel is not None else []
        raw_items = (_rss2_item(item) for item in entries)
    elif tag == f"{_RDF}RDF":
        raw_items = (_rss1_item(item) for item in root.iter(f"{_RSS1}item"))
    elif tag == f"{_ATOM}feed":
        raw_items = (_atom_item(entry) for entry in root.iter(f"{_ATOM}entry"))
    else:
        raise DecodeError(base_url, f"not an RSS or Atom feed (root element <{_local(tag)}>)")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for link, title, published, guid in raw_items:
        url = _absolute(link, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        items.append(FeedItem(url, title, _date(published), guid))
    return items


def fetch_feed(url: str, fetcher: Fetcher, validators: Validators | None = None) -> FeedFetch:
    """Fetch and parse one feed, conditionally when `validators` are given (a 304 gives no items).

    Raises SourceError subclasses (FetchError, UnsafeURLError, TooLargeError, DecodeError) naming the feed.
    Validators are returned, not remembered: the caller remembers them once the items are safely stored.
    """
    try:
        got = fetcher.get(url, accept=FEED_ACCEPT, validators=validators, media_types=FEED_TYPES, what="a feed")
    except NotModified:
        return FeedFetch(url, (), validators or Validators(None, None), not_modified=True)
    return FeedFetch(url, tuple(parse_feed(got.data, got.final_url)), got.validators)


# --- parsing helpers ---------------------------------------------------------------------------------------------


def _parse_xml(data: bytes, source: str) -> Element:
    """The document element, parsed with entity expansion and external references refused."""
    if not data.strip():
        raise DecodeError(source, "empty feed")
    try:
        root: Element = defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True,
                                                           forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise DecodeError(source, "feed declares XML entities (refused: entity expansion)") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden, defusedxml.NotSupportedError):
        raise DecodeError(source, "feed refers to external XML resources (refused)") from None
    except ParseError as exc:
        raise DecodeError(source, f"malformed XML ({exc})") from None
    except (LookupError, ValueError) as exc:  # an encoding Python does not know (or cannot parse XML in)
        raise DecodeError(source, f"unreadable encoding ({' '.join(str(exc).split())[:120]})") from None
    return root


def _local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    """First child named `name` in no namespace or the old userland RSS 2 namespace."""
    for namespace in _CONTENT_NS:
        found = element.find(namespace + name)
        if found is not None:
            return found
    return None


def _text(element: Element | None) -> str | None:
    """Stripped text content of an element (child markup included), or None when empty."""
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def _rss2_item(item: Element) -> tuple[str | None, str | None, str | None, str | None]:
    """link, title, date and guid of an RSS 2.0 item (a permalink guid stands in for a missing link)."""
    link = _text(_child(item, "link"))
    guid_element = _child(item, "guid")
    guid = _text(guid_element)
    if link is None and guid_element is not None and guid_element.get("isPermaLink", "true").lower() == "true":
        link = guid
    published = _text(_child(item, "pubDate")) or _text(item.find(f"{_DC}date"))
    return link, _text(_child(item, "title")), published, guid


def _rss1_item(item: Element) -> tuple[str | None, str | None, str | None, str | None]:
    """link, title, date and id (rdf:about) of an RSS 1.0 item."""
    about = item.get(f"{_RDF}about")
    link = _text(item.find(f"{_RSS1}link")) or about
    return link, _text(item.find(f"{_RSS1}title")), _text(item.find(f"{_DC}date")), about


def _atom_item(entry: Element) -> tuple[str | None, str | None, str | None, str | None]:
    """link (rel="alternate" or no rel), title, date (published, else updated) and id of an Atom entry."""
    link = None
    for candidate in entry.findall(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            link = candidate.get("href")
            break
    title_element = entry.find(f"{_ATOM}title")
    title = _text(title_element)
    if title and title_element is not None and title_element.get("type") in ("html", "xhtml"):
        title = " ".join(html.unescape(_TAG.sub("", title)).split()) or None
    published = _text(entry.find(f"{_ATOM}published")) or _text(entry.find(f"{_ATOM}updated"))
    return link, title, published, _text(entry.find(f"{_ATOM}id"))


def _absolute(link: str | None, base_url: str) -> str | None:
    """The item's absolute http(s) URL without fragment, or None for a missing or non-web link."""
    if not link:
        return None
    parts = urlsplit(urljoin(base_url, link.strip()))
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _date(value: str | None) -> str | None:
    """RFC 822 (RSS 2.0) or ISO 8601 (Atom, Dublin Core) date -> "YYYY-MM-DD" as written (no time-zone shift)."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None

