"""What keeps the web layer safe with untrusted page text in the store: one error shape, strict headers, a body
limit, token rules and strict patterns for every path parameter.

Why each piece is here rather than in the routes:

* `error_body` is the only place an error is shaped (`{ok, error, errors, status}`, as datasette's
  `error_body`), so the API, the pages and the middleware can never disagree.
* `SecurityMiddleware` is pure ASGI, outside the routing, so the headers land on every response (static files,
  404s, 413s) and the body limit holds before FastAPI reads or parses anything.
* Every path parameter is matched against a pattern that cannot hold "/", "\\" or "..", and nothing in the
  web layer builds a file path from a request: static files are Starlette's StaticFiles over the package dir.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "ACTOR_PATTERN",
    "CSP",
    "DEFAULT_ALLOWED_HOSTS",
    "INCIDENT_ID_PATTERN",
    "MAX_BODY_BYTES",
    "SECURITY_HEADERS",
    "SHA256_PATTERN",
    "SecurityMiddleware",
    "check_token",
    "error_body",
    "error_response",
    "host_allowed",
    "is_loopback",
    "plain_text",
    "wants_json",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A pasted article is a few tens of KB; 1 MB leaves room for long reports while bounding memory per request.
MAX_BODY_BYTES = 1_000_000

# Scripts, styles, images and fetches from our own origin only: no inline script or style, no plugin, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}

# Resolver slugs (resolve.slug + a date suffix): lowercase ASCII letters, digits and hyphens.
INCIDENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,199}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Actor names as the galaxy writes them ("APT29", "Scattered Spider", "0ktapus", "UNC3944", "Lapsus$"): no path
# separators, no dots at all (so no ".."), no control characters.
ACTOR_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _'&+$!@()-]{0,99}$"

_ACTOR = re.compile(ACTOR_PATTERN)


def error_body(status: int, error: str, errors: list[Any] | None = None) -> dict[str, Any]:
    """The one JSON error shape: `{"ok": false, "error": str, "errors": [...], "status": int}`."""
    return {"ok": False, "error": error, "errors": list(errors or []), "status": status}


def wants_json(request_path: str, accept: str) -> bool:
    """Errors are JSON under /api (and /taxii2) or when the client does not ask for HTML."""
    if request_path.startswith(("/api", "/taxii2")):
        return True
    return "text/html" not in accept


# Renders the HTML error page from the error body (pages.render_error, handed in by the app, so that this module
# imports no page code: pages and service import this one).
HtmlError = Callable[[Request, dict[str, Any], dict[str, str]], Response]


def error_response(
    request: Request | None, status: int, error: str, errors: list[Any] | None = None,
    headers: dict[str, str] | None = None, html: HtmlError | None = None,
) -> Response:
    """An error as JSON (API clients, or when no `html` renderer is given) or as the HTML error page (browsers),
    from the same `error_body`."""
    body = error_body(status, error, errors)
    path = request.url.path if request is not None else "/api"
    accept = request.headers.get("accept", "") if request is not None else ""
    all_headers = {**SECURITY_HEADERS, **(headers or {})}
    if request is None or html is None or wants_json(path, accept):
        return JSONResponse(body, status_code=status, headers=all_headers)
    return html(request, body, all_headers)


def is_loopback(host: str) -> bool:
    """Whether `host` only reaches this machine ("127.0.0.1", "::1", "localhost")."""
    host = host.strip("[]")
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_token(expected: str | None, authorization: str | None, form_token: str | None) -> bool:
    """Whether the request carries the expected token (Bearer header or form field), compared in constant time."""
    if expected is None:
        return True
    given = None
    if authorization and authorization.lower().startswith("bearer "):
        given = authorization[7:].strip()
    elif form_token:
        given = form_token
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def valid_actor(name: str) -> bool:
    """Whether an actor name may appear in a path (see ACTOR_PATTERN)."""
    return bool(_ACTOR.match(name))


def same_origin(origin: str | None, host: str | None) -> bool:
    """A cross-site form post carries another site's Origin; same-origin and non-browser clients pass."""
    if origin is None:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == (host or "").lower()


# Host names a local `serve` answers to by default; loopback IP literals (127.0.0.0/8, ::1) are accepted too.
DEFAULT_ALLOWED_HOSTS = ("localhost", "localhost.localdomain")

# Control characters in free-text input (a search) are read as spaces: a NUL once reached the search engine.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain_text(value: str | None) -> str | None:
    """Free text from a request with control characters turned into spaces (None stays None)."""
    return None if value is None else _CONTROL.sub(" ", value)


def host_name(host_header: str) -> str:
    """The name part of a Host header, lower-cased, without port or IPv6 brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host_header: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's Host names this server: an allowed name or a loopback address.

    A DNS-rebinding page reaches 127.0.0.1 under its own name (Host: evil.example): refused. A request without a
    Host header (HTTP/1.0, a raw socket) comes from no browser and passes.
    """
    if host_header is None:
        return True
    name = host_name(host_header)
    if name in allowed or "*" in allowed:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class SecurityMiddleware:
    """Pure ASGI: security headers on every response; request bodies over `max_body` answered 413 unread.

    A body with a Content-Length over the limit is refused at once; a chunked body is buffered up to the limit
    (the limit is small) and refused as soon as it passes it, so no route ever sees more than `max_body` bytes.
    A Host that is not an allowed name or a loopback address is answered 400 (DNS rebinding), before any route
    runs.
    """

    def __init__(
        self, app: ASGIApp, max_body: int = MAX_BODY_BYTES, allowed_hosts: frozenset[str] | None = None,
        html: HtmlError | None = None,
    ) -> None:
        self.app = app
        self.html = html
        self.max_body = max_body
        self.allowed_hosts = frozenset(
            host_name(h) for h in (allowed_hosts if allowed_hosts is not None else DEFAULT_ALLOWED_HOSTS)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not host_allowed(host, self.allowed_hosts):
            await self._refuse(scope, receive, send, 400, "host not allowed: serve answers to "
                               + ", ".join(sorted(self.allowed_hosts) + ["loopback addresses"])
                               + " (add names with --allowed-host)")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            length = _content_length(scope)
            if length is not None and length > self.max_body:
                await self._too_large(scope, receive, send_with_headers)
                return
            chunks: list[bytes] = []
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    await self._too_large(scope, receive, send_with_headers)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, error: str) -> None:
        """An error in the one shape, with the security headers, before any route runs."""
        request = Request(scope, receive)
        response = error_response(request, status, error, html=self.html)
        await response(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        """413 in the one error shape."""
        request = Request(scope, receive)
        response = error_response(request, 413, f"request body is larger than {self.max_body} bytes",
                                  html=self.html)
        await response(scope, receive, send)


def _header(scope: Scope, wanted: bytes) -> str | None:
    """A request header's value (the first), or None."""
    for name, value in scope.get("headers", []):
        if name.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    """The declared Content-Length, or None when absent or unreadable."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
