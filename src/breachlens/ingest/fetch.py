"""Fetch web pages safely: the URL branch of stage 1 (acquire), and the pages and feeds ingest reads.

What a fetch does, in order, on every hop of a redirect chain:

1. Refuse a scheme other than http(s) and a host that is a literal private address (`UnsafeURLError`).
2. Ask the host's robots.txt (fetched through this same guarded path, cached per host for a day) unless
   `respect_robots=False` (RFC 9309: a 4xx robots.txt allows everything, an unreachable one disallows).
3. Wait for the host's turn (at most one request per `min_interval` seconds per host).
4. Connect. The address guard lives in the connection layer: `GuardedTransport` resolves the host name once,
   refuses it when ANY address is loopback, private, link-local, multicast, reserved, unspecified or otherwise
   not globally routable (IPv4-mapped IPv6 included), and then connects to exactly the address it checked.
   TLS still verifies the certificate against the host name (httpcore passes the origin host as SNI and as the
   name to check). There is no second DNS lookup that a rebinding server could answer differently.
5. Follow a redirect by hand (at most `max_redirects`), so every hop goes through 1-4 again.
6. Check the content type before reading the body; stream the body with our own decoder for gzip, deflate and
   br, counting DECODED bytes, and stop as soon as they pass `settings.input.max_bytes` (`TooLargeError`), so a huge
   response or a decompression bomb never sits in memory. A body whose compressed stream ends early is a
   `FetchError`. The whole fetch has a deadline (`total_timeout`) on top of httpx's per-operation timeouts, so
   a server trickling a byte at a time cannot hold a batch.
7. Conditional requests: ETag / Last-Modified of the last 200 are remembered per URL (in the store or any
   `ValidatorCache`); a 304 raises `NotModified`.

Why the transport replaces httpx's connection pool (`HTTPTransport._pool`, the one private attribute touched):
httpx exposes no network-backend hook, and httpcore's `NetworkBackend` is the only layer where the peer
address is chosen; checking there is what closes the DNS-rebinding gap. httpx is pinned, and
tests/test_fetch.py checks the guard at connect time, so an httpx upgrade that moves the pool fails loudly.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import ssl
import time
import urllib.robotparser
import weakref
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any, Protocol, TypedDict, Unpack
from urllib.parse import urljoin, urlsplit

import brotli
import certifi
import httpcore
import httpx

from ..budget import DeadlineExceeded
from ..budget import deadline as budget_deadline
from ..closing import Closing
from ..errors import FetchError, SourceError, TooLargeError, UnsafeURLError
from ..records import RawDocument, Validators
from ..settings import Settings
from ..version import __version__
from .sniff import HTML_TYPES, TEXT_TYPES, page_kind

__all__ = [
    "USER_AGENT",
    "FetchKeywords",
    "FetchOptions",
    "Fetched",
    "Fetcher",
    "GuardedTransport",
    "HookedSyncBackend",
    "MemoryCache",
    "NotModified",
    "TransientFetchError",
    "ValidatorCache",
    "check_address",
    "fetch",
    "make_client",
]

USER_AGENT = f"breachlens/{__version__} (+https://pypi.org/project/breachlens/)"
# Content codings we decode ourselves (httpx's own decoders would decode whole chunks with no output bound).
ACCEPT_ENCODING = "gzip, deflate, br"
ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"
# Bytes asked of the socket per read, and the most decoded output produced from one input piece before the size
# cap is checked again (bounds a decompression bomb to this much per step).
CHUNK_BYTES = 64 * 1024
# Added to a fetch's total_timeout for the timer that interrupts a blocked read (the regular checks come first).
DEADLINE_GRACE_S = 1.0


def _odd_numeric_host(host: str) -> bool:
    """A host made of numbers that is not a dotted-decimal IPv4 address: octal, hex or short forms
    ("0177.0.0.1", "0x7f.1", "2130706433", "127.1"). Resolvers read these differently, so they are refused
    rather than guessed (and a Unicode-digit host is refused before this, as not ASCII)."""
    parts = host.rstrip(".").split(".")
    if not all(p and (p.isdigit() or p.lower().startswith("0x")) for p in parts):
        return False  # a name
    if len(parts) != 4:
        return True
    return not all(p.isdigit() and (p == "0" or not p.startswith("0")) and int(p) <= 255 for p in parts)
# RFC 9309 asks crawlers to parse at least 500 KiB of robots.txt; more than that is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# RFC 9309: a cached robots.txt should not be used for more than 24 hours.
ROBOTS_TTL_S = 24 * 3600.0
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Statuses worth retrying later: rate limited, or the server's own failure.
TRANSIENT_STATUSES = (408, 425, 429, 500, 502, 503, 504)


class NotModified(SourceError):
    """The server answered 304: the URL has not changed since the remembered fetch (not a failure)."""


class TransientFetchError(FetchError):
    """A fetch that failed for a reason that may pass (timeout, connection refused, 5xx, 429): retry later."""


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how safely to fetch; defaults suit polling public news sites.

    Attributes:
        allow_private: lift the address guard (for users whose sources are on their own network). Defaults to
            `settings.fetch.allow_private`.
        respect_robots: ask robots.txt before fetching a page. Defaults to `settings.fetch.respect_robots`.
        timeout: seconds for each of connect, read and write.
        total_timeout: seconds for a whole fetch, redirects and body included.
        max_redirects: redirects followed before giving up.
        min_interval: seconds between two requests to the same host.
        user_agent: sent with every request; robots.txt rules are matched on its first word ("breachlens").
        max_items: at most this many new items taken from one feed per run (None: all); the rest wait for the
            next run.
    """

    allow_private: bool = False
    respect_robots: bool = True
    timeout: float = 15.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    min_interval: float = 1.0
    user_agent: str = USER_AGENT
    max_items: int | None = None

    @classmethod
    def build(cls, settings: Settings, **options: Unpack[FetchKeywords]) -> FetchOptions:
        """Options from keyword arguments; `allow_private` and `respect_robots` come from settings when not given
        (so a settings file or the CLI's --allow-private / --ignore-robots reach every fetch)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown fetch options: {', '.join(unknown)}")
        given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        given.setdefault("allow_private", settings.fetch.allow_private)
        given.setdefault("respect_robots", settings.fetch.respect_robots)
        return cls(**given)


class FetchKeywords(TypedDict, total=False):
    """FetchOptions' fields as keyword arguments: what `**options` of Fetcher, fetch, ingest_sources
    and watch may hold (a typo is a type error, not a silent no-op)."""

    allow_private: bool
    respect_robots: bool
    timeout: float
    total_timeout: float
    max_redirects: int
    min_interval: float
    user_agent: str
    max_items: int | None


class ValidatorCache(Protocol):
    """Where ETag / Last-Modified are remembered per URL (a Store is one)."""

    def validators(self, url: str) -> Validators | None:
        """The remembered validators of `url`, or None."""

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last 200 of `url`."""


