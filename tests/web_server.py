"""A real HTTP server on 127.0.0.1 (ephemeral port, own thread) for the fetch, feed and watch tests.

Routes are set per test: `server.route("/path", body=..., status=..., headers=...)`, or `handler=` for a function
of the request handler that writes the response itself. Every request is logged (path and headers), and bytes
written by streamed bodies are counted, so tests can assert what crossed the socket.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Route:
    """A canned response (or a handler writing its own)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None


@dataclass
class Hit:
    """One request the server received."""

    path: str
    headers: dict[str, str]


class LocalServer:
    """The running server: its base URL, routes, request log and a stop flag for long handlers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.bytes_streamed = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        owner = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with owner._lock:
                    owner.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = owner.routes.get(self.path) or owner.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    route = Route(404, b"not found", {"Content-Type": "text/plain"})
                if route.handler is not None:
                    route.handler(self)
                    return
                self.send_response(route.status)
                headers = {"Content-Length": str(len(route.body)), **route.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if route.body and route.status not in (204, 304):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
                """Quiet."""

        class _Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                """A client that hangs up mid-body is expected here (size cap, timeouts)."""

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    def url(self, path: str) -> str:
        """Absolute URL of `path` on this server."""
        return self.base + path

    def route(self, path: str, body: bytes | str = b"", status: int = 200, headers: dict[str, str] | None = None,
              handler: Handler | None = None, content_type: str | None = "text/html; charset=utf-8") -> None:
        """Serve `body` (or let `handler` answer) at `path`."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        self.routes[path] = Route(status, data, all_headers, handler)

    def hits_of(self, path: str) -> list[Hit]:
        """Requests received for `path`."""
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def add_streamed(self, n: int) -> None:
        """Count bytes a streaming handler managed to write."""
        with self._lock:
            self.bytes_streamed += n

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def stream_forever(total: int, chunk: int = 64 * 1024) -> Handler:
    """A handler that streams `total` zero bytes (generated, never stored) until the client hangs up."""

    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        server: LocalServer = request.server.owner  # type: ignore[attr-defined]
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Connection", "close")
        request.end_headers()
        block = b"<p>" + b"a" * (chunk - 7) + b"</p>\n"
        sent = 0
        try:
            while sent < total and not server.stopping.is_set():
                request.wfile.write(block)
                sent += len(block)
                server.add_streamed(len(block))
        except OSError:
            pass
        request.close_connection = True

    return handler


def slow(seconds: float, body: bytes = b"<html><body><p>late</p></body></html>") -> Handler:
    """A handler that waits `seconds` (or until the server stops) before answering."""

    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        server: LocalServer = request.server.owner  # type: ignore[attr-defined]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not server.stopping.is_set():
            time.sleep(0.02)
        try:
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:
            pass

    return handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A fresh local HTTP server for one test, stopped (and its sockets closed) afterwards."""
    running = LocalServer()
    running._server.owner = running  # type: ignore[attr-defined]
    running.route("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    running.start()
    try:
        yield running
    finally:
        running.stop()
