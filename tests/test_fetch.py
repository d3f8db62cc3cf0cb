"""fetch: a real HTTP server on 127.0.0.1; the address guard, limits, encodings, robots.txt, conditional requests.

Tests that fetch from the local server pass allow_private=True (it is on loopback); the guard tests keep it off
and must be refused before any connection is made, or at connect time for names resolving to private addresses.
No test sends anything to an address other than 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import time
import zlib
from pathlib import Path
from typing import Any

import brotli
import httpcore
import pytest

from breachlens.errors import FetchError, TooLargeError, UnsafeURLError
from breachlens.ingest.acquire import acquire
from breachlens.ingest.fetch import (
    CHUNK_BYTES,
    USER_AGENT,
    Fetcher,
    MemoryCache,
    NotModified,
    TransientFetchError,
    check_address,
    fetch,
)
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import open_store
from web_server import LocalServer, server, slow, stream_forever  # noqa: F401 - `server` is a fixture

WEB = Path(__file__).parent / "fixtures" / "web"
SETTINGS = Settings()
LOCAL = {"allow_private": True, "min_interval": 0.0}
# A public address (example.org's) that tests map to the local server at the socket layer: the guard sees a
# public address, the bytes go to 127.0.0.1 only.
PUBLIC_IP = "93.184.216.34"


def page(name: str) -> bytes:
    """A fixture page's bytes."""
    return (WEB / name).read_bytes()


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> dict[str, list[str]]:  # noqa: F811
    """Names resolve through this table; connections to PUBLIC_IP go to the local server instead."""
    table: dict[str, list[str]] = {}
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in table[host]]
        if host in ("127.0.0.1", PUBLIC_IP):
            return real_getaddrinfo(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    real_connect = httpcore.SyncBackend.connect_tcp

    def local_connect(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        assert host in ("127.0.0.1", PUBLIC_IP), f"test tried to connect to {host}"
        return real_connect(self, "127.0.0.1", server.port if host == PUBLIC_IP else port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", local_connect)
    return table


# --- the address guard -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "refused: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/", "refused: 10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"),
        ("http://[::1]:8080/", "refused: ::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "refused: ::ffff:7f00:1 is a loopback address"),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"),
        ("file:///etc/passwd", "refused: scheme 'file' is not http or https"),
        ("gopher://127.0.0.1:70/_stats", "refused: scheme 'gopher' is not http or https"),
    ],
)
def test_fetch_guard_refuses_private_targets_and_schemes(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        fetch(url, SETTINGS, min_interval=0)
    assert str(caught.value) == f"{url}: {reason}"


def test_fetch_guard_refuses_a_hostname_resolving_to_loopback(public_dns: dict[str, list[str]]) -> None:
    public_dns["intranet.example"] = ["127.0.0.1"]
    with pytest.raises(UnsafeURLError) as caught:
        fetch("http://intranet.example/", SETTINGS, respect_robots=False, min_interval=0)
    assert str(caught.value) == (
        "http://intranet.example/: refused: intranet.example resolves to 127.0.0.1, a loopback address"
    )


def test_fetch_guard_refuses_when_any_address_is_private(public_dns: dict[str, list[str]]) -> None:
    public_dns["mixed.example"] = [PUBLIC_IP, "10.1.2.3"]
    with pytest.raises(UnsafeURLError, match="resolves to 10.1.2.3, a private address"):
        fetch("http://mixed.example/", SETTINGS, respect_robots=False, min_interval=0)


def test_fetch_guard_refuses_public_url_redirecting_to_private(
    server: LocalServer, public_dns: dict[str, list[str]]  # noqa: F811
) -> None:
    public_dns["news.example"] = [PUBLIC_IP]
    server.route("/story", status=302, headers={"Location": "http://10.0.0.1/admin"})
    with pytest.raises(UnsafeURLError) as caught:
        fetch("http://news.example/story", SETTINGS, min_interval=0)
    assert str(caught.value) == (
        "http://news.example/story: redirect to http://10.0.0.1/admin: refused: 10.0.0.1 is a private address"
    )


def test_fetch_guard_refuses_redirect_to_name_resolving_to_loopback(
    server: LocalServer, public_dns: dict[str, list[str]]  # noqa: F811
) -> None:
    public_dns["news.example"] = [PUBLIC_IP]
    public_dns["metadata.internal"] = ["127.0.0.1"]
    server.route("/story", status=301, headers={"Location": "http://metadata.internal/"})
    with pytest.raises(UnsafeURLError, match="redirect to http://metadata.internal/: refused: metadata.internal "
                                             "resolves to 127.0.0.1, a loopback address"):
        fetch("http://news.example/story", SETTINGS, min_interval=0)


def test_fetch_guard_checks_the_address_it_connects_to(
    server: LocalServer, public_dns: dict[str, list[str]]  # noqa: F811
) -> None:
    # DNS rebinding: the name answers a public address first and loopback afterwards. The guard resolves once
    # per connection, checks that answer and connects to it: no second lookup can swap the address.
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in next(answers)]
        return real(host, port, *args, **kwargs)

    server.route("/page", page("breach.html"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", rebinding)
        assert fetch("http://rebind.example/page", SETTINGS, respect_robots=False, min_interval=0).data == page(
            "breach.html"
        )
        assert lookups == ["rebind.example"]
        with pytest.raises(UnsafeURLError) as caught:
            fetch("http://rebind.example/page", SETTINGS, respect_robots=False, min_interval=0)
    assert str(caught.value) == (
        "http://rebind.example/page: refused: rebind.example resolves to 127.0.0.1, a loopback address"
    )
    assert len(server.hits_of("/page")) == 1


def test_fetch_guard_lifted_with_allow_private(server: LocalServer) -> None:  # noqa: F811
    server.route("/page", page("breach.html"))
    raw = fetch(server.url("/page"), SETTINGS, **LOCAL)
    assert raw.kind == "html" and raw.data == page("breach.html") and raw.source == server.url("/page")


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111"])
def test_fetch_check_address_accepts_public(address: str) -> None:
    import ipaddress

    assert check_address(ipaddress.ip_address(address)) is None


# --- pages, metadata, acquire ------------------------------------------------------------------------------------


def test_fetch_page_metadata_and_user_agent(server: LocalServer) -> None:  # noqa: F811
    server.route("/news/marlow", page("breach.html"))
    raw = fetch(server.url("/news/marlow"), SETTINGS, **LOCAL)
    assert raw.fetched_title == "Marlow Couriers confirms customer data breach"
    assert raw.fetched_published == "2025-07-14"
    assert server.hits_of("/news/marlow")[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("breachlens/")


def test_fetch_acquire_dispatches_urls(server: LocalServer) -> None:  # noqa: F811
    server.route("/news/marlow", page("breach.html"))
    assert acquire(server.url("/news/marlow"), Settings.load(allow_private=True)).data == page("breach.html")


def test_fetch_plain_text_page(server: LocalServer) -> None:  # noqa: F811
    server.route("/notice.txt", "Notice of data breach.\n", content_type="text/plain; charset=utf-8")
    assert fetch(server.url("/notice.txt"), SETTINGS, **LOCAL).kind == "text"


def test_fetch_refuses_non_html_content_type_before_reading(server: LocalServer) -> None:  # noqa: F811
    server.route("/report.pdf", handler=_pdf_forever)
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/report.pdf"), SETTINGS, **LOCAL)
    assert str(caught.value) == f"{server.url('/report.pdf')}: not an HTML or text page (content type application/pdf)"


def _pdf_forever(request: http.server.BaseHTTPRequestHandler) -> None:
    """A PDF of unbounded length."""
    request.send_response(200)
    request.send_header("Content-Type", "application/pdf")
    request.send_header("Connection", "close")
    request.end_headers()
    try:
        for _ in range(10_000):
            request.wfile.write(b"%PDF" * 16384)
    except OSError:
        pass


@pytest.mark.parametrize(("status", "transient"), [(404, False), (410, False), (500, True), (503, True), (429, True)])
def test_fetch_http_errors_name_the_status(server: LocalServer, status: int, transient: bool) -> None:  # noqa: F811
    server.route("/x", "no", status=status)
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/x"), SETTINGS, **LOCAL)
    assert str(caught.value).startswith(f"{server.url('/x')}: HTTP {status}")
    assert isinstance(caught.value, TransientFetchError) is transient


def test_fetch_connection_refused_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransientFetchError, match=f"http://127.0.0.1:{port}/: "):
        fetch(f"http://127.0.0.1:{port}/", SETTINGS, respect_robots=False, **LOCAL)


# --- redirects ----------------------------------------------------------------------------------------------------


def test_fetch_follows_redirects(server: LocalServer) -> None:  # noqa: F811
    server.route("/old", status=301, headers={"Location": "/mid"})
    server.route("/mid", status=302, headers={"Location": server.url("/new")})
    server.route("/new", page("breach.html"))
    raw = fetch(server.url("/old"), SETTINGS, **LOCAL)
    assert raw.data == page("breach.html") and raw.source == server.url("/old")


def test_fetch_redirect_limit(server: LocalServer) -> None:  # noqa: F811
    for n in range(10):
        server.route(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"})
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/r0"), SETTINGS, max_redirects=3, **LOCAL)
    assert str(caught.value) == f"{server.url('/r0')}: more than 3 redirects"
    assert len(server.hits_of("/r4")) == 0


def test_fetch_redirect_to_file_scheme_refused(server: LocalServer) -> None:  # noqa: F811
    server.route("/go", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(UnsafeURLError, match="redirect to file:///etc/passwd: refused: scheme 'file'"):
        fetch(server.url("/go"), SETTINGS, **LOCAL)


# --- limits -------------------------------------------------------------------------------------------------------


def test_fetch_timeout_on_slow_response(server: LocalServer) -> None:  # noqa: F811
    server.route("/slow", handler=slow(5.0))
    started = time.monotonic()
    with pytest.raises(TransientFetchError) as caught:
        fetch(server.url("/slow"), SETTINGS, timeout=0.3, **LOCAL)
    assert str(caught.value) == f"{server.url('/slow')}: timed out after 0.3s"
    assert time.monotonic() - started < 3


def test_fetch_oversized_response_cut_while_streaming(server: LocalServer) -> None:  # noqa: F811
    # 1 GB offered, generated on the fly; the cap is 1 MB and reading stops right after it.
    server.route("/huge", handler=stream_forever(10**9))
    settings = Settings.load(max_bytes=1_000_000)
    with Fetcher(settings, **LOCAL) as fetcher:
        with pytest.raises(TooLargeError) as caught:
            fetcher.fetch(server.url("/huge"))
        assert fetcher.stats.bytes_read <= settings.input.max_bytes + CHUNK_BYTES
    assert "over the 1,000,000-byte limit" in str(caught.value)
    # What the server managed to write before the hang-up: the cap plus what socket buffers absorbed.
    assert server.bytes_streamed < 64_000_000


def test_fetch_announced_length_over_cap_refused_unread(server: LocalServer) -> None:  # noqa: F811
    server.route("/big", b"x" * 5000)
    with pytest.raises(TooLargeError) as caught:
        fetch(server.url("/big"), Settings.load(max_bytes=1000), **LOCAL)
    assert str(caught.value) == f"{server.url('/big')}: 5,000 bytes announced, over the 1,000-byte limit"


def test_fetch_gzip_bomb_cut_by_decoded_size(server: LocalServer) -> None:  # noqa: F811
    bomb = gzip.compress(b"<html>" + b" " * 50_000_000)
    server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with Fetcher(Settings.load(max_bytes=1_000_000), **LOCAL) as fetcher:
        with pytest.raises(TooLargeError):
            fetcher.fetch(server.url("/bomb"))
        assert fetcher.stats.bytes_read <= 1_000_000 + CHUNK_BYTES


def test_fetch_total_timeout_on_trickling_body(server: LocalServer) -> None:  # noqa: F811
    def trickle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Connection", "close")
        request.end_headers()
        try:
            for _ in range(200):
                if request.server.owner.stopping.is_set():  # type: ignore[attr-defined]
                    return
                request.wfile.write(b"<p>" * 30000)
                request.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    server.route("/trickle", handler=trickle)
    with pytest.raises(TransientFetchError, match="took longer than 0.5s"):
        fetch(server.url("/trickle"), SETTINGS, total_timeout=0.5, **LOCAL)


# --- encodings ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, a common server bug
        ("br", brotli.compress),
    ],
)
def test_fetch_decodes_content_encodings(server: LocalServer, coding: str, encode: Any) -> None:  # noqa: F811
    server.route("/enc", encode(page("breach.html")), headers={"Content-Encoding": coding})
    assert fetch(server.url("/enc"), SETTINGS, **LOCAL).data == page("breach.html")
    assert "br" in server.hits_of("/enc")[0].headers["accept-encoding"]


def test_fetch_truncated_gzip_body_refused(server: LocalServer) -> None:  # noqa: F811
    body = gzip.compress(page("breach.html"))
    server.route("/trunc", body[: len(body) // 2], headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/trunc"), SETTINGS, **LOCAL)
    assert str(caught.value) == f"{server.url('/trunc')}: truncated gzip body (the compressed stream ends early)"


def test_fetch_body_cut_before_announced_length(server: LocalServer) -> None:  # noqa: F811
    def short(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", "100000")
        request.end_headers()
        request.wfile.write(b"<html><body>only part")
        request.close_connection = True

    server.route("/short", handler=short)
    with pytest.raises(TransientFetchError, match="body cut off"):
        fetch(server.url("/short"), SETTINGS, **LOCAL)


# --- politeness ---------------------------------------------------------------------------------------------------


def test_fetch_robots_disallow(server: LocalServer) -> None:  # noqa: F811
    server.route("/robots.txt", "User-agent: breachlens\nDisallow: /private/\n", content_type="text/plain")
    server.route("/private/page", page("breach.html"))
    with Fetcher(SETTINGS, **LOCAL) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(server.url("/private/page"))
        assert str(caught.value) == f"{server.url('/private/page')}: disallowed by robots.txt"
        assert server.hits_of("/private/page") == []
    with Fetcher(SETTINGS, respect_robots=False, **LOCAL) as fetcher:
        assert fetcher.fetch(server.url("/private/page")).data == page("breach.html")


def test_fetch_robots_fetched_once_per_host(server: LocalServer) -> None:  # noqa: F811
    server.route("/a", page("breach.html"))
    server.route("/b", page("advice.html"))
    with Fetcher(SETTINGS, **LOCAL) as fetcher:
        fetcher.fetch(server.url("/a"))
        fetcher.fetch(server.url("/b"))
    assert len(server.hits_of("/robots.txt")) == 1


def test_fetch_robots_missing_allows(server: LocalServer) -> None:  # noqa: F811
    del server.routes["/robots.txt"]
    server.route("/a", page("breach.html"))
    assert fetch(server.url("/a"), SETTINGS, **LOCAL).data == page("breach.html")


def test_fetch_robots_server_error_disallows(server: LocalServer) -> None:  # noqa: F811
    server.route("/robots.txt", "oops", status=503, content_type="text/plain")
    server.route("/a", page("breach.html"))
    with pytest.raises(TransientFetchError, match="robots.txt of .* could not be read"):
        fetch(server.url("/a"), SETTINGS, **LOCAL)


def test_fetch_rate_limit_per_host(server: LocalServer) -> None:  # noqa: F811
    server.route("/a", page("breach.html"))
    server.route("/b", page("advice.html"))
    with Fetcher(SETTINGS, allow_private=True, respect_robots=False, min_interval=0.3) as fetcher:
        started = time.monotonic()
        fetcher.fetch(server.url("/a"))
        fetcher.fetch(server.url("/b"))
        assert time.monotonic() - started >= 0.3


# --- conditional requests -----------------------------------------------------------------------------------------


def _conditional(request: http.server.BaseHTTPRequestHandler) -> None:
    """ETag "v1": 304 when the client already has it."""
    if request.headers.get("If-None-Match") == '"v1"':
        request.send_response(304)
        request.send_header("ETag", '"v1"')
        request.end_headers()
        return
    body = page("breach.html")
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("ETag", '"v1"')
    request.send_header("Last-Modified", "Mon, 14 Jul 2025 09:30:00 GMT")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def test_fetch_etag_304_not_modified(server: LocalServer) -> None:  # noqa: F811
    server.route("/c", handler=_conditional)
    cache = MemoryCache()
    with Fetcher(SETTINGS, cache=cache, **LOCAL) as fetcher:
        assert fetcher.fetch(server.url("/c")).data == page("breach.html")
        with pytest.raises(NotModified) as caught:
            fetcher.fetch(server.url("/c"))
    assert str(caught.value) == f"{server.url('/c')}: not modified since the last fetch"
    second = server.hits_of("/c")[1].headers
    assert second["if-none-match"] == '"v1"' and second["if-modified-since"] == "Mon, 14 Jul 2025 09:30:00 GMT"


def test_fetch_ingest_urls_twice_is_conditional(server: LocalServer) -> None:  # noqa: F811
    server.route("/c", handler=_conditional)
    server.route("/advice", page("advice.html"))
    with open_store(":memory:") as store:
        first = ingest_sources([server.url("/c"), server.url("/advice")], store, SETTINGS, **LOCAL)
        second = ingest_sources([server.url("/c"), server.url("/advice")], store, SETTINGS, **LOCAL)
        assert (first.fetched, first.new, first.not_about_a_breach) == (2, 2, 1)
        assert len(first.incidents) == 1 and first.incidents[0].incident.victim.startswith("Marlow Couriers")
        assert (second.fetched, second.new, second.unchanged, second.duplicates) == (1, 0, 1, 1)
        assert store.counts()["documents"] == 2


def test_fetch_ingest_urls_reports_failures_and_goes_on(server: LocalServer) -> None:  # noqa: F811
    server.route("/ok", page("breach.html"))
    with open_store(":memory:") as store:
        summary = ingest_sources(["http://10.0.0.1/x", server.url("/missing"), server.url("/ok")], store, SETTINGS,
                              min_interval=0)
        local = ingest_sources([server.url("/missing"), server.url("/ok")], store, SETTINGS, **LOCAL)
    assert [str(f) for f in summary.failures] == [
        "http://10.0.0.1/x: refused: 10.0.0.1 is a private address",
        f"{server.url('/missing')}: refused: 127.0.0.1 is a loopback address",
        f"{server.url('/ok')}: refused: 127.0.0.1 is a loopback address",
    ]
    assert [str(f) for f in local.failures] == [f"{server.url('/missing')}: HTTP 404 Not Found"]
    assert local.new == 1


# --- relevance: pages about no breach give no incident --------------------------------------------------------------


@pytest.mark.parametrize("name", ["advice.html", "product.html"])
def test_fetch_page_about_no_breach_gives_no_incident(server: LocalServer, name: str) -> None:  # noqa: F811
    server.route("/p", page(name))
    with open_store(":memory:") as store:
        summary = ingest_sources([server.url("/p")], store, SETTINGS, **LOCAL)
    assert (summary.new, summary.not_about_a_breach, len(summary.incidents)) == (1, 1, 0)