class MemoryCache:
    """A ValidatorCache in a dict, for one process (tests, `analyze` of a few URLs)."""

    def __init__(self) -> None:
        self._data: dict[str, Validators] = {}

    def validators(self, url: str) -> Validators | None:
        """The remembered validators of `url`, or None."""
        return self._data.get(url)

    def remember_validators(self, url: str, validators: Validators) -> None:
        """Remember the validators of the last 200 of `url`."""
        self._data[url] = validators


@dataclass(frozen=True)
class Fetched:
    """One successful response: the decoded body and what the caller needs to know about it."""

    url: str
    final_url: str
    status: int
    media_type: str
    charset: str | None
    data: bytes
    validators: Validators


# --- the address guard ----------------------------------------------------------------------------------------


class _BlockedAddress(Exception):
    """Raised inside the connection layer when a host resolves to a refused address."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host} {reason}")
        self.host = host
        self.reason = reason


def check_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is refused ("a loopback address", ...), or None when it is publicly routable."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, refused in (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
        ("a non-public", not ip.is_global),
    ):
        if refused:
            return f"{kind} address"
    return None


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address when `host` is an IP literal (brackets allowed), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address `host` resolves to, in the resolver's order (duplicates dropped)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, ipaddress.IPv4Address | ipaddress.IPv6Address] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        seen.setdefault(address, ipaddress.ip_address(address))
    return list(seen.values())


def _checked_addresses(
    host: str, port: int, allow_private: bool
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Resolve `host` once and refuse it when any of its addresses is not public (unless allowed)."""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no address")
    if not allow_private:
        for ip in addresses:
            reason = check_address(ip)
            if reason is not None:
                literal = _literal_ip(host)
                raise _BlockedAddress(host, f"is {reason}" if literal == ip else f"resolves to {ip}, {reason}")
    return addresses


