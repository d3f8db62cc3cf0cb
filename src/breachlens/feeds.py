"""Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom parsed safely, and `ingest_feeds` (what is new in each feed).

Parsing goes through defusedxml: a feed declaring entities (billion laughs, quadratic blowup) or external
references is refused with a one-line reason instead of being expanded. Items are reduced to
`FeedItem(url, title, published, guid)`: links resolved against the feed's URL, fragments dropped, only
http(s) links kept, and an item whose URL was already listed is dropped (first one wins).

`ingest_feeds` polls each feed (conditionally: a 304 means nothing new), takes the items not seen before (the
store remembers them), fetches each page through the same guarded `Fetcher`, drops pages whose bytes were
already fetched in this run (same content under two URLs), and hands the rest to `ingest_raw`. The feed's
validators and its seen items are written only after the batch is committed, so a run stopped half-way leaves
the rest of the feed to be taken next time. Errors are per feed (the feed is recorded as failing in the store
and reported) and per item; the other feeds and items go on.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Unpack
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from .errors import BreachlensError, DecodeError, SourceError
from .fetch import Fetcher, FetchKeywords, NotModified, TransientFetchError, WebIngestSummary, page_cache
from .ingest import ingest_raw
from .records import RawDocument, SourceFailure
from .settings import Settings
from .store import Store, Validators

__all__ = ["FeedItem", "FeedFetch", "parse_feed", "fetch_feed", "ingest_feeds", "FEED_TYPES"]

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


def ingest_feeds(
    feed_urls: Iterable[str], store: Store, settings: Settings, *, fetcher: Fetcher | None = None,
    progress: Callable[[str], None] | None = None, stop: threading.Event | None = None,
    **fetch_opts: Unpack[FetchKeywords],
) -> WebIngestSummary:
    """Ingest what is new in each feed; feed-level errors are in `feed_failures` (and in `failures`).

    Args:
        feed_urls: feed URLs, polled in order (repeats ignored).
        store: where pages go, and where validators, seen items and each feed's outcome are kept.
        settings: as for every stage (`max_bytes` caps each feed and page).
        fetcher: a Fetcher to reuse (the watch loop keeps one); else one is made from `fetch_opts` and closed.
        progress: called with each page URL before it is analysed.
        stop: when set, no further page is fetched; what was fetched is still analysed and committed.
        **fetch_opts: FetchOptions fields (allow_private, respect_robots, max_items, ...).
    """
    own = fetcher is None
    active = fetcher or Fetcher(settings, cache=page_cache(store), **fetch_opts)
    counts: dict[str, Any] = {"fetched": 0, "unchanged": 0, "feed_failures": []}
    done: list[tuple[FeedFetch, list[tuple[str, str | None]], bool]] = []
    extra_duplicates = 0

    def raws() -> Iterator[RawDocument | SourceFailure]:
        nonlocal extra_duplicates
        hashes: set[str] = set()
        taken_this_run: set[str] = set()  # items of earlier feeds in this run (marked in the store after commit)
        for feed_url in dict.fromkeys(feed_urls):
            if stop is not None and stop.is_set():
                return
            failure: SourceFailure | None
            try:
                polled = fetch_feed(feed_url, active, store.validators(feed_url))
            except SourceError as exc:
                failure = SourceFailure(feed_url, exc.reason)
            except BreachlensError as exc:
                failure = SourceFailure(feed_url, str(exc))
            except (ValueError, RecursionError, MemoryError) as exc:  # a parser choking on hostile input
                failure = SourceFailure(feed_url, f"could not be parsed ({type(exc).__name__})")
            except Exception as exc:  # noqa: BLE001 - one bad feed is its own error line, the poll goes on
                failure = SourceFailure(feed_url, f"could not be read ({type(exc).__name__}: {_one_line(exc)})")
            else:
                failure = None
            if failure is not None:
                store.record_feed_result(feed_url, failure.reason)
                counts["feed_failures"].append(failure)
                yield failure
                continue
            store.record_feed_result(feed_url, None)
            taken: list[tuple[str, str | None]] = []
            complete = True
            seen = store.seen_feed_items([item.url for item in polled.items])
            fresh = [item for item in polled.items if item.url not in seen and item.url not in taken_this_run]
            limit = active.options.max_items
            if limit is not None and len(fresh) > limit:
                fresh, complete = fresh[:limit], False
            for item in fresh:
                if stop is not None and stop.is_set():
                    complete = False
                    break
                taken_this_run.add(item.url)
                try:
                    raw = active.fetch(item.url, title=item.title, published=item.published)
                except NotModified:
                    counts["unchanged"] += 1
                    taken.append((item.url, item.guid))
                    continue
                except TransientFetchError as exc:  # not marked: tried again next poll
                    complete = False
                    yield SourceFailure(item.url, exc.reason)
                    continue
                except SourceError as exc:
                    taken.append((item.url, item.guid))
                    yield SourceFailure(item.url, exc.reason)
                    continue
                except Exception as exc:  # noqa: BLE001 - one bad item is its own error line
                    taken.append((item.url, item.guid))
                    yield SourceFailure(item.url, f"could not be fetched ({type(exc).__name__}: {_one_line(exc)})")
                    continue
                taken.append((item.url, item.guid))
                if raw.sha256 in hashes:
                    extra_duplicates += 1
                    continue
                hashes.add(raw.sha256)
                counts["fetched"] += 1
                yield raw
            done.append((polled, taken, complete))

    try:
        summary = ingest_raw(raws(), store, settings, progress)
        for polled, taken, complete in done:
            if taken:
                store.mark_feed_items(polled.url, taken)
            if complete and not polled.not_modified and (polled.validators.etag or polled.validators.last_modified):
                store.remember_validators(polled.url, polled.validators)
    finally:
        if own:
            active.close()
    result = WebIngestSummary.of(summary, **counts)
    result.duplicates += extra_duplicates
    return result


# --- parsing helpers ---------------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 160 characters."""
    return " ".join(str(exc).split())[:160]


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