class HookedSyncBackend(httpcore.NetworkBackend):
    """httpcore's sync backend with two hooks: the one place our clients change how a TCP connection is made.

    `addresses` chooses what to connect to (the fetch guard: only the addresses it checked) and `opened` sees each
    connected stream (the alerts' socket watchdog); everything else is the standard backend's.
    """

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def addresses(self, host: str, port: int) -> list[str]:
        """Where to connect for host:port, tried in order; by default the host itself."""
        return [host]

    def opened(self, stream: httpcore.NetworkStream) -> None:
        """Called with each connected stream before it is used; by default nothing happens."""

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first of `addresses` that answers; the last connect error when none does."""
        error: Exception | None = None
        for address in self.addresses(host, port):
            try:
                stream = self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            self.opened(stream)
            return stream
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """As the standard backend."""
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        """As the standard backend."""
        self._inner.sleep(seconds)


class _GuardedBackend(HookedSyncBackend):
    """Every TCP connection goes to an address checked by the guard, and never to a unix socket."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self._allow_private = allow_private

    def addresses(self, host: str, port: int) -> list[str]:
        """Resolve once and check every address: the connection goes to the checked addresses only."""
        return [str(ip) for ip in _checked_addresses(host, port, self._allow_private)]

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """Never: a fetched URL cannot name a local socket."""
        raise httpcore.ConnectError("unix sockets are not fetched")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go only to addresses the guard accepted (see the module doc)."""

    def __init__(self, *, allow_private: bool = False, verify: bool | ssl.SSLContext = True) -> None:
        super().__init__(trust_env=False)
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else ssl.create_default_context(
            cafile=certifi.where()
        )
        if verify is False:
            ssl_context.check_hostname = False
            ssl_context.verify_mode = ssl.CERT_NONE
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow_private),
        )


# Clients built by make_client: for these the guard runs at connect time; for any other client a fetch checks
# the resolved addresses itself, which leaves the rebinding gap open (documented on `fetch`).
_GUARDED_CLIENTS: weakref.WeakSet[httpx.Client] = weakref.WeakSet()


def make_client(options: FetchOptions | None = None) -> httpx.Client:
    """An httpx client with the address guard in its transport, our User-Agent and no env proxies or netrc."""
    options = options or FetchOptions()
    client = httpx.Client(
        transport=GuardedTransport(allow_private=options.allow_private),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(options.timeout),
        headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )
    _GUARDED_CLIENTS.add(client)
    return client


# --- decoding -------------------------------------------------------------------------------------------------


class _Decoder:
    """Streams one content coding, never producing more than CHUNK_BYTES per step; checks the stream ended."""

    def __init__(self, coding: str, url: str) -> None:
        self.coding = coding
        self.url = url
        self._zlib: Any = None
        self._brotli: Any = None
        self._first = True
        if coding == "gzip" or coding == "x-gzip":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        elif coding == "br":
            self._brotli = brotli.Decompressor()
        elif coding not in ("", "identity"):
            raise FetchError(url, f"unsupported content encoding {coding!r}")

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of `data`, each at most CHUNK_BYTES."""
        try:
            if self._zlib is not None:
                yield from self._feed_zlib(data)
            elif self._brotli is not None:
                yield from self._feed_brotli(data)
            elif data:
                yield data
        except (zlib.error, brotli.error) as exc:
            raise FetchError(self.url, f"corrupt {self.coding} body ({exc})") from None

    def _feed_zlib(self, data: bytes) -> Iterator[bytes]:
        """zlib pieces; a "deflate" body without the zlib header (a common server bug) is read as raw deflate."""
        if self._first and self.coding == "deflate" and data:
            self._first = False
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:2])
            except zlib.error:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while pending:
            out = self._zlib.decompress(pending, CHUNK_BYTES)
            pending = self._zlib.unconsumed_tail
            if out:
                yield out
            elif pending:  # no progress: cannot happen with a positive max_length, but never loop forever
                break

    def _feed_brotli(self, data: bytes) -> Iterator[bytes]:
        """brotli pieces, output bounded per call."""
        out = self._brotli.process(data, output_buffer_limit=CHUNK_BYTES)
        if out:
            yield out
        while not self._brotli.can_accept_more_data():
            out = self._brotli.process(b"", output_buffer_limit=CHUNK_BYTES)
            if not out:
                break
            yield out

    def finish(self) -> None:
        """Refuse a compressed body whose stream did not end (a truncated download)."""
        if self._zlib is not None and not self._zlib.eof:
            raise FetchError(self.url, f"truncated {self.coding} body (the compressed stream ends early)")
        if self._brotli is not None and not self._brotli.is_finished():
            raise FetchError(self.url, "truncated br body (the compressed stream ends early)")


# --- the fetcher ----------------------------------------------------------------------------------------------


@dataclass
class _Robots:
    """A parsed robots.txt and when it was fetched; `error` set when it could not be read (disallow all)."""

    parser: urllib.robotparser.RobotFileParser | None
    fetched_at: float
    error: str | None = None


@dataclass
class FetchStats:
    """Counters for benchmarks and tests: requests sent and decoded body bytes received."""

    requests: int = 0
    bytes_read: int = 0


class Fetcher(Closing):
    """Fetches URLs with one client, one robots cache and one per-host clock; use as a context manager.

    Args:
        settings: `max_bytes` is the cap on a decoded body.
        cache: where validators are remembered (a Store, a MemoryCache); None: no conditional requests.
        client: an httpx client to use (not closed here). One not built by `make_client` gets the address check
            on each hop's resolved addresses but not at connect time, so the DNS-rebinding gap is open for it.
        **options: fields of FetchOptions.
    """

    def __init__(
        self, settings: Settings, *, cache: ValidatorCache | None = None, client: httpx.Client | None = None,
        **options: Unpack[FetchKeywords],
    ) -> None:
        self.settings = settings
        self.options = FetchOptions.build(settings, **options)
        self.cache = cache
        self._own_client = client is None
        self.client = client if client is not None else make_client(self.options)
        self._guarded = self.client in _GUARDED_CLIENTS
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}
        self.stats = FetchStats()

    def close(self) -> None:
        """Close the client if this fetcher made it."""
        if self._own_client:
            self.client.close()

    # -- public ----------------------------------------------------------------------------------------------

    def fetch(self, url: str, *, title: str | None = None, published: str | None = None) -> RawDocument:
        """Fetch one page into a RawDocument (kind "html" or "text"), conditionally when validators are known.

        `title` / `published` (e.g. from a feed item) are fallbacks for the page's own metadata, which is read
        with trafilatura. Raises NotModified (304), UnsafeURLError, TooLargeError, TransientFetchError or
        FetchError, each naming `url` and giving a one-line reason.
        """
        known = self.cache.validators(url) if self.cache is not None else None
        got = self.get(url, accept=ACCEPT_PAGE, validators=known)
        kind = _page_kind(got)
        if kind is None:
            raise FetchError(url, f"not an HTML or text page (content type {got.media_type})")
        if not got.data.strip():
            raise FetchError(url, "empty response")
        digest = hashlib.sha256(got.data).hexdigest()
        if self.cache is not None and (got.validators.etag or got.validators.last_modified):
            self.cache.remember_validators(url, got.validators._replace(sha256=digest))
        meta_title, meta_published = _page_metadata(got.data) if kind == "html" else (None, None)
        return RawDocument(
            source=url, data=got.data, sha256=digest, kind=kind,
            fetched_title=meta_title or title, fetched_published=meta_published or published,
        )

    def get(
        self, url: str, *, accept: str = "*/*", validators: Validators | None = None,
        media_types: tuple[str, ...] | None = None, max_bytes: int | None = None, what: str = "a web page",
    ) -> Fetched:
        """GET `url` through the guard, robots.txt, rate limit and redirects; the decoded body, capped.

        `validators` make the request conditional (304 raises NotModified). `media_types`, when given, are the
        content types accepted; any other is refused before the body is read, as "not <what>".
        """
        try:
            # a total deadline: in the main thread a timer interrupts even a read that trickles one byte at a
            # time; elsewhere the time is checked after every read (and each read has `timeout`)
            with budget_deadline(self.options.total_timeout + DEADLINE_GRACE_S, url, "fetch"):
                return self._get(url, accept, validators, media_types, max_bytes, what)
        except SourceError:
            raise
        except DeadlineExceeded:
            raise TransientFetchError(url, f"took longer than {self.options.total_timeout:g}s") from None
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            raise FetchError(url, f"invalid URL ({_one_line(exc)})") from None
        except Exception as exc:  # noqa: BLE001 - whatever a hostile server provokes is this URL's failure
            raise FetchError(url, f"could not be fetched ({type(exc).__name__}: {_one_line(exc)})") from None

    def _get(
        self, url: str, accept: str, validators: Validators | None, media_types: tuple[str, ...] | None,
        max_bytes: int | None, what: str,
    ) -> Fetched:
        """`get` within its deadline."""
        deadline = time.monotonic() + self.options.total_timeout
        headers = {"Accept": accept}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        response, final_url = self._send(url, headers, deadline, robots=self.options.respect_robots)
        try:
            status = response.status_code
            if status == 304:
                if validators is None:
                    raise FetchError(url, "HTTP 304 Not Modified to an unconditional request")
                raise NotModified(url, "not modified since the last fetch")
            _check_status(url, response)
            media_type, charset = _content_type(response)
            if media_types is not None and media_type and media_type not in media_types:
                raise FetchError(url, f"not {what} (content type {media_type})")
            if media_types is None and accept == ACCEPT_PAGE and media_type and _page_kind_of(media_type) is None:
                raise FetchError(url, f"not an HTML or text page (content type {media_type})")
            data = self._read(url, response, max_bytes or self.settings.input.max_bytes, deadline)
            got = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        finally:
            response.close()
        return Fetched(url, final_url, status, media_type, charset, data, got)

    # -- internals -------------------------------------------------------------------------------------------

    def _send(self, url: str, headers: dict[str, str], deadline: float, robots: bool) -> tuple[httpx.Response, str]:
        """Send the request and follow redirects by hand, re-checking every hop; the open final response."""
        current = url
        for hop in range(self.options.max_redirects + 1):
            where = "" if hop == 0 else f"redirect to {current}: "
            self._check_url(url, current, where)
            if robots and not self._robots_allow(url, current, deadline, where):
                raise FetchError(url, f"{where}disallowed by robots.txt")
            self._wait_turn(current)
            if time.monotonic() > deadline:
                raise TransientFetchError(url, f"took longer than {self.options.total_timeout:g}s")
            try:
                request = self.client.build_request("GET", current, headers=headers)
                self.stats.requests += 1
                response = self.client.send(request, stream=True)
            except _BlockedAddress as exc:
                raise UnsafeURLError(url, f"{where}refused: {exc}") from None
            except httpx.TimeoutException:
                raise TransientFetchError(url, f"{where}timed out after {self.options.timeout:g}s") from None
            except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
                raise FetchError(url, f"{where}invalid URL ({_one_line(exc)})") from None
            except httpx.HTTPError as exc:
                raise TransientFetchError(url, f"{where}{_one_line(exc)}") from None
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                location = response.headers["location"]
                response.close()
                current = urljoin(current, location.strip())
                continue
            return response, current
        raise FetchError(url, f"more than {self.options.max_redirects} redirects")

    def _check_url(self, url: str, current: str, where: str) -> None:
        """Scheme and literal-address checks of one hop (and, for a foreign client, its resolved addresses)."""
        try:
            parts = urlsplit(current)
            parts.port  # noqa: B018 - raises ValueError on a port out of range
        except ValueError as exc:
            raise FetchError(url, f"{where}invalid URL ({_one_line(exc)})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise UnsafeURLError(url, f"{where}refused: scheme {scheme or '(none)'!r} is not http or https")
        if "\\" in current.split("?", 1)[0].split("#", 1)[0]:
            raise UnsafeURLError(url, f"{where}refused: a backslash in the address")
        host = parts.hostname
        if host and (not host.isascii() or _odd_numeric_host(host)):
            raise UnsafeURLError(url, f"{where}refused: host {host!r} is not a plain name or dotted-decimal address")
        if not host:
            raise UnsafeURLError(url, f"{where}refused: no host name")
        if self.options.allow_private:
            return
        literal = _literal_ip(host)
        if literal is not None:
            reason = check_address(literal)
            if reason is not None:
                raise UnsafeURLError(url, f"{where}refused: {literal} is {reason}")
        elif not self._guarded:
            try:
                _checked_addresses(host, parts.port or (443 if scheme == "https" else 80), False)
            except _BlockedAddress as exc:
                raise UnsafeURLError(url, f"{where}refused: {exc}") from None
            except httpcore.ConnectError as exc:
                raise TransientFetchError(url, f"{where}{exc}") from None

    def _wait_turn(self, url: str) -> None:
        """Sleep until this URL's host may be asked again (per-host politeness)."""
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self.options.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _robots_allow(self, url: str, current: str, deadline: float, where: str) -> bool:
        """Whether robots.txt of the hop's host lets us fetch it (fetched and cached on first use)."""
        parts = urlsplit(current)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached.fetched_at > ROBOTS_TTL_S:
            try:
                cached = self._load_robots(url, origin, deadline)
            except UnsafeURLError as exc:  # the host itself is refused: say so for the page asked
                raise UnsafeURLError(url, where + exc.reason) from None
            self._robots[origin] = cached
        if cached.error is not None:
            raise TransientFetchError(url, f"robots.txt of {origin} could not be read ({cached.error})")
        return cached.parser is None or cached.parser.can_fetch(self.options.user_agent, current)

    def _load_robots(self, url: str, origin: str, deadline: float) -> _Robots:
        """Fetch and parse robots.txt: 4xx allows all, 5xx or a network failure disallows (RFC 9309)."""
        now = time.monotonic()
        try:
            response, _ = self._send(origin + "/robots.txt", {"Accept": "text/plain"}, deadline, robots=False)
        except UnsafeURLError:
            raise
        except SourceError as exc:
            return _Robots(None, now, exc.reason)
        try:
            if 400 <= response.status_code < 500:
                return _Robots(None, now)
            if response.status_code != 200:
                return _Robots(None, now, f"HTTP {response.status_code}")
            try:
                data = self._read(url, response, ROBOTS_MAX_BYTES, deadline, truncate=True)
            except SourceError as exc:
                return _Robots(None, now, exc.reason)
        finally:
            response.close()
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(data.decode("utf-8", errors="replace").splitlines())
        return _Robots(parser, now)

    def _read(self, url: str, response: httpx.Response, limit: int, deadline: float, truncate: bool = False) -> bytes:
        """The decoded body, refused (or, for robots.txt, cut) as soon as it passes `limit` bytes."""
        coding = response.headers.get("content-encoding", "").strip().lower()
        decoder = _Decoder(coding, url)
        declared = response.headers.get("content-length", "")
        if not coding and not truncate and declared.isdigit() and int(declared) > limit:
            raise TooLargeError(url, f"{int(declared):,} bytes announced, over the {limit:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        try:
            for raw in response.iter_raw():  # what each read returns: the deadline is checked after every read
                if time.monotonic() > deadline:
                    raise TransientFetchError(url, f"took longer than {self.options.total_timeout:g}s")
                for piece in decoder.feed(raw):
                    size += len(piece)
                    self.stats.bytes_read += len(piece)
                    if size > limit:
                        if truncate:
                            chunks.append(piece[: len(piece) - (size - limit)])
                            return b"".join(chunks)
                        raise TooLargeError(url, f"over the {limit:,}-byte limit (stopped reading at {size:,} bytes)")
                    chunks.append(piece)
        except httpx.TimeoutException:
            raise TransientFetchError(url, f"timed out after {self.options.timeout:g}s while reading") from None
        except httpx.HTTPError as exc:
            raise TransientFetchError(url, f"body cut off: {_one_line(exc)}") from None
        decoder.finish()
        return b"".join(chunks)


def fetch(
    url: str, settings: Settings, *, client: httpx.Client | None = None, cache: ValidatorCache | None = None,
    **options: Unpack[FetchKeywords],
) -> RawDocument:
    """Fetch one page into a RawDocument; see `Fetcher.fetch` for the errors and FetchOptions for `options`.

    Example: `fetch("https://example.org/news/breach", Settings.load(), allow_private=False)`.
    """
    with Fetcher(settings, cache=cache, client=client, **options) as fetcher:
        return fetcher.fetch(url)


# --- helpers ----------------------------------------------------------------------------------------------------


def _check_status(url: str, response: httpx.Response) -> None:
    """Refuse anything but a 200 with a one-line reason; 429 and 5xx are transient."""
    status = response.status_code
    if status == 200:
        return
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in TRANSIENT_STATUSES:
        raise TransientFetchError(url, reason)
    if status in REDIRECT_STATUSES:
        raise FetchError(url, f"{reason} without a Location header")
    raise FetchError(url, reason)


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    """Media type (lower case, no parameters) and charset of a response; ("", None) when not given."""
    value = response.headers.get("content-type", "")
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip('"') or None
    return media.strip().lower(), charset


def _page_kind_of(media_type: str) -> str | None:
    """'html', 'text' or None (refused) for a declared media type."""
    if media_type in HTML_TYPES:
        return "html"
    if media_type in TEXT_TYPES:
        return "text"
    return None


def _page_kind(got: Fetched) -> str | None:
    """The RawDocument kind of a fetched page: by its content type, or sniffed when it declared none."""
    if got.media_type:
        return _page_kind_of(got.media_type)
    return page_kind(urlsplit(got.final_url).path, got.data)  # the sniff acquire uses for files


def _page_metadata(data: bytes) -> tuple[str | None, str | None]:
    """Title and publication date (YYYY-MM-DD) trafilatura reads from a page's metadata; (None, None) if none."""
    import trafilatura

    try:
        meta = trafilatura.extract_metadata(data.decode("utf-8", errors="replace"))
    except Exception:  # noqa: BLE001 - metadata is a fallback; a page trafilatura chokes on still goes on
        return None, None
    title = meta.title if meta is not None and isinstance(meta.title, str) else None
    date = meta.date if meta is not None and isinstance(meta.date, str) and len(meta.date) == 10 else None
    return title or None, date


def _one_line(exc: BaseException) -> str:
    """An exception as one line: its message, or its class name when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

